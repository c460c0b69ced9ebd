//! The sections of `fluxo-bench`, run in order, each printing its table and adding its records.

use crate::record::Record;
use crate::workloads::{self, Measured};
use crate::{
    activities, dmap, durable, functions, http, in_process, nodes, parked, sqs, store_floor,
};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// How much of each section runs.
pub struct Sizes {
    pub calls: functions::Calls,
    /// Concurrent executions and transitions each, for the store's group commit.
    pub store_executions: usize,
    pub store_steps: usize,
    /// W5 executions run one after another (the latency of a lone transition).
    pub alone: usize,
    /// Standard executions parked on a long Wait.
    pub parked: usize,
    /// Seconds of each wrk run.
    pub wrk_seconds: u64,
    /// Executions whose one activity task the workers take.
    pub activity_tasks: usize,
    /// `sqs:sendMessage` calls against moto, each side.
    pub sqs_calls: usize,
    /// Items of the Distributed Map in S3.
    pub dmap_items: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Sizes {
            calls: functions::Calls {
                python: 5_000,
                command: 500,
                example_runs: 200,
            },
            store_executions: 64,
            store_steps: 50,
            alone: 50,
            parked: 100_000,
            wrk_seconds: 10,
            activity_tasks: 2_000,
            sqs_calls: 2_000,
            dmap_items: 100_000,
        }
    }

    /// Tiny sizes, so that `cargo test` can check that every section still runs.
    pub fn smoke() -> Self {
        Sizes {
            calls: functions::Calls {
                python: 20,
                command: 5,
                example_runs: 3,
            },
            store_executions: 4,
            store_steps: 3,
            alone: 3,
            parked: 20,
            wrk_seconds: 1,
            activity_tasks: 20,
            sqs_calls: 20,
            dmap_items: 250,
        }
    }
}

/// The parts of `fluxo-bench`, each selectable with `--only`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Section {
    /// W1–W4 through the engine's API in this process, on every core and on one.
    InProcess,
    /// W1–W5 as durable Standard executions through the runtime and SQLite.
    Durable,
    /// W1 by StartSyncExecution over HTTP under wrk, next to the floor of the same stack.
    Http,
    /// A warm Python worker against a process per call, and the example end to end.
    Functions,
    /// The group-commit writer against bare inserts.
    Store,
    /// Resident memory with Standard executions parked on a long timer, and after a restart.
    Parked,
    /// Activity tasks taken and answered by 8 workers over HTTP, and the latency from
    /// SendTaskSuccess to the next state.
    Activities,
    /// `sqs:sendMessage` Task states against moto, next to aws-sdk-sqs's own calls (the
    /// floor).
    Sqs,
    /// W5 durable on one, two and three nodes sharing one PostgreSQL, next to SQLite and to
    /// the floor of bare inserts; SQL statements per transition.
    Nodes,
    /// A Distributed Map over 100,000 items in S3 (moto) with ItemBatcher and ResultWriter:
    /// items per second and resident memory. Not part of the default run (it needs moto).
    Dmap,
}

pub struct Options {
    pub smoke: bool,
    /// The sections to run; empty runs them all.
    pub only: Vec<Section>,
    /// The workloads to run (ids); empty runs them all.
    pub workloads: Vec<String>,
    /// Multiplies the executions of W1–W5 (longer runs, for profiling).
    pub scale: usize,
    pub workloads_dir: PathBuf,
    pub example_dir: PathBuf,
}

/// Runs the wanted sections with their own scratch folder; returns every record.
pub async fn run(sizes: &Sizes, options: &Options, scratch: &Path) -> Result<Vec<Record>> {
    let wanted = |section: Section| options.only.is_empty() || options.only.contains(&section);
    let keep = |id: &str| options.workloads.is_empty() || options.workloads.iter().any(|w| w == id);
    let dir = &options.workloads_dir;
    let mut records = Vec::new();
    let mut all = workloads::load(dir, options.smoke, options.scale)?;
    all.retain(|w| keep(&w.id));
    if wanted(Section::InProcess) {
        let cores = in_process::cores();
        let measured = in_process::run(&all, cores).await?;
        let note = format!("{cores} cores: one task per core");
        print_workloads(&format!("in process, {cores} cores"), &measured);
        records.extend(
            in_process_records(&measured, &all, "in-process", &note)
                .into_iter()
                .map(|r| r.with("cores", cores)),
        );
        let measured = in_process::run_on_one_core(&all)?;
        print_workloads("in process, 1 core", &measured);
        let note = "1 core: a current-thread runtime";
        records.extend(
            in_process_records(&measured, &all, "in-process-1core", note)
                .into_iter()
                .map(|r| r.with("cores", 1)),
        );
    }
    if wanted(Section::Durable) {
        let mut durable_workloads: Vec<_> = all.into_iter().map(|w| w.for_standard()).collect();
        let w5 = workloads::commit_per_state(dir, options.smoke, options.scale)?;
        let alone = keep(&w5.id).then(|| w5.id.clone());
        if keep(&w5.id) {
            durable_workloads.push(w5);
        }
        let measured = durable::run(&durable_workloads, scratch).await?;
        print_durable("durable (SQLite)", &measured);
        records.extend(
            measured
                .iter()
                .zip(&durable_workloads)
                .map(|(d, w)| durable_record(d, &format!("all started at once{}", w.size_note()))),
        );
        if alone.is_some() {
            let w5 = workloads::commit_per_state(dir, options.smoke, options.scale)?;
            let lone = durable::one_at_a_time(&w5, sizes.alone, scratch).await?;
            print_durable("durable, one at a time", std::slice::from_ref(&lone));
            let mut record = durable_record(&lone, "one execution at a time");
            record.workload = format!("{} one at a time", lone.measured.id);
            records.push(record);
        }
    }
    if wanted(Section::Http) {
        records.extend(http_section(dir, scratch, sizes.wrk_seconds, options.smoke).await?);
    }
    if wanted(Section::Functions) {
        let measured = functions::run(&sizes.calls, &options.example_dir, scratch).await?;
        print_records("functions", &measured);
        records.extend(measured);
    }
    if wanted(Section::Store) {
        records.extend(store_section(sizes, scratch).await?);
    }
    if wanted(Section::Nodes) {
        let w5 = workloads::commit_per_state(dir, options.smoke, options.scale)?;
        records.extend(nodes_section(&w5, scratch).await?);
    }
    if wanted(Section::Parked) {
        let measured = parked::run(sizes.parked, &scratch.join("parked")).await?;
        print_records("parked executions", &measured);
        records.extend(measured);
    }
    if wanted(Section::Activities) {
        records.extend(activities::run(sizes.activity_tasks, scratch).await?);
    }
    if wanted(Section::Sqs) {
        records.extend(sqs::run(sizes.sqs_calls, sqs::CONCURRENCY, scratch).await?);
    }
    // Only when asked for: it needs moto, which the default suite does not.
    if options.only.contains(&Section::Dmap) {
        records.extend(dmap::run(sizes.dmap_items, scratch).await?);
    }
    Ok(records)
}

fn print_workloads(title: &str, measured: &[Measured]) {
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>14} {:>14}",
        title, "executions", "states", "seconds", "executions/s", "states/s"
    );
    for m in measured {
        println!(
            "{:<22} {:>10} {:>10} {:>10.4} {:>14.0} {:>14.0}",
            m.id,
            m.executions,
            m.states,
            m.seconds,
            m.executions as f64 / m.seconds,
            m.states as f64 / m.seconds
        );
    }
    println!();
}

fn in_process_records(
    measured: &[Measured],
    workloads: &[workloads::Workload],
    mode: &'static str,
    how: &str,
) -> Vec<Record> {
    measured
        .iter()
        .zip(workloads)
        .map(|(m, w)| {
            let note = format!(
                "{}{}; {how}; every output checked",
                m.runs_note(),
                w.size_note()
            );
            Record::checked(mode, &m.id, m.executions, m.seconds, note)
        })
        .collect()
}

fn print_durable(title: &str, measured: &[durable::Durable]) {
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>14} {:>16} {:>14}",
        title,
        "executions",
        "states",
        "seconds",
        "executions/s",
        "transactions/ex",
        "µs/transaction"
    );
    for d in measured {
        let m = &d.measured;
        println!(
            "{:<24} {:>10} {:>10} {:>10.4} {:>14.0} {:>16.1} {:>14.1}",
            m.id,
            m.executions,
            m.states,
            m.seconds,
            m.executions as f64 / m.seconds,
            d.transactions_per_execution(),
            m.seconds * 1e6 / d.counts.transactions().max(1) as f64
        );
    }
    println!();
}

fn durable_record(d: &durable::Durable, how: &str) -> Record {
    let m = &d.measured;
    let note = format!(
        "{} states; {} starts + {} commits; {how}; every stored status and output checked",
        m.states, d.counts.starts, d.counts.commits
    );
    Record::checked("durable", &m.id, m.executions, m.seconds, note)
        .with("states", m.states)
        .with("transactions", d.counts.transactions())
        .with("transactions_per_execution", d.transactions_per_execution())
        .with(
            "transactions_per_second",
            d.counts.transactions() as f64 / m.seconds,
        )
}

fn print_records(title: &str, records: &[Record]) {
    println!("{title}");
    for r in records {
        let figures = serde_json::Value::Object(r.figures.clone());
        println!(
            "  {:<24} {:>8} in {:>9.4} s = {:>10.1}/s  {}",
            r.workload, r.executions, r.seconds, r.per_second, figures
        );
    }
    println!();
}

async fn http_section(
    dir: &Path,
    scratch: &Path,
    seconds: u64,
    smoke: bool,
) -> Result<Vec<Record>> {
    let measures = match http::run(dir, scratch, seconds).await {
        Ok(measures) => measures,
        // The smoke run checks what it can; bench/run and the test say whether wrk is needed.
        Err(error) if smoke && !http::wrk_available() => {
            println!("over HTTP: skipped ({error})\n");
            return Ok(Vec::new());
        }
        Err(error) => return Err(error),
    };
    println!(
        "{:<48} {:>12} {:>10} {:>10}",
        "over HTTP (wrk -t2 -c64)", "requests/s", "p50 ms", "p99 ms"
    );
    for m in &measures {
        println!(
            "{:<48} {:>12.0} {:>10.2} {:>10.2}",
            m.name, m.requests_per_second, m.p50_ms, m.p99_ms
        );
    }
    println!();
    Ok(measures
        .iter()
        .zip(["http-wrk", "floor"])
        .map(|(m, mode)| {
            let note = format!(
                "{}; wrk -t2 -c64 -d{seconds}s; every answer checked (200, SUCCEEDED, W1's output)",
                m.name
            );
            let mut record = Record::checked(mode, "W1", m.checked as usize, seconds as f64, note);
            record.per_second = m.requests_per_second;
            record.p50_ms = Some(m.p50_ms);
            record.p99_ms = Some(m.p99_ms);
            record
        })
        .collect())
}

async fn store_section(sizes: &Sizes, scratch: &Path) -> Result<Vec<Record>> {
    let (executions, steps) = (sizes.store_executions, sizes.store_steps);
    let group =
        store_floor::group_commit_rate(&scratch.join("group-commit"), executions, steps).await?;
    let floor_dir = scratch.join("floor");
    let floor = tokio::task::spawn_blocking(move || {
        store_floor::insert_floor_rate(&floor_dir, executions * steps, executions)
    })
    .await??;
    println!(
        "{:<48} {:>10.0} /s",
        "durable transitions, group commit", group
    );
    println!(
        "{:<48} {:>10.0} /s",
        "same rows, bare inserts (floor)", floor
    );
    println!("{:<48} {:>9.2} x\n", "group commit / floor", group / floor);
    let transitions = executions * steps;
    let checked = "the stored rows counted afterwards";
    Ok(vec![
        Record::checked(
            "store",
            "group commit",
            transitions,
            transitions as f64 / group,
            format!("transitions/s through the group-commit writer, {executions} concurrent callers; {checked}"),
        ),
        Record::checked(
            "store",
            "bare inserts",
            transitions,
            transitions as f64 / floor,
            format!("transitions/s, same rows and statements, one connection, {executions} per transaction (floor); {checked}"),
        ),
    ])
}

async fn nodes_section(w5: &workloads::Workload, scratch: &Path) -> Result<Vec<Record>> {
    let Some((runs, counted)) = nodes::run(w5, scratch).await? else {
        return Ok(Vec::new());
    };
    let cores = in_process::cores();
    println!(
        "{:<22} {:>10} {:>10} {:>9} {:>13} {:>14} {:>19}",
        format!("nodes ({})", w5.id),
        "executions",
        "transitions",
        "seconds",
        "executions/s",
        "transitions/s",
        format!("transitions/s/core ({cores})")
    );
    let mut records = Vec::new();
    for run in &runs {
        let m = &run.durable.measured;
        let transitions = run.durable.counts.commits;
        let per_second = transitions as f64 / m.seconds;
        println!(
            "{:<22} {:>10} {:>10} {:>9.3} {:>13.0} {:>14.0} {:>19.0}",
            run.label,
            m.executions,
            transitions,
            m.seconds,
            m.executions as f64 / m.seconds,
            per_second,
            per_second / cores as f64
        );
        let note = if m.executions == 0 {
            format!("{transitions} transitions' event rows by bare INSERTs; row count checked")
        } else {
            format!(
                "{} states; {} starts + {transitions} commits; all started at once; every stored status and output checked",
                m.states, run.durable.counts.starts
            )
        };
        let record = Record::checked("nodes", &run.label, transitions as usize, m.seconds, note)
            .with("cores", cores)
            .with("executions", m.executions)
            .with("transitions_per_second", per_second)
            .with("transitions_per_second_per_core", per_second / cores as f64);
        records.push(record);
    }
    let transitions = counted.counts.commits.max(1) as f64;
    println!(
        "one node, statement log: {:.2} SQL statements and {:.2} transactions per state transition \
         ({} statements, {} transactions, {} starts + {} commits)",
        counted.statements as f64 / transitions,
        counted.transactions as f64 / transitions,
        counted.statements,
        counted.transactions,
        counted.counts.starts,
        counted.counts.commits
    );
    println!();
    let note = "one node with log_statement=all, executions one at a time; every SQL statement of the run (starts, claims, commits) over its state transitions".to_string();
    records.push(
        Record::checked(
            "nodes",
            "statements",
            counted.counts.commits as usize,
            0.0,
            note,
        )
        .with(
            "statements_per_transition",
            counted.statements as f64 / transitions,
        )
        .with(
            "transactions_per_transition",
            counted.transactions as f64 / transitions,
        ),
    );
    Ok(records)
}
