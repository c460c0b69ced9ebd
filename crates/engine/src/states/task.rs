//! Task states that call operator-configured functions the way Step Functions calls Lambda.

use super::resolve;
use crate::context::StateContext;
use crate::environment::{FunctionCall, TaskFailure};
use crate::execution::{details, Completed, Frame, Run, PAYLOAD_LIMIT_BYTES};
use crate::failure::Failure;
use crate::journal::Thread;
use crate::HistoryEvent;
use fluxo_asl::model::{State, Task, ValueOrPath};
use serde_json::{json, Map, Value};

/// How a Task's `Resource` is called, which decides its history events and output shape.
enum Integration {
    /// `arn:aws:lambda:…:function:NAME`: `LambdaFunction*` events, the function's result as is.
    LambdaArn { function: String },
    /// `arn:aws:states:::lambda:invoke`: `Task*` events, the result wrapped as the Lambda API does.
    LambdaInvoke,
}

fn integration(resource: &str) -> Option<Integration> {
    if resource == "arn:aws:states:::lambda:invoke" {
        return Some(Integration::LambdaInvoke);
    }
    let parts: Vec<&str> = resource.split(':').collect();
    if parts.len() >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
        return Some(Integration::LambdaArn {
            function: parts[6].to_string(),
        });
    }
    None
}

/// A function name given as a name, a partial ARN or a full ARN (with or without qualifier).
fn function_name(reference: &str) -> String {
    let parts: Vec<&str> = reference.split(':').collect();
    match parts.iter().position(|part| *part == "function") {
        Some(index) if index + 1 < parts.len() => parts[index + 1].to_string(),
        _ => reference.to_string(),
    }
}

pub(crate) async fn run(
    run: &Run<'_>,
    state: &State,
    task: &Task,
    input: &Value,
    state_context: &StateContext<'_>,
    thread: &mut Thread,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let context = run.context.for_state(state_context, frame);
    // `TimeoutSecondsPath` and `HeartbeatSecondsPath` read the state input, not the parameters.
    let selected = run.input_path(&state.io.input_path, input, &context, frame, state_context)?;
    let effective = run.effective_input(state, input, &context, frame, state_context)?;
    let seconds = |field: &Option<ValueOrPath<u64>>, name: &str| -> Result<Option<u64>, Failure> {
        match field {
            None => Ok(None),
            Some(field) => {
                Ok(resolve(run, field, name, &selected, &context, frame, state_context)?.as_u64())
            }
        }
    };
    let timeout = seconds(&task.timeout_seconds, "TimeoutSecondsPath")?;
    let heartbeat = seconds(&task.heartbeat_seconds, "HeartbeatSecondsPath")?;
    let Some(integration) = integration(&task.resource) else {
        return Err(Failure::new(
            "States.Runtime",
            Some(format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). The resource '{}' is not supported",
                state.name, state_context.entered_id, task.resource
            )),
        ));
    };
    let request_id = run.with_rng(|rng| {
        let mut bytes = [0u8; 16];
        rand::RngCore::fill_bytes(rng, &mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    });

    let lambda_arn = matches!(integration, Integration::LambdaArn { .. });
    let (function, payload) = match &integration {
        Integration::LambdaArn { function } => {
            let mut scheduled = details([
                ("input", Value::String(effective.to_string())),
                ("inputDetails", json!({"truncated": false})),
                ("resource", Value::String(task.resource.clone())),
            ]);
            if let Some(timeout) = timeout {
                scheduled.insert("timeoutInSeconds".into(), json!(timeout));
            }
            run.record(thread, "LambdaFunctionScheduled", Some(scheduled));
            (function.clone(), effective.clone())
        }
        Integration::LambdaInvoke => {
            let mut scheduled = details([
                ("resourceType", json!("lambda")),
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
            run.record(thread, "TaskScheduled", Some(scheduled));
            let name = effective
                .get("FunctionName")
                .and_then(Value::as_str)
                .map(function_name)
                .unwrap_or_default();
            let payload = invoke_payload(effective.get("Payload"));
            (name, payload)
        }
    };
    // A replayed start means the function was called before a restart: its result, if it came,
    // is the next recorded event; if none was recorded the call was in flight.
    let started_before = run.recorded_next(thread).is_some();
    if lambda_arn {
        run.record(thread, "LambdaFunctionStarted", None);
    } else {
        run.record(
            thread,
            "TaskStarted",
            Some(details([
                ("resourceType", json!("lambda")),
                ("resource", json!("invoke")),
            ])),
        );
    }

    let outcome = match run.recorded_next(thread) {
        Some(event) => recorded_outcome(&event),
        None if started_before => Outcome::Failed(TaskFailure {
            error: "States.TaskFailed".into(),
            cause: Some(
                "Fluxo restarted while this task was running; it is not run again automatically because it may already have had its effect".into(),
            ),
        }),
        None => {
            run.persist().await;
            let function_for_errors = function.clone();
            let call = run.env.invoke_function(FunctionCall {
                function_name: function,
                payload,
                request_id: request_id.clone(),
            });
            let returned = match timeout {
                Some(timeout) => {
                    let deadline = crate::execution::add_seconds(run.time_of(thread), timeout as f64);
                    tokio::select! {
                        returned = call => Some(returned),
                        _ = run.env.sleep_until(deadline) => None,
                    }
                }
                None => Some(call.await),
            };
            match returned {
                None => Outcome::TimedOut,
                Some(Err(failure)) if lambda_arn => Outcome::Failed(failure),
                // The optimised integration passes the Lambda error document on compacted.
                Some(Err(failure)) if failure.error == "Lambda.ResourceNotFoundException" => {
                    Outcome::Failed(TaskFailure {
                        cause: Some(format!(
                            "Function not found: arn:aws:lambda:{}:{}:function:{}:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {request_id}; Proxy: null)",
                            run.context.region(),
                            run.context.account(),
                            function_for_errors
                        )),
                        ..failure
                    })
                }
                Some(Err(TaskFailure { error, cause })) => Outcome::Failed(TaskFailure {
                    error,
                    cause: cause.map(|cause| compact_json(&cause)),
                }),
                Some(Ok(result)) if lambda_arn => Outcome::Succeeded(result),
                Some(Ok(result)) => {
                    Outcome::Succeeded(wrap_invoke_result(result, &request_id, run.env.now()))
                }
            }
        }
    };

    let service_fields = |mut map: Map<String, Value>| {
        if !lambda_arn {
            map.insert("resourceType".into(), json!("lambda"));
            map.insert("resource".into(), json!("invoke"));
        }
        map
    };
    let failed_kind = if lambda_arn {
        "LambdaFunctionFailed"
    } else {
        "TaskFailed"
    };
    let result = match outcome {
        Outcome::TimedOut => {
            // A caught timeout shows an empty cause; the failure events show none.
            let failure = Failure::new("States.Timeout", Some(String::new()));
            let kind = if lambda_arn {
                "LambdaFunctionTimedOut"
            } else {
                "TaskTimedOut"
            };
            run.record(thread, kind, Some(service_fields(failure.details())));
            return Err(failure);
        }
        Outcome::Failed(TaskFailure { error, cause }) => {
            let failure = Failure::new(error, cause);
            run.record(thread, failed_kind, Some(service_fields(failure.details())));
            return Err(failure);
        }
        Outcome::Succeeded(result) => result,
    };
    let text = result.to_string();
    if text.len() > PAYLOAD_LIMIT_BYTES {
        // AWS names the resource ARN, or the service of an optimised integration.
        let subject = if lambda_arn {
            task.resource.as_str()
        } else {
            "lambda"
        };
        let failure = Failure::data_limit(subject);
        run.record(thread, failed_kind, Some(service_fields(failure.details())));
        return Err(failure);
    }
    let succeeded = details([
        ("output", Value::String(text)),
        ("outputDetails", json!({"truncated": false})),
    ]);
    let succeeded_kind = if lambda_arn {
        "LambdaFunctionSucceeded"
    } else {
        "TaskSucceeded"
    };
    run.record(thread, succeeded_kind, Some(service_fields(succeeded)));
    run.finish(
        state,
        std::borrow::Cow::Borrowed(input),
        result,
        &context,
        frame,
        state_context,
    )
}

/// The event Lambda receives for a `Payload` parameter: absent or null is `{}`, a string is the
/// raw request body (JSON text), anything else is the JSON document itself.
fn invoke_payload(payload: Option<&Value>) -> Value {
    match payload {
        None | Some(Value::Null) => json!({}),
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Some(other) => other.clone(),
    }
}

fn compact_json(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .map(|value| value.to_string())
        .unwrap_or_else(|_| text.to_string())
}

enum Outcome {
    Succeeded(Value),
    Failed(TaskFailure),
    TimedOut,
}

/// The outcome a replayed result event recorded.
fn recorded_outcome(event: &HistoryEvent) -> Outcome {
    let field = |name: &str| event.detail_text(name);
    if event.kind.ends_with("Succeeded") {
        let output = field("output").unwrap_or_default();
        return Outcome::Succeeded(serde_json::from_str(&output).unwrap_or(Value::Null));
    }
    if event.kind.ends_with("TimedOut") {
        return Outcome::TimedOut;
    }
    Outcome::Failed(TaskFailure {
        error: field("error").unwrap_or_default(),
        cause: field("cause"),
    })
}

/// The Lambda `Invoke` API response as Step Functions' optimised integration returns it.
fn wrap_invoke_result(payload: Value, request_id: &str, now: jiff::Timestamp) -> Value {
    let length = payload.to_string().len().to_string();
    let date = now.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let trace_id = format!(
        "Root=1-{:08x}-{};Sampled=0",
        now.as_second(),
        request_id.replace('-', "").get(..24).unwrap_or_default()
    );
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": ["application/json"],
                "X-Amzn-Trace-Id": [trace_id],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": trace_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    })
}
