//! The AWS Step Functions API model, and the validation AWS applies to every request before the
//! action runs.
//!
//! The model is botocore's `stepfunctions/2016-11-23/service-2.json`, vendored in
//! `model/stepfunctions-2016-11-23.json` (Apache-2.0, see `model/NOTICE`; `model/update.sh`
//! refreshes it). [`validate`] answers what AWS answers for a request body that the model
//! rejects:
//!
//! * [`RequestError::Serialization`]: a member of a JSON type its shape cannot take (a string
//!   where an integer belongs, an object where a list belongs). AWS stops at the first, in the
//!   order of the document. Code `SerializationException`.
//! * [`RequestError::Validation`]: every broken constraint at once, with AWS's exact text:
//!   `1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint:
//!   Member must have value less than or equal to 1000`, or `2 validation errors detected: ...;
//!   ...`. Code `ValidationException`.
//! * [`RequestError::UnknownOperation`]: an action the model does not define. Code
//!   `UnknownOperationException`.
//!
//! Which texts, orders and paths, and the evidence for each, are documented in the modules:
//! `deserialize` (type errors), `constraints` (violations, paths, sensitive members), `render`
//! (how values print), `java_hash` (the order of several violations). The tests reproduce every
//! model-validation message recorded from AWS in `../shared/conformance-api`.
//!
//! Rules that are not in the model (`Invalid Arn`, `Invalid Name`, the routing configuration's
//! weights adding up to 100, ...) are the action's business, after this validation.

#![warn(missing_docs)]

mod constraints;
mod deserialize;
mod java_hash;
mod model;
mod render;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

pub use model::{InputMember, Model, ModelError, Operation};

/// The vendored Step Functions model (botocore's `service-2.json`, decompressed).
const STEPFUNCTIONS_MODEL: &str = include_str!("../model/stepfunctions-2016-11-23.json");

/// Why AWS refuses a request before its action runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The model defines no action of this name (`X-Amz-Target: AWSStepFunctions.<name>`).
    #[error("unknown operation {0}")]
    UnknownOperation(String),
    /// A member's JSON type does not fit its shape; the text is AWS's (see the crate doc).
    #[error("{0}")]
    Serialization(String),
    /// Constraints of the model are broken; the text is AWS's whole message.
    #[error("{0}")]
    Validation(String),
}

impl RequestError {
    /// The error code AWS puts in `__type`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownOperation(_) => "UnknownOperationException",
            Self::Serialization(_) => "SerializationException",
            Self::Validation(_) => "ValidationException",
        }
    }

    /// The message AWS sends with the code (for an unknown operation, the operation's name:
    /// AWS sends no message there).
    pub fn message(&self) -> &str {
        match self {
            Self::UnknownOperation(m) | Self::Serialization(m) | Self::Validation(m) => m,
        }
    }
}

/// The vendored Step Functions model, loaded on first use.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        // The vendored text is fixed at build time and loaded by the tests: failing here is a
        // broken build, not a bad request.
        Model::from_json(STEPFUNCTIONS_MODEL).expect("the vendored Step Functions model loads")
    })
}

/// The names of all Step Functions actions (37 in the vendored model), alphabetically.
pub fn operations() -> impl Iterator<Item = &'static str> {
    model().operations().map(Operation::name)
}

/// The error codes the model documents for an action, or `None` for an unknown action.
pub fn operation_errors(operation: &str) -> Option<&'static [String]> {
    model().operation(operation).map(Operation::errors)
}

/// Validates a Step Functions request body (`input`, the parsed JSON) for `operation` as AWS
/// does before running the action. `Ok(())` when the model accepts it.
///
/// # Errors
/// [`RequestError`], whose [`code`](RequestError::code) and [`message`](RequestError::message)
/// are the `__type` and `message` of AWS's answer (HTTP 400).
pub fn validate(operation: &str, input: &Value) -> Result<(), RequestError> {
    model().validate(operation, input)
}

impl Model {
    /// [`validate`] against this model.
    ///
    /// # Errors
    /// See [`validate`].
    pub fn validate(&self, operation: &str, input: &Value) -> Result<(), RequestError> {
        let op = self
            .operation(operation)
            .ok_or_else(|| RequestError::UnknownOperation(operation.to_owned()))?;
        let Some(shape) = op.input else {
            return Ok(());
        };
        if !matches!(input, Value::Object(_) | Value::Null) {
            let found = if input.is_array() {
                "Start of list found where not expected"
            } else {
                "Unexpected field type"
            };
            return Err(RequestError::Serialization(found.to_owned()));
        }
        deserialize::check(self, shape, input).map_err(RequestError::Serialization)?;
        let found = constraints::violations(self, shape, input);
        match message(found) {
            Some(message) => Err(RequestError::Validation(message)),
            None => Ok(()),
        }
    }
}

/// AWS's message for a set of violations: `N validation error(s) detected: a; b`, grouped by
/// path and ordered as Java's hash tables iterate (see `java_hash`).
fn message(found: Vec<constraints::Violation>) -> Option<String> {
    if found.is_empty() {
        return None;
    }
    // Group by path, paths in order of first appearance (a linear pass: a request may hold
    // thousands of list elements).
    let mut paths: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&str>> = HashMap::new();
    for v in &found {
        let group = groups.entry(v.path.as_str()).or_insert_with(|| {
            paths.push(&v.path);
            Vec::new()
        });
        group.push(&v.text);
    }
    let mut texts: Vec<&str> = Vec::with_capacity(found.len());
    for p in java_hash::iteration_order(&paths) {
        let group = &groups[paths[p]];
        texts.extend(
            java_hash::iteration_order(group)
                .into_iter()
                .map(|i| group[i]),
        );
    }
    let plural = if texts.len() == 1 { "error" } else { "errors" };
    Some(format!(
        "{} validation {plural} detected: {}",
        texts.len(),
        texts.join("; ")
    ))
}
