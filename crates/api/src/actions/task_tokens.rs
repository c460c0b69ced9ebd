//! SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat (API reference): the answers of
//! activity workers and of `.waitForTaskToken` callbacks.

use crate::wire::{body, parse};
use crate::{Api, ApiError, ErrorCode};
use fluxo_store::TaskOutcome;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SuccessInput {
    task_token: String,
    output: String,
}

pub async fn success(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: SuccessInput = parse(input)?;
    // The output becomes the task's result: it must be JSON (the model bounds its size).
    if serde_json::from_str::<Value>(&input.output).is_err() {
        return Err(ApiError::new(
            ErrorCode::InvalidOutput,
            "Invalid Output: 'The output is not valid JSON'",
        ));
    }
    api.runtime
        .complete_task(&input.task_token, TaskOutcome::Succeeded(input.output))
        .await?;
    body(&json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FailureInput {
    task_token: String,
    error: Option<String>,
    cause: Option<String>,
}

pub async fn failure(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: FailureInput = parse(input)?;
    let outcome = TaskOutcome::Failed {
        error: input.error,
        cause: input.cause,
    };
    api.runtime
        .complete_task(&input.task_token, outcome)
        .await?;
    body(&json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeartbeatInput {
    task_token: String,
}

pub async fn heartbeat(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: HeartbeatInput = parse(input)?;
    api.runtime.heartbeat_task(&input.task_token).await?;
    body(&json!({}))
}
