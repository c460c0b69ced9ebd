use crate::{EvalError, Scope, SyntaxError};
use rand::RngCore;
use serde_json::Value;

/// A compiled intrinsic function call.
#[derive(Debug, Clone)]
pub struct Intrinsic {}

impl Intrinsic {
    pub fn parse(_source: &str) -> Result<Intrinsic, SyntaxError> {
        todo!("fluxo-expr: Intrinsic::parse")
    }
    pub fn evaluate(&self, _scope: &Scope, _rng: &mut dyn RngCore) -> Result<Value, EvalError> {
        todo!()
    }
}
