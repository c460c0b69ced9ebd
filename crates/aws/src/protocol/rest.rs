//! REST-JSON and REST-XML: members bound to the URI (`{Bucket}`, greedy `{Key+}`), the query
//! string, headers (`x-amz-meta-*` maps included) and the body, which is either the `payload`
//! member (raw bytes for a blob or string, else a document) or the remaining members as one
//! JSON object or XML element.

use super::scalar::{self, TimeFormat};
use super::{json, xml, Options, Request, Response, ServiceError};
use crate::model::{Member, Operation, ServiceModel, Shape, ShapeKind};
use crate::naming;
use crate::params::ParameterError;
use base64::Engine;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

/// Everything but RFC 3986's unreserved characters is encoded in URI labels.
const LABEL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Greedy labels (`{Key+}`) keep their slashes.
const GREEDY_LABEL: &AsciiSet = &LABEL.remove(b'/');

pub(super) fn build_request(
    model: &ServiceModel,
    operation: &Operation,
    input: &Value,
    options: Options,
) -> Result<Request, ParameterError> {
    let xml_protocol = model.protocol() == "rest-xml";
    let (template, static_query) = match operation.http.request_uri.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (operation.http.request_uri.as_str(), None),
    };
    let mut request = Request {
        method: operation.http.method.clone(),
        path: template.to_string(),
        query: static_query.map(parse_static_query).unwrap_or_default(),
        headers: Vec::new(),
        body: Vec::new(),
        host_prefix: String::new(),
    };
    let Some(input_ref) = &operation.input else {
        request.path = fill_path(
            &request.path,
            &Map::new(),
            options,
            &mut request.host_prefix,
        )?;
        return Ok(request);
    };
    let shape = model
        .shape(&input_ref.shape)
        .map_err(|error| ParameterError(error.to_string()))?;
    let empty = Map::new();
    let object = input.as_object().unwrap_or(&empty);
    let mut labels = Map::new();
    let mut body_members = Map::new();
    for (name, member) in &shape.members {
        let Some(value) = object.get(name) else {
            continue;
        };
        let member_shape = model
            .shape(&member.shape)
            .map_err(|error| ParameterError(error.to_string()))?;
        match member.location.as_deref() {
            Some("uri") => {
                let text = xml::scalar_to_text(member_shape, member_shape.kind, value, name)?;
                labels.insert(member.wire_name(name).to_string(), Value::String(text));
            }
            Some("querystring") => {
                bind_query(&mut request.query, member, member_shape, name, value)?
            }
            Some("header") => {
                if let Some(text) = header_text(model, member, member_shape, name, value)? {
                    request
                        .headers
                        .push((member.wire_name(name).to_ascii_lowercase(), text));
                }
            }
            Some("headers") => {
                let prefix = member.wire_name(name).to_ascii_lowercase();
                for (key, item) in value.as_object().into_iter().flatten() {
                    request.headers.push((
                        format!("{prefix}{}", key.to_ascii_lowercase()),
                        scalar::scalar_text(item),
                    ));
                }
            }
            Some(_) => {}
            None => {
                body_members.insert(name.clone(), value.clone());
            }
        }
    }
    request.path = fill_path(&request.path, &labels, options, &mut request.host_prefix)?;
    write_body(
        model,
        operation,
        shape,
        body_members,
        xml_protocol,
        &mut request,
    )?;
    Ok(request)
}

fn write_body(
    model: &ServiceModel,
    operation: &Operation,
    shape: &Shape,
    mut body_members: Map<String, Value>,
    xml_protocol: bool,
    request: &mut Request,
) -> Result<(), ParameterError> {
    let input_ref = operation.input.as_ref();
    if let Some(payload) = &shape.payload {
        let member = shape.member(payload).ok_or_else(|| {
            ParameterError(format!("the API model has no payload member '{payload}'"))
        })?;
        let member_shape = model
            .shape(&member.shape)
            .map_err(|error| ParameterError(error.to_string()))?;
        let Some(value) = body_members.remove(payload) else {
            return Ok(());
        };
        match member_shape.kind {
            ShapeKind::Blob | ShapeKind::String => {
                // A text body is moved, not copied: it may be a Map Run's result file.
                request.body = match value {
                    Value::String(text) => text.into_bytes(),
                    other => scalar::scalar_text(&other).into_bytes(),
                };
                // The SDK for Java sends a string body as UTF-8 text (recorded `s3:putObject`
                // cases: the object's Content-Type is `text/plain; charset=UTF-8`).
                let content_type = if member_shape.streaming || member.streaming {
                    "text/plain; charset=UTF-8"
                } else {
                    "application/octet-stream"
                };
                set_default_header(request, "content-type", content_type);
            }
            _ if xml_protocol => {
                let mut out = String::new();
                let name = member.wire_name(payload);
                xml::write_element(
                    &mut out,
                    model,
                    &member.shape,
                    &value,
                    name,
                    member.xml_namespace.as_ref(),
                )?;
                request.body = out.into_bytes();
                set_default_header(request, "content-type", "application/xml");
            }
            _ => {
                let document = json::to_wire(model, &member.shape, &value, payload)?;
                request.body = serde_json::to_vec(&document).unwrap_or_default();
                set_default_header(request, "content-type", "application/json");
            }
        }
        return Ok(());
    }
    let has_body_members = shape
        .members
        .iter()
        .any(|(_, member)| member.location.is_none());
    if !has_body_members {
        return Ok(());
    }
    if xml_protocol {
        if body_members.is_empty() {
            return Ok(());
        }
        let root = input_ref
            .and_then(|input| input.location_name.clone())
            .unwrap_or_else(|| {
                input_ref
                    .map(|input| input.shape.clone())
                    .unwrap_or_default()
            });
        let mut out = String::new();
        let namespace = input_ref.and_then(|input| input.xml_namespace.as_ref());
        let shape_name = input_ref
            .map(|input| input.shape.as_str())
            .unwrap_or_default();
        xml::write_element(
            &mut out,
            model,
            shape_name,
            &Value::Object(body_members.clone()),
            &root,
            namespace,
        )?;
        request.body = out.into_bytes();
        set_default_header(request, "content-type", "application/xml");
    } else {
        let shape_name = input_ref
            .map(|input| input.shape.as_str())
            .unwrap_or_default();
        let document = json::to_wire(model, shape_name, &Value::Object(body_members.clone()), "")?;
        request.body = serde_json::to_vec(&document).unwrap_or_default();
        set_default_header(request, "content-type", "application/json");
    }
    Ok(())
}

fn set_default_header(request: &mut Request, name: &str, value: &str) {
    if !request.headers.iter().any(|(header, _)| header == name) {
        request.headers.push((name.to_string(), value.to_string()));
    }
}

fn parse_static_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((key, value)) => (key.to_string(), value.to_string()),
            None => (part.to_string(), String::new()),
        })
        .collect()
}

/// Substitutes `{Label}` and `{Label+}`; with virtual-host buckets, `/{Bucket}` leaves the path
/// for the host.
fn fill_path(
    template: &str,
    labels: &Map<String, Value>,
    options: Options,
    host_prefix: &mut String,
) -> Result<String, ParameterError> {
    let mut template = template.to_string();
    if options.virtual_host_buckets && template.starts_with("/{Bucket}") {
        if let Some(bucket) = labels.get("Bucket").and_then(Value::as_str) {
            if virtual_hostable(bucket) {
                host_prefix.push_str(&format!("{bucket}."));
                template = template["/{Bucket}".len()..].to_string();
                if !template.starts_with('/') {
                    template.insert(0, '/');
                }
            }
        }
    }
    let mut out = String::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open
            + rest[open..]
                .find('}')
                .ok_or_else(|| ParameterError(format!("bad request URI '{template}'")))?;
        let label = &rest[open + 1..close];
        let (name, greedy) = match label.strip_suffix('+') {
            Some(name) => (name, true),
            None => (label, false),
        };
        let value = labels
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| ParameterError(format!("The field '{name}' is required")))?;
        if value.is_empty() {
            return Err(ParameterError(format!(
                "The field '{name}' must not be empty"
            )));
        }
        // A `.` or `..` path segment would be removed by URL parsing (encoded too: the URL
        // standard reads `%2E` as a dot), turning the request into another one — `Key: ".."`
        // would list the bucket. Refused rather than sent somewhere else.
        let segments: Vec<&str> = if greedy {
            value.split('/').collect()
        } else {
            vec![value]
        };
        if segments
            .iter()
            .any(|segment| matches!(*segment, "." | ".."))
        {
            return Err(ParameterError(format!(
                "The field '{name}' cannot be sent with '.' or '..' as a path segment"
            )));
        }
        let set = if greedy { GREEDY_LABEL } else { LABEL };
        out.push_str(&utf8_percent_encode(value, set).to_string());
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A bucket name usable as a DNS label (S3's rules for virtual-hosted-style requests).
fn virtual_hostable(bucket: &str) -> bool {
    (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-')
}

fn bind_query(
    query: &mut Vec<(String, String)>,
    member: &Member,
    shape: &Shape,
    name: &str,
    value: &Value,
) -> Result<(), ParameterError> {
    let key = member.wire_name(name);
    match (shape.kind, value) {
        (ShapeKind::List, Value::Array(items)) => {
            for item in items {
                query.push((key.to_string(), scalar::scalar_text(item)));
            }
        }
        (ShapeKind::Map, Value::Object(entries)) => {
            for (entry, item) in entries {
                match item {
                    Value::Array(items) => items
                        .iter()
                        .for_each(|item| query.push((entry.clone(), scalar::scalar_text(item)))),
                    item => query.push((entry.clone(), scalar::scalar_text(item))),
                }
            }
        }
        (ShapeKind::Timestamp, _) => {
            let time = scalar::parse_input_time(value, name)?;
            let format =
                TimeFormat::from_trait(shape.timestamp_format.as_deref(), TimeFormat::Iso8601);
            query.push((key.to_string(), scalar::wire_time_text(time, format)));
        }
        (kind, value) => query.push((
            key.to_string(),
            xml::scalar_to_text(shape, kind, value, name)?,
        )),
    }
    Ok(())
}

fn header_text(
    model: &ServiceModel,
    member: &Member,
    shape: &Shape,
    name: &str,
    value: &Value,
) -> Result<Option<String>, ParameterError> {
    if member.jsonvalue {
        let text = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        return Ok(Some(scalar::base64_encode(text.as_bytes())));
    }
    Ok(Some(match (shape.kind, value) {
        (ShapeKind::List, Value::Array(items)) => {
            let element = shape
                .member
                .as_deref()
                .map(|m| m.shape.as_str())
                .unwrap_or_default();
            let element = model
                .shape(element)
                .map_err(|error| ParameterError(error.to_string()))?;
            items
                .iter()
                .map(|item| xml::scalar_to_text(element, element.kind, item, name))
                .collect::<Result<Vec<_>, _>>()?
                .join(",")
        }
        (ShapeKind::Timestamp, _) => {
            let time = scalar::parse_input_time(value, name)?;
            let format =
                TimeFormat::from_trait(shape.timestamp_format.as_deref(), TimeFormat::HttpDate);
            scalar::wire_time_text(time, format)
        }
        (kind, value) => xml::scalar_to_text(shape, kind, value, name)?,
    }))
}

pub(super) fn parse_response(
    model: &ServiceModel,
    operation: &Operation,
    response: &Response,
) -> Result<Value, Box<ServiceError>> {
    let Some(output_ref) = &operation.output else {
        return Ok(Value::Object(Map::new()));
    };
    let Ok(shape) = model.shape(&output_ref.shape) else {
        return Ok(Value::Object(Map::new()));
    };
    let xml_protocol = model.protocol() == "rest-xml";
    if xml_protocol {
        // S3 answers some operations (CopyObject, CompleteMultipartUpload) with 200 and an error.
        if let Some(document) = xml::parse(&response.body) {
            if document.root_element().tag_name().name() == "Error" {
                return Err(Box::new(parse_xml_error(response)));
            }
        }
    }
    let mut out = Map::new();
    for (name, member) in &shape.members {
        let Ok(member_shape) = model.shape(&member.shape) else {
            continue;
        };
        let value = match member.location.as_deref() {
            Some("header") => response
                .header(member.wire_name(name))
                .map(|text| header_value(model, member, member_shape, text)),
            Some("headers") => {
                let prefix = member.wire_name(name).to_ascii_lowercase();
                let entries: Map<String, Value> = response
                    .headers
                    .iter()
                    .filter_map(|(header, value)| {
                        let key = header
                            .to_ascii_lowercase()
                            .strip_prefix(&prefix)?
                            .to_string();
                        Some((key, Value::String(value.clone())))
                    })
                    .collect();
                Some(Value::Object(entries))
            }
            Some("statusCode") => Some(Value::from(response.status)),
            _ => None,
        };
        if let Some(value) = value {
            out.insert(naming::output_key(name), value);
        }
    }
    if let Some(payload) = &shape.payload {
        if let Some(value) = payload_value(model, shape, payload, response, xml_protocol) {
            out.insert(naming::output_key(payload), value);
        }
        return Ok(Value::Object(out));
    }
    let body = if xml_protocol {
        match xml::parse(&response.body) {
            Some(document) => xml::read_structure(model, shape, document.root_element(), 0),
            None => Value::Object(Map::new()),
        }
    } else {
        json::from_wire(model, &output_ref.shape, &json::body_json(response), 0)
    };
    if let Value::Object(body) = body {
        out.extend(body);
    }
    Ok(Value::Object(out))
}

fn payload_value(
    model: &ServiceModel,
    shape: &Shape,
    payload: &str,
    response: &Response,
    xml_protocol: bool,
) -> Option<Value> {
    let member = shape.member(payload)?;
    let member_shape = model.shape(&member.shape).ok()?;
    match member_shape.kind {
        // Step Functions returns a body as text (recorded `s3:getObject` cases); bytes that are
        // not UTF-8 are given in base64.
        ShapeKind::Blob | ShapeKind::String => Some(match std::str::from_utf8(&response.body) {
            Ok(text) => Value::String(text.to_string()),
            Err(_) => Value::String(scalar::base64_encode(&response.body)),
        }),
        _ if response.body.is_empty() => None,
        _ if xml_protocol => {
            let document = xml::parse(&response.body)?;
            Some(xml::read(model, &member.shape, document.root_element(), 0))
        }
        _ => Some(json::from_wire(
            model,
            &member.shape,
            &json::body_json(response),
            0,
        )),
    }
}

fn header_value(model: &ServiceModel, member: &Member, shape: &Shape, text: &str) -> Value {
    if member.jsonvalue {
        return base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_else(|| Value::String(text.to_string()));
    }
    match shape.kind {
        ShapeKind::List => {
            let element = shape
                .member
                .as_deref()
                .and_then(|m| model.shape(&m.shape).ok());
            Value::Array(
                text.split(',')
                    .map(|item| match element {
                        Some(element) => xml::read_scalar(element.kind, item.trim()),
                        None => Value::String(item.trim().to_string()),
                    })
                    .collect(),
            )
        }
        kind => xml::read_scalar(kind, text),
    }
}

/// botocore's and the SDKs' code for an error without a body (a `HEAD` request).
pub(super) fn status_code_name(status: u16) -> String {
    match status {
        301 => "PermanentRedirect",
        304 => "NotModified",
        400 => "BadRequest",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        412 => "PreconditionFailed",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        _ => return status.to_string(),
    }
    .to_string()
}

pub(super) fn parse_json_error(response: &Response) -> ServiceError {
    let document = json::body_json(response);
    let code = json::error_code(&Value::Null, response.header("x-amzn-errortype"))
        .or_else(|| json::error_code(&document, None));
    let bodiless = code.is_none();
    let code = code.unwrap_or_else(|| status_code_name(response.status));
    ServiceError {
        code,
        type_code: None,
        message: json::error_message(&document),
        status: response.status,
        request_id: response.request_id().unwrap_or_default().to_string(),
        extended_request_id: None,
        bodiless,
    }
}

pub(super) fn parse_xml_error(response: &Response) -> ServiceError {
    let document = xml::parse(&response.body);
    let root = document.as_ref().map(|document| document.root_element());
    let text = |name: &str| root.and_then(|root| xml::find_text(root, name));
    let code = text("Code");
    let bodiless = code.is_none();
    ServiceError {
        code: code.unwrap_or_else(|| status_code_name(response.status)),
        type_code: None,
        message: text("Message").unwrap_or_default(),
        status: response.status,
        request_id: response
            .request_id()
            .map(str::to_string)
            .or_else(|| text("RequestId"))
            .unwrap_or_default(),
        extended_request_id: response
            .header("x-amz-id-2")
            .map(str::to_string)
            .or_else(|| text("HostId")),
        bodiless,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(template: &str, labels: Value) -> Result<String, ParameterError> {
        let labels = labels.as_object().unwrap().clone();
        let options = Options {
            virtual_host_buckets: false,
        };
        fill_path(template, &labels, options, &mut String::new())
    }

    #[test]
    fn dot_segments_are_refused_not_sent_elsewhere() {
        assert_eq!(
            path(
                "/{Bucket}/{Key+}",
                json!({"Bucket": "b", "Key": "a b/c.txt"})
            )
            .unwrap(),
            "/b/a%20b/c.txt"
        );
        for key in ["..", ".", "a/../b", "a/./b", "../x"] {
            assert!(
                path("/{Bucket}/{Key+}", json!({"Bucket": "b", "Key": key})).is_err(),
                "{key}"
            );
        }
        assert!(path("/{Bucket}", json!({"Bucket": ".."})).is_err());
        assert!(path("/{Bucket}/{Key+}", json!({"Bucket": "b", "Key": "a..b/.c"})).is_ok());
    }
}
