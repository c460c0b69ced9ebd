use crate::context::StateContext;
use crate::execution::{Completed, Frame, Run};
use crate::failure::Failure;
use fluxo_asl::model::State;
use serde_json::Value;

pub(crate) fn run(
    run: &Run,
    state: &State,
    result: Option<&Value>,
    input: &Value,
    state_context: &StateContext<'_>,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let context = run.context.for_state(state_context, frame);
    // With a `Result`, the effective input only matters for the errors that computing it can
    // raise: there are none to raise when it would be the input itself.
    let plain_input = state.io.parameters.is_none()
        && matches!(state.io.input_path, fluxo_asl::model::PathField::Identity);
    let effective = match result {
        Some(_) if plain_input => Value::Null,
        _ => run.effective_input(state, input, &context, frame, state_context)?,
    };
    // `Result` is literal: `.$` keys inside it are not evaluated.
    let result = match result {
        Some(result) => {
            if crate::execution::over_payload_limit(result) {
                return Err(Failure::data_limit(&state.name));
            }
            result.clone()
        }
        None => effective,
    };
    run.finish(state, input, result, &context, frame, state_context)
}
