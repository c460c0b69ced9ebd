//! One small invalid definition per rule, each with the exact errors it must produce: code and
//! JSON-pointer location. A fixture is otherwise valid, so an error that appears or goes
//! missing is a change in behaviour. A larger definition with many problems is snapshot.

use fluxo_asl::validate::{validate, validate_text};
use fluxo_asl::Severity;
use serde_json::json;

#[path = "invalid_definitions/fixtures.rs"]
mod fixtures;
#[path = "invalid_definitions/general.rs"]
mod general;
#[path = "invalid_definitions/states.rs"]
mod states;

/// Every fixture, section by section.
fn fixtures() -> Vec<fixtures::Fixture> {
    [
        general::top_level(),
        general::every_state(),
        general::query_languages(),
        general::paths_and_templates(),
        states::task(),
        states::retry_and_catch(),
        states::wait(),
        states::fail(),
        states::choice_rules(),
        states::parallel(),
        states::map(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn each_rule_reports_its_code_at_its_location() {
    let mut failures = Vec::new();
    let all = fixtures();
    for (name, definition, expected) in &all {
        let mut found: Vec<(String, String)> = validate(definition)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.code, d.location))
            .collect();
        let mut expected: Vec<(String, String)> = expected
            .iter()
            .map(|(c, l)| (c.to_string(), l.to_string()))
            .collect();
        found.sort();
        expected.sort();
        if found != expected {
            failures.push(format!(
                "{name}:\n  expected {expected:?}\n  found    {found:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn definition_text_problems() {
    let cases = [
        ("", "MISSING_DESCRIPTION"),
        ("null", "MISSING_DESCRIPTION"),
        ("{\"StartAt\": ", "INVALID_JSON_DESCRIPTION"),
        ("{\"StartAt\": \"A\",}", "INVALID_JSON_DESCRIPTION"),
    ];
    for (text, code) in cases {
        let found = validate_text(text);
        assert_eq!(found.len(), 1, "{text:?}: {found:?}");
        assert_eq!(found[0].code, code, "{text:?}");
        assert_eq!(found[0].location, "/", "{text:?}");
    }
    let repeated =
        r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}}"#;
    let found = validate_text(repeated);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].code.as_str(), found[0].location.as_str()),
        ("DUPLICATE_STATE_NAME", "/States/A")
    );
}

#[test]
fn deeply_nested_text_never_overflows_the_stack() {
    // Parallel states nested as deep as the JSON parser allows, then deeper.
    for levels in [30, 40, 1000] {
        let mut text =
            String::from(r#"{"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}}"#);
        for level in 0..levels {
            text = format!(
                r#"{{"StartAt": "P{level}", "States": {{"P{level}": {{"Type": "Parallel", "End": true, "Branches": [{text}]}}}}}}"#
            );
        }
        let found = validate_text(&text);
        let valid = fluxo_asl::validate::is_valid(&found);
        assert_eq!(valid, levels == 30, "{levels} levels: {:?}", found.first());
    }
}

#[test]
fn a_definition_with_many_problems() {
    let definition = json!({
        "Comment": "Every problem of this definition is reported, each where it is.",
        "StartAt": "Start",
        "Flavour": "extra",
        "States": {
            "Start": {"Type": "Pass", "Next": "Work", "Result": {"a.$": "$.b"}, "Seconds": 3},
            "Work": {
                "Type": "Task", "Resource": "lambda", "TimeoutSeconds": 10, "HeartbeatSeconds": 20,
                "Parameters": {"id.$": "id", "name": "$.name"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}, {"ErrorEquals": []}],
                "Catch": [{"ErrorEquals": ["X"], "Next": "Recover", "Output": {}}],
                "Next": "Decide"
            },
            "Decide": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericEquals": "one", "Next": "Later"}],
                "Default": "Fan"
            },
            "Later": {"Type": "Wait", "Timestamp": "soon", "SecondsPath": "$.s", "Next": "Fan"},
            "Fan": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Next": "Start"}}}
            ]},
            "Orphan": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}
        }
    });
    insta::assert_json_snapshot!(validate(&definition));
}
