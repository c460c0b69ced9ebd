//! Map: runs its item processor once per item of the array `ItemsPath` selects, at most
//! `MaxConcurrency` at a time; the result is the array of their outputs, in item order.
//!
//! Events of an attempt: `MapStateStarted` (with the item count); for a distributed Map,
//! `MapRunStarted`; per inline iteration `MapIterationStarted`, its states in its own thread,
//! then `MapIterationSucceeded` or `MapIterationFailed` (a distributed Map's iterations are
//! child executions with their own histories); when the failures exceed the tolerance,
//! `MapIterationAborted` for the iterations still running (and `<Type>StateAborted` for their
//! states), `MapRunFailed` for a distributed Map, and the lifecycle records `MapStateFailed`;
//! otherwise `MapRunSucceeded` for a distributed Map and `MapStateSucceeded`.

mod batcher;
mod child_history;
mod children;
mod compression;
mod formats;
mod manifests;
mod outcome;
mod reader;
mod reading;
mod tolerance;
mod writer;

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use crate::frame::Frame;
use crate::history::details;
use crate::journal::Thread;
use crate::jsonata::StateValues;
use fluxo_asl::model::{MapState, PathField, QueryLanguage, Template, ValueOrPath};
use fluxo_jsonata::unexpected_type_cause;
use fluxo_types::EventType;
use futures::stream::{FuturesUnordered, StreamExt};
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use tolerance::Tolerance;

pub(crate) async fn run(
    attempt: &Attempt<'_>,
    map: &MapState,
    input: &Value,
    thread: &mut Thread,
) -> Result<Completed, Failure> {
    let run = attempt.run;
    let effective = attempt.input_path(Cow::Borrowed(input))?.into_owned();
    // A distributed Map that reads its items reads them once its Map Run has started (and
    // ignores `ItemsPath`, as recorded in `…_test_map_item_reader_base_json_with_items_path_*`).
    let reads = map.distributed && map.item_reader.is_some();
    let items = match attempt
        .run
        .test
        .and_then(|h| h.map_item_reader_data.as_ref())
    {
        // TestState: what the `ItemReader` would have read.
        Some(read) if attempt.mock().is_some() => read.clone(),
        _ if reads => Vec::new(),
        _ => items(attempt, map, &effective)?,
    };
    let max_concurrency = max_concurrency(attempt, map, &effective)?;
    attempt.inspect("maxConcurrency", &json!(max_concurrency));
    let limit = match max_concurrency {
        0 => usize::MAX,
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let started = run.record(
        thread,
        EventType::MapStateStarted,
        Some(details([("length", json!(items.len()))])),
    );
    let tolerance = Tolerance::of(attempt, map, &effective)?;
    if let Some(mock) = attempt.mock() {
        return mocked(attempt, mock, &tolerance, items.len(), input);
    }
    if map.distributed {
        let plan = children::Plan {
            items,
            max_concurrency,
            tolerance,
        };
        return children::run(attempt, map, input, &effective, thread, started, plan).await;
    }
    let origin = started;
    let iterations = Iterations {
        attempt,
        map,
        effective: &effective,
        parent: thread.fork(),
        origin,
        in_flight: Mutex::new(BTreeSet::new()),
        started: Mutex::new(BTreeSet::new()),
        child_machine: None,
        map_run_arn: None,
        fails_at_first: !tolerance.tolerates(1, items.len()),
        failing: AtomicBool::new(false),
    };
    let waiting = run.threads.waiting_for_children(run.observed());
    let outcome = iterations.run_all(items, limit, &tolerance).await;
    drop(waiting);
    match outcome {
        Ok(results) => {
            run.record(thread, EventType::MapStateSucceeded, None);
            attempt.finish(Cow::Borrowed(input), Value::Array(results))
        }
        Err(failure) => {
            iterations.abort_in_flight(thread);
            let mut failure = match tolerance.is_set() {
                true => Failure::new(
                    "States.ExceedToleratedFailureThreshold",
                    Some("The specified tolerated failure threshold was exceeded".into()),
                ),
                false => failure,
            };
            failure.from_branch = true;
            Err(failure)
        }
    }
}

/// TestState: the mock is the array of the iterations' outputs, and
/// `mapIterationFailureCount` iterations failed (beyond the tolerance, the state fails).
fn mocked(
    attempt: &Attempt<'_>,
    mock: &crate::test_state::Mock,
    tolerance: &Tolerance,
    total: usize,
    input: &Value,
) -> Result<Completed, Failure> {
    let result = crate::test_state::mocked(mock)?;
    let failures = attempt
        .run
        .test
        .and_then(|hooks| hooks.map_iteration_failure_count)
        .unwrap_or(0) as usize;
    // Without a tolerance AWS lets failed iterations pass (recorded case
    // `state_configuration__test_map_state_failure_count_DEBUG-BASE_MAP_STATE`).
    if failures > 0 && tolerance.is_set() && !tolerance.tolerates(failures, total) {
        return Err(Failure::new(
            "States.ExceedToleratedFailureThreshold",
            Some("The specified tolerated failure threshold was exceeded".into()),
        ));
    }
    attempt.finish(Cow::Borrowed(input), result)
}

/// The items to iterate over: what `ItemsPath` selects, or in JSONata what `Items` gives
/// (absent: `$states.input`); anything but an array fails the state.
fn items(attempt: &Attempt<'_>, map: &MapState, effective: &Value) -> Result<Vec<Value>, Failure> {
    let not_an_array = |other: &Value| format!("Map state input must be an array but was: {other}");
    match attempt.state.query_language {
        QueryLanguage::JsonPath => match attempt.select(&map.items_path, effective)? {
            Value::Array(items) => {
                attempt.inspect("afterItemsPath", &Value::Array(items.clone()));
                Ok(items)
            }
            other => match (&map.items_path, attempt.run.test) {
                // TestState words it its own way, naming a context path with one `$`
                // (recorded cases `state_context_object__test_state_map_context_object_*`).
                (PathField::Path(path), Some(_)) => {
                    let text = path.as_str();
                    let path = match text.strip_prefix('$') {
                        Some(rest) if rest.starts_with('$') => rest,
                        _ => text,
                    };
                    Err(Failure::new(
                        "States.Runtime",
                        Some(format!("Reference path \"{path}\" must point to array.")),
                    ))
                }
                _ => Err(attempt.runtime_error(not_an_array(&other))),
            },
        },
        QueryLanguage::Jsonata => {
            let Some(template) = &map.items else {
                // Recorded: `scenarios/base_scenarios__test_map_state_items_input_types_*`, an
                // evaluation failure without a location that also fails the Map state.
                return match effective {
                    Value::Array(items) => Ok(items.clone()),
                    other => {
                        let mut failure = attempt.query_failure(None, &not_an_array(other));
                        failure.from_branch = true;
                        Err(failure)
                    }
                };
            };
            match attempt.jsonata(template, "Items", StateValues::input(effective))? {
                Value::Array(items) => Ok(items),
                other => {
                    let text = template.expressions().first().copied().unwrap_or_default();
                    let cause = unexpected_type_cause(text, "Items", "array", &other);
                    let mut failure = attempt.query_failure(Some("Items".into()), &cause);
                    failure.from_branch = true;
                    Err(failure)
                }
            }
        }
    }
}

fn max_concurrency(
    attempt: &Attempt<'_>,
    map: &MapState,
    effective: &Value,
) -> Result<u64, Failure> {
    match &map.max_concurrency {
        ValueOrPath::Value(n) => Ok(*n),
        field => {
            let value = attempt.resolve(field, "MaxConcurrencyPath", effective)?;
            value.as_u64().ok_or_else(|| {
                attempt.runtime_error(format!(
                    "The MaxConcurrencyPath field refers to value {} which is not a valid integer: {}",
                    tolerance::quoted(&value),
                    tolerance::path_of(field)
                ))
            })
        }
    }
}

/// The iterations of one attempt at a Map state.
struct Iterations<'a> {
    attempt: &'a Attempt<'a>,
    map: &'a MapState,
    effective: &'a Value,
    parent: Thread,
    /// The event iterations start from: `MapStateStarted`, or `MapRunStarted`.
    origin: u64,
    /// Iterations running now, by index: what a failure aborts. A lean run keeps none (which
    /// iterations were stopped only shows in the history).
    in_flight: Mutex<BTreeSet<usize>>,
    /// Iterations started, by index: whose open states a failure aborts.
    started: Mutex<BTreeSet<usize>>,
    /// A distributed Map's child executions' state machine, `MACHINE/LABEL` (`None`: inline).
    child_machine: Option<String>,
    /// A distributed Map's Map Run (`None`: inline).
    map_run_arn: Option<String>,
    /// Whether the first failing iteration fails the Map (no `ToleratedFailure*`): then its
    /// siblings failing at the same moment record theirs first (`Run::let_siblings_fail`).
    /// Always false for a distributed Map, whose children keep histories of their own.
    fails_at_first: bool,
    /// Set while a failing iteration lets its siblings fail: no iteration starts any more.
    failing: AtomicBool,
}

impl Iterations<'_> {
    fn in_flight(&self) -> std::sync::MutexGuard<'_, BTreeSet<usize>> {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs every item at most `limit` at a time; the outputs in item order, or the failure
    /// that exceeded the tolerance.
    async fn run_all(
        &self,
        items: Vec<Value>,
        limit: usize,
        tolerance: &Tolerance,
    ) -> Result<Vec<Value>, Failure> {
        let total = items.len();
        let mut results: Vec<Value> = vec![Value::Null; total];
        let mut pending = items.into_iter().enumerate();
        let mut running = FuturesUnordered::new();
        let mut failures = 0usize;
        loop {
            while running.len() < limit && !self.failing.load(Ordering::Relaxed) {
                match pending.next() {
                    Some((index, item)) => {
                        let thread = self.start(index);
                        running.push(self.iteration(index, item, thread, None));
                    }
                    None => break,
                }
            }
            let Some((index, result)) = running.next().await else {
                return Ok(results);
            };
            match result {
                Ok(value) => results[index] = value,
                Err(failure) => {
                    failures += 1;
                    results[index] = failure.error_output();
                    if !tolerance.tolerates(failures, total) {
                        // The others stop where they are; the Map aborts them.
                        return Err(failure);
                    }
                }
            }
        }
    }

    fn iteration_details(&self, index: usize) -> Option<Map<String, Value>> {
        self.attempt.run.details.then(|| {
            details([
                ("index", json!(index)),
                ("name", Value::String(self.attempt.state.name.clone())),
            ])
        })
    }

    /// Starts iteration `index`: its thread, and `MapIterationStarted` at once, as AWS records
    /// the start of every iteration it launches before any of them runs.
    fn start(&self, index: usize) -> Thread {
        let run = self.attempt.run;
        let mut thread = match run.is_lean() {
            true => self.parent.child_unkeyed(self.origin),
            false => self.parent.child(self.origin, format_args!("i{index}")),
        };
        if !self.map.distributed {
            run.record(
                &mut thread,
                EventType::MapIterationStarted,
                self.iteration_details(index),
            );
        }
        if !run.is_lean() {
            self.in_flight().insert(index);
            self.started
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(index);
        }
        thread
    }

    /// One iteration: its input (the item, or the `ItemSelector` over it), then the item
    /// processor, in a thread and a frame of its own.
    async fn iteration(
        &self,
        index: usize,
        item: Value,
        mut thread: Thread,
        child_name: Option<String>,
    ) -> (usize, Result<Value, Failure>) {
        let (run, map) = (self.attempt.run, self.map);
        let lean = run.is_lean();
        // Without a selector the item is also the iteration's input.
        let plain_input = map.item_selector.is_none().then(|| item.clone());
        let mut map_item = Map::new();
        map_item.insert("Index".into(), Value::from(index));
        map_item.insert("Value".into(), item);
        let mut frame = self
            .attempt
            .frame
            .child(self.origin, index, Some(Value::Object(map_item)));
        let result = match self.item_input(&frame, plain_input) {
            Ok(input) if map.distributed => {
                let names = crate::context::ChildNames {
                    machine: self.child_machine.as_deref().unwrap_or_default(),
                    name: child_name.as_deref().unwrap_or_default(),
                };
                // When this child starts (the Map thread's time is when the Map started): its
                // `$$.Execution.StartTime`, its record's start and an EXPRESS child's five
                // minutes count from here. A child's events are never replayed.
                let start = run.env.now();
                let context = run.context.for_child(names, &input, start);
                let child = run.detached(context, !map.express_children);
                // The child's root thread has the iteration's key, so that its task tokens
                // differ from every other child's and stay the same when it runs again.
                let mut child_thread = Thread::root(run.time_of(&thread));
                child_thread.key.clone_from(&thread.key);
                let map_run_arn = self.map_run_arn.as_deref().unwrap_or_default();
                child_history::start(&child, &mut child_thread, &input, map_run_arn);
                let kept_input = child.details.then(|| input.clone());
                let body = child.run_machine(&map.processor, input, &mut child_thread, &mut frame);
                let result = match map.express_children {
                    // An Express child ends after five minutes, as every Express execution.
                    true => {
                        let limit = crate::EXPRESS_MAX_DURATION.as_secs_f64();
                        let deadline = crate::run::add_seconds(start, limit);
                        tokio::select! {
                            result = body => result,
                            _ = run.env.sleep_until(deadline) => {
                                Err(Failure::new("States.Timeout", None))
                            }
                        }
                    }
                    false => body.await,
                };
                if let Some(input) = kept_input {
                    child_history::end(run, child, child_thread, map_run_arn, &input, &result)
                        .await;
                }
                result
            }
            Ok(input) => {
                let result = run
                    .run_machine(&map.processor, input, &mut thread, &mut frame)
                    .await;
                if result.is_err() && self.fails_at_first && self.in_flight().len() > 1 {
                    self.failing.store(true, Ordering::Relaxed);
                    run.let_siblings_fail(thread.time).await;
                }
                result
            }
            Err(failure) => Err(failure),
        };
        if !lean {
            self.in_flight().remove(&index);
        }
        if !map.distributed {
            let kind = match result.is_ok() {
                true => EventType::MapIterationSucceeded,
                false => EventType::MapIterationFailed,
            };
            run.record(&mut thread, kind, self.iteration_details(index));
        }
        (index, result)
    }

    /// The iteration's input: the `ItemSelector` evaluated with `$$.Map.Item`, or the item.
    fn item_input(&self, frame: &Frame, plain_input: Option<Value>) -> Result<Value, Failure> {
        let Some(selector) = &self.map.item_selector else {
            return Ok(plain_input.unwrap_or_default());
        };
        let map_context = || {
            let mut map = Map::new();
            map.insert("Item".into(), frame.map_item.clone().unwrap_or_default());
            Value::Object(map)
        };
        let item_context = if self.map.item_selector_reads_only_map {
            Value::Object(Map::from_iter([("Map".to_string(), map_context())]))
        } else {
            let mut item_context = self.attempt.context.clone();
            if let Some(object) = item_context.as_object_mut() {
                object.insert("Map".into(), map_context());
            }
            item_context
        };
        match selector {
            Template::JsonPath(selector) => {
                self.attempt
                    .template_with(selector, self.effective, &item_context, frame)
            }
            Template::Jsonata(selector) => self.attempt.jsonata_with(
                selector,
                "ItemSelector",
                StateValues::input(self.effective),
                &item_context,
            ),
        }
    }

    /// Aborts the open state of every started iteration, and records `MapIterationAborted` for
    /// those that were still running when the Map failed.
    fn abort_in_flight(&self, thread: &Thread) {
        let run = self.attempt.run;
        let started: Vec<usize> = self
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .collect();
        let in_flight = self.in_flight().clone();
        for index in started {
            let iteration_thread = thread.child(self.origin, format_args!("i{index}"));
            let aborted = run.abort_thread(&iteration_thread.key);
            if !in_flight.contains(&index) {
                continue;
            }
            let mut aborted_thread = aborted.unwrap_or(iteration_thread);
            run.record(
                &mut aborted_thread,
                EventType::MapIterationAborted,
                self.iteration_details(index),
            );
        }
    }
}
