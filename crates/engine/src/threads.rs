//! Which threads of an execution are running states and which of them are parked, so that
//! the environment learns when the whole execution waits on timers alone
//! ([`Environment::set_idle`]).
//!
//! A thread counts as *live* while it runs states (`run_machine`), except while it waits for
//! the branches or iterations it started, which count instead; it counts as *parked* while it
//! sleeps in a Wait state or a retry back-off. The execution is idle when every live thread is
//! parked and every event is persisted. A thread in a function call, or between a call's
//! result and the next persisted point, is live and not parked; a thread that ended with
//! events not yet persisted (a function's result among them) keeps the execution from being
//! idle until they are: an idle execution has persisted everything it did.

use crate::environment::Environment;
use crate::journal::Journal;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Counts {
    live: u32,
    parked: u32,
    idle: bool,
    /// Counts a distributed Map's child execution: never reported to the environment.
    silent: bool,
}

/// Shared by a run's threads (a detached run, a distributed Map's child execution, has its own).
#[derive(Default, Clone)]
pub(crate) struct Threads(Arc<Mutex<Counts>>);

/// Undoes a change of the counts when dropped (at the end, or when the future is cancelled).
pub(crate) struct Counted<'a> {
    threads: &'a Threads,
    env: &'a dyn Environment,
    journal: &'a Mutex<Journal>,
    live: i32,
    parked: i32,
}

/// What a change of the counts needs to see besides them.
#[derive(Clone, Copy)]
pub(crate) struct Observed<'a> {
    pub env: &'a dyn Environment,
    pub journal: &'a Mutex<Journal>,
}

impl Threads {
    /// The counts of a distributed Map's child execution, which never tell the environment
    /// that the execution is idle (see `Run::detached`).
    pub fn silent() -> Threads {
        Threads(Arc::new(Mutex::new(Counts {
            silent: true,
            ..Counts::default()
        })))
    }

    fn change(&self, env: &dyn Environment, journal: &Mutex<Journal>, live: i32, parked: i32) {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        counts.live = counts.live.saturating_add_signed(live);
        counts.parked = counts.parked.saturating_add_signed(parked);
        if counts.silent {
            return;
        }
        let idle = counts.live > 0
            && counts.parked >= counts.live
            && journal
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_persisted();
        if idle != counts.idle {
            counts.idle = idle;
            // Told under the lock, so that the environment sees the changes in order.
            env.set_idle(idle);
        }
    }

    fn counted<'a>(&'a self, seen: Observed<'a>, live: i32, parked: i32) -> Counted<'a> {
        self.change(seen.env, seen.journal, live, parked);
        Counted {
            threads: self,
            env: seen.env,
            journal: seen.journal,
            live,
            parked,
        }
    }

    /// A thread runs states for as long as the guard lives.
    pub fn running<'a>(&'a self, seen: Observed<'a>) -> Counted<'a> {
        self.counted(seen, 1, 0)
    }

    /// A thread waits for its branches or iterations for as long as the guard lives.
    pub fn waiting_for_children<'a>(&'a self, seen: Observed<'a>) -> Counted<'a> {
        self.counted(seen, -1, 0)
    }

    /// A thread is parked for as long as the guard lives.
    pub fn parked<'a>(&'a self, seen: Observed<'a>) -> Counted<'a> {
        self.counted(seen, 0, 1)
    }

    /// Whether some other thread is parked now: a thread that ends then persists what it did,
    /// so that its end can leave the execution idle.
    pub fn any_parked(&self) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).parked > 0
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.threads
            .change(self.env, self.journal, -self.live, -self.parked);
    }
}
