//! Workloads as durable Standard executions: started through the runtime into a fresh SQLite
//! store (every transition committed before the engine goes on), through a store that counts
//! the transactions each execution makes; every execution's stored status and output checked
//! afterwards, and its states counted from its stored history.

use crate::counting::{CountingStore, Counts};
use crate::workloads::{create_machine, Measured, Workload};
use anyhow::{Context, Result};
use fluxo_engine::NoFunctions;
use fluxo_runtime::{ExecutionInput, Loaded, Runtime, RuntimeConfig};
use fluxo_store::{Page, Store, MAX_PAGE};
use fluxo_types::StateMachineType;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// A durable run: its figures and the transactions it made.
pub struct Durable {
    pub measured: Measured,
    pub counts: Counts,
}

impl Durable {
    /// Transactions (starts and commits) per execution.
    pub fn transactions_per_execution(&self) -> f64 {
        self.counts.transactions() as f64 / self.measured.executions.max(1) as f64
    }
}

/// A runtime over a fresh SQLite store in `dir`, through a counting store; executions stay in
/// memory until they end (nothing here waits long).
fn open(dir: &Path) -> Result<(Arc<Runtime>, Arc<CountingStore>)> {
    let _ = std::fs::remove_dir_all(dir);
    let sqlite = Arc::new(fluxo_store_sqlite::SqliteStore::open(dir)?);
    let store = Arc::new(CountingStore::new(sqlite));
    let mut config = RuntimeConfig::new("us-east-1", "123456789012");
    config.unload_after = None;
    let runtime = Runtime::new(store.clone(), Arc::new(NoFunctions), config);
    Ok((runtime, store))
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

async fn start(
    runtime: &Arc<Runtime>,
    machine: &Loaded,
    name: String,
    input: &str,
) -> Result<String> {
    let input = ExecutionInput {
        text: input.to_string(),
        value: serde_json::from_str(input)?,
    };
    Ok(runtime.start(machine, &name, input, now_ms()).await?.arn)
}

/// Runs each workload with all of its executions started at once, timed until the last one
/// has ended.
pub async fn run(workloads: &[Workload], dir: &Path) -> Result<Vec<Durable>> {
    let mut measured = Vec::new();
    for workload in workloads {
        let store_dir = dir.join(format!("durable-{}", workload.id));
        let (runtime, store) = open(&store_dir)?;
        let machine = create_machine(
            &runtime,
            &workload.id,
            StateMachineType::Standard,
            &workload.definition,
        )
        .await?;
        let input = workload.input.to_string();
        let before = store.counts();
        let started = Instant::now();
        let starts =
            (0..workload.executions).map(|n| start(&runtime, &machine, format!("run-{n}"), &input));
        let mut arns = Vec::with_capacity(workload.executions);
        for started in futures::future::join_all(starts).await {
            arns.push(started?);
        }
        runtime.idle().await;
        let seconds = started.elapsed().as_secs_f64();
        let counts = store.counts().since(before);
        let states = check_all(workload, store.as_ref(), &arns).await?;
        measured.push(Durable {
            measured: Measured {
                id: workload.id.clone(),
                executions: workload.executions,
                runs: 1,
                states,
                seconds,
            },
            counts,
        });
        drop(runtime);
        drop(store);
        let _ = std::fs::remove_dir_all(&store_dir);
    }
    Ok(measured)
}

/// Runs `count` executions of `workload` one after another, each awaited to its end: the
/// latency of a durable transition when no other execution shares its commit.
pub async fn one_at_a_time(workload: &Workload, count: usize, dir: &Path) -> Result<Durable> {
    let store_dir = dir.join(format!("sequential-{}", workload.id));
    let (runtime, store) = open(&store_dir)?;
    let machine = create_machine(
        &runtime,
        &workload.id,
        StateMachineType::Standard,
        &workload.definition,
    )
    .await?;
    let input = workload.input.to_string();
    let before = store.counts();
    let started = Instant::now();
    let mut arns = Vec::with_capacity(count);
    for n in 0..count {
        arns.push(start(&runtime, &machine, format!("alone-{n}"), &input).await?);
        runtime.idle().await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let counts = store.counts().since(before);
    let states = check_all(workload, store.as_ref(), &arns).await?;
    drop(runtime);
    drop(store);
    let _ = std::fs::remove_dir_all(&store_dir);
    Ok(Durable {
        measured: Measured {
            id: workload.id.clone(),
            executions: count,
            runs: 1,
            states,
            seconds,
        },
        counts,
    })
}

/// Checks every execution's stored end and returns the states they entered together.
pub(crate) async fn check_all(
    workload: &Workload,
    store: &dyn Store,
    arns: &[String],
) -> Result<usize> {
    let mut states = 0;
    for arn in arns {
        let record = store
            .get_execution(arn)
            .await?
            .context("a started execution is stored")?;
        workload.check_ended(record.status, record.output.as_deref(), &|| {
            format!("{:?} {:?}", record.error, record.cause)
        })?;
        states += entered_states(store, arn).await?;
    }
    Ok(states)
}

/// How many states an execution entered, from its stored history.
async fn entered_states(store: &dyn Store, arn: &str) -> Result<usize> {
    let mut page = Page::new(MAX_PAGE, None);
    let mut states = 0;
    loop {
        let listed = store.events(arn, false, page.clone()).await?;
        states += listed
            .items
            .iter()
            .filter(|event| event.kind.is_state_entered())
            .count();
        match listed.next_token {
            Some(token) => page.next_token = Some(token),
            None => return Ok(states),
        }
    }
}
