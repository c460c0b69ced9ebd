//! A distributed Map's run (developer guide, "Map state in Distributed mode"): its items read
//! (`ItemReader`) or taken from the input, grouped (`ItemBatcher`), run as child executions
//! at most `MaxConcurrency` at a time (0: the service's 10,000), failures weighed against the
//! tolerance, results written (`ResultWriter`), and the Map Run reported to the environment
//! as it goes (`Environment::map_run`), whose answer carries `UpdateMapRun`'s changes.
//!
//! Every child's outcome is kept by index (`Child`): a later redrive reruns only those whose
//! outcome is `Failed`, `Aborted` or `Pending`.

use super::batcher::Batching;
use super::tolerance::Tolerance;
use super::writer::{self, RunNames};
use super::{outcome, reader, Iterations};
use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use crate::history::details;
use crate::journal::Thread;
use fluxo_asl::model::MapState;
use fluxo_types::map_run::{MapRunCounts, MapRunLimits, MapRunRecord, MapRunStatus};
use fluxo_types::EventType;
use futures::stream::{FuturesUnordered, StreamExt};
use jiff::Timestamp;
use serde_json::Value;
use std::borrow::Cow;

/// The most child executions a distributed Map runs at once (AWS's quota).
pub(super) const MAX_CHILDREN: usize = 10_000;

/// How often, at most, a running Map Run reports its counts.
const REPORT_EVERY_MS: i64 = 200;

/// What became of one child execution.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Outcome {
    Pending,
    Succeeded(Value),
    Failed {
        error: String,
        cause: Option<String>,
    },
    Aborted,
}

impl Outcome {
    /// The result file it goes to.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Succeeded(_) => "SUCCEEDED",
            Outcome::Failed { .. } => "FAILED",
            Outcome::Pending | Outcome::Aborted => "PENDING",
        }
    }
}

/// One child execution: its name, input (an item or a batch), times and outcome.
pub(super) struct Child {
    pub name: String,
    pub input: Value,
    /// How many items it holds (1 without a batcher).
    pub items: usize,
    pub start: Option<Timestamp>,
    pub stop: Option<Timestamp>,
    pub outcome: Outcome,
}

/// What the caller resolved before the run: the items (unless a reader reads them), the
/// concurrency and the tolerance.
pub(super) struct Plan {
    pub items: Vec<Value>,
    pub max_concurrency: u64,
    pub tolerance: Tolerance,
}

/// Runs the distributed Map's attempt after `MapStateStarted` (event `started`).
pub(super) async fn run(
    attempt: &Attempt<'_>,
    map: &MapState,
    input: &Value,
    effective: &Value,
    thread: &mut Thread,
    started: u64,
    plan: Plan,
) -> Result<Completed, Failure> {
    let run = attempt.run;
    let max_items = match &map.item_reader {
        Some(reader) => Some(reader::max_items(attempt, reader, effective)?),
        None => None,
    };
    let batching = match &map.item_batcher {
        Some(batcher) => Some(Batching::of(attempt, batcher, effective)?),
        None => None,
    };
    let label = match &map.label {
        Some(label) => label.clone(),
        None => attempt.frame.uuid(),
    };
    let context = &run.context;
    let map_run_arn = fluxo_types::arn::map_run(
        context.region(),
        context.account(),
        context.state_machine_name(),
        &label,
        &attempt.frame.uuid(),
    );
    let machine = format!("{}/{label}", context.state_machine_name());
    let mut run_thread = thread.child(started, "run");
    let stored = outcome::stored(attempt, &map_run_arn).await;
    if let Some(outcome) = outcome::recorded(attempt, thread, stored.as_ref()) {
        let count = outcome::redrive_count(&outcome);
        outcome::record_start(attempt, &mut run_thread, &map_run_arn, count);
        return outcome::replay(attempt, input, thread, outcome);
    }
    let redrive = outcome::redriven(stored);
    let redrive_count = redrive.as_ref().map_or(0, |redrive| redrive.count);
    let origin = outcome::record_start(attempt, &mut run_thread, &map_run_arn, redrive_count);
    let now_ms = run.env.now().as_millisecond();
    let mut record = MapRunRecord {
        arn: map_run_arn,
        execution_arn: context.execution_arn().to_string(),
        state_machine_arn: fluxo_types::arn::state_machine(
            context.region(),
            context.account(),
            &machine,
        ),
        status: MapRunStatus::Running,
        start_ms: now_ms,
        stop_ms: None,
        limits: plan.tolerance.limits(plan.max_concurrency),
        item_counts: MapRunCounts::default(),
        execution_counts: MapRunCounts::default(),
        outcome: redrive
            .as_ref()
            .map(|redrive| redrive.failed_outcome.clone()),
        redrive_count,
        redrive_ms: redrive.is_some().then_some(now_ms),
    };
    let kept = redrive.map(|redrive| redrive.kept);
    // The parent's history up to `MapRunStarted` is durable before any child acts, and
    // before the run is listed: a client that finds the Map Run (`ListMapRuns`) finds its
    // `MapRunStarted` in the history too.
    run.persist().await;
    run.env.map_run(&record).await;
    let items = match (&map.item_reader, max_items) {
        (Some(reader), Some(max)) => match read(attempt, reader, effective, max).await {
            Ok(items) => items,
            Err(failure) => {
                let failed = Failed::of_run(failure);
                return Err(fail_run(attempt, thread, &mut record, failed).await);
            }
        },
        _ => plan.items,
    };
    let inputs: Vec<(Value, usize)> = match &batching {
        Some(batching) => batching.batch(items),
        None => items.into_iter().map(|item| (item, 1)).collect(),
    };
    let steps = Steps {
        attempt,
        map,
        effective,
        origin,
        machine: &machine,
    };
    let output = match steps
        .children(thread, &mut record, plan.tolerance, inputs, kept)
        .await
    {
        Ok(output) => output,
        Err(failed) => return Err(fail_run(attempt, thread, &mut record, failed).await),
    };
    record.status = MapRunStatus::Succeeded;
    record.stop_ms = Some(run.env.now().as_millisecond());
    record.outcome = Some(outcome::succeeded(&output, record.redrive_count));
    run.env.map_run(&record).await;
    run.record(thread, EventType::MapRunSucceeded, None);
    run.record(thread, EventType::MapStateSucceeded, None);
    attempt.finish(Cow::Borrowed(input), output)
}

/// What the children's part of a run needs.
struct Steps<'s, 'a> {
    attempt: &'s Attempt<'a>,
    map: &'s MapState,
    effective: &'s Value,
    origin: u64,
    /// The child executions' state machine, `MACHINE/LABEL`.
    machine: &'s str,
}

impl Steps<'_, '_> {
    /// Runs the children, then writes their results: the Map state's output, or the failure
    /// (with whether `MapRunFailed` carries it: a writer's failure does, an exceeded
    /// tolerance does not).
    async fn children(
        &self,
        thread: &Thread,
        record: &mut MapRunRecord,
        tolerance: Tolerance,
        inputs: Vec<(Value, usize)>,
        kept: Option<Vec<Option<Value>>>,
    ) -> Result<Value, Failed> {
        let iterations = Iterations {
            attempt: self.attempt,
            map: self.map,
            effective: self.effective,
            parent: thread.fork(),
            origin: self.origin,
            in_flight: Default::default(),
            started: Default::default(),
            child_machine: Some(self.machine.to_string()),
            map_run_arn: Some(record.arn.clone()),
            fails_at_first: false,
            failing: Default::default(),
        };
        // The Map's thread stays live (not `waiting_for_children`) while the children run:
        // they are counted apart, and the execution must not be unloaded under them.
        let mut driver = Driver {
            iterations: &iterations,
            record,
            tolerance,
            last_report: 0,
            unreported: false,
        };
        let (children, failure) = driver.run_children(inputs, kept.unwrap_or_default()).await;
        let names = RunNames {
            map_run_arn: &record.arn,
            state_machine_arn: &record.state_machine_arn,
        };
        let writer = self.map.result_writer.as_ref();
        let written = match writer.filter(|w| w.to_s3) {
            Some(writer) => {
                Some(writer::write(self.attempt, writer, self.effective, &names, &children).await)
            }
            None => None,
        };
        let succeeded = || {
            children
                .iter()
                .map(|child| match &child.outcome {
                    Outcome::Succeeded(output) => Some(output.clone()),
                    _ => None,
                })
                .collect()
        };
        if let Some(failure) = failure {
            return Err(Failed {
                failure,
                with_details: false,
                succeeded: succeeded(),
            });
        }
        match written {
            Some(Ok(output)) => Ok(output),
            Some(Err(failure)) => Err(Failed {
                failure,
                with_details: true,
                succeeded: succeeded(),
            }),
            None => Ok(writer::shaped(writer, outputs(children))),
        }
    }
}

/// The reader's items, or the failure of the run (a negative `MaxItems` among them).
async fn read(
    attempt: &Attempt<'_>,
    reader: &fluxo_asl::model::distributed::ItemReader,
    effective: &Value,
    max: Result<usize, Failure>,
) -> Result<Vec<Value>, Failure> {
    reader::read(attempt, reader, effective, max?).await
}

/// The children's outputs in item order (a tolerated failure as its error output).
fn outputs(children: Vec<Child>) -> Vec<Value> {
    children
        .into_iter()
        .map(|child| match child.outcome {
            Outcome::Succeeded(output) => output,
            Outcome::Failed { error, cause } => Failure::new(error, cause).error_output(),
            Outcome::Pending | Outcome::Aborted => Value::Null,
        })
        .collect()
}

/// How a Map Run failed: the failure, whether `MapRunFailed` carries it (a reader's or a
/// writer's failure does, an exceeded tolerance does not), and the outputs of the children
/// that succeeded, by index (kept for a redrive).
struct Failed {
    failure: Failure,
    with_details: bool,
    succeeded: Vec<Option<Value>>,
}

impl Failed {
    /// The run itself failed before any child ran (its reader).
    fn of_run(failure: Failure) -> Failed {
        Failed {
            failure,
            with_details: true,
            succeeded: Vec::new(),
        }
    }
}

/// Ends the Map Run as failed: `MapRunFailed` (with the error when the run itself failed,
/// as recorded for a reader's failure), the record, and the failure for the Map state.
async fn fail_run(
    attempt: &Attempt<'_>,
    thread: &mut Thread,
    record: &mut MapRunRecord,
    failed: Failed,
) -> Failure {
    let Failed {
        mut failure,
        with_details,
        succeeded,
    } = failed;
    let run = attempt.run;
    record.status = MapRunStatus::Failed;
    record.stop_ms = Some(run.env.now().as_millisecond());
    record.outcome = Some(outcome::failed(
        &failure,
        with_details,
        &succeeded,
        record.redrive_count,
    ));
    run.env.map_run(record).await;
    let details = with_details.then(|| {
        details([
            ("error", Value::String(failure.error.clone())),
            (
                "cause",
                Value::String(failure.cause.clone().unwrap_or_default()),
            ),
        ])
    });
    run.record(thread, EventType::MapRunFailed, details);
    failure.from_branch = true;
    failure
}

/// Runs the children and keeps the Map Run's counts.
struct Driver<'i, 'a> {
    iterations: &'i Iterations<'a>,
    record: &'i mut MapRunRecord,
    tolerance: Tolerance,
    last_report: i64,
    /// Counts changed since the last report (a report that came too soon): reported when
    /// its time comes even if no child ends by then, so that `DescribeMapRun` never shows
    /// stale counts while the children wait.
    unreported: bool,
}

impl Driver<'_, '_> {
    fn limit(&self) -> usize {
        match self.record.limits.max_concurrency {
            0 => MAX_CHILDREN,
            n => usize::try_from(n).unwrap_or(MAX_CHILDREN).min(MAX_CHILDREN),
        }
    }

    /// Every child, at most `limit()` at a time; the children by index, and the failure that
    /// exceeded the tolerance if one did.
    async fn run_children(
        &mut self,
        inputs: Vec<(Value, usize)>,
        kept: Vec<Option<Value>>,
    ) -> (Vec<Child>, Option<Failure>) {
        let attempt = self.iterations.attempt;
        let total_items: usize = inputs.iter().map(|(_, n)| n).sum();
        let mut children: Vec<Child> = inputs
            .into_iter()
            .map(|(input, items)| Child {
                name: attempt.frame.uuid(),
                input,
                items,
                start: None,
                stop: None,
                outcome: Outcome::Pending,
            })
            .collect();
        self.record.item_counts.total = total_items as u64;
        self.record.item_counts.pending = total_items as u64;
        self.record.execution_counts.total = children.len() as u64;
        self.record.execution_counts.pending = children.len() as u64;
        // A redrive: the children that succeeded before keep their outputs and do not run.
        for (child, output) in children.iter_mut().zip(kept) {
            if let Some(output) = output {
                child.outcome = Outcome::Succeeded(output);
                self.count(child.items, |c| &mut c.pending, |c| &mut c.succeeded);
                self.record.item_counts.results_written += child.items as u64;
                self.record.execution_counts.results_written += 1;
            }
        }
        let (mut next, mut failures) = (0usize, 0usize);
        let mut running = FuturesUnordered::new();
        loop {
            let launched = next;
            while running.len() < self.limit() && next < children.len() {
                if matches!(children[next].outcome, Outcome::Succeeded(_)) {
                    next += 1;
                    continue;
                }
                let child = &mut children[next];
                child.start = Some(attempt.run.env.now());
                self.count(child.items, |c| &mut c.pending, |c| &mut c.running);
                let thread = self.iterations.start(next);
                let (input, name) = (child.input.clone(), Some(child.name.clone()));
                running.push(self.iterations.iteration(next, input, thread, name));
                next += 1;
            }
            // Children just started show as running (throttled like every report).
            if next > launched {
                self.report().await;
            }
            let Some((index, result)) = self.next_ended(&mut running).await else {
                return (children, None);
            };
            let child = &mut children[index];
            child.stop = Some(attempt.run.env.now());
            let items = child.items;
            match result {
                Ok(output) => {
                    child.outcome = Outcome::Succeeded(output);
                    self.count(items, |c| &mut c.running, |c| &mut c.succeeded);
                    // AWS counts the results of succeeded children as written (recorded
                    // `api_map_run`: `resultsWritten` equals `succeeded` without a writer).
                    self.record.item_counts.results_written += items as u64;
                    self.record.execution_counts.results_written += 1;
                }
                Err(failure) => {
                    failures += 1;
                    child.outcome = Outcome::Failed {
                        error: failure.error.clone(),
                        cause: failure.cause.clone(),
                    };
                    self.count(items, |c| &mut c.running, |c| &mut c.failed);
                    let total = children.len();
                    if !self.tolerance.tolerates(failures, total) {
                        let failure = match self.tolerance.is_set() {
                            true => Failure::new(
                                "States.ExceedToleratedFailureThreshold",
                                Some(
                                    "The specified tolerated failure threshold was exceeded".into(),
                                ),
                            ),
                            false => failure,
                        };
                        self.abort(&mut children);
                        drop(running);
                        self.record_aborted(&children).await;
                        return (children, Some(failure));
                    }
                }
            }
            self.report().await;
        }
    }

    /// Moves `items` items (and one execution) from one count to another.
    fn count(
        &mut self,
        items: usize,
        from: impl Fn(&mut MapRunCounts) -> &mut u64,
        to: impl Fn(&mut MapRunCounts) -> &mut u64,
    ) {
        let record = &mut *self.record;
        for (counts, n) in [
            (&mut record.item_counts, items as u64),
            (&mut record.execution_counts, 1),
        ] {
            let from = from(counts);
            *from = from.saturating_sub(n);
            *to(counts) += n;
        }
    }

    /// The children still running when the run failed are aborted; the others stay pending.
    fn abort(&mut self, children: &mut [Child]) {
        let now = self.iterations.attempt.run.env.now();
        for child in children.iter_mut() {
            if child.start.is_some() && child.outcome == Outcome::Pending {
                child.outcome = Outcome::Aborted;
                child.stop = Some(now);
                self.count(child.items, |c| &mut c.running, |c| &mut c.aborted);
            }
        }
    }

    /// Hands the children that [`Driver::abort`] aborted to the environment, when it keeps
    /// child histories (Standard children only: an Express child keeps none).
    async fn record_aborted(&self, children: &[Child]) {
        let iterations = self.iterations;
        let run = iterations.attempt.run;
        if !(run.details && run.env.keeps_child_histories()) || iterations.map.express_children {
            return;
        }
        let machine = iterations.child_machine.as_deref().unwrap_or_default();
        for child in children {
            if let (Outcome::Aborted, Some(start), Some(stop)) =
                (&child.outcome, child.start, child.stop)
            {
                let names = crate::context::ChildNames {
                    machine,
                    name: &child.name,
                };
                super::child_history::aborted(
                    run,
                    names,
                    &self.record.arn,
                    &child.input,
                    start,
                    stop,
                )
                .await;
            }
        }
    }

    /// The next child to end; meanwhile, the counts a throttled report left out are
    /// reported when their time comes.
    async fn next_ended<F: std::future::Future>(
        &mut self,
        running: &mut FuturesUnordered<F>,
    ) -> Option<F::Output> {
        let env = self.iterations.attempt.run.env;
        while self.unreported {
            // A plain timer: the environment's would count the Map's thread as parked, and
            // an execution whose children all wait would be unloaded for 200 ms. A clock that
            // stepped back waits at most one period.
            let due = self.last_report + REPORT_EVERY_MS;
            let wait = (due - env.now().as_millisecond()).clamp(0, REPORT_EVERY_MS);
            tokio::select! {
                ended = running.next() => return ended,
                _ = tokio::time::sleep(std::time::Duration::from_millis(wait as u64)) => {
                    self.report().await
                }
            }
        }
        running.next().await
    }

    /// Reports the counts when the last report is old enough (otherwise marks them
    /// unreported), and takes the limits back.
    async fn report(&mut self) {
        let env = self.iterations.attempt.run.env;
        let now = env.now().as_millisecond();
        if now - self.last_report < REPORT_EVERY_MS {
            self.unreported = true;
            return;
        }
        self.unreported = false;
        self.last_report = now;
        if let Some(limits) = env.map_run(self.record).await {
            if limits != self.record.limits {
                self.tolerance = Tolerance::from_limits(&limits);
                self.record.limits = limits;
            }
        }
    }
}

impl Tolerance {
    /// As `DescribeMapRun` shows them (unset: 0).
    pub(super) fn limits(&self, max_concurrency: u64) -> MapRunLimits {
        MapRunLimits {
            max_concurrency,
            tolerated_failure_count: self.count.unwrap_or(0),
            tolerated_failure_percentage: self.percentage.unwrap_or(0.0),
        }
    }

    /// The tolerance `UpdateMapRun` set.
    pub(super) fn from_limits(limits: &MapRunLimits) -> Tolerance {
        Tolerance {
            count: Some(limits.tolerated_failure_count),
            percentage: Some(limits.tolerated_failure_percentage),
        }
    }
}
