//! Hostile definitions: every path field filled with hostile text, deep Choice rules, deep
//! Parallel nesting, deep JSON. Each is validated (as definition text, the way
//! `ValidateStateMachineDefinition`, `CreateStateMachine` and `fluxo validate` receive it) and,
//! when valid, compiled, on a thread with a 2 MiB stack (tokio's worker default): a recursion
//! that the definition controls would abort the test binary.

use fluxo_asl::validate::{validate, validate_text};
use fluxo_asl::{Diagnostic, Severity};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(work)
        .expect("thread starts")
        .join()
        .expect("no panic")
}

/// Validates the text and, when it is valid, compiles it: the errors, or none.
fn check(text: String) -> Vec<Diagnostic> {
    small_stack(move || {
        let errors: Vec<Diagnostic> = validate_text(&text)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if errors.is_empty() {
            let definition: Value = serde_json::from_str(&text).expect("valid JSON");
            if let Err(diagnostics) = fluxo_asl::compile(&definition) {
                assert!(
                    diagnostics.iter().all(|d| d.code == "UNSUPPORTED_FEATURE"),
                    "validated but does not compile: {diagnostics:?}"
                );
            }
        }
        errors
    })
}

/// Hostile texts for path fields: `(text, valid as a path)`.
fn hostile_paths() -> Vec<(String, bool)> {
    vec![
        // Jayway 2.0.0 strips a filter's parentheses flat: AWS accepts this one.
        (
            format!("$[?{}@.a==1{}]", "(".repeat(5000), ")".repeat(5000)),
            true,
        ),
        (format!("$[?(@{}.a)]", "[?(@".repeat(5000)), false),
        (format!("${}", ".a".repeat(100_000)), false),
        (format!("${}", "[0]".repeat(100_000)), false),
        (format!("${}", "[".repeat(100_000)), false),
        (format!("$$.{}", "x.".repeat(50_000)), false),
        (
            format!(
                "{}$.a{}",
                "States.Array(".repeat(100_000),
                ")".repeat(100_000)
            ),
            false,
        ),
        (
            (0..200_000)
                .map(|i| ['[', '(', '\'', '.', '?', '@', 'a', ']', ')', '$'][i * 7 % 10])
                .collect(),
            false,
        ),
    ]
}

/// A definition whose state `S` has `field` set to `text` (a path field, or a `.$` field of a
/// template), with whatever else the state type needs.
fn definition_with(field: &str, text: &str) -> Value {
    let text = json!(text);
    let state = match field {
        "ItemsPath" | "MaxConcurrencyPath" | "ToleratedFailureCountPath" => json!({
            "Type": "Map", "Next": "End", field: text,
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
        }),
        "ItemSelector" => json!({
            "Type": "Map", "Next": "End", "ItemSelector": {"x.$": text},
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
        }),
        "Variable" => json!({
            "Type": "Choice", "Default": "End",
            "Choices": [{"Variable": text, "IsPresent": true, "Next": "End"}]
        }),
        "StringEqualsPath" => json!({
            "Type": "Choice", "Default": "End",
            "Choices": [{"Variable": "$.a", "StringEqualsPath": text, "Next": "End"}]
        }),
        "SecondsPath" => json!({"Type": "Wait", "Next": "End", field: text}),
        "ErrorPath" | "CausePath" => {
            return json!({"StartAt": "S", "States": {"S": {"Type": "Fail", field: text}}})
        }
        "TimeoutSecondsPath" => json!({
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
            "Next": "End", field: text
        }),
        "Catch ResultPath" => json!({
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
            "Next": "End", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "End", "ResultPath": text}]
        }),
        "Parameters" | "ResultSelector" | "Assign" => json!({
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f",
            "Next": "End", field: {"x.$": text}
        }),
        _ => json!({"Type": "Pass", "Next": "End", field: text}),
    };
    json!({"StartAt": "S", "States": {"S": state, "End": {"Type": "Succeed"}}})
}

const FIELDS: &[&str] = &[
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "Assign",
    "ItemsPath",
    "ItemSelector",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "Variable",
    "StringEqualsPath",
    "SecondsPath",
    "ErrorPath",
    "CausePath",
    "TimeoutSecondsPath",
    "Catch ResultPath",
];

#[test]
fn hostile_text_in_any_path_field_is_a_diagnostic_not_a_crash() {
    let started = Instant::now();
    for (text, valid_path) in hostile_paths() {
        for field in FIELDS {
            let definition = definition_with(field, &text);
            let errors = check(definition.to_string());
            // A reference path field refuses what a path field may take.
            let reference = field.ends_with("ResultPath")
                || ["SecondsPath", "TimeoutSecondsPath", "MaxConcurrencyPath"].contains(field)
                || field.starts_with("ToleratedFailure");
            let intrinsic_field = ["Parameters", "ResultSelector", "Assign", "ItemSelector"]
                .contains(field)
                || field.ends_with("ErrorPath")
                || field.ends_with("CausePath");
            let is_intrinsic = text.starts_with("States.");
            let expect_valid = valid_path && !reference && (intrinsic_field || !is_intrinsic);
            assert_eq!(
                errors.is_empty(),
                expect_valid,
                "{field} = {}…: {errors:?}",
                &text[..30]
            );
            assert!(errors.iter().all(|d| d.code == "SCHEMA_VALIDATION_FAILED"));
        }
    }
    assert!(started.elapsed() < Duration::from_secs(120));
}

#[test]
fn a_result_path_of_too_many_steps_is_refused_where_it_is() {
    let errors =
        check(definition_with("ResultPath", &format!("${}", ".a".repeat(100_000))).to_string());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].location, "/States/S/ResultPath");
    assert_eq!(
        errors[0].message,
        "The value for the field 'ResultPath' must be a valid ReferencePath"
    );
    let errors = check(definition_with("Parameters", "$.a[?(").to_string());
    assert_eq!(errors[0].location, "/States/S/Parameters");
    assert_eq!(
        errors[0].message,
        "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call"
    );
}

/// `levels` Choice `Not`s around one comparison, as a value (no text could hold it).
fn deep_not(levels: usize) -> Value {
    let mut rule = json!({"Variable": "$.a", "IsPresent": true});
    for _ in 0..levels {
        // Not `json!`: it would serialise the value inside, recursively.
        let mut not = serde_json::Map::new();
        not.insert("Not".into(), rule);
        rule = Value::Object(not);
    }
    rule
}

/// Takes a deep value apart without recursion (serde_json's drop would recurse).
fn drop_deep(value: Value) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.into_iter().map(|(_, item)| item)),
            _ => {}
        }
    }
}

#[test]
fn deep_documents_are_refused_before_any_recursion() {
    small_stack(|| {
        let mut definition = json!({"StartAt": "S", "States": {
            "S": {"Type": "Choice", "Default": "End", "Choices": [{"Next": "End"}]},
            "End": {"Type": "Succeed"}
        }});
        if let Some(rule) = definition["States"]["S"]["Choices"][0].as_object_mut() {
            rule.insert("Not".into(), deep_not(20_000));
        }
        let diagnostics = validate(&definition);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "TOO_DEEPLY_NESTED");
        assert!(fluxo_asl::model::build(&definition).is_err());
        assert!(fluxo_asl::compile(&definition).is_err());
        drop_deep(definition);
    });
    // As text, the same depth is refused by the parser.
    for text in [
        "[".repeat(1_000_000),
        format!("{}{}", "{\"Not\":".repeat(100_000), "}".repeat(100_000)),
    ] {
        let diagnostics = check(text);
        assert_eq!(diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
    }
}

/// A machine of `levels` Parallel states, each the only state of its parent's branch.
fn nested_parallels(levels: usize) -> Value {
    let mut machine = json!({"StartAt": "Leaf", "States": {"Leaf": {"Type": "Succeed"}}});
    for level in 0..levels {
        let name = format!("P{level}");
        machine = json!({"StartAt": name, "States": {
            name: {"Type": "Parallel", "End": true, "Branches": [machine]}
        }});
    }
    machine
}

#[test]
fn parallels_nested_to_the_depth_limit_validate_and_compile() {
    // Each level takes four levels of JSON (States, the state, Branches, the branch).
    let deepest = nested_parallels(30);
    assert!(serde_json::from_str::<Value>(&deepest.to_string()).is_ok());
    assert_eq!(check(deepest.to_string()), vec![]);
    let too_deep = nested_parallels(40).to_string();
    assert_eq!(check(too_deep)[0].code, "INVALID_JSON_DESCRIPTION");
}

#[test]
fn choice_rules_nested_to_the_json_limit_compile() {
    let definition = json!({"StartAt": "S", "States": {
        "S": {"Type": "Choice", "Default": "End", "Choices": [{"Not": deep_not(60), "Next": "End"}]},
        "End": {"Type": "Succeed"}
    }});
    assert_eq!(check(definition.to_string()), vec![]);
}
