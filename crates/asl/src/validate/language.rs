//! Query languages: which one applies where, and the fields that belong to only one of them.

use super::fields::Node;
use super::{at, messages, Validator};
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Language {
    JsonPath,
    Jsonata,
}

/// Fields that take JSONPath (or a payload template) and so exist only in JSONPath states.
const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ErrorPath",
    "CausePath",
    "MaxItemsPerBatchPath",
    "MaxInputBytesPerBatchPath",
];

/// Fields that take JSONata and so exist only in JSONata states.
const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items", "Condition"];

/// The language in which `field` is not available, if it belongs to just one of them.
pub fn foreign(field: &str, language: Language) -> bool {
    match language {
        Language::JsonPath => JSONATA_ONLY.contains(&field),
        Language::Jsonata => JSONPATH_ONLY.contains(&field),
    }
}

/// A JSONata expression as written in a JSONata field: `{% ... %}`.
pub fn is_expression(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| text.starts_with("{%") && text.ends_with("%}") && text.len() >= 4)
}

/// Resolves the `QueryLanguage` of the object at `node` (a top-level machine or a state).
///
/// AWS resolves to JSONPath only on the exact string `JSONPath`: any other value present counts
/// as JSONata, and a bad value is reported on its own.
pub fn resolve(validator: &mut Validator, node: Node, inherited: Language) -> Language {
    let Some(value) = node.map.get("QueryLanguage") else {
        return inherited;
    };
    let location = at(node.pointer, "QueryLanguage");
    match value {
        Value::String(text) if text == "JSONPath" => Language::JsonPath,
        Value::String(text) if text == "JSONata" => Language::Jsonata,
        Value::String(_) => {
            validator.schema(location, messages::one_of(&["JSONPath", "JSONata"]));
            Language::Jsonata
        }
        _ => {
            validator.schema(location, messages::expected(messages::Kind::String));
            Language::Jsonata
        }
    }
}

/// Resolves a state's language; a state may not fall back to JSONPath inside a JSONata machine.
pub fn state(validator: &mut Validator, node: Node) -> Language {
    let top = validator.top_language;
    let language = resolve(validator, node, top);
    if language == Language::JsonPath && top == Language::Jsonata {
        validator.schema(node.pointer, messages::JSONPATH_UNDER_JSONATA);
    }
    language
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expressions_are_delimited() {
        assert!(is_expression(&json!("{% $x %}")));
        assert!(is_expression(&json!("{%%}")));
        assert!(!is_expression(&json!("{%")));
        assert!(!is_expression(&json!("{% $x")));
        assert!(!is_expression(&json!(3)));
    }

    #[test]
    fn fields_of_one_language_only() {
        assert!(foreign("Output", Language::JsonPath));
        assert!(foreign("InputPath", Language::Jsonata));
        assert!(!foreign("Assign", Language::Jsonata));
        assert!(!foreign("Assign", Language::JsonPath));
        assert!(!foreign("ItemSelector", Language::Jsonata));
    }
}
