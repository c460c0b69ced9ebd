//! Wire-level shapes shared by the actions: names, ARNs, timestamps, the parts of responses
//! that several actions return.

use crate::{ApiError, ErrorCode};
use fluxo_types::arn::{Arn, ResourceType};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// AWS: 1–80 characters, no whitespace, brackets, wildcards, special or control characters
/// (API reference, `CreateStateMachine`'s `name`).
pub fn check_name(name: &str) -> Result<(), ApiError> {
    // Most names (generated UUIDs among them) are plain ASCII: settled without decoding.
    let plain = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if !name.is_empty() && name.len() <= 80 && name.as_bytes().iter().all(plain) {
        return Ok(());
    }
    let forbidden =
        |c: char| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c);
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(forbidden) {
        return Err(ApiError::new(
            ErrorCode::InvalidName,
            format!("Invalid Name: '{name}'"),
        ));
    }
    Ok(())
}

/// Checks that `arn` names a resource of type `kind`.
pub fn check_arn(arn: &str, kind: ResourceType) -> Result<Arn, ApiError> {
    Arn::parse_as(arn, kind)
        .map_err(|error| ApiError::new(ErrorCode::InvalidArn, error.to_string()))
}

/// AWS JSON 1.0 timestamps: epoch seconds.
pub fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Reads an action's input into its request struct; a member of the wrong JSON type is a
/// `SerializationException`, as the AWS JSON 1.0 protocol answers.
pub fn parse<T: DeserializeOwned>(input: Value) -> Result<T, ApiError> {
    serde_json::from_value(input).map_err(|error| {
        let message = error.to_string();
        if message.starts_with("missing field") {
            ApiError::validation(format!("1 validation error detected: {message}"))
        } else {
            ApiError::serialization(format!("A field has the wrong type: {message}"))
        }
    })
}

/// An action's answer as its JSON body.
pub fn body(answer: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(answer).map_err(ApiError::internal)
}

/// `{"included": true}`, as `inputDetails`/`outputDetails` say.
#[derive(Serialize)]
pub struct Included {
    pub included: bool,
}

pub const INCLUDED: Included = Included { included: true };
