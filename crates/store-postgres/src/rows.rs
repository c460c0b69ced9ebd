//! Rows to records: the enums of `fluxo-types` are kept as their API spelling, unsigned
//! numbers as BIGINT (their bits; a seed may use all 64).

use crate::backend;
use fluxo_store::{
    Claimed, EventRecord, ExecutionRecord, Fence, Lease, Revision, StateMachineRecord, StoreResult,
};
use std::str::FromStr;
use tokio_postgres::Row;

fn spelled<T: FromStr>(row: &Row, column: &str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.try_get(column).map_err(backend)?;
    text.parse().map_err(backend)
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, column: &str) -> StoreResult<T> {
    row.try_get(column).map_err(backend)
}

fn unsigned(row: &Row, column: &str) -> StoreResult<u64> {
    Ok(get::<i64>(row, column)? as u64)
}

pub fn state_machine(row: &Row) -> StoreResult<StateMachineRecord> {
    let (logging, encryption) = fluxo_store::options_of_column(get(row, "logging")?);
    Ok(StateMachineRecord {
        arn: get(row, "arn")?,
        name: get(row, "name")?,
        kind: spelled(row, "kind")?,
        definition: get(row, "definition")?,
        role_arn: get(row, "role_arn")?,
        created_ms: get(row, "created_ms")?,
        updated_ms: get(row, "updated_ms")?,
        revision: unsigned(row, "revision")?,
        logging,
        revision_id: get(row, "revision_id")?,
        encryption,
    })
}

pub fn revision(row: &Row) -> StoreResult<Revision> {
    Ok(Revision {
        state_machine_arn: get(row, "state_machine_arn")?,
        revision: unsigned(row, "revision")?,
        definition: get(row, "definition")?,
        role_arn: get(row, "role_arn")?,
    })
}

pub fn execution(row: &Row) -> StoreResult<ExecutionRecord> {
    Ok(ExecutionRecord {
        arn: get(row, "arn")?,
        state_machine_arn: get(row, "state_machine_arn")?,
        name: get(row, "name")?,
        status: spelled(row, "status")?,
        input: get(row, "input")?,
        output: get(row, "output")?,
        error: get(row, "error")?,
        cause: get(row, "cause")?,
        started_ms: get(row, "started_ms")?,
        stopped_ms: get(row, "stopped_ms")?,
        seed: unsigned(row, "seed")?,
        revision: unsigned(row, "revision")?,
        version_arn: get(row, "version_arn")?,
        alias_arn: get(row, "alias_arn")?,
        redrive_count: get::<i64>(row, "redrive_count")? as u32,
        redrive_ms: get(row, "redrive_ms")?,
        map_run_arn: get(row, "map_run_arn")?,
    })
}

/// An execution with its start-order key, for keyset pages.
pub fn keyed_execution(row: &Row) -> StoreResult<(i64, ExecutionRecord)> {
    Ok((get(row, "seq")?, execution(row)?))
}

/// An execution row just claimed, with its lease.
pub fn claimed(row: &Row) -> StoreResult<(i64, Claimed)> {
    let (seq, execution) = keyed_execution(row)?;
    let lease = Lease {
        execution_arn: execution.arn.clone(),
        fence: Fence {
            owner: get(row, "lease_owner")?,
            token: unsigned(row, "lease_token")?,
        },
        expires_ms: get(row, "lease_expires_ms")?,
    };
    Ok((seq, Claimed { execution, lease }))
}

pub fn event(row: &Row) -> StoreResult<EventRecord> {
    Ok(EventRecord {
        id: unsigned(row, "id")?,
        previous_event_id: unsigned(row, "previous_event_id")?,
        timestamp_ms: get(row, "timestamp_ms")?,
        kind: spelled(row, "kind")?,
        details: get(row, "details")?,
        thread: get(row, "thread")?,
        seq: unsigned(row, "seq")? as u32,
    })
}

/// Every row mapped, or the first error.
pub fn all<T>(rows: &[Row], map: impl Fn(&Row) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(map).collect()
}
