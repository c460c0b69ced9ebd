//! Reference paths: the writes of `ResultPath` (and the definite reads that share their
//! grammar), a subset of JSONPath with only named fields and indexes (ASL specification,
//! "Reference Paths"), applied without recursion and within `MAX_JSON_DEPTH`.

use crate::jsonpath::JsonPath;
use crate::limits::{depth_exceeds, TooDeep, MAX_JSON_DEPTH};
use crate::path::{simple_steps, Step};
use crate::{EvalError, SyntaxError};
use serde_json::{Map, Value};

/// A compiled reference path for writing (`ResultPath`): `$` or a definite path of single
/// names and non-negative indexes, written in AWS's path syntax (`$.a['b'][0]`, also
/// `$.a.[0]`), at most [`MAX_PATH_STEPS`](crate::MAX_PATH_STEPS) steps. AWS's documentation:
/// "You can access object fields using only dot (.) and square bracket ([ ]) notation", no
/// `@ .. , : ? *`, no functions.
#[derive(Debug, Clone)]
pub struct ReferencePath {
    source: String,
    steps: Vec<Step>,
}

impl ReferencePath {
    /// Compiles `source`; the error says why it is not a reference path.
    pub fn parse(source: &str) -> Result<ReferencePath, SyntaxError> {
        let invalid = |why: &str| SyntaxError {
            message: format!("The value '{source}' is not a valid reference path: {why}"),
        };
        if !source.starts_with('$') || source.starts_with("$$") {
            return Err(invalid("it must start with '$' and read the state's input"));
        }
        let compiled = JsonPath::compile(source).map_err(|why| invalid(&why))?;
        let steps = simple_steps(&compiled)
            .ok_or_else(|| invalid("only '$', '.name', ['name'] and [index] steps are allowed"))?;
        Ok(ReferencePath {
            source: source.to_string(),
            steps,
        })
    }

    /// The path as written in the definition.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Writes `value` into `target` at this path, creating objects on the way as AWS does;
    /// `$` replaces the whole target. Iterative; refused (`States.Runtime`) when `value` would
    /// end up nested deeper than [`MAX_JSON_DEPTH`] (a loop that writes its input into itself
    /// would otherwise nest it one level deeper at every turn).
    pub fn write(&self, target: &mut Value, value: Value) -> Result<(), EvalError> {
        if depth_exceeds(&value, MAX_JSON_DEPTH.saturating_sub(self.steps.len())) {
            return Err(TooDeep.into());
        }
        let Some((last, path)) = self.steps.split_last() else {
            *target = value;
            return Ok(());
        };
        let failure = |target: &Value| EvalError {
            error: "States.ResultPathMatchFailure".into(),
            message: format!(
                "Unable to apply ResultPath '{}' to input '{}'",
                self.source, target
            ),
        };
        if !self.applies_to(target) {
            return Err(failure(target));
        }
        // `applies_to` has ruled the mismatches out; they are errors rather than panics all
        // the same.
        let mismatch = || EvalError {
            error: "States.ResultPathMatchFailure".into(),
            message: format!("Unable to apply ResultPath '{}'", self.source),
        };
        let mut current = target;
        for step in path {
            current = match (step, current) {
                (Step::Name(name), Value::Object(map)) => map
                    .entry(name.clone())
                    .or_insert_with(|| Value::Object(Map::new())),
                (Step::Index(index), Value::Array(items)) => {
                    items.get_mut(*index).ok_or_else(mismatch)?
                }
                _ => return Err(mismatch()),
            };
            if current.is_null() {
                *current = Value::Object(Map::new());
            }
        }
        match (last, current) {
            (Step::Name(name), Value::Object(map)) => {
                map.insert(name.clone(), value);
                Ok(())
            }
            (Step::Index(index), Value::Array(items)) => {
                *items.get_mut(*index).ok_or_else(mismatch)? = value;
                Ok(())
            }
            _ => Err(mismatch()),
        }
    }

    /// Whether [`ReferencePath::write`] can place a value in `target`: checked before writing,
    /// so that a failed write leaves the target untouched for the error message without a copy.
    fn applies_to(&self, target: &Value) -> bool {
        let Some((last, path)) = self.steps.split_last() else {
            return true;
        };
        // `None`: the step reaches a missing or null member, which the write replaces with a
        // new empty object.
        let mut current = Some(target);
        for step in path {
            current = match (step, current) {
                (Step::Name(name), Some(Value::Object(map))) => map.get(name),
                (Step::Name(_), None) => None,
                (Step::Index(index), Some(Value::Array(items))) if *index < items.len() => {
                    Some(&items[*index])
                }
                _ => return false,
            }
            .filter(|value| !value.is_null());
        }
        matches!(
            (last, current),
            (Step::Name(_), Some(Value::Object(_)) | None)
        ) || matches!((last, current), (Step::Index(index), Some(Value::Array(items))) if *index < items.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(path: &str, mut target: Value, value: Value) -> Result<Value, EvalError> {
        ReferencePath::parse(path)
            .expect("valid reference path")
            .write(&mut target, value)
            .map(|()| target)
    }

    #[test]
    fn writes_create_objects_on_the_way() {
        assert_eq!(write("$", json!({"a": 1}), json!(2)).unwrap(), json!(2));
        assert_eq!(
            write("$.a.b", json!({"x": 1}), json!(2)).unwrap(),
            json!({"x": 1, "a": {"b": 2}})
        );
        assert_eq!(
            write("$.list[1]", json!({"list": [0, 0]}), json!(5)).unwrap(),
            json!({"list": [0, 5]})
        );
        assert_eq!(
            write("$['a b']", json!({}), json!(true)).unwrap(),
            json!({"a b": true})
        );
    }

    #[test]
    fn writing_into_a_non_object_fails() {
        let error = write("$.a", json!("text"), json!(1)).unwrap_err();
        assert_eq!(error.error, "States.ResultPathMatchFailure");
        assert!(write("$.a.b", json!({"a": 3}), json!(1)).is_err());
    }

    #[test]
    fn only_definite_paths_are_reference_paths() {
        for bad in [
            "",
            "$$.a",
            "$.a[*]",
            "$..a",
            "$.a[?(@.b)]",
            "a",
            "$[1:2]",
            "$x",
        ] {
            assert!(ReferencePath::parse(bad).is_err(), "{bad}");
        }
    }
}
