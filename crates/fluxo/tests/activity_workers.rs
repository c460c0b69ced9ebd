//! Activity workers end to end: a pool of boto3 workers (`tests/api/activity_workers.py`) takes
//! the tasks of many executions while workers die holding tasks and the server is killed with
//! SIGKILL and restarted. Heartbeats expire, Retry schedules the task again, every execution
//! ends with the right output, and no task is finished twice.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

/// Executions in the run (the issue's figure is 1,000; `FLUXO_ACTIVITY_EXECUTIONS` changes it).
fn executions() -> usize {
    std::env::var("FLUXO_ACTIVITY_EXECUTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

fn definition(activity: &str) -> Value {
    json!({
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Task",
                "Resource": activity,
                "HeartbeatSeconds": 2,
                "TimeoutSeconds": 120,
                "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 10}],
                "ResultPath": "$.result",
                "End": true
            }
        }
    })
}

#[test]
fn a_worker_pool_finishes_every_task_once_while_workers_and_the_server_die() {
    let Some(python) = python_with_boto3() else {
        eprintln!("boto3 is not installed: the activity worker test was skipped");
        return;
    };
    let count = executions();
    let data = tempfile::tempdir().unwrap();
    let endpoint_file = data.path().join("endpoint");
    let mut server = Server::start(data.path(), None);
    std::fs::write(&endpoint_file, &server.endpoint).unwrap();
    let (_, created) = call(
        &server.endpoint,
        "CreateActivity",
        &json!({"name": "double"}),
    );
    let activity = created["activityArn"]
        .as_str()
        .expect("activity")
        .to_string();
    let (_, created) = call(
        &server.endpoint,
        "CreateStateMachine",
        &json!({"name": "pool", "definition": definition(&activity).to_string(),
                "roleArn": "arn:aws:iam::1:role/r"}),
    );
    let machine = created["stateMachineArn"]
        .as_str()
        .expect("machine")
        .to_string();
    let summary = data.path().join("pool.json");
    let mut pool = Command::new(&python)
        .arg(root().join("tests/api/activity_workers.py"))
        .arg(&endpoint_file)
        .arg(&activity)
        .arg(count.to_string())
        .arg("8")
        .arg(&summary)
        .spawn()
        .expect("the worker pool starts");
    for n in 0..count {
        let input = json!({"n": n}).to_string();
        let (status, answer) = call(
            &server.endpoint,
            "StartExecution",
            &json!({"stateMachineArn": machine, "name": format!("e{n}"), "input": input}),
        );
        assert_eq!(status, 200, "{answer}");
        if n % 400 == 399 {
            // SIGKILL while tasks are scheduled, taken and being answered.
            server.kill();
            server = Server::start(data.path(), None);
            std::fs::write(&endpoint_file, &server.endpoint).unwrap();
        }
    }
    std::thread::sleep(Duration::from_millis(700));
    server.kill();
    server = Server::start(data.path(), None);
    std::fs::write(&endpoint_file, &server.endpoint).unwrap();

    let status = pool.wait().expect("the pool ends");
    assert!(
        status.success(),
        "the worker pool did not finish\n{}",
        server.report()
    );
    let summary: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    eprintln!(
        "pool summary: {}",
        json!({"abandoned": summary["abandoned"], "refused": summary["refused"], "seconds": summary["seconds"]})
    );
    let accepted: HashMap<String, u64> =
        serde_json::from_value(summary["accepted"].clone()).unwrap();
    // An answer a kill cut off was taken by the server but reached no worker; the histories
    // below prove that each of those tasks ended exactly once too.
    let lost: Vec<u64> = serde_json::from_value(summary["lost"].clone()).unwrap();
    let finished: std::collections::HashSet<String> = accepted
        .keys()
        .cloned()
        .chain(lost.iter().map(u64::to_string))
        .collect();
    assert_eq!(finished.len(), count);
    assert!(
        accepted.values().all(|times| *times == 1),
        "a task was finished twice"
    );
    assert!(
        summary["abandoned"].as_u64().unwrap() > 0,
        "no worker died: the test proves less"
    );

    let timed_out = check_executions(&mut server, &machine, count);
    assert!(timed_out > 0, "no heartbeat expired");
    server.kill();
}

/// Each of the `count` executions of `machine` SUCCEEDED with its output, its activity
/// succeeded once and every timeout was retried once; the number of timeouts.
fn check_executions(server: &mut Server, machine: &str, count: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(120);
    let execution_arn =
        |n: usize| machine.replace(":stateMachine:", ":execution:") + &format!(":e{n}");
    let mut timed_out = 0;
    for n in 0..count {
        let described = loop {
            let (_, described) = call(
                &server.endpoint,
                "DescribeExecution",
                &json!({"executionArn": execution_arn(n)}),
            );
            if described["status"] != "RUNNING" || Instant::now() > deadline {
                break described;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(
            described["status"],
            "SUCCEEDED",
            "e{n}: {described}\n{}",
            server.report()
        );
        let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
        assert_eq!(output, json!({"n": n, "result": {"double": 2 * n}}), "e{n}");
        let (_, history) = call(
            &server.endpoint,
            "GetExecutionHistory",
            &json!({"executionArn": execution_arn(n), "maxResults": 1000}),
        );
        let kinds: Vec<&str> = history["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        let count_of = |kind: &str| kinds.iter().filter(|k| **k == kind).count();
        assert_eq!(count_of("ActivitySucceeded"), 1, "e{n}: {kinds:?}");
        assert_eq!(
            count_of("ActivityScheduled"),
            1 + count_of("ActivityTimedOut"),
            "e{n}: every timeout is retried once: {kinds:?}"
        );
        timed_out += count_of("ActivityTimedOut");
    }
    timed_out
}

#[test]
fn a_poll_whose_client_went_away_takes_no_task() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None);
    let (_, created) = call(&server.endpoint, "CreateActivity", &json!({"name": "gone"}));
    let activity = created["activityArn"].as_str().unwrap().to_string();
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "End": true}}});
    let (_, created) = call(
        &server.endpoint,
        "CreateStateMachine",
        &json!({"name": "gone", "definition": definition.to_string(), "roleArn": "arn:aws:iam::1:role/r"}),
    );
    let machine = created["stateMachineArn"].as_str().unwrap().to_string();
    // A worker polls, then its client gives up (the connection closes) while the poll waits.
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let abandoned = client
        .post(&server.endpoint)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "AWSStepFunctions.GetActivityTask")
        .body(json!({"activityArn": activity, "workerName": "gone"}).to_string())
        .send();
    assert!(
        abandoned.is_err(),
        "the poll was meant to time out on the client"
    );
    call(
        &server.endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": "{\"k\":1}"}),
    );
    std::thread::sleep(Duration::from_millis(300));
    let (status, task) = call(
        &server.endpoint,
        "GetActivityTask",
        &json!({"activityArn": activity, "workerName": "present"}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        task["input"],
        json!("{\"k\":1}"),
        "the task went to the poll that is there: {task}"
    );
}

#[test]
fn the_document_validation_example_runs_with_its_boto3_activity_worker() {
    let Some(python) = python_with_boto3() else {
        eprintln!("boto3 is not installed: the activity example test was skipped");
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::start(data.path(), None);
    let example = root().join("examples/document-validation-activity");
    // The worker creates the activity (idempotent) and checks two documents.
    let mut worker = Command::new(&python)
        .arg(example.join("worker.py"))
        .arg(&server.endpoint)
        .args(["--tasks", "2"])
        .spawn()
        .expect("the worker starts");
    let definition = std::fs::read_to_string(example.join("state-machine.asl.json")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    // The state machine names the activity, which must exist: wait for the worker to make it.
    let machine = loop {
        let (status, created) = call(
            &server.endpoint,
            "CreateStateMachine",
            &json!({"name": "documents", "definition": definition, "roleArn": "arn:aws:iam::1:role/r"}),
        );
        let (_, listed) = call(&server.endpoint, "ListActivities", &json!({}));
        if status == 200 && !listed["activities"].as_array().unwrap().is_empty() {
            break created["stateMachineArn"].as_str().unwrap().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "no activity: {created}\n{}",
            server.report()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let documents = root().join("examples/document-validation/documents");
    let mut arns = Vec::new();
    for name in ["valid", "invalid"] {
        let input = std::fs::read_to_string(documents.join(format!("{name}.json"))).unwrap();
        let (_, started) = call(
            &server.endpoint,
            "StartExecution",
            &json!({"stateMachineArn": machine, "name": name, "input": input}),
        );
        arns.push(started["executionArn"].as_str().unwrap().to_string());
    }
    assert!(worker.wait().unwrap().success(), "{}", server.report());
    let described: Vec<Value> = arns
        .iter()
        .map(|arn| loop {
            let (_, described) = call(
                &server.endpoint,
                "DescribeExecution",
                &json!({"executionArn": arn}),
            );
            if described["status"] != "RUNNING" || Instant::now() > deadline {
                break described;
            }
            std::thread::sleep(Duration::from_millis(50));
        })
        .collect();
    assert_eq!(described[0]["status"], "SUCCEEDED", "{}", described[0]);
    let verdict: Value = serde_json::from_str(described[0]["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        (verdict["valido"].clone(), verdict["errores"].clone()),
        (json!(true), json!([]))
    );
    assert_eq!(described[1]["status"], "FAILED", "{}", described[1]);
    assert_eq!(described[1]["error"], "Documento Inválido");
    assert!(
        described[1]["cause"].as_str().unwrap().contains("caducado"),
        "{}",
        described[1]
    );
    server.kill();
}
