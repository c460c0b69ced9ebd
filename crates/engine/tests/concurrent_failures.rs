//! Failures that happen at the same moment in sibling iterations are all recorded before the
//! Map fails, and every state left open is aborted, as AWS records it (recorded case
//! `timeouts/timeouts__test_service_lambda_map_timeout`).

use fluxo_engine::{
    execute, ExecutionRequest, FunctionCall, FunctionInvoker, FunctionResult, SystemEnvironment,
    TaskFailure,
};
use futures::future::BoxFuture;
use serde_json::json;
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
