//! Checks of single fields: types, ranges, path and template syntax.

use super::{at, Validator};
use fluxo_expr::{Intrinsic, Path, PayloadTemplate, ReferencePath};
use serde_json::{Map, Value};

/// An integer field that must be at least `min`.
pub fn positive_integer(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    key: &str,
    min: u64,
) -> Option<u64> {
    let value = object.get(key)?;
    match value.as_u64() {
        Some(n) if n >= min => Some(n),
        _ => {
            validator.schema(
                at(pointer, key),
                format!("The field '{key}' must be an integer greater than or equal to {min}"),
            );
            None
        }
    }
}

pub fn number_at_least(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    key: &str,
    min: f64,
) {
    if let Some(value) = object.get(key) {
        if !value.as_f64().is_some_and(|n| n >= min) {
            validator.schema(
                at(pointer, key),
                format!("The field '{key}' must be a number greater than or equal to {min}"),
            );
        }
    }
}

pub fn string<'a>(
    validator: &mut Validator,
    object: &'a Map<String, Value>,
    pointer: &str,
    key: &str,
) -> Option<&'a str> {
    let value = object.get(key)?;
    match value.as_str() {
        Some(text) => Some(text),
        None => {
            validator.schema(
                at(pointer, key),
                format!("The field '{key}' must be a string"),
            );
            None
        }
    }
}

/// A JSONPath field (`InputPath`, `ItemsPath`, `SecondsPath`, ...); `null` allowed where AWS
/// gives it a meaning.
pub fn path(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    key: &str,
    null_allowed: bool,
) {
    match object.get(key) {
        None => {}
        Some(Value::Null) if null_allowed => {}
        Some(Value::String(text)) => {
            if let Err(error) = Path::parse(text) {
                validator.schema(at(pointer, key), error.message);
            }
        }
        Some(_) => validator.schema(
            at(pointer, key),
            format!("The field '{key}' must be a JSONPath string"),
        ),
    }
}

/// `ErrorPath` / `CausePath` also take an intrinsic function.
pub fn path_or_intrinsic(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    key: &str,
) {
    if let Some(Value::String(text)) = object.get(key) {
        if text.starts_with("States.") {
            if let Err(error) = Intrinsic::parse(text) {
                validator.schema(at(pointer, key), error.message);
            }
            return;
        }
    }
    path(validator, object, pointer, key, false);
}

pub fn reference_path(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    key: &str,
) {
    match object.get(key) {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => {
            if let Err(error) = ReferencePath::parse(text) {
                validator.schema(at(pointer, key), error.message);
            }
        }
        Some(_) => validator.schema(
            at(pointer, key),
            format!("The field '{key}' must be a reference path string or null"),
        ),
    }
}

/// A payload template (`Parameters`, `ResultSelector`, `ItemSelector`, `Assign`).
pub fn template(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    key: &str,
    object_required: bool,
) {
    let Some(value) = object.get(key) else {
        return;
    };
    if object_required && !value.is_object() {
        validator.schema(
            at(pointer, key),
            format!("The field '{key}' must be an object"),
        );
        return;
    }
    if let Err(errors) = PayloadTemplate::compile(value) {
        for error in errors {
            validator.schema(
                format!("{}{}", at(pointer, key), error.pointer),
                error.message,
            );
        }
    }
}

/// Exactly one of the given fields (or at most one, when `required` is false).
pub fn exclusive(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    keys: &[&str],
    required: bool,
) {
    let present: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|key| object.contains_key(*key))
        .collect();
    if present.len() > 1 {
        validator.schema(
            pointer,
            format!(
                "These fields are mutually exclusive: [{}]",
                present.join(", ")
            ),
        );
    } else if required && present.is_empty() {
        validator.schema(
            pointer,
            format!(
                "Exactly one of these fields is required: [{}]",
                keys.join(", ")
            ),
        );
    }
}
