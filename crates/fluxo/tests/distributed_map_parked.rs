//! A distributed Map whose item processor parks (a Wait state) under `fluxo server`: each
//! iteration is a child execution with a history of its own (developer guide, "Distributed
//! Map state child workflow executions"), so the parent's history holds only the Map state's
//! and the Map Run's events (`MapRunStarted`, `MapRunSucceeded`, as the recorded
//! `base_scenarios__test_map_state_config_distributed_*` cases show), and a server restarted
//! while the children wait finishes the run with the right output and keeps the activity
//! results a worker already sent.

mod common;

use common::{call, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A distributed Map over the input's items whose processor waits `seconds`, then passes
/// the item on with a mark.
fn machine(seconds: u64) -> Value {
    json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": true,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "W",
            "States": {
                "W": {"Type": "Wait", "Seconds": seconds, "Next": "P"},
                "P": {"Type": "Pass", "Parameters": {"item.$": "$", "done": true,
                      "execution.$": "$$.Execution.Id", "name.$": "$$.Execution.Name",
                      "input.$": "$$.Execution.Input", "machine.$": "$$.StateMachine.Id"},
                      "End": true}
            }
        }
    }}})
}

fn start(endpoint: &str, name: &str, definition: &Value, input: &Value) -> String {
    let (status, created) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": name, "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    assert_eq!(status, 200, "{created}");
    let (status, started) = call(
        endpoint,
        "StartExecution",
        &json!({"stateMachineArn": created["stateMachineArn"], "input": input.to_string()}),
    );
    assert_eq!(status, 200, "{started}");
    started["executionArn"].as_str().unwrap().to_string()
}

fn wait(server: &mut Server, arn: &str, seconds: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let (_, described) = call(
            &server.endpoint,
            "DescribeExecution",
            &json!({"executionArn": arn}),
        );
        if described["status"] != "RUNNING" {
            return described;
        }
        assert!(
            Instant::now() < deadline,
            "still running: {described}\n{}",
            server.report()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The parent's history as event types.
/// The execution's first Map Run ARN, once it has one.
fn first_map_run(endpoint: &str, execution: &str) -> Option<String> {
    let (_, runs) = call(endpoint, "ListMapRuns", &json!({"executionArn": execution}));
    runs["mapRuns"][0]["mapRunArn"].as_str().map(str::to_string)
}

fn describe_map_run(endpoint: &str, map_run: &str) -> Value {
    call(endpoint, "DescribeMapRun", &json!({"mapRunArn": map_run})).1
}

/// The Map Run's child executions (`ListExecutions` with `mapRunArn`).
fn children_of(endpoint: &str, map_run: &str) -> Vec<Value> {
    let (status, listed) = call(endpoint, "ListExecutions", &json!({"mapRunArn": map_run}));
    assert_eq!(status, 200, "{listed}");
    listed["executions"].as_array().unwrap().clone()
}

/// The children's statuses, sorted.
fn sorted_statuses(children: &[Value]) -> Vec<&str> {
    let mut statuses: Vec<&str> = children
        .iter()
        .map(|child| child["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    statuses
}

/// The types of an execution's history events.
fn event_kinds(endpoint: &str, execution: &Value) -> Vec<String> {
    let (_, history) = call(
        endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": execution}),
    );
    common::event_types(history["events"].as_array().unwrap())
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn history(endpoint: &str, arn: &str) -> Vec<String> {
    let (status, history) = call(
        endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": arn, "maxResults": 1000}),
    );
    assert_eq!(status, 200, "{history}");
    history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap().to_string())
        .collect()
}

/// What AWS records in the parent of a distributed Map that succeeds.
const PARENT: [&str; 8] = [
    "ExecutionStarted",
    "MapStateEntered",
    "MapStateStarted",
    "MapRunStarted",
    "MapRunSucceeded",
    "MapStateSucceeded",
    "MapStateExited",
    "ExecutionSucceeded",
];

fn expected_output(items: &[i64]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|item| json!({"item": item, "done": true}))
            .collect(),
    )
}

fn check_done(server: &mut Server, arn: &str, items: &[i64]) {
    let described = wait(server, arn, 60);
    assert_eq!(
        described["status"],
        "SUCCEEDED",
        "{described}\n{}",
        server.report()
    );
    let mut output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
    // Each child is an execution of its own: `$$` names it, not the parent.
    let machine = arn.split(':').nth(6).unwrap();
    let prefix = format!("arn:aws:states:us-east-1:123456789012:execution:{machine}/");
    let mut names = std::collections::HashSet::new();
    for (child, item) in output.as_array_mut().unwrap().iter_mut().zip(items) {
        let child = child.as_object_mut().unwrap();
        let (id, name) = (
            child.remove("execution").unwrap(),
            child.remove("name").unwrap(),
        );
        let (id, name) = (id.as_str().unwrap(), name.as_str().unwrap());
        assert!(
            id.starts_with(&prefix) && id.ends_with(&format!(":{name}")),
            "{id}"
        );
        assert_eq!(name.len(), 36, "{name}");
        names.insert(name.to_string());
        assert_eq!(child.remove("input").unwrap(), json!(item));
        let sm = child.remove("machine").unwrap();
        let sm_prefix = format!("arn:aws:states:us-east-1:123456789012:stateMachine:{machine}/");
        assert!(sm.as_str().unwrap().starts_with(&sm_prefix), "{sm}");
    }
    assert_eq!(names.len(), items.len(), "one name per child");
    assert_eq!(output, expected_output(items));
    assert_eq!(history(&server.endpoint, arn), PARENT);
    let (status, listed) = call(
        &server.endpoint,
        "ListMapRuns",
        &json!({"executionArn": arn}),
    );
    assert_eq!(status, 200, "{listed}");
    let runs = listed["mapRuns"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{listed}");
    let (_, run) = call(
        &server.endpoint,
        "DescribeMapRun",
        &json!({"mapRunArn": runs[0]["mapRunArn"]}),
    );
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert_eq!(run["itemCounts"]["succeeded"], items.len(), "{run}");
    assert_eq!(run["itemCounts"]["total"], items.len(), "{run}");
    // Each child is an execution of its own, listed under the Map Run once (also when the
    // server restarted while they were parked), with a history from its start to its end.
    let (status, listed) = call(
        &server.endpoint,
        "ListExecutions",
        &json!({"mapRunArn": runs[0]["mapRunArn"]}),
    );
    assert_eq!(status, 200, "{listed}");
    let children = listed["executions"].as_array().unwrap();
    assert_eq!(children.len(), items.len(), "{listed}");
    assert!(children.iter().all(|child| child["status"] == "SUCCEEDED"));
    let (status, child_history) = call(
        &server.endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": children[0]["executionArn"], "reverseOrder": true}),
    );
    assert_eq!(status, 200, "{child_history}");
    assert_eq!(
        child_history["events"][0]["type"], "ExecutionSucceeded",
        "{child_history}"
    );
    let log = server.report();
    assert!(!log.contains("transition refused"), "{log}");
}

#[test]
fn a_parked_processor_keeps_its_events_out_of_the_parent() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("data"), None);
    let items = [1, 2, 3, 4];
    let arn = start(&server.endpoint, "parked", &machine(2), &json!(items));
    check_done(&mut server, &arn, &items);
}

#[test]
fn a_parked_processor_survives_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, None);
    let items = [10, 20, 30];
    let arn = start(&server.endpoint, "restarted", &machine(2), &json!(items));
    // The children are in their Wait state now.
    std::thread::sleep(Duration::from_millis(800));
    let (_, described) = call(
        &server.endpoint,
        "DescribeExecution",
        &json!({"executionArn": arn}),
    );
    assert_eq!(described["status"], "RUNNING", "{described}");
    server.kill();
    let mut server = Server::start(&data, None);
    check_done(&mut server, &arn, &items);
}

/// Takes one task of `activity` over the API and answers it with `{"ok": <its n>}`.
fn answer_one(endpoint: &str, activity: &str) -> String {
    let (status, task) = call(
        endpoint,
        "GetActivityTask",
        &json!({"activityArn": activity, "workerName": "w"}),
    );
    assert_eq!(status, 200, "{task}");
    let token = task["taskToken"].as_str().expect("a task").to_string();
    let input: Value = serde_json::from_str(task["input"].as_str().unwrap()).unwrap();
    let (status, sent) = call(
        endpoint,
        "SendTaskSuccess",
        &json!({"taskToken": token, "output": json!({"ok": input["n"]}).to_string()}),
    );
    assert_eq!(status, 200, "{sent}");
    token
}

#[test]
fn activity_tasks_of_children_survive_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, None);
    let (_, created) = call(&server.endpoint, "CreateActivity", &json!({"name": "work"}));
    let activity = created["activityArn"].as_str().unwrap().to_string();
    let definition = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": true,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "A",
            "States": {"A": {"Type": "Task", "Resource": activity, "End": true}}
        }
    }}});
    let items = json!([{"n": 0}, {"n": 1}, {"n": 2}]);
    let arn = start(&server.endpoint, "tasks", &definition, &items);
    let first = answer_one(&server.endpoint, &activity);
    server.kill();
    let mut server = Server::start(&data, None);
    // The two children left are asked again, each under a token of its own; the answered
    // one is not.
    let tokens: std::collections::HashSet<String> = (0..2)
        .map(|_| answer_one(&server.endpoint, &activity))
        .collect();
    assert_eq!(tokens.len(), 2);
    assert!(!tokens.contains(&first));
    let described = wait(&mut server, &arn, 30);
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
    assert_eq!(output, json!([{"ok": 0}, {"ok": 1}, {"ok": 2}]));
    assert_eq!(history(&server.endpoint, &arn), PARENT);
    let log = server.report();
    assert!(!log.contains("transition refused"), "{log}");
}

#[test]
fn express_children_run_and_keep_no_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("data"), None);
    let mut definition = machine(1);
    definition["States"]["M"]["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] =
        json!("EXPRESS");
    let arn = start(&server.endpoint, "express", &definition, &json!([1, 2]));
    let described = wait(&mut server, &arn, 60);
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
    assert_eq!(output[1]["item"], 2, "{output}");
    assert_eq!(output[1]["done"], true, "{output}");
    let map_run = first_map_run(&server.endpoint, &arn).unwrap();
    let run = describe_map_run(&server.endpoint, &map_run);
    assert_eq!(run["itemCounts"]["succeeded"], 2, "{run}");
    // AWS keeps no history of an Express execution: no child is listed.
    let children = children_of(&server.endpoint, &map_run);
    assert!(children.is_empty(), "{children:?}");
    // An Express child may not wait for a task token (AWS's message, at creation).
    let mut callback = definition.clone();
    callback["States"]["M"]["ItemProcessor"]["States"]["P"] = json!({"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}, "End": true});
    let (status, refused) = call(
        &server.endpoint,
        "CreateStateMachine",
        &json!({"name": "express-callback", "definition": callback.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("Express state machine does not support '.waitForTaskToken'"),
        "{refused}"
    );
}

/// Children still running when the run fails past its tolerance are listed as ABORTED, as
/// many as `DescribeMapRun` counts, beside the one that failed.
#[test]
fn children_aborted_by_a_failed_run_are_listed_as_aborted() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("data"), None);
    let definition = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": true,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Which",
            "States": {
                "Which": {"Type": "Choice", "Choices": [
                    {"Variable": "$", "NumericEquals": 0, "Next": "Boom"}], "Default": "Hold"},
                "Boom": {"Type": "Fail", "Error": "Boom"},
                "Hold": {"Type": "Wait", "Seconds": 30, "End": true}}}}}});
    let arn = start(&server.endpoint, "aborting", &definition, &json!([1, 0, 2]));
    let described = wait(&mut server, &arn, 60);
    assert_eq!(described["status"], "FAILED", "{described}");
    let map_run = first_map_run(&server.endpoint, &arn).unwrap();
    let run = describe_map_run(&server.endpoint, &map_run);
    assert_eq!(run["executionCounts"]["failed"], 1, "{run}");
    assert_eq!(run["executionCounts"]["aborted"], 2, "{run}");
    let children = children_of(&server.endpoint, &map_run);
    let statuses = sorted_statuses(&children);
    assert_eq!(statuses, ["ABORTED", "ABORTED", "FAILED"], "{children:?}");
    let aborted = children
        .iter()
        .find(|child| child["status"] == "ABORTED")
        .unwrap();
    let kinds = event_kinds(&server.endpoint, &aborted["executionArn"]);
    assert_eq!(kinds, ["ExecutionStarted", "ExecutionAborted"]);
}

/// Stopping the parent aborts its Map Run and the children still running: they are listed as
/// ABORTED (`ExecutionStarted`, `ExecutionAborted`) with their input, beside the child that
/// had already succeeded, and `DescribeMapRun` counts them so.
#[test]
fn stopping_the_parent_aborts_its_running_children() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("data"), None);
    let definition = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": true,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Which",
            "States": {
                "Which": {"Type": "Choice", "Choices": [
                    {"Variable": "$", "NumericEquals": 0, "Next": "Done"}], "Default": "Hold"},
                "Done": {"Type": "Pass", "End": true},
                "Hold": {"Type": "Wait", "Seconds": 600, "End": true}}}}}});
    let arn = start(&server.endpoint, "stopping", &definition, &json!([1, 0, 2]));
    // The Map Run shows one child succeeded and two running (its counts are reported at
    // most every 200 ms).
    let deadline = Instant::now() + Duration::from_secs(30);
    let map_run = loop {
        if let Some(map_run) = first_map_run(&server.endpoint, &arn) {
            let counts = &describe_map_run(&server.endpoint, &map_run)["executionCounts"];
            if counts["succeeded"] == 1 && counts["running"] == 2 {
                break map_run;
            }
        }
        assert!(Instant::now() < deadline, "the children did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    let (status, stopped) = call(
        &server.endpoint,
        "StopExecution",
        &json!({"executionArn": arn}),
    );
    assert_eq!(status, 200, "{stopped}");
    assert_eq!(wait(&mut server, &arn, 10)["status"], "ABORTED");
    let run = describe_map_run(&server.endpoint, &map_run);
    assert_eq!(run["status"], "ABORTED", "{run}");
    assert_eq!(run["executionCounts"]["aborted"], 2, "{run}");
    assert_eq!(run["executionCounts"]["succeeded"], 1, "{run}");
    let children = children_of(&server.endpoint, &map_run);
    let statuses = sorted_statuses(&children);
    assert_eq!(
        statuses,
        ["ABORTED", "ABORTED", "SUCCEEDED"],
        "{children:?}"
    );
    let mut inputs = Vec::new();
    for child in children.iter().filter(|child| child["status"] == "ABORTED") {
        let (_, described) = call(
            &server.endpoint,
            "DescribeExecution",
            &json!({"executionArn": child["executionArn"]}),
        );
        assert!(described["stopDate"].is_number(), "{described}");
        inputs.push(described["input"].as_str().unwrap().to_string());
        let kinds = event_kinds(&server.endpoint, &child["executionArn"]);
        assert_eq!(kinds, ["ExecutionStarted", "ExecutionAborted"]);
    }
    inputs.sort();
    assert_eq!(inputs, ["1", "2"]);
}
