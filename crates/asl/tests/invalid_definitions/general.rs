//! Fixtures for the rules of the top level, of every state, of query languages and of paths.

use super::fixtures::*;
use serde_json::json;

/// The top level.
pub fn top_level() -> Vec<Fixture> {
    vec![
        ("not an object", json!([1]), vec![(SCHEMA, "/")]),
        (
            // As AWS: no state is unreachable without a StartAt (api_validation NO_STARTAT).
            "StartAt missing",
            json!({"States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/")],
        ),
        (
            "StartAt names no state",
            json!({"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}),
            vec![(TARGET, "/StartAt"), (TARGET, "/States/A")],
        ),
        (
            "StartAt not a string",
            json!({"StartAt": 1, "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/StartAt")],
        ),
        (
            "States missing",
            json!({"StartAt": "A"}),
            vec![(SCHEMA, "/")],
        ),
        (
            "States empty",
            json!({"StartAt": "A", "States": {}}),
            vec![(SCHEMA, "/States")],
        ),
        (
            "States not an object",
            json!({"StartAt": "A", "States": [{"Type": "Succeed"}]}),
            vec![(SCHEMA, "/States")],
        ),
        (
            "Comment not a string",
            json!({"Comment": 1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/Comment")],
        ),
        (
            "Version not 1.0",
            json!({"Version": "2.0", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/Version")],
        ),
        (
            "TimeoutSeconds negative",
            json!({"TimeoutSeconds": -1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/TimeoutSeconds")],
        ),
        (
            "TimeoutSeconds not an integer",
            json!({"TimeoutSeconds": "60", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/TimeoutSeconds")],
        ),
        (
            "QueryLanguage unknown",
            json!({"QueryLanguage": "SQL", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/QueryLanguage")],
        ),
        (
            "unknown top-level field",
            json!({"Foo": 1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/Foo")],
        ),
    ]
}

/// Every state.
pub fn every_state() -> Vec<Fixture> {
    vec![
        (
            "state not an object",
            machine(json!("Pass")),
            vec![(SCHEMA, "/States/A"), (TARGET, "/States/Z")],
        ),
        (
            "Type missing",
            machine(json!({"Next": "Z"})),
            vec![(SCHEMA, "/States/A"), (TARGET, "/States/Z")],
        ),
        (
            "Type unknown",
            machine(json!({"Type": "Teleport", "Next": "Z"})),
            vec![(SCHEMA, "/States/A/Type"), (TARGET, "/States/Z")],
        ),
        (
            "state Comment not a string",
            machine(state("Pass", json!({"Comment": 1}))),
            vec![(SCHEMA, "/States/A/Comment")],
        ),
        (
            "state name too long",
            json!({"StartAt": "a".repeat(81), "States": {"a".repeat(81): {"Type": "Succeed"}}}),
            vec![("INVALID_STATE_NAME", "/States/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")],
        ),
        (
            "state name repeated in a branch",
            machine(state("Parallel", json!({"Branches": [branch("Z")]}))),
            // Reported at the later of the two in document order.
            vec![("DUPLICATE_STATE_NAME", "/States/Z")],
        ),
        (
            "unknown state field",
            machine(state("Pass", json!({"Foo": 1}))),
            vec![(SCHEMA, "/States/A/Foo")],
        ),
        (
            "Fail with InputPath",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "InputPath": "$"}}}),
            vec![(SCHEMA, "/States/A/InputPath")],
        ),
        (
            "Fail with Next",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "Next": "A"}}}),
            vec![(SCHEMA, "/States/A/Next")],
        ),
        (
            "Succeed with Next",
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed", "Next": "A"}}}),
            vec![(SCHEMA, "/States/A/Next")],
        ),
        (
            "Choice with End",
            machine(json!({"Type": "Choice", "End": true, "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Z"}]})),
            vec![(SCHEMA, "/States/A/End")],
        ),
        (
            "Pass with Retry",
            machine(state("Pass", json!({"Retry": []}))),
            vec![(SCHEMA, "/States/A/Retry")],
        ),
        (
            "Map with TimeoutSeconds",
            machine(state("Map", json!({"TimeoutSeconds": 5}))),
            vec![(SCHEMA, "/States/A/TimeoutSeconds")],
        ),
        (
            "neither Next nor End",
            machine(state("Pass", json!({"Next": null, "Comment": "x"}))),
            vec![(SCHEMA, "/States/A"), (TARGET, "/States/Z")],
        ),
        (
            "both Next and End",
            machine(state("Pass", json!({"End": true}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "End false",
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": false}, "Z": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/States/A"), (TARGET, "/States/Z")],
        ),
        (
            "End not a boolean",
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": "true"}, "Z": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/States/A/End"), (TARGET, "/States/Z")],
        ),
        (
            "Next names no state",
            machine(state("Pass", json!({"Next": "Y"}))),
            vec![(TARGET, "/States/A/Next"), (TARGET, "/States/Z")],
        ),
        (
            "Next out of the branch",
            machine(state("Parallel", json!({"Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "Z"}, "C": {"Type": "Succeed"}}}
            ]}))),
            vec![
                (TARGET, "/States/A/Branches/0/States/B/Next"),
                (TARGET, "/States/A/Branches/0/States/C"),
            ],
        ),
        (
            "unreachable state",
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}),
            vec![(TARGET, "/States/B")],
        ),
        (
            "no terminal state",
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}),
            vec![("MISSING_END_STATE", "/")],
        ),
    ]
}

/// Query languages.
pub fn query_languages() -> Vec<Fixture> {
    vec![
        (
            "JSONata field in a JSONPath state",
            machine(state("Pass", json!({"Output": {}}))),
            vec![(SCHEMA, "/States/A/Output")],
        ),
        (
            "JSONPath field in a JSONata state",
            jsonata(state("Pass", json!({"Parameters": {}}))),
            vec![(SCHEMA, "/States/A/Parameters")],
        ),
        (
            "JSONPath state in a JSONata machine",
            jsonata(state("Pass", json!({"QueryLanguage": "JSONPath"}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "state QueryLanguage unknown",
            machine(state("Pass", json!({"QueryLanguage": "XPath"}))),
            vec![(SCHEMA, "/States/A/QueryLanguage")],
        ),
        (
            "QueryLanguage in a Map processor",
            machine(state(
                "Map",
                json!({"ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Succeed"}}}}),
            )),
            vec![(SCHEMA, "/States/A/ItemProcessor/QueryLanguage")],
        ),
        (
            "JSONata Assign not an object",
            jsonata(state("Pass", json!({"Assign": "{% 1 %}"}))),
            vec![(SCHEMA, "/States/A/Assign")],
        ),
        (
            "JSONata Arguments not an object",
            jsonata(state("Task", json!({"Arguments": [1]}))),
            vec![(SCHEMA, "/States/A/Arguments")],
        ),
    ]
}

/// Paths and templates.
pub fn paths_and_templates() -> Vec<Fixture> {
    vec![
        (
            "InputPath not a path",
            machine(state("Pass", json!({"InputPath": "input"}))),
            vec![(SCHEMA, "/States/A/InputPath")],
        ),
        (
            "OutputPath not a string",
            machine(state("Pass", json!({"OutputPath": 1}))),
            vec![(SCHEMA, "/States/A/OutputPath")],
        ),
        (
            "ResultPath not definite",
            machine(state("Pass", json!({"ResultPath": "$.a[*]"}))),
            vec![(SCHEMA, "/States/A/ResultPath")],
        ),
        (
            "Parameters with a bad path",
            machine(state("Pass", json!({"Parameters": {"a": {"b.$": "nope"}}}))),
            vec![(SCHEMA, "/States/A/Parameters/a")],
        ),
        (
            "Parameters with a bad intrinsic",
            machine(state(
                "Task",
                json!({"Parameters": {"a.$": "States.Format('{}'"}}),
            )),
            vec![(SCHEMA, "/States/A/Parameters")],
        ),
        (
            "ResultSelector not an object",
            machine(state("Task", json!({"ResultSelector": "$.a"}))),
            vec![(SCHEMA, "/States/A/ResultSelector")],
        ),
        (
            "Assign with a bad path",
            machine(state("Pass", json!({"Assign": {"x.$": "$$$"}}))),
            vec![(SCHEMA, "/States/A/Assign")],
        ),
    ]
}
