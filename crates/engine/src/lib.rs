//! Executes ASL state machines.
//!
//! Architecture invariant: the engine does no I/O of its own and reads no clock. Time, randomness
//! and task calls come through [`Environment`], so tests are exact and instant and a durable
//! runtime can record what an execution observed.

mod context;
mod environment;
mod execution;
mod failure;
mod history;
mod journal;
mod outcome;
mod states;

pub use environment::{
    Environment, FunctionCall, FunctionInvoker, NoFunctions, SystemEnvironment, TaskFailure,
};
pub use execution::{execute, resume, PAYLOAD_LIMIT_BYTES};
pub use history::HistoryEvent;
pub use journal::RecordedEvent;
pub use outcome::{ExecutionOutcome, ExecutionStatus};

use serde_json::Value;

/// What an execution is started with.
#[derive(Debug, Clone)]
pub struct ExecutionRequest {
    pub region: String,
    pub state_machine_arn: String,
    pub state_machine_name: String,
    pub execution_arn: String,
    pub execution_name: String,
    pub role_arn: String,
    pub input: Value,
    /// An Express execution: its context object has no `RedriveCount` (Express executions
    /// cannot be redriven).
    pub express: bool,
    /// Whether history events carry their details (state inputs and outputs as JSON text).
    /// Without them the history keeps only event types and ids: what an Express execution that
    /// nobody logs needs, since AWS keeps no history for Express executions.
    pub history_details: bool,
}

impl ExecutionRequest {
    /// Builds the ARNs AWS would give a state machine and an execution with these names (by
    /// concatenation: this runs for every execution, and `format!` costs several times more).
    pub fn new(
        region: &str,
        account: &str,
        state_machine_name: &str,
        execution_name: &str,
        input: Value,
    ) -> Self {
        Self::with_execution_arn(
            region,
            account,
            state_machine_name,
            execution_name,
            [
                "arn:aws:states:",
                region,
                ":",
                account,
                ":execution:",
                state_machine_name,
                ":",
                execution_name,
            ]
            .concat(),
            input,
        )
    }

    /// An Express execution, with AWS's Express ARN
    /// (`arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:ID`).
    pub fn express(
        region: &str,
        account: &str,
        state_machine_name: &str,
        execution_name: &str,
        id: &str,
        input: Value,
    ) -> Self {
        let execution_arn = [
            "arn:aws:states:",
            region,
            ":",
            account,
            ":express:",
            state_machine_name,
            ":",
            execution_name,
            ":",
            id,
        ]
        .concat();
        let mut request = Self::with_execution_arn(
            region,
            account,
            state_machine_name,
            execution_name,
            execution_arn,
            input,
        );
        request.express = true;
        request
    }

    fn with_execution_arn(
        region: &str,
        account: &str,
        state_machine_name: &str,
        execution_name: &str,
        execution_arn: String,
        input: Value,
    ) -> Self {
        ExecutionRequest {
            region: region.to_string(),
            state_machine_arn: [
                "arn:aws:states:",
                region,
                ":",
                account,
                ":stateMachine:",
                state_machine_name,
            ]
            .concat(),
            state_machine_name: state_machine_name.to_string(),
            execution_arn,
            execution_name: execution_name.to_string(),
            role_arn: ["arn:aws:iam::", account, ":role/fluxo-execution"].concat(),
            input,
            express: false,
            history_details: true,
        }
    }
}
