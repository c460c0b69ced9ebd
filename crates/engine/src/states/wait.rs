use super::resolve;
use crate::context::StateContext;
use crate::execution::{add_seconds, next_of, Completed, Frame, Run};
use crate::failure::Failure;
use fluxo_asl::model::{State, ValueOrPath, WaitFor};
use jiff::Timestamp;
use serde_json::Value;

/// AWS refuses delays that do not fit a signed 32-bit count of seconds.
const MAX_DELAY_SECONDS: i64 = i32::MAX as i64;

pub(crate) async fn run(
    run: &Run<'_>,
    state: &State,
    wait: &WaitFor,
    input: &Value,
    state_context: &StateContext<'_>,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let context = run.context.for_state(state_context, frame);
    let effective = run.input_path(&state.io.input_path, input, &context, frame, state_context)?;
    let runtime = |message: String| run.runtime_error(state_context, message);
    // Counted from when the state was entered, so that a replay computes the same deadline.
    let now = state_context.entered_time;
    let deadline = match wait {
        WaitFor::Seconds(seconds) => {
            let value = resolve(
                run,
                seconds,
                "SecondsPath",
                &effective,
                &context,
                frame,
                state_context,
            )?;
            let path = path_text(seconds);
            let seconds = match value.as_i64() {
                Some(seconds) if seconds < 0 => {
                    return Err(runtime(format!(
                        "The SecondsPath parameter references a negative value: {path} == {value}"
                    )))
                }
                Some(seconds) => seconds,
                None => {
                    return Err(runtime(format!(
                    "The SecondsPath parameter cannot be parsed as a long value: {path} == {value}"
                )))
                }
            };
            if seconds > MAX_DELAY_SECONDS {
                return Err(runtime("Wait state delay is too long.".into()));
            }
            add_seconds(now, seconds as f64)
        }
        WaitFor::Timestamp(timestamp) => {
            let value = resolve(
                run,
                timestamp,
                "TimestampPath",
                &effective,
                &context,
                frame,
                state_context,
            )?;
            let text = match &value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let Some(deadline) = parse_timestamp(&text) else {
                return Err(runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {text}",
                    path_text(timestamp)
                )));
            };
            if deadline.duration_since(now).as_secs() > MAX_DELAY_SECONDS {
                return Err(runtime("Wait state delay is too long.".into()));
            }
            deadline
        }
    };
    run.sleep_until(deadline).await;
    let output = run.output_path(
        &state.io.output_path,
        effective.clone(),
        &context,
        frame,
        state_context,
    )?;
    let assigned = match &state.assign {
        Some(assign) => Some(run.assign(assign, &effective, state_context, frame, "Assign")?),
        None => None,
    };
    Ok(Completed {
        output,
        next: next_of(state),
        assigned,
    })
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
