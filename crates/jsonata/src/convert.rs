//! Values across the boundary: serde_json values (Fluxo's) into the evaluator's values, and
//! results back, with the depth and size of a result bounded while it is built.

use crate::error::{ErrorKind, JsonataError};
use crate::scope::{Bound, States};
use jsonata_core::value::{with_stack, JValue};
use serde_json::{Map, Number, Value};

/// A serde_json value as an evaluator value. Containers grow the stack when it runs low
/// (`with_stack`), so a deep value cannot overflow it.
pub(crate) fn to_jvalue(value: &Value) -> JValue {
    match value {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        Value::Number(n) => JValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JValue::string(s.as_str()),
        Value::Array(items) => with_stack(|| JValue::array(items.iter().map(to_jvalue).collect())),
        Value::Object(map) => with_stack(|| {
            JValue::object(map.iter().map(|(k, v)| (k.clone(), to_jvalue(v))).collect())
        }),
    }
}

/// A bound variable as an evaluator value; `$states` is an object of the parts it has.
pub(crate) fn bound_to_jvalue(bound: &Bound<'_>) -> JValue {
    match bound {
        Bound::Value(v) => to_jvalue(v),
        Bound::States(states) => states_object(states),
    }
}

fn states_object(states: &States<'_>) -> JValue {
    let parts = [
        ("input", states.input),
        ("result", states.result),
        ("errorOutput", states.error_output),
        ("context", states.context),
    ];
    JValue::object(
        parts
            .into_iter()
            .filter_map(|(name, part)| Some((name.to_string(), to_jvalue(part?))))
            .collect(),
    )
}

/// Converts a result back under the depth and size limits.
pub(crate) struct ResultWriter {
    max_depth: usize,
    max_bytes: usize,
    bytes: usize,
}

impl ResultWriter {
    pub(crate) fn new(max_depth: usize, max_bytes: usize) -> ResultWriter {
        ResultWriter {
            max_depth,
            max_bytes,
            bytes: 0,
        }
    }

    /// `None` for `undefined`, and for a function, which JSON cannot hold (as
    /// `JSON.stringify` drops it).
    pub(crate) fn write(&mut self, value: &JValue) -> Result<Option<Value>, JsonataError> {
        self.convert(value, 0)
    }

    fn charge(&mut self, bytes: usize) -> Result<(), JsonataError> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.max_bytes {
            return Err(JsonataError::new(
                ErrorKind::Limit,
                format!("The result is larger than {} bytes of JSON", self.max_bytes),
            ));
        }
        Ok(())
    }

    fn convert(&mut self, value: &JValue, depth: usize) -> Result<Option<Value>, JsonataError> {
        Ok(Some(match value {
            JValue::Undefined
            | JValue::Lambda(_)
            | JValue::Builtin { .. }
            | JValue::Regex { .. } => return Ok(None),
            JValue::Null => {
                self.charge(4)?;
                Value::Null
            }
            JValue::Bool(b) => {
                self.charge(5)?;
                Value::Bool(*b)
            }
            JValue::Number(n) => {
                self.charge(8)?;
                number(*n)
            }
            JValue::String(s) => {
                self.charge(s.len() + 2)?;
                Value::String(s.to_string())
            }
            JValue::Array(items) => {
                self.enter(depth)?;
                let mut out = Vec::with_capacity(items.len().min(1024));
                for item in items.iter() {
                    self.charge(1)?;
                    out.push(self.convert(item, depth + 1)?.unwrap_or(Value::Null));
                }
                Value::Array(out)
            }
            JValue::Object(map) => {
                self.enter(depth)?;
                let mut out = Map::new();
                for (key, item) in map.iter() {
                    if let Some(v) = self.convert(item, depth + 1)? {
                        self.charge(key.len() + 4)?;
                        out.insert(key.clone(), v);
                    }
                }
                Value::Object(out)
            }
        }))
    }

    fn enter(&mut self, depth: usize) -> Result<(), JsonataError> {
        if depth >= self.max_depth {
            return Err(JsonataError::new(
                ErrorKind::Limit,
                format!(
                    "The result is nested more than {} levels deep",
                    self.max_depth
                ),
            ));
        }
        self.charge(2)
    }
}

/// A JSONata number as JSON: whole numbers that fit an i64 as integers (so `1` is written `1`
/// and 2^53 `9007199254740992`, as jsonata-js writes them, not `1.0`); infinities and NaN,
/// which JSON cannot hold, as null (as `JSON.stringify` does).
pub(crate) fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.2e18 {
        Value::from(n as i64)
    } else {
        Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(v: &Value) -> Option<Value> {
        ResultWriter::new(128, 1 << 20)
            .write(&to_jvalue(v))
            .unwrap()
    }

    #[test]
    fn values_keep_their_shape_and_key_order() {
        let v = json!({"z": 1, "a": [1.5, "x", null, true, {"k": -0.0}], "m": 9007199254740993u64});
        let back = round_trip(&v).unwrap();
        assert_eq!(
            back.to_string(),
            r#"{"z":1,"a":[1.5,"x",null,true,{"k":0}],"m":9007199254740992}"#
        );
    }

    #[test]
    fn results_deeper_or_larger_than_the_limits_are_refused() {
        let mut deep = json!(1);
        for _ in 0..10 {
            deep = json!([deep]);
        }
        let e = ResultWriter::new(5, 1 << 20)
            .write(&to_jvalue(&deep))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        let big = json!(["x".repeat(100), "y".repeat(100)]);
        let e = ResultWriter::new(128, 150)
            .write(&to_jvalue(&big))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
    }

    #[test]
    fn states_has_only_the_parts_given() {
        let input = json!({"a": 1});
        let states = States {
            input: Some(&input),
            ..States::default()
        };
        let v = ResultWriter::new(128, 1 << 20)
            .write(&states_object(&states))
            .unwrap();
        assert_eq!(v, Some(json!({"input": {"a": 1}})));
    }
}
