//! Redrive as replay (`engine/src/redrive.rs`): a failed history followed by
//! `ExecutionRedriven` reruns only what did not succeed, and replays the same afterwards.

use fluxo_engine::{
    execute, resume, Environment, ExecutionRequest, ExecutionStatus, FunctionCall, FunctionInvoker,
    FunctionResult, HistoryEvent, RecordedEvent, SystemEnvironment, TaskFailure,
};
use fluxo_types::EventType;
use futures::future::BoxFuture;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Answers `{"done": payload}`, except for payloads listed in `failing`, which fail with
/// `Boom`; counts calls per payload.
#[derive(Default)]
struct Functions {
    failing: Mutex<HashSet<String>>,
    calls: Mutex<HashMap<String, usize>>,
}

impl Functions {
    fn fail(&self, payloads: &[&str]) {
        *self.failing.lock().unwrap() = payloads.iter().map(|p| p.to_string()).collect();
    }
    fn calls(&self, payload: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .get(payload)
            .copied()
            .unwrap_or(0)
    }
    fn total(&self) -> usize {
        self.calls.lock().unwrap().values().sum()
    }
}

impl FunctionInvoker for Functions {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        let key = call.payload.to_string();
        *self.calls.lock().unwrap().entry(key.clone()).or_default() += 1;
        let fails = self.failing.lock().unwrap().contains(&key);
        Box::pin(async move {
            match fails {
                true => Err(TaskFailure {
                    error: "Boom".into(),
                    cause: Some(key),
                }),
                false => Ok(json!({ "done": call.payload }).into()),
            }
        })
    }
}

struct Persisting {
    inner: SystemEnvironment<Arc<Functions>>,
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

fn environment(functions: &Arc<Functions>, recorded: &[RecordedEvent]) -> Arc<Persisting> {
    Arc::new(Persisting {
        inner: SystemEnvironment::new(functions.clone()).with_seed(7),
        persisted: Mutex::new(recorded.to_vec()),
    })
}

fn request() -> ExecutionRequest {
    ExecutionRequest::new("us-east-1", "123456789012", "m", "e", json!({"doc": 1}))
}

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:f";

/// What the runtime stores when an execution is redriven: `ExecutionRedriven` after the last
/// event, on the execution's own thread after its last position.
fn redriven(history: &mut Vec<RecordedEvent>, count: u32) {
    let last = history.iter().map(|e| e.event.id).max().unwrap_or(0);
    let seq = history
        .iter()
        .filter(|e| e.thread.is_empty() && e.seq != u32::MAX)
        .map(|e| e.seq + 1)
        .max()
        .unwrap_or(0);
    let time = history.iter().map(|e| e.event.timestamp).max().unwrap();
    let mut details = Map::new();
    details.insert("redriveCount".into(), json!(count));
    history.push(RecordedEvent {
        event: HistoryEvent {
            id: last + 1,
            previous_event_id: last,
            timestamp: time + jiff::SignedDuration::from_secs(60),
            kind: EventType::ExecutionRedriven,
            details: Some(details),
        },
        thread: String::new(),
        seq,
    });
}

/// Runs `definition` once (failing), then redrives it with nothing failing; returns the
/// functions of each run and the final outcome and persisted history.
async fn fail_then_redrive(
    definition: Value,
    failing: &[&str],
) -> (
    Arc<Functions>,
    fluxo_engine::ExecutionOutcome,
    Vec<RecordedEvent>,
) {
    let machine = Arc::new(fluxo_asl::compile(&definition).expect("valid"));
    let first = Arc::new(Functions::default());
    first.fail(failing);
    let env = environment(&first, &[]);
    let failed = execute(machine.clone(), request(), env.clone()).await;
    assert_eq!(failed.status, ExecutionStatus::Failed, "{failed:?}");
    let mut history = env.persisted.lock().unwrap().clone();
    redriven(&mut history, 1);
    let second = Arc::new(Functions::default());
    let env = environment(&second, &history);
    let outcome = resume(machine, request(), env.clone(), history.clone()).await;
    let persisted = env.persisted.lock().unwrap().clone();
    // The earlier history stays as it was, ExecutionRedriven included.
    assert_eq!(&persisted[..history.len()], &history[..]);
    (second, outcome, persisted)
}

fn kinds(history: &[RecordedEvent]) -> Vec<&'static str> {
    let mut events: Vec<&RecordedEvent> = history.iter().collect();
    events.sort_by_key(|e| e.event.id);
    events.iter().map(|e| e.event.kind.as_str()).collect()
}

#[tokio::test(start_paused = true)]
async fn a_failed_task_is_rescheduled_and_what_succeeded_before_it_is_not_rerun() {
    let definition = json!({
        "StartAt": "First",
        "States": {
            "First": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n": "first"}, "ResultPath": "$.first", "Next": "Second"},
            "Second": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n": "second"},
                       "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 2, "IntervalSeconds": 1}],
                       "ResultPath": "$.second", "Next": "Count"},
            "Count": {"Type": "Pass", "Parameters": {"count.$": "$$.Execution.RedriveCount", "time.$": "$$.Execution.RedriveTime", "second.$": "$.second"}, "End": true}
        }
    });
    let (functions, outcome, history) = fail_then_redrive(definition, &[r#"{"n":"second"}"#]).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert_eq!(functions.calls(r#"{"n":"first"}"#), 0, "First succeeded");
    assert_eq!(
        functions.calls(r#"{"n":"second"}"#),
        1,
        "the retry counter restarted and the first new attempt succeeded"
    );
    let output: Value = serde_json::from_str(outcome.output.as_deref().unwrap()).unwrap();
    assert_eq!(output["count"], 1);
    assert!(output["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    let kinds = kinds(&history);
    let redriven = kinds
        .iter()
        .position(|k| *k == "ExecutionRedriven")
        .unwrap();
    assert_eq!(kinds[redriven - 1], "ExecutionFailed");
    assert_eq!(
        &kinds[redriven + 1..redriven + 4],
        [
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded"
        ],
        "the failed state is rescheduled, not entered again"
    );
    assert_eq!(kinds.last(), Some(&"ExecutionSucceeded"));
    // Ids follow on, and the first new event links to ExecutionRedriven.
    let mut events: Vec<&RecordedEvent> = history.iter().collect();
    events.sort_by_key(|e| e.event.id);
    for (index, event) in events.iter().enumerate() {
        assert_eq!(event.event.id, index as u64 + 1);
    }
    assert_eq!(
        events[redriven + 1].event.previous_event_id,
        events[redriven].event.id
    );
}

#[tokio::test(start_paused = true)]
async fn only_the_failed_parallel_branch_runs_again() {
    let definition = json!({
        "StartAt": "Both",
        "States": {
            "Both": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n": "a"}, "End": true}}},
                {"StartAt": "B0", "States": {
                    "B0": {"Type": "Pass", "Next": "B"},
                    "B": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n": "b"}, "End": true}}}
            ]}
        }
    });
    let (functions, outcome, history) = fail_then_redrive(definition, &[r#"{"n":"b"}"#]).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert_eq!(
        functions.calls(r#"{"n":"a"}"#),
        0,
        "the successful branch is kept"
    );
    assert_eq!(functions.calls(r#"{"n":"b"}"#), 1);
    assert_eq!(
        outcome.output.as_deref(),
        Some(r#"[{"done":{"n":"a"}},{"done":{"n":"b"}}]"#)
    );
    let started = kinds(&history)
        .iter()
        .filter(|k| **k == "ParallelStateStarted")
        .count();
    assert_eq!(started, 1, "the Parallel state's attempt goes on");
}

#[tokio::test(start_paused = true)]
async fn only_failed_and_unstarted_map_iterations_run_again() {
    let definition = json!({
        "StartAt": "Each",
        "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": true,
                     "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Work",
                        "States": {"Work": {"Type": "Task", "Resource": LAMBDA, "End": true}}}}
        }
    });
    let machine = Arc::new(fluxo_asl::compile(&definition).expect("valid"));
    let input = json!({"items": [1, 2, 3, 4]});
    let mut request = request();
    request.input = input;
    let first = Arc::new(Functions::default());
    first.fail(&["2"]);
    let env = environment(&first, &[]);
    let failed = execute(machine.clone(), request.clone(), env.clone()).await;
    assert_eq!(failed.status, ExecutionStatus::Failed);
    assert_eq!(
        first.total(),
        2,
        "1 succeeded, 2 failed, 3 and 4 never started"
    );
    let mut history = env.persisted.lock().unwrap().clone();
    redriven(&mut history, 1);
    let second = Arc::new(Functions::default());
    let env = environment(&second, &history);
    let outcome = resume(machine.clone(), request.clone(), env.clone(), history).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert_eq!(second.calls("1"), 0);
    assert_eq!(
        (second.calls("2"), second.calls("3"), second.calls("4")),
        (1, 1, 1)
    );
    assert_eq!(
        outcome.output.as_deref(),
        Some(r#"[{"done":1},{"done":2},{"done":3},{"done":4}]"#)
    );

    // A crash after the redrive: replaying everything calls nothing and ends the same.
    let persisted = env.persisted.lock().unwrap().clone();
    let third = Arc::new(Functions::default());
    let replayed = resume(
        machine,
        request,
        environment(&third, &persisted),
        persisted.clone(),
    )
    .await;
    assert_eq!(third.total(), 0);
    assert_eq!(replayed.output, outcome.output);
    assert_eq!(replayed.history, outcome.history);
}

#[tokio::test(start_paused = true)]
async fn a_second_redrive_cuts_after_the_first() {
    let definition = json!({
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n": 1}, "End": true}}
    });
    let machine = Arc::new(fluxo_asl::compile(&definition).expect("valid"));
    let functions = Arc::new(Functions::default());
    functions.fail(&[r#"{"n":1}"#]);
    let env = environment(&functions, &[]);
    execute(machine.clone(), request(), env.clone()).await;
    let mut history = env.persisted.lock().unwrap().clone();
    for count in 1..=2 {
        redriven(&mut history, count);
        let env = environment(&functions, &history);
        let outcome = resume(machine.clone(), request(), env.clone(), history.clone()).await;
        assert_eq!(outcome.status, ExecutionStatus::Failed, "redrive {count}");
        history = env.persisted.lock().unwrap().clone();
    }
    assert_eq!(functions.calls(r#"{"n":1}"#), 3);
    functions.fail(&[]);
    redriven(&mut history, 3);
    let env = environment(&functions, &history);
    let outcome = resume(machine, request(), env, history).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    assert_eq!(functions.calls(r#"{"n":1}"#), 4);
    let failed = outcome
        .history
        .iter()
        .filter(|e| e.kind == EventType::ExecutionFailed)
        .count();
    assert_eq!(failed, 3, "every earlier attempt stays in the history");
}

#[tokio::test(start_paused = true)]
async fn a_restart_runs_from_the_chosen_state_with_its_input() {
    let definition = json!({
        "StartAt": "First",
        "States": {
            "First": {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n": "first"}, "Next": "Second"},
            "Second": {"Type": "Task", "Resource": LAMBDA, "Next": "Third"},
            "Third": {"Type": "Pass", "End": true}
        }
    });
    let machine = Arc::new(fluxo_asl::compile(&definition).expect("valid"));
    let functions = Arc::new(Functions::default());
    functions.fail(&[r#"{"done":{"n":"first"}}"#]);
    let env = environment(&functions, &[]);
    let failed = execute(machine.clone(), request(), env.clone()).await;
    assert_eq!(failed.status, ExecutionStatus::Failed);
    let mut history = env.persisted.lock().unwrap().clone();
    redriven(&mut history, 1);
    let restart = json!({"fromState": "Second", "input": r#"{"edited":true}"#});
    history
        .last_mut()
        .unwrap()
        .event
        .details
        .as_mut()
        .unwrap()
        .insert("fluxoRestart".into(), restart);
    functions.fail(&[]);
    let env = environment(&functions, &history);
    let outcome = resume(machine.clone(), request(), env.clone(), history).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    assert_eq!(
        functions.calls(r#"{"n":"first"}"#),
        1,
        "First is not run again"
    );
    assert_eq!(functions.calls(r#"{"edited":true}"#), 1);
    assert_eq!(
        outcome.output.as_deref(),
        Some(r#"{"done":{"edited":true}}"#)
    );
    // A replay after a crash begins at the same state.
    let persisted = env.persisted.lock().unwrap().clone();
    let again = Arc::new(Functions::default());
    let replayed = resume(
        machine,
        request(),
        environment(&again, &persisted),
        persisted,
    )
    .await;
    assert_eq!(again.total(), 0);
    assert_eq!(replayed.history, outcome.history);
}
