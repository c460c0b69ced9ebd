//! Choice: the first rule that matches picks the next state, else `Default`, else
//! `States.NoChoiceMatched`.
//!
//! Events of an attempt: none (entering and exiting are the lifecycle's).

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use fluxo_asl::model::StateKind;
use fluxo_expr::EvalError;
use serde_json::Value;
use std::borrow::Cow;

pub(crate) fn run(attempt: &Attempt<'_>, input: Cow<'_, Value>) -> Result<Completed, Failure> {
    let state = attempt.state;
    let StateKind::Choice {
        choices,
        choice_assigns,
        default,
    } = &state.kind
    else {
        unreachable!("choice::run is only called for Choice states");
    };
    let effective = attempt.input_path(input)?;
    let scope = attempt.frame.scope(&effective, &attempt.context);
    let mut chosen = None;
    for (index, choice) in choices.iter().enumerate() {
        if choice
            .rule
            .evaluate(&scope)
            .map_err(|error| attempt.failure(error))?
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
            return Err(attempt.failure(EvalError {
                error: "States.NoChoiceMatched".into(),
                message: "No Choice Rules matched and no Default was specified.".into(),
            }))
        }
    };
    let mut assigned = match &state.assign {
        Some(assign) => Some(attempt.assign(assign, &effective)?),
        None => None,
    };
    if let Some(assign) = assign {
        let values = attempt.assign(assign, &effective)?;
        assigned.get_or_insert_with(Default::default).extend(values);
    }
    Ok(Completed {
        output: attempt.output_path(effective.into_owned())?,
        next: Some(next),
        assigned,
    })
}
