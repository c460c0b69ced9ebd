//! Where the SQL backends keep a state machine's `encryptionConfiguration`: beside its
//! `loggingConfiguration`, in the one text column the schema has for a state machine's
//! options (`state_machines.logging`), so that no migration is needed.
//!
//! The column holds the logging configuration's JSON as it always did while there is no
//! encryption configuration (so data written before either way reads the same); with one, it
//! holds `{"fluxoOptions": 1, "loggingConfiguration": …, "encryptionConfiguration": …}`.
//! Neither API shape has a `fluxoOptions` member, so the two forms cannot be confused.

use serde_json::{json, Value};

/// The member that marks the combined form.
const MARK: &str = "fluxoOptions";

/// The column's text for a state machine's logging and encryption configurations (each JSON
/// text, as the record keeps them).
pub fn options_column(logging: Option<&str>, encryption: Option<&str>) -> Option<String> {
    let Some(encryption) = encryption else {
        return logging.map(str::to_string);
    };
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    Some(
        json!({
            MARK: 1,
            "loggingConfiguration": logging.map_or(Value::Null, parse),
            "encryptionConfiguration": parse(encryption),
        })
        .to_string(),
    )
}

/// The logging and encryption configurations (JSON text) that a column written by
/// [`options_column`] holds.
pub fn options_of_column(column: Option<String>) -> (Option<String>, Option<String>) {
    let Some(text) = column else {
        return (None, None);
    };
    let combined = serde_json::from_str::<Value>(&text)
        .ok()
        .filter(|value| value.get(MARK).is_some());
    let Some(mut combined) = combined else {
        return (Some(text), None);
    };
    let mut take = |key: &str| match combined[key].take() {
        Value::Null => None,
        value => Some(value.to_string()),
    };
    let logging = take("loggingConfiguration");
    (logging, take("encryptionConfiguration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_configurations_round_trip_and_plain_logging_reads_as_before() {
        let logging = r#"{"level":"ALL","includeExecutionData":true,"destinations":[]}"#;
        let encryption = r#"{"type":"CUSTOMER_MANAGED_KMS_KEY","kmsKeyId":"alias/k","kmsDataKeyReusePeriodSeconds":300}"#;
        for (l, e) in [
            (None, None),
            (Some(logging), None),
            (None, Some(encryption)),
            (Some(logging), Some(encryption)),
        ] {
            let column = options_column(l, e);
            let (read_l, read_e) = options_of_column(column);
            assert_eq!((read_l.as_deref(), read_e.as_deref()), (l, e));
        }
        assert_eq!(
            options_column(Some(logging), None).as_deref(),
            Some(logging)
        );
    }
}
