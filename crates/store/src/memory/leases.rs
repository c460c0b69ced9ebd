//! The memory store's execution leases (`crate::lease`).

use super::Tables;
use crate::*;
use fluxo_types::ExecutionStatus;

/// An execution's lease: the owner while held, and the last token drawn (kept when released,
/// so that the next claim draws a larger one).
#[derive(Debug, Default, Clone)]
pub(super) struct LeaseRow {
    pub(super) owner: Option<String>,
    pub(super) token: u64,
    pub(super) expires_ms: i64,
}

impl LeaseRow {
    fn claimable(&self, now_ms: i64) -> bool {
        self.owner.is_none() || self.expires_ms <= now_ms
    }
}

impl Tables {
    /// Claims `arn` when it is running and its lease is claimable.
    pub(super) fn claim(&mut self, arn: &str, claim: &Claim) -> Option<Claimed> {
        let execution = self
            .execution_seq
            .get(arn)
            .map(|seq| &self.executions[seq])?;
        if execution.status != ExecutionStatus::Running {
            return None;
        }
        let execution = execution.clone();
        let row = self.leases.entry(arn.to_string()).or_default();
        if !row.claimable(claim.now_ms) {
            return None;
        }
        row.owner = Some(claim.owner.clone());
        row.token += 1;
        row.expires_ms = claim.expires_ms();
        let lease = Lease {
            execution_arn: arn.to_string(),
            fence: Fence {
                owner: claim.owner.clone(),
                token: row.token,
            },
            expires_ms: row.expires_ms,
        };
        Some(Claimed { execution, lease })
    }

    /// Whether `fence` is the execution's current lease.
    pub(super) fn fence_check(&self, arn: &str, fence: &Option<Fence>) -> StoreResult<()> {
        let Some(fence) = fence else { return Ok(()) };
        let current = self.leases.get(arn);
        let held = current.is_some_and(|row| {
            row.owner.as_deref() == Some(fence.owner.as_str()) && row.token == fence.token
        });
        match held {
            true => Ok(()),
            false => Err(StoreError::LeaseLost {
                execution_arn: arn.to_string(),
            }),
        }
    }

    pub(super) fn claim_orphans(&mut self, claim: &Claim, limit: usize) -> Vec<Claimed> {
        let candidates: Vec<String> = self
            .executions
            .values()
            .filter(|e| e.status == ExecutionStatus::Running)
            .filter(|e| !self.timers.contains_key(&e.arn))
            .map(|e| e.arn.clone())
            .collect();
        let mut claimed = Vec::new();
        for arn in candidates {
            if claimed.len() == limit {
                break;
            }
            claimed.extend(self.claim(&arn, claim));
        }
        claimed
    }

    pub(super) fn claim_due(&mut self, claim: &Claim, limit: usize) -> Vec<Claimed> {
        let mut due: Vec<(i64, String)> = self
            .timers
            .iter()
            .filter(|(_, at)| **at <= claim.now_ms)
            .map(|(arn, at)| (*at, arn.clone()))
            .collect();
        due.sort();
        let mut claimed = Vec::new();
        for (_, arn) in due {
            if claimed.len() == limit {
                break;
            }
            if let Some(taken) = self.claim(&arn, claim) {
                self.timers.remove(&arn);
                claimed.push(taken);
            }
        }
        claimed
    }

    pub(super) fn renew(&mut self, claim: &Claim) -> Vec<Lease> {
        let mut renewed = Vec::new();
        for (arn, row) in self.leases.iter_mut() {
            let running = self
                .execution_seq
                .get(arn)
                .is_some_and(|seq| self.executions[seq].status == ExecutionStatus::Running);
            if running && row.owner.as_deref() == Some(claim.owner.as_str()) {
                row.expires_ms = claim.expires_ms();
                renewed.push(Lease {
                    execution_arn: arn.clone(),
                    fence: Fence {
                        owner: claim.owner.clone(),
                        token: row.token,
                    },
                    expires_ms: row.expires_ms,
                });
            }
        }
        renewed.sort_by(|a, b| a.execution_arn.cmp(&b.execution_arn));
        renewed
    }

    pub(super) fn release(&mut self, execution_arn: &str, fence: Fence) {
        if self.fence_check(execution_arn, &Some(fence)).is_ok() {
            if let Some(row) = self.leases.get_mut(execution_arn) {
                row.owner = None;
            }
        }
    }

    pub(super) fn release_node(&mut self, owner: &str) -> usize {
        let mut released = 0;
        for row in self.leases.values_mut() {
            if row.owner.as_deref() == Some(owner) {
                row.owner = None;
                released += 1;
            }
        }
        released
    }
}
