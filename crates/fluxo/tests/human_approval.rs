//! The human-approval example (`examples/human-approval`) end to end: a `.waitForTaskToken`
//! Task calls the operator's function, which files the request with its task token; the
//! executions wait durably — through a SIGKILL of the server and a restart — until
//! `approve.py` (boto3) approves one with SendTaskSuccess and rejects the other with
//! SendTaskFailure; a token that was used once is refused after that.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A copy of the example in `dir`, so that its `pending/` folder is the test's own.
fn copy_example(dir: &Path) {
    let example = root().join("examples/human-approval");
    for entry in std::fs::read_dir(example).unwrap().flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
}

fn wait_for(what: &str, server: &mut Server, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} never happened\n{}",
            server.report()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn approve(python: &str, example: &Path, endpoint: &str, args: &[&str]) -> String {
    let output = Command::new(python)
        .arg(example.join("approve.py"))
        .arg(endpoint)
        .args(args)
        .output()
        .expect("approve.py runs");
    assert!(
        output.status.success(),
        "approve.py {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn approvals_wait_through_a_restart_and_end_as_the_approver_says() {
    let Some(python) = python_with_boto3() else {
        eprintln!("boto3 is not installed: the human-approval example test was skipped");
        return;
    };
    let (data, example) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    copy_example(example.path());
    let config = example.path().join("fluxo.toml");
    let mut server = Server::start(data.path(), Some(&config));
    let definition =
        std::fs::read_to_string(example.path().join("state-machine.asl.json")).unwrap();
    let (status, created) = call(
        &server.endpoint,
        "CreateStateMachine",
        &json!({"name": "approvals", "definition": definition, "roleArn": "arn:aws:iam::1:role/r"}),
    );
    assert_eq!(status, 200, "{created}");
    let machine = created["stateMachineArn"].as_str().unwrap().to_string();
    for (name, amount) in [("invoice-17", 120), ("invoice-18", 99_000)] {
        let input = json!({"invoice": name, "amount": amount}).to_string();
        let (status, started) = call(
            &server.endpoint,
            "StartExecution",
            &json!({"stateMachineArn": machine, "name": name, "input": input}),
        );
        assert_eq!(status, 200, "{started}");
    }
    let pending = example.path().join("pending");
    let filed = |name: &str| pending.join(format!("{name}.json")).exists();
    wait_for("both requests filed", &mut server, || {
        filed("invoice-17") && filed("invoice-18")
    });

    // The executions hold nothing in memory: a SIGKILL and a restart lose no request.
    server.kill();
    let mut server = Server::start(data.path(), Some(&config));
    let listed = approve(&python, example.path(), &server.endpoint, &[]);
    assert!(listed.contains("invoice-17: {\"invoice\": \"invoice-17\", \"amount\": 120}"));
    let token: Value =
        serde_json::from_str(&std::fs::read_to_string(pending.join("invoice-17.json")).unwrap())
            .unwrap();
    approve(
        &python,
        example.path(),
        &server.endpoint,
        &["invoice-17", "--approve", "--approver", "ana"],
    );
    approve(
        &python,
        example.path(),
        &server.endpoint,
        &["invoice-18", "--reject", "Over the limit"],
    );

    let arn = |name: &str| machine.replace(":stateMachine:", ":execution:") + ":" + name;
    let described = |name: &str, server: &mut Server| {
        let (mut answer, endpoint) = (Value::Null, server.endpoint.clone());
        wait_for(&format!("{name} ends"), server, || {
            answer = call(
                &endpoint,
                "DescribeExecution",
                &json!({"executionArn": arn(name)}),
            )
            .1;
            answer["status"] != "RUNNING"
        });
        answer
    };
    let approved = described("invoice-17", &mut server);
    assert_eq!(approved["status"], "SUCCEEDED", "{approved}");
    let output: Value = serde_json::from_str(approved["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        output,
        json!({"invoice": "invoice-17", "amount": 120,
               "approval": {"approved": true, "approver": "ana"}})
    );
    let rejected = described("invoice-18", &mut server);
    assert_eq!(rejected["status"], "FAILED", "{rejected}");
    assert_eq!(
        (&rejected["error"], &rejected["cause"]),
        (&json!("Rejected"), &json!("Over the limit"))
    );
    // The task has ended: its token answers nothing more.
    let (status, refused) = call(
        &server.endpoint,
        "SendTaskSuccess",
        &json!({"taskToken": token["taskToken"], "output": "{}"}),
    );
    assert_eq!((status, error_type(&refused)), (400, "TaskTimedOut"));
    server.kill();
}
