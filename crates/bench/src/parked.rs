//! Executions parked on long Waits: the resident memory of a process holding them, before and
//! after a restart.
//!
//! Each phase runs in a fresh process (this binary, started again with `--parked-phase`), so
//! that its resident memory is that of a server doing only this: `start` starts the
//! executions on a one-day Wait and waits until the runtime has unloaded every one (each
//! parked in the store with its timer); `restart` is a new runtime over the same data folder,
//! which must recover none of them into memory (parked executions stay parked until their
//! timer is due), and answers a read. Both report peak and settled resident memory and check,
//! after measuring, that every execution is still running with its timer stored.

use crate::record::Record;
use crate::rss::{self, Resident};
use crate::workloads::create_machine;
use anyhow::{bail, ensure, Context, Result};
use fluxo_runtime::{ExecutionInput, Runtime, RuntimeConfig};
use fluxo_types::{ExecutionStatus, StateMachineType};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DEFINITION: &str =
    r#"{"StartAt":"Day","States":{"Day":{"Type":"Wait","Seconds":86400,"End":true}}}"#;
const MACHINE: &str = "parked";
/// How long memory is left to settle before it is read.
const SETTLE: Duration = Duration::from_secs(2);
/// The line a phase prints its report on.
const REPORT_PREFIX: &str = "PARKED ";

/// Which phase a child process runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Phase {
    Start,
    Restart,
}

/// What one phase measured.
#[derive(Debug, Serialize, Deserialize)]
pub struct PhaseReport {
    /// Resident memory when the phase began (the process before any store or runtime).
    pub baseline: Resident,
    /// Once the store and runtime were open, before any execution was started or recovered.
    pub opened: Resident,
    /// After every execution was parked (or recovery ended) and [`SETTLE`] passed.
    pub settled: Resident,
    /// `start`: seconds to start them all; `restart`: seconds to open and recover.
    pub seconds: f64,
    /// `start`: seconds until the last one was unloaded; `restart`: seconds from opening the
    /// store to the first answer (a read of a parked execution).
    pub until_ready: f64,
    /// Executions the restarted runtime resumed into memory (must be 0).
    pub resumed: usize,
}

fn runtime_over(dir: &Path) -> Result<Arc<Runtime>> {
    let store = Arc::new(fluxo_store_sqlite::SqliteStore::open(dir)?);
    // The server's configuration: executions on long timers are unloaded.
    let config = RuntimeConfig::new("us-east-1", "123456789012");
    Ok(Runtime::new(
        store,
        Arc::new(fluxo_engine::NoFunctions),
        config,
    ))
}

/// Runs one phase in this process and prints its report.
pub async fn run_phase(phase: Phase, dir: &Path, count: usize) -> Result<()> {
    let baseline = rss::resident()?;
    let report = match phase {
        Phase::Start => start_phase(dir, count, baseline).await?,
        Phase::Restart => restart_phase(dir, count, baseline).await?,
    };
    println!("{REPORT_PREFIX}{}", serde_json::to_string(&report)?);
    Ok(())
}

async fn start_phase(dir: &Path, count: usize, baseline: Resident) -> Result<PhaseReport> {
    let runtime = runtime_over(dir)?;
    let machine = create_machine(&runtime, MACHINE, StateMachineType::Standard, DEFINITION).await?;
    let opened = rss::resident()?;
    let started = Instant::now();
    let now = jiff::Timestamp::now().as_millisecond();
    // Started as concurrent API callers would start them, so their commits share fsyncs.
    let names: Vec<String> = (0..count).map(|n| format!("p{n}")).collect();
    for chunk in names.chunks(512) {
        let starts = chunk.iter().map(|name| {
            let input = ExecutionInput {
                text: "{}".into(),
                value: serde_json::json!({}),
            };
            runtime.start(&machine, name, input, now)
        });
        for started in futures::future::join_all(starts).await {
            started?;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    while runtime.in_memory() > 0 {
        ensure!(
            started.elapsed() < Duration::from_secs(600),
            "{} executions were still in memory after 10 minutes",
            runtime.in_memory()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let until_ready = started.elapsed().as_secs_f64();
    tokio::time::sleep(SETTLE).await;
    let settled = rss::resident()?;
    check_parked(&runtime, count).await?;
    Ok(PhaseReport {
        baseline,
        opened,
        settled,
        seconds,
        until_ready,
        resumed: 0,
    })
}

async fn restart_phase(dir: &Path, count: usize, baseline: Resident) -> Result<PhaseReport> {
    let started = Instant::now();
    let runtime = runtime_over(dir)?;
    let opened = rss::resident()?;
    let resumed = runtime.recover().await?;
    let seconds = started.elapsed().as_secs_f64();
    let arn = fluxo_types::arn::execution_of(
        &fluxo_types::arn::state_machine("us-east-1", "123456789012", MACHINE),
        "p0",
    );
    let first = runtime
        .store()
        .get_execution(&arn)
        .await?
        .context("a parked execution after the restart")?;
    let until_ready = started.elapsed().as_secs_f64();
    ensure!(
        first.status == ExecutionStatus::Running,
        "{arn} is {:?} after the restart",
        first.status
    );
    ensure!(
        resumed == 0 && runtime.in_memory() == 0,
        "recovery resumed {resumed} parked executions ({} in memory)",
        runtime.in_memory()
    );
    tokio::time::sleep(SETTLE).await;
    let settled = rss::resident()?;
    check_parked(&runtime, count).await?;
    Ok(PhaseReport {
        baseline,
        opened,
        settled,
        seconds,
        until_ready,
        resumed,
    })
}

/// Every execution is out of memory, and the store holds a timer about a day ahead for each.
async fn check_parked(runtime: &Runtime, count: usize) -> Result<()> {
    ensure!(runtime.in_memory() == 0, "executions are still in memory");
    let now = jiff::Timestamp::now().as_millisecond();
    let day = 86_400_000;
    let early = runtime.store().due_timers(now + day / 2, 1).await?;
    ensure!(
        early.is_empty(),
        "a timer is due within half a day: {early:?}"
    );
    let timers = runtime.store().due_timers(now + 2 * day, count + 1).await?;
    ensure!(
        timers.len() == count,
        "{} timers stored for {count} parked executions",
        timers.len()
    );
    Ok(())
}

/// Runs both phases as child processes over a fresh folder and returns their records.
pub async fn run(count: usize, dir: &Path) -> Result<Vec<Record>> {
    let _ = std::fs::remove_dir_all(dir);
    let start = child(Phase::Start, dir, count).await?;
    let restart = child(Phase::Restart, dir, count).await?;
    let _ = std::fs::remove_dir_all(dir);
    let held = start.settled.now.saturating_sub(start.opened.now);
    let started = Record::checked(
        "parked",
        "started and parked",
        count,
        start.seconds,
        format!(
            "{count} Standard executions durably started on a one-day Wait, unloaded after {:.1} s; \
             checked: none in memory, a timer a day ahead stored for each",
            start.until_ready
        ),
    );
    let restarted = Record::checked(
        "parked",
        "after a restart",
        count,
        restart.until_ready,
        format!(
            "a new process and runtime over the same data: recovery {:.3} s, first answer {:.3} s \
             after opening; checked: none resumed, all still running with their timers",
            restart.seconds, restart.until_ready
        ),
    );
    Ok(vec![
        figures(started, &start).with("bytes_per_execution", held / count.max(1) as u64),
        figures(restarted, &restart).with("resumed", restart.resumed),
    ])
}

fn figures(record: Record, report: &PhaseReport) -> Record {
    record
        .with("rss_baseline_bytes", report.baseline.now)
        .with("rss_opened_bytes", report.opened.now)
        .with("rss_peak_bytes", report.settled.peak)
        .with("rss_settled_bytes", report.settled.now)
        .with("ready_seconds", report.until_ready)
}

/// Runs a phase in a new process of this binary and reads its report.
async fn child(phase: Phase, dir: &Path, count: usize) -> Result<PhaseReport> {
    let name = match phase {
        Phase::Start => "start",
        Phase::Restart => "restart",
    };
    let output = tokio::process::Command::new(std::env::current_exe()?)
        .args(["--parked-phase", name, "--parked-count", &count.to_string()])
        .arg("--parked-dir")
        .arg(dir)
        .output()
        .await
        .context("the parked phase's process")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "the {name} phase failed: {}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix(REPORT_PREFIX))
        .with_context(|| format!("no report from the {name} phase: {stdout}"))?;
    Ok(serde_json::from_str(line)?)
}
