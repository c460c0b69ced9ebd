//! Connects the operator's functions (fluxo.toml) to the engine's task calls.

use anyhow::{Context, Result};
use fluxo_engine::{FunctionCall, FunctionInvoker, TaskFailure};
use fluxo_tasks::FunctionRegistry;
use futures::future::BoxFuture;
use serde_json::Value;
use std::path::Path;

/// The functions an execution may call: only what the operator configured.
pub struct Functions {
    registry: FunctionRegistry,
}

pub fn load(config: Option<&Path>) -> Result<Functions> {
    let registry = match config {
        Some(path) => FunctionRegistry::from_toml_file(path)
            .with_context(|| format!("cannot load functions from {}", path.display()))?,
        None => FunctionRegistry::default(),
    };
    Ok(Functions { registry })
}

impl Functions {
    pub async fn shutdown(&self) {
        self.registry.shutdown().await;
    }
}

impl FunctionInvoker for Functions {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        Box::pin(async move {
            self.registry
                .invoke(&call.function_name, call.payload, &call.request_id)
                .await
                .map_err(|failure| TaskFailure {
                    error: failure.error,
                    cause: failure.cause,
                })
        })
    }
}
