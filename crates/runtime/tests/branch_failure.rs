//! A branch that fails while its siblings are parked on long timers fails the Parallel or
//! Map at once, as on AWS: the moment between the branch's end (when only parked threads are
//! left, so the execution looks idle) and the state's reaction (stopping the siblings) must
//! not unload the execution, or the failure waits for the siblings' timers (found by
//! `tools/real-world-run.py`: a failed Parallel beside a 60 s Wait stayed RUNNING).

mod common;

use common::*;
use fluxo_types::ExecutionStatus;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A branch that calls the function (so that the other branch parks first), then fails.
fn failing_branch() -> Value {
    json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                 "Parameters": {"n": 1, "delay_ms": 300}, "Next": "Boom"},
        "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "a branch failed"}}})
}

async fn fails_at_once(definition: Value, name: &str, input: Value) {
    let dir = tempfile::tempdir().unwrap();
    // Unloaded after 200 ms of idleness: the 30 s Wait is long.
    let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
    let _timers = runtime.spawn_timers(Duration::from_millis(50));
    let machine = create(&runtime, name, definition).await;
    let begun = Instant::now();
    let started = start(&runtime, &machine, name, input).await;
    let execution = wait_closed(runtime.store().as_ref(), &started.arn).await;
    assert_eq!(execution.status, ExecutionStatus::Failed, "{execution:?}");
    assert_eq!(execution.error.as_deref(), Some("Boom"));
    assert!(
        begun.elapsed() < Duration::from_secs(10),
        "the failure waited for the parked sibling: {:?}",
        begun.elapsed()
    );
    let events = history(runtime.store().as_ref(), &started.arn).await;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"WaitStateAborted"), "{kinds:?}");
    assert!(!kinds.contains(&"WaitStateExited"), "{kinds:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_branch_fails_its_parallel_while_a_sibling_waits() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "Sleep", "States": {"Sleep": {"Type": "Wait", "Seconds": 30, "End": true}}},
            failing_branch()]}}});
    fails_at_once(definition, "parallel", json!({})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_iteration_fails_its_map_while_a_sibling_waits() {
    let branch = failing_branch();
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Which", "States": {
            "Which": {"Type": "Choice", "Choices": [
                {"Variable": "$", "NumericEquals": 0, "Next": "Sleep"}], "Default": "Call"},
            "Sleep": {"Type": "Wait", "Seconds": 30, "End": true},
            "Call": branch["States"]["Call"],
            "Boom": branch["States"]["Boom"]}}}}});
    fails_at_once(definition, "map", json!({"items": [0, 1]})).await;
}
