//! A moto server (`moto_server`, PyPI `moto[server]`) on loopback for the tests that point
//! `fluxo server`'s `[aws]` at a real AWS-compatible implementation, and boto3 scripts against
//! it. moto is found at `FLUXO_TEST_MOTO`, then `target/ci-venv/bin/moto_server`, then on
//! `PATH`; without it a test prints a notice and passes, unless `CI` or `FLUXO_REQUIRE_CLIENTS`
//! is set: then it fails.

use serde_json::Value;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

fn find_moto() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("FLUXO_TEST_MOTO") {
        return Some(PathBuf::from(path)).filter(|path| path.is_file());
    }
    let venv = super::root().join("target/ci-venv/bin/moto_server");
    if venv.is_file() {
        return Some(venv);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|path| path.is_file())
    })
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

impl Moto {
    /// Starts moto, or returns `None` (with a notice) when it is not installed and not required.
    pub fn start(test: &str) -> Option<Moto> {
        let Some(binary) = find_moto() else {
            assert!(
                !required(),
                "{test}: moto_server is required (CI / FLUXO_REQUIRE_CLIENTS) but was not found; install `moto[server]` from PyPI and set FLUXO_TEST_MOTO"
            );
            eprintln!("notice: {test} skipped: moto_server not found (set FLUXO_TEST_MOTO)");
            return None;
        };
        let port = free_port();
        let mut child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("{test}: moto_server could not start: {error}"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("{test}: moto_server exited with {status}");
            }
            assert!(Instant::now() < deadline, "{test}: moto did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            binary,
        })
    }

    /// The Python of moto's virtual environment (it has boto3), else `FLUXO_TEST_PYTHON`.
    pub fn python(&self) -> PathBuf {
        let beside = self.binary.with_file_name("python");
        if beside.is_file() {
            return beside;
        }
        std::env::var_os("FLUXO_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("python3"))
    }

    /// Runs a Python script with boto3; `aws(service)` makes a client of moto, `sfn` is a
    /// client of the Fluxo server at `fluxo` (when given). Its stdout, parsed as JSON.
    pub fn boto3(&self, fluxo: Option<&str>, script: &str) -> Value {
        let prelude = format!(
            "import boto3, json, sys, time\n\
             kw = dict(region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n\
             def aws(service):\n    return boto3.client(service, endpoint_url={:?}, **kw)\n\
             sfn = boto3.client('stepfunctions', endpoint_url={:?}, **kw) if {} else None\n",
            self.endpoint,
            fluxo.unwrap_or_default(),
            if fluxo.is_some() { "True" } else { "False" },
        );
        let mut child = Command::new(self.python())
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{prelude}{script}").as_bytes())
            .expect("the script is written");
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
