//! The functions a case invokes: each `functions` entry deployed as Lambda would deploy it, the
//! file as `handler.py` in a folder of its own, behind the function's name.

use fluxo_tasks::{FunctionRegistry, FunctionSpec};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A case's functions, and the folder they are deployed in (removed when dropped).
pub struct CaseFunctions {
    pub registry: Arc<FunctionRegistry>,
    _folder: Option<tempfile::TempDir>,
}

pub fn for_case(case: &Value, functions_dir: &Path) -> Result<CaseFunctions, String> {
    let mut registry = FunctionRegistry::default();
    let Some(functions) = case["functions"].as_object().filter(|f| !f.is_empty()) else {
        return Ok(CaseFunctions {
            registry: Arc::new(registry),
            _folder: None,
        });
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
    Ok(CaseFunctions {
        registry: Arc::new(registry),
        _folder: Some(folder),
    })
}
