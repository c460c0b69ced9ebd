//! Fluxo's graphical console: a web page served by `fluxo server` on the API's own port.
//!
//! The page (`assets/`, embedded in the binary) is plain ES modules over vendored, pinned
//! libraries (CodeMirror, elkjs, jsonpath-plus). It talks to the Step Functions API that the
//! server already answers (`POST /` with `X-Amz-Target`, same origin) and to one endpoint of its
//! own, the live event stream of an execution ([`events`]). This crate is the only one that
//! knows HTML; the API knows nothing of the console.
//!
//! Routes added in front of the API ([`with_console`]):
//! - `GET /` — the page (`index.html`);
//! - `GET /console/assets/<path>` — its scripts, styles and vendored libraries;
//! - `GET /console/events?executionArn=ARN[&after=N]` — server-sent events (see [`events`]);
//! - `POST /console/restart` — Fluxo's restart of a failed execution from a chosen state
//!   (see [`restart`]).
//!
//! Everything else goes to the API router. Every response carries a Content-Security-Policy
//! without `unsafe-inline` or `unsafe-eval`, and requests from another origin are refused
//! ([`guard`]), so a page elsewhere cannot drive the API or read the stream.

mod assets;
pub mod events;
pub mod guard;
pub mod restart;

use axum::routing::{get, post};
use axum::Router;
use fluxo_runtime::Runtime;
use std::sync::Arc;

/// How many event streams may be open at once; more are refused with 503 until one closes.
pub const MAX_STREAMS: usize = 64;

/// The console's shared state: the runtime whose executions it streams, and the stream budget.
#[derive(Clone)]
pub struct Console {
    pub(crate) runtime: Arc<Runtime>,
    pub(crate) streams: Arc<tokio::sync::Semaphore>,
}

/// Serves the console in front of `api` (the Step Functions API router, which keeps every
/// request the console does not answer, `POST /` included), and applies [`guard::layer`] to
/// both.
pub fn with_console(api: Router, runtime: Arc<Runtime>) -> Router {
    let console = Console {
        runtime,
        streams: Arc::new(tokio::sync::Semaphore::new(MAX_STREAMS)),
    };
    let pages = Router::new()
        // `GET /` is the page; any other method on `/` is the API's (AWS JSON is `POST /`).
        .route("/", get(assets::index).fallback_service(api.clone()))
        .route("/console/assets/{*path}", get(assets::asset))
        .route("/console/events", get(events::stream))
        .route("/console/restart", post(restart::restart))
        .with_state(console);
    guard::layer(pages.fallback_service(api))
}
