//! OAuth client-credentials tokens of connections (`OAUTH_CLIENT_CREDENTIALS`, as EventBridge
//! connections authorize): fetched once, kept until shortly before they expire, fetched again
//! when the API answers 401 (once per request).

use crate::config::OAuth;
use crate::HttpFailure;
use base64::Engine as _;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long before its expiry a token is no longer used.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// The lifetime assumed when the token endpoint gives no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// The largest token response read.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

#[derive(Clone)]
struct Token {
    value: String,
    good_until: Instant,
}

/// Tokens by connection ARN; one fetch at a time per connection, so that concurrent tasks
/// share one token instead of each fetching its own.
#[derive(Default)]
pub(crate) struct Tokens {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Token>>>>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

impl Tokens {
    fn slot(&self, arn: &str) -> Arc<tokio::sync::Mutex<Option<Token>>> {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.entry(arn.to_string()).or_default().clone()
    }

    /// A valid token of the connection `arn`; `refresh` discards the one held (the API answered
    /// 401 with it).
    pub(crate) async fn token(
        &self,
        client: &crate::client::Sender,
        arn: &str,
        oauth: &OAuth,
        refresh: bool,
    ) -> Result<String, HttpFailure> {
        let slot = self.slot(arn);
        let mut held = slot.lock().await;
        if let Some(token) = held
            .as_ref()
            .filter(|token| !refresh && token.good_until > Instant::now())
        {
            return Ok(token.value.clone());
        }
        *held = None;
        let token = fetch(client, arn, oauth).await?;
        *held = Some(token.clone());
        Ok(token.value)
    }
}

fn invalid(arn: &str, why: &str) -> HttpFailure {
    HttpFailure::new(
        "Events.ConnectionResource.InvalidConnectionState",
        format!("The OAuth authorization of the connection {arn} failed: {why}"),
    )
}

async fn fetch(
    client: &crate::client::Sender,
    arn: &str,
    oauth: &OAuth,
) -> Result<Token, HttpFailure> {
    let url = reqwest::Url::parse(&oauth.token_endpoint)
        .map_err(|_| invalid(arn, "the token endpoint is not a URL"))?;
    let mut form = vec![("grant_type", "client_credentials".to_string())];
    if !oauth.scopes.is_empty() {
        form.push(("scope", oauth.scopes.join(" ")));
    }
    let body: String = form
        .iter()
        .map(|(key, value)| format!("{key}={}", crate::encode::encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let credentials = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", oauth.client_id, oauth.client_secret));
    let request = client
        .inner()
        .post(url.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("authorization", format!("Basic {credentials}"))
        .body(body);
    let started = Instant::now();
    let response = client
        .send_checked(request, &url)
        .await
        .map_err(|failure| invalid(arn, &failure.cause))?;
    let status = response.status();
    let bytes = crate::client::read_bounded(response, MAX_TOKEN_RESPONSE)
        .await
        .map_err(|_| invalid(arn, "the token endpoint's answer could not be read"))?
        .ok_or_else(|| invalid(arn, "the token endpoint's answer is too long"))?;
    if !status.is_success() {
        return Err(invalid(
            arn,
            &format!("the token endpoint answered {}", status.as_u16()),
        ));
    }
    let parsed: TokenResponse = serde_json::from_slice(&bytes)
        .map_err(|_| invalid(arn, "the token endpoint's answer has no access_token"))?;
    let lifetime = parsed
        .expires_in
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_LIFETIME);
    let usable = lifetime.saturating_sub(EXPIRY_MARGIN.min(lifetime / 2));
    Ok(Token {
        value: parsed.access_token,
        good_until: started + usable,
    })
}
