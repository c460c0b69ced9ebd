//! Step Functions' own API for Task states (`arn:aws:states:::aws-sdk:sfn:ACTION`), answered
//! by this runtime instead of a call over the network: an execution can be an activity worker
//! (`getActivityTask`) or answer a callback (`sendTaskSuccess`, `sendTaskFailure`,
//! `sendTaskHeartbeat`), and look after other executions (`startExecution`,
//! `describeExecution`, `listExecutions`, `stopExecution`: `own_executions.rs`). Parameters and
//! results use the SDK's names (`ActivityArn`,
//! `TaskToken`, `Input`), and failures are named as the AWS SDK integration names them
//! (recorded case `services/aws_sdk_task_service__test_sfn_send_task_outcome_with_no_such_token*`:
//! `Sfn.InvalidTokenException`, cause `Invalid Token: 'Invalid token' (Service: Sfn, Status
//! Code: 400, Request ID: …) (SDK Attempt Count: 1)`).

use crate::activities::MAX_POLL;
use crate::{Runtime, RuntimeError};
use fluxo_engine::{Nested, TaskFailure};
use fluxo_store::{TaskOutcome, TaskRecord};
use serde_json::{json, Value};
use std::sync::Arc;

/// The actions of the Step Functions API that a Task state can call on this Fluxo through
/// `aws-sdk:sfn` (`states:startExecution` is answered too, see `nested.rs`, as the action
/// `states:startExecution`).
pub const OWN_ACTIONS: [&str; 8] = [
    "startExecution",
    "describeExecution",
    "listExecutions",
    "stopExecution",
    "getActivityTask",
    "sendTaskSuccess",
    "sendTaskFailure",
    "sendTaskHeartbeat",
];

/// A parameter that must be a string.
pub(crate) fn text(parameters: &Value, name: &str) -> Result<String, TaskFailure> {
    match parameters.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        _ => Err(TaskFailure {
            error: "Sfn.SfnException".into(),
            cause: Some(format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must not be null (Service: Sfn, Status Code: 400) (SDK Attempt Count: 1)",
                name[..1].to_lowercase() + &name[1..]
            )),
        }),
    }
}

/// An API error as the SDK integration reports it.
pub(crate) fn sdk_failure(error: RuntimeError) -> TaskFailure {
    let code = match &error {
        RuntimeError::InvalidToken => "InvalidToken",
        RuntimeError::TaskTimedOut => "TaskTimedOut",
        RuntimeError::TaskDoesNotExist => "TaskDoesNotExist",
        RuntimeError::ActivityDoesNotExist(_) => "ActivityDoesNotExist",
        RuntimeError::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
        RuntimeError::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
        RuntimeError::ExecutionDoesNotExist(_) => "ExecutionDoesNotExist",
        _ => "Sfn",
    };
    TaskFailure {
        error: format!("Sfn.{code}Exception"),
        cause: Some(format!(
            "{error} (Service: Sfn, Status Code: 400, Request ID: {}) (SDK Attempt Count: 1)",
            uuid::Uuid::new_v4()
        )),
    }
}

/// A date as the AWS SDK integration gives it (recorded case
/// `services/aws_sdk_task_service__test_sfn_start_execution`).
pub(crate) fn sdk_date(epoch_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(epoch_ms)
        .unwrap_or_default()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Runtime {
    /// Runs one of [`OWN_ACTIONS`].
    pub(crate) async fn own_api(
        self: &Arc<Self>,
        action: &str,
        parameters: Value,
        link: Option<(Nested, TaskRecord)>,
    ) -> Result<Value, TaskFailure> {
        let outcome = match action {
            "states:startExecution" => return self.start_nested(parameters, link).await,
            // The AWS SDK integration's answer: the API's output with the SDK's member names,
            // the start as a date (recorded case
            // `services/aws_sdk_task_service__test_sfn_start_execution`).
            "startExecution" => {
                let child = self
                    .start_child(parameters, None)
                    .await
                    .map_err(sdk_failure)?;
                let started = sdk_date(child.started_ms);
                return Ok(json!({"ExecutionArn": child.arn, "StartDate": started}));
            }
            "describeExecution" => return self.describe_for_task(&parameters).await,
            "listExecutions" => return self.list_for_task(&parameters).await,
            "stopExecution" => return self.stop_for_task(&parameters).await,
            "getActivityTask" => {
                let arn = text(&parameters, "ActivityArn")?;
                let worker = text(&parameters, "WorkerName").ok();
                let task = self
                    .poll_activity(&arn, worker, MAX_POLL)
                    .await
                    .map_err(sdk_failure)?;
                return Ok(match task {
                    Some(task) => json!({"Input": task.input, "TaskToken": task.token}),
                    None => json!({}),
                });
            }
            "sendTaskSuccess" => TaskOutcome::Succeeded(text(&parameters, "Output")?),
            "sendTaskFailure" => TaskOutcome::Failed {
                error: text(&parameters, "Error").ok(),
                cause: text(&parameters, "Cause").ok(),
            },
            "sendTaskHeartbeat" => {
                let token = text(&parameters, "TaskToken")?;
                self.heartbeat_task(&token).await.map_err(sdk_failure)?;
                return Ok(json!({}));
            }
            other => {
                return Err(TaskFailure {
                    error: "States.Runtime".into(),
                    cause: Some(format!(
                        "Fluxo does not run the Step Functions action {other}"
                    )),
                })
            }
        };
        let token = text(&parameters, "TaskToken")?;
        self.complete_task(&token, outcome)
            .await
            .map_err(sdk_failure)?;
        Ok(json!({}))
    }
}
