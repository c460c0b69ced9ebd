use super::*;
use serde_json::json;

/// `(code, location)` of every diagnostic.
fn problems(definition: Value) -> Vec<(String, String)> {
    validate(&definition)
        .into_iter()
        .map(|d| (d.code, d.location))
        .collect()
}

fn has(definition: Value, code: &str, location: &str) {
    let found = problems(definition);
    assert!(
        found.iter().any(|(c, l)| c == code && l == location),
        "expected {code} at {location}, got {found:?}"
    );
}

fn pass_machine(state: Value) -> Value {
    json!({"StartAt": "A", "States": {"A": state}})
}

#[test]
fn a_valid_definition_has_no_diagnostics() {
    let definition = json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "C"}], "Default": "D"},
            "C": {"Type": "Succeed"},
            "D": {"Type": "Fail", "Error": "E"}
        }
    });
    assert_eq!(problems(definition), vec![]);
}

#[test]
fn every_problem_is_reported_with_its_location() {
    let definition = json!({
        "StartAt": "Missing",
        "Extra": 1,
        "States": {
            "A": {"Type": "Pass", "Next": "Nowhere", "Seconds": 3},
            "B": {"Type": "Pass"},
            "C": {"Type": "Teleport", "End": true}
        }
    });
    let found = problems(definition);
    for (code, location) in [
        ("SCHEMA_VALIDATION_FAILED", "/Extra"),
        ("MISSING_TRANSITION_TARGET", "/StartAt"),
        ("MISSING_TRANSITION_TARGET", "/States/A/Next"),
        ("SCHEMA_VALIDATION_FAILED", "/States/A/Seconds"),
        ("SCHEMA_VALIDATION_FAILED", "/States/B"),
        ("SCHEMA_VALIDATION_FAILED", "/States/C/Type"),
    ] {
        assert!(
            found.iter().any(|(c, l)| c == code && l == location),
            "expected {code} at {location} in {found:?}"
        );
    }
}

#[test]
fn unreachable_states_and_missing_ends() {
    has(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}),
        "UNREACHABLE_STATE",
        "/States/B",
    );
    has(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}),
        "MISSING_END_STATE",
        "/States",
    );
}

#[test]
fn next_and_end_are_exclusive_and_one_is_needed() {
    has(
        pass_machine(json!({"Type": "Pass", "Next": "A", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
    has(
        pass_machine(json!({"Type": "Pass", "End": false})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/End",
    );
    has(
        pass_machine(json!({"Type": "Succeed", "Next": "A"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Next",
    );
    has(
        pass_machine(json!({"Type": "Fail", "InputPath": "$"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/InputPath",
    );
}

#[test]
fn retry_and_catch_rules() {
    let state = json!({
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
        "Retry": [
            {"ErrorEquals": ["States.ALL"], "MaxAttempts": -1, "BackoffRate": 0.5, "IntervalSeconds": 0},
            {"ErrorEquals": ["States.ALL", "X"], "JitterStrategy": "SOME"},
            {"ErrorEquals": []}
        ],
        "Catch": [{"ErrorEquals": ["X"]}]
    });
    let found = problems(pass_machine(state));
    for location in [
        "/States/A/Retry/0/ErrorEquals",
        "/States/A/Retry/0/MaxAttempts",
        "/States/A/Retry/0/BackoffRate",
        "/States/A/Retry/0/IntervalSeconds",
        "/States/A/Retry/1/ErrorEquals",
        "/States/A/Retry/1/JitterStrategy",
        "/States/A/Retry/2/ErrorEquals",
        "/States/A/Catch/0",
    ] {
        assert!(
            found.iter().any(|(_, l)| l == location),
            "expected {location} in {found:?}"
        );
    }
}

#[test]
fn task_timeouts_and_resources() {
    has(
        pass_machine(
            json!({"Type": "Task", "Resource": "arn:x", "End": true, "TimeoutSeconds": 10, "HeartbeatSeconds": 10}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/HeartbeatSeconds",
    );
    has(
        pass_machine(json!({"Type": "Task", "Resource": "lambda", "End": true})),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    );
    has(
        pass_machine(
            json!({"Type": "Task", "Resource": "arn:x", "End": true, "TimeoutSeconds": 1, "TimeoutSecondsPath": "$.t"}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
}

#[test]
fn paths_templates_and_intrinsics_are_checked() {
    has(
        pass_machine(json!({"Type": "Pass", "InputPath": "nope", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/InputPath",
    );
    has(
        pass_machine(json!({"Type": "Pass", "ResultPath": "$.a[*]", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ResultPath",
    );
    has(
        pass_machine(
            json!({"Type": "Pass", "Parameters": {"x": {"y.$": "States.Format('{}'"}}, "End": true}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Parameters/x/y.$",
    );
    has(
        pass_machine(json!({"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "A"}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0",
    );
}

#[test]
fn wait_needs_exactly_one_duration() {
    has(
        pass_machine(json!({"Type": "Wait", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
    has(
        pass_machine(json!({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
    has(
        pass_machine(json!({"Type": "Wait", "Timestamp": "tomorrow", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Timestamp",
    );
}

#[test]
fn nested_machines_are_validated_with_their_own_locations() {
    let definition = pass_machine(json!({
        "Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "Gone"}}}]
    }));
    has(
        definition,
        "MISSING_TRANSITION_TARGET",
        "/States/A/Branches/0/States/B/Next",
    );
    has(
        pass_machine(
            json!({"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "M", "States": {"M": {"Type": "Pass", "End": true}}, "ProcessorConfig": {"Mode": "SIDEWAYS"}}}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ItemProcessor/ProcessorConfig/Mode",
    );
}

#[test]
fn malformed_text_and_deep_nesting_give_diagnostics_not_panics() {
    let diagnostics = validate_text("{\"StartAt\": ");
    assert_eq!(diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
    assert_eq!(validate_text("  ")[0].code, "MISSING_DESCRIPTION");
    assert_eq!(
        validate_text(&"[".repeat(100_000))[0].code,
        "INVALID_JSON_DESCRIPTION"
    );
    assert!(!validate(&json!([1, 2])).is_empty());
    assert!(!validate(&json!({"StartAt": 3, "States": []})).is_empty());

    // Parallel nested deeper than the limit is refused without recursing further.
    let mut machine = json!({"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}});
    for level in 0..60 {
        machine = json!({"StartAt": format!("P{level}"), "States": {format!("P{level}"): {"Type": "Parallel", "End": true, "Branches": [machine]}}});
    }
    assert!(validate(&machine)
        .iter()
        .any(|d| d.message.contains("nested")));
}
