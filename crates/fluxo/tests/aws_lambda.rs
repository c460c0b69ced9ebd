//! Lambda functions that the operator did not define locally run on AWS Lambda (here moto's
//! Lambda on loopback) when `[aws]` turns Lambda on: `lambda:invoke` returns Lambda's API
//! response, a function ARN the function's answer alone, `.waitForTaskToken` hands the token
//! on; a local function keeps precedence; with Lambda off nothing leaves the machine.

mod common;

use common::aws::{
    counting_listener, create, details, fluxo_with, fluxo_with_toml, history, output, run,
};
use common::call;
use common::moto::Moto;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// moto's Lambda without Docker: an invocation answers with the request's payload (moto's
/// "simple" Lambda backend), which is enough to see what Fluxo sent and how it shapes what came
/// back. Functions are created first, as on AWS.
const MOTO_LAMBDA: &str = r#"
import io, urllib.request, zipfile
def moto_config(use_docker):
    request = urllib.request.Request(aws('sts').meta.endpoint_url + '/moto-api/config',
        data=json.dumps({'lambda': {'use_docker': use_docker}}).encode(), method='POST',
        headers={'Content-Type': 'application/json'})
    urllib.request.urlopen(request).read()
def create_function(name):
    role = aws('iam').create_role(RoleName='lambda-' + name,
        AssumeRolePolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Principal': {'Service': 'lambda.amazonaws.com'},
             'Action': 'sts:AssumeRole'}]}))['Role']['Arn']
    code = io.BytesIO()
    with zipfile.ZipFile(code, 'w') as archive:
        archive.writestr('f.py', 'def handler(event, context):\n    return event\n')
    return aws('lambda').create_function(FunctionName=name, Runtime='python3.12', Role=role,
        Handler='f.handler', Code={'ZipFile': code.getvalue()})['FunctionArn']
"#;

#[test]
fn a_function_not_defined_locally_runs_on_aws_lambda_and_a_local_one_stays_local() {
    let test = "a_function_not_defined_locally_runs_on_aws_lambda_and_a_local_one_stays_local";
    let Some((_moto, server, _dir, function_arn)) = lambda_setup(test) else {
        return;
    };
    let definition = json!({"StartAt": "Optimized", "States": {
        "Optimized": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "checker", "Payload": {"document.$": "$.document"}},
            "ResultSelector": {"payload.$": "$.Payload", "status.$": "$.StatusCode",
                               "http.$": "$.SdkHttpMetadata.HttpStatusCode"},
            "ResultPath": "$.optimized", "Next": "Legacy"},
        "Legacy": {"Type": "Task", "Resource": function_arn,
            "InputPath": "$.document", "ResultPath": "$.legacy", "Next": "Local"},
        "Local": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "stamp", "Payload": {"n": 1}},
            "ResultPath": "$.local", "OutputPath": "$.local.Payload", "End": true}}});
    let endpoint = server.endpoint.clone();
    let machine = create(&endpoint, "lambdas", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({"document": {"id": 7}}));
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    // What the Local state was given: the two answers from AWS.
    let local = events
        .iter()
        .find(|event| event["stateEnteredEventDetails"]["name"] == "Local")
        .expect("Local was entered");
    let local_input: Value =
        serde_json::from_str(local["stateEnteredEventDetails"]["input"].as_str().unwrap()).unwrap();
    // The optimized integration's API response, with moto's answer (the payload sent) parsed.
    assert_eq!(
        local_input["optimized"],
        json!({"payload": {"document": {"id": 7}}, "status": 200, "http": 200})
    );
    // The function ARN returns the function's answer alone.
    assert_eq!(local_input["legacy"], json!({"id": 7}));
    let succeeded = details(&events, "TaskSucceeded");
    let response: Value = serde_json::from_str(succeeded[0]["output"].as_str().unwrap()).unwrap();
    // moto's own response id, not one Fluxo made up for a local function.
    assert!(
        response["SdkResponseMetadata"]["RequestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{response}"
    );
    assert_eq!(
        details(&events, "TaskScheduled")[0]["resourceType"],
        "lambda"
    );
    // The function ARN's call is recorded as LambdaFunction* events.
    let legacy = details(&events, "LambdaFunctionSucceeded");
    assert_eq!(legacy[0]["output"], "{\"id\":7}");
    // A function the operator defined runs locally even when Lambda is on.
    assert_eq!(
        output(&described),
        json!({"local": true, "seen": {"n": 1}}),
        "the Local state's OutputPath keeps the local function's answer"
    );
}

/// moto with Lambda's `checker` created (on the Docker-less backend), and a Fluxo
/// server with Lambda on and the local function `stamp`.
fn lambda_setup(test: &str) -> Option<(Moto, common::Server, tempfile::TempDir, Value)> {
    let moto = Moto::start(test)?;
    let function_arn = moto.boto3(
        None,
        &format!("{MOTO_LAMBDA}moto_config(False)\nprint(json.dumps(create_function('checker')))"),
    );
    let (server, dir) = fluxo_with_toml(
        &format!(
            "[aws]\nenabled = [\"lambda\"]\nendpoint_url = \"{}\"\n\n[functions.stamp]\nruntime = \"python3\"\nhandler = \"stamp.handler\"\n",
            moto.endpoint
        ),
        &[(
            "stamp.py",
            "def handler(event, context):\n    return {'local': True, 'seen': event}\n",
        )],
    );
    Some((moto, server, dir, function_arn))
}

#[test]
fn a_wait_for_task_token_round_trip_and_a_missing_function_on_aws_lambda() {
    let test = "a_wait_for_task_token_round_trip_and_a_missing_function_on_aws_lambda";
    let Some((moto, server, _dir, _)) = lambda_setup(test) else {
        return;
    };
    let endpoint = server.endpoint.clone();
    // `.waitForTaskToken` on AWS Lambda: the function receives the token (moto's answer is the
    // payload, so the token comes back in TaskSubmitted) and SendTaskSuccess ends the task.
    let callback = json!({"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "checker", "Payload": {"token.$": "$$.Task.Token"}},
        "End": true}}});
    let machine = create(&endpoint, "callback", &callback, "STANDARD");
    let (status, started) = call(
        &endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": "{}"}),
    );
    assert_eq!(status, 200, "{started}");
    let execution = started["executionArn"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    let submitted = loop {
        let events = history(&endpoint, &execution);
        if let Some(submitted) = details(&events, "TaskSubmitted").pop() {
            break submitted;
        }
        assert!(Instant::now() < deadline, "never submitted: {events:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let submitted: Value = serde_json::from_str(submitted["output"].as_str().unwrap()).unwrap();
    let token = submitted["Payload"]["token"]
        .as_str()
        .expect("the token went to Lambda");
    let (status, body) = call(
        &endpoint,
        "SendTaskSuccess",
        &json!({"taskToken": token, "output": "{\"approved\": true}"}),
    );
    assert_eq!(status, 200, "{body}");
    let described = common::ended(&endpoint, &execution);
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert_eq!(output(&described), json!({"approved": true}));

    // A function that exists nowhere: Lambda's ResourceNotFoundException as the optimized
    // integration names it (moto checks the function only when it runs them in Docker).
    moto.boto3(
        None,
        &format!("{MOTO_LAMBDA}moto_config(True)\nprint('{{}}')"),
    );
    let missing = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "nobody"}, "End": true}}});
    let machine = create(&endpoint, "missing", &missing, "STANDARD");
    let described = run(&endpoint, &machine, &json!({}));
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(
        described["error"], "Lambda.ResourceNotFoundException",
        "{described}"
    );
}

#[test]
fn a_function_that_is_neither_local_nor_turned_on_is_not_found_and_aws_is_not_reached() {
    let (url, hits) = counting_listener();
    let (server, _dir) = fluxo_with(&format!("enabled = [\"sqs\"]\nendpoint_url = \"{url}\""));
    let definition = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "checker"}, "End": true}}});
    let machine = create(&server.endpoint, "off", &definition, "STANDARD");
    let described = run(&server.endpoint, &machine, &json!({}));
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(
        described["error"], "Lambda.ResourceNotFoundException",
        "{described}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "Lambda is off: nothing may be sent"
    );
}
