use crate::{EvalError, Scope};
use rand::RngCore;
use serde_json::Value;

/// A compiled payload template (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath `Assign`).
#[derive(Debug, Clone)]
pub struct PayloadTemplate {}

/// Where a template compile error is: the JSON pointer relative to the template root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub pointer: String,
    pub message: String,
}

impl PayloadTemplate {
    pub fn compile(_template: &Value) -> Result<PayloadTemplate, Vec<TemplateError>> {
        todo!("fluxo-expr: PayloadTemplate::compile")
    }
    /// `field` is the name of the state field being evaluated (e.g. "Parameters"); it appears
    /// in some AWS cause texts.
    pub fn evaluate(&self, _scope: &Scope, _rng: &mut dyn RngCore) -> Result<Value, EvalError> {
        todo!()
    }
}
