use crate::{EvalError, Scope, SyntaxError};
use serde_json::Value;

/// A compiled JSONPath for reading: `$...` (input), `$$...` (context object) or `$name...` (variable).
#[derive(Debug, Clone)]
pub struct Path {
    source: String,
}

impl Path {
    pub fn parse(_source: &str) -> Result<Path, SyntaxError> {
        todo!("fluxo-expr: Path::parse")
    }
    pub fn as_str(&self) -> &str {
        &self.source
    }
    /// True when the path can select at most one node (no wildcards, filters, slices, unions,
    /// recursive descent); AWS returns the node itself for definite paths and an array for others.
    pub fn is_definite(&self) -> bool {
        todo!()
    }
    /// Reads the value. `Ok(None)` when a definite path selects nothing; the caller decides which
    /// error that is, because the cause text names the field.
    pub fn read(&self, _scope: &Scope) -> Result<Option<Value>, EvalError> {
        todo!()
    }
}
