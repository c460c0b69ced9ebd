//! The AWS Step Functions API over AWS JSON 1.0: `POST /` with
//! `X-Amz-Target: AWSStepFunctions.<Action>`; errors as `{"__type", "message"}` with the status
//! codes that make each SDK raise its exception class. The host and any credentials are
//! ignored, so SDKs work with `--endpoint-url` (also for `StartSyncExecution`'s `sync-` host).
//!
//! Architecture invariant: this is the only crate that knows the API's wire shapes; running
//! executions is the runtime's business.

mod actions;
mod error;
mod paging;
pub mod protocol;
mod wire;

pub use error::{ApiError, ErrorCode};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use fluxo_runtime::Runtime;
use std::sync::Arc;

pub struct Api {
    pub runtime: Arc<Runtime>,
    /// The KMS key ids (key ids, key ARNs, alias names, alias ARNs, as the operator listed
    /// them) that the operator's encryption key stands for: what a `CUSTOMER_MANAGED_KMS_KEY`
    /// `encryptionConfiguration` may name. Empty without `[encryption]`.
    kms_key_ids: Vec<String>,
}

impl Api {
    pub fn new(runtime: Arc<Runtime>) -> Self {
        Api {
            runtime,
            kms_key_ids: Vec::new(),
        }
    }

    /// With the KMS key ids of `[encryption] kms_key_ids` (only meaningful when the store
    /// seals data with the operator's key).
    pub fn with_kms_key_ids(mut self, ids: Vec<String>) -> Self {
        self.kms_key_ids = ids;
        self
    }
}

/// The API's routes: `POST /`.
pub fn router(api: Arc<Api>) -> Router {
    Router::new().route("/", post(handle)).with_state(api)
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/x-amz-json-1.0")],
        body,
    )
        .into_response()
}

async fn handle(State(api): State<Arc<Api>>, headers: HeaderMap, request: Request) -> Response {
    match dispatch(&api, &headers, request.into_body()).await {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(error) => json_response(
            error.status(),
            serde_json::to_vec(&error.body()).unwrap_or_default(),
        ),
    }
}

async fn dispatch(api: &Api, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok());
    let bytes = axum::body::to_bytes(body, protocol::MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::validation("The request body is larger than the service accepts"))?;
    let request = protocol::decode(target, &bytes)?;
    actions::run(api, request).await
}
