//! Map Runs (`DescribeMapRun`, `ListMapRuns`, `UpdateMapRun`): one record per distributed Map
//! attempt, written by the engine's reports as the run goes, its limits changed only by
//! `UpdateMapRun` once the run has started.

use crate::{Listed, Page, StoreFuture, StoreResult};
use fluxo_types::map_run::{MapRunCounts, MapRunLimits, MapRunRecord, MapRunStatus};
use serde_json::{json, Value};

/// `UpdateMapRun`: what is given changes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MapRunUpdate {
    pub max_concurrency: Option<u64>,
    pub tolerated_failure_count: Option<u64>,
    pub tolerated_failure_percentage: Option<f64>,
}

impl MapRunUpdate {
    /// The limits after this update.
    pub fn apply(&self, limits: &MapRunLimits) -> MapRunLimits {
        MapRunLimits {
            max_concurrency: self.max_concurrency.unwrap_or(limits.max_concurrency),
            tolerated_failure_count: self
                .tolerated_failure_count
                .unwrap_or(limits.tolerated_failure_count),
            tolerated_failure_percentage: self
                .tolerated_failure_percentage
                .unwrap_or(limits.tolerated_failure_percentage),
        }
    }
}

/// Map Runs, in every backend (and in the shared suite).
pub trait MapRunStore: Send + Sync {
    /// Stores the engine's report of a Map Run: creates the record, or replaces its status,
    /// dates and counts while keeping its limits (which only [`MapRunStore::update_map_run`]
    /// changes after the start). Returns the limits as stored.
    fn report_map_run(&self, record: MapRunRecord) -> StoreFuture<'_, MapRunLimits>;
    fn get_map_run<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<MapRunRecord>>;
    /// The Map Runs an execution started, by ARN, `max_results` at a time.
    fn list_map_runs<'a>(
        &'a self,
        execution_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<MapRunRecord>>;
    /// Changes the limits of a Map Run; the record after it, or `None` when there is none.
    fn update_map_run<'a>(
        &'a self,
        arn: &'a str,
        update: MapRunUpdate,
    ) -> StoreFuture<'a, Option<MapRunRecord>>;
}

/// A record's mutable part as the SQL backends keep it: one JSON text column.
pub fn body_of(record: &MapRunRecord) -> String {
    json!({
        "status": record.status.as_str(),
        "stop": record.stop_ms,
        "maxConcurrency": record.limits.max_concurrency,
        "toleratedCount": record.limits.tolerated_failure_count,
        "toleratedPercentage": record.limits.tolerated_failure_percentage,
        "items": record.item_counts.to_array(),
        "executions": record.execution_counts.to_array(),
        "stateMachine": record.state_machine_arn,
        "outcome": record.outcome,
        "redriveCount": record.redrive_count,
        "redriveDate": record.redrive_ms,
    })
    .to_string()
}

/// Reads a row written with [`body_of`].
pub fn record_from(
    arn: String,
    execution_arn: String,
    start_ms: i64,
    body: &str,
) -> StoreResult<MapRunRecord> {
    let corrupt = || crate::StoreError::Backend(format!("the map run {arn} is stored damaged"));
    let body: Value = serde_json::from_str(body).map_err(|_| corrupt())?;
    let counts = |key: &str| -> Option<MapRunCounts> {
        let values: Vec<u64> = body[key]
            .as_array()?
            .iter()
            .map(|v| v.as_u64())
            .collect::<Option<_>>()?;
        Some(MapRunCounts::from_array(values.try_into().ok()?))
    };
    Ok(MapRunRecord {
        status: body["status"]
            .as_str()
            .and_then(MapRunStatus::parse)
            .ok_or_else(corrupt)?,
        stop_ms: body["stop"].as_i64(),
        limits: MapRunLimits {
            max_concurrency: body["maxConcurrency"].as_u64().unwrap_or(0),
            tolerated_failure_count: body["toleratedCount"].as_u64().unwrap_or(0),
            tolerated_failure_percentage: body["toleratedPercentage"].as_f64().unwrap_or(0.0),
        },
        item_counts: counts("items").ok_or_else(corrupt)?,
        execution_counts: counts("executions").ok_or_else(corrupt)?,
        state_machine_arn: body["stateMachine"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        outcome: body["outcome"].as_str().map(str::to_string),
        // Absent from records written before redrives were counted.
        redrive_count: body["redriveCount"]
            .as_u64()
            .and_then(|count| u32::try_from(count).ok())
            .unwrap_or(0),
        redrive_ms: body["redriveDate"].as_i64(),
        arn,
        execution_arn,
        start_ms,
    })
}
