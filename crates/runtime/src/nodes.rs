//! This node among the nodes sharing a store: the executions it drives are those it holds a
//! lease on (`fluxo_store::lease`). A background task ([`Runtime::spawn_timers`]) claims the
//! executions whose timer is due and those whose node died (their lease expired), renews this
//! node's leases every third of their duration, stops the drivers whose lease is gone (taken
//! over, or the execution stopped from another node), and stops every driver when the store
//! has been unreachable for two thirds of a lease, before another node may take over.

use crate::{Runtime, RuntimeError};
use fluxo_store::{Claim, Claimed, Fence};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// An execution driven in this process, with the lease it is driven under.
pub(crate) struct Driver {
    pub handle: JoinHandle<()>,
    pub fence: Fence,
    /// When the lease was claimed: a renewal that began before does not know of it.
    pub claimed_at: Instant,
}

/// Executions claimed at once, at most, by one poll.
const CLAIM_BATCH: usize = 256;

pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl Runtime {
    /// A claim by this node now.
    pub(crate) fn claim(&self) -> Claim {
        let ttl = i64::try_from(self.config.lease_ttl.as_millis()).unwrap_or(i64::MAX);
        Claim::new(&self.config.node_id, now_ms(), ttl)
    }

    /// This node's id among the nodes sharing the store.
    pub fn node_id(&self) -> &str {
        &self.config.node_id
    }

    /// Polls the store every `every` (and at once when [`Runtime::spawn_listener`] hears that
    /// notices may have been missed): wakes the executions whose timer is due, takes over
    /// those whose node died, renews this node's leases (a background task).
    pub fn spawn_timers(self: &Arc<Self>, every: Duration) -> JoinHandle<()> {
        let runtime = self.clone();
        tokio::spawn(async move {
            let renew_every = runtime.config.lease_ttl / 3;
            let mut last_renewal = Instant::now();
            let mut last_attempt = Instant::now();
            let mut cut_off = false;
            loop {
                // A notice from another node (`listen.rs`) comes before the next poll.
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = runtime.poke.notified() => {}
                }
                // Renewals come first in a round, so that a node back from a cut-off gives
                // up its old leases before it claims anything.
                if cut_off || last_attempt.elapsed() >= renew_every {
                    last_attempt = Instant::now();
                    match runtime.renew(&mut cut_off).await {
                        Ok(()) => last_renewal = last_attempt,
                        Err(error) => {
                            tracing::error!(%error, "cannot renew this node's leases");
                            cut_off |= runtime.give_up_if_cut_off(last_renewal);
                        }
                    }
                }
                if let Err(error) = runtime.wake_due().await {
                    tracing::error!(%error, "cannot wake due executions");
                }
                if let Err(error) = runtime.take_orphans().await {
                    tracing::error!(%error, "cannot take over orphaned executions");
                }
            }
        })
    }

    /// Extends every lease of this node and stops the drivers whose lease is gone. After a
    /// cut-off (every driver stopped), first releases the node's leases, which no driver uses
    /// any more, so that any node may claim those executions again.
    async fn renew(&self, cut_off: &mut bool) -> Result<(), RuntimeError> {
        if *cut_off {
            self.store.release_node(&self.config.node_id).await?;
            *cut_off = false;
        }
        let started = Instant::now();
        let held: HashSet<(String, u64)> = self
            .store
            .renew_leases(self.claim())
            .await?
            .into_iter()
            .map(|lease| (lease.execution_arn, lease.fence.token))
            .collect();
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|arn, driver| {
            let lost =
                driver.claimed_at < started && !held.contains(&(arn.clone(), driver.fence.token));
            if lost {
                tracing::info!(%arn, "lease lost; this node stops driving the execution");
                driver.handle.abort();
            }
            !lost
        });
        Ok(())
    }

    /// After two thirds of a lease without a renewal, another node may soon take over: stop
    /// acting on every execution before that can happen. Returns whether it did.
    fn give_up_if_cut_off(&self, last_renewal: Instant) -> bool {
        if last_renewal.elapsed() < self.config.lease_ttl * 2 / 3 {
            return false;
        }
        tracing::error!(
            "the store has been unreachable too long; this node stops every execution it drives"
        );
        self.abort_all();
        true
    }

    /// Claims the executions whose timer is due and resumes them.
    pub(crate) async fn wake_due(self: &Arc<Self>) -> Result<(), RuntimeError> {
        loop {
            let claimed = self.store.claim_due(self.claim(), CLAIM_BATCH).await?;
            let more = claimed.len() == CLAIM_BATCH;
            self.resume_all(claimed).await;
            if !more {
                return Ok(());
            }
        }
    }

    /// Resumes an execution whose timer was just made due (one of its tasks completed) unless
    /// this node drives it (its driver learns from the hub): through [`Store::claim_due`], so
    /// that exactly one node resumes it. A driver on another node learns from the store, at
    /// the latest when it parks (its timer is then due at once) and the execution is claimed.
    ///
    /// [`Store::claim_due`]: fluxo_store::Store::claim_due
    pub(crate) async fn wake(self: &Arc<Self>, arn: &str) -> Result<(), RuntimeError> {
        if self.is_driven(arn) {
            return Ok(());
        }
        self.wake_due().await
    }

    /// Claims the running executions that no node holds (their node stopped or died) and
    /// resumes them; returns how many.
    pub(crate) async fn take_orphans(self: &Arc<Self>) -> Result<usize, RuntimeError> {
        let mut count = 0;
        loop {
            let claimed = self.store.claim_orphans(self.claim(), CLAIM_BATCH).await?;
            let more = claimed.len() == CLAIM_BATCH;
            count += claimed.len();
            self.resume_all(claimed).await;
            if !more {
                return Ok(count);
            }
        }
    }

    async fn resume_all(self: &Arc<Self>, claimed: Vec<Claimed>) {
        for Claimed { execution, lease } in claimed {
            let arn = execution.arn.clone();
            if let Err(error) = self.resume(execution, lease.fence).await {
                // The lease stays with this node (renewed, not driven), as an execution that
                // cannot run here would fail the same way on every node.
                tracing::error!(%error, %arn, "cannot resume an execution");
            }
        }
    }
}
