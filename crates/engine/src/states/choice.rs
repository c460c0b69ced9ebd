use crate::context::StateContext;
use crate::execution::{Completed, Frame, Run};
use crate::failure::Failure;
use fluxo_asl::model::{State, StateKind};
use fluxo_expr::EvalError;
use serde_json::Value;
use std::borrow::Cow;

pub(crate) fn run(
    run: &Run,
    state: &State,
    input: Cow<'_, Value>,
    state_context: &StateContext<'_>,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let StateKind::Choice {
        choices,
        choice_assigns,
        default,
    } = &state.kind
    else {
        unreachable!("choice::run is only called for Choice states");
    };
    let context = run.context.for_state(state_context, frame);
    let effective =
        run.input_path_cow(&state.io.input_path, input, &context, frame, state_context)?;
    let scope = frame.scope(&effective, &context);
    let mut chosen = None;
    for (index, choice) in choices.iter().enumerate() {
        if choice
            .rule
            .evaluate(&scope)
            .map_err(|error| run.runtime_failure(state_context, error))?
        {
            chosen = Some((index, choice));
            break;
        }
    }
    let (next, assign) = match (chosen, default.as_deref()) {
        (Some((index, choice)), _) => (
            choice.next.clone(),
            choice_assigns.get(index).and_then(Option::as_ref),
        ),
        (None, Some(default)) => (default.to_string(), None),
        (None, None) => {
            return Err(run.runtime_failure(
                state_context,
                EvalError {
                    error: "States.NoChoiceMatched".into(),
                    message: "No Choice Rules matched and no Default was specified.".into(),
                },
            ))
        }
    };
    let mut assigned = match &state.assign {
        Some(assign) => Some(run.assign(assign, &effective, state_context, frame, "Assign")?),
        None => None,
    };
    if let Some(assign) = assign {
        let values = run.assign(assign, &effective, state_context, frame, "Assign")?;
        assigned.get_or_insert_with(Default::default).extend(values);
    }
    let output = run.output_path(
        &state.io.output_path,
        effective.into_owned(),
        &context,
        frame,
        state_context,
    )?;
    Ok(Completed {
        output,
        next: Some(next),
        assigned,
    })
}
