//! Retry and Catch end to end, with a scripted function and tokio's paused clock, so back-off
//! delays are asserted exactly and the test takes no real time.

use fluxo_engine::{
    execute, ExecutionRequest, ExecutionStatus, FunctionCall, FunctionInvoker, FunctionResult,
    SystemEnvironment, TaskFailure,
};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Answers calls from a script, in order, and remembers what it was called with.
struct Scripted {
    answers: Mutex<VecDeque<Result<Value, TaskFailure>>>,
    calls: Mutex<Vec<FunctionCall>>,
}

impl Scripted {
    fn new(answers: Vec<Result<Value, TaskFailure>>) -> Self {
        Scripted {
            answers: Mutex::new(answers.into()),
            calls: Mutex::new(Vec::new()),
        }
    }
}

impl FunctionInvoker for Scripted {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        self.calls.lock().unwrap().push(call);
        let answer = self.answers.lock().unwrap().pop_front();
        Box::pin(async move {
            answer
                .unwrap_or_else(|| Ok(json!("unscripted")))
                .map(Into::into)
        })
    }
}

fn failure(error: &str) -> Result<Value, TaskFailure> {
    Err(TaskFailure {
        error: error.into(),
        cause: Some(format!("{error} happened")),
    })
}

async fn run(
    definition: Value,
    input: Value,
    functions: Arc<Scripted>,
) -> fluxo_engine::ExecutionOutcome {
    let machine = fluxo_asl::compile(&definition).expect("valid definition");
    let env = Arc::new(SystemEnvironment::new(functions).with_seed(7));
    let request = ExecutionRequest::new("us-east-1", "123456789012", "test", "exec", input);
    execute(Arc::new(machine), request, env).await
}

fn task_with(retry: Value, catch: Value) -> Value {
    json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "Retry": retry,
                "Catch": catch,
                "Next": "Done"
            },
            "Done": {"Type": "Pass", "End": true},
            "Fallback": {"Type": "Pass", "Parameters": {"recovered.$": "$.failure.Error"}, "End": true}
        }
    })
}

fn event_times(outcome: &fluxo_engine::ExecutionOutcome, kind: &str) -> Vec<jiff::Timestamp> {
    outcome
        .history
        .iter()
        .filter(|event| event.kind == kind)
        .map(|event| event.timestamp)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_task_retried_twice_succeeds_on_the_third_attempt_after_exact_backoffs() {
    let functions = Arc::new(Scripted::new(vec![
        failure("Lambda.ServiceException"),
        failure("Lambda.ServiceException"),
        Ok(json!({"ok": true})),
    ]));
    let definition = task_with(
        json!([{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 3, "BackoffRate": 2.0, "MaxAttempts": 3}]),
        json!([{"ErrorEquals": ["Never.Raised"], "Next": "Fallback"}]),
    );
    let outcome = run(definition, json!({}), functions.clone()).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output.as_deref(), Some(r#"{"ok":true}"#));
    assert_eq!(functions.calls.lock().unwrap().len(), 3);

    let scheduled = event_times(&outcome, "LambdaFunctionScheduled");
    assert_eq!(scheduled.len(), 3);
    let gaps: Vec<i64> = scheduled
        .windows(2)
        .map(|pair| pair[1].duration_since(pair[0]).as_millis() as i64)
        .collect();
    assert_eq!(
        gaps,
        vec![3000, 6000],
        "IntervalSeconds 3 then 3 × BackoffRate 2"
    );
    // One entry into the state, however many attempts.
    assert_eq!(event_times(&outcome, "TaskStateEntered").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn max_delay_seconds_caps_the_backoff() {
    let functions = Arc::new(Scripted::new(vec![
        failure("Boom"),
        failure("Boom"),
        failure("Boom"),
        Ok(json!(1)),
    ]));
    let definition = task_with(
        json!([{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 10, "MaxAttempts": 5, "MaxDelaySeconds": 5}]),
        json!([{"ErrorEquals": ["Never.Raised"], "Next": "Fallback"}]),
    );
    let outcome = run(definition, json!({}), functions).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let scheduled = event_times(&outcome, "LambdaFunctionScheduled");
    let gaps: Vec<i64> = scheduled
        .windows(2)
        .map(|pair| pair[1].duration_since(pair[0]).as_millis() as i64)
        .collect();
    assert_eq!(gaps, vec![2000, 5000, 5000]);
}

#[tokio::test(start_paused = true)]
async fn max_attempts_zero_never_retries_and_catch_routes_to_the_fallback() {
    let functions = Arc::new(Scripted::new(vec![failure("Validation.Failed")]));
    let definition = task_with(
        json!([{"ErrorEquals": ["Validation.Failed"], "MaxAttempts": 0}]),
        json!([{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failure", "Next": "Fallback"}]),
    );
    let outcome = run(definition, json!({"document": 1}), functions.clone()).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert_eq!(
        outcome.output.as_deref(),
        Some(r#"{"recovered":"Validation.Failed"}"#)
    );
    assert_eq!(functions.calls.lock().unwrap().len(), 1);
    let kinds: Vec<&str> = outcome
        .history
        .iter()
        .map(|event| event.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionFailed",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_uncaught_failure_fails_the_execution_with_the_function_error() {
    let functions = Arc::new(Scripted::new(vec![failure("CustomError")]));
    let definition = task_with(
        json!([]),
        json!([{"ErrorEquals": ["Other"], "Next": "Fallback"}]),
    );
    let outcome = run(definition, json!({}), functions).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("CustomError"));
    assert_eq!(outcome.cause.as_deref(), Some("CustomError happened"));
}

#[tokio::test(start_paused = true)]
async fn a_task_timeout_is_states_timeout_and_can_be_retried() {
    struct Slow;
    impl FunctionInvoker for Slow {
        fn invoke(
            &self,
            _call: FunctionCall,
        ) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
            Box::pin(async {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                Ok(json!("late").into())
            })
        }
    }
    let definition = json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
                "TimeoutSeconds": 5,
                "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "End": true
            }
        }
    });
    let machine = fluxo_asl::compile(&definition).expect("valid");
    let env = Arc::new(SystemEnvironment::new(Slow).with_seed(1));
    let request = ExecutionRequest::new("us-east-1", "123456789012", "t", "e", json!({}));
    let outcome = execute(Arc::new(machine), request, env).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
    let timeouts = outcome
        .history
        .iter()
        .filter(|event| event.kind == "LambdaFunctionTimedOut")
        .count();
    assert_eq!(
        timeouts, 2,
        "the first attempt and its one retry both time out"
    );
}
