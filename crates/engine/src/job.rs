//! `.sync` jobs of AWS services as the engine hands them to its environment (developer guide,
//! "Run a Job (.sync)"): the start call's answer is recorded (`TaskSubmitted`), then the
//! environment watches the job and completes the task when it ends.

use crate::environment::TaskFailure;
use serde_json::Value;

/// A `.sync` job of an AWS service (`arn:aws:states:::athena:startQueryExecution.sync`…)
/// whose start call returned (`TaskSubmitted`): the job is watched until it ends, which
/// completes the task under `token` (developer guide, "Run a Job (.sync)"). Handed to
/// [`crate::Environment::watch_job`] after `TaskSubmitted`, and again by every replay that
/// finds the task still waiting, so a watch lost with a restart is taken up again.
#[derive(Debug, Clone, PartialEq)]
pub struct JobWatch {
    /// The task's token: the watch completes this task.
    pub token: String,
    /// The Task's `Resource` as written.
    pub resource: String,
    /// The effective parameters of the start call.
    pub parameters: Value,
    /// The start call's result (the job's id is in it).
    pub submitted: Value,
    /// The execution's region.
    pub region: String,
}

/// Where a watched job stands ([`ServiceInvoker::job_status`]).
#[derive(Debug, Clone, PartialEq)]
pub enum JobStatus {
    /// Not ended yet.
    Running,
    /// Ended well: the task's result.
    Succeeded(Value),
    /// Ended badly (or could not be read): the task's failure.
    Failed(TaskFailure),
}
