//! The Amazon States Language: the definition model, its parsing and validation, and Choice rules.
//!
//! Architecture invariant: this crate does no I/O and reads no clock. It turns definition text
//! into either a compiled [`model::StateMachine`] or the full list of [`Diagnostic`]s.

pub mod choice;
mod diagnostic;
pub mod model;
pub mod validate;

pub use diagnostic::{Diagnostic, Severity};

/// Validates a definition document and compiles it; either the machine or every diagnostic.
pub fn compile(definition: &serde_json::Value) -> Result<model::StateMachine, Vec<Diagnostic>> {
    let diagnostics: Vec<Diagnostic> = validate::validate(definition)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    model::build(definition)
}
