//! Task resources that name a service integration: `arn:aws:states:::SERVICE:ACTION[.PATTERN]`
//! (an optimized integration) and `arn:aws:states:::aws-sdk:SERVICE:ACTION[.PATTERN]` (an AWS SDK
//! integration), parsed once when a definition is compiled.
//!
//! Source: the developer guide, "Integrating optimized services with Step Functions" (the
//! optimized integrations, their actions and which of `.sync`, `.sync:2` and
//! `.waitForTaskToken` each supports) and "Discover service integration patterns"; AWS SDK
//! integrations support the request-response and `.waitForTaskToken` patterns, never `.sync`.
//! A resource AWS does not recognise is rejected with AWS's text (recorded case
//! `services/dynamodb_task_service__test_invalid_integration`: `dynamodb:query` is not an
//! optimized integration).

use std::fmt;

/// How Step Functions waits for a service integration (the suffix of the resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationPattern {
    /// No suffix: the call's HTTP response is the result.
    RequestResponse,
    /// `.sync`: run a job and wait for it to complete.
    Sync,
    /// `.sync:2`: as `.sync`, with the result as JSON rather than text (`states:startExecution`).
    Sync2,
    /// `.waitForTaskToken`: the call carries `$$.Task.Token`; the result is what
    /// `SendTaskSuccess` returns.
    WaitForTaskToken,
}

impl IntegrationPattern {
    fn suffix(self) -> &'static str {
        match self {
            IntegrationPattern::RequestResponse => "",
            IntegrationPattern::Sync => ".sync",
            IntegrationPattern::Sync2 => ".sync:2",
            IntegrationPattern::WaitForTaskToken => ".waitForTaskToken",
        }
    }
}

/// Which family of integration a resource names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationKind {
    /// `arn:aws:states:::SERVICE:ACTION`, with request and result shapes of its own.
    Optimized,
    /// `arn:aws:states:::aws-sdk:SERVICE:ACTION`: the service's API as its model defines it.
    AwsSdk,
}

/// A parsed service-integration resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceResource {
    /// Optimized or AWS SDK integration.
    pub kind: IntegrationKind,
    /// The service as the resource writes it: `sqs`, `dynamodb`, `s3`, `sfn`...
    pub service: String,
    /// The action as the resource writes it (camelCase): `sendMessage`, `getObject`.
    pub action: String,
    /// The pattern the resource's suffix selects.
    pub pattern: IntegrationPattern,
    /// The region field of the ARN, when it is not empty.
    pub region: Option<String>,
    /// The whole resource text.
    pub arn: String,
}

/// A resource that is not a service integration AWS recognises; the message is AWS's
/// `SCHEMA_VALIDATION_FAILED` text without the location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.")]
pub struct UnrecognizedResource {
    /// The resource as written.
    pub arn: String,
}

use IntegrationPattern::{RequestResponse as Rr, Sync as S, Sync2 as S2, WaitForTaskToken as Wft};

/// The optimized integrations: (service, actions, patterns each action supports).
const OPTIMIZED: &[(&str, &[&str], &[IntegrationPattern])] = &[
    ("lambda", &["invoke"], &[Rr, Wft]),
    ("sqs", &["sendMessage"], &[Rr, Wft]),
    ("sns", &["publish"], &[Rr, Wft]),
    ("events", &["putEvents"], &[Rr, Wft]),
    (
        "dynamodb",
        &["getItem", "putItem", "updateItem", "deleteItem"],
        &[Rr],
    ),
    ("states", &["startExecution"], &[Rr, S, S2, Wft]),
    ("apigateway", &["invoke"], &[Rr, Wft]),
    // `.waitForTaskToken`: issue 13 asks for the callback pattern on the HTTP Task.
    ("http", &["invoke"], &[Rr, Wft]),
    ("athena", &["startQueryExecution"], &[Rr, S]),
    (
        "athena",
        &["stopQueryExecution", "getQueryExecution", "getQueryResults"],
        &[Rr],
    ),
    ("batch", &["submitJob"], &[Rr, S]),
    ("bedrock", &["invokeModel"], &[Rr]),
    ("bedrock", &["createModelCustomizationJob"], &[Rr, S, Wft]),
    ("codebuild", &["startBuild", "startBuildBatch"], &[Rr, S]),
    (
        "codebuild",
        &[
            "stopBuild",
            "batchDeleteBuilds",
            "batchGetReports",
            "stopBuildBatch",
            "retryBuild",
            "retryBuildBatch",
            "deleteBuildBatch",
        ],
        &[Rr],
    ),
    ("ecs", &["runTask"], &[Rr, S, Wft]),
    (
        "eks",
        &[
            "createCluster",
            "deleteCluster",
            "createFargateProfile",
            "deleteFargateProfile",
            "createNodegroup",
            "deleteNodegroup",
            "runJob",
        ],
        &[Rr, S],
    ),
    ("eks", &["call"], &[Rr]),
    (
        "elasticmapreduce",
        &["createCluster", "terminateCluster", "addStep"],
        &[Rr, S],
    ),
    (
        "elasticmapreduce",
        &[
            "cancelStep",
            "setClusterTerminationProtection",
            "modifyInstanceFleetByName",
            "modifyInstanceGroupByName",
        ],
        &[Rr],
    ),
    (
        "emr-containers",
        &["deleteVirtualCluster", "startJobRun"],
        &[Rr, S],
    ),
    ("emr-containers", &["createVirtualCluster"], &[Rr]),
    (
        "emr-serverless",
        &[
            "createApplication",
            "startApplication",
            "stopApplication",
            "deleteApplication",
            "startJobRun",
            "cancelJobRun",
        ],
        &[Rr, S],
    ),
    ("glue", &["startJobRun"], &[Rr, S]),
    ("databrew", &["startJobRun"], &[Rr, S]),
    ("mediaconvert", &["createJob"], &[Rr, S]),
    (
        "sagemaker",
        &[
            "createHyperParameterTuningJob",
            "createLabelingJob",
            "createProcessingJob",
            "createTrainingJob",
            "createTransformJob",
        ],
        &[Rr, S],
    ),
    (
        "sagemaker",
        &[
            "createEndpoint",
            "createEndpointConfig",
            "createModel",
            "updateEndpoint",
        ],
        &[Rr],
    ),
];

impl ServiceResource {
    /// Parses a Task resource. `Ok(None)`: not a service integration at all (a Lambda function
    /// ARN, an activity ARN): the engine handles those itself. `Err`: a service integration AWS
    /// does not have, or a pattern the integration does not support.
    pub fn parse(arn: &str) -> Result<Option<ServiceResource>, UnrecognizedResource> {
        let unrecognized = || UnrecognizedResource {
            arn: arn.to_string(),
        };
        let mut fields = arn.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some("states"),
            Some(region),
            Some(_account),
            Some(rest),
        ) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        )
        else {
            return Ok(None);
        };
        if !partition.starts_with("aws") {
            return Ok(None);
        }
        // `activity:NAME`, `stateMachine:NAME`, `execution:...` name resources, not integrations.
        let service_end = rest.find(':').ok_or_else(unrecognized)?;
        let first = &rest[..service_end];
        if matches!(first, "activity" | "stateMachine" | "execution" | "express") {
            return Ok(None);
        }
        let (kind, service, action_and_pattern) = if first == "aws-sdk" {
            let rest = &rest[service_end + 1..];
            let end = rest.find(':').ok_or_else(unrecognized)?;
            (IntegrationKind::AwsSdk, &rest[..end], &rest[end + 1..])
        } else {
            (IntegrationKind::Optimized, first, &rest[service_end + 1..])
        };
        let (action, pattern) = split_pattern(action_and_pattern).ok_or_else(unrecognized)?;
        let valid_name = |text: &str| {
            !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !valid_name(service)
            || !valid_name(action)
            || !(region.is_empty() || valid_region(region))
        {
            return Err(unrecognized());
        }
        let supported = match kind {
            IntegrationKind::AwsSdk => matches!(pattern, Rr | Wft),
            IntegrationKind::Optimized => optimized_patterns(service, action)
                .ok_or_else(unrecognized)?
                .contains(&pattern),
        };
        if !supported {
            return Err(unrecognized());
        }
        Ok(Some(ServiceResource {
            kind,
            service: service.to_string(),
            action: action.to_string(),
            pattern,
            region: (!region.is_empty()).then(|| region.to_string()),
            arn: arn.to_string(),
        }))
    }

    /// `resourceType` of the history's `Task*` events: `sqs`, `aws-sdk:s3`.
    pub fn resource_type(&self) -> String {
        match self.kind {
            IntegrationKind::Optimized => self.service.clone(),
            IntegrationKind::AwsSdk => format!("aws-sdk:{}", self.service),
        }
    }

    /// `resource` of the history's `Task*` events: the action with its pattern suffix
    /// (`sendMessage.waitForTaskToken`).
    pub fn resource(&self) -> String {
        format!("{}{}", self.action, self.pattern.suffix())
    }

    /// The name `[aws] enabled` lists this integration under: `sqs:sendMessage`, `s3:getObject`.
    pub fn setting_name(&self) -> String {
        format!("{}:{}", self.service, self.action)
    }
}

impl fmt::Display for ServiceResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            IntegrationKind::Optimized => write!(f, "{}:{}", self.service, self.resource()),
            IntegrationKind::AwsSdk => write!(f, "aws-sdk:{}:{}", self.service, self.resource()),
        }
    }
}

/// A region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`): lower-case letters, digits and
/// hyphens. Regions become host names, so nothing else may pass.
pub fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !region.starts_with('-')
}

fn split_pattern(text: &str) -> Option<(&str, IntegrationPattern)> {
    let Some(dot) = text.find('.') else {
        return Some((text, Rr));
    };
    let pattern = match &text[dot..] {
        ".sync" => S,
        ".sync:2" => S2,
        ".waitForTaskToken" => Wft,
        _ => return None,
    };
    Some((&text[..dot], pattern))
}

fn optimized_patterns(service: &str, action: &str) -> Option<&'static [IntegrationPattern]> {
    OPTIMIZED
        .iter()
        .find(|(name, actions, _)| *name == service && actions.contains(&action))
        .map(|(_, _, patterns)| *patterns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(arn: &str) -> ServiceResource {
        ServiceResource::parse(arn).unwrap().unwrap()
    }

    #[test]
    fn optimized_and_sdk_resources_with_their_patterns() {
        let sqs = parsed("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
        assert_eq!(sqs.kind, IntegrationKind::Optimized);
        assert_eq!(
            (sqs.service.as_str(), sqs.action.as_str()),
            ("sqs", "sendMessage")
        );
        assert_eq!(sqs.pattern, IntegrationPattern::WaitForTaskToken);
        assert_eq!(sqs.resource_type(), "sqs");
        assert_eq!(sqs.resource(), "sendMessage.waitForTaskToken");

        let s3 = parsed("arn:aws:states:::aws-sdk:s3:getObject");
        assert_eq!(s3.kind, IntegrationKind::AwsSdk);
        assert_eq!(s3.resource_type(), "aws-sdk:s3");
        assert_eq!(s3.resource(), "getObject");
        assert_eq!(s3.setting_name(), "s3:getObject");

        let nested = parsed("arn:aws:states:::states:startExecution.sync:2");
        assert_eq!(nested.pattern, IntegrationPattern::Sync2);
        let regional = parsed("arn:aws:states:eu-west-1::aws-sdk:sqs:sendMessage");
        assert_eq!(regional.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn not_integrations_are_left_to_the_engine() {
        for arn in [
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "arn:aws:states:us-east-1:123456789012:activity:a",
            "arn:aws:states:::stateMachine:MyStateMachine",
        ] {
            assert_eq!(ServiceResource::parse(arn).unwrap(), None, "{arn}");
        }
    }

    #[test]
    fn unrecognized_integrations_and_patterns_are_rejected_as_aws_does() {
        let error = ServiceResource::parse("arn:aws:states:::dynamodb:query").unwrap_err();
        assert_eq!(
            error.to_string(),
            "The resource provided arn:aws:states:::dynamodb:query is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
        );
        for arn in [
            "arn:aws:states:::dynamodb:putItem.waitForTaskToken",
            "arn:aws:states:::sqs:sendMessage.sync",
            "arn:aws:states:::aws-sdk:s3:getObject.sync",
            "arn:aws:states:::aws-sdk:s3",
            "arn:aws:states:::sqs:sendMessage.later",
            "arn:aws:states:::aws-sdk:s3:get Object",
            "arn:aws:states:evil.example/x::aws-sdk:s3:getObject",
        ] {
            assert!(ServiceResource::parse(arn).is_err(), "{arn}");
        }
    }
}
