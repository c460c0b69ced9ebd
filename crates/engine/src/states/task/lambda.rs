//! The optimized Lambda integration (`arn:aws:states:::lambda:invoke`): its request and
//! result shapes as the Step Functions developer guide ("Invoke an AWS Lambda function with
//! Step Functions") and the recorded cases give them.

use crate::context::ContextObject;
use crate::environment::{FunctionResult, ServiceRequest, TaskFailure, LAMBDA_INVOKE};
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

/// The call on AWS Lambda of a Task whose resource is a function ARN that no local function
/// answers: the optimized integration's `Invoke` of that ARN, in the ARN's region, with the
/// state's effective input as the request body (its JSON text, so that a string input stays a
/// JSON string).
pub(super) fn on_aws(
    arn: &str,
    payload: Value,
    region: &str,
    state_machine_arn: &str,
    execution_arn: &str,
) -> ServiceRequest {
    let region = arn
        .split(':')
        .nth(3)
        .filter(|region| !region.is_empty())
        .unwrap_or(region);
    ServiceRequest {
        resource: LAMBDA_INVOKE.to_string(),
        parameters: json!({"FunctionName": arn, "Payload": payload.to_string()}),
        region: region.to_string(),
        state_machine_arn: state_machine_arn.to_string(),
        execution_arn: execution_arn.to_string(),
        raw_body: None,
    }
}

/// A function ARN's result is the function's response alone: the optimized integration's
/// `Payload` (Step Functions developer guide, "Invoke an AWS Lambda function": the legacy
/// resource returns the function's output, not the API response).
pub(super) fn function_arn_result(output: Value) -> FunctionResult {
    FunctionResult::from(output.get("Payload").cloned().unwrap_or(Value::Null))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_arn_on_aws_is_invoked_in_its_region_with_its_input_as_json_text() {
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:check";
        let request = on_aws(arn, json!("text"), "us-east-1", "sm", "ex");
        assert_eq!(request.resource, "arn:aws:states:::lambda:invoke");
        assert_eq!(request.region, "eu-west-1");
        assert_eq!(
            request.parameters,
            json!({"FunctionName": arn, "Payload": "\"text\""})
        );
        let partial = on_aws("function:check", json!({"a": 1}), "us-east-1", "sm", "ex");
        assert_eq!(partial.region, "us-east-1");
        assert_eq!(partial.parameters["Payload"], "{\"a\":1}");
    }

    #[test]
    fn a_function_arn_result_is_the_payload_alone() {
        let output =
            json!({"ExecutedVersion": "$LATEST", "Payload": {"valido": true}, "StatusCode": 200});
        assert_eq!(function_arn_result(output).payload, json!({"valido": true}));
        assert_eq!(function_arn_result(json!({})).payload, Value::Null);
    }
}
