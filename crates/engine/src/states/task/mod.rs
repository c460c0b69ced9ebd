//! Task: calls what its `Resource` names and passes the result on through the data flow.
//!
//! Events of an attempt, for a Lambda function ARN: `LambdaFunctionScheduled`,
//! `LambdaFunctionStarted`, then `LambdaFunctionSucceeded`, `LambdaFunctionFailed` or
//! `LambdaFunctionTimedOut`. For a service integration (`arn:aws:states:::lambda:invoke`, and
//! every other service in `service.rs`, called through `Environment::call_service`):
//! `TaskScheduled`, `TaskStarted`, then `TaskSucceeded`, `TaskFailed` or `TaskTimedOut`; with
//! `.waitForTaskToken`, `TaskSubmitted` after the call and the outcome when the token comes
//! back. For an activity: `ActivityScheduled`, `ActivityStarted`, then `ActivitySucceeded`,
//! `ActivityFailed` or `ActivityTimedOut` (`callback.rs`).
//! The history is persisted before the call; a replay reuses a recorded result, and a call
//! that was started but has no recorded result fails the attempt with `States.TaskFailed`.

mod callback;
mod http;
mod lambda;
mod service;

use crate::attempt::{Attempt, Completed};
use crate::environment::{
    FunctionCall, FunctionResult, Nested, ServiceRequest, TaskFailure, TaskWait,
};
use crate::failure::Failure;
use crate::history::details;
use crate::journal::Thread;
use crate::payload::PAYLOAD_LIMIT_BYTES;
use crate::run::add_seconds;
use crate::HistoryEvent;
use fluxo_asl::model::{Integration, IntegrationPattern, Task, ValueOrPath};
use fluxo_types::EventType;
use futures::future::BoxFuture;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// How the call is recorded: `LambdaFunction*` events for a function ARN, `Task*` events (with
/// the service's `resourceType` and `resource`) for an optimized integration.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Recording<'t> {
    LambdaFunction,
    /// `lambda:invoke` (`invoke`), or `lambda:invoke.waitForTaskToken`.
    Lambda {
        resource: &'t str,
    },
    /// Any other service integration (`service.rs`): `resourceType` (`sqs`, `aws-sdk:s3`) and
    /// `resource` (the action with its pattern suffix) as the events record them.
    Service {
        resource_type: &'t str,
        resource: &'t str,
        target: service::Target<'t>,
    },
    /// The HTTP Task (`http:invoke`), made by the environment's HTTP caller.
    Http {
        /// `invoke` or `invoke.waitForTaskToken`.
        resource: &'t str,
    },
}

impl Recording<'_> {
    fn events(self) -> [EventType; 5] {
        use EventType::*;
        match self {
            Recording::LambdaFunction => [
                LambdaFunctionScheduled,
                LambdaFunctionStarted,
                LambdaFunctionSucceeded,
                LambdaFunctionFailed,
                LambdaFunctionTimedOut,
            ],
            _ => [
                TaskScheduled,
                TaskStarted,
                TaskSucceeded,
                TaskFailed,
                TaskTimedOut,
            ],
        }
    }

    /// Adds `resourceType`/`resource` to a `Task*` event's details.
    fn service_fields(self, mut map: Map<String, Value>) -> Map<String, Value> {
        let (kind, resource) = match self {
            Recording::LambdaFunction => return map,
            Recording::Lambda { resource } => ("lambda", resource),
            Recording::Http { resource } => ("http", resource),
            Recording::Service {
                resource_type,
                resource,
                ..
            } => (resource_type, resource),
        };
        map.insert("resourceType".into(), json!(kind));
        map.insert("resource".into(), json!(resource));
        map
    }

    fn is_service(self) -> bool {
        self != Recording::LambdaFunction
    }
}

/// How a call ended.
enum Outcome {
    Succeeded(Value),
    Failed(TaskFailure),
    TimedOut,
}

/// What one attempt calls, with its timeouts.
struct Call<'t> {
    recording: Recording<'t>,
    function: String,
    payload: Value,
    request_id: String,
    timeout: Option<u64>,
    /// `LogType: Tail` on `lambda:invoke`: the result carries the log's last 4 KB.
    log_tail: bool,
    /// `.waitForTaskToken` or `.sync`: the task opened before the call, then waited for.
    wait: Option<TaskWait>,
    /// `states:startExecution.sync[:2]`: the child's end completes the task.
    nested: Option<Nested>,
    /// A function ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`) that no local function
    /// answers, called on AWS Lambda: the ARN.
    on_aws: Option<String>,
}

/// Whether the Task has a task token (`$$.Task.Token`): an activity, `.waitForTaskToken`, and
/// `.sync` (AWS gives one there too: recorded case `callbacks/callback__test_sync_with_task_token`
/// passes it to the child; the runtime also keys the nested task by it).
fn takes_token(integration: &Integration) -> bool {
    match integration {
        Integration::Activity { .. } => true,
        Integration::Service { pattern, .. } | Integration::AwsSdk { pattern, .. } => {
            *pattern != IntegrationPattern::RequestResponse
        }
        _ => false,
    }
}

fn is_lambda_callback(integration: &Integration) -> bool {
    matches!(integration, Integration::Service { service, action, pattern: IntegrationPattern::WaitForTaskToken }
        if service == "lambda" && action == "invoke")
}

pub(crate) async fn run(
    attempt: &Attempt<'_>,
    task: &Task,
    input: &Value,
    thread: &mut Thread,
) -> Result<Completed, Failure> {
    let run = attempt.run;
    // The token names the position of the scheduled event recorded next: the same on a replay,
    // a new one for each attempt.
    let with_token;
    let (attempt, token) = match takes_token(&task.integration) {
        true => {
            let token = run.env.task_token(&thread.key, thread.next_seq());
            with_token = attempt.with_task_token(&token);
            (&with_token, token)
        }
        false => (attempt, String::new()),
    };
    // `TimeoutSecondsPath` and `HeartbeatSecondsPath` read the state input, not the parameters.
    let selected = attempt.input_path(Cow::Borrowed(input))?;
    let effective = attempt.effective_input(input)?;
    if let Some(mock) = attempt.mock() {
        // TestState: the mock stands in for the call.
        let result = crate::test_state::mocked(mock)?;
        attempt.inspect("result", &result);
        return attempt.finish(Cow::Borrowed(input), result);
    }
    let seconds = |field: &Option<ValueOrPath<u64>>, name: &str| -> Result<Option<u64>, Failure> {
        match field {
            None => Ok(None),
            Some(field) => Ok(attempt.resolve(field, name, &selected)?.as_u64()),
        }
    };
    let timeout = seconds(&task.timeout_seconds, "TimeoutSecondsPath")?;
    let heartbeat = seconds(&task.heartbeat_seconds, "HeartbeatSecondsPath")?;
    let request_id = attempt.frame.uuid();
    let scope = Scope {
        effective,
        timeout,
        heartbeat,
        token,
        request_id,
    };
    if let Integration::Activity { arn } = &task.integration {
        return activity(attempt, arn, scope, input, thread).await;
    }
    let integration = &task.integration;
    let call = match integration {
        Integration::LambdaFunction { .. } => lambda_call(attempt, task, scope, thread),
        // A function the operator did not define runs on AWS Lambda when Lambda is turned on:
        // the optimized integration's call, made and shaped by the service integrations.
        _ if (integration.is_lambda_invoke() || is_lambda_callback(integration))
            && run
                .env
                .runs_on_aws_lambda(&lambda::function_name(&scope.effective)) =>
        {
            service::service_call(attempt, task, scope, thread)?
        }
        _ if integration.is_lambda_invoke() || is_lambda_callback(integration) => {
            lambda_call(attempt, task, scope, thread)
        }
        _ if http::is_http(integration) => http::call(attempt, integration, scope, thread),
        _ => service::service_call(attempt, task, scope, thread)?,
    };
    finish_call(attempt, task, input, call, thread).await
}

/// What the scheduling of a call needs: the effective input, the deadlines and the ids.
struct Scope {
    effective: Value,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    token: String,
    request_id: String,
}

/// An activity task, scheduled and waited for.
async fn activity(
    attempt: &Attempt<'_>,
    arn: &str,
    scope: Scope,
    input: &Value,
    thread: &mut Thread,
) -> Result<Completed, Failure> {
    let run = attempt.run;
    let Scope {
        effective,
        timeout,
        heartbeat,
        token,
        ..
    } = scope;
    // A replay does not ask again: the activity may have been deleted since.
    if run.recorded_next(thread).is_none() && !run.env.activity_exists(arn).await {
        return Err(attempt.runtime_error(format!("The activity {arn} does not exist.")));
    }
    let scheduled = callback::scheduled_details(arn, &effective, timeout, heartbeat);
    run.record(thread, EventType::ActivityScheduled, Some(scheduled));
    let wait = callback::wait_for(
        token,
        Some(arn.to_string()),
        effective,
        thread,
        timeout,
        heartbeat,
    );
    let outcome = callback::activity(attempt, wait, thread).await;
    conclude(attempt, input, outcome)
}

/// Schedules a Lambda call: a function ARN, else `lambda:invoke` or
/// `lambda:invoke.waitForTaskToken` (the only other integrations `run` sends here).
fn lambda_call<'t>(
    attempt: &Attempt<'_>,
    task: &'t Task,
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
    match &task.integration {
        Integration::LambdaFunction { function } => {
            let mut scheduled = details([
                ("input", Value::String(effective.to_string())),
                ("inputDetails", json!({"truncated": false})),
                ("resource", Value::String(task.resource.clone())),
            ]);
            if let Some(timeout) = timeout {
                scheduled.insert("timeoutInSeconds".into(), json!(timeout));
            }
            run.record(thread, EventType::LambdaFunctionScheduled, Some(scheduled));
            Call {
                recording: Recording::LambdaFunction,
                function: function.clone(),
                payload: effective,
                request_id,
                timeout,
                log_tail: false,
                wait: None,
                nested: None,
                on_aws: run
                    .env
                    .runs_on_aws_lambda(function)
                    .then(|| task.resource.clone()),
            }
        }
        integration => {
            let callback = is_lambda_callback(integration);
            let mut scheduled =
                lambda::scheduled_details(run.context.region(), &effective, timeout, heartbeat);
            if callback {
                scheduled.insert("resource".into(), json!("invoke.waitForTaskToken"));
            }
            run.record(thread, EventType::TaskScheduled, Some(scheduled));
            let wait = callback.then(|| {
                callback::wait_for(token, None, effective.clone(), thread, timeout, heartbeat)
            });
            Call {
                recording: Recording::Lambda {
                    resource: match callback {
                        false => "invoke",
                        true => "invoke.waitForTaskToken",
                    },
                },
                function: lambda::function_name(&effective),
                payload: lambda::invoke_payload(effective.get("Payload")),
                request_id,
                timeout,
                log_tail: effective.get("LogType").and_then(Value::as_str) == Some("Tail"),
                wait,
                nested: None,
                on_aws: None,
            }
        }
    }
}

/// Whether the call starts a `.sync` job of an AWS service (watched by the environment once
/// submitted).
fn is_job(recording: &Recording<'_>) -> bool {
    matches!(
        recording,
        Recording::Service {
            target: service::Target::Aws { .. },
            resource,
            ..
        } if resource.ends_with(".sync")
    )
}

/// Makes a scheduled call and records how it ended (for `.waitForTaskToken` and `.sync`, its
/// submission, then the wait).
async fn finish_call(
    attempt: &Attempt<'_>,
    task: &Task,
    input: &Value,
    call: Call<'_>,
    thread: &mut Thread,
) -> Result<Completed, Failure> {
    let run = attempt.run;
    let recording = call.recording;
    let wait = call.wait.clone();
    // A `.sync` job of an AWS service: watched once submitted.
    let job = is_job(&recording).then(|| (call.function.clone(), call.payload.clone()));
    let outcome = perform(attempt, call, thread).await;
    let [_, _, succeeded, failed, timed_out] = recording.events();
    if let (Some(wait), Outcome::Succeeded(submitted)) = (wait, &outcome) {
        let details = details([
            ("output", Value::String(submitted.to_string())),
            ("outputDetails", json!({"truncated": false})),
        ]);
        run.record(
            thread,
            EventType::TaskSubmitted,
            Some(recording.service_fields(details)),
        );
        // Watched unless its end is recorded already (a replay of a task that ended).
        let ended = run.recorded_next(thread).is_some();
        if let Some((resource, parameters)) = job.filter(|_| !ended) {
            run.env.watch_job(crate::JobWatch {
                token: wait.token.clone(),
                resource,
                parameters,
                submitted: submitted.clone(),
                region: run.context.region().to_string(),
            });
        }
        let fields = recording.service_fields(Map::new());
        let outcome = callback::callback(attempt, wait, thread, fields).await;
        return conclude(attempt, input, outcome);
    }
    let result = match outcome {
        Outcome::TimedOut => {
            // A caught timeout shows an empty cause; the failure events show none.
            let failure = Failure::new("States.Timeout", Some(String::new()));
            run.record(
                thread,
                timed_out,
                Some(recording.service_fields(failure.details())),
            );
            return Err(failure);
        }
        Outcome::Failed(TaskFailure { error, cause }) => {
            let failure = Failure::new(error, cause);
            run.record(
                thread,
                failed,
                Some(recording.service_fields(failure.details())),
            );
            return Err(failure);
        }
        Outcome::Succeeded(result) => result,
    };
    let text = result.to_string();
    if text.len() > PAYLOAD_LIMIT_BYTES {
        // AWS names the resource ARN, or the service of an optimised integration.
        let subject = match recording {
            Recording::LambdaFunction => task.resource.as_str(),
            Recording::Lambda { .. } => "lambda",
            Recording::Http { .. } => "http",
            Recording::Service {
                target: service::Target::OwnApi { .. },
                ..
            } => "sfn",
            Recording::Service {
                target: service::Target::Aws { service },
                ..
            } => service,
        };
        let failure = Failure::data_limit(subject);
        run.record(
            thread,
            failed,
            Some(recording.service_fields(failure.details())),
        );
        return Err(failure);
    }
    let details = details([
        ("output", Value::String(text)),
        ("outputDetails", json!({"truncated": false})),
    ]);
    run.record(thread, succeeded, Some(recording.service_fields(details)));
    attempt.inspect("result", &result);
    attempt.finish(Cow::Borrowed(input), result)
}

/// The end of a task whose outcome event is recorded already (activities and callbacks; their
/// output is bounded by the API that delivered it).
fn conclude(attempt: &Attempt<'_>, input: &Value, outcome: Outcome) -> Result<Completed, Failure> {
    match outcome {
        // A caught timeout shows an empty cause.
        Outcome::TimedOut => Err(Failure::new("States.Timeout", Some(String::new()))),
        Outcome::Failed(TaskFailure { error, cause }) => Err(Failure::new(error, cause)),
        Outcome::Succeeded(result) => {
            attempt.inspect("result", &result);
            attempt.finish(Cow::Borrowed(input), result)
        }
    }
}

/// Records the start and makes the call, or takes its outcome from the recorded history.
async fn perform(attempt: &Attempt<'_>, call: Call<'_>, thread: &mut Thread) -> Outcome {
    let run = attempt.run;
    let [_, started, ..] = call.recording.events();
    // A replayed start means the function was called before a restart: its result, if it came,
    // is the next recorded event; if none was recorded the call was in flight.
    let started_before = run.recorded_next(thread).is_some();
    let started_details = call
        .recording
        .is_service()
        .then(|| call.recording.service_fields(Map::new()));
    run.record(thread, started, started_details);
    if let Some(event) = run.recorded_next(thread) {
        return recorded_outcome(&event);
    }
    if started_before {
        // A `.waitForTaskToken` call in flight at a restart may have handed its token on: the
        // task was opened (durably) before the call, so the execution goes on waiting for it
        // rather than failing a task that may be answered. Its response is lost: `TaskSubmitted`
        // records `null`, which keeps the history's shape for later replays.
        // (Not a `.sync` job: its id was in the answer that was lost, so it cannot be
        // watched; it fails below.)
        if let (Some(wait), None, false) = (&call.wait, call.nested, is_job(&call.recording)) {
            return match run.env.open_task(wait).await {
                Ok(()) => Outcome::Succeeded(Value::Null),
                Err(failure) => Outcome::Failed(failure),
            };
        }
        return Outcome::Failed(TaskFailure {
            error: "States.TaskFailed".into(),
            cause: Some(
                "Fluxo restarted while this task was running; it is not run again automatically because it may already have had its effect".into(),
            ),
        });
    }
    run.persist().await;
    // The task is open before the function can hand its token on (a nested `.sync` task is
    // opened with its child, by the environment).
    if let (Some(wait), None) = (&call.wait, call.nested) {
        if let Err(failure) = run.env.open_task(wait).await {
            return Outcome::Failed(failure);
        }
    }
    let invocation: BoxFuture<'_, Result<FunctionResult, TaskFailure>> = match call.recording {
        Recording::Service {
            target: service::Target::OwnApi { action },
            ..
        } => {
            let link = call.nested.zip(call.wait.clone());
            let called = run.env.call_own_api(action, call.payload, link);
            Box::pin(async move { called.await.map(FunctionResult::from) })
        }
        Recording::Http { .. } => {
            let called = run.env.call_http(call.payload);
            Box::pin(async move { called.await.map(FunctionResult::from) })
        }
        Recording::Service {
            target: service::Target::Aws { .. },
            ..
        } => {
            let called = run.env.call_service(ServiceRequest {
                resource: call.function.clone(),
                parameters: call.payload,
                region: run.context.region().to_string(),
                state_machine_arn: run.context.state_machine_arn().to_string(),
                execution_arn: run.context.execution_arn().to_string(),
                raw_body: None,
            });
            Box::pin(async move { called.await.map(FunctionResult::from) })
        }
        Recording::LambdaFunction if call.on_aws.is_some() => {
            let arn = call.on_aws.clone().unwrap_or_default();
            let called = run.env.call_service(lambda::on_aws(
                &arn,
                call.payload,
                run.context.region(),
                run.context.state_machine_arn(),
                run.context.execution_arn(),
            ));
            Box::pin(async move { called.await.map(lambda::function_arn_result) })
        }
        _ => run.env.invoke_function(FunctionCall {
            function_name: call.function.clone(),
            payload: call.payload,
            request_id: call.request_id.clone(),
        }),
    };
    let returned = match call.timeout {
        Some(timeout) => {
            let deadline = add_seconds(run.time_of(thread), timeout as f64);
            tokio::select! {
                returned = invocation => Some(returned),
                _ = run.env.sleep_until(deadline) => None,
            }
        }
        None => Some(invocation.await),
    };
    match (returned, call.recording) {
        (None, _) => Outcome::TimedOut,
        (Some(Err(failure)), Recording::Lambda { .. }) => Outcome::Failed(lambda::service_failure(
            failure,
            &run.context,
            &call.function,
            &call.request_id,
        )),
        (Some(Err(failure)), _) => Outcome::Failed(failure),
        (Some(Ok(result)), Recording::Lambda { .. }) => Outcome::Succeeded(
            lambda::wrap_invoke_result(result, &call.request_id, run.env.now(), call.log_tail),
        ),
        (Some(Ok(result)), _) => Outcome::Succeeded(result.payload),
    }
}

/// The outcome a replayed result event recorded.
fn recorded_outcome(event: &HistoryEvent) -> Outcome {
    let field = |name: &str| event.detail_text(name);
    match event.kind {
        // `TaskSubmitted`: the call of a `.waitForTaskToken` task returned.
        EventType::LambdaFunctionSucceeded
        | EventType::TaskSucceeded
        | EventType::TaskSubmitted => {
            let output = field("output").unwrap_or_default();
            Outcome::Succeeded(serde_json::from_str(&output).unwrap_or(Value::Null))
        }
        EventType::LambdaFunctionTimedOut | EventType::TaskTimedOut => Outcome::TimedOut,
        _ => Outcome::Failed(TaskFailure {
            error: field("error").unwrap_or_default(),
            cause: field("cause"),
        }),
    }
}
