//! Activities and tasks in PostgreSQL. A task's change locks its row (`FOR UPDATE`), is decided
//! by the reference rules of [`TaskRecord`] and written back in the same transaction, so that a
//! completion and a timeout racing on two nodes resolve first come first served. Workers of
//! several nodes polling one activity claim with `FOR UPDATE SKIP LOCKED`: never the same task.

use crate::sql::{execute, query, query_opt};
use crate::{backend, fetch, PostgresStore};
use deadpool_postgres::GenericClient;
use fluxo_store::*;
use tokio_postgres::Row;

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, column: &str) -> StoreResult<T> {
    row.try_get(column).map_err(backend)
}

fn activity(row: &Row) -> StoreResult<ActivityRecord> {
    Ok(ActivityRecord {
        arn: get(row, "arn")?,
        name: get(row, "name")?,
        created_ms: get(row, "created_ms")?,
        encryption: get(row, "encryption")?,
    })
}

fn task(row: &Row) -> StoreResult<TaskRecord> {
    let kind: Option<String> = get(row, "outcome")?;
    let outcome = match kind.as_deref() {
        None => None,
        Some("SUCCEEDED") => Some(TaskOutcome::Succeeded(
            get::<Option<String>>(row, "output")?.unwrap_or_default(),
        )),
        Some("FAILED") => Some(TaskOutcome::Failed {
            error: get(row, "error")?,
            cause: get(row, "cause")?,
        }),
        Some("HEARTBEAT_TIMED_OUT") => Some(TaskOutcome::HeartbeatTimedOut),
        Some(_) => Some(TaskOutcome::TimedOut),
    };
    Ok(TaskRecord {
        token: get(row, "token")?,
        execution_arn: get(row, "execution_arn")?,
        activity_arn: get(row, "activity_arn")?,
        input: get(row, "input")?,
        scheduled_ms: get(row, "scheduled_ms")?,
        timeout_at_ms: get(row, "timeout_at_ms")?,
        heartbeat_seconds: get::<Option<i64>>(row, "heartbeat_seconds")?.map(|s| s as u64),
        heartbeat_at_ms: get(row, "heartbeat_at_ms")?,
        started_ms: get(row, "started_ms")?,
        worker_name: get(row, "worker_name")?,
        outcome,
        completed_ms: get(row, "completed_ms")?,
    })
}

/// The task of `token`, its row locked until the transaction ends.
async fn locked(
    c: &impl GenericClient,
    at: &AtRest,
    token: &str,
) -> StoreResult<Option<TaskRecord>> {
    query_opt(
        c,
        "SELECT * FROM tasks WHERE token = $1 FOR UPDATE",
        &[&token],
    )
    .await?
    .as_ref()
    .map(|row| at.open_task(task(row)?))
    .transpose()
}

/// Writes a task's changing columns back, its outcome sealed.
async fn save(c: &impl GenericClient, at: &AtRest, task: &TaskRecord) -> StoreResult<()> {
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
    execute(
        c,
        "UPDATE tasks SET heartbeat_at_ms = $2, started_ms = $3, worker_name = $4, outcome = $5, \
         output = $6, error = $7, cause = $8, completed_ms = $9 WHERE token = $1",
        &[
            &task.token,
            &task.heartbeat_at_ms,
            &task.started_ms,
            &task.worker_name,
            &kind,
            &output,
            &error,
            &cause,
            &task.completed_ms,
        ],
    )
    .await?;
    Ok(())
}

/// Makes the timer of an unloaded execution due now.
async fn wake(c: &impl GenericClient, execution_arn: &str, now_ms: i64) -> StoreResult<()> {
    execute(
        c,
        "UPDATE timers SET fire_at_ms = LEAST(fire_at_ms, $2) WHERE execution_arn = $1",
        &[&execution_arn, &now_ms],
    )
    .await?;
    Ok(())
}

impl PostgresStore {
    /// Applies a change to an existing task in one transaction; wakes its execution when the
    /// change ended it.
    async fn change(
        &self,
        token: &str,
        now_ms: i64,
        apply: impl FnOnce(&mut TaskRecord) -> bool + Send,
    ) -> StoreResult<Result<TaskRecord, TaskRefusal>> {
        let mut client = self.client().await?;
        let c = client.transaction().await.map_err(backend)?;
        let Some(mut task) = locked(&c, &self.at_rest, token).await? else {
            return Ok(Err(TaskRefusal::NotFound));
        };
        let was_open = task.outcome.is_none();
        let accepted = apply(&mut task);
        save(&c, &self.at_rest, &task).await?;
        if was_open && task.outcome.is_some() {
            wake(&c, &task.execution_arn, now_ms).await?;
            // The execution's driver may run on another node: it hears of the outcome at
            // once instead of at its next look at the store.
            let ended = Notice::TaskEnded {
                execution_arn: task.execution_arn.clone(),
                token: task.token.clone(),
            };
            crate::notices::notify(&c, &ended).await?;
        }
        c.commit().await.map_err(backend)?;
        Ok(if accepted {
            Ok(task)
        } else {
            Err(TaskRefusal::Ended)
        })
    }
}

impl TaskStore for PostgresStore {
    fn secret(&self) -> StoreFuture<'_, Vec<u8>> {
        Box::pin(async move {
            let c = self.client().await?;
            let fresh = rand::random::<[u8; 32]>().to_vec();
            // Nodes starting together keep the first secret written.
            execute(
                &c,
                "INSERT INTO secrets (name, value) VALUES ('task-token', $1) \
                 ON CONFLICT (name) DO NOTHING",
                &[&fresh],
            )
            .await?;
            let row = query_opt(
                &c,
                "SELECT value FROM secrets WHERE name = 'task-token'",
                &[],
            )
            .await?
            .ok_or_else(|| backend("the task token secret is missing"))?;
            get(&row, "value")
        })
    }

    fn create_activity(&self, record: ActivityRecord) -> StoreFuture<'_, ActivityRecord> {
        Box::pin(async move {
            let c = self.client().await?;
            execute(
                &c,
                "INSERT INTO activities (arn, name, created_ms, encryption) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (arn) DO NOTHING",
                &[
                    &record.arn,
                    &record.name,
                    &record.created_ms,
                    &record.encryption,
                ],
            )
            .await?;
            let row = query_opt(
                &c,
                "SELECT * FROM activities WHERE arn = $1",
                &[&record.arn],
            )
            .await?
            .ok_or_else(|| StoreError::NotFound(record.arn.clone()))?;
            activity(&row)
        })
    }

    fn get_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ActivityRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            query_opt(&c, "SELECT * FROM activities WHERE arn = $1", &[&arn])
                .await?
                .as_ref()
                .map(activity)
                .transpose()
        })
    }

    fn delete_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let t = client.transaction().await.map_err(backend)?;
            execute(&t, "DELETE FROM activities WHERE arn = $1", &[&arn]).await?;
            execute(&t, "DELETE FROM tags WHERE arn = $1", &[&arn]).await?;
            t.commit().await.map_err(backend)
        })
    }

    fn list_activities(&self, page: Page) -> StoreFuture<'_, Listed<ActivityRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            let after = page.after(Listing::Activities)?;
            let rows = query(
                &c,
                "SELECT * FROM activities WHERE $1::text IS NULL OR arn > $1 ORDER BY arn LIMIT $2",
                &[&after, &fetch(&page)],
            )
            .await?;
            let activities = rows.iter().map(activity).collect::<StoreResult<Vec<_>>>()?;
            Ok(listed(activities, page.limit(), Listing::Activities, |a| {
                a.arn.clone()
            }))
        })
    }

    fn open_task(&self, record: TaskRecord) -> StoreFuture<'_, TaskRecord> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let c = client.transaction().await.map_err(backend)?;
            let inserted = execute(
                &c,
                "INSERT INTO tasks (token, execution_arn, activity_arn, input, scheduled_ms, \
                 timeout_at_ms, heartbeat_seconds, heartbeat_at_ms, started_ms, worker_name) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (token) DO NOTHING",
                &[
                    &record.token,
                    &record.execution_arn,
                    &record.activity_arn,
                    &self.at_rest.seal(record.input.clone()),
                    &record.scheduled_ms,
                    &record.timeout_at_ms,
                    &record.heartbeat_seconds.map(|s| s as i64),
                    &record.heartbeat_at_ms,
                    &record.started_ms,
                    &record.worker_name,
                ],
            )
            .await?;
            let opened = if inserted == 1 {
                save(&c, &self.at_rest, &record).await?;
                // Workers may be polling on another node.
                if let Some(activity_arn) = &record.activity_arn {
                    let scheduled = Notice::TaskScheduled {
                        activity_arn: activity_arn.clone(),
                    };
                    crate::notices::notify(&c, &scheduled).await?;
                }
                record
            } else {
                // A replay opens again: the task as it is now.
                locked(&c, &self.at_rest, &record.token)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(record.token.clone()))?
            };
            c.commit().await.map_err(backend)?;
            Ok(opened)
        })
    }

    fn get_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<TaskRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            query_opt(&c, "SELECT * FROM tasks WHERE token = $1", &[&token])
                .await?
                .as_ref()
                .map(|row| self.at_rest.open_task(task(row)?))
                .transpose()
        })
    }

    fn claim_task<'a>(
        &'a self,
        activity_arn: &'a str,
        worker_name: Option<String>,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let c = client.transaction().await.map_err(backend)?;
            // Tasks past their timeout are skipped: their execution times them out.
            let found = query_opt(
                &c,
                "SELECT * FROM tasks WHERE activity_arn = $1 AND started_ms IS NULL \
                 AND outcome IS NULL AND (timeout_at_ms IS NULL OR timeout_at_ms > $2) \
                 ORDER BY scheduled_ms, token LIMIT 1 FOR UPDATE SKIP LOCKED",
                &[&activity_arn, &now_ms],
            )
            .await?;
            let Some(row) = found else {
                return Ok(None);
            };
            let mut found = self.at_rest.open_task(task(&row)?)?;
            found.start(worker_name, now_ms);
            save(&c, &self.at_rest, &found).await?;
            c.commit().await.map_err(backend)?;
            Ok(Some(found))
        })
    }

    fn heartbeat_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Result<TaskRecord, TaskRefusal>> {
        Box::pin(self.change(token, now_ms, move |task| task.beat(now_ms)))
    }

    fn complete_task(
        &self,
        token: String,
        outcome: TaskOutcome,
        now_ms: i64,
    ) -> StoreFuture<'_, Result<TaskRecord, TaskRefusal>> {
        Box::pin(async move {
            self.change(&token, now_ms, move |task| task.resolve(outcome, now_ms))
                .await
        })
    }

    fn expire_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let c = client.transaction().await.map_err(backend)?;
            let Some(mut task) = locked(&c, &self.at_rest, token).await? else {
                return Ok(None);
            };
            if task.outcome.is_none() {
                if let Some(expired) = task.expiry(now_ms) {
                    task.outcome = Some(expired);
                    task.completed_ms = Some(now_ms);
                    save(&c, &self.at_rest, &task).await?;
                }
            }
            c.commit().await.map_err(backend)?;
            Ok(Some(task))
        })
    }

    fn close_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            execute(&c, "DELETE FROM tasks WHERE token = $1", &[&token]).await?;
            Ok(())
        })
    }
}
