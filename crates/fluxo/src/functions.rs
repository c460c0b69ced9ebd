//! The operator's functions (fluxo.toml), which Task states call, and the `[http]` table of the
//! same file: HTTP Tasks' connections and host allow-list.

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

/// HTTP Tasks' configuration: the `[http]` table of the file, with `--http-allow-host` entries
/// added to its allow-list.
pub fn load_http(config: Option<&Path>, allow_hosts: &[String]) -> Result<fluxo_http::HttpConfig> {
    let mut http = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            fluxo_http::HttpConfig::from_toml(&text)
                .with_context(|| format!("cannot load [http] from {}", path.display()))?
        }
        None => fluxo_http::HttpConfig::default(),
    };
    http.allow_hosts(allow_hosts.iter().map(String::as_str))?;
    Ok(http)
}
