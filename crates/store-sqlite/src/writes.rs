//! The writes that need more than one statement; each runs inside the writer's savepoint, so
//! what they check and what they change are one transaction.

use crate::{backend, rows};
use fluxo_store::*;
use fluxo_types::ExecutionStatus;
use rusqlite::{params, Connection, OptionalExtension};

fn state_machine_by_arn(c: &Connection, arn: &str) -> StoreResult<Option<StateMachineRecord>> {
    c.query_row(
        "SELECT * FROM state_machines WHERE arn = ?1",
        [arn],
        rows::state_machine,
    )
    .optional()
    .map_err(backend)
}

fn next_revision(c: &Connection, arn: &str) -> StoreResult<u64> {
    c.query_row(
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM revisions WHERE state_machine_arn = ?1",
        [arn],
        |row| row.get::<_, i64>(0),
    )
    .map(|n| n as u64)
    .map_err(backend)
}

fn keep_revision(c: &Connection, record: &StateMachineRecord) -> StoreResult<()> {
    c.execute(
        "INSERT OR IGNORE INTO revisions (state_machine_arn, revision, definition, role_arn) \
         VALUES (?1, ?2, ?3, ?4)",
        params![
            record.arn,
            record.revision as i64,
            record.definition,
            record.role_arn
        ],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn create_state_machine(
    c: &Connection,
    at: &AtRest,
    record: StateMachineRecord,
    tags: Vec<(String, String)>,
) -> StoreResult<Created> {
    if let Some(existing) = state_machine_by_arn(c, &record.arn)? {
        // Compared in the clear: two seals of one definition differ.
        let existing = at.open_state_machine(existing)?;
        return if existing.same_creation(&record) {
            Ok(Created::Existing(existing))
        } else {
            Err(StoreError::NameConflict(record.arn))
        };
    }
    let plain = record;
    let mut record = at.seal_state_machine(plain.clone());
    record.revision = next_revision(c, &record.arn)?;
    c.execute(
        "INSERT INTO state_machines (arn, name, kind, definition, role_arn, created_ms, updated_ms, revision, logging) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            record.arn,
            record.name,
            record.kind.as_str(),
            record.definition,
            record.role_arn,
            record.created_ms,
            record.updated_ms,
            record.revision as i64,
            options_column(record.logging.as_deref(), record.encryption.as_deref())
        ],
    )
    .map_err(backend)?;
    keep_revision(c, &record)?;
    tag(c, &record.arn, tags)?;
    Ok(Created::Created(StateMachineRecord {
        revision: record.revision,
        ..plain
    }))
}

pub fn update_state_machine(
    c: &Connection,
    at: &AtRest,
    update: StateMachineUpdate,
) -> StoreResult<StateMachineRecord> {
    let current = state_machine_by_arn(c, &update.arn)?
        .ok_or_else(|| StoreError::NotFound(update.arn.clone()))?;
    // Compared in the clear: two seals of one definition differ.
    let current = at.open_state_machine(current)?;
    let runs_differently = update.runs_differently(&current);
    let changes = runs_differently || update.changes_options(&current);
    let options = update.options_column(&current);
    let revision = match runs_differently {
        true => Some(next_revision(c, &update.arn)? as i64),
        false => None,
    };
    // An update that changes nothing keeps the revision id.
    let revision_id = match changes {
        true => Some(update.revision_id.clone()),
        false => current.revision_id.clone(),
    };
    // An unchanged definition is not written again.
    let definition = match runs_differently {
        true => update.definition.clone().map(|d| at.seal(d)),
        false => None,
    };
    c.execute(
        "UPDATE state_machines SET definition = COALESCE(?2, definition), \
         role_arn = COALESCE(?3, role_arn), logging = ?5, \
         updated_ms = ?4, revision = COALESCE(?6, revision), revision_id = ?7 WHERE arn = ?1",
        params![
            update.arn,
            definition,
            update.role_arn,
            update.updated_ms,
            options,
            revision,
            revision_id
        ],
    )
    .map_err(backend)?;
    let record = state_machine_by_arn(c, &update.arn)?
        .ok_or_else(|| StoreError::NotFound(update.arn.clone()))?;
    keep_revision(c, &record)?;
    at.open_state_machine(record)
}

pub fn tag(c: &Connection, arn: &str, tags: Vec<(String, String)>) -> StoreResult<()> {
    let mut statement = c
        .prepare_cached(
            "INSERT INTO tags (arn, key, value) VALUES (?1, ?2, ?3) \
             ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value",
        )
        .map_err(backend)?;
    for (key, value) in tags {
        statement
            .execute(params![arn, key, value])
            .map_err(backend)?;
    }
    Ok(())
}

pub(crate) fn insert_events(c: &Connection, arn: &str, events: &[EventRecord]) -> StoreResult<()> {
    let mut statement = c
        .prepare_cached(
            "INSERT INTO events (execution_arn, id, previous_event_id, timestamp_ms, kind, details, thread, seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(backend)?;
    for event in events {
        statement
            .execute(params![
                arn,
                event.id as i64,
                event.previous_event_id as i64,
                event.timestamp_ms,
                event.kind.as_str(),
                event.details,
                event.thread,
                event.seq as i64
            ])
            .map_err(|error| match error {
                rusqlite::Error::SqliteFailure(code, _)
                    if code.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StoreError::DuplicateEvent {
                        execution_arn: arn.to_string(),
                        id: event.id,
                    }
                }
                other => backend(other),
            })?;
    }
    Ok(())
}

pub(crate) fn execution_by_arn(c: &Connection, arn: &str) -> StoreResult<Option<ExecutionRecord>> {
    c.query_row(
        "SELECT * FROM executions WHERE arn = ?1",
        [arn],
        rows::execution,
    )
    .optional()
    .map_err(backend)
}

pub fn start_execution(c: &Connection, record: ExecutionRecord) -> StoreResult<Started> {
    if let Some(existing) = execution_by_arn(c, &record.arn)? {
        return Ok(Started::Existing(existing));
    }
    c.execute(
        "INSERT INTO executions (arn, state_machine_arn, name, status, input, output, error, cause, started_ms, stopped_ms, seed, revision, version_arn, alias_arn, map_run_arn) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            record.arn,
            record.state_machine_arn,
            record.name,
            record.status.as_str(),
            record.input,
            record.output,
            record.error,
            record.cause,
            record.started_ms,
            record.stopped_ms,
            record.seed as i64,
            record.revision as i64,
            record.version_arn,
            record.alias_arn,
            record.map_run_arn
        ],
    )
    .map_err(backend)?;
    Ok(Started::Created(record))
}

/// See [`fluxo_store::Store::record_child_execution`]: an earlier run of the child is
/// replaced (its row keeps its place in the start order).
pub fn record_child_execution(
    c: &Connection,
    record: ExecutionRecord,
    events: Vec<EventRecord>,
) -> StoreResult<()> {
    c.execute("DELETE FROM events WHERE execution_arn = ?1", [&record.arn])
        .map_err(backend)?;
    let updated = c
        .execute(
            "UPDATE executions SET status = ?2, input = ?3, output = ?4, error = ?5, cause = ?6, \
             started_ms = ?7, stopped_ms = ?8 WHERE arn = ?1",
            params![
                record.arn,
                record.status.as_str(),
                record.input,
                record.output,
                record.error,
                record.cause,
                record.started_ms,
                record.stopped_ms
            ],
        )
        .map_err(backend)?;
    let arn = record.arn.clone();
    if updated == 0 {
        start_execution(c, record)?;
    }
    insert_events(c, &arn, &events)
}

/// The execution's status, checked in the transaction that changes it.
fn status(c: &Connection, arn: &str) -> StoreResult<ExecutionStatus> {
    Ok(status_and_lease(c, arn)?.0)
}

/// The execution's status and current lease (owner, token).
fn status_and_lease(
    c: &Connection,
    arn: &str,
) -> StoreResult<(ExecutionStatus, Option<String>, u64)> {
    let row: Option<(String, Option<String>, i64)> = c
        .query_row(
            "SELECT status, lease_owner, lease_token FROM executions WHERE arn = ?1",
            [arn],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
        .map_err(backend)?;
    let (text, owner, token) = row.ok_or_else(|| StoreError::NotFound(arn.to_string()))?;
    Ok((text.parse().map_err(backend)?, owner, token as u64))
}

fn set_timer(c: &Connection, arn: &str, timer: TimerChange) -> StoreResult<()> {
    match timer {
        TimerChange::Keep => {}
        TimerChange::Set(at) => {
            // A task resolved while the execution was parking must still wake it.
            c.execute(
                "INSERT INTO timers (execution_arn, fire_at_ms) VALUES (?1, \
                 MIN(?2, COALESCE((SELECT MIN(completed_ms) FROM tasks \
                     WHERE execution_arn = ?1 AND completed_ms IS NOT NULL), ?2))) \
                 ON CONFLICT (execution_arn) DO UPDATE SET fire_at_ms = excluded.fire_at_ms",
                params![arn, at],
            )
            .map_err(backend)?;
        }
        TimerChange::Clear => {
            c.execute("DELETE FROM timers WHERE execution_arn = ?1", [arn])
                .map_err(backend)?;
        }
    }
    Ok(())
}

pub fn commit(c: &Connection, transition: Transition) -> StoreResult<()> {
    let arn = &transition.execution_arn;
    let (current, owner, token) = status_and_lease(c, arn)?;
    if current != ExecutionStatus::Running {
        return Err(StoreError::ExecutionClosed {
            execution_arn: arn.clone(),
            status: current,
        });
    }
    if let Some(fence) = &transition.fence {
        if owner.as_deref() != Some(fence.owner.as_str()) || token != fence.token {
            return Err(StoreError::LeaseLost {
                execution_arn: arn.clone(),
            });
        }
    }
    insert_events(c, arn, &transition.events)?;
    if let Some(update) = &transition.update {
        c.execute("DELETE FROM tasks WHERE execution_arn = ?1", [arn])
            .map_err(backend)?;
        c.execute(
            "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stopped_ms = ?6, \
             lease_owner = NULL WHERE arn = ?1",
            params![
                arn,
                update.status.as_str(),
                update.output,
                update.error,
                update.cause,
                update.stopped_ms
            ],
        )
        .map_err(backend)?;
    }
    set_timer(c, arn, transition.timer)
}

pub fn abort_execution(c: &Connection, abort: Abort) -> StoreResult<ExecutionRecord> {
    let arn = &abort.execution_arn;
    if status(c, arn)? == ExecutionStatus::Running {
        let (last, latest): (i64, i64) = c
            .query_row(
                "SELECT COALESCE(MAX(id), 0), COALESCE(MAX(timestamp_ms), 0) FROM events \
                 WHERE execution_arn = ?1",
                [arn],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(backend)?;
        let event = EventRecord {
            id: last as u64 + 1,
            previous_event_id: last as u64,
            // Never before an event a driver committed while the stop was on its way.
            timestamp_ms: abort.timestamp_ms.max(latest),
            kind: abort.kind,
            details: abort.details.clone(),
            thread: String::new(),
            seq: u32::MAX,
        };
        insert_events(c, arn, &[event])?;
        let status = abort
            .kind
            .final_status()
            .unwrap_or(ExecutionStatus::Aborted);
        c.execute(
            "UPDATE executions SET status = ?2, output = NULL, error = ?3, cause = ?4, stopped_ms = ?5, \
             lease_owner = NULL WHERE arn = ?1",
            params![arn, status.as_str(), abort.error, abort.cause, abort.timestamp_ms],
        )
        .map_err(backend)?;
        set_timer(c, arn, TimerChange::Clear)?;
        c.execute("DELETE FROM tasks WHERE execution_arn = ?1", [arn])
            .map_err(backend)?;
    }
    execution_by_arn(c, arn)?.ok_or_else(|| StoreError::NotFound(arn.clone()))
}
