//! Errors raised while an execution runs, with AWS's names and cause texts.

use fluxo_expr::EvalError;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Retry and Catch apply.
    Normal,
    /// Catch applies, Retry does not (`States.DataLimitExceeded`).
    NotRetriable,
    /// Neither applies: the execution fails (`States.Runtime`).
    Terminal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: String,
    pub cause: Option<String>,
    pub kind: FailureKind,
    /// Set by Parallel and Map when a branch or iteration failed: once no retry follows, the
    /// state records `ParallelStateFailed` / `MapStateFailed` (AWS records it once, not per
    /// attempt).
    pub from_branch: bool,
}

impl Failure {
    pub fn new(error: impl Into<String>, cause: Option<String>) -> Self {
        let error = error.into();
        let kind = kind_of(&error);
        Failure {
            error,
            cause,
            kind,
            from_branch: false,
        }
    }

    /// A failure while evaluating a field of a state: AWS prefixes the cause with the state name
    /// and the id of the event that entered it.
    pub fn in_state(state: &str, entered_id: u64, error: EvalError) -> Self {
        let cause = format!(
            "An error occurred while executing the state '{state}' (entered at the event id #{entered_id}). {}",
            error.message
        );
        Failure::new(error.error, Some(cause))
    }

    pub fn data_limit(subject: &str) -> Self {
        Failure::new(
            "States.DataLimitExceeded",
            Some(format!(
                "The state/task '{subject}' returned a result with a size exceeding the maximum number of bytes service limit."
            )),
        )
    }

    /// A state whose output nests deeper than [`crate::payload::MAX_DEPTH`]: the execution
    /// fails (neither Retry nor Catch could make it shallower).
    pub fn too_deep(subject: &str) -> Self {
        Failure::new(
            "States.Runtime",
            Some(format!(
                "The state/task '{subject}' returned a result nested deeper than {} levels, the maximum.",
                crate::payload::MAX_DEPTH
            )),
        )
    }

    pub fn is_terminal(&self) -> bool {
        self.kind == FailureKind::Terminal
    }

    pub fn is_retriable(&self) -> bool {
        self.kind == FailureKind::Normal
    }

    /// The object a Catch passes on: `{"Error": ..., "Cause": ...}`.
    pub fn error_output(&self) -> Value {
        let mut output = Map::new();
        // `SendTaskFailure` without an error: `{"Error": null, "Cause": null}` (recorded case
        // `callbacks/callback__test_sqs_failure_in_wait_for_task_tok_no_error_field_*`).
        if self.error.is_empty() {
            output.insert("Error".into(), Value::Null);
            output.insert(
                "Cause".into(),
                self.cause.clone().map_or(Value::Null, Value::String),
            );
            return Value::Object(output);
        }
        output.insert("Error".into(), Value::String(self.error.clone()));
        if let Some(cause) = &self.cause {
            output.insert("Cause".into(), Value::String(cause.clone()));
        }
        Value::Object(output)
    }

    /// Details of an `ExecutionFailed` (or `…Failed`) event.
    pub fn details(&self) -> Map<String, Value> {
        let mut details = Map::new();
        // A Fail state without `Error` fails the execution without an error name.
        if !self.error.is_empty() {
            details.insert("error".into(), json!(self.error));
        }
        if let Some(cause) = self.cause.as_ref().filter(|cause| !cause.is_empty()) {
            details.insert("cause".into(), json!(cause));
        }
        details
    }
}

fn kind_of(error: &str) -> FailureKind {
    match error {
        "States.Runtime" => FailureKind::Terminal,
        "States.DataLimitExceeded" => FailureKind::NotRetriable,
        _ => FailureKind::Normal,
    }
}
