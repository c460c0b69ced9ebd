//! What the tests of AWS service integrations share: a `fluxo server` with a `fluxo.toml` of
//! the test's own (credentials only from the environment), state machines created and run
//! through the API, their histories, and a listener that counts the connections made to it.

use super::{call, Server};
use serde_json::{json, Value};
use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A Fluxo server whose `fluxo.toml` has this `[aws]` body, with credentials only from the
/// environment (no shared files, no instance metadata).
pub fn fluxo_with(aws: &str) -> (Server, tempfile::TempDir) {
    fluxo_with_toml(&format!("[aws]\n{aws}\n"), &[])
}

/// A Fluxo server with this `fluxo.toml`, and these files (name, text) beside it.
pub fn fluxo_with_toml(toml: &str, files: &[(&str, &str)]) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fluxo.toml");
    std::fs::write(&config, toml).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let server = start_in(&dir);
    (server, dir)
}

/// (Re)starts the server of [`fluxo_with_toml`]'s folder: its `fluxo.toml`, its data.
pub fn start_in(dir: &tempfile::TempDir) -> Server {
    let missing = dir.path().join("none").display().to_string();
    Server::start_with_env(
        &dir.path().join("data"),
        Some(&dir.path().join("fluxo.toml")),
        &[],
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_CONFIG_FILE", &missing),
            ("AWS_SHARED_CREDENTIALS_FILE", &missing),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    )
}

pub fn create(endpoint: &str, name: &str, definition: &Value, kind: &str) -> String {
    let (status, body) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": name, "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r", "type": kind}),
    );
    assert_eq!(status, 200, "{body}");
    body["stateMachineArn"].as_str().unwrap().to_string()
}

/// Starts an execution and waits for its end: `DescribeExecution`'s answer.
pub fn run(endpoint: &str, machine: &str, input: &Value) -> Value {
    let (status, started) = call(
        endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": input.to_string()}),
    );
    assert_eq!(status, 200, "{started}");
    let arn = started["executionArn"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, described) = call(endpoint, "DescribeExecution", &json!({"executionArn": arn}));
        if described["status"] != "RUNNING" {
            return described;
        }
        assert!(Instant::now() < deadline, "still running: {described}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn history(endpoint: &str, execution: &str) -> Vec<Value> {
    let (status, body) = call(
        endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": execution, "maxResults": 1000}),
    );
    assert_eq!(status, 200, "{body}");
    body["events"].as_array().unwrap().clone()
}

/// The details of the events of this type, in order.
pub fn details(events: &[Value], kind: &str) -> Vec<Value> {
    let key = format!("{}{}EventDetails", kind[..1].to_lowercase(), &kind[1..]);
    events
        .iter()
        .filter(|event| event["type"] == kind)
        .map(|event| event[&key].clone())
        .collect()
}

pub fn output(described: &Value) -> Value {
    serde_json::from_str(described["output"].as_str().unwrap_or("null")).unwrap()
}

/// A TCP listener that counts the connections made to it.
pub fn counting_listener() -> (String, Arc<AtomicUsize>) {
    // Bound at once (port 0), so no other server of a parallel test can take the port.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0u8; 1024];
            let _ = stream.read(&mut buffer);
        }
    });
    (format!("http://127.0.0.1:{port}"), count)
}

/// moto, and a Fluxo server configured with `aws` as the body of its `[aws]` table (`ENDPOINT`
/// stands for moto's URL).
pub struct MotoSetup {
    pub moto: super::moto::Moto,
    pub server: Server,
    pub dir: tempfile::TempDir,
}

/// [`MotoSetup`] for `test`; `None` when moto is not there and the test may skip.
pub fn with_moto(test: &str, aws: &str) -> Option<MotoSetup> {
    let moto = super::moto::Moto::start(test)?;
    let (server, dir) = fluxo_with(&aws.replace("ENDPOINT", &moto.endpoint));
    Some(MotoSetup { moto, server, dir })
}
