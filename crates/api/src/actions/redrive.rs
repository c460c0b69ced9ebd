//! RedriveExecution (API reference): a FAILED, ABORTED or TIMED_OUT Standard execution runs
//! again from where it failed (the runtime's `redrive.rs`); the answer is its `redriveDate`.

use crate::wire::{body, now_ms, parse, seconds};
use crate::{Api, ApiError, ErrorCode};
use fluxo_types::arn::{Arn, ResourceType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RedriveInput {
    execution_arn: String,
    client_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RedriveOutput {
    redrive_date: f64,
}

pub async fn redrive(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: RedriveInput = parse(input)?;
    // "This API action is not supported by EXPRESS state machines" (API reference); Fluxo's
    // wording, AWS's answer is not recorded.
    if Arn::parse_as(&input.execution_arn, ResourceType::Express).is_ok() {
        return Err(ApiError::new(
            ErrorCode::ExecutionNotRedrivable,
            "Executions of EXPRESS state machines cannot be redriven",
        ));
    }
    crate::wire::check_arn(&input.execution_arn, ResourceType::Execution)?;
    let record = api
        .runtime
        .redrive(&input.execution_arn, input.client_token, None, now_ms())
        .await?;
    body(&RedriveOutput {
        redrive_date: seconds(record.redrive_ms.unwrap_or_else(now_ms)),
    })
}
