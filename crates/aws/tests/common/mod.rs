//! A moto server (`moto_server`, PyPI `moto[server]`) started by a test on loopback, and the
//! helpers the tests share.
//!
//! moto is found at `FLUXO_TEST_MOTO`, then in the venv `.ci/run` creates
//! (`target/ci-venv/bin/moto_server`), then on `PATH`. Without it a test prints a notice and
//! passes, unless `CI` or `FLUXO_REQUIRE_CLIENTS` is set: then it fails.

#![allow(dead_code)]

use aws_credential_types::Credentials;
use fluxo_aws::{AwsConfig, Enabled, Integrations, ServiceCall, ServiceFailure, ServiceResource};
use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const REGION: &str = "us-east-1";

/// A running moto server, stopped when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
    binary: PathBuf,
}

fn required() -> bool {
    ["CI", "FLUXO_REQUIRE_CLIENTS"].iter().any(|name| {
        std::env::var(name).is_ok_and(|value| !value.is_empty() && value != "0" && value != "false")
    })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn find_moto() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("FLUXO_TEST_MOTO") {
        return Some(PathBuf::from(path)).filter(|path| path.is_file());
    }
    let venv = workspace_root().join("target/ci-venv/bin/moto_server");
    if venv.is_file() {
        return Some(venv);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|path| path.is_file())
    })
}

impl Moto {
    /// Starts moto, or returns `None` (with a notice) when it is not installed and not required.
    pub fn start(test: &str) -> Option<Moto> {
        Moto::start_with_env(test, &[])
    }

    /// Starts moto with extra environment variables (e.g. `INITIAL_NO_AUTH_ACTION_COUNT`).
    pub fn start_with_env(test: &str, env: &[(&str, &str)]) -> Option<Moto> {
        let Some(binary) = find_moto() else {
            if required() {
                panic!("{test}: moto_server is required (CI / FLUXO_REQUIRE_CLIENTS) but was not found; install it with `pip install 'moto[server]'` and set FLUXO_TEST_MOTO");
            }
            eprintln!("notice: {test} skipped: moto_server not found (pip install 'moto[server]', or set FLUXO_TEST_MOTO)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(&binary);
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ALLOW_NONEXISTENT_REGION", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("{test}: moto_server could not start: {error}"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("{test}: moto_server exited with {status}");
            }
            assert!(
                Instant::now() < deadline,
                "{test}: moto_server did not listen within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            binary,
        })
    }

    /// Forgets every resource (moto's `/moto-api/reset`).
    pub async fn reset(&self) {
        let response = reqwest::Client::new()
            .post(format!("{}/moto-api/reset", self.endpoint))
            .send()
            .await
            .expect("moto resets");
        assert!(
            response.status().is_success(),
            "moto reset: {}",
            response.status()
        );
    }

    /// The Python of moto's virtual environment (it has boto3).
    pub fn python(&self) -> PathBuf {
        let beside = self.binary.with_file_name("python");
        if beside.is_file() {
            return beside;
        }
        std::env::var_os("FLUXO_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("python3"))
    }

    /// Runs a Python script with boto3 against this server; its stdout, parsed as JSON.
    pub fn boto3(&self, script: &str, access_key: &str, secret_key: &str) -> Value {
        self.boto3_with_input(script, access_key, secret_key, "")
    }

    /// As [`Moto::boto3`], with text on the script's standard input.
    pub fn boto3_with_input(
        &self,
        script: &str,
        access_key: &str,
        secret_key: &str,
        input: &str,
    ) -> Value {
        use std::io::Write;
        let prelude = format!(
            "import boto3, json, sys\nkw = dict(endpoint_url={:?}, region_name={REGION:?}, aws_access_key_id={access_key:?}, aws_secret_access_key={secret_key:?})\n",
            self.endpoint
        );
        let mut child = Command::new(self.python())
            .arg("-c")
            .arg(format!("{prelude}{script}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python runs");
        child
            .stdin
            .take()
            .expect("a stdin pipe")
            .write_all(input.as_bytes())
            .expect("the script reads its input");
        let output = child.wait_with_output().expect("python ends");
        assert!(
            output.status.success(),
            "boto3 script failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "boto3 script printed no JSON ({error}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Integrations against `endpoint` with test credentials.
pub fn integrations(endpoint: &str, enabled: Enabled) -> Integrations {
    let config = AwsConfig {
        enabled,
        endpoint_url: Some(endpoint.to_string()),
        ..AwsConfig::default()
    };
    Integrations::with_credentials(
        &config,
        Credentials::new("testing", "testing", None, None, "tests"),
    )
    .expect("integrations")
}

/// Calls a Task resource with parameters.
pub async fn call(
    integrations: &Integrations,
    arn: &str,
    parameters: Value,
) -> Result<Value, ServiceFailure> {
    let resource = ServiceResource::parse(arn)
        .expect("a recognized resource")
        .expect("a service integration");
    integrations
        .call(ServiceCall {
            resource,
            parameters,
            region: REGION.to_string(),
            state_machine_arn: Some(
                "arn:aws:states:us-east-1:123456789012:stateMachine:test".to_string(),
            ),
            execution_arn: Some(
                "arn:aws:states:us-east-1:123456789012:execution:test:run-1".to_string(),
            ),
            raw_body: None,
        })
        .await
}
