//! Helpers shared by the validator's unit tests, and tests of the whole.

use super::*;
use serde_json::json;

/// An empty validator, for tests of single checks.
pub fn validator() -> Validator {
    Validator {
        diagnostics: Vec::new(),
        names: HashSet::new(),
        labels: HashSet::new(),
        duplicate_keys: HashSet::new(),
        top_language: Language::JsonPath,
        machine_type: super::StateMachineType::Standard,
    }
}

/// `(code, location)` of every error (warnings left out).
pub fn problems(definition: Value) -> Vec<(String, String)> {
    validate(&definition)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code, d.location))
        .collect()
}

/// Asserts an error with this code at this location.
#[track_caller]
pub fn has(definition: Value, code: &str, location: &str) {
    let found = problems(definition);
    assert!(
        found.iter().any(|(c, l)| c == code && l == location),
        "expected {code} at {location:?}, got {found:?}"
    );
}

/// A machine made of the one state `A`.
pub fn single(state: Value) -> Value {
    json!({"StartAt": "A", "States": {"A": state}})
}

#[test]
fn a_valid_definition_has_no_diagnostics() {
    let definition = json!({
        "Comment": "all types", "Version": "1.0", "TimeoutSeconds": 60,
        "StartAt": "Pass",
        "States": {
            "Pass": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "Next": "Task"},
            "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                     "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                     "Next": "Choose"},
            "Choose": {"Type": "Choice",
                       "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Wait"}],
                       "Default": "Parallel"},
            "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Parallel"},
            "Parallel": {"Type": "Parallel", "Next": "Map", "Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}
            ]},
            "Map": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "Next": "Done",
                    "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"},
                                      "StartAt": "M", "States": {"M": {"Type": "Pass", "End": true}}}},
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "E", "Cause": "C"}
        }
    });
    assert_eq!(validate(&definition), vec![]);
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
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
        ("SCHEMA_VALIDATION_FAILED", "/States/A/Seconds"),
        ("SCHEMA_VALIDATION_FAILED", "/States/B"),
        ("SCHEMA_VALIDATION_FAILED", "/States/C/Type"),
        ("MISSING_TRANSITION_TARGET", "/StartAt"),
        ("MISSING_TRANSITION_TARGET", "/States/A/Next"),
        ("MISSING_TRANSITION_TARGET", "/States/A"),
        ("MISSING_TRANSITION_TARGET", "/States/B"),
        ("MISSING_TRANSITION_TARGET", "/States/C"),
    ] {
        assert!(
            found.iter().any(|(c, l)| c == code && l == location),
            "expected {code} at {location} in {found:?}"
        );
    }
}

#[test]
fn pointers_escape_slash_and_tilde() {
    assert_eq!(at("/States", "a/b~c"), "/States/a~1b~0c");
    has(
        single(json!({"Type": "Pass", "End": true, "a/b": 1})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/a~1b",
    );
}

#[test]
fn deep_values_are_refused_before_any_recursion() {
    // 60 nested Parallel states: within serde_json's limit when built in code, but deeper than
    // the depth any definition text can reach.
    let mut machine = json!({"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}});
    for level in 0..60 {
        machine = json!({"StartAt": format!("P{level}"), "States": {
            format!("P{level}"): {"Type": "Parallel", "End": true, "Branches": [machine]}
        }});
    }
    let diagnostics = validate(&machine);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code, "TOO_DEEPLY_NESTED");
}

#[test]
fn warnings_do_not_make_a_definition_invalid() {
    let diagnostics = validate(&single(
        json!({"Type": "Pass", "End": true, "Result": {"a.$": "$.b"}}),
    ));
    assert_eq!(diagnostics.len(), 1);
    assert!(is_valid(&diagnostics));
}

/// Found by the `validate_definition` fuzz target: a JSONata syntax error is reported by the
/// validator (at its field), not first by the compiler.
#[test]
fn a_jsonata_syntax_error_is_a_validation_error() {
    let definition = serde_json::json!({
        "StartAt": "A", "QueryLanguage": "JSONata",
        "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "{% $doesNotE|ist %}"}, "End": true}}
    });
    let diagnostics = super::validate(&definition);
    assert!(!super::is_valid(&diagnostics), "{diagnostics:?}");
    assert!(diagnostics
        .iter()
        .any(|d| d.location == "/States/A/Arguments/FunctionName"));
}
