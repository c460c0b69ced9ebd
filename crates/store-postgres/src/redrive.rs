//! `RedriveExecution`'s one transaction (see `fluxo_store::Redrive`), with the execution's row
//! locked so that racing redrives (on any node) apply once.

use crate::sql::{execute, query, query_opt};
use crate::writes::{insert_events, lock_execution};
use crate::{backend, rows};
use deadpool_postgres::Client;
use fluxo_store::*;

pub async fn redrive_execution(
    client: &mut Client,
    at_rest: &AtRest,
    redrive: Redrive,
) -> StoreResult<Redriven> {
    let c = client.transaction().await.map_err(backend)?;
    let arn = &redrive.execution_arn;
    lock_execution(&c, arn).await?;
    let row = query_opt(&c, "SELECT * FROM executions WHERE arn = $1", &[arn])
        .await?
        .ok_or_else(|| StoreError::NotFound(arn.clone()))?;
    let record = at_rest.open_execution(rows::execution(&row)?)?;
    let last_token: Option<String> = row.get("redrive_token");
    if let (Some(token), Some(last), Some(at)) =
        (&redrive.client_token, last_token, record.redrive_ms)
    {
        if *token == last && redrive.timestamp_ms - at < REDRIVE_TOKEN_MS {
            return Ok(Redriven::Repeated(record));
        }
    }
    if !reopenable(&record, redrive.expected_count) {
        return Ok(Redriven::Refused(record));
    }
    let row = &query(
        &c,
        "SELECT COALESCE(MAX(id), 0), COALESCE(MAX(timestamp_ms), 0), \
         COALESCE(MAX(seq) FILTER (WHERE thread = '' AND seq < 4294967295) + 1, 0) \
         FROM events WHERE execution_arn = $1",
        &[arn],
    )
    .await?[0];
    let (last, latest, next_seq) = (
        row.get::<_, i64>(0) as u64,
        row.get::<_, i64>(1),
        row.get::<_, i64>(2) as u32,
    );
    let count = record.redrive_count + 1;
    let event = redriven_event(&redrive, last, latest, next_seq, count);
    let at = event.timestamp_ms;
    insert_events(&c, arn, &[at_rest.seal_event(event)]).await?;
    execute(
        &c,
        "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, \
         stopped_ms = NULL, lease_owner = NULL, redrive_count = $2, redrive_ms = $3, \
         redrive_token = $4 WHERE arn = $1",
        &[arn, &(count as i64), &at, &redrive.client_token],
    )
    .await?;
    let row = query_opt(&c, "SELECT * FROM executions WHERE arn = $1", &[arn])
        .await?
        .ok_or_else(|| StoreError::NotFound(arn.clone()))?;
    let record = at_rest.open_execution(rows::execution(&row)?)?;
    c.commit().await.map_err(backend)?;
    Ok(Redriven::Redriven(record))
}
