//! Table tests: each path, document and outcome below was produced by Jayway JsonPath 2.0.0
//! itself (built from its `json-path-2.0.0` tag with `fuzz/jayway-oracle`), so these tables are
//! AWS's path engine's answers, not ours.

use super::{Budget, Failure, JsonPath, Selection};
use serde_json::{json, Value};

/// What Jayway 2.0.0 did with a path and a document.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// The path does not compile.
    Invalid,
    /// The value read (a list for an indefinite path).
    Reads(Value),
    /// The evaluation threw `PathNotFoundException` with this message.
    NotFound(&'static str),
    /// The evaluation threw `InvalidPathException` with this message.
    Fails(&'static str),
    /// The evaluation threw another exception.
    Throws,
}

fn run(path: &str, document: &Value) -> Outcome {
    let Ok(compiled) = JsonPath::compile(path) else {
        return Outcome::Invalid;
    };
    match compiled.evaluate(document, document, false, &mut Budget::default()) {
        Ok(Selection::One(value)) => Outcome::Reads(value.into_owned()),
        Ok(Selection::Many(values)) => Outcome::Reads(Value::Array(
            values.into_iter().map(|value| value.into_owned()).collect(),
        )),
        Err(Failure::NotFound(message)) => Outcome::NotFound(leak(message)),
        Err(Failure::Invalid(message)) => Outcome::Fails(leak(message)),
        Err(Failure::Other(_) | Failure::Limit(_)) => Outcome::Throws,
    }
}

fn leak(message: String) -> &'static str {
    Box::leak(message.into_boxed_str())
}

fn check(cases: &[(&str, Value, Outcome)]) {
    let mut wrong = Vec::new();
    for (path, document, expected) in cases {
        let actual = run(path, document);
        if &actual != expected {
            wrong.push(format!(
                "{path} on {document}: expected {expected:?}, got {actual:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The path forms users write, those the published definitions use (`$.[0]`,
/// `$.Snapshots.[0].State`, `$.[*].['bucket', 'key']`, a trailing blank, `==Receipt`), and the
/// ways they fail, each with what Jayway 2.0.0 answered (`fuzz/jayway-oracle`), one per line of
/// `path-forms.jsonl`.
#[test]
fn path_forms_evaluate_as_jayway_2_0_0() {
    let lines = include_str!("path-forms.jsonl");
    assert!(lines.lines().count() > 50);
    let wrong = replay(lines);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn smoke() {
    use Outcome::*;
    check(&[
        ("$.a", json!({"a": 1}), Reads(json!(1))),
        (
            "$.b",
            json!({"a": 1}),
            NotFound("No results for path: $['b']"),
        ),
        (
            "$.Jobs.sum()",
            json!({"Jobs": [1, 2]}),
            NotFound("Property ['sum()'] not found in path $['Jobs']"),
        ),
        (
            "$['a', 'b'].v",
            json!({"a": {"v": 1}, "b": {"v": 2}}),
            Fails("Multi properties can only be used as path leafs: $['a', 'b']"),
        ),
        (
            "$.[*].['bucket', 'key']",
            json!([{"bucket": "b", "key": "k", "x": 1}]),
            Reads(json!([{"bucket": "b", "key": "k"}])),
        ),
        (
            "$.items[?(@.Name==Receipt)]",
            json!({"items": [{"Name": "Receipt"}, {"Name": "x"}]}),
            Reads(json!([{"Name": "Receipt"}])),
        ),
    ]);
}

/// Replays `FLUXO_JAYWAY_CASES` (lines `{"path", "document", "jayway"}`), or the recorded
/// fixture, against the port: outcome kind, value and message must all agree.
fn replay(lines: &str) -> Vec<String> {
    let mut wrong = Vec::new();
    for line in lines.lines().filter(|line| !line.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("a JSON line");
        let path = case["path"].as_str().unwrap_or_default();
        let document = &case["document"];
        let jayway = &case["jayway"];
        let actual = run(path, document);
        let agrees = match (&actual, jayway) {
            (Outcome::Invalid, expected) => expected.get("compile").is_some(),
            (Outcome::Reads(value), expected) => expected.get("ok") == Some(value),
            (Outcome::NotFound(message), expected) => {
                expected["fail"] == "PathNotFoundException" && expected["message"] == *message
            }
            (Outcome::Fails(message), expected) => {
                expected["fail"] == "InvalidPathException" && expected["message"] == *message
            }
            (Outcome::Throws, expected) => expected.get("fail").is_some_and(|kind| {
                kind != "PathNotFoundException" && kind != "InvalidPathException"
            }),
        };
        if !agrees {
            wrong.push(format!(
                "{path:?} on {document}: Jayway {jayway}, Fluxo {actual:?}"
            ));
        }
    }
    wrong
}

#[test]
fn agrees_with_jayway_on_generated_cases() {
    let (source, lines) = match std::env::var("FLUXO_JAYWAY_CASES") {
        Ok(file) => (
            file.clone(),
            std::fs::read_to_string(&file).expect("readable cases"),
        ),
        Err(_) => (
            "fixture".into(),
            include_str!("jayway-2.0.0.jsonl").to_string(),
        ),
    };
    let wrong = replay(&lines);
    assert!(
        wrong.is_empty(),
        "{} of {} cases of {source} disagree:\n{}",
        wrong.len(),
        lines.lines().count(),
        wrong
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
