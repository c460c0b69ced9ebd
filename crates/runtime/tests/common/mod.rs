//! What the runtime tests share: a runtime over SQLite with a counting function, state
//! machines created through the runtime, history checks.
#![allow(dead_code)]

use fluxo_engine::{FunctionCall, FunctionInvoker, FunctionResult, TaskFailure};
use fluxo_runtime::{ExecutionInput, Loaded, Runtime, RuntimeConfig};
use fluxo_store::{EventRecord, ExecutionRecord, Page, StateMachineRecord, Store};
use fluxo_store_sqlite::SqliteStore;
use fluxo_types::{arn, ExecutionStatus, StateMachineType};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// `double`: `{"n": N}` → `{"doubled": 2N}`, after `delay_ms` if the payload gives one.
#[derive(Default)]
pub struct Doubler {
    pub calls: AtomicUsize,
}

impl FunctionInvoker for Doubler {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let n = call.payload["n"].as_i64().unwrap_or(0);
        let delay = call.payload["delay_ms"].as_u64().unwrap_or(0);
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            Ok(json!({ "doubled": n * 2 }).into())
        })
    }
}

pub fn runtime_in(dir: &Path, unload_after: Option<Duration>) -> (Arc<Runtime>, Arc<Doubler>) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir).unwrap());
    let functions = Arc::new(Doubler::default());
    let mut config = RuntimeConfig::new(REGION, ACCOUNT);
    config.unload_after = unload_after;
    (Runtime::new(store, functions.clone(), config), functions)
}

pub fn record(name: &str, definition: &Value) -> StateMachineRecord {
    StateMachineRecord {
        arn: arn::state_machine(REGION, ACCOUNT, name),
        name: name.into(),
        kind: StateMachineType::Standard,
        definition: definition.to_string(),
        role_arn: format!("arn:aws:iam::{ACCOUNT}:role/fluxo"),
        created_ms: 0,
        updated_ms: 0,
        revision: 0,
        logging: None,
        revision_id: None,
        encryption: None,
    }
}

pub async fn create(runtime: &Arc<Runtime>, name: &str, definition: Value) -> Loaded {
    let record = record(name, &definition);
    let compiled = fluxo_runtime::prepare(&record.definition, StateMachineType::Standard).unwrap();
    runtime
        .create_state_machine(record.clone(), vec![], compiled)
        .await
        .unwrap();
    runtime.state_machine(&record.arn, false).await.unwrap()
}

pub async fn start(
    runtime: &Arc<Runtime>,
    machine: &Loaded,
    name: &str,
    input: Value,
) -> ExecutionRecord {
    let input = ExecutionInput {
        text: input.to_string(),
        value: input,
    };
    runtime.start(machine, name, input, 0).await.unwrap()
}

pub fn execution_arn(machine: &str, name: &str) -> String {
    arn::execution(REGION, ACCOUNT, machine, name)
}

pub async fn history(store: &dyn Store, arn: &str) -> Vec<EventRecord> {
    store
        .events(arn, false, Page::new(1000, None))
        .await
        .unwrap()
        .items
}

/// Ids from 1 without a gap or a repeat, each event after its previous one, times in order.
pub fn assert_whole(events: &[EventRecord]) {
    let ids: Vec<u64> = events.iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        (1..=events.len() as u64).collect::<Vec<_>>(),
        "no lost or duplicated event"
    );
    assert_eq!(
        events.first().map(|e| e.kind.as_str()),
        Some("ExecutionStarted")
    );
    assert!(events.iter().all(|e| e.previous_event_id < e.id));
    assert!(events
        .windows(2)
        .all(|pair| pair[0].timestamp_ms <= pair[1].timestamp_ms));
}

/// Polls until the execution has ended (at most 15 s).
pub async fn wait_closed(store: &dyn Store, arn: &str) -> ExecutionRecord {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let execution = store.get_execution(arn).await.unwrap().unwrap();
        if execution.status != ExecutionStatus::Running {
            return execution;
        }
        assert!(std::time::Instant::now() < deadline, "{arn} did not end");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
