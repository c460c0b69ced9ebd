//! Data-driven check of intrinsic functions against the AWS recordings in the conformance
//! corpus (`shared/conformance/cases/intrinsic_functions`, JSONPath cases).
//!
//! Every `"key.$": "States.…"` value of a Pass state's `Parameters` is compiled and evaluated
//! against the case input. Where the state machine is a single Pass state with no other path
//! processing, the result must equal the recorded output; in every case it must evaluate
//! without error. Fail states with an intrinsic `ErrorPath`/`CausePath` are checked against
//! the recorded error and cause. The test is skipped when the corpus is not present.

use fluxo_expr::{Intrinsic, Scope};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Map, Value};
use std::path::{Path as FsPath, PathBuf};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases")
}

/// A context object shaped like the recordings: their placeholders stand in for the names.
fn context_object(input: &Value, state_name: &str) -> Value {
    json!({
        "Execution": {
            "Id": "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>",
            "Input": input.clone(),
            "Name": "<ExecArnPart_0idx>",
            "RoleArn": "snf_role_arn",
            "StartTime": "date"
        },
        "State": {"EnteredTime": "date", "Name": state_name},
        "StateMachine": {
            "Id": "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>",
            "Name": "<ArnPart_0idx>"
        }
    })
}

#[derive(Default)]
struct Tally {
    evaluated: usize,
    compared: usize,
    failures: Vec<String>,
}

impl Tally {
    fn evaluate(&mut self, case: &str, source: &str, input: &Value, state: &str) -> Option<Value> {
        self.evaluated += 1;
        let intrinsic = match Intrinsic::parse(source) {
            Ok(intrinsic) => intrinsic,
            Err(error) => {
                self.failures
                    .push(format!("{case}: {source}: parse error: {error}"));
                return None;
            }
        };
        let context = context_object(input, state);
        let variables = Map::new();
        let scope = Scope {
            input,
            context: &context,
            variables: Some(&variables),
        };
        let mut rng = StdRng::seed_from_u64(11);
        match intrinsic.evaluate(&scope, &mut rng) {
            Ok(value) => Some(value),
            Err(error) => {
                self.failures.push(format!("{case}: {source}: {error}"));
                None
            }
        }
    }

    fn compare(&mut self, case: &str, source: &str, actual: &Value, expected: &Value) {
        self.compared += 1;
        let matches = if expected == "RandomNumberGenerated" {
            // The recording masks the random value; it must be a whole number.
            actual.is_i64()
        } else {
            actual == expected
        };
        if !matches {
            self.failures.push(format!(
                "{case}: {source}: expected {expected}, got {actual}"
            ));
        }
    }

    fn check_case(&mut self, file: &FsPath) {
        let Ok(text) = std::fs::read_to_string(file) else {
            self.failures
                .push(format!("{}: unreadable", file.display()));
            return;
        };
        if text.contains("JSONata") {
            return;
        }
        let Ok(case) = serde_json::from_str::<Value>(&text) else {
            self.failures.push(format!("{}: not JSON", file.display()));
            return;
        };
        let name = case["name"].as_str().unwrap_or("?").to_string();
        let input = &case["input"];
        let expect = &case["expect"];
        let Some(states) = case["definition"]["States"].as_object() else {
            return;
        };
        for (state_name, state) in states {
            match state["Type"].as_str() {
                Some("Pass") => {
                    self.check_pass(&name, states.len(), state_name, state, input, expect)
                }
                Some("Fail") => self.check_fail(&name, state_name, state, input, expect),
                _ => {}
            }
        }
    }

    fn check_pass(
        &mut self,
        case: &str,
        state_count: usize,
        state_name: &str,
        state: &Value,
        input: &Value,
        expect: &Value,
    ) {
        let Some(parameters) = state["Parameters"].as_object() else {
            return;
        };
        let plain = ["InputPath", "OutputPath", "ResultPath", "ResultSelector"]
            .iter()
            .all(|field| state.get(field).is_none());
        let comparable = plain && state_count == 1 && expect["status"] == "SUCCEEDED";
        for (key, source) in parameters {
            let (Some(field), Some(source)) = (key.strip_suffix(".$"), source.as_str()) else {
                continue;
            };
            if !source.starts_with("States.") {
                continue;
            }
            let Some(actual) = self.evaluate(case, source, input, state_name) else {
                continue;
            };
            if comparable {
                let expected = expect["output"][field].clone();
                self.compare(case, source, &actual, &expected);
            }
        }
    }

    fn check_fail(
        &mut self,
        case: &str,
        state_name: &str,
        state: &Value,
        input: &Value,
        expect: &Value,
    ) {
        for (field, expected) in [
            ("ErrorPath", &expect["error"]),
            ("CausePath", &expect["cause"]),
        ] {
            let Some(source) = state[field]
                .as_str()
                .filter(|text| text.starts_with("States."))
            else {
                continue;
            };
            if let Some(actual) = self.evaluate(case, source, input, state_name) {
                self.compare(case, source, &actual, expected);
            }
        }
    }
}

#[test]
fn intrinsic_functions_match_the_aws_recordings() {
    let root = corpus_dir();
    let group = root.join("intrinsic_functions");
    let Ok(entries) = std::fs::read_dir(&group) else {
        eprintln!(
            "conformance corpus not found at {}; skipping",
            group.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files.push(root.join("base/base__test_state_fail_intrinsic.json"));

    let mut tally = Tally::default();
    for file in &files {
        tally.check_case(file);
    }
    eprintln!(
        "intrinsic conformance: {} expressions evaluated, {} compared with recorded output",
        tally.evaluated, tally.compared
    );
    assert!(
        tally.compared > 100,
        "too few expressions compared: {}",
        tally.compared
    );
    assert!(
        tally.failures.is_empty(),
        "{} mismatches:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}
