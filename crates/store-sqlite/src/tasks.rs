//! Activities and tasks in SQLite. A task's change is read, decided by the reference rules of
//! [`TaskRecord`] and written back inside the writer's savepoint: one transaction.

use crate::{backend, query_all, SqliteStore};
use fluxo_store::*;
use rusqlite::{params, Connection, OptionalExtension, Row};

fn activity(row: &Row) -> rusqlite::Result<ActivityRecord> {
    Ok(ActivityRecord {
        arn: row.get("arn")?,
        name: row.get("name")?,
        created_ms: row.get("created_ms")?,
        encryption: row.get("encryption")?,
    })
}

fn task(row: &Row) -> rusqlite::Result<TaskRecord> {
    let kind: Option<String> = row.get("outcome")?;
    let outcome = match kind.as_deref() {
        None => None,
        Some("SUCCEEDED") => Some(TaskOutcome::Succeeded(
            row.get::<_, Option<String>>("output")?.unwrap_or_default(),
        )),
        Some("FAILED") => Some(TaskOutcome::Failed {
            error: row.get("error")?,
            cause: row.get("cause")?,
        }),
        Some("HEARTBEAT_TIMED_OUT") => Some(TaskOutcome::HeartbeatTimedOut),
        Some(_) => Some(TaskOutcome::TimedOut),
    };
    Ok(TaskRecord {
        token: row.get("token")?,
        execution_arn: row.get("execution_arn")?,
        activity_arn: row.get("activity_arn")?,
        input: row.get("input")?,
        scheduled_ms: row.get("scheduled_ms")?,
        timeout_at_ms: row.get("timeout_at_ms")?,
        heartbeat_seconds: row
            .get::<_, Option<i64>>("heartbeat_seconds")?
            .map(|s| s as u64),
        heartbeat_at_ms: row.get("heartbeat_at_ms")?,
        started_ms: row.get("started_ms")?,
        worker_name: row.get("worker_name")?,
        outcome,
        completed_ms: row.get("completed_ms")?,
    })
}

fn by_token(c: &Connection, at: &AtRest, token: &str) -> StoreResult<Option<TaskRecord>> {
    c.query_row("SELECT * FROM tasks WHERE token = ?1", [token], task)
        .optional()
        .map_err(backend)?
        .map(|task| at.open_task(task))
        .transpose()
}

/// Writes a task's changing columns back, its outcome sealed.
fn save(c: &Connection, at: &AtRest, task: &TaskRecord) -> StoreResult<()> {
    let outcome = task.outcome.clone().map(|o| at.seal_outcome(o));
    let (kind, output, error, cause) = match &outcome {
        None => (None, None, None, None),
        Some(TaskOutcome::Succeeded(output)) => {
            (Some("SUCCEEDED"), Some(output.clone()), None, None)
        }
        Some(TaskOutcome::Failed { error, cause }) => {
            (Some("FAILED"), None, error.clone(), cause.clone())
        }
        Some(TaskOutcome::TimedOut) => (Some("TIMED_OUT"), None, None, None),
        Some(TaskOutcome::HeartbeatTimedOut) => (Some("HEARTBEAT_TIMED_OUT"), None, None, None),
    };
    c.execute(
        "UPDATE tasks SET heartbeat_at_ms = ?2, started_ms = ?3, worker_name = ?4, outcome = ?5, \
         output = ?6, error = ?7, cause = ?8, completed_ms = ?9 WHERE token = ?1",
        params![
            task.token,
            task.heartbeat_at_ms,
            task.started_ms,
            task.worker_name,
            kind,
            output,
            error,
            cause,
            task.completed_ms
        ],
    )
    .map_err(backend)?;
    Ok(())
}

/// Makes the timer of an unloaded execution due now.
fn wake(c: &Connection, execution_arn: &str, now_ms: i64) -> StoreResult<()> {
    c.execute(
        "UPDATE timers SET fire_at_ms = MIN(fire_at_ms, ?2) WHERE execution_arn = ?1",
        params![execution_arn, now_ms],
    )
    .map_err(backend)?;
    Ok(())
}

fn insert(c: &Connection, at: &AtRest, record: &TaskRecord) -> StoreResult<()> {
    c.execute(
        "INSERT INTO tasks (token, execution_arn, activity_arn, input, scheduled_ms, timeout_at_ms, \
         heartbeat_seconds, heartbeat_at_ms, started_ms, worker_name) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            record.token,
            record.execution_arn,
            record.activity_arn,
            at.seal(record.input.clone()),
            record.scheduled_ms,
            record.timeout_at_ms,
            record.heartbeat_seconds.map(|s| s as i64),
            record.heartbeat_at_ms,
            record.started_ms,
            record.worker_name
        ],
    )
    .map_err(backend)?;
    save(c, at, record)
}

/// Applies a change to an existing task; `wakes` when the change ended it.
fn change(
    c: &Connection,
    at: &AtRest,
    token: &str,
    now_ms: i64,
    apply: impl FnOnce(&mut TaskRecord) -> bool,
) -> StoreResult<Result<TaskRecord, TaskRefusal>> {
    let Some(mut task) = by_token(c, at, token)? else {
        return Ok(Err(TaskRefusal::NotFound));
    };
    let was_open = task.outcome.is_none();
    let accepted = apply(&mut task);
    save(c, at, &task)?;
    if was_open && task.outcome.is_some() {
        wake(c, &task.execution_arn, now_ms)?;
    }
    Ok(if accepted {
        Ok(task)
    } else {
        Err(TaskRefusal::Ended)
    })
}

impl TaskStore for SqliteStore {
    fn secret(&self) -> StoreFuture<'_, Vec<u8>> {
        self.write(|c| {
            let fresh = rand::random::<[u8; 32]>().to_vec();
            c.execute(
                "INSERT OR IGNORE INTO secrets (name, value) VALUES ('task-token', ?1)",
                [&fresh],
            )
            .map_err(backend)?;
            c.query_row(
                "SELECT value FROM secrets WHERE name = 'task-token'",
                [],
                |row| row.get(0),
            )
            .map_err(backend)
        })
    }

    fn create_activity(&self, record: ActivityRecord) -> StoreFuture<'_, ActivityRecord> {
        self.write(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO activities (arn, name, created_ms, encryption) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    record.arn,
                    record.name,
                    record.created_ms,
                    record.encryption
                ],
            )
            .map_err(backend)?;
            c.query_row(
                "SELECT * FROM activities WHERE arn = ?1",
                [&record.arn],
                activity,
            )
            .map_err(backend)
        })
    }

    fn get_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ActivityRecord>> {
        let arn = arn.to_string();
        self.read(move |c| {
            c.query_row("SELECT * FROM activities WHERE arn = ?1", [arn], activity)
                .optional()
                .map_err(backend)
        })
    }

    fn delete_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        let arn = arn.to_string();
        self.write(move |c| {
            c.execute("DELETE FROM activities WHERE arn = ?1", [&arn])
                .map_err(backend)?;
            c.execute("DELETE FROM tags WHERE arn = ?1", [&arn])
                .map_err(backend)?;
            Ok(())
        })
    }

    fn list_activities(&self, page: Page) -> StoreFuture<'_, Listed<ActivityRecord>> {
        self.read(move |c| {
            let after = page.after(Listing::Activities)?;
            let rows = query_all(
                c,
                "SELECT * FROM activities WHERE ?1 IS NULL OR arn > ?1 ORDER BY arn LIMIT ?2",
                params![after, page.limit() as i64 + 1],
                activity,
            )?;
            Ok(listed(rows, page.limit(), Listing::Activities, |a| {
                a.arn.clone()
            }))
        })
    }

    fn open_task(&self, record: TaskRecord) -> StoreFuture<'_, TaskRecord> {
        let at = self.at_rest.clone();
        self.write(move |c| {
            if let Some(existing) = by_token(c, &at, &record.token)? {
                return Ok(existing);
            }
            insert(c, &at, &record)?;
            Ok(record)
        })
    }

    fn get_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<TaskRecord>> {
        let token = token.to_string();
        let at = self.at_rest.clone();
        self.read(move |c| by_token(c, &at, &token))
    }

    fn claim_task<'a>(
        &'a self,
        activity_arn: &'a str,
        worker_name: Option<String>,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        let activity_arn = activity_arn.to_string();
        let at = self.at_rest.clone();
        self.write(move |c| {
            // Tasks past their timeout are skipped: their execution times them out.
            let found = c
                .query_row(
                    "SELECT * FROM tasks WHERE activity_arn = ?1 AND started_ms IS NULL \
                     AND outcome IS NULL AND (timeout_at_ms IS NULL OR timeout_at_ms > ?2) \
                     ORDER BY scheduled_ms, token LIMIT 1",
                    params![activity_arn, now_ms],
                    task,
                )
                .optional()
                .map_err(backend)?;
            let Some(found) = found else {
                return Ok(None);
            };
            let mut found = at.open_task(found)?;
            found.start(worker_name, now_ms);
            save(c, &at, &found)?;
            Ok(Some(found))
        })
    }

    fn heartbeat_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Result<TaskRecord, TaskRefusal>> {
        let token = token.to_string();
        let at = self.at_rest.clone();
        self.write(move |c| change(c, &at, &token, now_ms, |task| task.beat(now_ms)))
    }

    fn complete_task(
        &self,
        token: String,
        outcome: TaskOutcome,
        now_ms: i64,
    ) -> StoreFuture<'_, Result<TaskRecord, TaskRefusal>> {
        let at = self.at_rest.clone();
        self.write(move |c| change(c, &at, &token, now_ms, |task| task.resolve(outcome, now_ms)))
    }

    fn expire_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        let token = token.to_string();
        let at = self.at_rest.clone();
        self.write(move |c| {
            let Some(mut task) = by_token(c, &at, &token)? else {
                return Ok(None);
            };
            if task.outcome.is_none() {
                if let Some(expired) = task.expiry(now_ms) {
                    task.outcome = Some(expired);
                    task.completed_ms = Some(now_ms);
                    save(c, &at, &task)?;
                }
            }
            Ok(Some(task))
        })
    }

    fn close_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, ()> {
        let token = token.to_string();
        self.write(move |c| {
            c.execute("DELETE FROM tasks WHERE token = ?1", [token])
                .map_err(backend)?;
            Ok(())
        })
    }
}
