//! Test support shared by the integration tests.

pub mod adapter;
pub mod suite;
