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

/// The document most forms below read.
const DOCUMENT: &str = r#"{"a": {"b": "x", "c": [1, 2, 3]}, "items": [{"v": 1, "Name": "Receipt"}, {"v": 2, "Name": "x"}, {"w": 3}], "Snapshots": [{"State": "completed"}], "it's": 1, "e f": 2, "Test\\\"\"Name\"": "q", "n": null}"#;
/// The document of `$.[*].['bucket', 'key']` (s3-glacier-multi-file-restore).
const BUCKETS: &str = r#"[{"bucket": "b1", "key": "k1", "x": 0}, {"bucket": "b2", "key": "k2"}]"#;

/// The path forms users write, those the published definitions use (`$.[0]`,
/// `$.Snapshots.[0].State`, `$.[*].['bucket', 'key']`, a trailing blank, `==Receipt`), and the
/// ways they fail, each with what Jayway 2.0.0 answered (`fuzz/jayway-oracle`).
#[test]
fn path_forms_evaluate_as_jayway_2_0_0() {
    let table: &[(&str, &str, &str)] = &[
        (
            "$",
            DOCUMENT,
            r#"{"definite":true,"ok":{"a":{"b":"x","c":[1,2,3]},"items":[{"v":1,"Name":"Receipt"},{"v":2,"Name":"x"},{"w":3}],"Snapshots":[{"State":"completed"}],"it's":1,"e f":2,"Test\\\"\"Name\"":"q","n":null}}"#,
        ),
        ("$.a.b", DOCUMENT, r#"{"definite":true,"ok":"x"}"#),
        ("$['a']['b']", DOCUMENT, r#"{"definite":true,"ok":"x"}"#),
        ("$.a.c[1]", DOCUMENT, r#"{"definite":true,"ok":2}"#),
        (
            "$.a.c[-1]",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"Index out of bounds when evaluating path $['a']['c'][-1]"}"#,
        ),
        (
            "$.a.c[(@.length-1)]",
            DOCUMENT,
            r#"{"definite":true,"ok":3}"#,
        ),
        ("$.a.c[0,2]", DOCUMENT, r#"{"definite":false,"ok":[1,3]}"#),
        ("$.a.c[1:]", DOCUMENT, r#"{"definite":false,"ok":[2,3]}"#),
        ("$.a.c[:2]", DOCUMENT, r#"{"definite":false,"ok":[1,2]}"#),
        ("$.a.c[-2:]", DOCUMENT, r#"{"definite":false,"ok":[2,3]}"#),
        ("$.a.c[0:2]", DOCUMENT, r#"{"definite":false,"ok":[1,2]}"#),
        (
            "$.a.*",
            DOCUMENT,
            r#"{"definite":false,"ok":["x",[1,2,3]]}"#,
        ),
        ("$.a.c[*]", DOCUMENT, r#"{"definite":false,"ok":[1,2,3]}"#),
        ("$..v", DOCUMENT, r#"{"definite":false,"ok":[1,2]}"#),
        (
            "$..[0]",
            DOCUMENT,
            r#"{"definite":false,"ok":[1,{"v":1,"Name":"Receipt"},{"State":"completed"}]}"#,
        ),
        ("$.items[*].v", DOCUMENT, r#"{"definite":false,"ok":[1,2]}"#),
        (
            "$.items[?(@.v)]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":1,"Name":"Receipt"},{"v":2,"Name":"x"}]}"#,
        ),
        (
            "$.items[?(!@.v)]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"w":3}]}"#,
        ),
        (
            "$.items[?(@.v > 1)]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":2,"Name":"x"}]}"#,
        ),
        (
            "$.items[?(@.Name == 'Receipt')]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":1,"Name":"Receipt"}]}"#,
        ),
        (
            "$.items[?(@.Name==Receipt)]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":1,"Name":"Receipt"}]}"#,
        ),
        (
            "$.items[?(@.v == '1')]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":1,"Name":"Receipt"}]}"#,
        ),
        (
            "$.items[?(@.v >= 1 && @.Name =~ /R.*/)]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":1,"Name":"Receipt"}]}"#,
        ),
        (
            "$.items[?(@.v == 2 || @.w)]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":2,"Name":"x"},{"w":3}]}"#,
        ),
        (
            "$.items[?(@.Name =~ /receipt/i)]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":1,"Name":"Receipt"}]}"#,
        ),
        (
            "$.items[?(@.v == $.a.c[0])]",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":1,"Name":"Receipt"}]}"#,
        ),
        (
            "$['a', 'items']",
            DOCUMENT,
            r#"{"definite":true,"ok":{"a":{"b":"x","c":[1,2,3]},"items":[{"v":1,"Name":"Receipt"},{"v":2,"Name":"x"},{"w":3}]}}"#,
        ),
        (
            "$.items[*]['v', 'Name']",
            DOCUMENT,
            r#"{"definite":false,"ok":[{"v":1,"Name":"Receipt"},{"v":2,"Name":"x"},{}]}"#,
        ),
        (
            "$.[0]",
            BUCKETS,
            r#"{"definite":true,"ok":{"bucket":"b1","key":"k1","x":0}}"#,
        ),
        (
            "$.[*].['bucket', 'key']",
            BUCKETS,
            r#"{"definite":false,"ok":[{"bucket":"b1","key":"k1"},{"bucket":"b2","key":"k2"}]}"#,
        ),
        (
            "$.Snapshots.[0].State",
            DOCUMENT,
            r#"{"definite":true,"ok":"completed"}"#,
        ),
        ("$.a.b ", DOCUMENT, r#"{"definite":true,"ok":"x"}"#),
        ("$['e f']", DOCUMENT, r#"{"definite":true,"ok":2}"#),
        (
            "$['Test\\\"\"Name\"']",
            DOCUMENT,
            r#"{"definite":true,"ok":"q"}"#,
        ),
        (
            "$.missing",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"No results for path: $['missing']"}"#,
        ),
        (
            "$.missing.deeper",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"Missing property in path $['missing']"}"#,
        ),
        (
            "$.a.b.c",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"Property ['c'] not found in path $['a']['b']"}"#,
        ),
        (
            "$.a.c[7]",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"Index out of bounds when evaluating path $['a']['c'][7]"}"#,
        ),
        (
            "$.a[0]",
            DOCUMENT,
            r#"{"definite":true,"fail":"InvalidPathException","message":"Filter: [0] can only be applied to arrays. Current context is: {b=x, c=[1, 2, 3]}"}"#,
        ),
        ("$.a.c[*].d", DOCUMENT, r#"{"definite":false,"ok":[]}"#),
        ("$.missing[*]", DOCUMENT, r#"{"definite":false,"ok":[]}"#),
        (
            "$['a', 'items'].b",
            DOCUMENT,
            r#"{"definite":true,"fail":"InvalidPathException","message":"Multi properties can only be used as path leafs: $['a', 'items']"}"#,
        ),
        (
            "$.a.length()",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"No results for path: $['a']['length()']"}"#,
        ),
        (
            "$.a.c.sum()",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"Property ['sum()'] not found in path $['a']['c']"}"#,
        ),
        (
            "$.n[0]",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"The path $['n'] is null"}"#,
        ),
        (
            "$.a.b[?(@.x)]",
            DOCUMENT,
            r#"{"definite":false,"fail":"InvalidPathException","message":"Filter: [?] can not be applied to primitives. Current context is: x"}"#,
        ),
        (
            "$[?]",
            BUCKETS,
            r#"{"definite":false,"fail":"NullPointerException","message":"Cannot invoke \"com.jayway.jsonpath.Predicate.apply(com.jayway.jsonpath.Predicate$PredicateContext)\" because \"<local7>\" is null"}"#,
        ),
        (
            "$.a..",
            DOCUMENT,
            r#"{"compile":"InvalidPathException: com.jayway.jsonpath.InvalidPathException: A path can not end with a scan."}"#,
        ),
        (
            "$ .a",
            DOCUMENT,
            r#"{"compile":"InvalidPathException: com.jayway.jsonpath.InvalidPathException: Invalid path $ .a"}"#,
        ),
        (
            "$.a b",
            DOCUMENT,
            r#"{"compile":"InvalidPathException: com.jayway.jsonpath.InvalidPathException: Space not allowed in path"}"#,
        ),
        (
            "$['a",
            DOCUMENT,
            r#"{"compile":"InvalidPathException: java.lang.StringIndexOutOfBoundsException: String index out of range: 3"}"#,
        ),
        (
            "$.a[",
            DOCUMENT,
            r#"{"compile":"InvalidPathException: com.jayway.jsonpath.InvalidPathException: Could not analyze path component: ["}"#,
        ),
        ("$[0]x", BUCKETS, r#"{"definite":true,"ok":0}"#),
        ("$[0]bucket", BUCKETS, r#"{"definite":true,"ok":"b1"}"#),
        (
            "$.a.c[1 1]",
            DOCUMENT,
            r#"{"definite":true,"fail":"PathNotFoundException","message":"Index out of bounds when evaluating path $['a']['c'][11]"}"#,
        ),
        ("$.a.c[0,]", DOCUMENT, r#"{"definite":true,"ok":1}"#),
        ("$...v", DOCUMENT, r#"{"definite":false,"ok":[1,2]}"#),
    ];
    let lines: Vec<String> = table
        .iter()
        .map(|(path, document, jayway)| {
            let document: Value = serde_json::from_str(document).expect("a document");
            let jayway: Value = serde_json::from_str(jayway).expect("an outcome");
            json!({"path": path, "document": document, "jayway": jayway}).to_string()
        })
        .collect();
    let wrong = replay(&lines.join("\n"));
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
