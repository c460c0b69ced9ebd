//! Nested executions: `arn:aws:states:::states:startExecution` with `.sync`, `.sync:2` and
//! `.waitForTaskToken`, run by this runtime (Step Functions developer guide, "Start a new AWS
//! Step Functions state machine from a running execution"), with the shapes of the recorded
//! cases `callbacks/callback__test_start_execution_sync*`.
//!
//! A `.sync` parent waits on a task opened together with the child: the task's input names the
//! child (`{"childExecutionArn", "nested"}`), and a second stored record, keyed by the child's
//! ARN ([`link_key`]), names the parent's task. When the child ends (or is stopped), the runtime
//! that recorded its end completes the parent's task from the child's stored status, which
//! makes the parent's timer due: a parent that left memory, or whose node restarted, is woken
//! at once, not by polling. A loaded parent also hears of the end in memory and completes the
//! task itself if it gets there first (the store ends a task once); a parent still looks at its
//! child every hour, for the moment between the child's last commit and its parent's
//! completion that a crash could cut.

use crate::{ExecutionInput, Runtime, RuntimeError};
use fluxo_engine::{Nested, TaskFailure};
use fluxo_store::{ExecutionRecord, TaskOutcome, TaskRecord};
use fluxo_types::ExecutionStatus;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The link a nested `.sync` task keeps in its input.
pub(crate) fn child_of(task: &TaskRecord) -> Option<(String, Nested)> {
    let link: Value = serde_json::from_str(&task.input).ok()?;
    let child = link.get("childExecutionArn")?.as_str()?.to_string();
    let nested = match link.get("nested")?.as_str()? {
        "sync:2" => Nested::Sync2,
        _ => Nested::Sync,
    };
    Some((child, nested))
}

/// The key of the stored record that links a child execution to its `.sync` parent's task
/// (a task record no worker can claim, forgotten with the parent's other tasks).
fn link_key(child_arn: &str) -> String {
    format!("nested-child:{child_arn}")
}

/// The link record of a child started by the task `parent`.
fn link_of(child_arn: &str, parent: &TaskRecord) -> TaskRecord {
    TaskRecord {
        token: link_key(child_arn),
        execution_arn: parent.execution_arn.clone(),
        activity_arn: None,
        input: json!({"parentTaskToken": parent.token}).to_string(),
        scheduled_ms: parent.scheduled_ms,
        timeout_at_ms: None,
        heartbeat_seconds: None,
        heartbeat_at_ms: None,
        started_ms: None,
        worker_name: None,
        outcome: None,
        completed_ms: None,
    }
}

/// A child's name derived from its parent's task token: the same on a replay.
fn name_from(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    uuid::Builder::from_random_bytes(digest[..16].try_into().unwrap_or_default())
        .into_uuid()
        .to_string()
}

fn failure(error: RuntimeError) -> TaskFailure {
    let code = match &error {
        RuntimeError::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
        RuntimeError::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
        _ => "Sfn",
    };
    TaskFailure {
        error: format!("StepFunctions.{code}Exception"),
        cause: Some(format!(
            "{error} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; Request ID: {}; Proxy: null)",
            uuid::Uuid::new_v4()
        )),
    }
}

/// `StartExecution`'s answer as the optimized integration returns it.
fn started_answer(child: &ExecutionRecord) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    let seconds = child.started_ms as f64 / 1000.0;
    let body = json!({"executionArn": child.arn, "startDate": seconds}).to_string();
    let length = body.len().to_string();
    let date = jiff::Timestamp::now()
        .strftime("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    json!({
        "ExecutionArn": child.arn,
        "StartDate": child.started_ms,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {"x-amzn-RequestId": [request_id], "connection": ["keep-alive"],
                               "Content-Length": [length], "Date": [date],
                               "Content-Type": ["application/x-amz-json-1.0"]},
            "HttpHeaders": {"connection": "keep-alive", "Content-Length": length,
                            "Content-Type": "application/x-amz-json-1.0", "Date": date,
                            "x-amzn-RequestId": request_id},
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": {"RequestId": request_id}
    })
}

/// `DescribeExecution`'s answer as a `.sync` task returns it, once the child has ended.
pub(crate) fn outcome_of(child: &ExecutionRecord, nested: Nested) -> Option<TaskOutcome> {
    if child.status == ExecutionStatus::Running {
        return None;
    }
    let as_json = |text: &str| serde_json::from_str(text).unwrap_or(Value::Null);
    let mut described = Map::new();
    described.insert("ExecutionArn".into(), json!(child.arn));
    let input = match nested {
        Nested::Sync => json!(child.input),
        Nested::Sync2 => as_json(&child.input),
    };
    described.insert("Input".into(), input);
    described.insert("InputDetails".into(), json!({"Included": true}));
    described.insert("Name".into(), json!(child.name));
    described.insert("StartDate".into(), json!(child.started_ms));
    described.insert("StateMachineArn".into(), json!(child.state_machine_arn));
    described.insert("Status".into(), json!(child.status.as_str()));
    if let Some(stopped) = child.stopped_ms {
        described.insert("StopDate".into(), json!(stopped));
    }
    if child.status == ExecutionStatus::Succeeded {
        let output = child.output.as_deref().unwrap_or("null");
        let output = match nested {
            Nested::Sync => json!(output),
            Nested::Sync2 => as_json(output),
        };
        described.insert("Output".into(), output);
        described.insert("OutputDetails".into(), json!({"Included": true}));
        return Some(TaskOutcome::Succeeded(Value::Object(described).to_string()));
    }
    if let Some(error) = &child.error {
        described.insert("Error".into(), json!(error));
    }
    if let Some(cause) = &child.cause {
        described.insert("Cause".into(), json!(cause));
    }
    Some(TaskOutcome::Failed {
        error: Some("States.TaskFailed".into()),
        cause: Some(Value::Object(described).to_string()),
    })
}

impl Runtime {
    /// `states:startExecution` for a Task state; with `parent` (`.sync`, `.sync:2`), the
    /// parent's task is opened linked to the child first. The answer and the failures in the
    /// optimized integration's shapes.
    pub(crate) async fn start_nested(
        self: &Arc<Self>,
        parameters: Value,
        parent: Option<(Nested, TaskRecord)>,
    ) -> Result<Value, TaskFailure> {
        let child = self
            .start_child(parameters, parent)
            .await
            .map_err(failure)?;
        Ok(started_answer(&child))
    }

    /// Starts the execution that `StartExecution`'s parameters (`StateMachineArn`, `Name`,
    /// `Input` as JSON text or as a value) describe, for a Task state.
    pub(crate) async fn start_child(
        self: &Arc<Self>,
        parameters: Value,
        parent: Option<(Nested, TaskRecord)>,
    ) -> Result<ExecutionRecord, RuntimeError> {
        let machine_arn = parameters
            .get("StateMachineArn")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let name = match (parameters.get("Name").and_then(Value::as_str), &parent) {
            (Some(name), _) => name.to_string(),
            (None, Some((_, task))) => name_from(&task.token),
            (None, None) => uuid::Uuid::new_v4().to_string(),
        };
        let text = match parameters.get("Input") {
            None | Some(Value::Null) => "{}".to_string(),
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        };
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let machine = self.state_machine(&machine_arn, false).await?;
        let child_arn = fluxo_types::arn::execution_of(&machine.record.arn, &name);
        if let Some((nested, mut task)) = parent {
            let link = match nested {
                Nested::Sync => "sync",
                Nested::Sync2 => "sync:2",
            };
            task.input = json!({"childExecutionArn": child_arn, "nested": link}).to_string();
            self.store.open_task(link_of(&child_arn, &task)).await?;
            self.store.open_task(task).await?;
        }
        let input = ExecutionInput { text, value };
        let now = jiff::Timestamp::now().as_millisecond();
        match self.start(&machine, &name, input, now).await {
            Ok(child) => Ok(child),
            // A replay starts its child again: the one of that name is it.
            Err(RuntimeError::ExecutionAlreadyExists(arn)) if arn == child_arn => self
                .store
                .get_execution(&arn)
                .await?
                .ok_or(RuntimeError::ExecutionDoesNotExist(arn)),
            Err(error) => Err(error),
        }
    }

    /// Completes the task of the `.sync` parent waiting on `child`, which has just ended, and
    /// wakes the parent now (see the module's comment). Nothing when no parent waits on it.
    pub(crate) async fn child_ended(self: &Arc<Self>, child: &str) {
        if let Some(parent) = self.tell_parent(child).await {
            if let Err(error) = self.wake(&parent).await {
                tracing::warn!(%error, child, "cannot wake a .sync parent");
            }
        }
    }

    /// Completes the task of the `.sync` parent waiting on `child` if `child` has ended: the
    /// store makes the parent's timer due (the timer loop resumes it); returns the parent.
    pub(crate) async fn tell_parent(&self, child: &str) -> Option<String> {
        match self.complete_parent(child).await {
            Ok(parent) => parent,
            Err(error) => {
                tracing::warn!(%error, child, "cannot tell a .sync parent that its child ended");
                None
            }
        }
    }

    async fn complete_parent(&self, child: &str) -> Result<Option<String>, RuntimeError> {
        let key = link_key(child);
        let Some(link) = self.store.get_task(&key).await? else {
            return Ok(None);
        };
        let parent_token = serde_json::from_str::<Value>(&link.input)
            .ok()
            .and_then(|link| link["parentTaskToken"].as_str().map(str::to_string));
        let Some(parent_token) = parent_token else {
            return Ok(None);
        };
        let nested = self
            .store
            .get_task(&parent_token)
            .await?
            .as_ref()
            .and_then(child_of)
            .map(|(_, nested)| nested);
        let record = self.store.get_execution(child).await?;
        let outcome = record.zip(nested).and_then(|(r, n)| outcome_of(&r, n));
        if let Some(outcome) = outcome {
            let now_ms = jiff::Timestamp::now().as_millisecond();
            // Refused when the parent's task has already ended: nothing to do then.
            let _ = self
                .store
                .complete_task(parent_token.clone(), outcome, now_ms)
                .await?;
            self.hub.notify_all(&parent_token);
        } else if nested.is_some() {
            // The child still runs (a stop that did not take): the link stays.
            return Ok(None);
        }
        self.store.close_task(&key).await?;
        Ok(Some(link.execution_arn))
    }
}
