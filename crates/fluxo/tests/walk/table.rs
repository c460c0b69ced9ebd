//! The walk's table (`walk.json` beside this file): the steps, in order, each one call of one
//! action with what its answer must show, and the values a step keeps for later steps.
//!
//! A step is `{"id", "action", "request", "expect" | "error", "save", "needs", "retry",
//! "clients"}`:
//! - `request`: the action's input as the API model names it; a string `${name}` is replaced by
//!   a kept value (the whole string keeps the value's type), and `{"$json": v}` becomes the
//!   JSON text of `v` (definitions, inputs, outputs are JSON text in the API);
//! - `expect`: the answer must match it (`matcher.rs`); `error`: the call must fail with this
//!   AWS error code (and a message);
//! - `save`: `{"name": "path.to.field"}` keeps a value of the answer (array indexes as numbers);
//! - `needs`: steps that must have passed first beyond those whose values it uses (a poll for
//!   the activity task a redrive schedules needs the redrive);
//! - `retry`: repeat the call until the answer matches (an execution that is still running),
//!   for up to [`RETRY_FOR`];
//! - `clients`: per-client changes where a client works differently, keyed `boto3`, `cli`, `js`:
//!   another `expect`/`error`, and for the CLI extra `args` (`--no-paginate`).

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::Duration;

/// How long a `retry` step keeps asking.
pub const RETRY_FOR: Duration = Duration::from_secs(30);

/// One call of the walk.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub action: String,
    pub request: Value,
    pub outcome: Outcome,
    pub save: Vec<(String, String)>,
    pub needs: Vec<String>,
    pub retry: bool,
    /// Extra command-line arguments for the AWS CLI.
    pub cli_args: Vec<String>,
}

/// What the answer must be.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A response matching this value.
    Answer(Value),
    /// An error with this code.
    Error(String),
}

/// The steps of `walk.json`, as the named client (`boto3`, `cli`, `js`) runs them.
pub fn load(client: &str) -> Vec<Step> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/walk/walk.json");
    let text = std::fs::read_to_string(&path).expect("walk.json is readable");
    let table: Value = serde_json::from_str(&text).expect("walk.json is JSON");
    let steps = table["steps"].as_array().expect("walk.json has steps");
    steps.iter().map(|raw| step(raw, client)).collect()
}

fn step(raw: &Value, client: &str) -> Step {
    let id = raw["id"].as_str().expect("a step has an id").to_string();
    let own = raw.get("clients").and_then(|c| c.get(client));
    // A client's own `error` or `expect` replaces both of the step's.
    let source = own
        .filter(|o| o.get("error").is_some() || o.get("expect").is_some())
        .unwrap_or(raw);
    let outcome = match (source.get("error"), source.get("expect")) {
        (Some(code), _) => Outcome::Error(code.as_str().expect("error is a code").to_string()),
        (None, Some(expect)) => Outcome::Answer(expect.clone()),
        (None, None) => Outcome::Answer(Value::Object(Map::new())),
    };
    let strings = |value: Option<&Value>| -> Vec<String> {
        value
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|item| item.as_str().expect("a string").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let save = raw
        .get("save")
        .and_then(Value::as_object)
        .map(|fields| {
            fields
                .iter()
                .map(|(name, path)| (name.clone(), path.as_str().expect("a path").to_string()))
                .collect()
        })
        .unwrap_or_default();
    Step {
        action: raw["action"]
            .as_str()
            .expect("a step has an action")
            .to_string(),
        request: raw
            .get("request")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
        outcome,
        save,
        needs: strings(raw.get("needs")),
        retry: raw.get("retry").and_then(Value::as_bool).unwrap_or(false),
        cli_args: strings(own.and_then(|o| o.get("args"))),
        id,
    }
}

/// The names of kept values that `value` uses.
pub fn uses(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(text) => {
            let mut rest = text.as_str();
            while let Some(start) = rest.find("${") {
                let Some(end) = rest[start..].find('}') else {
                    break;
                };
                found.push(rest[start + 2..start + end].to_string());
                rest = &rest[start + end + 1..];
            }
        }
        Value::Array(items) => items.iter().for_each(|item| uses(item, found)),
        Value::Object(fields) => fields.values().for_each(|item| uses(item, found)),
        _ => {}
    }
}

/// A request with the kept values put in and `{"$json": v}` turned into text.
pub fn substitute(value: &Value, kept: &HashMap<String, Value>) -> Value {
    put_in(value, kept, true)
}

/// An expectation with the kept values put in (its `$json` stays a matcher).
pub fn fill(value: &Value, kept: &HashMap<String, Value>) -> Value {
    put_in(value, kept, false)
}

fn put_in(value: &Value, kept: &HashMap<String, Value>, requests: bool) -> Value {
    match value {
        Value::String(text) => {
            if let Some(name) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
                if !name.contains("${") {
                    if let Some(found) = kept.get(name) {
                        return found.clone();
                    }
                }
            }
            let mut out = text.clone();
            for (name, found) in kept {
                let shown = match found {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("${{{name}}}"), &shown);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| put_in(item, kept, requests))
                .collect(),
        ),
        Value::Object(fields) => {
            if let (true, 1, Some(inner)) = (requests, fields.len(), fields.get("$json")) {
                return Value::String(put_in(inner, kept, requests).to_string());
            }
            Value::Object(
                fields
                    .iter()
                    .map(|(key, item)| (key.clone(), put_in(item, kept, requests)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// The value at a dotted path (`mapRuns.0.mapRunArn`).
pub fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |value, part| match value {
        Value::Array(items) => items.get(part.parse::<usize>().ok()?),
        _ => value.get(part),
    })
}
