//! The answer as the HTTP Task returns it: `Headers` (each name, lower case, with the list of
//! its values), `ResponseBody` (parsed when the content type is JSON, else the text),
//! `StatusCode` and `StatusText`. A non-2xx answer fails the task with
//! `States.Http.StatusCode.NNN`; a binary answer (`application/octet-stream`, `image/*`,
//! `video/*`, `audio/*`, or a body that is not UTF-8 text) with `States.Runtime` (the guide's
//! "Unsupported HTTP Task responses").

use crate::client::read_bounded;
use crate::HttpFailure;
use reqwest::Response;
use serde_json::{json, Map, Value};

/// The most of a body read: what AWS asks for with `Range: bytes=0-262144`. A longer body
/// could not fit in a state's 256 KiB payload anyway.
pub const MAX_BODY_BYTES: usize = 262_145;

fn is_binary(media: &str) -> bool {
    media == "application/octet-stream"
        || ["image/", "video/", "audio/"]
            .iter()
            .any(|prefix| media.starts_with(prefix))
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

pub(crate) async fn shape(response: Response) -> Result<Value, HttpFailure> {
    let status = response.status();
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let entry = headers
            .entry(name.as_str().to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = entry {
            values.push(Value::String(text));
        }
    }
    let media = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if is_binary(&media) {
        return Err(HttpFailure::runtime(format!(
            "The HTTP Task cannot return a response of content type {media}"
        )));
    }
    let Some(bytes) = read_bounded(response, MAX_BODY_BYTES).await? else {
        return Err(HttpFailure::new(
            "States.DataLimitExceeded",
            "The state/task 'http' returned a result with a size exceeding the maximum number of bytes service limit.",
        ));
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(HttpFailure::runtime(
            "The HTTP Task's response cannot be read as a valid string",
        ));
    };
    let body = match is_json(&media) {
        true if !text.trim().is_empty() => {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        }
        _ => Value::String(text),
    };
    let result = json!({
        "Headers": headers,
        "ResponseBody": body,
        "StatusCode": status.as_u16(),
        "StatusText": status.canonical_reason().unwrap_or_default(),
    });
    if !status.is_success() {
        return Err(HttpFailure::new(
            format!("States.Http.StatusCode.{}", status.as_u16()),
            result.to_string(),
        ));
    }
    Ok(result)
}
