//! One attempt at one state: the steps it shows, and the status a failure gets from the
//! state's Retry and Catch.

use super::*;
use crate::{NoFunctions, SystemEnvironment};

fn machine(definition: Value) -> Arc<StateMachine> {
    Arc::new(fluxo_asl::compile(&definition).expect("a valid definition"))
}

fn request(machine: Arc<StateMachine>, state: &str, input: Value) -> TestStateRequest {
    TestStateRequest {
        machine,
        state_name: state.into(),
        input: input.clone(),
        variables: Map::new(),
        context: None,
        mock: None,
        retrier_retry_count: 0,
        map_iteration_failure_count: None,
        map_item_reader_data: None,
        execution: ExecutionRequest::new("us-east-1", "123456789012", "m", "e", input),
    }
}

async fn run(request: TestStateRequest) -> TestStateOutcome {
    test_state(request, &SystemEnvironment::new(NoFunctions)).await
}

#[tokio::test]
async fn a_pass_state_shows_each_step_of_its_data_flow() {
    let m = machine(json!({"StartAt": "P", "States": {"P": {
        "Type": "Pass", "InputPath": "$.a", "Parameters": {"x.$": "$.b"},
        "ResultPath": "$.out", "OutputPath": "$.out", "Next": "Q"}, "Q": {"Type": "Succeed"}}}));
    let outcome = run(request(m, "P", json!({"a": {"b": 1}}))).await;
    assert_eq!(outcome.status, TestStatus::Succeeded);
    assert_eq!(outcome.next_state.as_deref(), Some("Q"));
    assert_eq!(outcome.output, Some(json!({"x": 1})));
    let data = &outcome.inspection;
    assert_eq!(data["input"], json!({"a": {"b": 1}}));
    assert_eq!(data["afterInputPath"], json!({"b": 1}));
    assert_eq!(data["afterParameters"], json!({"x": 1}));
    assert_eq!(data["afterResultSelector"], json!({"x": 1}));
    // ResultPath writes into the state's input, not into what InputPath selected.
    assert_eq!(
        data["afterResultPath"],
        json!({"a": {"b": 1}, "out": {"x": 1}})
    );
}

fn task_with(handling: Value) -> Arc<StateMachine> {
    let mut task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"}, "Next": "H"});
    task.as_object_mut()
        .unwrap()
        .extend(handling.as_object().unwrap().clone());
    machine(json!({"StartAt": "T", "States": {"T": task, "H": {"Type": "Succeed"}}}))
}

fn failing(mut request: TestStateRequest, retried: u32) -> TestStateRequest {
    request.mock = Some(Mock::Error {
        error: "E".into(),
        cause: "c".into(),
    });
    request.retrier_retry_count = retried;
    request
}

#[tokio::test]
async fn a_mocked_failure_is_retriable_while_the_retrier_has_attempts_left() {
    let m = task_with(json!({"Retry": [{"ErrorEquals": ["Other"]},
        {"ErrorEquals": ["E"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 5}]}));
    let outcome = run(failing(request(m.clone(), "T", json!({})), 4)).await;
    assert_eq!(outcome.status, TestStatus::Retriable);
    assert_eq!(
        (outcome.error.as_deref(), outcome.cause.as_deref()),
        (Some("E"), Some("c"))
    );
    assert_eq!(
        outcome.inspection["errorDetails"],
        json!({"retryBackoffIntervalSeconds": 16, "retryIndex": 1})
    );
    let outcome = run(failing(request(m, "T", json!({})), 5)).await;
    assert_eq!(outcome.status, TestStatus::Failed);
    assert_eq!(outcome.inspection["errorDetails"], json!({"retryIndex": 1}));
}

#[tokio::test]
async fn a_caught_failure_goes_to_the_catchers_next_with_its_output() {
    let m = task_with(
        json!({"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "H"}]}),
    );
    let outcome = run(failing(request(m, "T", json!({"k": 1})), 0)).await;
    assert_eq!(outcome.status, TestStatus::CaughtError);
    assert_eq!(outcome.next_state.as_deref(), Some("H"));
    assert_eq!(
        outcome.output,
        Some(json!({"k": 1, "err": {"Error": "E", "Cause": "c"}}))
    );
    assert_eq!(outcome.inspection["errorDetails"], json!({"catchIndex": 0}));
}

#[tokio::test]
async fn a_mocked_result_and_the_given_context_and_variables_are_what_the_state_sees() {
    let m = task_with(
        json!({"ResultSelector": {"r.$": "$.v", "who.$": "$$.Execution.Name", "var.$": "$x"}}),
    );
    let mut request = request(m, "T", json!({}));
    request.mock = Some(Mock::Result(json!({"v": 2})));
    request.context = Some(json!({"Execution": {"Name": "given"}}));
    request.variables.insert("x".into(), json!("y"));
    let outcome = run(request).await;
    assert_eq!(
        outcome.output,
        Some(json!({"r": 2, "who": "given", "var": "y"}))
    );
    assert_eq!(outcome.inspection["result"], json!({"v": 2}));
    assert_eq!(outcome.inspection["variables"], json!({"x": "y"}));
}

#[test]
fn find_state_looks_inside_branches_and_item_processors() {
    let m = machine(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
            "Branches": [{"StartAt": "Deep", "States": {"Deep": {"Type": "Succeed"}}}]}}}}}}),
    );
    assert!(find_state(&m, "Deep").is_some());
    assert!(find_state(&m, "M").is_some());
    assert!(find_state(&m, "Nope").is_none());
}
