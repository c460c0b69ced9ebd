//! Issue 9's hostile inputs, sent to `fluxo server` itself (not only to the engine): each gets
//! an answer in AWS's shape, and the server keeps answering, also after a restart on the same
//! data folder. The server runs with its own worker stacks, so a recursion that only the test
//! harness's bigger stacks survive would abort it here.

mod common;

use common::{call, error_type, raw, Server};
use serde_json::{json, Value};
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::123456789012:role/r";

fn create(server: &Server, name: &str, definition: &Value, kind: &str) -> (u16, Value) {
    call(
        &server.endpoint,
        "CreateStateMachine",
        &json!({"name": name, "definition": definition.to_string(), "roleArn": ROLE, "type": kind}),
    )
}

/// The server answers a cheap call: it neither died nor froze.
fn assert_answers(server: &mut Server) {
    let (status, _) = call(&server.endpoint, "ListStateMachines", &json!({}));
    assert_eq!(status, 200, "{}", server.report());
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn hostile_definitions_and_requests_get_aws_errors_and_the_server_stays_up() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::start(data.path(), None);

    // Thousands of nested parentheses in a path field: Jayway's filter grammar, parsed without
    // recursion; AWS accepts the path, so the answer is a verdict, not a crash.
    let parens = format!("$[?{}@.a==1{}]", "(".repeat(5000), ")".repeat(5000));
    let deep_path = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": parens, "End": true}}});
    let (status, answer) = call(
        &server.endpoint,
        "ValidateStateMachineDefinition",
        &json!({"definition": deep_path.to_string()}),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["result"] == "OK" || answer["result"] == "FAIL",
        "{answer}"
    );
    let (status, answer) = create(&server, "parens", &deep_path, "STANDARD");
    assert!(
        status == 200 || error_type(&answer) == "InvalidDefinition",
        "{answer}"
    );
    assert_answers(&mut server);

    // A ResultPath of 100,000 steps is refused before anything runs it.
    let long = format!("${}", ".a".repeat(100_000));
    let (status, answer) = create(
        &server,
        "long",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": long, "End": true}}}),
        "STANDARD",
    );
    assert_eq!(
        (status, error_type(&answer)),
        (400, "InvalidDefinition"),
        "{answer}"
    );

    // JSON nested 100,000 deep, as a definition's Result, as an execution's input and as the
    // request body itself.
    let deep_result = format!(
        r#"{{"StartAt":"P","States":{{"P":{{"Type":"Pass","Result":{},"End":true}}}}}}"#,
        nested(100_000)
    );
    let (status, answer) = call(
        &server.endpoint,
        "CreateStateMachine",
        &json!({"name": "deep", "definition": deep_result, "roleArn": ROLE}),
    );
    assert_eq!(
        (status, error_type(&answer)),
        (400, "InvalidDefinition"),
        "{answer}"
    );
    let (_, created) = create(
        &server,
        "plain",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
        "STANDARD",
    );
    let plain = created["stateMachineArn"]
        .as_str()
        .expect("created")
        .to_string();
    let (status, answer) = call(
        &server.endpoint,
        "StartExecution",
        &json!({"stateMachineArn": plain, "input": nested(100_000)}),
    );
    assert_eq!(
        (status, error_type(&answer)),
        (400, "InvalidExecutionInput"),
        "{answer}"
    );
    let body = format!(r#"{{"stateMachineArn":{}}}"#, nested(100_000));
    let (status, answer) = raw(&server.endpoint, Some("StartExecution"), body.into_bytes());
    assert_eq!(status, 400, "{answer}");
    assert_answers(&mut server);

    // A definition over AWS's 1 MiB quota.
    let big = json!({"StartAt": "P", "Comment": "x".repeat(1024 * 1024), "States": {"P": {"Type": "Pass", "End": true}}});
    let (status, answer) = create(&server, "big", &big, "STANDARD");
    assert_eq!(status, 400, "{answer}");
    assert_answers(&mut server);

    // The same data folder serves again after a kill.
    server.kill();
    let mut server = Server::start(data.path(), None);
    assert_answers(&mut server);
}

fn self_loop() -> Value {
    // A Choice whose Default is itself; the way out (`$.stop`) is never taken.
    json!({
        "StartAt": "Loop",
        "States": {
            "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Out"}], "Default": "Loop"},
            "Out": {"Type": "Succeed"}
        }
    })
}

#[test]
fn a_choice_that_loops_on_itself_freezes_nothing_and_a_standard_one_ends_at_the_history_quota() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::start(data.path(), None);

    // Two synchronous Express loops on a 2-core machine: the engine yields, so the server keeps
    // answering while they spin toward the 5-minute limit.
    let (_, created) = create(&server, "spin", &self_loop(), "EXPRESS");
    let express = created["stateMachineArn"]
        .as_str()
        .expect("created")
        .to_string();
    for _ in 0..2 {
        let endpoint = server.endpoint.clone();
        let body = json!({"stateMachineArn": express, "input": "{}"}).to_string();
        std::thread::spawn(move || {
            // Ends when the server is killed at the end of the test.
            let _ = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(600))
                .build()
                .unwrap()
                .post(&endpoint)
                .header("content-type", "application/x-amz-json-1.0")
                .header("x-amz-target", "AWSStepFunctions.StartSyncExecution")
                .body(body)
                .send();
        });
    }
    std::thread::sleep(Duration::from_secs(1));
    for _ in 0..5 {
        // reqwest's blocking client gives up after 30 s: a frozen server fails the call.
        assert_answers(&mut server);
    }

    // As a Standard execution the loop fails at AWS's 25,000 history events.
    let (_, created) = create(&server, "spin-standard", &self_loop(), "STANDARD");
    let standard = created["stateMachineArn"]
        .as_str()
        .expect("created")
        .to_string();
    let (_, started) = call(
        &server.endpoint,
        "StartExecution",
        &json!({"stateMachineArn": standard, "input": "{}"}),
    );
    let execution = started["executionArn"]
        .as_str()
        .expect("started")
        .to_string();
    let described = loop {
        let (_, described) = call(
            &server.endpoint,
            "DescribeExecution",
            &json!({"executionArn": execution}),
        );
        if described["status"] != "RUNNING" {
            break described;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(described["error"], "States.Runtime", "{described}");
    assert_eq!(
        described["cause"],
        "The execution reached the maximum number of history events (25000).",
    );
    let (_, history) = call(
        &server.endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": execution, "reverseOrder": true, "maxResults": 1}),
    );
    assert_eq!(history["events"][0]["id"], 25_000, "{history}");
    assert_eq!(history["events"][0]["type"], "ExecutionFailed", "{history}");
    assert_answers(&mut server);
}
