//! `fluxo server` end to end: real clients, malformed requests, and a crash test that kills the
//! server with SIGKILL while 200 executions run.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

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

const CRASH_HANDLER: &str = r#"
def handler(event, context):
    # Every third item fails its first attempt, so Retry is exercised.
    if event["n"] % 3 == 0 and event["retry"] == 0:
        raise RuntimeError("first attempt of %d" % event["n"])
    return {"double": event["n"] * 2}
"#;

fn crash_definition() -> Value {
    json!({
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                "Parameters": {"n.$": "$.n", "retry.$": "$$.State.RetryCount"},
                "Retry": [
                    {"ErrorEquals": ["RuntimeError"], "IntervalSeconds": 1, "MaxAttempts": 2},
                    // A call cut short by the kill fails its attempt with States.TaskFailed.
                    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 3}
                ],
                "ResultPath": "$.result",
                "Next": "Pause"
            },
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": true}}},
                "ResultPath": "$.items",
                "Next": "Done"
            },
            "Done": {"Type": "Pass", "End": true}
        }
    })
}

#[test]
fn executions_survive_the_server_being_killed_again_and_again() {
    let data = tempfile::tempdir().unwrap();
    let functions = tempfile::tempdir().unwrap();
    std::fs::write(functions.path().join("double.py"), CRASH_HANDLER).unwrap();
    let config = functions.path().join("fluxo.toml");
    std::fs::write(
        &config,
        "[functions.double]\nruntime = \"python3\"\nhandler = \"double.handler\"\ntimeout_seconds = 10\n",
    )
    .unwrap();

    let mut server = Server::start(data.path(), Some(&config));
    let (_, created) = call(
        &server.endpoint,
        "CreateStateMachine",
        &json!({"name": "crash", "definition": crash_definition().to_string(), "roleArn": "arn:aws:iam::1:role/r"}),
    );
    let arn = created["stateMachineArn"]
        .as_str()
        .expect("created")
        .to_string();
    const EXECUTIONS: usize = 200;
    for n in 0..EXECUTIONS {
        let input = json!({"n": n, "items": [n, n + 1, n + 2]}).to_string();
        let (status, answer) = call(
            &server.endpoint,
            "StartExecution",
            &json!({"stateMachineArn": arn, "name": format!("e{n}"), "input": input}),
        );
        assert_eq!(status, 200, "{answer}");
        if n % 70 == 69 {
            // Kill -9 while executions are in every phase.
            server.kill();
            server = Server::start(data.path(), Some(&config));
        }
    }
    for pause in [150u64, 400, 900] {
        std::thread::sleep(Duration::from_millis(pause));
        server.kill();
        server = Server::start(data.path(), Some(&config));
    }

    let deadline = Instant::now() + Duration::from_secs(120);
    let execution_arn = |n: usize| arn.replace(":stateMachine:", ":execution:") + &format!(":e{n}");
    for n in 0..EXECUTIONS {
        let described = loop {
            let (_, described) = call(
                &server.endpoint,
                "DescribeExecution",
                &json!({"executionArn": execution_arn(n)}),
            );
            if described["status"] != "RUNNING" || Instant::now() > deadline {
                break described;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(described["status"], "SUCCEEDED", "e{n}: {described}");
        let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
        assert_eq!(
            output,
            json!({"n": n, "items": [n, n + 1, n + 2], "result": {"double": n * 2}}),
            "e{n}"
        );
        let (_, history) = call(
            &server.endpoint,
            "GetExecutionHistory",
            &json!({"executionArn": execution_arn(n), "maxResults": 1000}),
        );
        let events = history["events"].as_array().unwrap();
        let ids: Vec<u64> = events.iter().map(|e| e["id"].as_u64().unwrap()).collect();
        assert_eq!(
            ids,
            (1..=events.len() as u64).collect::<Vec<_>>(),
            "e{n}: ids"
        );
        let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds.first(), Some(&"ExecutionStarted"), "e{n}");
        assert_eq!(kinds.last(), Some(&"ExecutionSucceeded"), "e{n}");
        let count = |kind: &str| kinds.iter().filter(|k| **k == kind).count();
        assert_eq!(count("ExecutionStarted"), 1, "e{n}: {kinds:?}");
        assert_eq!(
            count("TaskStateEntered"),
            1,
            "e{n}: one entry into the task"
        );
        assert_eq!(count("WaitStateExited"), 1, "e{n}: {kinds:?}");
        assert_eq!(count("MapIterationSucceeded"), 3, "e{n}: {kinds:?}");
        assert_eq!(count("LambdaFunctionSucceeded"), 1, "e{n}: {kinds:?}");
        let times: Vec<f64> = events
            .iter()
            .map(|e| e["timestamp"].as_f64().unwrap())
            .collect();
        assert!(
            times.windows(2).all(|pair| pair[0] <= pair[1]),
            "e{n}: time order"
        );
    }
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
