//! Running executions, Standard and Express alike: the one owner of "running an execution".
//!
//! Standard executions are durable: driven by `fluxo_engine::resume` over the events their
//! store holds (none for a new one), each hand-over of new events is one store transaction
//! before the engine acts, and after a restart [`Runtime::recover`] resumes every running
//! execution that is not parked on a timer (a timer wakes those). Each execution runs the
//! revision of its state machine that it started with. A node drives only the executions it
//! holds a lease on (`fluxo_store::lease`, `nodes.rs`), so several nodes can share one
//! database: each claims new, orphaned and due executions, renews its leases, and stops
//! driving when it loses them. Express executions run in memory
//! (`express.rs`): synchronously for `StartSyncExecution`, asynchronously for
//! `StartExecution`; nothing of them is stored, so an asynchronous one in flight when the
//! process dies is lost (AWS runs them at least once; Fluxo at most once).

mod activities;
mod catalog;
mod definitions;
mod durable;
mod durable_tasks;
pub mod execution_log;
mod express;
pub mod http;
mod hub;
mod jobs;
mod listen;
mod map_runs;
mod nested;
mod nodes;
mod own_api;
mod own_executions;
mod pollers;
mod redrive;
mod services;
mod standard;
mod tokens;
mod versions;

pub use activities::MAX_POLL;
pub use catalog::{Loaded, FRESH_FOR};
pub use definitions::{integration_diagnostics, prepare, prepare_new, DefinitionError};
pub use durable::{DurableEnvironment, Interruption, TaskContext};
pub use execution_log::{ExecutionLog, Level, LoggingConfig, LoggingError};
pub use express::ExpressOutcome;
pub use fluxo_engine::{
    find_state, ExecutionRequest, Mock, TestStateOutcome, TestStateRequest, TestStatus,
};
/// The engine's renderer of history events, for the API and the console.
pub use fluxo_engine::{render_event, without_execution_data};
pub use hub::Hub;
pub use jobs::JOB_RECHECK;
pub use own_api::OWN_ACTIONS;
pub use pollers::MAX_POLLERS_PER_ACTIVITY;
pub use redrive::{
    redrive_status, RedriveFacts, RedriveStatus, Restart, MAX_OPEN_MS, REDRIVABLE_MS,
};
pub use services::AwsServices;
pub use standard::ExecutionInput;
pub use tokens::{TokenClaims, TokenSigner, MAX_TOKEN_CHARS};
pub use versions::{is_unqualified, pick};

use catalog::Catalog;
use fluxo_engine::{FunctionInvoker, NoServices, ServiceInvoker};
use fluxo_store::{Created, StateMachineRecord, StateMachineUpdate, Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// The stack every thread that runs executions needs (see `fluxo_engine::MIN_STACK_BYTES`):
/// the server's worker threads, and tests that stand in for them.
pub const WORKER_STACK_BYTES: usize = fluxo_engine::MIN_STACK_BYTES;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    #[error("State Machine Does Not Exist: '{0}'")]
    StateMachineDoesNotExist(String),
    #[error("Execution Does Not Exist: '{0}'")]
    ExecutionDoesNotExist(String),
    /// A name used by a closed execution, or by a running one with another input.
    #[error("Execution Already Exists: '{0}'")]
    ExecutionAlreadyExists(String),
    /// A state machine of that name with another definition, type or configuration.
    #[error("State Machine Already Exists: '{0}'")]
    StateMachineAlreadyExists(String),
    /// A stored revision that this Fluxo cannot compile (written by another version).
    #[error("the stored definition of {0} no longer compiles")]
    StoredDefinition(String),
    #[error("Activity Does Not Exist: '{0}'")]
    ActivityDoesNotExist(String),
    /// `GetActivityTask` past [`MAX_POLLERS_PER_ACTIVITY`] open polls of one activity.
    #[error(
        "The maximum number of workers concurrently polling for activity tasks has been reached."
    )]
    ActivityWorkerLimitExceeded,
    /// A task token this store did not sign.
    #[error("Invalid Token: 'Invalid token'")]
    InvalidToken,
    /// A signed token of an execution that does not exist.
    #[error("Task Does Not Exist: 'Provided task does not exist'")]
    TaskDoesNotExist,
    /// A signed token whose task has ended (completed, timed out, or its execution ended).
    #[error("Task Timed Out: 'Provided task does not exist anymore'")]
    TaskTimedOut,
    /// `RedriveExecution` of an execution that cannot be redriven: AWS's reason.
    #[error("{0}")]
    ExecutionNotRedrivable(String),
    /// Fluxo's restart with a state or input it cannot run from.
    #[error("{0}")]
    InvalidRestart(String),
}

impl From<StoreError> for RuntimeError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NameConflict(arn) => RuntimeError::StateMachineAlreadyExists(arn),
            other => RuntimeError::Store(other),
        }
    }
}

/// What the operator configures.
pub struct RuntimeConfig {
    pub region: String,
    pub account: String,
    /// Executions that wait longer than this on timers alone are unloaded from memory; `None`
    /// keeps every execution in memory until it ends.
    pub unload_after: Option<Duration>,
    /// Where Express executions' log records go, if anywhere.
    pub execution_log: Option<Arc<ExecutionLog>>,
    /// This node's id among the nodes sharing the store (default `local`, for a store that one
    /// node owns). A node that starts with an id releases the leases that id held.
    pub node_id: String,
    /// How long a lease lasts without a renewal (default [`LEASE_TTL`]): how soon the other
    /// nodes take over the executions of a node that died. Renewed every third of it.
    pub lease_ttl: Duration,
    /// What makes HTTP Tasks' calls (`http::HttpTasks` with the operator's `[http]` table);
    /// `None`: an HTTP Task fails with `States.Runtime`.
    pub http: Option<Arc<dyn fluxo_engine::HttpCaller>>,
    /// The AWS service integrations Task states call (`[aws]` of `fluxo.toml`, through
    /// [`AwsServices`]); by default none, and every call fails with `States.Runtime`.
    pub services: Arc<dyn ServiceInvoker>,
    /// Open `GetActivityTask` polls one activity may have at once; past it a poll is refused
    /// with `ActivityWorkerLimitExceeded`. AWS's quota, [`MAX_POLLERS_PER_ACTIVITY`], by
    /// default (like AWS's, a quota that can be raised).
    pub max_pollers_per_activity: usize,
    /// How often an unloaded execution waiting on a watched `.sync` job wakes, so that a watch
    /// lost with a restart is taken up again by its replay ([`JOB_RECHECK`] by default).
    pub job_recheck: Duration,
}

impl RuntimeConfig {
    pub fn new(region: &str, account: &str) -> Self {
        RuntimeConfig {
            region: region.to_string(),
            account: account.to_string(),
            unload_after: Some(UNLOAD_AFTER),
            execution_log: None,
            node_id: "local".to_string(),
            lease_ttl: LEASE_TTL,
            http: None,
            services: Arc::new(NoServices),
            max_pollers_per_activity: MAX_POLLERS_PER_ACTIVITY,
            job_recheck: JOB_RECHECK,
        }
    }
}

/// The default for [`RuntimeConfig::unload_after`].
pub const UNLOAD_AFTER: Duration = Duration::from_secs(10);

/// The default for [`RuntimeConfig::lease_ttl`].
pub const LEASE_TTL: Duration = Duration::from_secs(30);

pub struct Runtime {
    store: Arc<dyn Store>,
    functions: Arc<dyn FunctionInvoker>,
    config: RuntimeConfig,
    catalog: Catalog,
    /// Drivers of the Standard executions in memory, by ARN.
    running: Mutex<HashMap<String, nodes::Driver>>,
    /// The ARN of every execution that changed (new events, a stop): what live views follow.
    changes: broadcast::Sender<std::sync::Arc<str>>,
    /// Wake-ups of executions waiting on tasks and of activity pollers.
    hub: Arc<Hub>,
    /// The open `GetActivityTask` polls of each activity.
    pollers: pollers::Pollers,
    /// Signs task tokens with the store's secret (read once).
    signer: tokio::sync::OnceCell<TokenSigner>,
    /// Wakes the background task of `nodes.rs` before its next poll (`listen.rs`).
    poke: tokio::sync::Notify,
    /// Distributed Maps' Standard child executions running here, closed ABORTED when their
    /// parent ends without them (`map_runs.rs`).
    map_children: map_runs::RunningChildren,
    /// The `.sync` jobs of AWS services being watched (`jobs.rs`).
    watches: Arc<jobs::Watches>,
}

impl Runtime {
    pub fn new(
        store: Arc<dyn Store>,
        functions: Arc<dyn FunctionInvoker>,
        config: RuntimeConfig,
    ) -> Arc<Self> {
        Arc::new(Runtime {
            store,
            functions,
            config,
            catalog: Catalog::default(),
            running: Mutex::new(HashMap::new()),
            changes: broadcast::channel(1024).0,
            hub: Arc::new(Hub::default()),
            pollers: pollers::Pollers::default(),
            signer: tokio::sync::OnceCell::new(),
            poke: tokio::sync::Notify::new(),
            map_children: Default::default(),
            watches: Default::default(),
        })
    }

    /// TestState (API reference): one attempt at one state, in memory; a Task that is not
    /// mocked calls the operator's functions as an Express execution would. `None` when the
    /// state did not complete within `limit` (a long Wait, a slow function).
    pub async fn test_state(
        &self,
        request: TestStateRequest,
        limit: Duration,
    ) -> Option<TestStateOutcome> {
        let env = fluxo_engine::SystemEnvironment::new(self.functions.clone());
        tokio::time::timeout(limit, fluxo_engine::test_state(request, &env))
            .await
            .ok()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Makes an HTTP Task's call for an execution of this runtime.
    pub(crate) async fn call_http(
        &self,
        parameters: serde_json::Value,
    ) -> Result<serde_json::Value, fluxo_engine::TaskFailure> {
        match &self.config.http {
            Some(http) => http.call(parameters).await,
            None => Err(http::unavailable()),
        }
    }

    pub fn region(&self) -> &str {
        &self.config.region
    }

    pub fn account(&self) -> &str {
        &self.config.account
    }

    /// Notices of executions that changed: their ARNs, as their changes are committed.
    pub fn subscribe(&self) -> broadcast::Receiver<std::sync::Arc<str>> {
        self.changes.subscribe()
    }

    /// Stores a new state machine whose definition [`prepare`] compiled, keeping the compiled
    /// form for its executions.
    pub async fn create_state_machine(
        &self,
        record: StateMachineRecord,
        tags: Vec<(String, String)>,
        compiled: Arc<fluxo_asl::model::StateMachine>,
    ) -> Result<Created, RuntimeError> {
        let created = self.store.create_state_machine(record, tags).await?;
        if let Created::Created(record) = &created {
            self.catalog
                .remember(&record.arn, record.revision, compiled);
        }
        Ok(created)
    }

    /// Changes a state machine (a new definition was compiled by [`prepare`]); running
    /// executions keep the revision they started with.
    pub async fn update_state_machine(
        &self,
        update: StateMachineUpdate,
        compiled: Option<Arc<fluxo_asl::model::StateMachine>>,
    ) -> Result<StateMachineRecord, RuntimeError> {
        let arn = update.arn.clone();
        let updated = self
            .store
            .update_state_machine(update)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(arn) => RuntimeError::StateMachineDoesNotExist(arn),
                other => other.into(),
            })?;
        self.catalog.forget(&arn);
        if let Some(compiled) = compiled {
            self.catalog.remember(&arn, updated.revision, compiled);
        }
        Ok(updated)
    }

    /// Deletes a state machine; its running executions run to their end, as on AWS.
    pub async fn delete_state_machine(&self, arn: &str) -> Result<(), RuntimeError> {
        self.store.delete_state_machine(arn).await?;
        self.catalog.forget(arn);
        Ok(())
    }

    /// A state machine with its compiled definition, read from the store (or, for the
    /// Express hot path with `fresh_enough`, from a copy at most [`FRESH_FOR`] old). A version
    /// ARN loads that version; an alias ARN one of its versions, drawn by weight.
    pub async fn state_machine(
        &self,
        arn: &str,
        fresh_enough: bool,
    ) -> Result<Loaded, RuntimeError> {
        if let Some(qualifier) = versions::qualifier_of(arn) {
            return self.qualified(arn, qualifier).await;
        }
        if fresh_enough {
            if let Some(loaded) = self.catalog.fresh(arn) {
                return Ok(loaded);
            }
        }
        let record = self
            .store
            .get_state_machine(arn)
            .await?
            .ok_or_else(|| RuntimeError::StateMachineDoesNotExist(arn.to_string()))?;
        let compiled = self.compiled(
            &record.arn,
            record.revision,
            &record.definition,
            record.kind,
        )?;
        let loaded = Loaded {
            record: Arc::new(record),
            compiled,
            version_arn: None,
            alias_arn: None,
        };
        self.catalog.set_fresh(loaded.clone());
        Ok(loaded)
    }

    /// The compiled form of a revision, compiled at most once per node.
    fn compiled(
        &self,
        arn: &str,
        revision: u64,
        definition: &str,
        kind: fluxo_types::StateMachineType,
    ) -> Result<Arc<fluxo_asl::model::StateMachine>, RuntimeError> {
        if let Some(compiled) = self.catalog.compiled(arn, revision) {
            return Ok(compiled);
        }
        let compiled = prepare(definition, kind)
            .map_err(|_| RuntimeError::StoredDefinition(arn.to_string()))?;
        self.catalog.remember(arn, revision, compiled.clone());
        Ok(compiled)
    }
}
