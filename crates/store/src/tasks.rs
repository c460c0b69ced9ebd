//! Work that runs elsewhere: activities (`CreateActivity`) and the open tasks that an execution
//! waits on (an activity task, or a `.waitForTaskToken` callback), keyed by their task token.
//!
//! A task is *open* until it has an outcome: a worker's `SendTaskSuccess`/`SendTaskFailure`, or
//! a timeout the store itself decides against the task's deadlines, so that a completion and a
//! timeout racing each other resolve in one transaction, first come first served. Resolving a
//! task wakes its execution durably: if the execution is unloaded (it has a timer), the timer
//! is made due; and a timer set later while a resolved task is still unconsumed is made due too
//! (see [`Store::commit`](crate::Store::commit)), so no wake-up is lost between an execution
//! parking and its task completing.

use crate::{Listed, Page, StoreFuture};

/// An activity as `DescribeActivity` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    pub arn: String,
    pub name: String,
    pub created_ms: i64,
    /// A customer managed key's `encryptionConfiguration` as JSON text, described back by
    /// `DescribeActivity`; `None`: AWS's default (an AWS owned key).
    pub encryption: Option<String>,
}

/// How a task ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOutcome {
    /// `SendTaskSuccess`: the output as JSON text.
    Succeeded(String),
    /// `SendTaskFailure`: both fields are optional on the API.
    Failed {
        error: Option<String>,
        cause: Option<String>,
    },
    /// `TimeoutSeconds` passed.
    TimedOut,
    /// `HeartbeatSeconds` passed without a heartbeat.
    HeartbeatTimedOut,
}

/// A task an execution waits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    /// The task token (also the key).
    pub token: String,
    pub execution_arn: String,
    /// The activity for an activity task; `None` for a `.waitForTaskToken` callback.
    pub activity_arn: Option<String>,
    /// What `GetActivityTask` hands the worker (JSON text).
    pub input: String,
    pub scheduled_ms: i64,
    /// When `TimeoutSeconds` ends the task (epoch ms), if it has one.
    pub timeout_at_ms: Option<i64>,
    /// `HeartbeatSeconds`, if the task has one.
    pub heartbeat_seconds: Option<u64>,
    /// When the task times out unless a heartbeat comes first: counted from its start (an
    /// activity task taken by a worker, a callback when it is opened) and from each heartbeat.
    pub heartbeat_at_ms: Option<i64>,
    /// Set when a worker took the task (`GetActivityTask`), callbacks when opened.
    pub started_ms: Option<i64>,
    /// The `workerName` of the worker that took it.
    pub worker_name: Option<String>,
    pub outcome: Option<TaskOutcome>,
    /// When the outcome was decided.
    pub completed_ms: Option<i64>,
}

impl TaskRecord {
    /// The earliest deadline of an open task.
    pub fn deadline_ms(&self) -> Option<i64> {
        match (self.timeout_at_ms, self.heartbeat_at_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The timeout outcome that is due at `now_ms`, if any (the overall timeout first).
    pub fn expiry(&self, now_ms: i64) -> Option<TaskOutcome> {
        if self.timeout_at_ms.is_some_and(|at| at <= now_ms) {
            Some(TaskOutcome::TimedOut)
        } else if self.heartbeat_at_ms.is_some_and(|at| at <= now_ms) {
            Some(TaskOutcome::HeartbeatTimedOut)
        } else {
            None
        }
    }

    /// Takes `outcome` now if the task is open; a due timeout comes first. Returns whether
    /// `outcome` was taken. The reference rule every backend applies in its transaction.
    pub fn resolve(&mut self, outcome: TaskOutcome, now_ms: i64) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        if let Some(expired) = self.expiry(now_ms) {
            self.outcome = Some(expired);
            self.completed_ms = Some(now_ms);
            return false;
        }
        self.outcome = Some(outcome);
        self.completed_ms = Some(now_ms);
        true
    }

    /// A heartbeat at `now_ms`: moves the heartbeat deadline on, if the task is open and not
    /// overdue (an overdue task is timed out instead). Returns whether the task is still open.
    pub fn beat(&mut self, now_ms: i64) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        if let Some(expired) = self.expiry(now_ms) {
            self.outcome = Some(expired);
            self.completed_ms = Some(now_ms);
            return false;
        }
        if let Some(seconds) = self.heartbeat_seconds {
            self.heartbeat_at_ms = Some(now_ms.saturating_add(seconds as i64 * 1000));
        }
        true
    }

    /// Marks the task taken by a worker at `now_ms`; its heartbeat clock starts.
    pub fn start(&mut self, worker_name: Option<String>, now_ms: i64) {
        self.started_ms = Some(now_ms);
        self.worker_name = worker_name;
        if let Some(seconds) = self.heartbeat_seconds {
            self.heartbeat_at_ms = Some(now_ms.saturating_add(seconds as i64 * 1000));
        }
    }
}

/// Why a worker's call about a task was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskRefusal {
    /// No such open or recently ended task.
    #[error("task does not exist")]
    NotFound,
    /// The task has an outcome already (it timed out, or another call completed it).
    #[error("task has ended")]
    Ended,
}

/// Activities and open tasks. Every method is one transaction.
pub trait TaskStore: Send + Sync {
    /// A secret of this store, made once (32 random bytes) and kept: task tokens are signed
    /// with it, so that they cannot be forged and stay the same when an execution replays.
    fn secret(&self) -> StoreFuture<'_, Vec<u8>>;

    /// Stores an activity, or returns the one of that ARN (`CreateActivity` is idempotent).
    fn create_activity(&self, record: ActivityRecord) -> StoreFuture<'_, ActivityRecord>;
    fn get_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ActivityRecord>>;
    /// Deletes an activity; deleting one that does not exist is no error (as on AWS).
    fn delete_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()>;
    /// By name, `max_results` at a time.
    fn list_activities(&self, page: Page) -> StoreFuture<'_, Listed<ActivityRecord>>;

    /// Opens a task, or returns the one with that token as it is now (a replay opens again).
    fn open_task(&self, record: TaskRecord) -> StoreFuture<'_, TaskRecord>;
    fn get_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<TaskRecord>>;
    /// Gives the oldest open task of the activity that no worker has taken to this worker
    /// ([`TaskRecord::start`]), or `None`.
    fn claim_task<'a>(
        &'a self,
        activity_arn: &'a str,
        worker_name: Option<String>,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>>;
    /// A heartbeat ([`TaskRecord::beat`]); refused when the task is unknown or has ended.
    fn heartbeat_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Result<TaskRecord, TaskRefusal>>;
    /// Resolves an open task with `outcome` ([`TaskRecord::resolve`]) and wakes its execution:
    /// a timer it has is made due now. Refused when the task is unknown or has ended.
    fn complete_task(
        &self,
        token: String,
        outcome: TaskOutcome,
        now_ms: i64,
    ) -> StoreFuture<'_, Result<TaskRecord, TaskRefusal>>;
    /// Times an open task out if one of its deadlines has passed at `now_ms`; returns it as it
    /// is then.
    fn expire_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>>;
    /// Forgets a task whose outcome the execution has recorded. An execution's tasks are also
    /// forgotten when it ends or is stopped.
    fn close_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, ()>;
}
