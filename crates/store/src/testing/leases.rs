//! The suite's checks of execution leases (see [`crate::lease`]): claims exclude each other,
//! fences refuse the transitions of a node whose lease was taken over, timers fire once.

use super::{event, execution, machine, step};
use crate::*;
use fluxo_types::{EventType, ExecutionStatus};
use std::collections::HashSet;
use std::sync::Arc;

const TTL: i64 = 1_000;

fn claim(owner: &str, now_ms: i64) -> Claim {
    Claim::new(owner, now_ms, TTL)
}

fn only<'a>(claimed: &'a [Claimed], arn: &str) -> Option<&'a Claimed> {
    claimed.iter().find(|c| c.execution.arn == arn)
}

pub(super) async fn run(store: Arc<dyn Store>) {
    claims_and_fences(store.as_ref()).await;
    orphans_and_releases(store.as_ref()).await;
    due_timers_fire_once(store.as_ref()).await;
    concurrent_claims_never_share(store).await;
}

async fn claims_and_fences(store: &dyn Store) {
    let owner = machine("leases");
    let record = execution(&owner, "fenced", 1);
    store.start_execution(record.clone()).await.unwrap();
    let a = store
        .claim_execution(&record.arn, claim("node-a", 100))
        .await
        .unwrap()
        .expect("a new execution is claimable");
    assert_eq!(a.execution, record);
    assert_eq!(a.lease.fence.owner, "node-a");
    assert_eq!(a.lease.expires_ms, 100 + TTL);
    assert_eq!(
        store
            .claim_execution(&record.arn, claim("node-b", 200))
            .await
            .unwrap(),
        None,
        "a live lease is not claimable"
    );
    let under = |fence: Fence, id: u64| Transition {
        fence: Some(fence),
        ..step(&record.arn, vec![event(id, EventType::PassStateEntered)])
    };
    store.commit(under(a.lease.fence.clone(), 1)).await.unwrap();
    let lost = Err(StoreError::LeaseLost {
        execution_arn: record.arn.clone(),
    });
    let stranger = Fence {
        owner: "node-b".into(),
        token: a.lease.fence.token,
    };
    assert_eq!(store.commit(under(stranger, 2)).await, lost);
    let stale = Fence {
        token: a.lease.fence.token + 7,
        ..a.lease.fence.clone()
    };
    assert_eq!(store.commit(under(stale, 2)).await, lost);

    // After the lease expires another node takes over with a larger token, and the first
    // node's late transition changes nothing.
    let b = store
        .claim_execution(&record.arn, claim("node-b", 100 + TTL))
        .await
        .unwrap()
        .expect("an expired lease is claimable");
    assert!(b.lease.fence.token > a.lease.fence.token);
    assert_eq!(store.commit(under(a.lease.fence.clone(), 2)).await, lost);
    store.commit(under(b.lease.fence.clone(), 2)).await.unwrap();
    let ids: Vec<u64> = store
        .events(&record.arn, false, Page::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, [1, 2], "the refused transitions left nothing");

    let renewed_a = store.renew_leases(claim("node-a", 3_000)).await.unwrap();
    assert!(renewed_a.iter().all(|l| l.execution_arn != record.arn));
    let renewed_b = store.renew_leases(claim("node-b", 3_000)).await.unwrap();
    let lease = renewed_b
        .iter()
        .find(|l| l.execution_arn == record.arn)
        .expect("the owner renews");
    assert_eq!(
        (lease.expires_ms, &lease.fence),
        (3_000 + TTL, &b.lease.fence)
    );

    // An ended execution is never claimed, and its lease is not renewed.
    store
        .commit(Transition {
            fence: Some(b.lease.fence.clone()),
            ..super::ending(&record.arn, 3, ExecutionStatus::Succeeded)
        })
        .await
        .unwrap();
    assert!(store
        .renew_leases(claim("node-b", 4_000))
        .await
        .unwrap()
        .iter()
        .all(|l| l.execution_arn != record.arn));
    assert_eq!(
        store
            .claim_execution(&record.arn, claim("node-c", i64::MAX / 2))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .claim_execution("arn:missing", claim("node-c", 1))
            .await
            .unwrap(),
        None
    );
}

async fn orphans_and_releases(store: &dyn Store) {
    let owner = machine("orphans");
    let record = execution(&owner, "orphan", 1);
    store.start_execution(record.clone()).await.unwrap();
    let first = store
        .claim_orphans(claim("node-a", 10_000), 1000)
        .await
        .unwrap();
    let a = only(&first, &record.arn)
        .expect("a running execution without a lease is an orphan")
        .clone();
    let again = store
        .claim_orphans(claim("node-b", 10_000 + TTL - 1), 1000)
        .await
        .unwrap();
    assert!(only(&again, &record.arn).is_none(), "held until it expires");

    // Releasing with a stale fence changes nothing; with the current one, frees it at once.
    let stale = Fence {
        token: a.lease.fence.token - 1,
        ..a.lease.fence.clone()
    };
    store.release_lease(&record.arn, stale).await.unwrap();
    let held = store
        .claim_orphans(claim("node-b", 10_001), 1000)
        .await
        .unwrap();
    assert!(only(&held, &record.arn).is_none());
    store
        .release_lease(&record.arn, a.lease.fence.clone())
        .await
        .unwrap();
    let b = store
        .claim_orphans(claim("node-b", 10_002), 1000)
        .await
        .unwrap();
    let b = only(&b, &record.arn).expect("released").clone();
    assert!(b.lease.fence.token > a.lease.fence.token);
    assert!(matches!(
        store
            .commit(Transition {
                fence: Some(a.lease.fence.clone()),
                ..step(&record.arn, vec![])
            })
            .await,
        Err(StoreError::LeaseLost { .. })
    ));

    // A node that restarts with its id frees its leases; other nodes' stay.
    let released = store.release_node("node-b").await.unwrap();
    assert!(released >= 1);
    assert_eq!(store.release_node("node-b").await.unwrap(), 0);
    let c = store
        .claim_orphans(claim("node-c", 10_003), 1000)
        .await
        .unwrap();
    assert!(only(&c, &record.arn).is_some());
    assert!(
        store
            .claim_orphans(claim("node-d", 10_004), 1000)
            .await
            .unwrap()
            .is_empty(),
        "node-c holds every orphan now"
    );
    // Pages: `limit` at a time.
    let more = execution(&owner, "second", 2);
    let third = execution(&owner, "third", 3);
    store.start_execution(more.clone()).await.unwrap();
    store.start_execution(third.clone()).await.unwrap();
    let one = store
        .claim_orphans(claim("node-d", 10_005), 1)
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].execution.arn, more.arn, "in start order");
}

async fn due_timers_fire_once(store: &dyn Store) {
    let owner = machine("wakes");
    let record = execution(&owner, "parked", 1);
    store.start_execution(record.clone()).await.unwrap();
    let a = store
        .claim_execution(&record.arn, claim("node-a", 20_000))
        .await
        .unwrap()
        .unwrap();
    store
        .commit(Transition {
            fence: Some(a.lease.fence.clone()),
            timer: TimerChange::Set(25_000),
            ..step(&record.arn, vec![])
        })
        .await
        .unwrap();
    store
        .release_lease(&record.arn, a.lease.fence.clone())
        .await
        .unwrap();
    let orphans = store
        .claim_orphans(claim("node-b", 20_001), 1000)
        .await
        .unwrap();
    assert!(
        only(&orphans, &record.arn).is_none(),
        "a parked execution waits for its timer"
    );
    let early = store
        .claim_due(claim("node-b", 24_999), 1000)
        .await
        .unwrap();
    assert!(only(&early, &record.arn).is_none());
    let (b, c) = futures::join!(
        store.claim_due(claim("node-b", 25_000), 1000),
        store.claim_due(claim("node-c", 25_000), 1000)
    );
    let (b, c) = (b.unwrap(), c.unwrap());
    let winners = [only(&b, &record.arn), only(&c, &record.arn)];
    assert_eq!(
        winners.iter().flatten().count(),
        1,
        "a due timer fires on one node"
    );
    assert!(store
        .due_timers(i64::MAX, 1000)
        .await
        .unwrap()
        .iter()
        .all(|t| t.execution_arn != record.arn));
    let winner = winners.into_iter().flatten().next().unwrap();
    assert!(winner.lease.fence.token > a.lease.fence.token);
    assert!(store
        .claim_due(claim("node-d", i64::MAX / 2), 1000)
        .await
        .unwrap()
        .iter()
        .all(|c| c.execution.arn != record.arn));
}

async fn concurrent_claims_never_share(store: Arc<dyn Store>) {
    let owner = machine("crowd");
    let mut arns = HashSet::new();
    for n in 0..40 {
        let record = execution(&owner, &format!("c{n}"), n);
        store.start_execution(record.clone()).await.unwrap();
        arns.insert(record.arn);
    }
    let mut tasks = Vec::new();
    for node in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store
                    .claim_orphans(claim(&format!("crowd-{node}"), 50_000), 3)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|c| c.execution.arn));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut seen = Vec::new();
    for task in tasks {
        seen.extend(task.await.unwrap());
    }
    let claimed: Vec<&String> = seen.iter().filter(|arn| arns.contains(*arn)).collect();
    let distinct: HashSet<&String> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), distinct.len(), "no execution claimed twice");
    assert_eq!(distinct.len(), arns.len(), "every orphan claimed");
}
