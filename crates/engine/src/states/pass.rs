use crate::context::StateContext;
use crate::execution::{Completed, Frame, Run};
use crate::failure::Failure;
use fluxo_asl::model::{ResultPathField, State};
use serde_json::Value;
use std::borrow::Cow;

pub(crate) fn run(
    run: &Run,
    state: &State,
    result: Option<&Value>,
    input: Cow<'_, Value>,
    state_context: &StateContext<'_>,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let context = run.context.for_state(state_context, frame);
    // With a `Result`, the effective input only matters for the errors that computing it can
    // raise: there are none to raise when it would be the input itself.
    let plain_input = state.io.parameters.is_none()
        && matches!(state.io.input_path, fluxo_asl::model::PathField::Identity);
    let (result, raw_input) = match result {
        Some(result) => {
            if !plain_input {
                run.effective_input(state, &input, &context, frame, state_context)?;
            }
            if crate::execution::over_payload_limit(result) {
                return Err(Failure::data_limit(&state.name));
            }
            // `Result` is literal: `.$` keys inside it are not evaluated.
            (result.clone(), input)
        }
        None if plain_input && matches!(state.io.result_path, ResultPathField::Replace) => {
            // The input passes through as the result: moved, not copied, when owned.
            (input.into_owned(), Cow::Owned(Value::Null))
        }
        None => (
            run.effective_input(state, &input, &context, frame, state_context)?,
            input,
        ),
    };
    run.finish(state, raw_input, result, &context, frame, state_context)
}
