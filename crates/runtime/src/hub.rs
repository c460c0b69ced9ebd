//! Wake-ups inside one process: an execution waiting on a task learns at once that a worker
//! completed it, and activity pollers learn that a task was scheduled. Only a hint: the store
//! holds the truth, and every waiter checks it after subscribing and before sleeping, so a
//! notice that comes before the wait is not lost (and the store's timers wake executions that
//! are not in memory).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Waiters by key: a task token, or an activity ARN.
#[derive(Default)]
pub struct Hub {
    waiters: Mutex<HashMap<String, Arc<Notify>>>,
}

/// A subscription to one key; the entry goes away with its last subscriber.
pub struct Subscription<'h> {
    hub: &'h Hub,
    key: String,
    notify: Arc<Notify>,
}

impl Hub {
    fn waiters(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Notify>>> {
        self.waiters.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn subscribe(&self, key: &str) -> Subscription<'_> {
        let notify = self.waiters().entry(key.to_string()).or_default().clone();
        Subscription {
            hub: self,
            key: key.to_string(),
            notify,
        }
    }

    /// Wakes every subscriber of `key` (a task: its one execution).
    pub fn notify_all(&self, key: &str) {
        if let Some(notify) = self.waiters().get(key) {
            notify.notify_waiters();
        }
    }

    /// Wakes one subscriber of `key`, the one waiting longest (activity pollers, fairly); a
    /// woken subscriber that is gone passes the notice on.
    pub fn notify_one(&self, key: &str) {
        if let Some(notify) = self.waiters().get(key) {
            notify.notify_one();
        }
    }
}

impl Subscription<'_> {
    pub fn notify(&self) -> &Notify {
        &self.notify
    }
}

impl Drop for Subscription<'_> {
    fn drop(&mut self) {
        let mut waiters = self.hub.waiters();
        // Two references: the map's and ours.
        if Arc::strong_count(&self.notify) <= 2 {
            waiters.remove(&self.key);
        }
    }
}
