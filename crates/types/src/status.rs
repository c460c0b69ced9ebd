//! Execution statuses and state machine types, spelled as the Step Functions API spells them
//! (`ExecutionStatus` and `StateMachineType` in the API reference).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A value that is not one of the API's enum members.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {what}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// The status of an execution (`DescribeExecution`'s `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
    /// A redriven execution that has not started running again yet.
    PendingRedrive,
}

impl ExecutionStatus {
    pub const ALL: [ExecutionStatus; 6] = [
        ExecutionStatus::Running,
        ExecutionStatus::Succeeded,
        ExecutionStatus::Failed,
        ExecutionStatus::TimedOut,
        ExecutionStatus::Aborted,
        ExecutionStatus::PendingRedrive,
    ];

    /// The API's spelling, e.g. `TIMED_OUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
            ExecutionStatus::PendingRedrive => "PENDING_REDRIVE",
        }
    }

    /// Whether the execution has ended: nothing may be added to its history any more (until a
    /// redrive reopens it).
    pub fn is_closed(self) -> bool {
        !matches!(
            self,
            ExecutionStatus::Running | ExecutionStatus::PendingRedrive
        )
    }
}

impl fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExecutionStatus {
    type Err = UnknownValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| UnknownValue {
                what: "execution status",
                value: text.to_string(),
            })
    }
}

/// Standard (durable, exactly once, up to a year) or Express (in memory, at most 5 minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StateMachineType {
    #[default]
    Standard,
    Express,
}

impl StateMachineType {
    /// The API's spelling: `STANDARD` or `EXPRESS`.
    pub fn as_str(self) -> &'static str {
        match self {
            StateMachineType::Standard => "STANDARD",
            StateMachineType::Express => "EXPRESS",
        }
    }
}

impl fmt::Display for StateMachineType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StateMachineType {
    type Err = UnknownValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "STANDARD" => Ok(StateMachineType::Standard),
            "EXPRESS" => Ok(StateMachineType::Express),
            _ => Err(UnknownValue {
                what: "state machine type",
                value: text.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_api_spelling() {
        for status in ExecutionStatus::ALL {
            assert_eq!(status.as_str().parse::<ExecutionStatus>(), Ok(status));
        }
        assert!("running".parse::<ExecutionStatus>().is_err());
        assert!(ExecutionStatus::Aborted.is_closed());
        assert!(!ExecutionStatus::Running.is_closed());
        assert_eq!("EXPRESS".parse(), Ok(StateMachineType::Express));
        assert!("Express".parse::<StateMachineType>().is_err());
    }
}
