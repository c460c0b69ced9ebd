//! Redrive as replay: which recorded events a redriven execution replays, and where each
//! thread continues.
//!
//! AWS's `RedriveExecution` ("Redriving executions", Step Functions developer guide) keeps the
//! history and the results of what succeeded, and reruns the unsuccessful step: for an inline
//! Map or a Parallel only the iterations and branches that failed, were aborted or never
//! started. Fluxo does this with the journal's ordinary replay: every `ExecutionRedriven`
//! event in a history marks a *cut*. Walking the events before it, each thread that did not
//! succeed has a *failure tail*: the events after the entry of the state it was in (after the
//! last `ParallelStateStarted`/`MapStateStarted` of an inline Parallel or Map, whose
//! successful branches and iterations are kept), up to its end. Tails stay in the history but
//! are never replayed: when a replayed thread reaches the first position of its tail it jumps
//! past every event its thread recorded ([`Jump`]), so what follows gets fresh positions and
//! runs anew. A thread's jump is a function of the stored history alone, so a redriven
//! execution that crashes replays to the same place, and a second redrive cuts again after
//! the first.

use crate::journal::RecordedEvent;
use fluxo_types::{EventType, StateType};
use jiff::Timestamp;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Where a thread continues when it reaches the first position of a failure tail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Jump {
    /// The sequence number its next event gets.
    pub seq: u32,
    /// The `previousEventId` of its next event: `ExecutionRedriven` for the execution's own
    /// thread, else the thread's last kept event.
    pub last: u64,
    /// The time its next deadline counts from: the redrive's.
    pub time: Timestamp,
}

/// What a history's redrives change in its replay.
#[derive(Debug, Default)]
pub(crate) struct Cuts {
    /// By (thread, first position of a tail).
    pub jumps: HashMap<(String, u32), Jump>,
    /// Indexes (into the recorded events) that are never replayed.
    pub superseded: HashSet<usize>,
    /// How many times the execution was redriven, and when last (`$$.Execution.RedriveCount`,
    /// `RedriveTime`; the execution's `TimeoutSeconds` counts from there).
    pub redrives: u32,
    pub last_redrive: Option<Timestamp>,
    /// Fluxo's restart from a chosen state: the latest `ExecutionRedriven` with
    /// `fluxoRestart` {`fromState`, `input`} (text) names where the run begins again.
    pub restart: Option<(String, Value)>,
}

/// The cuts of a recorded history (none when it was never redriven).
pub(crate) fn cuts(events: &[RecordedEvent]) -> Cuts {
    let mut cuts = Cuts::default();
    if !events
        .iter()
        .any(|e| e.event.kind == EventType::ExecutionRedriven)
    {
        return cuts;
    }
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&index| events[index].event.id);
    let mut walk = Walk {
        events,
        live: HashMap::new(),
        next_seq: HashMap::new(),
        cuts: &mut cuts,
    };
    for index in order {
        let recorded = &events[index];
        if recorded.event.kind == EventType::ExecutionRedriven && recorded.thread.is_empty() {
            walk.redrive(index);
            continue;
        }
        if recorded.seq != u32::MAX {
            let next = walk.next_seq.entry(recorded.thread.clone()).or_default();
            *next = (*next).max(recorded.seq + 1);
        }
        walk.live
            .entry(recorded.thread.clone())
            .or_default()
            .push(index);
    }
    cuts
}

struct Walk<'a> {
    events: &'a [RecordedEvent],
    /// Per thread, the indexes of its events not superseded yet, in order.
    live: HashMap<String, Vec<usize>>,
    /// Per thread, one past its highest sequence number (the stores' out-of-band
    /// `ExecutionAborted` at `u32::MAX` aside).
    next_seq: HashMap<String, u32>,
    cuts: &'a mut Cuts,
}

impl Walk<'_> {
    fn redrive(&mut self, index: usize) {
        let redriven = &self.events[index];
        self.cuts.superseded.insert(index);
        self.cuts.redrives += 1;
        self.cuts.last_redrive = Some(redriven.event.timestamp);
        let time = redriven.event.timestamp;
        let root = Jump {
            seq: redriven.seq.saturating_add(1),
            last: redriven.event.id,
            time,
        };
        let next = self.next_seq.entry(String::new()).or_default();
        *next = (*next).max(root.seq);
        match restart_of(redriven) {
            Some(restart) => self.restart(root, restart),
            None => self.cut("", Some(root), time),
        }
    }

    /// A restart supersedes everything but `ExecutionStarted`: the run begins again at the
    /// chosen state (children of new states get new keys, from new ids).
    fn restart(&mut self, root: Jump, restart: (String, Value)) {
        for (key, list) in self.live.iter_mut() {
            let keep = match key.is_empty() {
                true => list
                    .iter()
                    .take_while(|&&i| self.events[i].seq == 0)
                    .count(),
                false => 0,
            };
            for &index in &list[keep..] {
                self.cuts.superseded.insert(index);
            }
            list.truncate(keep);
        }
        self.cuts.jumps.insert((String::new(), 1), root);
        self.cuts.restart = Some(restart);
    }

    /// Supersedes the failure tail of `key` and of its unsuccessful children.
    fn cut(&mut self, key: &str, root: Option<Jump>, time: Timestamp) {
        let list = self.live.get(key).cloned().unwrap_or_default();
        let (tail, children) = self.tail(&list);
        for child in children {
            if !self.succeeded(&child) {
                self.cut(&child, None, time);
            }
        }
        if tail >= list.len() {
            return;
        }
        // The stores number a stop's `ExecutionAborted` out of band (`u32::MAX`): a tail that
        // is only that begins right after the thread's last kept event.
        let start = match (self.events[list[tail]].seq, tail) {
            (u32::MAX, 0) => 0,
            (u32::MAX, n) => self.events[list[n - 1]].seq + 1,
            (seq, _) => seq,
        };
        let jump = root.unwrap_or_else(|| Jump {
            seq: self.next_seq.get(key).copied().unwrap_or(start + 1),
            last: match tail {
                0 => 0,
                n => self.events[list[n - 1]].event.id,
            },
            time,
        });
        for &index in &list[tail..] {
            self.cuts.superseded.insert(index);
        }
        if let Some(live) = self.live.get_mut(key) {
            live.truncate(tail);
        }
        self.cuts.jumps.insert((key.to_string(), start), jump);
    }

    /// Where the failure tail of a thread's events begins, and the threads of the inline
    /// Parallel or Map it was in (whose successful ones are kept).
    fn tail(&self, list: &[usize]) -> (usize, Vec<String>) {
        let mut open: Option<usize> = None;
        let mut after_exit = 0;
        for (position, &index) in list.iter().enumerate() {
            let kind = self.events[index].event.kind;
            if kind.is_state_entered() {
                open = Some(position);
            } else if kind.is_state_exited() {
                open = None;
                after_exit = position + 1;
            }
        }
        let Some(entered) = open else {
            return (after_exit, Vec::new());
        };
        let state = self.events[list[entered]].event.kind.state_type();
        let starts = match state {
            Some(StateType::Parallel) => EventType::ParallelStateStarted,
            Some(StateType::Map) => EventType::MapStateStarted,
            _ => return (entered + 1, Vec::new()),
        };
        let Some(started) = (entered..list.len())
            .rev()
            .find(|&p| self.events[list[p]].event.kind == starts)
        else {
            return (entered + 1, Vec::new());
        };
        let key = &self.events[list[started]].thread;
        let prefix = format!("{key}/{}.", self.events[list[started]].event.id);
        // A distributed Map's iterations are child executions: it reruns whole.
        if self.live.contains_key(&format!("{prefix}run")) {
            return (entered + 1, Vec::new());
        }
        let mut children: Vec<String> = self
            .live
            .keys()
            .filter(|k| {
                k.strip_prefix(&prefix)
                    .is_some_and(|rest| !rest.contains('/'))
            })
            .cloned()
            .collect();
        children.sort();
        (started + 1, children)
    }

    /// Whether a branch or iteration thread ended successfully (and is kept whole).
    fn succeeded(&self, key: &str) -> bool {
        let list = self.live.get(key).cloned().unwrap_or_default();
        let kinds = || list.iter().map(|&i| self.events[i].event.kind);
        if is_iteration(key) {
            return kinds().any(|k| k == EventType::MapIterationSucceeded);
        }
        let Some(last) = kinds().next_back() else {
            return false;
        };
        if last.is_state_exited() {
            return true;
        }
        // A Parallel that ends a branch records no exit: it succeeded when its own branches
        // did and nothing failed or aborted it.
        if last == EventType::ParallelStateStarted {
            let (_, children) = self.tail(&list);
            return !children.is_empty() && children.iter().all(|c| self.succeeded(c));
        }
        false
    }
}

/// The `fluxoRestart` of an `ExecutionRedriven` event, if it has one.
fn restart_of(event: &RecordedEvent) -> Option<(String, Value)> {
    let restart = event.event.details.as_ref()?.get("fluxoRestart")?;
    let state = restart.get("fromState")?.as_str()?.to_string();
    let input = restart
        .get("input")
        .and_then(Value::as_str)
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null);
    Some((state, input))
}

/// Map iteration threads end in `.i<index>`; Parallel branches in `.b<index>`.
fn is_iteration(key: &str) -> bool {
    key.rsplit('/')
        .next()
        .and_then(|last| last.split('.').nth(1))
        .is_some_and(|name| name.starts_with('i'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HistoryEvent;

    fn event(id: u64, kind: EventType, thread: &str, seq: u32) -> RecordedEvent {
        RecordedEvent {
            event: HistoryEvent {
                id,
                previous_event_id: id.saturating_sub(1),
                timestamp: Timestamp::from_second(id as i64).unwrap(),
                kind,
                details: None,
            },
            thread: thread.into(),
            seq,
        }
    }

    #[test]
    fn a_history_never_redriven_has_no_cuts() {
        let history = [
            event(1, EventType::ExecutionStarted, "", 0),
            event(2, EventType::ExecutionFailed, "", 1),
        ];
        let cuts = cuts(&history);
        assert!(cuts.jumps.is_empty() && cuts.superseded.is_empty());
        assert_eq!(cuts.redrives, 0);
    }

    #[test]
    fn the_failed_state_is_kept_entered_and_its_attempts_and_the_end_are_cut() {
        use EventType::*;
        let history = [
            event(1, ExecutionStarted, "", 0),
            event(2, TaskStateEntered, "", 1),
            event(3, TaskScheduled, "", 2),
            event(4, TaskFailed, "", 3),
            event(5, ExecutionFailed, "", 4),
            event(6, ExecutionRedriven, "", 5),
        ];
        let cuts = cuts(&history);
        assert_eq!(cuts.redrives, 1);
        assert_eq!(cuts.superseded, HashSet::from([2, 3, 4, 5]));
        let jump = cuts.jumps[&(String::new(), 2)];
        assert_eq!((jump.seq, jump.last), (6, 6));
        assert_eq!(cuts.last_redrive, Some(Timestamp::from_second(6).unwrap()));
    }

    #[test]
    fn iterations_and_branches_are_told_apart_by_their_key() {
        assert!(is_iteration("/3.i0"));
        assert!(is_iteration("/3.b1/9.i12"));
        assert!(!is_iteration("/3.b1"));
        assert!(!is_iteration(""));
    }
}
