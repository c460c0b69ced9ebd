//! `fluxo server` end to end: real clients, malformed requests, execution logs. The crash test
//! is `crash.rs`, hostile inputs are `hardening.rs`.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

#[test]
fn malformed_requests_get_aws_error_shapes() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None);
    let endpoint = &server.endpoint;
    let definition =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}).to_string();
    let (status, created) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": "m", "definition": definition, "roleArn": "arn:aws:iam::1:role/r"}),
    );
    assert_eq!(status, 200, "{created}");
    let arn = created["stateMachineArn"].as_str().unwrap().to_string();

    let cases: Vec<(&str, Option<&str>, Vec<u8>, &str)> = vec![
        ("bad JSON", Some("ListStateMachines"), b"{not json".to_vec(), "SerializationException"),
        ("not an object", Some("ListStateMachines"), b"[1]".to_vec(), "SerializationException"),
        (
            "wrong field type",
            Some("DescribeStateMachine"),
            br#"{"stateMachineArn": 42}"#.to_vec(),
            "SerializationException",
        ),
        ("missing field", Some("DescribeStateMachine"), b"{}".to_vec(), "ValidationException"),
        ("unknown action", Some("FlyToTheMoon"), b"{}".to_vec(), "UnknownOperationException"),
        ("no target header", None, b"{}".to_vec(), "UnknownOperationException"),
        (
            "body over the limit",
            Some("ListStateMachines"),
            vec![b' '; 3 * 1024 * 1024],
            "ValidationException",
        ),
        (
            "input over 256 KiB",
            Some("StartExecution"),
            json!({"stateMachineArn": arn, "input": format!("\"{}\"", "x".repeat(300 * 1024))})
                .to_string()
                .into_bytes(),
            "ValidationException",
        ),
        (
            "input not JSON",
            Some("StartExecution"),
            json!({"stateMachineArn": arn, "input": "{"}).to_string().into_bytes(),
            "InvalidExecutionInput",
        ),
        (
            "bad name",
            Some("StartExecution"),
            json!({"stateMachineArn": arn, "name": "with space"}).to_string().into_bytes(),
            "InvalidName",
        ),
        (
            "bad ARN",
            Some("DescribeExecution"),
            br#"{"executionArn": "arn:aws:lambda:x"}"#.to_vec(),
            "InvalidArn",
        ),
        (
            "maxResults out of range",
            Some("ListStateMachines"),
            br#"{"maxResults": 5000}"#.to_vec(),
            "ValidationException",
        ),
        (
            "bad next token",
            Some("ListStateMachines"),
            br#"{"nextToken": "forged"}"#.to_vec(),
            "InvalidToken",
        ),
        (
            "invalid definition",
            Some("CreateStateMachine"),
            json!({"name": "x", "definition": "{\"StartAt\": 1}", "roleArn": "arn:aws:iam::1:role/r"})
                .to_string()
                .into_bytes(),
            "InvalidDefinition",
        ),
    ];
    for (what, action, body, expected) in cases {
        let (status, answer) = raw(endpoint, action, body);
        assert_eq!(status, 400, "{what}: {answer}");
        assert_eq!(error_type(&answer), expected, "{what}: {answer}");
        assert!(answer["message"].is_string(), "{what}: {answer}");
    }
    server.kill();
}

#[test]
fn boto3_and_the_aws_cli_work_unchanged() {
    let Some(python) = python_with_boto3() else {
        eprintln!("boto3 is not installed: the client test was skipped (.ci/run installs it)");
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let config = root().join("examples/document-validation/fluxo.toml");
    let mut server = Server::start(data.path(), Some(&config));
    let script = root().join("tests/api/clients.py");
    let mut command = Command::new(&python);
    command
        .arg(&script)
        .arg(&server.endpoint)
        .arg(root().join("examples/document-validation"));
    if let Some(bin) = Path::new(&python)
        .parent()
        .filter(|p| p.join("aws").exists())
    {
        let path = std::env::var("PATH").unwrap_or_default();
        command.env("PATH", format!("{}:{path}", bin.display()));
    }
    let output = command.output().expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{stdout}\n{stderr}\n{}",
        server.report()
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    server.kill();
}

#[test]
fn express_executions_write_the_execution_log_their_configuration_asks_for() {
    let data = tempfile::tempdir().unwrap();
    let log_path = data.path().join("executions.log");
    let server = Server::start_with(
        data.path(),
        None,
        &["--execution-log", log_path.to_str().unwrap()],
    );
    let endpoint = &server.endpoint;
    let create = |name: &str, definition: Value, logging: Value| {
        let (status, created) = call(
            endpoint,
            "CreateStateMachine",
            &json!({
                "name": name, "type": "EXPRESS", "roleArn": "arn:aws:iam::1:role/r",
                "definition": definition.to_string(), "loggingConfiguration": logging
            }),
        );
        assert_eq!(status, 200, "{created}");
        created["stateMachineArn"].as_str().unwrap().to_string()
    };
    let pass = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let fail = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Broken"}}});
    let all = create(
        "all",
        pass.clone(),
        json!({"level": "ALL", "includeExecutionData": true,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:1:log-group:x:*"}}]}),
    );
    let fatal = create(
        "fatal",
        fail.clone(),
        json!({"level": "FATAL", "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:1:log-group:x:*"}}]}),
    );
    let off = create("off", fail, json!({"level": "OFF"}));
    let (status, bad) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": "bad", "type": "EXPRESS", "roleArn": "arn:aws:iam::1:role/r",
                "definition": pass.to_string(), "loggingConfiguration": {"level": "LOUD"}}),
    );
    assert_eq!((status, error_type(&bad)), (400, "ValidationException"));

    for arn in [&all, &fatal, &off] {
        let (status, answer) = call(
            endpoint,
            "StartSyncExecution",
            &json!({"stateMachineArn": arn, "input": "{\"doc\": 1}"}),
        );
        assert_eq!(status, 200, "{answer}");
    }
    let (_, described) = call(
        endpoint,
        "DescribeStateMachine",
        &json!({"stateMachineArn": all}),
    );
    assert_eq!(described["loggingConfiguration"]["level"], "ALL");

    let text = std::fs::read_to_string(&log_path).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let kinds: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            let machine = if r["execution_arn"]
                .as_str()
                .unwrap()
                .contains(":express:all:")
            {
                "all"
            } else {
                "fatal"
            };
            (machine, r["type"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("all", "ExecutionStarted"),
            ("all", "PassStateEntered"),
            ("all", "PassStateExited"),
            ("all", "ExecutionSucceeded"),
            ("fatal", "ExecutionFailed")
        ],
        "OFF writes nothing"
    );
    assert_eq!(
        records[0]["details"]["input"], "{\"doc\":1}",
        "ALL with data"
    );
    assert_eq!(records[0]["id"], "1");
    assert_eq!(records[0]["previous_event_id"], "0");
    assert!(records[0]["event_timestamp"]
        .as_str()
        .unwrap()
        .parse::<i64>()
        .is_ok());
    assert_eq!(records[4]["details"]["error"], "Broken");
    server.kill();
}

/// `encryptionConfiguration` and `tracingConfiguration`: AWS's defaults are accepted and
/// described; a customer managed KMS key on a server whose operator configured no
/// `[encryption]` key for it, and X-Ray tracing, which Fluxo does not run, are refused with
/// AWS's error names, on every action that takes them, and nothing is created (keys the
/// operator configured: `tests/encryption.rs`).
#[test]
fn encryption_and_tracing_options_are_described_or_refused() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None);
    let endpoint = &server.endpoint;
    let definition =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}).to_string();
    let role = "arn:aws:iam::123456789012:role/r";
    let owned = json!({"type": "AWS_OWNED_KEY"});
    let cmk = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/mine",
                     "kmsDataKeyReusePeriodSeconds": 300});
    let error = |(status, body): (u16, Value)| (status, error_type(&body).to_string());

    let (status, created) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": "owned",
        "definition": definition, "roleArn": role, "encryptionConfiguration": owned,
        "tracingConfiguration": {"enabled": false}}),
    );
    assert_eq!(status, 200, "{created}");
    let machine = created["stateMachineArn"].as_str().unwrap().to_string();
    let (_, described) = call(
        endpoint,
        "DescribeStateMachine",
        &json!({"stateMachineArn": machine}),
    );
    assert_eq!(described["encryptionConfiguration"], owned);
    assert_eq!(described["tracingConfiguration"], json!({"enabled": false}));

    for (action, body) in [
        (
            "CreateStateMachine",
            json!({"name": "cmk", "definition": definition, "roleArn": role, "encryptionConfiguration": cmk}),
        ),
        (
            "UpdateStateMachine",
            json!({"stateMachineArn": machine, "encryptionConfiguration": cmk}),
        ),
        (
            "CreateActivity",
            json!({"name": "cmk", "encryptionConfiguration": cmk}),
        ),
        (
            "CreateStateMachine",
            json!({"name": "nokey", "definition": definition, "roleArn": role,
            "encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY"}}),
        ),
    ] {
        let answer = call(endpoint, action, &body);
        assert_eq!(
            error(answer.clone()),
            (400, "InvalidEncryptionConfiguration".into()),
            "{action}: {}",
            answer.1
        );
        let message = answer.1["message"].as_str().unwrap();
        assert!(
            message.contains("[encryption] kms_key_ids")
                || message.contains("kmsKeyId is required"),
            "{message}"
        );
    }
    for (action, body) in [
        (
            "CreateStateMachine",
            json!({"name": "traced", "definition": definition, "roleArn": role, "tracingConfiguration": {"enabled": true}}),
        ),
        (
            "UpdateStateMachine",
            json!({"stateMachineArn": machine, "tracingConfiguration": {"enabled": true}}),
        ),
    ] {
        let answer = call(endpoint, action, &body);
        assert_eq!(
            error(answer.clone()),
            (400, "InvalidTracingConfiguration".into()),
            "{action}: {}",
            answer.1
        );
    }
    // Nothing was created by a refused request.
    only_the_one_machine(endpoint);
}

/// Refused requests created nothing: the one state machine the test made, and no activity.
fn only_the_one_machine(endpoint: &str) {
    let (_, listed) = call(endpoint, "ListStateMachines", &json!({}));
    assert_eq!(
        listed["stateMachines"].as_array().unwrap().len(),
        1,
        "{listed}"
    );
    let (_, activities) = call(endpoint, "ListActivities", &json!({}));
    assert_eq!(activities["activities"], json!([]));
}

/// The options AWS accepts are accepted and described again: an activity and an update with
/// `AWS_OWNED_KEY`, the definition an execution runs; a reuse period out of the model's range is
/// refused before anything is looked at.
#[test]
fn aws_owned_keys_are_described_everywhere() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None);
    let endpoint = &server.endpoint;
    let definition =
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}).to_string();
    let owned = json!({"type": "AWS_OWNED_KEY"});
    let (status, created) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": "owned",
        "definition": definition, "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    assert_eq!(status, 200, "{created}");
    let machine = created["stateMachineArn"].as_str().unwrap().to_string();
    let error = |(status, body): (u16, Value)| (status, error_type(&body).to_string());
    let period = call(
        endpoint,
        "CreateActivity",
        &json!({"name": "short",
        "encryptionConfiguration": {"type": "AWS_OWNED_KEY", "kmsDataKeyReusePeriodSeconds": 5}}),
    );
    assert_eq!(error(period), (400, "ValidationException".into()));
    only_the_one_machine(endpoint);

    let (status, created) = call(
        endpoint,
        "CreateActivity",
        &json!({"name": "owned", "encryptionConfiguration": owned}),
    );
    assert_eq!(status, 200, "{created}");
    let (_, activity) = call(
        endpoint,
        "DescribeActivity",
        &json!({"activityArn": created["activityArn"]}),
    );
    assert_eq!(activity["encryptionConfiguration"], owned);
    let (status, updated) = call(
        endpoint,
        "UpdateStateMachine",
        &json!({"stateMachineArn": machine, "encryptionConfiguration": owned}),
    );
    assert_eq!(status, 200, "{updated}");
    // AWS's default again changes nothing: no revision id yet.
    assert!(updated.get("revisionId").is_none(), "{updated}");
    let (_, started) = call(
        endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine}),
    );
    let (_, for_execution) = call(
        endpoint,
        "DescribeStateMachineForExecution",
        &json!({"executionArn": started["executionArn"]}),
    );
    assert_eq!(for_execution["encryptionConfiguration"], owned);
}
