//! One module per state type. Each `run` performs one attempt at the state and returns what it
//! produced; entering, exiting, Retry and Catch are the execution's business.

pub(crate) mod choice;
pub(crate) mod fail;
pub(crate) mod map;
pub(crate) mod parallel;
pub(crate) mod pass;
pub(crate) mod task;
pub(crate) mod wait;

use crate::context::StateContext;
use crate::execution::{Frame, Run};
use crate::failure::Failure;
use fluxo_asl::model::ValueOrPath;
use fluxo_expr::EvalError;
use serde_json::Value;

/// Resolves a `X` / `XPath` pair against the effective input.
pub(crate) fn resolve(
    run: &Run,
    field: &ValueOrPath<impl Into<Value> + Clone>,
    field_name: &str,
    input: &Value,
    context: &Value,
    frame: &Frame,
    state_context: &StateContext<'_>,
) -> Result<Value, Failure> {
    let scope = frame.scope(input, context);
    match field {
        ValueOrPath::Value(value) => Ok(value.clone().into()),
        ValueOrPath::Path(path) => match path.read(&scope) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(run.runtime_failure(
                state_context,
                EvalError {
                    error: "States.Runtime".into(),
                    message: format!(
                        "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
                        path.as_str(),
                        field_name,
                        input
                    ),
                },
            )),
            Err(error) => Err(run.runtime_failure(state_context, error)),
        },
        ValueOrPath::Intrinsic(intrinsic) => run
            .with_rng(|rng| intrinsic.evaluate(&scope, rng))
            .map_err(|error| run.runtime_failure(state_context, error)),
    }
}
