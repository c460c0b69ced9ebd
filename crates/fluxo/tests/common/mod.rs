//! What the server tests share: a `fluxo server` child process on a free port, raw AWS JSON
//! 1.0 calls to it, and the Python with boto3.
#![allow(dead_code)] // each test binary uses its own part of it

pub mod aws;
pub mod cluster;
pub mod moto;
pub mod stand_in;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub struct Server {
    pub child: Child,
    pub endpoint: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `fluxo server` on a free port and waits until it listens.
    pub fn start(data_dir: &Path, config: Option<&Path>) -> Server {
        Self::start_with(data_dir, config, &[])
    }

    pub fn start_with(data_dir: &Path, config: Option<&Path>, extra: &[&str]) -> Server {
        Self::start_with_env(data_dir, config, extra, &[])
    }

    /// As [`Server::start_with`], with environment variables for the server process.
    pub fn start_with_env(
        data_dir: &Path,
        config: Option<&Path>,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fluxo"));
        command.envs(env.iter().copied());
        command
            .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(config) = config {
            command.arg("--config").arg(config);
        }
        command.args(extra);
        let mut child = command.spawn().expect("fluxo server starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        // The line that says where the server listens (log lines may come before it).
        let mut seen = Vec::new();
        let endpoint = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("no address in {seen:?}"))
                .expect("readable stderr");
            let address = line
                .split_whitespace()
                .find(|word| word.starts_with("http://"))
                .map(str::to_string);
            seen.push(line);
            if let Some(address) = address {
                break address;
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe, and keep it for
        // the failure message.
        let log = std::sync::Arc::new(std::sync::Mutex::new(seen));
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Server {
            child,
            endpoint,
            log,
        }
    }

    /// The server's state and what it printed, for failure messages.
    pub fn report(&mut self) -> String {
        let status = self.child.try_wait().ok().flatten();
        let log = self.log.lock().unwrap().join("\n");
        format!("server exit status: {status:?}\nserver log:\n{log}")
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn call(endpoint: &str, action: &str, body: &Value) -> (u16, Value) {
    raw(endpoint, Some(action), body.to_string().into_bytes())
}

pub fn raw(endpoint: &str, action: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let client = reqwest::blocking::Client::new();
    let mut request = client
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.0")
        .body(body);
    if let Some(action) = action {
        request = request.header("x-amz-target", format!("AWSStepFunctions.{action}"));
    }
    let response = request.send().expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().expect("a body");
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, value)
}

/// The execution once it has ended (DescribeExecution's answer), waiting up to 60 s.
pub fn ended(endpoint: &str, execution_arn: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (status, described) = call(
            endpoint,
            "DescribeExecution",
            &serde_json::json!({"executionArn": execution_arn}),
        );
        assert_eq!(status, 200, "{described}");
        if described["status"] != "RUNNING" {
            return described;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{execution_arn} still running"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

pub fn error_type(body: &Value) -> &str {
    let full = body["__type"].as_str().unwrap_or_default();
    full.rsplit('#').next().unwrap_or(full)
}

/// Whether a test must fail, rather than skip with a notice, when a client it needs is
/// missing: under CI or `FLUXO_REQUIRE_CLIENTS` (which `.ci/run` sets).
pub fn clients_required() -> bool {
    std::env::var_os("FLUXO_REQUIRE_CLIENTS").is_some() || std::env::var_os("CI").is_some()
}

/// The Python that has boto3: the one `.ci/run` prepares, else the system's.
pub fn python_with_boto3() -> Option<String> {
    let python = std::env::var("FLUXO_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_boto3 = Command::new(&python)
        .args(["-c", "import boto3"])
        .status()
        .is_ok_and(|status| status.success());
    if has_boto3 {
        Some(python)
    } else if clients_required() {
        panic!("{python} cannot import boto3, and FLUXO_REQUIRE_CLIENTS (or CI) is set");
    } else {
        None
    }
}

/// The AWS CLI: the one beside the Python `.ci/run` prepares (its venv installs `awscli`),
/// else `aws` on the PATH. Missing: a panic under [`clients_required`], else `None`.
pub fn aws_cli() -> Option<PathBuf> {
    let beside = std::env::var("FLUXO_TEST_PYTHON")
        .ok()
        .and_then(|python| Some(Path::new(&python).parent()?.join("aws")))
        .filter(|aws| aws.exists());
    let aws = beside.unwrap_or_else(|| PathBuf::from("aws"));
    let works = Command::new(&aws)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if works {
        Some(aws)
    } else if clients_required() {
        panic!(
            "the AWS CLI ({}) does not run, and FLUXO_REQUIRE_CLIENTS (or CI) is set",
            aws.display()
        );
    } else {
        None
    }
}

/// The `type` of each event of a history (`GetExecutionHistory`'s `events`, `fluxo run`'s
/// `history`).
pub fn event_types(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect()
}

/// Checks one history: ids 1..n without a gap, each `previousEventId` pointing back to an
/// earlier event (or 0, as AWS writes it for the first state entered), timestamps in order,
/// one start and one end. Returns the event types.
pub fn check_history(events: &[Value], name: &str) -> Vec<String> {
    let ids: Vec<u64> = events.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (1..=events.len() as u64).collect();
    assert_eq!(ids, expected, "{name}: ids");
    let times: Vec<f64> = events
        .iter()
        .map(|e| e["timestamp"].as_f64().unwrap())
        .collect();
    let summary: Vec<String> = events
        .iter()
        .map(|e| format!("{} {} {}", e["id"], e["type"], e["timestamp"]))
        .collect();
    assert!(
        times.windows(2).all(|p| p[0] <= p[1]),
        "{name}: time order: {summary:#?}"
    );
    for event in events.iter().skip(1) {
        let previous = event["previousEventId"].as_u64().unwrap();
        assert!(previous < event["id"].as_u64().unwrap(), "{name}: {event}");
    }
    let kinds: Vec<String> = events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds[0], "ExecutionStarted", "{name}");
    let ends = kinds.iter().filter(|k| k.starts_with("Execution")).count();
    assert_eq!(ends, 2, "{name}: {kinds:?}");
    kinds
}

/// The Parallel both crash workloads end with (`"Fork"`): a Map over `$.items` beside a Choice
/// loop counting to 3; its result at `$.fork` is `{"items": [...], "count": 3}`.
pub fn fork_state() -> Value {
    serde_json::json!({
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Each", "States": {"Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": true}}},
                "End": true
            }}},
            {"StartAt": "Init", "States": {
                "Init": {"Type": "Pass", "Result": {"i": 0}, "Next": "Check"},
                "Check": {"Type": "Choice",
                          "Choices": [{"Variable": "$.i", "NumericLessThan": 3, "Next": "Count"}],
                          "Default": "Counted"},
                "Count": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
                "Counted": {"Type": "Succeed"}
            }}
        ],
        "ResultSelector": {"items.$": "$[0]", "count.$": "$[1].i"},
        "ResultPath": "$.fork",
        "End": true
    })
}
