//! Choice: the first rule that matches picks the next state, else `Default`, else
//! `States.NoChoiceMatched`.
//!
//! JSONPath rules test values their `Variable` paths select; a JSONata rule's `Condition` is
//! a boolean or an expression over `$states.input` that must give one. A chosen JSONata rule
//! brings its own `Assign` and `Output`; `Default` takes the state's (recorded:
//! `outputdecl/output__test_output_in_choice_*`, `assign/assign_base__test_assign_in_choice_*`).
//!
//! Events of an attempt: none (entering and exiting are the lifecycle's).

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use crate::jsonata::StateValues;
use fluxo_asl::model::{ChoiceBranch, Condition, DataFlow, StateKind};
use fluxo_expr::EvalError;
use fluxo_jsonata::unexpected_type_cause;
use serde_json::{Map, Value};
use std::borrow::Cow;

pub(crate) fn run(attempt: &Attempt<'_>, input: Cow<'_, Value>) -> Result<Completed, Failure> {
    let state = attempt.state;
    let StateKind::Choice { choices, default } = &state.kind else {
        unreachable!("choice::run is only called for Choice states");
    };
    let effective = attempt.input_path(input)?;
    let chosen = choose(attempt, choices, &effective)?;
    let next = match (chosen, default.as_deref()) {
        (Some(choice), _) => choice.next.clone(),
        (None, Some(default)) => default.to_string(),
        (None, None) => {
            return Err(attempt.failure(EvalError {
                error: "States.NoChoiceMatched".into(),
                message: "No Choice Rules matched and no Default was specified.".into(),
            }))
        }
    };
    if let DataFlow::Jsonata(_) = state.io {
        let mut completed = match chosen {
            Some(choice) => chosen_jsonata(attempt, choice, effective)?,
            None => attempt.finish_jsonata(effective, None)?,
        };
        completed.next = Some(next);
        return Ok(completed);
    }
    let mut assigned = match &state.assign {
        Some(assign) => Some(attempt.assign_any(assign, &effective, StateValues::default())?),
        None => None,
    };
    if let Some(assign) = chosen.and_then(|choice| choice.assign.as_ref()) {
        let values = attempt.assign_any(assign, &effective, StateValues::default())?;
        assigned.get_or_insert_with(Default::default).extend(values);
    }
    Ok(Completed {
        output: attempt.output_path(effective.into_owned())?,
        next: Some(next),
        assigned,
    })
}

/// The first rule whose condition holds.
fn choose<'c>(
    attempt: &Attempt<'_>,
    choices: &'c [ChoiceBranch],
    effective: &Value,
) -> Result<Option<&'c ChoiceBranch>, Failure> {
    let scope = attempt.frame.scope(effective, &attempt.context);
    for (index, choice) in choices.iter().enumerate() {
        let holds = match &choice.condition {
            Condition::JsonPath(rule) => rule
                .evaluate(&scope)
                .map_err(|error| attempt.failure(error))?,
            Condition::Jsonata(condition) => {
                let field = format!("Choices/{index}/Condition");
                match attempt.jsonata(condition, &field, StateValues::input(effective))? {
                    Value::Bool(holds) => holds,
                    other => {
                        let text = condition.expressions().first().copied().unwrap_or_default();
                        let cause = unexpected_type_cause(text, &field, "boolean", &other);
                        return Err(attempt.query_failure(Some(field), &cause));
                    }
                }
            }
        };
        if holds {
            return Ok(Some(choice));
        }
    }
    Ok(None)
}

/// A chosen JSONata rule: its `Assign`, and its `Output` (or the input).
fn chosen_jsonata(
    attempt: &Attempt<'_>,
    choice: &ChoiceBranch,
    input: Cow<'_, Value>,
) -> Result<Completed, Failure> {
    let values = StateValues::input(&input);
    let assigned: Option<Map<String, Value>> = match &choice.assign {
        Some(assign) => Some(attempt.assign_any(assign, &input, values)?),
        None => None,
    };
    let output = match &choice.output {
        Some(output) => attempt.jsonata(output, "Output", values)?,
        None => input.into_owned(),
    };
    Ok(Completed {
        output,
        next: None,
        assigned,
    })
}
