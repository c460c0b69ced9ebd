//! Standard executions: started durably, driven with every transition committed before the
//! engine acts, unloaded while they wait on long timers, woken by their timer, resumed after a
//! restart, stopped through the store.
//!
//! Stops, timer wake-ups, recovery and drivers agree through the store: a transition for an
//! execution that is no longer running, or made under a lease that another node has taken
//! over, is refused in the transaction that checks it, and a driver whose transition is
//! refused ends. Every driver holds the execution's lease (`nodes.rs`).

use crate::durable::{to_engine, DurableEnvironment, Interruption};
use crate::nodes::Driver;
use crate::{Loaded, Runtime, RuntimeError};
use fluxo_asl::model::StateMachine;
use fluxo_engine::{ExecutionRequest, RecordedEvent};
use fluxo_store::{
    Abort, EventRecord, ExecutionRecord, Fence, Page, Started, StoreError, TimerChange, Transition,
    MAX_PAGE,
};
use fluxo_types::arn::{self, Arn, Resource};
use fluxo_types::{EventType, ExecutionStatus};
use serde_json::Value;
use std::sync::Arc;
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
        // Read once, before the execution exists: its driver must not wait for the store
        // before it commits `ExecutionStarted`.
        self.signer().await?;
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
            version_arn: machine.version_arn.clone(),
            alias_arn: machine.alias_arn.clone(),
            redrive_count: 0,
            redrive_ms: None,
            map_run_arn: None,
        };
        // The task token signer is read from the store once, here rather than in the driver,
        // so that the driver's first commit does not wait on the store's secret. (A stop that
        // comes before that first commit still finds no `ExecutionStarted`: a known race.)
        self.signer().await?;
        match self.store.start_execution(record).await? {
            Started::Created(record) => {
                // Another node may have claimed it first (as an orphan): then that node
                // drives it.
                if let Some(claimed) = self
                    .store
                    .claim_execution(&record.arn, self.claim())
                    .await?
                {
                    let role = machine.record.role_arn.clone();
                    self.drive(
                        record.clone(),
                        machine.compiled.clone(),
                        role,
                        input.value,
                        Vec::new(),
                        claimed.lease.fence,
                    );
                }
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
    /// on a timer (those stay in the store until their timer is due): this node's id gives up
    /// the leases it held before, and the node claims every execution that no node holds.
    pub async fn recover(self: &Arc<Self>) -> Result<usize, RuntimeError> {
        self.store.release_node(&self.config.node_id).await?;
        self.take_orphans().await
    }

    /// The stored revision `execution` started with, and its compiled state machine (only
    /// Standard executions are stored). Errors: [`RuntimeError::StoredDefinition`] when the
    /// revision is missing or no longer compiles.
    pub(crate) async fn started_revision(
        &self,
        execution: &ExecutionRecord,
    ) -> Result<(fluxo_store::Revision, Arc<StateMachine>), RuntimeError> {
        let revision = self
            .store
            .get_revision(&execution.state_machine_arn, execution.revision)
            .await?
            .ok_or_else(|| RuntimeError::StoredDefinition(execution.state_machine_arn.clone()))?;
        let compiled = self.compiled(
            &revision.state_machine_arn,
            revision.revision,
            &revision.definition,
            fluxo_types::StateMachineType::Standard,
        )?;
        Ok((revision, compiled))
    }

    /// Drives a stored execution again from its events, on the revision it started with.
    pub(crate) async fn resume(
        self: &Arc<Self>,
        execution: ExecutionRecord,
        fence: Fence,
    ) -> Result<(), RuntimeError> {
        let (revision, compiled) = self.started_revision(&execution).await?;
        let recorded = self.recorded_events(&execution.arn).await?;
        // A malformed stored input runs as null rather than not at all.
        let input = serde_json::from_str(&execution.input).unwrap_or(Value::Null);
        self.drive(
            execution,
            compiled,
            revision.role_arn,
            input,
            recorded,
            fence,
        );
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

    /// Whether this node drives the execution now.
    pub(crate) fn is_driven(&self, arn: &str) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(arn)
            .is_some_and(|driver| !driver.handle.is_finished())
    }

    fn drive(
        self: &Arc<Self>,
        execution: ExecutionRecord,
        compiled: Arc<StateMachine>,
        role_arn: String,
        input: Value,
        recorded: Vec<RecordedEvent>,
        fence: Fence,
    ) {
        let runtime = self.clone();
        let arn = execution.arn.clone();
        let token = fence.token;
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let handle = tokio::spawn(async move {
            let arn = execution.arn.clone();
            if let Err(error) = runtime
                .run_durably(execution, compiled, role_arn, input, recorded, fence)
                .await
            {
                tracing::error!(%error, %arn, "execution driver stopped");
            }
            let mut running = runtime.running.lock().unwrap_or_else(|e| e.into_inner());
            // A newer driver of the execution (under a newer lease) stays.
            if running.get(&arn).is_some_and(|d| d.fence.token == token) {
                running.remove(&arn);
            }
        });
        let driver = Driver {
            handle,
            fence: Fence {
                owner: self.config.node_id.clone(),
                token,
            },
            claimed_at: std::time::Instant::now(),
        };
        // This node claimed the execution again (its lease had lapsed): the older driver's
        // transitions are refused anyway; stop it now.
        if let Some(older) = running.insert(arn, driver) {
            older.handle.abort();
        }
    }

    async fn run_durably(
        self: &Arc<Self>,
        execution: ExecutionRecord,
        compiled: Arc<StateMachine>,
        role_arn: String,
        input: Value,
        recorded: Vec<RecordedEvent>,
        fence: Fence,
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
        request.version_arn = execution.version_arn.clone();
        request.alias_arn = execution.alias_arn.clone();
        let env = Arc::new(
            DurableEnvironment::new(
                self.store.clone(),
                self.functions.clone(),
                &execution,
                Some(fence.clone()),
                self.config.unload_after,
                self.changes.clone(),
                self.task_context().await?,
            )
            .with_services(self.config.services.clone()),
        );
        let run = fluxo_engine::resume(compiled, request, env.clone(), recorded);
        tokio::select! {
            // Ended: its last transition cleared the lease.
            _ = run => return Ok(()),
            interruption = env.interrupted() => match interruption {
                // Everything it did is durable (the engine persists before every timer): drop
                // it from memory, and let the timer replay it when due.
                Interruption::Unload(wake_at) => {
                    let park = Transition {
                        execution_arn: execution.arn.clone(),
                        events: Vec::new(),
                        update: None,
                        timer: TimerChange::Set(wake_at.as_millisecond()),
                        fence: Some(fence.clone()),
                    };
                    match self.store.commit(park).await {
                        Ok(()) => {}
                        Err(StoreError::ExecutionClosed { .. } | StoreError::LeaseLost { .. }) => {
                            return Ok(())
                        }
                        Err(error) => return Err(error.into()),
                    }
                }
                Interruption::Refused => {}
            },
        }
        // Parked or refused (an ended execution needs no release): whichever node claims it
        // next may drive it. A release that fails leaves the lease to expire.
        if let Err(error) = self.store.release_lease(&execution.arn, fence).await {
            tracing::warn!(%error, arn = %execution.arn, "cannot release a lease");
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
        if let Some(driver) = handle {
            driver.handle.abort();
            let _ = driver.handle.await;
        }
        self.ensure_started(arn).await?;
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
        // A `.sync` parent waiting on this execution looks again (woken if it left memory).
        self.hub.notify_all(arn);
        if stopped.status == ExecutionStatus::Aborted {
            self.tell_parent(arn).await;
            self.close_map_runs(arn, now_ms).await;
        }
        if stopped.status == ExecutionStatus::Aborted {
            // Stopping a parent stops the children it waits for (`.sync`, `.sync:2`), as
            // AWS does ("Start a new AWS Step Functions state machine from a running
            // execution").
            for child in self.sync_children(arn).await? {
                Box::pin(self.stop(&child, None, None, now_ms)).await?;
            }
        }
        Ok(stopped)
    }

    /// The running children an execution started with `states:startExecution.sync[:2]`,
    /// read from its `TaskSubmitted` events.
    async fn sync_children(&self, arn: &str) -> Result<Vec<String>, RuntimeError> {
        let mut children = Vec::new();
        for recorded in self.recorded_events(arn).await? {
            let event = recorded.event;
            let nested = event.kind == EventType::TaskSubmitted
                && event.detail_text("resourceType").as_deref() == Some("states")
                && event
                    .detail_text("resource")
                    .is_some_and(|resource| resource.starts_with("startExecution.sync"));
            let child = nested
                .then(|| event.detail_text("output"))
                .flatten()
                .and_then(|output| serde_json::from_str::<Value>(&output).ok())
                .and_then(|output| output["ExecutionArn"].as_str().map(str::to_string));
            if let Some(child) = child {
                let running = self
                    .store
                    .get_execution(&child)
                    .await?
                    .is_some_and(|c| c.status == ExecutionStatus::Running);
                if running {
                    children.push(child);
                }
            }
        }
        Ok(children)
    }

    /// A stop that comes before the driver's first commit would leave a history without its
    /// `ExecutionStarted` (AWS's histories always open with it): it is recorded first. A driver
    /// elsewhere that commits it at the same moment wins; either way it is there once.
    async fn ensure_started(&self, arn: &str) -> Result<(), RuntimeError> {
        if !self
            .store
            .events(arn, false, Page::new(1, None))
            .await?
            .items
            .is_empty()
        {
            return Ok(());
        }
        let Some(execution) = self.store.get_execution(arn).await? else {
            return Ok(());
        };
        if execution.status != ExecutionStatus::Running {
            return Ok(());
        }
        let role = self
            .store
            .get_revision(&execution.state_machine_arn, execution.revision)
            .await?
            .map(|revision| revision.role_arn)
            .unwrap_or_default();
        let mut details = fluxo_engine::started_details(&execution.input, &role);
        fluxo_engine::started_through(
            &mut details,
            execution.version_arn.as_deref(),
            execution.alias_arn.as_deref(),
        );
        let started = EventRecord {
            id: 1,
            previous_event_id: 0,
            timestamp_ms: execution.started_ms,
            kind: EventType::ExecutionStarted,
            details: Some(Value::Object(details).to_string()),
            thread: String::new(),
            seq: 0,
        };
        let transition = Transition {
            execution_arn: arn.to_string(),
            events: vec![started],
            update: None,
            timer: TimerChange::Keep,
            fence: None,
        };
        match self.store.commit(transition).await {
            Ok(())
            | Err(StoreError::DuplicateEvent { .. } | StoreError::ExecutionClosed { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// How many Standard executions are in memory now.
    pub fn in_memory(&self) -> usize {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|_, driver| !driver.handle.is_finished());
        running.len()
    }

    /// Waits until every execution this runtime drives has stopped (tests, shutdown).
    pub async fn idle(&self) {
        loop {
            let handles: Vec<JoinHandle<()>> = {
                let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
                running.drain().map(|(_, driver)| driver.handle).collect()
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
        for driver in running.values() {
            driver.handle.abort();
        }
    }
}
