//! jsonata-core: parse, bind the case's variables in the evaluator's context, evaluate with its
//! own guardrails (`timeout_ms`, `max_stack_depth`).

use crate::suite::{Case, Outcome};
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::value::JValue;
use serde_json::Value;

pub fn run(case: &Case) -> Outcome {
    let ast = match jsonata_core::parser::parse(&case.expr) {
        Ok(ast) => ast,
        Err(e) => return error(e.to_string()),
    };
    let mut context = Context::new();
    for (name, value) in &case.bindings {
        context.bind(name.clone(), JValue::from(value.clone()));
    }
    let options = EvaluatorOptions {
        timeout_ms: Some(case.timelimit_ms.unwrap_or(crate::DEFAULT_TIMELIMIT_MS)),
        max_stack_depth: case.depth,
        ..EvaluatorOptions::default()
    };
    let data = case
        .data
        .clone()
        .map(JValue::from)
        .unwrap_or(JValue::Undefined);
    match Evaluator::with_options(context, options).evaluate(&ast, &data) {
        Ok(value) => outcome(&value),
        Err(e) => error_of(&e),
    }
}

fn error_of(e: &EvaluatorError) -> Outcome {
    error(e.message().to_string())
}

/// jsonata-core puts the code at the start of most messages, and after a prefix such as
/// "Invalid syntax: " in some: the first `X9999:` anywhere is the code.
fn error(message: String) -> Outcome {
    let code = find_code(&message).map(str::to_string);
    Outcome::Error { code, message }
}

pub fn find_code(message: &str) -> Option<&str> {
    let b = message.as_bytes();
    (0..b.len().saturating_sub(5)).find_map(|i| {
        let at_word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let shaped = b[i].is_ascii_uppercase()
            && b[i + 1..i + 5].iter().all(u8::is_ascii_digit)
            && b[i + 5] == b':';
        (at_word_start && shaped).then(|| &message[i..i + 5])
    })
}

pub fn outcome(value: &JValue) -> Outcome {
    match to_json(value) {
        Some(v) => Outcome::Value(v),
        None => Outcome::Undefined,
    }
}

/// JSON.stringify's reading of a value: undefined and functions vanish from objects and are
/// null in arrays.
pub fn to_json(value: &JValue) -> Option<Value> {
    Some(match value {
        JValue::Undefined | JValue::Lambda(_) | JValue::Builtin { .. } | JValue::Regex { .. } => {
            return None
        }
        JValue::Null => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => number(*n),
        JValue::String(s) => Value::String(s.to_string()),
        JValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| to_json(v).unwrap_or(Value::Null))
                .collect(),
        ),
        JValue::Object(map) => Value::Object(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), to_json(v)?)))
                .collect(),
        ),
    })
}

pub fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}
