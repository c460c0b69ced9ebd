//! The AWS wire protocols the models use: AWS JSON 1.0/1.1 (`json`), REST-JSON, REST-XML,
//! Query and EC2 Query. Each turns bound parameters (see `params`) into an HTTP request, and an
//! HTTP response into the Task result (keys as `naming::output_key` makes them) or the
//! service's error code and message.
//!
//! Sources: the Smithy protocol specifications (awsJson1_0, awsJson1_1, restJson1, restXml,
//! awsQuery, ec2Query), as the botocore serializers and parsers implement them for the models
//! in `botocore/data`.

mod checksum;
mod json;
mod query;
mod rest;
mod scalar;
mod xml;

pub(crate) use query::body_request_id;

use crate::model::{Operation, ServiceModel};
use crate::params::ParameterError;
use serde_json::Value;

/// An HTTP request before the endpoint, the signature and the host are added.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub method: String,
    /// The path, percent-encoded, starting with `/`.
    pub path: String,
    /// Query parameters, not yet encoded.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Prepended to the endpoint's host: the operation's host prefix (`{AccountId}.`) or an S3
    /// bucket addressed virtual-host style (`bucket.`).
    pub host_prefix: String,
}

/// An HTTP response, header names in lower case, in the order received.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The request id AWS assigned: `x-amzn-RequestId`, or S3's `x-amz-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.header("x-amzn-requestid")
            .or_else(|| self.header("x-amz-request-id"))
    }
}

/// An error the service answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceError {
    /// The error code (`NoSuchBucket`, `ResourceNotFoundException`,
    /// `AWS.SimpleQueueService.NonExistentQueue`).
    pub code: String,
    /// The JSON protocol's `__type` when the code came from `x-amzn-query-error`: it names the
    /// model's exception shape (`QueueDoesNotExist`) where the Query code does not.
    pub type_code: Option<String>,
    pub message: String,
    pub status: u16,
    pub request_id: String,
    /// S3's `x-amz-id-2`.
    pub extended_request_id: Option<String>,
    /// The body named no error (a `HEAD`): the code is the HTTP status's name.
    pub bodiless: bool,
}

/// How requests address the service.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    /// S3: the bucket in the host name (`bucket.s3.region.amazonaws.com`) rather than the path.
    pub virtual_host_buckets: bool,
}

/// Serializes an operation's request.
pub(crate) fn build_request(
    model: &ServiceModel,
    operation: &Operation,
    input: &Value,
    options: Options,
) -> Result<Request, ParameterError> {
    let mut request = match model.protocol() {
        "json" => json::build_request(model, operation, input)?,
        "rest-json" | "rest-xml" => rest::build_request(model, operation, input, options)?,
        "query" | "ec2" => query::build_request(model, operation, input)?,
        other => {
            return Err(ParameterError(format!(
                "the service '{}' speaks only the {other} protocol, which Fluxo does not",
                model.metadata.service_id
            )))
        }
    };
    checksum::apply(operation, input, &mut request)?;
    if let Some(endpoint) = &operation.endpoint {
        request.host_prefix = expand_host_prefix(&endpoint.host_prefix, model, operation, input)?
            + &request.host_prefix;
    }
    Ok(request)
}

/// Reads a response: the Task's result, or the service's error.
pub(crate) fn parse_response(
    model: &ServiceModel,
    operation: &Operation,
    response: &Response,
) -> Result<Value, Box<ServiceError>> {
    let protocol = model.protocol();
    if !(200..300).contains(&response.status) {
        return Err(Box::new(match protocol {
            "json" => json::parse_error(model, response),
            "rest-json" => rest::parse_json_error(response),
            "rest-xml" => rest::parse_xml_error(response),
            _ => query::parse_error(response),
        }));
    }
    match protocol {
        "json" => Ok(json::parse_response(model, operation, response)),
        "rest-json" | "rest-xml" => rest::parse_response(model, operation, response),
        _ => Ok(query::parse_response(model, operation, response)),
    }
}

/// Fills `{Member}` labels of a host prefix from the input (members marked `hostLabel`).
fn expand_host_prefix(
    template: &str,
    model: &ServiceModel,
    operation: &Operation,
    input: &Value,
) -> Result<String, ParameterError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .map(|close| open + close)
            .ok_or_else(|| ParameterError(format!("bad host prefix '{template}'")))?;
        let label = &rest[open + 1..close];
        let value = input.get(label).and_then(Value::as_str).unwrap_or_default();
        let valid =
            !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            let input_shape = operation.input.as_ref().map(|input| input.shape.as_str());
            return Err(ParameterError(format!(
                "The field '{label}' of {} must be a host label (letters, digits and '-')",
                input_shape.unwrap_or(&model.metadata.service_id)
            )));
        }
        out.push_str(value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
