//! The transitions of one state machine: targets that do not exist, states nothing leads to,
//! and the need for a terminal state.
//!
//! AWS's reachability rule, as its diagnostics show, is that some transition of the same
//! machine (`StartAt`, `Next`, `Default`, a choice's or a catcher's `Next`) names the state;
//! it does not walk the graph from `StartAt`. When the machine has no terminal state at all,
//! AWS reports that alone and skips the reachability check.

use super::{at, code, messages, Validator};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// A field that names the state to go to, and where that field is.
#[derive(Debug, Clone)]
pub struct Transition {
    pub target: String,
    pub pointer: String,
}

impl Transition {
    pub fn new(target: &str, pointer: String) -> Self {
        Transition {
            target: target.to_string(),
            pointer,
        }
    }
}

/// Checks the transitions of the machine whose `States` object is at `states_pointer`.
/// Without a `StartAt` AWS reports no state as unreachable (api_validation
/// INVALID_BASE_NO_STARTAT), so `has_start` false skips that check.
pub fn check(
    validator: &mut Validator,
    machine_pointer: &str,
    states_pointer: &str,
    states: &Map<String, Value>,
    transitions: &[Transition],
    has_start: bool,
) {
    for transition in transitions {
        if !states.contains_key(&transition.target) {
            validator.error(
                code::MISSING_TRANSITION_TARGET,
                &transition.pointer,
                messages::missing_target(&transition.target),
            );
        }
    }
    if !states.values().any(is_terminal) {
        validator.error(
            code::MISSING_END_STATE,
            machine_pointer,
            messages::NO_TERMINAL_STATE,
        );
        return;
    }
    if !has_start {
        return;
    }
    let targeted: HashSet<&str> = transitions.iter().map(|t| t.target.as_str()).collect();
    for name in states.keys() {
        if !targeted.contains(name.as_str()) {
            validator.error(
                code::MISSING_TRANSITION_TARGET,
                at(states_pointer, name),
                messages::unreachable(name),
            );
        }
    }
}

/// `End: true`, or a state type that ends the execution by itself.
fn is_terminal(state: &Value) -> bool {
    state.get("End") == Some(&Value::Bool(true))
        || matches!(
            state.get("Type").and_then(Value::as_str),
            Some("Succeed" | "Fail")
        )
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;
    use serde_json::json;

    fn graph_problems(states: serde_json::Value, start: &str) -> Vec<(String, String)> {
        problems(json!({"StartAt": start, "States": states}))
            .into_iter()
            .filter(|(code, _)| code != "SCHEMA_VALIDATION_FAILED")
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(c, l)| (c.to_string(), l.to_string()))
            .collect()
    }

    #[test]
    fn a_missing_start_is_reported_with_the_states_nothing_names() {
        // AWS: only "Pass One" is unreachable; "Success" is named by Pass One's Next.
        let found = graph_problems(
            json!({"Pass One": {"Type": "Pass", "Next": "Success"}, "Success": {"Type": "Succeed"}}),
            "Not sure",
        );
        assert_eq!(
            found,
            pairs(&[
                ("MISSING_TRANSITION_TARGET", "/StartAt"),
                ("MISSING_TRANSITION_TARGET", "/States/Pass One"),
            ])
        );
    }

    #[test]
    fn every_kind_of_transition_names_its_target() {
        let found = graph_problems(
            json!({
                "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "X1"}], "Default": "X2"},
                "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "X3",
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X4"}]},
            }),
            "C",
        );
        assert_eq!(
            found,
            pairs(&[
                ("MISSING_TRANSITION_TARGET", "/States/C/Choices/0/Next"),
                ("MISSING_TRANSITION_TARGET", "/States/C/Default"),
                ("MISSING_TRANSITION_TARGET", "/States/T/Next"),
                ("MISSING_TRANSITION_TARGET", "/States/T/Catch/0/Next"),
                ("MISSING_END_STATE", "/"),
            ])
        );
    }

    #[test]
    fn no_terminal_state_hides_the_reachability_check() {
        let looping =
            json!({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}});
        assert_eq!(
            graph_problems(looping.clone(), "A"),
            pairs(&[("MISSING_END_STATE", "/")])
        );
        let mut with_orphan = looping;
        with_orphan["C"] = json!({"Type": "Pass", "End": true});
        assert_eq!(
            graph_problems(with_orphan, "A"),
            pairs(&[("MISSING_TRANSITION_TARGET", "/States/C")])
        );
    }

    #[test]
    fn nested_machines_are_checked_on_their_own() {
        let found = graph_problems(
            json!({"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "P"}, "B": {"Type": "Pass", "Next": "A"}}}
            ]}}),
            "P",
        );
        assert_eq!(
            found,
            pairs(&[
                (
                    "MISSING_TRANSITION_TARGET",
                    "/States/P/Branches/0/States/A/Next"
                ),
                ("MISSING_END_STATE", "/States/P/Branches/0"),
            ])
        );
    }
}
