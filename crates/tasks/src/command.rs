//! Functions that are programs: the event as JSON on stdin, the result as JSON on stdout.

use crate::config::CommandSpec;
use crate::FunctionError;
use serde_json::Value;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

pub struct Command {
    spec: CommandSpec,
}

impl Command {
    pub fn new(spec: CommandSpec) -> Self {
        Command { spec }
    }

    pub async fn invoke(
        &self,
        payload: Value,
        request_id: &str,
    ) -> Result<crate::Invocation, FunctionError> {
        let started = std::time::Instant::now();
        let failure = |error_type: &str, message: String| {
            FunctionError::lambda(error_type, &message, request_id, Vec::new())
        };
        let mut child = tokio::process::Command::new(&self.spec.program)
            .args(&self.spec.args)
            .envs(&self.spec.environment)
            .env("FLUXO_REQUEST_ID", request_id)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| FunctionError {
                error: "Lambda.ServiceException".into(),
                cause: Some(format!(
                    "Cannot start {}: {error}",
                    self.spec.program.display()
                )),
            })?;
        let input = payload.to_string();
        let mut stdin = child.stdin.take();
        let run = async {
            if let Some(stdin) = stdin.as_mut() {
                // A program that exits without reading its input is not an error here.
                let _ = stdin.write_all(input.as_bytes()).await;
            }
            drop(stdin);
            child.wait_with_output().await
        };
        let output = match tokio::time::timeout(self.spec.timeout, run).await {
            Err(_) => {
                let seconds = self.spec.timeout.as_secs_f64();
                return Err(failure(
                    "Sandbox.Timedout",
                    format!(
                        "RequestId: {request_id} Error: Task timed out after {seconds:.2} seconds"
                    ),
                ));
            }
            Ok(Err(error)) => return Err(failure("Runtime.ExitError", error.to_string())),
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last_line = stderr.lines().last().unwrap_or_default().to_string();
            return Err(failure(
                "Runtime.ExitError",
                format!(
                    "RequestId: {request_id} Error: Runtime exited with error: {}{}",
                    output.status,
                    if last_line.is_empty() {
                        String::new()
                    } else {
                        format!(": {last_line}")
                    }
                ),
            ));
        }
        let payload = serde_json::from_slice(&output.stdout).map_err(|error| {
            failure(
                "Runtime.MarshalError",
                format!("Unable to marshal response: the output is not JSON ({error})"),
            )
        })?;
        // What the program wrote on stderr is its log.
        let printed = String::from_utf8_lossy(&output.stderr);
        Ok(crate::Invocation {
            payload,
            body_bytes: Some(output.stdout.len()),
            log: Some(crate::lambda_log(request_id, &printed, started.elapsed())),
        })
    }
}
