//! The engine's environment for durable executions: real time and functions, `persist` that
//! commits to the store, and the signal that the execution may be unloaded.
//!
//! Unloading: the engine reports when every thread of the execution that runs states is parked
//! ([`Environment::set_idle`]); parks register their deadline when they begin. When the
//! execution is idle and every park is longer than the unload threshold, the driver may drop
//! the execution and store its earliest deadline (parks and raced deadlines alike) as a timer:
//! everything it did is persisted by then, and a replay resumes it.

use crate::hub::Hub;
use crate::tokens::TokenSigner;
use fluxo_engine::{
    Environment, FunctionCall, FunctionInvoker, FunctionResult, HistoryEvent, RecordedEvent,
    TaskFailure, TaskProgress, TaskWait,
};
use fluxo_store::{
    EventRecord, ExecutionRecord, ExecutionUpdate, Fence, Store, StoreError, TimerChange,
    Transition,
};
use futures::future::BoxFuture;
use jiff::Timestamp;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// What the execution is waiting on.
#[derive(Default)]
struct Activity {
    /// Every thread that runs states is parked (reported by the engine).
    idle: bool,
    /// Deadlines in progress, by registration: `(id, deadline, is a long park)`. Parks are
    /// long or short; raced deadlines (task and execution timeouts) count as long.
    timers: Vec<(u64, Timestamp, bool)>,
    next_id: u64,
}

/// Why the driver of an execution ends before the engine does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// Only long timers are left: unload until this time.
    Unload(Timestamp),
    /// The store refused a transition (the execution was stopped, another driver got there
    /// first, or the lease was taken over): this driver must not act any more.
    Refused,
}

pub struct DurableEnvironment {
    clock: fluxo_engine::SystemEnvironment<Arc<dyn FunctionInvoker>>,
    store: Arc<dyn Store>,
    execution_arn: String,
    /// The lease this driver holds: every transition is made under it.
    fence: Option<Fence>,
    unload_after: Option<Duration>,
    activity: Mutex<Activity>,
    interruption: watch::Sender<Option<Interruption>>,
    changes: broadcast::Sender<std::sync::Arc<str>>,
    pub(crate) tasks: TaskContext,
    /// Whether the execution has reported a Map Run: its end then closes the runs it left
    /// RUNNING (`Runtime::close_map_runs`).
    map_runs: std::sync::atomic::AtomicBool,
    /// Tasks whose outcome event is recorded, by that event's position: closed in the store
    /// once the event is committed.
    pub(crate) recorded_tasks: Mutex<HashMap<(String, u32), String>>,
    /// The tokens of this execution's tasks that wait on a watched `.sync` job: their wait
    /// wakes at least every `RuntimeConfig::job_recheck` (`durable_tasks.rs`).
    pub(crate) job_tasks: Mutex<std::collections::HashSet<String>>,
}

/// What an execution's tasks need from the runtime: the token signer and the wake-ups.
#[derive(Clone)]
pub struct TaskContext {
    pub signer: TokenSigner,
    pub hub: Arc<Hub>,
    /// The runtime, for the Step Functions actions a Task state calls on it.
    pub runtime: std::sync::Weak<crate::Runtime>,
}

impl DurableEnvironment {
    pub fn new(
        store: Arc<dyn Store>,
        functions: Arc<dyn FunctionInvoker>,
        execution: &ExecutionRecord,
        fence: Option<Fence>,
        unload_after: Option<Duration>,
        changes: broadcast::Sender<std::sync::Arc<str>>,
        tasks: TaskContext,
    ) -> Self {
        DurableEnvironment {
            clock: fluxo_engine::SystemEnvironment::new(functions).with_seed(execution.seed),
            store,
            execution_arn: execution.arn.clone(),
            fence,
            unload_after,
            activity: Mutex::new(Activity::default()),
            interruption: watch::channel(None).0,
            changes,
            tasks,
            map_runs: std::sync::atomic::AtomicBool::new(false),
            recorded_tasks: Mutex::new(HashMap::new()),
            job_tasks: Mutex::new(Default::default()),
        }
    }

    /// Calls AWS service integrations through `services`.
    pub fn with_services(mut self, services: Arc<dyn fluxo_engine::ServiceInvoker>) -> Self {
        self.clock = self.clock.with_services(services);
        self
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn execution_arn(&self) -> &str {
        &self.execution_arn
    }

    /// Sleeps until `deadline` without registering it (the caller registered it).
    pub(crate) fn sleep_plain(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        self.clock.sleep_until(deadline)
    }

    pub(crate) fn unload_after(&self) -> Option<Duration> {
        self.unload_after
    }

    /// Changes a registered deadline (a task's, which moves with heartbeats and becomes long
    /// once the task has waited past the unload threshold), then checks whether to unload.
    pub(crate) fn retime(&self, id: u64, deadline: Timestamp, long: bool) {
        let mut activity = self.activity();
        if let Some(timer) = activity.timers.iter_mut().find(|(t, _, _)| *t == id) {
            *timer = (id, deadline, long);
        }
        self.check_unload(&activity);
    }

    /// Resolves when the driver should stop driving the execution, and why.
    pub async fn interrupted(&self) -> Interruption {
        let mut receiver = self.interruption.subscribe();
        loop {
            if let Some(interruption) = *receiver.borrow_and_update() {
                return interruption;
            }
            if receiver.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }

    fn activity(&self) -> std::sync::MutexGuard<'_, Activity> {
        self.activity.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Signals unloading when the execution is idle and no park is short, and withdraws the
    /// signal when it no longer is: a branch that fails while its siblings are parked leaves
    /// the execution idle for a moment, until the Parallel or Map that contains it stops the
    /// siblings and fails; unloading in that moment would leave the failure unhandled until
    /// the siblings' timers woke the execution (a 60 s Wait kept a failed Parallel running).
    fn check_unload(&self, activity: &Activity) {
        let all_long = activity.timers.iter().all(|(_, _, long)| *long);
        let earliest = activity.timers.iter().map(|(_, at, _)| *at).min();
        match earliest {
            Some(earliest) if activity.idle && all_long => {
                // A refusal stands: it ends the driving whatever comes after.
                self.interruption.send_if_modified(|interruption| {
                    if matches!(interruption, Some(Interruption::Refused)) {
                        return false;
                    }
                    *interruption = Some(Interruption::Unload(earliest));
                    true
                });
            }
            _ => {
                self.interruption.send_if_modified(|interruption| {
                    let unload = matches!(interruption, Some(Interruption::Unload(_)));
                    if unload {
                        *interruption = None;
                    }
                    unload
                });
            }
        }
    }

    pub(crate) fn register(&self, deadline: Timestamp, long: bool) -> TimerGuard<'_> {
        let mut activity = self.activity();
        let id = activity.next_id;
        activity.next_id += 1;
        activity.timers.push((id, deadline, long));
        TimerGuard(self, id)
    }

    fn is_long(&self, deadline: Timestamp) -> bool {
        self.unload_after.is_some_and(|threshold| {
            let wait = deadline.duration_since(self.clock.now());
            Duration::try_from(wait).is_ok_and(|wait| wait > threshold)
        })
    }
}

/// A deadline in progress, for as long as it lives.
pub(crate) struct TimerGuard<'a>(&'a DurableEnvironment, pub(crate) u64);

impl Drop for TimerGuard<'_> {
    fn drop(&mut self) {
        self.0.activity().timers.retain(|(id, _, _)| *id != self.1);
    }
}

pub(crate) fn to_engine(record: &EventRecord) -> RecordedEvent {
    RecordedEvent {
        event: HistoryEvent {
            id: record.id,
            previous_event_id: record.previous_event_id,
            timestamp: Timestamp::from_millisecond(record.timestamp_ms)
                .unwrap_or(Timestamp::UNIX_EPOCH),
            kind: record.kind,
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
        kind: recorded.event.kind,
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
    let status = event.kind.final_status()?;
    let field = |name: &str| event.detail_text(name);
    Some(ExecutionUpdate {
        status,
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
        // A raced timeout bounds when an unloaded execution must wake.
        let timer = self.register(deadline, true);
        Box::pin(async move {
            let _timer = timer;
            self.clock.sleep_until(deadline).await;
        })
    }

    fn park_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        // Registered now, before the engine reports the thread parked.
        let timer = self.register(deadline, self.is_long(deadline));
        Box::pin(async move {
            let _timer = timer;
            self.clock.sleep_until(deadline).await;
        })
    }

    fn set_idle(&self, idle: bool) {
        let mut activity = self.activity();
        activity.idle = idle;
        self.check_unload(&activity);
    }

    fn random_seed(&self) -> u64 {
        self.clock.random_seed()
    }

    fn invoke_function(
        &self,
        call: FunctionCall,
    ) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        self.clock.invoke_function(call)
    }

    fn runs_on_aws_lambda(&self, function: &str) -> bool {
        self.clock.runs_on_aws_lambda(function)
    }

    fn persists(&self) -> bool {
        true
    }

    fn task_token(&self, thread: &str, seq: u32) -> String {
        self.tasks.signer.token(&self.execution_arn, thread, seq)
    }

    fn activity_exists(&self, arn: &str) -> BoxFuture<'_, bool> {
        let arn = arn.to_string();
        Box::pin(async move { self.activity_exists_now(&arn).await })
    }

    fn open_task(&self, wait: &TaskWait) -> BoxFuture<'_, Result<(), TaskFailure>> {
        let wait = wait.clone();
        Box::pin(async move { self.open(&wait).await })
    }

    fn await_task(&self, wait: TaskWait) -> BoxFuture<'_, TaskProgress> {
        self.wait_for_task(wait)
    }

    fn call_http(&self, parameters: Value) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        let runtime = self.tasks.runtime.upgrade();
        Box::pin(async move {
            match runtime {
                Some(runtime) => runtime.call_http(parameters).await,
                None => Err(crate::http::unavailable()),
            }
        })
    }

    fn call_own_api(
        &self,
        action: &str,
        parameters: Value,
        link: Option<(fluxo_engine::Nested, TaskWait)>,
    ) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        let action = action.to_string();
        let link = link.map(|(nested, wait)| (nested, self.record_of(&wait)));
        Box::pin(async move {
            match self.tasks.runtime.upgrade() {
                Some(runtime) => runtime.own_api(&action, parameters, link).await,
                None => Err(TaskFailure {
                    error: "States.Runtime".into(),
                    cause: Some("Fluxo is shutting down".into()),
                }),
            }
        })
    }

    fn call_service(
        &self,
        request: fluxo_engine::ServiceRequest,
    ) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        self.clock.call_service(request)
    }

    /// The Map Run's record goes to the store, whose limits (`UpdateMapRun`'s) come back. A
    /// store that fails costs the record, not the run.
    fn map_run(
        &self,
        report: &fluxo_types::map_run::MapRunRecord,
    ) -> BoxFuture<'_, Option<fluxo_types::map_run::MapRunLimits>> {
        let report = report.clone();
        self.map_runs
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Box::pin(async move {
            match self.store.report_map_run(report).await {
                Ok(limits) => Some(limits),
                Err(error) => {
                    tracing::warn!(%error, "a Map Run's record could not be stored");
                    None
                }
            }
        })
    }

    fn map_run_outcome(&self, arn: &str) -> BoxFuture<'_, Option<String>> {
        let arn = arn.to_string();
        Box::pin(async move {
            match self.store.get_map_run(&arn).await {
                Ok(found) => found.and_then(|record| record.outcome),
                Err(error) => {
                    tracing::warn!(%error, "a Map Run's outcome could not be read; its children run again");
                    None
                }
            }
        })
    }

    fn keeps_child_histories(&self) -> bool {
        true
    }

    /// The runtime watches the job, apart from this driver (which may unload meanwhile).
    fn watch_job(&self, job: fluxo_engine::JobWatch) {
        self.job_tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(job.token.clone());
        if let Some(runtime) = self.tasks.runtime.upgrade() {
            runtime.watch_job(&self.execution_arn, job);
        }
    }

    /// Kept by the runtime until it ends: a child its parent leaves running is recorded
    /// ABORTED (`Runtime::close_map_runs`).
    fn child_execution_started(&self, child: fluxo_engine::ChildExecution) {
        if let Some(runtime) = self.tasks.runtime.upgrade() {
            runtime.map_children.started(&self.execution_arn, child);
        }
    }

    /// The child's record and history go to the store in one transaction. A store that
    /// fails costs the child's history, not the run (its outcome is the Map Run's).
    fn child_execution_ended(&self, child: fluxo_engine::ChildExecution) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let child_arn = child.execution_arn.clone();
            let (record, events) = child_record(child);
            if let Err(error) = self.store.record_child_execution(record, events).await {
                tracing::warn!(%error, "a Map Run's child execution could not be stored");
            }
            // Only once written: a driver stopped during the write leaves it to be closed
            // ABORTED rather than unrecorded.
            if let Some(runtime) = self.tasks.runtime.upgrade() {
                runtime.map_children.ended(&self.execution_arn, &child_arn);
            }
        })
    }

    fn task_recorded(&self, token: &str, thread: &str, seq: u32) {
        self.recorded_tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((thread.to_string(), seq), token.to_string());
    }

    fn persist(&self, events: Vec<RecordedEvent>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let update = events
                .iter()
                .find_map(|recorded| final_update(&recorded.event));
            let timer = match update {
                Some(_) => TimerChange::Clear,
                None => TimerChange::Keep,
            };
            let transition = Transition {
                execution_arn: self.execution_arn.clone(),
                events: events.iter().map(to_store).collect(),
                update,
                timer,
                fence: self.fence.clone(),
            };
            // The engine may not act before this is durable: retry while the store is failing,
            // and stop driving the execution if the store refuses the transition itself.
            let mut delay = Duration::from_millis(10);
            loop {
                match self.store.commit(transition.clone()).await {
                    Ok(()) => {
                        let _ = self.changes.send(self.execution_arn.as_str().into());
                        if transition.update.is_some() {
                            // A parent waiting on this execution (`.sync`) looks again,
                            // and one that left memory is woken through the store.
                            self.tasks.hub.notify_all(&self.execution_arn);
                            if let Some(runtime) = self.tasks.runtime.upgrade() {
                                let child = self.execution_arn.clone();
                                let map_runs =
                                    self.map_runs.load(std::sync::atomic::Ordering::Relaxed);
                                let ended_ms = transition
                                    .update
                                    .as_ref()
                                    .and_then(|update| update.stopped_ms)
                                    .unwrap_or_default();
                                tokio::spawn(async move {
                                    runtime.child_ended(&child).await;
                                    if map_runs {
                                        runtime.close_map_runs(&child, ended_ms).await;
                                    }
                                });
                            }
                        }
                        self.close_recorded_tasks(&events).await;
                        return;
                    }
                    Err(StoreError::Backend(error)) => {
                        tracing::error!(%error, arn = %self.execution_arn, "cannot persist a transition; retrying");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(5));
                    }
                    Err(error) => {
                        tracing::warn!(%error, arn = %self.execution_arn, "transition refused; this driver stops");
                        self.interruption.send_replace(Some(Interruption::Refused));
                        return std::future::pending().await;
                    }
                }
            }
        })
    }
}

/// A distributed Map's child execution as the store keeps it: its record (with its Map Run)
/// and its history.
pub(crate) fn child_record(
    child: fluxo_engine::ChildExecution,
) -> (fluxo_store::ExecutionRecord, Vec<EventRecord>) {
    let events: Vec<EventRecord> = child.events.iter().map(to_store).collect();
    let record = fluxo_store::ExecutionRecord {
        arn: child.execution_arn,
        state_machine_arn: child.state_machine_arn,
        name: child.name,
        status: child.status,
        input: child.input,
        output: child.output,
        error: child.error,
        cause: child.cause,
        started_ms: child.start.as_millisecond(),
        stopped_ms: Some(child.stop.as_millisecond()),
        seed: 0,
        revision: 0,
        version_arn: None,
        alias_arn: None,
        redrive_count: 0,
        redrive_ms: None,
        map_run_arn: Some(child.map_run_arn),
    };
    (record, events)
}
