//! The server-side options of CreateStateMachine, UpdateStateMachine and CreateActivity that
//! Fluxo checks but has nothing to run for: `encryptionConfiguration` (API reference,
//! EncryptionConfiguration) and `tracingConfiguration` (API reference, TracingConfiguration).
//!
//! Fluxo keeps its data at rest in the operator's SQLite file or PostgreSQL database, protected
//! as the operator protects those; that is the place of AWS's default, `AWS_OWNED_KEY`, which
//! is accepted and described. A customer managed KMS key or X-Ray tracing would be a promise
//! Fluxo does not keep, so they are refused with the error AWS gives for an unusable
//! configuration, never accepted and ignored. The API model has already checked the members'
//! types, the `type` enum and `kmsDataKeyReusePeriodSeconds`' range (60–900).

use crate::{ApiError, ErrorCode};
use serde_json::{json, Value};

/// `encryptionConfiguration`'s `type` that Fluxo accepts: AWS's default.
const AWS_OWNED_KEY: &str = "AWS_OWNED_KEY";

/// Checks a request's `encryptionConfiguration` (absent: AWS's default).
///
/// Errors: `InvalidEncryptionConfiguration` for `CUSTOMER_MANAGED_KMS_KEY` (without its
/// `kmsKeyId` in AWS's words; with one, because Fluxo does not encrypt with KMS keys).
pub(crate) fn check_encryption(value: Option<&Value>) -> Result<(), ApiError> {
    let Some(value) = value else { return Ok(()) };
    match value.get("type").and_then(Value::as_str) {
        Some(AWS_OWNED_KEY) => Ok(()),
        Some(other) => {
            if value.get("kmsKeyId").is_none() {
                return Err(ApiError::new(
                    ErrorCode::InvalidEncryptionConfiguration,
                    format!("kmsKeyId is required when the encryption type is {other}"),
                ));
            }
            Err(ApiError::new(
                ErrorCode::InvalidEncryptionConfiguration,
                format!(
                    "Fluxo does not encrypt with KMS keys: encryption type {other} is not supported. \
                     Data at rest is kept in the operator's SQLite file or PostgreSQL database; \
                     leave encryptionConfiguration out or use type {AWS_OWNED_KEY}"
                ),
            ))
        }
        // The model requires `type`; a document without it never gets here.
        None => Err(ApiError::validation(
            "1 validation error detected: Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null",
        )),
    }
}

/// What DescribeStateMachine, DescribeStateMachineForExecution and DescribeActivity give as
/// `encryptionConfiguration` (recorded cases `api_variable_references/*`, `api_activities/*`).
pub(crate) fn described_encryption() -> Value {
    json!({"type": AWS_OWNED_KEY})
}

/// Checks a request's `tracingConfiguration`: `{"enabled": false}` (or absent) only.
///
/// Errors: `InvalidTracingConfiguration` when it asks for X-Ray tracing.
pub(crate) fn check_tracing(value: Option<&Value>) -> Result<(), ApiError> {
    let enabled = value
        .and_then(|v| v.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if enabled {
        return Err(ApiError::new(
            ErrorCode::InvalidTracingConfiguration,
            "Fluxo does not send traces to AWS X-Ray: tracingConfiguration.enabled must be false",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<(), ApiError>) -> Option<String> {
        result.err().map(|e| format!("{:?}", e.code))
    }

    #[test]
    fn aws_owned_keys_and_no_tracing_are_accepted_the_rest_refused() {
        assert_eq!(code(check_encryption(None)), None);
        assert_eq!(
            code(check_encryption(Some(&json!({"type": "AWS_OWNED_KEY"})))),
            None
        );
        let cmk = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/k"});
        assert_eq!(
            code(check_encryption(Some(&cmk))).as_deref(),
            Some("InvalidEncryptionConfiguration")
        );
        let missing = json!({"type": "CUSTOMER_MANAGED_KMS_KEY"});
        let error = check_encryption(Some(&missing)).unwrap_err();
        assert!(
            error.message.contains("kmsKeyId is required"),
            "{}",
            error.message
        );
        assert_eq!(code(check_tracing(None)), None);
        assert_eq!(code(check_tracing(Some(&json!({"enabled": false})))), None);
        assert_eq!(
            code(check_tracing(Some(&json!({"enabled": true})))).as_deref(),
            Some("InvalidTracingConfiguration")
        );
    }
}
