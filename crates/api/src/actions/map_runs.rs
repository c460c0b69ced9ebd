//! DescribeMapRun, ListMapRuns, UpdateMapRun (API reference): the Map Runs of distributed Map
//! states, as the engine reports them to the store. Item and child execution counts are kept
//! apart (`itemCounts`, `executionCounts`); `failuresNotRedrivable` and `pendingRedrive`, which
//! only redrive makes non-zero, are left out while they are zero, as in the recorded answer
//! (`api_map_run/sfn_api_map_run__test_list_map_runs_and_describe_map_run`, from before
//! redrive existed).

use super::execution;
use super::versions::token_error;
use crate::paging::page;
use crate::wire::{body, check_arn, parse, seconds};
use crate::{Api, ApiError, ErrorCode};
use fluxo_store::MapRunUpdate;
use fluxo_types::arn::ResourceType;
use fluxo_types::map_run::{MapRunCounts, MapRunRecord, MapRunStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Counts {
    pending: u64,
    running: u64,
    succeeded: u64,
    failed: u64,
    timed_out: u64,
    aborted: u64,
    total: u64,
    results_written: u64,
    #[serde(skip_serializing_if = "is_zero")]
    failures_not_redrivable: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pending_redrive: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl From<MapRunCounts> for Counts {
    fn from(c: MapRunCounts) -> Self {
        Counts {
            pending: c.pending,
            running: c.running,
            succeeded: c.succeeded,
            failed: c.failed,
            timed_out: c.timed_out,
            aborted: c.aborted,
            total: c.total,
            results_written: c.results_written,
            failures_not_redrivable: c.failures_not_redrivable,
            pending_redrive: c.pending_redrive,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeInput {
    map_run_arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeOutput {
    map_run_arn: String,
    execution_arn: String,
    status: &'static str,
    start_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_date: Option<f64>,
    max_concurrency: u64,
    tolerated_failure_percentage: f64,
    tolerated_failure_count: u64,
    item_counts: Counts,
    execution_counts: Counts,
    /// Shown once the run was redriven (the recorded `DescribeMapRun` of a run never
    /// redriven has neither field: `api_map_run/sfn_api_map_run__test_list_map_runs_and_describe_map_run`).
    #[serde(skip_serializing_if = "Option::is_none")]
    redrive_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redrive_date: Option<f64>,
}

/// The Map Run `arn`; `ResourceNotFound` when there is none.
pub(crate) async fn map_run(api: &Api, arn: &str) -> Result<MapRunRecord, ApiError> {
    check_arn(arn, ResourceType::MapRun)?;
    api.runtime
        .store()
        .get_map_run(arn)
        .await?
        .ok_or_else(|| not_found(arn))
}

fn not_found(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        format!("Resource not found: '{arn}'"),
    )
}

pub async fn describe(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: DescribeInput = parse(input)?;
    let run = map_run(api, &input.map_run_arn).await?;
    body(&DescribeOutput {
        status: run.status.as_str(),
        start_date: seconds(run.start_ms),
        stop_date: run.stop_ms.map(seconds),
        max_concurrency: run.limits.max_concurrency,
        tolerated_failure_percentage: run.limits.tolerated_failure_percentage,
        tolerated_failure_count: run.limits.tolerated_failure_count,
        item_counts: run.item_counts.into(),
        execution_counts: run.execution_counts.into(),
        redrive_count: (run.redrive_count > 0).then_some(run.redrive_count),
        redrive_date: run.redrive_ms.map(seconds),
        map_run_arn: run.arn,
        execution_arn: run.execution_arn,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    execution_arn: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListItem {
    execution_arn: String,
    map_run_arn: String,
    state_machine_arn: String,
    start_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_date: Option<f64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput {
    map_runs: Vec<ListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn list(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ListInput = parse(input)?;
    let execution = execution(api, &input.execution_arn).await?;
    let listed = api
        .runtime
        .store()
        .list_map_runs(&execution.arn, page(input.max_results, input.next_token)?)
        .await
        .map_err(token_error)?;
    body(&ListOutput {
        map_runs: listed
            .items
            .into_iter()
            .map(|run| ListItem {
                start_date: seconds(run.start_ms),
                stop_date: run.stop_ms.map(seconds),
                execution_arn: run.execution_arn,
                map_run_arn: run.arn,
                state_machine_arn: run.state_machine_arn,
            })
            .collect(),
        next_token: listed.next_token,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateInput {
    map_run_arn: String,
    max_concurrency: Option<u64>,
    tolerated_failure_percentage: Option<f64>,
    tolerated_failure_count: Option<u64>,
}

/// Changes a running Map Run's limits; the run takes them at its next report (within a
/// fraction of a second). The model bounds the values (`maxConcurrency` ≥ 0, the percentage
/// 0 to 100, the count ≥ 0) before this runs.
pub async fn update(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: UpdateInput = parse(input)?;
    let run = map_run(api, &input.map_run_arn).await?;
    if input.max_concurrency.is_none()
        && input.tolerated_failure_percentage.is_none()
        && input.tolerated_failure_count.is_none()
    {
        return Err(ApiError::validation(
            "At least one of the parameters maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be given",
        ));
    }
    if run.status != MapRunStatus::Running {
        return Err(ApiError::validation(format!(
            "Map Run {} is not running; only a running Map Run can be updated",
            run.arn
        )));
    }
    let update = MapRunUpdate {
        max_concurrency: input.max_concurrency,
        tolerated_failure_count: input.tolerated_failure_count,
        tolerated_failure_percentage: input.tolerated_failure_percentage,
    };
    api.runtime
        .store()
        .update_map_run(&run.arn, update)
        .await?
        .ok_or_else(|| not_found(&run.arn))?;
    body(&serde_json::json!({}))
}
