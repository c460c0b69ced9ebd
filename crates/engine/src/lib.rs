//! Executes ASL state machines.
//!
//! Architecture invariant: the engine does no I/O of its own and reads no clock. Time, randomness
//! and task calls come through [`Environment`], so tests are exact and instant and a durable
//! runtime can record and replay them.

mod history;
mod outcome;

pub use history::HistoryEvent;
pub use outcome::{ExecutionOutcome, ExecutionStatus};
