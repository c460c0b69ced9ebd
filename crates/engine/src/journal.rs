//! The execution's event log: assigns ids, and on a resumed execution replays recorded events.
//!
//! An event's global id depends on how concurrent branches interleaved, so a replay matches
//! events by their *position* instead: the key of the thread they belong to (the execution, a
//! Parallel branch, a Map iteration) and their sequence number within it. Both are
//! deterministic, so re-running the same definition over the same recorded results meets the
//! same positions, and takes the recorded ids and timestamps from them.

use crate::redrive::{cuts, Cuts};
use crate::HistoryEvent;
use fluxo_types::{EventType, StateType};
use jiff::Timestamp;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// An event with its position, as a durable store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub event: HistoryEvent,
    /// The key of the event's thread (`""` for the execution itself).
    pub thread: String,
    /// The event's sequence number within its thread, from 0.
    pub seq: u32,
}

/// One chain of events: the execution, a Parallel branch or a Map iteration.
pub(crate) struct Thread {
    pub key: String,
    seq: u32,
    /// The id of this thread's latest event: the `previousEventId` of its next one.
    pub last: u64,
    /// The timestamp of this thread's latest event: the time from which delays are counted, so
    /// that a replay computes the same deadlines.
    pub time: Timestamp,
}

impl Thread {
    pub fn root(time: Timestamp) -> Self {
        Thread {
            key: String::new(),
            seq: 0,
            last: 0,
            time,
        }
    }

    /// A child thread, e.g. branch `b1` of the Parallel whose start event is `origin`.
    pub fn child(&self, origin: u64, name: impl std::fmt::Display) -> Self {
        Thread {
            key: format!("{}/{origin}.{name}", self.key),
            seq: 0,
            last: origin,
            time: self.time,
        }
    }

    /// A child thread without a key, for a run that keeps no events (`record_lean`).
    pub fn child_unkeyed(&self, origin: u64) -> Self {
        Thread {
            key: String::new(),
            seq: 0,
            last: origin,
            time: self.time,
        }
    }

    /// Whether the thread's next event gets sequence number `seq`.
    pub fn seq_is(&self, seq: u32) -> bool {
        self.seq == seq
    }

    /// The sequence number the thread's next event gets.
    pub fn next_seq(&self) -> u32 {
        self.seq
    }

    /// A copy of this thread's identity to derive children from while the thread itself is
    /// borrowed elsewhere.
    pub fn fork(&self) -> Self {
        Thread {
            key: self.key.clone(),
            seq: self.seq,
            last: self.last,
            time: self.time,
        }
    }
}

pub(crate) struct Journal {
    events: Vec<RecordedEvent>,
    recorded: HashMap<(String, u32), usize>,
    /// What the history's redrives change in its replay (`redrive.rs`).
    cuts: Cuts,
    persisted: usize,
    next_id: u64,
    states_entered: u64,
}

/// AWS's quota on the events of one execution history ("Step Functions service quotas":
/// 25,000 events; the execution fails when it reaches it).
pub const MAX_HISTORY_EVENTS: u64 = 25_000;

impl Journal {
    pub fn new(recorded: Vec<RecordedEvent>) -> Self {
        let cuts = cuts(&recorded);
        let positions = recorded
            .iter()
            .enumerate()
            .filter(|(index, _)| !cuts.superseded.contains(index))
            .map(|(index, event)| ((event.thread.clone(), event.seq), index))
            .collect();
        let persisted = recorded.len();
        Journal {
            next_id: recorded.len() as u64,
            events: recorded,
            recorded: positions,
            cuts,
            persisted,
            states_entered: 0,
        }
    }

    /// The recorded event at the thread's next position, if this part is being replayed.
    pub fn recorded_next(&self, thread: &Thread) -> Option<&HistoryEvent> {
        // (A thread that is at the start of a superseded tail has jumped past it already,
        // except a new thread at its first position, whose tail start is never replayed.)
        let index = self.recorded.get(&(thread.key.clone(), thread.seq))?;
        Some(&self.events[*index].event)
    }

    /// Appends the thread's next event (or takes the recorded one) and returns its id.
    pub fn record(
        &mut self,
        thread: &mut Thread,
        kind: EventType,
        details: Option<Map<String, Value>>,
        now: Timestamp,
    ) -> u64 {
        if kind.is_state_entered() {
            self.states_entered += 1;
        }
        // A new thread (a branch, an iteration) whose very first event a redrive superseded.
        if thread.seq == 0 {
            self.jump(thread);
        }
        let position = (thread.key.clone(), thread.seq);
        thread.seq += 1;
        // Only a resumed execution has recorded events to replay.
        if !self.recorded.is_empty() {
            if let Some(&index) = self.recorded.get(&position) {
                let event = &self.events[index].event;
                let id = event.id;
                thread.last = id;
                thread.time = event.timestamp;
                self.jump(thread);
                return id;
            }
        }
        self.next_id += 1;
        let id = self.next_id;
        self.events.push(RecordedEvent {
            event: HistoryEvent {
                id,
                previous_event_id: thread.last,
                timestamp: now,
                kind,
                details,
            },
            thread: position.0,
            seq: position.1,
        });
        thread.last = id;
        thread.time = now;
        id
    }

    /// A thread that reached the first position of a failure tail that a redrive superseded
    /// continues after it (`redrive.rs`); chained when a later redrive cut again there.
    fn jump(&self, thread: &mut Thread) {
        if self.cuts.jumps.is_empty() {
            return;
        }
        let mut position = (std::mem::take(&mut thread.key), thread.seq);
        while let Some(jump) = self.cuts.jumps.get(&position) {
            thread.seq = jump.seq;
            thread.last = jump.last;
            thread.time = jump.time;
            position.1 = jump.seq;
        }
        thread.key = position.0;
    }

    /// How many times the execution was redriven, and when last.
    pub fn redrives(&self) -> (u32, Option<Timestamp>) {
        (self.cuts.redrives, self.cuts.last_redrive)
    }

    /// Fluxo's restart from a chosen state, if the latest one applies (see `redrive.rs`).
    pub fn restart(&self) -> Option<(String, serde_json::Value)> {
        self.cuts.restart.clone()
    }

    /// The recorded start of a resumed execution.
    pub fn started_at(&self) -> Option<Timestamp> {
        self.events
            .iter()
            .find(|e| e.event.kind == EventType::ExecutionStarted && e.thread.is_empty())
            .map(|e| e.event.timestamp)
    }

    /// [`Journal::record`] for a run whose history nobody will read (no event details, nothing
    /// persisted): the event gets its id and moves its thread on, with the time when the caller
    /// read the clock, but is not kept. What a stopped branch was running only shows in the
    /// history, so such a run has nothing to abort either.
    pub fn record_lean(
        &mut self,
        thread: &mut Thread,
        kind: EventType,
        now: Option<Timestamp>,
    ) -> u64 {
        if kind.is_state_entered() {
            self.states_entered += 1;
        }
        self.next_id += 1;
        thread.seq += 1;
        thread.last = self.next_id;
        if let Some(now) = now {
            thread.time = now;
        }
        self.next_id
    }

    /// Marks a thread that is being stopped from outside (a sibling branch or iteration failed,
    /// or its own failure ended the Parallel or Map): the state it entered and did not exit, if
    /// any, records `<Type>StateAborted`. Returns the thread, placed
    /// after its last event, or `None` when it recorded nothing.
    pub fn abort(&mut self, key: &str, now: Timestamp) -> Option<Thread> {
        let mut thread: Option<Thread> = None;
        let mut open: Option<StateType> = None;
        let superseded = &self.cuts.superseded;
        let live = self
            .events
            .iter()
            .enumerate()
            .filter(|(index, e)| e.thread == key && !superseded.contains(index))
            .map(|(_, e)| e);
        for recorded in live {
            let kind = recorded.event.kind;
            if kind.is_state_entered() {
                open = kind.state_type();
            } else if kind.is_state_exited() || kind.is_state_aborted() {
                // Finished. A state whose work failed (`TaskFailed`, `TaskTimedOut`) is still
                // open until it exits: AWS aborts it too (recorded case
                // `timeouts/timeouts__test_service_lambda_map_timeout`).
                open = None;
            }
            thread = Some(Thread {
                key: key.to_string(),
                seq: recorded.seq + 1,
                last: recorded.event.id,
                time: recorded.event.timestamp,
            });
        }
        let mut thread = thread?;
        self.jump(&mut thread);
        if let Some(aborted) = open.and_then(EventType::aborted) {
            self.record(&mut thread, aborted, None, now);
        }
        Some(thread)
    }

    /// Whether every event has been handed to the environment.
    pub fn is_persisted(&self) -> bool {
        self.persisted == self.events.len()
    }

    /// Marks every event as persisted without copying them (environments that keep nothing).
    pub fn skip_unpersisted(&mut self) {
        self.persisted = self.events.len();
    }

    /// Events not yet handed to [`crate::Environment::persist`].
    pub fn take_unpersisted(&mut self) -> Vec<RecordedEvent> {
        let new = self.events[self.persisted..].to_vec();
        self.persisted = self.events.len();
        new
    }

    /// Whether the history has room for no more than the execution's last event.
    pub fn is_full(&self) -> bool {
        self.next_id + 1 >= MAX_HISTORY_EVENTS
    }

    /// States entered by this run (replayed ones included).
    pub fn states_entered(&self) -> u64 {
        self.states_entered
    }

    /// Every event with its position, in id order.
    pub fn into_recorded(self) -> Vec<RecordedEvent> {
        let mut events = self.events;
        events.sort_by_key(|recorded| recorded.event.id);
        events
    }

    /// The history in id order (empty when every event went through `record_lean`).
    pub fn into_history(self) -> Vec<HistoryEvent> {
        let mut events: Vec<HistoryEvent> = self.events.into_iter().map(|e| e.event).collect();
        events.sort_by_key(|event| event.id);
        events
    }
}
