//! Benchmark: `sqs:sendMessage` calls per second through Fluxo's integration, next to the same
//! calls made directly with the AWS SDK for Rust (`aws-sdk-sqs`) as the floor, against moto,
//! then against an in-process stub that answers at once (which shows the client side alone).
//!
//! ```sh
//! cargo test -p fluxo-aws --release --test bench -- --ignored --nocapture
//! # FLUXO_BENCH_CALLS (default 1000) calls to moto (ten times as many to the stub),
//! # FLUXO_BENCH_CONCURRENCY (default 16) at a time
//! ```

mod common;

use common::{call, integrations, Moto};
use futures::StreamExt;
use serde_json::json;
use std::future::Future;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Runs `calls` futures made by `make`, `concurrency` at a time; the seconds it took.
async fn timed<F, Fut>(calls: std::ops::Range<usize>, concurrency: usize, make: F) -> f64
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let started = Instant::now();
    futures::stream::iter(calls)
        .map(make)
        .buffer_unordered(concurrency)
        .collect::<Vec<()>>()
        .await;
    started.elapsed().as_secs_f64()
}

fn sdk_client(endpoint: &str) -> aws_sdk_sqs::Client {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new(common::REGION))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "testing", "testing", None, None, "bench",
        ))
        .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
        .http_client(http_client)
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// Both clients against `endpoint`, each on its own queue: (Fluxo, aws-sdk-sqs) calls per
/// second. The clients alternate in rounds, so that load from elsewhere and a server that slows
/// as its queues grow weigh on both alike.
async fn measure(
    endpoint: &str,
    queues: [&str; 2],
    calls: usize,
    concurrency: usize,
) -> (f64, f64) {
    let fluxo = integrations(endpoint, fluxo_aws::Enabled::All);
    let sdk = sdk_client(endpoint);
    let fluxo_call = |index: usize| {
        let fluxo = fluxo.clone();
        let queue_url = queues[0].to_string();
        async move {
            call(
                &fluxo,
                "arn:aws:states:::sqs:sendMessage",
                json!({"QueueUrl": queue_url, "MessageBody": format!("message {index}")}),
            )
            .await
            .expect("Fluxo's sendMessage");
        }
    };
    let sdk_call = |index: usize| {
        let sdk = sdk.clone();
        let queue_url = queues[1].to_string();
        async move {
            sdk.send_message()
                .queue_url(queue_url)
                .message_body(format!("message {index}"))
                .send()
                .await
                .expect("aws-sdk-sqs's SendMessage");
        }
    };
    // Warm both (connections, models, credentials).
    timed(0..concurrency * 2, concurrency, fluxo_call).await;
    timed(0..concurrency * 2, concurrency, sdk_call).await;
    const ROUNDS: usize = 4;
    let per_round = calls.div_ceil(ROUNDS);
    let (mut fluxo_seconds, mut sdk_seconds) = (0.0, 0.0);
    for round in 0..ROUNDS {
        let range = round * per_round..(round + 1) * per_round;
        fluxo_seconds += timed(range.clone(), concurrency, fluxo_call).await;
        sdk_seconds += timed(range, concurrency, sdk_call).await;
    }
    let total = (per_round * ROUNDS) as f64;
    (total / fluxo_seconds, total / sdk_seconds)
}

/// An HTTP server that answers every request with SQS's SendMessage result, at once.
async fn stub_sqs() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let body = r#"{"MD5OfMessageBody":"0cc175b9c0f1b6a831c399e269772661","MessageId":"5fea7756-0ea4-451a-a703-a558b933e274"}"#;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nx-amzn-RequestId: stub\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let Some(head_end) = buffer
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map(|end| end + 4)
                    else {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|line| {
                            line.strip_prefix("content-length:")
                                .and_then(|v| v.trim().parse().ok())
                        })
                        .unwrap_or(0);
                    if buffer.len() < head_end + length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                        }
                        continue;
                    }
                    buffer.drain(..head_end + length);
                    if stream.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run with --ignored --nocapture, in release mode"]
async fn bench_sqs_send_message() {
    let calls = setting("FLUXO_BENCH_CALLS", 1000);
    let concurrency = setting("FLUXO_BENCH_CONCURRENCY", 16);
    let Some(moto) = Moto::start("bench_sqs_send_message") else {
        return;
    };
    let setup = integrations(&moto.endpoint, fluxo_aws::Enabled::All);
    let mut queues = Vec::new();
    for name in ["bench-fluxo", "bench-sdk"] {
        let queue = call(
            &setup,
            "arn:aws:states:::aws-sdk:sqs:createQueue",
            json!({"QueueName": name}),
        )
        .await
        .unwrap();
        queues.push(queue["QueueUrl"].as_str().unwrap().to_string());
    }
    let (fluxo, sdk) = measure(&moto.endpoint, [&queues[0], &queues[1]], calls, concurrency).await;
    println!("sqs:sendMessage against moto, {calls} calls, {concurrency} at a time:");
    println!("  fluxo-aws        {fluxo:>9.0} calls/s");
    println!(
        "  aws-sdk-sqs      {sdk:>9.0} calls/s (floor)   fluxo/sdk = {:.2}",
        fluxo / sdk
    );

    let stub = stub_sqs().await;
    let stub_calls = calls * 10;
    let stub_queue = "http://127.0.0.1/123456789012/bench";
    let (fluxo, sdk) = measure(&stub, [stub_queue, stub_queue], stub_calls, concurrency).await;
    println!(
        "sqs:sendMessage against an in-process stub, {stub_calls} calls, {concurrency} at a time:"
    );
    println!("  fluxo-aws        {fluxo:>9.0} calls/s");
    println!(
        "  aws-sdk-sqs      {sdk:>9.0} calls/s (floor)   fluxo/sdk = {:.2}",
        fluxo / sdk
    );
}
