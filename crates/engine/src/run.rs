//! What every branch and iteration of one execution shares: the environment, the context
//! object, the journal of events, and the execution's limits.

use crate::context::ContextObject;
use crate::environment::Environment;
use crate::failure::Failure;
use crate::journal::{Journal, Thread, MAX_HISTORY_EVENTS};
use crate::threads::{Observed, Threads};
use crate::HistoryEvent;
use fluxo_types::EventType;
use jiff::Timestamp;
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// How close in time failures of sibling threads count as simultaneous (see
/// [`Run::let_siblings_fail`]): deadlines a few milliseconds apart are due together on AWS,
/// whose timers are no finer.
const SIMULTANEOUS: jiff::SignedDuration = jiff::SignedDuration::from_millis(50);
use std::sync::Mutex;

/// States a run goes through before it yields to the scheduler: a loop of states that never
/// waits (a Choice looping to itself) must not hold a worker thread.
const STATES_PER_YIELD: u32 = 32;

pub(crate) struct Run<'e> {
    pub env: &'e dyn Environment,
    pub context: ContextObject,
    journal: Mutex<Journal>,
    /// See [`crate::ExecutionRequest::history_details`].
    pub details: bool,
    /// Keeps no history: every event goes through [`Journal::record_lean`].
    lean: bool,
    /// Whether AWS's 25,000-event quota applies (Standard executions; Express ones keep no
    /// history and end after five minutes instead).
    limit_history: bool,
    since_yield: AtomicU32,
    pub threads: Threads,
    /// A distributed Map's child execution (see [`Run::detached`]): its events are never
    /// handed to the environment, whose history is the parent's.
    detached: bool,
    /// The hooks of a TestState run (`test_state/`); `None` in executions.
    pub test: Option<&'e crate::test_state::Hooks>,
}

impl<'e> Run<'e> {
    pub fn new(
        env: &'e dyn Environment,
        context: ContextObject,
        journal: Journal,
        details: bool,
        lean: bool,
        limit_history: bool,
    ) -> Self {
        Run {
            env,
            context,
            journal: Mutex::new(journal),
            details,
            lean,
            limit_history,
            since_yield: AtomicU32::new(0),
            threads: Threads::default(),
            detached: false,
            test: None,
        }
    }

    /// What the thread counts need to see (see `threads.rs`).
    pub fn observed(&self) -> Observed<'_> {
        Observed {
            env: self.env,
            journal: &self.journal,
        }
    }

    fn journal(&self) -> std::sync::MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// See [`Journal::redrives`].
    pub fn redrives(&self) -> (u32, Option<Timestamp>) {
        self.journal().redrives()
    }

    /// See [`Journal::restart`].
    pub fn restart(&self) -> Option<(String, Value)> {
        self.journal().restart()
    }

    /// See [`Journal::started_at`].
    pub fn started_at(&self) -> Option<Timestamp> {
        self.journal().started_at()
    }

    pub fn into_journal(self) -> Journal {
        self.journal.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the thread's next event and returns its id.
    pub fn record(
        &self,
        thread: &mut Thread,
        kind: EventType,
        details: Option<Map<String, Value>>,
    ) -> u64 {
        let mut journal = self.journal();
        if self.lean {
            // The clock is read only where its time is used: a state's entered time (`$$`,
            // Wait) and the start; deadlines read it themselves (`Run::time_of`).
            let now = (kind == EventType::ExecutionStarted || kind.is_state_entered())
                .then(|| self.env.now());
            return journal.record_lean(thread, kind, now);
        }
        let details = details.filter(|_| self.details);
        journal.record(thread, kind, details, self.env.now())
    }

    pub fn is_lean(&self) -> bool {
        self.lean
    }

    /// Whether this is a distributed Map's child execution (see [`Run::detached`]).
    pub fn is_detached(&self) -> bool {
        self.detached
    }

    /// Fails a state about to be entered when the history has no room left for it (AWS fails
    /// the execution when its history reaches 25,000 events; an infinite loop ends there).
    pub fn check_history_room(&self) -> Result<(), Failure> {
        if self.limit_history && self.journal().is_full() {
            return Err(Failure::new(
                "States.Runtime",
                Some(format!(
                    "The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
                )),
            ));
        }
        Ok(())
    }

    /// Yields to the scheduler every few states, so that a loop of states that never waits
    /// shares its worker thread (and lets a timeout or a stop reach it).
    pub async fn pace(&self) {
        if self.since_yield.fetch_add(1, Ordering::Relaxed) + 1 >= STATES_PER_YIELD {
            self.since_yield.store(0, Ordering::Relaxed);
            tokio::task::yield_now().await;
        }
    }

    /// Waits, after a Parallel branch or an inline Map iteration failed at `failed_at` (the
    /// time of its thread's latest event), until [`SIMULTANEOUS`] has passed since, so that siblings failing at the same
    /// moment (timeouts due together) record their failures before the state fails, as AWS
    /// records them (recorded case `timeouts/timeouts__test_service_lambda_map_timeout`: four
    /// `TaskTimedOut` before `MapIterationFailed`), whichever timer a real clock wakes first.
    /// Nothing waits in a lean run (no history to order) or on a replay (the recorded
    /// failure's time has long passed).
    pub async fn let_siblings_fail(&self, failed_at: Timestamp) {
        if self.lean {
            return;
        }
        let until = failed_at + SIMULTANEOUS;
        if until > self.env.now() {
            // Counted as running: with only parked siblings left the execution would look
            // idle, and a durable runtime would unload it under the failing state.
            let _running = self.threads.running(self.observed());
            self.env.sleep_until(until).await;
        }
    }

    /// The time from which a thread's next deadline counts: its latest event's, which a replay
    /// finds again, or for a lean run (never replayed, its clock read sparingly) now.
    pub fn time_of(&self, thread: &Thread) -> Timestamp {
        match self.lean {
            true => self.env.now(),
            false => thread.time,
        }
    }

    /// See [`Journal::abort`].
    pub fn abort_thread(&self, key: &str) -> Option<Thread> {
        self.journal().abort(key, self.env.now())
    }

    /// The recorded event at the thread's next position, when this part is being replayed.
    pub fn recorded_next(&self, thread: &Thread) -> Option<HistoryEvent> {
        self.journal().recorded_next(thread).cloned()
    }

    /// Hands every new event to the environment to make durable, and waits for it.
    pub async fn persist(&self) {
        let events = {
            let mut journal = self.journal();
            if !self.env.persists() || self.detached {
                journal.skip_unpersisted();
                return;
            }
            journal.take_unpersisted()
        };
        if !events.is_empty() {
            self.env.persist(events).await;
        }
    }

    /// Parks this branch until `deadline`, after making the history so far durable.
    pub async fn sleep_until(&self, deadline: Timestamp) {
        self.persist().await;
        // The environment takes note of the deadline first, then learns that the thread parks.
        let park = self.env.park_until(deadline);
        let _parked = self.threads.parked(self.observed());
        park.await;
    }

    /// A run for a child execution (an iteration of a distributed Map): its events form the
    /// child's own history, not the parent's (developer guide, "Distributed Map state child
    /// workflow executions"; the recorded `*_config_distributed_*` cases show the parent with
    /// `MapRunStarted` and `MapRunSucceeded` only). The child's events live in its own
    /// journal while it runs (so that its threads have keys, under the parent's iteration
    /// thread, and its task tokens are its own) and are never persisted as they come: an
    /// environment that keeps child histories gets the whole history once the child ended
    /// (`states/map/child_history.rs`). Its threads are counted apart and never make the execution idle: a parked
    /// child keeps the execution loaded, because a replay would start the child again.
    /// `history`: whether the child keeps a history (a Standard child does, an Express one
    /// does not, as on AWS).
    pub fn detached(&self, context: ContextObject, history: bool) -> Run<'_> {
        // Details only for a history that is kept.
        let details = history && self.details && self.env.keeps_child_histories();
        let mut run = Run::new(
            self.env,
            context,
            Journal::new(Vec::new()),
            details,
            false,
            self.limit_history,
        );
        run.threads = Threads::silent();
        run.detached = true;
        run
    }
}

/// `time` plus a number of seconds, saturating.
pub(crate) fn add_seconds(time: Timestamp, seconds: f64) -> Timestamp {
    let duration = jiff::SignedDuration::try_from_secs_f64(seconds.max(0.0))
        .unwrap_or(jiff::SignedDuration::MAX);
    time.checked_add(duration).unwrap_or(Timestamp::MAX)
}
