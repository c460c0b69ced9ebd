//! The operator's function definitions (`[functions.NAME]` in fluxo.toml).

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("function '{name}': {message}")]
    Function { name: String, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Python,
    Node,
}

#[derive(Debug, Clone)]
pub enum FunctionSpec {
    Handler(HandlerSpec),
    Command(CommandSpec),
    Http(HttpSpec),
}

/// A Lambda-style handler run in warm worker processes.
#[derive(Debug, Clone)]
pub struct HandlerSpec {
    pub runtime: Runtime,
    /// The handler's source file.
    pub file: PathBuf,
    /// The function inside it.
    pub function: String,
    pub timeout: Duration,
    /// Calls in flight at once, and so worker processes at most.
    pub concurrency: usize,
    pub environment: HashMap<String, String>,
}

/// A program that reads the event on stdin and writes the result on stdout.
#[derive(Debug, Clone)]
pub struct CommandSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub timeout: Duration,
    pub environment: HashMap<String, String>,
}

/// An endpoint that receives the event as a POST and answers with the result.
#[derive(Debug, Clone)]
pub struct HttpSpec {
    pub url: String,
    pub timeout: Duration,
}

impl HandlerSpec {
    /// A Python handler `file.function` with Lambda's defaults (3 s timeout).
    pub fn python(file: impl Into<PathBuf>, function: &str) -> Self {
        HandlerSpec {
            runtime: Runtime::Python,
            file: file.into(),
            function: function.to_string(),
            timeout: Duration::from_secs(3),
            concurrency: 4,
            environment: HashMap::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    functions: BTreeMap<String, Entry>,
    /// HTTP Tasks' connections and allow-list, read by `fluxo-http`.
    #[serde(default, rename = "http")]
    _http: Option<toml::Value>,
    /// `[aws]`, the AWS service integrations' settings in the same file: read by the binary
    /// (`fluxo_aws::AwsConfig`), not here.
    #[serde(default, rename = "aws")]
    _aws: Option<toml::Table>,
    /// `[encryption]`, the key that seals data at rest: read by the binary, not here.
    #[serde(default, rename = "encryption")]
    _encryption: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    runtime: Option<String>,
    handler: Option<String>,
    command: Option<Vec<String>>,
    url: Option<String>,
    timeout_seconds: Option<f64>,
    concurrency: Option<usize>,
    #[serde(default)]
    environment: HashMap<String, String>,
}

pub fn load_file(path: &Path) -> Result<Vec<(String, FunctionSpec)>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base)
}

pub fn parse(text: &str, base: &Path) -> Result<Vec<(String, FunctionSpec)>, ConfigError> {
    let file: File = toml::from_str(text)?;
    file.functions
        .into_iter()
        .map(|(name, entry)| {
            let spec = spec(&name, entry, base)?;
            Ok((name, spec))
        })
        .collect()
}

fn spec(name: &str, entry: Entry, base: &Path) -> Result<FunctionSpec, ConfigError> {
    let fail = |message: &str| ConfigError::Function {
        name: name.to_string(),
        message: message.to_string(),
    };
    let timeout = match entry.timeout_seconds {
        Some(seconds) if seconds > 0.0 && seconds <= 900.0 => Duration::from_secs_f64(seconds),
        Some(_) => return Err(fail("timeout_seconds must be between 0 and 900")),
        None => Duration::from_secs(3),
    };
    let kinds = [
        entry.handler.is_some(),
        entry.command.is_some(),
        entry.url.is_some(),
    ];
    if kinds.iter().filter(|set| **set).count() != 1 {
        return Err(fail("give exactly one of handler, command or url"));
    }
    if let Some(handler) = entry.handler {
        let runtime = match entry.runtime.as_deref() {
            Some("python3" | "python") => Runtime::Python,
            Some("nodejs" | "node") => Runtime::Node,
            Some(_) => return Err(fail("runtime must be \"python3\" or \"nodejs\"")),
            None => return Err(fail("a handler needs a runtime")),
        };
        let (module, function) = handler
            .rsplit_once('.')
            .ok_or_else(|| fail("handler must look like \"path/file.function\""))?;
        let extension = match runtime {
            Runtime::Python => "py",
            Runtime::Node => "js",
        };
        let file = base.join(format!("{module}.{extension}"));
        if !file.is_file() {
            return Err(fail(&format!(
                "handler file {} does not exist",
                file.display()
            )));
        }
        return Ok(FunctionSpec::Handler(HandlerSpec {
            runtime,
            file,
            function: function.to_string(),
            timeout,
            concurrency: entry.concurrency.unwrap_or(4).max(1),
            environment: entry.environment,
        }));
    }
    if let Some(command) = entry.command {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| fail("command must name a program"))?;
        let program = PathBuf::from(program);
        let program = if program.components().count() > 1 && program.is_relative() {
            base.join(program)
        } else {
            program
        };
        return Ok(FunctionSpec::Command(CommandSpec {
            program,
            args: args.to_vec(),
            timeout,
            environment: entry.environment,
        }));
    }
    let url = entry.url.unwrap_or_default();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(fail("url must be http:// or https://"));
    }
    Ok(FunctionSpec::Http(HttpSpec { url, timeout }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_and_encryption_tables_beside_the_functions_are_left_to_their_reader() {
        let text = r#"
            [functions.hello]
            command = ["echo", "{}"]

            [aws]
            enabled = ["sqs"]
            endpoint_url = "http://127.0.0.1:5000"

            [encryption]
            key_file = "fluxo.key"
        "#;
        let specs = parse(text, Path::new(".")).unwrap();
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].0, "hello");
        // Other unknown tables are still mistakes.
        assert!(parse("[function.hello]\ncommand = [\"x\"]", Path::new(".")).is_err());
    }
}
