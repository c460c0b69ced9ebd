//! The AWS Step Functions API over AWS JSON 1.0: `POST /` with
//! `X-Amz-Target: AWSStepFunctions.<Action>`; errors as `{"__type", "message"}` with the status
//! codes that make each SDK raise its exception class. The host and any credentials are
//! ignored, so SDKs work with `--endpoint-url` (also for `StartSyncExecution`'s `sync-` host).

mod actions;
mod error;
pub mod execution_log;
mod wire;

pub use error::ApiError;
/// A stored event in the shape `GetExecutionHistory` returns it: the console's live event
/// stream sends the same objects.
pub use wire::event as history_event;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use fluxo_runtime::Runtime;
use serde_json::Value;
use std::sync::Arc;

/// The largest request body accepted: definitions may be up to 1 MiB on AWS.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub struct Api {
    pub runtime: Arc<Runtime>,
    pub region: String,
    pub account: String,
    /// Where execution log records go, if the operator configured it.
    pub execution_log: Option<Arc<execution_log::ExecutionLog>>,
    /// State machines recently read, by ARN, for the Express hot path: see [`Api::express_machine`].
    recent: std::sync::Mutex<std::collections::HashMap<String, RecentMachine>>,
}

struct RecentMachine {
    record: Arc<fluxo_store::StateMachineRecord>,
    compiled: Arc<fluxo_asl::model::StateMachine>,
    read_at: std::time::Instant,
}

/// How long a state machine read from the store serves Express starts. AWS documents
/// `UpdateStateMachine` as eventually consistent (executions started shortly after an update may
/// still run the previous definition); this node forgets its copy at once when it makes the
/// change, other nodes within this time.
const RECENT_FOR: std::time::Duration = std::time::Duration::from_secs(1);

impl Api {
    pub fn new(runtime: Arc<Runtime>, region: &str, account: &str) -> Self {
        Api {
            runtime,
            region: region.to_string(),
            account: account.to_string(),
            execution_log: None,
            recent: Default::default(),
        }
    }

    pub fn with_execution_log(mut self, log: execution_log::ExecutionLog) -> Self {
        self.execution_log = Some(Arc::new(log));
        self
    }

    /// A state machine and its compiled definition for starting an Express execution, read
    /// from the store at most once per [`RECENT_FOR`].
    pub(crate) async fn express_machine(
        &self,
        arn: &str,
    ) -> Result<
        (
            Arc<fluxo_store::StateMachineRecord>,
            Arc<fluxo_asl::model::StateMachine>,
        ),
        ApiError,
    > {
        if let Some(recent) = self
            .recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(arn)
            .filter(|recent| recent.read_at.elapsed() < RECENT_FOR)
        {
            return Ok((recent.record.clone(), recent.compiled.clone()));
        }
        let record = Arc::new(actions::machine(self, arn).await?);
        let compiled = self
            .runtime
            .compiled(&record)
            .map_err(|_| ApiError::internal("the stored definition no longer compiles"))?;
        self.recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                arn.to_string(),
                RecentMachine {
                    record: record.clone(),
                    compiled: compiled.clone(),
                    read_at: std::time::Instant::now(),
                },
            );
        Ok((record, compiled))
    }

    /// Drops this node's copy of a state machine that it updated or deleted.
    pub(crate) fn forget(&self, arn: &str) {
        self.recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(arn);
    }
}

pub fn router(api: Arc<Api>) -> Router {
    Router::new().fallback(any(handle)).with_state(api)
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
    let outcome = dispatch(&api, &headers, request.into_body()).await;
    match outcome {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(error) => {
            let status = error.status();
            // Straight into bytes: `to_string` would go through the formatting machinery.
            json_response(
                status,
                serde_json::to_vec(&error.body()).unwrap_or_default(),
            )
        }
    }
}

async fn dispatch(api: &Api, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| ApiError::unknown_operation("Missing the X-Amz-Target header"))?;
    let action = target
        .strip_prefix("AWSStepFunctions.")
        .ok_or_else(|| ApiError::unknown_operation(&format!("Unknown target {target}")))?;
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::validation("The request body is larger than the service accepts"))?;
    let input: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::serialization(&format!("The request body is not valid JSON: {e}"))
        })?
    };
    if !input.is_object() {
        return Err(ApiError::serialization(
            "The request body must be a JSON object",
        ));
    }
    actions::run(api, action, input).await
}
