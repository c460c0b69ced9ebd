//! Activities and the workers' side of tasks: `CreateActivity` and its siblings,
//! `GetActivityTask` (a long poll), and `SendTaskSuccess` / `SendTaskFailure` /
//! `SendTaskHeartbeat` for activity tasks and `.waitForTaskToken` callbacks alike (API
//! reference; Step Functions developer guide, "Learn about Activities in Step Functions").

use crate::durable::TaskContext;
use crate::tokens::TokenSigner;
use crate::{Runtime, RuntimeError};
use fluxo_store::{ActivityRecord, Listed, Page, TaskOutcome, TaskRecord, TaskRefusal};
use fluxo_types::arn;
use std::sync::Arc;
use std::time::Duration;

/// The longest `GetActivityTask` waits for a task (API reference: "up to 60 seconds").
pub const MAX_POLL: Duration = Duration::from_secs(60);

/// How often the waiting `GetActivityTask` polls of one activity look at the store without a
/// wake-up (one of them, see `pollers.rs`): tasks scheduled on other nodes are otherwise
/// announced by the store's notices (`listen.rs`).
pub const POLL_RECHECK: Duration = Duration::from_secs(1);

/// Why a waiting poll looks at the store.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Look {
    /// It is new, or the hub woke it (a task of its activity was scheduled here).
    Woken,
    /// Its own timer fired and it is the activity's poll to look this interval.
    OwnTimer,
    /// Its own timer fired, but another poll of the activity looked this interval.
    Skip,
}

impl Runtime {
    /// The token signer, made from the store's secret on first use.
    pub(crate) async fn signer(&self) -> Result<&TokenSigner, RuntimeError> {
        self.signer
            .get_or_try_init(|| async {
                let secret = self.store.secret().await?;
                Ok::<_, RuntimeError>(TokenSigner::new(secret))
            })
            .await
    }

    pub(crate) async fn task_context(self: &Arc<Self>) -> Result<TaskContext, RuntimeError> {
        Ok(TaskContext {
            signer: self.signer().await?.clone(),
            hub: self.hub.clone(),
            runtime: Arc::downgrade(self),
        })
    }

    /// Creates an activity, or returns the one of that name (`CreateActivity` is idempotent);
    /// `encryption`: a customer managed key's configuration as JSON text (`None`: AWS's
    /// default).
    pub async fn create_activity(
        &self,
        name: &str,
        encryption: Option<String>,
        now_ms: i64,
    ) -> Result<ActivityRecord, RuntimeError> {
        let record = ActivityRecord {
            arn: arn::activity(self.region(), self.account(), name),
            name: name.to_string(),
            created_ms: now_ms,
            encryption,
        };
        Ok(self.store.create_activity(record).await?)
    }

    pub async fn activity(&self, arn: &str) -> Result<ActivityRecord, RuntimeError> {
        self.store
            .get_activity(arn)
            .await?
            .ok_or_else(|| RuntimeError::ActivityDoesNotExist(arn.to_string()))
    }

    pub async fn delete_activity(&self, arn: &str) -> Result<(), RuntimeError> {
        Ok(self.store.delete_activity(arn).await?)
    }

    pub async fn list_activities(
        &self,
        page: Page,
    ) -> Result<Listed<ActivityRecord>, RuntimeError> {
        Ok(self.store.list_activities(page).await?)
    }

    /// Waits up to `max_wait` for a task of the activity and gives it to this worker. The
    /// task is taken from the store only at the end, in the call that returns it: a poll
    /// dropped while it waits (its client went away) takes nothing. Pollers are woken one at a
    /// time, the longest waiting first. Errors: [`RuntimeError::ActivityDoesNotExist`],
    /// [`RuntimeError::ActivityWorkerLimitExceeded`] past
    /// `RuntimeConfig::max_pollers_per_activity` open polls of the activity.
    pub async fn poll_activity(
        &self,
        arn: &str,
        worker_name: Option<String>,
        max_wait: Duration,
    ) -> Result<Option<TaskRecord>, RuntimeError> {
        self.activity(arn).await?;
        // Held until this poll returns or is dropped with its connection.
        let _slot = self
            .pollers
            .enter(arn, self.config.max_pollers_per_activity)
            .ok_or(RuntimeError::ActivityWorkerLimitExceeded)?;
        let deadline = tokio::time::Instant::now() + max_wait.min(MAX_POLL);
        let subscription = self.hub.subscribe(arn);
        // A new poll looks at once; then when the hub wakes it, or on its own timer.
        let mut look = Look::Woken;
        loop {
            let notified = subscription.notify().notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if look != Look::Skip {
                let now_ms = jiff::Timestamp::now().as_millisecond();
                if let Some(task) = self
                    .store
                    .claim_task(arn, worker_name.clone(), now_ms)
                    .await?
                {
                    // The execution records `ActivityStarted`.
                    self.hub.notify_all(&task.token);
                    // More may be waiting (several scheduled on another node without a
                    // notice): the next poll looks too.
                    self.hub.notify_one(arn);
                    return Ok(Some(task));
                }
            }
            // The store is looked at again every POLL_RECHECK by one poll of the activity: a
            // task scheduled by another node whose notice did not come (no listener, a
            // dropped connection) is found.
            let recheck = tokio::time::Instant::now() + POLL_RECHECK;
            look = tokio::select! {
                _ = &mut notified => Look::Woken,
                _ = tokio::time::sleep_until(recheck.min(deadline)) => Look::OwnTimer,
            };
            // A poll at its end does not take the activity's look of this interval.
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            if look == Look::OwnTimer && !self.pollers.take_look(arn, POLL_RECHECK) {
                look = Look::Skip;
            }
        }
    }

    /// `SendTaskSuccess` (output as JSON text) and `SendTaskFailure`.
    pub async fn complete_task(
        self: &Arc<Self>,
        token: &str,
        outcome: TaskOutcome,
    ) -> Result<(), RuntimeError> {
        let claims = self
            .signer()
            .await?
            .verify(token)
            .ok_or(RuntimeError::InvalidToken)?;
        let now_ms = jiff::Timestamp::now().as_millisecond();
        let answer = self
            .store
            .complete_task(token.to_string(), outcome, now_ms)
            .await?;
        // Whatever the answer, the task may have just ended (a due timeout is applied first):
        // its execution must learn it.
        self.hub.notify_all(token);
        if !self.is_driven(&claims.execution_arn) {
            self.wake(&claims.execution_arn).await?;
        }
        self.refusal(answer, &claims.execution_arn).await
    }

    /// `SendTaskHeartbeat`.
    pub async fn heartbeat_task(self: &Arc<Self>, token: &str) -> Result<(), RuntimeError> {
        let claims = self
            .signer()
            .await?
            .verify(token)
            .ok_or(RuntimeError::InvalidToken)?;
        let now_ms = jiff::Timestamp::now().as_millisecond();
        let answer = self.store.heartbeat_task(token, now_ms).await?;
        // The execution waits on the new heartbeat deadline, or learns of a timeout.
        self.hub.notify_all(token);
        self.refusal(answer, &claims.execution_arn).await
    }

    /// AWS's errors for a refused call about a signed token.
    async fn refusal(
        &self,
        answer: Result<TaskRecord, TaskRefusal>,
        execution_arn: &str,
    ) -> Result<(), RuntimeError> {
        match answer {
            Ok(_) => Ok(()),
            Err(TaskRefusal::Ended) => Err(RuntimeError::TaskTimedOut),
            // A signed token's task is forgotten once it has ended (or its execution has):
            // only a token of an execution this store does not have names no task at all.
            Err(TaskRefusal::NotFound) => match self.store.get_execution(execution_arn).await? {
                Some(_) => Err(RuntimeError::TaskTimedOut),
                None => Err(RuntimeError::TaskDoesNotExist),
            },
        }
    }
}
