//! A validation finding: its severity, AWS's code (`SCHEMA_VALIDATION_FAILED`, …), the JSON
//! pointer of where it is and the message, in the shape `ValidateStateMachineDefinition` answers.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in a definition, in the shape of AWS `ValidateStateMachineDefinition` diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// AWS diagnostic code, e.g. `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`.
    pub code: String,
    pub message: String,
    /// JSON pointer to the offending field, e.g. `/States/Validate/Next`.
    pub location: String,
}

impl Diagnostic {
    /// An error; a location at the root of the document (the empty JSON pointer) is written
    /// `/`, as AWS writes it (`These fields are required: [StartAt]` at `/`).
    pub fn error(code: &str, location: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: code.to_string(),
            message: message.into(),
            location: root_as_slash(location.into()),
        }
    }

    /// A warning, located as [`Diagnostic::error`] locates errors.
    pub fn warning(code: &str, location: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, location, message)
        }
    }
}

fn root_as_slash(location: String) -> String {
    if location.is_empty() {
        "/".to_string()
    } else {
        location
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{severity}[{}] at {}: {}",
            self.code, self.location, self.message
        )
    }
}
