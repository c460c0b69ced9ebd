//! Parallel: runs every branch concurrently on the effective input; the result is the array
//! of their outputs, in branch order.
//!
//! Events of an attempt: `ParallelStateStarted`; each branch's states in its own thread;
//! then, when a branch fails, `<Type>StateAborted` for a state a sibling branch was running
//! (and the lifecycle records `ParallelStateFailed`). AWS records no `ParallelStateSucceeded`.

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use crate::journal::Thread;
use fluxo_asl::model::StateMachine;
use fluxo_types::EventType;
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

pub(crate) async fn run(
    attempt: &Attempt<'_>,
    branches: &[Arc<StateMachine>],
    input: &Value,
    thread: &mut Thread,
) -> Result<Completed, Failure> {
    let run = attempt.run;
    let effective = attempt.effective_input(input)?;
    if let Some(mock) = attempt.mock() {
        // TestState: the mock is the array of the branches' outputs.
        let result = crate::test_state::mocked(mock)?;
        // AWS shows no step before the branches for a Parallel state (recorded cases
        // `test_state_mock_scenarios__test_io_parallel_state_mock_success_*`).
        attempt.forget(&["afterInputPath", "afterParameters", "afterArguments"]);
        return attempt.finish(Cow::Borrowed(input), result);
    }
    let started = run.record(thread, EventType::ParallelStateStarted, None);
    let effective = &effective;
    let parent = &*thread;
    let branch_runs = branches.iter().enumerate().map(|(index, branch)| {
        let mut branch_thread = parent.child(started, format_args!("b{index}"));
        let mut branch_frame = attempt.frame.child(started, index, None);
        async move {
            let result = run
                .run_machine(
                    branch,
                    effective.clone(),
                    &mut branch_thread,
                    &mut branch_frame,
                )
                .await;
            (index, result, branch_thread.time)
        }
    });
    let mut running: FuturesUnordered<_> = branch_runs.collect();
    let waiting = run.threads.waiting_for_children(run.observed());
    let mut results = vec![Value::Null; branches.len()];
    let mut failed = None;
    while let Some((index, result, at)) = running.next().await {
        match result {
            Ok(value) => results[index] = value,
            Err(failure) => {
                // Every branch starts, as on AWS, even when one fails at once; and branches
                // failing at the same moment record their failures before the state fails.
                while let Some(Some(_)) = running.next().now_or_never() {}
                if !running.is_empty() {
                    let window = run.let_siblings_fail(at);
                    let siblings = async { while running.next().await.is_some() {} };
                    futures::pin_mut!(window, siblings);
                    futures::future::select(window, siblings).await;
                }
                failed = Some(failure);
                break;
            }
        }
    }
    drop(running);
    drop(waiting);
    // The first failing branch fails the state; the others are dropped (stopped) with it.
    match failed {
        None => attempt.finish(Cow::Borrowed(input), Value::Array(results)),
        Some(mut failure) => {
            // The other branches stop with the state; a state they were running is aborted.
            for index in 0..branches.len() {
                run.abort_thread(&thread.child(started, format_args!("b{index}")).key);
            }
            failure.from_branch = true;
            Err(failure)
        }
    }
}
