//! `.sync` jobs of AWS services, watched to their end (`Environment::watch_job`): the job's
//! state is read from its service (`ServiceInvoker::job_status`), at first after a second and
//! then at growing intervals up to [`MAX_INTERVAL`], until it ends; its end completes the task
//! as `SendTaskSuccess`/`SendTaskFailure` would, which wakes the execution. A state that cannot
//! be read is read again; [`MAX_UNREADABLE`] such answers in a row fail the task. A watch stops
//! as soon as its task is closed; a task that ended without its job (timed out, its execution
//! stopped, its state aborted) stops the job (`ServiceInvoker::stop_job`, as AWS's `.sync`
//! policies allow: `batch:TerminateJob`…). One watch per task: a replay that tells of the same
//! job again finds it watched.
//!
//! A watch lives in this process. The replay that resumes its execution takes it up again: an
//! execution waiting on a job in memory is replayed at a restart, and one that was unloaded
//! wakes at least every `RuntimeConfig::job_recheck` (`durable_tasks.rs`) and is replayed then.

use crate::Runtime;
use fluxo_engine::{JobStatus, JobWatch, TaskFailure};
use fluxo_store::TaskOutcome;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The first look at a job comes after this.
const FIRST_INTERVAL: Duration = Duration::from_secs(1);
/// Looks at a job come at most this far apart.
const MAX_INTERVAL: Duration = Duration::from_secs(30);
/// Unreadable answers in a row (throttling, a service error) after which the task fails.
const MAX_UNREADABLE: u32 = 5;
/// How often, by default, an unloaded execution waiting on a job wakes, so that a watch lost
/// with a restart is taken up again by its replay (`RuntimeConfig::job_recheck`).
pub const JOB_RECHECK: Duration = Duration::from_secs(60);

/// The tokens of the tasks whose jobs are watched.
#[derive(Default)]
pub(crate) struct Watches(Mutex<HashSet<String>>);

impl Watches {
    /// Whether `token` was not watched yet (it is now, until the guard drops).
    fn begin(self: &Arc<Self>, token: &str) -> Option<Watching> {
        let fresh = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.to_string());
        fresh.then(|| Watching {
            watches: self.clone(),
            token: token.to_string(),
        })
    }
}

/// A watch in progress: its token leaves [`Watches`] when this drops, whatever ended it.
struct Watching {
    watches: Arc<Watches>,
    token: String,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.watches
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.token);
    }
}

impl Runtime {
    /// Watches `job` of the execution `execution_arn` in a task of its own, unless it is
    /// watched already.
    pub(crate) fn watch_job(self: &Arc<Self>, execution_arn: &str, job: JobWatch) {
        let Some(watching) = self.watches.begin(&job.token) else {
            return;
        };
        let runtime = self.clone();
        let execution_arn = execution_arn.to_string();
        tokio::spawn(async move {
            let _watching = watching;
            runtime.follow(&execution_arn, job).await;
        });
    }

    async fn follow(self: &Arc<Self>, execution_arn: &str, job: JobWatch) {
        // The task's end (a timeout) and the execution's (a stop) are heard at once.
        let task_ended = self.hub.subscribe(&job.token);
        let execution_changed = self.hub.subscribe(execution_arn);
        let mut interval = FIRST_INTERVAL;
        let mut unreadable = 0;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = task_ended.notify().notified() => {}
                _ = execution_changed.notify().notified() => {}
            }
            interval = (interval * 2).min(MAX_INTERVAL);
            match self.store.get_task(&job.token).await {
                Ok(Some(task)) if task.outcome.is_none() => {}
                // Completed (by this watch, or by `SendTaskSuccess`/`SendTaskFailure` with the
                // token): the job has nothing left to do here.
                Ok(Some(task))
                    if matches!(
                        task.outcome,
                        Some(TaskOutcome::Succeeded(_) | TaskOutcome::Failed { .. })
                    ) =>
                {
                    return
                }
                // Timed out, or gone with its state (stopped, aborted): the job is stopped.
                Ok(_) => {
                    self.config.services.stop_job(&job).await;
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, resource = %job.resource, "a watched job's task cannot be read; looking again later");
                    continue;
                }
            }
            let status = match self.config.services.job_status(&job).await {
                Ok(status) => {
                    unreadable = 0;
                    status
                }
                Err(failure) if unreadable + 1 < MAX_UNREADABLE => {
                    unreadable += 1;
                    tracing::warn!(error = %failure.error, resource = %job.resource, "a watched job's state cannot be read; looking again later");
                    continue;
                }
                Err(failure) => JobStatus::Failed(failure),
            };
            let outcome = match status {
                JobStatus::Running => continue,
                JobStatus::Succeeded(result) => TaskOutcome::Succeeded(result.to_string()),
                JobStatus::Failed(TaskFailure { error, cause }) => TaskOutcome::Failed {
                    error: Some(error),
                    cause,
                },
            };
            if let Err(error) = self.complete_task(&job.token, outcome).await {
                tracing::warn!(%error, resource = %job.resource, "a watched job's end could not complete its task");
            }
            return;
        }
    }
}
