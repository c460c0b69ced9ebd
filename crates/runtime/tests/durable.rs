//! Durable Standard executions on SQLite: the driver is killed in the middle of many executions,
//! a new one recovers them from the store, and every history comes out whole and in order;
//! long waits leave memory and come back; executions keep the revision they started with.

mod common;

use common::*;
use fluxo_types::ExecutionStatus;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;

fn definition() -> Value {
    json!({
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                "ResultPath": "$.result",
                "Next": "Pause"
            },
            "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Items"},
            "Items": {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_killed_mid_flight_finish_after_recovery_with_whole_histories() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (runtime, functions) = runtime_in(dir.path(), None);
        let machine = create(&runtime, "durable", definition()).await;
        for n in 0..30 {
            let input = json!({"n": n, "items": [n, n + 1]});
            start(&runtime, &machine, &format!("e{n}"), input).await;
        }
        // Every execution is now parked in its Wait state: kill the driver.
        tokio::time::sleep(Duration::from_millis(500)).await;
        runtime.abort_all();
        assert_eq!(functions.calls.load(Ordering::SeqCst), 30);
    }

    let (runtime, functions) = runtime_in(dir.path(), None);
    assert_eq!(runtime.recover().await.unwrap(), 30);
    runtime.idle().await;
    assert_eq!(
        functions.calls.load(Ordering::SeqCst),
        0,
        "recorded results are reused, nothing runs twice"
    );
    let store = runtime.store();
    for n in 0..30 {
        let arn = execution_arn("durable", &format!("e{n}"));
        let execution = store.get_execution(&arn).await.unwrap().unwrap();
        assert_eq!(execution.status, ExecutionStatus::Succeeded, "{arn}");
        let output: Value = serde_json::from_str(execution.output.as_deref().unwrap()).unwrap();
        assert_eq!(
            output,
            json!({"n": n, "items": [n, n + 1], "result": {"doubled": n * 2}})
        );
        let events = history(store.as_ref(), &arn).await;
        assert_whole(&events);
        assert_eq!(events.last().unwrap().kind, "ExecutionSucceeded");
        let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
        assert_eq!(count("LambdaFunctionScheduled"), 1);
        assert_eq!(count("WaitStateExited"), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_waits_leave_memory_and_come_back_when_their_timer_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, functions) = runtime_in(dir.path(), Some(Duration::from_millis(300)));
    let timers = runtime.spawn_timers(Duration::from_millis(50));
    let machine = create(&runtime, "durable", definition()).await;
    for n in 0..10 {
        start(
            &runtime,
            &machine,
            &format!("w{n}"),
            json!({"n": n, "items": [n]}),
        )
        .await;
    }
    // The 2-second Wait is longer than the threshold: every execution leaves memory.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(runtime.in_memory(), 0, "parked executions are unloaded");
    let store = runtime.store();
    assert_eq!(
        store.due_timers(i64::MAX, 100).await.unwrap().len(),
        10,
        "each has a durable timer"
    );
    for n in 0..10 {
        let arn = execution_arn("durable", &format!("w{n}"));
        let execution = wait_closed(store.as_ref(), &arn).await;
        assert_eq!(execution.status, ExecutionStatus::Succeeded);
        let events = history(store.as_ref(), &arn).await;
        assert_whole(&events);
        assert_eq!(
            events
                .iter()
                .filter(|e| e.kind == "WaitStateEntered")
                .count(),
            1
        );
    }
    assert_eq!(
        functions.calls.load(Ordering::SeqCst),
        10,
        "the replay calls nothing again"
    );
    assert!(
        store.due_timers(i64::MAX, 100).await.unwrap().is_empty(),
        "timers are cleared"
    );
    timers.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_leaves_parked_executions_parked() {
    let dir = tempfile::tempdir().unwrap();
    let waiting =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    {
        let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(100)));
        let machine = create(&runtime, "parked", waiting).await;
        for n in 0..20 {
            start(&runtime, &machine, &format!("p{n}"), json!({})).await;
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(runtime.in_memory(), 0);
    }
    let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(100)));
    assert_eq!(runtime.recover().await.unwrap(), 0, "nothing is replayed");
    assert_eq!(runtime.in_memory(), 0);
    assert_eq!(
        runtime
            .store()
            .due_timers(i64::MAX, 100)
            .await
            .unwrap()
            .len(),
        20,
        "their timers stay in the store"
    );
}

/// The console's live view relies on this: every commit of an execution's events, and a stop,
/// is followed by a notice carrying its ARN, and the store already holds the events then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_hear_of_every_commit_after_it_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), None);
    let machine = create(&runtime, "durable", definition()).await;
    let mut notices = runtime.subscribe();
    let arn = execution_arn("durable", "seen");
    start(&runtime, &machine, "seen", json!({"n": 1, "items": [1]})).await;
    let store = runtime.store().clone();
    // The start is heard once the execution is stored.
    let notice = tokio::time::timeout(Duration::from_secs(5), notices.recv())
        .await
        .expect("a notice for the start")
        .unwrap();
    assert_eq!(&*notice, arn);
    assert!(store.get_execution(&arn).await.unwrap().is_some());
    // Each commit is heard, with its events stored, until the execution parks in its Wait.
    loop {
        let notice = tokio::time::timeout(Duration::from_secs(5), notices.recv())
            .await
            .expect("a notice for each commit")
            .unwrap();
        assert_eq!(&*notice, arn);
        let events = history(store.as_ref(), &arn).await;
        assert!(!events.is_empty());
        if events.iter().any(|e| e.kind == "WaitStateEntered") {
            break;
        }
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let stopped = runtime.stop(&arn, None, None, now).await.unwrap();
    assert_eq!(stopped.status, ExecutionStatus::Aborted);
    let mut last = None;
    while let Ok(Ok(notice)) =
        tokio::time::timeout(Duration::from_millis(200), notices.recv()).await
    {
        last = Some(notice);
    }
    assert_eq!(last.as_deref(), Some(arn.as_str()));
    let events = history(store.as_ref(), &arn).await;
    assert_eq!(events.last().unwrap().kind, "ExecutionAborted");
}
