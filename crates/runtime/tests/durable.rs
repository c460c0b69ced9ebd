//! Durable Standard executions on SQLite: the driver is killed in the middle of many executions,
//! a new one recovers them from the store, and every history comes out whole and in order.

use fluxo_engine::{FunctionCall, FunctionInvoker, TaskFailure};
use fluxo_runtime::Runtime;
use fluxo_store::{Page, StateMachineRecord, Store};
use fluxo_store_sqlite::SqliteStore;
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Doubler {
    calls: AtomicUsize,
}

impl FunctionInvoker for Doubler {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let n = call.payload["n"].as_i64().unwrap_or(0);
        Box::pin(async move { Ok(json!({ "doubled": n * 2 })) })
    }
}

fn machine() -> StateMachineRecord {
    let definition = json!({
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
    });
    StateMachineRecord {
        arn: "arn:aws:states:us-east-1:123456789012:stateMachine:durable".into(),
        name: "durable".into(),
        kind: "STANDARD".into(),
        definition: definition.to_string(),
        role_arn: "arn:aws:iam::123456789012:role/fluxo".into(),
        created_ms: 0,
        updated_ms: 0,
        revision: 1,
        logging: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_killed_mid_flight_finish_after_recovery_with_whole_histories() {
    let dir = tempfile::tempdir().unwrap();
    let record = machine();
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        store.create_state_machine(record.clone()).await.unwrap();
        let first = Arc::new(Doubler::default());
        let runtime = Runtime::new(store.clone(), first.clone(), "us-east-1");
        for n in 0..30 {
            let input = json!({"n": n, "items": [n, n + 1]}).to_string();
            runtime
                .start(&record, &format!("e{n}"), &input, 0)
                .await
                .unwrap();
        }
        // Every execution is now parked in its Wait state: kill the driver.
        tokio::time::sleep(Duration::from_millis(500)).await;
        runtime.abort_all();
        assert_eq!(first.calls.load(Ordering::SeqCst), 30);
    }

    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let second = Arc::new(Doubler::default());
    let runtime = Runtime::new(store.clone(), second.clone(), "us-east-1");
    assert_eq!(runtime.recover().await.unwrap(), 30);
    runtime.idle().await;
    assert_eq!(
        second.calls.load(Ordering::SeqCst),
        0,
        "recorded results are reused, nothing runs twice"
    );

    for n in 0..30 {
        let arn = format!("arn:aws:states:us-east-1:123456789012:execution:durable:e{n}");
        let execution = store.get_execution(&arn).await.unwrap().unwrap();
        assert_eq!(execution.status, "SUCCEEDED", "{arn}");
        let output: Value = serde_json::from_str(execution.output.as_deref().unwrap()).unwrap();
        assert_eq!(
            output,
            json!({"n": n, "items": [n, n + 1], "result": {"doubled": n * 2}})
        );

        let events = store
            .events(
                &arn,
                false,
                Page {
                    max_results: 1000,
                    next_token: None,
                },
            )
            .await
            .unwrap()
            .items;
        let ids: Vec<u64> = events.iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            (1..=events.len() as u64).collect::<Vec<_>>(),
            "no lost or duplicated event"
        );
        assert_eq!(events.first().unwrap().kind, "ExecutionStarted");
        assert_eq!(events.last().unwrap().kind, "ExecutionSucceeded");
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == "LambdaFunctionScheduled")
                .count(),
            1
        );
        assert_eq!(kinds.iter().filter(|k| **k == "WaitStateExited").count(), 1);
        assert!(events
            .windows(2)
            .all(|pair| pair[0].timestamp_ms <= pair[1].timestamp_ms));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_waits_leave_memory_and_come_back_when_their_timer_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let record = machine();
    store.create_state_machine(record.clone()).await.unwrap();
    let functions = Arc::new(Doubler::default());
    let runtime = Runtime::with_unload_after(
        store.clone(),
        functions.clone(),
        "us-east-1",
        Some(Duration::from_millis(300)),
    );
    let timers = runtime.spawn_timers(Duration::from_millis(50));
    for n in 0..10 {
        let input = json!({"n": n, "items": [n]}).to_string();
        runtime
            .start(&record, &format!("w{n}"), &input, 0)
            .await
            .unwrap();
    }
    // The 2-second Wait is longer than the threshold: every execution leaves memory.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(runtime.in_memory(), 0, "parked executions are unloaded");
    let due_later = store.due_timers(i64::MAX, 100).await.unwrap();
    assert_eq!(due_later.len(), 10, "each has a durable timer");

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    for n in 0..10 {
        let arn = format!("arn:aws:states:us-east-1:123456789012:execution:durable:w{n}");
        loop {
            let execution = store.get_execution(&arn).await.unwrap().unwrap();
            if execution.status != "RUNNING" {
                assert_eq!(execution.status, "SUCCEEDED");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{arn} was not woken");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let events = store
            .events(
                &arn,
                false,
                Page {
                    max_results: 1000,
                    next_token: None,
                },
            )
            .await
            .unwrap()
            .items;
        let ids: Vec<u64> = events.iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=events.len() as u64).collect::<Vec<_>>());
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

/// The console's live view relies on this: every commit of an execution's events, and a stop,
/// is followed by a notice carrying its ARN, and the store already holds the events then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_hear_of_every_commit_after_it_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let record = machine();
    store.create_state_machine(record.clone()).await.unwrap();
    let runtime = Runtime::new(store.clone(), Arc::new(Doubler::default()), "us-east-1");
    let mut notices = runtime.subscribe();
    let arn = "arn:aws:states:us-east-1:123456789012:execution:durable:seen";
    runtime
        .start(
            &record,
            "seen",
            &json!({"n": 1, "items": [1]}).to_string(),
            0,
        )
        .await
        .unwrap();
    let count = |store: Arc<dyn Store>| async move {
        let page = Page {
            max_results: 1000,
            next_token: None,
        };
        store.events(arn, false, page).await.unwrap().items.len()
    };
    // The first commit comes before the function call: events are stored when it is heard.
    let notice = tokio::time::timeout(Duration::from_secs(5), notices.recv())
        .await
        .expect("a notice")
        .unwrap();
    assert_eq!(&*notice, arn);
    assert!(count(store.clone()).await > 0);
    // Each later commit is heard too, until the execution parks in its 2-second Wait.
    let parked = |store: Arc<dyn Store>| async move {
        let page = Page {
            max_results: 1000,
            next_token: None,
        };
        let events = store.events(arn, false, page).await.unwrap().items;
        events.iter().any(|e| e.kind == "WaitStateEntered")
    };
    while !parked(store.clone()).await {
        let notice = tokio::time::timeout(Duration::from_secs(5), notices.recv())
            .await
            .expect("a notice for each commit")
            .unwrap();
        assert_eq!(&*notice, arn);
    }
    // Stopping it (nothing in flight during the Wait) is heard, with ExecutionAborted stored.
    let stopped = runtime.stop(arn, None, None, 1).await.unwrap();
    assert_eq!(stopped.status, "ABORTED");
    let mut last = None;
    while let Ok(Ok(notice)) =
        tokio::time::timeout(Duration::from_millis(200), notices.recv()).await
    {
        last = Some(notice);
    }
    assert_eq!(last.as_deref(), Some(arn));
    let events = store
        .events(
            arn,
            true,
            Page {
                max_results: 1,
                next_token: None,
            },
        )
        .await
        .unwrap()
        .items;
    assert_eq!(events[0].kind, "ExecutionAborted");
}
