//! The suite's part for transitions: commits of events with execution updates, closed
//! executions refusing more, aborts, and timers.

use super::{ending, event, execution, machine, page, step};
use crate::*;
use fluxo_types::{EventType, ExecutionStatus};
use std::collections::HashSet;

pub(super) async fn commits(store: &dyn Store) {
    let owner = machine("charlie");
    let record = execution(&owner, "history", 50);
    store.start_execution(record.clone()).await.unwrap();
    store
        .commit(step(
            &record.arn,
            vec![event(1, EventType::ExecutionStarted)],
        ))
        .await
        .unwrap();
    for id in 2..=7 {
        store
            .commit(step(
                &record.arn,
                vec![event(id, EventType::PassStateEntered)],
            ))
            .await
            .unwrap();
    }
    // A transition that repeats an event fails whole: neither its new event nor its update.
    let repeated = store
        .commit(Transition {
            execution_arn: record.arn.clone(),
            events: vec![
                event(8, EventType::PassStateExited),
                event(3, EventType::PassStateExited),
            ],
            update: Some(ExecutionUpdate {
                status: ExecutionStatus::Failed,
                output: None,
                error: Some("E".into()),
                cause: None,
                stopped_ms: Some(60),
            }),
            timer: TimerChange::Set(99),
            fence: None,
        })
        .await;
    assert_eq!(
        repeated,
        Err(StoreError::DuplicateEvent {
            execution_arn: record.arn.clone(),
            id: 3
        })
    );
    assert_eq!(
        store
            .get_execution(&record.arn)
            .await
            .unwrap()
            .unwrap()
            .status,
        ExecutionStatus::Running
    );
    assert!(store
        .due_timers(1000, 10)
        .await
        .unwrap()
        .iter()
        .all(|t| t.execution_arn != record.arn));

    let all = store
        .events(&record.arn, false, Page::default())
        .await
        .unwrap();
    let ids: Vec<u64> = all.items.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=7).collect::<Vec<_>>());
    assert_eq!(
        all.items[2],
        event(3, EventType::PassStateEntered),
        "stored as given"
    );
    let forward = store
        .events(&record.arn, false, page(4, None))
        .await
        .unwrap();
    let rest = store
        .events(&record.arn, false, page(4, forward.next_token))
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        [5, 6, 7]
    );
    let reversed = store
        .events(&record.arn, true, page(3, None))
        .await
        .unwrap();
    assert_eq!(
        reversed.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        [7, 6, 5]
    );
    let rest = store
        .events(&record.arn, true, page(10, reversed.next_token))
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        [4, 3, 2, 1]
    );
    assert_eq!(rest.next_token, None);

    assert!(matches!(
        store.commit(step("arn:missing", vec![])).await,
        Err(StoreError::NotFound(_))
    ));
}

pub(super) async fn closed_executions_take_no_transition(store: &dyn Store) {
    let owner = machine("closing");
    let record = execution(&owner, "done", 1);
    store.start_execution(record.clone()).await.unwrap();
    store
        .commit(ending(&record.arn, 1, ExecutionStatus::Succeeded))
        .await
        .unwrap();
    let late = store
        .commit(step(
            &record.arn,
            vec![event(2, EventType::PassStateEntered)],
        ))
        .await;
    assert_eq!(
        late,
        Err(StoreError::ExecutionClosed {
            execution_arn: record.arn.clone(),
            status: ExecutionStatus::Succeeded
        })
    );
    let late_timer = store
        .commit(Transition {
            timer: TimerChange::Set(1),
            ..step(&record.arn, vec![])
        })
        .await;
    assert!(matches!(
        late_timer,
        Err(StoreError::ExecutionClosed { .. })
    ));
    assert!(store
        .due_timers(i64::MAX, 100)
        .await
        .unwrap()
        .iter()
        .all(|t| t.execution_arn != record.arn));
}

pub(super) async fn aborts(store: &dyn Store) {
    let owner = machine("stopping");
    let record = execution(&owner, "stopped", 1);
    store.start_execution(record.clone()).await.unwrap();
    store
        .commit(Transition {
            timer: TimerChange::Set(10),
            ..step(
                &record.arn,
                vec![
                    event(1, EventType::ExecutionStarted),
                    event(2, EventType::WaitStateEntered),
                ],
            )
        })
        .await
        .unwrap();
    let abort = Abort {
        execution_arn: record.arn.clone(),
        kind: EventType::ExecutionAborted,
        details: Some("{\"error\":\"E\"}".into()),
        timestamp_ms: 77,
        error: Some("E".into()),
        cause: None,
    };
    let stopped = store.abort_execution(abort.clone()).await.unwrap();
    assert_eq!(stopped.status, ExecutionStatus::Aborted);
    assert_eq!(stopped.error.as_deref(), Some("E"));
    assert_eq!(stopped.stopped_ms, Some(77));
    let events = store
        .events(&record.arn, false, Page::default())
        .await
        .unwrap()
        .items;
    let last = events.last().unwrap();
    assert_eq!(
        (last.id, last.previous_event_id, last.kind),
        (3, 2, EventType::ExecutionAborted),
        "numbered after the committed events"
    );
    // The stop was dated 77, before the driver's events (1001, 1002) it met in the store.
    assert_eq!(
        last.timestamp_ms, 1002,
        "never dated before a committed event"
    );
    assert!(
        store
            .due_timers(i64::MAX, 100)
            .await
            .unwrap()
            .iter()
            .all(|t| t.execution_arn != record.arn),
        "a stopped execution has no timer"
    );
    let again = store.abort_execution(abort).await.unwrap();
    assert_eq!(again, stopped, "a closed execution is left as it is");
    assert_eq!(
        store
            .events(&record.arn, false, Page::default())
            .await
            .unwrap()
            .items
            .len(),
        3
    );
    assert!(matches!(
        store
            .commit(step(
                &record.arn,
                vec![event(4, EventType::WaitStateExited)]
            ))
            .await,
        Err(StoreError::ExecutionClosed { .. })
    ));
}

pub(super) async fn timers(store: &dyn Store) {
    let owner = machine("alpha");
    let mut arns = Vec::new();
    for (name, at) in [("t1", 300), ("t2", 100), ("t3", 200)] {
        let record = execution(&owner, name, 70);
        store.start_execution(record.clone()).await.unwrap();
        store
            .commit(Transition {
                timer: TimerChange::Set(at),
                ..step(&record.arn, vec![])
            })
            .await
            .unwrap();
        arns.push(record.arn);
    }
    let due = store.due_timers(250, 10).await.unwrap();
    assert_eq!(
        due.iter().map(|t| t.fire_at_ms).collect::<Vec<_>>(),
        [100, 200],
        "earliest first"
    );
    assert_eq!(store.due_timers(1000, 1).await.unwrap().len(), 1);
    store
        .commit(Transition {
            timer: TimerChange::Clear,
            ..step(&arns[1], vec![])
        })
        .await
        .unwrap();
    let due: HashSet<i64> = store
        .due_timers(250, 10)
        .await
        .unwrap()
        .iter()
        .map(|t| t.fire_at_ms)
        .collect();
    assert_eq!(due, [200].into());
}
