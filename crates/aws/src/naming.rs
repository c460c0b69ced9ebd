//! Step Functions' naming conventions for service integrations.
//!
//! Source: the developer guide, "Learning to use AWS service SDK integrations in Step Functions"
//! (supported-services-awssdk): the service name in `arn:aws:states:::aws-sdk:SERVICE:ACTION`
//! is lowercase, the error prefix is the same name in PascalCase (`AcmPca`, `DynamoDb`, `Sfn`,
//! `S3`), errors always end in `Exception` (`S3.BucketAlreadyExistsException` for the
//! `BucketAlreadyExists` error), parameters and results are PascalCase even where the service's
//! API is camelCase, and a field named `Equals` is written `EqualsValue`.
//!
//! Those names are the AWS SDK for Java 2.x client names (Step Functions runs the SDK for Java
//! for these calls): the Smithy `serviceId` split on word boundaries, each word capitalised, and
//! a leading `Amazon`/`Aws` or trailing `Service` removed. [`sdk_client_name`] derives them from
//! the model, so every service in a botocore data directory gets the documented name without a
//! hand-written table; the unit tests check it against the documented table.

use regex::Regex;
use std::sync::OnceLock;

/// The PascalCase service name of the AWS SDK for Java 2.x for a Smithy `serviceId`: the error
/// prefix of `aws-sdk` integrations (`DynamoDB` → `DynamoDb`, `SFN` → `Sfn`, `ACM PCA` →
/// `AcmPca`, `Database Migration Service` → `DatabaseMigration`).
pub fn sdk_client_name(service_id: &str) -> String {
    let name: String = split_on_word_boundaries(service_id)
        .iter()
        .map(|word| capitalize(&word.to_lowercase()))
        .collect();
    let name = name.strip_prefix("Amazon").unwrap_or(&name);
    let name = name.strip_prefix("Aws").unwrap_or(name);
    let name = name.strip_suffix("Service").unwrap_or(name);
    name.to_string()
}

/// The service name a Task resource uses for an `aws-sdk` integration of this service
/// (`arn:aws:states:::aws-sdk:dynamodb:putItem`): the client name in lowercase.
pub fn sdk_service_name(service_id: &str) -> String {
    sdk_client_name(service_id).to_lowercase()
}

/// The exception class name for an error shape or code: `NoSuchKey` → `NoSuchKeyException`,
/// `ResourceNotFoundException` unchanged.
pub fn exception_name(shape_or_code: &str) -> String {
    if shape_or_code.ends_with("Exception") {
        shape_or_code.to_string()
    } else {
        format!("{shape_or_code}Exception")
    }
}

/// The key a result member has in the Task's output: the model's member name with its first
/// letter in upper case (`ETag`, `ChecksumCRC32` unchanged; `jobTemplate` → `JobTemplate`), and
/// `Equals` as `EqualsValue`.
pub fn output_key(member: &str) -> String {
    if member == "Equals" || member == "equals" {
        return "EqualsValue".to_string();
    }
    capitalize(member)
}

/// Whether a parameter key names this member: `output_key`'s inverse, so the PascalCase keys
/// Step Functions documents reach camelCase members too.
pub fn parameter_matches(key: &str, member: &str) -> bool {
    key == member || key == output_key(member)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid built-in pattern"))
}

/// The AWS SDK for Java 2.x code generator's word splitting (`splitOnWordBoundaries`).
fn split_on_word_boundaries(text: &str) -> Vec<String> {
    static NON_ALPHANUMERIC: OnceLock<Regex> = OnceLock::new();
    static LOWER_VERSION: OnceLock<Regex> = OnceLock::new();
    static UPPER_VERSION: OnceLock<Regex> = OnceLock::new();
    static ACRONYM: OnceLock<Regex> = OnceLock::new();
    static DIGIT_LETTER: OnceLock<Regex> = OnceLock::new();
    let text = regex(&NON_ALPHANUMERIC, "[^A-Za-z0-9]+").replace_all(text, " ");
    // A version suffix stands apart: "TESTv4" → "TEST v4", "TestV4" → "Test V4".
    let text = regex(&LOWER_VERSION, "([^a-z]{2,})v([0-9]+)").replace_all(&text, "$1 v$2 ");
    let text = regex(&UPPER_VERSION, "([^A-Z]{2,})V([0-9]+)").replace_all(&text, "$1 V$2 ");
    let text = split_camel_case(&text);
    // After an acronym: "ACMSuccess" → "ACM Success".
    let text = regex(&ACRONYM, "([A-Z]+)([A-Z][a-z])").replace_all(&text, "$1 $2");
    let text = regex(&DIGIT_LETTER, "([0-9])([a-zA-Z])").replace_all(&text, "$1 $2");
    text.split_whitespace().map(str::to_string).collect()
}

/// A space between a lower-case letter and an upper-case letter followed by a letter or a digit
/// ("AcmSuccess" → "Acm Success"); Java's `(?<=[a-z])(?=[A-Z]([a-zA-Z]|[0-9]))` split.
fn split_camel_case(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 4);
    for (index, &current) in chars.iter().enumerate() {
        if index > 0
            && chars[index - 1].is_ascii_lowercase()
            && current.is_ascii_uppercase()
            && chars
                .get(index + 1)
                .is_some_and(char::is_ascii_alphanumeric)
        {
            out.push(' ');
        }
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of the "Supported services" table of the developer guide: (serviceId in the botocore
    /// model, service name in the resource, exception prefix).
    const DOCUMENTED: &[(&str, &str, &str)] = &[
        ("ACM PCA", "acmpca", "AcmPca"),
        ("DynamoDB", "dynamodb", "DynamoDb"),
        ("DynamoDB Streams", "dynamodbstreams", "DynamoDbStreams"),
        ("SFN", "sfn", "Sfn"),
        ("S3", "s3", "S3"),
        ("S3 Control", "s3control", "S3Control"),
        ("EC2", "ec2", "Ec2"),
        ("Secrets Manager", "secretsmanager", "SecretsManager"),
        ("CloudWatch Logs", "cloudwatchlogs", "CloudWatchLogs"),
        (
            "Database Migration Service",
            "databasemigration",
            "DatabaseMigration",
        ),
        ("Cost Explorer", "costexplorer", "CostExplorer"),
        (
            "Elastic Load Balancing v2",
            "elasticloadbalancingv2",
            "ElasticLoadBalancingV2",
        ),
        ("CloudHSM V2", "cloudhsmv2", "CloudHsmV2"),
        ("IoTAnalytics", "iotanalytics", "IoTAnalytics"),
        ("IoT Events", "iotevents", "IotEvents"),
        ("IoTSiteWise", "iotsitewise", "IoTSiteWise"),
        (
            "IoT 1Click Projects",
            "iot1clickprojects",
            "Iot1ClickProjects",
        ),
        (
            "codestar notifications",
            "codestarnotifications",
            "CodestarNotifications",
        ),
        (
            "SageMaker A2I Runtime",
            "sagemakera2iruntime",
            "SageMakerA2IRuntime",
        ),
        ("AmplifyUIBuilder", "amplifyuibuilder", "AmplifyUiBuilder"),
        (
            "Resource Groups Tagging API",
            "resourcegroupstaggingapi",
            "ResourceGroupsTaggingApi",
        ),
        ("ApiGatewayV2", "apigatewayv2", "ApiGatewayV2"),
        (
            "Application Discovery Service",
            "applicationdiscovery",
            "ApplicationDiscovery",
        ),
        ("Directory Service", "directory", "Directory"),
        (
            "Lex Model Building Service",
            "lexmodelbuilding",
            "LexModelBuilding",
        ),
        ("XRay", "xray", "XRay"),
        ("MTurk", "mturk", "MTurk"),
        ("Route 53", "route53", "Route53"),
        ("SSO OIDC", "ssooidc", "SsoOidc"),
        ("Pinpoint SMS Voice", "pinpointsmsvoice", "PinpointSmsVoice"),
        ("ECR PUBLIC", "ecrpublic", "EcrPublic"),
        ("EventBridge", "eventbridge", "EventBridge"),
        ("Lambda", "lambda", "Lambda"),
        ("SQS", "sqs", "Sqs"),
        ("SNS", "sns", "Sns"),
        ("STS", "sts", "Sts"),
    ];

    #[test]
    fn client_names_follow_the_documented_table() {
        for (service_id, resource_name, prefix) in DOCUMENTED {
            assert_eq!(sdk_client_name(service_id), *prefix, "{service_id}");
            assert_eq!(sdk_service_name(service_id), *resource_name, "{service_id}");
        }
    }

    #[test]
    fn exceptions_always_end_in_exception() {
        assert_eq!(exception_name("NoSuchKey"), "NoSuchKeyException");
        assert_eq!(
            exception_name("BucketAlreadyExists"),
            "BucketAlreadyExistsException"
        );
        assert_eq!(
            exception_name("ResourceNotFoundException"),
            "ResourceNotFoundException"
        );
    }

    #[test]
    fn keys_are_pascal_case_and_equals_is_renamed() {
        assert_eq!(output_key("ETag"), "ETag");
        assert_eq!(output_key("ChecksumCRC32"), "ChecksumCRC32");
        assert_eq!(output_key("jobTemplate"), "JobTemplate");
        assert_eq!(output_key("Equals"), "EqualsValue");
        assert!(parameter_matches("JobTemplate", "jobTemplate"));
        assert!(parameter_matches("jobTemplate", "jobTemplate"));
        assert!(parameter_matches("EqualsValue", "Equals"));
        assert!(!parameter_matches("Bucket", "Key"));
    }
}
