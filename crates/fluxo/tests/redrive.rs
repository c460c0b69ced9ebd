//! RedriveExecution end to end against `fluxo server`: a Task that failed succeeds when
//! redriven, a Parallel reruns only its failed branch, an inline Map only its failed and
//! unstarted iterations (calls counted by the function itself), a redriven execution survives
//! a SIGKILL of the server, AWS's errors, DescribeExecution's and ListExecutions' redrive
//! fields, and Fluxo's restart from a chosen state (`fluxo restart`) read back with boto3.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// Records every call in `calls.log` and fails while a file `fail-<name>` exists beside it.
const HANDLER: &str = r#"
import os
HERE = os.path.dirname(os.path.abspath(__file__))
def handler(event, context):
    name = event["name"]
    with open(os.path.join(HERE, "calls.log"), "a") as log:
        log.write(name + "\n")
    if os.path.exists(os.path.join(HERE, "fail-" + name)):
        raise ValueError("failing " + name)
    return {"done": name}
"#;

const WORK: &str = "arn:aws:lambda:us-east-1:123456789012:function:work";

fn functions(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("work.py"), HANDLER).unwrap();
    let config = dir.join("fluxo.toml");
    std::fs::write(
        &config,
        "[functions.work]\nruntime = \"python3\"\nhandler = \"work.handler\"\n",
    )
    .unwrap();
    config
}

fn calls(dir: &Path, name: &str) -> usize {
    std::fs::read_to_string(dir.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .filter(|line| *line == name)
        .count()
}

fn work(name: &str) -> Value {
    json!({"Type": "Task", "Resource": WORK, "Parameters": {"name": name}})
}

fn create(endpoint: &str, name: &str, definition: &Value) -> String {
    let (status, body) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": name, "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/fluxo"}),
    );
    assert_eq!(status, 200, "{body}");
    body["stateMachineArn"].as_str().unwrap().to_string()
}

fn start(endpoint: &str, machine: &str, input: Value) -> String {
    let (status, body) = call(
        endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": input.to_string()}),
    );
    assert_eq!(status, 200, "{body}");
    body["executionArn"].as_str().unwrap().to_string()
}

fn describe(endpoint: &str, arn: &str) -> Value {
    let (status, body) = call(endpoint, "DescribeExecution", &json!({"executionArn": arn}));
    assert_eq!(status, 200, "{body}");
    body
}

fn wait_status(server: &mut Server, arn: &str, wanted: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let described = describe(&server.endpoint, arn);
        if described["status"] == wanted {
            return described;
        }
        assert!(
            Instant::now() < deadline,
            "{arn} is {described}, never {wanted}\n{}",
            server.report()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn history(endpoint: &str, arn: &str) -> Vec<Value> {
    let (status, body) = call(
        endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": arn, "maxResults": 1000}),
    );
    assert_eq!(status, 200, "{body}");
    body["events"].as_array().unwrap().clone()
}

fn kinds(events: &[Value]) -> Vec<String> {
    let ids: Vec<u64> = events.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=events.len() as u64).collect::<Vec<_>>(), "ids");
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

fn redrive(endpoint: &str, arn: &str) -> (u16, Value) {
    call(endpoint, "RedriveExecution", &json!({"executionArn": arn}))
}

/// The server, its data and its functions, for a test that needs Python for its handler.
fn setup() -> Option<(Server, tempfile::TempDir, tempfile::TempDir)> {
    python_with_boto3()?;
    let (data, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = Server::start(data.path(), Some(&functions(dir.path())));
    Some((server, data, dir))
}

#[test]
fn a_failed_task_succeeds_when_redriven_and_the_errors_are_aws_s() {
    let Some((mut server, _data, dir)) = setup() else {
        eprintln!("python with boto3 is missing: the redrive test was skipped");
        return;
    };
    let endpoint = server.endpoint.clone();
    let mut task = work("task");
    task["ResultPath"] = json!("$.work");
    task["Next"] = json!("Count");
    let definition = json!({"StartAt": "Work", "States": {
        "Work": task,
        "Count": {"Type": "Pass", "Parameters": {"count.$": "$$.Execution.RedriveCount", "work.$": "$.work"}, "End": true}
    }});
    let machine = create(&endpoint, "tasks", &definition);
    std::fs::write(dir.path().join("fail-task"), "").unwrap();
    let arn = start(&endpoint, &machine, json!({}));
    let failed = wait_status(&mut server, &arn, "FAILED");
    assert_eq!(failed["redriveStatus"], "REDRIVABLE", "{failed}");
    assert_eq!(failed["redriveCount"], 0);
    assert!(failed.get("redriveStatusReason").is_none(), "{failed}");

    std::fs::remove_file(dir.path().join("fail-task")).unwrap();
    let (status, answer) = redrive(&endpoint, &arn);
    assert_eq!(status, 200, "{answer}");
    assert!(answer["redriveDate"].as_f64().unwrap() > 0.0);
    let done = wait_status(&mut server, &arn, "SUCCEEDED");
    assert_eq!(done["redriveCount"], 1);
    assert_eq!(done["redriveDate"], answer["redriveDate"]);
    assert_eq!(done["redriveStatus"], "NOT_REDRIVABLE");
    assert_eq!(
        done["redriveStatusReason"],
        "Execution is SUCCEEDED and cannot be redriven"
    );
    assert_eq!(
        done["output"]
            .as_str()
            .map(|o| serde_json::from_str::<Value>(o).unwrap()),
        Some(json!({"count": 1, "work": {"done": "task"}}))
    );
    assert_eq!(calls(dir.path(), "task"), 2);
    let events = history(&endpoint, &arn);
    let kinds = kinds(&events);
    let at = kinds.iter().position(|k| k == "ExecutionRedriven").unwrap();
    assert_eq!(kinds[at - 1], "ExecutionFailed");
    assert_eq!(
        events[at]["executionRedrivenEventDetails"],
        json!({"redriveCount": 1})
    );
    assert_eq!(kinds[at + 1], "LambdaFunctionScheduled", "{kinds:?}");
    assert_eq!(kinds.last().unwrap(), "ExecutionSucceeded");

    // AWS's errors.
    let (status, body) = redrive(&endpoint, &arn);
    assert_eq!((status, error_type(&body)), (400, "ExecutionNotRedrivable"));
    assert_eq!(
        body["message"],
        "Execution is SUCCEEDED and cannot be redriven"
    );
    let missing = arn.replace(":tasks:", ":nothing:");
    let (status, body) = redrive(&endpoint, &missing);
    assert_eq!((status, error_type(&body)), (400, "ExecutionDoesNotExist"));
    let (status, body) = redrive(&endpoint, "arn:aws:states:us-east-1:1:nope");
    assert_eq!((status, error_type(&body)), (400, "InvalidArn"), "{body}");
    let express =
        "arn:aws:states:us-east-1:123456789012:express:m:e:0a1b2c3d-0000-0000-0000-000000000000";
    let (status, body) = redrive(&endpoint, express);
    assert_eq!(
        (status, error_type(&body)),
        (400, "ExecutionNotRedrivable"),
        "{body}"
    );
    let (status, body) = call(&endpoint, "RedriveExecution", &json!({}));
    assert_eq!((status, error_type(&body)), (400, "ValidationException"));
    let waits = create(
        &endpoint,
        "waits",
        &json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}),
    );
    let running = start(&endpoint, &waits, json!({}));
    let (status, body) = redrive(&endpoint, &running);
    assert_eq!((status, error_type(&body)), (400, "ExecutionNotRedrivable"));
    assert_eq!(
        body["message"],
        "Execution is RUNNING and cannot be redriven"
    );
    let described = describe(&endpoint, &running);
    assert_eq!(
        described["redriveStatusReason"],
        "Execution is RUNNING and cannot be redriven"
    );

    // ListExecutions' redriveFilter and redriveCount.
    let other = start(&endpoint, &machine, json!({}));
    wait_status(&mut server, &other, "SUCCEEDED");
    let listed = |filter: &str| -> Vec<(String, u64)> {
        let (status, body) = call(
            &endpoint,
            "ListExecutions",
            &json!({"stateMachineArn": machine, "redriveFilter": filter}),
        );
        assert_eq!(status, 200, "{body}");
        body["executions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let arn = e["executionArn"].as_str().unwrap().to_string();
                (arn, e["redriveCount"].as_u64().unwrap())
            })
            .collect()
    };
    assert_eq!(listed("REDRIVEN"), [(arn.clone(), 1)]);
    assert_eq!(listed("NOT_REDRIVEN"), [(other, 0)]);
}

#[test]
fn only_the_failed_parallel_branch_and_map_iterations_run_again() {
    let Some((mut server, _data, dir)) = setup() else {
        eprintln!("python with boto3 is missing: the redrive test was skipped");
        return;
    };
    let endpoint = server.endpoint.clone();
    let mut a = work("a");
    a["End"] = json!(true);
    let mut b = work("b");
    b["End"] = json!(true);
    // B waits before it fails so that A's call is made first: a failed branch stops the others,
    // and without the wait a loaded machine could stop A before it called (then `a` is 0).
    let parallel = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "A", "States": {"A": a}},
                     {"StartAt": "Hold", "States": {
                         "Hold": {"Type": "Wait", "Seconds": 3, "Next": "B"}, "B": b}}]}}});
    let mut item = json!({"Type": "Task", "Resource": WORK, "Parameters": {"name.$": "$"}});
    item["End"] = json!(true);
    let map = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "MaxConcurrency": 1,
        "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": item}}}}});
    let parallel = create(&endpoint, "parallel", &parallel);
    let map = create(&endpoint, "map", &map);
    for name in ["b", "m2"] {
        std::fs::write(dir.path().join(format!("fail-{name}")), "").unwrap();
    }
    let first = start(&endpoint, &parallel, json!({}));
    let second = start(&endpoint, &map, json!({"items": ["m1", "m2", "m3", "m4"]}));
    wait_status(&mut server, &first, "FAILED");
    wait_status(&mut server, &second, "FAILED");
    assert_eq!(
        ["a", "b", "m1", "m2", "m3", "m4"].map(|n| calls(dir.path(), n)),
        [1, 1, 1, 1, 0, 0]
    );
    for name in ["b", "m2"] {
        std::fs::remove_file(dir.path().join(format!("fail-{name}"))).unwrap();
    }
    for arn in [&first, &second] {
        let (status, body) = redrive(&endpoint, arn);
        assert_eq!(status, 200, "{body}");
    }
    let done = wait_status(&mut server, &first, "SUCCEEDED");
    assert_eq!(done["output"], r#"[{"done":"a"},{"done":"b"}]"#);
    let done = wait_status(&mut server, &second, "SUCCEEDED");
    assert_eq!(
        done["output"],
        r#"[{"done":"m1"},{"done":"m2"},{"done":"m3"},{"done":"m4"}]"#
    );
    assert_eq!(
        ["a", "b", "m1", "m2", "m3", "m4"].map(|n| calls(dir.path(), n)),
        [1, 2, 1, 2, 1, 1],
        "what succeeded is not called again"
    );
    kinds(&history(&endpoint, &first));
    kinds(&history(&endpoint, &second));
}

#[test]
fn a_redriven_execution_goes_on_after_a_sigkill() {
    let Some((mut server, data, dir)) = setup() else {
        eprintln!("python with boto3 is missing: the redrive test was skipped");
        return;
    };
    let config = dir.path().join("fluxo.toml");
    let mut task = work("crash");
    task["Next"] = json!("Pause");
    let definition = json!({"StartAt": "Work", "States": {
        "Work": task,
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
        "Done": {"Type": "Pass", "End": true}
    }});
    let machine = create(&server.endpoint, "crashing", &definition);
    std::fs::write(dir.path().join("fail-crash"), "").unwrap();
    let arn = start(&server.endpoint, &machine, json!({}));
    wait_status(&mut server, &arn, "FAILED");
    std::fs::remove_file(dir.path().join("fail-crash")).unwrap();
    let (status, body) = redrive(&server.endpoint, &arn);
    assert_eq!(status, 200, "{body}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !kinds(&history(&server.endpoint, &arn)).contains(&"WaitStateEntered".to_string()) {
        assert!(Instant::now() < deadline, "{}", server.report());
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill();
    let mut server = Server::start(data.path(), Some(&config));
    let done = wait_status(&mut server, &arn, "SUCCEEDED");
    assert_eq!(done["redriveCount"], 1);
    assert_eq!(
        calls(dir.path(), "crash"),
        2,
        "the redriven call is not repeated"
    );
    let kinds = kinds(&history(&server.endpoint, &arn));
    let once = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!(
        (
            once("ExecutionRedriven"),
            once("WaitStateEntered"),
            once("ExecutionSucceeded")
        ),
        (1, 1, 1),
        "{kinds:?}"
    );
}

/// Issue 16: a redrive of a distributed Map whose Map Run failed (no failure tolerated) runs
/// only the children that failed again; the children that succeeded keep their results.
#[test]
fn a_redriven_distributed_map_reruns_only_its_failed_children() {
    let Some((mut server, _data, dir)) = setup() else {
        eprintln!("python with boto3 is missing: the redrive test was skipped");
        return;
    };
    let endpoint = server.endpoint.clone();
    let mut item = json!({"Type": "Task", "Resource": WORK, "Parameters": {"name.$": "$"}});
    item["End"] = json!(true);
    let map = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": true,
        "ItemsPath": "$.items", "MaxConcurrency": 1, "Label": "each",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Item", "States": {"Item": item}}}}});
    let machine = create(&endpoint, "dmap", &map);
    let names = ["d1", "d2", "d3", "d4"];
    std::fs::write(dir.path().join("fail-d2"), "").unwrap();
    let arn = start(&endpoint, &machine, json!({"items": names}));
    wait_status(&mut server, &arn, "FAILED");
    let first = names.map(|n| calls(dir.path(), n));
    assert_eq!(first[1], 1, "d2 ran once and failed: {first:?}");
    // The first redrive fails again on d2; the second one succeeds.
    let (status, body) = redrive(&endpoint, &arn);
    assert_eq!(status, 200, "{body}");
    wait_status(&mut server, &arn, "FAILED");
    assert_eq!(calls(dir.path(), "d2"), 2);
    std::fs::remove_file(dir.path().join("fail-d2")).unwrap();
    let (status, body) = redrive(&endpoint, &arn);
    assert_eq!(status, 200, "{body}");
    let done = wait_status(&mut server, &arn, "SUCCEEDED");
    assert_eq!(
        done["output"],
        r#"[{"done":"d1"},{"done":"d2"},{"done":"d3"},{"done":"d4"}]"#
    );
    // A child that succeeded is never run again (across both redrives); one that failed or
    // never ran runs until it succeeds.
    let after = names.map(|n| calls(dir.path(), n));
    assert_eq!(after, [1, 3, 1, 1], "first run: {first:?}");
    let events = history(&endpoint, &arn);
    let kinds = kinds(&events);
    // The Map Run starts once and is redriven twice, under the same ARN.
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!(count("MapRunStarted"), 1, "{kinds:?}");
    assert_eq!(count("MapRunRedriven"), 2, "{kinds:?}");
    let started = events
        .iter()
        .find(|e| e["type"] == "MapRunStarted")
        .unwrap();
    let map_run = started["mapRunStartedEventDetails"]["mapRunArn"].clone();
    let redriven: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "MapRunRedriven")
        .map(|e| &e["mapRunRedrivenEventDetails"])
        .collect();
    assert_eq!(
        redriven,
        [
            &json!({"mapRunArn": map_run, "redriveCount": 1}),
            &json!({"mapRunArn": map_run, "redriveCount": 2})
        ]
    );
    let (status, described) = call(&endpoint, "DescribeMapRun", &json!({"mapRunArn": map_run}));
    assert_eq!(status, 200, "{described}");
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert_eq!(described["redriveCount"], 2, "{described}");
    assert!(described["redriveDate"].is_f64(), "{described}");
}
