//! The open `GetActivityTask` long polls of each activity, bounded as AWS bounds them
//! (Step Functions service quotas, "Quotas related to task executions": maximum activity
//! pollers per ARN, 1,000 pollers calling GetActivityTask per ARN; past it AWS answers
//! `ActivityWorkerLimitExceeded`). Each open poll holds a connection and a task for up to 60 s,
//! so without the bound a client could hold the server's memory and sockets with polls alone.
//!
//! It also spaces the polls' own looks at the store: a poll is woken by the hub when a task
//! of its activity is scheduled here, and looks at the store on its own only to find a task
//! whose notice never came (scheduled by another node); one such look per activity per
//! interval is enough, however many polls wait (1,000 polls each looking every second kept
//! SQLite busy).

use std::collections::HashMap;
use std::sync::Mutex;
use tokio::time::{Duration, Instant};

/// Open polls one activity may have at once (the default of
/// `RuntimeConfig::max_pollers_per_activity`).
pub const MAX_POLLERS_PER_ACTIVITY: usize = 1000;

/// Open polls by activity ARN; an activity without any has no entry.
#[derive(Default)]
pub(crate) struct Pollers {
    open: Mutex<HashMap<String, Open>>,
}

/// An activity's open polls.
#[derive(Default)]
struct Open {
    count: usize,
    /// When one of them last looked at the store on its own.
    last_look: Option<Instant>,
}

/// One open poll: counted while it lives.
pub(crate) struct PollSlot<'a> {
    pollers: &'a Pollers,
    arn: String,
}

impl Pollers {
    /// A place for one more poll of `arn`, or `None` when it has `limit` open polls.
    pub(crate) fn enter(&self, arn: &str, limit: usize) -> Option<PollSlot<'_>> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let entry = open.entry(arn.to_string()).or_default();
        if entry.count >= limit {
            return None;
        }
        entry.count += 1;
        Some(PollSlot {
            pollers: self,
            arn: arn.to_string(),
        })
    }

    /// Whether a poll of `arn` whose own timer fired should look at the store now: `true`
    /// for the first to ask in each `every`, `false` for the others (the hub wakes them when
    /// a task comes).
    pub(crate) fn take_look(&self, arn: &str, every: Duration) -> bool {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = open.get_mut(arn) else {
            return true;
        };
        let now = Instant::now();
        match entry.last_look {
            Some(last) if now.duration_since(last) < every => false,
            _ => {
                entry.last_look = Some(now);
                true
            }
        }
    }

    #[cfg(test)]
    fn count(&self, arn: &str) -> usize {
        let open = self.open.lock().unwrap();
        open.get(arn).map_or(0, |entry| entry.count)
    }
}

impl Drop for PollSlot<'_> {
    fn drop(&mut self) {
        let mut open = self.pollers.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = open.get_mut(&self.arn) {
            entry.count -= 1;
            if entry.count == 0 {
                open.remove(&self.arn);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_has_at_most_the_quota_of_open_polls_and_a_closed_one_frees_its_place() {
        let pollers = Pollers::default();
        let mut slots: Vec<_> = (0..MAX_POLLERS_PER_ACTIVITY)
            .map(|_| {
                pollers
                    .enter("a", MAX_POLLERS_PER_ACTIVITY)
                    .expect("within the quota")
            })
            .collect();
        assert!(pollers.enter("a", MAX_POLLERS_PER_ACTIVITY).is_none());
        assert!(
            pollers.enter("b", MAX_POLLERS_PER_ACTIVITY).is_some(),
            "the quota is per activity"
        );
        drop(slots.pop());
        assert_eq!(pollers.count("a"), MAX_POLLERS_PER_ACTIVITY - 1);
        let again = pollers.enter("a", MAX_POLLERS_PER_ACTIVITY);
        assert!(again.is_some());
        assert_eq!(pollers.count("a"), MAX_POLLERS_PER_ACTIVITY);
        drop(again);
        drop(slots);
        assert_eq!(pollers.count("a"), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn one_poll_per_activity_looks_at_the_store_per_interval() {
        let pollers = Pollers::default();
        let every = Duration::from_secs(1);
        let _slots: Vec<_> = (0..3).map(|_| pollers.enter("a", 10).unwrap()).collect();
        let _other = pollers.enter("b", 10).unwrap();
        assert!(pollers.take_look("a", every));
        assert!(
            !pollers.take_look("a", every),
            "a second poll within the interval"
        );
        assert!(!pollers.take_look("a", every));
        assert!(
            pollers.take_look("b", every),
            "each activity has its own interval"
        );
        tokio::time::advance(every).await;
        assert!(pollers.take_look("a", every));
        assert!(!pollers.take_look("a", every));
    }

    #[test]
    fn no_entry_is_kept_for_an_activity_without_polls() {
        let pollers = Pollers::default();
        drop(pollers.enter("a", MAX_POLLERS_PER_ACTIVITY));
        assert!(pollers.open.lock().unwrap().is_empty());
    }
}
