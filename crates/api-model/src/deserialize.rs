//! The first thing AWS does with a request body: read it into the action's input structure.
//! A member whose JSON type cannot become its shape's type stops the request with
//! `SerializationException` before any constraint is looked at.
//!
//! The texts are those of AWS's Java JSON reader, as the DynamoDB emulator dynalite records them
//! from DynamoDB, a service on the same AWS JSON 1.0 stack (`test/helpers` `assertType`):
//! `STRING_VALUE cannot be converted to Integer`, `TRUE_VALUE cannot be converted to String`,
//! `NUMBER_VALUE cannot be converted to String`, `DECIMAL_VALUE cannot be converted to Boolean`,
//! `Unrecognized collection type class java.lang.String` (a list where a scalar belongs),
//! `Start of structure or map found where not expected` (an object where a scalar or a list
//! belongs), `Unexpected field type` (a scalar where a list, map or structure belongs),
//! `Unexpected token received from parser` (a string where a boolean belongs).
//!
//! Two texts are ours, for cases where AWS's text names Java classes of its own code that no
//! recording shows: a list where a structure or map belongs (`Start of list found where not
//! expected`, the text DynamoDB users quote for a list in the wrong place), and a number an
//! integer member cannot hold (a fraction, or beyond the Java type's range: AWS may truncate
//! these, Fluxo refuses them so that no handler sees a value its type cannot hold).
//!
//! `null` is an absent member, as in AWS (required members are then reported by validation).
//! Members the model does not define are ignored, as AWS ignores them. The walk follows the
//! document's order, so the first bad member in the text is the one reported.

use serde_json::{Number, Value};

use crate::model::{Kind, Model, ShapeId};

/// How deep the walk follows nested members. Step Functions' deepest input is 5 levels
/// (`loggingConfiguration.destinations[].cloudWatchLogsLogGroup.logGroupArn`); the bound only
/// matters for a recursive model and keeps the walk's stack bounded whatever the model.
pub(crate) const MAX_DEPTH: usize = 32;

/// Checks that every member of `value` the model knows has a JSON type its shape accepts.
/// Returns the `SerializationException` message of the first that has not.
pub(crate) fn check(model: &Model, shape: ShapeId, value: &Value) -> Result<(), String> {
    check_value(model, shape, value, 0)
}

fn check_value(model: &Model, id: ShapeId, value: &Value, depth: usize) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    if depth > MAX_DEPTH {
        return Err(format!("Request nested more than {MAX_DEPTH} levels deep"));
    }
    let kind = &model.shape(id).kind;
    match (kind, value) {
        (Kind::Structure { members }, Value::Object(entries)) => {
            for (name, member_value) in entries {
                if let Some(member) = members.iter().find(|m| &m.name == name) {
                    check_value(model, member.shape, member_value, depth + 1)?;
                }
            }
            Ok(())
        }
        (Kind::List { member }, Value::Array(items)) => items
            .iter()
            .try_for_each(|item| check_value(model, *member, item, depth + 1)),
        (
            Kind::Map {
                key,
                value: value_shape,
            },
            Value::Object(entries),
        ) => {
            for (k, v) in entries {
                check_value(model, *key, &Value::String(k.clone()), depth + 1)?;
                check_value(model, *value_shape, v, depth + 1)?;
            }
            Ok(())
        }
        (Kind::Structure { .. } | Kind::List { .. } | Kind::Map { .. }, other) => {
            Err(match other {
                Value::Array(_) => "Start of list found where not expected",
                Value::Object(_) => "Start of structure or map found where not expected",
                _ => "Unexpected field type",
            }
            .to_owned())
        }
        (scalar_kind, value) => scalar(scalar_kind, value),
    }
}

/// The Java class AWS reads a scalar shape into, as its messages name it.
fn java_class(kind: &Kind) -> &'static str {
    match kind {
        Kind::Integer => "Integer",
        Kind::Long => "Long",
        Kind::Float => "Float",
        Kind::Double => "Double",
        Kind::Boolean => "Boolean",
        Kind::Timestamp => "Date",
        _ => "String",
    }
}

/// A scalar shape (string, number, boolean, timestamp, blob) against any JSON value but null.
fn scalar(kind: &Kind, value: &Value) -> Result<(), String> {
    let java = java_class(kind);
    let blob = matches!(kind, Kind::Blob);
    match value {
        Value::Null => Ok(()),
        Value::Object(_) => Err("Start of structure or map found where not expected".to_owned()),
        Value::Array(_) if blob => {
            Err("Unrecognized collection type class java.nio.ByteBuffer".to_owned())
        }
        Value::Array(_) => Err(format!(
            "Unrecognized collection type class java.lang.{java}"
        )),
        Value::String(_) => match kind {
            Kind::String { .. } | Kind::Blob => Ok(()),
            Kind::Boolean => Err("Unexpected token received from parser".to_owned()),
            _ => Err(format!("STRING_VALUE cannot be converted to {java}")),
        },
        Value::Bool(_) | Value::Number(_) if blob => {
            Err("only base-64-encoded strings are convertible to bytes".to_owned())
        }
        Value::Bool(true) if !matches!(kind, Kind::Boolean) => {
            Err(format!("TRUE_VALUE cannot be converted to {java}"))
        }
        Value::Bool(false) if !matches!(kind, Kind::Boolean) => {
            Err(format!("FALSE_VALUE cannot be converted to {java}"))
        }
        Value::Bool(_) => Ok(()),
        Value::Number(n) => number(kind, java, n),
    }
}

fn number(kind: &Kind, java: &str, n: &Number) -> Result<(), String> {
    let token = if n.is_f64() {
        "DECIMAL_VALUE"
    } else {
        "NUMBER_VALUE"
    };
    let fits = match kind {
        Kind::Float | Kind::Double | Kind::Timestamp => true,
        Kind::Integer => n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
        Kind::Long => n.as_i64().is_some(),
        _ => false,
    };
    match kind {
        _ if fits => Ok(()),
        // Ours (see the module doc): AWS's answer for these is not known.
        Kind::Integer | Kind::Long => Err(format!("{token} {n} cannot be converted to {java}")),
        _ => Err(format!("{token} cannot be converted to {java}")),
    }
}
