//! Nested `.sync` executions on SQLite: a parent that left memory, or whose runtime restarted,
//! is woken when its child ends or is stopped, through the store (not by looking again later:
//! its own recheck is an hour away, beyond these tests' 15 s).

mod common;

use common::*;
use fluxo_runtime::Runtime;
use fluxo_store::TaskOutcome;
use fluxo_types::ExecutionStatus;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const UNLOAD: Option<Duration> = Some(Duration::from_millis(200));

async fn wait_unloaded(runtime: &Runtime) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while runtime.in_memory() > 0 {
        assert!(std::time::Instant::now() < deadline, "never unloaded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A child that waits for a worker of `activity`, and a `.sync:2` parent that starts it as
/// `child`; returns the parent's ARN once the child's task is taken (its token).
async fn parent_and_child(runtime: &Arc<Runtime>) -> (String, String) {
    let activity = runtime.create_activity("work", None, 0).await.unwrap().arn;
    let child = json!({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": true}}});
    let child = create(runtime, "child", child).await.record.arn.clone();
    let parent = json!({"StartAt": "Run", "States": {"Run": {"Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": child, "Name": "c1", "Input": {"n": 1}}, "End": true}}});
    let parent = create(runtime, "parent", parent).await;
    let arn = start(runtime, &parent, "p1", json!({})).await.arn;
    let task = runtime
        .poll_activity(&activity, Some("w".into()), Duration::from_secs(5))
        .await
        .unwrap()
        .expect("the child's task within 5 s");
    (arn, task.token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unloaded_sync_parent_wakes_when_its_child_ends_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (parent, token) = {
        let (runtime, _) = runtime_in(dir.path(), UNLOAD);
        let started = parent_and_child(&runtime).await;
        wait_unloaded(&runtime).await;
        runtime.abort_all();
        started
    };
    let (runtime, _) = runtime_in(dir.path(), UNLOAD);
    assert_eq!(runtime.recover().await.unwrap(), 0, "both stay parked");
    let _timers = runtime.spawn_timers(Duration::from_millis(50));
    runtime
        .complete_task(&token, TaskOutcome::Succeeded(r#"{"done":1}"#.into()))
        .await
        .unwrap();
    let store = runtime.store();
    let child = wait_closed(store.as_ref(), &execution_arn("child", "c1")).await;
    assert_eq!(child.status, ExecutionStatus::Succeeded);
    let ended = wait_closed(store.as_ref(), &parent).await;
    assert_eq!(ended.status, ExecutionStatus::Succeeded);
    let output: Value = serde_json::from_str(ended.output.as_deref().unwrap()).unwrap();
    assert_eq!(output["Output"], json!({"done": 1}), ".sync:2: parsed");
    assert_eq!(output["Status"], json!("SUCCEEDED"));
    assert_eq!(output["Input"], json!({"n": 1}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unloaded_sync_parent_learns_at_once_that_its_child_was_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), UNLOAD);
    let _timers = runtime.spawn_timers(Duration::from_millis(50));
    let (parent, _) = parent_and_child(&runtime).await;
    wait_unloaded(&runtime).await;
    let child = execution_arn("child", "c1");
    runtime
        .stop(&child, Some("Halt".into()), Some("by hand".into()), 0)
        .await
        .unwrap();
    let ended = wait_closed(runtime.store().as_ref(), &parent).await;
    assert_eq!(ended.status, ExecutionStatus::Failed);
    assert_eq!(ended.error.as_deref(), Some("States.TaskFailed"));
    let cause: Value = serde_json::from_str(ended.cause.as_deref().unwrap()).unwrap();
    assert_eq!(cause["Status"], json!("ABORTED"));
    assert_eq!(cause["ExecutionArn"], json!(child));
}
