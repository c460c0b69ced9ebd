//! Durable Standard executions.
//!
//! An execution is driven by `fluxo_engine::resume` over the events its store holds (none for a
//! new one). The engine hands its new events to [`DurableEnvironment::persist`] before every
//! effect and at the end; each hand-over is one store transaction (`Store::commit`), and the
//! final one also records the execution's status. After a restart, [`Runtime::recover`] resumes
//! every `RUNNING` execution the same way: recorded events replay, recorded function results are
//! reused, and a call that was in flight fails its attempt so that Retry decides.

mod durable;

pub use durable::DurableEnvironment;

use fluxo_asl::model::StateMachine;
use fluxo_engine::{FunctionInvoker, RecordedEvent};
use fluxo_store::{ExecutionRecord, Page, StateMachineRecord, Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the stored definition of {0} no longer compiles")]
    Definition(String),
}

pub struct Runtime {
    store: Arc<dyn Store>,
    functions: Arc<dyn FunctionInvoker>,
    region: String,
    running: Mutex<HashMap<String, JoinHandle<()>>>,
    /// Executions that wait longer than this on timers alone are unloaded from memory.
    unload_after: Option<Duration>,
    /// Compiled definitions by state machine ARN and revision: compiled once, run many times.
    compiled: Mutex<HashMap<String, (u64, Arc<StateMachine>)>>,
    /// "This execution has new events": see [`Runtime::subscribe`].
    changes: ExecutionChanges,
}

/// Notices that an execution's stored history grew (the ARN of the execution), sent after the
/// commit. A receiver that lags loses old notices (`RecvError::Lagged`) and should re-read what it
/// watches; the store, not the notice, is the truth.
pub type ExecutionChanges = tokio::sync::broadcast::Sender<Arc<str>>;

/// How many notices a slow subscriber may fall behind before it lags.
const CHANGES_CAPACITY: usize = 1024;

/// The default for [`Runtime::with_unload_after`].
pub const UNLOAD_AFTER: Duration = Duration::from_secs(10);

impl Runtime {
    pub fn new(
        store: Arc<dyn Store>,
        functions: Arc<dyn FunctionInvoker>,
        region: &str,
    ) -> Arc<Self> {
        Self::with_unload_after(store, functions, region, Some(UNLOAD_AFTER))
    }

    /// `None` keeps every execution in memory until it ends.
    pub fn with_unload_after(
        store: Arc<dyn Store>,
        functions: Arc<dyn FunctionInvoker>,
        region: &str,
        unload_after: Option<Duration>,
    ) -> Arc<Self> {
        Arc::new(Runtime {
            store,
            functions,
            region: region.to_string(),
            running: Mutex::new(HashMap::new()),
            unload_after,
            compiled: Mutex::new(HashMap::new()),
            changes: tokio::sync::broadcast::channel(CHANGES_CAPACITY).0,
        })
    }

    /// Subscribes to the ARNs of executions whose history changed (events committed by their
    /// driver, or `ExecutionAborted` by [`Runtime::stop`]). Used by the console's live view.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Arc<str>> {
        self.changes.subscribe()
    }

    /// How many executions are in memory now.
    pub fn in_memory(&self) -> usize {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|_, handle| !handle.is_finished());
        running.len()
    }

    /// Wakes unloaded executions whose timer is due: a background task, polling the store.
    pub fn spawn_timers(self: &Arc<Self>, every: Duration) -> JoinHandle<()> {
        let runtime = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(error) = runtime.wake_due().await {
                    tracing::error!(%error, "cannot wake due executions");
                }
            }
        })
    }

    async fn wake_due(self: &Arc<Self>) -> Result<(), RuntimeError> {
        let now = jiff::Timestamp::now().as_millisecond();
        for timer in self.store.due_timers(now, 1000).await? {
            let driven = self
                .running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&timer.execution_arn)
                .is_some_and(|handle| !handle.is_finished());
            if driven {
                continue;
            }
            self.store
                .commit(fluxo_store::Transition {
                    execution_arn: timer.execution_arn.clone(),
                    events: Vec::new(),
                    update: None,
                    timer: fluxo_store::TimerChange::Clear,
                })
                .await?;
            let Some(execution) = self.store.get_execution(&timer.execution_arn).await? else {
                continue;
            };
            if execution.status != "RUNNING" {
                continue;
            }
            let Some(machine) = self
                .store
                .get_state_machine(&execution.state_machine_arn)
                .await?
            else {
                continue;
            };
            let recorded = self.recorded_events(&execution.arn).await?;
            self.drive(execution, machine, recorded);
        }
        Ok(())
    }

    /// The compiled definition of a stored state machine, compiled once per revision.
    pub fn compiled(
        &self,
        machine: &StateMachineRecord,
    ) -> Result<Arc<StateMachine>, RuntimeError> {
        if let Some((revision, compiled)) = self
            .compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&machine.arn)
        {
            if *revision == machine.revision {
                return Ok(compiled.clone());
            }
        }
        let definition: serde_json::Value = serde_json::from_str(&machine.definition)
            .map_err(|_| RuntimeError::Definition(machine.arn.clone()))?;
        let compiled = Arc::new(
            fluxo_asl::compile(&definition)
                .map_err(|_| RuntimeError::Definition(machine.arn.clone()))?,
        );
        self.compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(machine.arn.clone(), (machine.revision, compiled.clone()));
        Ok(compiled)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn functions(&self) -> Arc<dyn FunctionInvoker> {
        self.functions.clone()
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Starts (or, for the same name and input, finds) an execution and drives it.
    pub async fn start(
        self: &Arc<Self>,
        machine: &StateMachineRecord,
        name: &str,
        input: &str,
        now_ms: i64,
    ) -> Result<fluxo_store::Started, RuntimeError> {
        let record = ExecutionRecord {
            arn: format!(
                "{}:{name}",
                machine.arn.replacen(":stateMachine:", ":execution:", 1)
            ),
            state_machine_arn: machine.arn.clone(),
            name: name.to_string(),
            status: "RUNNING".into(),
            input: input.to_string(),
            output: None,
            error: None,
            cause: None,
            started_ms: now_ms,
            stopped_ms: None,
            seed: rand::random(),
        };
        let started = self.store.start_execution(record, Vec::new()).await?;
        if started.created {
            self.drive(started.record.clone(), machine.clone(), Vec::new());
        }
        Ok(started)
    }

    /// Resumes every execution that was running when the process stopped.
    pub async fn recover(self: &Arc<Self>) -> Result<usize, RuntimeError> {
        let running = self.store.running_executions().await?;
        let count = running.len();
        for execution in running {
            let Some(machine) = self
                .store
                .get_state_machine(&execution.state_machine_arn)
                .await?
            else {
                tracing::warn!(arn = %execution.arn, "its state machine is gone; left as it is");
                continue;
            };
            let recorded = self.recorded_events(&execution.arn).await?;
            self.drive(execution, machine, recorded);
        }
        Ok(count)
    }

    async fn recorded_events(&self, arn: &str) -> Result<Vec<RecordedEvent>, RuntimeError> {
        let mut events = Vec::new();
        let mut page = Page {
            max_results: 1000,
            next_token: None,
        };
        loop {
            let listed = self.store.events(arn, false, page.clone()).await?;
            events.extend(listed.items.iter().map(durable::to_engine));
            match listed.next_token {
                Some(token) => page.next_token = Some(token),
                None => return Ok(events),
            }
        }
    }

    fn drive(
        self: &Arc<Self>,
        execution: ExecutionRecord,
        machine: StateMachineRecord,
        recorded: Vec<RecordedEvent>,
    ) {
        let runtime = self.clone();
        let arn = execution.arn.clone();
        let handle = tokio::spawn(async move {
            let arn = execution.arn.clone();
            if let Err(error) = runtime.run(execution, machine, recorded).await {
                tracing::error!(%error, "execution stopped");
            }
            // A finished execution is no longer driven; `idle` sweeps any entry left behind.
            runtime
                .running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&arn);
        });
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(arn, handle);
    }

    async fn run(
        &self,
        execution: ExecutionRecord,
        machine: StateMachineRecord,
        recorded: Vec<RecordedEvent>,
    ) -> Result<(), RuntimeError> {
        let compiled = self.compiled(&machine)?;
        let input = serde_json::from_str(&execution.input).unwrap_or(serde_json::Value::Null);
        let account = machine
            .arn
            .split(':')
            .nth(4)
            .unwrap_or_default()
            .to_string();
        let mut request = fluxo_engine::ExecutionRequest::new(
            &self.region,
            &account,
            &machine.name,
            &execution.name,
            input,
        );
        request.role_arn = machine.role_arn.clone();
        let env = Arc::new(
            DurableEnvironment::new(
                self.store.clone(),
                self.functions.clone(),
                &execution,
                self.unload_after,
            )
            .with_changes(self.changes.clone()),
        );
        let run = fluxo_engine::resume(compiled, request, env.clone(), recorded);
        tokio::select! {
            _ = run => {}
            wake_at = env.unloadable() => {
                // Everything it did is durable (the engine persists before every timer): drop
                // it from memory, and let the timer replay it when due.
                self.store
                    .commit(fluxo_store::Transition {
                        execution_arn: execution.arn.clone(),
                        events: Vec::new(),
                        update: None,
                        timer: fluxo_store::TimerChange::Set(wake_at.as_millisecond()),
                    })
                    .await?;
            }
        }
        Ok(())
    }

    /// Stops a running execution: it is no longer driven, and `ExecutionAborted` ends its
    /// history. A finished execution is left as it is.
    pub async fn stop(
        &self,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
        now_ms: i64,
    ) -> Result<ExecutionRecord, RuntimeError> {
        let handle = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(arn);
        if let Some(handle) = handle {
            handle.abort();
            let _ = handle.await;
        }
        let execution = self
            .store
            .get_execution(arn)
            .await?
            .ok_or_else(|| StoreError::NotFound(arn.to_string()))?;
        if execution.status != "RUNNING" {
            return Ok(execution);
        }
        let last = self
            .store
            .events(
                arn,
                true,
                Page {
                    max_results: 1,
                    next_token: None,
                },
            )
            .await?
            .items
            .into_iter()
            .next();
        let mut details = serde_json::Map::new();
        if let Some(error) = &error {
            details.insert("error".into(), error.clone().into());
        }
        if let Some(cause) = &cause {
            details.insert("cause".into(), cause.clone().into());
        }
        let (id, previous) = last.map_or((1, 0), |event| (event.id + 1, event.id));
        self.store
            .commit(fluxo_store::Transition {
                execution_arn: arn.to_string(),
                events: vec![fluxo_store::EventRecord {
                    id,
                    previous_event_id: previous,
                    timestamp_ms: now_ms,
                    kind: "ExecutionAborted".into(),
                    details: Some(serde_json::Value::Object(details).to_string()),
                    thread: String::new(),
                    seq: u32::MAX,
                }],
                update: Some(fluxo_store::ExecutionUpdate {
                    status: "ABORTED".into(),
                    output: None,
                    error,
                    cause,
                    stopped_ms: Some(now_ms),
                }),
                timer: fluxo_store::TimerChange::Clear,
            })
            .await?;
        // No receiver is not an error: nobody is watching.
        let _ = self.changes.send(arn.into());
        Ok(self.store.get_execution(arn).await?.unwrap_or(execution))
    }

    /// Waits until every execution this runtime drives has stopped (tests, shutdown).
    pub async fn idle(&self) {
        loop {
            let handles: Vec<JoinHandle<()>> = {
                let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
                running.drain().map(|(_, handle)| handle).collect()
            };
            if handles.is_empty() {
                return;
            }
            for handle in handles {
                let _ = handle.await;
            }
        }
    }

    /// Stops driving every execution at once, as a crash would (tests of recovery).
    pub fn abort_all(&self) {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        for handle in running.values() {
            handle.abort();
        }
    }
}
