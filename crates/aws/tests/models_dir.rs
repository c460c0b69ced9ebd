//! Services whose models Fluxo does not embed, read from a botocore data directory
//! (`[aws] models_dir`; here the botocore that comes with moto): EC2 (the EC2 Query protocol),
//! CloudWatch Logs (found as `cloudwatchlogs`, botocore's `logs`) and API Gateway (REST-JSON with
//! camelCase members, written and read in PascalCase).

mod common;

use aws_credential_types::Credentials;
use common::{call, Moto};
use fluxo_aws::{AwsConfig, Enabled, Integrations};
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;

/// botocore's `data` directory, from the Python that runs moto.
fn botocore_data(moto: &Moto) -> PathBuf {
    let output = Command::new(moto.python())
        .args([
            "-c",
            "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))",
        ])
        .output()
        .expect("python runs");
    assert!(output.status.success(), "botocore is installed beside moto");
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

#[tokio::test]
async fn services_are_called_from_a_botocore_models_directory() {
    let Some(moto) = Moto::start("services_are_called_from_a_botocore_models_directory") else {
        return;
    };
    let config = AwsConfig {
        enabled: Enabled::All,
        endpoint_url: Some(moto.endpoint.clone()),
        models_dir: Some(botocore_data(&moto)),
        ..AwsConfig::default()
    };
    let aws = Integrations::with_credentials(
        &config,
        Credentials::new("testing", "testing", None, None, "tests"),
    )
    .unwrap();

    ec2(&aws).await;
    cloudwatch_logs(&aws).await;
    api_gateway(&aws).await;
}

/// EC2 (the EC2 protocol): nested lists as `TagSpecification.1.Tag.1.Key`, `Filter.1.Value.1`; `<item>` lists back.
async fn ec2(aws: &Integrations) {
    // EC2: nested lists as `TagSpecification.1.Tag.1.Key`, `Filter.1.Value.1`; `<item>` lists back.
    let vpc = call(
        aws,
        "arn:aws:states:::aws-sdk:ec2:createVpc",
        json!({"CidrBlock": "10.7.0.0/16", "TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "fluxo"}]}]}),
    )
    .await
    .unwrap();
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().unwrap().to_string();
    let described = call(
        aws,
        "arn:aws:states:::aws-sdk:ec2:describeVpcs",
        json!({"Filters": [{"Name": "tag:Name", "Values": ["fluxo"]}]}),
    )
    .await
    .unwrap();
    assert_eq!(
        described["Vpcs"].as_array().unwrap().len(),
        1,
        "{described}"
    );
    assert_eq!(described["Vpcs"][0]["VpcId"], json!(vpc_id));
    assert_eq!(described["Vpcs"][0]["CidrBlock"], json!("10.7.0.0/16"));
    assert_eq!(
        described["Vpcs"][0]["Tags"],
        json!([{"Key": "Name", "Value": "fluxo"}])
    );
    let missing = call(
        aws,
        "arn:aws:states:::aws-sdk:ec2:describeVpcs",
        json!({"VpcIds": ["vpc-00000000"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(missing.error, "Ec2.Ec2Exception", "{}", missing.cause);
    assert!(
        missing.cause.contains("(Service: Ec2, Status Code: 400"),
        "{}",
        missing.cause
    );
}

/// CloudWatch Logs by its Step Functions name; JSON 1.1.
async fn cloudwatch_logs(aws: &Integrations) {
    // CloudWatch Logs by its Step Functions name; JSON 1.1.
    call(
        aws,
        "arn:aws:states:::aws-sdk:cloudwatchlogs:createLogGroup",
        json!({"LogGroupName": "/fluxo/test"}),
    )
    .await
    .unwrap();
    let groups = call(
        aws,
        "arn:aws:states:::aws-sdk:cloudwatchlogs:describeLogGroups",
        json!({"LogGroupNamePrefix": "/fluxo"}),
    )
    .await
    .unwrap();
    assert_eq!(groups["LogGroups"][0]["LogGroupName"], json!("/fluxo/test"));
    let exists = call(
        aws,
        "arn:aws:states:::aws-sdk:cloudwatchlogs:createLogGroup",
        json!({"LogGroupName": "/fluxo/test"}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        exists.error,
        "CloudWatchLogs.ResourceAlreadyExistsException"
    );
}

/// API Gateway (REST-JSON): members `name`, `id`, `items` are `Name`, `Id`, `Items` in Step Functions.
async fn api_gateway(aws: &Integrations) {
    // API Gateway: members `name`, `id`, `items` are `Name`, `Id`, `Items` in Step Functions.
    let api = call(
        aws,
        "arn:aws:states:::aws-sdk:apigateway:createRestApi",
        json!({"Name": "orders", "Description": "d"}),
    )
    .await
    .unwrap();
    let api_id = api["Id"].as_str().expect("a PascalCase Id").to_string();
    assert_eq!(api["Name"], json!("orders"));
    let fetched = call(
        aws,
        "arn:aws:states:::aws-sdk:apigateway:getRestApi",
        json!({"RestApiId": api_id}),
    )
    .await
    .unwrap();
    assert_eq!(fetched["Description"], json!("d"));
    let apis = call(
        aws,
        "arn:aws:states:::aws-sdk:apigateway:getRestApis",
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(apis["Items"][0]["Id"], json!(api_id));
    let gone = call(
        aws,
        "arn:aws:states:::aws-sdk:apigateway:getRestApi",
        json!({"RestApiId": "nope"}),
    )
    .await
    .unwrap_err();
    assert_eq!(gone.error, "ApiGateway.NotFoundException", "{}", gone.cause);
}
