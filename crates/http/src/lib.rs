//! The HTTP Task, `arn:aws:states:::http:invoke` (Step Functions developer guide, "Call HTTPS
//! APIs in Step Functions workflows"), for the engine's `Environment::call_http` seam.
//!
//! [`HttpInvoker::invoke`] takes the task's effective parameters (`ApiEndpoint`, `Method`,
//! `Headers`, `QueryParameters`, `RequestBody`, `Transform`, `Authentication` or
//! `InvocationConfig` with the `ConnectionArn`) and answers the result AWS gives:
//! `{"Headers": {name: [values]}, "ResponseBody": parsed JSON or text, "StatusCode": n,
//! "StatusText": "..."}`. Failures carry AWS's error names: `States.Http.StatusCode.NNN` for a
//! non-2xx answer (the cause is that answer's result document as JSON text),
//! `States.Runtime` for restricted headers, malformed fields and unsupported answers,
//! `Events.ConnectionResource.ResourceNotFound` for a connection the operator did not
//! configure, `States.Http.Socket` for a call that got no answer (60 seconds at most),
//! `States.Permissions` for a host the allow-list (or the public-only rule) refuses.
//!
//! Connections (`config.rs`) come from the operator's `fluxo.toml`; their secrets are never
//! part of a result, an error or a log line.

mod allow;
mod client;
mod config;
mod encode;
mod oauth;
mod request;
mod response;

pub use allow::{is_public, HostPolicy, HostRule, Refusal};
pub use client::{CALL_TIMEOUT, MAX_REDIRECTS};
pub use config::{ApiKey, Basic, ConfigError, Connection, HttpConfig, OAuth};
pub use encode::ArrayFormat;

use base64::Engine as _;
use client::Sender;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Response, StatusCode, Url};
use serde_json::Value;

/// How an HTTP Task failed: the error name and the cause, as the Task state reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpFailure {
    pub error: String,
    pub cause: String,
}

impl HttpFailure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        HttpFailure {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// `States.Runtime`, which the guide names for restricted headers, unmergeable bodies and
    /// unsupported answers.
    pub fn runtime(cause: impl Into<String>) -> Self {
        HttpFailure::new("States.Runtime", cause)
    }
}

/// What a redirect to another origin must not carry: the credential's header and the
/// connection's own headers, and the body when the connection added to it.
struct Private {
    headers: Vec<HeaderName>,
    body: bool,
}

fn private(connection: &Connection, credential: Option<&HeaderName>) -> Private {
    let mut headers: Vec<HeaderName> = connection
        .headers
        .keys()
        // Parsed as `request::set_header` parsed them (`from_bytes` lowercases).
        .filter_map(|name| HeaderName::from_bytes(name.as_bytes()).ok())
        .collect();
    headers.extend(credential.cloned());
    Private {
        headers,
        body: !connection.body.is_empty(),
    }
}

/// Makes HTTP Tasks' calls with the operator's connections and host policy.
pub struct HttpInvoker {
    config: HttpConfig,
    sender: Sender,
    tokens: oauth::Tokens,
    user_agent: String,
}

impl HttpInvoker {
    /// An invoker for executions of `region` (named in the `User-Agent` AWS sends).
    pub fn new(config: HttpConfig, region: &str) -> Result<HttpInvoker, ConfigError> {
        let policy = HostPolicy::new(config.allowed_hosts.clone());
        Ok(HttpInvoker {
            sender: Sender::new(policy)?,
            config,
            tokens: oauth::Tokens::default(),
            user_agent: format!("Amazon|StepFunctions|HttpInvoke|{region}"),
        })
    }

    /// Calls the API the parameters describe; see the crate's documentation for the shapes.
    ///
    /// The whole call — redirects, an OAuth token request and its one retry included — ends
    /// after [`client::CALL_TIMEOUT`] with `States.Http.Socket`, as AWS ends an HTTP Task after
    /// 60 seconds.
    pub async fn invoke(&self, parameters: &Value) -> Result<Value, HttpFailure> {
        match tokio::time::timeout(client::CALL_TIMEOUT, self.invoke_once(parameters)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(HttpFailure::new(
                "States.Http.Socket",
                format!(
                    "The call got no complete answer within {} seconds",
                    client::CALL_TIMEOUT.as_secs()
                ),
            )),
        }
    }

    async fn invoke_once(&self, parameters: &Value) -> Result<Value, HttpFailure> {
        let arn = request::connection_arn(parameters)?;
        let Some(connection) = self.config.connections.get(arn) else {
            return Err(HttpFailure::new(
                "Events.ConnectionResource.ResourceNotFound",
                format!("The connection {arn} does not exist: this Fluxo's operator has not configured it ([http.connections] in fluxo.toml)"),
            ));
        };
        let mut prepared = request::build(parameters, connection)?;
        let admitted = connection
            .hosts
            .iter()
            .filter_map(|text| allow::HostRule::parse(text).ok())
            .any(|rule| rule.admits(&prepared.url));
        if !admitted {
            return Err(HttpFailure::new(
                "States.Permissions",
                format!(
                    "The connection {arn} may not be sent to {}: its hosts in fluxo.toml ([http.connections] hosts) do not include it",
                    prepared.url.host_str().unwrap_or_default()
                ),
            ));
        }
        request::set_header(&mut prepared.headers, "user-agent", &self.user_agent)?;
        request::set_header(&mut prepared.headers, "range", "bytes=0-262144")?;
        let mut secrets: Vec<String> = connection.secrets().into_iter().map(String::from).collect();
        let mut refreshed = false;
        loop {
            let redact = |mut failure: HttpFailure| {
                for secret in &secrets {
                    failure.cause = failure.cause.replace(secret.as_str(), "***");
                }
                failure
            };
            let mut headers = prepared.headers.clone();
            let credential = self
                .authorize(arn, connection, &mut headers, refreshed)
                .await
                .map_err(redact)?;
            // The credential as sent (a Basic pair's encoding, an OAuth access token, the
            // connection's parameters) is kept out of causes too: an API may echo it.
            if let Some(name) = &credential {
                let sent = headers.iter().filter(|(header, _)| header == name);
                secrets.extend(sent.filter_map(|(_, value)| value.to_str().ok().map(String::from)));
            }
            secrets.extend(connection.headers.values().cloned());
            secrets.extend(connection.query.values().cloned());
            secrets.extend(connection.body.values().cloned());
            secrets.retain(|secret| secret.len() >= 4);
            let redact = |mut failure: HttpFailure| {
                for secret in &secrets {
                    failure.cause = failure.cause.replace(secret.as_str(), "***");
                }
                failure
            };
            let response = self
                .send(
                    &prepared,
                    headers,
                    &private(connection, credential.as_ref()),
                )
                .await
                .map_err(redact)?;
            if response.status() == StatusCode::UNAUTHORIZED
                && connection.oauth.is_some()
                && !refreshed
            {
                refreshed = true;
                continue;
            }
            return response::shape(response).await.map_err(redact);
        }
    }

    /// Adds the connection's authorization; returns the header that carries it (dropped when
    /// a redirect leaves the origin).
    async fn authorize(
        &self,
        arn: &str,
        connection: &Connection,
        headers: &mut Vec<(HeaderName, HeaderValue)>,
        refresh: bool,
    ) -> Result<Option<HeaderName>, HttpFailure> {
        let (name, value) = if let Some(key) = &connection.api_key {
            (key.name.clone(), key.value.clone())
        } else if let Some(basic) = &connection.basic {
            let pair = format!("{}:{}", basic.username, basic.password);
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            ("authorization".to_string(), format!("Basic {encoded}"))
        } else if let Some(oauth) = &connection.oauth {
            let token = self.tokens.token(&self.sender, arn, oauth, refresh).await?;
            ("authorization".to_string(), format!("Bearer {token}"))
        } else {
            return Ok(None);
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            HttpFailure::runtime(format!(
                "The connection {arn} has a credential that is not a valid header value"
            ))
        })?;
        value.set_sensitive(true);
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| HttpFailure::runtime("Invalid header name"))?;
        headers.retain(|(existing, _)| *existing != name);
        headers.push((name.clone(), value));
        Ok(Some(name))
    }

    /// Sends the request and follows redirects, checking every hop's host.
    async fn send(
        &self,
        prepared: &request::Request,
        mut headers: Vec<(HeaderName, HeaderValue)>,
        private: &Private,
    ) -> Result<Response, HttpFailure> {
        let mut url = prepared.url.clone();
        let mut method = prepared.method.clone();
        let mut body = prepared.body.clone();
        for hop in 0..=MAX_REDIRECTS {
            let mut request = self.sender.inner().request(method.clone(), url.clone());
            for (name, value) in &headers {
                request = request.header(name, value);
            }
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            let response = self.sender.send_checked(request, &url).await?;
            let Some(next) = redirect_target(&response, &url) else {
                return Ok(response);
            };
            if hop == MAX_REDIRECTS {
                return Ok(response);
            }
            self.sender.check(&next)?;
            let status = response.status();
            if status == StatusCode::SEE_OTHER
                || (matches!(status.as_u16(), 301 | 302) && method == Method::POST)
            {
                method = Method::GET;
                body = None;
                headers.retain(|(name, _)| name.as_str() != "content-type");
            }
            // What came from the connection stays with the connection's origin.
            if next.origin() != url.origin() {
                headers.retain(|(name, _)| !private.headers.contains(name));
                if private.body {
                    body = None;
                }
            }
            url = next;
        }
        unreachable!("the last hop returns")
    }
}

/// The next URL of a redirect answer (3xx with a `Location` that resolves against `url`).
fn redirect_target(response: &Response, url: &Url) -> Option<Url> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response.headers().get("location")?.to_str().ok()?;
    url.join(location).ok()
}
