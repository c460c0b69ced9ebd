//! W1 over HTTP: `StartSyncExecution` against `fluxo server`'s stack (the API's router over the
//! runtime and SQLite, in this process), driven by wrk, next to the floor of the same HTTP
//! stack answering a fixed body, in the same run. Every answer of both is checked by a Lua
//! hook in wrk: status 200, `SUCCEEDED` and W1's expected output.

use crate::workloads::create_machine;
use anyhow::{bail, ensure, Context, Result};
use axum::response::IntoResponse;
use fluxo_types::StateMachineType;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// One wrk run.
pub struct HttpMeasure {
    pub name: &'static str,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Answers wrk checked (every answer it received).
    pub checked: u64,
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

/// W1 by StartSyncExecution over HTTP, then the bare stack, each for `seconds`.
pub async fn run(workloads: &Path, scratch: &Path, seconds: u64) -> Result<Vec<HttpMeasure>> {
    if !wrk_available() {
        bail!("wrk is not installed (apt-get install wrk)");
    }
    let specs: Value =
        serde_json::from_str(&std::fs::read_to_string(workloads.join("workloads.json"))?)?;
    let (input, expected) = (&specs["W1"]["input"], &specs["W1"]["expected_output"]);
    let definition = std::fs::read_to_string(workloads.join("w1_small.asl.json"))?;
    // The store and runtime `fluxo server` uses.
    let store = Arc::new(fluxo_store_sqlite::SqliteStore::open(
        &scratch.join("http-store"),
    )?);
    let runtime = fluxo_runtime::Runtime::new(
        store,
        Arc::new(fluxo_engine::NoFunctions),
        fluxo_runtime::RuntimeConfig::new("us-east-1", "123456789012"),
    );
    let machine = create_machine(&runtime, "W1", StateMachineType::Express, &definition).await?;
    let api = Arc::new(fluxo_api::Api::new(runtime));
    let fluxo_url = serve(fluxo_api::router(api)).await?;

    let body = json!({"stateMachineArn": machine.record.arn, "input": input.to_string()});
    let body = body.to_string();
    // One answer read in full and checked before the load.
    let answer_text = post(&fluxo_url, &body).await?;
    let answer: Value = serde_json::from_str(&answer_text)?;
    ensure!(answer["status"] == "SUCCEEDED", "W1 over HTTP: {answer}");
    let output: Value = serde_json::from_str(answer["output"].as_str().unwrap_or("null"))?;
    ensure!(&output == expected, "W1 over HTTP: {output}");
    // The floor: the same server stack answering every request with that same answer, so
    // both send the same bytes and pass the same check.
    let floor = axum::Router::new().fallback(move || {
        let body = answer_text.clone();
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

    let script = scratch.join("w1.lua");
    std::fs::write(&script, lua_script(&body, &output_fragment(expected))?)?;
    tokio::task::spawn_blocking(move || {
        let fluxo = load("W1 StartSyncExecution", &fluxo_url, &script, seconds)?;
        let floor = load(
            "floor: same stack, W1's answer as a fixed body",
            &floor_url,
            &script,
            seconds,
        )?;
        anyhow::Ok(vec![fluxo, floor])
    })
    .await?
}

/// The text of `"output":"…"` in an answer whose output is `expected`, as Fluxo writes it.
fn output_fragment(expected: &Value) -> String {
    let object = json!({ "output": expected.to_string() }).to_string();
    object[1..object.len() - 1].to_string()
}

/// wrk's script: the request, and a check of every answer, counted per thread and summed in
/// `done` (each wrk thread has its own Lua state).
fn lua_script(body: &str, output: &str) -> Result<String> {
    let long = |text: &str| {
        ensure!(!text.contains("]==]"), "cannot quote {text} in Lua");
        Ok(format!("[==[{text}]==]"))
    };
    Ok(format!(
        r#"wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AWSStepFunctions.StartSyncExecution"
local expected = {output}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; seen = 0 end
function response(status, headers, body)
  seen = seen + 1
  if status ~= 200 or not string.find(body, '"status":"SUCCEEDED"', 1, true)
     or not string.find(body, expected, 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b, s = 0, 0
  for _, t in ipairs(threads) do b = b + t:get("bad"); s = s + t:get("seen") end
  io.write(string.format("CHECKED bad=%d seen=%d\n", b, s))
end
"#,
        body = long(body)?,
        output = long(output)?,
    ))
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
    let checked_line = text
        .lines()
        .find(|line| line.starts_with("CHECKED "))
        .context("wrk's CHECKED line")?;
    let counted = |key: &str| {
        checked_line
            .split_whitespace()
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            .and_then(|n| n.parse::<u64>().ok())
            .with_context(|| format!("{key} in {checked_line}"))
    };
    let (bad, seen) = (counted("bad")?, counted("seen")?);
    ensure!(
        bad == 0 && seen > 0,
        "{name}: {bad} of {seen} answers were not 200 with W1's output"
    );
    Ok(HttpMeasure {
        name,
        requests_per_second,
        p50_ms,
        p99_ms,
        checked: seen,
    })
}

/// One request over a plain TCP connection (no HTTP client dependency for a single call);
/// the answer's body as text.
async fn post(url: &str, body: &str) -> Result<String> {
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
    let (head, payload) = response
        .split_once("\r\n\r\n")
        .context("an HTTP response")?;
    ensure!(head.starts_with("HTTP/1.1 200"), "W1 over HTTP: {head}");
    Ok(payload.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_fragment_is_the_escaped_output_as_fluxo_answers_it() {
        let fragment = output_fragment(&json!({"x": 1, "size": "big"}));
        assert_eq!(fragment, r#""output":"{\"x\":1,\"size\":\"big\"}""#);
    }

    #[test]
    fn wrk_latencies_are_read_in_milliseconds() {
        assert_eq!(millis("850.00us"), Some(0.85));
        assert_eq!(millis("1.20ms"), Some(1.2));
        assert_eq!(millis("2.00s"), Some(2000.0));
        assert_eq!(millis("2.00"), None);
    }
}
