//! Fail: ends its thread with `Error` and `Cause` (literal, by path, or by an intrinsic).
//!
//! Events of an attempt: none; the state records no `Exited` event, and the failure travels up
//! to the enclosing state or the execution.

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use fluxo_asl::model::ValueOrPath;
use serde_json::Value;

pub(crate) fn run(
    attempt: &Attempt<'_>,
    error: &Option<ValueOrPath<String>>,
    cause: &Option<ValueOrPath<String>>,
    input: &Value,
) -> Result<Completed, Failure> {
    let text =
        |field: &Option<ValueOrPath<String>>, name: &str| -> Result<Option<String>, Failure> {
            let Some(field) = field else { return Ok(None) };
            match attempt.resolve(field, name, input)? {
                Value::String(text) => Ok(Some(text)),
                other => Ok(Some(other.to_string())),
            }
        };
    if attempt.state.io.json_path().is_some() {
        // A Fail state has no InputPath: TestState shows its input unchanged.
        attempt.inspect("afterInputPath", input);
    }
    let error = text(error, "ErrorPath")?;
    let cause = text(cause, "CausePath")?;
    Err(Failure::new(error.unwrap_or_default(), cause))
}
