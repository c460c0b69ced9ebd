//! HTTP Tasks (`arn:aws:states:::http:invoke`) of this runtime's executions, Standard and
//! Express: the engine's `HttpCaller` over `fluxo-http`, with the operator's connections and
//! host policy.

use fluxo_engine::{HttpCaller, TaskFailure};
use fluxo_http::{ConfigError, HttpConfig, HttpInvoker};
use futures::future::BoxFuture;
use serde_json::Value;
use std::sync::Arc;

/// Makes HTTP Tasks' calls for the runtime ([`crate::RuntimeConfig::http`]).
pub struct HttpTasks {
    invoker: HttpInvoker,
}

impl HttpTasks {
    /// HTTP Tasks with the operator's `[http]` configuration, for executions of `region`.
    pub fn new(config: HttpConfig, region: &str) -> Result<Arc<HttpTasks>, ConfigError> {
        Ok(Arc::new(HttpTasks {
            invoker: HttpInvoker::new(config, region)?,
        }))
    }
}

impl HttpCaller for HttpTasks {
    fn call(&self, parameters: Value) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        Box::pin(async move {
            self.invoker
                .invoke(&parameters)
                .await
                .map_err(|failure| TaskFailure {
                    error: failure.error,
                    cause: Some(failure.cause),
                })
        })
    }
}

/// The failure of an HTTP Task in a runtime that has none configured.
pub(crate) fn unavailable() -> TaskFailure {
    TaskFailure {
        error: "States.Runtime".into(),
        cause: Some("HTTP Tasks are not available in this runtime".into()),
    }
}
