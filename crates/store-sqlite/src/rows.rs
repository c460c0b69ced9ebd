//! Rows to records: the enums of `fluxo-types` are kept as their API spelling.

use fluxo_store::{EventRecord, ExecutionRecord, Revision, StateMachineRecord};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::Row;
use std::str::FromStr;

/// A column holding one of the vocabulary's enums by its spelling.
struct Spelled<T>(T);

impl<T: FromStr> FromSql for Spelled<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        text.parse()
            .map(Spelled)
            .map_err(|error| FromSqlError::Other(Box::new(error)))
    }
}

fn spelled<T: FromStr>(row: &Row, column: &str) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    row.get::<_, Spelled<T>>(column).map(|spelled| spelled.0)
}

pub fn state_machine(row: &Row) -> rusqlite::Result<StateMachineRecord> {
    let (logging, encryption) = fluxo_store::options_of_column(row.get("logging")?);
    Ok(StateMachineRecord {
        arn: row.get("arn")?,
        name: row.get("name")?,
        kind: spelled(row, "kind")?,
        definition: row.get("definition")?,
        role_arn: row.get("role_arn")?,
        created_ms: row.get("created_ms")?,
        updated_ms: row.get("updated_ms")?,
        revision: row.get::<_, i64>("revision")? as u64,
        logging,
        revision_id: row.get("revision_id")?,
        encryption,
    })
}

pub fn revision(row: &Row) -> rusqlite::Result<Revision> {
    Ok(Revision {
        state_machine_arn: row.get("state_machine_arn")?,
        revision: row.get::<_, i64>("revision")? as u64,
        definition: row.get("definition")?,
        role_arn: row.get("role_arn")?,
    })
}

pub fn execution(row: &Row) -> rusqlite::Result<ExecutionRecord> {
    Ok(ExecutionRecord {
        arn: row.get("arn")?,
        state_machine_arn: row.get("state_machine_arn")?,
        name: row.get("name")?,
        status: spelled(row, "status")?,
        input: row.get("input")?,
        output: row.get("output")?,
        error: row.get("error")?,
        cause: row.get("cause")?,
        started_ms: row.get("started_ms")?,
        stopped_ms: row.get("stopped_ms")?,
        seed: row.get::<_, i64>("seed")? as u64,
        revision: row.get::<_, i64>("revision")? as u64,
        version_arn: row.get("version_arn")?,
        alias_arn: row.get("alias_arn")?,
        redrive_count: row.get::<_, i64>("redrive_count")? as u32,
        redrive_ms: row.get("redrive_ms")?,
        map_run_arn: row.get("map_run_arn")?,
    })
}

/// An execution with its start-order key, for keyset pages.
pub fn keyed_execution(row: &Row) -> rusqlite::Result<(i64, ExecutionRecord)> {
    Ok((row.get("seq")?, execution(row)?))
}

pub fn event(row: &Row) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        id: row.get::<_, i64>("id")? as u64,
        previous_event_id: row.get::<_, i64>("previous_event_id")? as u64,
        timestamp_ms: row.get("timestamp_ms")?,
        kind: spelled(row, "kind")?,
        details: row.get("details")?,
        thread: row.get("thread")?,
        seq: row.get::<_, i64>("seq")? as u32,
    })
}
