//! Differential test: fluxo-jsonata and the reference implementation, jsonata-js 2.0.6 from npm
//! (`tests/differential/package.json`, installed with `npm ci --prefix
//! crates/jsonata/tests/differential`), on the same expressions, inputs and bindings: the 1,625
//! cases of the reference suite. Results must be deeply equal, both `undefined`, or errors with
//! the same code. Every case on which they differ must be listed, with the reason, in
//! `DIFFERENCES.md`; the count of agreements must not fall.
//!
//! Without node or the npm package the test prints a notice and passes, except where `CI` or
//! `FLUXO_REQUIRE_CLIENTS` is set: there it fails.

mod support;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::adapter::run_case;
use support::suite::{self, json_equal, Case, Outcome};

/// Agreements when this was written; the test fails if fewer agree.
const BASELINE: usize = 1611;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential")
}

/// Whether the reference can run here; `Err` says what is missing.
fn reference_available() -> Result<(), String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Err("node is not installed".into());
    }
    if !reference_dir()
        .join("node_modules/jsonata/package.json")
        .is_file()
    {
        return Err("the jsonata npm package is not installed (npm ci --prefix crates/jsonata/tests/differential)".into());
    }
    Ok(())
}

/// Runs every case through `run.js` in one node process.
fn reference_outcomes(cases: &[Case]) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg("run.js")
        .current_dir(reference_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let lines: Vec<String> = cases.iter().map(case_line).collect();
    let writer = std::thread::spawn(move || {
        for line in lines {
            writeln!(stdin, "{line}").expect("write a case");
        }
    });
    let outcomes: Vec<Value> = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map(|l| serde_json::from_str(&l.expect("a line")).expect("JSON from run.js"))
        .collect();
    writer.join().expect("writer");
    assert!(child.wait().expect("node exits").success(), "run.js failed");
    assert_eq!(outcomes.len(), cases.len(), "run.js answered every case");
    outcomes
}

fn case_line(case: &Case) -> String {
    let mut c = json!({"id": case.id, "expr": case.expr, "bindings": case.bindings});
    if let Some(data) = &case.data {
        c["data"] = data.clone();
    }
    if let (Some(t), Some(d)) = (case.timelimit_ms, case.depth) {
        c["timelimit"] = json!(t);
        c["depth"] = json!(d);
    }
    c.to_string()
}

/// Whether the two agree; and, for errors with the same code, whether the messages do too.
fn agree(reference: &Value, ours: &Outcome) -> (bool, Option<bool>) {
    match ours {
        Outcome::Value(v) => (
            reference.get("result").is_some_and(|r| json_equal(r, v)),
            None,
        ),
        Outcome::Undefined => (reference.get("undefined").is_some(), None),
        Outcome::Error { code, message } => {
            let same =
                code.is_some() && reference.get("code").and_then(Value::as_str) == code.as_deref();
            let text = reference.get("message").and_then(Value::as_str);
            (same, same.then(|| text == Some(message.as_str())))
        }
        Outcome::Crash(_) => (false, None),
    }
}

#[test]
fn fluxo_jsonata_agrees_with_jsonata_js() {
    if let Err(missing) = reference_available() {
        let required =
            std::env::var_os("CI").is_some() || std::env::var_os("FLUXO_REQUIRE_CLIENTS").is_some();
        assert!(!required, "{missing}: the differential test cannot run");
        println!("notice: {missing}; the differential test is skipped");
        return;
    }
    let cases = suite::load_cases(&suite::suite_dir());
    let reference = reference_outcomes(&cases);
    let documented =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("DIFFERENCES.md"))
            .expect("DIFFERENCES.md");
    let (mut agreed, mut messages, mut coded) = (0, 0, 0);
    let mut undocumented = Vec::new();
    for (case, theirs) in cases.iter().zip(&reference) {
        assert_eq!(theirs["id"], json!(case.id));
        let ours = run_case(case);
        let (same, same_message) = agree(theirs, &ours);
        if same {
            agreed += 1;
        } else {
            println!(
                "DIFF {}: {}\n  jsonata-js: {theirs}\n  ours:       {ours:?}",
                case.id, case.expr
            );
            if !documented.contains(&format!("`{}`", case.id)) {
                undocumented.push(case.id.clone());
            }
        }
        if let Some(m) = same_message {
            coded += 1;
            messages += usize::from(m);
            if !m && std::env::var_os("SHOW_MESSAGES").is_some() {
                println!(
                    "MSG {}\n  jsonata-js: {}\n  ours:       {ours:?}",
                    case.id, theirs["message"]
                );
            }
        }
    }
    println!(
        "fluxo-jsonata agrees with jsonata-js 2.0.6 on {agreed} of {} cases; on {messages} of {coded} errors with the same code the message is the same too",
        cases.len()
    );
    assert!(
        undocumented.is_empty(),
        "differences not in DIFFERENCES.md: {undocumented:?}"
    );
    assert!(agreed >= BASELINE, "{agreed} agree, baseline {BASELINE}");
}
