//! TestState through `fluxo server` with raw AWS JSON 1.0 calls: the running example of the
//! document-validation flow (a Choice reading `valido`, a Fail "Documento Inválido", a mocked
//! Task with Retry and with Catch), the inspection data at DEBUG, and requests that must be
//! refused with AWS's errors.

mod common;

use common::{call, Server};
use serde_json::{json, Value};

fn test_state(server: &Server, request: Value) -> (u16, Value) {
    call(&server.endpoint, "TestState", &request)
}

/// A JSON text of the answer (`output`, an inspection step) as a value.
fn parsed(answer: &Value, field: &str) -> Value {
    serde_json::from_str(answer[field].as_str().expect("a JSON text")).expect("JSON")
}

#[test]
fn test_state_answers_the_document_validation_example() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), None);
    let choice = json!({
        "Type": "Choice",
        "Choices": [{"Variable": "$.valido", "BooleanEquals": true, "Next": "Aprobar"}],
        "Default": "Rechazar"
    });
    for (valido, next) in [(true, "Aprobar"), (false, "Rechazar")] {
        let (status, answer) = test_state(
            &server,
            json!({"definition": choice.to_string(), "input": json!({"valido": valido}).to_string()}),
        );
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["status"], "SUCCEEDED");
        assert_eq!(answer["nextState"], next);
        assert!(
            answer.get("inspectionData").is_none(),
            "INFO shows none: {answer}"
        );
    }

    let fail = json!({"Type": "Fail", "Error": "Documento Inválido", "Cause": "falta la firma"});
    let (_, answer) = test_state(
        &server,
        json!({"definition": fail.to_string(), "input": "{}", "inspectionLevel": "DEBUG"}),
    );
    assert_eq!(answer["status"], "FAILED", "{answer}");
    assert_eq!(answer["error"], "Documento Inválido");
    assert_eq!(answer["cause"], "falta la firma");
    assert_eq!(parsed(&answer["inspectionData"], "input"), json!({}));

    let task = |handling: Value| {
        let mut state = json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "validar", "Payload.$": "$"},
            "ResultSelector": {"ok.$": "$.Payload.ok"},
            "ResultPath": "$.validacion",
            "Next": "Guardar"
        });
        state
            .as_object_mut()
            .unwrap()
            .extend(handling.as_object().unwrap().clone());
        state.to_string()
    };
    // A mocked result goes through ResultSelector and ResultPath; DEBUG shows each step.
    let (_, answer) = test_state(
        &server,
        json!({
            "definition": task(json!({})),
            "input": "{\"doc\": 7}",
            "inspectionLevel": "DEBUG",
            "mock": {"result": "{\"Payload\": {\"ok\": true}, \"StatusCode\": 200}"}
        }),
    );
    assert_eq!(answer["status"], "SUCCEEDED", "{answer}");
    assert_eq!(answer["nextState"], "Guardar");
    assert_eq!(
        parsed(&answer, "output"),
        json!({"doc": 7, "validacion": {"ok": true}})
    );
    let data = &answer["inspectionData"];
    assert_eq!(
        parsed(data, "afterParameters"),
        json!({"FunctionName": "validar", "Payload": {"doc": 7}})
    );
    assert_eq!(parsed(data, "afterResultSelector"), json!({"ok": true}));
    assert_eq!(
        parsed(data, "afterResultPath"),
        json!({"doc": 7, "validacion": {"ok": true}})
    );

    // A mocked error that a retrier takes: RETRIABLE, with the back-off of the next attempt.
    let retry = json!({"Retry": [{"ErrorEquals": ["Servicio.Caido"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}]});
    let error = json!({"errorOutput": {"error": "Servicio.Caido", "cause": "503"}});
    let (_, answer) = test_state(
        &server,
        json!({"definition": task(retry.clone()), "input": "{}", "inspectionLevel": "DEBUG",
               "mock": error, "stateConfiguration": {"retrierRetryCount": 1}}),
    );
    assert_eq!(answer["status"], "RETRIABLE", "{answer}");
    assert_eq!(answer["error"], "Servicio.Caido");
    assert_eq!(
        answer["inspectionData"]["errorDetails"],
        json!({"retryBackoffIntervalSeconds": 6, "retryIndex": 0})
    );
    // Its attempts used up, the state fails.
    let (_, answer) = test_state(
        &server,
        json!({"definition": task(retry), "input": "{}", "mock": error,
               "stateConfiguration": {"retrierRetryCount": 3}}),
    );
    assert_eq!(answer["status"], "FAILED", "{answer}");

    // A catcher takes it: CAUGHT_ERROR, the catcher's Next and output.
    let catch = json!({"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Revisar"}]});
    let (_, answer) = test_state(
        &server,
        json!({"definition": task(catch), "input": "{\"doc\": 7}", "mock": error}),
    );
    assert_eq!(answer["status"], "CAUGHT_ERROR", "{answer}");
    assert_eq!(answer["nextState"], "Revisar");
    assert_eq!(
        parsed(&answer, "output"),
        json!({"doc": 7, "error": {"Error": "Servicio.Caido", "Cause": "503"}})
    );
}

#[test]
fn test_state_refuses_what_aws_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), None);
    let cases = [
        (
            json!({"definition": "{\"Type\": \"Pass\", \"End\": true}", "mock": {"result": "{}"}}),
            "ValidationException",
            "State type 'Pass' is not supported when a mock is specified",
        ),
        (
            json!({"definition": "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true}"}),
            "ValidationException",
            "RoleArn must be specified when testing a Task state",
        ),
        (
            json!({"definition": "{\"Type\": \"Parallel\", \"Branches\": [{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true}}}], \"End\": true}"}),
            "InvalidDefinition",
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ),
        (
            json!({"definition": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true}}}", "stateName": "B"}),
            "ValidationException",
            "State not found in definition",
        ),
        (
            json!({"definition": "{\"Type\": \"Pass\", \"End\": true}", "context": "{\"Nope\": {}}"}),
            "ValidationException",
            "Invalid Context object provided: Field 'Nope' is not allowed",
        ),
    ];
    for (request, code, message) in cases {
        let (status, answer) = test_state(&server, request.clone());
        assert_eq!(status, 400, "{request} → {answer}");
        assert_eq!(
            answer["__type"]
                .as_str()
                .unwrap_or_default()
                .rsplit('#')
                .next(),
            Some(code),
            "{answer}"
        );
        assert_eq!(answer["message"], message, "{request}");
    }
    // A definition nested beyond the validator's bound is refused, and the server lives on.
    let mut deep = json!({"Type": "Pass", "End": true});
    for _ in 0..200 {
        deep = json!({"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": deep}}], "End": true});
    }
    let (status, _) = test_state(
        &server,
        json!({"definition": deep.to_string(), "mock": {"result": "[]"}}),
    );
    assert_eq!(status, 400);
    // A back-off that overflows (an unbounded BackoffRate, many attempts, full jitter) is
    // capped, not a panic of the handler.
    let task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f"}, "End": true,
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 1e308,
                   "MaxAttempts": 99999999, "JitterStrategy": "FULL"}]});
    let (status, answer) = test_state(
        &server,
        json!({"definition": task.to_string(), "input": "{}",
               "mock": {"errorOutput": {"error": "X"}},
               "stateConfiguration": {"retrierRetryCount": 2000}}),
    );
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("RETRIABLE")),
        "{answer}"
    );
    let (status, answer) = test_state(&server, json!({"definition": "{\"Type\": \"Succeed\"}"}));
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("SUCCEEDED"))
    );
}

/// `mock.fieldValidationMode` (API reference, MockInput): a mocked result is checked against
/// the integration's API model, STRICT by default (required members too), PRESENT (present
/// members only), NONE (nothing); the messages are AWS's (recorded cases
/// `test_state/field_validation_mode*`).
#[test]
fn mocked_results_are_checked_against_the_api_model() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), None);
    let state = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution",
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"},
        "End": true
    })
    .to_string();
    let run = |result: Value, mode: Option<&str>| {
        let mut mock = json!({"result": result.to_string()});
        if let Some(mode) = mode {
            mock["fieldValidationMode"] = json!(mode);
        }
        test_state(&server, json!({"definition": state, "mock": mock}))
    };
    let (status, answer) = run(json!({"ExecutionArn": "a"}), None);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["__type"],
        "com.amazonaws.swf.service.v2.model#ValidationException"
    );
    assert_eq!(
        answer["message"],
        "Mock result schema validation error: Required field 'StartDate' is missing"
    );
    let (status, answer) = run(json!({"ExecutionArn": "a"}), Some("PRESENT"));
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("SUCCEEDED"))
    );
    let (status, answer) = run(json!({"ExecutionArn": 7}), Some("PRESENT"));
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["message"],
        "Mock result schema validation error: Field 'ExecutionArn' must be a string"
    );
    let (status, answer) = run(json!({"ExecutionArn": 7}), Some("NONE"));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(parsed(&answer, "output"), json!({"ExecutionArn": 7}));
    let (status, answer) = run(json!({}), Some("LOOSE"));
    assert_eq!(status, 400, "{answer}");
    assert!(answer["__type"]
        .as_str()
        .unwrap()
        .ends_with("ValidationException"));
}
