//! History comparison that tolerates the nondeterministic interleaving of concurrent branches.
//!
//! AWS records the events of Parallel branches and Map iterations as they happen, so two runs
//! of the same execution may interleave them differently; the recording has no ids to tell
//! which branch an event belongs to. The engine does know: every event it records belongs to a
//! *thread* (the execution, a Parallel branch, a Map iteration), and a thread's key names the
//! event that started it. From that the comparison builds the causal order of the actual run:
//!
//! * events of one thread are ordered;
//! * a child thread starts after its origin event (`ParallelStateStarted`, `MapStateStarted`, …);
//! * the parent's events after that origin wait until the child thread is finished (the join:
//!   `ParallelStateExited`/`MapStateSucceeded` come after every branch event).
//!
//! The recorded history passes when it is one of the orders this allows: a depth-first search
//! walks the recorded events and gives each one to a thread whose next event matches it,
//! backtracking when a choice leads nowhere (identical branches, say). States already shown to
//! fail are remembered by the set of events consumed so far, which keeps the search polynomial
//! in practice; a step budget bounds it anyway. Numbered placeholders bind along the search
//! path, so `<uuid:1>` stays one value however the events are assigned. (The memory of failed
//! states ignores bindings: a state could fail under one binding and pass under another. No
//! recording needs that, and the cost is a false failure, never a false pass.)
//!
//! This catches what a plain multiset comparison would not (a state exited before its branches
//! finished, a top-level event out of order) and needs no knowledge of event types. Six
//! recordings whose events LocalStack sorted within each Parallel state (said in their `notes`)
//! broke the order inside branches; for those, events of branch threads may be matched in any
//! order, while the execution's own events and the join still must hold.

use crate::matching::{short, Matcher};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// An event of the actual run, in the corpus's form, with the thread the engine recorded it on.
#[derive(Debug, Clone)]
pub struct ActualEvent {
    pub id: u64,
    /// The engine's thread key: `""` for the execution, `/<origin id>.<name>` for a child,
    /// nested as `/5.b0/9.i2`.
    pub thread: String,
    pub event: Value,
}

/// How far the search may go before it gives up: generous for the corpus, bounded for a broken
/// engine with many identical iterations.
const SEARCH_BUDGET: usize = 500_000;

/// `None` when `expected` is an order of `actual` that its threads allow, each event matching;
/// otherwise the first difference. `matcher` keeps the bindings of the matching order.
pub fn compare(
    matcher: &mut Matcher,
    expected: &[Value],
    actual: &[ActualEvent],
    branches_unordered: bool,
) -> Option<String> {
    let threads = Threads::new(actual, branches_unordered);
    let mut search = Search {
        expected,
        actual,
        remaining: threads.events.iter().map(Vec::len).collect(),
        cursor: vec![0; threads.events.len()],
        threads,
        consumed: vec![false; actual.len()],
        failed: HashSet::new(),
        steps: 0,
        deepest: None,
    };
    match search.walk(0, matcher.clone()) {
        Ok(bound) => {
            *matcher = bound;
            None
        }
        Err(()) => {
            let (_, message) = search
                .deepest
                .unwrap_or((0, "history: no matching order".to_string()));
            if search.steps >= SEARCH_BUDGET {
                Some(format!(
                    "{message} (search stopped after {SEARCH_BUDGET} steps)"
                ))
            } else {
                Some(message)
            }
        }
    }
}

/// The actual events grouped by thread, with the links between threads.
struct Threads {
    /// Per thread, the indices of its events in `actual`, in order.
    events: Vec<Vec<usize>>,
    /// Per event, its thread and its position in it.
    place: Vec<(usize, usize)>,
    /// Per thread, the event that started it.
    origin: Vec<Option<usize>>,
    /// Per thread, its children: (position of the origin event in this thread, child thread).
    children: Vec<Vec<(usize, usize)>>,
    /// Per thread, whether its events may be matched in any order.
    unordered: Vec<bool>,
}

impl Threads {
    fn new(actual: &[ActualEvent], branches_unordered: bool) -> Self {
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        let mut keys: Vec<&str> = Vec::new();
        let mut events: Vec<Vec<usize>> = Vec::new();
        let mut place = Vec::with_capacity(actual.len());
        for (index, event) in actual.iter().enumerate() {
            let thread = *index_of.entry(event.thread.as_str()).or_insert_with(|| {
                keys.push(event.thread.as_str());
                events.push(Vec::new());
                events.len() - 1
            });
            place.push((thread, events[thread].len()));
            events[thread].push(index);
        }
        let by_id: HashMap<u64, usize> = actual
            .iter()
            .enumerate()
            .map(|(index, event)| (event.id, index))
            .collect();
        let mut origin = vec![None; events.len()];
        let mut children = vec![Vec::new(); events.len()];
        for (thread, key) in keys.iter().enumerate() {
            // An unknown origin leaves the thread unconstrained rather than unmatchable.
            let Some(origin_event) = origin_id(key).and_then(|id| by_id.get(&id).copied()) else {
                continue;
            };
            let (parent, position) = place[origin_event];
            if parent == thread {
                continue;
            }
            origin[thread] = Some(origin_event);
            children[parent].push((position, thread));
        }
        let unordered = keys
            .iter()
            .map(|key| branches_unordered && !key.is_empty())
            .collect();
        Threads {
            events,
            place,
            origin,
            children,
            unordered,
        }
    }
}

/// The id of the event that started a thread: the number in the key's last `/<id>.<name>`.
fn origin_id(key: &str) -> Option<u64> {
    let last = &key[key.rfind('/')? + 1..];
    last.split('.').next()?.parse().ok()
}

struct Search<'a> {
    expected: &'a [Value],
    actual: &'a [ActualEvent],
    threads: Threads,
    consumed: Vec<bool>,
    /// Per ordered thread, the position of its next event.
    cursor: Vec<usize>,
    /// Per thread, how many of its events are not consumed yet.
    remaining: Vec<usize>,
    /// Sets of consumed events from which no match exists.
    failed: HashSet<Vec<u64>>,
    steps: usize,
    /// The furthest recorded event that nothing matched, and why.
    deepest: Option<(usize, String)>,
}

impl Search<'_> {
    fn walk(&mut self, at: usize, matcher: Matcher) -> Result<Matcher, ()> {
        let Some(expected) = self.expected.get(at) else {
            if let Some(extra) = self.consumed.iter().position(|done| !done) {
                let count = self.consumed.iter().filter(|done| !**done).count();
                self.note_failure(
                    at,
                    format!(
                        "history: {count} unexpected event(s) after the recorded ones, first {}",
                        short(&self.actual[extra].event)
                    ),
                );
                return Err(());
            }
            return Ok(matcher);
        };
        let state = self.state_key();
        if self.failed.contains(&state) {
            return Err(());
        }
        let candidates = self.candidates();
        for &candidate in &candidates {
            self.steps += 1;
            if self.steps >= SEARCH_BUDGET {
                return Err(());
            }
            let mut trial = matcher.clone();
            if trial
                .compare(expected, &self.actual[candidate].event, "")
                .is_some()
            {
                continue;
            }
            self.consume(candidate, true);
            let result = self.walk(at + 1, trial);
            self.consume(candidate, false);
            if result.is_ok() {
                return result;
            }
            if self.steps >= SEARCH_BUDGET {
                return Err(());
            }
        }
        if self
            .deepest
            .as_ref()
            .is_none_or(|(deepest, _)| at > *deepest)
        {
            let message = self.explain(at, &candidates, &matcher);
            self.note_failure(at, message);
        }
        self.failed.insert(state);
        Err(())
    }

    fn note_failure(&mut self, at: usize, message: String) {
        if self
            .deepest
            .as_ref()
            .is_none_or(|(deepest, _)| at > *deepest)
        {
            self.deepest = Some((at, message));
        }
    }

    fn state_key(&self) -> Vec<u64> {
        let mut bits = vec![0u64; self.consumed.len().div_ceil(64)];
        for (index, _) in self.consumed.iter().enumerate().filter(|(_, done)| **done) {
            bits[index / 64] |= 1 << (index % 64);
        }
        bits
    }

    fn consume(&mut self, event: usize, done: bool) {
        let (thread, _) = self.threads.place[event];
        self.consumed[event] = done;
        if done {
            self.remaining[thread] -= 1;
            self.cursor[thread] += 1;
        } else {
            self.remaining[thread] += 1;
            self.cursor[thread] -= 1;
        }
    }

    /// The events that may come next: per started thread, its next event (any unconsumed one
    /// in an unordered thread), unless it must wait for a child thread to finish.
    fn candidates(&self) -> Vec<usize> {
        let mut candidates = Vec::new();
        for (thread, events) in self.threads.events.iter().enumerate() {
            if self.remaining[thread] == 0 {
                continue;
            }
            if self.threads.origin[thread].is_some_and(|origin| !self.consumed[origin]) {
                continue;
            }
            let ready = |position: usize| {
                self.threads.children[thread]
                    .iter()
                    .all(|&(origin, child)| origin >= position || self.remaining[child] == 0)
            };
            if self.threads.unordered[thread] {
                candidates.extend(
                    events
                        .iter()
                        .enumerate()
                        .filter(|&(position, &event)| !self.consumed[event] && ready(position))
                        .map(|(_, &event)| event),
                );
            } else {
                let position = self.cursor[thread];
                if ready(position) {
                    candidates.push(events[position]);
                }
            }
        }
        candidates
    }

    /// Why nothing matched the recorded event `at`: the difference from an allowed event of the
    /// same type, or else what the allowed events were.
    fn explain(&self, at: usize, candidates: &[usize], matcher: &Matcher) -> String {
        let expected = &self.expected[at];
        let kind = expected.get("type").and_then(Value::as_str).unwrap_or("?");
        let same_kind = candidates.iter().find(|&&candidate| {
            self.actual[candidate]
                .event
                .get("type")
                .and_then(Value::as_str)
                == Some(kind)
        });
        if let Some(&candidate) = same_kind {
            let mut matcher = matcher.clone();
            if let Some(difference) = matcher.compare(
                expected,
                &self.actual[candidate].event,
                &format!("history[{at}]"),
            ) {
                return format!("{difference} ({kind})");
            }
        }
        if candidates.is_empty() {
            return format!(
                "history[{at}]: expected {}, but no more events can follow",
                short(expected)
            );
        }
        let mut kinds: Vec<&str> = Vec::new();
        for &candidate in candidates {
            let kind = self.actual[candidate]
                .event
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("?");
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        format!(
            "history[{at}]: expected {}, but the next event can only be {}",
            short(expected),
            kinds.join(" or ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: u64, thread: &str, kind: &str, name: &str) -> ActualEvent {
        ActualEvent {
            id,
            thread: thread.to_string(),
            event: json!({"type": kind, "details": {"name": name}}),
        }
    }

    fn recorded(events: &[(&str, &str)]) -> Vec<Value> {
        events
            .iter()
            .map(|(kind, name)| json!({"type": kind, "details": {"name": name}}))
            .collect()
    }

    /// A Parallel with two branches of two states each, branches run one after the other.
    fn parallel_run() -> Vec<ActualEvent> {
        vec![
            event(1, "", "ExecutionStarted", ""),
            event(2, "", "ParallelStateEntered", "P"),
            event(3, "", "ParallelStateStarted", "P"),
            event(4, "/3.b0", "PassStateEntered", "A1"),
            event(5, "/3.b0", "PassStateExited", "A1"),
            event(6, "/3.b1", "PassStateEntered", "B1"),
            event(7, "/3.b1", "PassStateExited", "B1"),
            event(8, "", "ParallelStateExited", "P"),
        ]
    }

    #[test]
    fn branches_may_interleave_differently() {
        let expected = recorded(&[
            ("ExecutionStarted", ""),
            ("ParallelStateEntered", "P"),
            ("ParallelStateStarted", "P"),
            ("PassStateEntered", "B1"),
            ("PassStateEntered", "A1"),
            ("PassStateExited", "A1"),
            ("PassStateExited", "B1"),
            ("ParallelStateExited", "P"),
        ]);
        assert_eq!(
            compare(&mut Matcher::default(), &expected, &parallel_run(), false),
            None
        );
    }

    #[test]
    fn a_branch_keeps_its_own_order() {
        let expected = recorded(&[
            ("ExecutionStarted", ""),
            ("ParallelStateEntered", "P"),
            ("ParallelStateStarted", "P"),
            ("PassStateExited", "A1"),
            ("PassStateEntered", "A1"),
            ("PassStateEntered", "B1"),
            ("PassStateExited", "B1"),
            ("ParallelStateExited", "P"),
        ]);
        let difference = compare(&mut Matcher::default(), &expected, &parallel_run(), false);
        assert!(difference.is_some_and(|d| d.starts_with("history[3]")));
        // Unless the recording sorted the branch events.
        assert_eq!(
            compare(&mut Matcher::default(), &expected, &parallel_run(), true),
            None
        );
    }

    #[test]
    fn the_parent_waits_for_its_branches() {
        let expected = recorded(&[
            ("ExecutionStarted", ""),
            ("ParallelStateEntered", "P"),
            ("ParallelStateStarted", "P"),
            ("PassStateEntered", "A1"),
            ("PassStateExited", "A1"),
            ("PassStateEntered", "B1"),
            ("ParallelStateExited", "P"),
            ("PassStateExited", "B1"),
        ]);
        let difference = compare(&mut Matcher::default(), &expected, &parallel_run(), true);
        assert_eq!(
            difference.as_deref(),
            Some(
                "history[6]: expected {\"type\":\"ParallelStateExited\",\"details\":{\"name\":\"P\"}}, \
                 but the next event can only be PassStateExited"
            )
        );
    }

    #[test]
    fn branches_start_after_their_origin() {
        let expected = recorded(&[
            ("ExecutionStarted", ""),
            ("PassStateEntered", "A1"),
            ("ParallelStateEntered", "P"),
        ]);
        let difference = compare(&mut Matcher::default(), &expected, &parallel_run(), false);
        assert!(difference.is_some_and(|d| d.starts_with("history[1]")));
    }

    #[test]
    fn missing_and_extra_events_are_reported() {
        let mut expected = recorded(&[
            ("ExecutionStarted", ""),
            ("ParallelStateEntered", "P"),
            ("ParallelStateStarted", "P"),
            ("PassStateEntered", "A1"),
            ("PassStateExited", "A1"),
            ("PassStateEntered", "B1"),
            ("PassStateExited", "B1"),
        ]);
        let extra = compare(&mut Matcher::default(), &expected, &parallel_run(), false);
        assert!(extra.is_some_and(|d| d.contains("1 unexpected event(s)")));
        expected.push(json!({"type": "ParallelStateExited", "details": {"name": "P"}}));
        expected.push(json!({"type": "ExecutionSucceeded"}));
        let missing = compare(&mut Matcher::default(), &expected, &parallel_run(), false);
        assert!(missing.is_some_and(|d| d.contains("no more events can follow")));
    }

    #[test]
    fn a_detail_difference_names_the_path() {
        let mut expected = recorded(&[("ExecutionStarted", "")]);
        expected[0]["details"]["name"] = json!("other");
        let actual = vec![event(1, "", "ExecutionStarted", "")];
        assert_eq!(
            compare(&mut Matcher::default(), &expected, &actual, false).as_deref(),
            Some("history[0].details.name: expected \"other\", got \"\" (ExecutionStarted)")
        );
    }

    #[test]
    fn identical_iterations_are_told_apart_by_backtracking() {
        // Two Map iterations whose first events look the same; their last events differ.
        let item = |id, thread: &str, kind: &str, value: i64| ActualEvent {
            id,
            thread: thread.to_string(),
            event: json!({"type": kind, "details": {"v": value}}),
        };
        let actual = vec![
            item(1, "", "MapStateStarted", 0),
            item(2, "/1.i0", "PassStateEntered", 0),
            item(3, "/1.i0", "PassStateExited", 1),
            item(4, "/1.i1", "PassStateEntered", 0),
            item(5, "/1.i1", "PassStateExited", 2),
            item(6, "", "MapStateSucceeded", 0),
        ];
        let expected: Vec<Value> = [
            ("MapStateStarted", 0),
            ("PassStateEntered", 0),
            ("PassStateEntered", 0),
            ("PassStateExited", 2),
            ("PassStateExited", 1),
            ("MapStateSucceeded", 0),
        ]
        .iter()
        .map(|(kind, v)| json!({"type": kind, "details": {"v": v}}))
        .collect();
        assert_eq!(
            compare(&mut Matcher::default(), &expected, &actual, false),
            None
        );
    }

    #[test]
    fn bindings_follow_the_chosen_order() {
        const X: &str = "0a1b2c3d-0000-4000-8000-000000000001";
        const Y: &str = "0a1b2c3d-0000-4000-8000-000000000002";
        let actual = vec![
            ActualEvent {
                id: 1,
                thread: String::new(),
                event: json!({"type": "A", "details": {"id": X}}),
            },
            ActualEvent {
                id: 2,
                thread: String::new(),
                event: json!({"type": "B", "details": {"id": Y}}),
            },
        ];
        let expected = vec![
            json!({"type": "A", "details": {"id": "<uuid:1>"}}),
            json!({"type": "B", "details": {"id": "<uuid:1>"}}),
        ];
        assert!(compare(&mut Matcher::default(), &expected, &actual, false).is_some());
        let mut matcher = Matcher::default();
        let expected = vec![
            json!({"type": "A", "details": {"id": "<uuid:1>"}}),
            json!({"type": "B", "details": {"id": "<uuid:2>"}}),
        ];
        assert_eq!(compare(&mut matcher, &expected, &actual, false), None);
        assert!(!matcher.text_matches("<uuid:1>", Y));
    }
}
