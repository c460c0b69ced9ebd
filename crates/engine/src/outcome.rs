//! How an execution ended, as the engine reports it.

use crate::HistoryEvent;
use fluxo_types::ExecutionStatus;

/// How an execution ended.
#[derive(Debug, Clone)]
pub struct ExecutionOutcome {
    /// `Succeeded`, `Failed` or `TimedOut` (the engine never reports `Aborted`: a stop is
    /// decided outside it).
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
