//! Choice rules (JSONPath query language): compile from JSON, evaluate against a scope.
use crate::Diagnostic;
use fluxo_expr::{EvalError, Scope};
use serde_json::Value;

/// One top-level entry of a Choice state's `Choices`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub rule: ChoiceRule,
    pub next: String,
    /// The raw `Assign` object of this choice, if any (compiled by the model builder).
    pub assign: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct ChoiceRule {}

/// Compiles the `Choices` array found at JSON pointer `pointer` (e.g. `/States/Check/Choices`).
pub fn compile_choices(_choices: &Value, _pointer: &str) -> Result<Vec<Choice>, Vec<Diagnostic>> {
    todo!("fluxo-asl: compile_choices")
}

impl ChoiceRule {
    pub fn evaluate(&self, _scope: &Scope) -> Result<bool, EvalError> {
        todo!()
    }
}
