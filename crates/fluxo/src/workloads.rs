//! The benchmark workloads W1–W4 (`bench/workloads/`), run in process through the engine's API,
//! every output checked so that speed is never bought by doing less.

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

pub struct Measured {
    pub id: String,
    pub executions: usize,
    pub states: usize,
    pub seconds: f64,
}

/// How big each workload is: the recorded sizes, or tiny ones for the smoke run.
fn sized(id: &str, spec: &Value, smoke: bool) -> Result<(usize, Value)> {
    let executions = spec["executions"].as_u64().context("executions")? as usize;
    let input = match id {
        "W2" => {
            let count = if smoke { 100 } else { 10_000 };
            json!({ "items": (0..count).collect::<Vec<u64>>() })
        }
        "W3" if smoke => json!({"limit": 50}),
        _ => spec["input"].clone(),
    };
    let executions = if smoke {
        executions.min(10)
    } else {
        executions
    };
    Ok((executions, input))
}

fn check(id: &str, input: &Value, output: &Value, spec: &Value) -> Result<()> {
    match id {
        "W2" => {
            let items = input["items"].as_array().context("items")?;
            let results = output["results"].as_array().context("results")?;
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
        "W3" => {
            let limit = &input["limit"];
            ensure!(
                output == &json!({"counter": limit, "limit": limit}),
                "W3: {output}"
            );
        }
        "W4" => {
            let out = output["out"].as_array().context("out")?;
            ensure!(out.len() == 10, "W4: {} branches", out.len());
            for (branch, value) in out.iter().enumerate() {
                ensure!(
                    value == &json!({"branch": branch, "steps": 5}),
                    "W4: out[{branch}] = {value}"
                );
            }
        }
        _ => ensure!(output == &spec["expected_output"], "{id}: {output}"),
    }
    Ok(())
}

/// Runs every workload; executions of one workload run concurrently over all cores.
pub async fn run(dir: &Path, smoke: bool) -> Result<Vec<Measured>> {
    let specs: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("workloads.json")).context("workloads.json")?,
    )?;
    let Some(specs) = specs.as_object() else {
        bail!("workloads.json is not an object");
    };
    let mut measured = Vec::new();
    for (id, spec) in specs {
        let file = spec["definition"].as_str().context("definition")?;
        let definition: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(file))?)?;
        let machine =
            Arc::new(fluxo_asl::compile(&definition).map_err(|d| anyhow::anyhow!("{id}: {d:?}"))?);
        let (executions, input) = sized(id, spec, smoke)?;
        let env = Arc::new(fluxo_engine::SystemEnvironment::new(
            fluxo_engine::NoFunctions,
        ));
        let started = Instant::now();
        let runs: Vec<_> = (0..executions)
            .map(|n| {
                let request = fluxo_engine::ExecutionRequest::new(
                    "us-east-1",
                    "123456789012",
                    id,
                    &format!("run-{n}"),
                    input.clone(),
                );
                tokio::spawn(fluxo_engine::execute(machine.clone(), request, env.clone()))
            })
            .collect();
        let mut states = 0;
        let mut outcomes = Vec::with_capacity(executions);
        for run in runs {
            let outcome = run.await?;
            states += outcome
                .history
                .iter()
                .filter(|event| event.kind.ends_with("StateEntered"))
                .count();
            outcomes.push(outcome);
        }
        let seconds = started.elapsed().as_secs_f64();
        for outcome in outcomes {
            ensure!(
                outcome.status == fluxo_engine::ExecutionStatus::Succeeded,
                "{id}: {:?} {:?}",
                outcome.error,
                outcome.cause
            );
            let output: Value = serde_json::from_str(outcome.output.as_deref().unwrap_or("null"))?;
            check(id, &input, &output, spec)?;
        }
        measured.push(Measured {
            id: id.clone(),
            executions,
            states,
            seconds,
        });
    }
    Ok(measured)
}
