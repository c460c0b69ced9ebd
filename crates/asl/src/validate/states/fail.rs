//! Fail: the error and cause it ends with, literal or read from the input.

use super::super::fields::Node;
use super::super::language::Language;
use super::super::{syntax, warnings, Validator};

pub fn check(validator: &mut Validator, node: Node, language: Language) {
    validator.only_one(node, &["Error", "ErrorPath"]);
    validator.only_one(node, &["Cause", "CausePath"]);
    validator.string(node, "Error");
    validator.string(node, "Cause");
    if language == Language::JsonPath {
        syntax::path_or_intrinsic(validator, node, "ErrorPath");
        syntax::path_or_intrinsic(validator, node, "CausePath");
        warnings::no_path(validator, node, "Error");
        warnings::no_path(validator, node, "Cause");
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{has, problems, single};
    use serde_json::json;

    #[test]
    fn error_and_cause_are_literal_or_paths_not_both() {
        assert_eq!(
            problems(single(
                json!({"Type": "Fail", "ErrorPath": "$.e", "Cause": "c"})
            )),
            vec![]
        );
        has(
            single(json!({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        has(
            single(json!({"Type": "Fail", "Cause": "C", "CausePath": "$.c"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        has(
            single(json!({"Type": "Fail", "Error": 1})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Error",
        );
    }

    #[test]
    fn jsonata_fail_states_compute_error_and_cause() {
        assert_eq!(
            problems(single(
                json!({"Type": "Fail", "QueryLanguage": "JSONata", "Error": "{% $e %}", "Cause": "c"})
            )),
            vec![]
        );
        has(
            single(json!({"Type": "Fail", "QueryLanguage": "JSONata", "ErrorPath": "$.e"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/ErrorPath",
        );
    }
}
