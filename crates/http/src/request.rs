//! The HTTP Task's parameters (the effective input of `arn:aws:states:::http:invoke`) made
//! into a request, merged with the connection's invocation parameters as the Step Functions
//! developer guide describes ("Call HTTPS APIs in Step Functions workflows": HTTP Task fields,
//! "Merging EventBridge connection and HTTP Task definition data").

use crate::config::Connection;
use crate::encode::{self, ArrayFormat};
use crate::HttpFailure;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde_json::{Map, Value};

/// The methods the guide lists for `Method`.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// Headers a definition may not set: the task fails with `States.Runtime` (the guide's list).
const RESTRICTED: [&str; 32] = [
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];

/// Prefixes of restricted headers.
const RESTRICTED_PREFIXES: [&str; 3] = ["x-forwarded-", "x-amz-", "x-amzn-"];

/// What a prepared request holds: everything but the connection's authorization.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: Method,
    pub url: Url,
    /// Lower-case names; the connection's headers have replaced the task's of the same name.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<Vec<u8>>,
}

/// The connection ARN of the parameters (`InvocationConfig` or `Authentication`).
pub(crate) fn connection_arn(parameters: &Value) -> Result<&str, HttpFailure> {
    ["InvocationConfig", "Authentication"]
        .iter()
        .find_map(|field| parameters.get(field)?.get("ConnectionArn")?.as_str())
        .ok_or_else(|| {
            HttpFailure::runtime(
                "The HTTP Task needs a connection: Authentication.ConnectionArn or InvocationConfig.ConnectionArn",
            )
        })
}

/// Builds the request from the parameters and the connection's invocation parameters.
pub(crate) fn build(parameters: &Value, connection: &Connection) -> Result<Request, HttpFailure> {
    let Some(parameters) = parameters.as_object() else {
        return Err(HttpFailure::runtime(
            "The HTTP Task's parameters must be an object",
        ));
    };
    let method = method(parameters)?;
    let mut url = endpoint(parameters)?;
    query(&mut url, parameters.get("QueryParameters"), connection)?;
    let mut headers = task_headers(parameters.get("Headers"))?;
    for (name, value) in &connection.headers {
        set_header(&mut headers, name, value)?;
    }
    let body = body(parameters, connection, &mut headers)?;
    Ok(Request {
        method,
        url,
        headers,
        body,
    })
}

fn method(parameters: &Map<String, Value>) -> Result<Method, HttpFailure> {
    let text = parameters
        .get("Method")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !METHODS.contains(&text) {
        return Err(HttpFailure::runtime(format!(
            "The HTTP Task's Method must be one of {}, not '{text}'",
            METHODS.join(", ")
        )));
    }
    Method::from_bytes(text.as_bytes()).map_err(|_| HttpFailure::runtime("Invalid Method"))
}

fn endpoint(parameters: &Map<String, Value>) -> Result<Url, HttpFailure> {
    let text = parameters
        .get("ApiEndpoint")
        .and_then(Value::as_str)
        .ok_or_else(|| HttpFailure::runtime("The HTTP Task needs an ApiEndpoint (a URL)"))?;
    match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        _ => Err(HttpFailure::runtime(format!(
            "The HTTP Task's ApiEndpoint '{text}' is not an http(s) URL"
        ))),
    }
}

/// Appends the task's query parameters (an object, whose arrays repeat their key, or a query
/// string), then the connection's, which replace the task's of the same name.
fn query(url: &mut Url, given: Option<&Value>, connection: &Connection) -> Result<(), HttpFailure> {
    let mut pairs: Vec<String> = Vec::new();
    match given {
        None | Some(Value::Null) => {}
        Some(Value::Object(object)) => {
            let kept: Map<String, Value> = object
                .iter()
                .filter(|(key, _)| !connection.query.contains_key(key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            let text = encode::form(&kept, ArrayFormat::Repeat);
            pairs.extend(
                text.split('&')
                    .filter(|pair| !pair.is_empty())
                    .map(str::to_string),
            );
        }
        Some(Value::String(text)) => {
            pairs.extend(
                text.trim_start_matches('?')
                    .split('&')
                    .filter(|pair| !pair.is_empty())
                    .filter(|pair| {
                        let key = pair.split('=').next().unwrap_or_default();
                        !connection
                            .query
                            .keys()
                            .any(|own| encode::encode(own) == key)
                    })
                    .map(str::to_string),
            );
        }
        Some(_) => {
            return Err(HttpFailure::runtime(
                "The HTTP Task's QueryParameters must be an object or a query string",
            ))
        }
    }
    for (key, value) in &connection.query {
        pairs.push(format!("{}={}", encode::encode(key), encode::encode(value)));
    }
    if pairs.is_empty() {
        return Ok(());
    }
    let joined = pairs.join("&");
    let query = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{existing}&{joined}"),
        _ => joined,
    };
    url.set_query(Some(&query));
    Ok(())
}

fn is_restricted(name: &str) -> bool {
    RESTRICTED.contains(&name)
        || RESTRICTED_PREFIXES
            .iter()
            .any(|prefix| name.starts_with(prefix))
}

/// The task's `Headers` (an object; an array value sends the header once per item).
fn task_headers(given: Option<&Value>) -> Result<Vec<(HeaderName, HeaderValue)>, HttpFailure> {
    let mut headers = Vec::new();
    let object = match given {
        None | Some(Value::Null) => return Ok(headers),
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(HttpFailure::runtime(
                "The HTTP Task's Headers must be an object",
            ))
        }
    };
    for (name, value) in object {
        let lower = name.to_ascii_lowercase();
        if is_restricted(&lower) {
            return Err(HttpFailure::runtime(format!(
                "The header '{name}' cannot be used in an HTTP Task"
            )));
        }
        // The client computes the length of what it sends.
        if lower == "content-length" {
            continue;
        }
        let values = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for value in values {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Object(_) | Value::Array(_) => {
                    return Err(HttpFailure::runtime(format!(
                        "The value of the header '{name}' must be a string"
                    )))
                }
                other => other.to_string(),
            };
            headers.push(header(name, &text)?);
        }
    }
    Ok(headers)
}

fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), HttpFailure> {
    let invalid = || HttpFailure::runtime(format!("The header '{name}' is not a valid header"));
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
    let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
    Ok((name, value))
}

/// Replaces every header of that name (the connection's win over the task's).
pub(crate) fn set_header(
    headers: &mut Vec<(HeaderName, HeaderValue)>,
    name: &str,
    value: &str,
) -> Result<(), HttpFailure> {
    let (name, value) = header(name, value)?;
    headers.retain(|(existing, _)| *existing != name);
    headers.push((name, value));
    Ok(())
}

fn has_header(headers: &[(HeaderName, HeaderValue)], name: &str) -> bool {
    headers
        .iter()
        .any(|(existing, _)| existing.as_str() == name)
}

/// The body: `RequestBody` merged with the connection's body parameters, then serialized as
/// JSON, or URL-encoded when `Transform.RequestBodyEncoding` is `URL_ENCODED`.
fn body(
    parameters: &Map<String, Value>,
    connection: &Connection,
    headers: &mut Vec<(HeaderName, HeaderValue)>,
) -> Result<Option<Vec<u8>>, HttpFailure> {
    let (url_encoded, format) = transform(parameters.get("Transform"))?;
    let mut body = parameters.get("RequestBody").cloned();
    if !connection.body.is_empty() {
        let mut object = match body {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(object)) => object,
            Some(_) => {
                return Err(HttpFailure::runtime(
                    "The RequestBody is not an object, so the connection's body parameters cannot be merged into it",
                ))
            }
        };
        for (key, value) in &connection.body {
            object.insert(key.clone(), Value::String(value.clone()));
        }
        body = Some(Value::Object(object));
    }
    let Some(body) = body else { return Ok(None) };
    let (bytes, content_type) = match (&body, url_encoded) {
        (Value::String(text), true) => (
            text.clone().into_bytes(),
            "application/x-www-form-urlencoded",
        ),
        (Value::Object(object), true) => (
            encode::form(object, format).into_bytes(),
            "application/x-www-form-urlencoded",
        ),
        (_, true) => {
            return Err(HttpFailure::runtime(
                "A URL_ENCODED RequestBody must be an object",
            ))
        }
        // A string is sent as it is (a document the API reads, such as XML).
        (Value::String(text), false) => {
            (text.clone().into_bytes(), "application/json; charset=UTF-8")
        }
        (other, false) => (
            other.to_string().into_bytes(),
            "application/json; charset=UTF-8",
        ),
    };
    if !has_header(headers, "content-type") {
        headers.push(header("content-type", content_type)?);
    }
    Ok(Some(bytes))
}

fn transform(given: Option<&Value>) -> Result<(bool, ArrayFormat), HttpFailure> {
    let Some(transform) = given.filter(|value| !value.is_null()) else {
        return Ok((false, ArrayFormat::default()));
    };
    let encoding = transform.get("RequestBodyEncoding").and_then(Value::as_str);
    let url_encoded = match encoding {
        None | Some("NONE") => false,
        Some("URL_ENCODED") => true,
        Some(other) => {
            return Err(HttpFailure::runtime(format!(
                "RequestBodyEncoding must be NONE or URL_ENCODED, not '{other}'"
            )))
        }
    };
    let format = match transform
        .get("RequestEncodingOptions")
        .and_then(|options| options.get("ArrayFormat"))
        .and_then(Value::as_str)
    {
        None => ArrayFormat::default(),
        Some(text) => ArrayFormat::parse(text).ok_or_else(|| {
            HttpFailure::runtime(format!(
                "ArrayFormat must be INDICES, REPEAT, COMMAS or BRACKETS, not '{text}'"
            ))
        })?,
    };
    Ok((url_encoded, format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn connection(extra: &str) -> Connection {
        let text = format!("basic = {{ username = \"u\", password = \"p\" }}\n{extra}");
        toml::from_str(&text).unwrap()
    }

    fn header_of<'r>(request: &'r Request, name: &str) -> Vec<&'r str> {
        request
            .headers
            .iter()
            .filter(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v.to_str().unwrap())
            .collect()
    }

    #[test]
    fn merges_as_the_guides_example_does() {
        let parameters = json!({
            "ApiEndpoint": "https://example.com/path", "Method": "POST",
            "Authentication": {"ConnectionArn": "arn"},
            "Headers": {"Request-Id": "my_request_id", "Header-Param": "state_machine_header_param"},
            "RequestBody": {"Job": "Software Engineer", "Company": "AnyCompany", "BodyParam": "state_machine_body_param"},
            "QueryParameters": {"QueryParam": "state_machine_query_param"}
        });
        let connection = connection(
            "headers = { \"Header-Param\" = \"connection_header_param\" }\nquery = { QueryParam = \"connection_query_param\" }\nbody = { BodyParam = \"connection_body_param\" }",
        );
        let request = build(&parameters, &connection).unwrap();
        assert_eq!(
            request.url.as_str(),
            "https://example.com/path?QueryParam=connection_query_param"
        );
        assert_eq!(
            header_of(&request, "header-param"),
            ["connection_header_param"]
        );
        assert_eq!(header_of(&request, "request-id"), ["my_request_id"]);
        assert_eq!(
            header_of(&request, "content-type"),
            ["application/json; charset=UTF-8"]
        );
        assert_eq!(
            String::from_utf8(request.body.unwrap()).unwrap(),
            r#"{"Job":"Software Engineer","Company":"AnyCompany","BodyParam":"connection_body_param"}"#
        );
    }

    #[test]
    fn restricted_headers_and_bad_fields_fail_with_states_runtime() {
        for name in [
            "Authorization",
            "Host",
            "X-Amz-Date",
            "x-forwarded-for",
            "Cache-Control",
        ] {
            let parameters =
                json!({"ApiEndpoint": "https://e.com", "Method": "GET", "Headers": {name: "x"}});
            let failure = build(&parameters, &connection("")).unwrap_err();
            assert_eq!(failure.error, "States.Runtime", "{name}");
        }
        let bad = [
            json!({"ApiEndpoint": "https://e.com", "Method": "TRACE"}),
            json!({"ApiEndpoint": "file:///etc/passwd", "Method": "GET"}),
            json!({"Method": "GET"}),
            json!({"ApiEndpoint": "https://e.com", "Method": "GET", "Transform": {"RequestBodyEncoding": "XML"}}),
        ];
        for parameters in bad {
            assert_eq!(
                build(&parameters, &connection("")).unwrap_err().error,
                "States.Runtime"
            );
        }
    }

    #[test]
    fn a_string_body_cannot_take_connection_body_parameters() {
        let parameters =
            json!({"ApiEndpoint": "https://e.com", "Method": "POST", "RequestBody": "text"});
        let failure = build(&parameters, &connection("body = { a = \"b\" }")).unwrap_err();
        assert_eq!(failure.error, "States.Runtime");
        let request = build(&parameters, &connection("")).unwrap();
        assert_eq!(request.body.unwrap(), b"text");
    }

    #[test]
    fn url_encoded_bodies_and_query_arrays() {
        let parameters = json!({
            "ApiEndpoint": "https://e.com/x?keep=1", "Method": "POST",
            "QueryParameters": {"tag": ["a b", "c"], "n": 2},
            "RequestBody": {"ids": [1, 2]},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}
        });
        let request = build(&parameters, &connection("")).unwrap();
        assert_eq!(
            request.url.as_str(),
            "https://e.com/x?keep=1&tag=a%20b&tag=c&n=2"
        );
        assert_eq!(request.body.as_deref().unwrap(), b"ids%5B%5D=1&ids%5B%5D=2");
        assert_eq!(
            header_of(&request, "content-type"),
            ["application/x-www-form-urlencoded"]
        );
    }

    #[test]
    fn the_connection_arn_comes_from_either_field() {
        let a = json!({"Authentication": {"ConnectionArn": "a"}});
        let b = json!({"InvocationConfig": {"ConnectionArn": "b"}});
        assert_eq!(connection_arn(&a).unwrap(), "a");
        assert_eq!(connection_arn(&b).unwrap(), "b");
        assert!(connection_arn(&json!({})).is_err());
    }
}
