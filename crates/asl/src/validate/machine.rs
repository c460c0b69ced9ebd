//! State machines: the top level, Parallel branches and Map processors.

use super::fields::Node;
use super::graph::{self, Transition};
use super::language::{self, Language};
use super::messages::{self, Kind};
use super::{at, code, states, Validator};
use serde_json::Value;

const MAX_STATE_NAME: usize = 80;

const TOP_LEVEL_FIELDS: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "TimeoutSeconds",
    "Version",
    "QueryLanguage",
];

/// What a nested machine is, which decides the fields it may have.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nested {
    Branch,
    Processor,
}

pub fn top_level(validator: &mut Validator, definition: &Value) {
    let Some(map) = definition.as_object() else {
        validator.schema("", messages::expected(Kind::Object));
        return;
    };
    let node = Node::new(map, "");
    validator.unsupported(node, TOP_LEVEL_FIELDS);
    validator.top_language = language::resolve(validator, node, Language::JsonPath);
    validator.string(node, "Comment");
    validator.one_of(node, "Version", &["1.0"]);
    // AWS accepts 0 here (unlike a Task's TimeoutSeconds).
    validator.integer(node, "TimeoutSeconds", 0, Some(99_999_999));
    body(validator, node);
}

/// A Parallel branch or a Map `ItemProcessor`/`Iterator` at `pointer`.
pub fn nested(validator: &mut Validator, value: &Value, pointer: &str, kind: Nested) {
    let Some(map) = value.as_object() else {
        validator.schema(pointer, messages::expected(Kind::Object));
        return;
    };
    let node = Node::new(map, pointer);
    // A nested machine has no language of its own: its states take the top-level one.
    let allowed: &[&str] = match kind {
        Nested::Branch => &["Comment", "StartAt", "States"],
        Nested::Processor => &["Comment", "StartAt", "States", "ProcessorConfig"],
    };
    validator.unsupported(node, allowed);
    validator.string(node, "Comment");
    body(validator, node);
}

/// `StartAt` and `States` of any machine, then its transitions.
fn body(validator: &mut Validator, node: Node) {
    // AWS's order: "These fields are required: [States, StartAt]" (api_validation EMPTY_DICT).
    validator.required(node, &["States", "StartAt"]);
    let start_at = validator.string(node, "StartAt");
    let Some(states) = node.get("States") else {
        return;
    };
    let states_pointer = node.field("States");
    let Some(states) = states.as_object() else {
        validator.schema(&states_pointer, messages::expected(Kind::Object));
        return;
    };
    if states.is_empty() {
        validator.schema(&states_pointer, messages::EMPTY_VALUE);
        return;
    }
    let mut transitions = Vec::new();
    if let Some(start) = start_at {
        transitions.push(Transition::new(start, node.field("StartAt")));
    }
    let has_start = start_at.is_some();
    for (name, state) in states {
        let state_pointer = at(&states_pointer, name);
        state_name(validator, name, &state_pointer);
        states::state(validator, state, &state_pointer, &mut transitions);
    }
    graph::check(
        validator,
        node.pointer,
        &states_pointer,
        states,
        &transitions,
        has_start,
    );
}

fn state_name(validator: &mut Validator, name: &str, pointer: &str) {
    if name.is_empty() || name.chars().count() > MAX_STATE_NAME {
        validator.error(
            code::INVALID_STATE_NAME,
            pointer,
            messages::state_name_too_long(MAX_STATE_NAME),
        );
    }
    let repeated_in_text = validator.duplicate_keys.contains(pointer);
    if !validator.names.insert(name.to_string()) || repeated_in_text {
        validator.error(
            code::DUPLICATE_STATE_NAME,
            pointer,
            messages::duplicate_state(name),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{has, problems};
    use serde_json::json;

    #[test]
    fn top_level_fields() {
        let found = problems(json!({
            "StartAt": 1, "Comment": 2, "Version": "2.0", "TimeoutSeconds": -1,
            "QueryLanguage": "SQL", "Extra": true,
            "States": {"A": {"Type": "Succeed"}}
        }));
        for (code, location) in [
            ("SCHEMA_VALIDATION_FAILED", "/StartAt"),
            ("SCHEMA_VALIDATION_FAILED", "/Comment"),
            ("SCHEMA_VALIDATION_FAILED", "/Version"),
            ("SCHEMA_VALIDATION_FAILED", "/TimeoutSeconds"),
            ("SCHEMA_VALIDATION_FAILED", "/QueryLanguage"),
            ("SCHEMA_VALIDATION_FAILED", "/Extra"),
        ] {
            assert!(
                found.iter().any(|(c, l)| c == code && l == location),
                "expected {code} at {location} in {found:?}"
            );
        }
    }

    #[test]
    fn start_at_and_states_are_required() {
        has(json!({}), "SCHEMA_VALIDATION_FAILED", "/");
        has(
            json!({"StartAt": "A", "States": {}}),
            "SCHEMA_VALIDATION_FAILED",
            "/States",
        );
        has(
            json!({"StartAt": "A", "States": []}),
            "SCHEMA_VALIDATION_FAILED",
            "/States",
        );
        has(json!([1]), "SCHEMA_VALIDATION_FAILED", "/");
    }

    #[test]
    fn state_names_are_bounded_and_unique_across_branches() {
        let long = "x".repeat(81);
        has(
            json!({"StartAt": long, "States": {long.clone(): {"Type": "Succeed"}}}),
            "INVALID_STATE_NAME",
            &format!("/States/{long}"),
        );
        let branch = json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}});
        has(
            json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [branch.clone(), branch]}}}),
            "DUPLICATE_STATE_NAME",
            "/States/P/Branches/1/States/A",
        );
    }

    #[test]
    fn nested_machines_take_only_their_own_fields() {
        has(
            json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "A", "QueryLanguage": "JSONPath", "States": {"A": {"Type": "Succeed"}}}
            ]}}}),
            "SCHEMA_VALIDATION_FAILED",
            "/States/P/Branches/0/QueryLanguage",
        );
    }
}
