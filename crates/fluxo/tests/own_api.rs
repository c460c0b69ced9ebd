//! A state machine that looks after other executions through Step Functions' own API
//! (`arn:aws:states:::aws-sdk:sfn:ACTION`, answered by this Fluxo): it starts one, describes
//! it, finds it with `listExecutions`, stops it, and sees it ABORTED (as the published samples
//! that list or stop executions do).

mod common;

use common::{call, ended, Server};
use serde_json::{json, Value};

fn sdk(action: &str, parameters: Value, result_path: &str, next: &str) -> Value {
    json!({"Type": "Task", "Resource": format!("arn:aws:states:::aws-sdk:sfn:{action}"),
           "Parameters": parameters, "ResultPath": result_path, "Next": next})
}

fn create(endpoint: &str, name: &str, definition: &Value) -> String {
    let (status, body) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": name, "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    assert_eq!(status, 200, "{body}");
    body["stateMachineArn"].as_str().unwrap().to_string()
}

#[test]
fn a_state_machine_lists_describes_and_stops_another_execution() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), None);
    let endpoint = server.endpoint.clone();
    let sleeper = create(
        &endpoint,
        "sleeper",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}),
    );
    let arn = json!({"ExecutionArn.$": "$.started.ExecutionArn"});
    let controller = json!({"StartAt": "Start", "States": {
        "Start": sdk("startExecution", json!({"StateMachineArn": sleeper, "Input": "{}"}),
                     "$.started", "Describe"),
        "Describe": sdk("describeExecution", arn.clone(), "$.running", "List"),
        "List": sdk("listExecutions",
                    json!({"StateMachineArn": sleeper, "StatusFilter": "RUNNING", "MaxResults": 10}),
                    "$.listed", "Stop"),
        "Stop": sdk("stopExecution",
                    json!({"ExecutionArn.$": "$.started.ExecutionArn", "Error": "Stopped",
                           "Cause": "by the controller"}),
                    "$.stopped", "After"),
        "After": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeExecution",
                  "Parameters": arn, "ResultPath": "$.after", "End": true}}});
    let controller = create(&endpoint, "controller", &controller);
    let (status, started) = call(
        &endpoint,
        "StartExecution",
        &json!({"stateMachineArn": controller, "input": "{}"}),
    );
    assert_eq!(status, 200, "{started}");
    let described = ended(&endpoint, started["executionArn"].as_str().unwrap());
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
    let child = output["started"]["ExecutionArn"].as_str().unwrap();
    assert_eq!(output["running"]["Status"], "RUNNING", "{output}");
    assert_eq!(output["running"]["Input"], "{}", "{output}");
    assert_eq!(output["running"]["StateMachineArn"], sleeper);
    let listed = output["listed"]["Executions"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{output}");
    assert_eq!(listed[0]["ExecutionArn"], child);
    assert!(output["stopped"]["StopDate"].is_string(), "{output}");
    assert_eq!(output["after"]["Status"], "ABORTED", "{output}");
    assert_eq!(output["after"]["Error"], "Stopped", "{output}");
    let (_, stopped) = call(
        &endpoint,
        "DescribeExecution",
        &json!({"executionArn": child}),
    );
    assert_eq!(stopped["status"], "ABORTED", "{stopped}");
    assert_eq!(stopped["cause"], "by the controller", "{stopped}");
}

#[test]
fn describing_an_execution_that_does_not_exist_is_the_sdk_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), None);
    let missing = "arn:aws:states:us-east-1:123456789012:execution:nobody:nothing";
    let definition = json!({"StartAt": "D", "States": {"D": {"Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sfn:describeExecution",
        "Parameters": {"ExecutionArn": missing},
        "Catch": [{"ErrorEquals": ["Sfn.ExecutionDoesNotExistException"], "Next": "Caught"}],
        "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    let machine = create(&server.endpoint, "describer", &definition);
    let (_, started) = call(
        &server.endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": "{}"}),
    );
    let described = ended(&server.endpoint, started["executionArn"].as_str().unwrap());
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        output["Error"], "Sfn.ExecutionDoesNotExistException",
        "{output}"
    );
}

/// An execution that stops itself through `aws-sdk:sfn:stopExecution` ends ABORTED with the
/// error and cause it gave (the stop runs apart from the execution it cancels).
#[test]
fn an_execution_stops_itself() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), None);
    let definition = json!({"StartAt": "Stop", "States": {"Stop": {"Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sfn:stopExecution",
        "Parameters": {"ExecutionArn.$": "$$.Execution.Id", "Error": "Enough",
                       "Cause": "stopped itself"},
        "Next": "Never"},
        "Never": {"Type": "Pass", "End": true}}});
    let machine = create(&server.endpoint, "stopper", &definition);
    let (_, started) = call(
        &server.endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": "{}"}),
    );
    let described = ended(&server.endpoint, started["executionArn"].as_str().unwrap());
    assert_eq!(described["status"], "ABORTED", "{described}");
    assert_eq!(described["error"], "Enough", "{described}");
    assert_eq!(described["cause"], "stopped itself", "{described}");
}
