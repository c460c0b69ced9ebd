//! Activity tasks through the API, as workers take them: `executions` Standard executions each
//! schedule one activity task, 8 workers take them with `GetActivityTask` (long polls over HTTP
//! against `fluxo server`'s stack in this process: the API's router over the runtime and
//! SQLite) and answer each with `SendTaskSuccess`. Figures: activity tasks per second, and the
//! latency from a worker sending `SendTaskSuccess` to the execution entering its next state
//! (that state's `PassStateEntered` timestamp in the history, millisecond resolution).
//!
//! Checked: every execution SUCCEEDED with the worker's answer in its output, and each task
//! was taken exactly once.

use crate::record::Record;
use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How many workers poll, as the benchmark asks.
pub const WORKERS: usize = 8;

/// One POST of the Step Functions API; the answer's JSON, or the error AWS's shape carries.
pub(crate) async fn call(
    client: &reqwest::Client,
    url: &str,
    action: &str,
    body: Value,
) -> Result<Value> {
    let response = client
        .post(url)
        .header("Content-Type", "application/x-amz-json-1.0")
        .header("X-Amz-Target", format!("AWSStepFunctions.{action}"))
        .body(body.to_string())
        .send()
        .await
        .with_context(|| format!("{action} is answered"))?;
    let status = response.status();
    let text = response.text().await?;
    ensure!(status.is_success(), "{action}: {status} {text}");
    Ok(serde_json::from_str(&text)?)
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default()
}

/// A worker: takes tasks until `done` reaches `total`; for each, the instant (epoch ms) just
/// before it sent `SendTaskSuccess`, by the execution's `n`.
async fn worker(
    client: reqwest::Client,
    url: String,
    activity: String,
    name: String,
    total: usize,
    done: Arc<AtomicUsize>,
    sent: Arc<Mutex<HashMap<u64, f64>>>,
) -> Result<()> {
    while done.load(Ordering::SeqCst) < total {
        let body = json!({"activityArn": activity, "workerName": name});
        let task = call(&client, &url, "GetActivityTask", body).await?;
        let Some(token) = task["taskToken"].as_str().filter(|t| !t.is_empty()) else {
            continue;
        };
        let input: Value = serde_json::from_str(task["input"].as_str().unwrap_or("null"))?;
        let n = input["n"].as_u64().context("a task's input names its n")?;
        let at = now_ms();
        let output = json!({"double": 2 * n}).to_string();
        call(
            &client,
            &url,
            "SendTaskSuccess",
            json!({"taskToken": token, "output": output}),
        )
        .await?;
        let repeated = sent.lock().unwrap().insert(n, at).is_some();
        ensure!(!repeated, "the task of execution {n} was taken twice");
        done.fetch_add(1, Ordering::SeqCst);
    }
    Ok(())
}

/// The definition: one activity task, then the state whose entry ends the latency.
fn definition(activity: &str) -> String {
    json!({
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": activity, "ResultPath": "$.result", "Next": "After"},
            "After": {"Type": "Pass", "End": true}
        }
    })
    .to_string()
}

/// Sets up the server, starts `executions`, runs the workers; the records.
pub async fn run(executions: usize, scratch: &Path) -> Result<Vec<Record>> {
    let store = Arc::new(fluxo_store_sqlite::SqliteStore::open(
        &scratch.join("activities-store"),
    )?);
    let runtime = fluxo_runtime::Runtime::new(
        store,
        Arc::new(fluxo_engine::NoFunctions),
        fluxo_runtime::RuntimeConfig::new("us-east-1", "123456789012"),
    );
    let api = Arc::new(fluxo_api::Api::new(runtime));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, fluxo_api::router(api)).await;
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(90))
        .build()?;
    let created = call(&client, &url, "CreateActivity", json!({"name": "work"})).await?;
    let activity = created["activityArn"].as_str().context("an activity")?;
    let body = json!({"name": "activities", "definition": definition(activity),
                      "roleArn": "arn:aws:iam::123456789012:role/fluxo-bench"});
    let created = call(&client, &url, "CreateStateMachine", body).await?;
    let machine = created["stateMachineArn"].as_str().context("a machine")?;
    let mut arns = Vec::with_capacity(executions);
    for n in 0..executions {
        let body = json!({"stateMachineArn": machine, "name": format!("e{n}"),
                          "input": json!({"n": n}).to_string()});
        let started = call(&client, &url, "StartExecution", body).await?;
        arns.push(
            started["executionArn"]
                .as_str()
                .context("an execution")?
                .to_string(),
        );
    }

    let done = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(Mutex::new(HashMap::new()));
    let clock = Instant::now();
    let mut workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            tokio::spawn(worker(
                client.clone(),
                url.clone(),
                activity.to_string(),
                format!("worker-{w}"),
                executions,
                done.clone(),
                sent.clone(),
            ))
        })
        .collect();
    // Timed to the last answer: the other workers are then in long polls that nothing will
    // answer, and are dropped (an abandoned poll takes no task).
    while done.load(Ordering::SeqCst) < executions {
        if let Some(failed) = workers.iter().position(|w| w.is_finished()) {
            let result = workers.swap_remove(failed).await?;
            result?;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let seconds = clock.elapsed().as_secs_f64();
    for worker in &workers {
        worker.abort();
    }
    let sent = std::mem::take(&mut *sent.lock().unwrap());
    let latencies = check_and_measure(&client, &url, &arns, &sent).await?;
    Ok(vec![record(executions, seconds, &latencies)])
}

/// Waits for each execution to end, checks its output, and returns the latencies (ms) from
/// `SendTaskSuccess` to `PassStateEntered`, sorted.
async fn check_and_measure(
    client: &reqwest::Client,
    url: &str,
    arns: &[String],
    sent: &HashMap<u64, f64>,
) -> Result<Vec<f64>> {
    let mut latencies = Vec::with_capacity(arns.len());
    for (n, arn) in arns.iter().enumerate() {
        let described = loop {
            let body = json!({"executionArn": arn});
            let described = call(client, url, "DescribeExecution", body).await?;
            if described["status"] != "RUNNING" {
                break described;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        ensure!(described["status"] == "SUCCEEDED", "e{n}: {described}");
        let output: Value = serde_json::from_str(described["output"].as_str().unwrap_or(""))?;
        ensure!(
            output == json!({"n": n, "result": {"double": 2 * n}}),
            "e{n}: {output}"
        );
        let body = json!({"executionArn": arn, "maxResults": 100});
        let history = call(client, url, "GetExecutionHistory", body).await?;
        let entered = history["events"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|event| event["type"] == "PassStateEntered")
            .and_then(|event| event["timestamp"].as_f64())
            .context("the next state's entry")?;
        let at = sent.get(&(n as u64)).context("the task was answered")?;
        latencies.push(entered * 1000.0 - at);
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn record(executions: usize, seconds: f64, latencies: &[f64]) -> Record {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let note = format!(
        "{WORKERS} workers over HTTP (GetActivityTask long polls, SendTaskSuccess), durable \
         Standard executions on SQLite, server and workers sharing {cores} cores; p50/p99 are \
         SendTaskSuccess to the next state entered (history timestamps, 1 ms resolution); every \
         output checked, each task taken once"
    );
    let mut record = Record::checked("activities", "activity tasks", executions, seconds, note)
        .with("cores", cores)
        .with(
            "per_core_per_second",
            executions as f64 / seconds / cores as f64,
        );
    record.p50_ms = Some(percentile(latencies, 0.5));
    record.p99_ms = Some(percentile(latencies, 0.99));
    println!(
        "activities             {executions:>10} tasks {seconds:>8.3} s {:>10.0} tasks/s ({:.0}/s per core); SendTaskSuccess -> next state p50 {:.1} ms, p99 {:.1} ms",
        executions as f64 / seconds,
        executions as f64 / seconds / cores as f64,
        record.p50_ms.unwrap_or_default(),
        record.p99_ms.unwrap_or_default()
    );
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 0.5), 51.0);
        assert_eq!(percentile(&sorted, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
