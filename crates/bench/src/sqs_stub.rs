//! An HTTP server in this process that answers every request with SQS's `SendMessage` result at
//! once, counting the requests: with it, the `sqs` section shows what an `sqs:sendMessage` state
//! costs Fluxo itself (and the SDK's own cost), without moto's time per request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BODY: &str = r#"{"MD5OfMessageBody":"0cc175b9c0f1b6a831c399e269772661","MessageId":"5fea7756-0ea4-451a-a703-a558b933e274"}"#;

/// The stub's endpoint and its count of answered requests.
pub struct Stub {
    pub endpoint: String,
    pub requests: Arc<AtomicUsize>,
}

/// Starts the stub on a free loopback port (it lives as long as the tokio runtime).
pub async fn start() -> std::io::Result<Stub> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, counter.clone()));
        }
    });
    Ok(Stub { endpoint, requests })
}

/// Answers each request of a keep-alive connection once its body has arrived.
async fn serve(mut stream: TcpStream, requests: Arc<AtomicUsize>) {
    let response = format!(
        "HTTP/1.1 200 OK\r\nx-amzn-RequestId: stub\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let complete = buffer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|end| end + 4)
            .and_then(|head_end| {
                let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|line| {
                        line.strip_prefix("content-length:")
                            .and_then(|v| v.trim().parse().ok())
                    })
                    .unwrap_or(0);
                (buffer.len() >= head_end + length).then_some(head_end + length)
            });
        let Some(end) = complete else {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
            continue;
        };
        buffer.drain(..end);
        requests.fetch_add(1, Ordering::SeqCst);
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}
