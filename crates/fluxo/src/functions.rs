//! The operator's `fluxo.toml`: the functions Task states call (`[functions.NAME]`), the AWS
//! service integrations (`[aws]`), and HTTP Tasks' connections and host allow-list (`[http]`).

use anyhow::{Context, Result};
use fluxo_aws::AwsConfig;
use fluxo_engine::{NoServices, ServiceInvoker};
use fluxo_tasks::FunctionRegistry;
use std::path::Path;
use std::sync::Arc;

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

/// The `[aws]` section of the file, if it has one.
pub fn aws_config(config: Option<&Path>) -> Result<Option<AwsConfig>> {
    let Some(path) = config else {
        return Ok(None);
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut table: toml::Table =
        toml::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))?;
    let Some(aws) = table.remove("aws") else {
        return Ok(None);
    };
    let parsed: AwsConfig = aws
        .try_into()
        .with_context(|| format!("[aws] in {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    Ok(Some(parsed.relative_to(base)))
}

/// The service integrations Task states call: none without `[aws]` (every call then fails with
/// `States.Runtime` naming the setting), else `fluxo-aws` with the default credential chain.
pub async fn services(config: Option<&Path>) -> Result<Arc<dyn ServiceInvoker>> {
    match aws_config(config)? {
        None => Ok(Arc::new(NoServices)),
        Some(aws) => {
            let services = fluxo_runtime::AwsServices::from_config(&aws).await?;
            Ok(services.into_invoker())
        }
    }
}
