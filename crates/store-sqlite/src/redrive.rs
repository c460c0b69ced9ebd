//! `RedriveExecution`'s one transaction (see `fluxo_store::Redrive`).

use crate::backend;
use crate::writes::{execution_by_arn, insert_events};
use fluxo_store::*;
use rusqlite::{params, Connection, OptionalExtension};

pub fn redrive_execution(
    c: &Connection,
    at_rest: &AtRest,
    redrive: Redrive,
) -> StoreResult<Redriven> {
    let arn = &redrive.execution_arn;
    let record = execution_by_arn(c, arn)?.ok_or_else(|| StoreError::NotFound(arn.clone()))?;
    let record = at_rest.open_execution(record)?;
    if let Some(token) = &redrive.client_token {
        let last: Option<(Option<String>, Option<i64>)> = c
            .query_row(
                "SELECT redrive_token, redrive_ms FROM executions WHERE arn = ?1",
                [arn],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(backend)?;
        if let Some((Some(last), Some(at))) = last {
            if *token == last && redrive.timestamp_ms - at < REDRIVE_TOKEN_MS {
                return Ok(Redriven::Repeated(record));
            }
        }
    }
    if !reopenable(&record, redrive.expected_count) {
        return Ok(Redriven::Refused(record));
    }
    let (last, latest, next_seq): (i64, i64, i64) = c
        .query_row(
            "SELECT COALESCE(MAX(id), 0), COALESCE(MAX(timestamp_ms), 0), \
             COALESCE((SELECT MAX(seq) + 1 FROM events WHERE execution_arn = ?1 AND thread = '' \
                       AND seq < 4294967295), 0) \
             FROM events WHERE execution_arn = ?1",
            [arn],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .map_err(backend)?;
    let count = record.redrive_count + 1;
    let event = redriven_event(&redrive, last as u64, latest, next_seq as u32, count);
    let redrive_ms = event.timestamp_ms;
    insert_events(c, arn, &[at_rest.seal_event(event)])?;
    c.execute(
        "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, \
         stopped_ms = NULL, lease_owner = NULL, redrive_count = ?2, redrive_ms = ?3, \
         redrive_token = ?4 WHERE arn = ?1",
        params![arn, count, redrive_ms, redrive.client_token],
    )
    .map_err(backend)?;
    let record = execution_by_arn(c, arn)?.ok_or_else(|| StoreError::NotFound(arn.clone()))?;
    Ok(Redriven::Redriven(at_rest.open_execution(record)?))
}
