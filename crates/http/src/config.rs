//! The operator's `[http]` table of `fluxo.toml`: the host allow-list and the connections that
//! stand in for AWS's EventBridge connections, keyed by the connection ARN a definition names
//! in `Authentication.ConnectionArn` (or `InvocationConfig.ConnectionArn`).
//!
//! ```toml
//! [http]
//! allowed_hosts = ["api.example.com", "*.example.org", "127.0.0.1:8080"]
//!
//! [http.connections."arn:aws:events:us-east-1:123456789012:connection/stripe/0a1b"]
//! hosts = ["api.stripe.com"]              # where this connection may be sent (required)
//! api_key = { name = "x-api-key", value = "..." }
//! headers = { "X-Team" = "billing" }      # the connection's invocation parameters
//! query = { "version" = "2" }
//! body = { "source" = "fluxo" }
//! ```
//!
//! `basic = { username = "...", password = "..." }` or
//! `oauth = { token_endpoint = "https://...", client_id = "...", client_secret = "...",
//! scopes = ["read"] }` take the place of `api_key`.

use crate::allow::HostRule;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// Why the `[http]` table cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("[http]: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("[http] allowed_hosts: {0}")]
    Host(String),
    #[error("[http.connections.\"{arn}\"]: {message}")]
    Connection { arn: String, message: String },
    #[error("the HTTP client cannot be made: {0}")]
    Client(#[from] reqwest::Error),
}

/// What the operator configured for HTTP Tasks.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    /// When `Some`, the only hosts any HTTP Task (and its redirects, and OAuth token requests)
    /// may reach; when `None`, any host whose addresses are all public (see `allow.rs`).
    pub allowed_hosts: Option<Vec<HostRule>>,
    /// Connections by ARN.
    pub connections: BTreeMap<String, Connection>,
}

/// One connection: how requests are authorized, and the parameters added to each request.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    /// The hosts this connection's credentials and parameters may be sent to (`host`,
    /// `host:port`, `*.domain`, as in `allowed_hosts`); required. AWS sends a connection to any
    /// `ApiEndpoint` a definition names; here a definition could then hand the operator's
    /// secret to a host of its choosing, so each connection names its API.
    #[serde(default)]
    pub hosts: Vec<String>,
    pub api_key: Option<ApiKey>,
    pub basic: Option<Basic>,
    pub oauth: Option<OAuth>,
    /// Headers added to every request; they win over the task's (AWS's merge rule).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Query parameters added to every request; they win over the task's.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Body parameters merged into a JSON object body; they win over the task's.
    #[serde(default)]
    pub body: BTreeMap<String, String>,
}

/// `API_KEY`: a header name and its value.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    pub name: String,
    pub value: String,
}

/// `BASIC`: `Authorization: Basic base64(username:password)`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basic {
    pub username: String,
    pub password: String,
}

/// `OAUTH_CLIENT_CREDENTIALS`: a token from `token_endpoint` (RFC 6749 §4.4, the client's id
/// and secret sent as HTTP basic authentication), sent as `Authorization: Bearer`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth {
    pub token_endpoint: String,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub scopes: Vec<String>,
}

// Secrets never reach a log: the debug form names the kind of authorization only.
impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("authorization", &self.kind())
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("query", &self.query.keys().collect::<Vec<_>>())
            .field("body", &self.body.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Connection {
    /// `API_KEY`, `BASIC` or `OAUTH_CLIENT_CREDENTIALS`, as EventBridge names them.
    pub fn kind(&self) -> &'static str {
        match (&self.api_key, &self.basic, &self.oauth) {
            (Some(_), _, _) => "API_KEY",
            (_, Some(_), _) => "BASIC",
            _ => "OAUTH_CLIENT_CREDENTIALS",
        }
    }

    /// The secret values, which errors and logs must never show.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        let mut secrets = Vec::new();
        if let Some(key) = &self.api_key {
            secrets.push(key.value.as_str());
        }
        if let Some(basic) = &self.basic {
            secrets.push(basic.password.as_str());
        }
        if let Some(oauth) = &self.oauth {
            secrets.push(oauth.client_secret.as_str());
        }
        secrets.retain(|secret| !secret.is_empty());
        secrets
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Table {
    allowed_hosts: Option<Vec<String>>,
    #[serde(default)]
    connections: BTreeMap<String, Connection>,
}

impl HttpConfig {
    /// Reads the `[http]` table of a whole `fluxo.toml` text (other tables are not ours).
    pub fn from_toml(text: &str) -> Result<HttpConfig, ConfigError> {
        #[derive(Deserialize)]
        struct File {
            http: Option<Table>,
        }
        let file: File = toml::from_str(text)?;
        HttpConfig::from_table(file.http.unwrap_or_default())
    }

    fn from_table(table: Table) -> Result<HttpConfig, ConfigError> {
        let allowed_hosts = match table.allowed_hosts {
            None => None,
            Some(hosts) => Some(
                hosts
                    .iter()
                    .map(|host| HostRule::parse(host).map_err(ConfigError::Host))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        for (arn, connection) in &table.connections {
            check_connection(arn, connection)?;
        }
        Ok(HttpConfig {
            allowed_hosts,
            connections: table.connections,
        })
    }

    /// Adds hosts to the allow-list (`fluxo server --http-allow-host`); the list is then set.
    pub fn allow_hosts<'a>(
        &mut self,
        hosts: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), ConfigError> {
        for host in hosts {
            let rule = HostRule::parse(host).map_err(ConfigError::Host)?;
            self.allowed_hosts.get_or_insert_with(Vec::new).push(rule);
        }
        Ok(())
    }
}

fn check_connection(arn: &str, connection: &Connection) -> Result<(), ConfigError> {
    let fail = |message: &str| ConfigError::Connection {
        arn: arn.to_string(),
        message: message.to_string(),
    };
    if !arn.starts_with("arn:") || !arn.contains(":connection/") {
        return Err(fail(
            "the key must be an EventBridge connection ARN (arn:aws:events:REGION:ACCOUNT:connection/NAME/ID)",
        ));
    }
    let kinds = [
        connection.api_key.is_some(),
        connection.basic.is_some(),
        connection.oauth.is_some(),
    ];
    if kinds.iter().filter(|set| **set).count() != 1 {
        return Err(fail("give exactly one of api_key, basic or oauth"));
    }
    if connection.hosts.is_empty() {
        return Err(fail(
            "hosts must name the hosts this connection may be sent to (hosts = [\"api.example.com\"])",
        ));
    }
    for host in &connection.hosts {
        HostRule::parse(host).map_err(|message| fail(&message))?;
    }
    if let Some(key) = &connection.api_key {
        if reqwest::header::HeaderName::from_bytes(key.name.as_bytes()).is_err() {
            return Err(fail("api_key.name is not a valid header name"));
        }
    }
    if let Some(oauth) = &connection.oauth {
        match reqwest::Url::parse(&oauth.token_endpoint) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            _ => return Err(fail("oauth.token_endpoint must be an http(s) URL")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:events:us-east-1:123456789012:connection/c/1";

    #[test]
    fn reads_hosts_and_each_kind_of_connection() {
        let text = format!(
            r#"
            [functions.f]
            command = ["true"]
            [http]
            allowed_hosts = ["api.example.com", "*.example.org"]
            [http.connections."{ARN}"]
            hosts = ["api.example.com"]
            api_key = {{ name = "x-api-key", value = "s3cret" }}
            headers = {{ "X-Team" = "billing" }}
            [http.connections."{ARN}2"]
            hosts = ["*.example.org"]
            oauth = {{ token_endpoint = "https://auth.example.com/token", client_id = "id", client_secret = "cs", scopes = ["a", "b"] }}
            "#
        );
        let config = HttpConfig::from_toml(&text).unwrap();
        assert_eq!(config.allowed_hosts.as_ref().unwrap().len(), 2);
        assert_eq!(config.connections[ARN].kind(), "API_KEY");
        assert_eq!(config.connections[ARN].headers["X-Team"], "billing");
        let oauth = &config.connections[&format!("{ARN}2")];
        assert_eq!(oauth.kind(), "OAUTH_CLIENT_CREDENTIALS");
        assert!(!format!("{oauth:?}").contains("cs"));
        assert!(!format!("{:?}", config.connections[ARN]).contains("s3cret"));
    }

    #[test]
    fn refuses_a_connection_without_exactly_one_authorization() {
        let none = format!("[http.connections.\"{ARN}\"]\nhosts = [\"h\"]\nheaders = {{}}\n");
        assert!(HttpConfig::from_toml(&none).is_err());
        let nowhere = format!(
            "[http.connections.\"{ARN}\"]\nbasic = {{ username = \"u\", password = \"p\" }}\n"
        );
        let refused = HttpConfig::from_toml(&nowhere).unwrap_err().to_string();
        assert!(refused.contains("hosts must name"), "{refused}");
        let two = format!(
            "[http.connections.\"{ARN}\"]\nbasic = {{ username = \"u\", password = \"p\" }}\napi_key = {{ name = \"k\", value = \"v\" }}\n"
        );
        assert!(HttpConfig::from_toml(&two).is_err());
        let bad_key =
            "[http.connections.\"stripe\"]\nbasic = { username = \"u\", password = \"p\" }\n";
        assert!(HttpConfig::from_toml(bad_key).is_err());
    }

    #[test]
    fn no_table_means_no_list_and_no_connections() {
        let config = HttpConfig::from_toml("[functions]\n").unwrap();
        assert!(config.allowed_hosts.is_none());
        assert!(config.connections.is_empty());
    }
}
