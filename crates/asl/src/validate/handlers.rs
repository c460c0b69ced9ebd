//! `Retry` and `Catch`: the retriers and catchers of Task, Parallel and Map states.

use super::fields::{as_object, Node};
use super::graph::Transition;
use super::language::{self, Language};
use super::messages::{self, Kind};
use super::{item, syntax, Validator};
use serde_json::{Map, Value};

const RETRIER: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];

/// Both languages' catcher fields; the other language's are refused with their own message.
const CATCHER: &[&str] = &[
    "ErrorEquals",
    "Next",
    "ResultPath",
    "Output",
    "Assign",
    "Comment",
];

const MAX_COUNT: i64 = 99_999_999;
/// AWS caps `MaxDelaySeconds` at a year (366 days).
const MAX_DELAY: i64 = 31_622_400;

pub fn retry(validator: &mut Validator, state: Node) {
    for retrier in entries(validator, state, "Retry") {
        let node = Node::new(retrier.map, &retrier.pointer);
        error_equals(validator, node, retrier.last);
        validator.unsupported(node, RETRIER);
        validator.string(node, "Comment");
        // AWS accepts 0, although the ASL specification asks for a positive interval.
        validator.integer(node, "IntervalSeconds", 0, Some(MAX_COUNT));
        validator.integer(node, "MaxAttempts", 0, Some(MAX_COUNT));
        validator.integer(node, "MaxDelaySeconds", 1, Some(MAX_DELAY));
        validator.number(node, "BackoffRate", 1.0, None);
        validator.one_of(node, "JitterStrategy", &["FULL", "NONE"]);
    }
}

pub fn catch(
    validator: &mut Validator,
    state: Node,
    language: Language,
    transitions: &mut Vec<Transition>,
) {
    for catcher in entries(validator, state, "Catch") {
        let node = Node::new(catcher.map, &catcher.pointer);
        error_equals(validator, node, catcher.last);
        for key in node.map.keys() {
            if !CATCHER.contains(&key.as_str()) {
                validator.schema(node.field(key), messages::not_supported(key));
            } else if language::foreign(key, language) {
                validator.schema(node.field(key), messages::wrong_language(key, language));
            }
        }
        validator.required(node, &["Next"]);
        validator.string(node, "Comment");
        if let Some(next) = validator.string(node, "Next") {
            transitions.push(Transition::new(next, node.field("Next")));
        }
        match language {
            Language::JsonPath => {
                syntax::reference_path(validator, node, "ResultPath");
                syntax::template(validator, node, "Assign", true);
            }
            Language::Jsonata => {
                validator.object(node, "Assign");
            }
        }
    }
}

/// One element of `Retry` or `Catch` that is an object.
struct Entry<'a> {
    map: &'a Map<String, Value>,
    pointer: String,
    /// The last element of its list, the only one that may catch `States.ALL`.
    last: bool,
}

/// The elements of the list `key` that are objects (the others are reported).
fn entries<'a>(validator: &mut Validator, state: Node<'a>, key: &str) -> Vec<Entry<'a>> {
    let Some(value) = state.get(key) else {
        return Vec::new();
    };
    let pointer = state.field(key);
    let Some(list) = value.as_array() else {
        validator.schema(pointer, messages::expected(Kind::Array));
        return Vec::new();
    };
    let mut found = Vec::with_capacity(list.len());
    for (index, element) in list.iter().enumerate() {
        let element_pointer = item(&pointer, index);
        let Some(map) = as_object(validator, element, &element_pointer) else {
            continue;
        };
        found.push(Entry {
            map,
            pointer: element_pointer,
            last: index + 1 == list.len(),
        });
    }
    found
}

/// A non-empty `ErrorEquals` of error names, with `States.ALL` alone and in the last element.
fn error_equals(validator: &mut Validator, node: Node, last: bool) {
    validator.required(node, &["ErrorEquals"]);
    let Some(value) = node.get("ErrorEquals") else {
        return;
    };
    let pointer = node.field("ErrorEquals");
    let Some(names) = value.as_array() else {
        validator.schema(pointer, messages::expected(Kind::Array));
        return;
    };
    if names.is_empty() {
        validator.schema(pointer, messages::EMPTY_VALUE);
        return;
    }
    for (index, name) in names.iter().enumerate() {
        if !name.is_string() {
            validator.schema(item(&pointer, index), messages::expected(Kind::String));
        }
    }
    let catch_all = names.iter().any(|name| name == "States.ALL");
    if catch_all && (names.len() > 1 || !last) {
        validator.schema(pointer, messages::STATES_ALL_LAST);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{has, problems, single};
    use serde_json::{json, Value};

    fn task(retry: Value, catch: Value) -> Value {
        single(json!({
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
            "Retry": retry, "Catch": catch
        }))
    }

    #[test]
    fn a_full_retrier_and_catcher_are_valid() {
        let retry = json!([
            {"ErrorEquals": ["X", "Y"], "IntervalSeconds": 0, "MaxAttempts": 0, "BackoffRate": 1.5,
             "MaxDelaySeconds": 5, "JitterStrategy": "FULL", "Comment": "c"},
            {"ErrorEquals": ["States.ALL"]}
        ]);
        let catch = json!([{"ErrorEquals": ["States.ALL"], "Next": "A", "ResultPath": "$.e", "Comment": "c"}]);
        assert_eq!(problems(task(retry, catch)), vec![]);
    }

    #[test]
    fn retrier_fields() {
        for (retrier, location) in [
            (
                json!({"ErrorEquals": ["X"], "MaxAttempts": -1}),
                "/States/A/Retry/0/MaxAttempts",
            ),
            (
                json!({"ErrorEquals": ["X"], "IntervalSeconds": -1}),
                "/States/A/Retry/0/IntervalSeconds",
            ),
            (
                json!({"ErrorEquals": ["X"], "BackoffRate": 0.5}),
                "/States/A/Retry/0/BackoffRate",
            ),
            (
                json!({"ErrorEquals": ["X"], "MaxDelaySeconds": 0}),
                "/States/A/Retry/0/MaxDelaySeconds",
            ),
            (
                json!({"ErrorEquals": ["X"], "MaxDelaySeconds": 31_622_401}),
                "/States/A/Retry/0/MaxDelaySeconds",
            ),
            (
                json!({"ErrorEquals": ["X"], "JitterStrategy": "SOME"}),
                "/States/A/Retry/0/JitterStrategy",
            ),
            (
                json!({"ErrorEquals": ["X"], "Next": "A"}),
                "/States/A/Retry/0/Next",
            ),
            (json!({"ErrorEquals": []}), "/States/A/Retry/0/ErrorEquals"),
            (
                json!({"ErrorEquals": [1]}),
                "/States/A/Retry/0/ErrorEquals/0",
            ),
            (json!({"ErrorEquals": "X"}), "/States/A/Retry/0/ErrorEquals"),
            (json!({}), "/States/A/Retry/0"),
            (json!("X"), "/States/A/Retry/0"),
        ] {
            has(
                task(json!([retrier]), json!([])),
                "SCHEMA_VALIDATION_FAILED",
                location,
            );
        }
        has(
            task(json!({}), json!([])),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Retry",
        );
    }

    #[test]
    fn states_all_must_be_alone_and_last() {
        has(
            task(json!([{"ErrorEquals": ["States.ALL", "X"]}]), json!([])),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Retry/0/ErrorEquals",
        );
        has(
            task(
                json!([]),
                json!([{"ErrorEquals": ["States.ALL"], "Next": "A"}, {"ErrorEquals": ["X"], "Next": "A"}]),
            ),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Catch/0/ErrorEquals",
        );
    }

    #[test]
    fn catcher_fields() {
        has(
            task(json!([]), json!([{"ErrorEquals": ["X"]}])),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Catch/0",
        );
        has(
            task(
                json!([]),
                json!([{"ErrorEquals": ["X"], "Next": "A", "Output": 1}]),
            ),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Catch/0/Output",
        );
        has(
            task(
                json!([]),
                json!([{"ErrorEquals": ["X"], "Next": "A", "MaxAttempts": 1}]),
            ),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Catch/0/MaxAttempts",
        );
        has(
            task(
                json!([]),
                json!([{"ErrorEquals": ["X"], "Next": "Nowhere"}]),
            ),
            "MISSING_TRANSITION_TARGET",
            "/States/A/Catch/0/Next",
        );
    }

    #[test]
    fn jsonata_catchers() {
        let mut definition = task(
            json!([]),
            json!([{"ErrorEquals": ["X"], "Next": "A", "Output": "{% $states.errorOutput %}", "Assign": {"e": 1}}]),
        );
        definition["QueryLanguage"] = json!("JSONata");
        assert_eq!(problems(definition.clone()), vec![]);
        definition["States"]["A"]["Catch"][0]["ResultPath"] = json!("$.e");
        has(
            definition,
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Catch/0/ResultPath",
        );
    }
}
