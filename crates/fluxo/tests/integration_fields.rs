//! A Task's service integration checked as AWS checks it when a state machine is created or
//! updated, through `fluxo server`: a literal key of `Parameters` that the action's request
//! does not have, or an AWS SDK action the service does not have, is `InvalidDefinition`
//! with AWS's `SCHEMA_VALIDATION_FAILED` words and location (aws/aws-cdk issue 29968), and
//! nothing is stored; `ValidateStateMachineDefinition` reports it as FAIL.

mod common;

use common::{call, error_type, Server};
use serde_json::{json, Value};

const ROLE: &str = "arn:aws:iam::123456789012:role/r";

fn get_object(parameters: Value) -> String {
    json!({"StartAt": "Get", "States": {"Get": {"Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "Parameters": parameters, "End": true}}})
    .to_string()
}

#[test]
fn unknown_fields_of_an_integration_are_refused_at_creation_and_update() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None);
    let endpoint = &server.endpoint;
    let create = |name: &str, definition: String| {
        call(
            endpoint,
            "CreateStateMachine",
            &json!({"name": name, "definition": definition, "roleArn": ROLE}),
        )
    };
    let refused = |answer: &Value, words: &str| {
        assert_eq!(error_type(answer), "InvalidDefinition", "{answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
    };

    let (status, answer) = create("typo", get_object(json!({"Bucket": "b", "Kye.$": "$.k"})));
    assert_eq!(status, 400, "{answer}");
    refused(
        &answer,
        "SCHEMA_VALIDATION_FAILED: The field \"Kye\" is not supported by Step Functions at /States/Get/Parameters",
    );
    let (_, listed) = call(endpoint, "ListStateMachines", &json!({}));
    assert_eq!(
        listed["stateMachines"],
        json!([]),
        "nothing stored: {listed}"
    );
    // ValidateStateMachineDefinition says FAIL for what CreateStateMachine would refuse.
    let typo = get_object(json!({"Bucket": "b", "Kye.$": "$.k"}));
    let (status, validated) = call(
        endpoint,
        "ValidateStateMachineDefinition",
        &json!({"definition": typo}),
    );
    assert_eq!(status, 200, "{validated}");
    assert_eq!(validated["result"], "FAIL", "{validated}");
    let first = &validated["diagnostics"][0];
    assert_eq!(first["location"], "/States/Get/Parameters", "{validated}");
    assert_eq!(first["code"], "SCHEMA_VALIDATION_FAILED", "{validated}");

    let unknown_action = get_object(json!({"Bucket": "b"})).replace("getObject", "fetchObject");
    let (status, answer) = create("action", unknown_action);
    assert_eq!(status, 400, "{answer}");
    refused(&answer, "at /States/Get/Resource");

    let good = get_object(json!({"Bucket": "b", "Key.$": "$.k", "VersionId": "v"}));
    let (status, created) = create("good", good.clone());
    assert_eq!(status, 200, "{created}");
    let arn = created["stateMachineArn"].clone();
    let (status, answer) = call(
        endpoint,
        "UpdateStateMachine",
        &json!({"stateMachineArn": arn, "definition": get_object(json!({"Bucket": "b", "Size": 1}))}),
    );
    assert_eq!(status, 400, "{answer}");
    refused(
        &answer,
        "The field \"Size\" is not supported by Step Functions",
    );
    let (_, described) = call(
        endpoint,
        "DescribeStateMachine",
        &json!({"stateMachineArn": arn}),
    );
    assert_eq!(described["definition"], good, "the update changed nothing");
}
