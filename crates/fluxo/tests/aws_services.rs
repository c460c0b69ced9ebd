//! AWS service integrations end to end: a `fluxo server` whose `fluxo.toml` points `[aws]` at a
//! moto server on loopback runs state machines that send SQS messages, put and get DynamoDB
//! items and S3 objects, and wait for task tokens; boto3 plays the consumers and workers. An
//! integration that is off is never reached.

mod common;

use common::aws::{
    counting_listener, create, details, fluxo_with, history, output, run, with_moto, MotoSetup,
};
use common::stand_in::{serve, Answer};
use common::{call, Server};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn setup(test: &str, aws: &str) -> Option<MotoSetup> {
    with_moto(test, aws)
}

#[test]
fn a_message_sent_by_a_state_machine_is_received_by_a_boto3_consumer() {
    let test = "a_message_sent_by_a_state_machine_is_received_by_a_boto3_consumer";
    let Some(setup) = setup(
        test,
        r#"enabled = ["sqs:sendMessage"]
           endpoint_url = "ENDPOINT""#,
    ) else {
        return;
    };
    let queue = setup.moto.boto3(
        None,
        "print(json.dumps(aws('sqs').create_queue(QueueName='orders')['QueueUrl']))",
    );
    let definition = json!({"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl.$": "$.queue", "MessageBody.$": "$.order",
                       "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "order"}}},
        "ResultSelector": {"id.$": "$.MessageId", "status.$": "$.SdkHttpMetadata.HttpStatusCode"},
        "ResultPath": "$.sent", "End": true}}});
    let endpoint = setup.server.endpoint.clone();
    let machine = create(&endpoint, "send", &definition, "STANDARD");
    let described = run(
        &endpoint,
        &machine,
        &json!({"queue": queue, "order": "{\"item\":\"book\"}"}),
    );
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let sent = output(&described)["sent"].clone();
    assert_eq!(sent["status"], 200);

    let received = setup.moto.boto3(
        None,
        &format!(
            "m = aws('sqs').receive_message(QueueUrl={queue}, MessageAttributeNames=['All'], WaitTimeSeconds=2)['Messages'][0]\n\
             print(json.dumps({{'id': m['MessageId'], 'body': m['Body'], 'kind': m['MessageAttributes']['kind']['StringValue']}}))"
        ),
    );
    assert_eq!(received["body"], "{\"item\":\"book\"}");
    assert_eq!(received["kind"], "order");
    assert_eq!(received["id"], sent["id"]);

    // The history AWS records for an optimized service task.
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    let scheduled = &details(&events, "TaskScheduled")[0];
    assert_eq!(scheduled["resourceType"], "sqs");
    assert_eq!(scheduled["resource"], "sendMessage");
    assert_eq!(scheduled["region"], "us-east-1");
    let parameters: Value =
        serde_json::from_str(scheduled["parameters"].as_str().unwrap()).unwrap();
    assert_eq!(parameters["QueueUrl"], queue);
    assert_eq!(
        details(&events, "TaskStarted")[0],
        json!({"resourceType": "sqs", "resource": "sendMessage"})
    );
    let succeeded = &details(&events, "TaskSucceeded")[0];
    assert_eq!(succeeded["resourceType"], "sqs");
    let result: Value = serde_json::from_str(succeeded["output"].as_str().unwrap()).unwrap();
    assert_eq!(result["MessageId"], sent["id"]);
}

#[test]
fn an_item_put_in_dynamodb_is_read_back_by_a_later_state_standard_and_express() {
    let test = "an_item_put_in_dynamodb_is_read_back_by_a_later_state_standard_and_express";
    let Some(setup) = setup(
        test,
        r#"enabled = ["dynamodb"]
           endpoint_url = "ENDPOINT""#,
    ) else {
        return;
    };
    setup.moto.boto3(
        None,
        "aws('dynamodb').create_table(TableName='items', KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'}], \
         AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}], BillingMode='PAY_PER_REQUEST')\nprint('{}')",
    );
    // The put in JSONPath, the read in JSONata (Arguments, Output).
    let definition = json!({"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "items",
                               "Item": {"id": {"S.$": "$.id"}, "colour": {"S.$": "$.colour"}}},
                "ResultPath": null, "Next": "Get"},
        "Get": {"Type": "Task", "QueryLanguage": "JSONata",
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "Arguments": {"TableName": "items", "Key": {"id": {"S": "{% $states.input.id %}"}}},
                "Output": {"colour": "{% $states.result.Item.colour.S %}"},
                "End": true}}});
    let endpoint = setup.server.endpoint.clone();
    let machine = create(&endpoint, "items", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({"id": "a1", "colour": "blue"}));
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert_eq!(output(&described), json!({"colour": "blue"}));
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    let resources: Vec<Value> = details(&events, "TaskScheduled")
        .iter()
        .map(|d| json!([d["resourceType"], d["resource"]]))
        .collect();
    assert_eq!(
        resources,
        vec![
            json!(["dynamodb", "putItem"]),
            json!(["dynamodb", "getItem"])
        ]
    );

    // Express, synchronously: the same calls from an in-memory execution.
    let express = create(&endpoint, "items-express", &definition, "EXPRESS");
    let (status, answer) = call(
        &endpoint,
        "StartSyncExecution",
        &json!({"stateMachineArn": express, "input": json!({"id": "b2", "colour": "green"}).to_string()}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "SUCCEEDED", "{answer}");
    assert_eq!(output(&answer), json!({"colour": "green"}));
    let stored = setup.moto.boto3(
        None,
        "print(json.dumps(aws('dynamodb').get_item(TableName='items', Key={'id': {'S': 'b2'}})['Item']))",
    );
    assert_eq!(stored["colour"], json!({"S": "green"}));
}

#[test]
fn an_s3_object_written_by_put_object_is_read_by_get_object_and_a_missing_bucket_is_named() {
    let test =
        "an_s3_object_written_by_put_object_is_read_by_get_object_and_a_missing_bucket_is_named";
    let Some(setup) = setup(
        test,
        r#"enabled = ["s3:putObject", "s3:getObject"]
           endpoint_url = "ENDPOINT""#,
    ) else {
        return;
    };
    setup.moto.boto3(
        None,
        "aws('s3').create_bucket(Bucket='documents')\nprint('{}')",
    );
    let definition = json!({"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket.$": "$.bucket", "Key": "report.txt", "Body.$": "$.text"},
                "Retry": [{"ErrorEquals": ["S3.NoSuchBucketException"], "MaxAttempts": 1,
                           "IntervalSeconds": 1}],
                "Catch": [{"ErrorEquals": ["S3.NoSuchBucketException"], "Next": "Missing"}],
                "ResultPath": "$.put", "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket.$": "$.bucket", "Key": "report.txt"},
                "ResultSelector": {"body.$": "$.Body", "etag.$": "$.ETag"},
                "TimeoutSeconds": 30, "End": true},
        "Missing": {"Type": "Pass", "End": true}}});
    let endpoint = setup.server.endpoint.clone();
    let machine = create(&endpoint, "documents", &definition, "STANDARD");
    let described = run(
        &endpoint,
        &machine,
        &json!({"bucket": "documents", "text": "all is well"}),
    );
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let got = output(&described);
    // A string `Body` is stored as its JSON text, as AWS does (recorded case
    // `services/aws_sdk_task_service__test_s3_put_object_str`: "text data" reads back as
    // "\"text data\"").
    assert_eq!(got["body"], "\"all is well\"");
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    let scheduled = details(&events, "TaskScheduled");
    assert_eq!(scheduled[0]["resourceType"], "aws-sdk:s3");
    assert_eq!(scheduled[0]["resource"], "putObject");
    assert_eq!(scheduled[1]["timeoutInSeconds"], 30);
    let put: Value = serde_json::from_str(
        details(&events, "TaskSucceeded")[0]["output"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(got["etag"], put["ETag"]);

    // No such bucket: S3.NoSuchBucketException (the AWS SDK integration's name for S3's
    // NoSuchBucket), retried once by the state's Retry, then caught.
    let described = run(
        &endpoint,
        &machine,
        &json!({"bucket": "no-such-bucket", "text": "lost"}),
    );
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let caught = output(&described);
    assert_eq!(caught["Error"], "S3.NoSuchBucketException", "{caught}");
    assert!(
        caught["Cause"]
            .as_str()
            .unwrap()
            .starts_with("The specified bucket does not exist (Service: S3, Status Code: 404"),
        "{caught}"
    );
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    let failed = details(&events, "TaskFailed");
    assert_eq!(failed.len(), 2, "one attempt and one retry: {events:?}");
    assert_eq!(failed[0]["error"], "S3.NoSuchBucketException");
    assert_eq!(failed[0]["resourceType"], "aws-sdk:s3");
}

#[test]
fn a_wait_for_task_token_round_trip_through_sqs_completes() {
    let test = "a_wait_for_task_token_round_trip_through_sqs_completes";
    let Some(setup) = setup(
        test,
        r#"enabled = ["sqs"]
           endpoint_url = "ENDPOINT""#,
    ) else {
        return;
    };
    let queue = setup.moto.boto3(
        None,
        "print(json.dumps(aws('sqs').create_queue(QueueName='reviews')['QueueUrl']))",
    );
    let definition = json!({"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl.$": "$.queue",
                       "MessageBody": {"document.$": "$.document", "TaskToken.$": "$$.Task.Token"}},
        "TimeoutSeconds": 60, "HeartbeatSeconds": 30, "End": true}}});
    let endpoint = setup.server.endpoint.clone();
    let machine = create(&endpoint, "review", &definition, "STANDARD");
    let (status, started) = call(
        &endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine,
                "input": json!({"queue": queue, "document": "d-7"}).to_string()}),
    );
    assert_eq!(status, 200, "{started}");
    // The worker: reads the token from the message and answers with SendTaskSuccess.
    let worked = setup.moto.boto3(
        Some(&endpoint),
        &format!(
            "sqs = aws('sqs')\n\
             deadline = time.time() + 30\n\
             while True:\n\
             \x20   got = sqs.receive_message(QueueUrl={queue}, WaitTimeSeconds=1).get('Messages', [])\n\
             \x20   if got or time.time() > deadline: break\n\
             body = json.loads(got[0]['Body'])\n\
             sfn.send_task_success(taskToken=body['TaskToken'], output=json.dumps({{'approved': body['document']}}))\n\
             print(json.dumps(body['document']))"
        ),
    );
    assert_eq!(worked, "d-7");
    let arn = started["executionArn"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let described = loop {
        let (_, described) = call(
            &endpoint,
            "DescribeExecution",
            &json!({"executionArn": arn}),
        );
        if described["status"] != "RUNNING" || Instant::now() > deadline {
            break described;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert_eq!(output(&described), json!({"approved": "d-7"}));
    let events = history(&endpoint, arn);
    let kinds = common::event_types(&events);
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
    let scheduled = &details(&events, "TaskScheduled")[0];
    assert_eq!(scheduled["resource"], "sendMessage.waitForTaskToken");
    assert_eq!(scheduled["timeoutInSeconds"], 60);
    assert_eq!(scheduled["heartbeatInSeconds"], 30);
    let submitted = &details(&events, "TaskSubmitted")[0];
    let submitted: Value = serde_json::from_str(submitted["output"].as_str().unwrap()).unwrap();
    assert!(submitted["MessageId"].is_string(), "{submitted}");
}

#[test]
fn an_integration_that_is_off_cannot_be_reached() {
    // No moto needed: the endpoint is a listener that counts connections.
    let (endpoint_url, connections) = counting_listener();
    let (server, _dir) = fluxo_with(&format!(
        "enabled = [\"dynamodb:getItem\"]\nendpoint_url = \"{endpoint_url}\""
    ));
    let endpoint = server.endpoint.clone();
    let definition = json!({"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": format!("{endpoint_url}/123456789012/q"), "MessageBody": "hi"},
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
        "End": true},
        "Caught": {"Type": "Pass", "End": true}}});
    // CreateStateMachine accepts it, as AWS would.
    let machine = create(&endpoint, "off", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({}));
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(described["error"], "States.Runtime");
    let cause = described["cause"].as_str().unwrap();
    assert!(cause.contains("[aws] enabled"), "{cause}");
    assert!(cause.contains("sqs:sendMessage"), "{cause}");
    // Neither retried nor caught, and nothing reached the endpoint.
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    assert_eq!(details(&events, "TaskFailed").len(), 1);
    assert_eq!(connections.load(Ordering::SeqCst), 0);

    // Without any [aws] table the call fails the same way.
    let dir = tempfile::tempdir().unwrap();
    let bare = Server::start(&dir.path().join("data"), None);
    let machine = create(&bare.endpoint, "off", &definition, "STANDARD");
    let described = run(&bare.endpoint, &machine, &json!({}));
    assert_eq!(described["error"], "States.Runtime", "{described}");
    assert!(described["cause"].as_str().unwrap().contains("[aws]"));
    assert_eq!(connections.load(Ordering::SeqCst), 0);
}

/// `bedrock:invokeModel` against moto's Bedrock Runtime (which answers every model with `{}`):
/// the request is signed and sent to the model's `InvokeModel`, the result is `{Body,
/// ContentType}` with the body parsed; `Input` reads the request from an S3 object (moto
/// parses the body it gets as JSON, so a body that did not come from the object fails);
/// `Output` is refused with a clear error rather than ignored. (moto 5.2.5 answers 500 to an
/// `Accept` other than `application/json`, hence no `*/*` here; without one Fluxo sends
/// Bedrock's default, `application/json`.)
#[test]
fn bedrock_invoke_model_answers_with_the_parsed_body_and_reads_its_request_from_s3() {
    let test = "bedrock_invoke_model_answers_with_the_parsed_body_and_reads_its_request_from_s3";
    let Some(setup) = setup(
        test,
        r#"enabled = ["bedrock:invokeModel", "s3"]
           endpoint_url = "ENDPOINT""#,
    ) else {
        return;
    };
    setup.moto.boto3(
        None,
        "s3 = aws('s3')\n\
         s3.create_bucket(Bucket='prompts')\n\
         s3.put_object(Bucket='prompts', Key='p.json', Body=b'{\"inputText\": \"hello\"}', ContentType='application/json')\n\
         print('{}')",
    );
    let definition = json!({"StartAt": "Inline", "States": {
        "Inline": {"Type": "Task", "Resource": "arn:aws:states:::bedrock:invokeModel",
                   "Parameters": {"ModelId": "amazon.titan-text-express-v1",
                                  "Body": {"inputText.$": "$.prompt"},
                                  "ContentType": "application/json",
                                  "Accept": "application/json"},
                   "ResultPath": "$.inline", "Next": "FromS3"},
        "FromS3": {"Type": "Task", "Resource": "arn:aws:states:::bedrock:invokeModel",
                   "Parameters": {"ModelId": "amazon.titan-text-express-v1",
                                  "Input": {"S3Uri": "s3://prompts/p.json"}},
                   "ResultPath": "$.fromS3", "End": true}}});
    let endpoint = setup.server.endpoint.clone();
    let machine = create(&endpoint, "bedrock", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({"prompt": "hello"}));
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let got = output(&described);
    let expected = json!({"Body": {}, "ContentType": "application/json"});
    assert_eq!(got["inline"], expected, "{got}");
    assert_eq!(got["fromS3"], expected, "{got}");
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    let scheduled = details(&events, "TaskScheduled");
    assert_eq!(scheduled[0]["resourceType"], "bedrock");
    assert_eq!(scheduled[0]["resource"], "invokeModel");

    // `Output` fails the execution with States.Runtime (which no Catch takes), naming it.
    let definition = json!({"StartAt": "ToS3", "States": {
        "ToS3": {"Type": "Task", "Resource": "arn:aws:states:::bedrock:invokeModel",
                 "Parameters": {"ModelId": "amazon.titan-text-express-v1", "Body": {},
                                "Output": {"S3Uri": "s3://prompts/out.json"}},
                 "End": true}}});
    let machine = create(&endpoint, "bedrock-output", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({}));
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(described["error"], "States.Runtime", "{described}");
    assert!(
        described["cause"].as_str().unwrap().contains("(Output)"),
        "{described}"
    );
}

/// `apigateway:invoke` against a stand-in at the configured `apigateway` endpoint: the call
/// goes to LocalStack's path for the API, stage and path, with the query, headers and JSON body
/// the Task gives; `IAM_ROLE` signs it for `execute-api`; the result is `{ResponseBody,
/// Headers, StatusCode, StatusText}`; a 403 fails as `ApiGateway.403` with the body as cause;
/// an endpoint that is not API Gateway's is refused without any call.
#[test]
fn api_gateway_is_invoked_and_its_status_becomes_the_error() {
    let (url, requests) = serve(|request| match request.line.contains("/denied") {
        true => Answer {
            status: "403 Forbidden",
            content_type: "application/json",
            body: r#"{"message":"Missing Authentication Token"}"#.into(),
        },
        false => Answer::ok("application/json", json!({"myBills": []})),
    });
    let (server, _dir) = fluxo_with(&format!(
        "enabled = [\"apigateway\"]\n[aws.endpoint_urls]\napigateway = \"{url}\""
    ));
    let endpoint = server.endpoint.clone();
    let definition = json!({"StartAt": "Add", "States": {
        "Add": {"Type": "Task", "Resource": "arn:aws:states:::apigateway:invoke",
                "Parameters": {"ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com",
                               "Method": "POST", "Stage": "prod", "Path": "bills",
                               "Headers": {"x-tenant": ["t1"]},
                               "QueryParameters": {"billId": ["123456"]},
                               "RequestBody": {"amount.$": "$.amount"},
                               "AuthType": "IAM_ROLE"},
                "ResultPath": "$.added", "Next": "Denied"},
        "Denied": {"Type": "Task", "Resource": "arn:aws:states:::apigateway:invoke",
                   "Parameters": {"ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com",
                                  "Method": "GET", "Stage": "prod", "Path": "denied"},
                   "Catch": [{"ErrorEquals": ["ApiGateway.403"], "ResultPath": "$.denied",
                              "Next": "Done"}],
                   "End": true},
        "Done": {"Type": "Pass", "End": true}}});
    let machine = create(&endpoint, "bills", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({"amount": 12}));
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let got = output(&described);
    assert_eq!(
        got["added"]["ResponseBody"],
        json!({"myBills": []}),
        "{got}"
    );
    assert_eq!(got["added"]["StatusCode"], 200, "{got}");
    assert_eq!(got["added"]["StatusText"], "OK", "{got}");
    assert_eq!(
        got["added"]["Headers"]["x-amzn-requestid"],
        json!(["r-1"]),
        "{got}"
    );
    assert_eq!(got["denied"]["Error"], "ApiGateway.403", "{got}");
    assert_eq!(
        got["denied"]["Cause"],
        r#"{"message":"Missing Authentication Token"}"#
    );
    let added = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let (line, headers) = (&added.line, &added.headers);
    assert_eq!(
        line,
        "POST /restapis/abc123/prod/_user_request_/bills?billId=123456 HTTP/1.1"
    );
    assert!(headers.contains(&"x-tenant: t1".to_string()), "{headers:?}");
    assert!(
        headers.iter().any(
            |h| h.starts_with("authorization: aws4-hmac-sha256") && h.contains("/execute-api/")
        ),
        "{headers:?}"
    );
    assert_eq!(added.text(), r#"{"amount":12}"#);
    let denied = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    let (line, headers) = (&denied.line, &denied.headers);
    assert_eq!(
        line,
        "GET /restapis/abc123/prod/_user_request_/denied HTTP/1.1"
    );
    assert!(
        !headers.iter().any(|h| h.starts_with("authorization:")),
        "NO_AUTH is unsigned: {headers:?}"
    );

    // Another host is refused with States.Runtime, and nothing is sent.
    let definition = json!({"StartAt": "Elsewhere", "States": {
        "Elsewhere": {"Type": "Task", "Resource": "arn:aws:states:::apigateway:invoke",
                      "Parameters": {"ApiEndpoint": "internal.example.com", "Method": "GET"},
                      "End": true}}});
    let machine = create(&endpoint, "elsewhere", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({}));
    assert_eq!(described["error"], "States.Runtime", "{described}");
    assert!(requests.recv_timeout(Duration::from_millis(300)).is_err());
}
