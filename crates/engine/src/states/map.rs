use super::resolve;
use crate::context::StateContext;
use crate::execution::{details, Completed, Frame, Run};
use crate::failure::Failure;
use crate::journal::Thread;
use fluxo_asl::model::{MapState, State, ValueOrPath};
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::sync::Mutex;

pub(crate) async fn run(
    run: &Run<'_>,
    state: &State,
    map: &MapState,
    input: &Value,
    state_context: &StateContext<'_>,
    thread: &mut Thread,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let context = run.context.for_state(state_context, frame);
    let effective = run.input_path(&state.io.input_path, input, &context, frame, state_context)?;
    let runtime = |message: String| run.runtime_error(state_context, message);
    let items = match run.input_path(&map.items_path, &effective, &context, frame, state_context)? {
        Value::Array(items) => items,
        other => {
            return Err(runtime(format!(
                "Map state input must be an array but was: {other}"
            )))
        }
    };
    let max_concurrency = match &map.max_concurrency {
        ValueOrPath::Value(n) => *n,
        field => {
            let value = resolve(
                run,
                field,
                "MaxConcurrencyPath",
                &effective,
                &context,
                frame,
                state_context,
            )?;
            value.as_u64().ok_or_else(|| {
                runtime(format!(
                    "The MaxConcurrencyPath field refers to value {} which is not a valid integer: {}",
                    quoted(&value),
                    path_of(field)
                ))
            })?
        }
    };
    let started = run.record(
        thread,
        "MapStateStarted",
        Some(details([("length", json!(items.len()))])),
    );
    let tolerance = tolerance(run, map, &effective, &context, frame, state_context)?;
    let mut iteration_origin = started;
    if map.distributed {
        let map_run_arn = format!(
            "{}/{}:{}",
            run.context
                .state_machine_arn()
                .replacen(":stateMachine:", ":mapRun:", 1),
            state.name,
            run.with_rng(uuid_from)
        );
        let mut run_thread = thread.child(started, "run");
        iteration_origin = run.record(
            &mut run_thread,
            "MapRunStarted",
            Some(details([("mapRunArn", Value::String(map_run_arn))])),
        );
    }

    let limit = if max_concurrency == 0 {
        usize::MAX
    } else {
        max_concurrency as usize
    };
    let in_flight = Mutex::new(BTreeSet::new());
    let effective = &effective;
    let context_ref = &context;
    let in_flight_ref = &in_flight;
    let parent = thread.fork();
    let parent = &parent;
    let lean = run.is_lean();
    let iteration = |index: usize, item: Value| async move {
        let mut iteration_thread = match lean {
            true => parent.child_unkeyed(iteration_origin),
            false => parent.child(iteration_origin, format_args!("i{index}")),
        };
        let iteration_details = || {
            run.details.then(|| {
                details([
                    ("index", json!(index)),
                    ("name", Value::String(state.name.clone())),
                ])
            })
        };
        if !map.distributed {
            run.record(
                &mut iteration_thread,
                "MapIterationStarted",
                iteration_details(),
            );
        }
        // Which iterations a failure stops only shows in the history: a lean run keeps none.
        if !lean {
            in_flight_ref
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(index);
        }
        // Without a selector the item is also the iteration's input.
        let plain_input = map.item_selector.is_none().then(|| item.clone());
        let mut map_item = Map::new();
        map_item.insert("Index".into(), Value::from(index));
        map_item.insert("Value".into(), item);
        let mut iteration_frame = Frame {
            variables: frame.variables.clone(),
            map_item: Some(Value::Object(map_item)),
        };
        let item_input = match (&map.item_selector, plain_input) {
            (Some(selector), _) => {
                let map_context = || {
                    let mut map = Map::new();
                    map.insert(
                        "Item".into(),
                        iteration_frame.map_item.clone().unwrap_or_default(),
                    );
                    Value::Object(map)
                };
                let item_context = if map.item_selector_reads_only_map {
                    Value::Object(Map::from_iter([("Map".to_string(), map_context())]))
                } else {
                    let mut item_context = context_ref.clone();
                    if let Some(object) = item_context.as_object_mut() {
                        object.insert("Map".into(), map_context());
                    }
                    item_context
                };
                run.template(
                    selector,
                    effective,
                    &item_context,
                    &iteration_frame,
                    state_context,
                )
            }
            (None, item) => Ok(item.unwrap_or_default()),
        };
        let result = match item_input {
            Ok(item_input) if map.distributed => {
                let child = run.detached();
                let mut child_thread = Thread::root(run.time_of(&iteration_thread));
                child
                    .run_machine(
                        &map.processor,
                        item_input,
                        &mut child_thread,
                        &mut iteration_frame,
                    )
                    .await
            }
            Ok(item_input) => {
                run.run_machine(
                    &map.processor,
                    item_input,
                    &mut iteration_thread,
                    &mut iteration_frame,
                )
                .await
            }
            Err(failure) => Err(failure),
        };
        if !lean {
            in_flight_ref
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&index);
        }
        if !map.distributed {
            let kind = if result.is_ok() {
                "MapIterationSucceeded"
            } else {
                "MapIterationFailed"
            };
            run.record(&mut iteration_thread, kind, iteration_details());
        }
        (index, result)
    };

    let total = items.len();
    let mut results: Vec<Value> = vec![Value::Null; total];
    let mut pending = items.into_iter().enumerate();
    let mut running = FuturesUnordered::new();
    let mut failures = 0usize;
    let mut first_failure: Option<Failure> = None;
    loop {
        while running.len() < limit {
            match pending.next() {
                Some((index, item)) => running.push(iteration(index, item)),
                None => break,
            }
        }
        let Some((index, result)) = running.next().await else {
            break;
        };
        match result {
            Ok(value) => results[index] = value,
            Err(failure) => {
                failures += 1;
                results[index] = failure.error_output();
                if !tolerance.tolerates(failures, total) {
                    // Iterations already started get to record their start, as on AWS.
                    while let Some(Some(_)) = running.next().now_or_never() {}
                    first_failure = Some(failure);
                    break;
                }
            }
        }
    }
    drop(running);
    if let Some(failure) = first_failure {
        let aborted: Vec<usize> = in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .collect();
        for index in aborted {
            let iteration_thread = thread.child(iteration_origin, format_args!("i{index}"));
            let mut aborted_thread = run
                .abort_thread(&iteration_thread.key)
                .unwrap_or(iteration_thread);
            run.record(
                &mut aborted_thread,
                "MapIterationAborted",
                Some(details([
                    ("index", json!(index)),
                    ("name", json!(state.name)),
                ])),
            );
        }
        let mut failure = if tolerance.is_set() {
            Failure::new(
                "States.ExceedToleratedFailureThreshold",
                Some("The specified tolerated failure threshold was exceeded".into()),
            )
        } else {
            failure
        };
        if map.distributed {
            run.record(thread, "MapRunFailed", None);
        }
        failure.from_branch = true;
        return Err(failure);
    }
    if map.distributed {
        run.record(thread, "MapRunSucceeded", None);
    }
    run.record(thread, "MapStateSucceeded", None);
    run.finish(
        state,
        std::borrow::Cow::Borrowed(input),
        Value::Array(results),
        &context,
        frame,
        state_context,
    )
}

/// How many failed iterations a Map state accepts.
struct Tolerance {
    count: Option<u64>,
    percentage: Option<f64>,
}

impl Tolerance {
    fn is_set(&self) -> bool {
        self.count.is_some() || self.percentage.is_some()
    }

    fn tolerates(&self, failures: usize, total: usize) -> bool {
        let by_count = self.count.is_some_and(|count| failures as u64 <= count);
        let by_percentage = self.percentage.is_some_and(|percentage| {
            total > 0 && (failures as f64) * 100.0 / (total as f64) <= percentage
        });
        by_count || by_percentage
    }
}

#[allow(clippy::too_many_arguments)]
fn tolerance(
    run: &Run,
    map: &MapState,
    effective: &Value,
    context: &Value,
    frame: &Frame,
    state_context: &StateContext<'_>,
) -> Result<Tolerance, Failure> {
    let runtime = |message: String| run.runtime_error(state_context, message);
    let count = match &map.tolerated_failure_count {
        None => None,
        Some(field) => {
            let value = resolve(
                run,
                field,
                "ToleratedFailureCountPath",
                effective,
                context,
                frame,
                state_context,
            )?;
            match as_number(&value).and_then(|n| n.as_i64()) {
                Some(n) if n < 0 => {
                    return Err(runtime("ToleratedFailureCount cannot be negative.".into()))
                }
                Some(n) => Some(n as u64),
                None => {
                    return Err(runtime(format!(
                        "The ToleratedFailureCountPath field refers to value {} which is not a valid integer: {}",
                        quoted(&value),
                        path_of(field)
                    )))
                }
            }
        }
    };
    let percentage = match &map.tolerated_failure_percentage {
        None => None,
        Some(field) => {
            let value = resolve(
                run,
                field,
                "ToleratedFailurePercentagePath",
                effective,
                context,
                frame,
                state_context,
            )?;
            match as_number(&value).and_then(|n| n.as_f64()) {
                Some(p) if !(0.0..=100.0).contains(&p) => {
                    return Err(runtime(
                        "ToleratedFailurePercentage must be between 0 and 100.".into(),
                    ))
                }
                Some(p) => Some(p),
                None => {
                    return Err(runtime(format!(
                        "The ToleratedFailurePercentagePath field refers to value {} which is not a valid float: {}",
                        quoted(&value),
                        path_of(field)
                    )))
                }
            }
        }
    };
    Ok(Tolerance { count, percentage })
}

/// A number, or a string holding one (a variable assigned `"1"` is accepted as 1).
fn as_number(value: &Value) -> Option<serde_json::Number> {
    match value {
        Value::Number(number) => Some(number.clone()),
        Value::String(text) => text.trim().parse::<serde_json::Number>().ok(),
        _ => None,
    }
}

/// AWS quotes the offending value as `"text"`, rendering non-strings as JSON.
fn quoted(value: &Value) -> String {
    match value {
        Value::String(text) => format!("\"{text}\""),
        other => format!("\"{other}\""),
    }
}

fn path_of<T>(field: &ValueOrPath<T>) -> &str {
    match field {
        ValueOrPath::Path(path) => path.as_str(),
        _ => "",
    }
}

fn uuid_from(rng: &mut impl rand::RngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}
