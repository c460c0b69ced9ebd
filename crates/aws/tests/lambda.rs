//! `lambda:invoke` against real Lambda's API. moto runs functions only in Docker, so a small
//! HTTP server stands in for Lambda's `Invoke` (REST-JSON, `POST
//! /2015-03-31/functions/{FunctionName}/invocations`), records the request and answers as
//! Lambda does; the missing-function error is checked against moto.

mod common;

use common::{call, integrations, Moto};
use fluxo_aws::Enabled;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the stand-in saw it.
struct Seen {
    head: String,
    body: String,
}

/// Serves one request with `response_headers` and `response_body`.
async fn serve_once(
    listener: TcpListener,
    response_headers: &'static str,
    response_body: &'static str,
) -> Seen {
    let (mut stream, _) = listener.accept().await.unwrap();
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "the client closed the connection early");
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let read = stream.read(&mut chunk).await.unwrap();
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = String::from_utf8_lossy(&buffer[head_end..head_end + length]).to_string();
    let response = format!(
        "HTTP/1.1 200 OK\r\n{response_headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{response_body}",
        response_body.len()
    );
    stream.write_all(response.as_bytes()).await.unwrap();
    Seen { head, body }
}

#[tokio::test]
async fn lambda_invoke_sends_the_payload_and_returns_lambdas_shape() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(serve_once(
        listener,
        "X-Amz-Executed-Version: $LATEST\r\nx-amzn-RequestId: 4f0c-request\r\n",
        r#"{"valid": true}"#,
    ));
    let aws = integrations(&endpoint, Enabled::List(vec!["lambda".into()]));
    let output = call(
        &aws,
        "arn:aws:states:::lambda:invoke",
        json!({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:validate:prod", "Payload": {"doc": 1}}),
    )
    .await
    .unwrap();
    let seen = server.await.unwrap();
    assert!(
        seen.head.starts_with("POST /2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Avalidate%3Aprod/invocations HTTP/1.1"),
        "{}",
        seen.head
    );
    assert!(
        seen.head
            .to_ascii_lowercase()
            .contains("/us-east-1/lambda/aws4_request"),
        "{}",
        seen.head
    );
    assert_eq!(seen.body, r#"{"doc":1}"#);
    assert_eq!(output["Payload"], json!({"valid": true}));
    assert_eq!(output["StatusCode"], json!(200));
    assert_eq!(output["ExecutedVersion"], json!("$LATEST"));
    assert_eq!(
        output["SdkResponseMetadata"],
        json!({"RequestId": "4f0c-request"})
    );
    assert_eq!(
        output["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Executed-Version"],
        json!("$LATEST")
    );
    let keys: Vec<&String> = output.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ExecutedVersion",
            "Payload",
            "SdkHttpMetadata",
            "SdkResponseMetadata",
            "StatusCode"
        ]
    );
}

#[tokio::test]
async fn a_function_error_fails_with_its_error_type() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(serve_once(
        listener,
        "X-Amz-Function-Error: Unhandled\r\nX-Amz-Executed-Version: $LATEST\r\n",
        r#"{"errorMessage": "bad document", "errorType": "ValueError", "requestId": "r", "stackTrace": []}"#,
    ));
    let aws = integrations(&endpoint, Enabled::All);
    let failure = call(
        &aws,
        "arn:aws:states:::lambda:invoke",
        json!({"FunctionName": "validate", "Payload": "{\"raw\": true}"}),
    )
    .await
    .unwrap_err();
    let seen = server.await.unwrap();
    // A string payload is the request body as written.
    assert_eq!(seen.body, "{\"raw\": true}");
    assert_eq!(failure.error, "ValueError");
    let cause: Value = serde_json::from_str(&failure.cause).unwrap();
    assert_eq!(cause["errorMessage"], json!("bad document"));
}

#[tokio::test]
async fn a_missing_function_is_lambdas_resource_not_found() {
    let Some(moto) = Moto::start("a_missing_function_is_lambdas_resource_not_found") else {
        return;
    };
    let aws = integrations(&moto.endpoint, Enabled::All);
    let failure = call(
        &aws,
        "arn:aws:states:::lambda:invoke",
        json!({"FunctionName": "no_such_function", "Payload": {}}),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.error, "Lambda.ResourceNotFoundException");
    assert!(
        failure.cause.contains("(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: "),
        "{}",
        failure.cause
    );
    let unknown = call(
        &aws,
        "arn:aws:states:::lambda:invoke",
        json!({"FunctionName": "f", "Unknown": 1}),
    )
    .await
    .unwrap_err();
    assert_eq!(unknown.error, "States.Runtime");
    assert!(
        unknown.cause.contains("\"Unknown\" is not supported"),
        "{}",
        unknown.cause
    );
}
