//! The engine's environment for durable executions: real time and functions, and `persist`
//! that commits to the store.

use fluxo_engine::{
    Environment, FunctionCall, FunctionInvoker, HistoryEvent, RecordedEvent, TaskFailure,
};
use fluxo_store::{EventRecord, ExecutionRecord, ExecutionUpdate, Store, TimerChange, Transition};
use futures::future::BoxFuture;
use jiff::Timestamp;
use serde_json::Value;
use std::sync::Arc;

pub struct DurableEnvironment {
    clock: fluxo_engine::SystemEnvironment<Arc<dyn FunctionInvoker>>,
    store: Arc<dyn Store>,
    execution_arn: String,
}

impl DurableEnvironment {
    pub fn new(
        store: Arc<dyn Store>,
        functions: Arc<dyn FunctionInvoker>,
        execution: &ExecutionRecord,
    ) -> Self {
        DurableEnvironment {
            clock: fluxo_engine::SystemEnvironment::new(functions).with_seed(execution.seed),
            store,
            execution_arn: execution.arn.clone(),
        }
    }
}

pub(crate) fn to_engine(record: &EventRecord) -> RecordedEvent {
    RecordedEvent {
        event: HistoryEvent {
            id: record.id,
            previous_event_id: record.previous_event_id,
            timestamp: Timestamp::from_millisecond(record.timestamp_ms)
                .unwrap_or(Timestamp::UNIX_EPOCH),
            kind: record.kind.clone().into(),
            details: record
                .details
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok()),
        },
        thread: record.thread.clone(),
        seq: record.seq,
    }
}

fn to_store(recorded: &RecordedEvent) -> EventRecord {
    EventRecord {
        id: recorded.event.id,
        previous_event_id: recorded.event.previous_event_id,
        timestamp_ms: recorded.event.timestamp.as_millisecond(),
        kind: recorded.event.kind.to_string(),
        details: recorded
            .event
            .details
            .as_ref()
            .map(|details| Value::Object(details.clone()).to_string()),
        thread: recorded.thread.clone(),
        seq: recorded.seq,
    }
}

/// The execution's final status, when `event` ends it.
fn final_update(event: &HistoryEvent) -> Option<ExecutionUpdate> {
    let field = |name: &str| {
        event
            .details
            .as_ref()
            .and_then(|details| details.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let status = match event.kind.as_ref() {
        "ExecutionSucceeded" => "SUCCEEDED",
        "ExecutionFailed" => "FAILED",
        "ExecutionTimedOut" => "TIMED_OUT",
        "ExecutionAborted" => "ABORTED",
        _ => return None,
    };
    Some(ExecutionUpdate {
        status: status.into(),
        output: field("output"),
        error: field("error"),
        cause: field("cause"),
        stopped_ms: Some(event.timestamp.as_millisecond()),
    })
}

impl Environment for DurableEnvironment {
    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn sleep_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        self.clock.sleep_until(deadline)
    }

    fn random_seed(&self) -> u64 {
        self.clock.random_seed()
    }

    fn invoke_function(&self, call: FunctionCall) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        self.clock.invoke_function(call)
    }

    fn persist(&self, events: Vec<RecordedEvent>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let update = events
                .iter()
                .find_map(|recorded| final_update(&recorded.event));
            let timer = if update.is_some() {
                TimerChange::Clear
            } else {
                TimerChange::Keep
            };
            let transition = Transition {
                execution_arn: self.execution_arn.clone(),
                events: events.iter().map(to_store).collect(),
                update,
                timer,
            };
            // The engine may not act before this is durable: retry while the store is failing,
            // and stop driving the execution if the store refuses the transition itself (another
            // driver got there first).
            let mut delay = std::time::Duration::from_millis(10);
            loop {
                match self.store.commit(transition.clone()).await {
                    Ok(()) => return,
                    Err(fluxo_store::StoreError::Backend(error)) => {
                        tracing::error!(%error, arn = %self.execution_arn, "cannot persist a transition; retrying");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(std::time::Duration::from_secs(5));
                    }
                    Err(error) => {
                        tracing::error!(%error, arn = %self.execution_arn, "transition refused; this driver stops");
                        std::future::pending::<()>().await;
                    }
                }
            }
        })
    }
}
