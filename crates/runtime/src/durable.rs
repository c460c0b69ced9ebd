//! The engine's environment for durable executions: real time and functions, and `persist`
//! that commits to the store.

use fluxo_engine::{
    Environment, FunctionCall, FunctionInvoker, HistoryEvent, RecordedEvent, TaskFailure,
};
use fluxo_store::{EventRecord, ExecutionRecord, ExecutionUpdate, Store, TimerChange, Transition};
use futures::future::BoxFuture;
use jiff::Timestamp;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// What the execution is waiting on, to tell when nothing but long timers is left.
#[derive(Default)]
struct Activity {
    /// Function calls (from the moment they are requested) and short parks in progress.
    busy: usize,
    /// Deadlines of long parks (Wait states, back-offs) and of raced timeouts in progress, by
    /// registration; `true` marks a park.
    timers: Vec<(u64, Timestamp, bool)>,
    next_id: u64,
}

pub struct DurableEnvironment {
    clock: fluxo_engine::SystemEnvironment<Arc<dyn FunctionInvoker>>,
    store: Arc<dyn Store>,
    execution_arn: String,
    unload_after: Option<Duration>,
    activity: Mutex<Activity>,
    /// Set to the earliest deadline when the execution only waits on long timers.
    unload: watch::Sender<Option<Timestamp>>,
    /// Told the execution's ARN after each commit, when set.
    changes: Option<crate::ExecutionChanges>,
}

impl DurableEnvironment {
    pub fn new(
        store: Arc<dyn Store>,
        functions: Arc<dyn FunctionInvoker>,
        execution: &ExecutionRecord,
        unload_after: Option<Duration>,
    ) -> Self {
        DurableEnvironment {
            clock: fluxo_engine::SystemEnvironment::new(functions).with_seed(execution.seed),
            store,
            execution_arn: execution.arn.clone(),
            unload_after,
            activity: Mutex::new(Activity::default()),
            unload: watch::channel(None).0,
            changes: None,
        }
    }

    /// Sends the execution's ARN on `changes` after every commit (see `Runtime::subscribe`).
    pub fn with_changes(mut self, changes: crate::ExecutionChanges) -> Self {
        self.changes = Some(changes);
        self
    }

    /// Resolves with the wake-up time once the execution waits only on timers longer than
    /// `unload_after`: its driver can then be dropped and replayed when the timer is due.
    pub async fn unloadable(&self) -> Timestamp {
        let mut receiver = self.unload.subscribe();
        loop {
            if let Some(deadline) = *receiver.borrow_and_update() {
                return deadline;
            }
            if receiver.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }

    fn activity(&self) -> std::sync::MutexGuard<'_, Activity> {
        self.activity.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Signals unloading when a branch parks long and no function call or short park is in
    /// progress anywhere in the execution. It is only asked when a park begins: that is a point
    /// where the parking branch has persisted everything, and a branch that just got a function
    /// result has not yet.
    fn check_idle(&self, activity: &Activity) {
        if activity.busy == 0 && activity.timers.iter().any(|(_, _, park)| *park) {
            if let Some(earliest) = activity.timers.iter().map(|(_, at, _)| *at).min() {
                self.unload.send_replace(Some(earliest));
            }
        }
    }
}

/// Counts an effect in progress for as long as it lives.
struct Busy<'a>(&'a DurableEnvironment);

impl<'a> Busy<'a> {
    fn new(env: &'a DurableEnvironment) -> Self {
        env.activity().busy += 1;
        Busy(env)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.activity().busy -= 1;
    }
}

/// A deadline in progress (a long park, or a raced timeout), for as long as it lives.
struct Timer<'a>(&'a DurableEnvironment, u64);

impl<'a> Timer<'a> {
    fn new(env: &'a DurableEnvironment, deadline: Timestamp, park: bool) -> Self {
        let mut activity = env.activity();
        let id = activity.next_id;
        activity.next_id += 1;
        activity.timers.push((id, deadline, park));
        if park {
            env.check_idle(&activity);
        }
        Timer(env, id)
    }
}

impl Drop for Timer<'_> {
    fn drop(&mut self) {
        self.0.activity().timers.retain(|(id, _, _)| *id != self.1);
    }
}

pub(crate) fn to_engine(record: &EventRecord) -> RecordedEvent {
    RecordedEvent {
        event: HistoryEvent {
            id: record.id,
            previous_event_id: record.previous_event_id,
            timestamp: Timestamp::from_millisecond(record.timestamp_ms)
                .unwrap_or(Timestamp::UNIX_EPOCH),
            kind: record.kind.clone().into(),
            details: record
                .details
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok()),
        },
        thread: record.thread.clone(),
        seq: record.seq,
    }
}

fn to_store(recorded: &RecordedEvent) -> EventRecord {
    EventRecord {
        id: recorded.event.id,
        previous_event_id: recorded.event.previous_event_id,
        timestamp_ms: recorded.event.timestamp.as_millisecond(),
        kind: recorded.event.kind.to_string(),
        details: recorded
            .event
            .details
            .as_ref()
            .map(|details| Value::Object(details.clone()).to_string()),
        thread: recorded.thread.clone(),
        seq: recorded.seq,
    }
}

/// The execution's final status, when `event` ends it.
fn final_update(event: &HistoryEvent) -> Option<ExecutionUpdate> {
    let field = |name: &str| event.detail_text(name);
    let status = match event.kind.as_ref() {
        "ExecutionSucceeded" => "SUCCEEDED",
        "ExecutionFailed" => "FAILED",
        "ExecutionTimedOut" => "TIMED_OUT",
        "ExecutionAborted" => "ABORTED",
        _ => return None,
    };
    Some(ExecutionUpdate {
        status: status.into(),
        output: field("output"),
        error: field("error"),
        cause: field("cause"),
        stopped_ms: Some(event.timestamp.as_millisecond()),
    })
}

impl Environment for DurableEnvironment {
    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn sleep_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        // A raced timeout never makes an execution idle, but bounds when it must wake.
        Box::pin(async move {
            let _timer = Timer::new(self, deadline, false);
            self.clock.sleep_until(deadline).await;
        })
    }

    fn park_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        let long = self.unload_after.is_some_and(|threshold| {
            let wait = deadline.duration_since(self.clock.now());
            std::time::Duration::try_from(wait).is_ok_and(|wait| wait > threshold)
        });
        Box::pin(async move {
            if long {
                let _timer = Timer::new(self, deadline, true);
                self.clock.sleep_until(deadline).await;
            } else {
                let _busy = Busy::new(self);
                self.clock.sleep_until(deadline).await;
            }
        })
    }

    fn random_seed(&self) -> u64 {
        self.clock.random_seed()
    }

    fn invoke_function(&self, call: FunctionCall) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        // Counted from the request, before any timeout raced against it is registered.
        let busy = Busy::new(self);
        Box::pin(async move {
            let _busy = busy;
            self.clock.invoke_function(call).await
        })
    }

    fn persists(&self) -> bool {
        true
    }

    fn persist(&self, events: Vec<RecordedEvent>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let update = events
                .iter()
                .find_map(|recorded| final_update(&recorded.event));
            let timer = if update.is_some() {
                TimerChange::Clear
            } else {
                TimerChange::Keep
            };
            let transition = Transition {
                execution_arn: self.execution_arn.clone(),
                events: events.iter().map(to_store).collect(),
                update,
                timer,
            };
            // The engine may not act before this is durable: retry while the store is failing,
            // and stop driving the execution if the store refuses the transition itself (another
            // driver got there first).
            let mut delay = std::time::Duration::from_millis(10);
            loop {
                match self.store.commit(transition.clone()).await {
                    Ok(()) => {
                        if let Some(changes) = &self.changes {
                            // No receiver is not an error: nobody is watching.
                            let _ = changes.send(self.execution_arn.as_str().into());
                        }
                        return;
                    }
                    Err(fluxo_store::StoreError::Backend(error)) => {
                        tracing::error!(%error, arn = %self.execution_arn, "cannot persist a transition; retrying");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(std::time::Duration::from_secs(5));
                    }
                    Err(error) => {
                        tracing::error!(%error, arn = %self.execution_arn, "transition refused; this driver stops");
                        std::future::pending::<()>().await;
                    }
                }
            }
        })
    }
}
