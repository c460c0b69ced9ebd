use crate::context::StateContext;
use crate::execution::{Completed, Frame, Run};
use crate::failure::Failure;
use crate::journal::Thread;
use fluxo_asl::model::{State, StateMachine};
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use serde_json::Value;
use std::sync::Arc;

pub(crate) async fn run(
    run: &Run<'_>,
    state: &State,
    branches: &[Arc<StateMachine>],
    input: &Value,
    state_context: &StateContext<'_>,
    thread: &mut Thread,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let context = run.context.for_state(state_context, frame);
    let effective = run.effective_input(state, input, &context, frame, state_context)?;
    let started = run.record(thread, "ParallelStateStarted", None);
    let effective = &effective;
    let parent = &*thread;
    let branch_runs = branches.iter().enumerate().map(|(index, branch)| {
        let mut branch_thread = parent.child(started, format_args!("b{index}"));
        // Each branch sees the variables of the enclosing scope; what it assigns stays inside.
        let mut branch_frame = Frame {
            variables: frame.variables.clone(),
            map_item: None,
        };
        async move {
            let result = run
                .run_machine(
                    branch,
                    effective.clone(),
                    &mut branch_thread,
                    &mut branch_frame,
                )
                .await;
            (index, result)
        }
    });
    let mut running: FuturesUnordered<_> = branch_runs.collect();
    let mut results = vec![Value::Null; branches.len()];
    let mut failed = None;
    while let Some((index, result)) = running.next().await {
        match result {
            Ok(value) => results[index] = value,
            Err(failure) => {
                // Every branch starts, as on AWS, even when one fails at once.
                while let Some(Some(_)) = running.next().now_or_never() {}
                failed = Some(failure);
                break;
            }
        }
    }
    drop(running);
    // The first failing branch fails the state; the others are dropped (stopped) with it.
    match failed {
        None => run.finish(
            state,
            std::borrow::Cow::Borrowed(input),
            Value::Array(results),
            &context,
            frame,
            state_context,
        ),
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
