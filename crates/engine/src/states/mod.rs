//! One module per state type. Each `run` performs one attempt at the state and returns what it
//! produced; entering, exiting, Retry and Catch are the lifecycle's business (`step.rs`). Each
//! module opens with the events an attempt records, in order.

pub(crate) mod choice;
pub(crate) mod fail;
pub(crate) mod map;
pub(crate) mod parallel;
pub(crate) mod pass;
pub(crate) mod succeed;
pub(crate) mod task;
pub(crate) mod wait;
