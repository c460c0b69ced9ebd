//! What the store keeps, as plain records: JSON documents stay text, times are epoch
//! milliseconds, so every backend can hold them as they are. Statuses, types and event types
//! are the shared vocabulary's enums (`fluxo-types`).

use fluxo_types::{EventType, ExecutionStatus, StateMachineType};

/// A state machine as `DescribeStateMachine` shows it, with the revision its definition is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachineRecord {
    pub arn: String,
    pub name: String,
    pub kind: StateMachineType,
    pub definition: String,
    pub role_arn: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// Counts the changes of definition or role from 1. Each revision is kept (see
    /// [`Revision`]) so that an execution runs the definition it started with.
    pub revision: u64,
    /// The `loggingConfiguration` as JSON text, when one was given.
    pub logging: Option<String>,
    /// `DescribeStateMachine`'s `revisionId`: absent until the first update, then a fresh
    /// UUID per update (recorded case `api/sfn_api__test_create_update_state_machine_base_definition`).
    pub revision_id: Option<String>,
    /// The `encryptionConfiguration` as JSON text, when one was given (absent: AWS's default,
    /// `AWS_OWNED_KEY`). The SQL backends keep it beside the logging configuration
    /// ([`crate::options_column`]).
    pub encryption: Option<String>,
}

impl StateMachineRecord {
    /// Whether a repeated `CreateStateMachine` with `other` is the same request: AWS compares
    /// the name, definition, type and configuration, and ignores a different `roleArn` or tags
    /// (API reference, CreateStateMachine: "idempotent API").
    pub fn same_creation(&self, other: &StateMachineRecord) -> bool {
        self.name == other.name
            && self.definition == other.definition
            && self.kind == other.kind
            && self.logging == other.logging
            && self.encryption == other.encryption
    }
}

/// What a revision of a state machine runs with; kept after the state machine is updated or
/// deleted, for the executions that started on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub state_machine_arn: String,
    pub revision: u64,
    pub definition: String,
    pub role_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachineUpdate {
    pub arn: String,
    pub definition: Option<String>,
    pub role_arn: Option<String>,
    pub logging: Option<String>,
    /// A new `encryptionConfiguration` (JSON text).
    pub encryption: Option<String>,
    pub updated_ms: i64,
    /// The new `revisionId`.
    pub revision_id: String,
}

impl StateMachineUpdate {
    /// Whether the update gives a logging or encryption configuration other than `current`'s
    /// (such an update gets a new `revisionId` without a new revision).
    pub fn changes_options(&self, current: &StateMachineRecord) -> bool {
        let differs = |new: &Option<String>, old: &Option<String>| {
            new.as_ref().is_some_and(|n| Some(n) != old.as_ref())
        };
        differs(&self.logging, &current.logging) || differs(&self.encryption, &current.encryption)
    }

    /// Whether the update changes what executions run, the definition or the role (compared in
    /// the clear): such an update makes a new revision.
    pub fn runs_differently(&self, current: &StateMachineRecord) -> bool {
        self.definition
            .as_ref()
            .is_some_and(|d| *d != current.definition)
            || self
                .role_arn
                .as_ref()
                .is_some_and(|r| *r != current.role_arn)
    }

    /// The SQL backends' options column after the update: logging and encryption share it
    /// ([`crate::options_column`]), so the whole column is written.
    pub fn options_column(&self, current: &StateMachineRecord) -> Option<String> {
        crate::options_column(
            self.logging.as_deref().or(current.logging.as_deref()),
            self.encryption.as_deref().or(current.encryption.as_deref()),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionRecord {
    pub arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub status: ExecutionStatus,
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub started_ms: i64,
    pub stopped_ms: Option<i64>,
    /// The execution's random seed, so that a resumed execution draws the same numbers.
    pub seed: u64,
    /// The revision of the state machine the execution runs (see [`Revision`]).
    pub revision: u64,
    /// The version it ran, when started through a version or an alias (`stateMachineVersionArn`).
    pub version_arn: Option<String>,
    /// The alias it was started through (`stateMachineAliasArn`).
    pub alias_arn: Option<String>,
    /// How many times it was redriven (`redriveCount`, API reference DescribeExecution).
    pub redrive_count: u32,
    /// When it was last redriven (`redriveDate`), epoch ms.
    pub redrive_ms: Option<i64>,
    /// The Map Run it ran in, for a distributed Map's child execution (`mapRunArn`; its
    /// record is written whole when it ends, see [`crate::Store::record_child_execution`]).
    pub map_run_arn: Option<String>,
}

/// A history event with its position (thread and sequence), as the engine's journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp_ms: i64,
    pub kind: EventType,
    /// The event's details as JSON text.
    pub details: Option<String>,
    pub thread: String,
    pub seq: u32,
}

/// How an execution ended, written with its last event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionUpdate {
    pub status: ExecutionStatus,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub stopped_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerChange {
    Keep,
    /// Wake the execution at this time (epoch ms); replaces any earlier timer.
    Set(i64),
    Clear,
}

/// Everything one state transition changes, stored in one transaction. Refused with
/// [`crate::StoreError::ExecutionClosed`] when the execution is no longer running, in the same
/// transaction that checks it: a stopped execution takes no more events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub execution_arn: String,
    pub events: Vec<EventRecord>,
    pub update: Option<ExecutionUpdate>,
    pub timer: TimerChange,
    /// The lease the transition is made under, checked in the same transaction
    /// ([`crate::StoreError::LeaseLost`] when it is no longer the current one); `None` applies
    /// it whoever holds the execution (single-node tools and tests).
    pub fence: Option<crate::Fence>,
}

/// An execution stopped from outside (`StopExecution`): its last event, which the store numbers
/// after the events already committed, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abort {
    pub execution_arn: String,
    pub kind: EventType,
    pub details: Option<String>,
    pub timestamp_ms: i64,
    pub error: Option<String>,
    pub cause: Option<String>,
}

/// `RedriveExecution` (API reference): reopens a closed execution that did not succeed. The
/// store numbers `ExecutionRedriven` after the last event, on the execution's own thread after
/// its last position (the engine's replay cuts there, see `fluxo-engine`'s `redrive.rs`), sets
/// it RUNNING with no lease (the caller claims it), and counts the redrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redrive {
    pub execution_arn: String,
    pub timestamp_ms: i64,
    /// The `redriveCount` the caller decided on: the redrive applies only while the execution
    /// still has it and is FAILED, ABORTED or TIMED_OUT, so two racing redrives redrive once.
    pub expected_count: u32,
    /// `clientToken`: the same token as the last redrive's, within [`REDRIVE_TOKEN_MS`],
    /// changes nothing and answers [`Redriven::Repeated`].
    pub client_token: Option<String>,
    /// Extra fields of `ExecutionRedriven`'s details beyond `redriveCount` (Fluxo's
    /// restart-from-state extension), as a JSON object's text.
    pub extra_details: Option<String>,
}

/// How long AWS honours a `RedriveExecution` `clientToken` (API reference: "valid for up to
/// 15 minutes after they are first used").
pub const REDRIVE_TOKEN_MS: i64 = 15 * 60 * 1000;

/// The answer to `redrive_execution`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redriven {
    /// Reopened: the record as it is now.
    Redriven(ExecutionRecord),
    /// The last redrive had the same client token: nothing changed.
    Repeated(ExecutionRecord),
    /// Not reopened (it is running or succeeded, or another redrive came first): the record
    /// as it is.
    Refused(ExecutionRecord),
}

/// Which executions `list_executions` lists (ListExecutions' `statusFilter`, `redriveFilter`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExecutionFilter {
    pub status: Option<ExecutionStatus>,
    /// `Some(true)`: only those redriven at least once (`REDRIVEN`); `Some(false)`: only the
    /// others (`NOT_REDRIVEN`).
    pub redriven: Option<bool>,
}

impl ExecutionFilter {
    pub fn matches(&self, record: &ExecutionRecord) -> bool {
        self.status.is_none_or(|status| record.status == status)
            && self
                .redriven
                .is_none_or(|redriven| (record.redrive_count > 0) == redriven)
    }
}

impl From<Option<ExecutionStatus>> for ExecutionFilter {
    fn from(status: Option<ExecutionStatus>) -> Self {
        ExecutionFilter {
            status,
            redriven: None,
        }
    }
}

/// The `ExecutionRedriven` event a redrive appends after `events`' last, as every backend
/// numbers it.
pub fn redriven_event(
    redrive: &Redrive,
    last_id: u64,
    latest_ms: i64,
    root_next_seq: u32,
    count: u32,
) -> EventRecord {
    let mut details = serde_json::Map::new();
    details.insert("redriveCount".into(), serde_json::json!(count));
    if let Some(extra) = redrive
        .extra_details
        .as_deref()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .and_then(|value| value.as_object().cloned())
    {
        details.extend(extra);
    }
    EventRecord {
        id: last_id + 1,
        previous_event_id: last_id,
        timestamp_ms: redrive.timestamp_ms.max(latest_ms),
        kind: EventType::ExecutionRedriven,
        details: Some(serde_json::Value::Object(details).to_string()),
        thread: String::new(),
        seq: root_next_seq,
    }
}

/// Whether a closed execution may be reopened by a redrive (the store's own check; the
/// runtime checks AWS's other conditions first).
pub fn reopenable(record: &ExecutionRecord, expected_count: u32) -> bool {
    matches!(
        record.status,
        ExecutionStatus::Failed | ExecutionStatus::Aborted | ExecutionStatus::TimedOut
    ) && record.redrive_count == expected_count
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    pub execution_arn: String,
    pub fire_at_ms: i64,
}

/// The answer to `start_execution`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// A new execution was stored.
    Created(ExecutionRecord),
    /// An execution with that ARN exists already (whatever its input or status: the caller
    /// applies AWS's idempotency rule).
    Existing(ExecutionRecord),
}

/// The answer to `create_state_machine`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Created(StateMachineRecord),
    /// The same creation was made before ([`StateMachineRecord::same_creation`]): the existing
    /// record, unchanged (its role and tags are not updated).
    Existing(StateMachineRecord),
}

impl Created {
    pub fn record(&self) -> &StateMachineRecord {
        match self {
            Created::Created(record) | Created::Existing(record) => record,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}
