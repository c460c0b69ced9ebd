//! jsonata-rs (Stedi): an arena per case, the input handed over as JSON text (its API parses it
//! with its own parser), bindings as serde_json values, `evaluate_timeboxed` for the limits.

use crate::suite::{Case, Outcome};
use bumpalo::Bump;
use jsonata_rs::{ArrayFlags, JsonAta, Value as RsValue};
use serde_json::Value;

pub fn run(case: &Case) -> Outcome {
    let arena = Bump::new();
    let jsonata = match JsonAta::new(&case.expr, &arena) {
        Ok(j) => j,
        Err(e) => return error(&e),
    };
    for (name, value) in &case.bindings {
        jsonata.assign_var(name, from_json(&arena, value));
    }
    let input = case.data.as_ref().map(|d| d.to_string());
    let limit = case.timelimit_ms.unwrap_or(crate::DEFAULT_TIMELIMIT_MS) as usize;
    match jsonata.evaluate_timeboxed(input.as_deref(), case.depth, Some(limit)) {
        Ok(value) if value.is_undefined() => Outcome::Undefined,
        Ok(value) => match serde_json::from_str(&value.serialize(false)) {
            Ok(v) => Outcome::Value(v),
            Err(e) => Outcome::Error {
                code: None,
                message: format!("unserializable: {e}"),
            },
        },
        Err(e) => error(&e),
    }
}

fn error(e: &jsonata_rs::Error) -> Outcome {
    Outcome::Error {
        code: Some(e.code().to_string()),
        message: e.to_string(),
    }
}

/// A serde_json value in the arena, as jsonata-rs's own (private) conversion builds it.
pub fn from_json<'a>(arena: &'a Bump, v: &Value) -> &'a RsValue<'a> {
    match v {
        Value::Null => RsValue::null(arena),
        Value::Bool(b) => RsValue::bool(*b),
        Value::Number(n) => RsValue::number(arena, n.as_f64().unwrap_or(0.0)),
        Value::String(s) => RsValue::string(arena, s),
        Value::Array(items) => {
            let array = RsValue::array_with_capacity(arena, items.len(), ArrayFlags::empty());
            for item in items {
                array.push(from_json(arena, item));
            }
            array
        }
        Value::Object(map) => {
            let object = RsValue::object_with_capacity(arena, map.len());
            for (k, v) in map {
                object.insert(k, from_json(arena, v));
            }
            object
        }
    }
}
