//! The functions a case invokes: each `functions` entry deployed as Lambda would deploy it, the
//! file as `handler.py` in a folder of its own, behind the function's name.

use fluxo_engine::{FunctionCall, FunctionInvoker, TaskFailure};
use fluxo_tasks::{FunctionRegistry, FunctionSpec};
use futures::future::BoxFuture;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub struct CaseFunctions {
    registry: FunctionRegistry,
    _folder: Option<tempfile::TempDir>,
}

impl CaseFunctions {
    pub async fn shutdown(&self) {
        self.registry.shutdown().await;
    }
}

impl FunctionInvoker for CaseFunctions {
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

pub fn for_case(case: &Value, functions_dir: &Path) -> Result<Arc<CaseFunctions>, String> {
    let mut registry = FunctionRegistry::default();
    let Some(functions) = case["functions"].as_object().filter(|f| !f.is_empty()) else {
        return Ok(Arc::new(CaseFunctions {
            registry,
            _folder: None,
        }));
    };
    let folder = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    for (name, file) in functions {
        let source = functions_dir.join(file.as_str().unwrap_or_default());
        let target_folder = folder.path().join(name);
        std::fs::create_dir_all(&target_folder).map_err(|e| e.to_string())?;
        let target = target_folder.join("handler.py");
        std::fs::copy(&source, &target)
            .map_err(|e| format!("cannot deploy {}: {e}", source.display()))?;
        let mut spec = fluxo_tasks::HandlerSpec::python(target, "handler");
        // The recorded functions ran with generous Lambda timeouts; state timeouts decide.
        spec.timeout = Duration::from_secs(900);
        spec.concurrency = 2;
        registry.register(name, FunctionSpec::Handler(spec));
    }
    Ok(Arc::new(CaseFunctions {
        registry,
        _folder: Some(folder),
    }))
}
