use crate::context::StateContext;
use crate::execution::{next_of, Completed, Frame, Run};
use crate::failure::Failure;
use crate::journal::Thread;
use fluxo_asl::model::{State, StateMachine};
use serde_json::Value;
use std::sync::Arc;

pub(crate) async fn run(
    run: &Run<'_>,
    state: &State,
    branches: &[Arc<StateMachine>],
    input: &Value,
    state_context: &StateContext,
    thread: &mut Thread,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let context = run.context.for_state(state_context, frame);
    let effective = run.effective_input(state, input, &context, frame, state_context)?;
    let started = run.record(thread, "ParallelStateStarted", None);
    let effective = &effective;
    let parent = &*thread;
    let branch_runs = branches.iter().enumerate().map(|(index, branch)| {
        let mut branch_thread = parent.child(started, &format!("b{index}"));
        // Each branch sees the variables of the enclosing scope; what it assigns stays inside.
        let mut branch_frame = Frame {
            variables: frame.variables.clone(),
            map_item: None,
        };
        async move {
            run.run_machine(
                branch,
                effective.clone(),
                &mut branch_thread,
                &mut branch_frame,
            )
            .await
        }
    });
    // The first failing branch fails the state; the others are dropped (stopped) with it.
    match futures::future::try_join_all(branch_runs).await {
        Ok(results) => {
            let (output, assigned) = run.apply_result(
                state,
                input,
                Value::Array(results),
                &context,
                frame,
                state_context,
            )?;
            Ok(Completed {
                output,
                next: next_of(state),
                assigned,
            })
        }
        Err(mut failure) => {
            failure.from_branch = true;
            Err(failure)
        }
    }
}
