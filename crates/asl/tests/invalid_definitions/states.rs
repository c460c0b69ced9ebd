//! Fixtures for the rules of each state type, and of Retry and Catch.

use super::fixtures::*;
use serde_json::json;

/// Task.
pub fn task() -> Vec<Fixture> {
    vec![
        (
            "Task without Resource",
            machine(state("Task", json!({"Resource": null}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Task Resource not an ARN",
            machine(state("Task", json!({"Resource": "my-function"}))),
            vec![(SCHEMA, "/States/A/Resource")],
        ),
        (
            "TimeoutSeconds and TimeoutSecondsPath",
            machine(state(
                "Task",
                json!({"TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t"}),
            )),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Task TimeoutSeconds zero",
            machine(state("Task", json!({"TimeoutSeconds": 0}))),
            vec![(SCHEMA, "/States/A/TimeoutSeconds")],
        ),
        (
            "HeartbeatSeconds not below TimeoutSeconds",
            machine(state(
                "Task",
                json!({"TimeoutSeconds": 5, "HeartbeatSeconds": 5}),
            )),
            vec![(SCHEMA, "/States/A/HeartbeatSeconds")],
        ),
        (
            "HeartbeatSecondsPath not a single value",
            machine(state("Task", json!({"HeartbeatSecondsPath": "$..beat"}))),
            vec![(SCHEMA, "/States/A/HeartbeatSecondsPath")],
        ),
        (
            "Credentials without RoleArn",
            machine(state("Task", json!({"Credentials": {}}))),
            vec![(SCHEMA, "/States/A/Credentials")],
        ),
    ]
}

/// Retry and Catch.
pub fn retry_and_catch() -> Vec<Fixture> {
    vec![
        (
            "Retry not an array",
            machine(state("Task", json!({"Retry": {"ErrorEquals": ["X"]}}))),
            vec![(SCHEMA, "/States/A/Retry")],
        ),
        (
            "retrier without ErrorEquals",
            machine(state("Task", json!({"Retry": [{"MaxAttempts": 1}]}))),
            vec![(SCHEMA, "/States/A/Retry/0")],
        ),
        (
            "ErrorEquals empty",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": []}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/ErrorEquals")],
        ),
        (
            "States.ALL with other errors",
            machine(state(
                "Task",
                json!({"Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}),
            )),
            vec![(SCHEMA, "/States/A/Retry/0/ErrorEquals")],
        ),
        (
            "States.ALL not in the last retrier",
            machine(state(
                "Task",
                json!({"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]}),
            )),
            vec![(SCHEMA, "/States/A/Retry/0/ErrorEquals")],
        ),
        (
            "MaxAttempts negative",
            machine(state(
                "Task",
                json!({"Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}]}),
            )),
            vec![(SCHEMA, "/States/A/Retry/0/MaxAttempts")],
        ),
        (
            "IntervalSeconds negative",
            machine(state(
                "Task",
                json!({"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": -1}]}),
            )),
            vec![(SCHEMA, "/States/A/Retry/0/IntervalSeconds")],
        ),
        (
            "BackoffRate below 1",
            machine(state(
                "Task",
                json!({"Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.9}]}),
            )),
            vec![(SCHEMA, "/States/A/Retry/0/BackoffRate")],
        ),
        (
            "MaxDelaySeconds zero",
            machine(state(
                "Task",
                json!({"Retry": [{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}]}),
            )),
            vec![(SCHEMA, "/States/A/Retry/0/MaxDelaySeconds")],
        ),
        (
            "JitterStrategy unknown",
            machine(state(
                "Task",
                json!({"Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}]}),
            )),
            vec![(SCHEMA, "/States/A/Retry/0/JitterStrategy")],
        ),
        (
            "unknown retrier field",
            machine(state(
                "Task",
                json!({"Retry": [{"ErrorEquals": ["X"], "Next": "Z"}]}),
            )),
            vec![(SCHEMA, "/States/A/Retry/0/Next")],
        ),
        (
            "catcher without Next",
            machine(state("Task", json!({"Catch": [{"ErrorEquals": ["X"]}]}))),
            vec![(SCHEMA, "/States/A/Catch/0")],
        ),
        (
            "catcher Next names no state",
            machine(state(
                "Task",
                json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Y"}]}),
            )),
            vec![(TARGET, "/States/A/Catch/0/Next")],
        ),
        (
            "catcher ResultPath not a reference path",
            machine(state(
                "Task",
                json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Z", "ResultPath": "$$.x"}]}),
            )),
            vec![(SCHEMA, "/States/A/Catch/0/ResultPath")],
        ),
    ]
}

/// Wait.
pub fn wait() -> Vec<Fixture> {
    vec![
        (
            "Wait without a duration",
            machine(state("Wait", json!({"Seconds": null}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Wait with two durations",
            machine(state("Wait", json!({"Timestamp": "2030-01-01T00:00:00Z"}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Wait Seconds negative",
            machine(state("Wait", json!({"Seconds": -1}))),
            vec![(SCHEMA, "/States/A/Seconds")],
        ),
        (
            "Wait Seconds too large",
            machine(state("Wait", json!({"Seconds": 100_000_000}))),
            vec![(SCHEMA, "/States/A/Seconds")],
        ),
        (
            "Wait Timestamp not RFC 3339",
            machine(state(
                "Wait",
                json!({"Seconds": null, "Timestamp": "2030-01-01 00:00:00"}),
            )),
            vec![(SCHEMA, "/States/A/Timestamp")],
        ),
        (
            "Wait SecondsPath not a path",
            machine(state(
                "Wait",
                json!({"Seconds": null, "SecondsPath": "seconds"}),
            )),
            vec![(SCHEMA, "/States/A/SecondsPath")],
        ),
    ]
}

/// Fail.
pub fn fail() -> Vec<Fixture> {
    vec![
        (
            "Fail Error and ErrorPath",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}}),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Fail Cause and CausePath",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "Cause": "C", "CausePath": "$.c"}}}),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Fail CausePath bad intrinsic",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "CausePath": "States.Nope("}}}),
            vec![(SCHEMA, "/States/A/CausePath")],
        ),
    ]
}

/// Choice.
pub fn choice_rules() -> Vec<Fixture> {
    vec![
        (
            "Choice without Choices",
            machine(json!({"Type": "Choice", "Default": "Z"})),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Choices empty",
            machine(choice(json!([]))),
            vec![(SCHEMA, "/States/A/Choices")],
        ),
        (
            "Default names no state",
            machine(
                json!({"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Z"}], "Default": "Y"}),
            ),
            vec![(TARGET, "/States/A/Default")],
        ),
        (
            "choice Next names no state",
            machine(choice(
                json!([{"Variable": "$.a", "IsNull": true, "Next": "Y"}]),
            )),
            vec![(TARGET, "/States/A/Choices/0/Next")],
        ),
        (
            "JSONata choice without Condition",
            jsonata(choice(json!([{"Next": "Z"}]))),
            vec![(SCHEMA, "/States/A/Choices/0")],
        ),
        (
            "JSONata choice with Variable",
            jsonata(choice(
                json!([{"Condition": "{% true %}", "Variable": "$.a", "Next": "Z"}]),
            )),
            vec![(SCHEMA, "/States/A/Choices/0/Variable")],
        ),
    ]
}

/// Parallel.
pub fn parallel() -> Vec<Fixture> {
    vec![
        (
            "Parallel without Branches",
            machine(state("Parallel", json!({"Branches": null}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Branches empty",
            machine(state("Parallel", json!({"Branches": []}))),
            vec![(SCHEMA, "/States/A/Branches")],
        ),
        (
            "branch without StartAt",
            machine(state(
                "Parallel",
                json!({"Branches": [{"States": {"B": {"Type": "Succeed"}}}]}),
            )),
            vec![(SCHEMA, "/States/A/Branches/0")],
        ),
        (
            "branch field unknown",
            machine(state(
                "Parallel",
                json!({"Branches": [{"StartAt": "B", "Version": "1.0", "States": {"B": {"Type": "Succeed"}}}]}),
            )),
            vec![(SCHEMA, "/States/A/Branches/0/Version")],
        ),
    ]
}

/// Map.
pub fn map() -> Vec<Fixture> {
    vec![
        (
            "Map without ItemProcessor",
            machine(state("Map", json!({"ItemProcessor": null}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Map with ItemProcessor and Iterator",
            machine(state("Map", json!({"Iterator": branch("I")}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Map ItemSelector and Parameters",
            machine(state("Map", json!({"ItemSelector": {}, "Parameters": {}}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Map ProcessorConfig Mode unknown",
            machine(state(
                "Map",
                json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "LOCAL"}, "StartAt": "M", "States": {"M": {"Type": "Succeed"}}}}),
            )),
            vec![(SCHEMA, "/States/A/ItemProcessor/ProcessorConfig/Mode")],
        ),
        (
            "Map DISTRIBUTED without ExecutionType",
            machine(state(
                "Map",
                json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "M", "States": {"M": {"Type": "Succeed"}}}}),
            )),
            vec![(SCHEMA, "/States/A/ItemProcessor/ProcessorConfig")],
        ),
        (
            "Map ItemsPath not a path",
            machine(state("Map", json!({"ItemsPath": "items"}))),
            vec![(SCHEMA, "/States/A/ItemsPath")],
        ),
        (
            "MaxConcurrency negative",
            machine(state("Map", json!({"MaxConcurrency": -1}))),
            vec![(SCHEMA, "/States/A/MaxConcurrency")],
        ),
        (
            "MaxConcurrency and MaxConcurrencyPath",
            machine(state(
                "Map",
                json!({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"}),
            )),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "MaxConcurrencyPath from the context object",
            machine(state(
                "Map",
                json!({"MaxConcurrencyPath": "$$.Execution.Input.m"}),
            )),
            vec![(SCHEMA, "/States/A/MaxConcurrencyPath")],
        ),
        (
            "ToleratedFailurePercentage above 100",
            machine(state("Map", json!({"ToleratedFailurePercentage": 101}))),
            vec![(SCHEMA, "/States/A/ToleratedFailurePercentage")],
        ),
        (
            "ToleratedFailureCount and its path",
            machine(state(
                "Map",
                json!({"ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.n"}),
            )),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "JSONata Items not an array",
            jsonata(state("Map", json!({"Items": {"a": 1}}))),
            vec![(SCHEMA, "/States/A/Items")],
        ),
        (
            "Map Label invalid",
            machine(state("Map", json!({"Label": "a b"}))),
            vec![("INVALID_LABEL_NAME", "/States/A/Label")],
        ),
        (
            "Map processor without a terminal state",
            machine(state(
                "Map",
                json!({"ItemProcessor": {"StartAt": "M", "States": {"M": {"Type": "Pass", "Next": "M"}}}}),
            )),
            vec![("MISSING_END_STATE", "/States/A/ItemProcessor")],
        ),
    ]
}
