//! TestState (API reference, "TestState"; developer guide, "Using TestState API to test a
//! state in Step Functions"): one state, given alone or as `stateName` of a whole machine, run
//! once by the engine (`fluxo_engine::test_state`) with the request's input, variables,
//! context and mock; the answer has the status, next state, output or error, and at DEBUG and
//! TRACE the value after each data-flow step. The semantics follow the recorded cases under
//! `conformance-api/cases/test_state/`.

mod checks;
mod render;

use crate::wire::{body, parse};
use crate::{Api, ApiError, ErrorCode};
use checks::MockRequest;
use fluxo_asl::model::{StateKind, StateMachine};
use fluxo_asl::Severity;
use fluxo_runtime::{ExecutionRequest, Mock, TestStateOutcome, TestStateRequest, TestStatus};
use fluxo_types::StateMachineType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// The name AWS gives a state tested alone (the location `/States/StateName/Branches` of its
/// definition errors, recorded case `state_mock_validation__test_parallel_state_empty_branches`).
const STATE_NAME: &str = "StateName";

/// The longest a TestState call runs (a Wait state or a slow function): AWS's Express limit.
const MAX_DURATION: Duration = Duration::from_secs(300);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestStateInput {
    definition: String,
    role_arn: Option<String>,
    input: Option<String>,
    inspection_level: Option<String>,
    #[serde(default)]
    reveal_secrets: bool,
    variables: Option<String>,
    state_name: Option<String>,
    mock: Option<MockInput>,
    context: Option<String>,
    state_configuration: Option<StateConfiguration>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MockInput {
    result: Option<String>,
    error_output: Option<MockError>,
    field_validation_mode: Option<String>,
}

#[derive(Deserialize)]
struct MockError {
    error: Option<String>,
    cause: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct StateConfiguration {
    retrier_retry_count: Option<u32>,
    map_iteration_failure_count: Option<u32>,
    map_item_reader_data: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TestStateOutput {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inspection_data: Option<Map<String, Value>>,
}

/// A JSON text of the request (`input`, `variables`, `context`, a mock's `result`).
fn json_text(text: &str, field: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidExecutionInput,
            format!("Invalid {field}: {e}"),
        )
    })
}

pub async fn test_state(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: TestStateInput = parse(input)?;
    let (machine, state_name) = compile(&input.definition, input.state_name.as_deref())?;
    let state = fluxo_runtime::find_state(&machine, &state_name)
        .ok_or_else(|| ApiError::validation("State not found in definition"))?;
    let mock_result = match input.mock.as_ref().and_then(|m| m.result.as_deref()) {
        Some(text) => Some(json_text(text, "mock result")?),
        None => None,
    };
    let configuration = input.state_configuration.unwrap_or_default();
    let has_writer = match &state.kind {
        StateKind::Map(_) => has_result_writer(&input.definition, &state_name),
        _ => false,
    };
    checks::check_state(
        &state,
        &MockRequest {
            has_result: mock_result.is_some(),
            has_error: input
                .mock
                .as_ref()
                .is_some_and(|m| m.error_output.is_some()),
            result: mock_result.as_ref(),
            reveal_secrets: input.reveal_secrets,
            role_arn: input.role_arn.is_some(),
            map_iteration_failure_count: configuration.map_iteration_failure_count,
        },
        has_writer,
    )?;
    if let (Some(result), StateKind::Task(task)) = (&mock_result, &state.kind) {
        let mode = input
            .mock
            .as_ref()
            .and_then(|m| m.field_validation_mode.as_deref());
        checks::check_mock_result(&task.resource, result, mode)?;
    }
    let context = match &input.context {
        Some(text) => {
            let context = json_text(text, "context")?;
            checks::check_context(&context, &state)?;
            Some(context)
        }
        None => None,
    };
    let state_input = json_text(input.input.as_deref().unwrap_or("{}"), "input")?;
    let variables = match input
        .variables
        .as_deref()
        .map(|t| json_text(t, "variables"))
    {
        None => Map::new(),
        Some(Ok(Value::Object(map))) => map,
        Some(Ok(_)) => return Err(ApiError::validation("Variables must be a JSON object")),
        Some(Err(error)) => return Err(error),
    };
    let mock = match (mock_result, input.mock.and_then(|m| m.error_output)) {
        (Some(result), _) => Some(Mock::Result(result)),
        (None, Some(error)) => Some(Mock::Error {
            error: error.error.unwrap_or_default(),
            cause: error.cause.unwrap_or_default(),
        }),
        (None, None) => None,
    };
    let map_item_reader_data = match configuration.map_item_reader_data.as_deref() {
        None => None,
        Some(text) => match json_text(text, "mapItemReaderData")? {
            Value::Array(items) => Some(items),
            _ => {
                return Err(ApiError::validation(
                    "Map item reader data must be a JSON array",
                ))
            }
        },
    };
    let execution = execution(api, &state_input, input.role_arn.as_deref());
    let request = TestStateRequest {
        machine,
        state_name,
        input: state_input,
        variables,
        context,
        mock,
        retrier_retry_count: configuration.retrier_retry_count.unwrap_or(0),
        map_iteration_failure_count: configuration.map_iteration_failure_count,
        map_item_reader_data,
        execution,
    };
    // API reference: "The TestState API can run for up to five minutes. If the execution of a
    // state exceeds this duration, it fails with the States.Timeout error."
    let outcome = api
        .runtime
        .test_state(request, MAX_DURATION)
        .await
        .unwrap_or_else(|| TestStateOutcome {
            status: TestStatus::Failed,
            output: None,
            next_state: None,
            error: Some("States.Timeout".into()),
            cause: None,
            inspection: Map::new(),
        });
    body(&answer(outcome, input.inspection_level.as_deref()))
}

/// The execution the context object describes: an Express execution with fresh names (AWS's
/// recorded context objects show `…:express:MACHINE:EXECUTION`).
fn execution(api: &Api, input: &Value, role_arn: Option<&str>) -> ExecutionRequest {
    let region = api.runtime.region();
    let account = api.runtime.account();
    let machine = uuid::Uuid::new_v4().to_string();
    let name = uuid::Uuid::new_v4().to_string();
    let mut request = ExecutionRequest::new(region, account, &machine, &name, input.clone());
    request.execution_arn = format!("arn:aws:states:{region}:{account}:express:{machine}:{name}");
    request.express = true;
    request.history_details = false;
    if let Some(role_arn) = role_arn {
        request.role_arn = role_arn.to_string();
    }
    request
}

/// The answer at the request's inspection level: INFO shows no inspection data.
fn answer(outcome: TestStateOutcome, level: Option<&str>) -> TestStateOutput {
    let inspection_data = match level.unwrap_or("INFO") {
        "INFO" => None,
        _ => Some(
            outcome
                .inspection
                .into_iter()
                .map(|(key, value)| {
                    let value = match key.as_str() {
                        "maxConcurrency"
                        | "toleratedFailureCount"
                        | "toleratedFailurePercentage"
                        | "errorDetails" => value,
                        _ => Value::String(render::text(&value)),
                    };
                    (key, value)
                })
                .collect(),
        ),
    };
    TestStateOutput {
        status: outcome.status.as_str(),
        output: outcome.output.as_ref().map(render::text),
        next_state: outcome.next_state,
        error: outcome.error,
        cause: outcome.cause,
        inspection_data,
    }
}

/// Compiles the definition: a whole machine (the state is `stateName`, else `StartAt`), or one
/// state, which becomes the machine's only state under AWS's name for it; the states its
/// `Next`, `Default` and catchers name are added as `Succeed` states, so that they exist.
fn compile(text: &str, state_name: Option<&str>) -> Result<(Arc<StateMachine>, String), ApiError> {
    let invalid = |message: String| {
        ApiError::new(
            ErrorCode::InvalidDefinition,
            format!("Invalid State Machine Definition: '{message}'"),
        )
    };
    let definition: Value = serde_json::from_str(text)
        .map_err(|e| invalid(format!("INVALID_JSON_DESCRIPTION: {e}")))?;
    let whole = definition.get("States").is_some() || definition.get("StartAt").is_some();
    let (definition, name) = match whole {
        true => {
            let start = definition.get("StartAt").and_then(Value::as_str);
            let name = state_name.or(start).unwrap_or_default().to_string();
            (definition, name)
        }
        false => (single_state_machine(definition), STATE_NAME.to_string()),
    };
    let diagnostics = fluxo_asl::validate::validate_for(&definition, StateMachineType::Standard);
    let errors: Vec<_> = diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let render = |errors: Vec<fluxo_asl::Diagnostic>| {
        errors
            .iter()
            .map(|d| format!("{}: {} at {}", d.code, d.message, d.location))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !errors.is_empty() {
        return Err(invalid(render(errors)));
    }
    let machine = fluxo_asl::model::build(&definition).map_err(|d| invalid(render(d)))?;
    Ok((Arc::new(machine), name))
}

/// One state as a machine whose only real state it is.
fn single_state_machine(state: Value) -> Value {
    let mut targets = Vec::new();
    let mut note = |value: Option<&Value>| {
        if let Some(Value::String(name)) = value {
            targets.push(name.clone());
        }
    };
    note(state.get("Next"));
    note(state.get("Default"));
    for list in ["Choices", "Catch"] {
        if let Some(Value::Array(items)) = state.get(list) {
            for item in items {
                note(item.get("Next"));
            }
        }
    }
    let mut states = Map::new();
    for target in targets {
        states.insert(target, serde_json::json!({"Type": "Succeed"}));
    }
    states.insert(STATE_NAME.to_string(), state);
    serde_json::json!({"StartAt": STATE_NAME, "States": states})
}

/// Whether the tested Map state writes its results (`ResultWriter`): its mock is then the
/// writer's answer, an object.
fn has_result_writer(text: &str, state_name: &str) -> bool {
    let Ok(definition) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    let state = match definition.get("States") {
        Some(states) => states.get(state_name),
        None => Some(&definition),
    };
    state.is_some_and(|state| state.get("ResultWriter").is_some())
}
