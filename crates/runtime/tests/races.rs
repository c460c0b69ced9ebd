//! The races that must not lose or corrupt an execution: updates while it runs, unloading
//! while a branch calls a function, stops racing the driver, names reused.

mod common;

use common::*;
use fluxo_runtime::{ExecutionInput, RuntimeError};
use fluxo_store::StateMachineUpdate;
use fluxo_types::ExecutionStatus;
use serde_json::{json, Value};
use std::time::Duration;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn wait_then_pass(seconds: u64, result: &str) -> Value {
    json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": seconds, "Next": "P"},
        "P": {"Type": "Pass", "Result": result, "End": true}}})
}

async fn update(runtime: &std::sync::Arc<fluxo_runtime::Runtime>, name: &str, definition: Value) {
    let text = definition.to_string();
    let compiled = fluxo_runtime::prepare(&text, fluxo_types::StateMachineType::Standard).unwrap();
    runtime
        .update_state_machine(
            StateMachineUpdate {
                arn: fluxo_types::arn::state_machine(REGION, ACCOUNT, name),
                definition: Some(text),
                role_arn: None,
                logging: None,
                updated_ms: 1,
                revision_id: "r".into(),
                encryption: None,
            },
            Some(compiled),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_runs_the_definition_it_started_with() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(200)));
    let timers = runtime.spawn_timers(Duration::from_millis(50));
    let machine = create(&runtime, "pinned", wait_then_pass(1, "v1")).await;
    let in_memory = start(&runtime, &machine, "in-memory", json!({})).await;
    update(&runtime, "pinned", wait_then_pass(1, "v2")).await;
    let finished = wait_closed(runtime.store().as_ref(), &in_memory.arn).await;
    assert_eq!(
        finished.output.as_deref(),
        Some("\"v1\""),
        "unloaded, then woken"
    );

    // Through a restart: the execution is parked when the process goes, resumed by a new one.
    let machine = runtime
        .state_machine(&machine.record.arn, false)
        .await
        .unwrap();
    let across = start(&runtime, &machine, "across-restart", json!({})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    runtime.abort_all();
    timers.abort();
    update(&runtime, "pinned", wait_then_pass(1, "v3")).await;
    let (restarted, _) = runtime_in(dir.path(), None);
    let timers = restarted.spawn_timers(Duration::from_millis(50));
    restarted.recover().await.unwrap();
    let finished = wait_closed(restarted.store().as_ref(), &across.arn).await;
    assert_eq!(finished.output.as_deref(), Some("\"v2\""));
    timers.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_of_a_deleted_state_machine_run_to_their_end() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), Some(Duration::from_millis(100)));
    let timers = runtime.spawn_timers(Duration::from_millis(50));
    let machine = create(&runtime, "deleted", wait_then_pass(1, "done")).await;
    let execution = start(&runtime, &machine, "orphan", json!({})).await;
    runtime
        .delete_state_machine(&machine.record.arn)
        .await
        .unwrap();
    let finished = wait_closed(runtime.store().as_ref(), &execution.arn).await;
    assert_eq!(finished.status, ExecutionStatus::Succeeded);
    timers.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unloading_never_cancels_a_branch_that_calls_a_function() {
    let dir = tempfile::tempdir().unwrap();
    // The unload threshold is far below the Wait, and the function takes a while: the Wait
    // branch parks long while the other branch is calling.
    let (runtime, functions) = runtime_in(dir.path(), Some(Duration::from_millis(50)));
    let timers = runtime.spawn_timers(Duration::from_millis(20));
    let parallel = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true,
    "Branches": [
        {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 1, "End": true}}},
        {"StartAt": "Call", "States": {"Call": {"Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "End": true}}}
    ]}}});
    let machine = create(&runtime, "branches", parallel).await;
    let mut arns = Vec::new();
    for n in 0..10 {
        let input = json!({"n": n, "delay_ms": 300});
        arns.push(start(&runtime, &machine, &format!("b{n}"), input).await.arn);
    }
    for (n, arn) in arns.iter().enumerate() {
        let finished = wait_closed(runtime.store().as_ref(), arn).await;
        assert_eq!(
            finished.status,
            ExecutionStatus::Succeeded,
            "{:?}",
            finished.cause
        );
        let output: Value = serde_json::from_str(finished.output.as_deref().unwrap()).unwrap();
        assert_eq!(output[1], json!({"doubled": n * 2}));
        assert_whole(&history(runtime.store().as_ref(), arn).await);
    }
    assert_eq!(
        functions.calls.load(std::sync::atomic::Ordering::SeqCst),
        10
    );
    timers.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_always_ends_aborted_and_the_driver_adds_nothing_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), None);
    // A loop of states that commit often (a Wait 0 per turn), stopped at random moments.
    let looping = json!({"StartAt": "Tick", "States": {
        "Tick": {"Type": "Wait", "Seconds": 0, "Next": "Again"},
        "Again": {"Type": "Choice", "Default": "Tick",
            "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}});
    let machine = create(&runtime, "looping", looping).await;
    for n in 0..20u64 {
        let execution = start(&runtime, &machine, &format!("s{n}"), json!({})).await;
        tokio::time::sleep(Duration::from_millis(n % 7)).await;
        let stopped = runtime
            .stop(&execution.arn, Some("Stopped".into()), None, now_ms())
            .await
            .unwrap();
        assert_eq!(stopped.status, ExecutionStatus::Aborted);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let events = history(runtime.store().as_ref(), &execution.arn).await;
        assert_whole(&events);
        assert_eq!(
            events.last().unwrap().kind,
            "ExecutionAborted",
            "nothing after the stop"
        );
        let again = runtime
            .stop(&execution.arn, None, None, now_ms())
            .await
            .unwrap();
        assert_eq!(again, stopped, "a second stop changes nothing");
    }
    assert_eq!(runtime.in_memory(), 0, "stopped drivers are gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_execution_follows_aws_idempotency() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), None);
    let machine = create(&runtime, "names", wait_then_pass(1, "x")).await;
    let first = start(&runtime, &machine, "same", json!({"a": 1})).await;
    let input = |value: Value| ExecutionInput {
        text: value.to_string(),
        value,
    };
    let again = runtime
        .start(&machine, "same", input(json!({"a": 1})), 9)
        .await
        .unwrap();
    assert_eq!(
        again, first,
        "same name and input while running: the original"
    );
    let other = runtime
        .start(&machine, "same", input(json!({"a": 2})), 9)
        .await;
    assert!(matches!(
        other,
        Err(RuntimeError::ExecutionAlreadyExists(_))
    ));
    wait_closed(runtime.store().as_ref(), &first.arn).await;
    let closed = runtime
        .start(&machine, "same", input(json!({"a": 1})), 9)
        .await;
    assert!(
        matches!(closed, Err(RuntimeError::ExecutionAlreadyExists(_))),
        "a closed execution's name cannot be reused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_infinite_loop_ends_at_the_history_quota() {
    let dir = tempfile::tempdir().unwrap();
    let (runtime, _) = runtime_in(dir.path(), None);
    let looping = json!({"StartAt": "Again", "States": {
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "End"}], "Default": "Again"},
        "End": {"Type": "Succeed"}}});
    let machine = create(&runtime, "forever", looping).await;
    let execution = start(&runtime, &machine, "loop", json!({})).await;
    let finished = wait_closed(runtime.store().as_ref(), &execution.arn).await;
    assert_eq!(finished.status, ExecutionStatus::Failed);
    assert_eq!(finished.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        finished.cause.as_deref(),
        Some("The execution reached the maximum number of history events (25000).")
    );
    let events = history(runtime.store().as_ref(), &execution.arn).await;
    assert_whole(&events);
    assert!(events.len() as u64 <= fluxo_engine::MAX_HISTORY_EVENTS);
}
