//! Validation of a raw definition (a `serde_json::Value`), reporting every problem found.
use crate::Diagnostic;
use serde_json::Value;

/// Checks a parsed definition document and returns every diagnostic (empty when valid).
pub fn validate(_definition: &Value) -> Vec<Diagnostic> {
    todo!("fluxo-asl: validate")
}
