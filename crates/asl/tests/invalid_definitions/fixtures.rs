//! What the fixtures of `invalid_definitions.rs` are made of: a fixture is one small invalid
//! definition with the `(code, location)` errors it must give; `general.rs` and `states.rs` hold
//! them, grouped by what the rule is about.

use serde_json::{json, Value};

pub const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";
pub const TARGET: &str = "MISSING_TRANSITION_TARGET";

/// A machine that starts at `A` and may go on to the Succeed state `Z`.
pub fn machine(a: Value) -> Value {
    json!({"StartAt": "A", "States": {"A": a, "Z": {"Type": "Succeed"}}})
}

/// As [`machine`], in JSONata.
pub fn jsonata(a: Value) -> Value {
    let mut definition = machine(a);
    definition["QueryLanguage"] = json!("JSONata");
    definition
}

/// A state of `kind` that goes on to `Z`, with `extra` fields (a `null` removes one).
pub fn state(kind: &str, extra: Value) -> Value {
    let mut state = json!({"Type": kind, "Next": "Z"});
    match kind {
        "Task" => state["Resource"] = json!("arn:aws:states:::lambda:invoke"),
        "Wait" => state["Seconds"] = json!(1),
        "Parallel" => state["Branches"] = json!([branch("B")]),
        "Map" => state["ItemProcessor"] = branch("M"),
        _ => {}
    }
    if let (Some(state), Some(extra)) = (state.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            if value.is_null() {
                state.remove(key);
            } else {
                state.insert(key.clone(), value.clone());
            }
        }
    }
    state
}

/// A one-state nested machine.
pub fn branch(name: &str) -> Value {
    json!({"StartAt": name, "States": {name: {"Type": "Succeed"}}})
}

pub fn choice(rules: Value) -> Value {
    json!({"Type": "Choice", "Choices": rules, "Default": "Z"})
}

/// A fixture: its name, the definition, and every `(code, location)` error it must give.
pub type Fixture = (&'static str, Value, Vec<(&'static str, &'static str)>);
