use crate::HistoryEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionStatus {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl ExecutionStatus {
    pub fn as_aws_str(self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
        }
    }
}

/// How an execution ended.
#[derive(Debug, Clone)]
pub struct ExecutionOutcome {
    pub status: ExecutionStatus,
    /// The output as JSON text (AWS returns output as a string).
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// `<Type>StateEntered` events: AWS's state transitions, what it bills Standard executions by.
    pub states_entered: u64,
    /// The history in id order; empty when nobody can read it (an execution that records no
    /// event details and persists nothing: see `ExecutionRequest::history_details`).
    pub history: Vec<HistoryEvent>,
}
