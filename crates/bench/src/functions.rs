//! Function calls: a warm Python worker against a process per call (both echo their event, and
//! every answer is compared with what was sent), and the document-validation example end to
//! end with its real Python handler (each execution must succeed with the document accepted).

use crate::record::Record;
use anyhow::{ensure, Context, Result};
use fluxo_tasks::{CommandSpec, FunctionRegistry, FunctionSpec, HandlerSpec};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ECHO_PY: &str = "def handler(event, context):\n    return event\n";
const ECHO_SH: &str = "#!/bin/sh\ncat\n";

/// How many of each.
pub struct Calls {
    pub python: usize,
    pub command: usize,
    pub example_runs: usize,
}

/// Measures both kinds of calls and the example; returns their records.
pub async fn run(calls: &Calls, example_dir: &Path, scratch: &Path) -> Result<Vec<Record>> {
    let registry = echo_registry(scratch)?;
    let payload = json!({"tipo": "dni", "numero": "12345678Z"});
    // The first call starts the worker: not part of the warm figure.
    let first = registry
        .invoke("python", payload.clone(), "warm-up")
        .await?
        .payload;
    ensure!(first == payload, "the Python echo answered {first}");
    let python = timed_calls(&registry, "python", calls.python, &payload).await?;
    let command = timed_calls(&registry, "command", calls.command, &payload).await?;
    registry.shutdown().await;
    let (cold, warm) = example(calls.example_runs, example_dir).await?;
    let echo = "sequential calls of a function echoing its event; every answer compared";
    Ok(vec![
        Record::checked(
            "functions",
            "warm Python worker",
            calls.python,
            python.as_secs_f64(),
            format!("{echo}; one warm worker process"),
        ),
        Record::checked(
            "functions",
            "process per call",
            calls.command,
            command.as_secs_f64(),
            format!("{echo}; a /bin/sh command per call"),
        ),
        Record::checked(
            "functions",
            "example, cold worker",
            1,
            cold.as_secs_f64(),
            "document-validation end to end, first run (starts the Python worker); accepted".into(),
        ),
        Record::checked(
            "functions",
            "example, warm",
            1,
            warm.as_secs_f64(),
            format!(
                "document-validation end to end, mean of {} warm runs; each accepted",
                calls.example_runs.max(2) - 1
            ),
        ),
    ])
}

/// A Python handler and a shell command, both echoing their event.
fn echo_registry(scratch: &Path) -> Result<FunctionRegistry> {
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
            program: script,
            args: Vec::new(),
            timeout: Duration::from_secs(10),
            environment: HashMap::new(),
        }),
    );
    Ok(registry)
}

/// `calls` sequential calls of `name`, each answer compared with the payload.
async fn timed_calls(
    registry: &FunctionRegistry,
    name: &str,
    calls: usize,
    payload: &Value,
) -> Result<Duration> {
    let started = Instant::now();
    for n in 0..calls {
        let answer = registry
            .invoke(name, payload.clone(), &format!("b{n}"))
            .await?
            .payload;
        ensure!(&answer == payload, "{name} answered {answer}");
    }
    Ok(started.elapsed())
}

/// Runs the document-validation example `runs` times in one process: the first run (which
/// starts the Python worker) and the mean of the rest. Each must accept the valid document.
async fn example(runs: usize, dir: &Path) -> Result<(Duration, Duration)> {
    let text = std::fs::read_to_string(dir.join("state-machine.asl.json"))
        .context("the example's state machine")?;
    let machine = fluxo_runtime::prepare(&text, fluxo_types::StateMachineType::Standard)?;
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("documents/valid.json"))?)?;
    let functions = Arc::new(FunctionRegistry::from_toml_file(&dir.join("fluxo.toml"))?);
    let env = Arc::new(fluxo_engine::SystemEnvironment::new(functions.clone()));
    let runs = runs.max(2);
    let mut first = Duration::ZERO;
    let started = Instant::now();
    for index in 0..runs {
        let run_started = Instant::now();
        let request = fluxo_engine::ExecutionRequest::new(
            "us-east-1",
            "123456789012",
            "document-validation",
            &format!("bench-{index}"),
            document.clone(),
        );
        let outcome = fluxo_engine::execute(machine.clone(), request, env.clone()).await;
        ensure!(
            outcome.status == fluxo_engine::ExecutionStatus::Succeeded,
            "the example failed: {outcome:?}"
        );
        let output: Value = serde_json::from_str(outcome.output.as_deref().unwrap_or("null"))?;
        ensure!(
            output["valido"] == true,
            "the example rejected a valid document: {output}"
        );
        if index == 0 {
            first = run_started.elapsed();
        }
    }
    let warm = (started.elapsed() - first) / (runs as u32 - 1);
    functions.shutdown().await;
    Ok((first, warm))
}
