//! The optimized Lambda integration (`arn:aws:states:::lambda:invoke`): its request and
//! result shapes as the Step Functions developer guide ("Invoke an AWS Lambda function with
//! Step Functions") and the recorded cases give them.

use crate::context::ContextObject;
use crate::environment::TaskFailure;
use crate::history::details;
use serde_json::{json, Map, Value};

/// `TaskScheduled`'s details for a `lambda:invoke` call.
pub(super) fn scheduled_details(
    region: &str,
    parameters: &Value,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
) -> Map<String, Value> {
    let mut scheduled = details([
        ("resourceType", json!("lambda")),
        ("resource", json!("invoke")),
        ("region", Value::String(region.to_string())),
        ("parameters", Value::String(parameters.to_string())),
    ]);
    if let Some(timeout) = timeout {
        scheduled.insert("timeoutInSeconds".into(), json!(timeout));
    }
    if let Some(heartbeat) = heartbeat {
        scheduled.insert("heartbeatInSeconds".into(), json!(heartbeat));
    }
    scheduled
}

/// The function named by `FunctionName`: a name, a partial ARN or a full ARN (with or without
/// qualifier).
pub(super) fn function_name(parameters: &Value) -> String {
    let reference = parameters
        .get("FunctionName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let parts: Vec<&str> = reference.split(':').collect();
    match parts.iter().position(|part| *part == "function") {
        Some(index) if index + 1 < parts.len() => parts[index + 1].to_string(),
        _ => reference.to_string(),
    }
}

/// The event Lambda receives for a `Payload` parameter: absent or null is `{}`, a string is the
/// raw request body (JSON text), anything else is the JSON document itself.
pub(super) fn invoke_payload(payload: Option<&Value>) -> Value {
    match payload {
        None | Some(Value::Null) => json!({}),
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Some(other) => other.clone(),
    }
}

/// A function's failure as the optimized integration reports it: the Lambda error document
/// compacted, and an unknown function as the Lambda API's `ResourceNotFoundException`.
pub(super) fn service_failure(
    failure: TaskFailure,
    context: &ContextObject,
    function: &str,
    request_id: &str,
) -> TaskFailure {
    if failure.error == "Lambda.ResourceNotFoundException" {
        return TaskFailure {
            cause: Some(format!(
                "Function not found: arn:aws:lambda:{}:{}:function:{function}:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {request_id}; Proxy: null)",
                context.region(),
                context.account(),
            )),
            ..failure
        };
    }
    TaskFailure {
        error: failure.error,
        cause: failure.cause.map(|cause| compact_json(&cause)),
    }
}

fn compact_json(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .map(|value| value.to_string())
        .unwrap_or_else(|_| text.to_string())
}

/// The Lambda `Invoke` API response as Step Functions' optimised integration returns it.
pub(super) fn wrap_invoke_result(payload: Value, request_id: &str, now: jiff::Timestamp) -> Value {
    let length = payload.to_string().len().to_string();
    let date = now.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let trace_id = format!(
        "Root=1-{:08x}-{};Sampled=0",
        now.as_second(),
        request_id.replace('-', "").get(..24).unwrap_or_default()
    );
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": ["application/json"],
                "X-Amzn-Trace-Id": [trace_id],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": trace_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    })
}
