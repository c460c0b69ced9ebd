//! A distributed Map's reports of its Map Run (`Environment::map_run`) come after the events
//! they describe are persisted: a client that finds the run (`ListMapRuns`) finds its
//! `MapRunStarted` in the parent's history too (a race the API walk once lost).

use fluxo_engine::{
    execute, Environment, ExecutionRequest, ExecutionStatus, FunctionCall, FunctionInvoker,
    FunctionResult, RecordedEvent, SystemEnvironment, TaskFailure,
};
use fluxo_types::map_run::{MapRunLimits, MapRunRecord, MapRunStatus};
use fluxo_types::EventType;
use futures::future::BoxFuture;
use serde_json::json;
use std::sync::{Arc, Mutex};

struct NoFunctions;

impl FunctionInvoker for NoFunctions {
    fn invoke(&self, _call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        Box::pin(async { Ok(json!(null).into()) })
    }
}

/// Keeps the persisted events and, at each Map Run report, which events were persisted then.
struct Reporting {
    inner: SystemEnvironment<NoFunctions>,
    persisted: Mutex<Vec<RecordedEvent>>,
    /// (status reported, event types persisted before the report)
    reports: Mutex<Vec<(MapRunStatus, Vec<EventType>)>>,
}

impl Environment for Reporting {
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
    fn map_run(&self, report: &MapRunRecord) -> BoxFuture<'_, Option<MapRunLimits>> {
        let kinds = self
            .persisted
            .lock()
            .unwrap()
            .iter()
            .map(|recorded| recorded.event.kind)
            .collect();
        self.reports.lock().unwrap().push((report.status, kinds));
        Box::pin(async { None })
    }
}

#[tokio::test]
async fn a_map_run_is_reported_only_once_its_start_is_persisted() {
    let definition = json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": true}}
            },
            "End": true
        }}
    });
    let machine = Arc::new(fluxo_asl::compile(&definition).expect("valid"));
    let env = Arc::new(Reporting {
        inner: SystemEnvironment::new(NoFunctions).with_seed(5),
        persisted: Mutex::new(Vec::new()),
        reports: Mutex::new(Vec::new()),
    });
    let request = ExecutionRequest::new("us-east-1", "123456789012", "m", "e", json!([1, 2]));
    let outcome = execute(machine, request, env.clone()).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    let reports = env.reports.lock().unwrap();
    let (status, persisted) = reports.first().expect("the run was reported");
    assert_eq!(*status, MapRunStatus::Running);
    for kind in [EventType::ExecutionStarted, EventType::MapRunStarted] {
        assert!(
            persisted.contains(&kind),
            "{kind:?} not persisted before the first report: {persisted:?}"
        );
    }
}
