//! `fluxo bench`: the speed of function calls and of the example, measured in one run.

use anyhow::{Context, Result};
use fluxo_tasks::{CommandSpec, FunctionRegistry, FunctionSpec, HandlerSpec};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ECHO_PY: &str = "def handler(event, context):\n    return event\n";
const ECHO_SH: &str = "#!/bin/sh\ncat\n";

pub struct Sizes {
    pub python_calls: usize,
    pub command_calls: usize,
    pub example_runs: usize,
    /// Concurrent executions and transitions each, for the durable store.
    pub store_executions: usize,
    pub store_steps: usize,
    /// Standard executions parked in a Wait state, for their memory.
    pub parked: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Sizes {
            python_calls: 5_000,
            command_calls: 500,
            example_runs: 200,
            store_executions: 64,
            store_steps: 50,
            parked: 100_000,
        }
    }

    /// Tiny sizes, so CI can check the benchmark still runs.
    pub fn smoke() -> Self {
        Sizes {
            python_calls: 20,
            command_calls: 5,
            example_runs: 3,
            store_executions: 4,
            store_steps: 3,
            parked: 20,
        }
    }
}

/// The parts of `fluxo bench`, each selectable with `--only`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Section {
    /// W1–W4 through the engine's API in this process.
    InProcess,
    /// W1–W4 as durable Standard executions through the runtime and SQLite.
    Durable,
    /// W1 by StartSyncExecution over HTTP under wrk, next to the floor of the same stack.
    Http,
    /// A warm Python worker against a process per call, and the example end to end.
    Functions,
    /// The group-commit writer against bare inserts.
    Store,
    /// Memory per Standard execution parked on a long timer.
    Parked,
}

pub struct Options {
    pub smoke: bool,
    /// The sections to run; empty runs them all.
    pub only: Vec<Section>,
    /// The workloads to run (ids); empty runs them all.
    pub workloads: Vec<String>,
    /// Multiplies the executions of W1–W4 (longer runs, for profiling).
    pub scale: usize,
    /// Where to write every figure as JSON records (the suite's report reads them).
    pub json: Option<std::path::PathBuf>,
}

/// One figure, in the record format `bench/report.py` reads.
#[derive(serde::Serialize)]
struct Record {
    engine: &'static str,
    mode: &'static str,
    workload: String,
    executions: usize,
    seconds: f64,
    per_second: f64,
    checked: bool,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    note: String,
}

fn print_workloads(
    title: &str,
    measured: &[crate::workloads::Measured],
    mode: &'static str,
    records: &mut Vec<Record>,
) {
    println!(
        "{:<18} {:>10} {:>12} {:>10} {:>14} {:>14}",
        title, "executions", "states", "seconds", "executions/s", "states/s"
    );
    for m in measured {
        println!(
            "{:<18} {:>10} {:>12} {:>10.3} {:>14.0} {:>14.0}",
            m.id,
            m.executions,
            m.states,
            m.seconds,
            m.executions as f64 / m.seconds,
            m.states as f64 / m.seconds
        );
        records.push(Record {
            engine: "fluxo",
            mode,
            workload: m.id.clone(),
            executions: m.executions,
            seconds: m.seconds,
            per_second: m.executions as f64 / m.seconds,
            checked: true,
            p50_ms: None,
            p99_ms: None,
            note: if m.runs > 1 {
                format!(
                    "{} states; mean of {} runs one after another",
                    m.states, m.runs
                )
            } else {
                format!("{} states", m.states)
            },
        });
    }
    println!();
}

pub fn run(
    sizes: &Sizes,
    example_dir: &Path,
    workloads_dir: &Path,
    options: &Options,
) -> Result<()> {
    let smoke = options.smoke;
    let wanted = |section: Section| options.only.is_empty() || options.only.contains(&section);
    let scratch = std::env::temp_dir().join(format!("fluxo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let mut records = Vec::new();
    let result = runtime.block_on(async {
        let mut workloads = crate::workloads::load(workloads_dir, smoke, options.scale)?;
        if !options.workloads.is_empty() {
            workloads.retain(|w| options.workloads.contains(&w.id));
        }
        if wanted(Section::InProcess) {
            let measured = crate::workloads::in_process(&workloads).await?;
            print_workloads("in process", &measured, "in-process", &mut records);
        }
        if wanted(Section::Durable) {
            let measured = crate::workloads::durable(&workloads, &scratch).await?;
            print_workloads("durable (SQLite)", &measured, "durable", &mut records);
        }
        if wanted(Section::Http) {
            http(workloads_dir, &scratch, smoke, &mut records).await?;
        }
        if wanted(Section::Functions) {
            functions(sizes, example_dir, &scratch).await?;
        }
        if wanted(Section::Store) {
            let store_dir = scratch.join("store");
            let group = fluxo_store_sqlite::bench::group_commit_rate(
                &store_dir,
                sizes.store_executions,
                sizes.store_steps,
            )
            .await
            .map_err(anyhow::Error::msg)?;
            let floor = fluxo_store_sqlite::bench::insert_floor_rate(
                &store_dir,
                sizes.store_executions * sizes.store_steps,
                sizes.store_executions,
            )
            .map_err(anyhow::Error::msg)?;
            println!(
                "{:<48} {:>10.0} /s",
                "durable transitions, group commit", group
            );
            println!(
                "{:<48} {:>10.0} /s",
                "same rows, bare inserts (floor)", floor
            );
            println!("{:<48} {:>9.2} x", "group commit / floor", group / floor);
            let transitions = sizes.store_executions * sizes.store_steps;
            for (workload, rate, note) in [
                (
                    "group commit",
                    group,
                    "transitions/s through the group-commit writer",
                ),
                (
                    "bare inserts",
                    floor,
                    "transitions/s, same rows, one connection (floor)",
                ),
            ] {
                records.push(Record {
                    engine: "fluxo",
                    mode: "store",
                    workload: workload.into(),
                    executions: transitions,
                    seconds: transitions as f64 / rate,
                    per_second: rate,
                    checked: true,
                    p50_ms: None,
                    p99_ms: None,
                    note: note.into(),
                });
            }
        }
        if wanted(Section::Parked) {
            let (per_execution, start_rate) = parked(sizes.parked, &scratch.join("parked")).await?;
            println!(
                "{:<48} {:>10.0} B",
                format!("memory per parked execution ({})", sizes.parked),
                per_execution
            );
            println!(
                "{:<48} {:>10.0} /s",
                "durable starts of those executions", start_rate
            );
        }
        anyhow::Ok(())
    });
    let _ = std::fs::remove_dir_all(&scratch);
    result?;
    if let Some(path) = &options.json {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(&records)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

async fn http(
    workloads_dir: &Path,
    scratch: &Path,
    smoke: bool,
    records: &mut Vec<Record>,
) -> Result<()> {
    let seconds = if smoke { 1 } else { 10 };
    match crate::http_bench::run(workloads_dir, scratch, seconds).await {
        Ok(measures) => {
            println!(
                "{:<34} {:>12} {:>10} {:>10}",
                "over HTTP (wrk, 64 connections)", "requests/s", "p50 ms", "p99 ms"
            );
            for m in &measures {
                println!(
                    "{:<34} {:>12.0} {:>10.2} {:>10.2}",
                    m.name, m.requests_per_second, m.p50_ms, m.p99_ms
                );
            }
            if let [fluxo, floor] = measures.as_slice() {
                println!(
                    "{:<34} {:>11.2}x",
                    "W1 / floor",
                    fluxo.requests_per_second / floor.requests_per_second
                );
            }
            for (m, mode) in measures.iter().zip(["http-wrk", "floor"]) {
                records.push(Record {
                    engine: "fluxo",
                    mode,
                    workload: "W1".into(),
                    executions: (m.requests_per_second * seconds as f64) as usize,
                    seconds: seconds as f64,
                    per_second: m.requests_per_second,
                    checked: true,
                    p50_ms: Some(m.p50_ms),
                    p99_ms: Some(m.p99_ms),
                    note: m.name.to_string(),
                });
            }
        }
        Err(error) if smoke && !crate::http_bench::wrk_available() => {
            println!("over HTTP: skipped ({error})");
        }
        Err(error) => return Err(error),
    }
    println!();
    Ok(())
}

async fn functions(sizes: &Sizes, example_dir: &Path, scratch: &Path) -> Result<()> {
    std::fs::write(scratch.join("echo.py"), ECHO_PY)?;
    let script = scratch.join("echo.sh");
    std::fs::write(&script, ECHO_SH)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    }
    let mut registry = FunctionRegistry::default();
    let mut python = HandlerSpec::python(scratch.join("echo.py"), "handler");
    python.concurrency = 1;
    registry.register("python", FunctionSpec::Handler(python));
    registry.register(
        "command",
        FunctionSpec::Command(CommandSpec {
            program: script.clone(),
            args: Vec::new(),
            timeout: Duration::from_secs(10),
            environment: HashMap::new(),
        }),
    );
    let payload = json!({"tipo": "dni", "numero": "12345678Z"});
    // The first call starts the worker: not part of the warm figure.
    registry
        .invoke("python", payload.clone(), "warm-up")
        .await?;
    let python_rate = rate(sizes.python_calls, || {
        registry.invoke("python", payload.clone(), "b")
    })
    .await?;
    let command_rate = rate(sizes.command_calls, || {
        registry.invoke("command", payload.clone(), "b")
    })
    .await?;
    registry.shutdown().await;

    let (first, per_run) = example(sizes.example_runs, example_dir).await?;
    println!("{:<48} {:>14}", "measure", "value");
    println!(
        "{:<48} {:>10.0} /s",
        "warm Python worker, sequential invocations", python_rate
    );
    println!(
        "{:<48} {:>10.0} /s",
        "command (process per call), invocations", command_rate
    );
    println!(
        "{:<48} {:>9.2} x",
        "warm worker / command",
        python_rate / command_rate
    );
    println!(
        "{:<48} {:>10.1} ms",
        "example end to end, first run (cold worker)",
        first.as_secs_f64() * 1e3
    );
    println!(
        "{:<48} {:>10.2} ms",
        "example end to end, warm (mean)",
        per_run.as_secs_f64() * 1e3
    );
    Ok(())
}

/// Resident memory of this process, from /proc.
fn resident_bytes() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|text| text.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |pages| pages * 4096.0)
}

/// Starts `count` Standard executions that wait a day, and measures the memory they hold.
async fn parked(count: usize, dir: &Path) -> Result<(f64, f64)> {
    let store =
        Arc::new(fluxo_store_sqlite::SqliteStore::open(dir).map_err(|e| anyhow::anyhow!("{e}"))?);
    let machine = crate::workloads::store_machine(
        store.as_ref(),
        "parked",
        "STANDARD",
        r#"{"StartAt":"Day","States":{"Day":{"Type":"Wait","Seconds":86400,"End":true}}}"#.into(),
    )
    .await?;
    let runtime = fluxo_runtime::Runtime::new(
        store.clone(),
        Arc::new(fluxo_engine::NoFunctions),
        "us-east-1",
    );
    let before = resident_bytes();
    let started = Instant::now();
    // Started as concurrent API callers would start them, so their commits share fsyncs.
    let names: Vec<String> = (0..count).map(|n| format!("p{n}")).collect();
    for chunk in names.chunks(512) {
        let starts = chunk
            .iter()
            .map(|name| runtime.start(&machine, name, "{}", 0));
        for started in futures::future::join_all(starts).await {
            started.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let start_rate = count as f64 / started.elapsed().as_secs_f64();
    // Let every execution reach its Wait, persist it and leave memory.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let per_execution = (resident_bytes() - before) / count.max(1) as f64;
    anyhow::ensure!(
        runtime.in_memory() == 0,
        "parked executions are still in memory"
    );
    runtime.abort_all();
    Ok((per_execution, start_rate))
}

async fn rate<F, Fut>(calls: usize, mut call: F) -> Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<serde_json::Value, fluxo_tasks::FunctionError>>,
{
    let started = Instant::now();
    for _ in 0..calls {
        call().await?;
    }
    Ok(calls as f64 / started.elapsed().as_secs_f64())
}

/// Runs the document-validation example `runs` times in one process: the first run (which
/// starts the Python worker) and the mean of the rest.
async fn example(runs: usize, dir: &Path) -> Result<(Duration, Duration)> {
    let text = std::fs::read_to_string(dir.join("state-machine.asl.json"))
        .context("the example's state machine")?;
    let definition: serde_json::Value = serde_json::from_str(&text)?;
    let machine = Arc::new(
        fluxo_asl::compile(&definition).map_err(|d| anyhow::anyhow!("invalid example: {d:?}"))?,
    );
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("documents/valid.json"))?)?;
    let functions = Arc::new(crate::functions::load(Some(&dir.join("fluxo.toml")))?);
    let env = Arc::new(fluxo_engine::SystemEnvironment::new(functions.clone()));
    let mut first = Duration::ZERO;
    let started = Instant::now();
    for index in 0..runs.max(2) {
        let run_started = Instant::now();
        let request = fluxo_engine::ExecutionRequest::new(
            "us-east-1",
            "123456789012",
            "document-validation",
            &format!("bench-{index}"),
            document.clone(),
        );
        let outcome = fluxo_engine::execute(machine.clone(), request, env.clone()).await;
        anyhow::ensure!(
            outcome.status == fluxo_engine::ExecutionStatus::Succeeded,
            "the example failed: {outcome:?}"
        );
        if index == 0 {
            first = run_started.elapsed();
        }
    }
    let warm = (started.elapsed() - first) / (runs.max(2) as u32 - 1);
    functions.shutdown().await;
    Ok((first, warm))
}
