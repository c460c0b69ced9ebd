//! The suite's part for activities and tasks ([`TaskStore`]).

use super::{execution, machine, step};
use crate::*;
use fluxo_types::ExecutionStatus;

const ACTIVITY: &str = "arn:aws:states:us-east-1:123456789012:activity:review";

fn activity(name: &str, created_ms: i64) -> ActivityRecord {
    ActivityRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:activity:{name}"),
        name: name.into(),
        created_ms,
        encryption: None,
    }
}

fn task(token: &str, execution_arn: &str, scheduled_ms: i64) -> TaskRecord {
    TaskRecord {
        token: token.into(),
        execution_arn: execution_arn.into(),
        activity_arn: Some(ACTIVITY.into()),
        input: r#"{"n":1}"#.into(),
        scheduled_ms,
        timeout_at_ms: Some(scheduled_ms + 60_000),
        heartbeat_seconds: Some(10),
        heartbeat_at_ms: None,
        started_ms: None,
        worker_name: None,
        outcome: None,
        completed_ms: None,
    }
}

pub(super) async fn run(store: &dyn Store) {
    activities(store).await;
    secret(store).await;
    tasks_are_claimed_oldest_first_and_once(store).await;
    completion_and_timeout_race_in_the_store(store).await;
    completion_wakes_a_parked_execution(store).await;
    ending_forgets_tasks(store).await;
}

async fn activities(store: &dyn Store) {
    let first = store.create_activity(activity("b", 1)).await.unwrap();
    assert_eq!(first.created_ms, 1);
    let again = store.create_activity(activity("b", 2)).await.unwrap();
    assert_eq!(again.created_ms, 1, "a repeated creation returns the first");
    // A customer managed key's configuration is kept and read back.
    let key = r#"{"type":"CUSTOMER_MANAGED_KMS_KEY","kmsKeyId":"alias/k"}"#;
    let keyed = store
        .create_activity(ActivityRecord {
            encryption: Some(key.into()),
            ..activity("a", 3)
        })
        .await
        .unwrap();
    assert_eq!(keyed.encryption.as_deref(), Some(key));
    let read = store.get_activity(&keyed.arn).await.unwrap().unwrap();
    assert_eq!(read.encryption.as_deref(), Some(key));
    store.create_activity(activity("c", 4)).await.unwrap();
    let one = store.list_activities(Page::new(2, None)).await.unwrap();
    let names: Vec<&str> = one.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["a", "b"], "by name");
    let two = store
        .list_activities(Page::new(2, one.next_token))
        .await
        .unwrap();
    assert_eq!(two.items.len(), 1);
    assert_eq!(two.next_token, None);
    store.delete_activity(&first.arn).await.unwrap();
    store.delete_activity(&first.arn).await.unwrap();
    assert_eq!(store.get_activity(&first.arn).await.unwrap(), None);
    assert!(store
        .get_activity(&activity("a", 0).arn)
        .await
        .unwrap()
        .is_some());
}

async fn secret(store: &dyn Store) {
    let secret = store.secret().await.unwrap();
    assert_eq!(secret.len(), 32);
    assert_eq!(store.secret().await.unwrap(), secret, "made once");
}

async fn tasks_are_claimed_oldest_first_and_once(store: &dyn Store) {
    let owner = machine("tasks-a");
    let running = execution(&owner, "claims", 1);
    store.start_execution(running.clone()).await.unwrap();
    store
        .open_task(task("t-late", &running.arn, 200))
        .await
        .unwrap();
    store
        .open_task(task("t-early", &running.arn, 100))
        .await
        .unwrap();
    // Opening again (a replay) changes nothing.
    let mut changed = task("t-early", &running.arn, 999);
    changed.input = "{}".into();
    let reopened = store.open_task(changed).await.unwrap();
    assert_eq!(reopened.scheduled_ms, 100);
    let claimed = store
        .claim_task(ACTIVITY, Some("w1".into()), 1_000)
        .await
        .unwrap()
        .expect("a task");
    assert_eq!(claimed.token, "t-early");
    assert_eq!(claimed.worker_name.as_deref(), Some("w1"));
    assert_eq!(claimed.started_ms, Some(1_000));
    assert_eq!(
        claimed.heartbeat_at_ms,
        Some(11_000),
        "heartbeat counts from the start"
    );
    let second = store.claim_task(ACTIVITY, None, 1_001).await.unwrap();
    assert_eq!(second.map(|t| t.token).as_deref(), Some("t-late"));
    assert_eq!(store.claim_task(ACTIVITY, None, 1_002).await.unwrap(), None);
    let other = "arn:aws:states:us-east-1:123456789012:activity:other";
    assert_eq!(store.claim_task(other, None, 1_002).await.unwrap(), None);
    let beat = store
        .heartbeat_task("t-early", 5_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(beat.heartbeat_at_ms, Some(15_000));
    assert_eq!(
        store.heartbeat_task("nope", 5_000).await.unwrap(),
        Err(TaskRefusal::NotFound)
    );
}

async fn completion_and_timeout_race_in_the_store(store: &dyn Store) {
    let owner = machine("tasks-b");
    let running = execution(&owner, "races", 1);
    store.start_execution(running.clone()).await.unwrap();
    store.open_task(task("r1", &running.arn, 0)).await.unwrap();
    let done = store
        .complete_task("r1".into(), TaskOutcome::Succeeded("7".into()), 500)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.outcome, Some(TaskOutcome::Succeeded("7".into())));
    assert_eq!(done.completed_ms, Some(500));
    assert_eq!(
        store
            .complete_task("r1".into(), TaskOutcome::TimedOut, 600)
            .await
            .unwrap(),
        Err(TaskRefusal::Ended),
        "completed once"
    );
    // Past its timeout, a completion is refused and the task has timed out.
    store.open_task(task("r2", &running.arn, 0)).await.unwrap();
    let late = TaskOutcome::Failed {
        error: Some("E".into()),
        cause: None,
    };
    assert_eq!(
        store
            .complete_task("r2".into(), late, 60_000)
            .await
            .unwrap(),
        Err(TaskRefusal::Ended)
    );
    let r2 = store.get_task("r2").await.unwrap().unwrap();
    assert_eq!(r2.outcome, Some(TaskOutcome::TimedOut));
    // A started task without heartbeats expires on its heartbeat deadline.
    store.open_task(task("r3", &running.arn, 0)).await.unwrap();
    store.claim_task(ACTIVITY, None, 1_000).await.unwrap();
    let early = store.expire_task("r3", 10_999).await.unwrap().unwrap();
    assert_eq!(early.outcome, None);
    let expired = store.expire_task("r3", 11_000).await.unwrap().unwrap();
    assert_eq!(expired.outcome, Some(TaskOutcome::HeartbeatTimedOut));
    assert_eq!(
        store.heartbeat_task("r3", 11_001).await.unwrap(),
        Err(TaskRefusal::Ended)
    );
    store.close_task("r3").await.unwrap();
    assert_eq!(store.get_task("r3").await.unwrap(), None);
}

async fn completion_wakes_a_parked_execution(store: &dyn Store) {
    let owner = machine("tasks-c");
    // Parked first, then completed: the timer becomes due.
    let parked = execution(&owner, "parked", 1);
    store.start_execution(parked.clone()).await.unwrap();
    store.open_task(task("w1", &parked.arn, 0)).await.unwrap();
    store
        .commit(Transition {
            timer: TimerChange::Set(50_000),
            ..step(&parked.arn, vec![])
        })
        .await
        .unwrap();
    store
        .complete_task("w1".into(), TaskOutcome::Succeeded("1".into()), 700)
        .await
        .unwrap()
        .unwrap();
    let due = store.due_timers(700, 100).await.unwrap();
    assert!(due.iter().any(|t| t.execution_arn == parked.arn));
    // Completed first, then parked (the lost wake-up race): the timer is due as well.
    let late = execution(&owner, "parks-late", 2);
    store.start_execution(late.clone()).await.unwrap();
    store.open_task(task("w2", &late.arn, 0)).await.unwrap();
    store
        .complete_task("w2".into(), TaskOutcome::Succeeded("1".into()), 800)
        .await
        .unwrap()
        .unwrap();
    store
        .commit(Transition {
            timer: TimerChange::Set(50_000),
            ..step(&late.arn, vec![])
        })
        .await
        .unwrap();
    let due = store.due_timers(800, 100).await.unwrap();
    assert!(due.iter().any(|t| t.execution_arn == late.arn));
    // Once the outcome is recorded and the task closed, parking waits for the timer again.
    store.close_task("w2").await.unwrap();
    store
        .commit(Transition {
            timer: TimerChange::Set(50_000),
            ..step(&late.arn, vec![])
        })
        .await
        .unwrap();
    let due = store.due_timers(800, 100).await.unwrap();
    assert!(!due.iter().any(|t| t.execution_arn == late.arn));
}

async fn ending_forgets_tasks(store: &dyn Store) {
    let owner = machine("tasks-d");
    let ended = execution(&owner, "ends", 1);
    store.start_execution(ended.clone()).await.unwrap();
    store.open_task(task("e1", &ended.arn, 0)).await.unwrap();
    store
        .commit(super::ending(&ended.arn, 1, ExecutionStatus::Succeeded))
        .await
        .unwrap();
    assert_eq!(store.get_task("e1").await.unwrap(), None);
    let stopped = execution(&owner, "stopped", 2);
    store.start_execution(stopped.clone()).await.unwrap();
    store.open_task(task("e2", &stopped.arn, 0)).await.unwrap();
    store
        .abort_execution(Abort {
            execution_arn: stopped.arn.clone(),
            kind: fluxo_types::EventType::ExecutionAborted,
            details: None,
            timestamp_ms: 5,
            error: None,
            cause: None,
        })
        .await
        .unwrap();
    assert_eq!(store.get_task("e2").await.unwrap(), None);
}
