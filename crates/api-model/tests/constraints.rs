//! One test per kind of constraint, on the vendored Step Functions model: what AWS answers when
//! that constraint breaks (texts and rules as documented in `src/constraints.rs`).

use fluxo_api_model::{operation_errors, operations, validate, RequestError};
use serde_json::{json, Value};

const SM: &str = "arn:aws:states:us-east-1:111111111111:stateMachine:sm";

fn message(operation: &str, body: Value) -> String {
    match validate(operation, &body) {
        Err(RequestError::Validation(m)) => m,
        other => panic!("{operation} {body}: expected a ValidationException, got {other:?}"),
    }
}

fn one(value: &str, path: &str, constraint: &str) -> String {
    format!("1 validation error detected: Value {value} at '{path}' failed to satisfy constraint: {constraint}")
}

#[test]
fn the_model_defines_the_37_actions() {
    let names: Vec<&str> = operations().collect();
    assert_eq!(names.len(), 37);
    for name in [
        "StartExecution",
        "TestState",
        "RedriveExecution",
        "ValidateStateMachineDefinition",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    let errors = operation_errors("StartExecution").expect("a known action");
    assert!(
        errors.iter().any(|e| e == "InvalidExecutionInput"),
        "{errors:?}"
    );
    assert!(operation_errors("Nope").is_none());
    let start = fluxo_api_model::model()
        .operation("StartExecution")
        .expect("defined");
    let members: Vec<(&str, bool, bool)> = start
        .input_members()
        .iter()
        .map(|m| (m.name.as_str(), m.required, m.sensitive))
        .collect();
    assert_eq!(
        members,
        [
            ("stateMachineArn", true, false),
            ("name", false, false),
            ("input", false, true),
            ("traceHeader", false, false)
        ]
    );
}

#[test]
fn unknown_actions_are_refused_as_such() {
    let e = validate("StartExecutions", &json!({})).unwrap_err();
    assert_eq!(
        e,
        RequestError::UnknownOperation("StartExecutions".to_owned())
    );
    assert_eq!(e.code(), "UnknownOperationException");
}

#[test]
fn required_members_must_not_be_null() {
    let expected = one("null", "stateMachineArn", "Member must not be null");
    assert_eq!(message("StartExecution", json!({})), expected);
    // An explicit null is an absent member.
    assert_eq!(
        message("StartExecution", json!({"stateMachineArn": null})),
        expected
    );
    assert!(validate("StartExecution", &json!({"stateMachineArn": SM})).is_ok());
    // Two missing members: Java's hash order puts `output` first (see src/java_hash.rs).
    assert_eq!(
        message("SendTaskSuccess", json!({})),
        "2 validation errors detected: \
         Value null at 'output' failed to satisfy constraint: Member must not be null; \
         Value null at 'taskToken' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn string_lengths_count_characters() {
    let name = "n".repeat(81);
    assert_eq!(
        message("CreateActivity", json!({"name": name})),
        one(
            &format!("'{name}'"),
            "name",
            "Member must have length less than or equal to 80"
        )
    );
    assert_eq!(
        message("CreateActivity", json!({"name": ""})),
        one(
            "''",
            "name",
            "Member must have length greater than or equal to 1"
        )
    );
    // 80 characters of two bytes each are 80, not 160.
    assert!(validate("CreateActivity", &json!({"name": "é".repeat(80)})).is_ok());
}

#[test]
fn integer_long_and_float_values_are_bounded() {
    assert_eq!(
        message(
            "GetExecutionHistory",
            json!({"executionArn": SM, "maxResults": -1})
        ),
        one(
            "'-1'",
            "maxResults",
            "Member must have value greater than or equal to 0"
        )
    );
    assert!(validate(
        "GetExecutionHistory",
        &json!({"executionArn": SM, "maxResults": 1000})
    )
    .is_ok());
    assert_eq!(
        message(
            "UpdateMapRun",
            json!({"mapRunArn": SM, "toleratedFailureCount": -5})
        ),
        one(
            "'-5'",
            "toleratedFailureCount",
            "Member must have value greater than or equal to 0"
        )
    );
    // A float shape: value and bound as Java prints floats.
    assert_eq!(
        message(
            "UpdateMapRun",
            json!({"mapRunArn": SM, "toleratedFailurePercentage": 100.5})
        ),
        one(
            "'100.5'",
            "toleratedFailurePercentage",
            "Member must have value less than or equal to 100.0"
        )
    );
    assert_eq!(
        message(
            "UpdateMapRun",
            json!({"mapRunArn": SM, "toleratedFailurePercentage": 101})
        ),
        one(
            "'101.0'",
            "toleratedFailurePercentage",
            "Member must have value less than or equal to 100.0"
        )
    );
}

#[test]
fn list_lengths_are_bounded() {
    assert_eq!(
        message(
            "UpdateStateMachineAlias",
            json!({"stateMachineAliasArn": SM, "routingConfiguration": []})
        ),
        one(
            "'[]'",
            "routingConfiguration",
            "Member must have length greater than or equal to 1"
        )
    );
}

#[test]
fn enums_list_their_values() {
    assert_eq!(
        message(
            "CreateStateMachine",
            json!({"name": "n", "definition": "{}", "roleArn": SM, "type": "BATCH"})
        ),
        one(
            "'BATCH'",
            "type",
            "Member must satisfy enum value set: [STANDARD, EXPRESS]"
        )
    );
    // Enums are case-sensitive.
    assert_eq!(
        message(
            "DescribeExecution",
            json!({"executionArn": SM, "includedData": "all_data"})
        ),
        one(
            "'all_data'",
            "includedData",
            "Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]"
        )
    );
    // ExecutionStatus in the order AWS lists it (src/constraints.rs, enum_order).
    assert_eq!(
        message("ListExecutions", json!({"stateMachineArn": SM, "statusFilter": "DONE"})),
        one(
            "'DONE'",
            "statusFilter",
            "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
        )
    );
}

#[test]
fn patterns_match_the_whole_value_with_java_syntax() {
    let alias = |name: &str| json!({"name": name, "routingConfiguration": [{"stateMachineVersionArn": format!("{SM}:1"), "weight": 100}]});
    for good in ["PROD", "alias-1", "a.b_c", "9a", "_"] {
        assert!(
            validate("CreateStateMachineAlias", &alias(good)).is_ok(),
            "{good}"
        );
    }
    // The look-ahead demands a letter, `_`, `-` or `.`; the class forbids everything else.
    for bad in ["123", "a b", "a@", "ä"] {
        assert!(
            validate("CreateStateMachineAlias", &alias(bad)).is_err(),
            "{bad}"
        );
    }
    // `[!-~]+` has no anchors, and still must cover the whole token.
    assert_eq!(
        message(
            "RedriveExecution",
            json!({"executionArn": SM, "clientToken": "a b"})
        ),
        one(
            "'a b'",
            "clientToken",
            "Member must satisfy regular expression pattern: [!-~]+"
        )
    );
    // `\p{ASCII}*`: any ASCII, nothing else.
    let start = |trace: &str| json!({"stateMachineArn": SM, "traceHeader": trace});
    assert!(validate(
        "StartExecution",
        &start("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
    )
    .is_ok());
    assert_eq!(
        message("StartExecution", start("Root=é")),
        one(
            "'Root=é'",
            "traceHeader",
            r"Member must satisfy regular expression pattern: \p{ASCII}*"
        )
    );
}

#[test]
fn nested_members_have_dotted_paths_and_list_elements_are_numbered_from_1() {
    let body = json!({"name": "n", "definition": "{}", "roleArn": SM,
        "loggingConfiguration": {"level": "ALL", "destinations": [
            {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:1:log-group:g:*"}},
            {"cloudWatchLogsLogGroup": {"logGroupArn": ""}}]}});
    assert_eq!(
        message("CreateStateMachine", body),
        one(
            "''",
            "loggingConfiguration.destinations.2.member.cloudWatchLogsLogGroup.logGroupArn",
            "Member must have length greater than or equal to 1"
        )
    );
    let body = json!({"stateMachineArn": SM, "loggingConfiguration": {"level": "VERBOSE"}});
    assert_eq!(
        message("UpdateStateMachine", body),
        one(
            "'VERBOSE'",
            "loggingConfiguration.level",
            "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"
        )
    );
    let body = json!({"resourceArn": SM, "tags": [{"key": "k", "value": "v"}, {"value": "v".repeat(257)}]});
    assert_eq!(
        message("TagResource", body),
        one(
            &format!("'{}'", "v".repeat(257)),
            "tags.2.member.value",
            "Member must have length less than or equal to 256"
        )
    );
}

#[test]
fn a_list_of_scalars_reports_once_with_all_the_element_constraints() {
    assert_eq!(
        message(
            "UntagResource",
            json!({"resourceArn": SM, "tagKeys": ["ok", "", "k".repeat(129)]})
        ),
        one(
            &format!("'[ok, , {}]'", "k".repeat(129)),
            "tagKeys",
            "Member must satisfy constraint: [Member must have length less than or equal to 128, \
             Member must have length greater than or equal to 1]"
        )
    );
    assert!(validate(
        "UntagResource",
        &json!({"resourceArn": SM, "tagKeys": ["a", "b"]})
    )
    .is_ok());
}

#[test]
fn sensitive_values_are_never_printed() {
    let secret = "s".repeat(262_145);
    let m = message(
        "StartExecution",
        json!({"stateMachineArn": SM, "input": secret}),
    );
    assert_eq!(m, "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144");
    let m = message("TestState", json!({"definition": ""}));
    assert_eq!(m, "1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length greater than or equal to 1");
    let cause = format!("top secret {}", "c".repeat(32_768));
    let m = message("SendTaskFailure", json!({"taskToken": "t", "cause": cause}));
    assert!(!m.contains("top secret"), "{m}");
    assert!(m.contains("Value at 'cause'"), "{m}");
    // Inside a sensitive parent's structure too (TestState's mock error output).
    let m = message(
        "TestState",
        json!({"definition": "{}", "mock": {"errorOutput": {"error": "e".repeat(257)}}}),
    );
    assert_eq!(m, "1 validation error detected: Value at 'mock.errorOutput.error' failed to satisfy constraint: Member must have length less than or equal to 256");
}

#[test]
fn several_violations_are_counted_and_ordered_as_aws_orders_them() {
    let (name, role) = ("a".repeat(81), "r".repeat(257));
    let m = message(
        "CreateStateMachine",
        json!({"name": name, "roleArn": role, "type": "BATCH"}),
    );
    // Order from an independent run of Java's HashMap/HashSet rules over these paths:
    // roleArn, name, definition, type (neither the model's order nor the alphabet).
    assert_eq!(
        m,
        format!(
            "4 validation errors detected: \
             Value '{role}' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 256; \
             Value '{name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80; \
             Value null at 'definition' failed to satisfy constraint: Member must not be null; \
             Value 'BATCH' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        )
    );
}

#[test]
fn unknown_members_are_ignored() {
    let body =
        json!({"stateMachineArn": SM, "bogus": {"deep": [1, {"x": null}]}, "MaxResults": "x"});
    assert!(validate("StartExecution", &body).is_ok());
    assert!(
        validate("ListActivities", &json!(null)).is_ok(),
        "no body is an empty input"
    );
}

#[test]
fn many_elements_are_validated_in_linear_time() {
    // 20 000 routing entries: the list's length and every weight are reported, quickly.
    let items: Vec<Value> = (0..20_000)
        .map(|_| json!({"stateMachineVersionArn": SM, "weight": 101}))
        .collect();
    let started = std::time::Instant::now();
    let m = message(
        "CreateStateMachineAlias",
        json!({"name": "a", "routingConfiguration": items}),
    );
    assert!(
        m.starts_with("20001 validation errors detected: "),
        "{}",
        &m[..60]
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
