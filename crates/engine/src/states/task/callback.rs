//! Tasks that wait for work done elsewhere: activity tasks (`ActivityScheduled`,
//! `ActivityStarted`, then `ActivitySucceeded`, `ActivityFailed` or `ActivityTimedOut`) and the
//! wait of a `.waitForTaskToken` integration after its call was submitted (`TaskSucceeded`,
//! `TaskFailed` or `TaskTimedOut`), as the recorded cases `activities/*` and `callbacks/*` of
//! the API corpus show them.
//!
//! The wait is durable: the task is opened in the environment after its scheduled event is
//! persisted, the thread counts as parked while it waits (a durable runtime may unload the
//! execution), and a replay over recorded events takes the recorded progress instead of
//! waiting again; a wait that was in progress is resumed.

use super::Outcome;
use crate::attempt::Attempt;
use crate::environment::{TaskFailure, TaskProgress, TaskWait};
use crate::failure::Failure;
use crate::history::details;
use crate::journal::Thread;
use crate::run::add_seconds;
use crate::HistoryEvent;
use fluxo_types::EventType;
use serde_json::{json, Map, Value};

/// The wait of a task whose scheduled event was just recorded on `thread`.
pub(super) fn wait_for(
    token: String,
    activity_arn: Option<String>,
    input: Value,
    thread: &Thread,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
) -> TaskWait {
    TaskWait {
        token,
        activity_arn,
        input,
        scheduled: thread.time,
        timeout_at: timeout.map(|seconds| add_seconds(thread.time, seconds as f64)),
        heartbeat_seconds: heartbeat,
        seen_started: false,
    }
}

/// The details of `ActivityScheduled`.
pub(super) fn scheduled_details(
    resource: &str,
    input: &Value,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
) -> Map<String, Value> {
    let mut scheduled = details([
        ("input", Value::String(input.to_string())),
        ("inputDetails", json!({"truncated": false})),
        ("resource", Value::String(resource.to_string())),
    ]);
    if let Some(timeout) = timeout {
        scheduled.insert("timeoutInSeconds".into(), json!(timeout));
    }
    if let Some(heartbeat) = heartbeat {
        scheduled.insert("heartbeatInSeconds".into(), json!(heartbeat));
    }
    scheduled
}

/// Runs an activity task whose `ActivityScheduled` event was just recorded, up to its outcome
/// event (recorded here), and returns the outcome.
pub(super) async fn activity(
    attempt: &Attempt<'_>,
    mut wait: TaskWait,
    thread: &mut Thread,
) -> Outcome {
    let run = attempt.run;
    if run.recorded_next(thread).is_none() {
        run.persist().await;
        if let Err(failure) = run.env.open_task(&wait).await {
            return record_outcome(
                attempt,
                &wait.token,
                Outcome::Failed(failure),
                thread,
                Kind::Activity,
            );
        }
    }
    loop {
        let progress = match run.recorded_next(thread) {
            Some(event) => recorded_progress(&event),
            None => await_progress(attempt, &wait).await,
        };
        match progress {
            TaskProgress::Started { worker_name } => {
                let details = worker_name
                    .map(|name| details([("workerName", Value::String(name))]))
                    .unwrap_or_default();
                run.record(thread, EventType::ActivityStarted, Some(details));
                wait.seen_started = true;
            }
            outcome => {
                let outcome = outcome_of(outcome);
                return record_outcome(attempt, &wait.token, outcome, thread, Kind::Activity);
            }
        }
    }
}

/// Waits for the token of a `.waitForTaskToken` call whose `TaskSubmitted` event was just
/// recorded, and records its outcome (`resource_fields` are the `Task*` events' service
/// fields).
pub(super) async fn callback(
    attempt: &Attempt<'_>,
    wait: TaskWait,
    thread: &mut Thread,
    resource_fields: Map<String, Value>,
) -> Outcome {
    let run = attempt.run;
    let progress = match run.recorded_next(thread) {
        Some(event) => recorded_progress(&event),
        None => loop {
            // A callback has no worker start to report.
            match await_progress(attempt, &wait).await {
                TaskProgress::Started { .. } => continue,
                other => break other,
            }
        },
    };
    let outcome = outcome_of(progress);
    record_outcome(
        attempt,
        &wait.token,
        outcome,
        thread,
        Kind::Task(resource_fields),
    )
}

/// Persists what happened so far, then waits, counted as parked.
async fn await_progress(attempt: &Attempt<'_>, wait: &TaskWait) -> TaskProgress {
    let run = attempt.run;
    run.persist().await;
    // The environment registers the deadlines first, then learns that the thread parks.
    let waiting = run.env.await_task(wait.clone());
    let _parked = run.threads.parked(run.observed());
    waiting.await
}

fn outcome_of(progress: TaskProgress) -> Outcome {
    match progress {
        TaskProgress::Succeeded(output) => Outcome::Succeeded(output),
        TaskProgress::Failed { error, cause } => Outcome::Failed(TaskFailure {
            error: error.unwrap_or_default(),
            cause,
        }),
        // AWS reports a missed heartbeat as `States.Timeout` too (recorded case
        // `timeouts/heartbeats__test_heartbeat_timeout`).
        TaskProgress::TimedOut | TaskProgress::HeartbeatTimedOut | TaskProgress::Started { .. } => {
            Outcome::TimedOut
        }
    }
}

/// Which family of events records the outcome.
enum Kind {
    Activity,
    /// `Task*` events, with the service's `resourceType`/`resource`.
    Task(Map<String, Value>),
}

/// Records the outcome event and tells the environment that the task's outcome is recorded.
fn record_outcome(
    attempt: &Attempt<'_>,
    token: &str,
    outcome: Outcome,
    thread: &mut Thread,
    kind: Kind,
) -> Outcome {
    let run = attempt.run;
    let (succeeded, failed, timed_out, mut fields) = match kind {
        Kind::Activity => (
            EventType::ActivitySucceeded,
            EventType::ActivityFailed,
            EventType::ActivityTimedOut,
            Map::new(),
        ),
        Kind::Task(fields) => (
            EventType::TaskSucceeded,
            EventType::TaskFailed,
            EventType::TaskTimedOut,
            fields,
        ),
    };
    let (kind, details) = match &outcome {
        Outcome::Succeeded(output) => (
            succeeded,
            details([
                ("output", Value::String(output.to_string())),
                ("outputDetails", json!({"truncated": false})),
            ]),
        ),
        Outcome::Failed(failure) => (
            failed,
            Failure::new(failure.error.clone(), failure.cause.clone()).details(),
        ),
        Outcome::TimedOut => (timed_out, details([("error", json!("States.Timeout"))])),
    };
    let mut details = details;
    details.append(&mut fields);
    let seq = thread.next_seq();
    run.record(thread, kind, Some(details));
    // A detached child's events are never committed: its task stays open until the parent
    // ends (so a rerun after a restart finds the result), and nothing waits for the commit.
    if !run.is_detached() {
        run.env.task_recorded(token, &thread.key, seq);
    }
    outcome
}

/// The progress a replayed event recorded.
fn recorded_progress(event: &HistoryEvent) -> TaskProgress {
    let field = |name: &str| event.detail_text(name);
    match event.kind {
        EventType::ActivityStarted => TaskProgress::Started {
            worker_name: field("workerName"),
        },
        EventType::ActivitySucceeded | EventType::TaskSucceeded => {
            let output = field("output").unwrap_or_default();
            TaskProgress::Succeeded(serde_json::from_str(&output).unwrap_or(Value::Null))
        }
        EventType::ActivityTimedOut | EventType::TaskTimedOut => TaskProgress::TimedOut,
        _ => TaskProgress::Failed {
            error: field("error"),
            cause: field("cause"),
        },
    }
}
