//! StartExecution, StartSyncExecution, StopExecution, DescribeExecution, ListExecutions (API
//! reference). Standard executions are durable through the runtime; Express ones run in
//! memory.

use super::{execution, state_machine};
use crate::paging::page;
use crate::wire::{body, check_arn, check_name, now_ms, parse, seconds, Included, INCLUDED};
use crate::{Api, ApiError, ErrorCode};
use fluxo_runtime::ExecutionInput;
use fluxo_types::arn::ResourceType;
use fluxo_types::{ExecutionStatus, StateMachineType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// AWS's limit on execution input, in bytes ("Step Functions service quotas").
const MAX_INPUT_BYTES: usize = 256 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartInput {
    state_machine_arn: String,
    name: Option<String>,
    input: Option<String>,
}

fn not_supported() -> ApiError {
    ApiError::new(
        ErrorCode::StateMachineTypeNotSupported,
        "This operation is not supported by this type of state machine",
    )
}

/// The execution name (given or generated) and its input, checked as AWS checks them and
/// parsed once.
fn name_and_input(input: &mut StartInput) -> Result<(String, ExecutionInput), ApiError> {
    let name = input
        .name
        .take()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    check_name(&name)?;
    let text = input.input.take().unwrap_or_else(|| "{}".into());
    if text.len() > MAX_INPUT_BYTES {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to {MAX_INPUT_BYTES}"
        )));
    }
    let value = serde_json::from_str::<Value>(&text).map_err(|error| {
        ApiError::new(
            ErrorCode::InvalidExecutionInput,
            format!(
                "Invalid State Machine Execution Input: '{}'",
                input_error(&error)
            ),
        )
    })?;
    Ok((name, ExecutionInput { text, value }))
}

/// AWS parses inputs with Jackson and quotes its message; the common cases in its words.
fn input_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if message.starts_with("expected value") {
        return "Unrecognized token: was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')".into();
    }
    if message.starts_with("key must be a string") {
        return "Unexpected character: was expecting double-quote to start field name".into();
    }
    message
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartOutput {
    execution_arn: String,
    start_date: f64,
}

pub async fn start(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let mut input: StartInput = parse(input)?;
    check_arn(&input.state_machine_arn, ResourceType::StateMachine)?;
    let machine = api
        .runtime
        .state_machine(&input.state_machine_arn, false)
        .await?;
    let (name, execution_input) = name_and_input(&mut input)?;
    if machine.record.kind == StateMachineType::Express {
        // At most once, in memory: nothing of it is stored.
        let (arn, started) = api
            .runtime
            .start_express(&machine, &name, execution_input.value);
        return body(&StartOutput {
            execution_arn: arn,
            start_date: seconds(started),
        });
    }
    let started = api
        .runtime
        .start(&machine, &name, execution_input, now_ms())
        .await?;
    body(&StartOutput {
        execution_arn: started.arn,
        start_date: seconds(started.started_ms),
    })
}

/// `StartSyncExecution`'s answer, serialized straight from its fields: it is the one response
/// on the hot path.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncOutput {
    execution_arn: String,
    state_machine_arn: String,
    name: String,
    start_date: f64,
    stop_date: f64,
    status: ExecutionStatus,
    input: String,
    input_details: Included,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_details: Option<Included>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
    billing_details: BillingDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BillingDetails {
    #[serde(rename = "billedMemoryUsedInMB")]
    billed_memory_used_in_mb: u64,
    billed_duration_in_milliseconds: i64,
}

pub async fn start_sync(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let mut input: StartInput = parse(input)?;
    check_arn(&input.state_machine_arn, ResourceType::StateMachine)?;
    let machine = api
        .runtime
        .state_machine(&input.state_machine_arn, true)
        .await?;
    if machine.record.kind != StateMachineType::Express {
        return Err(not_supported());
    }
    let (name, execution_input) = name_and_input(&mut input)?;
    let outcome = api
        .runtime
        .run_sync_express(&machine, &name, execution_input.value)
        .await;
    let elapsed = (outcome.stopped_ms - outcome.started_ms).max(1);
    body(&SyncOutput {
        execution_arn: outcome.execution_arn,
        state_machine_arn: machine.record.arn.clone(),
        name,
        start_date: seconds(outcome.started_ms),
        stop_date: seconds(outcome.stopped_ms),
        status: outcome.status,
        input: execution_input.text,
        input_details: INCLUDED,
        output_details: outcome.output.is_some().then_some(INCLUDED),
        output: outcome.output,
        error: outcome.error,
        cause: outcome.cause,
        billing_details: BillingDetails {
            billed_memory_used_in_mb: 64,
            // Express executions are billed in 100 ms increments.
            billed_duration_in_milliseconds: (elapsed + 99) / 100 * 100,
        },
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StopInput {
    execution_arn: String,
    error: Option<String>,
    cause: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StopOutput {
    stop_date: f64,
}

pub async fn stop(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: StopInput = parse(input)?;
    execution(api, &input.execution_arn).await?;
    let stopped = api
        .runtime
        .stop(&input.execution_arn, input.error, input.cause, now_ms())
        .await?;
    body(&StopOutput {
        stop_date: seconds(stopped.stopped_ms.unwrap_or_else(now_ms)),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionArnInput {
    pub execution_arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Description {
    execution_arn: String,
    state_machine_arn: String,
    name: String,
    status: ExecutionStatus,
    start_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_date: Option<f64>,
    input: String,
    input_details: Included,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_details: Option<Included>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
    redrive_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    redrive_date: Option<f64>,
    redrive_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    redrive_status_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_machine_version_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_machine_alias_arn: Option<String>,
    /// A distributed Map's child execution: the Map Run that dispatched it.
    #[serde(skip_serializing_if = "Option::is_none")]
    map_run_arn: Option<String>,
}

pub async fn describe(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ExecutionArnInput = parse(input)?;
    let record = execution(api, &input.execution_arn).await?;
    let facts = api.runtime.redrive_facts(&record, now_ms()).await?;
    let redrive = fluxo_runtime::redrive_status(&record, facts);
    body(&Description {
        redrive_count: record.redrive_count,
        redrive_date: record.redrive_ms.map(seconds),
        redrive_status: redrive.as_str(),
        redrive_status_reason: redrive.reason(),
        execution_arn: record.arn,
        state_machine_arn: record.state_machine_arn,
        name: record.name,
        status: record.status,
        start_date: seconds(record.started_ms),
        stop_date: record.stopped_ms.map(seconds),
        input: record.input,
        input_details: INCLUDED,
        output_details: record.output.is_some().then_some(INCLUDED),
        output: record.output,
        error: record.error,
        cause: record.cause,
        state_machine_version_arn: record.version_arn,
        state_machine_alias_arn: record.alias_arn,
        map_run_arn: record.map_run_arn,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    state_machine_arn: Option<String>,
    map_run_arn: Option<String>,
    status_filter: Option<ExecutionStatus>,
    redrive_filter: Option<RedriveFilter>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListExecutions' `redriveFilter` (API reference, `ExecutionRedriveFilter`).
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum RedriveFilter {
    Redriven,
    NotRedriven,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListItem {
    execution_arn: String,
    state_machine_arn: String,
    name: String,
    status: ExecutionStatus,
    start_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_date: Option<f64>,
    redrive_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    redrive_date: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_machine_version_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_machine_alias_arn: Option<String>,
    /// A distributed Map's child execution: its Map Run.
    #[serde(skip_serializing_if = "Option::is_none")]
    map_run_arn: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput {
    executions: Vec<ListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn list(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let status_filter = input.get("statusFilter").cloned();
    let input: ListInput = parse(input).map_err(|error| match status_filter {
        Some(Value::String(status)) if status.parse::<ExecutionStatus>().is_err() => {
            ApiError::validation(format!(
                "1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"
            ))
        }
        _ => error,
    })?;
    // "You can specify either a mapRunArn or a stateMachineArn, but not both" (API
    // reference, ListExecutions).
    let listed_by = match (&input.state_machine_arn, &input.map_run_arn) {
        // A version or alias ARN lists the executions that ran that version or went through
        // that alias.
        (Some(arn), None) => {
            check_arn(arn, ResourceType::StateMachine)?;
            let machine = fluxo_types::arn::unqualified(arn);
            if state_machine(api, machine).await?.kind == StateMachineType::Express {
                return Err(not_supported());
            }
            arn
        }
        // A Map Run's child executions.
        (None, Some(arn)) => {
            super::map_runs::map_run(api, arn).await?;
            arn
        }
        _ => {
            return Err(ApiError::validation(
                "Exactly one of stateMachineArn and mapRunArn must be given",
            ))
        }
    };
    let listed = api
        .runtime
        .store()
        .list_executions(
            listed_by,
            fluxo_store::ExecutionFilter {
                status: input.status_filter,
                redriven: input
                    .redrive_filter
                    .map(|filter| matches!(filter, RedriveFilter::Redriven)),
            },
            page(input.max_results, input.next_token)?,
        )
        .await?;
    body(&ListOutput {
        executions: listed
            .items
            .into_iter()
            .map(|e| ListItem {
                execution_arn: e.arn,
                state_machine_arn: e.state_machine_arn,
                name: e.name,
                status: e.status,
                start_date: seconds(e.started_ms),
                stop_date: e.stopped_ms.map(seconds),
                redrive_count: e.redrive_count,
                redrive_date: e.redrive_ms.map(seconds),
                state_machine_version_arn: e.version_arn,
                state_machine_alias_arn: e.alias_arn,
                map_run_arn: e.map_run_arn,
            })
            .collect(),
        next_token: listed.next_token,
    })
}
