//! Execution leases: how several nodes on one database share the executions without two of
//! them driving one at the same time.
//!
//! A node *claims* an execution (a new one it started, an orphan whose owner's lease expired,
//! one whose timer is due) and drives it while it holds the lease, renewing all of its leases
//! together well before they expire. Every claim draws a new *fencing token* for the
//! execution, and a [`crate::Transition`] made under a lease carries its [`Fence`]: the store
//! compares it with the execution's current owner and token in the transaction that applies
//! the transition, so a node whose lease was taken over (it paused, or lost the database for
//! longer than the lease) has its late transitions refused with
//! [`crate::StoreError::LeaseLost`] instead of applied twice.
//!
//! Times are epoch milliseconds from the caller's clock: nodes that share a database need
//! clocks that agree to well within the lease's duration (NTP).

/// Who claims, when, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The node's id (unique among the nodes sharing the database).
    pub owner: String,
    pub now_ms: i64,
    /// How long the lease lasts without a renewal, in milliseconds.
    pub ttl_ms: i64,
}

impl Claim {
    pub fn new(owner: &str, now_ms: i64, ttl_ms: i64) -> Self {
        Claim {
            owner: owner.to_string(),
            now_ms,
            ttl_ms,
        }
    }

    /// When a lease taken or renewed by this claim expires.
    pub fn expires_ms(&self) -> i64 {
        self.now_ms.saturating_add(self.ttl_ms)
    }
}

/// What a transition made under a lease proves: the owner and the token it was claimed with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fence {
    pub owner: String,
    /// Drawn anew (larger) by every claim of the execution.
    pub token: u64,
}

/// A lease held on an execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub execution_arn: String,
    pub fence: Fence,
    /// Epoch milliseconds; after this time any node may claim the execution.
    pub expires_ms: i64,
}

/// A claimed execution, with the lease that lets the claimer drive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub execution: crate::ExecutionRecord,
    pub lease: Lease,
}
