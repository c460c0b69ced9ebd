//! The HTTP Task goes through `Environment::call_http`: its events are recorded as AWS records
//! `http:invoke` (`resourceType` `http`, `resource` `invoke`), its failures are caught by name,
//! and `TimeoutSeconds` ends a call that does not answer.

use fluxo_engine::{
    execute, ExecutionRequest, HttpCaller, NoFunctions, SystemEnvironment, TaskFailure,
};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// Answers by the endpoint's last path segment: `ok`, `missing` (a 404), or never.
#[derive(Default)]
struct Fake {
    seen: Mutex<Vec<Value>>,
}

impl HttpCaller for Fake {
    fn call(&self, parameters: Value) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        self.seen.lock().unwrap().push(parameters.clone());
        let endpoint = parameters["ApiEndpoint"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Box::pin(async move {
            match endpoint.rsplit('/').next() {
                Some("ok") => Ok(
                    json!({"StatusCode": 200, "StatusText": "OK", "Headers": {}, "ResponseBody": {"n": 1}}),
                ),
                Some("missing") => Err(TaskFailure {
                    error: "States.Http.StatusCode.404".into(),
                    cause: Some("{}".into()),
                }),
                _ => std::future::pending().await,
            }
        })
    }
}

fn machine(endpoint: &str, extra: Value) -> Arc<fluxo_asl::model::StateMachine> {
    let mut call = json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {"ApiEndpoint": endpoint, "Method": "GET", "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/c/1"}},
        "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404", "States.Timeout"], "Next": "Caught"}],
        "End": true});
    for (key, value) in extra.as_object().unwrap() {
        call[key] = value.clone();
    }
    let definition = json!({"StartAt": "Call", "States": {"Call": call, "Caught": {"Type": "Pass", "End": true}}});
    Arc::new(fluxo_asl::compile(&definition).unwrap())
}

async fn run(endpoint: &str, extra: Value) -> (fluxo_engine::ExecutionOutcome, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    let env = Arc::new(SystemEnvironment::new(NoFunctions).with_http(fake.clone()));
    let request = ExecutionRequest::new("us-east-1", "1", "m", "e", json!({}));
    (execute(machine(endpoint, extra), request, env).await, fake)
}

#[tokio::test(start_paused = true)]
async fn a_call_is_recorded_as_aws_records_http_invoke() {
    let (outcome, fake) = run("https://api.example.com/ok", json!({"TimeoutSeconds": 5})).await;
    let output: Value = serde_json::from_str(outcome.output.as_deref().unwrap()).unwrap();
    assert_eq!(
        output,
        json!({"StatusCode": 200, "StatusText": "OK", "Headers": {}, "ResponseBody": {"n": 1}})
    );
    let scheduled = outcome
        .history
        .iter()
        .find(|e| e.kind.as_str() == "TaskScheduled")
        .unwrap();
    let details = Value::Object(scheduled.details.clone().unwrap()).to_string();
    assert!(details.contains(r#""resourceType":"http""#), "{details}");
    assert!(details.contains(r#""resource":"invoke""#), "{details}");
    assert!(details.contains(r#""timeoutInSeconds":5"#), "{details}");
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"TaskStarted") && kinds.contains(&"TaskSucceeded"),
        "{kinds:?}"
    );
    assert_eq!(fake.seen.lock().unwrap()[0]["Method"], "GET");
}

#[tokio::test(start_paused = true)]
async fn a_status_failure_and_a_timeout_are_caught() {
    for (endpoint, error, event) in [
        (
            "https://api.example.com/missing",
            "States.Http.StatusCode.404",
            "TaskFailed",
        ),
        (
            "https://api.example.com/hangs",
            "States.Timeout",
            "TaskTimedOut",
        ),
    ] {
        let (outcome, _) = run(endpoint, json!({"TimeoutSeconds": 2})).await;
        let output: Value = serde_json::from_str(outcome.output.as_deref().unwrap()).unwrap();
        assert_eq!(output["Error"], error);
        assert!(outcome.history.iter().any(|e| e.kind.as_str() == event));
    }
}
