//! Standard executions: started durably, driven with every transition committed before the
//! engine acts, unloaded while they wait on long timers, woken by their timer, resumed after a
//! restart, stopped through the store.
//!
//! Stops, timer wake-ups, recovery and drivers agree through the store: a transition for an
//! execution that is no longer running is refused in the transaction that checks it, and a
//! driver whose transition is refused ends.

use crate::durable::{to_engine, DurableEnvironment, Interruption};
use crate::{Loaded, Runtime, RuntimeError};
use fluxo_asl::model::StateMachine;
use fluxo_engine::{ExecutionRequest, RecordedEvent};
use fluxo_store::{
    Abort, ExecutionRecord, Page, Started, StoreError, TimerChange, Transition, MAX_PAGE,
};
use fluxo_types::arn::{self, Arn, Resource};
use fluxo_types::{EventType, ExecutionStatus};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// An execution's input, as given (text, kept and shown back) and parsed (what runs).
pub struct ExecutionInput {
    pub text: String,
    pub value: Value,
}

impl Runtime {
    /// Starts a Standard execution, or (AWS's idempotency rule for `StartExecution`) returns the
    /// running one that has this name and the same input; a name used by a closed execution,
    /// or by a running one with another input, is [`RuntimeError::ExecutionAlreadyExists`].
    pub async fn start(
        self: &Arc<Self>,
        machine: &Loaded,
        name: &str,
        input: ExecutionInput,
        now_ms: i64,
    ) -> Result<ExecutionRecord, RuntimeError> {
        let record = ExecutionRecord {
            arn: arn::execution_of(&machine.record.arn, name),
            state_machine_arn: machine.record.arn.clone(),
            name: name.to_string(),
            status: ExecutionStatus::Running,
            input: input.text.clone(),
            output: None,
            error: None,
            cause: None,
            started_ms: now_ms,
            stopped_ms: None,
            seed: rand::random(),
            revision: machine.record.revision,
        };
        match self.store.start_execution(record).await? {
            Started::Created(record) => {
                let role = machine.record.role_arn.clone();
                self.drive(
                    record.clone(),
                    machine.compiled.clone(),
                    role,
                    input.value,
                    Vec::new(),
                );
                let _ = self.changes.send(record.arn.as_str().into());
                Ok(record)
            }
            Started::Existing(existing)
                if existing.status == ExecutionStatus::Running && existing.input == input.text =>
            {
                Ok(existing)
            }
            Started::Existing(existing) => Err(RuntimeError::ExecutionAlreadyExists(existing.arn)),
        }
    }

    /// Resumes every execution that was running when the process stopped and is not parked
    /// on a timer (those stay in the store until their timer is due), a page at a time.
    pub async fn recover(self: &Arc<Self>) -> Result<usize, RuntimeError> {
        let mut count = 0;
        let mut page = Page::new(MAX_PAGE, None);
        loop {
            let listed = self.store.executions_to_resume(page.clone()).await?;
            for execution in listed.items {
                count += 1;
                if let Err(error) = self.resume(execution).await {
                    tracing::error!(%error, "cannot resume an execution");
                }
            }
            match listed.next_token {
                Some(token) => page.next_token = Some(token),
                None => return Ok(count),
            }
        }
    }

    /// Drives a stored execution again from its events, on the revision it started with.
    async fn resume(self: &Arc<Self>, execution: ExecutionRecord) -> Result<(), RuntimeError> {
        if self.is_driven(&execution.arn) {
            return Ok(());
        }
        let revision = self
            .store
            .get_revision(&execution.state_machine_arn, execution.revision)
            .await?
            .ok_or_else(|| RuntimeError::StoredDefinition(execution.state_machine_arn.clone()))?;
        // Only Standard executions are stored.
        let compiled = self.compiled(
            &revision.state_machine_arn,
            revision.revision,
            &revision.definition,
            fluxo_types::StateMachineType::Standard,
        )?;
        let recorded = self.recorded_events(&execution.arn).await?;
        // A malformed stored input runs as null rather than not at all.
        let input = serde_json::from_str(&execution.input).unwrap_or(Value::Null);
        self.drive(execution, compiled, revision.role_arn, input, recorded);
        Ok(())
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
            if self.is_driven(&timer.execution_arn) {
                continue;
            }
            let clear = Transition {
                execution_arn: timer.execution_arn.clone(),
                events: Vec::new(),
                update: None,
                timer: TimerChange::Clear,
                fence: None,
            };
            match self.store.commit(clear).await {
                Ok(()) => {}
                // Stopped or ended meanwhile: nothing to wake.
                Err(StoreError::ExecutionClosed { .. } | StoreError::NotFound(_)) => continue,
                Err(error) => return Err(error.into()),
            }
            if let Some(execution) = self.store.get_execution(&timer.execution_arn).await? {
                if execution.status == ExecutionStatus::Running {
                    self.resume(execution).await?;
                }
            }
        }
        Ok(())
    }

    pub(crate) async fn recorded_events(
        &self,
        arn: &str,
    ) -> Result<Vec<RecordedEvent>, RuntimeError> {
        let mut events = Vec::new();
        let mut page = Page::new(MAX_PAGE, None);
        loop {
            let listed = self.store.events(arn, false, page.clone()).await?;
            events.extend(listed.items.iter().map(to_engine));
            match listed.next_token {
                Some(token) => page.next_token = Some(token),
                None => return Ok(events),
            }
        }
    }

    fn is_driven(&self, arn: &str) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(arn)
            .is_some_and(|handle| !handle.is_finished())
    }

    fn drive(
        self: &Arc<Self>,
        execution: ExecutionRecord,
        compiled: Arc<StateMachine>,
        role_arn: String,
        input: Value,
        recorded: Vec<RecordedEvent>,
    ) {
        let runtime = self.clone();
        let arn = execution.arn.clone();
        let handle = tokio::spawn(async move {
            let arn = execution.arn.clone();
            if let Err(error) = runtime
                .run_durably(execution, compiled, role_arn, input, recorded)
                .await
            {
                tracing::error!(%error, %arn, "execution driver stopped");
            }
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

    async fn run_durably(
        &self,
        execution: ExecutionRecord,
        compiled: Arc<StateMachine>,
        role_arn: String,
        input: Value,
        recorded: Vec<RecordedEvent>,
    ) -> Result<(), RuntimeError> {
        let parsed = Arn::parse(&execution.arn)
            .map_err(|_| RuntimeError::ExecutionDoesNotExist(execution.arn.clone()))?;
        let Resource::Execution {
            state_machine,
            name,
        } = &parsed.resource
        else {
            return Err(RuntimeError::ExecutionDoesNotExist(execution.arn.clone()));
        };
        let mut request =
            ExecutionRequest::new(&parsed.region, &parsed.account, state_machine, name, input);
        request.role_arn = role_arn;
        let env = Arc::new(DurableEnvironment::new(
            self.store.clone(),
            self.functions.clone(),
            &execution,
            self.config.unload_after,
            self.changes.clone(),
        ));
        let run = fluxo_engine::resume(compiled, request, env.clone(), recorded);
        tokio::select! {
            _ = run => {}
            interruption = env.interrupted() => match interruption {
                // Everything it did is durable (the engine persists before every timer): drop
                // it from memory, and let the timer replay it when due.
                Interruption::Unload(wake_at) => {
                    let park = Transition {
                        execution_arn: execution.arn.clone(),
                        events: Vec::new(),
                        update: None,
                        timer: TimerChange::Set(wake_at.as_millisecond()),
                        fence: None,
                    };
                    match self.store.commit(park).await {
                        Ok(()) | Err(StoreError::ExecutionClosed { .. }) => {}
                        Err(error) => return Err(error.into()),
                    }
                }
                Interruption::Refused => {}
            },
        }
        Ok(())
    }

    /// Stops a running execution: it is no longer driven, and `ExecutionAborted` ends its
    /// history, numbered by the store after whatever was committed. A closed execution is
    /// returned as it is.
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
        let details = fluxo_engine::aborted_details(error.as_deref(), cause.as_deref());
        let abort = Abort {
            execution_arn: arn.to_string(),
            kind: EventType::ExecutionAborted,
            details: Some(Value::Object(details).to_string()),
            timestamp_ms: now_ms,
            error,
            cause,
        };
        let stopped = self
            .store
            .abort_execution(abort)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(arn) => RuntimeError::ExecutionDoesNotExist(arn),
                other => other.into(),
            })?;
        let _ = self.changes.send(arn.into());
        Ok(stopped)
    }

    /// How many Standard executions are in memory now.
    pub fn in_memory(&self) -> usize {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|_, handle| !handle.is_finished());
        running.len()
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
