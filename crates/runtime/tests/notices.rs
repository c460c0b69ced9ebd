//! LISTEN/NOTIFY between two nodes on one PostgreSQL database (`listen.rs`): node B drives
//! an execution, node A answers its activity task or stops it, and B acts at once instead of
//! at its next look at the store (the task's deadline, its unloading after
//! [`fluxo_runtime::UNLOAD_AFTER`], a lease renewal a third of a lease later). The latency of
//! a `SendTaskSuccess` on A until B has ended the execution is printed with and without the
//! listener (`cargo test -p fluxo-runtime --test notices -- --nocapture`). Fails under CI
//! when PostgreSQL is missing.

mod common;

use common::*;
use fluxo_runtime::{Runtime, RuntimeConfig};
use fluxo_store::{Store, TaskOutcome};
use fluxo_store_postgres::{testing::TestServer, Options, PostgresStore};
use fluxo_types::ExecutionStatus;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn node(url: &str, id: &str) -> Arc<Runtime> {
    let options = Options { max_connections: 4 };
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(url, options).await.unwrap());
    let mut config = RuntimeConfig::new(REGION, ACCOUNT);
    config.node_id = id.to_string();
    Runtime::new(store, Arc::new(Doubler::default()), config)
}

/// Starts an execution on `b`, takes its task on `a`, answers it on `a`; returns how long
/// until the execution had SUCCEEDED in the store.
async fn answered_on_another_node(
    a: &Arc<Runtime>,
    b: &Arc<Runtime>,
    machine: &fluxo_runtime::Loaded,
    activity: &str,
    name: &str,
) -> Duration {
    let execution = start(b, machine, name, json!({"n": 1})).await;
    let task = a
        .poll_activity(activity, None, Duration::from_secs(10))
        .await
        .unwrap()
        .expect("the activity's task");
    assert!(b.in_memory() >= 1, "B drives the execution");
    // Let B record ActivityStarted and settle in its wait.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answered = Instant::now();
    let outcome = TaskOutcome::Succeeded(json!({"ok": true}).to_string());
    a.complete_task(&task.token, outcome).await.unwrap();
    loop {
        let record = a
            .store()
            .get_execution(&execution.arn)
            .await
            .unwrap()
            .unwrap();
        if record.status != ExecutionStatus::Running {
            assert_eq!(record.status, ExecutionStatus::Succeeded);
            return answered.elapsed();
        }
        assert!(
            answered.elapsed() < Duration::from_secs(60),
            "{name} never ended"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_nodes_answer_and_stop_reach_the_driver_at_once() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.database("notices").await;
    let (a, b) = (node(&url, "a").await, node(&url, "b").await);
    let _pollers = [
        a.spawn_timers(Duration::from_millis(250)),
        b.spawn_timers(Duration::from_millis(250)),
    ];
    let now = jiff::Timestamp::now().as_millisecond();
    let activity = a.create_activity("answer", None, now).await.unwrap().arn;
    let definition = json!({"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 120, "End": true}}});
    let machine = create(&b, "asked", definition).await;

    // Without the listener, B hears of the answer when the execution unloads.
    let before = answered_on_another_node(&a, &b, &machine, &activity, "before").await;
    let listeners = [a.spawn_listener().unwrap(), b.spawn_listener().unwrap()];
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut after = Vec::new();
    for n in 0..5 {
        let name = format!("after-{n}");
        after.push(answered_on_another_node(&a, &b, &machine, &activity, &name).await);
    }
    after.sort();
    eprintln!(
        "SendTaskSuccess on node A until node B ended the execution: {before:?} polling only; \
         with LISTEN/NOTIFY {after:?} (median {:?})",
        after[2]
    );
    assert!(after[2] < Duration::from_secs(2), "{after:?}");

    // A stop on A ends B's driver long before B's next lease renewal (10 s).
    let waiting =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": true}}});
    let machine = create(&b, "stopped", waiting).await;
    let execution = start(&b, &machine, "stopped", json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.in_memory(), 1);
    let now = jiff::Timestamp::now().as_millisecond();
    let stopped = Instant::now();
    a.stop(&execution.arn, None, None, now).await.unwrap();
    while b.in_memory() > 0 {
        assert!(
            stopped.elapsed() < Duration::from_secs(2),
            "B still drives it"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!(
        "StopExecution sent to A: B's driver ended within {:?}",
        stopped.elapsed()
    );
    let events = history(b.store().as_ref(), &execution.arn).await;
    assert_whole(&events);
    assert_eq!(events.last().unwrap().kind, "ExecutionAborted");
    for listener in listeners {
        listener.abort();
    }
}
