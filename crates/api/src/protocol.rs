//! The AWS JSON 1.0 protocol's request side: the action named by `X-Amz-Target`
//! (`AWSStepFunctions.<Action>`), and a body that is one JSON object. Everything else a client
//! sends is refused here, before any action runs, with the error AWS gives.

use crate::{ApiError, ErrorCode};
use serde_json::Value;

/// The largest request body accepted: a definition may be up to 1 MiB (1,048,576 characters),
/// and a request holds it as an escaped JSON string with the rest of the request.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The actions this server runs (the Step Functions API reference names 37; the others
/// answer `UnknownOperationException` until they are built).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreateStateMachine,
    DescribeStateMachine,
    UpdateStateMachine,
    DeleteStateMachine,
    ListStateMachines,
    ValidateStateMachineDefinition,
    DescribeStateMachineForExecution,
    StartExecution,
    StartSyncExecution,
    StopExecution,
    DescribeExecution,
    ListExecutions,
    RedriveExecution,
    GetExecutionHistory,
    TagResource,
    UntagResource,
    ListTagsForResource,
    CreateActivity,
    DescribeActivity,
    DeleteActivity,
    ListActivities,
    GetActivityTask,
    SendTaskSuccess,
    SendTaskFailure,
    SendTaskHeartbeat,
    TestState,
    PublishStateMachineVersion,
    ListStateMachineVersions,
    DeleteStateMachineVersion,
    CreateStateMachineAlias,
    DescribeStateMachineAlias,
    UpdateStateMachineAlias,
    DeleteStateMachineAlias,
    ListStateMachineAliases,
    DescribeMapRun,
    ListMapRuns,
    UpdateMapRun,
}

impl Action {
    pub const ALL: [Action; 37] = [
        Action::CreateStateMachine,
        Action::DescribeStateMachine,
        Action::UpdateStateMachine,
        Action::DeleteStateMachine,
        Action::ListStateMachines,
        Action::ValidateStateMachineDefinition,
        Action::DescribeStateMachineForExecution,
        Action::StartExecution,
        Action::StartSyncExecution,
        Action::StopExecution,
        Action::DescribeExecution,
        Action::ListExecutions,
        Action::RedriveExecution,
        Action::GetExecutionHistory,
        Action::TagResource,
        Action::UntagResource,
        Action::ListTagsForResource,
        Action::CreateActivity,
        Action::DescribeActivity,
        Action::DeleteActivity,
        Action::ListActivities,
        Action::GetActivityTask,
        Action::SendTaskSuccess,
        Action::SendTaskFailure,
        Action::SendTaskHeartbeat,
        Action::TestState,
        Action::PublishStateMachineVersion,
        Action::ListStateMachineVersions,
        Action::DeleteStateMachineVersion,
        Action::CreateStateMachineAlias,
        Action::DescribeStateMachineAlias,
        Action::UpdateStateMachineAlias,
        Action::DeleteStateMachineAlias,
        Action::ListStateMachineAliases,
        Action::DescribeMapRun,
        Action::ListMapRuns,
        Action::UpdateMapRun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::CreateStateMachine => "CreateStateMachine",
            Action::DescribeStateMachine => "DescribeStateMachine",
            Action::UpdateStateMachine => "UpdateStateMachine",
            Action::DeleteStateMachine => "DeleteStateMachine",
            Action::ListStateMachines => "ListStateMachines",
            Action::ValidateStateMachineDefinition => "ValidateStateMachineDefinition",
            Action::DescribeStateMachineForExecution => "DescribeStateMachineForExecution",
            Action::StartExecution => "StartExecution",
            Action::StartSyncExecution => "StartSyncExecution",
            Action::StopExecution => "StopExecution",
            Action::DescribeExecution => "DescribeExecution",
            Action::ListExecutions => "ListExecutions",
            Action::RedriveExecution => "RedriveExecution",
            Action::GetExecutionHistory => "GetExecutionHistory",
            Action::TagResource => "TagResource",
            Action::UntagResource => "UntagResource",
            Action::ListTagsForResource => "ListTagsForResource",
            Action::CreateActivity => "CreateActivity",
            Action::DescribeActivity => "DescribeActivity",
            Action::DeleteActivity => "DeleteActivity",
            Action::ListActivities => "ListActivities",
            Action::GetActivityTask => "GetActivityTask",
            Action::SendTaskSuccess => "SendTaskSuccess",
            Action::SendTaskFailure => "SendTaskFailure",
            Action::SendTaskHeartbeat => "SendTaskHeartbeat",
            Action::TestState => "TestState",
            Action::PublishStateMachineVersion => "PublishStateMachineVersion",
            Action::ListStateMachineVersions => "ListStateMachineVersions",
            Action::DeleteStateMachineVersion => "DeleteStateMachineVersion",
            Action::CreateStateMachineAlias => "CreateStateMachineAlias",
            Action::DescribeStateMachineAlias => "DescribeStateMachineAlias",
            Action::UpdateStateMachineAlias => "UpdateStateMachineAlias",
            Action::DeleteStateMachineAlias => "DeleteStateMachineAlias",
            Action::ListStateMachineAliases => "ListStateMachineAliases",
            Action::DescribeMapRun => "DescribeMapRun",
            Action::ListMapRuns => "ListMapRuns",
            Action::UpdateMapRun => "UpdateMapRun",
        }
    }

    fn parse(name: &str) -> Option<Action> {
        Action::ALL
            .into_iter()
            .find(|action| action.as_str() == name)
    }
}

/// A decoded request: its action and its body.
#[derive(Debug)]
pub struct Request {
    pub action: Action,
    pub input: Value,
}

/// Decodes a request from its `X-Amz-Target` header and body. No input makes this panic, hang
/// or allocate more than the body's size (serde_json bounds nesting at 128 levels).
pub fn decode(target: Option<&str>, body: &[u8]) -> Result<Request, ApiError> {
    let unknown = |message: String| ApiError::new(ErrorCode::UnknownOperationException, message);
    let target = target.ok_or_else(|| unknown("Missing the X-Amz-Target header".into()))?;
    let name = target
        .strip_prefix("AWSStepFunctions.")
        .ok_or_else(|| unknown(format!("Unknown target {target}")))?;
    let action = Action::parse(name)
        .ok_or_else(|| unknown(format!("The action {name} is not supported by Fluxo")))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::validation(
            "The request body is larger than the service accepts",
        ));
    }
    let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::serialization(format!("The request body is not valid JSON: {e}"))
        })?
    };
    if !input.is_object() {
        return Err(ApiError::serialization(
            "The request body must be a JSON object",
        ));
    }
    // The service model's constraints, checked as AWS checks them before any action runs.
    fluxo_api_model::validate(action.as_str(), &input).map_err(|error| match error {
        fluxo_api_model::RequestError::Serialization(message) => ApiError::serialization(message),
        fluxo_api_model::RequestError::Validation(message) => ApiError::validation(message),
        fluxo_api_model::RequestError::UnknownOperation(name) => ApiError::new(
            ErrorCode::UnknownOperationException,
            format!("The action {name} is not supported by Fluxo"),
        ),
    })?;
    Ok(Request { action, input })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_decode_or_get_aws_errors() {
        let ok = decode(Some("AWSStepFunctions.ListStateMachines"), b"").unwrap();
        assert_eq!(ok.action, Action::ListStateMachines);
        let code = |target: Option<&str>, body: &[u8]| decode(target, body).unwrap_err().code;
        assert_eq!(code(None, b"{}"), ErrorCode::UnknownOperationException);
        assert_eq!(
            code(Some("AWSStepFunctions.Nope"), b"{}"),
            ErrorCode::UnknownOperationException
        );
        assert_eq!(
            code(Some("AWSStepFunctions.ListStateMachines"), b"[1]"),
            ErrorCode::SerializationException
        );
        let deep = "[".repeat(100_000);
        assert_eq!(
            code(Some("AWSStepFunctions.ListStateMachines"), deep.as_bytes()),
            ErrorCode::SerializationException
        );
    }
}
