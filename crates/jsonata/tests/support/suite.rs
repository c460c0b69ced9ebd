//! The JSONata reference test suite (`tests/reference-suite`, the `test/test-suite` folder of
//! jsonata-js at tag v2.0.6, the version AWS Step Functions documents) as data: every case with
//! its expression, input, bindings and expected outcome, and the comparison the reference runner
//! (`test/run-test-suite.js`) makes. Shared by `tests/reference_suite.rs`, the differential test
//! and the candidate harness in `candidates/`, so all of them count the same way.

#![allow(dead_code)] // each includer uses a different part

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One case of the suite.
#[derive(Debug, Clone)]
pub struct Case {
    /// `group/file` plus `#index` for files that hold an array of cases.
    pub id: String,
    pub group: String,
    pub expr: String,
    /// `None`: the input is `undefined` (`"dataset": null`).
    pub data: Option<Value>,
    pub bindings: Map<String, Value>,
    /// The reference runner's time box (milliseconds) and depth limit, when the case has them.
    pub timelimit_ms: Option<u64>,
    pub depth: Option<usize>,
    pub expect: Expect,
}

/// What the reference implementation produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Result(Value),
    Undefined,
    /// An error with this code (`T2002`, `D3030`, `S0201`, ...), at compile or evaluation time.
    Code(String),
}

/// What an implementation produced for a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Value(Value),
    Undefined,
    /// An error with its JSONata code when it has one.
    Error {
        code: Option<String>,
        message: String,
    },
    /// A panic, a crash of the process or a time-out of the harness.
    Crash(String),
}

/// The folder of the suite: `tests/reference-suite` of the fluxo-jsonata crate, found from the
/// manifest directory of whichever package includes this file (the crate or `candidates/`).
pub fn suite_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        manifest.join("tests/reference-suite"),
        manifest.join("../tests/reference-suite"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    .expect("tests/reference-suite next to the fluxo-jsonata manifest")
}

/// Every case of every group, in a stable order (group, then file name, then index).
pub fn load_cases(dir: &Path) -> Vec<Case> {
    let datasets = load_datasets(&dir.join("datasets"));
    let mut groups: Vec<PathBuf> = read_dir_sorted(&dir.join("groups"))
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    groups.sort();
    let mut cases = Vec::new();
    for group_dir in groups {
        let group = file_name(&group_dir);
        for file in read_dir_sorted(&group_dir) {
            if file.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("readable case file");
            let spec = parse_case_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let items = match spec {
                Value::Array(items) => items,
                other => vec![other],
            };
            let many = items.len() > 1;
            for (index, item) in items.into_iter().enumerate() {
                let mut id = format!("{group}/{}", file_name(&file));
                if many {
                    id.push_str(&format!("#{index}"));
                }
                cases.push(build_case(id, &group, &group_dir, item, &datasets));
            }
        }
    }
    cases
}

fn build_case(
    id: String,
    group: &str,
    group_dir: &Path,
    item: Value,
    datasets: &BTreeMap<String, Value>,
) -> Case {
    let obj = item.as_object().expect("case is an object");
    let expr = match obj.get("expr-file").and_then(Value::as_str) {
        Some(file) => std::fs::read_to_string(group_dir.join(file)).expect("expr-file"),
        None => obj["expr"].as_str().expect("expr").to_string(),
    };
    let data = if let Some(data) = obj.get("data") {
        Some(data.clone())
    } else {
        match obj.get("dataset") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(datasets[name].clone()),
            Some(other) => panic!("{id}: dataset {other}"),
        }
    };
    let expect = if let Some(result) = obj.get("result") {
        Expect::Result(result.clone())
    } else if obj.contains_key("undefinedResult") {
        Expect::Undefined
    } else if let Some(code) = obj.get("code").and_then(Value::as_str) {
        Expect::Code(code.to_string())
    } else if let Some(code) = obj
        .get("error")
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
    {
        Expect::Code(code.to_string())
    } else {
        panic!("{id}: nothing to test");
    };
    Case {
        id,
        group: group.to_string(),
        expr,
        data,
        bindings: obj
            .get("bindings")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        timelimit_ms: obj.get("timelimit").and_then(Value::as_u64),
        depth: obj.get("depth").and_then(Value::as_u64).map(|d| d as usize),
        expect,
    }
}

/// A case file as JSON. Two files (`function-encodeUrl/case002`, `function-encodeUrlComponent/
/// case002`) hold a lone UTF-16 surrogate (`\uD800`), which JavaScript strings allow and Rust
/// strings cannot: for those, the escape is handed to the JSONata expression instead
/// (`'\uD800'` in its string literal), whose lexer meets the same lone surrogate.
fn parse_case_file(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text).or_else(|_| serde_json::from_str(&text.replace("\\uD", "\\\\uD")))
}

fn load_datasets(dir: &Path) -> BTreeMap<String, Value> {
    read_dir_sorted(dir)
        .into_iter()
        .map(|file| {
            let name = file_name(&file).trim_end_matches(".json").to_string();
            let text = std::fs::read_to_string(&file).expect("readable dataset");
            (name, serde_json::from_str(&text).expect("dataset is JSON"))
        })
        .collect()
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("utf-8 file name")
        .to_string()
}

/// Whether `outcome` is what the reference runner accepts for `expect`: deep equality of
/// results (numbers by value, as JavaScript compares them; object keys in any order, as chai's
/// `deep.equal`), `undefined`, or an error with the expected code.
pub fn passes(expect: &Expect, outcome: &Outcome) -> bool {
    match (expect, outcome) {
        (Expect::Result(want), Outcome::Value(got)) => json_equal(want, got),
        (Expect::Undefined, Outcome::Undefined) => true,
        (Expect::Code(want), Outcome::Error { code, .. }) => code.as_deref() == Some(want),
        _ => false,
    }
}

/// Deep equality where numbers compare by their f64 value (`1` equals `1.0`), as in JavaScript.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Pass counts of one run, overall and per group.
#[derive(Debug, Default)]
pub struct Tally {
    pub passed: usize,
    pub total: usize,
    pub crashes: usize,
    pub per_group: BTreeMap<String, (usize, usize)>,
    pub failures: Vec<String>,
}

impl Tally {
    pub fn record(&mut self, case: &Case, outcome: &Outcome) {
        let ok = passes(&case.expect, outcome);
        let entry = self.per_group.entry(case.group.clone()).or_default();
        entry.1 += 1;
        self.total += 1;
        if ok {
            entry.0 += 1;
            self.passed += 1;
        } else {
            if matches!(outcome, Outcome::Crash(_)) {
                self.crashes += 1;
            }
            self.failures.push(case.id.clone());
        }
    }
}
