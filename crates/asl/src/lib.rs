//! The Amazon States Language: the definition model, its parsing and validation, and Choice rules.
//!
//! Architecture invariant: this crate does no I/O and reads no clock. It turns definition text
//! into either a compiled [`model::StateMachine`] or the full list of [`Diagnostic`]s.

pub mod choice;
mod diagnostic;
pub mod model;
mod references;
pub mod validate;
pub mod walk;

pub use diagnostic::{Diagnostic, Severity};
pub use references::variable_references;

/// Validates a definition document and compiles it; either the machine or every diagnostic.
pub fn compile(definition: &serde_json::Value) -> Result<model::StateMachine, Vec<Diagnostic>> {
    let diagnostics = validate::rules(definition);
    if !validate::is_valid(&diagnostics) {
        return Err(diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect());
    }
    model::build(definition)
}
