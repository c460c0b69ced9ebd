//! Activities and tasks in the in-memory store: the reference rules of [`TaskStore`].

use super::MemoryStore;
use crate::*;

impl TaskStore for MemoryStore {
    fn secret(&self) -> StoreFuture<'_, Vec<u8>> {
        self.with(|tables| {
            Ok(tables
                .secret
                .get_or_insert_with(|| rand::random::<[u8; 32]>().to_vec())
                .clone())
        })
    }

    fn create_activity(&self, record: ActivityRecord) -> StoreFuture<'_, ActivityRecord> {
        self.with(move |tables| {
            Ok(tables
                .activities
                .entry(record.arn.clone())
                .or_insert(record)
                .clone())
        })
    }

    fn get_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ActivityRecord>> {
        self.with(move |tables| Ok(tables.activities.get(arn).cloned()))
    }

    fn delete_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.with(move |tables| {
            tables.activities.remove(arn);
            tables.tags.remove(arn);
            Ok(())
        })
    }

    fn list_activities(&self, page: Page) -> StoreFuture<'_, Listed<ActivityRecord>> {
        self.with(move |tables| {
            let after = page.after(Listing::Activities)?;
            let items: Vec<ActivityRecord> = tables
                .activities
                .values()
                .filter(|a| after.as_ref().is_none_or(|after| a.arn > *after))
                .take(page.limit() + 1)
                .cloned()
                .collect();
            Ok(listed(items, page.limit(), Listing::Activities, |a| {
                a.arn.clone()
            }))
        })
    }

    fn open_task(&self, record: TaskRecord) -> StoreFuture<'_, TaskRecord> {
        self.with(move |tables| {
            Ok(tables
                .tasks
                .entry(record.token.clone())
                .or_insert(record)
                .clone())
        })
    }

    fn get_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<TaskRecord>> {
        self.with(move |tables| Ok(tables.tasks.get(token).cloned()))
    }

    fn claim_task<'a>(
        &'a self,
        activity_arn: &'a str,
        worker_name: Option<String>,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        self.with(move |tables| {
            let oldest = tables
                .tasks
                .values_mut()
                .filter(|task| task.activity_arn.as_deref() == Some(activity_arn))
                .filter(|task| task.started_ms.is_none() && task.outcome.is_none())
                .filter(|task| task.expiry(now_ms).is_none())
                .min_by(|a, b| (a.scheduled_ms, &a.token).cmp(&(b.scheduled_ms, &b.token)));
            Ok(oldest.map(|task| {
                task.start(worker_name, now_ms);
                task.clone()
            }))
        })
    }

    fn heartbeat_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Result<TaskRecord, TaskRefusal>> {
        self.with(move |tables| {
            let Some(task) = tables.tasks.get_mut(token) else {
                return Ok(Err(TaskRefusal::NotFound));
            };
            let was_open = task.outcome.is_none();
            let open = task.beat(now_ms);
            let task = task.clone();
            if was_open && !open {
                wake(tables, &task.execution_arn, now_ms);
            }
            Ok(if open {
                Ok(task)
            } else {
                Err(TaskRefusal::Ended)
            })
        })
    }

    fn complete_task(
        &self,
        token: String,
        outcome: TaskOutcome,
        now_ms: i64,
    ) -> StoreFuture<'_, Result<TaskRecord, TaskRefusal>> {
        self.with(move |tables| {
            let Some(task) = tables.tasks.get_mut(&token) else {
                return Ok(Err(TaskRefusal::NotFound));
            };
            let was_open = task.outcome.is_none();
            let taken = task.resolve(outcome, now_ms);
            let task = task.clone();
            if was_open {
                wake(tables, &task.execution_arn, now_ms);
            }
            Ok(if taken {
                Ok(task)
            } else {
                Err(TaskRefusal::Ended)
            })
        })
    }

    fn expire_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        self.with(move |tables| {
            let Some(task) = tables.tasks.get_mut(token) else {
                return Ok(None);
            };
            if task.outcome.is_none() {
                if let Some(expired) = task.expiry(now_ms) {
                    task.outcome = Some(expired);
                    task.completed_ms = Some(now_ms);
                }
            }
            Ok(Some(task.clone()))
        })
    }

    fn close_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, ()> {
        self.with(move |tables| {
            tables.tasks.remove(token);
            Ok(())
        })
    }
}

/// Makes the timer of an unloaded execution due now.
fn wake(tables: &mut super::Tables, execution_arn: &str, now_ms: i64) {
    if let Some(at) = tables.timers.get_mut(execution_arn) {
        *at = (*at).min(now_ms);
    }
}
