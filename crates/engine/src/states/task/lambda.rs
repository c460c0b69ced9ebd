//! The optimized Lambda integration (`arn:aws:states:::lambda:invoke`): its request and
//! result shapes as the Step Functions developer guide ("Invoke an AWS Lambda function with
//! Step Functions") and the recorded cases give them.

use crate::context::ContextObject;
use crate::environment::{FunctionResult, TaskFailure};
use crate::history::details;
use base64::Engine;
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

/// How much of the log `LogType: Tail` returns (Lambda API reference, `Invoke`: "the last 4 KB
/// of the execution log").
const LOG_TAIL_BYTES: usize = 4096;

/// The Lambda `Invoke` API response as Step Functions' optimised integration returns it:
/// `Content-Length` as the function's runtime wrote the body, and with `LogType: Tail` the
/// base64 tail of the log in `LogResult` and the `X-Amz-Log-Result` header.
pub(super) fn wrap_invoke_result(
    result: FunctionResult,
    request_id: &str,
    now: jiff::Timestamp,
    log_tail: bool,
) -> Value {
    let length = result
        .body_bytes
        .unwrap_or_else(|| result.payload.to_string().len())
        .to_string();
    let date = now.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let trace_id = format!(
        "Root=1-{:08x}-{};Sampled=0",
        now.as_second(),
        request_id.replace('-', "").get(..24).unwrap_or_default()
    );
    let mut all_headers = json!({
        "X-Amz-Executed-Version": ["$LATEST"],
        "x-amzn-Remapped-Content-Length": ["0"],
        "Connection": ["keep-alive"],
        "x-amzn-RequestId": [request_id],
        "Content-Length": [length],
        "Date": [date],
        "Content-Type": ["application/json"],
        "X-Amzn-Trace-Id": [trace_id],
    });
    let mut headers = json!({
        "Connection": "keep-alive",
        "Content-Length": length,
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
        "X-Amzn-Trace-Id": trace_id,
    });
    let log_result = log_tail.then(|| {
        let log = result.log.as_deref().unwrap_or_default().as_bytes();
        let tail = &log[log.len().saturating_sub(LOG_TAIL_BYTES)..];
        base64::engine::general_purpose::STANDARD.encode(tail)
    });
    if let Some(log_result) = &log_result {
        all_headers["X-Amz-Log-Result"] = json!([log_result]);
        headers["X-Amz-Log-Result"] = json!(log_result);
    }
    let mut response = Map::new();
    response.insert("ExecutedVersion".into(), json!("$LATEST"));
    if let Some(log_result) = log_result {
        response.insert("LogResult".into(), json!(log_result));
    }
    response.insert("Payload".into(), result.payload);
    response.insert(
        "SdkHttpMetadata".into(),
        json!({"AllHttpHeaders": all_headers, "HttpHeaders": headers, "HttpStatusCode": 200}),
    );
    response.insert(
        "SdkResponseMetadata".into(),
        json!({"RequestId": request_id}),
    );
    response.insert("StatusCode".into(), json!(200));
    Value::Object(response)
}
