//! Failures that happen at the same moment in sibling iterations are all recorded before the
//! Map fails, and every state left open is aborted, as AWS records it (recorded case
//! `timeouts/timeouts__test_service_lambda_map_timeout`). "The same moment" is a window of
//! 50 ms, so that on a real clock deadlines a few milliseconds apart count as together; nothing
//! waits where no sibling could record anything or the failure does not fail the state.

use fluxo_engine::{
    execute, ExecutionRequest, FunctionCall, FunctionInvoker, FunctionResult, SystemEnvironment,
    TaskFailure,
};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::sync::Arc;

/// A function that never answers.
struct Hangs;

impl FunctionInvoker for Hangs {
    fn invoke(&self, _call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        Box::pin(std::future::pending())
    }
}

#[tokio::test(start_paused = true)]
async fn simultaneous_timeouts_are_all_recorded_before_the_map_fails() {
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5,
                "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": true}}}}}});
    let machine = Arc::new(fluxo_asl::compile(&definition).unwrap());
    let env = Arc::new(SystemEnvironment::new(Hangs).with_seed(1));
    let request = ExecutionRequest::new("us-east-1", "1", "m", "e", json!([1, 2, 3, 4]));
    let outcome = execute(machine, request, env).await;
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    let position = |kind: &str| kinds.iter().position(|k| *k == kind).unwrap();
    let count = |kind: &str| kinds.iter().filter(|k| **k == kind).count();
    assert_eq!(count("TaskTimedOut"), 4, "{kinds:?}");
    let last_timeout = kinds.iter().rposition(|k| *k == "TaskTimedOut").unwrap();
    assert!(last_timeout < position("MapIterationFailed"), "{kinds:?}");
    assert_eq!(count("MapIterationFailed"), 1, "{kinds:?}");
    assert_eq!(count("TaskStateAborted"), 4, "{kinds:?}");
    assert_eq!(count("MapIterationAborted"), 3, "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"ExecutionFailed"));
}

/// Fails after as many milliseconds as its payload says.
struct FailsLater;

impl FunctionInvoker for FailsLater {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        let millis = call.payload.as_u64().unwrap_or(0);
        Box::pin(async move {
            tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
            Err(TaskFailure {
                error: "Boom".into(),
                cause: Some(millis.to_string()),
            })
        })
    }
}

#[tokio::test(start_paused = true)]
async fn failures_a_few_milliseconds_apart_are_all_recorded_before_the_map_fails() {
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}}}}});
    let machine = Arc::new(fluxo_asl::compile(&definition).unwrap());
    let env = Arc::new(SystemEnvironment::new(FailsLater).with_seed(1));
    // 0, 15 and 30 ms: within the window. 500 ms: after it, aborted.
    let input = json!([0, 15, 30, 500]);
    let request = ExecutionRequest::new("us-east-1", "1", "m", "e", input);
    let outcome = execute(machine, request, env).await;
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    let failed = kinds
        .iter()
        .position(|k| *k == "MapIterationFailed")
        .unwrap();
    let before = |kind: &str| kinds[..failed].iter().filter(|k| **k == kind).count();
    assert_eq!(before("LambdaFunctionFailed"), 3, "{kinds:?}");
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "LambdaFunctionFailed")
            .count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "MapIterationAborted")
            .count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(kinds.last(), Some(&"ExecutionFailed"));
}

#[tokio::test(start_paused = true)]
async fn a_distributed_maps_failing_children_do_not_wait_for_siblings() {
    // Children are executions of their own: their failures never interleave with a sibling's
    // in one history, and within the tolerance they must not cost the run 50 ms each.
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "MaxConcurrency": 1, "ToleratedFailurePercentage": 100,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom"}}}}}});
    let machine = Arc::new(fluxo_asl::compile(&definition).unwrap());
    let env = Arc::new(SystemEnvironment::new(Hangs).with_seed(1));
    let request = ExecutionRequest::new("us-east-1", "1", "m", "e", json!([1, 2, 3, 4, 5, 6]));
    let started = tokio::time::Instant::now();
    let outcome = execute(machine, request, env).await;
    assert_eq!(
        outcome.status,
        fluxo_engine::ExecutionStatus::Succeeded,
        "{outcome:?}"
    );
    let waited = started.elapsed();
    assert!(waited < std::time::Duration::from_millis(50), "{waited:?}");
}

/// Runs `definition` on `input` with functions that fail after as many milliseconds as their
/// payload says: the event types, and how long the run took on the paused clock.
async fn timed(definition: Value, input: Value) -> (Vec<String>, std::time::Duration) {
    let machine = Arc::new(fluxo_asl::compile(&definition).unwrap());
    let env = Arc::new(SystemEnvironment::new(FailsLater).with_seed(1));
    let request = ExecutionRequest::new("us-east-1", "1", "m", "e", input);
    let started = tokio::time::Instant::now();
    let outcome = execute(machine, request, env).await;
    let kinds = outcome
        .history
        .iter()
        .map(|e| e.kind.as_str().to_string())
        .collect();
    (kinds, started.elapsed())
}

#[tokio::test(start_paused = true)]
async fn parallel_branches_failing_a_few_milliseconds_apart_are_all_recorded() {
    // Branch `i` calls the function with the i-th input: 0, 15, 30 and 500 ms.
    let branches: Vec<Value> = (0..4)
        .map(|index| {
            json!({"StartAt": format!("Call{index}"), "States": {format!("Call{index}"): {
                "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                "InputPath": format!("$[{index}]"), "End": true}}})
        })
        .collect();
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": branches}}});
    let (kinds, _) = timed(definition, json!([0, 15, 30, 500])).await;
    let failed = kinds
        .iter()
        .position(|k| k == "ParallelStateFailed")
        .unwrap();
    let before = kinds[..failed]
        .iter()
        .filter(|k| *k == "LambdaFunctionFailed")
        .count();
    assert_eq!(before, 3, "{kinds:?}");
    // The 500 ms branch is stopped before it fails.
    let all = kinds
        .iter()
        .filter(|k| *k == "LambdaFunctionFailed")
        .count();
    assert_eq!(all, 3, "{kinds:?}");
}

#[tokio::test(start_paused = true)]
async fn nothing_waits_where_no_sibling_runs_or_failures_are_tolerated() {
    let map = |extra: Value| {
        let mut state = json!({"Type": "Map", "End": true,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Call",
                "States": {"Call": {"Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}}});
        for (key, value) in extra.as_object().unwrap() {
            state[key] = value.clone();
        }
        json!({"StartAt": "M", "States": {"M": state}})
    };
    // One at a time: no sibling is running when an iteration fails.
    let (kinds, took) = timed(map(json!({"MaxConcurrency": 1})), json!([0, 0, 0])).await;
    assert!(
        took < std::time::Duration::from_millis(50),
        "{took:?} {kinds:?}"
    );
    // Failures within the tolerance fail nothing: twenty of them cost no wait.
    let tolerant = json!({"MaxConcurrency": 2, "ToleratedFailurePercentage": 100});
    let (kinds, took) = timed(map(tolerant), json!(vec![0; 20])).await;
    assert!(took < std::time::Duration::from_millis(50), "{took:?}");
    assert_eq!(
        kinds.last().map(String::as_str),
        Some("ExecutionSucceeded"),
        "{kinds:?}"
    );
}
