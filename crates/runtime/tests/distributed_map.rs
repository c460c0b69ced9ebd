//! Distributed Map children that park, as durable executions run them: each child is an
//! execution of its own (developer guide, "Distributed Map state child workflow
//! executions"), so none of its events reach the parent's history, its task tokens are its
//! own, a park longer than the unload threshold does not unload the parent under it (a
//! replay would start the child again, and it would park again for ever), and a restart in
//! the middle of the run finishes it with every activity result a worker already sent.

mod common;

use common::*;
use fluxo_store::{EventRecord, TaskOutcome};
use fluxo_types::ExecutionStatus;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// What AWS records in the parent of a distributed Map that succeeds (the recorded
/// `base_scenarios__test_map_state_config_distributed_*` cases).
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

fn distributed(processor: Value) -> Value {
    let mut processor = processor;
    processor["ProcessorConfig"] = json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"});
    json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": processor}}})
}

fn kinds(events: &[EventRecord]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

async fn check_parent(runtime: &Arc<fluxo_runtime::Runtime>, arn: &str, output: Value) {
    let store = runtime.store();
    let execution = wait_closed(store.as_ref(), arn).await;
    assert_eq!(
        execution.status,
        ExecutionStatus::Succeeded,
        "{execution:?}"
    );
    let got: Value = serde_json::from_str(execution.output.as_deref().unwrap()).unwrap();
    assert_eq!(got, output);
    let events = history(store.as_ref(), arn).await;
    assert_whole(&events);
    assert_eq!(kinds(&events), PARENT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn children_parked_past_the_unload_threshold_finish() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, functions) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
    let _timers = runtime.spawn_timers(Duration::from_millis(50));
    let definition = distributed(json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 1, "Next": "D"},
        "D": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
              "Parameters": {"n.$": "$"}, "End": true}
    }}));
    let machine = create(&runtime, "long", definition).await;
    let started = start(&runtime, &machine, "l", json!([1, 2, 3])).await;
    check_parent(
        &runtime,
        &started.arn,
        json!([{"doubled": 2}, {"doubled": 4}, {"doubled": 6}]),
    )
    .await;
    assert_eq!(functions.calls.load(Ordering::SeqCst), 3);
}

/// Takes a task of the activity, waiting up to 5 s.
async fn take(runtime: &Arc<fluxo_runtime::Runtime>, activity: &str) -> fluxo_store::TaskRecord {
    runtime
        .poll_activity(activity, Some("w".into()), Duration::from_secs(5))
        .await
        .unwrap()
        .expect("a task within 5 s")
}

async fn answer(runtime: &Arc<fluxo_runtime::Runtime>, task: &fluxo_store::TaskRecord) {
    let input: Value = serde_json::from_str(&task.input).unwrap();
    let output = json!({"ok": input["n"]}).to_string();
    runtime
        .complete_task(&task.token, TaskOutcome::Succeeded(output))
        .await
        .unwrap();
}

fn activity_definition(activity: &str) -> Value {
    distributed(json!({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": activity, "End": true}
    }}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_child_has_its_own_activity_task() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
    let activity = runtime.create_activity("work", None, 0).await.unwrap().arn;
    let machine = create(&runtime, "tasks", activity_definition(&activity)).await;
    let items = json!([{"n": 0}, {"n": 1}, {"n": 2}]);
    let started = start(&runtime, &machine, "t", items).await;
    let mut tokens = HashSet::new();
    let mut inputs = HashSet::new();
    for _ in 0..3 {
        let task = take(&runtime, &activity).await;
        tokens.insert(task.token.clone());
        inputs.insert(task.input.clone());
        answer(&runtime, &task).await;
    }
    assert_eq!((tokens.len(), inputs.len()), (3, 3), "one task per child");
    check_parent(
        &runtime,
        &started.arn,
        json!([{"ok": 0}, {"ok": 1}, {"ok": 2}]),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_activity_results_already_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (arn, activity, first) = {
        let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
        let activity = runtime.create_activity("work", None, 0).await.unwrap().arn;
        let machine = create(&runtime, "tasks", activity_definition(&activity)).await;
        let items = json!([{"n": 0}, {"n": 1}, {"n": 2}]);
        let started = start(&runtime, &machine, "t", items).await;
        let first = take(&runtime, &activity).await;
        answer(&runtime, &first).await;
        // Past the unload threshold: the children's tasks keep the parent in memory.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(runtime.in_memory(), 1);
        runtime.abort_all();
        (started.arn, activity, first)
    };
    let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
    assert_eq!(runtime.recover().await.unwrap(), 1);
    // The child that had its result takes it again; the two others are handed out again
    // with the same tokens.
    let mut seen = HashSet::from([first.token.clone()]);
    for _ in 0..2 {
        let task = take(&runtime, &activity).await;
        assert_ne!(
            task.token, first.token,
            "the answered task is not asked again"
        );
        seen.insert(task.token.clone());
        answer(&runtime, &task).await;
    }
    assert_eq!(seen.len(), 3);
    check_parent(&runtime, &arn, json!([{"ok": 0}, {"ok": 1}, {"ok": 2}])).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wake_up_after_the_map_takes_its_recorded_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, functions) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
    let _timers = runtime.spawn_timers(Duration::from_millis(50));
    let processor = json!({"StartAt": "D", "States": {
        "D": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
              "Parameters": {"n.$": "$"}, "End": true}
    }});
    let mut definition = distributed(processor);
    // After the Map, a Wait past the unload threshold: the execution leaves memory and is
    // replayed from its history when the Wait ends.
    definition["States"]["M"] = {
        let mut map = definition["States"]["M"].take();
        map.as_object_mut().unwrap().remove("End");
        map["Next"] = json!("W");
        map
    };
    definition["States"]["W"] = json!({"Type": "Wait", "Seconds": 1, "End": true});
    let machine = create(&runtime, "after", definition).await;
    let started = start(&runtime, &machine, "a", json!([1, 2, 3])).await;
    let store = runtime.store();
    let execution = wait_closed(store.as_ref(), &started.arn).await;
    assert_eq!(
        execution.status,
        ExecutionStatus::Succeeded,
        "{execution:?}"
    );
    let output: Value = serde_json::from_str(execution.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        output,
        json!([{"doubled": 2}, {"doubled": 4}, {"doubled": 6}])
    );
    assert_eq!(
        functions.calls.load(Ordering::SeqCst),
        3,
        "the replay took the Map Run's outcome instead of running the children again"
    );
    let events = history(store.as_ref(), &started.arn).await;
    assert_whole(&events);
    assert_eq!(
        events.iter().filter(|e| e.kind == "MapRunStarted").count(),
        1
    );
    let runs = store
        .list_map_runs(&started.arn, fluxo_store::Page::new(10, None))
        .await
        .unwrap()
        .items;
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0].status,
        fluxo_types::map_run::MapRunStatus::Succeeded
    );
    assert_eq!(runs[0].item_counts.succeeded, 3);
}

/// The execution's one Map Run once it is no longer RUNNING (waiting up to 5 s).
async fn ended_map_run(
    runtime: &Arc<fluxo_runtime::Runtime>,
    arn: &str,
) -> fluxo_types::map_run::MapRunRecord {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let runs = runtime
            .store()
            .list_map_runs(arn, fluxo_store::Page::new(10, None))
            .await
            .unwrap()
            .items;
        assert_eq!(runs.len(), 1);
        if runs[0].status != fluxo_types::map_run::MapRunStatus::Running {
            return runs[0].clone();
        }
        assert!(std::time::Instant::now() < deadline, "{:?}", runs[0]);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_whose_parent_stops_or_times_out_is_aborted() {
    use fluxo_types::map_run::MapRunStatus;
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
    let activity = runtime.create_activity("work", None, 0).await.unwrap().arn;
    let machine = create(&runtime, "stopped", activity_definition(&activity)).await;
    let items = json!([{"n": 0}, {"n": 1}]);
    let stopped = start(&runtime, &machine, "s", items.clone()).await;
    take(&runtime, &activity).await;
    let now = jiff::Timestamp::now().as_millisecond();
    let ended = runtime.stop(&stopped.arn, None, None, now).await.unwrap();
    assert_eq!(ended.status, ExecutionStatus::Aborted);
    let run = ended_map_run(&runtime, &stopped.arn).await;
    assert_eq!(run.status, MapRunStatus::Aborted);
    assert_eq!(run.stop_ms, Some(now));
    assert_eq!(
        (run.item_counts.running, run.item_counts.aborted),
        (0, 2),
        "{run:?}"
    );
    // The execution's own timeout ends the Map's children with it.
    let mut definition = activity_definition(&activity);
    definition["TimeoutSeconds"] = json!(1);
    let machine = create(&runtime, "late", definition).await;
    let late = start(&runtime, &machine, "l", items).await;
    let execution = wait_closed(runtime.store().as_ref(), &late.arn).await;
    assert_eq!(execution.status, ExecutionStatus::TimedOut);
    let run = ended_map_run(&runtime, &late.arn).await;
    assert_eq!(run.status, MapRunStatus::Aborted);
    assert_eq!(run.execution_counts.aborted, 2, "{run:?}");
}
