//! `aws-sdk:sfn:describeExecution`, `listExecutions` and `stopExecution` for Task states: a
//! state machine that looks after other executions of this Fluxo (the published samples that
//! list the executions of a state machine, or stop one). The answers are the API's with the
//! SDK's member names (`ExecutionArn`, `StartDate`...), as the AWS SDK integrations give them.

use crate::own_api::{sdk_date, sdk_failure, text};
use crate::{Runtime, RuntimeError};
use fluxo_engine::TaskFailure;
use fluxo_store::{ExecutionFilter, ExecutionRecord, Page};
use fluxo_types::ExecutionStatus;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The page size ListExecutions takes when `MaxResults` is absent or 0 (API reference), and
/// the most it takes.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

fn store_failure(error: fluxo_store::StoreError) -> TaskFailure {
    sdk_failure(RuntimeError::Store(error))
}

/// The fields every execution shows, with the SDK's names.
fn summary(record: &ExecutionRecord) -> Map<String, Value> {
    let mut item = Map::new();
    item.insert("ExecutionArn".into(), json!(record.arn));
    item.insert("StateMachineArn".into(), json!(record.state_machine_arn));
    item.insert("Name".into(), json!(record.name));
    item.insert("Status".into(), json!(record.status.as_str()));
    item.insert("StartDate".into(), json!(sdk_date(record.started_ms)));
    if let Some(stopped) = record.stopped_ms {
        item.insert("StopDate".into(), json!(sdk_date(stopped)));
    }
    item.insert("RedriveCount".into(), json!(record.redrive_count));
    for (key, value) in [
        ("StateMachineVersionArn", &record.version_arn),
        ("StateMachineAliasArn", &record.alias_arn),
        ("MapRunArn", &record.map_run_arn),
    ] {
        if let Some(value) = value {
            item.insert(key.into(), json!(value));
        }
    }
    item
}

impl Runtime {
    async fn execution_for_task(&self, arn: &str) -> Result<ExecutionRecord, TaskFailure> {
        self.store
            .get_execution(arn)
            .await
            .map_err(store_failure)?
            .ok_or_else(|| sdk_failure(RuntimeError::ExecutionDoesNotExist(arn.to_string())))
    }

    /// `describeExecution`: `ExecutionArn` → the execution, with its input and its output,
    /// error or cause.
    pub(crate) async fn describe_for_task(&self, parameters: &Value) -> Result<Value, TaskFailure> {
        let arn = text(parameters, "ExecutionArn")?;
        let record = self.execution_for_task(&arn).await?;
        let mut described = summary(&record);
        described.insert("Input".into(), json!(record.input));
        described.insert("InputDetails".into(), json!({"Included": true}));
        if let Some(output) = &record.output {
            described.insert("Output".into(), json!(output));
            described.insert("OutputDetails".into(), json!({"Included": true}));
        }
        for (key, value) in [("Error", &record.error), ("Cause", &record.cause)] {
            if let Some(value) = value {
                described.insert(key.into(), json!(value));
            }
        }
        Ok(Value::Object(described))
    }

    /// `listExecutions`: `StateMachineArn` (or a version, an alias, a `MapRunArn`) with
    /// `StatusFilter`, `MaxResults` and `NextToken` → `Executions`, newest first, and
    /// `NextToken` when there are more.
    pub(crate) async fn list_for_task(&self, parameters: &Value) -> Result<Value, TaskFailure> {
        let listed_by = match (
            text(parameters, "StateMachineArn").ok(),
            text(parameters, "MapRunArn").ok(),
        ) {
            (Some(machine), None) => {
                let unqualified = fluxo_types::arn::unqualified(&machine).to_string();
                self.store
                    .get_state_machine(&unqualified)
                    .await
                    .map_err(store_failure)?
                    .ok_or_else(|| {
                        sdk_failure(RuntimeError::StateMachineDoesNotExist(unqualified))
                    })?;
                machine
            }
            (None, Some(map_run)) => {
                self.store
                    .get_map_run(&map_run)
                    .await
                    .map_err(store_failure)?
                    .ok_or_else(|| TaskFailure {
                        error: "Sfn.ResourceNotFoundException".into(),
                        cause: Some(format!(
                            "Resource not found: '{map_run}' (Service: Sfn, Status Code: 400) (SDK Attempt Count: 1)"
                        )),
                    })?;
                map_run
            }
            _ => {
                return Err(TaskFailure {
                    error: "Sfn.SfnException".into(),
                    cause: Some(
                        "Exactly one of StateMachineArn and MapRunArn must be given (Service: Sfn, Status Code: 400) (SDK Attempt Count: 1)".into(),
                    ),
                })
            }
        };
        let status = match parameters.get("StatusFilter").and_then(Value::as_str) {
            Some(status) => Some(status.parse::<ExecutionStatus>().map_err(|_| TaskFailure {
                // A validation error, as `text` reports one.
                error: "Sfn.SfnException".into(),
                cause: Some(format!(
                    "1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE] (Service: Sfn, Status Code: 400) (SDK Attempt Count: 1)"
                )),
            })?),
            None => None,
        };
        let size = match parameters.get("MaxResults").and_then(Value::as_u64) {
            None | Some(0) => DEFAULT_PAGE,
            Some(size) => (size as usize).min(MAX_PAGE),
        };
        let token = text(parameters, "NextToken").ok();
        let listed = self
            .store
            .list_executions(
                &listed_by,
                ExecutionFilter {
                    status,
                    redriven: None,
                },
                Page::new(size, token),
            )
            .await
            .map_err(store_failure)?;
        let executions: Vec<Value> = listed
            .items
            .iter()
            .map(|record| Value::Object(summary(record)))
            .collect();
        let mut answer = json!({ "Executions": executions });
        if let Some(token) = listed.next_token {
            answer["NextToken"] = json!(token);
        }
        Ok(answer)
    }

    /// `stopExecution`: `ExecutionArn` with `Error` and `Cause` → `StopDate`.
    pub(crate) async fn stop_for_task(
        self: &Arc<Self>,
        parameters: &Value,
    ) -> Result<Value, TaskFailure> {
        // `stop` answers ExecutionDoesNotExist itself.
        let arn = text(parameters, "ExecutionArn")?;
        let now_ms = jiff::Timestamp::now().as_millisecond();
        // In a task of its own: the execution stopped may be this one (or its `.sync` parent,
        // whose stop stops this one), whose driver the stop cancels and then waits for; from
        // inside that driver the stop would be cancelled half-way and never record the end.
        let runtime = self.clone();
        let (error, cause) = (
            text(parameters, "Error").ok(),
            text(parameters, "Cause").ok(),
        );
        let stop = tokio::spawn(async move { runtime.stop(&arn, error, cause, now_ms).await });
        let stopped = match stop.await {
            Ok(stopped) => stopped.map_err(sdk_failure)?,
            Err(_) => {
                return Err(TaskFailure {
                    error: "States.Runtime".into(),
                    cause: Some("the stop of the execution did not complete".into()),
                })
            }
        };
        Ok(json!({"StopDate": sdk_date(stopped.stopped_ms.unwrap_or(now_ms))}))
    }
}
