//! Every definition error that AWS returned in the recorded API corpus
//! (`../shared/conformance-api/cases`): `ValidateStateMachineDefinition` diagnostics must be
//! produced exactly (code, location, message, severity), and `CreateStateMachine` /
//! `UpdateStateMachine` `InvalidDefinition` messages must be what the API builds from the
//! validator's errors ("Invalid State Machine Definition: 'CODE: message at location'").

use fluxo_asl::validate::{validate_text_for, StateMachineType};
use fluxo_asl::Severity;
use serde_json::Value;
use std::path::PathBuf;

/// Recorded errors that are not the validator's: what they need is named.
const NOT_THE_VALIDATORS: &[(&str, &str)] = &[(
    "dynamodb_task_service__test_invalid_integration",
    "a catalogue of the service integrations AWS offers (dynamodb:query exists only as aws-sdk)",
)];

/// An activity ARN, for definitions that name one created by an earlier call.
const ACTIVITY: &str = "arn:aws:states:us-east-1:111111111111:activity:Activity";

fn cases() -> Option<Vec<(String, Value)>> {
    let root =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance-api/cases");
    let mut found = Vec::new();
    for group in std::fs::read_dir(root).ok()?.flatten() {
        if !group.path().is_dir() {
            continue;
        }
        for file in std::fs::read_dir(group.path()).ok()?.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".json") {
                let text = std::fs::read_to_string(file.path()).ok()?;
                found.push((stem.to_string(), serde_json::from_str(&text).ok()?));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Some(found)
}

fn machine_type(request: &Value) -> StateMachineType {
    if request["type"] == "EXPRESS" {
        StateMachineType::Express
    } else {
        StateMachineType::Standard
    }
}

/// What the validator says, as `ValidateStateMachineDefinition` returns it.
fn diagnostics(definition: &str, kind: StateMachineType) -> Vec<Value> {
    validate_text_for(definition, kind)
        .into_iter()
        .map(|d| {
            serde_json::json!({
                "code": d.code, "location": d.location, "message": d.message,
                "severity": if d.severity == Severity::Error { "ERROR" } else { "WARNING" },
            })
        })
        .collect()
}

/// The `InvalidDefinition` message the API builds from the validator's errors.
fn invalid_definition(definition: &str, kind: StateMachineType) -> String {
    let errors: Vec<String> = validate_text_for(definition, kind)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {} at {}", d.code, d.message, d.location))
        .collect();
    format!("Invalid State Machine Definition: '{}'", errors.join(", "))
}

#[test]
fn recorded_definition_errors_are_worded_as_aws_words_them() {
    let Some(cases) = cases() else {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("FLUXO_REQUIRE_CLIENTS").is_none(),
            "../shared/conformance-api is required in CI"
        );
        eprintln!("../shared/conformance-api is not beside the repository: nothing to check");
        return;
    };
    let (mut checked, mut wrong) = (0, Vec::new());
    for (name, case) in &cases {
        if NOT_THE_VALIDATORS.iter().any(|(known, _)| name == known) {
            continue;
        }
        for step in case["steps"].as_array().into_iter().flatten() {
            let action = step["action"].as_str().unwrap_or_default();
            let request = &step["request"];
            let machine_action = matches!(
                action,
                "ValidateStateMachineDefinition" | "CreateStateMachine" | "UpdateStateMachine"
            );
            let Some(definition) = request["definition"].as_str().filter(|_| machine_action) else {
                continue;
            };
            // The activity that an earlier step created.
            let definition = &definition.replace("${s0.activityArn}", ACTIVITY);
            let kind = machine_type(request);
            let expect = &step["expect"];
            if action == "ValidateStateMachineDefinition" {
                let recorded = &expect["response"]["diagnostics"];
                let ours = Value::Array(diagnostics(definition, kind));
                checked += 1;
                if &ours != recorded {
                    wrong.push(format!("{name}:\n  AWS   {recorded}\n  Fluxo {ours}"));
                }
            } else if expect["error"]["code"] == "InvalidDefinition" {
                let recorded = expect["error"]["message"].as_str().unwrap_or_default();
                let ours =
                    invalid_definition(definition, kind).replace("arn:aws:", "arn:<partition>:");
                checked += 1;
                if ours != recorded {
                    wrong.push(format!("{name}:\n  AWS   {recorded}\n  Fluxo {ours}"));
                }
            }
        }
    }
    assert!(
        checked >= 15,
        "only {checked} recorded definition errors found"
    );
    assert!(
        wrong.is_empty(),
        "{} of {checked}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
