//! Warm worker processes for Lambda-style handlers: a process imports the handler once and
//! serves one call at a time; a pool keeps up to `concurrency` of them.

use crate::config::{HandlerSpec, Runtime};
use crate::FunctionError;
use serde_json::{json, Value};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Semaphore;

const PYTHON_WORKER: &str = include_str!("workers/python_worker.py");
const NODE_WORKER: &str = include_str!("workers/node_worker.js");

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

pub struct Pool {
    name: String,
    spec: HandlerSpec,
    idle: Mutex<Vec<Worker>>,
    slots: Semaphore,
}

impl Pool {
    pub fn new(name: &str, spec: HandlerSpec) -> Self {
        Pool {
            name: name.to_string(),
            slots: Semaphore::new(spec.concurrency.max(1)),
            spec,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn spawn(&self) -> std::io::Result<Worker> {
        let file = std::path::absolute(&self.spec.file)
            .unwrap_or_else(|_| self.spec.file.clone())
            .to_string_lossy()
            .to_string();
        let mut command = match self.spec.runtime {
            Runtime::Python => {
                let mut command = Command::new("python3");
                command.args(["-u", "-c", PYTHON_WORKER, &file, &self.spec.function]);
                command
            }
            Runtime::Node => {
                let mut command = Command::new("node");
                command.args(["-e", NODE_WORKER, &file, &self.spec.function]);
                command
            }
        };
        if let Some(folder) = self
            .spec
            .file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            command.current_dir(folder);
        }
        command
            .envs(&self.spec.environment)
            .env("AWS_LAMBDA_FUNCTION_NAME", &self.name)
            .env(
                "AWS_LAMBDA_FUNCTION_TIMEOUT",
                self.spec.timeout.as_secs().to_string(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        if let Some(stderr) = child.stderr.take() {
            let name = self.name.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    tracing::info!(function = %name, "{line}");
                }
            });
        }
        Ok(Worker {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    pub async fn invoke(
        &self,
        payload: Value,
        request_id: &str,
    ) -> Result<crate::Invocation, FunctionError> {
        let started = std::time::Instant::now();
        let _slot = self.slots.acquire().await.map_err(|_| FunctionError {
            error: "Lambda.ServiceException".into(),
            cause: Some(format!("The function {} is shutting down", self.name)),
        })?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut worker = match idle {
            Some(worker) => worker,
            None => self.spawn().map_err(|error| FunctionError {
                error: "Lambda.ServiceException".into(),
                cause: Some(format!(
                    "Cannot start the {:?} runtime for function {}: {error}",
                    self.spec.runtime, self.name
                )),
            })?,
        };
        let deadline_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|now| (now + self.spec.timeout).as_millis() as u64)
            .unwrap_or(0);
        let request = json!({
            "event": payload,
            "request_id": request_id,
            "function_name": self.name,
            "deadline_ms": deadline_ms,
        });
        let exchange = async {
            let mut line = request.to_string();
            line.push('\n');
            worker.stdin.write_all(line.as_bytes()).await?;
            worker.stdin.flush().await?;
            let mut response = String::new();
            let read = worker.stdout.read_line(&mut response).await?;
            std::io::Result::Ok((read, response))
        };
        let answer = match tokio::time::timeout(self.spec.timeout, exchange).await {
            Err(_) => {
                let _ = worker.child.start_kill();
                let seconds = self.spec.timeout.as_secs_f64();
                return Err(FunctionError::lambda(
                    "Sandbox.Timedout",
                    &format!(
                        "RequestId: {request_id} Error: Task timed out after {seconds:.2} seconds"
                    ),
                    request_id,
                    Vec::new(),
                ));
            }
            Ok(Err(_)) | Ok(Ok((0, _))) => None,
            Ok(Ok((_, response))) => Some(response),
        };
        let Some(response) = answer else {
            let status = worker.child.wait().await.ok();
            let status = status.map_or("unknown".to_string(), |s| s.to_string());
            return Err(FunctionError::lambda(
                "Runtime.ExitError",
                &format!("RequestId: {request_id} Error: Runtime exited with error: {status}"),
                request_id,
                Vec::new(),
            ));
        };
        let outcome = decode(&response, request_id, started.elapsed());
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(worker);
        outcome
    }

    pub async fn shutdown(&self) {
        let workers: Vec<Worker> = self
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
            .collect();
        for mut worker in workers {
            let _ = worker.child.start_kill();
            let _ = worker.child.wait().await;
        }
    }
}

/// A worker's answer: the result's JSON text (and the handler's prints), or a Lambda error
/// payload.
fn decode(
    response: &str,
    request_id: &str,
    duration: std::time::Duration,
) -> Result<crate::Invocation, FunctionError> {
    let protocol_error = || {
        FunctionError::lambda(
            "Runtime.InvalidResponse",
            "The function's runtime returned a response Fluxo cannot read",
            request_id,
            Vec::new(),
        )
    };
    let message: Value = serde_json::from_str(response).map_err(|_| protocol_error())?;
    if let Some(text) = message.get("result_text").and_then(Value::as_str) {
        let printed = message
            .get("log")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Ok(crate::Invocation {
            // Bytes that are not JSON reach Step Functions as text, as Lambda passes them on.
            payload: serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())),
            body_bytes: Some(text.len()),
            log: Some(crate::lambda_log(request_id, printed, duration)),
        });
    }
    let Some(error) = message.get("error") else {
        return Err(protocol_error());
    };
    let text = |key: &str| error.get(key).and_then(Value::as_str).unwrap_or_default();
    let stack: Vec<String> = error
        .get("stackTrace")
        .and_then(Value::as_array)
        .map(|frames| {
            frames
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Err(FunctionError::lambda(
        text("errorType"),
        text("errorMessage"),
        request_id,
        stack,
    ))
}
