//! The HTTP Task (`arn:aws:states:::http:invoke`, Step Functions developer guide, "Call HTTPS
//! APIs in Step Functions workflows"): `TaskScheduled` with `resourceType` `http` and
//! `resource` `invoke`, the call made through `Environment::call_http` once the scheduled and
//! started events are persisted, its answer recorded as `TaskSucceeded` or `TaskFailed`.
//! `http:invoke.waitForTaskToken`: the same call, its answer recorded as `TaskSubmitted`, then
//! the wait for `SendTaskSuccess`/`SendTaskFailure` with `$$.Task.Token` (the developer guide's
//! table of optimized integrations lists the callback pattern for HTTPS endpoints).

use super::{callback, Call, Recording, Scope};
use crate::attempt::Attempt;
use crate::history::details;
use crate::journal::Thread;
use fluxo_asl::model::{Integration, IntegrationPattern};
use fluxo_types::EventType;
use serde_json::{json, Value};

/// Whether the Task is an HTTP Task: request-response or `.waitForTaskToken` (`.sync` is
/// refused by the validator, as AWS has no such pattern for it).
pub(super) fn is_http(integration: &Integration) -> bool {
    matches!(integration, Integration::Service { service, action, pattern: IntegrationPattern::RequestResponse | IntegrationPattern::WaitForTaskToken }
        if service == "http" && action == "invoke")
}

fn is_callback(integration: &Integration) -> bool {
    matches!(
        integration,
        Integration::Service {
            pattern: IntegrationPattern::WaitForTaskToken,
            ..
        }
    )
}

/// Records the scheduling of the call and describes it.
pub(super) fn call<'t>(
    attempt: &Attempt<'_>,
    integration: &Integration,
    scope: Scope,
    thread: &mut Thread,
) -> Call<'t> {
    let run = attempt.run;
    let Scope {
        effective,
        timeout,
        heartbeat,
        token,
        request_id,
    } = scope;
    let callback = is_callback(integration);
    let resource = match callback {
        false => "invoke",
        true => "invoke.waitForTaskToken",
    };
    let mut scheduled = details([
        ("resourceType", json!("http")),
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
    let wait = callback
        .then(|| callback::wait_for(token, None, effective.clone(), thread, timeout, heartbeat));
    Call {
        recording: Recording::Http { resource },
        function: "invoke".to_string(),
        payload: effective,
        request_id,
        timeout,
        log_tail: false,
        wait,
        nested: None,
        on_aws: None,
    }
}
