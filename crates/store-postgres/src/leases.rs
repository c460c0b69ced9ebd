//! Execution leases (`fluxo_store::lease`) shared by several nodes. Each claim is one
//! statement: the candidates are locked with `FOR UPDATE SKIP LOCKED`, so concurrent claimers
//! pass over each other's rows instead of waiting for them or taking them twice, and a claim
//! that waited on a row re-checks it (PostgreSQL re-evaluates the condition on the newest
//! version of a row it locked).

use crate::rows;
use crate::sql::{execute, query};
use deadpool_postgres::GenericClient;
use fluxo_store::{Claim, Claimed, Fence, Lease, StoreResult};

fn claimed(rows: &[tokio_postgres::Row]) -> StoreResult<Vec<(i64, Claimed)>> {
    rows::all(rows, rows::claimed)
}

pub async fn claim_execution(
    c: &impl GenericClient,
    arn: &str,
    claim: &Claim,
) -> StoreResult<Option<Claimed>> {
    let rows = query(
        c,
        "UPDATE executions SET lease_owner = $2, lease_token = lease_token + 1, lease_expires_ms = $3 \
         WHERE arn = $1 AND status = 'RUNNING' AND (lease_owner IS NULL OR lease_expires_ms <= $4) \
         RETURNING *",
        &[&arn, &claim.owner, &claim.expires_ms(), &claim.now_ms],
    )
    .await?;
    Ok(claimed(&rows)?.into_iter().next().map(|(_, c)| c))
}

pub async fn claim_orphans(
    c: &impl GenericClient,
    claim: &Claim,
    limit: usize,
) -> StoreResult<Vec<Claimed>> {
    let rows = query(
        c,
        "WITH picked AS (SELECT seq FROM executions e WHERE status = 'RUNNING' \
             AND (lease_owner IS NULL OR lease_expires_ms <= $3) \
             AND NOT EXISTS (SELECT 1 FROM timers t WHERE t.execution_arn = e.arn) \
             ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED) \
         UPDATE executions e SET lease_owner = $1, lease_token = e.lease_token + 1, lease_expires_ms = $2 \
         FROM picked WHERE e.seq = picked.seq RETURNING e.*",
        &[&claim.owner, &claim.expires_ms(), &claim.now_ms, &(limit as i64)],
    )
    .await?;
    let mut claimed = claimed(&rows)?;
    claimed.sort_by_key(|(seq, _)| *seq);
    Ok(claimed.into_iter().map(|(_, c)| c).collect())
}

pub async fn claim_due(
    c: &impl GenericClient,
    claim: &Claim,
    limit: usize,
) -> StoreResult<Vec<Claimed>> {
    let rows = query(
        c,
        "WITH due AS (SELECT t.execution_arn, t.fire_at_ms FROM timers t \
             JOIN executions e ON e.arn = t.execution_arn \
             WHERE t.fire_at_ms <= $3 AND e.status = 'RUNNING' \
             AND (e.lease_owner IS NULL OR e.lease_expires_ms <= $3) \
             ORDER BY t.fire_at_ms, t.execution_arn LIMIT $4 FOR UPDATE OF t, e SKIP LOCKED), \
         fired AS (DELETE FROM timers t USING due WHERE t.execution_arn = due.execution_arn) \
         UPDATE executions e SET lease_owner = $1, lease_token = e.lease_token + 1, lease_expires_ms = $2 \
         FROM due WHERE e.arn = due.execution_arn RETURNING e.*, due.fire_at_ms",
        &[&claim.owner, &claim.expires_ms(), &claim.now_ms, &(limit as i64)],
    )
    .await?;
    let mut due = Vec::with_capacity(rows.len());
    for row in &rows {
        let fire_at: i64 = row.try_get("fire_at_ms").map_err(crate::backend)?;
        due.push((fire_at, rows::claimed(row)?.1));
    }
    due.sort_by(|(a, x), (b, y)| (a, &x.execution.arn).cmp(&(b, &y.execution.arn)));
    Ok(due.into_iter().map(|(_, c)| c).collect())
}

pub async fn renew(c: &impl GenericClient, claim: &Claim) -> StoreResult<Vec<Lease>> {
    let rows = query(
        c,
        "UPDATE executions SET lease_expires_ms = $2 WHERE lease_owner = $1 AND status = 'RUNNING' \
         RETURNING arn, lease_token, lease_expires_ms",
        &[&claim.owner, &claim.expires_ms()],
    )
    .await?;
    let mut leases: Vec<Lease> = rows
        .iter()
        .map(|row| Lease {
            execution_arn: row.get(0),
            fence: Fence {
                owner: claim.owner.clone(),
                token: row.get::<_, i64>(1) as u64,
            },
            expires_ms: row.get(2),
        })
        .collect();
    leases.sort_by(|a, b| a.execution_arn.cmp(&b.execution_arn));
    Ok(leases)
}

pub async fn release(c: &impl GenericClient, arn: &str, fence: &Fence) -> StoreResult<()> {
    execute(
        c,
        "UPDATE executions SET lease_owner = NULL \
         WHERE arn = $1 AND lease_owner = $2 AND lease_token = $3",
        &[&arn, &fence.owner, &(fence.token as i64)],
    )
    .await?;
    Ok(())
}

pub async fn release_node(c: &impl GenericClient, owner: &str) -> StoreResult<usize> {
    let released = execute(
        c,
        "UPDATE executions SET lease_owner = NULL WHERE lease_owner = $1",
        &[&owner],
    )
    .await?;
    Ok(released as usize)
}
