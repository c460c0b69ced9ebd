//! `HttpInvoker` against a loopback server: an OAuth token fetched again after a 401 (once),
//! credentials dropped by a redirect that leaves the origin, loopback refused without an
//! allow-list, binary and oversized answers refused as AWS refuses them.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use fluxo_http::{HttpConfig, HttpInvoker};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const ARN: &str = "arn:aws:events:us-east-1:1:connection/c/1";

#[derive(Default)]
struct Seen {
    tokens: AtomicUsize,
    authorizations: Mutex<Vec<Option<String>>>,
    port: AtomicUsize,
}

async fn handle(State(seen): State<Arc<Seen>>, request: Request) -> Response {
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let api_key = request.headers().get("x-api-key").is_some();
    let port = seen.port.load(Ordering::SeqCst);
    let reply = |status: u16, content_type: &str, body: Vec<u8>| {
        Response::builder()
            .status(status)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    };
    match request.uri().path() {
        "/token" => {
            let n = seen.tokens.fetch_add(1, Ordering::SeqCst) + 1;
            let body = json!({"access_token": format!("tok-{n}"), "expires_in": 3600});
            reply(200, "application/json", body.to_string().into_bytes())
        }
        // Accepts only the second token: the first one "expired" on the server's side.
        "/api" => {
            seen.authorizations
                .lock()
                .unwrap()
                .push(authorization.clone());
            match authorization.as_deref() {
                Some("Bearer tok-2") => reply(200, "application/json", b"{\"ok\":true}".to_vec()),
                _ => reply(401, "application/json", b"{}".to_vec()),
            }
        }
        "/away" => Response::builder()
            .status(302)
            .header("location", format!("http://localhost:{port}/check"))
            .body(Body::empty())
            .unwrap(),
        "/check" => {
            let x_team = request.headers().get("x-team").is_some();
            let body =
                json!({"authorization": authorization, "api_key": api_key, "x_team": x_team});
            reply(200, "application/json", body.to_string().into_bytes())
        }
        // An API that echoes what it was sent in an error.
        "/echo-error" => {
            let body = json!({"authorization": authorization, "headers": format!("{:?}", request.headers())});
            reply(400, "application/json", body.to_string().into_bytes())
        }
        "/binary" => reply(200, "image/png", vec![0x89, b'P', b'N', b'G']),
        "/big" => reply(200, "text/plain", vec![b'a'; 300 * 1024]),
        _ => reply(404, "text/plain", Vec::new()),
    }
}

async fn serve() -> (Arc<Seen>, u16) {
    let seen = Arc::new(Seen::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    seen.port.store(port as usize, Ordering::SeqCst);
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (seen, port)
}

fn invoker(connection: &str, allow: &[String]) -> HttpInvoker {
    // Every test's backend listens on 127.0.0.1; the connection may go there (any port).
    let text = format!("[http.connections.\"{ARN}\"]\nhosts = [\"127.0.0.1\"]\n{connection}\n");
    let mut config = HttpConfig::from_toml(&text).unwrap();
    config
        .allow_hosts(allow.iter().map(String::as_str))
        .unwrap();
    HttpInvoker::new(config, "us-east-1").unwrap()
}

fn parameters(port: u16, path: &str) -> Value {
    json!({"ApiEndpoint": format!("http://127.0.0.1:{port}{path}"), "Method": "GET",
           "InvocationConfig": {"ConnectionArn": ARN}})
}

fn oauth(port: u16) -> String {
    format!(
        "oauth = {{ token_endpoint = \"http://127.0.0.1:{port}/token\", client_id = \"i\", client_secret = \"secret-xyz\" }}"
    )
}

#[tokio::test]
async fn a_401_fetches_a_new_token_once() {
    let (seen, port) = serve().await;
    let invoker = invoker(&oauth(port), &[format!("127.0.0.1:{port}")]);
    let result = invoker.invoke(&parameters(port, "/api")).await.unwrap();
    assert_eq!(result["ResponseBody"], json!({"ok": true}));
    assert_eq!(seen.tokens.load(Ordering::SeqCst), 2);
    // The next call reuses the second token.
    invoker.invoke(&parameters(port, "/api")).await.unwrap();
    assert_eq!(seen.tokens.load(Ordering::SeqCst), 2);
    let authorizations = seen.authorizations.lock().unwrap().clone();
    let expected: Vec<Option<String>> = ["Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]
        .iter()
        .map(|value| Some(value.to_string()))
        .collect();
    assert_eq!(authorizations, expected);
}

#[tokio::test]
async fn a_401_after_a_fresh_token_is_the_answer() {
    let (seen, port) = serve().await;
    let invoker = invoker(&oauth(port), &[format!("127.0.0.1:{port}")]);
    // The server accepts tok-2 only, and this connection's tokens start at tok-6.
    seen.tokens.store(5, Ordering::SeqCst);
    let failure = invoker.invoke(&parameters(port, "/api")).await.unwrap_err();
    assert_eq!(failure.error, "States.Http.StatusCode.401");
    assert_eq!(
        seen.tokens.load(Ordering::SeqCst),
        7,
        "one refresh, not more"
    );
    assert!(!failure.cause.contains("secret-xyz"));
}

#[tokio::test]
async fn credentials_do_not_follow_a_redirect_to_another_origin() {
    let (_, port) = serve().await;
    let allow = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    for connection in [
        "api_key = { name = \"x-api-key\", value = \"k\" }",
        "basic = { username = \"u\", password = \"p\" }",
        // The connection's own headers stay with its origin too.
        "basic = { username = \"u\", password = \"p\" }\nheaders = { \"X-Team\" = \"t\" }",
    ] {
        let invoker = invoker(connection, &allow);
        let result = invoker.invoke(&parameters(port, "/away")).await.unwrap();
        assert_eq!(
            result["ResponseBody"],
            json!({"authorization": null, "api_key": false, "x_team": false}),
            "{connection}"
        );
        // On the same origin, they are sent.
        let result = invoker.invoke(&parameters(port, "/check")).await.unwrap();
        assert_ne!(
            result["ResponseBody"],
            json!({"authorization": null, "api_key": false, "x_team": false})
        );
    }
}

#[tokio::test]
async fn without_an_allow_list_loopback_is_refused() {
    let (_, port) = serve().await;
    let invoker = invoker("basic = { username = \"u\", password = \"p\" }", &[]);
    let failure = invoker
        .invoke(&parameters(port, "/check"))
        .await
        .unwrap_err();
    assert_eq!(failure.error, "States.Permissions");
    let mut by_name = parameters(port, "/check");
    by_name["ApiEndpoint"] = json!(format!("http://localhost:{port}/check"));
    let failure = invoker.invoke(&by_name).await.unwrap_err();
    assert_eq!(failure.error, "States.Permissions", "{}", failure.cause);
}

#[tokio::test]
async fn binary_and_oversized_answers_are_refused() {
    let (_, port) = serve().await;
    let invoker = invoker(
        "basic = { username = \"u\", password = \"p\" }",
        &[format!("127.0.0.1:{port}")],
    );
    let failure = invoker
        .invoke(&parameters(port, "/binary"))
        .await
        .unwrap_err();
    assert_eq!(failure.error, "States.Runtime");
    let failure = invoker.invoke(&parameters(port, "/big")).await.unwrap_err();
    assert_eq!(failure.error, "States.DataLimitExceeded");
}

#[tokio::test]
async fn a_connection_goes_to_its_own_hosts_only() {
    let (seen, port) = serve().await;
    // The allow-list admits the backend; the connection names another API.
    let text = format!(
        "[http.connections.\"{ARN}\"]\nhosts = [\"api.example.com\"]\napi_key = {{ name = \"x-api-key\", value = \"k-secret\" }}\n"
    );
    let mut config = HttpConfig::from_toml(&text).unwrap();
    config
        .allow_hosts([format!("127.0.0.1:{port}")].iter().map(String::as_str))
        .unwrap();
    let invoker = HttpInvoker::new(config, "us-east-1").unwrap();
    let failure = invoker.invoke(&parameters(port, "/api")).await.unwrap_err();
    assert_eq!(failure.error, "States.Permissions", "{}", failure.cause);
    assert!(!failure.cause.contains("k-secret"));
    assert!(
        seen.authorizations.lock().unwrap().is_empty(),
        "nothing was sent"
    );
}

#[tokio::test]
async fn credentials_an_api_echoes_in_an_error_are_redacted() {
    let (_, port) = serve().await;
    let allow = [format!("127.0.0.1:{port}")];
    for connection in [
        "basic = { username = \"user\", password = \"pass-word\" }\nheaders = { \"X-Token\" = \"header-secret\" }".to_string(),
        oauth(port),
    ] {
        let failure = invoker(&connection, &allow)
            .invoke(&parameters(port, "/echo-error"))
            .await
            .unwrap_err();
        assert_eq!(failure.error, "States.Http.StatusCode.400");
        for secret in ["dXNlcjpwYXNzLXdvcmQ=", "pass-word", "header-secret", "tok-1"] {
            assert!(!failure.cause.contains(secret), "{secret} in {}", failure.cause);
        }
        assert!(failure.cause.contains("***"), "{}", failure.cause);
    }
}
