//! Runs one case's execution on the engine, keeping the thread each event was recorded on.

use crate::case::Case;
use crate::functions;
use crate::history::ActualEvent;
use fluxo_engine::{
    Environment, ExecutionOutcome, ExecutionRequest, FunctionCall, RecordedEvent,
    SystemEnvironment, TaskFailure,
};
use futures::future::BoxFuture;
use jiff::Timestamp;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a case that calls real functions may take; the slowest recorded ones wait about
/// 70 s.
const REAL_TIME_LIMIT: Duration = Duration::from_secs(180);
/// Cases without functions run on a paused clock, where waiting costs nothing: this only stops
/// an execution that would wait forever.
const VIRTUAL_TIME_LIMIT: Duration = Duration::from_secs(400 * 24 * 3600);
/// Fixed so that `States.UUID`, `States.MathRandom` and jitter are the same on every run.
const SEED: u64 = 11;

/// An execution's end, and its history with threads.
pub struct Actual {
    pub outcome: ExecutionOutcome,
    pub events: Vec<ActualEvent>,
}

/// Runs the case's definition (already compiled) over its input. Functions get a real clock;
/// everything else a paused one, so Wait states and back-offs are instant.
pub fn run(
    case: &Case,
    machine: fluxo_asl::model::StateMachine,
    functions_dir: &Path,
) -> Result<Actual, String> {
    let real_time = case.needs_functions();
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    runtime.enable_all();
    if !real_time {
        runtime.start_paused(true);
    }
    let runtime = runtime.build().map_err(|e| format!("no runtime: {e}"))?;
    runtime.block_on(async {
        let functions = functions::for_case(&case.functions, functions_dir)?;
        let env = Arc::new(Recording {
            inner: SystemEnvironment::new(functions.registry.clone()).with_seed(SEED),
            events: Mutex::new(Vec::new()),
        });
        let request = if case.express {
            ExecutionRequest::express(
                "us-east-1",
                "111111111111",
                "StateMachine",
                "execution",
                "00000000-0000-4000-8000-000000000000",
                case.input.clone(),
            )
        } else {
            ExecutionRequest::new(
                "us-east-1",
                "111111111111",
                "StateMachine",
                "execution",
                case.input.clone(),
            )
        };
        let limit = if real_time {
            REAL_TIME_LIMIT
        } else {
            VIRTUAL_TIME_LIMIT
        };
        let execution = fluxo_engine::execute(Arc::new(machine), request, env.clone());
        let outcome = tokio::time::timeout(limit, execution).await;
        functions.registry.shutdown().await;
        let outcome = outcome.map_err(|_| format!("did not finish within {limit:?}"))?;
        let threads = env.threads();
        let events = outcome
            .history
            .iter()
            .map(|event| ActualEvent {
                id: event.id,
                thread: threads.get(&event.id).cloned().unwrap_or_default(),
                event: corpus_event(event),
            })
            .collect();
        Ok(Actual { outcome, events })
    })
}

/// An event as the corpus records it: `{type, details}` with the JSON text fields decoded.
pub fn corpus_event(event: &fluxo_engine::HistoryEvent) -> Value {
    let mut object = serde_json::Map::new();
    object.insert("type".into(), Value::String(event.kind.to_string()));
    if let Some(details) = &event.details {
        let mut details = details.clone();
        for key in ["input", "output", "parameters"] {
            if let Some(Value::String(text)) = details.get(key) {
                let decoded = parse_text(text);
                details.insert(key.into(), decoded);
            }
        }
        object.insert("details".into(), Value::Object(details));
    }
    Value::Object(object)
}

/// JSON text as the value it holds; text that is not JSON stays text, so it shows in a diff.
pub fn parse_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// The system environment, keeping what the engine persists: the thread of every event.
struct Recording<E> {
    inner: E,
    events: Mutex<Vec<RecordedEvent>>,
}

impl<E> Recording<E> {
    fn threads(&self) -> HashMap<u64, String> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|recorded| (recorded.event.id, recorded.thread.clone()))
            .collect()
    }
}

impl<E: Environment> Environment for Recording<E> {
    fn now(&self) -> Timestamp {
        self.inner.now()
    }

    fn sleep_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        self.inner.sleep_until(deadline)
    }

    fn park_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        self.inner.park_until(deadline)
    }

    fn random_seed(&self) -> u64 {
        self.inner.random_seed()
    }

    fn invoke_function(
        &self,
        call: FunctionCall,
    ) -> BoxFuture<'_, Result<fluxo_engine::FunctionResult, TaskFailure>> {
        self.inner.invoke_function(call)
    }

    fn persist(&self, events: Vec<RecordedEvent>) -> BoxFuture<'_, ()> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(events);
        Box::pin(async {})
    }

    /// The engine hands events to `persist` only when asked to; the threads come from there.
    fn persists(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_keep_the_thread_the_engine_recorded_them_on() {
        let case = Case::from_value(
            json!({
                "definition": {"StartAt": "P", "States": {"P": {
                    "Type": "Parallel", "End": true,
                    "Branches": [
                        {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 3600, "End": true}}},
                        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}
                    ]
                }}},
                "input": {"x": 1},
                "expect": {"status": "SUCCEEDED"}
            }),
            "g/c",
        )
        .expect("valid case");
        let machine = fluxo_asl::compile(&case.definition).expect("valid definition");
        // An hour of Wait takes no time on the paused clock.
        let actual = run(&case, machine, Path::new("/nonexistent")).expect("runs");
        assert_eq!(
            actual.outcome.output.as_deref(),
            Some(r#"[{"x":1},{"x":1}]"#)
        );
        let thread_of = |name: &str| {
            actual
                .events
                .iter()
                .find(|e| {
                    e.event["details"]["name"] == name && e.event["type"] != "ParallelStateExited"
                })
                .map(|e| e.thread.clone())
                .expect("event present")
        };
        assert_eq!(thread_of("P"), "");
        let (a, b) = (thread_of("A"), thread_of("B"));
        assert!(
            a.starts_with('/') && b.starts_with('/') && a != b,
            "{a:?} {b:?}"
        );
        assert_eq!(
            actual.events[0].event["details"]["input"],
            json!({"x": 1}),
            "JSON text fields are decoded"
        );
    }
}
