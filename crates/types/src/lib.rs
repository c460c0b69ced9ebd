//! The domain's words as types, shared by every layer: the language core and the engine, the
//! stores, the runtime and the API all speak of the same [`EventType`]s, [`ExecutionStatus`]es,
//! [`StateMachineType`]s and [`arn`]s instead of loose strings.
//!
//! Architecture invariant: no I/O and no dependency on another Fluxo crate, so that anything
//! may depend on it.

pub mod arn;
mod event_type;
pub mod map_run;
mod status;

pub use event_type::{EventType, StateType, UnknownEventType};
pub use status::{ExecutionStatus, StateMachineType, UnknownValue};
