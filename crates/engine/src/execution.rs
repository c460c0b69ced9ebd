//! One execution from its start to its end: `ExecutionStarted`, the states (see `step.rs`),
//! then `ExecutionSucceeded`, `ExecutionFailed` or `ExecutionTimedOut` — the last when the
//! definition's `TimeoutSeconds` or an Express execution's five minutes run out.

use crate::context::ContextObject;
use crate::environment::Environment;
use crate::frame::Frame;
use crate::history::details;
use crate::journal::{Journal, RecordedEvent, Thread};
use crate::run::{add_seconds, Run};
use crate::{ExecutionOutcome, ExecutionRequest, ExecutionStatus};
use fluxo_asl::model::StateMachine;
use fluxo_types::EventType;
use serde_json::{json, Value};
use std::sync::Arc;

/// Runs an execution to its end.
pub async fn execute(
    machine: Arc<StateMachine>,
    request: ExecutionRequest,
    env: Arc<dyn Environment>,
) -> ExecutionOutcome {
    resume(machine, request, env, Vec::new()).await
}

/// Runs an execution to its end, replaying the events it recorded before (none for a new
/// execution): recorded events keep their ids and timestamps, recorded function results are
/// used instead of calling the function again, and only what follows them is new.
pub async fn resume(
    machine: Arc<StateMachine>,
    mut request: ExecutionRequest,
    env: Arc<dyn Environment>,
    recorded: Vec<RecordedEvent>,
) -> ExecutionOutcome {
    // Nobody can read the history of a run that persists nothing and records no details.
    let lean = !request.history_details && !env.persists() && recorded.is_empty();
    let mut run = Run::new(
        env.as_ref(),
        ContextObject::new(&request, env.now(), machine.reads_execution_input),
        Journal::new(recorded),
        request.history_details,
        lean,
        !request.express,
    );
    let mut thread = Thread::root(env.now());
    run.record(
        &mut thread,
        EventType::ExecutionStarted,
        run.details.then(|| {
            let mut details = crate::started_details(&request.input.to_string(), &request.role_arn);
            crate::started_through(
                &mut details,
                request.version_arn.as_deref(),
                request.alias_arn.as_deref(),
            );
            details
        }),
    );
    // AWS links the first state's event to no event (`previousEventId` 0), not to
    // `ExecutionStarted` (recorded case `api/sfn_api__test_start_execution`), unless a
    // redrive moved the thread on already.
    if thread.seq_is(1) {
        thread.last = 0;
    }
    // The start time is the recorded one when resuming.
    let start_time = run.started_at().unwrap_or(thread.time);
    run.context.set_start_time(start_time);
    let (redrives, last_redrive) = run.redrives();
    if redrives > 0 {
        run.context.set_redrives(redrives, last_redrive);
    }
    // A redrive resets the state machine's timeout ("Redriving executions"): it counts from
    // the last redrive.
    let timeout_from = last_redrive.unwrap_or(start_time);
    let mut frame = Frame::root(env.random_seed());
    let (start, input) = match run.restart() {
        Some((state, input)) => (state, input),
        None => (machine.start_at.clone(), std::mem::take(&mut request.input)),
    };
    let body = run.run_machine_from(&machine, &start, input, &mut thread, &mut frame);
    let timeout = [
        machine.timeout_seconds.map(|seconds| seconds as f64),
        request.max_duration.map(|limit| limit.as_secs_f64()),
    ]
    .into_iter()
    .flatten()
    .reduce(f64::min);
    let result = match timeout {
        Some(seconds) => {
            let deadline = add_seconds(timeout_from, seconds);
            tokio::select! {
                result = body => Some(result),
                _ = env.sleep_until(deadline) => None,
            }
        }
        None => Some(body.await),
    };
    let (status, output, error, cause) = match result {
        Some(Ok(output)) => {
            let text = output.to_string();
            run.record(
                &mut thread,
                EventType::ExecutionSucceeded,
                run.details.then(|| {
                    details([
                        ("output", Value::String(text.clone())),
                        ("outputDetails", json!({"truncated": false})),
                    ])
                }),
            );
            (ExecutionStatus::Succeeded, Some(text), None, None)
        }
        Some(Err(failure)) => {
            run.record(
                &mut thread,
                EventType::ExecutionFailed,
                Some(failure.details()),
            );
            let error = (!failure.error.is_empty()).then_some(failure.error);
            let cause = failure.cause.filter(|cause| !cause.is_empty());
            (ExecutionStatus::Failed, None, error, cause)
        }
        None => {
            // AWS reports a timed-out execution without an error name.
            run.record(&mut thread, EventType::ExecutionTimedOut, None);
            (ExecutionStatus::TimedOut, None, None, None)
        }
    };
    run.persist().await;
    let journal = run.into_journal();
    ExecutionOutcome {
        status,
        output,
        error,
        cause,
        states_entered: journal.states_entered(),
        history: journal.into_history(),
    }
}
