//! Running the table's steps through one client, and the per-action, per-client table of what
//! passed.

use crate::clients::{Answer, Client};
use crate::matcher;
use crate::table::{self, Outcome, Step, RETRY_FOR};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write;
use std::time::{Duration, Instant};

/// What became of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    /// Not run: a step it needs did not pass.
    Blocked,
    /// Not run: its action, or an action a step it needs belongs to, is excluded.
    Excluded,
}

impl Status {
    pub fn is_failure(&self) -> bool {
        matches!(self, Status::Failed | Status::Blocked)
    }
}

#[derive(Debug, Clone)]
pub struct StepResult {
    pub id: String,
    pub action: String,
    pub status: Status,
    pub detail: String,
}

/// Runs `steps` in order through `client`, leaving out the `excluded` actions.
pub fn walk(
    client: &mut dyn Client,
    steps: &[Step],
    excluded: &HashSet<String>,
) -> Vec<StepResult> {
    let mut kept: HashMap<String, Value> = HashMap::new();
    // The step that keeps each value, and what became of each step.
    let mut keeper: HashMap<String, String> = HashMap::new();
    let mut status: HashMap<String, Status> = HashMap::new();
    let mut results = Vec::new();
    for step in steps {
        let mut used = Vec::new();
        table::uses(&step.request, &mut used);
        if let Outcome::Answer(expected) = &step.outcome {
            table::uses(expected, &mut used);
        }
        let prior: Vec<&String> = step
            .needs
            .iter()
            .chain(used.iter().filter_map(|name| keeper.get(name)))
            .collect();
        let verdict = if excluded.contains(&step.action)
            || prior
                .iter()
                .any(|id| status.get(*id) == Some(&Status::Excluded))
        {
            (Status::Excluded, String::new())
        } else if let Some(id) = prior
            .iter()
            .find(|id| status.get(**id) != Some(&Status::Passed))
        {
            (Status::Blocked, format!("needs {id}"))
        } else {
            let request = table::substitute(&step.request, &kept);
            let outcome = match &step.outcome {
                Outcome::Answer(expected) => Outcome::Answer(table::fill(expected, &kept)),
                error => error.clone(),
            };
            match run_step(client, step, &request, &outcome) {
                Ok(answer) => {
                    for (name, path) in &step.save {
                        if let Some(value) = table::at(&answer, path) {
                            kept.insert(name.clone(), value.clone());
                        }
                    }
                    (Status::Passed, String::new())
                }
                Err(detail) => (Status::Failed, format!("{detail}\n    request: {request}")),
            }
        };
        for (name, _) in &step.save {
            keeper.insert(name.clone(), step.id.clone());
        }
        status.insert(step.id.clone(), verdict.0.clone());
        results.push(StepResult {
            id: step.id.clone(),
            action: step.action.clone(),
            status: verdict.0,
            detail: verdict.1,
        });
    }
    results
}

/// One step: the call, repeated while a `retry` step's answer does not match yet.
fn run_step(
    client: &mut dyn Client,
    step: &Step,
    request: &Value,
    outcome: &Outcome,
) -> Result<Value, String> {
    let deadline = Instant::now() + RETRY_FOR;
    loop {
        let answer = client.call(&step.action, request, &step.cli_args);
        let verdict = judge(&answer, outcome);
        match verdict {
            Ok(()) => {
                return Ok(match answer {
                    Answer::Ok(value) => value,
                    Answer::Error { .. } => Value::Null,
                })
            }
            Err(problem) if !step.retry || Instant::now() > deadline => return Err(problem),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn judge(answer: &Answer, outcome: &Outcome) -> Result<(), String> {
    match (answer, outcome) {
        (Answer::Ok(value), Outcome::Answer(expected)) => matcher::check(value, expected),
        (Answer::Ok(value), Outcome::Error(code)) => {
            Err(format!("expected the error {code}, got the answer {value}"))
        }
        (Answer::Error { code, message }, Outcome::Error(wanted)) => {
            if code != wanted {
                Err(format!(
                    "expected the error {wanted}, got {code}: {message}"
                ))
            } else if message.trim().is_empty() {
                Err(format!("the error {code} has no message"))
            } else {
                Ok(())
            }
        }
        (Answer::Error { code, message }, Outcome::Answer(_)) => Err(format!(
            "expected an answer, got the error {code}: {message}"
        )),
    }
}

/// The table of the model's actions by client: `pass`, `FAIL`, `blocked`, `excluded`, `pass*`
/// (passed but for steps that need an excluded action), with
/// the steps of each action, then the details of every step that did not pass.
pub fn report(
    actions: &BTreeSet<String>,
    walks: &[(&str, Vec<StepResult>, String)],
    excluded: &HashSet<String>,
) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:<34}", "action");
    for (name, _, _) in walks {
        let _ = write!(out, " {name:<8}");
    }
    let _ = writeln!(out, " steps");
    for action in actions {
        let _ = write!(out, "{action:<34}");
        for (_, results, _) in walks {
            let mine: Vec<&StepResult> = results.iter().filter(|r| &r.action == action).collect();
            let cell = if mine.iter().any(|r| r.status == Status::Failed) {
                "FAIL"
            } else if mine.iter().any(|r| r.status == Status::Blocked) {
                "blocked"
            } else if mine.is_empty() {
                "NO STEP"
            } else if mine.iter().all(|r| r.status == Status::Passed) {
                "pass"
            } else if mine.iter().any(|r| r.status == Status::Passed) {
                "pass*"
            } else {
                "excluded"
            };
            let _ = write!(out, " {cell:<8}");
        }
        let steps: Vec<&str> = walks
            .first()
            .map(|(_, results, _)| {
                results
                    .iter()
                    .filter(|r| &r.action == action)
                    .map(|r| r.id.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(out, " {}", steps.join(", "));
    }
    if !excluded.is_empty() {
        let mut names: Vec<&String> = excluded.iter().collect();
        names.sort();
        let _ = writeln!(
            out,
            "excluded by FLUXO_WALK_EXCLUDE: {names:?} (pass*: passed, except steps that need an excluded action)"
        );
    }
    for (name, results, _) in walks {
        for result in results.iter().filter(|r| r.status.is_failure()) {
            let _ = writeln!(
                out,
                "{name} {} ({}): {:?} {}",
                result.id, result.action, result.status, result.detail
            );
        }
    }
    out
}
