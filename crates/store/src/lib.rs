//! The storage interface of durable executions, backend-agnostic.
//!
//! One call to [`Store::commit`] is one transaction: the events a transition produced, the
//! execution's new status and its timer change are stored together or not at all. Backends:
//! `fluxo-store-sqlite` (embedded), PostgreSQL later; [`MemoryStore`] is the reference that
//! defines the behaviour, and [`testing::run_suite`] checks a backend against it.

mod memory;
mod records;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use memory::MemoryStore;
pub use records::*;

use futures::future::BoxFuture;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    AlreadyExists(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage failed: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
pub type StoreFuture<'a, T> = BoxFuture<'a, StoreResult<T>>;

pub trait Store: Send + Sync {
    /// Stores a new state machine. The same name with the same definition and role returns the
    /// existing record (AWS's idempotent create); with anything else, `AlreadyExists`.
    fn create_state_machine(
        &self,
        record: StateMachineRecord,
    ) -> StoreFuture<'_, StateMachineRecord>;
    fn get_state_machine<'a>(&'a self, arn: &'a str)
        -> StoreFuture<'a, Option<StateMachineRecord>>;
    fn update_state_machine(
        &self,
        update: StateMachineUpdate,
    ) -> StoreFuture<'_, StateMachineRecord>;
    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()>;
    /// By name, `max_results` at a time.
    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>>;

    /// Starts an execution with its first events, idempotently by (state machine, name): the
    /// same input returns the existing execution, another input is a `Conflict`.
    fn start_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, Started>;
    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>>;
    /// Newest first, optionally only those with `status`.
    fn list_executions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        status: Option<&'a str>,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>>;
    /// Every execution still running: what a restarted server resumes.
    fn running_executions(&self) -> StoreFuture<'_, Vec<ExecutionRecord>>;

    /// One transition, atomically.
    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()>;
    /// The history in id order (or reverse), `max_results` at a time.
    fn events<'a>(
        &'a self,
        execution_arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>>;
    /// Executions whose timer is due at `now_ms`, earliest first.
    fn due_timers(&self, now_ms: i64, limit: usize) -> StoreFuture<'_, Vec<Timer>>;

    fn tag_resource(&self, arn: String, tags: Vec<(String, String)>) -> StoreFuture<'_, ()>;
    fn untag_resource(&self, arn: String, keys: Vec<String>) -> StoreFuture<'_, ()>;
    fn list_tags<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Vec<(String, String)>>;
}
