//! Wait: exactly one way of saying how long.

use super::super::fields::Node;
use super::super::language::{is_expression, Language};
use super::super::{syntax, Validator};

const MAX_SECONDS: i64 = 99_999_999;

pub fn check(validator: &mut Validator, node: Node, language: Language) {
    validator.exactly_one(
        node,
        &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
    );
    validator.integer_or_expression(node, "Seconds", language, 0, Some(MAX_SECONDS));
    let computed =
        language == Language::Jsonata && node.get("Timestamp").is_some_and(is_expression);
    if !computed {
        syntax::timestamp(validator, node, "Timestamp");
    }
    if language == Language::JsonPath {
        syntax::definite_path(validator, node, "SecondsPath", true);
        syntax::definite_path(validator, node, "TimestampPath", true);
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{has, problems, single};
    use serde_json::json;

    #[test]
    fn exactly_one_duration() {
        has(
            single(json!({"Type": "Wait", "End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        has(
            single(json!({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
    }

    #[test]
    fn seconds_range() {
        assert_eq!(
            problems(single(json!({"Type": "Wait", "Seconds": 0, "End": true}))),
            vec![]
        );
        has(
            single(json!({"Type": "Wait", "Seconds": -1, "End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Seconds",
        );
        has(
            single(json!({"Type": "Wait", "Seconds": 10_000_000_000_000_000u64, "End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Seconds",
        );
        assert_eq!(
            problems(single(
                json!({"Type": "Wait", "QueryLanguage": "JSONata", "Seconds": "{% $s %}", "End": true})
            )),
            vec![]
        );
    }

    #[test]
    fn jsonata_timestamps_may_be_computed() {
        assert_eq!(
            problems(single(
                json!({"Type": "Wait", "QueryLanguage": "JSONata", "Timestamp": "{% $t %}", "End": true})
            )),
            vec![]
        );
        has(
            single(
                json!({"Type": "Wait", "QueryLanguage": "JSONata", "TimestampPath": "$.t", "End": true}),
            ),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/TimestampPath",
        );
    }
}
