//! The functions a case invokes: each `functions` entry deployed as Lambda would deploy it, the
//! file as `handler.py` in a folder of its own, behind the function's name.

use fluxo_tasks::{FunctionRegistry, FunctionSpec};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A case's functions, and the folder they are deployed in (removed when dropped).
pub struct CaseFunctions {
    pub registry: Arc<FunctionRegistry>,
    _folder: Option<tempfile::TempDir>,
}

/// Deploys `functions` (name → file in `functions_dir`) for one case.
pub fn for_case(
    functions: &[(String, String)],
    functions_dir: &Path,
) -> Result<CaseFunctions, String> {
    let mut registry = FunctionRegistry::default();
    if functions.is_empty() {
        return Ok(CaseFunctions {
            registry: Arc::new(registry),
            _folder: None,
        });
    }
    let folder = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    for (name, file) in functions {
        // Both become path components: keep them inside the folders they belong to.
        if !is_plain_name(file) || !is_plain_name(name) {
            return Err(format!(
                "function {name:?}: {file:?} is not a file in functions/"
            ));
        }
        let source = functions_dir.join(file);
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

fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_are_deployed_one_folder_each() {
        let source = tempfile::tempdir().expect("temporary folder");
        std::fs::write(
            source.path().join("f.py"),
            "def handler(e, c):\n    return e\n",
        )
        .expect("written");
        let deployed =
            for_case(&[("fn_a".into(), "f.py".into())], source.path()).expect("deployed");
        assert!(deployed.registry.contains("fn_a"));
        assert!(for_case(&[], source.path()).is_ok());
    }

    #[test]
    fn names_that_would_leave_their_folder_are_refused() {
        let source = tempfile::tempdir().expect("temporary folder");
        for (name, file) in [
            ("a", "../f.py"),
            ("../a", "f.py"),
            ("a", ""),
            ("a", "x/f.py"),
        ] {
            assert!(for_case(&[(name.into(), file.into())], source.path()).is_err());
        }
        assert!(for_case(&[("a".into(), "missing.py".into())], source.path()).is_err());
    }
}
