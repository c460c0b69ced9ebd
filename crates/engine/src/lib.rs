//! Executes ASL state machines.
//!
//! Architecture invariant: the engine does no I/O of its own and reads no clock. Time, randomness
//! and task calls come through [`Environment`], so tests are exact and instant and a durable
//! runtime can record what an execution observed.

mod attempt;
mod catch;
mod context;
mod environment;
mod execution;
mod failure;
mod frame;
mod history;
mod job;
mod journal;
mod jsonata;
mod outcome;
mod payload;
mod redrive;
mod retry;
mod run;
mod states;
mod step;
mod test_state;
mod threads;

pub use environment::{
    ChildExecution, Environment, FunctionCall, FunctionInvoker, FunctionResult, HttpCaller, Nested,
    NoFunctions, NoServices, ServiceInvoker, ServiceRequest, SystemEnvironment, TaskFailure,
    TaskProgress, TaskWait,
};
pub use execution::{execute, resume};
pub use fluxo_types::ExecutionStatus;
pub use history::{render as render_event, without_execution_data, HistoryEvent};
pub use job::{JobStatus, JobWatch};
pub use journal::{RecordedEvent, MAX_HISTORY_EVENTS};
pub use outcome::ExecutionOutcome;
pub use payload::{MAX_DEPTH, MIN_STACK_BYTES, PAYLOAD_LIMIT_BYTES};
pub use states::wait::MAX_DELAY_SECONDS;
pub use test_state::{
    find_state, test_state, Mock, TestStateOutcome, TestStateRequest, TestStatus,
};

use fluxo_types::arn;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// AWS ends an Express execution after five minutes (Step Functions developer guide,
/// "Choosing workflow type": "Maximum duration: 5 minutes").
pub const EXPRESS_MAX_DURATION: Duration = Duration::from_secs(300);

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
    /// How long the execution may run at most, besides the definition's `TimeoutSeconds`: five
    /// minutes for an Express execution. It then ends with `ExecutionTimedOut`.
    pub max_duration: Option<Duration>,
    /// The version the execution runs, when started through a version or an alias: recorded
    /// in `ExecutionStarted` as `stateMachineVersionArn`.
    pub version_arn: Option<String>,
    /// The alias it was started through: `stateMachineAliasArn` in `ExecutionStarted`.
    pub alias_arn: Option<String>,
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
            arn::execution(region, account, state_machine_name, execution_name),
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
        let execution_arn =
            arn::express_execution(region, account, state_machine_name, execution_name, id);
        let mut request = Self::with_execution_arn(
            region,
            account,
            state_machine_name,
            execution_name,
            execution_arn,
            input,
        );
        request.express = true;
        request.max_duration = Some(EXPRESS_MAX_DURATION);
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
            state_machine_arn: arn::state_machine(region, account, state_machine_name),
            state_machine_name: state_machine_name.to_string(),
            execution_arn,
            execution_name: execution_name.to_string(),
            role_arn: ["arn:aws:iam::", account, ":role/fluxo-execution"].concat(),
            input,
            express: false,
            history_details: true,
            max_duration: None,
            version_arn: None,
            alias_arn: None,
        }
    }
}

/// The details of the `ExecutionStarted` event that opens every history (API reference,
/// `ExecutionStartedEventDetails`): the input as text and the role the execution runs with.
pub fn started_details(input: &str, role_arn: &str) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert("input".into(), json!(input));
    details.insert("inputDetails".into(), json!({"truncated": false}));
    details.insert("roleArn".into(), json!(role_arn));
    details
}

/// Adds what `ExecutionStartedEventDetails` says of an execution started through a version or
/// an alias: `stateMachineAliasArn`, `stateMachineVersionArn` (API reference).
pub fn started_through(
    details: &mut Map<String, Value>,
    version_arn: Option<&str>,
    alias_arn: Option<&str>,
) {
    if let Some(alias) = alias_arn {
        details.insert("stateMachineAliasArn".into(), json!(alias));
    }
    if let Some(version) = version_arn {
        details.insert("stateMachineVersionArn".into(), json!(version));
    }
}

/// The details of the `ExecutionAborted` event that ends a stopped execution (API reference,
/// `ExecutionAbortedEventDetails`): the `error` and `cause` given to `StopExecution`.
pub fn aborted_details(error: Option<&str>, cause: Option<&str>) -> Map<String, Value> {
    let mut details = Map::new();
    if let Some(error) = error {
        details.insert("error".into(), json!(error));
    }
    if let Some(cause) = cause {
        details.insert("cause".into(), json!(cause));
    }
    details
}
