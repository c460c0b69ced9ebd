//! The integrations against a real AWS-compatible server (moto) started by each test.

mod common;

use common::{call, integrations, Moto};
use fluxo_aws::Enabled;
use serde_json::json;

fn md5_hex(text: &str) -> String {
    use md5::Digest;
    md5::Md5::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn sqs_send_message_is_received_by_a_boto3_consumer() {
    let Some(moto) = Moto::start("sqs_send_message_is_received_by_a_boto3_consumer") else {
        return;
    };
    let aws = integrations(&moto.endpoint, Enabled::All);
    let queue = call(
        &aws,
        "arn:aws:states:::aws-sdk:sqs:createQueue",
        json!({"QueueName": "orders"}),
    )
    .await
    .unwrap();
    let queue_url = queue["QueueUrl"].as_str().unwrap().to_string();

    let sent = call(
        &aws,
        "arn:aws:states:::sqs:sendMessage",
        json!({
            "QueueUrl": queue_url,
            "MessageBody": {"order": 42, "items": ["a", "b"]},
            "MessageAttributes": {"origin": {"DataType": "String", "StringValue": "fluxo"}}
        }),
    )
    .await
    .unwrap();
    // The object body is sent as its JSON text (recorded case sqs_failure_in_wait_for_task_tok).
    let body = r#"{"order":42,"items":["a","b"]}"#;
    assert_eq!(sent["MD5OfMessageBody"], json!(md5_hex(body)));
    assert!(sent["MD5OfMessageAttributes"].is_string(), "{sent}");
    assert!(sent["MessageId"].is_string(), "{sent}");
    assert_eq!(sent["SdkHttpMetadata"]["HttpStatusCode"], json!(200));
    assert!(
        sent["SdkHttpMetadata"]["AllHttpHeaders"]["Content-Type"].is_array(),
        "{sent}"
    );
    assert!(
        sent["SdkResponseMetadata"]["RequestId"].is_string(),
        "{sent}"
    );
    let keys: Vec<&String> = sent.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "MD5OfMessageAttributes",
            "MD5OfMessageBody",
            "MessageId",
            "SdkHttpMetadata",
            "SdkResponseMetadata"
        ]
    );

    let received = moto.boto3(
        &format!(
            "sqs = boto3.client('sqs', **kw)\n\
             r = sqs.receive_message(QueueUrl={queue_url:?}, MessageAttributeNames=['All'], WaitTimeSeconds=1)\n\
             m = r['Messages'][0]\n\
             print(json.dumps({{'Body': m['Body'], 'MessageId': m['MessageId'], 'origin': m['MessageAttributes']['origin']['StringValue']}}))"
        ),
        "testing",
        "testing",
    );
    assert_eq!(received["Body"], json!(body));
    assert_eq!(received["MessageId"], sent["MessageId"]);
    assert_eq!(received["origin"], json!("fluxo"));
}

#[tokio::test]
async fn dynamodb_item_put_is_read_back() {
    let Some(moto) = Moto::start("dynamodb_item_put_is_read_back") else {
        return;
    };
    let aws = integrations(&moto.endpoint, Enabled::All);
    call(
        &aws,
        "arn:aws:states:::aws-sdk:dynamodb:createTable",
        json!({
            "TableName": "items",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    )
    .await
    .unwrap();
    let item = json!({"id": {"S": "id1"}, "data": {"S": "HelloWorld"}, "n": {"N": "3"}, "tags": {"L": [{"S": "x"}]}});
    let put = call(
        &aws,
        "arn:aws:states:::dynamodb:putItem",
        json!({"TableName": "items", "Item": item}),
    )
    .await
    .unwrap();
    assert_eq!(
        put.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["SdkHttpMetadata", "SdkResponseMetadata"]
    );

    let key = json!({"id": {"S": "id1"}});
    let got = call(
        &aws,
        "arn:aws:states:::dynamodb:getItem",
        json!({"TableName": "items", "Key": key}),
    )
    .await
    .unwrap();
    assert_eq!(got["Item"], item);

    let updated = call(
        &aws,
        "arn:aws:states:::dynamodb:updateItem",
        json!({"TableName": "items", "Key": key, "UpdateExpression": "set S=:r",
               "ExpressionAttributeValues": {":r": {"S": "HelloWorldUpdated"}}, "ReturnValues": "UPDATED_NEW"}),
    )
    .await
    .unwrap();
    assert_eq!(
        updated["Attributes"],
        json!({"S": {"S": "HelloWorldUpdated"}})
    );

    let queried = call(
        &aws,
        "arn:aws:states:::aws-sdk:dynamodb:query",
        json!({"TableName": "items", "KeyConditionExpression": "id = :id", "ExpressionAttributeValues": {":id": {"S": "id1"}}}),
    )
    .await
    .unwrap();
    assert_eq!(queried["Count"], json!(1));
    assert_eq!(queried["Items"][0]["S"], json!({"S": "HelloWorldUpdated"}));
    // AWS SDK integrations return the API's result only, without the SDK metadata.
    assert!(queried.get("SdkHttpMetadata").is_none());

    call(
        &aws,
        "arn:aws:states:::dynamodb:deleteItem",
        json!({"TableName": "items", "Key": key}),
    )
    .await
    .unwrap();
    let gone = call(
        &aws,
        "arn:aws:states:::dynamodb:getItem",
        json!({"TableName": "items", "Key": key}),
    )
    .await
    .unwrap();
    assert!(gone.get("Item").is_none(), "{gone}");

    let missing = call(
        &aws,
        "arn:aws:states:::dynamodb:putItem",
        json!({"TableName": "nope", "Item": item}),
    )
    .await
    .unwrap_err();
    assert_eq!(missing.error, "DynamoDB.ResourceNotFoundException");
    assert!(
        missing.cause.contains("(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: "),
        "{}",
        missing.cause
    );
    assert!(
        missing.cause.ends_with("; Proxy: null)"),
        "{}",
        missing.cause
    );
}

#[tokio::test]
async fn s3_object_written_by_put_object_is_read_by_get_object() {
    let Some(moto) = Moto::start("s3_object_written_by_put_object_is_read_by_get_object") else {
        return;
    };
    let aws = integrations(&moto.endpoint, Enabled::All);
    call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:createBucket",
        json!({"Bucket": "test-bucket"}),
    )
    .await
    .unwrap();
    let put = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:putObject",
        json!({"Bucket": "test-bucket", "Key": "dir/file key.json", "Body": {"Dict": "Value"}}),
    )
    .await
    .unwrap();
    // The ETag and CRC32 AWS recorded for this body (aws_sdk_task_service__test_s3_put_object_dict).
    assert_eq!(put["ETag"], json!("\"49e31cee5aec8faf3345893addb14346\""));
    assert_eq!(put["ChecksumCRC32"], json!("hnEfWw=="));

    let got = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:getObject",
        json!({"Bucket": "test-bucket", "Key": "dir/file key.json"}),
    )
    .await
    .unwrap();
    assert_eq!(got["Body"], json!("{\"Dict\":\"Value\"}"));
    assert_eq!(got["ContentLength"], json!(16));
    assert_eq!(got["ETag"], put["ETag"]);
    assert_eq!(got["ContentType"], json!("text/plain; charset=UTF-8"));
    let modified = got["LastModified"].as_str().unwrap();
    assert!(
        modified.ends_with('Z') && modified.contains('T'),
        "{modified}"
    );

    let listed = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        json!({"Bucket": "test-bucket"}),
    )
    .await
    .unwrap();
    assert_eq!(listed["KeyCount"], json!(1));
    assert_eq!(listed["Contents"][0]["Key"], json!("dir/file key.json"));
    assert_eq!(listed["Contents"][0]["Size"], json!(16));
}

#[tokio::test]
async fn a_missing_bucket_gives_the_error_name_aws_gives() {
    let Some(moto) = Moto::start("a_missing_bucket_gives_the_error_name_aws_gives") else {
        return;
    };
    let aws = integrations(&moto.endpoint, Enabled::All);
    let failure = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:getObject",
        json!({"Bucket": "no-such-bucket", "Key": "k"}),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.error, "S3.NoSuchBucketException");
    assert!(
        failure.cause.starts_with(
            "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: "
        ),
        "{}",
        failure.cause
    );
    assert!(
        failure.cause.ends_with(") (SDK Attempt Count: 1)"),
        "{}",
        failure.cause
    );

    call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:createBucket",
        json!({"Bucket": "a-bucket"}),
    )
    .await
    .unwrap();
    let failure = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:getObject",
        json!({"Bucket": "a-bucket", "Key": "none"}),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.error, "S3.NoSuchKeyException");
}

#[tokio::test]
async fn query_protocol_sns_publish_and_its_errors() {
    let Some(moto) = Moto::start("query_protocol_sns_publish_and_its_errors") else {
        return;
    };
    let aws = integrations(&moto.endpoint, Enabled::All);
    let topic = call(
        &aws,
        "arn:aws:states:::aws-sdk:sns:createTopic",
        json!({"Name": "events", "Tags": [{"Key": "team", "Value": "fluxo"}]}),
    )
    .await
    .unwrap();
    let topic_arn = topic["TopicArn"].as_str().unwrap().to_string();
    let published = call(
        &aws,
        "arn:aws:states:::sns:publish",
        json!({"TopicArn": topic_arn, "Message": {"hello": "world"},
               "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "greeting"}}}),
    )
    .await
    .unwrap();
    assert!(published["MessageId"].is_string(), "{published}");
    assert_eq!(published["SdkHttpMetadata"]["HttpStatusCode"], json!(200));

    let tags = call(
        &aws,
        "arn:aws:states:::aws-sdk:sns:listTagsForResource",
        json!({"ResourceArn": topic_arn}),
    )
    .await
    .unwrap();
    assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "fluxo"}]));

    let failure = call(
        &aws,
        "arn:aws:states:::sns:publish",
        json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:missing", "Message": "x"}),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.error, "SNS.NotFoundException");
    assert!(
        failure
            .cause
            .contains("(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: "),
        "{}",
        failure.cause
    );

    let identity = call(
        &aws,
        "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
        json!({}),
    )
    .await
    .unwrap();
    assert!(identity["Account"].is_string(), "{identity}");
}

#[tokio::test]
async fn events_put_events_lists_the_execution_as_a_resource() {
    let Some(moto) = Moto::start("events_put_events_lists_the_execution_as_a_resource") else {
        return;
    };
    let aws = integrations(&moto.endpoint, Enabled::All);
    let put = call(
        &aws,
        "arn:aws:states:::events:putEvents",
        json!({"Entries": [{"Detail": {"Message": "HelloWorld"}, "DetailType": "t", "Source": "some.source"}]}),
    )
    .await
    .unwrap();
    assert_eq!(put["FailedEntryCount"], json!(0));
    assert!(put["Entries"][0]["EventId"].is_string(), "{put}");
    assert!(put.get("SdkHttpMetadata").is_none());
}

#[tokio::test]
async fn an_integration_that_is_off_cannot_be_reached() {
    // A listener that counts connections stands in for the service.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let aws = integrations(
        &endpoint,
        Enabled::List(vec!["sqs:sendMessage".to_string()]),
    );
    let failure = call(&aws, "arn:aws:states:::aws-sdk:s3:listBuckets", json!({}))
        .await
        .unwrap_err();
    assert_eq!(failure.error, "States.Runtime");
    assert!(
        failure.cause.contains("'aws-sdk:s3:listBuckets' is off"),
        "{}",
        failure.cause
    );
    assert!(failure.cause.contains("[aws] enabled"), "{}", failure.cause);
    let off = integrations(&endpoint, Enabled::None);
    let failure = call(
        &off,
        "arn:aws:states:::sqs:sendMessage",
        json!({"QueueUrl": "q", "MessageBody": "m"}),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.error, "States.Runtime");
    let accepted =
        tokio::time::timeout(std::time::Duration::from_millis(200), listener.accept()).await;
    assert!(
        accepted.is_err(),
        "a disabled integration opened a connection"
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_is_an_sdk_client_exception() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let aws = integrations(&format!("http://127.0.0.1:{port}"), Enabled::All);
    let failure = call(
        &aws,
        "arn:aws:states:::sqs:sendMessage",
        json!({"QueueUrl": "q", "MessageBody": "m"}),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.error, "SQS.SdkClientException");
    assert!(
        failure
            .cause
            .starts_with("Unable to execute HTTP request: "),
        "{}",
        failure.cause
    );
}

#[tokio::test]
async fn s3_sub_resources_and_xml_bodies() {
    let Some(moto) = Moto::start("s3_sub_resources_and_xml_bodies") else {
        return;
    };
    let aws = integrations(&moto.endpoint, Enabled::All);
    call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:createBucket",
        json!({"Bucket": "tagged"}),
    )
    .await
    .unwrap();
    // `?tagging` with an XML payload, then read back.
    call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:putBucketTagging",
        json!({"Bucket": "tagged", "Tagging": {"TagSet": [{"Key": "team", "Value": "fluxo & co"}]}}),
    )
    .await
    .unwrap();
    let tags = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:getBucketTagging",
        json!({"Bucket": "tagged"}),
    )
    .await
    .unwrap();
    assert_eq!(
        tags["TagSet"],
        json!([{"Key": "team", "Value": "fluxo & co"}])
    );
    // `?delete` with a checksum-required XML body naming two objects.
    for key in ["a", "b"] {
        call(
            &aws,
            "arn:aws:states:::aws-sdk:s3:putObject",
            json!({"Bucket": "tagged", "Key": key, "Body": key}),
        )
        .await
        .unwrap();
    }
    let deleted = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:deleteObjects",
        json!({"Bucket": "tagged", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b"}]}}),
    )
    .await
    .unwrap();
    assert_eq!(
        deleted["Deleted"].as_array().map(Vec::len),
        Some(2),
        "{deleted}"
    );
    // Metadata headers out and back.
    call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:putObject",
        json!({"Bucket": "tagged", "Key": "m", "Body": "x", "Metadata": {"owner": "fluxo"}, "ContentType": "application/json"}),
    )
    .await
    .unwrap();
    let head = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:headObject",
        json!({"Bucket": "tagged", "Key": "m"}),
    )
    .await
    .unwrap();
    assert_eq!(head["Metadata"], json!({"owner": "fluxo"}));
    assert_eq!(head["ContentType"], json!("application/json"));
    assert_eq!(head["ContentLength"], json!(3));
    let missing = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:headObject",
        json!({"Bucket": "tagged", "Key": "none"}),
    )
    .await
    .unwrap_err();
    // A HEAD answer has no body: the status names the operation's documented error, as the SDK
    // for Java 2.x reads it.
    assert_eq!(missing.error, "S3.NoSuchKeyException", "{}", missing.cause);
}
