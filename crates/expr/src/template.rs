//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, `Assign`): a JSON value
//! whose `.$` fields are paths or intrinsic calls, compiled once and built with every value's
//! size and depth charged before it is copied.

use crate::limits::{charge, depth_exceeds, Exceeded, TooDeep, MAX_BUILT_BYTES, MAX_JSON_DEPTH};
use crate::{EvalError, Intrinsic, Path, Scope};
use rand::RngCore;
use serde_json::{Map, Value};

/// A compiled payload template (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath `Assign`).
///
/// Keys ending in `.$` take their value from a path or an intrinsic function; every other
/// value is literal, with nested objects and arrays templated in turn.
#[derive(Debug, Clone)]
pub struct PayloadTemplate {
    root: Node,
}

#[derive(Debug, Clone)]
enum Node {
    Literal(Value),
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    Path { key: String, path: Path },
    Intrinsic(Box<Intrinsic>),
}

/// Where a template compile error is: the JSON pointer relative to the template root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub pointer: String,
    pub message: String,
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl PayloadTemplate {
    /// Compiles a template; every bad `.$` field is reported at its JSON pointer. A template
    /// nested deeper than [`MAX_JSON_DEPTH`] is refused as a whole (parsed text never is).
    pub fn compile(template: &Value) -> Result<PayloadTemplate, Vec<TemplateError>> {
        if depth_exceeds(template, MAX_JSON_DEPTH) {
            return Err(vec![TemplateError {
                pointer: String::new(),
                message: format!("The template is nested deeper than {MAX_JSON_DEPTH} levels"),
            }]);
        }
        let mut errors = Vec::new();
        let root = compile(template, "", &mut errors);
        if errors.is_empty() {
            Ok(PayloadTemplate { root })
        } else {
            Err(errors)
        }
    }

    /// Evaluates the template with `$` = `scope.input`. Fails with
    /// `States.DataLimitExceeded` rather than build more than [`MAX_BUILT_BYTES`].
    pub fn evaluate(&self, scope: &Scope, rng: &mut dyn RngCore) -> Result<Value, EvalError> {
        let mut budget = MAX_BUILT_BYTES;
        evaluate(&self.root, scope, rng, &mut budget, 0)
    }
}

fn compile(value: &Value, pointer: &str, errors: &mut Vec<TemplateError>) -> Node {
    match value {
        Value::Object(map) => {
            if !map.keys().any(|key| key.ends_with(".$")) && !has_dynamic_child(map) {
                return Node::Literal(value.clone());
            }
            let mut fields = Vec::with_capacity(map.len());
            for (key, child) in map {
                let child_pointer = format!("{pointer}/{}", escape(key));
                match key.strip_suffix(".$") {
                    Some(name) => {
                        let Some(expression) = child.as_str() else {
                            errors.push(TemplateError {
                                pointer: child_pointer,
                                message: format!(
                                    "The value of the field '{key}' must be a JSONPath or an intrinsic function"
                                ),
                            });
                            continue;
                        };
                        match compile_expression(key, expression) {
                            Ok(node) => fields.push((name.to_string(), node)),
                            Err(message) => errors.push(TemplateError {
                                pointer: child_pointer,
                                message,
                            }),
                        }
                    }
                    None => fields.push((key.clone(), compile(child, &child_pointer, errors))),
                }
            }
            Node::Object(fields)
        }
        Value::Array(items) if items.iter().any(is_dynamic) => Node::Array(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| compile(item, &format!("{pointer}/{index}"), errors))
                .collect(),
        ),
        other => Node::Literal(other.clone()),
    }
}

fn has_dynamic_child(map: &Map<String, Value>) -> bool {
    map.values().any(is_dynamic)
}

fn is_dynamic(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.keys().any(|key| key.ends_with(".$")) || has_dynamic_child(map),
        Value::Array(items) => items.iter().any(is_dynamic),
        _ => false,
    }
}

fn compile_expression(key: &str, expression: &str) -> Result<Node, String> {
    if expression.starts_with("States.") {
        return Intrinsic::parse(expression)
            .map(|intrinsic| Node::Intrinsic(Box::new(intrinsic)))
            .map_err(|error| error.message);
    }
    if expression.starts_with('$') {
        return Path::parse(expression)
            .map(|path| Node::Path {
                key: key.to_string(),
                path,
            })
            .map_err(|error| error.message);
    }
    Err(format!(
        "The value '{expression}' of the field '{key}' is neither a JSONPath nor an intrinsic function"
    ))
}

/// The error for a template that would build more than [`MAX_BUILT_BYTES`].
pub(crate) fn too_big() -> EvalError {
    EvalError {
        error: "States.DataLimitExceeded".into(),
        message: format!(
            "The expression builds a value of more than {MAX_BUILT_BYTES} bytes, beyond the maximum number of bytes service limit"
        ),
    }
}

/// Charges `value`'s size to `budget`; placed `level` containers deep, it must leave the
/// output within [`MAX_JSON_DEPTH`].
pub(crate) fn charge_at(value: &Value, budget: &mut usize, level: usize) -> Result<(), EvalError> {
    match charge(value, budget, MAX_JSON_DEPTH.saturating_sub(level)) {
        Ok(()) => Ok(()),
        Err(Exceeded::Size) => Err(too_big()),
        Err(Exceeded::Depth) => Err(TooDeep.into()),
    }
}

/// One level of the template per stack frame: the template is at most [`MAX_JSON_DEPTH`] deep.
fn evaluate(
    node: &Node,
    scope: &Scope,
    rng: &mut dyn RngCore,
    budget: &mut usize,
    level: usize,
) -> Result<Value, EvalError> {
    Ok(match node {
        Node::Literal(value) => {
            charge_at(value, budget, level)?;
            value.clone()
        }
        Node::Object(fields) => {
            let mut map = Map::with_capacity(fields.len());
            for (key, child) in fields {
                map.insert(key.clone(), evaluate(child, scope, rng, budget, level + 1)?);
            }
            Value::Object(map)
        }
        Node::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| evaluate(item, scope, rng, budget, level + 1))
                .collect::<Result<_, _>>()?,
        ),
        Node::Path { key, path } => match path.select(scope)? {
            Some(value) => {
                charge_at(&value, budget, level)?;
                value.into_owned()
            }
            None => {
                return Err(EvalError {
                    error: "States.Runtime".into(),
                    message: format!(
                        "The JSONPath '{}' specified for the field '{key}' could not be found in the input '{}'",
                        path.as_str(),
                        scope.input
                    ),
                })
            }
        },
        Node::Intrinsic(intrinsic) => {
            let value = intrinsic.evaluate(scope, rng)?;
            charge_at(&value, budget, level)?;
            value
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: Value, input: Value) -> Result<Value, EvalError> {
        let context = json!({"State": {"Name": "S"}});
        let scope = Scope {
            input: &input,
            context: &context,
            variables: None,
        };
        PayloadTemplate::compile(&template)
            .expect("compiles")
            .evaluate(&scope, &mut rand::rng())
    }

    #[test]
    fn dynamic_keys_lose_their_suffix_and_literals_stay() {
        let output = run(
            json!({"a.$": "$.x", "b": "lit", "nested": {"c.$": "$$.State.Name"}, "list": [{"d.$": "$.x"}, 1]}),
            json!({"x": 5}),
        )
        .unwrap();
        assert_eq!(
            output,
            json!({"a": 5, "b": "lit", "nested": {"c": "S"}, "list": [{"d": 5}, 1]})
        );
    }

    #[test]
    fn a_missing_path_is_a_runtime_error_naming_the_field() {
        let error = run(
            json!({"value.$": "$.no_such_jsonpath"}),
            json!({"int-literal": 0}),
        )
        .unwrap_err();
        assert_eq!(error.error, "States.Runtime");
        assert_eq!(
            error.message,
            "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'"
        );
    }

    #[test]
    fn compile_errors_are_located() {
        let errors =
            PayloadTemplate::compile(&json!({"ok": {"bad.$": 3, "worse.$": "nope"}})).unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, vec!["/ok/bad.$", "/ok/worse.$"]);
    }
}
