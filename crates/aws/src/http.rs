//! Sending a signed request: one pooled client, a timeout for the whole call, a bound on the
//! body read, and no retries (reqwest makes none; Step Functions' `Retry` decides).

use crate::credentials::error_chain;
use crate::protocol::Response;
use std::time::Duration;

/// Why no response arrived; the text follows the SDK for Java's `SdkClientException` cause
/// ("Unable to execute HTTP request: ...", recorded case
/// `task_service_sqs__test_send_message_no_such_queue`).
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum TransportError {
    #[error("Unable to execute HTTP request: {0}")]
    Unreachable(String),
    #[error("the response body is larger than {0} bytes")]
    TooLarge(u64),
}

/// The HTTP client of all integrations.
#[derive(Clone, Debug)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    max_response_bytes: u64,
}

/// A request ready to send.
pub(crate) struct Outgoing<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Vec<u8>,
}

impl HttpClient {
    pub fn new(timeout: Duration, max_response_bytes: u64) -> Result<HttpClient, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| error_chain(&error))?;
        Ok(HttpClient {
            client,
            max_response_bytes,
        })
    }

    pub async fn send(&self, request: Outgoing<'_>) -> Result<Response, TransportError> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|error| TransportError::Unreachable(error.to_string()))?;
        let mut builder = self.client.request(method, request.url);
        for (name, value) in request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder
            .body(request.body)
            .send()
            .await
            .map_err(|error| TransportError::Unreachable(cause(&error, request.url)))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        if response
            .content_length()
            .is_some_and(|length| length > self.max_response_bytes)
        {
            return Err(TransportError::TooLarge(self.max_response_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| TransportError::Unreachable(cause(&error, request.url)))?
        {
            if (body.len() + chunk.len()) as u64 > self.max_response_bytes {
                return Err(TransportError::TooLarge(self.max_response_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// The host and the innermost reason of a transport error (`sqs.example: Name or service not
/// known`, `127.0.0.1:9: Connection refused`), as the SDK for Java words it; not the whole URL.
fn cause(error: &reqwest::Error, url: &str) -> String {
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
        .unwrap_or_default();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    let mut innermost = error.to_string();
    while let Some(inner) = source {
        innermost = inner.to_string();
        source = inner.source();
    }
    if error.is_timeout() {
        return format!("{host}: the request timed out ({innermost})");
    }
    let innermost = innermost
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&innermost)
        .to_string();
    format!("{host}: {innermost}")
}
