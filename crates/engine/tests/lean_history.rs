//! An execution whose history nobody can read (no event details, nothing persisted) keeps no
//! history, and must end exactly as the same execution with its full history: same status,
//! output, error, cause and number of states entered, aborted branches included.

use fluxo_engine::{execute, ExecutionRequest, NoFunctions, SystemEnvironment};
use serde_json::{json, Value};
use std::sync::Arc;

async fn both_ways(definition: Value, input: Value) {
    let machine = Arc::new(fluxo_asl::compile(&definition).expect("valid definition"));
    let run = |details: bool| {
        let mut request =
            ExecutionRequest::new("us-east-1", "123456789012", "m", "e", input.clone());
        request.history_details = details;
        let env = Arc::new(SystemEnvironment::new(NoFunctions).with_seed(7));
        execute(machine.clone(), request, env)
    };
    let full = run(true).await;
    let lean = run(false).await;
    assert!(!full.history.is_empty());
    assert!(lean.history.is_empty(), "a lean run keeps no history");
    assert_eq!(
        (&lean.status, &lean.output, &lean.error, &lean.cause),
        (&full.status, &full.output, &full.error, &full.cause),
        "{definition}"
    );
    let entered = full
        .history
        .iter()
        .filter(|e| e.kind.is_state_entered())
        .count() as u64;
    assert_eq!(
        (lean.states_entered, full.states_entered),
        (entered, entered)
    );
}

#[tokio::test(start_paused = true)]
async fn lean_runs_end_as_full_ones() {
    let workloads = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/workloads");
    for (file, input) in [
        ("w1_small.asl.json", json!({"x": 1})),
        ("w2_map.asl.json", json!({"items": [1, 2, 3, 4, 5]})),
        ("w3_loop.asl.json", json!({"limit": 20})),
        ("w4_parallel.asl.json", json!({"x": 1})),
    ] {
        let text = std::fs::read_to_string(workloads.join(file)).expect("a workload");
        both_ways(serde_json::from_str(&text).unwrap(), input).await;
    }
    // A failing branch aborts its waiting sibling; the failure is caught.
    both_ways(
        json!({"StartAt": "Both", "States": {
            "Both": {"Type": "Parallel", "Next": "Done",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}],
                "Branches": [
                    {"StartAt": "Fails", "States": {"Fails": {"Type": "Fail", "Error": "Broken", "Cause": "x"}}},
                    {"StartAt": "Waits", "States": {"Waits": {"Type": "Wait", "Seconds": 60, "End": true}}}]},
            "Done": {"Type": "Pass", "End": true}}}),
        json!({"a": 1}),
    )
    .await;
    // Map iterations fail beyond the tolerated count; retried first, then the execution fails.
    both_ways(
        json!({"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "End": true, "ToleratedFailureCount": 1, "MaxConcurrency": 2,
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "ItemProcessor": {"StartAt": "Check", "States": {
                    "Check": {"Type": "Choice", "Default": "Bad",
                        "Choices": [{"Variable": "$", "NumericLessThan": 2, "Next": "Good"}]},
                    "Good": {"Type": "Pass", "End": true},
                    "Bad": {"Type": "Fail", "Error": "TooBig"}}}}}}),
        json!([0, 1, 2, 3, 4]),
    )
    .await;
}
