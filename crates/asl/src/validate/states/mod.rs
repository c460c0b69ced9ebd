//! One state: its type, the fields that type accepts, and the checks common to all types.
//! Each type's own rules are in a submodule.

mod choice;
mod fail;
mod map;
mod parallel;
mod pass;
mod task;
mod wait;

use super::fields::Node;
use super::graph::Transition;
use super::language::{self, Language};
use super::messages::{self, Kind};
use super::{handlers, syntax, warnings, Validator};
use serde_json::Value;

const TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Fields every state type accepts.
const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// The fields each state type accepts besides [`COMMON`], in either query language (fields of
/// the other language are refused with their own message). Measured against AWS
/// `ValidateStateMachineDefinition` by others; see the module tests for the notable gaps (a
/// Pass state has no `ResultSelector` nor `Arguments`, a Map state no `Arguments`).
fn fields_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pass" => &[
            "InputPath",
            "OutputPath",
            "Result",
            "ResultPath",
            "Parameters",
            "Output",
            "Assign",
            "Next",
            "End",
        ],
        "Task" => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "Output",
            "Assign",
            "Resource",
            "Credentials",
            "ResultSelector",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Next",
            "End",
        ],
        "Wait" => &[
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "Next",
            "End",
        ],
        "Parallel" => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "Output",
            "Assign",
            "ResultSelector",
            "Retry",
            "Catch",
            "Branches",
            "Next",
            "End",
        ],
        "Map" => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Output",
            "Assign",
            "ResultSelector",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "Next",
            "End",
        ],
        "Choice" => &[
            "InputPath",
            "OutputPath",
            "Output",
            "Assign",
            "Choices",
            "Default",
        ],
        "Succeed" => &["InputPath", "OutputPath", "Output"],
        "Fail" => &["Error", "Cause", "ErrorPath", "CausePath"],
        _ => &[],
    }
}

/// Validates the state at `pointer`, adding the transitions it makes to `transitions`.
pub fn state(
    validator: &mut Validator,
    value: &Value,
    pointer: &str,
    transitions: &mut Vec<Transition>,
) {
    let Some(map) = value.as_object() else {
        validator.schema(pointer, messages::expected(Kind::Object));
        return;
    };
    let node = Node::new(map, pointer);
    let language = language::state(validator, node);
    validator.string(node, "Comment");
    let kind = match node.get("Type") {
        None => {
            validator.required(node, &["Type"]);
            return;
        }
        Some(Value::String(kind)) if TYPES.contains(&kind.as_str()) => kind.as_str(),
        Some(Value::String(_)) => {
            validator.schema(node.field("Type"), messages::one_of(TYPES));
            return;
        }
        Some(_) => {
            validator.schema(node.field("Type"), messages::expected(Kind::String));
            return;
        }
    };
    fields(validator, node, kind, language);
    if fields_of(kind).contains(&"Next") {
        flow(validator, node, transitions);
    }
    match kind {
        "Task" => task::check(validator, node, language),
        "Pass" => pass::check(validator, node, language),
        "Choice" => choice::check(validator, node, language, transitions),
        "Wait" => wait::check(validator, node, language),
        "Fail" => fail::check(validator, node, language),
        "Parallel" => parallel::check(validator, node, language),
        "Map" => map::check(validator, node, language),
        _ => {}
    }
    data_flow(validator, node, kind, language);
    if fields_of(kind).contains(&"Retry") {
        handlers::retry(validator, node);
        handlers::catch(validator, node, language, transitions);
    }
}

/// Fields the type does not take, and fields of the other query language.
fn fields(validator: &mut Validator, node: Node, kind: &str, language: Language) {
    let allowed = fields_of(kind);
    for key in node.map.keys() {
        if COMMON.contains(&key.as_str()) {
            continue;
        }
        if !allowed.contains(&key.as_str()) {
            validator.schema(node.field(key), messages::not_supported(key));
        } else if language::foreign(key, language) {
            validator.schema(node.field(key), messages::wrong_language(key, language));
        }
    }
}

/// Exactly one of `Next` and `End: true`.
fn flow(validator: &mut Validator, node: Node, transitions: &mut Vec<Transition>) {
    let next = validator.string(node, "Next");
    let end = validator.boolean(node, "End");
    match (node.has("Next"), node.has("End")) {
        (true, true) => validator.schema(node.pointer, messages::only_one(&["Next", "End"])),
        // `End: false` with no `Next` leaves the state nowhere to go, as if neither were there.
        (false, false) => validator.schema(node.pointer, messages::exactly_one(&["Next", "End"])),
        (false, true) if end == Some(false) => {
            validator.schema(node.pointer, messages::exactly_one(&["Next", "End"]))
        }
        _ => {}
    }
    if let Some(next) = next {
        transitions.push(Transition::new(next, node.field("Next")));
    }
}

/// The input and output fields most types share; those the type does not take have been
/// reported already and are not looked into.
fn data_flow(validator: &mut Validator, node: Node, kind: &str, language: Language) {
    let takes = |key: &str| fields_of(kind).contains(&key);
    match language {
        Language::JsonPath => {
            for key in ["InputPath", "OutputPath"] {
                if takes(key) {
                    syntax::path(validator, node, key, true);
                }
            }
            if takes("ResultPath") {
                syntax::reference_path(validator, node, "ResultPath");
            }
            for (key, object_required) in [
                ("Parameters", false),
                ("ResultSelector", true),
                ("Assign", true),
            ] {
                if takes(key) {
                    syntax::template(validator, node, key, object_required);
                    warnings::no_dollar(validator, node, key);
                }
            }
        }
        Language::Jsonata => {
            if takes("Assign") {
                validator.object(node, "Assign");
            }
            if takes("Arguments") {
                validator.object_or_expression(node, "Arguments", language);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{has, problems, single};
    use serde_json::json;

    #[test]
    fn type_is_required_and_known() {
        has(
            single(json!({"End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        has(
            single(json!({"Type": "Teleport", "End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Type",
        );
        has(
            single(json!({"Type": 7, "End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Type",
        );
        has(
            single(json!("Pass")),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
    }

    #[test]
    fn fields_are_checked_against_the_type() {
        for (state, field) in [
            (json!({"Type": "Fail", "InputPath": "$"}), "InputPath"),
            (json!({"Type": "Fail", "Next": "A"}), "Next"),
            (json!({"Type": "Succeed", "Next": "A"}), "Next"),
            (json!({"Type": "Succeed", "Assign": {}}), "Assign"),
            (
                json!({"Type": "Pass", "End": true, "ResultSelector": {}}),
                "ResultSelector",
            ),
            (
                json!({"Type": "Pass", "End": true, "TimeoutSeconds": 3}),
                "TimeoutSeconds",
            ),
            (json!({"Type": "Pass", "End": true, "Retry": []}), "Retry"),
            (
                json!({"Type": "Wait", "Seconds": 1, "End": true, "Catch": []}),
                "Catch",
            ),
            (json!({"Type": "Choice", "Choices": [], "End": true}), "End"),
        ] {
            has(
                single(state),
                "SCHEMA_VALIDATION_FAILED",
                &format!("/States/A/{field}"),
            );
        }
    }

    #[test]
    fn next_or_end() {
        for state in [
            json!({"Type": "Pass"}),
            json!({"Type": "Pass", "Next": "A", "End": true}),
            json!({"Type": "Pass", "End": false}),
        ] {
            has(single(state), "SCHEMA_VALIDATION_FAILED", "/States/A");
        }
        has(
            single(json!({"Type": "Pass", "End": "yes"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/End",
        );
        has(
            single(json!({"Type": "Pass", "Next": 3})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Next",
        );
    }

    #[test]
    fn query_language_fields() {
        has(
            single(json!({"Type": "Pass", "End": true, "Output": 1})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Output",
        );
        has(
            single(
                json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONata", "InputPath": "$"}),
            ),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/InputPath",
        );
        has(
            json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}}}),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        // A state may move to JSONata inside a JSONPath machine.
        assert_eq!(
            problems(single(
                json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONata", "Output": "{% 1 %}"})
            )),
            vec![]
        );
    }

    #[test]
    fn states_in_a_branch_take_the_top_level_language() {
        // The Parallel state is JSONata, but its branch's states are JSONPath like the machine.
        has(
            single(
                json!({"Type": "Parallel", "QueryLanguage": "JSONata", "End": true, "Branches": [
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": 1, "End": true}}}
                ]}),
            ),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Branches/0/States/B/Output",
        );
    }
}
