//! The HTTP Task (`arn:aws:states:::http:invoke`, Step Functions developer guide, "Call HTTPS
//! APIs in Step Functions workflows"): `TaskScheduled` with `resourceType` `http` and
//! `resource` `invoke`, the call made through `Environment::call_http` once the scheduled and
//! started events are persisted, its answer recorded as `TaskSucceeded` or `TaskFailed`.

use super::{Call, Recording, Scope};
use crate::attempt::Attempt;
use crate::history::details;
use crate::journal::Thread;
use fluxo_asl::model::{Integration, IntegrationPattern};
use fluxo_types::EventType;
use serde_json::{json, Value};

/// Whether the Task is an HTTP Task this engine runs (request-response only).
pub(super) fn is_http(integration: &Integration) -> bool {
    matches!(integration, Integration::Service { service, action, pattern: IntegrationPattern::RequestResponse }
        if service == "http" && action == "invoke")
}

/// Records the scheduling of the call and describes it.
pub(super) fn call<'t>(attempt: &Attempt<'_>, scope: Scope, thread: &mut Thread) -> Call<'t> {
    let run = attempt.run;
    let Scope {
        effective,
        timeout,
        heartbeat,
        request_id,
        ..
    } = scope;
    let mut scheduled = details([
        ("resourceType", json!("http")),
        ("resource", json!("invoke")),
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
    Call {
        recording: Recording::Http,
        function: "invoke".to_string(),
        payload: effective,
        request_id,
        timeout,
        log_tail: false,
        wait: None,
        nested: None,
    }
}
