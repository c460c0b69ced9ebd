//! A distributed Map's EXPRESS child executions end after five minutes, as every Express
//! execution does (developer guide, "Standard and Express workflow types"), while STANDARD
//! children run as long as they need; a timed-out child is a failed item that the Map's
//! tolerance counts.

use fluxo_engine::{execute, ExecutionRequest, ExecutionStatus, NoFunctions, SystemEnvironment};
use serde_json::{json, Value};
use std::sync::Arc;

fn map(execution_type: &str) -> Value {
    json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ToleratedFailureCount": 1,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
            "StartAt": "W", "States": {
                "W": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "P"},
                "P": {"Type": "Pass", "Result": "done", "End": true}}}}}})
}

async fn run(execution_type: &str) -> fluxo_engine::ExecutionOutcome {
    let machine = Arc::new(fluxo_asl::compile(&map(execution_type)).unwrap());
    let env = Arc::new(SystemEnvironment::new(NoFunctions).with_seed(1));
    let input = json!([{"wait": 10}, {"wait": 400}]);
    let request = ExecutionRequest::new("us-east-1", "123456789012", "m", "e", input);
    execute(machine, request, env).await
}

#[tokio::test(start_paused = true)]
async fn an_express_child_times_out_after_five_minutes() {
    let outcome = run("EXPRESS").await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let output: Value = serde_json::from_str(outcome.output.as_deref().unwrap()).unwrap();
    assert_eq!(output[0], "done");
    assert_eq!(output[1]["Error"], "States.Timeout", "{output}");
}

#[tokio::test(start_paused = true)]
async fn a_standard_child_runs_past_five_minutes() {
    let outcome = run("STANDARD").await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let output: Value = serde_json::from_str(outcome.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, json!(["done", "done"]));
}

/// Each EXPRESS child's five minutes count from its own start, not from the Map's: with one
/// child at a time, the second child starts at 200 s and may run until 500 s (a run that
/// keeps its history, where a thread's time is its last event's).
#[tokio::test(start_paused = true)]
async fn an_express_child_counts_its_five_minutes_from_its_own_start() {
    let mut definition = map("EXPRESS");
    definition["States"]["M"]["MaxConcurrency"] = json!(1);
    let machine = Arc::new(fluxo_asl::compile(&definition).unwrap());
    let env = Arc::new(SystemEnvironment::new(NoFunctions).with_seed(1));
    let input = json!([{"wait": 200}, {"wait": 200}]);
    let mut request = ExecutionRequest::new("us-east-1", "123456789012", "m", "e", input);
    request.history_details = true;
    let outcome = execute(machine, request, env).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let output: Value = serde_json::from_str(outcome.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, json!(["done", "done"]));
}
