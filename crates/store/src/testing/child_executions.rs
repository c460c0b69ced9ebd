//! The suite's part for a distributed Map's child executions
//! (`Store::record_child_execution`): written closed with their whole history, listed under
//! their Map Run newest first, replaced whole when the child runs again, never resumed.

use super::{event, page};
use crate::*;
use fluxo_types::{EventType, ExecutionStatus};

const MAP_RUN: &str = "arn:aws:states:us-east-1:123456789012:mapRun:parent/each:run-1";

fn child(name: &str, status: ExecutionStatus, started_ms: i64) -> ExecutionRecord {
    child_of("parent/each", MAP_RUN, name, status, started_ms)
}

/// A closed child execution of the Map Run `map_run`, of the state machine `MACHINE/LABEL`
/// `machine`, that started at `started_ms` and ran 5 ms.
pub(super) fn child_of(
    machine: &str,
    map_run: &str,
    name: &str,
    status: ExecutionStatus,
    started_ms: i64,
) -> ExecutionRecord {
    let machine = super::machine(machine);
    ExecutionRecord {
        arn: format!(
            "{}:{name}",
            machine.arn.replace(":stateMachine:", ":execution:")
        ),
        state_machine_arn: machine.arn,
        name: name.into(),
        status,
        input: r#"{"item":1}"#.into(),
        output: (status == ExecutionStatus::Succeeded).then(|| r#"{"done":true}"#.into()),
        error: (status == ExecutionStatus::Failed).then(|| "Boom".into()),
        cause: None,
        started_ms,
        stopped_ms: Some(started_ms + 5),
        seed: 0,
        revision: 0,
        version_arn: None,
        alias_arn: None,
        redrive_count: 0,
        redrive_ms: None,
        map_run_arn: Some(map_run.into()),
    }
}

fn history(last: EventType) -> Vec<EventRecord> {
    vec![
        event(1, EventType::ExecutionStarted),
        event(2, EventType::PassStateEntered),
        event(3, last),
    ]
}

pub(super) async fn run(store: &dyn Store) {
    let first = child("c1", ExecutionStatus::Succeeded, 100);
    let failed = child("c2", ExecutionStatus::Failed, 101);
    store
        .record_child_execution(first.clone(), history(EventType::ExecutionSucceeded))
        .await
        .unwrap();
    store
        .record_child_execution(failed.clone(), history(EventType::ExecutionFailed))
        .await
        .unwrap();
    assert_eq!(
        store.get_execution(&first.arn).await.unwrap(),
        Some(first.clone())
    );
    let events = store
        .events(&failed.arn, false, page(10, None))
        .await
        .unwrap();
    let kinds: Vec<EventType> = events.items.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventType::ExecutionStarted,
            EventType::PassStateEntered,
            EventType::ExecutionFailed
        ]
    );

    // Listed under the Map Run, newest first, a page at a time; not under anything else.
    let listed = store
        .list_executions(MAP_RUN, ExecutionFilter::default(), page(1, None))
        .await
        .unwrap();
    assert_eq!(listed.items, std::slice::from_ref(&failed));
    let rest = store
        .list_executions(
            MAP_RUN,
            ExecutionFilter::default(),
            page(1, listed.next_token),
        )
        .await
        .unwrap();
    assert_eq!(rest.items, std::slice::from_ref(&first));
    assert_eq!(rest.next_token, None);
    let only_failed = ExecutionFilter {
        status: Some(ExecutionStatus::Failed),
        ..ExecutionFilter::default()
    };
    let filtered = store
        .list_executions(MAP_RUN, only_failed, page(10, None))
        .await
        .unwrap();
    assert_eq!(filtered.items, std::slice::from_ref(&failed));
    let other = MAP_RUN.replace("run-1", "run-2");
    let none = store
        .list_executions(&other, ExecutionFilter::default(), page(10, None))
        .await
        .unwrap();
    assert!(none.items.is_empty());

    // The failed child runs again (a redriven Map Run): its record and history are replaced,
    // and it keeps its place in the order.
    let again = ExecutionRecord {
        status: ExecutionStatus::Succeeded,
        output: Some(r#"{"done":true}"#.into()),
        error: None,
        started_ms: 200,
        stopped_ms: Some(205),
        ..failed.clone()
    };
    store
        .record_child_execution(again.clone(), history(EventType::ExecutionSucceeded))
        .await
        .unwrap();
    assert_eq!(
        store.get_execution(&again.arn).await.unwrap(),
        Some(again.clone())
    );
    let events = store
        .events(&again.arn, false, page(10, None))
        .await
        .unwrap();
    assert_eq!(events.items.len(), 3);
    assert_eq!(events.items[2].kind, EventType::ExecutionSucceeded);
    let listed = store
        .list_executions(MAP_RUN, ExecutionFilter::default(), page(10, None))
        .await
        .unwrap();
    assert_eq!(listed.items, [again, first]);

    // Closed when written: nothing to resume.
    let resumable = store.executions_to_resume(page(1000, None)).await.unwrap();
    assert!(resumable
        .items
        .iter()
        .all(|execution| execution.map_run_arn.is_none()));
}
