use crate::{EvalError, SyntaxError};
use serde_json::Value;

/// A compiled reference path for writing (`ResultPath`).
#[derive(Debug, Clone)]
pub struct ReferencePath {
    source: String,
}

impl ReferencePath {
    pub fn parse(_source: &str) -> Result<ReferencePath, SyntaxError> {
        todo!("fluxo-expr: ReferencePath::parse")
    }
    pub fn as_str(&self) -> &str {
        &self.source
    }
    /// Writes `value` into `target` at this path, creating objects on the way as AWS does;
    /// `$` replaces the whole target.
    pub fn write(&self, _target: &mut Value, _value: Value) -> Result<(), EvalError> {
        todo!()
    }
}
