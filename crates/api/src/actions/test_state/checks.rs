//! TestState's own checks of a request, after the model's, with AWS's messages (recorded
//! cases `state_mock_validation__*`, `state_context_object__*`,
//! `test_state_machine_scenarios__test_base_state_name_validation_failures_*`).

use crate::{ApiError, ErrorCode};
use fluxo_asl::model::{Integration, IntegrationPattern, State, StateKind};
use fluxo_aws::{FieldValidationMode, ServiceResource};
use serde_json::{Map, Value};

/// The state types that take no mock.
fn unmockable(state: &State) -> bool {
    !matches!(
        state.kind,
        StateKind::Task(_) | StateKind::Map(_) | StateKind::Parallel { .. }
    )
}

/// What the request says about mocking, checked against the tested state.
pub struct MockRequest<'a> {
    pub has_result: bool,
    pub has_error: bool,
    pub result: Option<&'a Value>,
    pub reveal_secrets: bool,
    pub role_arn: bool,
    pub map_iteration_failure_count: Option<u32>,
}

/// The checks that need the state: AWS's order as far as the recorded cases show it.
pub fn check_state(
    state: &State,
    mock: &MockRequest<'_>,
    has_writer: bool,
) -> Result<(), ApiError> {
    let mocked = mock.has_result || mock.has_error;
    if mock.has_result && mock.has_error {
        return Err(ApiError::validation(
            "A test mock should have only one of the following fields: [result, errorOutput].",
        ));
    }
    if mocked && mock.reveal_secrets {
        return Err(ApiError::validation(
            "TestState does not support RevealSecrets when a mock is specified.",
        ));
    }
    if mocked && unmockable(state) {
        return Err(ApiError::validation(format!(
            "State type '{}' is not supported when a mock is specified",
            state.state_type().as_str()
        )));
    }
    if !mocked && mock.map_iteration_failure_count.is_some() {
        return Err(ApiError::validation(
            "TestState does not support MapIterationFailureCount when a mock is not specified.",
        ));
    }
    let branching = matches!(state.kind, StateKind::Map(_) | StateKind::Parallel { .. });
    if branching && !mocked {
        return Err(ApiError::new(
            ErrorCode::InvalidDefinition,
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ));
    }
    if waits(state) && !mocked {
        // API reference: "TestState only supports the following when a mock is specified:
        // Activity tasks, .sync or .waitForTaskToken service integration patterns, Parallel, or
        // Map states." No recorded case shows AWS's words for the tasks; these are Fluxo's.
        return Err(ApiError::new(
            ErrorCode::InvalidDefinition,
            "TestState supports Activity tasks and the .sync and .waitForTaskToken service integration patterns only when a mock is specified",
        ));
    }
    if let (true, Some(result)) = (branching, mock.result) {
        match (has_writer, result) {
            (true, Value::Object(_)) | (false, Value::Array(_)) => {}
            (true, _) => return Err(ApiError::validation("Mocked result must be a JSON object.")),
            (false, _) => return Err(ApiError::validation("Mocked result must be an array.")),
        }
    }
    if let (Some(failures), Some(Value::Array(items))) =
        (mock.map_iteration_failure_count, mock.result)
    {
        if failures as usize > items.len() {
            return Err(ApiError::validation(
                "Map iteration failure count must be less than or equal to the number of Map iterations",
            ));
        }
    }
    if matches!(state.kind, StateKind::Task(_)) && !mocked && !mock.role_arn {
        return Err(ApiError::validation(
            "RoleArn must be specified when testing a Task state",
        ));
    }
    Ok(())
}

/// A field of a part of the context object, with the JSON type it must have (`None`: any).
type Field = (&'static str, Option<&'static str>);

/// The parts a context object may have, and their fields.
const CONTEXT_FIELDS: [(&str, &[Field]); 5] = [
    (
        "Execution",
        &[
            ("Id", Some("string")),
            ("Input", None),
            ("Name", Some("string")),
            ("RoleArn", Some("string")),
            ("StartTime", Some("string")),
            ("RedriveCount", Some("integer")),
            ("RedriveTime", Some("string")),
        ],
    ),
    (
        "State",
        &[
            ("EnteredTime", Some("string")),
            ("Name", Some("string")),
            ("RetryCount", Some("integer")),
        ],
    ),
    (
        "StateMachine",
        &[("Id", Some("string")), ("Name", Some("string"))],
    ),
    ("Task", &[("Token", Some("string"))]),
    ("Map", &[("Item", None)]),
];

fn invalid_context(message: String) -> ApiError {
    ApiError::validation(format!("Invalid Context object provided: {message}"))
}

/// The `context` of a request: an object with the context object's fields only, each of its
/// type, and `Task` only for a state that waits for a token or a `.sync` job.
pub fn check_context(context: &Value, state: &State) -> Result<(), ApiError> {
    let Some(context) = context.as_object() else {
        return Err(invalid_context(
            "Context object must be a JSON object".into(),
        ));
    };
    for (name, value) in context {
        let Some((_, fields)) = CONTEXT_FIELDS.iter().find(|(field, _)| field == name) else {
            return Err(invalid_context(format!("Field '{name}' is not allowed")));
        };
        let Some(object) = value.as_object() else {
            return Err(invalid_context(format!("{name} must be an object")));
        };
        check_fields(name, object, fields)?;
    }
    if context.contains_key("Task") && !waits(state) {
        return Err(invalid_context(
            "Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern".into(),
        ));
    }
    Ok(())
}

fn check_fields(
    parent: &str,
    object: &Map<String, Value>,
    fields: &[Field],
) -> Result<(), ApiError> {
    for (name, value) in object {
        let Some((_, kind)) = fields.iter().find(|(field, _)| field == name) else {
            return Err(invalid_context(format!("Field '{name}' is not allowed")));
        };
        let fits = match kind {
            None => true,
            Some("string") => value.is_string(),
            Some(_) => value.is_u64(),
        };
        if !fits {
            let kind = kind.unwrap_or_default();
            let article = if kind == "integer" { "an" } else { "a" };
            return Err(invalid_context(format!(
                "{parent}.{name} must be {article} {kind}"
            )));
        }
    }
    Ok(())
}

/// A Task state that waits for a token or for a job (`.sync`).
fn waits(state: &State) -> bool {
    let StateKind::Task(task) = &state.kind else {
        return false;
    };
    match &task.integration {
        Integration::Service { pattern, .. } | Integration::AwsSdk { pattern, .. } => {
            !matches!(pattern, IntegrationPattern::RequestResponse)
        }
        Integration::Activity { .. } => true,
        _ => false,
    }
}

/// Checks a Task's mocked result against its service integration's API model at the
/// request's `fieldValidationMode` (default `STRICT`; see `fluxo_aws::check_mock_result`).
/// Resources that are not service integrations (Lambda function and activity ARNs) pass.
pub(super) fn check_mock_result(
    resource: &str,
    result: &Value,
    mode: Option<&str>,
) -> Result<(), ApiError> {
    let mode = match mode {
        None => FieldValidationMode::default(),
        // The model's enum check refuses other values before the action runs.
        Some(text) => FieldValidationMode::parse(text)
            .ok_or_else(|| ApiError::validation(format!("Invalid fieldValidationMode: {text}")))?,
    };
    let Ok(Some(resource)) = ServiceResource::parse(resource) else {
        return Ok(());
    };
    fluxo_aws::check_mock_result(&resource, result, mode)
        .map_err(|problem| ApiError::validation(problem.to_string()))
}
