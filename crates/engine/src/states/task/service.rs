//! Service integrations other than Lambda: Step Functions' own actions, which this Fluxo
//! answers itself (`aws-sdk:sfn:ACTION`, `states:startExecution[.sync[:2]|.waitForTaskToken]`),
//! and every other AWS service (`sqs:sendMessage`, `dynamodb:putItem`, `aws-sdk:s3:getObject`...),
//! called through [`crate::Environment::call_service`].
//!
//! Their history, as the recorded cases `services/*`, `callbacks/*` and `error_handling/*` of the
//! API corpus show it: `TaskScheduled` (`resourceType`, `resource`, `region`, `parameters`, and
//! `timeoutInSeconds`/`heartbeatInSeconds` when set), `TaskStarted`, then `TaskSucceeded` or
//! `TaskFailed` (or, for `.waitForTaskToken` and `.sync`, `TaskSubmitted` with the call's
//! answer, then the outcome when the task completes), each with `resourceType` and `resource`.
//! `resourceType` is the service (`sqs`) or `aws-sdk:SERVICE`; `resource` is the action with
//! its pattern suffix (`sendMessage.waitForTaskToken`, `startExecution.sync:2`).

use super::{callback, Call, Recording, Scope};
use crate::attempt::Attempt;
use crate::environment::Nested;
use crate::failure::Failure;
use crate::history::details;
use crate::journal::Thread;
use fluxo_asl::model::{Integration, IntegrationPattern, Task};
use fluxo_types::EventType;
use serde_json::{json, Value};

/// Where a service call goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Target<'t> {
    /// An action of Step Functions' own API, answered by this Fluxo.
    OwnApi { action: &'t str },
    /// Another AWS service, through the environment's service integrations.
    Aws { service: &'t str },
}

/// `resourceType` and `resource` of a service integration's events, cut from the resource ARN
/// (`arn:aws:states:::aws-sdk:s3:getObject` → `aws-sdk:s3`, `getObject`), or `None` when the
/// ARN does not have the form `arn:PARTITION:states:::SERVICE:ACTION...`.
fn resource_fields(arn: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    for _ in 0..5 {
        offset += arn[offset..].find(':')? + 1;
    }
    let rest = &arn[offset..];
    let service_end = rest.find(':')?;
    let type_end = match &rest[..service_end] {
        "aws-sdk" => service_end + 1 + rest[service_end + 1..].find(':')?,
        _ => service_end,
    };
    Some((&rest[..type_end], &rest[type_end + 1..]))
}

/// Schedules a call of Step Functions' own API or of an AWS service.
pub(super) fn service_call<'t>(
    attempt: &Attempt<'_>,
    task: &'t Task,
    scope: Scope,
    thread: &mut Thread,
) -> Result<Call<'t>, Failure> {
    let (pattern, target) = match &task.integration {
        Integration::AwsSdk {
            service,
            action,
            pattern: IntegrationPattern::RequestResponse,
        } if service == "sfn" => (
            IntegrationPattern::RequestResponse,
            Target::OwnApi { action },
        ),
        Integration::Service {
            service,
            action,
            pattern,
        } if service == "states" && action == "startExecution" => (
            *pattern,
            // Told apart from `aws-sdk:sfn:startExecution`, whose answer has another shape.
            Target::OwnApi {
                action: "states:startExecution",
            },
        ),
        // `.sync` of other services: the job is watched by the environment once submitted
        // (`Environment::watch_job`); the runtime refuses at creation the jobs it cannot watch.
        Integration::Service {
            service, pattern, ..
        } if matches!(
            pattern,
            IntegrationPattern::RequestResponse
                | IntegrationPattern::WaitForTaskToken
                | IntegrationPattern::Sync
        ) =>
        {
            (*pattern, Target::Aws { service })
        }
        Integration::AwsSdk {
            service, pattern, ..
        } if matches!(
            pattern,
            IntegrationPattern::RequestResponse | IntegrationPattern::WaitForTaskToken
        ) =>
        {
            (*pattern, Target::Aws { service })
        }
        _ => return Err(unsupported(attempt, task)),
    };
    let Some((resource_type, resource)) = resource_fields(&task.resource) else {
        return Err(unsupported(attempt, task));
    };
    let run = attempt.run;
    let Scope {
        effective,
        timeout,
        heartbeat,
        token,
        request_id,
    } = scope;
    let mut scheduled = details([
        ("resourceType", json!(resource_type)),
        ("resource", json!(resource)),
        ("region", Value::String(run.context.region().to_string())),
        ("parameters", Value::String(effective.to_string())),
    ]);
    if let Some(timeout) = timeout {
        scheduled.insert("timeoutInSeconds".into(), json!(timeout));
    }
    if let Some(heartbeat) = heartbeat {
        scheduled.insert("heartbeatInSeconds".into(), json!(heartbeat));
    }
    run.record(thread, EventType::TaskScheduled, Some(scheduled));
    let wait = (pattern != IntegrationPattern::RequestResponse)
        .then(|| callback::wait_for(token, None, effective.clone(), thread, timeout, heartbeat));
    let nested = match (target, pattern) {
        (Target::OwnApi { .. }, IntegrationPattern::Sync) => Some(Nested::Sync),
        (Target::OwnApi { .. }, IntegrationPattern::Sync2) => Some(Nested::Sync2),
        _ => None,
    };
    let function = match target {
        Target::OwnApi { action } => action.to_string(),
        Target::Aws { .. } => task.resource.clone(),
    };
    Ok(Call {
        recording: Recording::Service {
            resource_type,
            resource,
            target,
        },
        function,
        payload: effective,
        request_id,
        timeout,
        log_tail: false,
        wait,
        nested,
        on_aws: None,
    })
}

fn unsupported(attempt: &Attempt<'_>, task: &Task) -> Failure {
    attempt.runtime_error(format!("The resource '{}' is not supported", task.resource))
}

#[cfg(test)]
mod tests {
    use super::resource_fields;

    #[test]
    fn resource_type_and_resource_come_from_the_arn() {
        assert_eq!(
            resource_fields("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            Some(("sqs", "sendMessage.waitForTaskToken"))
        );
        assert_eq!(
            resource_fields("arn:aws:states:::aws-sdk:s3:getObject"),
            Some(("aws-sdk:s3", "getObject"))
        );
        assert_eq!(
            resource_fields("arn:aws:states:::states:startExecution.sync:2"),
            Some(("states", "startExecution.sync:2"))
        );
        assert_eq!(resource_fields("arn:aws:states:::sqs"), None);
    }
}
