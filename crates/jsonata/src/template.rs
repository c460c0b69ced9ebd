//! [`Template`]: a JSON value of a JSONata state field (`Arguments`, `Output`, `Assign`,
//! `ItemSelector`, `Items`, `Seconds`, `Condition`, ...) with `{% %}` expressions anywhere in
//! it, compiled once.
//!
//! AWS developer guide, "Transforming data with JSONata in Step Functions": "Any string value,
//! including those inside objects or arrays, will be evaluated as JSONata if surrounded by
//! `{% %}` characters"; keys are never evaluated. An expression that gives `undefined` fails the
//! state (recorded: `assign/assign_reference_variables__test_undefined_reference_*`), named by
//! its location: the field, then the keys down to it (`Output/result`, `Arguments/FunctionName`).

use crate::error::{error_cause, undefined_cause, JsonataError};
use crate::expression::Expression;
use crate::scope::{Bindings, EvalEnv, Limits};
use serde_json::{Map, Value};

/// The expression text of a JSONata string (`{% $x %}` → `$x`, trimmed as AWS quotes it in
/// causes), or `None` for a plain string.
pub fn expression_text(text: &str) -> Option<&str> {
    if text.len() < 4 {
        return None;
    }
    text.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// A compiled field value. Parts without an expression are kept as one literal value.
#[derive(Debug, Clone)]
pub enum Template {
    /// A value given literally (no `{% %}` string inside).
    Literal(Value),
    /// A `{% %}` string: its value is the expression's.
    Expression(Box<Expression>),
    /// An object with at least one expression inside: its members in order.
    Object(Vec<(String, Template)>),
    /// An array with at least one expression inside.
    Array(Vec<Template>),
}

/// Where a template failed to compile: the JSON pointer below the field (`/a/0`, empty for the
/// field itself) and JSONata's syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub pointer: String,
    pub error: JsonataError,
}

/// Why an evaluation of a template failed: AWS reports it as `States.QueryEvaluationError`
/// with `cause`, and names `location` in the `EvaluationFailed` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationError {
    /// The field and the keys down to the expression: `Output/result`.
    pub location: String,
    /// AWS's cause text, without the engine's "An error occurred while executing the state"
    /// prefix.
    pub cause: String,
}

impl Template {
    /// Compiles `value`; every syntax error of every expression in it, located.
    pub fn compile(value: &Value) -> Result<Template, Vec<CompileError>> {
        let mut errors = Vec::new();
        let template = compile_at(value, "", &mut errors);
        match errors.is_empty() {
            true => Ok(template),
            false => Err(errors),
        }
    }

    /// Whether the template is a literal value, with no expression to evaluate.
    pub fn is_literal(&self) -> bool {
        matches!(self, Template::Literal(_))
    }

    /// The texts of the expressions in the template, for analyses of what it reads.
    pub fn expressions(&self) -> Vec<&str> {
        let mut found = Vec::new();
        let mut pending = vec![self];
        while let Some(template) = pending.pop() {
            match template {
                Template::Literal(_) => {}
                Template::Expression(expression) => found.push(expression.text()),
                Template::Object(members) => pending.extend(members.iter().map(|(_, t)| t)),
                Template::Array(items) => pending.extend(items.iter()),
            }
        }
        found
    }

    /// Evaluates the template for the field named `field` (`Output`, `Assign`, `Items`).
    /// Expressions see no `$` (AWS: the input is `$states.input`), only `bindings`.
    pub fn evaluate(
        &self,
        field: &str,
        bindings: &Bindings<'_>,
        env: &dyn EvalEnv,
        limits: &Limits,
    ) -> Result<Value, EvaluationError> {
        match self {
            Template::Literal(value) => Ok(value.clone()),
            Template::Expression(expression) => {
                match expression.evaluate(None, bindings, env, limits) {
                    Ok(Some(value)) => Ok(value),
                    Ok(None) => Err(EvaluationError {
                        location: field.to_string(),
                        cause: undefined_cause(expression.text(), field),
                    }),
                    Err(error) => Err(EvaluationError {
                        location: field.to_string(),
                        cause: error_cause(expression.text(), field, &error),
                    }),
                }
            }
            Template::Object(members) => {
                let mut object = Map::new();
                for (key, member) in members {
                    let location = format!("{field}/{key}");
                    let value = member.evaluate(&location, bindings, env, limits)?;
                    object.insert(key.clone(), value);
                }
                Ok(Value::Object(object))
            }
            Template::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    item.evaluate(&format!("{field}/{index}"), bindings, env, limits)
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
        }
    }
}

/// The definition is bounded in depth by the validator (and `fluxo_asl::model::build`), so this
/// recursion is too.
fn compile_at(value: &Value, pointer: &str, errors: &mut Vec<CompileError>) -> Template {
    match value {
        Value::String(text) => match expression_text(text) {
            Some(expression) => match Expression::compile(expression) {
                Ok(compiled) => Template::Expression(Box::new(compiled)),
                Err(error) => {
                    errors.push(CompileError {
                        pointer: pointer.to_string(),
                        error,
                    });
                    Template::Literal(Value::Null)
                }
            },
            None => Template::Literal(value.clone()),
        },
        Value::Object(map) => {
            let members: Vec<(String, Template)> = map
                .iter()
                .map(|(key, member)| {
                    let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    (key.clone(), compile_at(member, &at, errors))
                })
                .collect();
            match members.iter().all(|(_, member)| member.is_literal()) {
                true => Template::Literal(value.clone()),
                false => Template::Object(members),
            }
        }
        Value::Array(items) => {
            let items: Vec<Template> = items
                .iter()
                .enumerate()
                .map(|(index, item)| compile_at(item, &format!("{pointer}/{index}"), errors))
                .collect();
            match items.iter().all(Template::is_literal) {
                true => Template::Literal(value.clone()),
                false => Template::Array(items),
            }
        }
        other => Template::Literal(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::{FixedEnv, States};
    use serde_json::json;

    fn run(template: &Value, input: &Value) -> Result<Value, EvaluationError> {
        let compiled = Template::compile(template).expect("compiles");
        let bindings = Bindings::states(States {
            input: Some(input),
            ..States::default()
        });
        compiled.evaluate(
            "Output",
            &bindings,
            &FixedEnv::default(),
            &Limits::default(),
        )
    }

    #[test]
    fn expressions_anywhere_keys_never() {
        let template =
            json!({"a": "{% $states.input.x %}", "{% k %}": [1, "{% 1 + 1 %}"], "s": "plain"});
        let out = run(&template, &json!({"x": 5})).unwrap();
        assert_eq!(out, json!({"a": 5, "{% k %}": [1, 2], "s": "plain"}));
        assert!(Template::compile(&json!({"a": [1, {"b": "x"}]}))
            .unwrap()
            .is_literal());
    }

    #[test]
    fn undefined_and_errors_are_located_as_aws_names_them() {
        let undefined = run(&json!({"result": "{% $doesNotExist %}"}), &json!({})).unwrap_err();
        assert_eq!(undefined.location, "Output/result");
        assert_eq!(
            undefined.cause,
            "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined)."
        );
        let thrown = run(&json!("{% $nope(1) %}"), &json!({})).unwrap_err();
        assert_eq!(thrown.location, "Output");
        assert!(thrown
            .cause
            .ends_with("T1006: Attempted to invoke a non-function"));
    }

    #[test]
    fn syntax_errors_are_reported_at_their_pointer() {
        let errors = Template::compile(&json!({"a": ["{% 1 + %}"], "b/c": "{% ( %}"})).unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/a/0", "/b~1c"]);
    }
}
