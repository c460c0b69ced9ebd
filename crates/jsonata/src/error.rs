//! JSONata failures, with their codes, and the cause texts AWS gives them.
//!
//! The texts follow the `States.QueryEvaluationError` causes recorded on AWS (conformance
//! groups `assign`, `states_variables`, `intrinsic_functions`, `scenarios`), for example
//! `The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned
//! nothing (undefined).` The engine puts its own "An error occurred while executing the state
//! 'X' (entered at the event id #N). " in front.

use serde_json::Value;

/// What kind of failure a [`JsonataError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The expression text is not JSONata (codes `S0xxx`), or is too long or too deep for
    /// Fluxo to accept.
    Syntax,
    /// JSONata's own evaluation errors (`T0410`, `T1006`, `D3001`, ...) and those of the
    /// functions Step Functions adds.
    Evaluation,
    /// A Fluxo limit stopped the evaluation ([`crate::Limits`]): time, depth, sequence length,
    /// string bytes or result size.
    Limit,
}

/// A JSONata failure: JSONata's error code when it has one (`T1006`) and its message
/// (`Attempted to invoke a non-function`), as jsonata-js reports them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.coded_message())]
pub struct JsonataError {
    kind: ErrorKind,
    code: Option<String>,
    message: String,
}

impl JsonataError {
    /// An error of `kind`; `message` may start with its code (`"T1006: Attempted ..."`), which
    /// is then taken apart.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> JsonataError {
        let message = message.into();
        match find_code(&message) {
            Some(at) => JsonataError {
                kind,
                code: Some(message[at..at + 5].to_string()),
                message: message[at + 6..].trim_start().to_string(),
            },
            None => JsonataError {
                kind,
                code: None,
                message,
            },
        }
    }

    /// An error from jsonata-core, worded as jsonata-js words it where its message carries
    /// nothing of the expression (`crate::js_messages`).
    pub(crate) fn from_engine(kind: ErrorKind, message: &str) -> JsonataError {
        let mut error = JsonataError::new(kind, message);
        if let Some(code) = error.code.clone() {
            if let Some(text) = crate::js_messages::static_message(&code) {
                error.message = text.to_string();
            } else if let Some(text) = crate::js_messages::js_wording(&code, &error.message) {
                error.message = text;
            }
        }
        error
    }

    /// An error with an explicit code.
    pub fn with_code(kind: ErrorKind, code: &str, message: impl Into<String>) -> JsonataError {
        JsonataError {
            kind,
            code: Some(code.to_string()),
            message: message.into(),
        }
    }

    /// Syntax, evaluation or limit.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// JSONata's code (`S0202`, `T2001`, `D3030`, ...), when the error has one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message without the code.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `"T1006: Attempted to invoke a non-function"`, the form AWS puts in a cause; the bare
    /// message when there is no code.
    pub fn coded_message(&self) -> String {
        match &self.code {
            Some(code) => format!("{code}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// Where the first JSONata code (`X9999:`, an upper-case letter, four digits and a colon, at
/// the start of a word) is in `message`. jsonata-core puts most codes first and some after a
/// prefix ("Invalid syntax: S0209: ...").
fn find_code(message: &str) -> Option<usize> {
    let b = message.as_bytes();
    (0..b.len().saturating_sub(5)).find(|&i| {
        (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b[i].is_ascii_uppercase()
            && b[i + 1..i + 5].iter().all(u8::is_ascii_digit)
            && b[i + 5] == b':'
    })
}

/// Cause of `States.QueryEvaluationError` when the expression threw: `The JSONata expression
/// '<expression>' specified for the field '<field>' threw an error during evaluation.
/// <code>: <message>` (recorded: `intrinsic_functions/math_operations_jsonata__test_math_random_
/// seeded`, "... threw an error during evaluation. T1006: Attempted to invoke a non-function").
/// `expression` is the text between `{%` and `%}`, `field` the location (`Output/FunctionResult`).
pub fn error_cause(expression: &str, field: &str, error: &JsonataError) -> String {
    format!(
        "The JSONata expression '{expression}' specified for the field '{field}' threw an error during evaluation. {}",
        error.coded_message()
    )
}

/// Cause of `States.QueryEvaluationError` when the expression gave no value (recorded:
/// `assign/assign_reference_variables__test_undefined_reference_*`).
pub fn undefined_cause(expression: &str, field: &str) -> String {
    format!("The JSONata expression '{expression}' specified for the field '{field}' returned nothing (undefined).")
}

/// Cause of `States.QueryEvaluationError` when a field needs a value of another JSON type
/// (recorded for Map `Items`: `... returned an unexpected result type. Expected 'array', but
/// was 'object' for value: {"foo":"bar"}`). `expected` is a JSON type name as AWS writes it.
pub fn unexpected_type_cause(
    expression: &str,
    field: &str,
    expected: &str,
    value: &Value,
) -> String {
    format!(
        "The JSONata expression '{expression}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {value}",
        json_type_name(value)
    )
}

/// The JSON type name AWS uses in causes: `null`, `boolean`, `number`, `string`, `array`,
/// `object`.
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_are_found_after_a_prefix_and_removed_from_the_message() {
        let e = JsonataError::new(
            ErrorKind::Syntax,
            "Invalid syntax: S0209: A predicate cannot follow",
        );
        assert_eq!(e.code(), Some("S0209"));
        assert_eq!(e.message(), "A predicate cannot follow");
        let plain = JsonataError::new(ErrorKind::Evaluation, "no code here: X12");
        assert_eq!(plain.code(), None);
        assert_eq!(plain.coded_message(), "no code here: X12");
    }

    #[test]
    fn causes_are_worded_as_recorded_on_aws() {
        let e = JsonataError::new(
            ErrorKind::Evaluation,
            "T1006: Attempted to invoke a non-function",
        );
        assert_eq!(
            error_cause("$randomSeeded($states.input.FunctionInput.fst)", "Output/FunctionResult", &e),
            "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
        );
        assert_eq!(
            undefined_cause("$doesNotExist", "Assign/result"),
            "The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined)."
        );
        assert_eq!(
            unexpected_type_cause("{'foo': 'bar'}", "Items", "array", &json!({"foo": "bar"})),
            "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
        );
        assert_eq!(
            unexpected_type_cause("'string'", "Items", "array", &json!("string")),
            "The JSONata expression ''string'' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"string\""
        );
    }
}
