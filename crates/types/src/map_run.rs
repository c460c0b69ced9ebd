//! Map Runs: what a distributed Map state's run is, as `DescribeMapRun` shows it (API
//! reference, "DescribeMapRun", "MapRunItemCounts", "MapRunExecutionCounts"). Items and child
//! executions are counted apart: with an `ItemBatcher` one child execution holds many items.

use std::fmt;

/// `MapRunStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapRunStatus {
    Running,
    Succeeded,
    Failed,
    Aborted,
}

impl MapRunStatus {
    /// The wire name (`RUNNING`...).
    pub fn as_str(self) -> &'static str {
        match self {
            MapRunStatus::Running => "RUNNING",
            MapRunStatus::Succeeded => "SUCCEEDED",
            MapRunStatus::Failed => "FAILED",
            MapRunStatus::Aborted => "ABORTED",
        }
    }

    /// Reads a wire name.
    pub fn parse(text: &str) -> Option<MapRunStatus> {
        Some(match text {
            "RUNNING" => MapRunStatus::Running,
            "SUCCEEDED" => MapRunStatus::Succeeded,
            "FAILED" => MapRunStatus::Failed,
            "ABORTED" => MapRunStatus::Aborted,
            _ => return None,
        })
    }
}

impl fmt::Display for MapRunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `MapRunItemCounts` / `MapRunExecutionCounts`: the same fields, counting items or child
/// executions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapRunCounts {
    pub pending: u64,
    pub running: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub aborted: u64,
    pub total: u64,
    /// Results written by the `ResultWriter` (AWS also counts them without one).
    pub results_written: u64,
    pub failures_not_redrivable: u64,
    pub pending_redrive: u64,
}

impl MapRunCounts {
    /// The counts in the order [`MapRunCounts::from_array`] reads them (how the stores keep
    /// them).
    pub fn to_array(&self) -> [u64; 10] {
        [
            self.pending,
            self.running,
            self.succeeded,
            self.failed,
            self.timed_out,
            self.aborted,
            self.total,
            self.results_written,
            self.failures_not_redrivable,
            self.pending_redrive,
        ]
    }

    /// See [`MapRunCounts::to_array`].
    pub fn from_array(values: [u64; 10]) -> MapRunCounts {
        let [pending, running, succeeded, failed, timed_out, aborted, total, results_written, failures_not_redrivable, pending_redrive] =
            values;
        MapRunCounts {
            pending,
            running,
            succeeded,
            failed,
            timed_out,
            aborted,
            total,
            results_written,
            failures_not_redrivable,
            pending_redrive,
        }
    }
}

/// The limits of a Map Run that `UpdateMapRun` may change while it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapRunLimits {
    /// 0: as many as the service allows (10,000 child executions at once).
    pub max_concurrency: u64,
    pub tolerated_failure_count: u64,
    pub tolerated_failure_percentage: f64,
}

/// One Map Run as the stores keep it and `DescribeMapRun` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRunRecord {
    /// `…:mapRun:MACHINE/LABEL:ID`.
    pub arn: String,
    /// The execution whose Map state started it.
    pub execution_arn: String,
    /// `…:stateMachine:MACHINE/LABEL`, what `ListMapRuns` shows.
    pub state_machine_arn: String,
    pub status: MapRunStatus,
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
    pub limits: MapRunLimits,
    pub item_counts: MapRunCounts,
    pub execution_counts: MapRunCounts,
    /// How the run ended, as JSON text (`{"output": …}`, or `{"error", "cause", "details"}`),
    /// kept so that a replay of the parent takes it instead of running the children again;
    /// `None` while a first run runs; a redrive keeps the failed run's outcome until it ends,
    /// so that a restart in the middle reruns only what the redrive reruns. Not shown by the
    /// API.
    pub outcome: Option<String>,
    /// How many times the run was redriven (`DescribeMapRun`'s `redriveCount`, shown once it
    /// is above 0: API reference, "DescribeMapRun"); each redrive records `MapRunRedriven`.
    pub redrive_count: u32,
    /// When it was last redriven, in milliseconds since the epoch (`redriveDate`).
    pub redrive_ms: Option<i64>,
}
