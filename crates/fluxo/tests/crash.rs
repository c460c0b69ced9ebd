//! The crash test of issue 9: `fluxo server` is killed with SIGKILL ten times while 1,000
//! Standard executions run through a Task with Retry, a Wait, a Parallel holding a Map and a
//! Choice loop, and while a second client keeps stopping and describing them. Afterwards every
//! execution has ended right (SUCCEEDED with its output, or ABORTED when it was stopped), none
//! is lost or duplicated, and every history is gap-free and in order.

mod common;

use common::{check_history, cluster, fork_state, root, Server};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const EXECUTIONS: usize = 1000;
const KILLS: usize = 10;

const HANDLER: &str = r#"
def handler(event, context):
    # Every third execution fails its first attempt, so Retry is exercised.
    if event["n"] % 3 == 0 and event["retry"] == 0:
        raise RuntimeError("first attempt of %d" % event["n"])
    return {"double": event["n"] * 2}
"#;

fn definition() -> Value {
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
                    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 5}
                ],
                "ResultPath": "$.result",
                "Next": "Pause"
            },
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Fork"},
            "Fork": fork_state()
        }
    })
}

fn expected_output(n: usize) -> Value {
    json!({
        "n": n,
        "items": [n, n + 1, n + 2],
        "result": {"double": n * 2},
        "fork": {"items": [n, n + 1, n + 2], "count": 3}
    })
}

/// Calls until some server answers (the endpoint changes when the server restarts).
fn call_until_answered(endpoint: &Mutex<String>, action: &str, body: &Value) -> (u16, Value) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let current = endpoint.lock().unwrap().clone();
        if let Some(answer) = cluster::try_call(&current, action, body, 30) {
            return answer;
        }
        assert!(Instant::now() < deadline, "no server answered {action}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A second client: stops every tenth execution soon after it starts and describes others.
fn disturber(
    endpoint: Arc<Mutex<String>>,
    started: Arc<Mutex<Vec<String>>>,
    done: Arc<AtomicBool>,
) -> std::thread::JoinHandle<HashSet<String>> {
    std::thread::spawn(move || {
        let mut stopped = HashSet::new();
        let mut seen = 0;
        while !done.load(Ordering::SeqCst) {
            let arns: Vec<String> = started.lock().unwrap()[seen..].to_vec();
            seen += arns.len();
            for (offset, arn) in arns.iter().enumerate() {
                let body = json!({"executionArn": arn});
                if arn.ends_with('5') {
                    // Counted as stopped once sent: an answer lost to a kill may still have
                    // stopped it.
                    stopped.insert(arn.clone());
                    call_until_answered(&endpoint, "StopExecution", &body);
                } else if offset % 3 == 0 {
                    let current = endpoint.lock().unwrap().clone();
                    let _ = cluster::try_call(&current, "DescribeExecution", &body, 30);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        stopped
    })
}

#[test]
fn executions_survive_the_server_being_killed_again_and_again() {
    let data = tempfile::tempdir().unwrap();
    let functions = tempfile::tempdir().unwrap();
    std::fs::write(functions.path().join("double.py"), HANDLER).unwrap();
    let config = functions.path().join("fluxo.toml");
    std::fs::write(
        &config,
        "[functions.double]\nruntime = \"python3\"\nhandler = \"double.handler\"\ntimeout_seconds = 10\n",
    )
    .unwrap();
    assert!(root().join("Cargo.toml").exists());

    let mut server = Server::start(data.path(), Some(&config));
    let endpoint = Arc::new(Mutex::new(server.endpoint.clone()));
    let (_, created) = call_until_answered(
        &endpoint,
        "CreateStateMachine",
        &json!({"name": "crash", "definition": definition().to_string(), "roleArn": "arn:aws:iam::1:role/r"}),
    );
    let machine = created["stateMachineArn"]
        .as_str()
        .expect("created")
        .to_string();
    let started = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicBool::new(false));
    let disturbing = disturber(endpoint.clone(), started.clone(), done.clone());

    let restart = |server: Server| {
        server.kill();
        let next = Server::start(data.path(), Some(&config));
        *endpoint.lock().unwrap() = next.endpoint.clone();
        next
    };
    let mut kills = 0;
    for n in 0..EXECUTIONS {
        let input = json!({"n": n, "items": [n, n + 1, n + 2]}).to_string();
        // Idempotent by name and input, so a start whose answer a kill lost can be repeated.
        let (status, answer) = call_until_answered(
            &endpoint,
            "StartExecution",
            &json!({"stateMachineArn": machine, "name": format!("e{n}"), "input": input}),
        );
        assert_eq!(status, 200, "{answer}");
        started
            .lock()
            .unwrap()
            .push(answer["executionArn"].as_str().unwrap().to_string());
        if n % (EXECUTIONS / (KILLS - 2)) == EXECUTIONS / (KILLS - 2) - 1 {
            // SIGKILL while executions are in every phase.
            server = restart(server);
            kills += 1;
        }
    }
    while kills < KILLS {
        std::thread::sleep(Duration::from_millis(300 * kills as u64));
        server = restart(server);
        kills += 1;
    }
    done.store(true, Ordering::SeqCst);
    let stopped = disturbing.join().expect("the second client ran");
    assert!(
        stopped.len() >= EXECUTIONS / 10 - 1,
        "{} stops",
        stopped.len()
    );

    let deadline = Instant::now() + Duration::from_secs(600);
    let arns = started.lock().unwrap().clone();
    let mut aborted = 0;
    for (n, arn) in arns.iter().enumerate() {
        let name = format!("e{n}");
        let described = loop {
            let (_, described) = call_until_answered(
                &endpoint,
                "DescribeExecution",
                &json!({"executionArn": arn}),
            );
            if described["status"] != "RUNNING" {
                break described;
            }
            assert!(
                Instant::now() < deadline,
                "{name} still RUNNING: {}",
                server.report()
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        let (_, history) = call_until_answered(
            &endpoint,
            "GetExecutionHistory",
            &json!({"executionArn": arn, "maxResults": 1000}),
        );
        let kinds = check_history(history["events"].as_array().unwrap(), &name);
        if described["status"] == "ABORTED" {
            assert!(stopped.contains(arn), "{name} ABORTED without a stop");
            assert_eq!(kinds.last().unwrap(), "ExecutionAborted", "{name}");
            aborted += 1;
            continue;
        }
        check_succeeded(n, &name, &described, &kinds);
    }
    // Most stops reach their execution during its one-second Wait.
    assert!(
        aborted * 2 >= stopped.len(),
        "{aborted} of {} stops aborted",
        stopped.len()
    );

    // None lost, none duplicated: the listing holds each name once.
    let listed = listed_names(&endpoint, &machine);
    let unique: HashSet<&String> = listed.iter().collect();
    assert_eq!((listed.len(), unique.len()), (EXECUTIONS, EXECUTIONS));
    server.kill();
}

/// Every execution name of `machine`, page by page.
fn listed_names(endpoint: &Arc<Mutex<String>>, machine: &str) -> Vec<String> {
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"stateMachineArn": machine, "maxResults": 1000});
        if let Some(token) = &token {
            body["nextToken"] = json!(token);
        }
        let (_, page) = call_until_answered(endpoint, "ListExecutions", &body);
        for execution in page["executions"].as_array().unwrap() {
            listed.push(execution["name"].as_str().unwrap().to_string());
        }
        match page["nextToken"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    listed
}

/// A SUCCEEDED execution `n` has its output and entered each state as often as the definition
/// says, whatever the kills did.
fn check_succeeded(n: usize, name: &str, described: &Value, kinds: &[String]) {
    assert_eq!(described["status"], "SUCCEEDED", "{name}: {described}");
    let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
    assert_eq!(output, expected_output(n), "{name}");
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!(kinds.last().unwrap(), "ExecutionSucceeded", "{name}");
    assert_eq!(
        count("TaskStateEntered"),
        1,
        "{name}: one entry into the task"
    );
    assert_eq!(count("LambdaFunctionSucceeded"), 1, "{name}: {kinds:?}");
    assert_eq!(count("WaitStateExited"), 1, "{name}: {kinds:?}");
    assert_eq!(count("MapIterationSucceeded"), 3, "{name}: {kinds:?}");
    assert_eq!(count("ChoiceStateEntered"), 4, "{name}: {kinds:?}");
    assert_eq!(count("ParallelStateExited"), 1, "{name}: {kinds:?}");
}
