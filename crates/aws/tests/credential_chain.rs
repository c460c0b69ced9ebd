//! Credentials from the default AWS credential chain (a profile of the shared files), endpoints
//! from the environment and the shared config file, and signatures checked by the server: moto
//! with `INITIAL_NO_AUTH_ACTION_COUNT` authenticates every request after the first ones (which
//! create the IAM user and its key) and answers `SignatureDoesNotMatch` to a bad signature.
//!
//! One test in its own binary: it sets process environment variables.

mod common;

use aws_credential_types::Credentials;
use common::{call, Moto};
use fluxo_aws::{AwsConfig, Enabled, Integrations};
use serde_json::json;

#[tokio::test]
async fn the_default_chain_signs_requests_the_server_verifies() {
    let Some(moto) = Moto::start_with_env(
        "the_default_chain_signs_requests_the_server_verifies",
        &[("INITIAL_NO_AUTH_ACTION_COUNT", "3")],
    ) else {
        return;
    };
    let (key_id, secret) = user_key(&moto);
    let dir = std::env::temp_dir().join(format!("fluxo-aws-chain-{}", std::process::id()));
    use_shared_files(&dir, &moto.endpoint, &key_id, &secret);
    let (key_id, secret) = (key_id.as_str(), secret.as_str());

    let config = AwsConfig {
        enabled: Enabled::All,
        profile: Some("fluxo-test".to_string()),
        ..AwsConfig::default()
    };
    let aws = Integrations::from_config(&config).await.unwrap();

    // STS answers with the identity whose key signed the request: the profile's.
    let identity = call(
        &aws,
        "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
        json!({}),
    )
    .await
    .unwrap();
    assert!(
        identity["Arn"].as_str().unwrap().ends_with(":user/fluxo"),
        "{identity}"
    );
    // JSON protocol with a signed body, and S3 with its own signing rules and a payload hash.
    let queue = call(
        &aws,
        "arn:aws:states:::aws-sdk:sqs:createQueue",
        json!({"QueueName": "signed"}),
    )
    .await
    .unwrap();
    call(
        &aws,
        "arn:aws:states:::sqs:sendMessage",
        json!({"QueueUrl": queue["QueueUrl"], "MessageBody": "hello"}),
    )
    .await
    .unwrap();
    call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:createBucket",
        json!({"Bucket": "signed-bucket"}),
    )
    .await
    .unwrap();
    call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:putObject",
        json!({"Bucket": "signed-bucket", "Key": "a b/ü+c.txt", "Body": "x"}),
    )
    .await
    .unwrap();
    let listed = call(
        &aws,
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        json!({"Bucket": "signed-bucket", "Prefix": "a b/"}),
    )
    .await
    .unwrap();
    assert_eq!(listed["Contents"][0]["Key"], json!("a b/ü+c.txt"));
    let unreachable = call(
        &aws,
        "arn:aws:states:::sns:publish",
        json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}),
    )
    .await
    .unwrap_err();
    assert_eq!(unreachable.error, "SNS.SdkClientException");

    // The same calls with a wrong secret are refused by the server's signature check, and the
    // secret appears nowhere in the failure.
    let wrong = Integrations::with_credentials(
        &AwsConfig {
            enabled: Enabled::All,
            endpoint_url: Some(moto.endpoint.clone()),
            ..AwsConfig::default()
        },
        Credentials::new(key_id, "wrong-secret-value", None, None, "tests"),
    )
    .unwrap();
    let refused = call(
        &wrong,
        "arn:aws:states:::sqs:sendMessage",
        json!({"QueueUrl": queue["QueueUrl"], "MessageBody": "hello"}),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.error, "SQS.AmazonSQSException");
    assert!(
        refused.cause.contains("Error Code: SignatureDoesNotMatch"),
        "{}",
        refused.cause
    );
    let refused = call(&wrong, "arn:aws:states:::aws-sdk:s3:listBuckets", json!({}))
        .await
        .unwrap_err();
    assert_eq!(refused.error, "S3.S3Exception");
    for failure in [&refused, &unreachable] {
        assert!(!failure.cause.contains("wrong-secret-value") && !failure.cause.contains(secret));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Creates an IAM user allowed everything (the first, unauthenticated calls) and returns its
/// access key id and secret.
fn user_key(moto: &Moto) -> (String, String) {
    let key = moto.boto3(
        "iam = boto3.client('iam', **kw)\n\
         iam.create_user(UserName='fluxo')\n\
         iam.put_user_policy(UserName='fluxo', PolicyName='all', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))\n\
         k = iam.create_access_key(UserName='fluxo')['AccessKey']\n\
         print(json.dumps({'id': k['AccessKeyId'], 'secret': k['SecretAccessKey']}))",
        "bootstrap",
        "bootstrap",
    );
    (
        key["id"].as_str().unwrap().to_string(),
        key["secret"].as_str().unwrap().to_string(),
    )
}

/// Writes a `fluxo-test` profile (region, endpoint, key) into shared config and credentials
/// files in `dir` and points the process's environment at them and at nothing else; SNS gets a
/// service-specific endpoint on a closed port.
fn use_shared_files(dir: &std::path::Path, endpoint: &str, key_id: &str, secret: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.join("config"),
        format!(
            "[profile fluxo-test]\nregion = us-east-1\nendpoint_url = {}\n",
            endpoint
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("credentials"),
        format!("[fluxo-test]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("AWS_CONFIG_FILE", dir.join("config"));
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"));
    // A service-specific variable beats the profile's endpoint: SNS goes to a closed port.
    std::env::set_var("AWS_ENDPOINT_URL_SNS", format!("http://127.0.0.1:{closed}"));
}
