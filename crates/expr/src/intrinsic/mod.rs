//! Intrinsic function calls (`States.Format(...)` and friends) of the JSONPath query language.
//!
//! Failures follow what AWS reports: error `States.Runtime`, message
//! `The function '<call as written>' had the following error: <detail>`, where the detail is
//! for instance `Invalid arguments in States.MathAdd` or
//! `The JsonPath argument for the field '$.x' could not be found in the input '{"a":1}'`.
//! The engine puts its usual "An error occurred while executing the state ..." prefix in front.

mod codec;
mod functions;
mod java_random;
mod parser;
pub(crate) mod render;

use crate::{EvalError, Scope, SyntaxError};
use functions::FunctionError;
use parser::{Arg, Call};
use rand::RngCore;
use serde_json::Value;

/// A compiled intrinsic function call.
#[derive(Debug, Clone)]
pub struct Intrinsic {
    source: String,
    call: Call,
}

/// Why evaluation stopped; rendered as the detail part of the cause.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Function(#[from] FunctionError),
    #[error(
        "The JsonPath argument for the field '{path}' could not be found in the input '{input}'"
    )]
    PathNotFound { path: String, input: String },
    #[error("{}", .0.message)]
    Path(EvalError),
    /// Fluxo's bounds on what an expression builds: the error as it is.
    #[error("{}", .0.message)]
    Limit(EvalError),
}

impl Intrinsic {
    /// Compiles a call such as `States.Format('{} {}', $.a, States.UUID())`. Syntax is checked
    /// here; argument counts and types are checked when the call is evaluated, as AWS does.
    pub fn parse(source: &str) -> Result<Intrinsic, SyntaxError> {
        let call = parser::parse(source)?;
        Ok(Intrinsic {
            source: source.to_string(),
            call,
        })
    }

    /// The call as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Evaluates the call. Fails with `States.DataLimitExceeded` rather than build more than
    /// [`crate::MAX_BUILT_BYTES`] in all (nested calls can double a value at every level).
    pub fn evaluate(&self, scope: &Scope, rng: &mut dyn RngCore) -> Result<Value, EvalError> {
        let mut budget = crate::MAX_BUILT_BYTES;
        evaluate_call(&self.call, scope, rng, &mut budget).map_err(|failure| {
            if let Failure::Limit(error) = failure {
                return error;
            }
            let error = match &failure {
                Failure::Path(inner) => inner.error.clone(),
                _ => "States.Runtime".to_string(),
            };
            EvalError {
                error,
                message: format!(
                    "The function '{}' had the following error: {failure}",
                    self.source
                ),
            }
        })
    }
}

/// One stack frame per nested call: the parser refuses more than 64 levels.
fn evaluate_call(
    call: &Call,
    scope: &Scope,
    rng: &mut dyn RngCore,
    budget: &mut usize,
) -> Result<Value, Failure> {
    let mut values = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        values.push(evaluate_arg(arg, scope, rng, budget)?);
    }
    // A literal template keeps its escapes so that `\{` is not taken for a placeholder.
    let template = match call.args.first() {
        Some(Arg::Text { raw, .. }) => Some(raw.as_str()),
        _ => None,
    };
    let result = functions::apply(call.function, values, template, rng)?;
    crate::template::charge_at(&result, budget, 0).map_err(Failure::Limit)?;
    Ok(result)
}

fn evaluate_arg(
    arg: &Arg,
    scope: &Scope,
    rng: &mut dyn RngCore,
    budget: &mut usize,
) -> Result<Value, Failure> {
    match arg {
        Arg::Literal(value) => Ok(value.clone()),
        Arg::Text { value, .. } => Ok(Value::String(value.clone())),
        Arg::Call(call) => evaluate_call(call, scope, rng, budget),
        Arg::Path(path) => match path.select(scope) {
            Ok(Some(value)) => {
                crate::template::charge_at(&value, budget, 0).map_err(Failure::Limit)?;
                Ok(value.into_owned())
            }
            Ok(None) => {
                let text = path.as_str();
                // AWS names a missing `$$.a` argument as `$.a` and quotes the state input.
                let shown = text.strip_prefix('$').filter(|rest| rest.starts_with('$'));
                Err(Failure::PathNotFound {
                    path: shown.unwrap_or(text).to_string(),
                    input: render::json_text(scope.input),
                })
            }
            Err(error) => Err(Failure::Path(error)),
        },
    }
}

#[cfg(test)]
mod tests;
