//! `bedrock:invokeModel` (developer guide, "Invoke and customize Amazon Bedrock models with
//! Step Functions"): Bedrock Runtime's `InvokeModel` with Step Functions' fields around it.
//! - `Body` is the model's request, sent as JSON text (a string is sent as it is); Step
//!   Functions does not validate it.
//! - `Input: {S3Uri}` reads the request from an S3 object instead (not with `Body`); its
//!   content type becomes `ContentType` unless one is given.
//! - The result is `{Body, ContentType}`, the body parsed as JSON when it is JSON (the guide's
//!   examples read `$.Body.results[0].outputText`).
//! - `Output: {S3Uri}` (the response written to S3, the result a reference to it) is refused:
//!   no recorded case or document gives the reference's shape.

use crate::client::Inner;
use crate::failure::{ErrorStyle, ServiceFailure};
use serde_json::{Map, Value};

/// The fields a `bedrock:invokeModel` Task may give.
pub(crate) const PARAMETERS: &[&str] = &[
    "ModelId",
    "Body",
    "ContentType",
    "Accept",
    "Trace",
    "GuardrailIdentifier",
    "GuardrailVersion",
    "PerformanceConfigLatency",
    "Input",
    "Output",
];

/// Calls `InvokeModel` in `region` with the Task's (already checked) parameters.
pub(crate) async fn invoke_model(
    inner: &Inner,
    mut parameters: Map<String, Value>,
    region: &str,
) -> Result<Value, ServiceFailure> {
    if parameters.contains_key("Output") {
        return Err(ServiceFailure::runtime(
            "Fluxo does not write bedrock:invokeModel's response to S3 (Output) yet; leave Output out to have the response in the Task's result".to_string(),
        ));
    }
    let body = match (parameters.remove("Body"), parameters.remove("Input")) {
        (Some(_), Some(_)) => {
            return Err(ServiceFailure::runtime(
                "bedrock:invokeModel takes either Body or Input, not both".to_string(),
            ))
        }
        (Some(Value::String(text)), None) => text,
        (Some(body), None) => body.to_string(),
        (None, Some(input)) => {
            let (text, content_type) = read_input(inner, &input, region).await?;
            if let Some(content_type) = content_type {
                parameters
                    .entry("ContentType")
                    .or_insert(Value::String(content_type));
            }
            text
        }
        (None, None) => {
            return Err(ServiceFailure::runtime(
                "bedrock:invokeModel needs Body or Input".to_string(),
            ))
        }
    };
    // Bedrock's default, said: the HTTP client would otherwise send `Accept: */*` (which moto
    // cannot answer).
    parameters
        .entry("Accept")
        .or_insert_with(|| Value::String("application/json".into()));
    let style = ErrorStyle::optimized("bedrock");
    let called = inner
        .call_api_with(
            "bedrockruntime",
            "bedrock",
            "invokeModel",
            Value::Object(parameters),
            region,
            &style,
            |bound| {
                bound.insert("body".to_string(), Value::String(body));
            },
        )
        .await?;
    Ok(result(called.output))
}

/// `Input.S3Uri`'s object: its text and content type.
async fn read_input(
    inner: &Inner,
    input: &Value,
    region: &str,
) -> Result<(String, Option<String>), ServiceFailure> {
    let uri = input.get("S3Uri").and_then(Value::as_str).ok_or_else(|| {
        ServiceFailure::runtime(
            "bedrock:invokeModel's Input must be {\"S3Uri\": \"s3://BUCKET/KEY\"}".to_string(),
        )
    })?;
    let (bucket, key) = s3_location(uri).ok_or_else(|| {
        ServiceFailure::runtime(format!("'{uri}' is not an S3 URI (s3://BUCKET/KEY)"))
    })?;
    let mut get = Map::new();
    get.insert("Bucket".into(), Value::String(bucket.to_string()));
    get.insert("Key".into(), Value::String(key.to_string()));
    let called = inner
        .call_api(
            "s3",
            "s3",
            "getObject",
            Value::Object(get),
            region,
            &ErrorStyle::optimized("bedrock"),
        )
        .await?;
    let text = match called.output.get("Body") {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let content_type = called
        .output
        .get("ContentType")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((text, content_type))
}

/// `s3://BUCKET/KEY` as its bucket and key.
fn s3_location(uri: &str) -> Option<(&str, &str)> {
    let (bucket, key) = uri.strip_prefix("s3://")?.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then_some((bucket, key))
}

/// `{Body, ContentType}` of the API's output, the body parsed when it is JSON.
fn result(output: Value) -> Value {
    let text = match output.get("Body") {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let content_type = output.get("ContentType").cloned().unwrap_or(Value::Null);
    let body = crate::optimized::body_value(text, content_type.as_str());
    let mut result = Map::new();
    result.insert("Body".into(), body);
    result.insert("ContentType".into(), content_type);
    Value::Object(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn s3_uris_split_into_bucket_and_key() {
        assert_eq!(s3_location("s3://b/k/x.json"), Some(("b", "k/x.json")));
        assert_eq!(s3_location("s3://b/"), None);
        assert_eq!(s3_location("https://b/k"), None);
    }

    #[test]
    fn a_json_body_is_parsed_and_other_bodies_stay_text() {
        let output = json!({"Body": "{\"results\":[{\"outputText\":\"hi\"}]}", "ContentType": "application/json"});
        assert_eq!(
            result(output),
            json!({"Body": {"results": [{"outputText": "hi"}]}, "ContentType": "application/json"})
        );
        let output = json!({"Body": "plain", "ContentType": "text/plain"});
        assert_eq!(
            result(output),
            json!({"Body": "plain", "ContentType": "text/plain"})
        );
    }
}
