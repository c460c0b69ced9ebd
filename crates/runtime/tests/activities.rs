//! Activities and callbacks on SQLite: tasks survive a restart (tokens stay valid, parked
//! executions hold no memory and wake when a worker answers), heartbeats expire durably and
//! Retry schedules the task again, a task ends once, and `.waitForTaskToken` waits for the
//! token its function was handed.

mod common;

use common::*;
use fluxo_runtime::{Runtime, RuntimeError};
use fluxo_store::{EventRecord, TaskOutcome};
use fluxo_types::ExecutionStatus;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

fn activity_machine(activity_arn: &str, task: Value) -> Value {
    let mut state = json!({"Type": "Task", "Resource": activity_arn, "End": true});
    state
        .as_object_mut()
        .unwrap()
        .extend(task.as_object().unwrap().clone());
    json!({"StartAt": "Work", "States": {"Work": state}})
}

fn kinds(events: &[EventRecord]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

fn details(event: &EventRecord) -> Value {
    serde_json::from_str(event.details.as_deref().unwrap_or("{}")).unwrap()
}

/// Takes a task of the activity, waiting up to 5 s.
async fn take(runtime: &Arc<Runtime>, activity: &str, worker: &str) -> fluxo_store::TaskRecord {
    runtime
        .poll_activity(activity, Some(worker.into()), Duration::from_secs(5))
        .await
        .unwrap()
        .expect("a task within 5 s")
}

async fn wait_unloaded(runtime: &Runtime) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while runtime.in_memory() > 0 {
        assert!(std::time::Instant::now() < deadline, "never unloaded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_tasks_survive_a_restart_and_wake_their_unloaded_executions() {
    let dir = tempfile::tempdir().unwrap();
    let (tokens, activity) = {
        let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
        let activity = runtime
            .create_activity("review", None, 0)
            .await
            .unwrap()
            .arn;
        let definition = activity_machine(&activity, json!({"TimeoutSeconds": 600}));
        let machine = create(&runtime, "reviews", definition).await;
        for n in 0..3 {
            start(&runtime, &machine, &format!("r{n}"), json!({"n": n})).await;
        }
        let first = take(&runtime, &activity, "w1").await;
        assert_eq!(first.worker_name.as_deref(), Some("w1"));
        // Waiting past the threshold, every execution leaves memory.
        wait_unloaded(&runtime).await;
        runtime.abort_all();
        (vec![first.token], activity)
    };
    let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
    assert_eq!(
        runtime.recover().await.unwrap(),
        0,
        "parked executions stay parked"
    );
    let _timers = runtime.spawn_timers(Duration::from_millis(50));
    // The token handed out before the restart still works.
    runtime
        .complete_task(&tokens[0], TaskOutcome::Succeeded(r#"{"ok":0}"#.into()))
        .await
        .unwrap();
    let second = take(&runtime, &activity, "w2").await;
    let third = take(&runtime, &activity, "w2").await;
    for task in [&second, &third] {
        let input: Value = serde_json::from_str(&task.input).unwrap();
        let output = json!({"ok": input["n"]}).to_string();
        runtime
            .complete_task(&task.token, TaskOutcome::Succeeded(output))
            .await
            .unwrap();
    }
    let store = runtime.store();
    for n in 0..3 {
        let arn = execution_arn("reviews", &format!("r{n}"));
        let execution = wait_closed(store.as_ref(), &arn).await;
        assert_eq!(execution.status, ExecutionStatus::Succeeded);
        assert_eq!(
            execution.output.as_deref(),
            Some(format!(r#"{{"ok":{n}}}"#).as_str())
        );
        let events = history(store.as_ref(), &arn).await;
        assert_whole(&events);
        assert_eq!(
            kinds(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "ActivityScheduled",
                "ActivityStarted",
                "ActivitySucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
        assert_eq!(details(&events[2])["timeoutInSeconds"], json!(600));
        assert_eq!(details(&events[2])["resource"], json!(activity));
        let worker = if n == 0 { "w1" } else { "w2" };
        assert_eq!(details(&events[3]), json!({"workerName": worker}));
    }
    // Once ended, a token is refused; a forged one is invalid.
    let again = runtime
        .complete_task(&tokens[0], TaskOutcome::Succeeded("1".into()))
        .await;
    assert!(
        matches!(again, Err(RuntimeError::TaskTimedOut)),
        "{again:?}"
    );
    let forged = runtime
        .complete_task("eyJ4Ijox.AAAA", TaskOutcome::Succeeded("1".into()))
        .await;
    assert!(
        matches!(forged, Err(RuntimeError::InvalidToken)),
        "{forged:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_worker_times_out_across_a_restart_and_retry_schedules_the_task_again() {
    let dir = tempfile::tempdir().unwrap();
    let task = json!({
        "HeartbeatSeconds": 1,
        "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 1}]
    });
    let silent = {
        let (runtime, _) = runtime_in(dir.path(), None);
        let activity = runtime.create_activity("slow", None, 0).await.unwrap().arn;
        let machine = create(&runtime, "beats", activity_machine(&activity, task)).await;
        start(&runtime, &machine, "b", json!({"n": 1})).await;
        let silent = take(&runtime, &activity, "dies").await;
        // The worker dies and so does the server.
        runtime.abort_all();
        silent
    };
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (runtime, _) = runtime_in(dir.path(), None);
    assert_eq!(runtime.recover().await.unwrap(), 1);
    let activity = silent.activity_arn.clone().unwrap();
    let retried = take(&runtime, &activity, "lives").await;
    assert_ne!(
        retried.token, silent.token,
        "each attempt has its own token"
    );
    let late = runtime
        .complete_task(&silent.token, TaskOutcome::Succeeded("{}".into()))
        .await;
    assert!(matches!(late, Err(RuntimeError::TaskTimedOut)), "{late:?}");
    runtime.heartbeat_task(&retried.token).await.unwrap();
    runtime
        .complete_task(
            &retried.token,
            TaskOutcome::Succeeded(r#"{"done":true}"#.into()),
        )
        .await
        .unwrap();
    let arn = execution_arn("beats", "b");
    let execution = wait_closed(runtime.store().as_ref(), &arn).await;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    let events = history(runtime.store().as_ref(), &arn).await;
    assert_whole(&events);
    assert_eq!(
        kinds(&events),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivityTimedOut",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(details(&events[4]), json!({"error": "States.Timeout"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_for_task_token_waits_for_the_token_its_function_was_handed() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, functions) = runtime_in(dir.path(), None);
    let definition = json!({"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "double", "Payload": {"n": 2, "token.$": "$$.Task.Token"}},
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
        "End": true}, "Caught": {"Type": "Pass", "End": true}}});
    let machine = create(&runtime, "asks", definition).await;
    let store = runtime.store().clone();
    for (name, outcome) in [
        ("ok", TaskOutcome::Succeeded(r#"{"approved":true}"#.into())),
        (
            "no",
            TaskOutcome::Failed {
                error: None,
                cause: None,
            },
        ),
    ] {
        let arn = start(&runtime, &machine, name, json!({})).await.arn;
        // The token is what the function received: read it from the scheduled parameters.
        let token = loop {
            let events = history(store.as_ref(), &arn).await;
            if events.iter().any(|e| e.kind == "TaskSubmitted") {
                let parameters = details(&events[2])["parameters"]
                    .as_str()
                    .unwrap()
                    .to_string();
                let parameters: Value = serde_json::from_str(&parameters).unwrap();
                break parameters["Payload"]["token"].as_str().unwrap().to_string();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        runtime.complete_task(&token, outcome).await.unwrap();
        let execution = wait_closed(store.as_ref(), &arn).await;
        assert_eq!(execution.status, ExecutionStatus::Succeeded);
        let events = history(store.as_ref(), &arn).await;
        let kinds = kinds(&events);
        assert_eq!(
            &kinds[2..6],
            [
                "TaskScheduled",
                "TaskStarted",
                "TaskSubmitted",
                if name == "ok" {
                    "TaskSucceeded"
                } else {
                    "TaskFailed"
                }
            ]
        );
        assert_eq!(
            details(&events[4])["resource"],
            json!("invoke.waitForTaskToken")
        );
        let output: Value = serde_json::from_str(execution.output.as_deref().unwrap()).unwrap();
        match name {
            "ok" => assert_eq!(output, json!({"approved": true})),
            _ => assert_eq!(output, json!({"error": {"Error": null, "Cause": null}})),
        }
    }
    assert_eq!(functions.calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_parent_waits_for_its_child_and_gets_its_result() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), None);
    let succeeds =
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"a": 1}, "End": true}}});
    let fails =
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "no"}}});
    let good = create(&runtime, "good", succeeds).await.record.arn.clone();
    let bad = create(&runtime, "bad", fails).await.record.arn.clone();
    let parent = |resource: &str| {
        json!({"StartAt": "Run", "States": {"Run": {"Type": "Task", "Resource": resource,
            "Parameters": {"StateMachineArn.$": "$.machine", "Input": {"x": 1}},
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}], "End": true},
            "Caught": {"Type": "Pass", "End": true}}})
    };
    let sync = create(
        &runtime,
        "sync",
        parent("arn:aws:states:::states:startExecution.sync"),
    )
    .await;
    let sync2 = create(
        &runtime,
        "sync2",
        parent("arn:aws:states:::states:startExecution.sync:2"),
    )
    .await;
    let store = runtime.store().clone();
    let run = |machine: fluxo_runtime::Loaded, name: &'static str, child: String| {
        let runtime = runtime.clone();
        let store = store.clone();
        async move {
            let arn = start(&runtime, &machine, name, json!({"machine": child}))
                .await
                .arn;
            let execution = wait_closed(store.as_ref(), &arn).await;
            assert_eq!(execution.status, ExecutionStatus::Succeeded);
            let events = history(store.as_ref(), &arn).await;
            assert_eq!(
                &kinds(&events)[2..5],
                ["TaskScheduled", "TaskStarted", "TaskSubmitted"]
            );
            serde_json::from_str::<Value>(execution.output.as_deref().unwrap()).unwrap()
        }
    };
    let output = run(sync.clone(), "s1", good.clone()).await;
    assert_eq!(output["Status"], json!("SUCCEEDED"));
    assert_eq!(
        output["Output"],
        json!(r#"{"a":1}"#),
        ".sync: the output as text"
    );
    assert_eq!(output["Input"], json!(r#"{"x":1}"#));
    let output = run(sync2, "s2", good).await;
    assert_eq!(
        output["Output"],
        json!({"a": 1}),
        ".sync:2: the output parsed"
    );
    let output = run(sync, "s3", bad).await;
    assert_eq!(output["Error"], json!("States.TaskFailed"));
    let cause: Value = serde_json::from_str(output["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(
        (cause["Status"].as_str(), cause["Error"].as_str()),
        (Some("FAILED"), Some("Bad"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_sync_parent_stops_its_child() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), None);
    let slow =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}});
    let slow = create(&runtime, "slow", slow).await.record.arn.clone();
    let parent = json!({"StartAt": "Run", "States": {"Run": {"Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": slow, "Name": "child"}, "End": true}}});
    let parent = create(&runtime, "parent", parent).await;
    let arn = start(&runtime, &parent, "p", json!({})).await.arn;
    let store = runtime.store().clone();
    let child = execution_arn("slow", "child");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while history(store.as_ref(), &arn)
        .await
        .iter()
        .all(|e| e.kind != "TaskSubmitted")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the child never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    runtime.stop(&arn, None, None, 0).await.unwrap();
    let child = store.get_execution(&child).await.unwrap().unwrap();
    assert_eq!(child.status, ExecutionStatus::Aborted);
}

/// The quota of open `GetActivityTask` polls per activity (AWS's 1,000 by default, 3 here):
/// the next poll is refused with
/// `ActivityWorkerLimitExceeded` at once (it waits for nothing), another activity is not
/// affected, and a poll that ends (its client went away) frees its place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_past_the_quota_of_one_activity_are_refused_until_one_ends() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn fluxo_store::Store> =
        Arc::new(fluxo_store_sqlite::SqliteStore::open(dir.path()).unwrap());
    let mut config = fluxo_runtime::RuntimeConfig::new(REGION, ACCOUNT);
    config.max_pollers_per_activity = 3;
    let runtime = Runtime::new(store, Arc::new(Doubler::default()), config);
    let busy = runtime.create_activity("busy", None, 0).await.unwrap().arn;
    let other = runtime.create_activity("other", None, 0).await.unwrap().arn;
    // Long polls are opened one at a time: one that is still waiting after a second holds its
    // place (no task will come); the first refused one ends at once.
    let mut polls = Vec::new();
    loop {
        let (poller, arn) = (runtime.clone(), busy.clone());
        let poll = tokio::spawn(async move {
            poller
                .poll_activity(&arn, None, Duration::from_secs(60))
                .await
        });
        let since = std::time::Instant::now();
        while !poll.is_finished() && since.elapsed() < Duration::from_secs(1) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if poll.is_finished() {
            let refused = poll.await.unwrap();
            assert!(
                matches!(refused, Err(RuntimeError::ActivityWorkerLimitExceeded)),
                "{refused:?}"
            );
            break;
        }
        polls.push(poll);
        assert!(polls.len() <= 3, "more polls than the quota were let in");
    }
    assert_eq!(polls.len(), 3);
    let refused = runtime
        .poll_activity(&busy, None, Duration::from_secs(60))
        .await;
    assert!(
        matches!(refused, Err(RuntimeError::ActivityWorkerLimitExceeded)),
        "{refused:?}"
    );
    assert!(runtime
        .poll_activity(&other, None, Duration::ZERO)
        .await
        .unwrap()
        .is_none());
    let dropped = polls.pop().unwrap();
    dropped.abort();
    let _ = dropped.await;
    assert!(runtime
        .poll_activity(&busy, None, Duration::ZERO)
        .await
        .unwrap()
        .is_none());
    for poll in polls {
        poll.abort();
    }
}
