//! The storage interface of durable executions, backend-agnostic.
//!
//! One call to [`Store::commit`] is one transaction: the events a transition produced, the
//! execution's new status and its timer change are stored together or not at all, and only
//! while the execution is running (and, under a lease, only while the lease is the current
//! one: see [`lease`]). Backends: `fluxo-store-sqlite` (embedded), `fluxo-store-postgres`
//! (several nodes on one database); [`MemoryStore`] is the reference that defines the behaviour, and [`testing::run_suite`]
//! checks a backend against it.

mod at_rest;
pub mod cipher;
pub mod lease;
mod map_runs;
mod memory;
mod notice;
mod options;
mod page;
mod records;
mod tasks;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod versions;

pub use at_rest::{AtRest, KEY_CHECK};
pub use cipher::{Cipher, KeyError};
pub use lease::{Claim, Claimed, Fence, Lease};
pub use map_runs::{body_of, record_from, MapRunStore, MapRunUpdate};
pub use memory::MemoryStore;
pub use notice::{Notice, Notices, NOTICE_QUEUE};
pub use options::{options_column, options_of_column};
pub use page::{listed, Listing, Page, MAX_PAGE};
pub use records::*;
pub use tasks::*;
pub use versions::*;

use fluxo_types::ExecutionStatus;
use futures::future::BoxFuture;

/// Which refusal happened, so that callers answer each as AWS does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    /// A state machine of that name (its ARN here) exists with another definition, type or
    /// configuration.
    #[error("{0} exists already with another definition or configuration")]
    NameConflict(String),
    /// A page token that this store did not give, or gave for another listing.
    #[error("invalid page token: {0}")]
    InvalidPageToken(String),
    /// An event id the execution already has: another driver committed it first.
    #[error("event {id} of {execution_arn} exists already")]
    DuplicateEvent { execution_arn: String, id: u64 },
    /// A transition for an execution that is no longer running (stopped, or ended by another
    /// driver).
    #[error("{execution_arn} is {status}, not running")]
    ExecutionClosed {
        execution_arn: String,
        status: ExecutionStatus,
    },
    /// A transition made under a lease that is no longer the execution's current one: another
    /// node claimed the execution (or the lease was released). The transition changed nothing.
    #[error("the lease on {execution_arn} is no longer held")]
    LeaseLost { execution_arn: String },
    /// `PublishStateMachineVersion` with a `revisionId` that is not the current one.
    #[error("Failed to publish the State Machine version for revision {requested}. The current State Machine revision is {current}.")]
    RevisionConflict { requested: String, current: String },
    /// A version that aliases (named here) route to.
    #[error("Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{}]", aliases.join(", "))]
    VersionInUse { aliases: Vec<String> },
    /// A per-state-machine quota would be exceeded ([`MAX_VERSIONS`],
    /// [`MAX_ALIASES`]); the text is the message the API gives.
    #[error("{0}")]
    QuotaExceeded(String),
    /// A value sealed with the operator's key that this store cannot open: it was given no
    /// key ([`cipher::NO_KEY`]) or another one ([`cipher::WRONG_KEY`]). Trying again does not
    /// help; the operator must configure the key the data was written with.
    #[error("{0}")]
    Undecryptable(String),
    /// The backend failed (I/O, a lost connection): the operation may be tried again.
    #[error("storage failed: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
pub type StoreFuture<'a, T> = BoxFuture<'a, StoreResult<T>>;

/// Durable state: state machines and their revisions, executions, history events, timers,
/// tags. Every method is one transaction.
pub trait Store: TaskStore + VersionStore + MapRunStore + Send + Sync {
    /// Stores a new state machine (revision 1, or one past any revision an earlier state
    /// machine of that ARN left) with its tags. A repeated creation
    /// ([`StateMachineRecord::same_creation`]) returns the existing record and changes nothing;
    /// another state machine of that name is a [`StoreError::NameConflict`].
    fn create_state_machine(
        &self,
        record: StateMachineRecord,
        tags: Vec<(String, String)>,
    ) -> StoreFuture<'_, Created>;
    fn get_state_machine<'a>(&'a self, arn: &'a str)
        -> StoreFuture<'a, Option<StateMachineRecord>>;
    /// Changes what `update` gives; a new definition or role makes a new revision.
    fn update_state_machine(
        &self,
        update: StateMachineUpdate,
    ) -> StoreFuture<'_, StateMachineRecord>;
    /// Deletes the state machine, its tags, versions and aliases; its revisions stay for its
    /// executions.
    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()>;
    /// By name, `max_results` at a time.
    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>>;
    /// A revision of a state machine, also after the state machine was updated or deleted.
    fn get_revision<'a>(
        &'a self,
        state_machine_arn: &'a str,
        revision: u64,
    ) -> StoreFuture<'a, Option<Revision>>;

    /// Stores a new execution, or finds the one with that ARN.
    fn start_execution(&self, record: ExecutionRecord) -> StoreFuture<'_, Started>;
    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>>;
    /// Newest first, only those `filter` matches. `state_machine_arn` may be a version
    /// ARN (the executions that ran that version, also through an alias), an alias ARN (those
    /// started through it) or a Map Run ARN (its child executions).
    fn list_executions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        filter: ExecutionFilter,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>>;
    /// Keeps a distributed Map's child execution that ended: its record (closed, with
    /// [`ExecutionRecord::map_run_arn`]) and its whole history, in one transaction, replacing
    /// the record and history of an earlier run of the same child (a redriven Map Run runs a
    /// failed child again under its ARN). Never resumed: it is closed when it is written.
    fn record_child_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, ()>;
    /// Running executions without a timer, in start order: what a restarted server resumes at
    /// once (those with a timer stay parked until it is due).
    fn executions_to_resume(&self, page: Page) -> StoreFuture<'_, Listed<ExecutionRecord>>;

    /// One transition, atomically; refused when the execution is not running, or (with a
    /// [`Transition::fence`]) when the fence is not the execution's current lease. A transition
    /// that ends the execution forgets its tasks; a timer set while one of the execution's
    /// tasks is resolved and not yet closed is due no later than that resolution, so that no
    /// wake-up is lost (see [`TaskStore`]).
    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()>;
    /// Ends a running execution from outside: numbers `abort`'s event after the last committed
    /// one (and dates it no earlier), sets the status from its kind, clears the timer. An execution that has already
    /// ended is returned unchanged.
    fn abort_execution(&self, abort: Abort) -> StoreFuture<'_, ExecutionRecord>;
    /// Reopens a closed execution that did not succeed, in one transaction (see [`Redrive`]):
    /// appends `ExecutionRedriven`, sets it RUNNING with its output, error, cause, stop date
    /// and lease cleared, counts the redrive. Refused (unchanged) unless
    /// [`reopenable`]; a repeated client token changes nothing.
    fn redrive_execution(&self, redrive: Redrive) -> StoreFuture<'_, Redriven>;
    /// The history in id order (or reverse), `max_results` at a time.
    fn events<'a>(
        &'a self,
        execution_arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>>;
    /// Executions whose timer is due at `now_ms`, earliest first.
    fn due_timers(&self, now_ms: i64, limit: usize) -> StoreFuture<'_, Vec<Timer>>;

    /// Takes the lease on a running execution whose lease is free or expired (a new
    /// execution, after its start); `None` when it is not running or another node holds it.
    fn claim_execution<'a>(
        &'a self,
        arn: &'a str,
        claim: Claim,
    ) -> StoreFuture<'a, Option<Claimed>>;
    /// Takes the leases of up to `limit` running executions that have no timer and whose lease
    /// is free or expired (their node stopped or died), in start order. Concurrent callers
    /// never claim the same execution.
    fn claim_orphans(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>>;
    /// Takes the leases of up to `limit` executions whose timer is due at `claim.now_ms` and
    /// whose lease is free or expired, removing their timers, earliest first: each timer fires
    /// once, on one node.
    fn claim_due(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>>;
    /// Extends every lease `claim.owner` holds on a running execution to `claim.expires_ms()`;
    /// returns them (a lease missing from the answer was taken over or its execution ended).
    fn renew_leases(&self, claim: Claim) -> StoreFuture<'_, Vec<Lease>>;
    /// Frees the lease if `fence` is still the current one (otherwise changes nothing).
    fn release_lease<'a>(&'a self, execution_arn: &'a str, fence: Fence) -> StoreFuture<'a, ()>;
    /// Frees every lease of `owner`: a node starting with the id of a node that stopped takes
    /// over at once instead of waiting for its leases to expire. Returns how many.
    fn release_node<'a>(&'a self, owner: &'a str) -> StoreFuture<'a, usize>;

    /// Adds or replaces tags of a resource.
    fn tag_resource(&self, arn: String, tags: Vec<(String, String)>) -> StoreFuture<'_, ()>;
    fn untag_resource(&self, arn: String, keys: Vec<String>) -> StoreFuture<'_, ()>;
    /// The resource's tags, by key.
    fn list_tags<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Vec<(String, String)>>;

    /// Opens this node's channel of [`Notice`]s: what other nodes committed that this node
    /// may have to act on (see `notice.rs`). `None` (the default) for a store that one node
    /// owns, where the runtime's own wake-ups suffice; a shared backend listens on a
    /// connection of its own and opens it again when it drops, sending [`Notice::Resync`]
    /// each time it (re)opens. Must be called inside a tokio runtime.
    fn notices(&self) -> Option<Notices> {
        None
    }
}
