//! The HTTP Task (`arn:aws:states:::http:invoke`) through `fluxo server`, against an HTTP
//! server this test runs on loopback: each method, JSON and URL-encoded bodies in each array
//! format, query parameters and headers, API-key, basic and OAuth connections (the token
//! fetched once and reused), error statuses caught by name, the timeout, redirects (followed,
//! and refused when they leave the allow-list), a host the allow-list forbids, a connection the
//! operator did not configure, and a durable Standard execution's history.

mod common;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use common::{call, ended, Server};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const KEY_ARN: &str = "arn:aws:events:us-east-1:123456789012:connection/key/0001";
const BASIC_ARN: &str = "arn:aws:events:us-east-1:123456789012:connection/basic/0002";
const OAUTH_ARN: &str = "arn:aws:events:us-east-1:123456789012:connection/oauth/0003";
const MISSING_ARN: &str = "arn:aws:events:us-east-1:123456789012:connection/none/0004";

/// What the backend saw and how many tokens it issued.
#[derive(Default)]
struct Backend {
    port: AtomicUsize,
    tokens: AtomicUsize,
    requests: Mutex<Vec<Value>>,
}

fn json_response(status: u16, body: Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-backend", "yes")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn headers_of(headers: &HeaderMap) -> Value {
    let mut map = serde_json::Map::new();
    for (name, value) in headers {
        map.insert(name.to_string(), json!(value.to_str().unwrap_or_default()));
    }
    Value::Object(map)
}

async fn handle(State(backend): State<Arc<Backend>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let seen = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query().unwrap_or_default(),
        "headers": headers_of(&parts.headers),
        "body": String::from_utf8_lossy(&body),
    });
    backend.requests.lock().unwrap().push(seen.clone());
    let port = backend.port.load(Ordering::SeqCst);
    let path = parts.uri.path().to_string();
    match path.as_str() {
        "/echo" => json_response(200, seen),
        "/text" => Response::builder()
            .status(201)
            .header("content-type", "text/plain")
            .body(Body::from("plain words"))
            .unwrap(),
        "/slow" => {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            json_response(200, json!({}))
        }
        "/redirect" => Response::builder()
            .status(302)
            .header("location", "/echo?redirected=1")
            .body(Body::empty())
            .unwrap(),
        // `localhost` is not on the allow-list, though it is the same server.
        "/redirect-away" => Response::builder()
            .status(307)
            .header("location", format!("http://localhost:{port}/echo"))
            .body(Body::empty())
            .unwrap(),
        "/token" => {
            let authorization = parts
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok());
            // base64("client:s3cret-client")
            if authorization != Some("Basic Y2xpZW50OnMzY3JldC1jbGllbnQ=")
                || !String::from_utf8_lossy(&body).contains("grant_type=client_credentials")
            {
                return json_response(401, json!({"error": "invalid_client"}));
            }
            let n = backend.tokens.fetch_add(1, Ordering::SeqCst) + 1;
            json_response(
                200,
                json!({"access_token": format!("tok-{n}"), "token_type": "Bearer", "expires_in": 3600}),
            )
        }
        "/protected" => {
            let authorization = parts
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok());
            match authorization {
                Some(value) if value.starts_with("Bearer tok-") => {
                    json_response(200, json!({"auth": value}))
                }
                _ => json_response(401, json!({"error": "no token"})),
            }
        }
        other => match other
            .strip_prefix("/status/")
            .and_then(|code| code.parse::<u16>().ok())
        {
            Some(code) => json_response(code, json!({"code": code})),
            None => json_response(404, json!({"missing": other})),
        },
    }
}

/// Starts the backend on loopback in a thread of its own.
fn backend() -> (Arc<Backend>, u16) {
    let backend = Arc::new(Backend::default());
    let shared = backend.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            shared.port.store(port as usize, Ordering::SeqCst);
            tx.send(port).unwrap();
            let app = axum::Router::new().fallback(handle).with_state(shared);
            axum::serve(listener, app).await.unwrap();
        });
    });
    (backend, rx.recv().unwrap())
}

struct Fixture {
    server: Server,
    backend: Arc<Backend>,
    base: String,
    _dir: tempfile::TempDir,
    machines: AtomicUsize,
}

/// The backend, and `fluxo server` with three connections and the backend's address (as
/// `127.0.0.1:PORT`) on the allow-list.
fn fixture() -> Fixture {
    let (backend, port) = backend();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fluxo.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[http.connections."{KEY_ARN}"]
hosts = ["127.0.0.1:{port}"]
api_key = {{ name = "x-api-key", value = "s3cret-key" }}
headers = {{ "X-Team" = "from-connection" }}
query = {{ "version" = "2" }}
body = {{ "source" = "connection" }}

[http.connections."{BASIC_ARN}"]
hosts = ["127.0.0.1:{port}"]
basic = {{ username = "user", password = "s3cret-password" }}

[http.connections."{OAUTH_ARN}"]
hosts = ["127.0.0.1:{port}"]
oauth = {{ token_endpoint = "http://127.0.0.1:{port}/token", client_id = "client", client_secret = "s3cret-client", scopes = ["read", "write"] }}
"#
        ),
    )
    .unwrap();
    let allow = format!("127.0.0.1:{port}");
    let server = Server::start_with(
        &dir.path().join("data"),
        Some(&config),
        &["--http-allow-host", &allow],
    );
    Fixture {
        server,
        backend,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
        machines: AtomicUsize::new(0),
    }
}

impl Fixture {
    fn create(&self, kind: &str, task: Value) -> String {
        let mut states = json!({"Call": task});
        if states["Call"].get("Catch").is_some() {
            states["Caught"] = json!({"Type": "Pass", "End": true});
        }
        let definition = json!({"StartAt": "Call", "States": states});
        let name = format!("http-{}", self.machines.fetch_add(1, Ordering::SeqCst));
        let (status, created) = call(
            &self.server.endpoint,
            "CreateStateMachine",
            &json!({"name": name, "type": kind, "roleArn": "arn:aws:iam::123456789012:role/r",
                    "definition": definition.to_string()}),
        );
        assert_eq!(status, 200, "{created}");
        created["stateMachineArn"].as_str().unwrap().to_string()
    }

    /// Runs an HTTP Task with these parameters in an Express execution: (status, output or
    /// error object).
    fn run(&self, parameters: Value, extra: Value) -> (String, Value) {
        let mut task = json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
            "Parameters": parameters, "End": true});
        for (key, value) in extra.as_object().unwrap() {
            task[key] = value.clone();
        }
        self.run_task(task)
    }

    /// Runs a Task state in an Express execution: (status, output or error object).
    fn run_task(&self, task: Value) -> (String, Value) {
        let arn = self.create("EXPRESS", task);
        let (status, answer) = call(
            &self.server.endpoint,
            "StartSyncExecution",
            &json!({"stateMachineArn": arn, "input": "{}"}),
        );
        assert_eq!(status, 200, "{answer}");
        let state = answer["status"].as_str().unwrap().to_string();
        let result = match state.as_str() {
            "SUCCEEDED" => serde_json::from_str(answer["output"].as_str().unwrap()).unwrap(),
            _ => json!({"Error": answer["error"], "Cause": answer["cause"]}),
        };
        (state, result)
    }

    fn params(&self, path: &str, method: &str, arn: &str) -> Value {
        json!({"ApiEndpoint": format!("{}{path}", self.base), "Method": method,
               "Authentication": {"ConnectionArn": arn}})
    }

    fn requests(&self) -> usize {
        self.backend.requests.lock().unwrap().len()
    }
}

#[test]
fn methods_bodies_query_headers_and_connections() {
    let f = fixture();
    // Every method; the API key, the connection's header, query and body parameters.
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"] {
        let mut parameters = f.params("/echo", method, KEY_ARN);
        parameters["QueryParameters"] = json!({"q": "a b", "tag": ["x", "y"], "version": "1"});
        parameters["Headers"] = json!({"X-Custom": "c", "X-Team": "from-task"});
        if !matches!(method, "GET" | "HEAD") {
            parameters["RequestBody"] = json!({"n": 1, "source": "task"});
        }
        let (status, output) = f.run(parameters, json!({}));
        assert_eq!(status, "SUCCEEDED", "{method}: {output}");
        assert_eq!(output["StatusCode"], 200);
        assert_eq!(output["StatusText"], "OK");
        assert_eq!(output["Headers"]["x-backend"], json!(["yes"]));
        let seen = f.backend.requests.lock().unwrap().last().unwrap().clone();
        assert_eq!(seen["method"], method);
        assert_eq!(seen["query"], "q=a%20b&tag=x&tag=y&version=2");
        assert_eq!(seen["headers"]["x-api-key"], "s3cret-key");
        assert_eq!(seen["headers"]["x-team"], "from-connection");
        assert_eq!(seen["headers"]["x-custom"], "c");
        assert_eq!(
            seen["headers"]["user-agent"],
            "Amazon|StepFunctions|HttpInvoke|us-east-1"
        );
        assert_eq!(seen["headers"]["range"], "bytes=0-262144");
        if method == "HEAD" {
            assert_eq!(output["ResponseBody"], "");
        } else {
            assert_eq!(output["ResponseBody"]["method"], method, "parsed JSON");
        }
        if !matches!(method, "GET" | "HEAD") {
            assert_eq!(seen["body"], r#"{"n":1,"source":"connection"}"#);
            assert_eq!(
                seen["headers"]["content-type"],
                "application/json; charset=UTF-8"
            );
        }
    }
    // URL-encoded bodies, in each array format.
    for (format, expected) in [
        (
            "INDICES",
            "a%5B0%5D=1&a%5B1%5D=2&o%5Bk%5D=v%20w&source=connection",
        ),
        ("REPEAT", "a=1&a=2&o%5Bk%5D=v%20w&source=connection"),
        ("COMMAS", "a=1,2&o%5Bk%5D=v%20w&source=connection"),
        (
            "BRACKETS",
            "a%5B%5D=1&a%5B%5D=2&o%5Bk%5D=v%20w&source=connection",
        ),
    ] {
        let mut parameters = f.params("/echo", "POST", KEY_ARN);
        parameters["Headers"] = json!({"Content-Type": "application/x-www-form-urlencoded"});
        parameters["RequestBody"] = json!({"a": [1, 2], "o": {"k": "v w"}});
        parameters["Transform"] = json!({"RequestBodyEncoding": "URL_ENCODED",
            "RequestEncodingOptions": {"ArrayFormat": format}});
        let (status, output) = f.run(parameters, json!({}));
        assert_eq!(status, "SUCCEEDED", "{output}");
        assert_eq!(output["ResponseBody"]["body"], expected, "{format}");
    }
    // JSONata: the fields computed by Arguments, the result read by Output.
    let task = json!({"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::http:invoke",
        "Arguments": {"ApiEndpoint": format!("{{% '{}' & '/echo' %}}", f.base), "Method": "{% 'PUT' %}",
            "Authentication": {"ConnectionArn": KEY_ARN}, "RequestBody": {"sum": "{% 1 + 2 %}"}},
        "Output": "{% $states.result.ResponseBody %}", "End": true});
    let (status, output) = f.run_task(task);
    assert_eq!(status, "SUCCEEDED", "{output}");
    assert_eq!(output["method"], "PUT");
    assert_eq!(output["body"], r#"{"sum":3,"source":"connection"}"#);
    // A text answer stays text; basic authorization.
    let (status, output) = f.run(f.params("/text", "POST", BASIC_ARN), json!({}));
    assert_eq!(status, "SUCCEEDED", "{output}");
    assert_eq!(output["StatusCode"], 201);
    assert_eq!(output["ResponseBody"], "plain words");
    let seen = f.backend.requests.lock().unwrap().last().unwrap().clone();
    // base64("user:s3cret-password")
    assert_eq!(
        seen["headers"]["authorization"],
        "Basic dXNlcjpzM2NyZXQtcGFzc3dvcmQ="
    );
    // OAuth: one token for several calls.
    for _ in 0..3 {
        let (status, output) = f.run(f.params("/protected", "GET", OAUTH_ARN), json!({}));
        assert_eq!(status, "SUCCEEDED", "{output}");
        assert_eq!(output["ResponseBody"]["auth"], "Bearer tok-1");
    }
    assert_eq!(
        f.backend.tokens.load(Ordering::SeqCst),
        1,
        "the token is fetched once"
    );
    let token_request = f
        .backend
        .requests
        .lock()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/token")
        .cloned()
        .unwrap();
    assert_eq!(
        token_request["body"],
        "grant_type=client_credentials&scope=read%20write"
    );
}

#[test]
fn errors_timeouts_redirects_and_the_allow_list() {
    let f = fixture();
    let catch = json!({"Catch": [{"ErrorEquals": ["States.Http.StatusCode.404", "States.Http.StatusCode.500"],
        "ResultPath": "$.error", "Next": "Caught"}]});
    for code in [404, 500] {
        let (status, output) = f.run(
            f.params(&format!("/status/{code}"), "GET", KEY_ARN),
            catch.clone(),
        );
        assert_eq!(status, "SUCCEEDED", "{output}");
        assert_eq!(
            output["error"]["Error"],
            format!("States.Http.StatusCode.{code}")
        );
        let cause: Value =
            serde_json::from_str(output["error"]["Cause"].as_str().unwrap()).unwrap();
        assert_eq!(cause["StatusCode"], code);
        assert_eq!(cause["ResponseBody"], json!({"code": code}));
        assert!(
            !output.to_string().contains("s3cret"),
            "no secret in {output}"
        );
    }
    // TimeoutSeconds ends a call that does not answer.
    let started = std::time::Instant::now();
    let (status, output) = f.run(
        f.params("/slow", "GET", KEY_ARN),
        json!({"TimeoutSeconds": 1}),
    );
    assert_eq!(
        (status.as_str(), &output["Error"]),
        ("FAILED", &json!("States.Timeout"))
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // A redirect on the allowed host is followed.
    let (status, output) = f.run(f.params("/redirect", "GET", KEY_ARN), json!({}));
    assert_eq!(status, "SUCCEEDED", "{output}");
    assert_eq!(output["ResponseBody"]["query"], "redirected=1");
    // A redirect to a host outside the list is refused, and not followed.
    let before = f.requests();
    let (status, output) = f.run(f.params("/redirect-away", "GET", KEY_ARN), json!({}));
    assert_eq!(
        (status.as_str(), &output["Error"]),
        ("FAILED", &json!("States.Permissions")),
        "{output}"
    );
    assert_eq!(
        f.requests(),
        before + 1,
        "only the first hop reached the backend"
    );
    // A host outside the list is never reached.
    let mut parameters = f.params("/echo", "GET", KEY_ARN);
    parameters["ApiEndpoint"] = json!(f.base.replace("127.0.0.1", "localhost") + "/echo");
    let before = f.requests();
    let (status, output) = f.run(parameters, json!({}));
    assert_eq!(
        (status.as_str(), &output["Error"]),
        ("FAILED", &json!("States.Permissions")),
        "{output}"
    );
    assert_eq!(f.requests(), before);
    // A connection the operator did not configure.
    let (status, output) = f.run(f.params("/echo", "GET", MISSING_ARN), json!({}));
    assert_eq!(
        (status.as_str(), &output["Error"]),
        (
            "FAILED",
            &json!("Events.ConnectionResource.ResourceNotFound")
        )
    );
    // A restricted header.
    let mut parameters = f.params("/echo", "GET", KEY_ARN);
    parameters["Headers"] = json!({"Authorization": "Bearer mine"});
    let (status, output) = f.run(parameters, json!({}));
    assert_eq!(
        (status.as_str(), &output["Error"]),
        ("FAILED", &json!("States.Runtime"))
    );
    assert_eq!(f.requests(), before);
}

#[test]
fn a_standard_execution_records_the_call_as_aws_does() {
    let f = fixture();
    let task = json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        "Parameters": f.params("/status/200", "GET", KEY_ARN), "End": true});
    let arn = f.create("STANDARD", task);
    let (status, started) = call(
        &f.server.endpoint,
        "StartExecution",
        &json!({"stateMachineArn": arn, "input": "{}"}),
    );
    assert_eq!(status, 200, "{started}");
    let execution = started["executionArn"].as_str().unwrap();
    let described = ended(&f.server.endpoint, execution);
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let (_, history) = call(
        &f.server.endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": execution}),
    );
    let events = history["events"].as_array().unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    let scheduled = &events[2]["taskScheduledEventDetails"];
    assert_eq!(scheduled["resourceType"], "http");
    assert_eq!(scheduled["resource"], "invoke");
    assert_eq!(events[3]["taskStartedEventDetails"]["resourceType"], "http");
    assert!(
        !history.to_string().contains("s3cret"),
        "no secret in the history"
    );
}

/// `http:invoke.waitForTaskToken`: the call carries `$$.Task.Token`, its answer is recorded as
/// `TaskSubmitted`, and the execution waits until `SendTaskSuccess` with that token.
#[test]
fn the_http_task_waits_for_its_task_token() {
    let f = fixture();
    let mut parameters = f.params("/echo", "POST", BASIC_ARN);
    parameters["RequestBody"] = json!({"token.$": "$$.Task.Token"});
    let task = json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke.waitForTaskToken",
        "Parameters": parameters, "TimeoutSeconds": 60, "End": true});
    let arn = f.create("STANDARD", task);
    let (_, started) = call(
        &f.server.endpoint,
        "StartExecution",
        &json!({"stateMachineArn": arn, "input": "{}"}),
    );
    let execution = started["executionArn"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let token = loop {
        let seen = f.backend.requests.lock().unwrap().clone();
        let sent = seen.iter().find_map(|request| {
            let body: Value = serde_json::from_str(request["body"].as_str()?).ok()?;
            body["token"].as_str().map(str::to_string)
        });
        if let Some(token) = sent {
            break token;
        }
        assert!(std::time::Instant::now() < deadline, "no call with a token");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let history = |f: &Fixture| {
        let (_, history) = call(
            &f.server.endpoint,
            "GetExecutionHistory",
            &json!({"executionArn": execution}),
        );
        history["events"].as_array().unwrap().clone()
    };
    // Submitted, then waiting: the answer of the endpoint is not the state's result.
    while !history(&f).iter().any(|e| e["type"] == "TaskSubmitted") {
        assert!(std::time::Instant::now() < deadline, "never submitted");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (_, described) = call(
        &f.server.endpoint,
        "DescribeExecution",
        &json!({"executionArn": execution}),
    );
    assert_eq!(described["status"], "RUNNING");
    let (status, answer) = call(
        &f.server.endpoint,
        "SendTaskSuccess",
        &json!({"taskToken": token, "output": "{\"approved\": true}"}),
    );
    assert_eq!(status, 200, "{answer}");
    let described = ended(&f.server.endpoint, &execution);
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert_eq!(described["output"], "{\"approved\":true}");
    let events = history(&f);
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    let scheduled = &events[2]["taskScheduledEventDetails"];
    assert_eq!(scheduled["resource"], "invoke.waitForTaskToken");
    assert_eq!(
        events[4]["taskSubmittedEventDetails"]["resourceType"],
        "http"
    );
}
