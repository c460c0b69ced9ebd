//! The open `GetActivityTask` long polls of each activity, bounded as AWS bounds them
//! (Step Functions service quotas, "Quotas related to task executions": maximum activity
//! pollers per ARN, 1,000 pollers calling GetActivityTask per ARN; past it AWS answers
//! `ActivityWorkerLimitExceeded`). Each open poll holds a connection and a task for up to 60 s,
//! so without the bound a client could hold the server's memory and sockets with polls alone.

use std::collections::HashMap;
use std::sync::Mutex;

/// Open polls one activity may have at once (the default of
/// `RuntimeConfig::max_pollers_per_activity`).
pub const MAX_POLLERS_PER_ACTIVITY: usize = 1000;

/// Open polls by activity ARN; an activity without any has no entry.
#[derive(Default)]
pub(crate) struct Pollers {
    open: Mutex<HashMap<String, usize>>,
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
        let count = open.entry(arn.to_string()).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(PollSlot {
            pollers: self,
            arn: arn.to_string(),
        })
    }

    #[cfg(test)]
    fn count(&self, arn: &str) -> usize {
        let open = self.open.lock().unwrap();
        open.get(arn).copied().unwrap_or(0)
    }
}

impl Drop for PollSlot<'_> {
    fn drop(&mut self) {
        let mut open = self.pollers.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.arn) {
            *count -= 1;
            if *count == 0 {
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

    #[test]
    fn no_entry_is_kept_for_an_activity_without_polls() {
        let pollers = Pollers::default();
        drop(pollers.enter("a", MAX_POLLERS_PER_ACTIVITY));
        assert!(pollers.open.lock().unwrap().is_empty());
    }
}
