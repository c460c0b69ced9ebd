//! Several `fluxo server` processes on one throwaway PostgreSQL database: nodes that can be
//! killed with SIGKILL and restarted, and calls that go to a chosen node and, when it does not
//! answer (it is being killed), to the next one.

use super::Server;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One node: its process (none while it is down) and where it listens.
struct Node {
    server: Option<Server>,
    endpoint: String,
    data: tempfile::TempDir,
}

pub struct Cluster {
    url: String,
    config: Option<PathBuf>,
    lease_seconds: String,
    nodes: Vec<Mutex<Node>>,
    server_errors: std::sync::atomic::AtomicUsize,
}

impl Cluster {
    /// Starts `count` nodes on the database at `url`, each with its own `--node-id`.
    pub fn start(url: &str, count: usize, config: Option<&Path>, lease_seconds: u64) -> Cluster {
        let mut cluster = Cluster {
            url: url.to_string(),
            config: config.map(Path::to_path_buf),
            lease_seconds: lease_seconds.to_string(),
            nodes: Vec::new(),
            server_errors: Default::default(),
        };
        for index in 0..count {
            let data = tempfile::tempdir().expect("a folder for the node");
            let server = cluster.spawn(&data, &format!("node-{index}"));
            cluster.nodes.push(Mutex::new(Node {
                endpoint: server.endpoint.clone(),
                server: Some(server),
                data,
            }));
        }
        cluster
    }

    fn spawn(&self, data: &tempfile::TempDir, node_id: &str) -> Server {
        let args = [
            "--database",
            &self.url,
            "--node-id",
            node_id,
            "--lease-seconds",
            &self.lease_seconds,
        ];
        Server::start_with(data.path(), self.config.as_deref(), &args)
    }

    /// Answers with a 5xx status so far (each tried again).
    pub fn server_errors(&self) -> usize {
        self.server_errors.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Where node `index` listens now (a restarted node listens on a new port).
    pub fn endpoint(&self, index: usize) -> String {
        self.nodes[index].lock().unwrap().endpoint.clone()
    }

    /// SIGKILLs node `index` (its calls in flight get no answer).
    pub fn kill(&self, index: usize) {
        let server = self.nodes[index].lock().unwrap().server.take();
        if let Some(server) = server {
            server.kill();
        }
    }

    /// Starts node `index` again, as `node_id` (its old id takes its executions back at once;
    /// a new id leaves them to expire and be taken over).
    pub fn restart(&self, index: usize, node_id: &str) {
        let server = {
            let node = self.nodes[index].lock().unwrap();
            self.spawn(&node.data, node_id)
        };
        let mut node = self.nodes[index].lock().unwrap();
        node.endpoint = server.endpoint.clone();
        node.server = Some(server);
    }

    /// What every node printed, for failure messages.
    pub fn report(&self) -> String {
        let mut report = String::new();
        for (index, node) in self.nodes.iter().enumerate() {
            if let Some(server) = node.lock().unwrap().server.as_mut() {
                report.push_str(&format!("== node {index}\n{}\n", server.report()));
            }
        }
        report
    }

    /// Calls node `index`, then the others in turn, until one answers (nodes are being
    /// killed); an answer with a 5xx status is tried again, as AWS's SDKs retry
    /// `InternalFailure` (and counted: [`Cluster::server_errors`]). Panics after two minutes
    /// without an answer.
    pub fn call(&self, index: usize, action: &str, body: &Value) -> (u16, Value) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut next = index;
        loop {
            match try_call(&self.endpoint(next % self.len()), action, body, 30) {
                Some((status, answer)) if status >= 500 => {
                    eprintln!("{action}: {status} {answer}; trying again");
                    self.server_errors
                        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                Some(answer) => return answer,
                None => {}
            }
            assert!(Instant::now() < deadline, "no node answered {action}");
            next += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One call that may meet a node being killed: `None` when no answer came within `timeout`
/// seconds.
pub fn try_call(endpoint: &str, action: &str, body: &Value, timeout: u64) -> Option<(u16, Value)> {
    let response = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(timeout))
        .build()
        .ok()?
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("AWSStepFunctions.{action}"))
        .body(body.to_string())
        .send()
        .ok()?;
    let status = response.status().as_u16();
    Some((status, serde_json::from_str(&response.text().ok()?).ok()?))
}
