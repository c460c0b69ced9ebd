//! Functions end to end: real worker processes, commands and an HTTP endpoint.

use fluxo_tasks::{CommandSpec, FunctionRegistry, FunctionSpec, HandlerSpec, HttpSpec, Runtime};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn python(function: &str, timeout: Duration, concurrency: usize) -> FunctionSpec {
    let mut spec = HandlerSpec::python(fixture("handlers.py"), function);
    spec.timeout = timeout;
    spec.concurrency = concurrency;
    FunctionSpec::Handler(spec)
}

fn registry(functions: Vec<(&str, FunctionSpec)>) -> FunctionRegistry {
    let mut registry = FunctionRegistry::default();
    for (name, spec) in functions {
        registry.register(name, spec);
    }
    registry
}

fn cause(error: &fluxo_tasks::FunctionError) -> Value {
    serde_json::from_str(error.cause.as_deref().unwrap_or("null")).expect("the cause is JSON")
}

#[tokio::test]
async fn a_python_handler_gets_the_event_and_a_lambda_context() {
    let functions = registry(vec![("echo", python("echo", Duration::from_secs(10), 1))]);
    let result = functions
        .invoke("echo", json!({"a": 1}), "req-1")
        .await
        .unwrap()
        .payload;
    assert_eq!(
        result,
        json!({"event": {"a": 1}, "request_id": "req-1", "name": "echo"})
    );
    functions.shutdown().await;
}

#[tokio::test]
async fn workers_stay_warm_between_calls() {
    let functions = registry(vec![("count", python("count", Duration::from_secs(10), 1))]);
    for expected in 1..=3 {
        let calls = functions
            .invoke("count", json!({}), "r")
            .await
            .unwrap()
            .payload;
        assert_eq!(calls, json!(expected), "the same process serves every call");
    }
    functions.shutdown().await;
}

#[tokio::test]
async fn an_exception_becomes_the_error_type_and_a_lambda_cause() {
    let functions = registry(vec![("fail", python("fail", Duration::from_secs(10), 1))]);
    let error = functions
        .invoke("fail", json!({}), "req-9")
        .await
        .unwrap_err();
    assert_eq!(error.error, "ValueError");
    let cause = cause(&error);
    assert_eq!(cause["errorMessage"], "the document has no number");
    assert_eq!(cause["errorType"], "ValueError");
    assert_eq!(cause["requestId"], "req-9");
    let frame = cause["stackTrace"][0].as_str().unwrap();
    assert!(frame.contains("/var/task/handlers.py"), "{frame}");
    // Python's separators, as Lambda writes the document.
    assert!(error
        .cause
        .as_deref()
        .unwrap()
        .starts_with("{\"errorMessage\": "));
    functions.shutdown().await;
}

#[tokio::test]
async fn a_handler_that_runs_too_long_times_out_and_the_next_call_gets_a_fresh_worker() {
    let functions = registry(vec![(
        "slow",
        python("slow", Duration::from_millis(700), 1),
    )]);
    let error = functions
        .invoke("slow", json!({"seconds": 30}), "r1")
        .await
        .unwrap_err();
    assert_eq!(error.error, "Sandbox.Timedout");
    assert!(cause(&error)["errorMessage"]
        .as_str()
        .unwrap()
        .contains("timed out after 0.70 seconds"));
    let result = functions
        .invoke("slow", json!({"seconds": 0}), "r2")
        .await
        .unwrap()
        .payload;
    assert_eq!(result, json!("late"));
    functions.shutdown().await;
}

#[tokio::test]
async fn prints_do_not_corrupt_the_protocol_and_bad_results_are_marshal_errors() {
    let functions = registry(vec![
        ("noisy", python("noisy", Duration::from_secs(10), 1)),
        (
            "set",
            python("not_serializable", Duration::from_secs(10), 1),
        ),
    ]);
    assert_eq!(
        functions
            .invoke("noisy", json!({}), "r")
            .await
            .unwrap()
            .payload,
        json!({"ok": true})
    );
    let error = functions.invoke("set", json!({}), "r").await.unwrap_err();
    assert_eq!(error.error, "Runtime.MarshalError");
    functions.shutdown().await;
}

#[tokio::test]
async fn a_crashing_worker_is_an_exit_error_and_is_replaced() {
    let functions = registry(vec![("crash", python("crash", Duration::from_secs(10), 1))]);
    let error = functions.invoke("crash", json!({}), "r").await.unwrap_err();
    assert_eq!(error.error, "Runtime.ExitError");
    let again = functions.invoke("crash", json!({}), "r").await.unwrap_err();
    assert_eq!(again.error, "Runtime.ExitError");
    functions.shutdown().await;
}

#[tokio::test]
async fn missing_functions_and_handlers_fail_as_lambda_does() {
    let mut spec = HandlerSpec::python(fixture("handlers.py"), "no_such_function");
    spec.timeout = Duration::from_secs(10);
    let functions = registry(vec![("broken", FunctionSpec::Handler(spec))]);
    let error = functions
        .invoke("nobody", json!({}), "r")
        .await
        .unwrap_err();
    assert_eq!(error.error, "Lambda.ResourceNotFoundException");
    let error = functions
        .invoke("broken", json!({}), "r")
        .await
        .unwrap_err();
    assert_eq!(error.error, "Runtime.ImportModuleError");
    functions.shutdown().await;
}

#[tokio::test]
async fn concurrency_bounds_the_worker_processes() {
    let functions = registry(vec![("slow", python("slow", Duration::from_secs(20), 2))]);
    let started = std::time::Instant::now();
    let calls = (0..4).map(|_| functions.invoke("slow", json!({"seconds": 0.4}), "r"));
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    // Four calls of 0.4 s through two workers take two rounds, not one.
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
    functions.shutdown().await;
}

#[tokio::test]
async fn node_handlers_run_when_node_is_installed() {
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("node is not installed: skipped");
        return;
    }
    let spec = |function: &str| {
        FunctionSpec::Handler(HandlerSpec {
            runtime: Runtime::Node,
            file: fixture("handler.js"),
            function: function.into(),
            timeout: Duration::from_secs(10),
            concurrency: 1,
            environment: HashMap::new(),
        })
    };
    let functions = registry(vec![("echo", spec("echo")), ("fail", spec("fail"))]);
    let result = functions
        .invoke("echo", json!([1]), "req")
        .await
        .unwrap()
        .payload;
    assert_eq!(result, json!({"event": [1], "requestId": "req"}));
    let error = functions
        .invoke("fail", json!({}), "req")
        .await
        .unwrap_err();
    assert_eq!(error.error, "TypeError");
    functions.shutdown().await;
}

fn command(script: &str) -> FunctionSpec {
    FunctionSpec::Command(CommandSpec {
        program: fixture(script),
        args: Vec::new(),
        timeout: Duration::from_secs(10),
        environment: HashMap::new(),
    })
}

#[tokio::test]
async fn commands_read_the_event_and_write_the_result() {
    let functions = registry(vec![
        ("double", command("double.sh")),
        ("garbage", command("garbage.sh")),
        ("fails", command("fails.sh")),
        ("missing", command("no-such-program")),
    ]);
    assert_eq!(
        functions
            .invoke("double", json!({"n": 21}), "r")
            .await
            .unwrap()
            .payload,
        json!({"n": 42})
    );
    assert_eq!(
        functions
            .invoke("garbage", json!({}), "r")
            .await
            .unwrap_err()
            .error,
        "Runtime.MarshalError"
    );
    let failed = functions.invoke("fails", json!({}), "r").await.unwrap_err();
    assert_eq!(failed.error, "Runtime.ExitError");
    assert!(cause(&failed)["errorMessage"]
        .as_str()
        .unwrap()
        .contains("something went wrong"));
    assert_eq!(
        functions
            .invoke("missing", json!({}), "r")
            .await
            .unwrap_err()
            .error,
        "Lambda.ServiceException"
    );
}

/// A one-shot HTTP server answering every request with `status` and `body`.
async fn endpoint(status: &'static str, body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 65536];
            let _ = socket.read(&mut buffer).await;
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    format!("http://{address}/invoke")
}

#[tokio::test]
async fn http_endpoints_answer_with_the_result() {
    let ok = endpoint("200 OK", r#"{"valido": true}"#).await;
    let broken = endpoint("500 Internal Server Error", "boom").await;
    let http = |url: String| {
        FunctionSpec::Http(HttpSpec {
            url,
            timeout: Duration::from_secs(5),
        })
    };
    let functions = registry(vec![("ok", http(ok)), ("broken", http(broken))]);
    assert_eq!(
        functions
            .invoke("ok", json!({}), "r")
            .await
            .unwrap()
            .payload,
        json!({"valido": true})
    );
    assert_eq!(
        functions
            .invoke("broken", json!({}), "r")
            .await
            .unwrap_err()
            .error,
        "Runtime.ExitError"
    );
}

#[test]
fn configuration_is_checked_when_loaded() {
    let base = fixture("");
    let good = r#"
        [functions.echo]
        runtime = "python3"
        handler = "handlers.echo"
        timeout_seconds = 5
    "#;
    let registry = FunctionRegistry::from_toml_str(good, &base).unwrap();
    assert!(registry.contains("echo"));
    for bad in [
        "[functions.x]\nruntime = \"python3\"\nhandler = \"missing_file.f\"",
        "[functions.x]\nruntime = \"cobol\"\nhandler = \"handlers.echo\"",
        "[functions.x]\ncommand = [\"a\"]\nurl = \"http://127.0.0.1\"",
        "[functions.x]\nurl = \"file:///etc/passwd\"",
        "[functions.x]\nhandler = \"handlers.echo\"\nruntime = \"python3\"\ntimeout_seconds = -1",
        "[functions.x]\nunknown = 1",
    ] {
        assert!(
            FunctionRegistry::from_toml_str(bad, &base).is_err(),
            "{bad}"
        );
    }
}
