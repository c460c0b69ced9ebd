//! The console over HTTP, in process: the page and its policy, the assets (gzip, revalidation),
//! the origin guard in front of the API, and the live event stream.

use fluxo_engine::{FunctionCall, FunctionInvoker, FunctionResult, TaskFailure};
use fluxo_runtime::{ExecutionInput, Runtime, RuntimeConfig};
use fluxo_store::{ExecutionRecord, MemoryStore, Page, StateMachineRecord, Store};
use fluxo_types::StateMachineType;
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

struct Echo;

impl FunctionInvoker for Echo {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        Box::pin(async move { Ok(call.payload.into()) })
    }
}

struct Served {
    base: String,
    store: Arc<dyn Store>,
    runtime: Arc<Runtime>,
    client: reqwest::Client,
}

async fn serve() -> Served {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let config = RuntimeConfig::new("us-east-1", "123456789012");
    let runtime = Runtime::new(store.clone(), Arc::new(Echo), config);
    let api = Arc::new(fluxo_api::Api::new(runtime.clone()));
    let app = fluxo_console::with_console(fluxo_api::router(api), runtime.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Served {
        base,
        store,
        runtime,
        client: reqwest::Client::builder().no_gzip().build().unwrap(),
    }
}

fn machine(definition: Value) -> StateMachineRecord {
    StateMachineRecord {
        arn: "arn:aws:states:us-east-1:123456789012:stateMachine:watched".into(),
        name: "watched".into(),
        kind: StateMachineType::Standard,
        definition: definition.to_string(),
        role_arn: "arn:aws:iam::123456789012:role/fluxo".into(),
        created_ms: 0,
        updated_ms: 0,
        revision: 1,
        logging: None,
        revision_id: None,
        encryption: None,
    }
}

/// Creates the state machine through the runtime and starts an execution of it.
async fn create_and_start(
    served: &Served,
    record: StateMachineRecord,
    name: &str,
    input: Value,
) -> ExecutionRecord {
    let compiled = fluxo_runtime::prepare(&record.definition, record.kind).unwrap();
    served
        .runtime
        .create_state_machine(record.clone(), vec![], compiled)
        .await
        .unwrap();
    let machine = served
        .runtime
        .state_machine(&record.arn, false)
        .await
        .unwrap();
    let input = ExecutionInput {
        text: input.to_string(),
        value: input,
    };
    served
        .runtime
        .start(&machine, name, input, 0)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_page_has_a_strict_policy_with_a_fresh_style_nonce() {
    let served = serve().await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = served.client.get(&served.base).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"));
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a style nonce")
            .to_string();
        let page = response.text().await.unwrap();
        assert!(page.contains(&format!("content=\"{nonce}\"")), "{page}");
        assert!(!page.contains("<script>") && !page.contains("style="));
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "each load gets its own nonce");
}

#[tokio::test]
async fn assets_are_embedded_compressed_and_revalidated() {
    let served = serve().await;
    let url = format!("{}/console/assets/vendor/elk.js", served.base);
    let plain = served.client.get(&url).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(
        plain.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let policy = plain.headers()["content-security-policy"].clone();
    assert!(!policy.to_str().unwrap().contains("unsafe"));
    let etag = plain.headers()["etag"].clone();
    let size = plain.bytes().await.unwrap().len();
    let gzipped = served
        .client
        .get(&url)
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let compressed = gzipped.bytes().await.unwrap().len();
    assert!(compressed * 2 < size, "{compressed} of {size} bytes");
    let again = served
        .client
        .get(&url)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let missing = served
        .client
        .get(format!("{}/console/assets/nope.js", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

async fn list_machines(served: &Served, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = served
        .client
        .post(format!("{}/", served.base))
        .header("x-amz-target", "AWSStepFunctions.ListStateMachines")
        .header("content-type", "application/x-amz-json-1.0")
        .body("{}");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn other_origins_are_refused_and_sdks_are_not() {
    let served = serve().await;
    let host = served.base.trim_start_matches("http://").to_string();
    let same = format!("http://{host}");
    // An SDK sends no Origin; the page sends its own.
    assert_eq!(list_machines(&served, &[]).await.status(), 200);
    let own = [("origin", same.as_str()), ("sec-fetch-site", "same-origin")];
    assert_eq!(list_machines(&served, &own).await.status(), 200);
    for headers in [
        vec![("origin", "http://127.0.0.1:1")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site"), ("origin", same.as_str())],
    ] {
        let response = list_machines(&served, &headers).await;
        assert_eq!(response.status(), 403, "{headers:?}");
        assert!(response
            .headers()
            .get("access-control-allow-origin")
            .is_none());
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["__type"], "AccessDeniedException");
    }
    // A preflight from another origin gets no CORS grant.
    let preflight = served
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/", served.base))
        .header("origin", "http://evil.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-amz-target")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 403);
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    // A link from elsewhere still opens the console; a cross-site form post does not reach the API.
    let navigation = served
        .client
        .get(&served.base)
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .send()
        .await
        .unwrap();
    assert_eq!(navigation.status(), 200);
    let form = served
        .client
        .post(format!("{}/", served.base))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .header("origin", "http://evil.example")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 403);
    let stream = served
        .client
        .get(format!(
            "{}/console/events?executionArn=arn:aws:states:us-east-1:1:execution:a:b",
            served.base
        ))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 403);
}

/// Reads a server-sent event stream until it ends; returns `(event, id, data)` triples.
async fn read_stream(response: reqwest::Response) -> Vec<(String, Option<u64>, Value)> {
    let text = tokio::time::timeout(Duration::from_secs(20), response.text())
        .await
        .expect("the stream ends when the execution does")
        .unwrap();
    text.split("\n\n")
        .filter(|block| block.contains("data:"))
        .map(|block| {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|line| line.strip_prefix(name).map(|v| v.trim().to_string()))
            };
            (
                field("event:").unwrap_or_default(),
                field("id:").and_then(|id| id.parse().ok()),
                serde_json::from_str(&field("data:").unwrap()).unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_sends_every_event_as_committed_then_the_end() {
    let served = serve().await;
    let record = machine(json!({
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:echo", "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
            "Done": {"Type": "Succeed"}
        }
    }));
    let started = create_and_start(&served, record, "live", json!({"n": 1})).await;
    let arn = started.arn.clone();
    let url = format!("{}/console/events?executionArn={arn}", served.base);
    let messages = read_stream(served.client.get(&url).send().await.unwrap()).await;
    // Sent while it ran: more than one batch, because the Wait made the engine commit twice.
    let batches: Vec<_> = messages.iter().filter(|(e, _, _)| e == "events").collect();
    assert!(batches.len() >= 2, "{messages:?}");
    let ids: Vec<u64> = batches
        .iter()
        .flat_map(|(_, _, data)| data["events"].as_array().unwrap().iter())
        .map(|event| event["id"].as_u64().unwrap())
        .collect();
    let stored = served
        .store
        .events(&arn, false, Page::default())
        .await
        .unwrap()
        .items;
    assert_eq!(ids, stored.iter().map(|e| e.id).collect::<Vec<_>>());
    assert_eq!(batches.last().unwrap().1, Some(*ids.last().unwrap()));
    let first = &batches[0].2["events"][0];
    assert_eq!(first["type"], "ExecutionStarted");
    assert!(first["executionStartedEventDetails"]["input"].is_string());
    let (kind, _, data) = messages.last().unwrap();
    assert_eq!(
        (kind.as_str(), &data["status"]),
        ("end", &json!("SUCCEEDED"))
    );
    // A page that has events up to 3 gets the rest; a reconnecting EventSource says the same
    // with Last-Event-ID.
    for request in [
        served.client.get(format!("{url}&after=3")),
        served.client.get(&url).header("last-event-id", "3"),
    ] {
        let rest = read_stream(request.send().await.unwrap()).await;
        let first_id = rest[0].2["events"][0]["id"].as_u64();
        assert_eq!(first_id, Some(4), "{rest:?}");
    }
}

#[tokio::test]
async fn unknown_executions_and_bad_arns_get_aws_errors() {
    let served = serve().await;
    let unknown = served
        .client
        .get(format!(
            "{}/console/events?executionArn=arn:aws:states:us-east-1:123456789012:execution:x:y",
            served.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["__type"], "ExecutionDoesNotExist");
    let bad = served
        .client
        .get(format!("{}/console/events?executionArn=nope", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let missing = served
        .client
        .get(format!("{}/console/events", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_streams_are_bounded() {
    let served = serve().await;
    let record = machine(
        json!({"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": true}}}),
    );
    let started = create_and_start(&served, record, "held", json!({})).await;
    let url = format!(
        "{}/console/events?executionArn={}",
        served.base, started.arn
    );
    let mut open = Vec::new();
    for _ in 0..fluxo_console::MAX_STREAMS {
        let response = served.client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        open.push(response);
    }
    let refused = served.client.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), 503);
    drop(open);
    // Closed streams give their places back (once the server notices the connection is gone).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let response = served.client.get(&url).send().await.unwrap();
        if response.status() == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "places never freed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    served
        .runtime
        .stop(
            &started.arn,
            None,
            None,
            jiff::Timestamp::now().as_millisecond(),
        )
        .await
        .unwrap();
}
