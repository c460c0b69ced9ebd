//! [`Expression`]: compile once, evaluate many times.

use crate::convert::{bound_to_jvalue, to_jvalue, ResultWriter};
use crate::error::{ErrorKind, JsonataError};
use crate::rewrite::{original_name, rewrite};
use crate::scope::{Bindings, EvalEnv, Limits};
use crate::session::Session;
use crate::{aws, guards};
use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, EvaluatorError};
use jsonata_core::value::JValue;
use serde_json::Value;
use std::collections::BTreeSet;
use std::rc::Rc;

/// The longest expression text accepted, in bytes. A Step Functions definition is at most
/// 1 MiB; the parser itself refuses nesting deeper than 1,000 levels (`U1002`).
pub const MAX_EXPRESSION_BYTES: usize = 256 * 1024;

/// A compiled JSONata expression: the text between `{%` and `%}` of a state field.
/// `Send + Sync`, so a compiled state machine can share it between executions.
#[derive(Debug, Clone)]
pub struct Expression {
    text: String,
    ast: AstNode,
    /// Every name the rewritten expression reads or calls.
    names: BTreeSet<String>,
}

impl Expression {
    /// Parses `text` (without the `{%` `%}` delimiters).
    ///
    /// Errors: [`ErrorKind::Syntax`] with JSONata's code (`S0201`, `S0202`, `S0203`, ...) and
    /// message, as at `jsonata(text)` in jsonata-js; `U1002` for nesting deeper than 1,000
    /// levels; a text over [`MAX_EXPRESSION_BYTES`].
    pub fn compile(text: &str) -> Result<Expression, JsonataError> {
        if text.len() > MAX_EXPRESSION_BYTES {
            return Err(JsonataError::new(
                ErrorKind::Syntax,
                format!("The expression is longer than {MAX_EXPRESSION_BYTES} bytes"),
            ));
        }
        let mut ast = jsonata_core::parser::parse(text).map_err(|e| {
            let message = e.to_string();
            let message = if message == "Unclosed comment" {
                // jsonata-js: S0106 "Comment has no closing tag".
                "S0106: Comment has no closing tag".to_string()
            } else {
                message
            };
            JsonataError::from_engine(ErrorKind::Syntax, &message)
        })?;
        let names =
            rewrite(&mut ast).map_err(|m| JsonataError::from_engine(ErrorKind::Syntax, &m))?;
        Ok(Expression {
            text: text.to_string(),
            ast,
            names,
        })
    }

    /// The text it was compiled from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates against `input` (`$` at the top of the expression; `None` is `undefined`,
    /// which is what a Step Functions field sees: AWS forbids `$` there) with `bindings` as the
    /// variables. Returns `Ok(None)` when the result is `undefined` (AWS fails the state then:
    /// [`crate::undefined_cause`]).
    ///
    /// `env` is asked for the time only if the expression calls `$now` or `$millis`, and for a
    /// random seed only if it calls `$random` or `$uuid`. Errors: JSONata's evaluation errors
    /// with their codes ([`ErrorKind::Evaluation`]) and the [`Limits`] ([`ErrorKind::Limit`]).
    pub fn evaluate(
        &self,
        input: Option<&Value>,
        bindings: &Bindings<'_>,
        env: &dyn EvalEnv,
        limits: &Limits,
    ) -> Result<Option<Value>, JsonataError> {
        let now = if aws::uses_clock(&self.names) {
            env.now_millis()
        } else {
            0
        };
        let seed = if aws::uses_randomness(&self.names) {
            env.random_seed()
        } else {
            0
        };
        let session = Rc::new(Session::new(limits, now, seed));
        guards::install(&session, &self.names);
        aws::install(&session, &self.names);
        let outcome = self.run(&session, input, bindings);
        session.close();
        let value = outcome.map_err(|e| session.tripped().unwrap_or_else(|| from_evaluator(&e)))?;
        ResultWriter::new(limits.max_result_depth, limits.max_result_bytes).write(&value)
    }

    fn run(
        &self,
        session: &Session,
        input: Option<&Value>,
        bindings: &Bindings<'_>,
    ) -> Result<JValue, EvaluatorError> {
        let mut context = Context::new();
        for name in &self.names {
            if let Some(bound) = bindings.lookup(original_name(name)) {
                context.bind(name.clone(), bound_to_jvalue(&bound));
            }
        }
        let mut evaluator = session
            .evaluator(context)
            .map_err(|e| EvaluatorError::EvaluationError(e.coded_message()))?;
        let data = input.map(to_jvalue).unwrap_or(JValue::Undefined);
        evaluator.evaluate(&self.ast, &data)
    }
}

/// jsonata-core's error as ours: its guardrail codes (`D1011` depth, `D1012` time, `D2015`
/// sequence length, `U1001` its own depth backstop) are Fluxo limits.
fn from_evaluator(e: &EvaluatorError) -> JsonataError {
    let error = JsonataError::from_engine(ErrorKind::Evaluation, e.message());
    match error.code() {
        Some("D1011" | "D1012" | "D2015" | "U1001") => {
            JsonataError::new(ErrorKind::Limit, error.coded_message())
        }
        _ => error,
    }
}
