//! Pass: passes its input, or its `Result`, on through the data flow.
//!
//! Events of an attempt: none (entering and exiting are the lifecycle's).

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use crate::payload;
use fluxo_asl::model::{DataFlow, PathField, ResultPathField};
use serde_json::Value;
use std::borrow::Cow;

pub(crate) fn run(
    attempt: &Attempt<'_>,
    result: Option<&Value>,
    input: Cow<'_, Value>,
) -> Result<Completed, Failure> {
    let io = match &attempt.state.io {
        DataFlow::JsonPath(io) => io,
        // JSONata: no `Result`; `Output` (default: the input) and `Assign`.
        DataFlow::Jsonata(_) => return attempt.finish_jsonata(input, None),
    };
    // With a `Result`, the effective input only matters for the errors that computing it can
    // raise: there are none to raise when it would be the input itself.
    let plain_input = io.parameters.is_none() && matches!(io.input_path, PathField::Identity);
    let (result, raw_input) = match result {
        Some(result) => {
            if !plain_input {
                attempt.effective_input(&input)?;
                // AWS shows `result` instead (recorded case
                // `test_state_scenarios__test_base_inspection_level_debug_IO_RESULT_PASS_STATE`).
                attempt.forget(&["afterInputPath", "afterParameters"]);
            }
            if payload::over_limit(result) {
                return Err(Failure::data_limit(&attempt.state.name));
            }
            // `Result` is literal: `.$` keys inside it are not evaluated.
            attempt.inspect("result", result);
            (result.clone(), input)
        }
        None if plain_input && matches!(io.result_path, ResultPathField::Replace) => {
            // The input passes through as the result: moved, not copied, when owned.
            attempt.inspect("afterInputPath", &input);
            attempt.inspect("afterParameters", &input);
            (input.into_owned(), Cow::Owned(Value::Null))
        }
        None => (attempt.effective_input(&input)?, input),
    };
    attempt.finish(raw_input, result)
}
