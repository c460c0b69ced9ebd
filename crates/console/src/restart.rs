//! `POST /console/restart`: Fluxo's restart of a closed execution that did not succeed, from a
//! chosen top-level state with an edited input (the console's *Restart from state* button and
//! `fluxo restart`). Not an AWS action: it is the runtime's redrive
//! (`fluxo_runtime::Runtime::redrive` with a [`fluxo_runtime::Restart`]), recorded in the
//! history as `ExecutionRedriven` whose details add `fluxoRestart` {`fromState`, `input`}
//! (SDKs read `executionRedrivenEventDetails.redriveCount` and ignore the member they do not
//! know). Behind the same origin guard as the rest of the console.
//!
//! Request: JSON `{"executionArn", "fromState", "input"}` (`input` is JSON text, default the
//! execution's own). Answer: `{"redriveDate" (epoch seconds), "redriveCount"}`, or 400 with
//! `{"__type", "message"}` as the API words its errors (`ExecutionDoesNotExist`,
//! `ExecutionNotRedrivable`, `ValidationException`).

use crate::Console;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fluxo_runtime::{Restart, RuntimeError};
use serde::Deserialize;
use serde_json::{json, Value};

/// The largest request accepted: an input of 256 KiB as escaped JSON text, with the rest.
pub const MAX_RESTART_BYTES: usize = 1024 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestartRequest {
    execution_arn: String,
    from_state: String,
    input: Option<String>,
}

/// A JSON answer (axum's `json` feature is off in this workspace).
fn answer(status: StatusCode, body: Value) -> Response {
    let headers = [(axum::http::header::CONTENT_TYPE, "application/json")];
    (status, headers, body.to_string()).into_response()
}

fn refused(kind: &str, message: impl Into<String>) -> Response {
    let body = json!({"__type": kind, "message": message.into()});
    answer(StatusCode::BAD_REQUEST, body)
}

pub async fn restart(State(console): State<Console>, body: axum::body::Bytes) -> Response {
    if body.len() > MAX_RESTART_BYTES {
        return refused("ValidationException", "The request is too large");
    }
    let request: RestartRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return refused("ValidationException", error.to_string()),
    };
    let runtime = &console.runtime;
    let record = match runtime.store().get_execution(&request.execution_arn).await {
        Ok(Some(record)) => record,
        Ok(None) => {
            let message = format!("Execution Does Not Exist: '{}'", request.execution_arn);
            return refused("ExecutionDoesNotExist", message);
        }
        Err(error) => return internal(error.to_string()),
    };
    let text = request.input.unwrap_or(record.input);
    let input: Value = match serde_json::from_str(&text) {
        Ok(input) => input,
        Err(error) => {
            let message = format!("The input is not JSON: {error}");
            return refused("InvalidExecutionInput", message);
        }
    };
    let restart = Restart {
        from_state: request.from_state,
        input,
    };
    let now = jiff::Timestamp::now().as_millisecond();
    match runtime
        .redrive(&request.execution_arn, None, Some(restart), now)
        .await
    {
        Ok(record) => answer(
            StatusCode::OK,
            json!({
                "redriveDate": record.redrive_ms.unwrap_or(now) as f64 / 1000.0,
                "redriveCount": record.redrive_count,
            }),
        ),
        Err(RuntimeError::ExecutionDoesNotExist(arn)) => refused(
            "ExecutionDoesNotExist",
            format!("Execution Does Not Exist: '{arn}'"),
        ),
        Err(RuntimeError::ExecutionNotRedrivable(reason)) => {
            refused("ExecutionNotRedrivable", reason)
        }
        Err(RuntimeError::InvalidRestart(message)) => refused("ValidationException", message),
        Err(other) => internal(other.to_string()),
    }
}

fn internal(message: String) -> Response {
    let body = json!({"__type": "InternalFailure", "message": message});
    answer(StatusCode::INTERNAL_SERVER_ERROR, body)
}
