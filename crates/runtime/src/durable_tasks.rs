//! The task side of [`DurableEnvironment`]: activities and `.waitForTaskToken` callbacks,
//! durable through the store ([`fluxo_store::TaskStore`]).
//!
//! The store decides a task's outcome (a worker's call, or a deadline passing), so a
//! completion racing a timeout ends the task once. While it waits, the execution holds a
//! deadline registered with the unload logic: short at first (a worker usually answers soon,
//! and a quick answer should not cost a replay), long once the task has waited past the unload
//! threshold, so that an execution waiting for a person or a slow worker holds no memory. Its
//! timer is then the task's earliest deadline (or a year ahead), and completing the task makes
//! that timer due.

use crate::durable::DurableEnvironment;
use fluxo_engine::{Environment, RecordedEvent, TaskFailure, TaskProgress, TaskWait};
use fluxo_store::{StoreError, StoreResult, TaskOutcome, TaskRecord};
use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use std::future::Future;
use std::time::Duration;

/// How far ahead an execution waiting on a task without deadlines sets its timer: AWS's
/// longest execution (one year), after which it checks again.
const NO_DEADLINE: SignedDuration = SignedDuration::from_hours(24 * 366);

/// How often a parent waiting on a nested `.sync` execution looks at it when nothing told it:
/// the child's end completes the parent's task through the store (`nested.rs`), so this only
/// covers a crash between the child's last commit and that completion.
const CHILD_RECHECK: SignedDuration = SignedDuration::from_hours(1);

fn from_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::MAX)
}

/// Runs a store operation until the backend answers (it may fail for a while: a lost
/// connection, a full disk), as `persist` does.
async fn retrying<T, F, Fut>(what: &str, mut operation: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut delay = Duration::from_millis(10);
    loop {
        match operation().await {
            Err(StoreError::Backend(error)) => {
                tracing::error!(%error, "cannot {what}; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            other => return other,
        }
    }
}

/// What a task's stored state tells the engine, if anything new.
fn progress_of(task: &TaskRecord, seen_started: bool) -> Option<TaskProgress> {
    // A worker's start comes first, also when the outcome came while nobody was watching.
    if task.started_ms.is_some() && task.activity_arn.is_some() && !seen_started {
        return Some(TaskProgress::Started {
            worker_name: task.worker_name.clone(),
        });
    }
    match &task.outcome {
        Some(TaskOutcome::Succeeded(output)) => Some(TaskProgress::Succeeded(
            serde_json::from_str(output).unwrap_or(Value::Null),
        )),
        Some(TaskOutcome::Failed { error, cause }) => Some(TaskProgress::Failed {
            error: error.clone(),
            cause: cause.clone(),
        }),
        Some(TaskOutcome::TimedOut) => Some(TaskProgress::TimedOut),
        Some(TaskOutcome::HeartbeatTimedOut) => Some(TaskProgress::HeartbeatTimedOut),
        None => None,
    }
}

impl DurableEnvironment {
    pub(crate) fn record_of(&self, wait: &TaskWait) -> TaskRecord {
        let scheduled_ms = wait.scheduled.as_millisecond();
        let heartbeat_ms = |seconds: u64| scheduled_ms.saturating_add(seconds as i64 * 1000);
        TaskRecord {
            token: wait.token.clone(),
            execution_arn: self.execution_arn().to_string(),
            activity_arn: wait.activity_arn.clone(),
            input: wait.input.to_string(),
            scheduled_ms,
            timeout_at_ms: wait.timeout_at.map(|at| at.as_millisecond()),
            heartbeat_seconds: wait.heartbeat_seconds,
            // A callback's heartbeat clock runs from the start; an activity task's from when a
            // worker takes it.
            heartbeat_at_ms: match wait.activity_arn {
                None => wait.heartbeat_seconds.map(heartbeat_ms),
                Some(_) => None,
            },
            started_ms: None,
            worker_name: None,
            outcome: None,
            completed_ms: None,
        }
    }

    pub(crate) async fn activity_exists_now(&self, arn: &str) -> bool {
        let found = retrying("read an activity", || self.store().get_activity(arn)).await;
        matches!(found, Ok(Some(_)))
    }

    pub(crate) async fn open(&self, wait: &TaskWait) -> Result<(), TaskFailure> {
        let record = self.record_of(wait);
        let opened = retrying("open a task", || self.store().open_task(record.clone())).await;
        match opened {
            Ok(task) => {
                if let Some(activity) = &task.activity_arn {
                    self.tasks.hub.notify_one(activity);
                }
                Ok(())
            }
            Err(error) => Err(TaskFailure {
                error: "States.Runtime".into(),
                cause: Some(format!("The task could not be stored: {error}")),
            }),
        }
    }

    /// The task as stored now (opened again if it is missing: a replay that lost it).
    async fn current(&self, wait: &TaskWait) -> Option<TaskRecord> {
        let token = wait.token.as_str();
        match retrying("read a task", || self.store().get_task(token)).await {
            Ok(Some(task)) => Some(task),
            Ok(None) => {
                let record = self.record_of(wait);
                retrying("open a task", || self.store().open_task(record.clone()))
                    .await
                    .ok()
            }
            Err(_) => None,
        }
    }

    pub(crate) fn wait_for_task(&self, wait: TaskWait) -> BoxFuture<'_, TaskProgress> {
        let began = self.now();
        let far = began.saturating_add(NO_DEADLINE).unwrap_or(Timestamp::MAX);
        // Registered now, before the engine reports the thread parked.
        let timer = self.register(wait.timeout_at.unwrap_or(far), false);
        Box::pin(async move {
            let timer = timer;
            let id = timer.1;
            let subscription = self.tasks.hub.subscribe(&wait.token);
            // A `.sync` parent also hears of its child's end (the child's ARN is the key).
            let child_key = match self
                .current(&wait)
                .await
                .as_ref()
                .and_then(crate::nested::child_of)
            {
                Some((arn, _)) => arn,
                None => format!("no-child:{}", wait.token),
            };
            let child_subscription = self.tasks.hub.subscribe(&child_key);
            let long_from = self
                .unload_after()
                .and_then(|after| SignedDuration::try_from(after).ok())
                .and_then(|after| began.checked_add(after).ok());
            loop {
                let notified = subscription.notify().notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let child_notified = child_subscription.notify().notified();
                tokio::pin!(child_notified);
                child_notified.as_mut().enable();
                let Some(task) = self.current(&wait).await else {
                    // The store refuses this task for good: fail it rather than wait forever.
                    return TaskProgress::Failed {
                        error: Some("States.Runtime".into()),
                        cause: Some("The task could not be read from the store".into()),
                    };
                };
                if let Some(progress) = progress_of(&task, wait.seen_started) {
                    return progress;
                }
                let child = crate::nested::child_of(&task);
                if let Some((arn, nested)) = &child {
                    if self.child_ended(&task.token, arn, *nested).await {
                        continue;
                    }
                }
                let now = self.now();
                let mut deadline = task.deadline_ms().map(from_ms);
                let recheck = match child.is_some() {
                    // A parent looks at its child again at least every hour (see CHILD_RECHECK).
                    true => Some(CHILD_RECHECK),
                    // A watched job's execution wakes (and is replayed, if it was unloaded,
                    // taking the watch up again) at least every `job_recheck`.
                    false => self.waits_on_job(&wait.token).then(|| self.job_recheck()),
                };
                if let Some(recheck) = recheck {
                    let again = now.saturating_add(recheck).unwrap_or(Timestamp::MAX);
                    deadline = Some(deadline.map_or(again, |d| d.min(again)));
                }
                if deadline.is_some_and(|deadline| deadline <= now) {
                    let token = wait.token.as_str();
                    let now_ms = now.as_millisecond();
                    let _ = retrying("time a task out", || {
                        self.store().expire_task(token, now_ms)
                    })
                    .await;
                    continue;
                }
                let long = long_from.is_some_and(|at| now >= at);
                self.retime(id, deadline.unwrap_or(far), long);
                let turns_long = long_from.filter(|_| !long).unwrap_or(Timestamp::MAX);
                tokio::select! {
                    _ = &mut notified => {}
                    _ = &mut child_notified => {}
                    _ = self.sleep_plain(deadline.unwrap_or(Timestamp::MAX)) => {}
                    _ = self.sleep_plain(turns_long) => {}
                }
            }
        })
    }

    /// `RuntimeConfig::job_recheck`.
    fn job_recheck(&self) -> SignedDuration {
        let recheck = self
            .tasks
            .runtime
            .upgrade()
            .map_or(crate::JOB_RECHECK, |runtime| runtime.config.job_recheck);
        SignedDuration::try_from(recheck).unwrap_or(SignedDuration::from_mins(1))
    }

    /// Whether the task `token` waits on a watched `.sync` job.
    fn waits_on_job(&self, token: &str) -> bool {
        self.job_tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(token)
    }

    /// Completes a `.sync` task from its child's stored status; whether the child has ended.
    async fn child_ended(&self, token: &str, child: &str, nested: fluxo_engine::Nested) -> bool {
        let Ok(Some(record)) =
            retrying("read an execution", || self.store().get_execution(child)).await
        else {
            return false;
        };
        let Some(outcome) = crate::nested::outcome_of(&record, nested) else {
            return false;
        };
        let now_ms = self.now().as_millisecond();
        let _ = retrying("complete a task", || {
            self.store()
                .complete_task(token.to_string(), outcome.clone(), now_ms)
        })
        .await;
        true
    }

    /// Forgets the tasks whose outcome events were just committed.
    pub(crate) async fn close_recorded_tasks(&self, events: &[RecordedEvent]) {
        let tokens: Vec<String> = {
            let mut recorded = self
                .recorded_tasks
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if recorded.is_empty() {
                return;
            }
            events
                .iter()
                .filter_map(|event| recorded.remove(&(event.thread.clone(), event.seq)))
                .collect()
        };
        for token in tokens {
            if let Err(error) = self.store().close_task(&token).await {
                // Harmless: the task goes when the execution ends.
                tracing::warn!(%error, "cannot forget a finished task");
            }
        }
    }
}
