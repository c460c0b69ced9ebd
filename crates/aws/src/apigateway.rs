//! `apigateway:invoke[.waitForTaskToken]` (developer guide, "Call API Gateway with Step
//! Functions"): an HTTP call to an API Gateway endpoint.
//! - `ApiEndpoint` must be `API_ID.execute-api.REGION.amazonaws.com` (the guide's format): a
//!   definition cannot reach any other host. With an endpoint configured for `apigateway` (or
//!   every service) in `[aws]`, the call goes to it in LocalStack's path form,
//!   `ENDPOINT/restapis/API_ID/STAGE/_user_request_/PATH`.
//! - `Method` is one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS; `Headers` and
//!   `QueryParameters` map names to lists of values; the headers the guide forbids
//!   (`Authorization`, `Host`, `X-Amz*`…) are refused; `RequestBody` is sent as JSON text (a
//!   string as it is).
//! - `AuthType` `NO_AUTH` (default) sends the request unsigned; `IAM_ROLE` and
//!   `RESOURCE_POLICY` sign it (SigV4, `execute-api`).
//! - The result is `{ResponseBody, Headers, StatusCode, StatusText}`, the body parsed when it is
//!   JSON; a status other than 2XX fails with `ApiGateway.<status>` and the body as cause, and a
//!   call that gets no answer with `ApiGateway.<exception>`.

use crate::client::{Inner, QUERY};
use crate::credentials::{SigningFailure, ToSign};
use crate::failure::ServiceFailure;
use crate::http::{Outgoing, TransportError};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{Map, Value};

/// The fields an `apigateway:invoke` Task may give.
pub(crate) const PARAMETERS: &[&str] = &[
    "ApiEndpoint",
    "Method",
    "Headers",
    "Stage",
    "Path",
    "QueryParameters",
    "RequestBody",
    "AllowNullValues",
    "AuthType",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Headers the guide does not permit, besides every `X-Forwarded*`, `X-Amz*` and `X-Amzn*`.
const FORBIDDEN_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "content-md5",
    "expect",
    "host",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "te",
    "transfer-encoding",
    "trailer",
    "upgrade",
    "via",
    "www-authenticate",
];

/// Characters of `Stage` and `Path` that are encoded (the path's `/` stays).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%');

fn refused(cause: impl Into<String>) -> ServiceFailure {
    ServiceFailure::runtime(cause.into())
}

/// Calls the API with the Task's (already checked) parameters.
pub(crate) async fn invoke(
    inner: &Inner,
    parameters: Map<String, Value>,
) -> Result<Value, ServiceFailure> {
    let request = Request::of(&parameters)?;
    let url = request.url(inner.config.configured_endpoint("apigateway"));
    let mut headers = request.headers.clone();
    if request.signed {
        let signature = inner
            .signer
            .sign(ToSign {
                method: request.method,
                url: &url,
                headers: &headers,
                body: &request.body,
                signing_name: "execute-api",
                region: request.region,
            })
            .await
            .map_err(|error| match error {
                SigningFailure::NoCredentials(reason) => ServiceFailure::new(
                    "ApiGateway.SdkClientException",
                    format!(
                        "Unable to load AWS credentials from any provider in the chain: {reason}"
                    ),
                ),
                SigningFailure::Signing(reason) => refused(reason),
            })?;
        headers.extend(signature);
    }
    let response = inner
        .http
        .send(Outgoing {
            method: request.method,
            url: &url,
            headers: &headers,
            body: request.body,
        })
        .await
        .map_err(|error| match error {
            TransportError::Unreachable(cause) => {
                ServiceFailure::new("ApiGateway.SdkClientException", cause)
            }
            TransportError::TooLarge(_) => ServiceFailure::new(
                "States.DataLimitExceeded",
                "The state/task 'apigateway' returned a result with a size exceeding the maximum number of bytes service limit.".to_string(),
            ),
        })?;
    let text = String::from_utf8_lossy(&response.body).into_owned();
    if !(200..300).contains(&response.status) {
        return Err(ServiceFailure::new(
            format!("ApiGateway.{}", response.status),
            text,
        ));
    }
    let mut listed: Map<String, Value> = Map::new();
    for (name, value) in &response.headers {
        if let Value::Array(values) = listed
            .entry(name.clone())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            values.push(Value::String(value.clone()));
        }
    }
    let body = crate::optimized::body_value(text, response.header("content-type"));
    let status_text = reqwest::StatusCode::from_u16(response.status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or_default();
    let mut result = Map::new();
    result.insert("ResponseBody".into(), body);
    result.insert("Headers".into(), Value::Object(listed));
    result.insert("StatusCode".into(), Value::from(response.status));
    result.insert("StatusText".into(), Value::String(status_text.to_string()));
    Ok(Value::Object(result))
}

/// The call the parameters describe.
struct Request<'p> {
    api_id: &'p str,
    region: &'p str,
    endpoint: &'p str,
    method: &'p str,
    stage: &'p str,
    path: &'p str,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    signed: bool,
}

impl<'p> Request<'p> {
    fn of(parameters: &'p Map<String, Value>) -> Result<Request<'p>, ServiceFailure> {
        let text = |name: &str| parameters.get(name).and_then(Value::as_str);
        let endpoint =
            text("ApiEndpoint").ok_or_else(|| refused("apigateway:invoke needs ApiEndpoint"))?;
        let (api_id, region) = api_endpoint(endpoint).ok_or_else(|| {
            refused(format!(
                "ApiEndpoint '{endpoint}' is not an API Gateway endpoint (API_ID.execute-api.REGION.amazonaws.com)"
            ))
        })?;
        let method = text("Method").unwrap_or_default();
        if !METHODS.contains(&method) {
            return Err(refused(format!(
                "Method '{method}' is not one of {}",
                METHODS.join(", ")
            )));
        }
        for (field, value) in [("Stage", text("Stage")), ("Path", text("Path"))] {
            // `.` and `..` would climb out of the stage on a configured endpoint.
            if value.is_some_and(|value| value.split('/').any(|s| s == "." || s == "..")) {
                return Err(refused(format!(
                    "{field} must not have '.' or '..' segments"
                )));
            }
        }
        let signed = match text("AuthType").unwrap_or("NO_AUTH") {
            "NO_AUTH" => false,
            "IAM_ROLE" | "RESOURCE_POLICY" => true,
            other => {
                return Err(refused(format!(
                    "AuthType '{other}' is not one of NO_AUTH, IAM_ROLE, RESOURCE_POLICY"
                )))
            }
        };
        let mut headers = lists(parameters.get("Headers"), "Headers")?;
        if let Some((name, _)) = headers.iter().find(|(name, _)| forbidden(name)) {
            return Err(refused(format!(
                "The header '{name}' is not permitted in apigateway:invoke"
            )));
        }
        let body = match parameters.get("RequestBody") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(text)) => text.as_bytes().to_vec(),
            Some(other) => {
                if !headers
                    .iter()
                    .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
                {
                    headers.push(("content-type".into(), "application/json".into()));
                }
                other.to_string().into_bytes()
            }
        };
        Ok(Request {
            api_id,
            region,
            endpoint,
            method,
            stage: text("Stage").unwrap_or_default(),
            path: text("Path").unwrap_or_default(),
            query: lists(parameters.get("QueryParameters"), "QueryParameters")?,
            headers,
            body,
            signed,
        })
    }

    /// `https://ENDPOINT/STAGE/PATH?QUERY`, or at the configured endpoint in LocalStack's form.
    fn url(&self, configured: Option<&str>) -> String {
        let mut path = String::new();
        for segment in [self.stage, self.path] {
            let segment = segment.trim_matches('/');
            if !segment.is_empty() {
                path.push('/');
                path.push_str(&utf8_percent_encode(segment, PATH).to_string());
            }
        }
        let base = match configured {
            Some(base) => {
                let path = path.strip_prefix('/').unwrap_or(&path);
                let (stage, rest) = path.split_once('/').unwrap_or((path, ""));
                let base = base.trim_end_matches('/');
                let api = self.api_id;
                return self.with_query(format!(
                    "{base}/restapis/{api}/{stage}/_user_request_/{rest}"
                ));
            }
            None => format!("https://{}{path}", self.endpoint),
        };
        self.with_query(base)
    }

    fn with_query(&self, url: String) -> String {
        if self.query.is_empty() {
            return url;
        }
        let query: Vec<String> = self
            .query
            .iter()
            .map(|(key, value)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(key, QUERY),
                    utf8_percent_encode(value, QUERY)
                )
            })
            .collect();
        format!("{url}?{}", query.join("&"))
    }
}

/// `API_ID.execute-api.REGION.amazonaws.com` as its API id and region.
fn api_endpoint(endpoint: &str) -> Option<(&str, &str)> {
    let rest = endpoint.strip_suffix(".amazonaws.com")?;
    let (api_id, region) = rest.split_once(".execute-api.")?;
    let id_ok = !api_id.is_empty()
        && api_id
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte.is_ascii_lowercase());
    let region_ok = crate::resource::valid_region(region);
    (id_ok && region_ok).then_some((api_id, region))
}

fn forbidden(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    FORBIDDEN_HEADERS.contains(&lower.as_str())
        || ["x-forwarded", "x-amz"]
            .iter()
            .any(|prefix| lower.starts_with(prefix))
}

/// `{"name": ["v1", "v2"]}` (a single string is one value) as name/value pairs.
fn lists(value: Option<&Value>, field: &str) -> Result<Vec<(String, String)>, ServiceFailure> {
    let object = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(refused(format!("{field} must be an object of lists"))),
    };
    let mut pairs = Vec::new();
    for (name, values) in object {
        match values {
            Value::Array(values) => {
                for value in values {
                    match value {
                        Value::String(text) => pairs.push((name.clone(), text.clone())),
                        Value::Null => {}
                        other => pairs.push((name.clone(), other.to_string())),
                    }
                }
            }
            Value::String(text) => pairs.push((name.clone(), text.clone())),
            other => pairs.push((name.clone(), other.to_string())),
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(parameters: Value) -> Result<String, String> {
        let Value::Object(parameters) = parameters else {
            unreachable!()
        };
        Request::of(&parameters)
            .map(|request| request.url(None))
            .map_err(|failure| failure.cause)
    }

    #[test]
    fn the_url_is_built_from_endpoint_stage_path_and_query() {
        let url = request(
            json!({"ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com",
            "Method": "GET", "Stage": "prod", "Path": "bills/a b",
            "QueryParameters": {"billId": ["12", "3&4"]}}),
        );
        assert_eq!(
            url.unwrap(),
            "https://abc123.execute-api.us-east-1.amazonaws.com/prod/bills/a%20b?billId=12&billId=3%264"
        );
    }

    #[test]
    fn other_hosts_methods_and_forbidden_headers_are_refused() {
        for (parameters, expected) in [
            (
                json!({"ApiEndpoint": "evil.example.com", "Method": "GET"}),
                "not an API Gateway endpoint",
            ),
            (
                json!({"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com.evil.com", "Method": "GET"}),
                "not an API Gateway endpoint",
            ),
            (
                json!({"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "TRACE"}),
                "Method 'TRACE'",
            ),
            (
                json!({"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "GET",
                    "Headers": {"X-Amz-Date": ["x"]}}),
                "'X-Amz-Date' is not permitted",
            ),
            (
                json!({"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "GET",
                    "Headers": {"Host": ["other"]}}),
                "'Host' is not permitted",
            ),
            (
                json!({"ApiEndpoint": "a.execute-api.us-east-1.amazonaws.com", "Method": "GET",
                    "AuthType": "IAM_AUTH"}),
                "AuthType 'IAM_AUTH'",
            ),
        ] {
            let error = request(parameters.clone()).unwrap_err();
            assert!(error.contains(expected), "{parameters}: {error}");
        }
    }
}
