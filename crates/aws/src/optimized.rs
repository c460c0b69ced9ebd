//! The optimized integrations Fluxo calls: `lambda:invoke`, `sqs:sendMessage`, `sns:publish`,
//! `dynamodb:getItem|putItem|updateItem|deleteItem`, `events:putEvents`,
//! `bedrock:invokeModel` (`crate::bedrock`), `apigateway:invoke` (`crate::apigateway`), and the
//! calls of the job services (`athena:startQueryExecution|stopQueryExecution|
//! getQueryExecution|getQueryResults`, `glue:startJobRun`, `batch:submitJob`, `ecs:runTask`,
//! `mediaconvert:createJob`; the jobs watched with `.sync` are read by `crate::jobs`).
//!
//! Each is the service's API call with Step Functions' own shape around it (the developer
//! guide's page of each integration, and the recorded cases in
//! `conformance-api/cases/services`):
//! - only the documented parameters are accepted;
//! - SQS, SNS, DynamoDB and Lambda results carry the SDK for Java 1.x's `SdkHttpMetadata`
//!   (`AllHttpHeaders` as lists, `HttpHeaders` sorted case-insensitively, `HttpStatusCode`) and
//!   `SdkResponseMetadata` (`RequestId`), keys in alphabetical order;
//! - `events:putEvents` adds the state machine and execution ARNs to every entry's `Resources`
//!   and fails with `EventBridge.FailedEntry` (the response as the cause) when an entry failed;
//! - `lambda:invoke` returns `{ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata,
//!   StatusCode}` with the payload parsed as JSON, and fails with the function's `errorType`
//!   (the payload as the cause) when the function failed.

use crate::client::{Called, Inner};
use crate::failure::{ErrorStyle, ServiceFailure};
use crate::protocol::Response;
use crate::ServiceCall;
use serde_json::{json, Map, Value};

/// What an optimized action accepts as parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    /// These fields only (Step Functions' own list for the integration).
    Listed(&'static [&'static str]),
    /// The API request's members, as its model names them (the job services, whose
    /// integration pages list the API's request syntax).
    Api,
}

/// The job services' actions Fluxo calls request-response: the API call, its output with the
/// SDK for Java 1.x's metadata.
const JOB_ACTIONS: &[(&str, &str)] = &[
    ("athena", "startQueryExecution"),
    ("athena", "stopQueryExecution"),
    ("athena", "getQueryExecution"),
    ("athena", "getQueryResults"),
    ("glue", "startJobRun"),
    ("batch", "submitJob"),
    ("ecs", "runTask"),
    ("mediaconvert", "createJob"),
];

/// The parameters each optimized action accepts; `None`: an action Fluxo does not call.
pub(crate) fn supported_parameters(service: &str, action: &str) -> Option<Accepted> {
    if JOB_ACTIONS.contains(&(service, action)) {
        return Some(Accepted::Api);
    }
    listed_parameters(service, action).map(Accepted::Listed)
}

fn listed_parameters(service: &str, action: &str) -> Option<&'static [&'static str]> {
    const DYNAMODB_WRITE: &[&str] = &[
        "Key",
        "Item",
        "TableName",
        "ConditionalOperator",
        "ConditionExpression",
        "Expected",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnConsumedCapacity",
        "ReturnItemCollectionMetrics",
        "ReturnValues",
        "ReturnValuesOnConditionCheckFailure",
    ];
    Some(match (service, action) {
        ("lambda", "invoke") => &[
            "FunctionName",
            "Payload",
            "InvocationType",
            "LogType",
            "ClientContext",
            "Qualifier",
        ],
        ("sqs", "sendMessage") => &[
            "QueueUrl",
            "MessageBody",
            "DelaySeconds",
            "MessageAttributes",
            "MessageDeduplicationId",
            "MessageGroupId",
        ],
        ("sns", "publish") => &[
            "Message",
            "MessageAttributes",
            "MessageStructure",
            "MessageDeduplicationId",
            "MessageGroupId",
            "PhoneNumber",
            "Subject",
            "TargetArn",
            "TopicArn",
        ],
        ("dynamodb", "getItem") => &[
            "Key",
            "TableName",
            "AttributesToGet",
            "ConsistentRead",
            "ExpressionAttributeNames",
            "ProjectionExpression",
            "ReturnConsumedCapacity",
        ],
        ("dynamodb", "putItem") | ("dynamodb", "deleteItem") => DYNAMODB_WRITE,
        ("dynamodb", "updateItem") => &[
            "Key",
            "TableName",
            "AttributeUpdates",
            "ConditionalOperator",
            "ConditionExpression",
            "Expected",
            "ExpressionAttributeNames",
            "ExpressionAttributeValues",
            "ReturnConsumedCapacity",
            "ReturnItemCollectionMetrics",
            "ReturnValues",
            "UpdateExpression",
            "ReturnValuesOnConditionCheckFailure",
        ],
        ("events", "putEvents") => &["Entries"],
        ("bedrock", "invokeModel") => crate::bedrock::PARAMETERS,
        ("apigateway", "invoke") => crate::apigateway::PARAMETERS,
        _ => return None,
    })
}

/// Calls an optimized integration.
pub(crate) async fn call(
    inner: &Inner,
    call: &ServiceCall,
    region: &str,
) -> Result<Value, ServiceFailure> {
    let resource = &call.resource;
    let (service, action) = (resource.service.as_str(), resource.action.as_str());
    let Some(supported) = supported_parameters(service, action) else {
        return Err(ServiceFailure::runtime(format!(
            "The optimized integration '{resource}' is recognized, but Fluxo does not call it; use an AWS SDK integration (arn:aws:states:::aws-sdk:SERVICE:ACTION) instead"
        )));
    };
    let Value::Object(mut parameters) = call.parameters.clone() else {
        return Err(ServiceFailure::runtime(format!(
            "The parameters of '{resource}' must be an object"
        )));
    };
    // The job services' parameters are checked against their API model when bound.
    let listed = match supported {
        Accepted::Listed(listed) => listed,
        Accepted::Api => &[][..],
    };
    if let Some(unsupported) = parameters
        .keys()
        .find(|key| supported != Accepted::Api && !listed.contains(&key.as_str()))
    {
        return Err(ServiceFailure::runtime(format!(
            "The field \"{unsupported}\" is not supported by Step Functions for '{resource}'"
        )));
    }
    let style = ErrorStyle::optimized(service);
    match (service, action) {
        ("bedrock", "invokeModel") => crate::bedrock::invoke_model(inner, parameters, region).await,
        ("apigateway", "invoke") => crate::apigateway::invoke(inner, parameters).await,
        ("events", "putEvents") => {
            add_execution_resources(&mut parameters, call);
            let called = inner
                .call_api(
                    "eventbridge",
                    service,
                    action,
                    Value::Object(parameters),
                    region,
                    &style,
                )
                .await?;
            events_result(called.output)
        }
        ("lambda", "invoke") => {
            // A string payload is the request body as is; anything else is sent as its JSON
            // text; no payload is the empty document, as for Fluxo's local functions.
            let payload = match parameters.remove("Payload") {
                None | Some(Value::Null) => "{}".to_string(),
                Some(Value::String(text)) => text,
                Some(other) => other.to_string(),
            };
            let called = inner
                .call_api_with(
                    "lambda",
                    service,
                    action,
                    Value::Object(parameters),
                    region,
                    &style,
                    |bound| {
                        bound.insert("Payload".to_string(), Value::String(payload));
                    },
                )
                .await?;
            lambda_result(called)
        }
        _ => {
            let mut called = inner
                .call_api(
                    service,
                    service,
                    action,
                    Value::Object(parameters),
                    region,
                    &style,
                )
                .await?;
            if supported == Accepted::Api {
                crate::v1_times::convert_output(
                    &inner.registry,
                    service,
                    action,
                    &mut called.output,
                );
            }
            // An ECS task that did not start answers 200 with `Failures`: a `.sync` or
            // `.waitForTaskToken` task fails with `AmazonECS.Unknown`, request-response returns
            // it (developer guide, "Manage Amazon ECS or Fargate tasks").
            let failures = called.output["Failures"]
                .as_array()
                .is_some_and(|failures| !failures.is_empty());
            if (service, action) == ("ecs", "runTask")
                && resource.pattern != crate::IntegrationPattern::RequestResponse
                && failures
            {
                return Err(ServiceFailure::new(
                    "AmazonECS.Unknown",
                    called.output.to_string(),
                ));
            }
            Ok(with_metadata(called.output, &called.response))
        }
    }
}

/// Step Functions lists the state machine and the execution as resources of every event.
fn add_execution_resources(parameters: &mut Map<String, Value>, call: &ServiceCall) {
    let Some(Value::Array(entries)) = parameters.get_mut("Entries") else {
        return;
    };
    let arns: Vec<Value> = [&call.state_machine_arn, &call.execution_arn]
        .into_iter()
        .flatten()
        .map(|arn| Value::String(arn.clone()))
        .collect();
    for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
        let resources = entry
            .entry("Resources")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(resources) = resources {
            resources.extend(arns.iter().cloned());
        }
    }
}

fn events_result(output: Value) -> Result<Value, ServiceFailure> {
    let failed = output
        .get("FailedEntryCount")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if failed > 0 {
        return Err(ServiceFailure::new(
            "EventBridge.FailedEntry",
            output.to_string(),
        ));
    }
    Ok(output)
}

fn lambda_result(called: Called) -> Result<Value, ServiceFailure> {
    let Value::Object(mut output) = called.output else {
        return Ok(called.output);
    };
    let text = match output.remove("Payload") {
        Some(Value::String(text)) => text,
        _ => String::new(),
    };
    let payload = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text.clone()));
    if output.remove("FunctionError").is_some() {
        let error = payload
            .get("errorType")
            .and_then(Value::as_str)
            .unwrap_or("Lambda.Unknown")
            .to_string();
        let cause = if payload.is_string() {
            text
        } else {
            payload.to_string()
        };
        return Err(ServiceFailure::new(error, cause));
    }
    output.insert("Payload".to_string(), payload);
    Ok(with_metadata(Value::Object(output), &called.response))
}

/// A response body in a Task result: parsed when its content type (or its absence) says JSON
/// and it parses, its text otherwise (Bedrock's `Body`, API Gateway's `ResponseBody`).
pub(crate) fn body_value(text: String, content_type: Option<&str>) -> Value {
    match content_type.is_none_or(|content_type| content_type.contains("json")) {
        true => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        false => Value::String(text),
    }
}

/// Adds `SdkHttpMetadata` and `SdkResponseMetadata` and orders the keys as the recordings do.
pub(crate) fn with_metadata(output: Value, response: &Response) -> Value {
    let mut output = match output {
        Value::Object(output) => output,
        _ => Map::new(),
    };
    let mut all = Map::new();
    for (name, value) in &response.headers {
        let name = java_header_name(name);
        match all.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
            Value::Array(values) => values.push(Value::String(value.clone())),
            _ => unreachable!("every entry is a list"),
        }
    }
    let mut single: Vec<(String, Value)> = response
        .headers
        .iter()
        .map(|(name, value)| (java_header_name(name), Value::String(value.clone())))
        .collect();
    single.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    single.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
    let request_id = response
        .request_id()
        .map(str::to_string)
        .or_else(|| crate::protocol::body_request_id(&response.body))
        .unwrap_or_default();
    output.insert(
        "SdkHttpMetadata".to_string(),
        json!({
            "AllHttpHeaders": all,
            "HttpHeaders": Value::Object(single.into_iter().collect()),
            "HttpStatusCode": response.status,
        }),
    );
    output.insert(
        "SdkResponseMetadata".to_string(),
        json!({"RequestId": request_id}),
    );
    let mut entries: Vec<(String, Value)> = output.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(entries.into_iter().collect())
}

/// Header names as the SDK for Java 1.x reports them: as the server wrote them. HTTP/1.1
/// clients here see them in lower case, so the usual spelling is restored: AWS's own headers
/// as AWS writes them, the rest in Title-Case.
fn java_header_name(name: &str) -> String {
    const AWS: &[&str] = &[
        "x-amzn-RequestId",
        "x-amz-crc32",
        "x-amz-id-2",
        "x-amz-request-id",
        "X-Amz-Executed-Version",
        "X-Amz-Function-Error",
        "X-Amz-Log-Result",
        "x-amzn-Remapped-Content-Length",
        "X-Amzn-Trace-Id",
        "x-amzn-ErrorType",
    ];
    if let Some(known) = AWS.iter().find(|known| known.eq_ignore_ascii_case(name)) {
        return (*known).to_string();
    }
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_shaped_as_the_sdk_for_java_1() {
        let response = Response {
            status: 200,
            headers: vec![
                ("x-amzn-requestid".into(), "r-1".into()),
                ("date".into(), "Mon, 01 Jan 2024 00:00:00 GMT".into()),
                ("content-type".into(), "application/x-amz-json-1.0".into()),
                ("content-length".into(), "106".into()),
            ],
            body: Vec::new(),
        };
        let output = with_metadata(
            json!({"MessageId": "m", "MD5OfMessageBody": "d"}),
            &response,
        );
        assert_eq!(
            output,
            json!({
                "MD5OfMessageBody": "d", "MessageId": "m",
                "SdkHttpMetadata": {
                    "AllHttpHeaders": {"x-amzn-RequestId": ["r-1"], "Date": ["Mon, 01 Jan 2024 00:00:00 GMT"],
                                       "Content-Type": ["application/x-amz-json-1.0"], "Content-Length": ["106"]},
                    "HttpHeaders": {"Content-Length": "106", "Content-Type": "application/x-amz-json-1.0",
                                    "Date": "Mon, 01 Jan 2024 00:00:00 GMT", "x-amzn-RequestId": "r-1"},
                    "HttpStatusCode": 200},
                "SdkResponseMetadata": {"RequestId": "r-1"}})
        );
        let keys: Vec<&String> = output.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "MD5OfMessageBody",
                "MessageId",
                "SdkHttpMetadata",
                "SdkResponseMetadata"
            ]
        );
    }

    #[test]
    fn job_services_take_their_api_request_and_others_stay_uncalled() {
        for (service, action) in JOB_ACTIONS {
            assert_eq!(
                supported_parameters(service, action),
                Some(Accepted::Api),
                "{service}:{action}"
            );
            // Each has its model embedded, and the action in it.
            let registry = crate::model::ModelRegistry::new(None);
            let model = registry.model(service).unwrap();
            assert!(model.operation(action).is_some(), "{service}:{action}");
        }
        assert!(matches!(
            supported_parameters("sqs", "sendMessage"),
            Some(Accepted::Listed(_))
        ));
        assert_eq!(supported_parameters("codebuild", "startBuild"), None);
    }

    #[test]
    fn failed_entries_fail_the_task_with_the_response_as_cause() {
        let output = json!({"Entries": [{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}], "FailedEntryCount": 1});
        let failure = events_result(output.clone()).unwrap_err();
        assert_eq!(failure.error, "EventBridge.FailedEntry");
        assert_eq!(
            serde_json::from_str::<Value>(&failure.cause).unwrap(),
            output
        );
    }
}
