//! Wait: parks its thread for `Seconds` or until `Timestamp` (literal or by path).
//!
//! Events of an attempt: none; the park is durable (the history is persisted before it, and a
//! durable runtime may unload the execution while it waits).

use crate::attempt::{next_of, Attempt, Completed};
use crate::failure::Failure;
use crate::run::add_seconds;
use fluxo_asl::model::{DataFlow, ValueOrPath, WaitFor};
use jiff::Timestamp;
use serde_json::Value;
use std::borrow::Cow;

/// The longest delay a Wait state accepts: a Standard execution lasts at most one year (Step
/// Functions service quotas), so a longer wait could never end; AWS fails it at once with
/// `Wait state delay is too long.` (recorded case `base/wait__test_timestamp_too_far_in_future_boundary_24856`).
pub const MAX_DELAY_SECONDS: i64 = 365 * 24 * 60 * 60;

pub(crate) async fn run(
    attempt: &Attempt<'_>,
    wait: &WaitFor,
    input: &Value,
) -> Result<Completed, Failure> {
    let effective = attempt.input_path(Cow::Borrowed(input))?.into_owned();
    let deadline = deadline(attempt, wait, &effective)?;
    attempt.run.sleep_until(deadline).await;
    if let DataFlow::Jsonata(_) = attempt.state.io {
        return attempt.finish_jsonata(Cow::Owned(effective), None);
    }
    let assigned = match &attempt.state.assign {
        Some(assign) => Some(attempt.assign_any(assign, &effective, Default::default())?),
        None => None,
    };
    Ok(Completed {
        output: attempt.output_path(effective)?,
        next: next_of(attempt.state),
        assigned,
    })
}

/// When the wait ends, counted from when the state was entered so that a replay computes the
/// same deadline.
fn deadline(
    attempt: &Attempt<'_>,
    wait: &WaitFor,
    effective: &Value,
) -> Result<Timestamp, Failure> {
    let now = attempt.info.entered_time;
    let too_long = || attempt.runtime_error("Wait state delay is too long.".into());
    match wait {
        WaitFor::Seconds(seconds) => {
            let value = attempt.resolve(seconds, "SecondsPath", effective)?;
            let invalid = |problem: &str| match seconds {
                // JSONata: an evaluation failure of the field, worded as for `Timestamp`.
                ValueOrPath::Jsonata(_) => attempt.query_failure(
                    Some("Seconds".into()),
                    &format!("The Seconds field {problem}: {value}"),
                ),
                _ => attempt.runtime_error(format!(
                    "The SecondsPath parameter {problem}: {} == {value}",
                    path_text(seconds)
                )),
            };
            let seconds = match value.as_i64() {
                Some(seconds) if seconds < 0 => return Err(invalid("references a negative value")),
                Some(seconds) => seconds,
                None => return Err(invalid("cannot be parsed as a long value")),
            };
            if seconds > MAX_DELAY_SECONDS {
                return Err(too_long());
            }
            Ok(add_seconds(now, seconds as f64))
        }
        WaitFor::Timestamp(timestamp) => {
            let value = attempt.resolve(timestamp, "TimestampPath", effective)?;
            let text = match &value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let Some(deadline) = parse_timestamp(&text) else {
                return Err(match timestamp {
                    // Recorded: `scenarios/base_scenarios__test_wait_timestamp_jsonata_NO_T`.
                    ValueOrPath::Jsonata(_) => attempt.query_failure(
                        Some("Timestamp".into()),
                        &format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"),
                    ),
                    _ => attempt.runtime_error(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {text}",
                        path_text(timestamp)
                    )),
                });
            };
            if deadline.duration_since(now).as_secs() > MAX_DELAY_SECONDS {
                return Err(too_long());
            }
            Ok(deadline)
        }
    }
}

fn path_text<T>(field: &ValueOrPath<T>) -> &str {
    match field {
        ValueOrPath::Path(path) => path.as_str(),
        _ => "",
    }
}

/// An ISO-8601 extended date-time with a `Z` or an offset, as AWS accepts it: `T` separator,
/// zone required, fractional seconds optional.
pub(crate) fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes.get(10) != Some(&b'T') {
        return None;
    }
    let tail = &bytes[bytes.len() - 6..];
    let has_zone = text.ends_with('Z') || (matches!(tail[0], b'+' | b'-') && tail[3] == b':');
    if !has_zone {
        return None;
    }
    text.parse::<Timestamp>().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn accepts_zoned_extended_timestamps_only() {
        for good in [
            "2016-03-14T01:59:00Z",
            "2026-11-25T00:56:31.000000Z",
            "2026-11-25T00:56:31.00Z",
            "2026-11-25T00:56:31+02:00",
        ] {
            assert!(parse_timestamp(good).is_some(), "{good}");
        }
        for bad in [
            "2026-11-25T00:56:31",
            "2026-11-25T00:56:31.000000",
            "2016-13-05T21:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "2016-12-05 21:29:29Z",
            "",
            "é",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }
}
