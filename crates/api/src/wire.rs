//! Wire-level helpers: names, ARNs, timestamps, history events.

use crate::ApiError;
use fluxo_store::EventRecord;
use serde_json::{json, Map, Value};

/// AWS: 1–80 characters, no whitespace, brackets, wildcards, special or control characters.
pub fn check_name(name: &str, what: &str) -> Result<(), ApiError> {
    // Most names (generated UUIDs among them) are plain ASCII: settled without decoding.
    let plain = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if !name.is_empty() && name.len() <= 80 && name.as_bytes().iter().all(plain) {
        return Ok(());
    }
    let forbidden =
        |c: char| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c);
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(forbidden) {
        return Err(ApiError::new(
            "InvalidName",
            format!("Invalid Name: '{name}' ({what})"),
        ));
    }
    Ok(())
}

pub fn state_machine_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:states:{region}:{account}:stateMachine:{name}")
}

/// Checks that `arn` is a Step Functions ARN of the given resource type.
pub fn check_arn(arn: &str, resource: &str) -> Result<(), ApiError> {
    let parts: Vec<&str> = arn.split(':').collect();
    let valid = parts.len() >= 7
        && parts[0] == "arn"
        && parts[2] == "states"
        && parts[5] == resource
        && parts[6..].iter().all(|part| !part.is_empty());
    if valid {
        Ok(())
    } else if parts.len() >= 7 && parts[0] == "arn" && parts[2] == "states" {
        // A well-formed ARN of another resource type, e.g. an Express execution's `express`
        // where DescribeExecution wants `execution`: AWS names the type.
        Err(ApiError::new(
            "InvalidArn",
            format!(
                "Invalid Arn: 'Resource type not valid in this context: {}'",
                parts[5]
            ),
        ))
    } else {
        Err(ApiError::new("InvalidArn", format!("Invalid Arn: '{arn}'")))
    }
}

/// AWS JSON 1.0 timestamps: epoch seconds.
pub fn seconds(ms: i64) -> Value {
    json!(ms as f64 / 1000.0)
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A stored event as `GetExecutionHistory` returns it.
pub fn event(record: &EventRecord, include_data: bool) -> Value {
    let mut event = Map::new();
    event.insert("timestamp".into(), seconds(record.timestamp_ms));
    event.insert("type".into(), json!(record.kind));
    event.insert("id".into(), json!(record.id));
    event.insert("previousEventId".into(), json!(record.previous_event_id));
    if let Some(details) = &record.details {
        let mut details: Value = serde_json::from_str(details).unwrap_or(Value::Null);
        if !include_data {
            if let Some(object) = details.as_object_mut() {
                for key in ["input", "output", "parameters"] {
                    if object.remove(key).is_some() {
                        object.insert(format!("{key}Details"), json!({"included": false}));
                    }
                }
            }
        }
        if details.as_object().is_some_and(|object| !object.is_empty()) {
            let key = fluxo_engine::HistoryEvent::details_key_for(&record.kind);
            event.insert(key, details);
        }
    }
    Value::Object(event)
}
