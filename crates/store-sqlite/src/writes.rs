//! The writes that need more than one statement; each runs inside the writer's savepoint.

use crate::{backend, execution, state_machine};
use fluxo_store::*;
use rusqlite::{params, Connection, OptionalExtension};

pub fn create_state_machine(
    c: &Connection,
    record: StateMachineRecord,
) -> StoreResult<StateMachineRecord> {
    let existing = c
        .query_row(
            "SELECT * FROM state_machines WHERE name = ?1",
            [&record.name],
            state_machine,
        )
        .optional()
        .map_err(backend)?;
    if let Some(existing) = existing {
        let same = existing.definition == record.definition
            && existing.role_arn == record.role_arn
            && existing.kind == record.kind;
        return if same {
            Ok(existing)
        } else {
            Err(StoreError::AlreadyExists(record.arn))
        };
    }
    c.execute(
        "INSERT INTO state_machines (arn, name, kind, definition, role_arn, created_ms, updated_ms, revision, logging) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            record.arn,
            record.name,
            record.kind,
            record.definition,
            record.role_arn,
            record.created_ms,
            record.updated_ms,
            record.revision as i64,
            record.logging
        ],
    )
    .map_err(backend)?;
    Ok(record)
}

pub fn update_state_machine(
    c: &Connection,
    update: StateMachineUpdate,
) -> StoreResult<StateMachineRecord> {
    let changed = c
        .execute(
            "UPDATE state_machines SET definition = COALESCE(?2, definition), \
             role_arn = COALESCE(?3, role_arn), logging = COALESCE(?5, logging), \
             updated_ms = ?4, revision = revision + 1 WHERE arn = ?1",
            params![
                update.arn,
                update.definition,
                update.role_arn,
                update.updated_ms,
                update.logging
            ],
        )
        .map_err(backend)?;
    if changed == 0 {
        return Err(StoreError::NotFound(update.arn));
    }
    c.query_row(
        "SELECT * FROM state_machines WHERE arn = ?1",
        [&update.arn],
        state_machine,
    )
    .map_err(backend)
}

fn insert_events(c: &Connection, arn: &str, events: &[EventRecord]) -> StoreResult<()> {
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
                event.kind,
                event.details,
                event.thread,
                event.seq as i64
            ])
            .map_err(|error| match error {
                rusqlite::Error::SqliteFailure(code, _)
                    if code.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    StoreError::Conflict(format!("event {} of {arn} exists already", event.id))
                }
                other => backend(other),
            })?;
    }
    Ok(())
}

pub fn start_execution(
    c: &Connection,
    record: ExecutionRecord,
    events: Vec<EventRecord>,
) -> StoreResult<Started> {
    let existing = c
        .query_row(
            "SELECT * FROM executions WHERE arn = ?1",
            [&record.arn],
            execution,
        )
        .optional()
        .map_err(backend)?;
    if let Some(existing) = existing {
        return if existing.input == record.input {
            Ok(Started {
                record: existing,
                created: false,
            })
        } else {
            Err(StoreError::Conflict(record.arn))
        };
    }
    c.execute(
        "INSERT INTO executions (arn, state_machine_arn, name, status, input, output, error, cause, started_ms, stopped_ms, seed) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            record.arn,
            record.state_machine_arn,
            record.name,
            record.status,
            record.input,
            record.output,
            record.error,
            record.cause,
            record.started_ms,
            record.stopped_ms,
            record.seed as i64
        ],
    )
    .map_err(backend)?;
    insert_events(c, &record.arn, &events)?;
    Ok(Started {
        record,
        created: true,
    })
}

pub fn commit(c: &Connection, transition: Transition) -> StoreResult<()> {
    let known: Option<i64> = c
        .query_row(
            "SELECT 1 FROM executions WHERE arn = ?1",
            [&transition.execution_arn],
            |row| row.get(0),
        )
        .optional()
        .map_err(backend)?;
    if known.is_none() {
        return Err(StoreError::NotFound(transition.execution_arn));
    }
    insert_events(c, &transition.execution_arn, &transition.events)?;
    if let Some(update) = &transition.update {
        c.execute(
            "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stopped_ms = ?6 WHERE arn = ?1",
            params![
                transition.execution_arn,
                update.status,
                update.output,
                update.error,
                update.cause,
                update.stopped_ms
            ],
        )
        .map_err(backend)?;
    }
    match transition.timer {
        TimerChange::Keep => {}
        TimerChange::Set(at) => {
            c.execute(
                "INSERT INTO timers (execution_arn, fire_at_ms) VALUES (?1, ?2) \
                 ON CONFLICT (execution_arn) DO UPDATE SET fire_at_ms = excluded.fire_at_ms",
                params![transition.execution_arn, at],
            )
            .map_err(backend)?;
        }
        TimerChange::Clear => {
            c.execute(
                "DELETE FROM timers WHERE execution_arn = ?1",
                [&transition.execution_arn],
            )
            .map_err(backend)?;
        }
    }
    Ok(())
}
