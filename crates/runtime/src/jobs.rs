//! `.sync` jobs of AWS services, watched to their end (`Environment::watch_job`): the job's
//! state is read from its service (`ServiceInvoker::job_status`), at first after a second and
//! then at growing intervals up to [`MAX_INTERVAL`], until it ends; its end completes the task
//! as `SendTaskSuccess`/`SendTaskFailure` would, which wakes the execution. A watch stops as
//! soon as its task is closed (stopped, timed out). One watch per task: a replay that tells of
//! the same job again finds it watched. A watch lost with the process is taken up again by
//! the replay that resumes its execution.

use crate::Runtime;
use fluxo_engine::{JobStatus, JobWatch};
use fluxo_store::TaskOutcome;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The first look at a job comes after this.
const FIRST_INTERVAL: Duration = Duration::from_secs(1);
/// Looks at a job come at most this far apart.
const MAX_INTERVAL: Duration = Duration::from_secs(30);

/// The tokens of the tasks whose jobs are watched.
#[derive(Default)]
pub(crate) struct Watches(Mutex<HashSet<String>>);

impl Watches {
    /// Whether `token` was not watched yet (it is now).
    fn begin(&self, token: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.to_string())
    }

    fn end(&self, token: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }
}

impl Runtime {
    /// Watches `job` in a task of its own, unless it is watched already.
    pub(crate) fn watch_job(self: &Arc<Self>, job: JobWatch) {
        if !self.watches.begin(&job.token) {
            return;
        }
        let runtime = self.clone();
        tokio::spawn(async move {
            let token = job.token.clone();
            runtime.follow(job).await;
            runtime.watches.end(&token);
        });
    }

    async fn follow(self: &Arc<Self>, job: JobWatch) {
        let mut interval = FIRST_INTERVAL;
        loop {
            tokio::time::sleep(interval).await;
            interval = (interval * 2).min(MAX_INTERVAL);
            match self.store.get_task(&job.token).await {
                Ok(Some(task)) if task.outcome.is_none() => {}
                Ok(_) => return,
                Err(error) => {
                    tracing::warn!(%error, resource = %job.resource, "a watched job's task cannot be read; looking again later");
                    continue;
                }
            }
            let outcome = match self.config.services.job_status(&job).await {
                JobStatus::Running => continue,
                JobStatus::Succeeded(result) => TaskOutcome::Succeeded(result.to_string()),
                JobStatus::Failed(failure) => TaskOutcome::Failed {
                    error: Some(failure.error),
                    cause: failure.cause,
                },
            };
            if let Err(error) = self.complete_task(&job.token, outcome).await {
                tracing::warn!(%error, resource = %job.resource, "a watched job's end could not complete its task");
            }
            return;
        }
    }
}
