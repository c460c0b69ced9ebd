//! The benchmark workloads W1–W4 (`bench/workloads/`), run in process through the engine's API
//! and as durable Standard executions through the runtime and SQLite, every output checked so
//! that speed is never bought by doing less.

use anyhow::{bail, ensure, Context, Result};
use fluxo_store::Store;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Executions each in-process worker keeps going at once.
const IN_FLIGHT: usize = 64;

pub struct Measured {
    pub id: String,
    /// Executions per run, and the runs: a workload of one long execution (W2, W3) is run
    /// `runs` times one after another, and `seconds` is then the mean time of one run.
    pub executions: usize,
    pub runs: usize,
    pub states: usize,
    pub seconds: f64,
}

/// One workload, sized for this run.
pub struct Workload {
    pub id: String,
    pub definition: String,
    pub executions: usize,
    /// How many times the whole workload runs, one run after another (`--scale` for workloads
    /// of one execution; a rate of one execution would say nothing).
    pub runs: usize,
    pub input: Value,
    spec: Value,
}

/// Reads `workloads.json`: the recorded sizes (executions multiplied by `scale`), or tiny ones
/// for the smoke run.
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
        let executions = spec["executions"].as_u64().context("executions")? as usize;
        let input = match id.as_str() {
            "W2" => {
                let count = if smoke { 100 } else { 10_000 };
                json!({ "items": (0..count).collect::<Vec<u64>>() })
            }
            "W3" if smoke => json!({"limit": 50}),
            _ => spec["input"].clone(),
        };
        let scale = if smoke { 1 } else { scale.max(1) };
        let (executions, runs) = match executions {
            _ if smoke => (executions.min(10), 1),
            1 => (1, scale),
            many => (many * scale, 1),
        };
        workloads.push(Workload {
            id: id.clone(),
            definition,
            executions,
            runs,
            input,
            spec: spec.clone(),
        });
    }
    Ok(workloads)
}

impl Workload {
    fn check(&self, output: &Value) -> Result<()> {
        let id = &self.id;
        match id.as_str() {
            "W2" => {
                let items = self.input["items"].as_array().context("items")?;
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
                let limit = &self.input["limit"];
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
            _ => ensure!(output == &self.spec["expected_output"], "{id}: {output}"),
        }
        Ok(())
    }

    fn check_text(
        &self,
        status: &str,
        output: Option<&str>,
        detail: &dyn Fn() -> String,
    ) -> Result<()> {
        ensure!(status == "SUCCEEDED", "{}: {status} {}", self.id, detail());
        self.check(&serde_json::from_str(output.unwrap_or("null"))?)
    }
}

/// Runs every workload in process; executions of one workload run concurrently over all cores.
pub async fn in_process(workloads: &[Workload]) -> Result<Vec<Measured>> {
    let mut measured = Vec::new();
    for workload in workloads {
        let id = &workload.id;
        let definition: Value = serde_json::from_str(&workload.definition)?;
        let machine =
            Arc::new(fluxo_asl::compile(&definition).map_err(|d| anyhow::anyhow!("{id}: {d:?}"))?);
        let env = Arc::new(fluxo_engine::SystemEnvironment::new(
            fluxo_engine::NoFunctions,
        ));
        let mut seconds = 0.0;
        let mut states = 0;
        // Run 0 is an untimed warm-up (allocator, caches), as the peers get one.
        for run in 0..=workload.runs {
            let started = Instant::now();
            // One task per core, each keeping up to IN_FLIGHT of its share of the executions
            // going at once: all cores busy, without a task and a cold future per execution.
            let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
            let tasks: Vec<_> = (0..workers)
                .map(|worker| {
                    let (machine, env, input, id) = (
                        machine.clone(),
                        env.clone(),
                        workload.input.clone(),
                        id.clone(),
                    );
                    let mine: Vec<usize> = (worker..workload.executions).step_by(workers).collect();
                    tokio::spawn(async move {
                        let start = |n: usize| {
                            let mut request = fluxo_engine::ExecutionRequest::new(
                                "us-east-1",
                                "123456789012",
                                &id,
                                &format!("run-{n}"),
                                input.clone(),
                            );
                            // As an Express execution that nobody logs: no event details,
                            // which nobody could read (the outputs are checked below).
                            request.history_details = false;
                            fluxo_engine::execute(machine.clone(), request, env.clone())
                        };
                        let mut pending = mine.into_iter();
                        let mut running: futures::stream::FuturesUnordered<_> =
                            pending.by_ref().take(IN_FLIGHT).map(start).collect();
                        let mut outcomes = Vec::new();
                        while let Some(outcome) = futures::StreamExt::next(&mut running).await {
                            outcomes.push(outcome);
                            if let Some(n) = pending.next() {
                                running.push(start(n));
                            }
                        }
                        outcomes
                    })
                })
                .collect();
            let mut outcomes = Vec::with_capacity(workload.executions);
            for task in tasks {
                outcomes.extend(task.await?);
            }
            if run > 0 {
                seconds += started.elapsed().as_secs_f64();
            }
            states = 0;
            for outcome in outcomes {
                states += outcome.states_entered as usize;
                workload.check_text(
                    outcome.status.as_aws_str(),
                    outcome.output.as_deref(),
                    &|| format!("{:?} {:?}", outcome.error, outcome.cause),
                )?;
            }
        }
        let seconds = seconds / workload.runs as f64;
        measured.push(Measured {
            id: id.clone(),
            executions: workload.executions,
            runs: workload.runs,
            states,
            seconds,
        });
    }
    Ok(measured)
}

/// Runs every workload as durable Standard executions: each started through the runtime into a
/// fresh SQLite store in `dir` (every transition committed before the engine goes on), all of a
/// workload's executions started at once, timed until the last one has stopped.
pub async fn durable(workloads: &[Workload], dir: &Path) -> Result<Vec<Measured>> {
    let mut measured = Vec::new();
    for workload in workloads {
        let id = &workload.id;
        let store_dir = dir.join(format!("durable-{id}"));
        let _ = std::fs::remove_dir_all(&store_dir);
        let store = Arc::new(
            fluxo_store_sqlite::SqliteStore::open(&store_dir)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
        let machine =
            store_machine(store.as_ref(), id, "STANDARD", workload.definition.clone()).await?;
        let runtime = fluxo_runtime::Runtime::with_unload_after(
            store.clone(),
            Arc::new(fluxo_engine::NoFunctions),
            "us-east-1",
            None,
        );
        let input = workload.input.to_string();
        let started = Instant::now();
        let starts = (0..workload.executions).map(|n| {
            let runtime = runtime.clone();
            let machine = &machine;
            let input = &input;
            async move { runtime.start(machine, &format!("run-{n}"), input, 0).await }
        });
        let mut arns = Vec::with_capacity(workload.executions);
        for started in futures::future::join_all(starts).await {
            arns.push(started.map_err(|e| anyhow::anyhow!("{e}"))?.record.arn);
        }
        runtime.idle().await;
        let seconds = started.elapsed().as_secs_f64();
        let mut states = 0;
        for arn in &arns {
            let record = store
                .get_execution(arn)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .context("a started execution is stored")?;
            workload.check_text(&record.status, record.output.as_deref(), &|| {
                format!("{:?} {:?}", record.error, record.cause)
            })?;
            states += entered_states(store.as_ref(), arn).await?;
        }
        measured.push(Measured {
            id: id.clone(),
            executions: workload.executions,
            runs: 1,
            states,
            seconds,
        });
        drop(runtime);
        drop(store);
        let _ = std::fs::remove_dir_all(&store_dir);
    }
    Ok(measured)
}

/// How many states an execution entered, from its stored history.
async fn entered_states(store: &dyn Store, arn: &str) -> Result<usize> {
    let mut page = fluxo_store::Page {
        max_results: 1000,
        next_token: None,
    };
    let mut states = 0;
    loop {
        let listed = store
            .events(arn, false, page.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        states += listed
            .items
            .iter()
            .filter(|event| event.kind.ends_with("StateEntered"))
            .count();
        match listed.next_token {
            Some(token) => page.next_token = Some(token),
            None => return Ok(states),
        }
    }
}

/// Creates a state machine in a benchmark's store, as `CreateStateMachine` would.
pub async fn store_machine(
    store: &dyn Store,
    name: &str,
    kind: &str,
    definition: String,
) -> Result<fluxo_store::StateMachineRecord> {
    let machine = fluxo_store::StateMachineRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:stateMachine:{name}"),
        name: name.to_string(),
        kind: kind.to_string(),
        definition,
        role_arn: "arn:aws:iam::123456789012:role/fluxo".into(),
        created_ms: 0,
        updated_ms: 0,
        revision: 1,
        logging: None,
    };
    store
        .create_state_machine(machine.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(machine)
}
