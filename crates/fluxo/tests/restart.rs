//! Fluxo's restart from a chosen state (`fluxo restart`, `POST /console/restart`): a failed
//! execution runs again from the state named with the input given, keeps its ARN and history,
//! and records the restart as `ExecutionRedriven` with `fluxoRestart`, which boto3 reads as an
//! ordinary `ExecutionRedriven` (it drops the member it does not know).

mod common;

use common::*;
use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};

const HANDLER: &str = r#"
import os
HERE = os.path.dirname(os.path.abspath(__file__))
def handler(event, context):
    name = event["name"]
    with open(os.path.join(HERE, "calls.log"), "a") as log:
        log.write(name + "\n")
    if name == "broken":
        raise ValueError("broken input")
    return {"done": name}
"#;

const WORK: &str = "arn:aws:lambda:us-east-1:123456789012:function:work";

fn status_of(endpoint: &str, arn: &str, wanted: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, described) = call(endpoint, "DescribeExecution", &json!({"executionArn": arn}));
        if described["status"] == wanted {
            return described;
        }
        assert!(Instant::now() < deadline, "{described}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn fluxo_restart(endpoint: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .arg("restart")
        .args(args)
        .args(["--endpoint", endpoint])
        .output()
        .expect("fluxo runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_failed_execution_restarts_from_a_chosen_state_with_an_edited_input() {
    let Some(python) = python_with_boto3() else {
        eprintln!("python with boto3 is missing: the restart test was skipped");
        return;
    };
    let (data, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(dir.path().join("work.py"), HANDLER).unwrap();
    let config = dir.path().join("fluxo.toml");
    std::fs::write(
        &config,
        "[functions.work]\nruntime = \"python3\"\nhandler = \"work.handler\"\n",
    )
    .unwrap();
    let server = Server::start(data.path(), Some(&config));
    let endpoint = server.endpoint.clone();
    let definition = json!({"StartAt": "First", "States": {
        "First": {"Type": "Task", "Resource": WORK, "Parameters": {"name": "first"}, "ResultPath": "$.first", "Next": "Second"},
        "Second": {"Type": "Task", "Resource": WORK, "Parameters": {"name.$": "$.name"}, "End": true}
    }});
    let (_, created) = call(
        &endpoint,
        "CreateStateMachine",
        &json!({"name": "restartable", "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/fluxo"}),
    );
    let machine = created["stateMachineArn"].as_str().unwrap();
    let (_, started) = call(
        &endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": r#"{"name": "broken"}"#}),
    );
    let arn = started["executionArn"].as_str().unwrap().to_string();
    status_of(&endpoint, &arn, "FAILED");

    // A state the machine does not have, and input that is not JSON, are refused.
    let (code, _, stderr) = fluxo_restart(&endpoint, &[&arn, "--from-state", "Nowhere"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("ValidationException"), "{stderr}");
    let (code, _, stderr) =
        fluxo_restart(&endpoint, &[&arn, "--from-state", "Second", "--input", "{"]);
    assert_eq!(code, 2, "{stderr}");

    let edited = r#"{"name": "fixed"}"#;
    let (code, stdout, stderr) = fluxo_restart(
        &endpoint,
        &[&arn, "--from-state", "Second", "--input", edited],
    );
    assert_eq!(code, 0, "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(answer["redriveCount"], 1);
    let done = status_of(&endpoint, &arn, "SUCCEEDED");
    assert_eq!(done["output"], r#"{"done":"fixed"}"#);
    assert_eq!(done["redriveCount"], 1);
    let log = std::fs::read_to_string(dir.path().join("calls.log")).unwrap();
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        ["first", "broken", "fixed"],
        "First is not run again"
    );

    // The restart is in the history, in AWS's shape for boto3.
    let (_, history) = call(
        &endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": arn}),
    );
    let redriven = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "ExecutionRedriven")
        .unwrap();
    assert_eq!(
        redriven["executionRedrivenEventDetails"],
        json!({"redriveCount": 1, "fluxoRestart": {"fromState": "Second", "input": r#"{"name":"fixed"}"#}})
    );
    let script = r#"
import boto3, json, sys
sfn = boto3.client("stepfunctions", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="a", aws_secret_access_key="b")
events = sfn.get_execution_history(executionArn=sys.argv[2])["events"]
redriven = [e for e in events if e["type"] == "ExecutionRedriven"]
print(json.dumps(redriven[0]["executionRedrivenEventDetails"]))
"#;
    let output = Command::new(&python)
        .args(["-c", script, &endpoint, &arn])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(seen, json!({"redriveCount": 1}));

    // A succeeded execution is not restarted.
    let (code, _, stderr) = fluxo_restart(&endpoint, &[&arn, "--from-state", "Second"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("Execution is SUCCEEDED and cannot be redriven"),
        "{stderr}"
    );
}
