//! The benchmark workloads: W1–W4 as `bench/workloads/workloads.json` gives them (copied from
//! `../shared/bench`, the same the peers run), and W5, Fluxo's own durable-only workload of a
//! commit per state. Each knows its expected output, so that speed is never bought by doing
//! less: every output of every run is checked.

use anyhow::{bail, ensure, Context, Result};
use fluxo_runtime::{Loaded, Runtime};
use fluxo_store::StateMachineRecord;
use fluxo_types::{ExecutionStatus, StateMachineType};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

/// W2's items in a Standard execution: AWS limits a Standard execution's history to 25,000
/// events (Step Functions service quotas; `fluxo_engine::MAX_HISTORY_EVENTS`), and an inline
/// Map iteration of W2 records six (iteration started and succeeded, two Pass states entered
/// and exited), so 10,000 iterations (60,000 events) fail on AWS as they do on Fluxo; 4,000
/// (24,007 events) fit.
pub const STANDARD_W2_ITEMS: u64 = 4_000;
// Six events per iteration and seven of the execution's own stay under the quota.
const _: () = assert!(6 * STANDARD_W2_ITEMS + 7 < fluxo_engine::MAX_HISTORY_EVENTS);

/// W5: ten `Wait` states of 0 seconds. The engine persists before every timer, so a durable
/// run commits once per state: its time per commit is the cost of one durable transition.
pub const COMMIT_PER_STATE: &str = "W5";
const COMMIT_PER_STATE_FILE: &str = "w5_commit_per_state.asl.json";
const COMMIT_PER_STATE_EXECUTIONS: usize = 500;

/// A workload's timed runs.
pub struct Measured {
    pub id: String,
    /// Executions per run. A workload of one long execution (W2, W3) is run `runs` times one
    /// after another, and `seconds` is then the mean time of one run.
    pub executions: usize,
    pub runs: usize,
    /// States entered by one run's executions together.
    pub states: usize,
    pub seconds: f64,
}

impl Measured {
    /// What a record's note says about the runs.
    pub fn runs_note(&self) -> String {
        if self.runs > 1 {
            format!(
                "{} states; mean of {} runs one after another",
                self.states, self.runs
            )
        } else {
            format!("{} states", self.states)
        }
    }
}

/// One workload, sized for this run.
pub struct Workload {
    pub id: String,
    pub definition: String,
    pub executions: usize,
    /// How many times the whole workload runs, one run after another (`--scale` for workloads
    /// of one execution, whose single rate would say nothing).
    pub runs: usize,
    pub input: Value,
    /// The expected output, where it is a fixed document (W1, W3, W5).
    expected: Option<Value>,
}

/// How many executions and runs a workload of `executions` gets.
fn sized(executions: usize, smoke: bool, scale: usize) -> (usize, usize) {
    let scale = if smoke { 1 } else { scale.max(1) };
    match executions {
        _ if smoke => (executions.min(10), 1),
        1 => (1, scale),
        many => (many * scale, 1),
    }
}

/// Reads `workloads.json`: W1–W4 with their recorded sizes (executions multiplied by
/// `scale`), or tiny ones for the smoke run (those of `bench/peers/workloads.py --quick`).
pub fn load(dir: &Path, smoke: bool, scale: usize) -> Result<Vec<Workload>> {
    let specs: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("workloads.json")).context("workloads.json")?,
    )?;
    let Some(specs) = specs.as_object() else {
        bail!("workloads.json is not an object");
    };
    let mut workloads = Vec::new();
    for (id, spec) in specs {
        let file = spec["definition"].as_str().context("definition")?;
        let definition = std::fs::read_to_string(dir.join(file))?;
        let recorded = spec["executions"].as_u64().context("executions")? as usize;
        let input = match id.as_str() {
            "W2" => {
                let count = if smoke { 100 } else { 10_000 };
                json!({ "items": (0..count).collect::<Vec<u64>>() })
            }
            "W3" if smoke => json!({"limit": 50}),
            _ => spec["input"].clone(),
        };
        let expected = match id.as_str() {
            "W3" => Some(json!({"counter": input["limit"], "limit": input["limit"]})),
            "W2" | "W4" => None,
            _ => Some(spec["expected_output"].clone()),
        };
        let (executions, runs) = sized(recorded, smoke, scale);
        workloads.push(Workload {
            id: id.clone(),
            definition,
            executions,
            runs,
            input,
            expected,
        });
    }
    workloads.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(workloads)
}

/// W5 (durable runs only): its output is its input, after ten durable commits.
pub fn commit_per_state(dir: &Path, smoke: bool, scale: usize) -> Result<Workload> {
    let definition = std::fs::read_to_string(dir.join(COMMIT_PER_STATE_FILE))
        .with_context(|| format!("{COMMIT_PER_STATE_FILE} in {}", dir.display()))?;
    let input = json!({"x": 1});
    let (executions, runs) = sized(COMMIT_PER_STATE_EXECUTIONS, smoke, scale);
    Ok(Workload {
        id: COMMIT_PER_STATE.into(),
        definition,
        executions,
        runs,
        expected: Some(input.clone()),
        input,
    })
}

impl Workload {
    /// The workload as a Standard execution can run it: W2 over at most
    /// [`STANDARD_W2_ITEMS`] items (see there); the others unchanged.
    pub fn for_standard(mut self) -> Self {
        let too_many = self.input["items"]
            .as_array()
            .is_some_and(|items| items.len() as u64 > STANDARD_W2_ITEMS);
        if self.id == "W2" && too_many {
            self.input = json!({ "items": (0..STANDARD_W2_ITEMS).collect::<Vec<u64>>() });
        }
        self
    }

    /// What a record says of the workload's size beyond its executions: W2's items.
    pub fn size_note(&self) -> String {
        match self.input["items"].as_array() {
            Some(items) => format!("; a Map over {} items", items.len()),
            None => String::new(),
        }
    }

    /// Whether `output` is this workload's right answer for its input.
    pub fn check(&self, output: &Value) -> Result<()> {
        let id = &self.id;
        if let Some(expected) = &self.expected {
            ensure!(output == expected, "{id}: wrong output {output}");
            return Ok(());
        }
        match id.as_str() {
            "W2" => {
                let items = self.input["items"].as_array().context("items")?;
                let results = output["results"].as_array().context("W2: no results")?;
                ensure!(
                    results.len() == items.len(),
                    "W2: {} results",
                    results.len()
                );
                for (index, result) in results.iter().enumerate() {
                    ensure!(
                        result.as_u64() == Some(2 * index as u64),
                        "W2: results[{index}] = {result}"
                    );
                }
            }
            "W4" => {
                let out = output["out"].as_array().context("W4: no out")?;
                ensure!(out.len() == 10, "W4: {} branches", out.len());
                for (branch, value) in out.iter().enumerate() {
                    ensure!(
                        value == &json!({"branch": branch, "steps": 5}),
                        "W4: out[{branch}] = {value}"
                    );
                }
            }
            other => bail!("{other}: no expected output is known"),
        }
        Ok(())
    }

    /// Checks an ended execution: it succeeded, and its output (JSON text) is right.
    pub fn check_ended(
        &self,
        status: ExecutionStatus,
        output: Option<&str>,
        detail: &dyn Fn() -> String,
    ) -> Result<()> {
        ensure!(
            status == ExecutionStatus::Succeeded,
            "{}: {} {}",
            self.id,
            status.as_str(),
            detail()
        );
        self.check(&serde_json::from_str(output.unwrap_or("null"))?)
    }
}

/// Creates a state machine through the runtime, as `CreateStateMachine` does (the definition
/// compiled and checked first), and loads it with its compiled form.
pub async fn create_machine(
    runtime: &Arc<Runtime>,
    name: &str,
    kind: StateMachineType,
    definition: &str,
) -> Result<Loaded> {
    let compiled = fluxo_runtime::prepare(definition, kind)?;
    let arn = fluxo_types::arn::state_machine(runtime.region(), runtime.account(), name);
    let record = StateMachineRecord {
        arn: arn.clone(),
        name: name.to_string(),
        kind,
        definition: definition.to_string(),
        role_arn: format!("arn:aws:iam::{}:role/fluxo-bench", runtime.account()),
        created_ms: 0,
        updated_ms: 0,
        revision: 1,
        logging: None,
        revision_id: None,
        encryption: None,
    };
    runtime
        .create_state_machine(record, Vec::new(), compiled)
        .await?;
    Ok(runtime.state_machine(&arn, false).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workloads_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/workloads")
    }

    #[test]
    fn every_workload_refuses_a_wrong_output_and_accepts_the_right_one() {
        let mut all = load(&workloads_dir(), true, 1).unwrap();
        all.push(commit_per_state(&workloads_dir(), true, 1).unwrap());
        let ids: Vec<&str> = all.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids, ["W1", "W2", "W3", "W4", "W5"]);
        for workload in &all {
            assert!(
                workload.check(&json!({"wrong": true})).is_err(),
                "{}",
                workload.id
            );
            assert!(workload.check(&Value::Null).is_err(), "{}", workload.id);
        }
        let w2 = &all[1];
        let right: Vec<u64> = (0..100).map(|i| 2 * i).collect();
        assert!(w2.check(&json!({ "results": right })).is_ok());
        let mut off = right.clone();
        off[99] = 197;
        assert!(w2.check(&json!({ "results": off })).is_err());
        let w4 = &all[3];
        let branches: Vec<Value> = (0..10).map(|b| json!({"branch": b, "steps": 5})).collect();
        assert!(w4.check(&json!({ "out": branches })).is_ok());
        assert!(all[4].check(&json!({"x": 1})).is_ok());
        assert!(all[0]
            .check_ended(ExecutionStatus::Failed, None, &String::new)
            .is_err());
    }

    #[test]
    fn a_standard_w2_fits_the_history_quota_and_is_checked_at_its_size() {
        let w2 = load(&workloads_dir(), false, 1)
            .unwrap()
            .into_iter()
            .find(|w| w.id == "W2")
            .unwrap();
        assert_eq!(w2.input["items"].as_array().unwrap().len(), 10_000);
        let standard = w2.for_standard();
        let items = STANDARD_W2_ITEMS as usize;
        assert_eq!(standard.input["items"].as_array().unwrap().len(), items);
        let right: Vec<u64> = (0..STANDARD_W2_ITEMS).map(|i| 2 * i).collect();
        assert!(standard.check(&json!({ "results": right })).is_ok());
        let full: Vec<u64> = (0..10_000).map(|i| 2 * i).collect();
        assert!(standard.check(&json!({ "results": full })).is_err());
    }

    #[test]
    fn sizes_scale_the_many_and_repeat_the_one() {
        assert_eq!(sized(2000, false, 10), (20_000, 1));
        assert_eq!(sized(1, false, 10), (1, 10));
        assert_eq!(sized(2000, true, 10), (10, 1));
        assert_eq!(sized(1, true, 10), (1, 1));
    }
}
