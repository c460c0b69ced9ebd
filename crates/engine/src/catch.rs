//! `Catch`: the first catcher whose `ErrorEquals` matches sends the state on to its `Next`,
//! with `{"Error", "Cause"}` written at its `ResultPath` and its `Assign` evaluated over that
//! error output (Step Functions developer guide, "Handling errors in Step Functions workflows").

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use crate::jsonata::StateValues;
use fluxo_asl::model::{error_matches, QueryLanguage, ResultPathField};
use serde_json::Value;

/// What the state passes on when a catcher takes `failure`, or the failure back when none does.
pub(crate) fn catch(
    attempt: &Attempt<'_>,
    failure: Failure,
    input: Value,
) -> Result<Completed, Failure> {
    let Some(catcher) = attempt
        .state
        .catch
        .iter()
        .find(|catcher| error_matches(&catcher.error_equals, &failure.error))
    else {
        return Err(failure);
    };
    let error_output = failure.error_output();
    if attempt.state.query_language == QueryLanguage::Jsonata {
        // `$states.input` is the state's input, `$states.errorOutput` the error; the output
        // is `Output`, or the error output.
        let values = StateValues {
            input: Some(&input),
            result: None,
            error_output: Some(&error_output),
        };
        let assigned = match &catcher.assign {
            Some(assign) => Some(attempt.assign_any(assign, &error_output, values)?),
            None => None,
        };
        let output = match &catcher.output {
            Some(output) => attempt.jsonata(output, "Output", values)?,
            None => error_output,
        };
        return Ok(Completed {
            output,
            next: Some(catcher.next.clone()),
            assigned,
        });
    }
    let assigned = match &catcher.assign {
        Some(assign) => Some(attempt.assign_any(assign, &error_output, StateValues::default())?),
        None => None,
    };
    let output = match &catcher.result_path {
        ResultPathField::Replace => error_output,
        ResultPathField::Discard => input,
        ResultPathField::Path(path) => {
            let mut target = input;
            path.write(&mut target, error_output)
                .map_err(|error| attempt.failure(error))?;
            target
        }
    };
    Ok(Completed {
        output,
        next: Some(catcher.next.clone()),
        assigned,
    })
}
