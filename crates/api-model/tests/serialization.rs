//! Members of the wrong JSON type: `SerializationException` with the texts of AWS's JSON reader
//! (see `src/deserialize.rs` for their source), before any constraint is checked.

use fluxo_api_model::{validate, RequestError};
use serde_json::{json, Value};

const SM: &str = "arn:aws:states:us-east-1:111111111111:stateMachine:sm";

fn serialization(operation: &str, body: Value) -> String {
    match validate(operation, &body) {
        Err(e @ RequestError::Serialization(_)) => {
            assert_eq!(e.code(), "SerializationException");
            e.message().to_owned()
        }
        other => panic!("{operation} {body}: expected a SerializationException, got {other:?}"),
    }
}

#[test]
fn a_string_member_takes_only_a_string() {
    let start = |input: Value| json!({"stateMachineArn": SM, "input": input});
    assert_eq!(
        serialization("StartExecution", start(json!({"a": 1}))),
        "Start of structure or map found where not expected"
    );
    assert_eq!(
        serialization("StartExecution", start(json!([1]))),
        "Unrecognized collection type class java.lang.String"
    );
    assert_eq!(
        serialization("StartExecution", start(json!(5))),
        "NUMBER_VALUE cannot be converted to String"
    );
    assert_eq!(
        serialization("StartExecution", start(json!(2.5))),
        "DECIMAL_VALUE cannot be converted to String"
    );
    assert_eq!(
        serialization("StartExecution", start(json!(true))),
        "TRUE_VALUE cannot be converted to String"
    );
    assert_eq!(
        serialization("StartExecution", start(json!(false))),
        "FALSE_VALUE cannot be converted to String"
    );
}

#[test]
fn an_integer_member_takes_only_an_integer_it_can_hold() {
    let list = |max: Value| json!({"maxResults": max});
    assert_eq!(
        serialization("ListActivities", list(json!("10"))),
        "STRING_VALUE cannot be converted to Integer"
    );
    assert_eq!(
        serialization("ListActivities", list(json!(true))),
        "TRUE_VALUE cannot be converted to Integer"
    );
    assert_eq!(
        serialization("ListActivities", list(json!([]))),
        "Unrecognized collection type class java.lang.Integer"
    );
    assert_eq!(
        serialization("ListActivities", list(json!({}))),
        "Start of structure or map found where not expected"
    );
    // Fluxo's own texts (AWS's answer to these is not known).
    assert_eq!(
        serialization("ListActivities", list(json!(1.5))),
        "DECIMAL_VALUE 1.5 cannot be converted to Integer"
    );
    assert_eq!(
        serialization("ListActivities", list(json!(2_147_483_648_i64))),
        "NUMBER_VALUE 2147483648 cannot be converted to Integer"
    );
    assert!(validate("ListActivities", &list(json!(2))).is_ok());
    // A long holds what an integer cannot.
    let map_run = |n: Value| json!({"mapRunArn": SM, "toleratedFailureCount": n});
    assert!(validate("UpdateMapRun", &map_run(json!(3_000_000_000_i64))).is_ok());
    assert_eq!(
        serialization("UpdateMapRun", map_run(json!("3"))),
        "STRING_VALUE cannot be converted to Long"
    );
    // A float takes integers and fractions.
    let pct = |n: Value| json!({"mapRunArn": SM, "toleratedFailurePercentage": n});
    assert!(validate("UpdateMapRun", &pct(json!(5))).is_ok());
    assert_eq!(
        serialization("UpdateMapRun", pct(json!("5"))),
        "STRING_VALUE cannot be converted to Float"
    );
}

#[test]
fn a_boolean_member_takes_only_a_boolean() {
    let create = |publish: Value| json!({"name": "n", "definition": "{}", "roleArn": SM, "publish": publish});
    assert_eq!(
        serialization("CreateStateMachine", create(json!("true"))),
        "Unexpected token received from parser"
    );
    assert_eq!(
        serialization("CreateStateMachine", create(json!(1))),
        "NUMBER_VALUE cannot be converted to Boolean"
    );
    assert_eq!(
        serialization("CreateStateMachine", create(json!(0.5))),
        "DECIMAL_VALUE cannot be converted to Boolean"
    );
    assert!(validate("CreateStateMachine", &create(json!(true))).is_ok());
}

#[test]
fn lists_and_structures_take_only_their_own_json_type() {
    let tag = |tags: Value| json!({"resourceArn": SM, "tags": tags});
    assert_eq!(
        serialization("TagResource", tag(json!({"key": "k"}))),
        "Start of structure or map found where not expected"
    );
    assert_eq!(
        serialization("TagResource", tag(json!("k=v"))),
        "Unexpected field type"
    );
    assert_eq!(
        serialization("TagResource", tag(json!(["k"]))),
        "Unexpected field type"
    );
    let logging = |c: Value| json!({"stateMachineArn": SM, "loggingConfiguration": c});
    assert_eq!(
        serialization("UpdateStateMachine", logging(json!([]))),
        "Start of list found where not expected"
    );
    assert_eq!(
        serialization("UpdateStateMachine", logging(json!(7))),
        "Unexpected field type"
    );
}

#[test]
fn the_first_bad_member_in_the_document_is_reported_and_beats_constraint_errors() {
    // `activityArn` breaks a constraint and `workerName` has the wrong type: the type error
    // wins. Of two wrong types, the first in the text is reported, whatever the model's order.
    let body = json!({"workerName": 7, "activityArn": ""});
    assert_eq!(
        serialization("GetActivityTask", body),
        "NUMBER_VALUE cannot be converted to String"
    );
    let body: Value =
        serde_json::from_str(r#"{"reverseOrder": "yes", "executionArn": 1}"#).unwrap();
    assert_eq!(
        serialization("GetExecutionHistory", body),
        "Unexpected token received from parser"
    );
    let body: Value =
        serde_json::from_str(r#"{"executionArn": 1, "reverseOrder": "yes"}"#).unwrap();
    assert_eq!(
        serialization("GetExecutionHistory", body),
        "NUMBER_VALUE cannot be converted to String"
    );
}

#[test]
fn nested_members_are_read_too() {
    let body = json!({"name": "a", "routingConfiguration": [{"stateMachineVersionArn": SM, "weight": "50"}]});
    assert_eq!(
        serialization("CreateStateMachineAlias", body),
        "STRING_VALUE cannot be converted to Integer"
    );
    let body = json!({"definition": "{}", "mock": {"errorOutput": {"cause": ["c"]}}});
    assert_eq!(
        serialization("TestState", body),
        "Unrecognized collection type class java.lang.String"
    );
}

#[test]
fn a_body_that_is_not_an_object_is_refused() {
    assert_eq!(
        serialization("ListActivities", json!([])),
        "Start of list found where not expected"
    );
    assert_eq!(
        serialization("ListActivities", json!("x")),
        "Unexpected field type"
    );
}
