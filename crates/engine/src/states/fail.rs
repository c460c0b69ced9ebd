use super::resolve;
use crate::context::StateContext;
use crate::execution::{Completed, Frame, Run};
use crate::failure::Failure;
use fluxo_asl::model::ValueOrPath;
use serde_json::Value;

pub(crate) fn run(
    run: &Run,
    error: &Option<ValueOrPath<String>>,
    cause: &Option<ValueOrPath<String>>,
    input: &Value,
    state_context: &StateContext<'_>,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let context = run.context.for_state(state_context, frame);
    let text =
        |field: &Option<ValueOrPath<String>>, name: &str| -> Result<Option<String>, Failure> {
            let Some(field) = field else { return Ok(None) };
            match resolve(run, field, name, input, &context, frame, state_context)? {
                Value::String(text) => Ok(Some(text)),
                other => Ok(Some(other.to_string())),
            }
        };
    let error = text(error, "ErrorPath")?;
    let cause = text(cause, "CausePath")?;
    Err(Failure::new(error.unwrap_or_default(), cause))
}
