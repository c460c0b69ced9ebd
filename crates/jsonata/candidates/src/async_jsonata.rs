//! async_jsonata_rust: `Evaluator::with_builtins`, bindings as its own JSON values, the
//! synchronous facade (a worker thread per evaluation). It has no time limit; its depth guard
//! is set from the case.

use crate::suite::{Case, Outcome};
use async_jsonata_rust::{Evaluator, EvaluatorOptions, JsonArray, JsonObject, JsonValue};
use serde_json::Value;

pub fn run(case: &Case) -> Outcome {
    let mut options = EvaluatorOptions::default();
    if let Some(depth) = case.depth {
        options.max_non_tail_depth = Some(depth);
    }
    let evaluator = Evaluator::with_builtins().with_options(options);
    let expression = match evaluator.parse(case.expr.clone()) {
        Ok(e) => e,
        Err(e) => return error(&e),
    };
    let bindings = case
        .bindings
        .iter()
        .map(|(k, v)| (k.clone(), from_json(v)))
        .collect();
    let input = case
        .data
        .as_ref()
        .map(from_json)
        .unwrap_or(JsonValue::Undefined);
    match evaluator.evaluate_with_bindings(&expression, &input, &bindings) {
        Ok(value) => match to_json(&value) {
            Some(v) => Outcome::Value(v),
            None => Outcome::Undefined,
        },
        Err(e) => error(&e),
    }
}

fn error(e: &async_jsonata_rust::Error) -> Outcome {
    Outcome::Error {
        code: Some(e.code().to_string()),
        message: e.message().to_string(),
    }
}

pub fn from_json(v: &Value) -> JsonValue {
    match v {
        Value::Null => JsonValue::Null,
        Value::Bool(b) => JsonValue::Bool(*b),
        Value::Number(n) => JsonValue::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JsonValue::String(s.clone()),
        Value::Array(items) => JsonValue::Array(JsonArray::new(
            items.iter().map(from_json).collect(),
            false,
            false,
        )),
        Value::Object(map) => JsonValue::Object(JsonObject(
            map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect(),
        )),
    }
}

pub fn to_json(v: &JsonValue) -> Option<Value> {
    Some(match v {
        JsonValue::Undefined | JsonValue::Function(_) => return None,
        JsonValue::Null => Value::Null,
        JsonValue::Bool(b) => Value::Bool(*b),
        JsonValue::Number(n) => crate::core::number(*n),
        JsonValue::String(s) => Value::String(s.clone()),
        JsonValue::Array(a) => Value::Array(
            a.elements
                .iter()
                .map(|v| to_json(v).unwrap_or(Value::Null))
                .collect(),
        ),
        JsonValue::Object(o) => Value::Object(
            o.0.iter()
                .filter_map(|(k, v)| Some((k.clone(), to_json(v)?)))
                .collect(),
        ),
    })
}
