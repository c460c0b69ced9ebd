//! The server-side options of CreateStateMachine, UpdateStateMachine and CreateActivity:
//! `encryptionConfiguration` (API reference, EncryptionConfiguration) and
//! `tracingConfiguration` (API reference, TracingConfiguration).
//!
//! Encryption: AWS's default, `AWS_OWNED_KEY`, is accepted and described. A customer managed KMS
//! key is accepted when the operator gave Fluxo a key that stands for it (`[encryption]
//! key_file` and `kms_key_ids` in fluxo.toml): Fluxo then seals definitions, execution data and
//! histories at rest with that key (`fluxo_store::AtRest`), and describes the configuration back
//! as given, so that state machines written for AWS run unchanged. A KMS key the operator did
//! not list is refused with `InvalidEncryptionConfiguration` (no recorded case shows AWS's answer
//! for an unusable key; the model's `KmsAccessDeniedException` is for a key policy or caller
//! without permissions, which Fluxo has no notion of). X-Ray tracing is refused: Fluxo sends no
//! traces. The API model has already checked the members' types, the `type` enum and
//! `kmsDataKeyReusePeriodSeconds`' range (60–900) with AWS's `ValidationException`.

use crate::{ApiError, ErrorCode};
use serde_json::{json, Value};

/// `encryptionConfiguration`'s `type` for AWS's default.
const AWS_OWNED_KEY: &str = "AWS_OWNED_KEY";
/// `encryptionConfiguration`'s `type` for a customer managed KMS key.
const CUSTOMER_MANAGED_KMS_KEY: &str = "CUSTOMER_MANAGED_KMS_KEY";
/// `kmsDataKeyReusePeriodSeconds` when a customer managed key is given without it (API
/// reference, EncryptionConfiguration; the console's default).
const DEFAULT_REUSE_SECONDS: u64 = 300;

/// What a request's `encryptionConfiguration` (absent: AWS's default) asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Encryption {
    /// Absent or `AWS_OWNED_KEY`.
    AwsOwned,
    /// A customer managed key the operator's key stands for: the configuration to keep and
    /// describe (JSON text, the reuse period filled in).
    CustomerManaged(String),
}

impl Encryption {
    /// The configuration to store with a state machine created with it (`None`: the default).
    pub(crate) fn created(&self) -> Option<String> {
        match self {
            Encryption::AwsOwned => None,
            Encryption::CustomerManaged(text) => Some(text.clone()),
        }
    }

    /// The configuration an update sets: the default is set explicitly, so that an update can
    /// go back to it from a customer managed key.
    pub(crate) fn updated(&self) -> String {
        match self {
            Encryption::AwsOwned => described_encryption(None).to_string(),
            Encryption::CustomerManaged(text) => text.clone(),
        }
    }
}

/// Checks a request's `encryptionConfiguration` against the KMS key ids the operator's key
/// stands for (`[encryption] kms_key_ids`, compared exactly as listed).
///
/// Errors: `InvalidEncryptionConfiguration` for `CUSTOMER_MANAGED_KMS_KEY` without its
/// `kmsKeyId` (AWS's words), or with a `kmsKeyId` the operator did not list.
pub(crate) fn check_encryption(
    value: Option<&Value>,
    kms_key_ids: &[String],
) -> Result<Encryption, ApiError> {
    let Some(value) = value else {
        return Ok(Encryption::AwsOwned);
    };
    match value.get("type").and_then(Value::as_str) {
        Some(AWS_OWNED_KEY) => Ok(Encryption::AwsOwned),
        Some(other) => {
            let Some(key_id) = value.get("kmsKeyId").and_then(Value::as_str) else {
                return Err(ApiError::new(
                    ErrorCode::InvalidEncryptionConfiguration,
                    format!("kmsKeyId is required when the encryption type is {other}"),
                ));
            };
            if !kms_key_ids.iter().any(|listed| listed == key_id) {
                return Err(ApiError::new(
                    ErrorCode::InvalidEncryptionConfiguration,
                    format!(
                        "The KMS key '{key_id}' is not one this Fluxo server encrypts with: \
                         Fluxo encrypts with the operator's key, which stands for the KMS keys \
                         listed in [encryption] kms_key_ids of fluxo.toml"
                    ),
                ));
            }
            let period = value
                .get("kmsDataKeyReusePeriodSeconds")
                .and_then(Value::as_u64)
                .unwrap_or(DEFAULT_REUSE_SECONDS);
            Ok(Encryption::CustomerManaged(
                json!({
                    "type": CUSTOMER_MANAGED_KMS_KEY,
                    "kmsKeyId": key_id,
                    "kmsDataKeyReusePeriodSeconds": period,
                })
                .to_string(),
            ))
        }
        // The model requires `type`; a document without it never gets here.
        None => Err(ApiError::validation(
            "1 validation error detected: Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null",
        )),
    }
}

/// What DescribeStateMachine, DescribeStateMachineForExecution and DescribeActivity give as
/// `encryptionConfiguration`: the stored configuration, or AWS's default (recorded cases
/// `api_variable_references/*`, `api_activities/*`).
pub(crate) fn described_encryption(stored: Option<&str>) -> Value {
    stored
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_else(|| json!({"type": AWS_OWNED_KEY}))
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
    fn aws_owned_keys_listed_kms_keys_and_no_tracing_are_accepted_the_rest_refused() {
        let listed = [
            "alias/k".to_string(),
            "arn:aws:kms:us-east-1:1:key/abc".to_string(),
        ];
        assert_eq!(code(check_encryption(None, &listed).map(drop)), None);
        let owned = json!({"type": "AWS_OWNED_KEY"});
        assert_eq!(
            check_encryption(Some(&owned), &[]),
            Ok(Encryption::AwsOwned)
        );
        let cmk = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/k"});
        let accepted = check_encryption(Some(&cmk), &listed).unwrap();
        let kept: Value = serde_json::from_str(&accepted.created().unwrap()).unwrap();
        assert_eq!(
            kept,
            json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/k",
                   "kmsDataKeyReusePeriodSeconds": 300})
        );
        assert_eq!(described_encryption(accepted.created().as_deref()), kept);
        let by_arn = json!({"type": "CUSTOMER_MANAGED_KMS_KEY",
            "kmsKeyId": "arn:aws:kms:us-east-1:1:key/abc", "kmsDataKeyReusePeriodSeconds": 60});
        let accepted = check_encryption(Some(&by_arn), &listed).unwrap();
        assert_eq!(described_encryption(Some(&accepted.updated())), by_arn);
        // Not listed (compared as given: another spelling of a listed key is another id).
        for unlisted in [&listed[..0], &listed[1..]] {
            let error = check_encryption(Some(&cmk), unlisted).unwrap_err();
            assert_eq!(
                format!("{:?}", error.code),
                "InvalidEncryptionConfiguration"
            );
            assert!(
                error.message.contains("[encryption] kms_key_ids"),
                "{}",
                error.message
            );
        }
        let missing = json!({"type": "CUSTOMER_MANAGED_KMS_KEY"});
        let error = check_encryption(Some(&missing), &listed).unwrap_err();
        assert!(
            error.message.contains("kmsKeyId is required"),
            "{}",
            error.message
        );
        assert_eq!(described_encryption(None), owned);
        assert_eq!(
            described_encryption(Some(&Encryption::AwsOwned.updated())),
            owned
        );
        assert_eq!(code(check_tracing(None)), None);
        assert_eq!(code(check_tracing(Some(&json!({"enabled": false})))), None);
        assert_eq!(
            code(check_tracing(Some(&json!({"enabled": true})))).as_deref(),
            Some("InvalidTracingConfiguration")
        );
    }
}
