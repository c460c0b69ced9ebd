//! Every Step Functions call recorded from AWS in `../shared/conformance-api`, run through
//! [`validate`]:
//!
//! * a call AWS answered with a model-validation message (`N validation error(s) detected: ...`)
//!   must get exactly that message (`<...>` tokens of the recording match any text, as the
//!   corpus README says);
//! * every other call (AWS accepted it, or refused it for a reason outside the model:
//!   `InvalidArn`, `InvalidName`, `InvalidDefinition`, the action's own `ValidationException`s)
//!   must pass: a model error there would be an answer AWS did not give.
//!
//! Calls botocore refused before sending (`client_side`) are skipped: AWS never saw them
//! (`recorded.rs` gives their derived answers). References to earlier responses (`${s0.x}`) are
//! replaced by values of the same kind (an ARN for an ARN, ...).

use std::path::{Path, PathBuf};

use fluxo_api_model::{validate, RequestError};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance-api/cases");
    if dir.is_dir() {
        return Some(dir);
    }
    // CI lays shared/ beside the clone: there, a missing corpus is a broken setup, not a skip.
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing",
        dir.display()
    );
    eprintln!(
        "{} is not beside the repository: the recorded corpus is not checked",
        dir.display()
    );
    None
}

/// Stand-ins for `${<reference>}`s within one case: the runner's account and region, or a value
/// of the kind the referenced response field holds. Version ARNs are numbered by first use
/// (`:1`, `:2`, ...), as the versions the earlier steps published were.
#[derive(Default)]
struct StandIns {
    versions: Vec<String>,
}

impl StandIns {
    fn get(&mut self, reference: &str) -> String {
        let field = reference
            .split('.')
            .nth(1)
            .unwrap_or(reference)
            .to_ascii_lowercase();
        let arn = "arn:aws:states:us-east-1:111111111111:stateMachine:statemachine_a0000002";
        match reference {
            "account" => "111111111111".to_owned(),
            "region" => "us-east-1".to_owned(),
            _ if field.contains("versionarn") => {
                let n = match self.versions.iter().position(|r| r == reference) {
                    Some(i) => i + 1,
                    None => {
                        self.versions.push(reference.to_owned());
                        self.versions.len()
                    }
                };
                format!("{arn}:{n}")
            }
            _ if field.contains("arn") => arn.to_owned(),
            _ if field.contains("url") => {
                "https://sqs.us-east-1.amazonaws.com/111111111111/queue".to_owned()
            }
            _ => "a0000001-placeholder".to_owned(),
        }
    }

    fn resolve_text(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push_str(&self.get(&rest[start + 2..start + len]));
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }

    fn resolve(&mut self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.resolve_text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            Value::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// Whether `actual` is `expected` with each `<...>` token of `expected` standing for any
/// non-empty text.
fn matches_recording(expected: &str, actual: &str) -> bool {
    let mut pieces = Vec::new();
    let mut rest = expected;
    while let Some(open) = rest.find('<') {
        match rest[open..].find('>') {
            Some(close) => {
                pieces.push(&rest[..open]);
                rest = &rest[open + close + 1..];
            }
            None => break,
        }
    }
    pieces.push(rest);
    let mut at = 0;
    for (i, piece) in pieces.iter().enumerate() {
        let found = if i == 0 {
            actual.starts_with(piece).then_some(0)
        } else if i == pieces.len() - 1 {
            (actual.len() >= at + 1 + piece.len() && actual.ends_with(piece))
                .then(|| actual.len() - piece.len())
        } else {
            actual
                .get(at + 1..)
                .and_then(|tail| tail.find(piece))
                .map(|p| p + at + 1)
        };
        match found {
            Some(p) => at = p + piece.len(),
            None => return false,
        }
    }
    pieces.len() > 1 || at == actual.len()
}

fn is_model_validation(message: &str) -> bool {
    let digits = message.chars().take_while(char::is_ascii_digit).count();
    digits > 0
        && (message[digits..].starts_with(" validation error detected: ")
            || message[digits..].starts_with(" validation errors detected: "))
}

struct Tally {
    reproduced: Vec<String>,
    accepted: usize,
    skipped_client_side: usize,
    failures: Vec<String>,
}

fn check_step(case: &str, step: &Value, stand_ins: &mut StandIns, tally: &mut Tally) {
    if step.get("service").is_some() || step["action"].as_str().is_none_or(|a| a.starts_with('@')) {
        return;
    }
    if step["client_side"] == Value::Bool(true) {
        tally.skipped_client_side += 1;
        return;
    }
    let action = step["action"].as_str().unwrap_or_default();
    let id = step["id"].as_str().unwrap_or_default();
    let body = stand_ins.resolve(step.get("request").unwrap_or(&Value::Null));
    let got = validate(action, &body);
    let error = &step["expect"]["error"];
    let recorded = error["message"]
        .as_str()
        .filter(|m| error["code"] == "ValidationException" && is_model_validation(m));
    match (recorded, got) {
        (Some(expected), Err(RequestError::Validation(actual)))
            if matches_recording(expected, &actual) =>
        {
            tally.reproduced.push(format!("{case} {id}"));
        }
        (Some(expected), got) => {
            tally.failures.push(format!(
                "{case} {id} {action}: AWS said {expected:?}, we say {got:?}"
            ));
        }
        (None, Ok(())) => tally.accepted += 1,
        (None, Err(e)) => tally.failures.push(format!(
            "{case} {id} {action}: AWS answered {}, we refuse with {e:?}",
            error["code"].as_str().unwrap_or("success")
        )),
    }
}

fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for group in std::fs::read_dir(dir).expect("read the corpus").flatten() {
        if group.path().is_dir() {
            for file in std::fs::read_dir(group.path())
                .expect("read a group")
                .flatten()
            {
                if file.path().extension().is_some_and(|e| e == "json") {
                    files.push(file.path());
                }
            }
        }
    }
    files.sort();
    files
}

#[test]
fn corpus_sweep() {
    let Some(dir) = corpus() else { return };
    let mut tally = Tally {
        reproduced: Vec::new(),
        accepted: 0,
        skipped_client_side: 0,
        failures: Vec::new(),
    };
    for file in case_files(&dir) {
        let text = std::fs::read_to_string(&file).expect("read a case");
        let case: Value = serde_json::from_str(&text).expect("a case is JSON");
        let name = file
            .strip_prefix(&dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        let mut stand_ins = StandIns::default();
        for list in ["setup", "steps", "during", "after"] {
            for step in case[list].as_array().into_iter().flatten() {
                check_step(&name, step, &mut stand_ins, &mut tally);
            }
        }
    }
    eprintln!(
        "conformance-api: {} recorded model-validation messages reproduced, {} other calls accepted \
         by the model, {} client-side refusals skipped",
        tally.reproduced.len(),
        tally.accepted,
        tally.skipped_client_side
    );
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n"));
    // The corpus holds 17 such messages (README: 254 AWS errors, of which these are the model's).
    assert_eq!(tally.reproduced.len(), 17, "{:#?}", tally.reproduced);
    assert!(
        tally.accepted > 300,
        "the sweep ran the corpus ({} calls)",
        tally.accepted
    );
}

#[test]
fn recording_wildcards_match_only_what_they_should() {
    assert!(matches_recording(
        "Value '<x>' at 'a'",
        "Value 'abc' at 'a'"
    ));
    assert!(!matches_recording(
        "Value '<x>' at 'a'",
        "Value 'abc' at 'b'"
    ));
    assert!(!matches_recording("Value '<x>' at 'a'", "Value '' at 'a'"));
    assert!(matches_recording("plain", "plain"));
    assert!(!matches_recording("plain", "plain!"));
    assert!(matches_recording("a <p>:<q>:1, b", "a arn:aws:x:1, b"));
}
