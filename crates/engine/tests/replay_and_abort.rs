//! Resuming an execution from its persisted events, and branches aborted by a failing sibling.

use fluxo_engine::{
    execute, resume, Environment, ExecutionRequest, ExecutionStatus, FunctionCall, FunctionInvoker,
    FunctionResult, RecordedEvent, SystemEnvironment, TaskFailure,
};
use futures::future::BoxFuture;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Counts calls and answers `{"call": n}`.
#[derive(Default)]
struct Counting {
    calls: AtomicUsize,
}

impl FunctionInvoker for Counting {
    fn invoke(&self, _call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(json!({ "call": n }).into()) })
    }
}

/// A system environment that keeps what the engine asks it to persist.
struct Persisting {
    inner: SystemEnvironment<Arc<Counting>>,
    persisted: Mutex<Vec<RecordedEvent>>,
}

impl Environment for Persisting {
    fn now(&self) -> jiff::Timestamp {
        self.inner.now()
    }
    fn sleep_until(&self, deadline: jiff::Timestamp) -> BoxFuture<'_, ()> {
        self.inner.sleep_until(deadline)
    }
    fn random_seed(&self) -> u64 {
        self.inner.random_seed()
    }
    fn invoke_function(
        &self,
        call: FunctionCall,
    ) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        self.inner.invoke_function(call)
    }
    fn persists(&self) -> bool {
        true
    }

    fn persist(&self, events: Vec<RecordedEvent>) -> BoxFuture<'_, ()> {
        self.persisted.lock().unwrap().extend(events);
        Box::pin(async {})
    }
}

fn machine() -> Arc<fluxo_asl::model::StateMachine> {
    let definition = json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1, "IntervalSeconds": 2}],
                "Next": "Pause"
            },
            "Pause": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
            "Done": {"Type": "Pass", "End": true}
        }
    });
    Arc::new(fluxo_asl::compile(&definition).expect("valid"))
}

fn environment(functions: Arc<Counting>) -> Arc<Persisting> {
    Arc::new(Persisting {
        inner: SystemEnvironment::new(functions).with_seed(3),
        persisted: Mutex::new(Vec::new()),
    })
}

fn request() -> ExecutionRequest {
    ExecutionRequest::new("us-east-1", "123456789012", "m", "e", json!({"doc": 1}))
}

#[tokio::test(start_paused = true)]
async fn a_replay_of_the_whole_history_calls_nothing_again_and_ends_the_same() {
    let functions = Arc::new(Counting::default());
    let env = environment(functions.clone());
    let first = execute(machine(), request(), env.clone()).await;
    assert_eq!(first.status, ExecutionStatus::Succeeded);
    assert_eq!(functions.calls.load(Ordering::SeqCst), 1);
    let persisted = env.persisted.lock().unwrap().clone();
    assert_eq!(
        persisted.len(),
        first.history.len(),
        "everything is persisted by the end"
    );

    let again = Arc::new(Counting::default());
    let replayed = resume(machine(), request(), environment(again.clone()), persisted).await;
    assert_eq!(
        again.calls.load(Ordering::SeqCst),
        0,
        "the recorded result is used"
    );
    assert_eq!(replayed.output, first.output);
    assert_eq!(
        replayed.history, first.history,
        "same ids, timestamps and details"
    );
}

#[tokio::test(start_paused = true)]
async fn events_are_persisted_before_the_function_is_called() {
    let functions = Arc::new(Counting::default());
    let env = environment(functions);
    execute(machine(), request(), env.clone()).await;
    let persisted = env.persisted.lock().unwrap().clone();
    let kinds: Vec<&str> = persisted.iter().map(|e| e.event.kind.as_str()).collect();
    let started = kinds
        .iter()
        .position(|k| *k == "LambdaFunctionStarted")
        .unwrap();
    let succeeded = kinds
        .iter()
        .position(|k| *k == "LambdaFunctionSucceeded")
        .unwrap();
    assert!(started < succeeded);
    // Positions are the thread and the order within it.
    assert!(persisted.iter().all(|e| e.thread.is_empty()));
    let seqs: Vec<u32> = persisted.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..persisted.len() as u32).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn a_call_in_flight_at_a_crash_counts_as_a_failed_attempt_and_retry_decides() {
    let functions = Arc::new(Counting::default());
    let env = environment(functions);
    execute(machine(), request(), env.clone()).await;
    // The process died after LambdaFunctionStarted was persisted, before the result.
    let mut persisted = env.persisted.lock().unwrap().clone();
    let started = persisted
        .iter()
        .position(|e| e.event.kind == "LambdaFunctionStarted")
        .unwrap();
    persisted.truncate(started + 1);

    let after_restart = Arc::new(Counting::default());
    let outcome = resume(
        machine(),
        request(),
        environment(after_restart.clone()),
        persisted,
    )
    .await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert_eq!(
        after_restart.calls.load(Ordering::SeqCst),
        1,
        "run once more, by the retrier"
    );
    let failed = outcome
        .history
        .iter()
        .find(|e| e.kind == "LambdaFunctionFailed")
        .expect("the interrupted attempt is recorded as failed");
    assert_eq!(
        failed.details.as_ref().unwrap()["error"],
        "States.TaskFailed"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_branch_aborts_the_state_its_sibling_was_running() {
    let definition = json!({
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "End": true,
                "Branches": [
                    {"StartAt": "Fails", "States": {"Fails": {"Type": "Fail", "Error": "Broken"}}},
                    {"StartAt": "Waits", "States": {"Waits": {"Type": "Wait", "Seconds": 60, "End": true}}}
                ]
            }
        }
    });
    let machine = Arc::new(fluxo_asl::compile(&definition).expect("valid"));
    let env = Arc::new(SystemEnvironment::new(Arc::new(Counting::default())).with_seed(1));
    let outcome = execute(machine, request(), env).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Broken"));
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"WaitStateAborted"), "{kinds:?}");
    assert!(!kinds.contains(&"WaitStateExited"), "{kinds:?}");
    let failed = kinds
        .iter()
        .position(|k| *k == "ParallelStateFailed")
        .unwrap();
    assert_eq!(kinds[failed + 1], "ExecutionFailed");
}
