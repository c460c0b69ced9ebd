//! W1–W4 through the engine's API in this process (`fluxo_engine::execute`, as Express
//! executions whose history nobody reads: no event details, nothing persisted), every output
//! checked.
//!
//! Two figures per workload: on the whole machine (one task per core on a multi-thread
//! runtime) and on one core (a current-thread runtime on one thread), because the in-process
//! peer, aws-local-stepfunctions, runs JavaScript on Node's single thread: a ratio against it
//! means something per core, and the whole-machine figure says what a user's machine gets.

use crate::workloads::{Measured, Workload};
use anyhow::Result;
use fluxo_engine::{ExecutionOutcome, ExecutionRequest, NoFunctions, SystemEnvironment};
use fluxo_types::StateMachineType;
use futures::stream::{FuturesUnordered, StreamExt};
use std::sync::Arc;
use std::time::Instant;

/// Executions each task keeps going at once.
const IN_FLIGHT: usize = 64;

type Machine = Arc<fluxo_asl::model::StateMachine>;
type Env = Arc<SystemEnvironment<NoFunctions>>;

/// The cores of this machine, as tokio's multi-thread runtime counts them.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs every workload with `workers` tasks on the current runtime: an untimed warm-up run
/// (allocator, caches; the peers get one too), then `runs` timed runs.
pub async fn run(workloads: &[Workload], workers: usize) -> Result<Vec<Measured>> {
    let mut measured = Vec::new();
    for workload in workloads {
        let machine = fluxo_runtime::prepare(&workload.definition, StateMachineType::Express)?;
        let env = Arc::new(SystemEnvironment::new(NoFunctions));
        let mut seconds = 0.0;
        let mut states = 0;
        for run in 0..=workload.runs {
            let started = Instant::now();
            let outcomes = one_run(workload, &machine, &env, workers).await?;
            if run > 0 {
                seconds += started.elapsed().as_secs_f64();
            }
            states = 0;
            for outcome in outcomes {
                states += outcome.states_entered as usize;
                workload.check_ended(outcome.status, outcome.output.as_deref(), &|| {
                    format!("{:?} {:?}", outcome.error, outcome.cause)
                })?;
            }
        }
        measured.push(Measured {
            id: workload.id.clone(),
            executions: workload.executions,
            runs: workload.runs,
            states,
            seconds: seconds / workload.runs as f64,
        });
    }
    Ok(measured)
}

/// The same on one core: a current-thread runtime on a thread of its own (with the stack
/// executions need), one task keeping [`IN_FLIGHT`] executions going.
pub fn run_on_one_core(workloads: &[Workload]) -> Result<Vec<Measured>> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("fluxo-bench-one-core".into())
            .stack_size(fluxo_runtime::WORKER_STACK_BYTES)
            .spawn_scoped(scope, || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(run(workloads, 1))
            })?;
        thread
            .join()
            .map_err(|_| anyhow::anyhow!("the one-core run panicked"))?
    })
}

/// One run of a workload: its executions shared among `workers` tasks, each keeping up to
/// [`IN_FLIGHT`] of its share going at once (all cores busy, without a task and a cold future
/// per execution).
async fn one_run(
    workload: &Workload,
    machine: &Machine,
    env: &Env,
    workers: usize,
) -> Result<Vec<ExecutionOutcome>> {
    let tasks: Vec<_> = (0..workers)
        .map(|worker| {
            let (machine, env, input, id) = (
                machine.clone(),
                env.clone(),
                workload.input.clone(),
                workload.id.clone(),
            );
            let mine: Vec<usize> = (worker..workload.executions).step_by(workers).collect();
            tokio::spawn(async move {
                let start = |n: usize| {
                    let name = format!("run-{n}");
                    // An Express execution, as the runtime makes one for StartSyncExecution
                    // (its five-minute limit raced, no history quota), that nobody logs: no
                    // event details, which nobody could read (the outputs are checked).
                    let mut request = ExecutionRequest::express(
                        "us-east-1",
                        "123456789012",
                        &id,
                        &name,
                        &name,
                        input.clone(),
                    );
                    request.history_details = false;
                    fluxo_engine::execute(machine.clone(), request, env.clone())
                };
                let mut pending = mine.into_iter();
                let mut running: FuturesUnordered<_> =
                    pending.by_ref().take(IN_FLIGHT).map(start).collect();
                let mut outcomes = Vec::new();
                while let Some(outcome) = running.next().await {
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
    Ok(outcomes)
}
