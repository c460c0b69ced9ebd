//! A distributed Map's child execution as an execution of its own: `ExecutionStarted`, its
//! states, then `ExecutionSucceeded` or `ExecutionFailed`, handed whole to
//! [`crate::Environment::child_execution_ended`] when it ends (developer guide, "Distributed
//! Map state child workflow executions": each child has a history of its own, and
//! `ListExecutions` with the Map Run's ARN lists them). Only for an environment that
//! [`crate::Environment::keeps_child_histories`]. A child still running when its run fails is
//! handed over ABORTED here ([`aborted`]); one still running when its parent ends (stopped,
//! timed out, failed elsewhere) is closed by the environment, which was told of its start
//! ([`crate::Environment::child_execution_started`]).

use crate::context::ContextObject;
use crate::environment::ChildExecution;
use crate::failure::Failure;
use crate::history::details;
use crate::journal::Thread;
use crate::run::Run;
use crate::ExecutionStatus;
use fluxo_types::EventType;
use serde_json::{json, Value};

/// Records the child's `ExecutionStarted` (with its input and the parent's role, as AWS shows
/// a child's start) and tells the environment it runs, when its history is kept.
pub(crate) fn start(child: &Run<'_>, thread: &mut Thread, input: &Value, map_run_arn: &str) {
    if !child.details {
        return;
    }
    let context = &child.context;
    let running = running(context, map_run_arn, input, context.start_time());
    child.env.child_execution_started(running);
    child.record(
        thread,
        EventType::ExecutionStarted,
        Some(crate::started_details(
            &input.to_string(),
            context.role_arn(),
        )),
    );
    // As for every execution, the first state links to no event.
    if thread.seq_is(1) {
        thread.last = 0;
    }
}

/// Records the child's end and hands its history to the environment, when it is kept.
pub(crate) async fn end(
    parent: &Run<'_>,
    child: Run<'_>,
    mut thread: Thread,
    map_run_arn: &str,
    input: &Value,
    result: &Result<Value, Failure>,
) {
    if !child.details {
        return;
    }
    let (status, output, error, cause) = match result {
        Ok(output) => {
            let text = output.to_string();
            child.record(
                &mut thread,
                EventType::ExecutionSucceeded,
                Some(details([
                    ("output", Value::String(text.clone())),
                    ("outputDetails", json!({"truncated": false})),
                ])),
            );
            (ExecutionStatus::Succeeded, Some(text), None, None)
        }
        Err(failure) => {
            child.record(
                &mut thread,
                EventType::ExecutionFailed,
                Some(failure.details()),
            );
            let error = Some(failure.error.clone()).filter(|error| !error.is_empty());
            let cause = failure.cause.clone().filter(|cause| !cause.is_empty());
            (ExecutionStatus::Failed, None, error, cause)
        }
    };
    let stop = parent.env.now();
    let context = child.context.clone();
    let ended = ChildExecution {
        execution_arn: context.execution_arn().to_string(),
        state_machine_arn: context.state_machine_arn().to_string(),
        name: context.execution_name().to_string(),
        map_run_arn: map_run_arn.to_string(),
        input: input.to_string(),
        status,
        output,
        error,
        cause,
        start: context.start_time(),
        stop,
        events: child.into_journal().into_recorded(),
    };
    parent.env.child_execution_ended(ended).await;
}

/// A child that was still running when its Map Run failed (past its tolerance): its future is
/// dropped with the run, so it is handed over here as ABORTED, with `ExecutionStarted` and
/// `ExecutionAborted` (its events in between went with it; its input as the run gave it,
/// before any `ItemSelector`), so that `ListExecutions` agrees with `DescribeMapRun`'s aborted
/// count.
pub(crate) async fn aborted(
    parent: &Run<'_>,
    names: crate::context::ChildNames<'_>,
    map_run_arn: &str,
    input: &Value,
    start: jiff::Timestamp,
    stop: jiff::Timestamp,
) {
    let context = parent.context.for_child(names, input, start);
    let ended = running(&context, map_run_arn, input, start).aborted_at(stop);
    parent.env.child_execution_ended(ended).await;
}

/// The child's record while it runs: RUNNING, with its `ExecutionStarted` alone.
fn running(
    context: &ContextObject,
    map_run_arn: &str,
    input: &Value,
    start: jiff::Timestamp,
) -> ChildExecution {
    let input = input.to_string();
    let started = crate::started_details(&input, context.role_arn());
    ChildExecution {
        execution_arn: context.execution_arn().to_string(),
        state_machine_arn: context.state_machine_arn().to_string(),
        name: context.execution_name().to_string(),
        map_run_arn: map_run_arn.to_string(),
        input,
        status: ExecutionStatus::Running,
        output: None,
        error: None,
        cause: None,
        start,
        stop: start,
        events: vec![crate::RecordedEvent {
            event: crate::HistoryEvent {
                id: 1,
                previous_event_id: 0,
                timestamp: start,
                kind: EventType::ExecutionStarted,
                details: Some(started),
            },
            thread: String::new(),
            seq: 0,
        }],
    }
}
