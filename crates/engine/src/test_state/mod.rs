//! TestState (API reference, "TestState"; developer guide, "Using TestState API to test a
//! state in Step Functions"): one attempt at one state with a given input, variables and
//! context object, through the same pipeline an execution uses, reporting the value after each
//! data-flow step and what the state would do next.
//!
//! The state is not retried and no catcher's target runs: a failure that a retrier takes is
//! `RETRIABLE` (with the back-off the retrier would wait), one that a catcher takes
//! `CAUGHT_ERROR` (with the catcher's output and `Next`), any other `FAILED`.

mod inspect;

pub(crate) use inspect::Hooks;
pub use inspect::Mock;

use crate::attempt::Attempt;
use crate::context::{ContextObject, StateContext};
use crate::environment::Environment;
use crate::failure::Failure;
use crate::frame::Frame;
use crate::journal::{Journal, Thread};
use crate::run::Run;
use crate::ExecutionRequest;
use fluxo_asl::model::{error_matches, State, StateKind, StateMachine};
use fluxo_types::EventType;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

/// What TestState runs: the state `state_name` of `machine` with `input`.
pub struct TestStateRequest {
    pub machine: Arc<StateMachine>,
    pub state_name: String,
    pub input: Value,
    /// The workflow variables the state sees (`variables` of the request).
    pub variables: Map<String, Value>,
    /// The context object the state sees (`context` of the request), replacing the one built
    /// from `execution`.
    pub context: Option<Value>,
    pub mock: Option<Mock>,
    /// `stateConfiguration.retrierRetryCount`: how many retries already happened, which
    /// decides whether a retrier still has attempts left and its back-off.
    pub retrier_retry_count: u32,
    /// `stateConfiguration.mapIterationFailureCount`.
    pub map_iteration_failure_count: Option<u32>,
    /// `stateConfiguration.mapItemReaderData`: the items a Map's `ItemReader` would read.
    pub map_item_reader_data: Option<Vec<Value>>,
    /// The execution the context object describes when `context` is not given.
    pub execution: ExecutionRequest,
}

/// How the tested state ended (API reference, `TestStateOutput.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStatus {
    Succeeded,
    Failed,
    Retriable,
    CaughtError,
}

impl TestStatus {
    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Succeeded => "SUCCEEDED",
            TestStatus::Failed => "FAILED",
            TestStatus::Retriable => "RETRIABLE",
            TestStatus::CaughtError => "CAUGHT_ERROR",
        }
    }
}

/// What TestState answers: the status, the output and next state (on success or when caught),
/// the error and cause (on failure), and the inspection data (`input`, `afterInputPath`,
/// `afterParameters`/`afterArguments`, `result`, `afterResultSelector`, `afterResultPath`,
/// `variables`, `errorDetails`, and for a Map `afterItemsPath`, `maxConcurrency`,
/// `toleratedFailureCount`/`Percentage`) as JSON values, keyed as `InspectionData` names them.
#[derive(Debug, Clone)]
pub struct TestStateOutcome {
    pub status: TestStatus,
    pub output: Option<Value>,
    pub next_state: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub inspection: Map<String, Value>,
}

/// Runs one attempt at the request's state. A state that waits (Wait, a task's timeout)
/// waits through `env` as in an execution.
pub async fn test_state(request: TestStateRequest, env: &dyn Environment) -> TestStateOutcome {
    let hooks = Hooks::new(
        request.mock.clone(),
        request.map_iteration_failure_count,
        request.map_item_reader_data.clone(),
    );
    let mut context = ContextObject::new(&request.execution, env.now(), true);
    if let Some(given) = request.context.clone() {
        context.give(given);
    }
    let mut run = Run::new(env, context, Journal::new(Vec::new()), false, true, false);
    run.test = Some(&hooks);
    let outcome = attempt_state(&run, &request, &hooks).await;
    let mut outcome = outcome;
    let mut inspection = hooks.take();
    inspection.append(&mut outcome.inspection);
    outcome.inspection = inspection;
    outcome
}

async fn attempt_state(
    run: &Run<'_>,
    request: &TestStateRequest,
    hooks: &Hooks,
) -> TestStateOutcome {
    let Some(state) = find_state(&request.machine, &request.state_name) else {
        return failed(Failure::new(
            "States.Runtime",
            Some(format!("The state '{}' does not exist", request.state_name)),
        ));
    };
    let mut thread = Thread::root(run.env.now());
    run.record(&mut thread, EventType::ExecutionStarted, None);
    let entered_id = run.record(&mut thread, EventType::entered(state.state_type()), None);
    let mut frame = Frame::root(run.env.random_seed());
    // The request's variables were bounded by the request's size; they are the frame's own.
    frame.variables = request.variables.clone();
    let mut info = StateContext {
        name: &state.name,
        entered_id,
        entered_time: thread.time,
        retry_count: None,
        reads_context: state.reads_context,
    };
    // AWS shows `$$.State.RetryCount` for the states that can be mocked, and those that retry.
    let mockable = matches!(
        state.kind,
        StateKind::Task(_) | StateKind::Map(_) | StateKind::Parallel { .. }
    );
    if !state.retry.is_empty() || mockable {
        info.retry_count = Some(request.retrier_retry_count);
    }
    hooks.record("input", &request.input);
    let input = Cow::Borrowed(&request.input);
    let attempted = crate::step::attempt(run, &state, input, &info, &mut thread, &frame).await;
    let failure = match attempted {
        Ok(completed) => match run.complete(&state, completed, &mut thread, &mut frame) {
            Ok(completed) => {
                if !frame.variables.is_empty() {
                    hooks.record("variables", &Value::Object(frame.variables.clone()));
                }
                return TestStateOutcome {
                    status: TestStatus::Succeeded,
                    output: Some(completed.output),
                    next_state: completed.next,
                    error: None,
                    cause: None,
                    inspection: Map::new(),
                };
            }
            Err(failure) => failure,
        },
        Err(failure) => failure,
    };
    if failure.is_terminal() {
        return failed(failure);
    }
    let mut attempts = vec![request.retrier_retry_count; state.retry.len()];
    if let Some(delay) = crate::retry::delay(&state, &failure, &mut attempts, &frame) {
        let index = state
            .retry
            .iter()
            .position(|retrier| error_matches(&retrier.error_equals, &failure.error));
        let mut outcome = failed(failure);
        outcome.status = TestStatus::Retriable;
        outcome.inspection.insert(
            "errorDetails".into(),
            json!({"retryBackoffIntervalSeconds": delay.round() as u64, "retryIndex": index}),
        );
        return outcome;
    }
    let retry_index = state
        .retry
        .iter()
        .position(|retrier| error_matches(&retrier.error_equals, &failure.error));
    let mut inspection = Map::new();
    if let (Some(index), true) = (retry_index, failure.is_retriable()) {
        // A retrier that matched but has no attempts left (recorded case
        // `state_configuration__test_state_configuration_retrier_retry_count_DEBUG`).
        inspection.insert("errorDetails".into(), json!({"retryIndex": index}));
    }
    let catch_index = state
        .catch
        .iter()
        .position(|catcher| error_matches(&catcher.error_equals, &failure.error));
    let (error, cause) = (failure.error.clone(), failure.cause.clone());
    let attempt = Attempt::new(run, &state, &info, &frame);
    let caught = crate::catch::catch(&attempt, failure, request.input.clone());
    let caught = caught.and_then(|caught| run.complete(&state, caught, &mut thread, &mut frame));
    match (caught, catch_index) {
        (Ok(completed), Some(index)) => {
            inspection.insert("errorDetails".into(), json!({"catchIndex": index}));
            TestStateOutcome {
                status: TestStatus::CaughtError,
                output: Some(completed.output),
                next_state: completed.next,
                error: Some(error),
                cause,
                inspection,
            }
        }
        (Ok(_), None) => with_inspection(failed(Failure::new(error, cause)), inspection),
        (Err(failure), _) => with_inspection(failed(failure), inspection),
    }
}

/// The state named `name` anywhere in `machine`: at its top level, or inside a Parallel
/// branch or a Map's item processor (TestState's `stateName` may name any of them, recorded
/// case `test_state_machine_scenarios__test_base_state_name_DEBUG-BASE_MAP_STATE_MACHINE`).
/// The walk keeps its own stack; the validator bounded the nesting.
pub fn find_state(machine: &StateMachine, name: &str) -> Option<Arc<State>> {
    let mut machines = vec![machine];
    while let Some(machine) = machines.pop() {
        if let Some(state) = machine.state(name) {
            return Some(state.clone());
        }
        for state in machine.states.values() {
            match &state.kind {
                StateKind::Map(map) => machines.push(&map.processor),
                StateKind::Parallel { branches } => machines.extend(branches.iter().map(|b| &**b)),
                _ => {}
            }
        }
    }
    None
}

/// The result a mock gives a state's work, or its failure.
pub(crate) fn mocked(mock: &Mock) -> Result<Value, Failure> {
    match mock {
        Mock::Result(result) => Ok(result.clone()),
        Mock::Error { error, cause } => Err(Failure::new(error.clone(), Some(cause.clone()))),
    }
}

fn with_inspection(
    mut outcome: TestStateOutcome,
    inspection: Map<String, Value>,
) -> TestStateOutcome {
    outcome.inspection = inspection;
    outcome
}

fn failed(failure: Failure) -> TestStateOutcome {
    TestStateOutcome {
        status: TestStatus::Failed,
        output: None,
        next_state: None,
        error: (!failure.error.is_empty()).then_some(failure.error),
        cause: failure.cause,
        inspection: Map::new(),
    }
}

#[cfg(test)]
mod tests;
