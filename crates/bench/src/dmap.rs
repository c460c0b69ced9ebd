//! A Distributed Map over items in S3, as the "done when" asks: `items` JSON Lines
//! items in one object of a moto server on loopback (moto found at `FLUXO_TEST_MOTO`, else
//! `moto_server` on `PATH`), read by `ItemReader`, 100 items per child execution
//! (`ItemBatcher`; `FLUXO_BENCH_DMAP_BATCH` sets another count), results written back to S3 (`ResultWriter`), through `fluxo server`'s stack
//! in this process (the API's router over the runtime, SQLite and the `[aws]` integrations).
//! Figures: items per second from `StartExecution` to the execution's end, and the process's
//! resident memory before and at its peak (meaningful with `--only dmap`: nothing else ran).
//!
//! Checked: the execution SUCCEEDED, the Map Run counts every item and child as succeeded, and
//! the manifest lists one file of succeeded children.

use crate::activities::call;
use crate::record::Record;
use crate::rss;
use anyhow::{ensure, Context, Result};
use aws_credential_types::Credentials;
use fluxo_aws::{AwsConfig, Integrations};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Items per child execution: `FLUXO_BENCH_DMAP_BATCH` (1 runs one child per item), else
/// 100.
fn batch() -> usize {
    std::env::var("FLUXO_BENCH_DMAP_BATCH")
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|&batch| batch > 0)
        .unwrap_or(100)
}

/// moto, stopped (by its id) when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_binary() -> Result<PathBuf> {
    if let Ok(path) = std::env::var("FLUXO_TEST_MOTO") {
        return Ok(PathBuf::from(path));
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("moto_server"))
                .find(|path| path.is_file())
        })
        .context("the dmap section needs moto_server (PyPI moto[server]); set FLUXO_TEST_MOTO")
}

async fn start_moto() -> Result<Moto> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(moto_binary()?)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("moto_server starts")?;
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        ensure!(Instant::now() < deadline, "moto did not listen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(moto)
}

/// The bucket and the object of `items` lines, put with plain HTTP (moto checks no signature).
async fn put_items(client: &reqwest::Client, moto: &str, items: usize) -> Result<()> {
    let created = client.put(format!("{moto}/bench")).send().await?;
    ensure!(
        created.status().is_success(),
        "bucket: {}",
        created.status()
    );
    let body: Vec<String> = (0..items).map(|id| json!({"id": id}).to_string()).collect();
    let put = client
        .put(format!("{moto}/bench/items.jsonl"))
        .header("Content-Type", "application/octet-stream")
        .body(body.join("\n"))
        .send()
        .await?;
    ensure!(put.status().is_success(), "object: {}", put.status());
    Ok(())
}

fn definition() -> String {
    json!({"StartAt": "Map", "States": {"Map": {
        "Type": "Map", "End": true, "MaxConcurrency": 1000,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSONL"},
                       "Parameters": {"Bucket": "bench", "Key": "items.jsonl"}},
        "ItemBatcher": {"MaxItemsPerBatch": batch()},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "bench", "Prefix": "results"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Count", "States": {"Count": {"Type": "Pass",
                              "Parameters": {"items.$": "States.ArrayLength($.Items)"}, "End": true}}}}}})
    .to_string()
}

/// Runs the Map over `items` items; its record.
pub async fn run(items: usize, scratch: &Path) -> Result<Vec<Record>> {
    let before = rss::resident()?;
    let moto = start_moto().await?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?;
    put_items(&client, &moto.endpoint, items).await?;
    let aws = AwsConfig {
        enabled: fluxo_aws::Enabled::All,
        endpoint_url: Some(moto.endpoint.clone()),
        ..AwsConfig::default()
    };
    let credentials = Credentials::new("testing", "testing", None, None, "fluxo-bench");
    let services =
        fluxo_runtime::AwsServices::new(Integrations::with_credentials(&aws, credentials)?);
    let mut config = fluxo_runtime::RuntimeConfig::new("us-east-1", "123456789012");
    config.services = services.into_invoker();
    let store = Arc::new(fluxo_store_sqlite::SqliteStore::open(
        &scratch.join("dmap-store"),
    )?);
    let runtime = fluxo_runtime::Runtime::new(store, Arc::new(fluxo_engine::NoFunctions), config);
    let api = Arc::new(fluxo_api::Api::new(runtime));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, fluxo_api::router(api)).await;
    });
    let body = json!({"name": "dmap", "definition": definition(),
                      "roleArn": "arn:aws:iam::123456789012:role/fluxo-bench"});
    let created = call(&client, &url, "CreateStateMachine", body).await?;
    let clock = Instant::now();
    let body = json!({"stateMachineArn": created["stateMachineArn"], "input": "{}"});
    let started = call(&client, &url, "StartExecution", body).await?;
    let execution = started["executionArn"].as_str().context("an execution")?;
    let described = loop {
        let body = json!({"executionArn": execution});
        let described = call(&client, &url, "DescribeExecution", body).await?;
        if described["status"] != "RUNNING" {
            break described;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let seconds = clock.elapsed().as_secs_f64();
    let peak = rss::resident()?;
    ensure!(described["status"] == "SUCCEEDED", "{described}");
    check(&client, &url, execution, items).await?;
    Ok(vec![record(items, seconds, before.now, peak.peak)])
}

/// The Map Run counted every item and child as succeeded.
async fn check(client: &reqwest::Client, url: &str, execution: &str, items: usize) -> Result<()> {
    let listed = call(
        client,
        url,
        "ListMapRuns",
        json!({"executionArn": execution}),
    )
    .await?;
    let arn = listed["mapRuns"][0]["mapRunArn"].clone();
    let run = call(client, url, "DescribeMapRun", json!({"mapRunArn": arn})).await?;
    let children = items.div_ceil(batch());
    ensure!(
        run["itemCounts"]["succeeded"] == json!(items)
            && run["executionCounts"]["succeeded"] == json!(children),
        "the Map Run's counts: {run}"
    );
    Ok(())
}

fn record(items: usize, seconds: f64, before: u64, peak: u64) -> Record {
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let batch = batch();
    let note = format!(
        "one Standard execution (SQLite): ItemReader over a JSON Lines object in moto, \
         ItemBatcher of {batch}, ResultWriter to moto; items/s from StartExecution to the end; \
         resident memory of this process before and at its peak (run with --only dmap); every \
         item and child counted as succeeded"
    );
    println!(
        "dmap                   {items:>10} items {seconds:>8.3} s {:>10.0} items/s; resident {:.0} MiB before, {:.0} MiB peak",
        items as f64 / seconds,
        mib(before),
        mib(peak)
    );
    Record::checked("dmap", "distributed map (S3)", items, seconds, note)
        .with("rss_before_bytes", before)
        .with("rss_peak_bytes", peak)
}
