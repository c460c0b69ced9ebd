//! The operator's functions (fluxo.toml), which Task states call.

use anyhow::{Context, Result};
use fluxo_tasks::FunctionRegistry;
use std::path::Path;

/// Only what the operator configured: no file, no functions.
pub fn load(config: Option<&Path>) -> Result<FunctionRegistry> {
    match config {
        Some(path) => FunctionRegistry::from_toml_file(path)
            .with_context(|| format!("cannot load functions from {}", path.display())),
        None => Ok(FunctionRegistry::default()),
    }
}
