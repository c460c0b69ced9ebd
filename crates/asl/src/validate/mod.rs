//! Validation of a raw definition document, reporting every problem found.
//!
//! Works on the JSON tree rather than on a typed model so that each diagnostic can name the
//! JSON pointer of the offending field, and so that one problem never hides the others. Codes
//! and message wording follow what AWS `ValidateStateMachineDefinition` returns where that is
//! known (`SCHEMA_VALIDATION_FAILED: Field 'X' is not supported`, `MISSING_TRANSITION_TARGET:
//! Missing 'Next' target: X`, ...).
//!
//! Location rule: a problem with a field that is present points at that field; a missing field
//! or a conflict between fields points at the object that holds them.
//!
//! Layout: `machine` walks a state machine (top level, Parallel branch, Map processor) and
//! `graph` checks its transitions; `states` checks one state per type; `handlers` checks
//! `Retry`/`Catch`; `fields` holds the typed field checks; `syntax` checks paths, templates and
//! timestamps through `fluxo_expr`; `warnings` emits AWS's three warning codes; `text` parses
//! definition text; `depth` keeps recursion bounded for any input.

mod depth;
mod fields;
mod graph;
mod handlers;
mod language;
mod machine;
mod messages;
mod states;
mod syntax;
mod text;
mod warnings;

pub use text::{validate_text, validate_text_for};

pub(crate) use depth::too_deep;
pub(crate) use messages::invalid_path_field;

use crate::{Diagnostic, Severity};
use language::Language;
use serde_json::Value;
use std::collections::HashSet;

/// AWS diagnostic codes used here.
pub(crate) mod code {
    pub const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";
    pub const MISSING_TRANSITION_TARGET: &str = "MISSING_TRANSITION_TARGET";
    pub const MISSING_END_STATE: &str = "MISSING_END_STATE";
    pub const DUPLICATE_STATE_NAME: &str = "DUPLICATE_STATE_NAME";
    pub const INVALID_STATE_NAME: &str = "INVALID_STATE_NAME";
    pub const DUPLICATE_LABEL_NAME: &str = "DUPLICATE_LABEL_NAME";
    pub const INVALID_LABEL_NAME: &str = "INVALID_LABEL_NAME";
    pub const INVALID_JSON_DESCRIPTION: &str = "INVALID_JSON_DESCRIPTION";
    pub const MISSING_DESCRIPTION: &str = "MISSING_DESCRIPTION";
    pub const TOO_DEEPLY_NESTED: &str = "TOO_DEEPLY_NESTED";
    pub const NO_DOLLAR: &str = "NO_DOLLAR";
    pub const NO_PATH: &str = "NO_PATH";
    pub const PASS_RESULT_IS_STATIC: &str = "PASS_RESULT_IS_STATIC";
}

/// The type of state machine a definition is for (`type` of `CreateStateMachine` and
/// `ValidateStateMachineDefinition`): Express machines may not wait for callbacks, run `.sync`
/// integrations or call activities.
pub use fluxo_types::StateMachineType;

/// Checks a parsed definition document of a Standard machine and returns every diagnostic
/// (empty when valid).
pub fn validate(definition: &Value) -> Vec<Diagnostic> {
    validate_with(definition, HashSet::new(), StateMachineType::Standard)
}

/// [`validate`] for a machine of the given type.
pub fn validate_for(definition: &Value, machine_type: StateMachineType) -> Vec<Diagnostic> {
    validate_with(definition, HashSet::new(), machine_type)
}

/// The rules alone for a Standard machine, for [`crate::compile`], which builds the model
/// itself right after (building it here too would do that work twice).
pub(crate) fn rules(definition: &Value) -> Vec<Diagnostic> {
    check_rules(definition, HashSet::new(), StateMachineType::Standard)
}

/// True when no diagnostic is an error (warnings do not make a definition invalid).
pub fn is_valid(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().all(|d| d.severity != Severity::Error)
}

/// The validator's own rules, without the model builder. `duplicate_keys` holds the pointers of object keys that the definition text repeated; the
/// parsed `Value` kept only one of each, so only the text can tell.
fn check_rules(
    definition: &Value,
    duplicate_keys: HashSet<String>,
    machine_type: StateMachineType,
) -> Vec<Diagnostic> {
    if definition.is_null() {
        return vec![Diagnostic::error(
            code::MISSING_DESCRIPTION,
            "",
            messages::EMPTY_DEFINITION,
        )];
    }
    // Every check below may recurse once per nesting level; refusing deeper documents up front
    // keeps that recursion bounded whatever the caller built.
    if let Some(pointer) = depth::too_deep(definition) {
        return vec![Diagnostic::error(
            code::TOO_DEEPLY_NESTED,
            pointer,
            messages::too_deep(),
        )];
    }
    let mut validator = Validator {
        diagnostics: Vec::new(),
        names: HashSet::new(),
        labels: HashSet::new(),
        duplicate_keys,
        top_language: Language::JsonPath,
        machine_type,
    };
    machine::top_level(&mut validator, definition);
    validator.diagnostics
}

/// The rules of [`check_rules`], then, for a definition that keeps them, the model builder's
/// diagnostics: JSONata expressions are parsed only by the builder (ARCHITECTURE.md, "JSONata
/// states"), and their syntax errors are validation errors too, so that a definition reported
/// valid always compiles (the `validate_definition` fuzz target's invariant).
fn validate_with(
    definition: &Value,
    duplicate_keys: HashSet<String>,
    machine_type: StateMachineType,
) -> Vec<Diagnostic> {
    let mut diagnostics = check_rules(definition, duplicate_keys, machine_type);
    if is_valid(&diagnostics) {
        if let Err(problems) = crate::model::build(definition) {
            diagnostics.extend(
                problems
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error && d.code != "UNSUPPORTED_FEATURE"),
            );
        }
    }
    diagnostics
}

/// Collects diagnostics while the definition is walked, with what must be known across
/// nested state machines.
pub(crate) struct Validator {
    diagnostics: Vec<Diagnostic>,
    /// State names seen so far: AWS wants them unique across the whole definition, branches
    /// and Map processors included.
    names: HashSet<String>,
    /// Distributed Map labels seen so far, unique across the definition too.
    labels: HashSet<String>,
    duplicate_keys: HashSet<String>,
    /// Nested machines take the top-level query language, not their parent state's.
    top_language: Language,
    machine_type: StateMachineType,
}

impl Validator {
    pub fn error(&mut self, code: &str, location: impl Into<String>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, location, message));
    }

    pub fn schema(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.error(code::SCHEMA, location, message);
    }

    pub fn warning(&mut self, code: &str, location: impl Into<String>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(code, location, message));
    }
}

/// The JSON pointer of `key` inside the object at `pointer` (RFC 6901 escaping).
pub(crate) fn at(pointer: &str, key: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + key.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The JSON pointer of element `index` of the array at `pointer`.
pub(crate) fn item(pointer: &str, index: usize) -> String {
    format!("{pointer}/{index}")
}

#[cfg(test)]
mod tests;
