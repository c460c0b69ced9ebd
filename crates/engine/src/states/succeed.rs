//! Succeed: ends its thread successfully with its input after `InputPath` and `OutputPath`.
//!
//! Events of an attempt: none (`SucceedStateEntered` and `SucceedStateExited` are the
//! lifecycle's).

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use fluxo_asl::model::{DataFlow, QueryLanguage};
use serde_json::Value;
use std::borrow::Cow;

pub(crate) fn run(attempt: &Attempt<'_>, input: Cow<'_, Value>) -> Result<Completed, Failure> {
    if let DataFlow::Jsonata(_) = attempt.state.io {
        debug_assert_eq!(attempt.state.query_language, QueryLanguage::Jsonata);
        return attempt.finish_jsonata(input, None);
    }
    let effective = attempt.input_path(input)?.into_owned();
    Ok(Completed {
        output: attempt.output_path(effective)?,
        next: None,
        assigned: None,
    })
}
