//! Choice: where each rule leads, and the rules themselves. JSONPath rules are compiled by
//! [`crate::choice`], the same code the engine runs them with; JSONata rules are checked here.

use super::super::fields::{as_object, Node};
use super::super::graph::Transition;
use super::super::language::{is_expression, Language};
use super::super::messages::{self, Kind};
use super::super::{at, item, syntax, Validator};
use serde_json::Value;

/// The fields of a JSONata choice rule.
const JSONATA_RULE: &[&str] = &["Condition", "Next", "Comment", "Assign", "Output"];

pub fn check(
    validator: &mut Validator,
    node: Node,
    language: Language,
    transitions: &mut Vec<Transition>,
) {
    validator.required(node, &["Choices"]);
    let default = validator.string(node, "Default");
    if let Some(choices) = node.get("Choices") {
        rules(
            validator,
            choices,
            &node.field("Choices"),
            language,
            transitions,
        );
    }
    if let Some(default) = default {
        transitions.push(Transition::new(default, node.field("Default")));
    }
}

fn rules(
    validator: &mut Validator,
    choices: &Value,
    pointer: &str,
    language: Language,
    transitions: &mut Vec<Transition>,
) {
    let Some(list) = choices.as_array() else {
        validator.schema(pointer, messages::expected(Kind::Array));
        return;
    };
    if list.is_empty() {
        validator.schema(pointer, messages::EMPTY_VALUE);
        return;
    }
    for (index, rule) in list.iter().enumerate() {
        if let Some(Value::String(next)) = rule.get("Next") {
            transitions.push(Transition::new(next, at(&item(pointer, index), "Next")));
        }
    }
    match language {
        Language::JsonPath => {
            jsonpath_rules(validator, choices, pointer);
            for (index, rule) in list.iter().enumerate() {
                if let Some(map) = rule.as_object() {
                    let rule_pointer = item(pointer, index);
                    syntax::template(validator, Node::new(map, &rule_pointer), "Assign", true);
                }
            }
        }
        Language::Jsonata => {
            for (index, rule) in list.iter().enumerate() {
                jsonata_rule(validator, rule, &item(pointer, index));
            }
        }
    }
}

/// The rule checks of the Choice module; `Next` targets and `Assign` are checked here instead.
fn jsonpath_rules(validator: &mut Validator, choices: &Value, pointer: &str) {
    if let Err(diagnostics) = crate::choice::compile_choices(choices, pointer) {
        validator.diagnostics.extend(diagnostics);
    }
}

fn jsonata_rule(validator: &mut Validator, rule: &Value, pointer: &str) {
    let Some(map) = as_object(validator, rule, pointer) else {
        return;
    };
    let node = Node::new(map, pointer);
    for key in map.keys() {
        if JSONATA_RULE.contains(&key.as_str()) {
            continue;
        }
        let message = if is_jsonpath_rule_field(key) {
            messages::wrong_language(key, Language::Jsonata)
        } else {
            messages::not_supported(key)
        };
        validator.schema(node.field(key), message);
    }
    validator.required(node, &["Condition", "Next"]);
    validator.string(node, "Next");
    validator.string(node, "Comment");
    validator.object(node, "Assign");
    if let Some(condition) = node.get("Condition") {
        if !condition.is_boolean() && !is_expression(condition) {
            validator.schema(node.field("Condition"), messages::expected(Kind::Boolean));
        }
    }
}

/// `Variable`, `And`/`Or`/`Not` and the comparison operators of JSONPath choice rules.
fn is_jsonpath_rule_field(key: &str) -> bool {
    matches!(key, "Variable" | "And" | "Or" | "Not")
        || ["String", "Numeric", "Boolean", "Timestamp", "Is"]
            .iter()
            .any(|prefix| key.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{has, problems};
    use serde_json::{json, Value};

    fn choice(state: Value, language: &str) -> Value {
        json!({"QueryLanguage": language, "StartAt": "C", "States": {
            "C": state,
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Succeed"}
        }})
    }

    #[test]
    fn choices_are_a_non_empty_list() {
        has(
            choice(json!({"Type": "Choice", "Default": "Yes"}), "JSONPath"),
            "SCHEMA_VALIDATION_FAILED",
            "/States/C",
        );
        for choices in [json!([]), json!({})] {
            has(
                choice(
                    json!({"Type": "Choice", "Choices": choices, "Default": "Yes"}),
                    "JSONPath",
                ),
                "SCHEMA_VALIDATION_FAILED",
                "/States/C/Choices",
            );
        }
        has(
            choice(
                json!({"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "No"}], "Default": 3}),
                "JSONPath",
            ),
            "SCHEMA_VALIDATION_FAILED",
            "/States/C/Default",
        );
    }

    #[test]
    fn jsonata_rules() {
        let valid = json!({"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.a %}", "Next": "Yes", "Assign": {"x": 1}, "Output": 2, "Comment": "c"},
            {"Condition": true, "Next": "No"}
        ]});
        assert_eq!(problems(choice(valid, "JSONata")), vec![]);
        let invalid = json!({"Type": "Choice", "Default": "No", "Choices": [
            {"Variable": "$.a", "IsNull": true, "Next": "Yes"},
            {"Condition": 3, "Next": "Yes", "Other": 1},
            "rule"
        ]});
        let found = problems(choice(invalid, "JSONata"));
        for location in [
            "/States/C/Choices/0/Variable",
            "/States/C/Choices/0/IsNull",
            "/States/C/Choices/0",
            "/States/C/Choices/1/Condition",
            "/States/C/Choices/1/Other",
            "/States/C/Choices/2",
        ] {
            assert!(
                found.iter().any(|(_, l)| l == location),
                "{location}: {found:?}"
            );
        }
    }
}
