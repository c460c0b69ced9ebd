//! History event types (`HistoryEventType` in the Step Functions API reference), each with what
//! the layers ask of it: its state type, whether it ends an execution, and the key of its
//! details object in `GetExecutionHistory` (`HistoryEvent` in the API reference).

use std::fmt;
use std::str::FromStr;

/// The eight state types of the Amazon States Language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateType {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

impl StateType {
    pub const ALL: [StateType; 8] = [
        StateType::Pass,
        StateType::Task,
        StateType::Choice,
        StateType::Wait,
        StateType::Succeed,
        StateType::Fail,
        StateType::Parallel,
        StateType::Map,
    ];

    /// The `Type` field's spelling, e.g. `Parallel`.
    pub fn as_str(self) -> &'static str {
        match self {
            StateType::Pass => "Pass",
            StateType::Task => "Task",
            StateType::Choice => "Choice",
            StateType::Wait => "Wait",
            StateType::Succeed => "Succeed",
            StateType::Fail => "Fail",
            StateType::Parallel => "Parallel",
            StateType::Map => "Map",
        }
    }
}

impl fmt::Display for StateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that is not one of the API's history event types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a history event type")]
pub struct UnknownEventType(pub String);

/// How an event relates to its state, for the questions the layers ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Entered,
    Exited,
    /// Stopped from outside: a sibling branch failed, or the execution was stopped.
    Aborted,
    /// The state, or the work it started, ended in failure (Failed, TimedOut, ...).
    Failed,
    Other,
}

macro_rules! event_types {
    ($( $variant:ident, $details:expr, $state:expr, $role:ident; )*) => {
        /// One of the API's history event types.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventType {
            $( $variant, )*
        }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$( EventType::$variant, )*];

            /// The API's spelling, e.g. `TaskStateEntered`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( EventType::$variant => stringify!($variant), )*
                }
            }

            /// The key of the event's details in a `HistoryEvent`, e.g.
            /// `taskScheduledEventDetails`; every `*StateEntered` shares
            /// `stateEnteredEventDetails`, every `*StateExited` `stateExitedEventDetails`.
            /// `None` for the event types that have no details (e.g. `TaskStateAborted`).
            pub fn details_key(self) -> Option<&'static str> {
                match self {
                    $( EventType::$variant => $details, )*
                }
            }

            /// The state type whose lifecycle the event belongs to, for the `<Type>State*`
            /// events and those of Parallel and Map (`MapIteration*`, `ParallelStateStarted`).
            pub fn state_type(self) -> Option<StateType> {
                match self {
                    $( EventType::$variant => $state, )*
                }
            }

            fn role(self) -> Role {
                match self {
                    $( EventType::$variant => Role::$role, )*
                }
            }
        }
    };
}

use StateType as S;

event_types! {
    ActivityFailed, Some("activityFailedEventDetails"), None, Failed;
    ActivityScheduled, Some("activityScheduledEventDetails"), None, Other;
    ActivityScheduleFailed, Some("activityScheduleFailedEventDetails"), None, Failed;
    ActivityStarted, Some("activityStartedEventDetails"), None, Other;
    ActivitySucceeded, Some("activitySucceededEventDetails"), None, Other;
    ActivityTimedOut, Some("activityTimedOutEventDetails"), None, Failed;
    ChoiceStateEntered, Some("stateEnteredEventDetails"), Some(S::Choice), Entered;
    ChoiceStateExited, Some("stateExitedEventDetails"), Some(S::Choice), Exited;
    ExecutionAborted, Some("executionAbortedEventDetails"), None, Other;
    ExecutionFailed, Some("executionFailedEventDetails"), None, Other;
    ExecutionStarted, Some("executionStartedEventDetails"), None, Other;
    ExecutionSucceeded, Some("executionSucceededEventDetails"), None, Other;
    ExecutionTimedOut, Some("executionTimedOutEventDetails"), None, Other;
    FailStateEntered, Some("stateEnteredEventDetails"), Some(S::Fail), Entered;
    LambdaFunctionFailed, Some("lambdaFunctionFailedEventDetails"), None, Failed;
    LambdaFunctionScheduled, Some("lambdaFunctionScheduledEventDetails"), None, Other;
    LambdaFunctionScheduleFailed, Some("lambdaFunctionScheduleFailedEventDetails"), None, Failed;
    LambdaFunctionStarted, None, None, Other;
    LambdaFunctionStartFailed, Some("lambdaFunctionStartFailedEventDetails"), None, Failed;
    LambdaFunctionSucceeded, Some("lambdaFunctionSucceededEventDetails"), None, Other;
    LambdaFunctionTimedOut, Some("lambdaFunctionTimedOutEventDetails"), None, Failed;
    MapIterationAborted, Some("mapIterationAbortedEventDetails"), Some(S::Map), Other;
    MapIterationFailed, Some("mapIterationFailedEventDetails"), Some(S::Map), Failed;
    MapIterationStarted, Some("mapIterationStartedEventDetails"), Some(S::Map), Other;
    MapIterationSucceeded, Some("mapIterationSucceededEventDetails"), Some(S::Map), Other;
    MapStateAborted, None, Some(S::Map), Aborted;
    MapStateEntered, Some("stateEnteredEventDetails"), Some(S::Map), Entered;
    MapStateExited, Some("stateExitedEventDetails"), Some(S::Map), Exited;
    MapStateFailed, None, Some(S::Map), Failed;
    MapStateStarted, Some("mapStateStartedEventDetails"), Some(S::Map), Other;
    MapStateSucceeded, None, Some(S::Map), Other;
    ParallelStateAborted, None, Some(S::Parallel), Aborted;
    ParallelStateEntered, Some("stateEnteredEventDetails"), Some(S::Parallel), Entered;
    ParallelStateExited, Some("stateExitedEventDetails"), Some(S::Parallel), Exited;
    ParallelStateFailed, None, Some(S::Parallel), Failed;
    ParallelStateStarted, None, Some(S::Parallel), Other;
    ParallelStateSucceeded, None, Some(S::Parallel), Other;
    PassStateEntered, Some("stateEnteredEventDetails"), Some(S::Pass), Entered;
    PassStateExited, Some("stateExitedEventDetails"), Some(S::Pass), Exited;
    SucceedStateEntered, Some("stateEnteredEventDetails"), Some(S::Succeed), Entered;
    SucceedStateExited, Some("stateExitedEventDetails"), Some(S::Succeed), Exited;
    TaskFailed, Some("taskFailedEventDetails"), None, Failed;
    TaskScheduled, Some("taskScheduledEventDetails"), None, Other;
    TaskStarted, Some("taskStartedEventDetails"), None, Other;
    TaskStartFailed, Some("taskStartFailedEventDetails"), None, Failed;
    TaskStateAborted, None, Some(S::Task), Aborted;
    TaskStateEntered, Some("stateEnteredEventDetails"), Some(S::Task), Entered;
    TaskStateExited, Some("stateExitedEventDetails"), Some(S::Task), Exited;
    TaskSubmitFailed, Some("taskSubmitFailedEventDetails"), None, Failed;
    TaskSubmitted, Some("taskSubmittedEventDetails"), None, Other;
    TaskSucceeded, Some("taskSucceededEventDetails"), None, Other;
    TaskTimedOut, Some("taskTimedOutEventDetails"), None, Failed;
    WaitStateAborted, None, Some(S::Wait), Aborted;
    WaitStateEntered, Some("stateEnteredEventDetails"), Some(S::Wait), Entered;
    WaitStateExited, Some("stateExitedEventDetails"), Some(S::Wait), Exited;
    MapRunAborted, None, None, Other;
    MapRunFailed, Some("mapRunFailedEventDetails"), None, Failed;
    MapRunStarted, Some("mapRunStartedEventDetails"), None, Other;
    MapRunSucceeded, None, None, Other;
    ExecutionRedriven, Some("executionRedrivenEventDetails"), None, Other;
    MapRunRedriven, Some("mapRunRedrivenEventDetails"), None, Other;
    EvaluationFailed, Some("evaluationFailedEventDetails"), None, Failed;
}

impl EventType {
    /// `<Type>StateEntered` of a state type.
    pub fn entered(state: StateType) -> EventType {
        match state {
            StateType::Pass => EventType::PassStateEntered,
            StateType::Task => EventType::TaskStateEntered,
            StateType::Choice => EventType::ChoiceStateEntered,
            StateType::Wait => EventType::WaitStateEntered,
            StateType::Succeed => EventType::SucceedStateEntered,
            StateType::Fail => EventType::FailStateEntered,
            StateType::Parallel => EventType::ParallelStateEntered,
            StateType::Map => EventType::MapStateEntered,
        }
    }

    /// `<Type>StateExited`; a Fail state ends its thread without one.
    pub fn exited(state: StateType) -> Option<EventType> {
        Some(match state {
            StateType::Pass => EventType::PassStateExited,
            StateType::Task => EventType::TaskStateExited,
            StateType::Choice => EventType::ChoiceStateExited,
            StateType::Wait => EventType::WaitStateExited,
            StateType::Succeed => EventType::SucceedStateExited,
            StateType::Fail => return None,
            StateType::Parallel => EventType::ParallelStateExited,
            StateType::Map => EventType::MapStateExited,
        })
    }

    /// `<Type>StateAborted`, recorded when a state is stopped from outside; only the states
    /// that can be busy when that happens have one.
    pub fn aborted(state: StateType) -> Option<EventType> {
        match state {
            StateType::Task => Some(EventType::TaskStateAborted),
            StateType::Wait => Some(EventType::WaitStateAborted),
            StateType::Parallel => Some(EventType::ParallelStateAborted),
            StateType::Map => Some(EventType::MapStateAborted),
            _ => None,
        }
    }

    /// Whether the event is the last of an execution's history.
    pub fn ends_execution(self) -> bool {
        matches!(
            self,
            EventType::ExecutionSucceeded
                | EventType::ExecutionFailed
                | EventType::ExecutionTimedOut
                | EventType::ExecutionAborted
        )
    }

    /// The execution status that an ending event gives.
    pub fn final_status(self) -> Option<crate::ExecutionStatus> {
        use crate::ExecutionStatus as Status;
        match self {
            EventType::ExecutionSucceeded => Some(Status::Succeeded),
            EventType::ExecutionFailed => Some(Status::Failed),
            EventType::ExecutionTimedOut => Some(Status::TimedOut),
            EventType::ExecutionAborted => Some(Status::Aborted),
            _ => None,
        }
    }

    /// `<Type>StateEntered`: a state transition, what AWS counts and bills.
    pub fn is_state_entered(self) -> bool {
        self.role() == Role::Entered
    }

    pub fn is_state_exited(self) -> bool {
        self.role() == Role::Exited
    }

    /// `<Type>StateAborted`.
    pub fn is_state_aborted(self) -> bool {
        self.role() == Role::Aborted
    }

    /// A failure of a state or of the work it started: `TaskFailed`, `LambdaFunctionTimedOut`,
    /// `MapStateFailed`, ... (not the execution's own end).
    pub fn is_failure(self) -> bool {
        self.role() == Role::Failed
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| UnknownEventType(text.to_string()))
    }
}

/// Compares with the API's spelling, e.g. `kind == "TaskFailed"` in tests and recorded cases.
impl PartialEq<&str> for EventType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_event_type_is_known_once_and_round_trips() {
        // HistoryEventType in the API model (botocore stepfunctions 2016-11-23).
        assert_eq!(EventType::ALL.len(), 62);
        for kind in EventType::ALL {
            assert_eq!(kind.as_str().parse::<EventType>(), Ok(*kind));
        }
    }

    #[test]
    fn details_keys_follow_the_api_shape() {
        assert_eq!(
            EventType::TaskScheduled.details_key(),
            Some("taskScheduledEventDetails")
        );
        assert_eq!(
            EventType::MapStateEntered.details_key(),
            Some("stateEnteredEventDetails")
        );
        for kind in EventType::ALL {
            if let Some(key) = kind.details_key() {
                let regular = {
                    let name = kind.as_str();
                    format!("{}{}EventDetails", name[..1].to_lowercase(), &name[1..])
                };
                assert!(
                    key == regular
                        || (kind.is_state_entered() && key == "stateEnteredEventDetails")
                        || (kind.is_state_exited() && key == "stateExitedEventDetails"),
                    "{kind}: {key}"
                );
            }
        }
    }

    #[test]
    fn lifecycle_questions() {
        for state in StateType::ALL {
            let entered = EventType::entered(state);
            assert!(entered.is_state_entered());
            assert_eq!(entered.state_type(), Some(state));
            if let Some(exited) = EventType::exited(state) {
                assert!(exited.is_state_exited());
                assert_eq!(exited.state_type(), Some(state));
            }
        }
        assert!(EventType::ExecutionAborted.ends_execution());
        assert!(!EventType::TaskFailed.ends_execution());
        assert!(EventType::LambdaFunctionTimedOut.is_failure());
        assert!(EventType::WaitStateAborted.is_state_aborted());
    }
}
