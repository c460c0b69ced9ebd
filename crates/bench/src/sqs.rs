//! `sqs:sendMessage` Task states through a durable execution against moto (issue 14's
//! benchmark), next to the same calls made directly with the AWS SDK for Rust (`aws-sdk-sqs`):
//! the floor, as no integration can send faster than the SDK against the same server.
//!
//! Fluxo's side is Standard executions over SQLite, one after another, each a Map of up to
//! 2,000 items (7 history events each, well under AWS's 25,000 per execution) with
//! `MaxConcurrency` = `concurrency`, each item one `arn:aws:states:::sqs:sendMessage` Task
//! (every state's events committed before the next). The SDK's side sends the same number of
//! messages with the same number in flight. Each side has its own queue, and both queues are
//! read back: each must hold exactly `calls` messages, and the execution's output must carry a
//! `MessageId` per item.
//!
//! Then both again against a stub in this process that answers at once (`sqs_stub.rs`, ten
//! times as many calls, each request counted): what the state costs Fluxo, without moto.
//!
//! moto (`moto_server`, PyPI `moto[server]`) is found at `FLUXO_TEST_MOTO`, then
//! `target/ci-venv/bin/moto_server`, then on `PATH`; without it the section prints a notice and
//! measures the stub only, unless `CI` or `FLUXO_REQUIRE_CLIENTS` is set: then it fails.

use crate::record::Record;
use crate::workloads::create_machine;
use anyhow::{bail, ensure, Context, Result};
use fluxo_runtime::{ExecutionInput, Runtime, RuntimeConfig};
use fluxo_types::{ExecutionStatus, StateMachineType};
use futures::StreamExt;
use serde_json::{json, Value};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REGION: &str = "us-east-1";

/// Messages in flight on each side (the Map's `MaxConcurrency`, the SDK's concurrent sends).
pub const CONCURRENCY: usize = 16;

/// A moto server on a free loopback port, killed (by its id) when dropped.
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

fn required() -> bool {
    ["CI", "FLUXO_REQUIRE_CLIENTS"].iter().any(|name| {
        std::env::var(name).is_ok_and(|value| !value.is_empty() && value != "0" && value != "false")
    })
}

fn find_moto() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("FLUXO_TEST_MOTO") {
        return Some(PathBuf::from(path)).filter(|path| path.is_file());
    }
    let venv = Path::new("target/ci-venv/bin/moto_server");
    if venv.is_file() {
        return Some(venv.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|path| path.is_file())
    })
}

fn start_moto(binary: &Path) -> Result<Moto> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("{} starts", binary.display()))?;
    let mut moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = moto.child.try_wait()? {
            bail!("moto_server exited with {status}");
        }
        ensure!(Instant::now() < deadline, "moto_server did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(moto)
}

fn sdk_client(endpoint: &str) -> aws_sdk_sqs::Client {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "bench", "bench", None, None, "bench",
        ))
        .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
        .http_client(http_client)
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// A runtime whose Task states call moto (`[aws] enabled = "all"`, `endpoint_url`).
fn runtime(store_dir: &Path, endpoint: &str) -> Result<Arc<Runtime>> {
    let _ = std::fs::remove_dir_all(store_dir);
    let store = Arc::new(fluxo_store_sqlite::SqliteStore::open(store_dir)?);
    let aws = fluxo_aws::AwsConfig {
        enabled: fluxo_aws::Enabled::All,
        endpoint_url: Some(endpoint.to_string()),
        ..fluxo_aws::AwsConfig::default()
    };
    let credentials = aws_credential_types::Credentials::new("bench", "bench", None, None, "bench");
    let integrations = fluxo_aws::Integrations::with_credentials(&aws, credentials)?;
    let mut config = RuntimeConfig::new(REGION, "123456789012");
    config.unload_after = None;
    config.services = fluxo_runtime::AwsServices::new(integrations).into_invoker();
    Ok(Runtime::new(
        store,
        Arc::new(fluxo_engine::NoFunctions),
        config,
    ))
}

fn definition(concurrency: usize) -> String {
    json!({
        "StartAt": "Send",
        "States": {"Send": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": concurrency,
            "ItemProcessor": {"StartAt": "SendMessage", "States": {"SendMessage": {
                "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl.$": "$.queue", "MessageBody.$": "$.body"},
                "ResultSelector": {"MessageId.$": "$.MessageId"}, "End": true}}},
            "ItemSelector": {"queue.$": "$.queue", "body.$": "$$.Map.Item.Value"},
            "End": true}}
    })
    .to_string()
}

/// Messages in `queue` (moto counts them exactly).
async fn messages_in(sdk: &aws_sdk_sqs::Client, queue: &str) -> Result<usize> {
    let answer = sdk
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await?;
    let count = answer
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages))
        .context("a message count")?;
    Ok(count.parse()?)
}

/// Items of one execution's Map: each takes 7 history events, under AWS's 25,000 per execution.
const PER_EXECUTION: usize = 2_000;

/// `calls` Task states, as executions of at most [`PER_EXECUTION`] items run one after another;
/// the seconds they took.
async fn through_fluxo(
    runtime: &Arc<Runtime>,
    queue: &str,
    calls: usize,
    concurrency: usize,
) -> Result<f64> {
    let machine = create_machine(
        runtime,
        "sqs-send",
        StateMachineType::Standard,
        &definition(concurrency),
    )
    .await?;
    let started = Instant::now();
    let mut arns = Vec::new();
    for (index, first) in (0..calls).step_by(PER_EXECUTION).enumerate() {
        let items: Vec<String> = (first..calls.min(first + PER_EXECUTION))
            .map(|n| format!("message {n}"))
            .collect();
        let value = json!({"queue": queue, "items": items});
        let input = ExecutionInput {
            text: value.to_string(),
            value,
        };
        let now = jiff::Timestamp::now().as_millisecond();
        let name = format!("send-{index}");
        arns.push(runtime.start(&machine, &name, input, now).await?.arn);
        runtime.idle().await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut sent = 0;
    for arn in arns {
        let execution = runtime
            .store()
            .get_execution(&arn)
            .await?
            .context("the execution is stored")?;
        ensure!(
            execution.status == ExecutionStatus::Succeeded,
            "the sqs:sendMessage execution ended {:?}: {:?} {:?}",
            execution.status,
            execution.error,
            execution.cause
        );
        let output: Value = serde_json::from_str(execution.output.as_deref().unwrap_or("null"))?;
        sent += output.as_array().map_or(0, |items| {
            items.iter().filter(|i| i["MessageId"].is_string()).count()
        });
    }
    ensure!(sent == calls, "{sent} of {calls} items carry a MessageId");
    Ok(seconds)
}

async fn through_sdk(
    sdk: &aws_sdk_sqs::Client,
    queue: &str,
    calls: usize,
    concurrency: usize,
) -> Result<f64> {
    let started = Instant::now();
    let results: Vec<_> = futures::stream::iter(0..calls)
        .map(|n| {
            sdk.send_message()
                .queue_url(queue)
                .message_body(format!("message {n}"))
                .send()
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let seconds = started.elapsed().as_secs_f64();
    for result in results {
        result.context("the SDK's SendMessage")?;
    }
    Ok(seconds)
}

fn print_pair(title: &str, calls: usize, fluxo_seconds: f64, sdk_seconds: f64) {
    println!(
        "{title:<34} {:>8} {:>10} {:>10}",
        "calls", "seconds", "calls/s"
    );
    for (what, seconds) in [
        ("Fluxo, Task states (durable Maps)", fluxo_seconds),
        ("aws-sdk-sqs directly (floor)", sdk_seconds),
    ] {
        println!(
            "{what:<34} {calls:>8} {seconds:>10.3} {:>10.0}",
            calls as f64 / seconds
        );
    }
    println!();
}

fn pair_records(
    target: &str,
    calls: usize,
    concurrency: usize,
    (fluxo_seconds, sdk_seconds): (f64, f64),
    checked: &str,
) -> Vec<Record> {
    let note = |how: &str| {
        format!("{calls} SendMessage to {target}, {concurrency} in flight; {how}; {checked}")
    };
    vec![
        Record::checked(
            "sqs",
            &format!("sqs:sendMessage states ({target})"),
            calls,
            fluxo_seconds,
            note("Task states of Standard executions of a Map of up to 2,000 items, one after another, SQLite"),
        ),
        Record::checked(
            "sqs",
            &format!("aws-sdk-sqs SendMessage ({target}, floor)"),
            calls,
            sdk_seconds,
            note("the AWS SDK for Rust directly"),
        ),
    ]
}

/// Both sides against one moto (every message counted in its queue); records.
async fn against_moto(
    binary: &Path,
    calls: usize,
    concurrency: usize,
    scratch: &Path,
) -> Result<Vec<Record>> {
    let moto = start_moto(binary)?;
    let sdk = sdk_client(&moto.endpoint);
    let mut queues = Vec::new();
    for name in ["through-fluxo", "through-sdk"] {
        let created = sdk.create_queue().queue_name(name).send().await?;
        queues.push(created.queue_url().context("a queue URL")?.to_string());
    }
    let store = scratch.join("sqs-store");
    let runtime = runtime(&store, &moto.endpoint)?;
    let fluxo_seconds = through_fluxo(&runtime, &queues[0], calls, concurrency).await?;
    let sdk_seconds = through_sdk(&sdk, &queues[1], calls, concurrency).await?;
    for queue in &queues {
        let count = messages_in(&sdk, queue).await?;
        ensure!(
            count == calls,
            "{queue} holds {count} messages, not {calls}"
        );
    }
    drop(runtime);
    let _ = std::fs::remove_dir_all(&store);
    print_pair(
        "sqs:sendMessage against moto",
        calls,
        fluxo_seconds,
        sdk_seconds,
    );
    let seconds = (fluxo_seconds, sdk_seconds);
    let checked = "every message counted in its queue";
    Ok(pair_records("moto", calls, concurrency, seconds, checked))
}

/// Both sides against the in-process stub (every request counted); records.
async fn against_stub(calls: usize, concurrency: usize, scratch: &Path) -> Result<Vec<Record>> {
    let stub = crate::sqs_stub::start().await?;
    let queue = "http://127.0.0.1/123456789012/stub";
    let sdk = sdk_client(&stub.endpoint);
    let store = scratch.join("sqs-stub-store");
    let runtime = runtime(&store, &stub.endpoint)?;
    let fluxo_seconds = through_fluxo(&runtime, queue, calls, concurrency).await?;
    let by_fluxo = stub.requests.swap(0, std::sync::atomic::Ordering::SeqCst);
    let sdk_seconds = through_sdk(&sdk, queue, calls, concurrency).await?;
    let by_sdk = stub.requests.load(std::sync::atomic::Ordering::SeqCst);
    ensure!(
        (by_fluxo, by_sdk) == (calls, calls),
        "the stub answered {by_fluxo} and {by_sdk} requests, not {calls} each"
    );
    drop(runtime);
    let _ = std::fs::remove_dir_all(&store);
    print_pair(
        "sqs:sendMessage against a stub",
        calls,
        fluxo_seconds,
        sdk_seconds,
    );
    let seconds = (fluxo_seconds, sdk_seconds);
    let checked = "every request counted by the stub";
    Ok(pair_records("a stub", calls, concurrency, seconds, checked))
}

/// Both sides against moto (`calls` each), then against a stub that answers at once (ten
/// times as many); records of `sqs:sendMessage` per second.
pub async fn run(calls: usize, concurrency: usize, scratch: &Path) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    match find_moto() {
        Some(binary) => records.extend(against_moto(&binary, calls, concurrency, scratch).await?),
        None => {
            ensure!(
                !required(),
                "moto_server is required (CI / FLUXO_REQUIRE_CLIENTS) for the sqs section; set FLUXO_TEST_MOTO"
            );
            println!(
                "sqs: moto_server not found (set FLUXO_TEST_MOTO); only the stub is measured\n"
            );
        }
    }
    records.extend(against_stub(calls * 10, concurrency, scratch).await?);
    Ok(records)
}
