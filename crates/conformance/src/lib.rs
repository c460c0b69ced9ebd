//! The conformance runner: runs the recorded-AWS corpus (`cases/<group>/<case>.json`) against
//! the engine and compares status, output, error, cause and history with what AWS recorded.
//!
//! History comparison: events are turned into `{type, details}` with the JSON text fields
//! (`input`, `output`, `parameters`) decoded, as the corpus stores them. Where a definition has
//! concurrency (a Parallel state, or a Map that may run iterations at once), AWS's event order
//! between branches is not deterministic, so the events are compared as a multiset: every
//! recorded event must match a distinct actual one and none may be left over. Elsewhere the
//! order must match too.

mod functions;
pub mod matching;

use fluxo_engine::{ExecutionOutcome, ExecutionRequest, HistoryEvent, SystemEnvironment};
use matching::{short, Matcher};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a case that calls real functions may take before it counts as hung.
const REAL_TIME_LIMIT: Duration = Duration::from_secs(180);
/// Cases without functions run on a paused clock, where waiting is free.
const VIRTUAL_TIME_LIMIT: Duration = Duration::from_secs(400 * 24 * 3600);

pub struct Options {
    /// The folder holding `cases/` and `functions/`.
    pub dir: PathBuf,
    pub jobs: usize,
    pub filter: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Passed,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub name: String,
    pub result: Verdict,
    pub detail: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub cases: Vec<CaseResult>,
}

impl Report {
    pub fn count(&self, verdict: Verdict) -> usize {
        self.cases
            .iter()
            .filter(|case| case.result == verdict)
            .count()
    }

    /// A table per group, then `conformance: N passed, M failed, K skipped`.
    pub fn summary(&self) -> String {
        let mut groups: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
        for case in &self.cases {
            let group = case.name.split('/').next().unwrap_or_default();
            let counts = groups.entry(group).or_default();
            counts[case.result as usize] += 1;
        }
        let mut text = format!(
            "{:<22} {:>7} {:>7} {:>8}\n",
            "group", "passed", "failed", "skipped"
        );
        for (group, [passed, failed, skipped]) in &groups {
            text.push_str(&format!(
                "{group:<22} {passed:>7} {failed:>7} {skipped:>8}\n"
            ));
        }
        text.push_str(&format!(
            "conformance: {} passed, {} failed, {} skipped",
            self.count(Verdict::Passed),
            self.count(Verdict::Failed),
            self.count(Verdict::Skipped)
        ));
        text
    }
}

/// Runs every case under `options.dir/cases`, `options.jobs` at a time.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let mut files = Vec::new();
    let cases_dir = options.dir.join("cases");
    for group in std::fs::read_dir(&cases_dir)? {
        let group = group?.path();
        if group.is_dir() {
            for file in std::fs::read_dir(&group)? {
                files.push(file?.path());
            }
        }
    }
    files.sort();
    if let Some(filter) = &options.filter {
        files.retain(|file| file.to_string_lossy().contains(filter.as_str()));
    }
    let functions_dir = options.dir.join("functions");
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(files.len()));
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(index) else { break };
                let result = run_file(file, &functions_dir);
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(result);
            });
        }
    });
    let mut cases = results.into_inner().unwrap_or_else(|e| e.into_inner());
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Report { cases })
}

fn run_file(file: &Path, functions_dir: &Path) -> CaseResult {
    let fallback_name = file
        .file_stem()
        .map(|stem| stem.to_string_lossy().to_string())
        .unwrap_or_default();
    let case: Value = match std::fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(case) => case,
        Err(error) => {
            return CaseResult {
                name: fallback_name,
                result: Verdict::Failed,
                detail: format!("unreadable case: {error}"),
            }
        }
    };
    let name = case["name"].as_str().unwrap_or(&fallback_name).to_string();
    let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_case(&case, functions_dir)
    }))
    .unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        (Verdict::Failed, format!("panicked: {message}"))
    });
    CaseResult {
        name,
        result: verdict.0,
        detail: verdict.1,
    }
}

fn run_case(case: &Value, functions_dir: &Path) -> (Verdict, String) {
    let machine = match fluxo_asl::compile(&case["definition"]) {
        Ok(machine) => machine,
        Err(diagnostics) => {
            if let Some(unsupported) = diagnostics.iter().find(|d| d.code == "UNSUPPORTED_FEATURE")
            {
                return (Verdict::Skipped, unsupported.message.clone());
            }
            let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            return (Verdict::Failed, format!("rejected: {}", lines.join("; ")));
        }
    };
    let needs_functions = case["requires"]
        .as_array()
        .is_some_and(|requires| requires.iter().any(|r| r == "lambda"));
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    runtime.enable_all();
    if !needs_functions {
        runtime.start_paused(true);
    }
    let runtime = match runtime.build() {
        Ok(runtime) => runtime,
        Err(error) => return (Verdict::Failed, format!("no runtime: {error}")),
    };
    let outcome = runtime.block_on(async {
        let functions = functions::for_case(case, functions_dir)?;
        let env = Arc::new(SystemEnvironment::new(functions.registry.clone()).with_seed(11));
        let express = case["stateMachineType"] == "EXPRESS";
        let request = if express {
            ExecutionRequest::express(
                "us-east-1",
                "111111111111",
                "StateMachine",
                "execution",
                "00000000-0000-4000-8000-000000000000",
                case["input"].clone(),
            )
        } else {
            ExecutionRequest::new(
                "us-east-1",
                "111111111111",
                "StateMachine",
                "execution",
                case["input"].clone(),
            )
        };
        let limit = if needs_functions {
            REAL_TIME_LIMIT
        } else {
            VIRTUAL_TIME_LIMIT
        };
        let run = fluxo_engine::execute(Arc::new(machine), request, env);
        let outcome = tokio::time::timeout(limit, run).await;
        functions.registry.shutdown().await;
        outcome.map_err(|_| format!("did not finish within {limit:?}"))
    });
    match outcome {
        Ok(outcome) => compare(case, &outcome),
        Err(error) => (Verdict::Failed, error),
    }
}

/// Replaces each literal the recording swapped for a placeholder.
fn substitute(value: &mut Value, substitutions: &[(String, String)]) {
    match value {
        Value::String(text) => {
            for (literal, placeholder) in substitutions {
                if text.contains(literal.as_str()) {
                    *text = text.replace(literal.as_str(), placeholder);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| substitute(v, substitutions)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute(v, substitutions)),
        _ => {}
    }
}

fn parse_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn compare(case: &Value, outcome: &ExecutionOutcome) -> (Verdict, String) {
    let substitutions: Vec<(String, String)> = case["substitutions"]
        .as_array()
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|pair| {
                    Some((
                        pair.get(0)?.as_str()?.to_string(),
                        pair.get(1)?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut actual = Map::new();
    actual.insert("status".into(), json!(outcome.status.as_aws_str()));
    if let Some(output) = &outcome.output {
        actual.insert("output".into(), parse_text(output));
    }
    if let Some(error) = &outcome.error {
        actual.insert("error".into(), json!(error));
    }
    if let Some(cause) = &outcome.cause {
        let expected_object = case["expect"]["cause"].is_object();
        let cause = if expected_object {
            parse_text(cause)
        } else {
            json!(cause)
        };
        actual.insert("cause".into(), cause);
    }
    let mut actual = Value::Object(actual);
    substitute(&mut actual, &substitutions);

    let mut matcher = Matcher::default();
    if let Some(difference) = matcher.compare(&case["expect"], &actual, "expect") {
        return (Verdict::Failed, difference);
    }
    let Some(expected_history) = case["history"].as_array() else {
        return (Verdict::Passed, String::new());
    };
    let mut events: Vec<Value> = outcome.history.iter().map(corpus_event).collect();
    for event in &mut events {
        substitute(event, &substitutions);
    }
    let ordered = !has_concurrency(&case["definition"]);
    match compare_history(&mut matcher, expected_history, &events, ordered) {
        None => (Verdict::Passed, String::new()),
        Some(difference) => (Verdict::Failed, difference),
    }
}

/// An event as the corpus records it: `{type, details}` with JSON text fields decoded.
fn corpus_event(event: &HistoryEvent) -> Value {
    let mut object = Map::new();
    object.insert("type".into(), json!(event.kind.as_ref()));
    if let Some(details) = &event.details {
        let mut details = details.clone();
        for key in ["input", "output", "parameters"] {
            if let Some(Value::String(text)) = details.get(key) {
                let decoded = parse_text(text);
                details.insert(key.into(), decoded);
            }
        }
        object.insert("details".into(), Value::Object(details));
    }
    Value::Object(object)
}

fn has_concurrency(definition: &Value) -> bool {
    match definition {
        Value::Object(map) => {
            let kind = map.get("Type").and_then(Value::as_str);
            let concurrent_map =
                kind == Some("Map") && map.get("MaxConcurrency").and_then(Value::as_u64) != Some(1);
            kind == Some("Parallel") || concurrent_map || map.values().any(has_concurrency)
        }
        Value::Array(items) => items.iter().any(has_concurrency),
        _ => false,
    }
}

fn compare_history(
    matcher: &mut Matcher,
    expected: &[Value],
    actual: &[Value],
    ordered: bool,
) -> Option<String> {
    if ordered {
        for (index, expected_event) in expected.iter().enumerate() {
            let Some(actual_event) = actual.get(index) else {
                return Some(format!(
                    "history[{index}]: missing {}",
                    short(expected_event)
                ));
            };
            if let Some(difference) =
                matcher.compare(expected_event, actual_event, &format!("history[{index}]"))
            {
                return Some(difference);
            }
        }
        return actual
            .get(expected.len())
            .map(|extra| format!("history[{}]: unexpected {}", expected.len(), short(extra)));
    }
    let mut unmatched: Vec<&Value> = actual.iter().collect();
    for (index, expected_event) in expected.iter().enumerate() {
        let position = unmatched.iter().position(|candidate| {
            // Trial matches must not bind numbered placeholders.
            let mut trial = Matcher::default();
            trial.compare(expected_event, candidate, "").is_none()
        });
        match position {
            Some(position) => {
                let found = unmatched.remove(position);
                matcher.compare(expected_event, found, &format!("history[{index}]"));
            }
            None => {
                return Some(format!(
                    "history[{index}] (unordered): no actual event matches {}",
                    short(expected_event)
                ))
            }
        }
    }
    unmatched
        .first()
        .map(|extra| format!("history (unordered): unexpected {}", short(extra)))
}
