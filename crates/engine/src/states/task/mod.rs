//! Task: calls what its `Resource` names and passes the result on through the data flow.
//!
//! Events of an attempt, for a Lambda function ARN: `LambdaFunctionScheduled`,
//! `LambdaFunctionStarted`, then `LambdaFunctionSucceeded`, `LambdaFunctionFailed` or
//! `LambdaFunctionTimedOut`. For an optimized integration (`arn:aws:states:::lambda:invoke`):
//! `TaskScheduled`, `TaskStarted`, then `TaskSucceeded`, `TaskFailed` or `TaskTimedOut`.
//! The history is persisted before the call; a replay reuses a recorded result, and a call
//! that was started but has no recorded result fails the attempt with `States.TaskFailed`.

mod lambda;

use crate::attempt::{Attempt, Completed};
use crate::environment::{FunctionCall, TaskFailure};
use crate::failure::Failure;
use crate::history::details;
use crate::journal::Thread;
use crate::payload::PAYLOAD_LIMIT_BYTES;
use crate::run::add_seconds;
use crate::HistoryEvent;
use fluxo_asl::model::{Integration, Task, ValueOrPath};
use fluxo_types::EventType;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// How the call is recorded: `LambdaFunction*` events for a function ARN, `Task*` events (with
/// the service's `resourceType` and `resource`) for an optimized integration.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Recording {
    LambdaFunction,
    Service,
}

impl Recording {
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
            Recording::Service => [
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
        if self == Recording::Service {
            map.insert("resourceType".into(), json!("lambda"));
            map.insert("resource".into(), json!("invoke"));
        }
        map
    }
}

/// How a call ended.
enum Outcome {
    Succeeded(Value),
    Failed(TaskFailure),
    TimedOut,
}

/// What one attempt calls, with its timeouts.
struct Call {
    recording: Recording,
    function: String,
    payload: Value,
    request_id: String,
    timeout: Option<u64>,
    /// `LogType: Tail` on `lambda:invoke`: the result carries the log's last 4 KB.
    log_tail: bool,
}

pub(crate) async fn run(
    attempt: &Attempt<'_>,
    task: &Task,
    input: &Value,
    thread: &mut Thread,
) -> Result<Completed, Failure> {
    let run = attempt.run;
    // `TimeoutSecondsPath` and `HeartbeatSecondsPath` read the state input, not the parameters.
    let selected = attempt.input_path(Cow::Borrowed(input))?;
    let effective = attempt.effective_input(input)?;
    let seconds = |field: &Option<ValueOrPath<u64>>, name: &str| -> Result<Option<u64>, Failure> {
        match field {
            None => Ok(None),
            Some(field) => Ok(attempt.resolve(field, name, &selected)?.as_u64()),
        }
    };
    let timeout = seconds(&task.timeout_seconds, "TimeoutSecondsPath")?;
    let heartbeat = seconds(&task.heartbeat_seconds, "HeartbeatSecondsPath")?;
    let request_id = attempt.frame.uuid();
    let call = match &task.integration {
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
            }
        }
        integration if integration.is_lambda_invoke() => {
            let scheduled =
                lambda::scheduled_details(run.context.region(), &effective, timeout, heartbeat);
            run.record(thread, EventType::TaskScheduled, Some(scheduled));
            Call {
                recording: Recording::Service,
                function: lambda::function_name(&effective),
                payload: lambda::invoke_payload(effective.get("Payload")),
                request_id,
                timeout,
                log_tail: effective.get("LogType").and_then(Value::as_str) == Some("Tail"),
            }
        }
        _ => {
            return Err(
                attempt.runtime_error(format!("The resource '{}' is not supported", task.resource))
            )
        }
    };
    let recording = call.recording;
    let outcome = perform(attempt, call, thread).await;
    let [_, _, succeeded, failed, timed_out] = recording.events();
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
            Recording::Service => "lambda",
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
    attempt.finish(Cow::Borrowed(input), result)
}

/// Records the start and makes the call, or takes its outcome from the recorded history.
async fn perform(attempt: &Attempt<'_>, call: Call, thread: &mut Thread) -> Outcome {
    let run = attempt.run;
    let [_, started, ..] = call.recording.events();
    // A replayed start means the function was called before a restart: its result, if it came,
    // is the next recorded event; if none was recorded the call was in flight.
    let started_before = run.recorded_next(thread).is_some();
    let started_details =
        (call.recording == Recording::Service).then(|| call.recording.service_fields(Map::new()));
    run.record(thread, started, started_details);
    if let Some(event) = run.recorded_next(thread) {
        return recorded_outcome(&event);
    }
    if started_before {
        return Outcome::Failed(TaskFailure {
            error: "States.TaskFailed".into(),
            cause: Some(
                "Fluxo restarted while this task was running; it is not run again automatically because it may already have had its effect".into(),
            ),
        });
    }
    run.persist().await;
    let invocation = run.env.invoke_function(FunctionCall {
        function_name: call.function.clone(),
        payload: call.payload,
        request_id: call.request_id.clone(),
    });
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
        (Some(Err(failure)), Recording::LambdaFunction) => Outcome::Failed(failure),
        (Some(Err(failure)), Recording::Service) => Outcome::Failed(lambda::service_failure(
            failure,
            &run.context,
            &call.function,
            &call.request_id,
        )),
        (Some(Ok(result)), Recording::LambdaFunction) => Outcome::Succeeded(result.payload),
        (Some(Ok(result)), Recording::Service) => Outcome::Succeeded(lambda::wrap_invoke_result(
            result,
            &call.request_id,
            run.env.now(),
            call.log_tail,
        )),
    }
}

/// The outcome a replayed result event recorded.
fn recorded_outcome(event: &HistoryEvent) -> Outcome {
    let field = |name: &str| event.detail_text(name);
    match event.kind {
        EventType::LambdaFunctionSucceeded | EventType::TaskSucceeded => {
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
