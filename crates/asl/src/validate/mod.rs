//! Validation of a raw definition document, reporting every problem found.
//!
//! Works on the JSON tree rather than on a typed model so that each diagnostic can name the
//! JSON pointer of the offending field, and so that one problem never hides the others.

mod fields;
mod states;

use crate::{Diagnostic, Severity};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

pub(crate) const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";
const MAX_STATE_NAME: usize = 80;
/// Parallel and Map nest state machines; deeper than this is refused, not recursed into.
const MAX_NESTING: usize = 32;

/// Parses definition text and validates it: invalid JSON is one `INVALID_JSON_DESCRIPTION`.
pub fn validate_text(text: &str) -> Vec<Diagnostic> {
    if text.trim().is_empty() {
        return vec![Diagnostic::error(
            "MISSING_DESCRIPTION",
            "",
            "The definition is empty",
        )];
    }
    match serde_json::from_str::<Value>(text) {
        Ok(definition) => validate(&definition),
        Err(error) => vec![Diagnostic::error(
            "INVALID_JSON_DESCRIPTION",
            "",
            format!(
                "Invalid JSON: {} at line {} column {}",
                describe(&error),
                error.line(),
                error.column()
            ),
        )],
    }
}

fn describe(error: &serde_json::Error) -> String {
    let text = error.to_string();
    // serde_json appends " at line L column C"; we say it ourselves.
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_string(),
        None => text,
    }
}

/// Checks a parsed definition document and returns every diagnostic (empty when valid).
pub fn validate(definition: &Value) -> Vec<Diagnostic> {
    let mut validator = Validator::default();
    validator.machine(definition, "", Language::JsonPath, 0, true);
    validator.diagnostics
}

/// True when no diagnostic is an error.
pub fn is_valid(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().all(|d| d.severity != Severity::Error)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Language {
    JsonPath,
    Jsonata,
}

#[derive(Default)]
pub(crate) struct Validator {
    pub diagnostics: Vec<Diagnostic>,
    /// Every state name seen so far, across nested machines: AWS requires them to be unique.
    names: HashMap<String, String>,
}

pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

pub(crate) fn at(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", escape(key))
}

impl Validator {
    pub fn error(&mut self, code: &str, location: impl Into<String>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, location, message));
    }

    pub fn schema(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.error(SCHEMA, location, message);
    }

    /// A state machine, or a nested one (Parallel branch, Map processor).
    pub fn machine(
        &mut self,
        value: &Value,
        pointer: &str,
        inherited: Language,
        depth: usize,
        top_level: bool,
    ) {
        if depth > MAX_NESTING {
            self.schema(
                pointer,
                format!("State machines are nested more than {MAX_NESTING} levels deep"),
            );
            return;
        }
        let Some(object) = value.as_object() else {
            self.schema(pointer, "A state machine definition must be a JSON object");
            return;
        };
        let allowed: &[&str] = if top_level {
            &[
                "Comment",
                "StartAt",
                "States",
                "TimeoutSeconds",
                "Version",
                "QueryLanguage",
            ]
        } else {
            &[
                "Comment",
                "StartAt",
                "States",
                "ProcessorConfig",
                "QueryLanguage",
            ]
        };
        for key in object.keys() {
            if !allowed.contains(&key.as_str()) {
                self.schema(
                    at(pointer, key),
                    format!("The field '{key}' is not supported by Step Functions"),
                );
            }
        }
        let language = self.language(object, pointer, inherited, top_level);
        self.optional_string(object, pointer, "Comment");
        if top_level {
            self.optional_string(object, pointer, "Version");
            fields::positive_integer(self, object, pointer, "TimeoutSeconds", 1);
        }
        let start_at = match object.get("StartAt") {
            Some(Value::String(start)) => Some(start.as_str()),
            Some(_) => {
                self.schema(
                    at(pointer, "StartAt"),
                    "The field 'StartAt' must be a string",
                );
                None
            }
            None => {
                self.schema(pointer, "These fields are required: [StartAt]");
                None
            }
        };
        let states = match object.get("States") {
            Some(Value::Object(states)) if !states.is_empty() => states,
            Some(Value::Object(_)) => {
                self.schema(
                    at(pointer, "States"),
                    "The field 'States' must not be empty",
                );
                return;
            }
            Some(_) => {
                self.schema(
                    at(pointer, "States"),
                    "The field 'States' must be an object",
                );
                return;
            }
            None => {
                self.schema(pointer, "These fields are required: [States]");
                return;
            }
        };
        if let Some(start) = start_at {
            if !states.contains_key(start) {
                self.error(
                    "MISSING_TRANSITION_TARGET",
                    at(pointer, "StartAt"),
                    format!("Missing 'Next' target: {start}"),
                );
            }
        }
        let states_pointer = at(pointer, "States");
        let mut transitions = HashMap::new();
        for (name, state) in states {
            let state_pointer = at(&states_pointer, name);
            self.state_name(name, &state_pointer);
            let targets = states::state(self, state, &state_pointer, language, depth);
            for (target, location) in &targets {
                if !states.contains_key(target) {
                    self.error(
                        "MISSING_TRANSITION_TARGET",
                        location.clone(),
                        format!("Missing 'Next' target: {target}"),
                    );
                }
            }
            transitions.insert(name.as_str(), targets);
        }
        if let Some(start) = start_at {
            self.reachability(states, &states_pointer, start, &transitions);
        }
    }

    fn state_name(&mut self, name: &str, pointer: &str) {
        if name.is_empty() || name.chars().count() > MAX_STATE_NAME {
            self.error(
                "INVALID_STATE_NAME",
                pointer,
                format!("State names must be 1 to {MAX_STATE_NAME} characters long"),
            );
        }
        if let Some(first) = self.names.get(name) {
            let message = format!("Duplicate State name: '{name}' (first at {first})");
            self.error("DUPLICATE_STATE_NAME", pointer, message);
        } else {
            self.names.insert(name.to_string(), pointer.to_string());
        }
    }

    fn reachability(
        &mut self,
        states: &Map<String, Value>,
        states_pointer: &str,
        start: &str,
        transitions: &HashMap<&str, Vec<(String, String)>>,
    ) {
        let mut reached = HashSet::new();
        let mut pending = vec![start.to_string()];
        while let Some(name) = pending.pop() {
            if !states.contains_key(&name) || !reached.insert(name.clone()) {
                continue;
            }
            for (target, _) in transitions.get(name.as_str()).into_iter().flatten() {
                pending.push(target.clone());
            }
        }
        let unreachable: BTreeSet<&String> = states
            .keys()
            .filter(|name| !reached.contains(*name))
            .collect();
        for name in unreachable {
            self.error(
                "UNREACHABLE_STATE",
                at(states_pointer, name),
                format!("State '{name}' is not reachable"),
            );
        }
        let terminal = reached.iter().any(|name| {
            states.get(name).is_some_and(|state| {
                matches!(
                    state.get("Type").and_then(Value::as_str),
                    Some("Succeed" | "Fail")
                ) || state.get("End") == Some(&Value::Bool(true))
            })
        });
        if !terminal && !states.is_empty() {
            self.error(
                "MISSING_END_STATE",
                states_pointer,
                "The workflow does not have a terminal state",
            );
        }
    }

    pub fn language(
        &mut self,
        object: &Map<String, Value>,
        pointer: &str,
        inherited: Language,
        top_level_machine: bool,
    ) -> Language {
        match object.get("QueryLanguage") {
            None => inherited,
            Some(Value::String(text)) if text == "JSONPath" => {
                if inherited == Language::Jsonata && !top_level_machine {
                    self.schema(
                        at(pointer, "QueryLanguage"),
                        "A state cannot use JSONPath when the state machine uses JSONata",
                    );
                }
                Language::JsonPath
            }
            Some(Value::String(text)) if text == "JSONata" => Language::Jsonata,
            Some(_) => {
                self.schema(
                    at(pointer, "QueryLanguage"),
                    "The field 'QueryLanguage' must be \"JSONPath\" or \"JSONata\"",
                );
                inherited
            }
        }
    }

    pub fn optional_string(&mut self, object: &Map<String, Value>, pointer: &str, key: &str) {
        if let Some(value) = object.get(key) {
            if !value.is_string() {
                self.schema(
                    at(pointer, key),
                    format!("The field '{key}' must be a string"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
