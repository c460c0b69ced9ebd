//! The three clients of the walk, each behind one call: boto3 and the AWS SDK for JavaScript v3
//! as long-lived adapter processes (`boto3_client.py`, `sdk_client.mjs`: one JSON request a
//! line in, one answer a line out), and the AWS CLI as one `aws stepfunctions` process per
//! call, the way a user runs it (`--cli-input-json`, its own paging).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// What a client made of one call.
#[derive(Debug, Clone)]
pub enum Answer {
    Ok(Value),
    /// The AWS error code and message as the client reports them.
    Error {
        code: String,
        message: String,
    },
}

/// One client of the walk.
pub trait Client: Send {
    /// Calls `action` with `request` (and, for the CLI, extra arguments).
    fn call(&mut self, action: &str, request: &Value, cli_args: &[String]) -> Answer;
}

/// A client in a child process that answers one JSON line with one JSON line.
pub struct LineClient {
    name: &'static str,
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl LineClient {
    /// Starts `program args… ENDPOINT`.
    pub fn start(name: &'static str, mut command: Command, endpoint: &str) -> LineClient {
        let mut child = command
            .arg(endpoint)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("the {name} client starts: {error}"));
        let input = child.stdin.take().expect("stdin");
        let output = BufReader::new(child.stdout.take().expect("stdout"));
        LineClient {
            name,
            child,
            input,
            output,
        }
    }
}

impl Client for LineClient {
    fn call(&mut self, action: &str, request: &Value, _: &[String]) -> Answer {
        let line = json!({"action": action, "request": request}).to_string();
        writeln!(self.input, "{line}").expect("the client reads its input");
        let mut answer = String::new();
        self.output
            .read_line(&mut answer)
            .expect("the client answers");
        let answer: Value = serde_json::from_str(&answer)
            .unwrap_or_else(|_| panic!("{}: not a JSON answer: {answer:?}", self.name));
        match answer.get("ok") {
            Some(value) => Answer::Ok(value.clone()),
            None => Answer::Error {
                code: answer["error"]["code"].as_str().unwrap_or("").to_string(),
                message: answer["error"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            },
        }
    }
}

impl Drop for LineClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The AWS CLI: `aws stepfunctions <action> --cli-input-json <request>`.
pub struct Cli {
    pub aws: PathBuf,
    pub endpoint: String,
    /// An empty folder for the CLI's configuration, so that no user's profile leaks in.
    pub home: tempfile::TempDir,
}

impl Client for Cli {
    fn call(&mut self, action: &str, request: &Value, cli_args: &[String]) -> Answer {
        let nothing = self.home.path().join("none");
        let output = Command::new(&self.aws)
            .args(["stepfunctions", &kebab(action), "--cli-input-json"])
            .arg(request.to_string())
            .args(["--endpoint-url", &self.endpoint, "--output", "json"])
            // GetActivityTask long-polls up to 60 s, the CLI's default read timeout.
            .args(["--cli-read-timeout", "70"])
            .args(cli_args)
            .env("HOME", self.home.path())
            .env("AWS_CONFIG_FILE", &nothing)
            .env("AWS_SHARED_CREDENTIALS_FILE", &nothing)
            .env("AWS_ACCESS_KEY_ID", "any")
            .env("AWS_SECRET_ACCESS_KEY", "any")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("AWS_PAGER", "")
            // StartSyncExecution's `sync-` host prefix names no local host (botocore's setting).
            .env("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
            .output()
            .expect("the AWS CLI runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            // Actions whose output has no members print nothing.
            if stdout.trim().is_empty() {
                return Answer::Ok(json!({}));
            }
            return match serde_json::from_str(&stdout) {
                Ok(value) => Answer::Ok(value),
                Err(_) => Answer::Error {
                    code: "CliOutputNotJson".into(),
                    message: stdout.into_owned(),
                },
            };
        }
        cli_error(&stderr)
    }
}

/// `An error occurred (Code) when calling the Action operation: message`, or the CLI's own
/// complaint (a parameter its model refuses).
fn cli_error(stderr: &str) -> Answer {
    let marker = "An error occurred (";
    if let Some(start) = stderr.find(marker) {
        let rest = &stderr[start + marker.len()..];
        let code = rest.split(')').next().unwrap_or_default().to_string();
        let message = rest
            .split_once("operation: ")
            .map(|(_, message)| message.trim().to_string())
            .unwrap_or_default();
        return Answer::Error { code, message };
    }
    let code = if stderr.contains("Parameter validation failed") {
        "ParamValidationError"
    } else {
        "CliFailed"
    };
    Answer::Error {
        code: code.into(),
        message: stderr.trim().to_string(),
    }
}

/// `ListTagsForResource` → `list-tags-for-resource`.
pub fn kebab(action: &str) -> String {
    let mut out = String::new();
    for (index, letter) in action.chars().enumerate() {
        if letter.is_ascii_uppercase() && index > 0 {
            out.push('-');
        }
        out.push(letter.to_ascii_lowercase());
    }
    out
}

/// The folder of the walk's files.
pub fn walk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/walk")
}
