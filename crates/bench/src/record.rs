//! One figure as a JSON record, in the format `bench/report.py` reads (the peers' drivers write
//! the same fields), and the JSON file they are written to.
//!
//! `checked` is true only when the outputs behind the figure were checked: every measurement in
//! this crate checks what it measured and fails the run when an output is wrong, so a record
//! exists only for work that was verified; what was checked is said in its `note`.

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::Path;

/// One figure.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// `fluxo` for this crate's figures.
    pub engine: &'static str,
    /// What was measured: `in-process`, `in-process-1core`, `durable`, `http-wrk`, `floor`,
    /// `store`, `functions`, `parked`, `activities`.
    pub mode: &'static str,
    /// `W1`..`W5`, or the name of the measure (`group commit`, `bare inserts`, ...).
    pub workload: String,
    /// Executions (or calls, requests, transitions) the figure counts.
    pub executions: usize,
    /// Wall-clock seconds: in total, or of one run for one-execution workloads.
    pub seconds: f64,
    /// `executions / seconds` over all timed runs.
    pub per_second: f64,
    /// Whether the outputs were checked (always, for a record this crate writes).
    pub checked: bool,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// How the figure was taken and what was checked.
    pub note: String,
    /// Further figures of this record, by name (commits per execution, resident bytes, ...).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub figures: Map<String, Value>,
}

impl Record {
    /// A checked record of `executions` in `seconds` (the rate is derived).
    pub fn checked(
        mode: &'static str,
        workload: &str,
        executions: usize,
        seconds: f64,
        note: String,
    ) -> Self {
        Record {
            engine: "fluxo",
            mode,
            workload: workload.to_string(),
            executions,
            seconds,
            per_second: if seconds > 0.0 {
                executions as f64 / seconds
            } else {
                0.0
            },
            checked: true,
            p50_ms: None,
            p99_ms: None,
            note,
            figures: Map::new(),
        }
    }

    /// Adds a named figure.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.figures.insert(name.to_string(), value.into());
        self
    }
}

/// Writes every record as a JSON array (what `bench/run` merges into its results).
pub fn write(path: &Path, records: &[Record]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(records)?)
        .with_context(|| format!("cannot write {}", path.display()))
}
