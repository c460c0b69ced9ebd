//! Choice rule compilation: each comparison operator, the path forms and the refusals.

use super::compile_choices;
use crate::choice::{ChoiceRule, Operand, Test};
use crate::Diagnostic;
use serde_json::{json, Value};

const AT: &str = "/States/C/Choices";

fn errors(choices: Value) -> Vec<Diagnostic> {
    let diagnostics = compile_choices(&choices, AT).expect_err("should not compile");
    assert!(diagnostics
        .iter()
        .all(|d| d.code == "SCHEMA_VALIDATION_FAILED" && d.severity == crate::Severity::Error));
    diagnostics
}

/// `(location, message)` of every diagnostic for a single rule.
fn rule_errors(rule: Value) -> Vec<(String, String)> {
    errors(json!([rule]))
        .into_iter()
        .map(|d| (d.location, d.message))
        .collect()
}

fn locations(rule: Value) -> Vec<String> {
    rule_errors(rule)
        .into_iter()
        .map(|(location, _)| location)
        .collect()
}

#[test]
fn every_operator_compiles() {
    let rules = json!([
        {"Variable": "$.s", "StringEquals": "a", "Next": "X"},
        {"Variable": "$.s", "StringEqualsPath": "$.t", "Next": "X"},
        {"Variable": "$.s", "StringLessThan": "a", "Next": "X"},
        {"Variable": "$.s", "StringLessThanPath": "$.t", "Next": "X"},
        {"Variable": "$.s", "StringGreaterThan": "a", "Next": "X"},
        {"Variable": "$.s", "StringGreaterThanPath": "$.t", "Next": "X"},
        {"Variable": "$.s", "StringLessThanEquals": "a", "Next": "X"},
        {"Variable": "$.s", "StringLessThanEqualsPath": "$.t", "Next": "X"},
        {"Variable": "$.s", "StringGreaterThanEquals": "a", "Next": "X"},
        {"Variable": "$.s", "StringGreaterThanEqualsPath": "$.t", "Next": "X"},
        {"Variable": "$.s", "StringMatches": "a*", "Next": "X"},
        {"Variable": "$.n", "NumericEquals": 1, "Next": "X"},
        {"Variable": "$.n", "NumericEqualsPath": "$.m", "Next": "X"},
        {"Variable": "$.n", "NumericLessThan": 1.5, "Next": "X"},
        {"Variable": "$.n", "NumericLessThanPath": "$.m", "Next": "X"},
        {"Variable": "$.n", "NumericGreaterThan": -1, "Next": "X"},
        {"Variable": "$.n", "NumericGreaterThanPath": "$.m", "Next": "X"},
        {"Variable": "$.n", "NumericLessThanEquals": 0, "Next": "X"},
        {"Variable": "$.n", "NumericLessThanEqualsPath": "$.m", "Next": "X"},
        {"Variable": "$.n", "NumericGreaterThanEquals": 0, "Next": "X"},
        {"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.m", "Next": "X"},
        {"Variable": "$.b", "BooleanEquals": true, "Next": "X"},
        {"Variable": "$.b", "BooleanEqualsPath": "$.c", "Next": "X"},
        {"Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z", "Next": "X"},
        {"Variable": "$.t", "TimestampEqualsPath": "$.u", "Next": "X"},
        {"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00Z", "Next": "X"},
        {"Variable": "$.t", "TimestampLessThanPath": "$.u", "Next": "X"},
        {"Variable": "$.t", "TimestampGreaterThan": "2016-03-14T01:59:00+01:00", "Next": "X"},
        {"Variable": "$.t", "TimestampGreaterThanPath": "$.u", "Next": "X"},
        {"Variable": "$.t", "TimestampLessThanEquals": "2016-03-14T01:59:00.5Z", "Next": "X"},
        {"Variable": "$.t", "TimestampLessThanEqualsPath": "$.u", "Next": "X"},
        {"Variable": "$.t", "TimestampGreaterThanEquals": "2016-03-14T01:59:00Z", "Next": "X"},
        {"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$.u", "Next": "X"},
        {"Variable": "$.v", "IsNull": true, "Next": "X"},
        {"Variable": "$.v", "IsPresent": false, "Next": "X"},
        {"Variable": "$.v", "IsNumeric": true, "Next": "X"},
        {"Variable": "$.v", "IsString": true, "Next": "X"},
        {"Variable": "$.v", "IsBoolean": true, "Next": "X"},
        {"Variable": "$.v", "IsTimestamp": true, "Next": "X"},
        {"Variable": "$$.Execution.Name", "StringEquals": "a", "Next": "X"},
        {"Variable": "$counter", "NumericEqualsPath": "$limits.max", "Next": "X"},
        {"Variable": "$.items[0]['a b']", "IsPresent": true, "Next": "X"},
        {"Not": {"Variable": "$.v", "IsNull": true, "Comment": "nested comments are fine"}, "Next": "X"},
        {"And": [{"Variable": "$.a", "IsPresent": true}, {"Or": [
            {"Variable": "$.a", "StringEquals": "x"},
            {"Not": {"Variable": "$.a", "NumericEquals": 1}}
        ]}], "Next": "Y", "Comment": "nested", "Assign": {"seen": true}}
    ]);
    let count = rules.as_array().map(Vec::len).unwrap_or_default();
    let choices = compile_choices(&rules, AT).expect("compiles");
    assert_eq!(choices.len(), count);
    let last = choices.last().expect("a choice");
    assert_eq!(last.next, "Y");
    assert_eq!(last.assign, Some(json!({"seen": true})));
    assert!(matches!(&last.rule, ChoiceRule::And(rules) if rules.len() == 2));
    assert!(matches!(
        &choices[1].rule,
        ChoiceRule::Test { test: Test::Compare { operand: Operand::Path(path), .. }, .. }
            if path.as_str() == "$.t"
    ));
}

#[test]
fn choices_must_be_a_non_empty_array() {
    for choices in [json!([]), json!({}), json!(null), json!("rules")] {
        let diagnostics = errors(choices);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].location, AT);
        assert_eq!(
            diagnostics[0].message,
            "The field 'Choices' must be a non-empty array of choice rules"
        );
    }
}

#[test]
fn a_rule_must_be_an_object() {
    assert_eq!(
        rule_errors(json!("StringEquals")),
        vec![(
            format!("{AT}/0"),
            "A choice rule must be an object".to_string()
        )]
    );
}

#[test]
fn a_top_level_rule_needs_a_string_next() {
    assert_eq!(
        rule_errors(json!({"Variable": "$.a", "IsNull": true})),
        vec![(
            format!("{AT}/0"),
            "These fields are required: [Next]".to_string()
        )]
    );
    assert_eq!(
        locations(json!({"Variable": "$.a", "IsNull": true, "Next": 3})),
        vec![format!("{AT}/0/Next")]
    );
}

#[test]
fn a_rule_without_an_operator() {
    let found = rule_errors(json!({"Variable": "$.a", "Next": "X"}));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, format!("{AT}/0"));
    assert!(found[0].1.ends_with("found none"), "{}", found[0].1);
    assert_eq!(locations(json!({"Next": "X"})), vec![format!("{AT}/0")]);
}

#[test]
fn a_rule_with_two_operators() {
    let found = rule_errors(json!({
        "Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "X"
    }));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, format!("{AT}/0"));
    assert!(
        found[0]
            .1
            .ends_with("found 2: [StringEquals, NumericEquals]"),
        "{}",
        found[0].1
    );
    // Each operator's own problems are reported as well.
    assert_eq!(
        locations(json!({
            "Variable": "$.a", "StringEquals": 1, "And": [], "Next": "X"
        })),
        vec![
            format!("{AT}/0/StringEquals"),
            format!("{AT}/0/And"),
            format!("{AT}/0"),
        ]
    );
}

#[test]
fn next_and_assign_are_refused_in_nested_rules() {
    let found = rule_errors(json!({
        "Not": {"Variable": "$.a", "IsNull": true, "Next": "X"},
        "Next": "X"
    }));
    assert_eq!(
        found,
        vec![(
            format!("{AT}/0/Not/Next"),
            "The field 'Next' is not supported in a nested choice rule".to_string()
        )]
    );
    assert_eq!(
        locations(json!({
            "And": [
                {"Variable": "$.a", "IsNull": true},
                {"Variable": "$.b", "IsNull": true, "Assign": {"x": 1}}
            ],
            "Next": "X"
        })),
        vec![format!("{AT}/0/And/1/Assign")]
    );
}

#[test]
fn operands_must_have_the_operator_type() {
    let cases = [
        ("StringEquals", json!(1), "a string"),
        ("StringLessThanEquals", json!(null), "a string"),
        ("StringMatches", json!(["*"]), "a string"),
        ("NumericEquals", json!("one"), "a number"),
        ("NumericGreaterThan", json!(true), "a number"),
        ("BooleanEquals", json!("true"), "a boolean"),
        ("IsNull", json!("true"), "a boolean"),
        ("IsPresent", json!(1), "a boolean"),
        (
            "TimestampEquals",
            json!("2016-03-14 01:59:00"),
            "an RFC 3339",
        ),
        (
            "TimestampLessThan",
            json!("2016-03-14T01:59:00"),
            "an RFC 3339",
        ),
        ("TimestampGreaterThan", json!(1457920740), "an RFC 3339"),
    ];
    for (operator, operand, expected) in cases {
        let found = rule_errors(json!({"Variable": "$.a", operator: operand, "Next": "X"}));
        assert_eq!(found.len(), 1, "{operator}: {found:?}");
        assert_eq!(found[0].0, format!("{AT}/0/{operator}"));
        assert!(
            found[0]
                .1
                .starts_with(&format!("The field '{operator}' must be {expected}")),
            "{operator}: {}",
            found[0].1
        );
    }
}

#[test]
fn paths_must_be_jsonpath_strings() {
    assert_eq!(
        locations(json!({"Variable": "a.b", "IsNull": true, "Next": "X"})),
        vec![format!("{AT}/0/Variable")]
    );
    assert_eq!(
        locations(json!({"Variable": 5, "IsNull": true, "Next": "X"})),
        vec![format!("{AT}/0/Variable")]
    );
    assert_eq!(
        locations(json!({"Variable": "$.a", "NumericEqualsPath": "b", "Next": "X"})),
        vec![format!("{AT}/0/NumericEqualsPath")]
    );
    assert_eq!(
        locations(json!({"Variable": "$.a", "StringEqualsPath": 3, "Next": "X"})),
        vec![format!("{AT}/0/StringEqualsPath")]
    );
    assert_eq!(
        locations(json!({"Variable": "$.a[?(", "IsNull": true, "Next": "X"})),
        vec![format!("{AT}/0/Variable")]
    );
    let found = rule_errors(json!({"Variable": "nope", "IsNull": true, "Next": "X"}));
    assert_eq!(
        found[0].1,
        "The value for the field 'Variable' must be a valid JSONPath"
    );
}

#[test]
fn a_comparison_needs_a_variable_and_and_or_not_refuse_one() {
    assert_eq!(
        rule_errors(json!({"StringEquals": "x", "Next": "X"})),
        vec![(
            format!("{AT}/0"),
            "These fields are required: [Variable]".to_string()
        )]
    );
    assert_eq!(
        locations(json!({
            "Variable": "$.a",
            "Not": {"Variable": "$.a", "IsNull": true},
            "Next": "X"
        })),
        vec![format!("{AT}/0/Variable")]
    );
}

#[test]
fn and_or_need_non_empty_arrays_and_not_an_object() {
    assert_eq!(
        rule_errors(json!({"And": [], "Next": "X"})),
        vec![(
            format!("{AT}/0/And"),
            "The field 'And' must be a non-empty array of choice rules".to_string()
        )]
    );
    assert_eq!(
        locations(json!({"Or": {"Variable": "$.a", "IsNull": true}, "Next": "X"})),
        vec![format!("{AT}/0/Or")]
    );
    assert_eq!(
        locations(json!({"Not": [{"Variable": "$.a", "IsNull": true}], "Next": "X"})),
        vec![format!("{AT}/0/Not")]
    );
}

#[test]
fn unknown_and_path_less_operators_are_refused() {
    for field in [
        "StringMatchesPath",
        "IsNullPath",
        "IsPresentPath",
        "NumericNotEquals",
        "Condition",
        "Default",
    ] {
        let found =
            rule_errors(json!({"Variable": "$.a", "IsNull": true, field: "$.b", "Next": "X"}));
        assert_eq!(
            found,
            vec![(
                format!("{AT}/0/{field}"),
                format!("The field '{field}' is not supported in a choice rule")
            )],
            "{field}"
        );
    }
    assert_eq!(
        locations(json!({"Variable": "$.a", "IsNull": true, "Comment": 1, "Next": "X"})),
        vec![format!("{AT}/0/Comment")]
    );
}

#[test]
fn pointers_escape_keys() {
    assert_eq!(
        locations(json!({"Variable": "$.a", "IsNull": true, "a/b~c": 1, "Next": "X"})),
        vec![format!("{AT}/0/a~1b~0c")]
    );
}

#[test]
fn every_problem_is_reported_with_its_location() {
    let diagnostics = errors(json!([
        {"Variable": "$.a", "Next": "X"},
        {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "X"},
        {"Not": {"Variable": "$.a", "IsNull": true, "Next": "X"}, "Next": "X"},
        {"And": [], "Next": "X"},
        {"Variable": "$.a", "NumericEquals": "one", "Next": "X"},
        {"Variable": "a", "IsNull": true, "Next": "X"},
        {"Variable": "$.a", "IsNull": true},
        {"Or": [
            {"Variable": "$.a", "IsNull": "yes"},
            {"Variable": "$.a", "TimestampEqualsPath": "t"},
            {"And": [{"StringEquals": "x"}]}
        ], "Next": "X"},
        {"Variable": "$.ok", "IsNull": true, "Next": "X"}
    ]));
    let locations: Vec<&str> = diagnostics.iter().map(|d| d.location.as_str()).collect();
    assert_eq!(
        locations,
        vec![
            "/States/C/Choices/0",
            "/States/C/Choices/1",
            "/States/C/Choices/2/Not/Next",
            "/States/C/Choices/3/And",
            "/States/C/Choices/4/NumericEquals",
            "/States/C/Choices/5/Variable",
            "/States/C/Choices/6",
            "/States/C/Choices/7/Or/0/IsNull",
            "/States/C/Choices/7/Or/1/TimestampEqualsPath",
            "/States/C/Choices/7/Or/2/And/0",
        ]
    );
}

#[test]
fn deep_nesting_is_refused_without_overflowing() {
    let mut rule = json!({"Variable": "$.a", "IsNull": true});
    for _ in 0..200 {
        rule = json!({ "Not": rule });
    }
    rule["Next"] = json!("X");
    let found = rule_errors(rule);
    assert_eq!(found.len(), 1);
    assert!(found[0].1.contains("nested"), "{}", found[0].1);
}
