//! The writes that need more than one statement, each in one transaction. The execution's row
//! is locked (`FOR UPDATE`) before a transition is checked, so that what is checked (running,
//! the lease) cannot change before the transition commits, whichever node writes.

use crate::sql::{execute, query, query_opt};
use crate::{backend, rows};
use deadpool_postgres::{Client, GenericClient};
use fluxo_store::*;
use fluxo_types::ExecutionStatus;

async fn state_machine_by_arn(
    c: &impl GenericClient,
    arn: &str,
    lock: bool,
) -> StoreResult<Option<StateMachineRecord>> {
    let sql = match lock {
        true => "SELECT * FROM state_machines WHERE arn = $1 FOR UPDATE",
        false => "SELECT * FROM state_machines WHERE arn = $1",
    };
    query_opt(c, sql, &[&arn])
        .await?
        .as_ref()
        .map(rows::state_machine)
        .transpose()
}

async fn next_revision(c: &impl GenericClient, arn: &str) -> StoreResult<u64> {
    let row = query(
        c,
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM revisions WHERE state_machine_arn = $1",
        &[&arn],
    )
    .await?;
    Ok(row[0].get::<_, i64>(0) as u64)
}

async fn keep_revision(c: &impl GenericClient, record: &StateMachineRecord) -> StoreResult<()> {
    execute(
        c,
        "INSERT INTO revisions (state_machine_arn, revision, definition, role_arn) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        &[
            &record.arn,
            &(record.revision as i64),
            &record.definition,
            &record.role_arn,
        ],
    )
    .await?;
    Ok(())
}

pub async fn tag(
    c: &impl GenericClient,
    arn: &str,
    tags: Vec<(String, String)>,
) -> StoreResult<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let (keys, values): (Vec<String>, Vec<String>) = tags.into_iter().unzip();
    execute(
        c,
        "INSERT INTO tags (arn, key, value) SELECT $1, * FROM UNNEST($2::text[], $3::text[]) \
         ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value",
        &[&arn, &keys, &values],
    )
    .await?;
    Ok(())
}

pub async fn create_state_machine(
    client: &mut Client,
    at: &AtRest,
    plain: StateMachineRecord,
    tags: Vec<(String, String)>,
) -> StoreResult<Created> {
    let c = client.transaction().await.map_err(backend)?;
    if let Some(existing) = state_machine_by_arn(&c, &plain.arn, false).await? {
        return same_or_conflict(at, existing, plain);
    }
    let mut record = at.seal_state_machine(plain.clone());
    record.revision = next_revision(&c, &record.arn).await?;
    let inserted = execute(
        &c,
        "INSERT INTO state_machines (arn, name, kind, definition, role_arn, created_ms, updated_ms, revision, logging) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (arn) DO NOTHING",
        &[
            &record.arn,
            &record.name,
            &record.kind.as_str(),
            &record.definition,
            &record.role_arn,
            &record.created_ms,
            &record.updated_ms,
            &(record.revision as i64),
            &options_column(record.logging.as_deref(), record.encryption.as_deref()),
        ],
    )
    .await?;
    if inserted == 0 {
        // Another node created it meanwhile: its creation decides.
        drop(c);
        let existing = state_machine_by_arn(&*client, &record.arn, false)
            .await?
            .ok_or_else(|| StoreError::NotFound(record.arn.clone()))?;
        return same_or_conflict(at, existing, plain);
    }
    keep_revision(&c, &record).await?;
    tag(&c, &record.arn, tags).await?;
    c.commit().await.map_err(backend)?;
    Ok(Created::Created(StateMachineRecord {
        revision: record.revision,
        ..plain
    }))
}

/// Compared in the clear: two seals of one definition differ.
fn same_or_conflict(
    at: &AtRest,
    existing: StateMachineRecord,
    record: StateMachineRecord,
) -> StoreResult<Created> {
    let existing = at.open_state_machine(existing)?;
    match existing.same_creation(&record) {
        true => Ok(Created::Existing(existing)),
        false => Err(StoreError::NameConflict(record.arn)),
    }
}

pub async fn update_state_machine(
    client: &mut Client,
    at: &AtRest,
    update: StateMachineUpdate,
) -> StoreResult<StateMachineRecord> {
    let c = client.transaction().await.map_err(backend)?;
    let current = state_machine_by_arn(&c, &update.arn, true)
        .await?
        .ok_or_else(|| StoreError::NotFound(update.arn.clone()))?;
    // Compared in the clear: two seals of one definition differ.
    let current = at.open_state_machine(current)?;
    let runs_differently = update.runs_differently(&current);
    let changes = runs_differently || update.changes_options(&current);
    let options = update.options_column(&current);
    let revision = match runs_differently {
        true => Some(next_revision(&c, &update.arn).await? as i64),
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
    let row = query(
        &c,
        "UPDATE state_machines SET definition = COALESCE($2, definition), \
         role_arn = COALESCE($3, role_arn), logging = $5, updated_ms = $4, \
         revision = COALESCE($6, revision), revision_id = $7 WHERE arn = $1 RETURNING *",
        &[
            &update.arn,
            &definition,
            &update.role_arn,
            &update.updated_ms,
            &options,
            &revision,
            &revision_id,
        ],
    )
    .await?;
    let record = rows::state_machine(&row[0])?;
    keep_revision(&c, &record).await?;
    c.commit().await.map_err(backend)?;
    at.open_state_machine(record)
}

pub async fn start_execution(
    c: &impl GenericClient,
    record: ExecutionRecord,
) -> StoreResult<Started> {
    let inserted = execute(
        c,
        "INSERT INTO executions (arn, state_machine_arn, name, status, input, output, error, cause, started_ms, stopped_ms, seed, revision, version_arn, alias_arn, map_run_arn) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (arn) DO NOTHING",
        &[
            &record.arn,
            &record.state_machine_arn,
            &record.name,
            &record.status.as_str(),
            &record.input,
            &record.output,
            &record.error,
            &record.cause,
            &record.started_ms,
            &record.stopped_ms,
            &(record.seed as i64),
            &(record.revision as i64),
            &record.version_arn,
            &record.alias_arn,
            &record.map_run_arn,
        ],
    )
    .await?;
    if inserted == 1 {
        return Ok(Started::Created(record));
    }
    let existing = query_opt(c, "SELECT * FROM executions WHERE arn = $1", &[&record.arn])
        .await?
        .ok_or_else(|| StoreError::NotFound(record.arn.clone()))?;
    Ok(Started::Existing(rows::execution(&existing)?))
}

/// See [`fluxo_store::Store::record_child_execution`]: an earlier run of the child is
/// replaced (its row keeps its place in the start order). `c` is a transaction.
pub async fn record_child_execution(
    c: &impl GenericClient,
    record: ExecutionRecord,
    events: Vec<EventRecord>,
) -> StoreResult<()> {
    execute(
        c,
        "DELETE FROM events WHERE execution_arn = $1",
        &[&record.arn],
    )
    .await?;
    let updated = execute(
        c,
        "UPDATE executions SET status = $2, input = $3, output = $4, error = $5, cause = $6, \
         started_ms = $7, stopped_ms = $8 WHERE arn = $1",
        &[
            &record.arn,
            &record.status.as_str(),
            &record.input,
            &record.output,
            &record.error,
            &record.cause,
            &record.started_ms,
            &record.stopped_ms,
        ],
    )
    .await?;
    let arn = record.arn.clone();
    if updated == 0 {
        start_execution(c, record).await?;
    }
    insert_events(c, &arn, &events).await
}

/// Inserts the events; an id the execution has already is [`StoreError::DuplicateEvent`]
/// (the first such of `events`), and the caller's transaction is then dropped whole.
pub(crate) async fn insert_events(
    c: &impl GenericClient,
    arn: &str,
    events: &[EventRecord],
) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&EventRecord) -> i64| events.iter().map(f).collect::<Vec<i64>>();
    let ids = column(|e| e.id as i64);
    let previous = column(|e| e.previous_event_id as i64);
    let times = column(|e| e.timestamp_ms);
    let seqs = column(|e| e.seq as i64);
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let details: Vec<Option<&str>> = events.iter().map(|e| e.details.as_deref()).collect();
    let threads: Vec<&str> = events.iter().map(|e| e.thread.as_str()).collect();
    let inserted = query(
        c,
        "INSERT INTO events (execution_arn, id, previous_event_id, timestamp_ms, kind, details, thread, seq) \
         SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[]) \
         ON CONFLICT DO NOTHING RETURNING id",
        &[&arn, &ids, &previous, &times, &kinds, &details, &threads, &seqs],
    )
    .await?;
    if inserted.len() == events.len() {
        return Ok(());
    }
    let stored: std::collections::HashSet<i64> = inserted.iter().map(|row| row.get(0)).collect();
    let repeated = events
        .iter()
        .find(|e| !stored.contains(&(e.id as i64)))
        .map_or(0, |e| e.id);
    Err(StoreError::DuplicateEvent {
        execution_arn: arn.to_string(),
        id: repeated,
    })
}

/// The execution's status and current lease, locked until the transaction ends.
pub(crate) async fn lock_execution(
    c: &impl GenericClient,
    arn: &str,
) -> StoreResult<(ExecutionStatus, Option<String>, u64)> {
    let row = query_opt(
        c,
        "SELECT status, lease_owner, lease_token FROM executions WHERE arn = $1 FOR UPDATE",
        &[&arn],
    )
    .await?
    .ok_or_else(|| StoreError::NotFound(arn.to_string()))?;
    let status: String = row.get(0);
    Ok((
        status.parse().map_err(backend)?,
        row.get(1),
        row.get::<_, i64>(2) as u64,
    ))
}

async fn set_timer(c: &impl GenericClient, arn: &str, timer: TimerChange) -> StoreResult<()> {
    match timer {
        TimerChange::Keep => {}
        TimerChange::Set(at) => {
            execute(
                c,
                // A task resolved while the execution was parking must still wake it.
                "INSERT INTO timers (execution_arn, fire_at_ms) VALUES ($1, \
                 LEAST($2, (SELECT MIN(completed_ms) FROM tasks WHERE execution_arn = $1))) \
                 ON CONFLICT (execution_arn) DO UPDATE SET fire_at_ms = excluded.fire_at_ms",
                &[&arn, &at],
            )
            .await?;
        }
        TimerChange::Clear => {
            execute(c, "DELETE FROM timers WHERE execution_arn = $1", &[&arn]).await?;
        }
    }
    Ok(())
}

/// One transition: BEGIN, lock and check the execution, insert the events, [update the
/// status], [set or clear the timer], COMMIT.
pub async fn commit(client: &mut Client, transition: Transition) -> StoreResult<()> {
    let c = client.transaction().await.map_err(backend)?;
    let arn = &transition.execution_arn;
    let (current, owner, token) = lock_execution(&c, arn).await?;
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
    insert_events(&c, arn, &transition.events).await?;
    if let Some(update) = &transition.update {
        // The ended execution's tasks go in the same statement (a data-modifying CTE).
        execute(
            &c,
            "WITH forgotten AS (DELETE FROM tasks WHERE execution_arn = $1) \
             UPDATE executions SET status = $2, output = $3, error = $4, cause = $5, stopped_ms = $6, \
             lease_owner = NULL WHERE arn = $1",
            &[
                arn,
                &update.status.as_str(),
                &update.output,
                &update.error,
                &update.cause,
                &update.stopped_ms,
            ],
        )
        .await?;
    }
    set_timer(&c, arn, transition.timer).await?;
    c.commit().await.map_err(backend)
}

pub async fn abort_execution(client: &mut Client, abort: Abort) -> StoreResult<ExecutionRecord> {
    let c = client.transaction().await.map_err(backend)?;
    let arn = &abort.execution_arn;
    let (status, _, _) = lock_execution(&c, arn).await?;
    if status == ExecutionStatus::Running {
        let row = &query(
            &c,
            "SELECT COALESCE(MAX(id), 0), COALESCE(MAX(timestamp_ms), 0) FROM events \
             WHERE execution_arn = $1",
            &[arn],
        )
        .await?[0];
        let (last, latest) = (row.get::<_, i64>(0) as u64, row.get::<_, i64>(1));
        let event = EventRecord {
            id: last + 1,
            previous_event_id: last,
            // Never before an event a driver (on any node) committed while the stop was on
            // its way.
            timestamp_ms: abort.timestamp_ms.max(latest),
            kind: abort.kind,
            details: abort.details.clone(),
            thread: String::new(),
            seq: u32::MAX,
        };
        insert_events(&c, arn, &[event]).await?;
        let status = abort
            .kind
            .final_status()
            .unwrap_or(ExecutionStatus::Aborted);
        execute(
            &c,
            "UPDATE executions SET status = $2, output = NULL, error = $3, cause = $4, stopped_ms = $5, \
             lease_owner = NULL WHERE arn = $1",
            &[arn, &status.as_str(), &abort.error, &abort.cause, &abort.timestamp_ms],
        )
        .await?;
        set_timer(&c, arn, TimerChange::Clear).await?;
        execute(&c, "DELETE FROM tasks WHERE execution_arn = $1", &[arn]).await?;
        // Its driver may run on another node: it ends at once instead of at its next commit.
        let stopped = fluxo_store::Notice::Stopped {
            execution_arn: arn.clone(),
        };
        crate::notices::notify(&c, &stopped).await?;
    }
    let row = query_opt(&c, "SELECT * FROM executions WHERE arn = $1", &[arn])
        .await?
        .ok_or_else(|| StoreError::NotFound(arn.clone()))?;
    let record = rows::execution(&row)?;
    c.commit().await.map_err(backend)?;
    Ok(record)
}
