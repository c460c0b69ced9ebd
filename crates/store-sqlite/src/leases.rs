//! Execution leases (`fluxo_store::lease`) on SQLite. One node usually owns a data folder, so
//! its claims always succeed; they go through the same API and checks as on a shared
//! database all the same, and each runs in the writer's savepoint, so a check and the change it
//! guards are one transaction.

use crate::{backend, query_all, rows};
use fluxo_store::{Claim, Claimed, Fence, Lease, StoreResult};
use rusqlite::{params, Connection, Row};

/// The lease columns a claim sets: a new token, the owner, the expiry.
const TAKE: &str =
    "lease_owner = :owner, lease_token = lease_token + 1, lease_expires_ms = :expires";

/// Which executions a claim may take: running, with a free or expired lease.
const CLAIMABLE: &str = "status = 'RUNNING' AND (lease_owner IS NULL OR lease_expires_ms <= :now)";

fn claimed(row: &Row) -> rusqlite::Result<(i64, Claimed)> {
    let (seq, execution) = rows::keyed_execution(row)?;
    let lease = Lease {
        execution_arn: execution.arn.clone(),
        fence: Fence {
            owner: row.get("lease_owner")?,
            token: row.get::<_, i64>("lease_token")? as u64,
        },
        expires_ms: row.get("lease_expires_ms")?,
    };
    Ok((seq, Claimed { execution, lease }))
}

fn in_order(mut rows: Vec<(i64, Claimed)>) -> Vec<Claimed> {
    rows.sort_by_key(|(seq, _)| *seq);
    rows.into_iter().map(|(_, claimed)| claimed).collect()
}

pub fn claim_execution(c: &Connection, arn: &str, claim: &Claim) -> StoreResult<Option<Claimed>> {
    let sql = format!("UPDATE executions SET {TAKE} WHERE arn = :arn AND {CLAIMABLE} RETURNING *");
    let rows = query_all(
        c,
        &sql,
        rusqlite::named_params! {
            ":arn": arn, ":owner": claim.owner, ":expires": claim.expires_ms(), ":now": claim.now_ms
        },
        claimed,
    )?;
    Ok(rows.into_iter().next().map(|(_, claimed)| claimed))
}

pub fn claim_orphans(c: &Connection, claim: &Claim, limit: usize) -> StoreResult<Vec<Claimed>> {
    let sql = format!(
        "UPDATE executions SET {TAKE} WHERE seq IN (SELECT seq FROM executions WHERE {CLAIMABLE} \
         AND arn NOT IN (SELECT execution_arn FROM timers) ORDER BY seq LIMIT :limit) RETURNING *"
    );
    let rows = query_all(
        c,
        &sql,
        rusqlite::named_params! {
            ":owner": claim.owner, ":expires": claim.expires_ms(), ":now": claim.now_ms,
            ":limit": limit as i64
        },
        claimed,
    )?;
    Ok(in_order(rows))
}

pub fn claim_due(c: &Connection, claim: &Claim, limit: usize) -> StoreResult<Vec<Claimed>> {
    let due: Vec<String> = query_all(
        c,
        "SELECT t.execution_arn FROM timers t JOIN executions e ON e.arn = t.execution_arn \
         WHERE t.fire_at_ms <= ?1 AND e.status = 'RUNNING' \
         AND (e.lease_owner IS NULL OR e.lease_expires_ms <= ?1) \
         ORDER BY t.fire_at_ms, t.execution_arn LIMIT ?2",
        params![claim.now_ms, limit as i64],
        |row| row.get(0),
    )?;
    let mut taken = Vec::with_capacity(due.len());
    for arn in due {
        if let Some(claimed) = claim_execution(c, &arn, claim)? {
            c.execute("DELETE FROM timers WHERE execution_arn = ?1", [&arn])
                .map_err(backend)?;
            taken.push(claimed);
        }
    }
    Ok(taken)
}

pub fn renew(c: &Connection, claim: &Claim) -> StoreResult<Vec<Lease>> {
    let mut leases = query_all(
        c,
        "UPDATE executions SET lease_expires_ms = ?2 WHERE lease_owner = ?1 AND status = 'RUNNING' \
         RETURNING arn, lease_token, lease_expires_ms",
        params![claim.owner, claim.expires_ms()],
        |row| {
            Ok(Lease {
                execution_arn: row.get(0)?,
                fence: Fence {
                    owner: claim.owner.clone(),
                    token: row.get::<_, i64>(1)? as u64,
                },
                expires_ms: row.get(2)?,
            })
        },
    )?;
    leases.sort_by(|a, b| a.execution_arn.cmp(&b.execution_arn));
    Ok(leases)
}

pub fn release(c: &Connection, arn: &str, fence: &Fence) -> StoreResult<()> {
    c.execute(
        "UPDATE executions SET lease_owner = NULL \
         WHERE arn = ?1 AND lease_owner = ?2 AND lease_token = ?3",
        params![arn, fence.owner, fence.token as i64],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn release_node(c: &Connection, owner: &str) -> StoreResult<usize> {
    c.execute(
        "UPDATE executions SET lease_owner = NULL WHERE lease_owner = ?1",
        [owner],
    )
    .map_err(backend)
}
