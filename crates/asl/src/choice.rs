//! Choice rules (JSONPath query language): compile from JSON, evaluate against a scope.
//!
//! AWS's rule: a comparison whose operand has the wrong type is false, not an error
//! (`NumericEquals` on a string, `StringLessThan` on a number); only a `Variable` that
//! selects nothing is an error.

use crate::Diagnostic;
use fluxo_expr::{EvalError, Path, Scope};
use jiff::Timestamp;
use serde_json::Value;
use std::cmp::Ordering;

const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";

/// One top-level entry of a Choice state's `Choices`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub rule: ChoiceRule,
    pub next: String,
    /// The raw `Assign` object of this choice, if any (compiled by the model builder).
    pub assign: Option<Value>,
}

#[derive(Debug, Clone)]
pub enum ChoiceRule {
    And(Vec<ChoiceRule>),
    Or(Vec<ChoiceRule>),
    Not(Box<ChoiceRule>),
    Compare {
        variable: Path,
        operator: Operator,
        operand: Operand,
    },
}

#[derive(Debug, Clone)]
pub enum Operand {
    Literal(Value),
    Path(Path),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Compare(Kind, Relation),
    StringMatches,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

impl Relation {
    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Relation::Equals => ordering == Ordering::Equal,
            Relation::LessThan => ordering == Ordering::Less,
            Relation::GreaterThan => ordering == Ordering::Greater,
            Relation::LessThanEquals => ordering != Ordering::Greater,
            Relation::GreaterThanEquals => ordering != Ordering::Less,
        }
    }
}

/// Every comparison operator name, without the `Path` suffix.
fn operator_named(name: &str) -> Option<Operator> {
    use Kind::*;
    use Relation::*;
    let compare = |kind, relation| Some(Operator::Compare(kind, relation));
    match name {
        "StringEquals" => compare(String, Equals),
        "StringLessThan" => compare(String, LessThan),
        "StringGreaterThan" => compare(String, GreaterThan),
        "StringLessThanEquals" => compare(String, LessThanEquals),
        "StringGreaterThanEquals" => compare(String, GreaterThanEquals),
        "StringMatches" => Some(Operator::StringMatches),
        "NumericEquals" => compare(Numeric, Equals),
        "NumericLessThan" => compare(Numeric, LessThan),
        "NumericGreaterThan" => compare(Numeric, GreaterThan),
        "NumericLessThanEquals" => compare(Numeric, LessThanEquals),
        "NumericGreaterThanEquals" => compare(Numeric, GreaterThanEquals),
        "BooleanEquals" => compare(Boolean, Equals),
        "TimestampEquals" => compare(Timestamp, Equals),
        "TimestampLessThan" => compare(Timestamp, LessThan),
        "TimestampGreaterThan" => compare(Timestamp, GreaterThan),
        "TimestampLessThanEquals" => compare(Timestamp, LessThanEquals),
        "TimestampGreaterThanEquals" => compare(Timestamp, GreaterThanEquals),
        "IsNull" => Some(Operator::IsNull),
        "IsPresent" => Some(Operator::IsPresent),
        "IsNumeric" => Some(Operator::IsNumeric),
        "IsString" => Some(Operator::IsString),
        "IsBoolean" => Some(Operator::IsBoolean),
        "IsTimestamp" => Some(Operator::IsTimestamp),
        _ => None,
    }
}

/// Compiles the `Choices` array found at JSON pointer `pointer` (e.g. `/States/Check/Choices`).
pub fn compile_choices(choices: &Value, pointer: &str) -> Result<Vec<Choice>, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let Some(items) = choices.as_array() else {
        return Err(vec![Diagnostic::error(
            SCHEMA,
            pointer,
            "The field 'Choices' should be an array of choice rules",
        )]);
    };
    if items.is_empty() {
        diagnostics.push(Diagnostic::error(
            SCHEMA,
            pointer,
            "The field 'Choices' should have at least one choice rule",
        ));
    }
    let mut compiled = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_pointer = format!("{pointer}/{index}");
        let next = match item.get("Next") {
            Some(Value::String(next)) => Some(next.clone()),
            Some(_) => {
                diagnostics.push(Diagnostic::error(
                    SCHEMA,
                    format!("{item_pointer}/Next"),
                    "The field 'Next' should be a string",
                ));
                None
            }
            None => {
                diagnostics.push(Diagnostic::error(
                    SCHEMA,
                    &item_pointer,
                    "A top-level choice rule needs the field 'Next'",
                ));
                None
            }
        };
        let rule = compile_rule(item, &item_pointer, true, &mut diagnostics, 0);
        if let (Some(rule), Some(next)) = (rule, next) {
            compiled.push(Choice {
                rule,
                next,
                assign: item.get("Assign").cloned(),
            });
        }
    }
    if diagnostics.is_empty() {
        Ok(compiled)
    } else {
        Err(diagnostics)
    }
}

/// Rules nest; past this depth a definition is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

fn compile_rule(
    value: &Value,
    pointer: &str,
    top_level: bool,
    diagnostics: &mut Vec<Diagnostic>,
    depth: usize,
) -> Option<ChoiceRule> {
    let error = |diagnostics: &mut Vec<Diagnostic>, at: String, message: String| {
        diagnostics.push(Diagnostic::error(SCHEMA, at, message));
    };
    if depth > MAX_DEPTH {
        error(
            diagnostics,
            pointer.to_string(),
            format!("Choice rules are nested more than {MAX_DEPTH} levels deep"),
        );
        return None;
    }
    let Some(object) = value.as_object() else {
        error(
            diagnostics,
            pointer.to_string(),
            "A choice rule should be an object".into(),
        );
        return None;
    };
    let mut operators = Vec::new();
    let mut variable = None;
    let mut valid = true;
    for (key, field) in object {
        let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        match key.as_str() {
            "Comment" => {}
            "Next" | "Assign" if top_level => {}
            "Next" => {
                error(
                    diagnostics,
                    at,
                    "The field 'Next' is only allowed in a top-level choice rule".into(),
                );
                valid = false;
            }
            "Variable" => match field.as_str().map(Path::parse) {
                Some(Ok(path)) => variable = Some(path),
                Some(Err(syntax)) => {
                    error(diagnostics, at, syntax.message);
                    valid = false;
                }
                None => {
                    error(
                        diagnostics,
                        at,
                        "The field 'Variable' should be a JSONPath string".into(),
                    );
                    valid = false;
                }
            },
            "And" | "Or" | "Not" => operators.push((key.as_str(), field, at)),
            other if operator_named(other.strip_suffix("Path").unwrap_or(other)).is_some() => {
                operators.push((key.as_str(), field, at))
            }
            other => {
                error(
                    diagnostics,
                    at,
                    format!("The field '{other}' is not supported in a choice rule"),
                );
                valid = false;
            }
        }
    }
    if operators.len() != 1 {
        let message = if operators.is_empty() {
            "A choice rule needs exactly one comparison operator, And, Or or Not".to_string()
        } else {
            let names: Vec<&str> = operators.iter().map(|(name, _, _)| *name).collect();
            format!(
                "A choice rule may have only one operator, found: {}",
                names.join(", ")
            )
        };
        error(diagnostics, pointer.to_string(), message);
        return None;
    }
    let (name, field, at) = operators.remove(0);
    let nested = |diagnostics: &mut Vec<Diagnostic>| -> Option<Vec<ChoiceRule>> {
        let Some(items) = field.as_array().filter(|items| !items.is_empty()) else {
            diagnostics.push(Diagnostic::error(
                SCHEMA,
                at.clone(),
                format!("The field '{name}' should be a non-empty array of choice rules"),
            ));
            return None;
        };
        let rules: Vec<Option<ChoiceRule>> = items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                compile_rule(
                    item,
                    &format!("{at}/{index}"),
                    false,
                    diagnostics,
                    depth + 1,
                )
            })
            .collect();
        rules.into_iter().collect()
    };
    let rule = match name {
        "And" => ChoiceRule::And(nested(diagnostics)?),
        "Or" => ChoiceRule::Or(nested(diagnostics)?),
        "Not" => ChoiceRule::Not(Box::new(compile_rule(
            field,
            &at,
            false,
            diagnostics,
            depth + 1,
        )?)),
        _ => {
            let (base, by_path) = match name.strip_suffix("Path") {
                Some(base) if operator_named(base).is_some() => (base, true),
                _ => (name, false),
            };
            let operator = operator_named(base)?;
            let Some(variable) = variable.take() else {
                if valid {
                    error(
                        diagnostics,
                        pointer.to_string(),
                        format!("The operator '{name}' needs the field 'Variable'"),
                    );
                }
                return None;
            };
            let operand = if by_path {
                match field.as_str().map(Path::parse) {
                    Some(Ok(path)) => Operand::Path(path),
                    Some(Err(syntax)) => {
                        error(diagnostics, at, syntax.message);
                        return None;
                    }
                    None => {
                        error(
                            diagnostics,
                            at,
                            format!("The field '{name}' should be a JSONPath string"),
                        );
                        return None;
                    }
                }
            } else {
                if !literal_fits(operator, field) {
                    error(
                        diagnostics,
                        at,
                        format!("The value of the field '{name}' has the wrong type"),
                    );
                    return None;
                }
                Operand::Literal(field.clone())
            };
            ChoiceRule::Compare {
                variable,
                operator,
                operand,
            }
        }
    };
    if matches!(
        rule,
        ChoiceRule::And(_) | ChoiceRule::Or(_) | ChoiceRule::Not(_)
    ) && variable.is_some()
    {
        error(
            diagnostics,
            format!("{pointer}/Variable"),
            "The field 'Variable' is not allowed with And, Or or Not".into(),
        );
        return None;
    }
    valid.then_some(rule)
}

/// Whether a literal operand has the type its operator compares.
fn literal_fits(operator: Operator, value: &Value) -> bool {
    match operator {
        Operator::Compare(Kind::String, _) | Operator::StringMatches => value.is_string(),
        Operator::Compare(Kind::Numeric, _) => value.is_number(),
        Operator::Compare(Kind::Boolean, _) => value.is_boolean(),
        Operator::Compare(Kind::Timestamp, _) => value.as_str().and_then(parse_timestamp).is_some(),
        _ => value.is_boolean(),
    }
}

impl ChoiceRule {
    pub fn evaluate(&self, scope: &Scope) -> Result<bool, EvalError> {
        match self {
            ChoiceRule::And(rules) => {
                for rule in rules {
                    if !rule.evaluate(scope)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            ChoiceRule::Or(rules) => {
                for rule in rules {
                    if rule.evaluate(scope)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            ChoiceRule::Not(rule) => Ok(!rule.evaluate(scope)?),
            ChoiceRule::Compare {
                variable,
                operator,
                operand,
            } => {
                let value = variable.read(scope)?;
                if *operator == Operator::IsPresent {
                    let expected = operand_bool(operand, scope)?;
                    return Ok(value.is_some() == expected);
                }
                let Some(value) = value else {
                    return Err(EvalError {
                        error: "States.Runtime".into(),
                        message: format!(
                            "Invalid path '{}': The choice state's condition path references an invalid value.",
                            variable.as_str()
                        ),
                    });
                };
                let operand_value = match operand {
                    Operand::Literal(literal) => Some(literal.clone()),
                    Operand::Path(path) => path.read(scope)?,
                };
                Ok(match operand_value {
                    Some(operand_value) => test(*operator, &value, &operand_value),
                    None => false,
                })
            }
        }
    }
}

fn operand_bool(operand: &Operand, scope: &Scope) -> Result<bool, EvalError> {
    Ok(match operand {
        Operand::Literal(value) => value.as_bool().unwrap_or(false),
        Operand::Path(path) => path
            .read(scope)?
            .and_then(|value| value.as_bool())
            .unwrap_or(false),
    })
}

fn test(operator: Operator, value: &Value, operand: &Value) -> bool {
    let is = |expected: bool, actual: bool| {
        operand.as_bool() == Some(expected) && actual
            || operand.as_bool() == Some(!expected) && !actual
    };
    match operator {
        Operator::IsNull => is(true, value.is_null()),
        Operator::IsNumeric => is(true, value.is_number()),
        Operator::IsString => is(true, value.is_string()),
        Operator::IsBoolean => is(true, value.is_boolean()),
        Operator::IsTimestamp => is(true, value.as_str().and_then(parse_timestamp).is_some()),
        Operator::IsPresent => is(true, true),
        Operator::StringMatches => match (value.as_str(), operand.as_str()) {
            (Some(text), Some(pattern)) => wildcard_match(pattern, text),
            _ => false,
        },
        Operator::Compare(kind, relation) => {
            compare(kind, value, operand).is_some_and(|ordering| relation.holds(ordering))
        }
    }
}

fn compare(kind: Kind, value: &Value, operand: &Value) -> Option<Ordering> {
    match kind {
        Kind::String => Some(value.as_str()?.cmp(operand.as_str()?)),
        Kind::Numeric => {
            let (Value::Number(a), Value::Number(b)) = (value, operand) else {
                return None;
            };
            match (a.as_i64(), b.as_i64()) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
            }
        }
        Kind::Boolean => {
            let (a, b) = (value.as_bool()?, operand.as_bool()?);
            (a == b).then_some(Ordering::Equal).or(Some(Ordering::Less))
        }
        Kind::Timestamp => {
            let a = parse_timestamp(value.as_str()?)?;
            let b = parse_timestamp(operand.as_str()?)?;
            Some(a.cmp(&b))
        }
    }
}

/// An RFC 3339 timestamp as AWS accepts it in Choice rules: `T` separator and a zone.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[10] != b'T' {
        return None;
    }
    let tail = &bytes[bytes.len() - 6..];
    let zoned = text.ends_with('Z') || (matches!(tail[0], b'+' | b'-') && tail[3] == b':');
    if !zoned {
        return None;
    }
    text.parse().ok()
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal star, `\\` a backslash.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    #[derive(PartialEq)]
    enum Token {
        Star,
        Char(char),
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => tokens.push(Token::Char(escaped)),
                None => tokens.push(Token::Char('\\')),
            },
            '*' => tokens.push(Token::Star),
            c => tokens.push(Token::Char(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Iterative glob matching with backtracking to the last star: linear in practice.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(|token| *token == Token::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn choose(rule: Value, input: Value) -> Result<bool, EvalError> {
        let mut rule = rule;
        rule["Next"] = json!("X");
        let choices = compile_choices(&json!([rule]), "/Choices").expect("compiles");
        let context = json!({});
        let scope = Scope {
            input: &input,
            context: &context,
            variables: None,
        };
        choices[0].rule.evaluate(&scope)
    }

    #[test]
    fn type_mismatches_are_false() {
        assert!(!choose(
            json!({"Variable": "$.v", "NumericEquals": 1}),
            json!({"v": "1"})
        )
        .unwrap());
        assert!(!choose(
            json!({"Variable": "$.v", "StringLessThan": "b"}),
            json!({"v": 1})
        )
        .unwrap());
        assert!(choose(
            json!({"Variable": "$.v", "NumericEquals": 1}),
            json!({"v": 1.0})
        )
        .unwrap());
    }

    #[test]
    fn is_present_sees_null_and_missing_variables_error_elsewhere() {
        assert!(choose(
            json!({"Variable": "$.v", "IsPresent": true}),
            json!({"v": null})
        )
        .unwrap());
        assert!(choose(
            json!({"Variable": "$.w", "IsPresent": false}),
            json!({"v": 1})
        )
        .unwrap());
        assert!(choose(json!({"Variable": "$.w", "IsNull": true}), json!({})).is_err());
    }

    #[test]
    fn string_matches_handles_escapes() {
        assert!(wildcard_match("log-*.txt", "log-2024.txt"));
        assert!(!wildcard_match("log-*.txt", "log-2024.csv"));
        assert!(wildcard_match("a\\*b", "a*b"));
        assert!(!wildcard_match("a\\*b", "axb"));
        assert!(wildcard_match("a\\\\b", "a\\b"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("*a*a*", "banana"));
    }

    #[test]
    fn timestamps_compare_in_time_and_need_a_zone() {
        assert!(choose(
            json!({"Variable": "$.t", "TimestampLessThan": "2020-01-01T00:00:00Z"}),
            json!({"t": "2019-12-31T23:00:00-02:00"})
        )
        .is_ok_and(|matched| !matched));
        assert!(choose(
            json!({"Variable": "$.t", "IsTimestamp": true}),
            json!({"t": "2020-01-01T00:00:00"})
        )
        .is_ok_and(|m| !m));
    }

    #[test]
    fn and_or_not_combine() {
        let rule = json!({"And": [
            {"Variable": "$.a", "NumericGreaterThan": 1},
            {"Not": {"Variable": "$.b", "StringEquals": "x"}},
            {"Or": [{"Variable": "$.c", "BooleanEquals": true}, {"Variable": "$.c", "IsNull": true}]}
        ]});
        assert!(choose(rule.clone(), json!({"a": 2, "b": "y", "c": null})).unwrap());
        assert!(!choose(rule, json!({"a": 2, "b": "x", "c": true})).unwrap());
    }

    #[test]
    fn compile_reports_every_problem_with_its_location() {
        let errors = compile_choices(
            &json!([
                {"Variable": "$.a", "Next": "X"},
                {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "X"},
                {"Not": {"Variable": "$.a", "IsNull": true, "Next": "X"}, "Next": "X"},
                {"And": [], "Next": "X"},
                {"Variable": "$.a", "NumericEquals": "one", "Next": "X"},
                {"Variable": "a", "IsNull": true, "Next": "X"},
                {"Variable": "$.a", "IsNull": true}
            ]),
            "/States/C/Choices",
        )
        .unwrap_err();
        let locations: Vec<&str> = errors.iter().map(|d| d.location.as_str()).collect();
        assert_eq!(
            locations,
            vec![
                "/States/C/Choices/0",
                "/States/C/Choices/1",
                "/States/C/Choices/2/Not/Next",
                "/States/C/Choices/3/And",
                "/States/C/Choices/4/NumericEquals",
                "/States/C/Choices/5/Variable",
                "/States/C/Choices/6"
            ]
        );
        assert!(compile_choices(&json!([]), "/C").is_err());
    }
}
