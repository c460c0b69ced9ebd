//! Evaluating compiled Choice rules against a scope.

use super::{parse_timestamp, ChoiceRule, Kind, Operand, Relation, Test, TypeCheck};
use fluxo_expr::{EvalError, Path, Scope};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

impl ChoiceRule {
    /// Whether the rule holds. `And` and `Or` stop at the first rule that decides them, so a
    /// later rule's missing path is only an error when that rule is reached.
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
            ChoiceRule::Test { variable, test } => test.holds(variable, scope),
        }
    }
}

impl Test {
    fn holds(&self, variable: &Path, scope: &Scope) -> Result<bool, EvalError> {
        let value = select(variable, scope)?;
        if let Test::Is {
            check: TypeCheck::Present,
            expected,
        } = self
        {
            return Ok(value.is_some() == *expected);
        }
        let value = value.ok_or_else(|| invalid_condition_path(variable))?;
        Ok(match self {
            Test::Is { check, expected } => type_check(*check, &value) == *expected,
            Test::Matches(pattern) => value.as_str().is_some_and(|text| pattern.matches(text)),
            Test::Compare {
                kind,
                relation,
                operand,
            } => {
                let operand = match operand {
                    Operand::Literal(literal) => Cow::Borrowed(literal),
                    Operand::Path(path) => {
                        select(path, scope)?.ok_or_else(|| invalid_condition_path(path))?
                    }
                };
                compare(*kind, &value, &operand).is_some_and(|ordering| relation.holds(ordering))
            }
        })
    }
}

/// Reads a condition path. A workflow variable that was never assigned selects nothing, like
/// a missing field: `IsPresent` is false for it and every other test fails the same way.
fn select<'a>(path: &Path, scope: &Scope<'a>) -> Result<Option<Cow<'a, Value>>, EvalError> {
    if let Some(name) = path.variable() {
        if scope.variables.and_then(|vars| vars.get(name)).is_none() {
            return Ok(None);
        }
    }
    path.select(scope)
}

/// AWS's cause for a condition path that selects nothing, after the engine's
/// "An error occurred while executing the state '…' (entered at the event id #N). " prefix.
fn invalid_condition_path(path: &Path) -> EvalError {
    EvalError {
        error: "States.Runtime".into(),
        message: format!(
            "Invalid path '{}': The choice state's condition path references an invalid value.",
            path.as_str()
        ),
    }
}

fn type_check(check: TypeCheck, value: &Value) -> bool {
    match check {
        TypeCheck::Null => value.is_null(),
        TypeCheck::Present => true,
        TypeCheck::Numeric => value.is_number(),
        TypeCheck::String => value.is_string(),
        TypeCheck::Boolean => value.is_boolean(),
        TypeCheck::Timestamp => value.as_str().and_then(parse_timestamp).is_some(),
    }
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

/// Orders `value` against `operand` when both have the operator's type; `None` (so the
/// test is false) when either does not.
fn compare(kind: Kind, value: &Value, operand: &Value) -> Option<Ordering> {
    match kind {
        Kind::String => Some(value.as_str()?.cmp(operand.as_str()?)),
        Kind::Numeric => match (value, operand) {
            (Value::Number(a), Value::Number(b)) => compare_numbers(a, b),
            _ => None,
        },
        // Only BooleanEquals exists, so unequal booleans need no real order.
        Kind::Boolean => {
            let (a, b) = (value.as_bool()?, operand.as_bool()?);
            Some(if a == b {
                Ordering::Equal
            } else {
                Ordering::Less
            })
        }
        Kind::Timestamp => {
            let a = parse_timestamp(value.as_str()?)?;
            let b = parse_timestamp(operand.as_str()?)?;
            Some(a.cmp(&b))
        }
    }
}

/// Integers compare exactly (even past 2^53); anything with a fraction compares as f64, so
/// `1` equals `1.0`.
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    let integer = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (integer(a), integer(b)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

#[cfg(test)]
mod tests {
    use crate::choice::compile_choices;
    use fluxo_expr::{EvalError, Scope};
    use serde_json::{json, Map, Value};

    fn choose_with(
        rule: Value,
        input: Value,
        variables: Option<&Map<String, Value>>,
    ) -> Result<bool, EvalError> {
        let mut rule = rule;
        rule["Next"] = json!("X");
        let choices = compile_choices(&json!([rule]), "/Choices").expect("compiles");
        let context = json!({"Execution": {"Name": "run-1"}});
        let scope = Scope {
            input: &input,
            context: &context,
            variables,
        };
        choices[0].rule.evaluate(&scope)
    }

    fn choose(rule: Value, input: Value) -> Result<bool, EvalError> {
        choose_with(rule, input, None)
    }

    fn holds(rule: Value, input: Value) -> bool {
        choose(rule, input).expect("evaluates")
    }

    #[test]
    fn type_mismatches_are_false() {
        assert!(!holds(
            json!({"Variable": "$.v", "NumericEquals": 1}),
            json!({"v": "1"})
        ));
        assert!(!holds(
            json!({"Variable": "$.v", "NumericEquals": 0}),
            json!({"v": null})
        ));
        assert!(!holds(
            json!({"Variable": "$.v", "StringLessThan": "b"}),
            json!({"v": 1})
        ));
        assert!(!holds(
            json!({"Variable": "$.v", "BooleanEquals": false}),
            json!({"v": 0})
        ));
        assert!(!holds(
            json!({"Variable": "$.v", "StringMatches": "*"}),
            json!({"v": ["a"]})
        ));
        assert!(!holds(
            json!({"Variable": "$.v", "NumericEqualsPath": "$.w"}),
            json!({"v": 1, "w": "1"})
        ));
    }

    #[test]
    fn numbers_compare_across_integer_and_float() {
        assert!(holds(
            json!({"Variable": "$.v", "NumericEquals": 1}),
            json!({"v": 1.0})
        ));
        assert!(holds(
            json!({"Variable": "$.v", "NumericLessThan": 1.5}),
            json!({"v": 1})
        ));
        assert!(holds(
            json!({"Variable": "$.v", "NumericGreaterThanEquals": -2}),
            json!({"v": -2.0})
        ));
        // Beyond f64's exact range integers still differ.
        assert!(!holds(
            json!({"Variable": "$.v", "NumericEquals": 9007199254740993_u64}),
            json!({"v": 9007199254740992_u64})
        ));
        assert!(holds(
            json!({"Variable": "$.v", "NumericGreaterThan": -1}),
            json!({"v": u64::MAX})
        ));
    }

    #[test]
    fn strings_compare_by_code_point() {
        assert!(holds(
            json!({"Variable": "$.v", "StringLessThan": "b"}),
            json!({"v": "a"})
        ));
        assert!(holds(
            json!({"Variable": "$.v", "StringLessThan": "a"}),
            json!({"v": "B"})
        ));
        assert!(holds(
            json!({"Variable": "$.v", "StringGreaterThanEquals": "abc"}),
            json!({"v": "abc"})
        ));
        assert!(holds(
            json!({"Variable": "$.v", "StringMatches": "log-*.txt"}),
            json!({"v": "log-1.txt"})
        ));
    }

    #[test]
    fn is_tests() {
        let cases = [
            ("IsNull", json!(null), true),
            ("IsNull", json!(0), false),
            ("IsNumeric", json!(1.5), true),
            ("IsNumeric", json!("1"), false),
            ("IsString", json!("2012-10-09T19:00:55Z"), true),
            ("IsString", json!(null), false),
            ("IsBoolean", json!(false), true),
            ("IsBoolean", json!("true"), false),
            ("IsTimestamp", json!("2012-10-09T19:00:55Z"), true),
            ("IsTimestamp", json!("2012-10-09T19:00:55"), false),
            ("IsTimestamp", json!(1), false),
            ("IsPresent", json!(null), true),
        ];
        for (operator, value, expected) in cases {
            let input = json!({ "v": value });
            assert_eq!(
                holds(json!({"Variable": "$.v", operator: true}), input.clone()),
                expected,
                "{operator} on {value}"
            );
            assert_eq!(
                holds(json!({"Variable": "$.v", operator: false}), input),
                !expected,
                "{operator}: false on {value}"
            );
        }
    }

    #[test]
    fn is_present_tests_for_a_missing_path() {
        assert!(!holds(
            json!({"Variable": "$.w", "IsPresent": true}),
            json!({"v": 1})
        ));
        assert!(holds(
            json!({"Variable": "$.w.x", "IsPresent": false}),
            json!({"w": 1})
        ));
        assert!(holds(
            json!({"Variable": "$missing", "IsPresent": false}),
            json!({})
        ));
    }

    #[test]
    fn a_missing_condition_path_is_a_runtime_error() {
        for rule in [
            json!({"Variable": "$.w", "IsNull": true}),
            json!({"Variable": "$.w", "NumericEquals": 1}),
            json!({"Variable": "$.w", "StringMatches": "*"}),
            json!({"Variable": "$.w", "NumericEqualsPath": "$.v"}),
        ] {
            let error = choose(rule, json!({"v": 1})).unwrap_err();
            assert_eq!(error.error, "States.Runtime");
            assert_eq!(
                error.message,
                "Invalid path '$.w': The choice state's condition path references an invalid value."
            );
        }
        let error = choose(
            json!({"Variable": "$.v", "NumericEqualsPath": "$.w"}),
            json!({"v": 1}),
        )
        .unwrap_err();
        assert!(error.message.starts_with("Invalid path '$.w'"));
        let error =
            choose(json!({"Variable": "$undefined", "IsNull": true}), json!({})).unwrap_err();
        assert!(error.message.starts_with("Invalid path '$undefined'"));
    }

    #[test]
    fn and_or_stop_early_so_is_present_guards_work() {
        let guarded = json!({"And": [
            {"Variable": "$.k", "IsPresent": true},
            {"Variable": "$.k", "StringEquals": "foo"}
        ]});
        assert!(!holds(guarded.clone(), json!({})));
        assert!(holds(guarded, json!({"k": "foo"})));
        let either = json!({"Or": [
            {"Variable": "$.k", "IsPresent": false},
            {"Variable": "$.k", "NumericGreaterThan": 3}
        ]});
        assert!(holds(either.clone(), json!({})));
        assert!(!holds(either, json!({"k": 2})));
    }

    #[test]
    fn and_or_not_combine() {
        let rule = json!({"And": [
            {"Variable": "$.a", "NumericGreaterThan": 1},
            {"Not": {"Variable": "$.b", "StringEquals": "x"}},
            {"Or": [{"Variable": "$.c", "BooleanEquals": true}, {"Variable": "$.c", "IsNull": true}]}
        ]});
        assert!(holds(rule.clone(), json!({"a": 2, "b": "y", "c": null})));
        assert!(!holds(rule, json!({"a": 2, "b": "x", "c": true})));
    }

    #[test]
    fn timestamps_compare_as_instants() {
        assert!(!holds(
            json!({"Variable": "$.t", "TimestampLessThan": "2020-01-01T00:00:00Z"}),
            json!({"t": "2019-12-31T23:00:00-02:00"})
        ));
        assert!(holds(
            json!({"Variable": "$.t", "TimestampEquals": "2020-01-01T01:00:00+01:00"}),
            json!({"t": "2020-01-01T00:00:00Z"})
        ));
        assert!(!holds(
            json!({"Variable": "$.t", "TimestampEquals": "2020-01-01T00:00:00Z"}),
            json!({"t": "2020-01-01T00:00:00"})
        ));
        assert!(holds(
            json!({"Variable": "$.t", "TimestampGreaterThanPath": "$.u"}),
            json!({"t": "2020-01-01T00:00:00.5Z", "u": "2020-01-01T00:00:00Z"})
        ));
        assert!(!holds(
            json!({"Variable": "$.t", "TimestampLessThanPath": "$.u"}),
            json!({"t": "2020-01-01T00:00:00Z", "u": "tomorrow"})
        ));
    }

    #[test]
    fn paths_read_context_and_workflow_variables() {
        assert!(holds(
            json!({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}),
            json!({})
        ));
        let mut variables = Map::new();
        variables.insert("limit".into(), json!({"max": 10}));
        assert!(choose_with(
            json!({"Variable": "$.n", "NumericLessThanEqualsPath": "$limit.max"}),
            json!({"n": 10}),
            Some(&variables),
        )
        .unwrap());
        assert!(choose_with(
            json!({"Variable": "$limit", "IsPresent": true}),
            json!({}),
            Some(&variables),
        )
        .unwrap());
    }
}
