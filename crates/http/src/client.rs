//! Sending: the host policy checked before every request and redirect hop, redirects followed
//! by hand (so that credentials are dropped when a hop leaves the origin), bounded reads, and
//! transport failures named as the HTTP Task names them.

use crate::allow::{HostPolicy, PublicResolver, Refusal};
use crate::HttpFailure;
use reqwest::{RequestBuilder, Response, Url};
use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

/// AWS ends an HTTP call after 60 seconds (`States.Http.Socket`); `TimeoutSeconds` of the
/// state may end it sooner.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Redirect hops followed before the redirect itself is the answer.
pub const MAX_REDIRECTS: usize = 10;

/// The client and the host policy every request goes through.
pub(crate) struct Sender {
    client: reqwest::Client,
    policy: HostPolicy,
}

impl Sender {
    pub(crate) fn new(policy: HostPolicy) -> Result<Sender, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would reach hosts the policy never saw resolved.
            .no_proxy()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(10));
        if policy.public_only() {
            builder = builder.dns_resolver(Arc::new(PublicResolver));
        }
        Ok(Sender {
            client: builder.build()?,
            policy,
        })
    }

    pub(crate) fn inner(&self) -> &reqwest::Client {
        &self.client
    }

    pub(crate) fn check(&self, url: &Url) -> Result<(), HttpFailure> {
        self.policy.check(url).map_err(refused)
    }

    /// Sends a request to `url` (the builder's), after checking its host.
    pub(crate) async fn send_checked(
        &self,
        request: RequestBuilder,
        url: &Url,
    ) -> Result<Response, HttpFailure> {
        self.check(url)?;
        request.send().await.map_err(transport)
    }
}

/// A host the operator did not allow: `States.Permissions` ("A Task State failed because it
/// had insufficient privileges", the ASL specification's error names).
fn refused(refusal: Refusal) -> HttpFailure {
    HttpFailure::new("States.Permissions", refusal.to_string())
}

/// A request that got no answer: `States.Http.Socket`, with the reason (never a header).
pub(crate) fn transport(error: reqwest::Error) -> HttpFailure {
    // The resolver's refusal of a private address arrives as the connection's source.
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(refusal) = cause.downcast_ref::<Refusal>() {
            return refused(refusal.clone());
        }
        source = cause.source();
    }
    let cause = if error.is_timeout() {
        format!(
            "The HTTP request timed out after {} seconds",
            CALL_TIMEOUT.as_secs()
        )
    } else {
        let mut text = String::from("The HTTP request failed");
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    };
    HttpFailure::new("States.Http.Socket", cause)
}

/// Reads at most `limit` bytes of a body; `None` when it is longer.
pub(crate) async fn read_bounded(
    mut response: Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, HttpFailure> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}
