//! What the store keeps, as plain records: JSON documents stay text, times are epoch
//! milliseconds, so every backend can hold them as they are.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateMachineRecord {
    pub arn: String,
    pub name: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: String,
    pub definition: String,
    pub role_arn: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub revision: u64,
    /// The `loggingConfiguration` as JSON text, when one was given.
    pub logging: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachineUpdate {
    pub arn: String,
    pub definition: Option<String>,
    pub role_arn: Option<String>,
    pub logging: Option<String>,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    pub arn: String,
    pub state_machine_arn: String,
    pub name: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: String,
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub started_ms: i64,
    pub stopped_ms: Option<i64>,
    /// The execution's random seed, so that a resumed execution draws the same numbers.
    pub seed: u64,
}

/// A history event with its position (thread and sequence), as the engine's journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp_ms: i64,
    pub kind: String,
    /// The event's details as JSON text.
    pub details: Option<String>,
    pub thread: String,
    pub seq: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionUpdate {
    pub status: String,
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

/// Everything one state transition changes, stored in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub execution_arn: String,
    pub events: Vec<EventRecord>,
    pub update: Option<ExecutionUpdate>,
    pub timer: TimerChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    pub execution_arn: String,
    pub fire_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub record: ExecutionRecord,
    /// False when the execution already existed with the same input.
    pub created: bool,
}

/// A page request: at most `max_results` (0 means the default of 100), after `next_token`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub max_results: usize,
    pub next_token: Option<String>,
}

impl Page {
    pub fn limit(&self) -> usize {
        match self.max_results {
            0 => 100,
            n => n.min(1000),
        }
    }

    /// Tokens are opaque to callers; the store uses the offset they carry.
    pub fn offset(&self) -> Result<usize, crate::StoreError> {
        match &self.next_token {
            None => Ok(0),
            Some(token) => token
                .strip_prefix("o")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| crate::StoreError::Conflict(format!("invalid token: {token}"))),
        }
    }

    /// The token for the page after `shown` items from `offset`, if more remain.
    pub fn next(offset: usize, shown: usize, total: usize) -> Option<String> {
        (offset + shown < total).then(|| Self::token_at(offset + shown))
    }

    /// The token of the page that starts at `offset`.
    pub fn token_at(offset: usize) -> String {
        format!("o{offset}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}
