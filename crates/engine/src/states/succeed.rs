//! Succeed: ends its thread successfully with its input after `InputPath` and `OutputPath`.
//!
//! Events of an attempt: none (`SucceedStateEntered` and `SucceedStateExited` are the
//! lifecycle's).

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use serde_json::Value;
use std::borrow::Cow;

pub(crate) fn run(attempt: &Attempt<'_>, input: Cow<'_, Value>) -> Result<Completed, Failure> {
    let effective = attempt.input_path(input)?.into_owned();
    Ok(Completed {
        output: attempt.output_path(effective)?,
        next: None,
        assigned: None,
    })
}
