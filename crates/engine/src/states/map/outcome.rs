//! A Map Run's outcome, kept with its record (`MapRunRecord::outcome`) when the run ends and
//! taken back by a replay of the parent that finds the run's end (`MapRunSucceeded` or
//! `MapRunFailed`) recorded: the children's events are not in the parent's history (each child
//! execution has a history of its own, kept apart: `child_history.rs`), so without it a
//! wake-up or a restart after the Map would run every child again and repeat its calls.

use crate::attempt::{Attempt, Completed};
use crate::failure::Failure;
use crate::history::details;
use crate::journal::Thread;
use fluxo_types::EventType;
use serde_json::{json, Value};
use std::borrow::Cow;

/// The outcome of a run that succeeded with `output`, as stored (`redrive_count`: how many
/// times the run was redriven, which a replay needs to record the same start event).
pub(super) fn succeeded(output: &Value, redrive_count: u32) -> String {
    json!({ "output": output, "redriveCount": redrive_count }).to_string()
}

/// The outcome of a run that failed, as stored (`details`: whether `MapRunFailed` carries
/// the error, see `children::fail_run`; `succeeded`: the output of each child that succeeded,
/// by index, `null` for the others, which a redrive runs again).
pub(super) fn failed(
    failure: &Failure,
    details: bool,
    succeeded: &[Option<Value>],
    redrive_count: u32,
) -> String {
    json!({"error": failure.error, "cause": failure.cause, "details": details,
           "succeeded": succeeded, "redriveCount": redrive_count})
    .to_string()
}

/// How many times the run of a stored outcome had been redriven (0 for outcomes stored before
/// redrives were counted).
pub(super) fn redrive_count(outcome: &Value) -> u32 {
    outcome["redriveCount"]
        .as_u64()
        .and_then(|count| u32::try_from(count).ok())
        .unwrap_or(0)
}

/// A redrive of a failed Map Run.
pub(super) struct Redrive {
    /// The outputs of the children that succeeded before, by index (`None`: runs again).
    pub kept: Vec<Option<Value>>,
    /// This redrive's number (`MapRunRedriven`'s `redriveCount`): 1 for the first.
    pub count: u32,
    /// The failed run's stored outcome, kept with the record while the redrive runs.
    pub failed_outcome: String,
}

/// Records how the run begins: `MapRunStarted`, or `MapRunRedriven` with the redrive's
/// number for a redrive (API reference, "MapRunRedrivenEventDetails": the count includes this
/// redrive and is always above 0). Returns the event's id, which the children start from.
pub(super) fn record_start(
    attempt: &Attempt<'_>,
    run_thread: &mut Thread,
    arn: &str,
    redrive_count: u32,
) -> u64 {
    let arn = ("mapRunArn", Value::String(arn.to_string()));
    match redrive_count {
        0 => attempt
            .run
            .record(run_thread, EventType::MapRunStarted, Some(details([arn]))),
        count => attempt.run.record(
            run_thread,
            EventType::MapRunRedriven,
            Some(details([arn, ("redriveCount", json!(count))])),
        ),
    }
}

/// A Map Run's outcome as the environment keeps it (its text, and parsed), read once when
/// the Map state starts its run: [`recorded`] and [`redriven`] both look at it.
pub(super) struct Stored {
    text: String,
    outcome: Value,
}

/// The stored outcome of the run `arn`, if it has one.
pub(super) async fn stored(attempt: &Attempt<'_>, arn: &str) -> Option<Stored> {
    let text = attempt.run.env.map_run_outcome(arn).await?;
    let outcome = serde_json::from_str(&text).ok()?;
    Some(Stored { text, outcome })
}

/// The outputs of the children that succeeded in an earlier run that failed (`stored`), by
/// index, when this run is that run's redrive (its `MapRunFailed` was cut from the history by
/// `ExecutionRedriven`, the failed run stays in the store); `None` for a first run.
/// Step Functions developer guide, "Redriving Map Runs": a redrive reruns only the child
/// executions that failed, were aborted or never started.
pub(super) fn redriven(stored: Option<Stored>) -> Option<Redrive> {
    let Stored { text, outcome } = stored?;
    outcome.get("error")?;
    let succeeded = outcome.get("succeeded")?.as_array()?;
    Some(Redrive {
        kept: succeeded
            .iter()
            .map(|output| (!output.is_null()).then(|| output.clone()))
            .collect(),
        count: redrive_count(&outcome).saturating_add(1),
        failed_outcome: text,
    })
}

/// The stored outcome of the run when this is a replay that has recorded its end, or when the
/// run succeeded: a run that succeeded is never run again, also when the process stopped after
/// its outcome was stored and before its end event was persisted (a failed outcome without
/// its end event is the run a redrive reruns, see [`redriven`]).
pub(super) fn recorded(
    attempt: &Attempt<'_>,
    thread: &Thread,
    stored: Option<&Stored>,
) -> Option<Value> {
    let outcome = &stored?.outcome;
    let ended_here = attempt.run.recorded_next(thread).is_some_and(|next| {
        matches!(
            next.kind,
            EventType::MapRunSucceeded | EventType::MapRunFailed
        )
    });
    (ended_here || outcome.get("output").is_some()).then(|| outcome.clone())
}

/// Ends the Map state as the run ended before: the same events, output or failure.
pub(super) fn replay(
    attempt: &Attempt<'_>,
    input: &Value,
    thread: &mut Thread,
    outcome: Value,
) -> Result<Completed, Failure> {
    let run = attempt.run;
    if let Some(output) = outcome.get("output") {
        run.record(thread, EventType::MapRunSucceeded, None);
        run.record(thread, EventType::MapStateSucceeded, None);
        return attempt.finish(Cow::Borrowed(input), output.clone());
    }
    let error = outcome["error"].as_str().unwrap_or("States.Runtime");
    let cause = outcome["cause"].as_str().map(str::to_string);
    let mut failure = Failure::new(error, cause);
    let with_details = outcome["details"].as_bool().unwrap_or(false);
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
    Err(failure)
}
