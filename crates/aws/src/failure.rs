//! How a failed call reaches the state machine: the error name that `Retry` and `Catch` match,
//! and the cause text, as Step Functions reports them.
//!
//! Optimized integrations report errors as the AWS SDK for Java 1.x does (recorded cases in
//! `conformance-api/cases/error_handling` and `services`): `SNS.NotFoundException`, the
//! service's base exception for codes its model does not define (`DynamoDB.AmazonDynamoDBException`
//! for `ValidationException`), and the cause
//! `<message> (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: <id>; Proxy: null)`.
//!
//! AWS SDK integrations report them as the AWS SDK for Java 2.x does (developer guide,
//! "supported-services-awssdk", and the recorded cases): `<Prefix>.<Shape>Exception`
//! (`S3.NoSuchKeyException`, `Sfn.InvalidTokenException`), `<Prefix>.<Prefix>Exception` for
//! undefined codes (`DynamoDb.DynamoDbException`), and the cause
//! `<message> (Service: S3, Status Code: 404, Request ID: <id>, Extended Request ID: <id2>) (SDK Attempt Count: 1)`
//! (the attempt count appears in the recordings from late 2025; SDK retries are off, so it is
//! always 1).

use crate::model::{Operation, ServiceModel};
use crate::naming;
use crate::protocol::ServiceError;

/// A failed service call as a Task state sees it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct ServiceFailure {
    /// The error name (`S3.NoSuchBucketException`, `States.Runtime`...).
    pub error: String,
    /// The cause text (for `events:putEvents` failures, the JSON text of the response).
    pub cause: String,
}

impl ServiceFailure {
    pub(crate) fn new(error: impl Into<String>, cause: impl Into<String>) -> ServiceFailure {
        ServiceFailure {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// A failure of the call that is not the service's answer (a disabled integration, a
    /// missing model, parameters that do not fit): `States.Runtime`, which Step Functions uses
    /// for failures that are neither retried nor caught.
    pub(crate) fn runtime(cause: impl Into<String>) -> ServiceFailure {
        ServiceFailure::new("States.Runtime", cause)
    }
}

/// The naming style of an integration's errors.
#[derive(Debug, Clone)]
pub(crate) enum ErrorStyle {
    /// SDK for Java 2.x, with the client name as prefix (`S3`, `DynamoDb`, `Sfn`).
    SdkV2 { prefix: String },
    /// SDK for Java 1.x: prefix, service name in causes, base exception.
    SdkV1 {
        prefix: &'static str,
        service_name: &'static str,
        base_exception: &'static str,
    },
}

impl ErrorStyle {
    /// The style of an optimized integration's service (the Java 1.x client of each).
    pub fn optimized(service: &str) -> ErrorStyle {
        let (prefix, service_name, base_exception) = match service {
            "sqs" => ("SQS", "AmazonSQS", "AmazonSQSException"),
            "sns" => ("SNS", "AmazonSNS", "AmazonSNSException"),
            "dynamodb" => ("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException"),
            "lambda" => ("Lambda", "AWSLambda", "AWSLambdaException"),
            "bedrock" => ("Bedrock", "BedrockRuntime", "BedrockRuntimeException"),
            "athena" => ("Athena", "AmazonAthena", "AmazonAthenaException"),
            "glue" => ("Glue", "AWSGlue", "AWSGlueException"),
            "batch" => ("Batch", "AWSBatch", "AWSBatchException"),
            "ecs" => ("ECS", "AmazonECS", "AmazonECSException"),
            "mediaconvert" => (
                "MediaConvert",
                "AWSMediaConvert",
                "AWSMediaConvertException",
            ),
            "events" => (
                "EventBridge",
                "AmazonEventBridge",
                "AmazonEventBridgeException",
            ),
            _ => (
                "StepFunctions",
                "AWSStepFunctions",
                "AWSStepFunctionsException",
            ),
        };
        ErrorStyle::SdkV1 {
            prefix,
            service_name,
            base_exception,
        }
    }

    /// The failure for an error the service answered with to `operation`.
    pub fn service_failure(
        &self,
        model: &ServiceModel,
        operation: Option<&Operation>,
        error: &ServiceError,
    ) -> ServiceFailure {
        let shape = error
            .type_code
            .as_deref()
            .and_then(|code| model.exception_shape(code))
            .or_else(|| model.exception_shape(&error.code))
            .or_else(|| {
                operation
                    .filter(|_| error.bodiless)
                    .and_then(|operation| model.exception_for_status(operation, error.status))
            });
        let message = if error.message.is_empty() {
            "null"
        } else {
            error.message.as_str()
        };
        match self {
            ErrorStyle::SdkV2 { prefix } => {
                let exception = match shape {
                    Some(shape) => naming::exception_name(shape),
                    None => format!("{prefix}Exception"),
                };
                let extended = error
                    .extended_request_id
                    .as_deref()
                    .map(|id| format!(", Extended Request ID: {id}"))
                    .unwrap_or_default();
                ServiceFailure::new(
                    format!("{prefix}.{exception}"),
                    format!(
                        "{message} (Service: {prefix}, Status Code: {}, Request ID: {}{extended}) (SDK Attempt Count: 1)",
                        error.status, error.request_id
                    ),
                )
            }
            ErrorStyle::SdkV1 {
                prefix,
                service_name,
                base_exception,
            } => {
                let exception = match shape {
                    Some(shape) => naming::exception_name(shape),
                    None => (*base_exception).to_string(),
                };
                ServiceFailure::new(
                    format!("{prefix}.{exception}"),
                    format!(
                        "{message} (Service: {service_name}; Status Code: {}; Error Code: {}; Request ID: {}; Proxy: null)",
                        error.status, error.code, error.request_id
                    ),
                )
            }
        }
    }

    /// The failure for a call that got no answer (the SDK's `SdkClientException`).
    pub fn client_failure(&self, cause: String) -> ServiceFailure {
        let prefix = match self {
            ErrorStyle::SdkV2 { prefix } => prefix.as_str(),
            ErrorStyle::SdkV1 { prefix, .. } => prefix,
        };
        ServiceFailure::new(format!("{prefix}.SdkClientException"), cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelRegistry;

    fn error(code: &str, message: &str, status: u16) -> ServiceError {
        ServiceError {
            code: code.into(),
            type_code: None,
            message: message.into(),
            status,
            request_id: "r-1".into(),
            extended_request_id: None,
            bodiless: false,
        }
    }

    #[test]
    fn optimized_errors_read_as_the_sdk_for_java_1() {
        let registry = ModelRegistry::new(None);
        let sns = registry.model("sns").unwrap();
        let failure = ErrorStyle::optimized("sns").service_failure(
            &sns,
            None,
            &error("NotFound", "Topic does not exist", 404),
        );
        assert_eq!(failure.error, "SNS.NotFoundException");
        assert_eq!(
            failure.cause,
            "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: r-1; Proxy: null)"
        );
        let dynamodb = registry.model("dynamodb").unwrap();
        let style = ErrorStyle::optimized("dynamodb");
        assert_eq!(
            style
                .service_failure(&dynamodb, None, &error("ValidationException", "m", 400))
                .error,
            "DynamoDB.AmazonDynamoDBException"
        );
        assert_eq!(
            style
                .service_failure(
                    &dynamodb,
                    None,
                    &error("ResourceNotFoundException", "m", 400)
                )
                .error,
            "DynamoDB.ResourceNotFoundException"
        );
        let sqs = registry.model("sqs").unwrap();
        let style = ErrorStyle::optimized("sqs");
        assert_eq!(
            style
                .service_failure(&sqs, None, &error("MissingParameter", "m", 400))
                .error,
            "SQS.AmazonSQSException"
        );
        let mut missing_queue = error("AWS.SimpleQueueService.NonExistentQueue", "m", 400);
        missing_queue.type_code = Some("QueueDoesNotExist".into());
        let failure = style.service_failure(&sqs, None, &missing_queue);
        assert_eq!(failure.error, "SQS.QueueDoesNotExistException");
        assert!(failure
            .cause
            .contains("Error Code: AWS.SimpleQueueService.NonExistentQueue;"));
    }
    #[test]
    fn job_services_name_their_errors_as_their_java_clients() {
        for (service, prefix, client) in [
            ("athena", "Athena", "AmazonAthena"),
            ("glue", "Glue", "AWSGlue"),
            ("batch", "Batch", "AWSBatch"),
            ("ecs", "ECS", "AmazonECS"),
            ("mediaconvert", "MediaConvert", "AWSMediaConvert"),
            ("bedrock", "Bedrock", "BedrockRuntime"),
        ] {
            let ErrorStyle::SdkV1 {
                prefix: got,
                service_name,
                ..
            } = ErrorStyle::optimized(service)
            else {
                panic!("{service}: not the SDK for Java 1.x's style");
            };
            assert_eq!((got, service_name), (prefix, client));
        }
    }

    #[test]
    fn sdk_errors_read_as_the_sdk_for_java_2() {
        let registry = ModelRegistry::new(None);
        let s3 = registry.model("s3").unwrap();
        let style = ErrorStyle::SdkV2 {
            prefix: "S3".into(),
        };
        let mut missing = error("NoSuchKey", "The specified key does not exist.", 404);
        missing.extended_request_id = Some("x2".into());
        let failure = style.service_failure(&s3, None, &missing);
        assert_eq!(failure.error, "S3.NoSuchKeyException");
        assert_eq!(
            failure.cause,
            "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: r-1, Extended Request ID: x2) (SDK Attempt Count: 1)"
        );
        assert_eq!(
            style
                .service_failure(&s3, None, &error("NoSuchBucket", "m", 404))
                .error,
            "S3.NoSuchBucketException"
        );
        let dynamodb = registry.model("dynamodb").unwrap();
        let style = ErrorStyle::SdkV2 {
            prefix: "DynamoDb".into(),
        };
        assert_eq!(
            style
                .service_failure(&dynamodb, None, &error("ValidationException", "m", 400))
                .error,
            "DynamoDb.DynamoDbException"
        );
        let sfn = registry.model("sfn").unwrap();
        let style = ErrorStyle::SdkV2 {
            prefix: "Sfn".into(),
        };
        assert_eq!(
            style
                .service_failure(&sfn, None, &error("InvalidToken", "m", 400))
                .error,
            "Sfn.InvalidTokenException"
        );
    }
}
