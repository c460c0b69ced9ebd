//! JSON documents by shape (the bodies of AWS JSON 1.0/1.1 and REST-JSON), and the AWS JSON
//! protocol itself: `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` and
//! `Content-Type: application/x-amz-json-<jsonVersion>`; errors carry `__type` (code after any
//! `#`, before any `:`) and `message`, and services that left the Query protocol (SQS) also send
//! the Query code in `x-amzn-query-error: <code>;<Sender|Receiver>`.

use super::scalar::{self, TimeFormat};
use super::{Request, Response, ServiceError};
use crate::model::{Operation, ServiceModel, ShapeKind};
use crate::naming;
use crate::params::{ParameterError, MAX_DEPTH};
use serde_json::{Map, Value};

/// A bound value (member names as keys) as the JSON the service reads.
pub(crate) fn to_wire(
    model: &ServiceModel,
    shape: &str,
    value: &Value,
    path: &str,
) -> Result<Value, ParameterError> {
    let shape_def = model
        .shape(shape)
        .map_err(|error| ParameterError(error.to_string()))?;
    if shape_def.document {
        return Ok(value.clone());
    }
    Ok(match (shape_def.kind, value) {
        (ShapeKind::Structure, Value::Object(object)) => {
            let mut out = Map::new();
            for (name, member) in &shape_def.members {
                if let Some(item) = object.get(name) {
                    let wire = to_wire(model, &member.shape, item, name)?;
                    out.insert(member.wire_name(name).to_string(), wire);
                }
            }
            Value::Object(out)
        }
        (ShapeKind::List, Value::Array(items)) => {
            let element = &shape_def
                .member
                .as_ref()
                .map(|member| member.shape.clone())
                .unwrap_or_default();
            Value::Array(
                items
                    .iter()
                    .map(|item| to_wire(model, element, item, path))
                    .collect::<Result<_, _>>()?,
            )
        }
        (ShapeKind::Map, Value::Object(entries)) => {
            let element = shape_def
                .value
                .as_ref()
                .map(|value| value.shape.clone())
                .unwrap_or_default();
            let mut out = Map::new();
            for (key, item) in entries {
                out.insert(key.clone(), to_wire(model, &element, item, path)?);
            }
            Value::Object(out)
        }
        (ShapeKind::Timestamp, _) => {
            let time = scalar::parse_input_time(value, path)?;
            let format = TimeFormat::from_trait(
                shape_def.timestamp_format.as_deref(),
                TimeFormat::EpochSeconds,
            );
            scalar::format_wire_time(time, format)
        }
        (ShapeKind::Blob, _) => Value::String(scalar::blob_to_wire(value)),
        _ => value.clone(),
    })
}

/// A JSON document from the service as a Task result: keys as `naming::output_key` makes them,
/// timestamps as ISO 8601 text, wire names mapped back to member names.
pub(crate) fn from_wire(model: &ServiceModel, shape: &str, value: &Value, depth: usize) -> Value {
    let Ok(shape_def) = model.shape(shape) else {
        return value.clone();
    };
    if depth > MAX_DEPTH || shape_def.document {
        return value.clone();
    }
    match (shape_def.kind, value) {
        (ShapeKind::Structure, Value::Object(object)) => {
            let mut out = Map::new();
            for (name, member) in &shape_def.members {
                if let Some(item) = object.get(member.wire_name(name)) {
                    if item.is_null() {
                        continue;
                    }
                    out.insert(
                        naming::output_key(name),
                        from_wire(model, &member.shape, item, depth + 1),
                    );
                }
            }
            Value::Object(out)
        }
        (ShapeKind::List, Value::Array(items)) => match &shape_def.member {
            Some(member) => Value::Array(
                items
                    .iter()
                    .map(|item| from_wire(model, &member.shape, item, depth + 1))
                    .collect(),
            ),
            None => value.clone(),
        },
        (ShapeKind::Map, Value::Object(entries)) => match &shape_def.value {
            Some(member) => Value::Object(
                entries
                    .iter()
                    .map(|(key, item)| {
                        (
                            key.clone(),
                            from_wire(model, &member.shape, item, depth + 1),
                        )
                    })
                    .collect(),
            ),
            None => value.clone(),
        },
        (ShapeKind::Timestamp, _) => scalar::output_time_from_wire(value),
        _ => value.clone(),
    }
}

pub(super) fn build_request(
    model: &ServiceModel,
    operation: &Operation,
    input: &Value,
) -> Result<Request, ParameterError> {
    let body = match &operation.input {
        Some(shape) => to_wire(model, &shape.shape, input, "")?,
        None => Value::Object(Map::new()),
    };
    let version = model.metadata.json_version.as_deref().unwrap_or("1.0");
    let mut headers = vec![(
        "content-type".to_string(),
        format!("application/x-amz-json-{version}"),
    )];
    if let Some(prefix) = &model.metadata.target_prefix {
        headers.push((
            "x-amz-target".to_string(),
            format!("{prefix}.{}", operation.name),
        ));
    }
    Ok(Request {
        method: "POST".to_string(),
        path: "/".to_string(),
        query: Vec::new(),
        headers,
        body: serde_json::to_vec(&body).unwrap_or_default(),
        host_prefix: String::new(),
    })
}

pub(super) fn parse_response(
    model: &ServiceModel,
    operation: &Operation,
    response: &Response,
) -> Value {
    let document = body_json(response);
    match &operation.output {
        Some(shape) => from_wire(model, &shape.shape, &document, 0),
        None => Value::Object(Map::new()),
    }
}

/// The response body as JSON; an empty or unreadable body is an empty object.
pub(super) fn body_json(response: &Response) -> Value {
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Value::Object(Map::new());
    }
    serde_json::from_slice(&response.body).unwrap_or_else(|_| Value::Object(Map::new()))
}

/// A JSON error body's code: `__type`, `code` or `Code`, cleaned of namespaces.
pub(super) fn error_code(document: &Value, header: Option<&str>) -> Option<String> {
    let raw = header
        .or_else(|| document.get("__type").and_then(Value::as_str))
        .or_else(|| document.get("code").and_then(Value::as_str))
        .or_else(|| document.get("Code").and_then(Value::as_str))?;
    let raw = raw.split(':').next().unwrap_or(raw);
    let raw = raw.rsplit('#').next().unwrap_or(raw);
    Some(raw.to_string())
}

/// A JSON error body's message.
pub(super) fn error_message(document: &Value) -> String {
    ["message", "Message", "errorMessage"]
        .iter()
        .find_map(|key| document.get(*key).and_then(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

pub(super) fn parse_error(model: &ServiceModel, response: &Response) -> ServiceError {
    if response.body.first() == Some(&b'<') {
        // Front ends (and moto's authentication) answer some JSON requests in XML.
        return super::query::parse_error(response);
    }
    let document = body_json(response);
    let query_code = model
        .metadata
        .aws_query_compatible
        .as_ref()
        .and(response.header("x-amzn-query-error"))
        .and_then(|value| value.split(';').next())
        .filter(|code| !code.is_empty());
    let type_code = error_code(&document, None);
    let bodiless = type_code.is_none() && response.header("x-amzn-errortype").is_none();
    let code = query_code
        .map(str::to_string)
        .or_else(|| type_code.clone())
        .or_else(|| error_code(&Value::Null, response.header("x-amzn-errortype")))
        .unwrap_or_else(|| super::rest::status_code_name(response.status));
    ServiceError {
        code,
        type_code,
        message: error_message(&document),
        status: response.status,
        request_id: response.request_id().unwrap_or_default().to_string(),
        extended_request_id: None,
        bodiless,
    }
}
