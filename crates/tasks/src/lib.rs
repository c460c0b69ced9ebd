//! Task integrations: operator-configured local functions that Task states call as they would
//! call AWS Lambda.
//!
//! Security invariant: only the operator defines functions (a `fluxo.toml` or
//! [`FunctionRegistry::register`]); nothing that arrives with an execution can name a program,
//! a file or a URL.

mod command;
mod config;
mod http;
mod worker;

pub use config::{CommandSpec, ConfigError, FunctionSpec, HandlerSpec, HttpSpec, Runtime};

use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// A failure exactly as a Task state sees it: the error name and the cause text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {}", cause.as_deref().unwrap_or(""))]
pub struct FunctionError {
    pub error: String,
    pub cause: Option<String>,
}

impl FunctionError {
    /// A failure reported the way Lambda reports an unhandled error: the cause is the JSON
    /// document `{"errorMessage", "errorType", "requestId", "stackTrace"}`, keys in that order.
    pub fn lambda(error_type: &str, message: &str, request_id: &str, stack: Vec<String>) -> Self {
        let payload = json!({
            "errorMessage": message,
            "errorType": error_type,
            "requestId": request_id,
            "stackTrace": stack,
        });
        FunctionError {
            error: error_type.to_string(),
            cause: Some(python_style_json(&payload)),
        }
    }
}

/// JSON text with `", "` and `": "` separators, as Python's `json.dumps` writes Lambda error
/// payloads.
pub(crate) fn python_style_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), python_style_json(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(python_style_json).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// What a function returned: its result, the length of the body its runtime wrote, and the
/// invocation's log as Lambda writes it (see [`lambda_log`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub payload: Value,
    pub body_bytes: Option<usize>,
    pub log: Option<String>,
}

/// An invocation's log in Lambda's shape: `START`, what the function printed, `END` and the
/// `REPORT` line (Lambda developer guide, "Lambda function logs"); its memory figures are the
/// configured 128 MB, the duration is measured.
pub fn lambda_log(request_id: &str, printed: &str, duration: std::time::Duration) -> String {
    let millis = duration.as_secs_f64() * 1000.0;
    format!(
        "START RequestId: {request_id} Version: $LATEST\n{printed}END RequestId: {request_id}\nREPORT RequestId: {request_id}\tDuration: {millis:.2} ms\tBilled Duration: {} ms\tMemory Size: 128 MB\t\n",
        millis.ceil().max(1.0) as u64
    )
}

enum Function {
    Handler(worker::Pool),
    Command(command::Command),
    Http(http::Endpoint),
}

/// The engine calls functions through its `FunctionInvoker` seam.
impl fluxo_engine::FunctionInvoker for FunctionRegistry {
    fn invoke(
        &self,
        call: fluxo_engine::FunctionCall,
    ) -> futures::future::BoxFuture<
        '_,
        Result<fluxo_engine::FunctionResult, fluxo_engine::TaskFailure>,
    > {
        Box::pin(async move {
            FunctionRegistry::invoke(self, &call.function_name, call.payload, &call.request_id)
                .await
                .map(|invocation| fluxo_engine::FunctionResult {
                    payload: invocation.payload,
                    body_bytes: invocation.body_bytes,
                    log: invocation.log,
                })
                .map_err(|failure| fluxo_engine::TaskFailure {
                    error: failure.error,
                    cause: failure.cause,
                })
        })
    }

    fn defines(&self, name: &str) -> bool {
        self.contains(name)
    }
}

/// The functions an engine may call, by name.
#[derive(Default, Clone)]
pub struct FunctionRegistry {
    functions: HashMap<String, Arc<Function>>,
}

impl FunctionRegistry {
    /// Reads `[functions.NAME]` tables from a `fluxo.toml`; relative paths are relative to the
    /// file's folder.
    pub fn from_toml_file(path: &Path) -> Result<Self, ConfigError> {
        let specs = config::load_file(path)?;
        Ok(Self::from_specs(specs))
    }

    pub fn from_toml_str(text: &str, base: &Path) -> Result<Self, ConfigError> {
        Ok(Self::from_specs(config::parse(text, base)?))
    }

    fn from_specs(specs: Vec<(String, FunctionSpec)>) -> Self {
        let mut registry = FunctionRegistry::default();
        for (name, spec) in specs {
            registry.register(&name, spec);
        }
        registry
    }

    pub fn register(&mut self, name: &str, spec: FunctionSpec) {
        let function = match spec {
            FunctionSpec::Handler(handler) => Function::Handler(worker::Pool::new(name, handler)),
            FunctionSpec::Command(command) => Function::Command(command::Command::new(command)),
            FunctionSpec::Http(endpoint) => Function::Http(http::Endpoint::new(endpoint)),
        };
        self.functions.insert(name.to_string(), Arc::new(function));
    }

    pub fn contains(&self, name: &str) -> bool {
        self.functions.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }

    /// Calls the function `name` with `payload`.
    pub async fn invoke(
        &self,
        name: &str,
        payload: Value,
        request_id: &str,
    ) -> Result<Invocation, FunctionError> {
        let Some(function) = self.functions.get(name) else {
            return Err(FunctionError {
                error: "Lambda.ResourceNotFoundException".into(),
                cause: Some(format!(
                    "Function not found: {name} (Service: Lambda, Status Code: 404, Request ID: {request_id})"
                )),
            });
        };
        match function.as_ref() {
            Function::Handler(pool) => pool.invoke(payload, request_id).await,
            Function::Command(command) => command.invoke(payload, request_id).await,
            Function::Http(endpoint) => endpoint.invoke(payload, request_id).await,
        }
    }

    /// Stops every worker process.
    pub async fn shutdown(&self) {
        for function in self.functions.values() {
            if let Function::Handler(pool) = function.as_ref() {
                pool.shutdown().await;
            }
        }
    }
}
