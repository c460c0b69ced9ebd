//! The suite's part for redrives (`Store::redrive_execution`): only a closed execution that
//! did not succeed reopens, once per expected count; its event follows the history on the
//! execution's own thread; a repeated client token changes nothing; ListExecutions filters.

use super::{event, execution, machine, page, step};
use crate::*;
use fluxo_types::{EventType, ExecutionStatus};

fn redrive(arn: &str, at: i64, expected: u32, token: Option<&str>) -> Redrive {
    Redrive {
        execution_arn: arn.to_string(),
        timestamp_ms: at,
        expected_count: expected,
        client_token: token.map(str::to_string),
        extra_details: None,
    }
}

fn failing(arn: &str, id: u64) -> Transition {
    let mut ending = step(arn, vec![event(id, EventType::ExecutionFailed)]);
    ending.update = Some(ExecutionUpdate {
        status: ExecutionStatus::Failed,
        output: None,
        error: Some("Boom".into()),
        cause: Some("why".into()),
        stopped_ms: Some(2000),
    });
    ending.timer = TimerChange::Clear;
    ending
}

pub(super) async fn run(store: &dyn Store) {
    let owner = machine("redriven");
    let record = execution(&owner, "again", 70);
    let arn = record.arn.clone();
    store.start_execution(record).await.unwrap();
    let started = vec![
        event(1, EventType::ExecutionStarted),
        event(2, EventType::TaskStateEntered),
    ];
    store.commit(step(&arn, started)).await.unwrap();
    // Running: refused, unchanged.
    let refused = store.redrive_execution(redrive(&arn, 3000, 0, None)).await;
    assert!(
        matches!(refused, Ok(Redriven::Refused(ref r)) if r.status == ExecutionStatus::Running),
        "{refused:?}"
    );
    store.commit(failing(&arn, 3)).await.unwrap();
    // A stale expected count (another redrive came first) is refused.
    let stale = store.redrive_execution(redrive(&arn, 3000, 1, None)).await;
    assert!(matches!(stale, Ok(Redriven::Refused(_))), "{stale:?}");

    let Redriven::Redriven(reopened) = store
        .redrive_execution(redrive(&arn, 5000, 0, Some("token-1")))
        .await
        .unwrap()
    else {
        panic!("a failed execution reopens")
    };
    assert_eq!(reopened.status, ExecutionStatus::Running);
    assert_eq!(
        (
            reopened.output,
            reopened.error,
            reopened.cause,
            reopened.stopped_ms
        ),
        (None, None, None, None)
    );
    assert_eq!(
        (reopened.redrive_count, reopened.redrive_ms),
        (1, Some(5000))
    );
    let events = store
        .events(&arn, false, page(100, None))
        .await
        .unwrap()
        .items;
    let last = events.last().unwrap();
    assert_eq!(
        (
            last.id,
            last.previous_event_id,
            last.kind,
            last.thread.as_str(),
            last.seq
        ),
        (4, 3, EventType::ExecutionRedriven, "", 3)
    );
    assert_eq!(last.details.as_deref(), Some(r#"{"redriveCount":1}"#));
    // The same token again: the same answer, nothing changed.
    let repeated = store
        .redrive_execution(redrive(&arn, 6000, 1, Some("token-1")))
        .await
        .unwrap();
    assert!(
        matches!(repeated, Redriven::Repeated(ref r) if r.redrive_count == 1),
        "{repeated:?}"
    );
    // It runs on: transitions are taken again.
    store
        .commit(step(&arn, vec![event(5, EventType::TaskScheduled)]))
        .await
        .unwrap();
    assert_eq!(
        store
            .get_execution(&arn)
            .await
            .unwrap()
            .unwrap()
            .redrive_count,
        1
    );

    // A second execution never redriven, for the filter.
    let other = execution(&owner, "never", 80);
    store.start_execution(other.clone()).await.unwrap();
    let listed = |redriven| {
        let filter = ExecutionFilter {
            status: None,
            redriven: Some(redriven),
        };
        store.list_executions(&owner.arn, filter, page(10, None))
    };
    let names = |listed: Listed<ExecutionRecord>| -> Vec<String> {
        listed.items.into_iter().map(|e| e.name).collect()
    };
    assert_eq!(names(listed(true).await.unwrap()), ["again"]);
    assert_eq!(names(listed(false).await.unwrap()), ["never"]);
    let running_redriven = ExecutionFilter {
        status: Some(ExecutionStatus::Running),
        redriven: Some(true),
    };
    let both = store
        .list_executions(&owner.arn, running_redriven, page(10, None))
        .await
        .unwrap();
    assert_eq!(names(both), ["again"]);
}
