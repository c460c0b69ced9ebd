//! Compiling a Choice state's `Choices` array. Every problem is reported, each at the JSON
//! pointer of the offending field, so one validation round shows all of them.

use super::{parse_timestamp, Choice, ChoiceRule, Kind, Operand, OperatorName, Pattern, Test};
use crate::Diagnostic;
use fluxo_expr::Path;
use serde_json::{Map, Value};

const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";

/// Rules nest; past this depth a definition is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// Compiles the `Choices` array found at JSON pointer `pointer` (e.g. `/States/Check/Choices`).
///
/// `Next` is only checked to be a string here; whether it names a state is the validator's
/// business, as is the content of `Assign`.
pub fn compile_choices(choices: &Value, pointer: &str) -> Result<Vec<Choice>, Vec<Diagnostic>> {
    let mut compiler = Compiler::default();
    let items = match choices.as_array() {
        Some(items) if !items.is_empty() => items,
        _ => {
            compiler.error(
                pointer,
                "The field 'Choices' must be a non-empty array of choice rules",
            );
            return Err(compiler.diagnostics);
        }
    };
    let mut compiled = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_pointer = format!("{pointer}/{index}");
        let next = match item.get("Next") {
            Some(Value::String(next)) => Some(next.clone()),
            Some(_) => {
                compiler.error(
                    format!("{item_pointer}/Next"),
                    "The field 'Next' must be a string",
                );
                None
            }
            None if item.is_object() => {
                compiler.error(&item_pointer, "These fields are required: [Next]");
                None
            }
            None => None,
        };
        let rule = compiler.rule(item, &item_pointer, true, 0);
        if let (Some(rule), Some(next)) = (rule, next) {
            compiled.push(Choice {
                rule,
                next,
                assign: item.get("Assign").cloned(),
            });
        }
    }
    if compiler.diagnostics.is_empty() {
        Ok(compiled)
    } else {
        Err(compiler.diagnostics)
    }
}

/// One field of a rule that decides what the rule is.
enum Operator<'a> {
    And(&'a Value),
    Or(&'a Value),
    Not(&'a Value),
    Test(OperatorName, &'a Value),
}

impl Operator<'_> {
    fn is_test(&self) -> bool {
        matches!(self, Operator::Test(..))
    }
}

#[derive(Default)]
struct Compiler {
    diagnostics: Vec<Diagnostic>,
}

impl Compiler {
    fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(SCHEMA, location, message));
    }

    /// Compiles one rule; `None` when it has a problem (already reported).
    fn rule(
        &mut self,
        value: &Value,
        pointer: &str,
        top_level: bool,
        depth: usize,
    ) -> Option<ChoiceRule> {
        if depth > MAX_DEPTH {
            self.error(
                pointer,
                format!("Choice rules must not be nested more than {MAX_DEPTH} levels deep"),
            );
            return None;
        }
        let Some(object) = value.as_object() else {
            self.error(pointer, "A choice rule must be an object");
            return None;
        };
        let errors_before = self.diagnostics.len();
        let mut operators = Vec::new();
        for (key, field) in object {
            let at = field_pointer(pointer, key);
            match key.as_str() {
                "Variable" => {}
                "Comment" if !field.is_string() => {
                    self.error(at, "The field 'Comment' must be a string")
                }
                "Comment" => {}
                "Next" | "Assign" if top_level => {}
                "Next" | "Assign" => self.error(
                    at,
                    format!("The field '{key}' is not supported in a nested choice rule"),
                ),
                "And" => operators.push((key.as_str(), Operator::And(field))),
                "Or" => operators.push((key.as_str(), Operator::Or(field))),
                "Not" => operators.push((key.as_str(), Operator::Not(field))),
                _ => match OperatorName::parse(key) {
                    Some(name) => operators.push((key.as_str(), Operator::Test(name, field))),
                    None => self.error(
                        at,
                        format!("The field '{key}' is not supported in a choice rule"),
                    ),
                },
            }
        }
        let variable = self.variable(object, pointer, &operators);
        // Every operator is compiled, even when there are too many, so that problems inside
        // each are reported too.
        let mut compiled: Vec<Option<ChoiceRule>> = Vec::with_capacity(operators.len());
        for (key, operator) in &operators {
            let at = field_pointer(pointer, key);
            compiled.push(match operator {
                Operator::And(field) => self.rule_list(key, field, &at, depth).map(ChoiceRule::And),
                Operator::Or(field) => self.rule_list(key, field, &at, depth).map(ChoiceRule::Or),
                Operator::Not(field) => self
                    .rule(field, &at, false, depth + 1)
                    .map(|rule| ChoiceRule::Not(Box::new(rule))),
                Operator::Test(name, field) => {
                    let test = self.test(key, *name, field, &at);
                    match (test, &variable) {
                        (Some(test), Some(variable)) => Some(ChoiceRule::Test {
                            variable: variable.clone(),
                            test,
                        }),
                        _ => None,
                    }
                }
            });
        }
        match operators.len() {
            0 => self.error(
                pointer,
                "A choice rule must have exactly one comparison operator, And, Or or Not; \
                 found none",
            ),
            1 => {}
            _ => {
                let names: Vec<&str> = operators.iter().map(|(key, _)| *key).collect();
                self.error(
                    pointer,
                    format!(
                        "A choice rule must have exactly one comparison operator, And, Or or Not; \
                         found {}: [{}]",
                        names.len(),
                        names.join(", ")
                    ),
                );
            }
        }
        // A rule with anything wrong, including a wrong operator count, has been reported.
        if self.diagnostics.len() > errors_before {
            return None;
        }
        compiled.pop().flatten()
    }

    /// Checks and parses `Variable`: required by a comparison, refused beside And, Or, Not.
    fn variable(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        operators: &[(&str, Operator)],
    ) -> Option<Path> {
        let needs_variable = operators.iter().any(|(_, operator)| operator.is_test());
        let Some(field) = object.get("Variable") else {
            if needs_variable {
                self.error(pointer, "These fields are required: [Variable]");
            }
            return None;
        };
        let at = field_pointer(pointer, "Variable");
        if !needs_variable && !operators.is_empty() {
            self.error(
                at,
                "The field 'Variable' is not supported in a choice rule with And, Or or Not",
            );
            return None;
        }
        self.path("Variable", field, &at)
    }

    /// The non-empty list of rules of an `And` or `Or`.
    fn rule_list(
        &mut self,
        key: &str,
        field: &Value,
        pointer: &str,
        depth: usize,
    ) -> Option<Vec<ChoiceRule>> {
        let Some(items) = field.as_array().filter(|items| !items.is_empty()) else {
            self.error(
                pointer,
                format!("The field '{key}' must be a non-empty array of choice rules"),
            );
            return None;
        };
        let rules: Vec<Option<ChoiceRule>> = items
            .iter()
            .enumerate()
            .map(|(index, item)| self.rule(item, &format!("{pointer}/{index}"), false, depth + 1))
            .collect();
        rules.into_iter().collect()
    }

    /// The operand of a comparison or `Is…` operator.
    fn test(&mut self, key: &str, name: OperatorName, field: &Value, at: &str) -> Option<Test> {
        let wrong_type = |what: &str| format!("The field '{key}' must be {what}");
        match name {
            OperatorName::Compare {
                kind,
                relation,
                by_path,
            } => {
                let operand = if by_path {
                    Operand::Path(self.path(key, field, at)?)
                } else {
                    let fits = match kind {
                        Kind::String => field.is_string(),
                        Kind::Numeric => field.is_number(),
                        Kind::Boolean => field.is_boolean(),
                        Kind::Timestamp => field.as_str().and_then(parse_timestamp).is_some(),
                    };
                    if !fits {
                        let expected = match kind {
                            Kind::String => "a string",
                            Kind::Numeric => "a number",
                            Kind::Boolean => "a boolean",
                            Kind::Timestamp => {
                                "an RFC 3339 timestamp string, such as \"2016-03-14T01:59:00Z\""
                            }
                        };
                        self.error(at, wrong_type(expected));
                        return None;
                    }
                    Operand::Literal(field.clone())
                };
                Some(Test::Compare {
                    kind,
                    relation,
                    operand,
                })
            }
            OperatorName::Matches => match field.as_str() {
                Some(pattern) => Some(Test::Matches(Pattern::new(pattern))),
                None => {
                    self.error(at, wrong_type("a string"));
                    None
                }
            },
            OperatorName::Is(check) => match field.as_bool() {
                Some(expected) => Some(Test::Is { check, expected }),
                None => {
                    self.error(at, wrong_type("a boolean"));
                    None
                }
            },
        }
    }

    /// A `Variable` or `…Path` field: a JSONPath string.
    fn path(&mut self, key: &str, field: &Value, at: &str) -> Option<Path> {
        let Some(text) = field.as_str() else {
            self.error(at, format!("The field '{key}' must be a JSONPath string"));
            return None;
        };
        match Path::parse(text) {
            Ok(path) => Some(path),
            Err(_) => {
                self.error(at, crate::validate::invalid_path_field(key));
                None
            }
        }
    }
}

/// `pointer` extended by one object key, escaped as RFC 6901 requires.
fn field_pointer(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests;
