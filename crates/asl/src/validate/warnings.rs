//! AWS's three warnings: likely mistakes that still make a valid definition.
//!
//! Walks here recurse once per nesting level of a field's value; the depth check run before
//! validation bounds that.

use super::fields::Node;
use super::{at, code, item, Validator};
use serde_json::Value;

const NO_DOLLAR: &str = "No .$ on a field that appears to be a JSONPath or Intrinsic Function";
const NO_PATH: &str = "Field value looks like a path, but field name does not end with 'Path'";
const PASS_RESULT_IS_STATIC: &str = "Attempt to use a path in the result of a pass state";

/// A template field without `.$` whose value reads like a path or an intrinsic function: it
/// will be passed on as that literal text.
pub fn no_dollar(validator: &mut Validator, node: Node, key: &str) {
    if let Some(value) = node.get(key) {
        literal_paths(validator, value, &node.field(key));
    }
}

fn literal_paths(validator: &mut Validator, value: &Value, pointer: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = at(pointer, key);
                if key.ends_with(".$") {
                    continue;
                }
                if child.as_str().is_some_and(looks_evaluated) {
                    validator.warning(code::NO_DOLLAR, &child_pointer, NO_DOLLAR);
                } else {
                    literal_paths(validator, child, &child_pointer);
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                literal_paths(validator, child, &item(pointer, index));
            }
        }
        _ => {}
    }
}

/// A literal field (`Error`, `Cause`) whose text reads like a path, as if `…Path` was meant.
pub fn no_path(validator: &mut Validator, node: Node, key: &str) {
    if node
        .get(key)
        .and_then(Value::as_str)
        .is_some_and(looks_like_path)
    {
        validator.warning(code::NO_PATH, node.field(key), NO_PATH);
    }
}

/// A Pass state's `Result` is never evaluated, so a `.$` key in it stays as written.
pub fn pass_result_is_static(validator: &mut Validator, node: Node) {
    if let Some(result) = node.get("Result") {
        dollar_keys(validator, result, &node.field("Result"));
    }
}

fn dollar_keys(validator: &mut Validator, value: &Value, pointer: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = at(pointer, key);
                if key.ends_with(".$") {
                    validator.warning(
                        code::PASS_RESULT_IS_STATIC,
                        &child_pointer,
                        PASS_RESULT_IS_STATIC,
                    );
                }
                dollar_keys(validator, child, &child_pointer);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                dollar_keys(validator, child, &item(pointer, index));
            }
        }
        _ => {}
    }
}

fn looks_like_path(text: &str) -> bool {
    ["$.", "$$.", "$["]
        .iter()
        .any(|prefix| text.starts_with(prefix))
}

fn looks_evaluated(text: &str) -> bool {
    looks_like_path(text)
        || (text.starts_with("States.") && text.ends_with(')') && text.contains('('))
}

#[cfg(test)]
mod tests {
    use super::super::tests::single;
    use crate::validate::validate;
    use crate::Severity;
    use serde_json::{json, Value};

    fn warnings(definition: Value) -> Vec<(String, String)> {
        validate(&definition)
            .into_iter()
            .inspect(|d| assert_eq!(d.severity, Severity::Warning, "{d}"))
            .map(|d| (d.code, d.location))
            .collect()
    }

    #[test]
    fn template_values_that_look_evaluated() {
        let found = warnings(single(json!({"Type": "Pass", "End": true, "Parameters": {
            "a": "$.x", "b": "States.UUID()", "c": "plain", "d.$": "$.y", "e": [{"f": "$$.Execution.Id"}]
        }})));
        assert_eq!(
            found,
            vec![
                (
                    "NO_DOLLAR".to_string(),
                    "/States/A/Parameters/a".to_string()
                ),
                (
                    "NO_DOLLAR".to_string(),
                    "/States/A/Parameters/b".to_string()
                ),
                (
                    "NO_DOLLAR".to_string(),
                    "/States/A/Parameters/e/0/f".to_string()
                ),
            ]
        );
    }

    #[test]
    fn literal_error_that_looks_like_a_path() {
        assert_eq!(
            warnings(single(
                json!({"Type": "Fail", "Error": "$.error", "Cause": "plain"})
            )),
            vec![("NO_PATH".to_string(), "/States/A/Error".to_string())]
        );
    }

    #[test]
    fn pass_results_are_static() {
        assert_eq!(
            warnings(single(
                json!({"Type": "Pass", "End": true, "Result": {"a": {"b.$": "$.c"}}})
            )),
            vec![(
                "PASS_RESULT_IS_STATIC".to_string(),
                "/States/A/Result/a/b.$".to_string()
            )]
        );
    }
}
