//! W1 over HTTP: `StartSyncExecution` against `fluxo server`'s stack, driven by wrk, next to
//! the floor of the same HTTP stack answering a fixed JSON body, in the same run.

use anyhow::{bail, ensure, Context, Result};
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

pub struct HttpMeasure {
    pub name: &'static str,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Whether wrk (Debian's package) is there to drive the load.
pub fn wrk_available() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

async fn serve(router: axum::Router) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(format!("http://{address}/"))
}

/// Milliseconds from wrk's latency notation (`850.00us`, `1.20ms`, `2.00s`).
fn millis(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn load(name: &'static str, url: &str, script: &Path, seconds: u64) -> Result<HttpMeasure> {
    let output = Command::new("wrk")
        .args(["-t2", "-c64", &format!("-d{seconds}s"), "--latency", "-s"])
        .arg(script)
        .arg(url)
        .output()
        .context("wrk runs")?;
    let text = String::from_utf8_lossy(&output.stdout);
    ensure!(output.status.success(), "wrk failed: {text}");
    ensure!(
        !text.contains("Non-2xx"),
        "{name}: some requests failed:\n{text}"
    );
    let field = |label: &str| {
        text.lines()
            .find(|line| line.trim_start().starts_with(label))
            .and_then(|line| line.split_whitespace().nth(1).map(str::to_string))
    };
    let requests_per_second = field("Requests/sec:")
        .and_then(|n| n.parse().ok())
        .context("wrk's Requests/sec")?;
    let p50_ms = field("50%").and_then(|n| millis(&n)).context("p50")?;
    let p99_ms = field("99%").and_then(|n| millis(&n)).context("p99")?;
    Ok(HttpMeasure {
        name,
        requests_per_second,
        p50_ms,
        p99_ms,
    })
}

/// W1 by StartSyncExecution over HTTP, and the bare stack, each for `seconds`.
pub async fn run(workloads: &Path, scratch: &Path, seconds: u64) -> Result<Vec<HttpMeasure>> {
    if !wrk_available() {
        bail!("wrk is not installed (apt-get install wrk)");
    }
    let definition = std::fs::read_to_string(workloads.join("w1_small.asl.json"))?;
    // The store `fluxo server` uses.
    let store = Arc::new(
        fluxo_store_sqlite::SqliteStore::open(&scratch.join("http-store"))
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let machine =
        crate::workloads::store_machine(store.as_ref(), "W1", "EXPRESS", definition).await?;
    let runtime =
        fluxo_runtime::Runtime::new(store, Arc::new(fluxo_engine::NoFunctions), "us-east-1");
    let api = Arc::new(fluxo_api::Api::new(runtime, "us-east-1", "123456789012"));
    let fluxo_url = serve(fluxo_api::router(api)).await?;
    // The floor: the same server stack answering every request with a fixed body.
    let fixed = json!({"status": "SUCCEEDED", "output": "{\"x\":1}"}).to_string();
    let floor = axum::Router::new().fallback(move || {
        let body = fixed.clone();
        async move {
            (
                [(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-amz-json-1.0",
                )],
                body,
            )
                .into_response()
        }
    });
    let floor_url = serve(floor).await?;

    let body = json!({"stateMachineArn": machine.arn, "input": "{\"x\": 1}"}).to_string();
    // Check the answer before measuring, so that speed is not bought by doing less.
    let answer = post(&fluxo_url, &body).await?;
    ensure!(answer["status"] == "SUCCEEDED", "W1 over HTTP: {answer}");
    let output: Value = serde_json::from_str(answer["output"].as_str().unwrap_or("null"))?;
    ensure!(
        output == json!({"x": 1, "data": {"value": 7}, "size": "big"}),
        "W1 over HTTP: {output}"
    );

    let script = scratch.join("w1.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = {}\nwrk.headers[\"Content-Type\"] = \"application/x-amz-json-1.0\"\nwrk.headers[\"X-Amz-Target\"] = \"AWSStepFunctions.StartSyncExecution\"\n",
            serde_json::to_string(&body)?
        ),
    )?;
    let (fluxo, floor) = tokio::task::spawn_blocking(move || {
        let fluxo = load("W1 StartSyncExecution", &fluxo_url, &script, seconds)?;
        let floor = load(
            "floor: fixed JSON, same stack",
            &floor_url,
            &script,
            seconds,
        )?;
        anyhow::Ok((fluxo, floor))
    })
    .await??;
    Ok(vec![fluxo, floor])
}

/// One request over a plain TCP connection (no HTTP client dependency for a single call).
async fn post(url: &str, body: &str) -> Result<Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await?;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AWSStepFunctions.StartSyncExecution\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (_, payload) = response
        .split_once("\r\n\r\n")
        .context("an HTTP response")?;
    Ok(serde_json::from_str(payload)?)
}
