//! A Task's `Resource`, compiled once into what it calls (Step Functions developer guide,
//! "Integrating services with Step Functions" and "Discover service integration patterns").

/// How Step Functions waits for a service integration: the suffix of the resource ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationPattern {
    /// No suffix: the call's answer is the result.
    RequestResponse,
    /// `.sync`: run a job and wait for it to finish.
    Sync,
    /// `.sync:2`: as `.sync`, with the result as parsed JSON (nested executions).
    Sync2,
    /// `.waitForTaskToken`: wait until `SendTaskSuccess`/`SendTaskFailure` with the task token.
    WaitForTaskToken,
}

/// What a Task state calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integration {
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`: the function's result as is,
    /// `LambdaFunction*` history events.
    LambdaFunction { function: String },
    /// `arn:aws:states:::SERVICE:ACTION[.suffix]`: an optimized integration such as
    /// `lambda:invoke`, `sqs:sendMessage`, `http:invoke` or `states:startExecution`.
    Service {
        service: String,
        action: String,
        pattern: IntegrationPattern,
    },
    /// `arn:aws:states:::aws-sdk:SERVICE:ACTION[.suffix]`: any action of any AWS SDK service.
    AwsSdk {
        service: String,
        action: String,
        pattern: IntegrationPattern,
    },
    /// `arn:aws:states:REGION:ACCOUNT:activity:NAME`: work taken by activity workers.
    Activity { arn: String },
    /// Anything else (a `Resource` given by a path, an unknown form).
    Unknown,
}

impl Integration {
    /// Compiles a `Resource` ARN.
    pub fn parse(resource: &str) -> Integration {
        let parts: Vec<&str> = resource.split(':').collect();
        match parts.as_slice() {
            ["arn", _, "lambda", _, _, "function", name, ..] if !name.is_empty() => {
                Integration::LambdaFunction {
                    function: name.to_string(),
                }
            }
            ["arn", _, "states", _, _, "activity", name] if !name.is_empty() => {
                Integration::Activity {
                    arn: resource.to_string(),
                }
            }
            // Region and account are usually empty; published definitions also name them
            // (`arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject`), which AWS accepts.
            ["arn", _, "states", _, _, "aws-sdk", service, rest @ ..] if !rest.is_empty() => {
                match action_and_pattern(&rest.join(":")) {
                    Some((action, pattern)) => Integration::AwsSdk {
                        service: service.to_string(),
                        action,
                        pattern,
                    },
                    None => Integration::Unknown,
                }
            }
            ["arn", _, "states", _, _, service, rest @ ..]
                if !rest.is_empty() && !NAMED_RESOURCES.contains(service) =>
            {
                match action_and_pattern(&rest.join(":")) {
                    Some((action, pattern)) => Integration::Service {
                        service: service.to_string(),
                        action,
                        pattern,
                    },
                    None => Integration::Unknown,
                }
            }
            _ => Integration::Unknown,
        }
    }

    /// `lambda:invoke` without a suffix: the optimized Lambda integration.
    pub fn is_lambda_invoke(&self) -> bool {
        matches!(self, Integration::Service { service, action, pattern: IntegrationPattern::RequestResponse }
            if service == "lambda" && action == "invoke")
    }
}

/// What follows region and account in the ARNs of Step Functions' own resources, which are not
/// service integrations.
const NAMED_RESOURCES: [&str; 5] = ["activity", "stateMachine", "execution", "express", "mapRun"];

fn action_and_pattern(text: &str) -> Option<(String, IntegrationPattern)> {
    let (action, pattern) = if let Some(action) = text.strip_suffix(".waitForTaskToken") {
        (action, IntegrationPattern::WaitForTaskToken)
    } else if let Some(action) = text.strip_suffix(".sync:2") {
        (action, IntegrationPattern::Sync2)
    } else if let Some(action) = text.strip_suffix(".sync") {
        (action, IntegrationPattern::Sync)
    } else {
        (text, IntegrationPattern::RequestResponse)
    };
    (!action.is_empty() && !action.contains(':')).then(|| (action.to_string(), pattern))
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntegrationPattern::*;

    fn service(service: &str, action: &str, pattern: IntegrationPattern) -> Integration {
        Integration::Service {
            service: service.into(),
            action: action.into(),
            pattern,
        }
    }

    #[test]
    fn resources_compile_to_what_they_call() {
        let cases = [
            (
                "arn:aws:lambda:us-east-1:123:function:validate",
                Integration::LambdaFunction {
                    function: "validate".into(),
                },
            ),
            (
                "arn:aws:lambda:us-east-1:123:function:validate:$LATEST",
                Integration::LambdaFunction {
                    function: "validate".into(),
                },
            ),
            (
                "arn:aws:states:::lambda:invoke",
                service("lambda", "invoke", RequestResponse),
            ),
            (
                "arn:aws:states:::lambda:invoke.waitForTaskToken",
                service("lambda", "invoke", WaitForTaskToken),
            ),
            (
                "arn:aws:states:::states:startExecution.sync:2",
                service("states", "startExecution", Sync2),
            ),
            (
                "arn:aws:states:::aws-sdk:s3:putObject",
                Integration::AwsSdk {
                    service: "s3".into(),
                    action: "putObject".into(),
                    pattern: RequestResponse,
                },
            ),
            (
                "arn:aws:states:us-east-1:123:activity:review",
                Integration::Activity {
                    arn: "arn:aws:states:us-east-1:123:activity:review".into(),
                },
            ),
            (
                "arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject",
                Integration::AwsSdk {
                    service: "s3".into(),
                    action: "getObject".into(),
                    pattern: RequestResponse,
                },
            ),
            (
                "arn:aws:states:us-east-1:123456789012:sqs:sendMessage",
                service("sqs", "sendMessage", RequestResponse),
            ),
            (
                "arn:aws:states:us-east-1:123:stateMachine:m",
                Integration::Unknown,
            ),
            ("arn:aws:states:::lambda", Integration::Unknown),
            (
                "arn:aws:states:::lambda:invoke.sync:3",
                Integration::Unknown,
            ),
            ("not an arn", Integration::Unknown),
        ];
        for (resource, expected) in cases {
            assert_eq!(Integration::parse(resource), expected, "{resource}");
        }
        assert!(Integration::parse("arn:aws:states:::lambda:invoke").is_lambda_invoke());
    }
}
