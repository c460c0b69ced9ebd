//! Scalars on the wire: timestamps in the three formats the protocols use, blobs in base64.
//!
//! Task results show timestamps as the AWS SDK for Java 2.x prints an `Instant`
//! (`2024-05-01T12:00:00Z`, fractions only when not zero) and non-streaming blobs in base64 (as
//! Java's JSON mapper writes byte arrays).

use crate::params::ParameterError;
use base64::Engine;
use jiff::Timestamp;
use serde_json::Value;

/// The timestamp formats of the Smithy `timestampFormat` trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeFormat {
    EpochSeconds,
    Iso8601,
    HttpDate,
}

impl TimeFormat {
    /// The model's `timestampFormat` if any, else the protocol's default for the location.
    pub fn from_trait(name: Option<&str>, default: TimeFormat) -> TimeFormat {
        match name {
            Some("unixTimestamp") => TimeFormat::EpochSeconds,
            Some("iso8601") => TimeFormat::Iso8601,
            Some("rfc822") => TimeFormat::HttpDate,
            _ => default,
        }
    }
}

/// A parameter's timestamp (ISO 8601 text, or epoch seconds as a number or numeric text).
pub(crate) fn parse_input_time(value: &Value, field: &str) -> Result<Timestamp, ParameterError> {
    let parsed = match value {
        Value::Number(number) => number.as_f64().and_then(from_epoch),
        Value::String(text) => parse_wire_time(text),
        _ => None,
    };
    parsed.ok_or_else(|| {
        ParameterError(format!(
            "The field '{field}' must be a timestamp (ISO 8601 text or epoch seconds)"
        ))
    })
}

/// A timestamp in any of the wire formats.
pub(crate) fn parse_wire_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return from_epoch(seconds);
    }
    text.parse::<Timestamp>().ok().or_else(|| {
        jiff::fmt::rfc2822::DateTimeParser::new()
            .parse_timestamp(text)
            .ok()
    })
}

fn from_epoch(seconds: f64) -> Option<Timestamp> {
    if !seconds.is_finite() {
        return None;
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round() as i32;
    Timestamp::new(whole as i64, nanos.min(999_999_999)).ok()
}

/// A timestamp for the wire: a JSON number for epoch seconds, else text.
pub(crate) fn format_wire_time(time: Timestamp, format: TimeFormat) -> Value {
    match format {
        TimeFormat::EpochSeconds => {
            let nanos = time.subsec_nanosecond();
            if nanos == 0 {
                Value::from(time.as_second())
            } else {
                let millis = (time.as_millisecond() as f64) / 1000.0;
                serde_json::Number::from_f64(millis)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::from(time.as_second()))
            }
        }
        TimeFormat::Iso8601 => Value::String(iso8601(time)),
        TimeFormat::HttpDate => Value::String(
            jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&time)
                .unwrap_or_default(),
        ),
    }
}

/// The text of a wire timestamp value (for query strings, headers and XML).
pub(crate) fn wire_time_text(time: Timestamp, format: TimeFormat) -> String {
    match format_wire_time(time, format) {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

/// A timestamp in a Task result.
pub(crate) fn output_time(time: Timestamp) -> Value {
    Value::String(iso8601(time))
}

/// A wire timestamp (text or number) as it appears in a Task result; an unreadable one is kept.
pub(crate) fn output_time_from_wire(value: &Value) -> Value {
    let parsed = match value {
        Value::Number(number) => number.as_f64().and_then(from_epoch),
        Value::String(text) => parse_wire_time(text),
        _ => None,
    };
    parsed.map(output_time).unwrap_or_else(|| value.clone())
}

/// `Instant.toString()`: seconds, then milli-, micro- or nanoseconds when not zero, then `Z`.
fn iso8601(time: Timestamp) -> String {
    let base = time.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = time.subsec_nanosecond();
    let fraction = if nanos == 0 {
        String::new()
    } else if nanos % 1_000_000 == 0 {
        format!(".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        format!(".{:06}", nanos / 1_000)
    } else {
        format!(".{nanos:09}")
    };
    format!("{base}{fraction}Z")
}

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A bound blob (its bytes as text, see `params`) in base64 for the wire.
pub(crate) fn blob_to_wire(value: &Value) -> String {
    match value {
        Value::String(text) => base64_encode(text.as_bytes()),
        other => base64_encode(other.to_string().as_bytes()),
    }
}

/// A scalar's text for a query string, a header or XML.
pub(crate) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A wire text as a JSON number for an integer or float member; unreadable text stays text.
pub(crate) fn number_from_text(text: &str, integer: bool) -> Value {
    let text = text.trim();
    if integer {
        if let Ok(number) = text.parse::<i64>() {
            return Value::from(number);
        }
    }
    match text.parse::<f64>() {
        Ok(number) if number.fract() == 0.0 && number.abs() < 9e15 && integer => {
            Value::from(number as i64)
        }
        Ok(number) => serde_json::Number::from_f64(number)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_string())),
        Err(_) => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_round_trip_through_every_format() {
        let time = parse_wire_time("2024-05-01T12:00:00Z").unwrap();
        assert_eq!(
            format_wire_time(time, TimeFormat::EpochSeconds),
            json!(1714564800)
        );
        assert_eq!(
            wire_time_text(time, TimeFormat::Iso8601),
            "2024-05-01T12:00:00Z"
        );
        let http = wire_time_text(time, TimeFormat::HttpDate);
        assert_eq!(http, "Wed, 01 May 2024 12:00:00 GMT");
        assert_eq!(parse_wire_time(&http), Some(time));
        assert_eq!(parse_wire_time("1714564800"), Some(time));
        let fractional = parse_wire_time("2024-05-01T12:00:00.250Z").unwrap();
        assert_eq!(output_time(fractional), json!("2024-05-01T12:00:00.250Z"));
        assert_eq!(
            output_time_from_wire(&json!(1714564800.5)),
            json!("2024-05-01T12:00:00.500Z")
        );
    }

    #[test]
    fn numbers_from_wire_text() {
        assert_eq!(number_from_text("42", true), json!(42));
        assert_eq!(number_from_text("1.5", false), json!(1.5));
        assert_eq!(number_from_text("x", true), json!("x"));
    }
}
