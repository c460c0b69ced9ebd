//! Values that encryption at rest must hide (`AtRest`): each backend's test writes them with
//! [`keep_secret`], then reads its own raw rows or file bytes and asserts that the secret is
//! absent, and reads them back with [`read_secret_back`] (also after reopening with the key).

use super::{event, execution, machine, step};
use crate::*;
use fluxo_types::map_run::{MapRunCounts, MapRunLimits, MapRunRecord, MapRunStatus};
use fluxo_types::{EventType, ExecutionStatus};

/// The state machine, execution, task and Map Run that [`keep_secret`] writes.
pub const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:secretive";
pub const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:secretive:run";
pub const TASK_TOKEN: &str = "secretive-task";
/// The execution that waits on the task (running, so that its task is kept).
pub const WAITING: &str = "arn:aws:states:us-east-1:123456789012:execution:secretive:waiting";
pub const MAP_RUN: &str = "arn:aws:states:us-east-1:123456789012:mapRun:secretive/map:1";
/// A child execution of the Map Run, kept with its history.
pub const CHILD: &str = "arn:aws:states:us-east-1:123456789012:execution:secretive/map:child";

fn child(secret: &str) -> ExecutionRecord {
    ExecutionRecord {
        input: secret_json(secret),
        output: Some(secret_json(secret)),
        ..super::child_executions::child_of(
            "secretive/map",
            MAP_RUN,
            "child",
            ExecutionStatus::Succeeded,
            11,
        )
    }
}

fn secret_json(secret: &str) -> String {
    serde_json::json!({ "password": secret }).to_string()
}

fn map_run(secret: &str) -> MapRunRecord {
    MapRunRecord {
        arn: MAP_RUN.into(),
        execution_arn: EXECUTION.into(),
        state_machine_arn: format!("{MACHINE}/map"),
        status: MapRunStatus::Failed,
        start_ms: 10,
        stop_ms: Some(20),
        limits: MapRunLimits {
            max_concurrency: 1,
            tolerated_failure_count: 0,
            tolerated_failure_percentage: 0.0,
        },
        item_counts: MapRunCounts::default(),
        execution_counts: MapRunCounts::default(),
        outcome: Some(secret_json(secret)),
        redrive_count: 0,
        redrive_ms: None,
    }
}

/// Writes `secret` into every value that is encrypted at rest: a definition (and its
/// revisions, after an update), an execution's input, output, error and cause, event details
/// (committed and from a stop), a task's input and outcome, a Map Run's outcome, and a child
/// execution's record and history.
pub async fn keep_secret(store: &dyn Store, secret: &str) {
    let mut record = machine("secretive");
    record.definition = format!(
        r#"{{"StartAt":"A","States":{{"A":{{"Type":"Pass","Result":"{secret}","End":true}}}}}}"#
    );
    store
        .create_state_machine(record.clone(), vec![])
        .await
        .unwrap();
    // The same creation again is recognised (compared in the clear), and an update keeps
    // revision 1's definition and adds revision 2's.
    let again = store.create_state_machine(record.clone(), vec![]).await;
    assert!(matches!(again, Ok(Created::Existing(_))), "{again:?}");
    store
        .update_state_machine(StateMachineUpdate {
            arn: MACHINE.into(),
            definition: Some(record.definition.replace("\"A\"", "\"B\"")),
            role_arn: None,
            logging: None,
            updated_ms: 2,
            revision_id: "r2".into(),
            encryption: None,
        })
        .await
        .unwrap();
    let mut run = execution(&record, "run", 1);
    run.input = secret_json(secret);
    store.start_execution(run).await.unwrap();
    store
        .start_execution(execution(&record, "waiting", 2))
        .await
        .unwrap();
    let mut entered = event(1, EventType::ExecutionStarted);
    entered.details = Some(secret_json(secret));
    store.commit(step(EXECUTION, vec![entered])).await.unwrap();
    let task = TaskRecord {
        token: TASK_TOKEN.into(),
        execution_arn: WAITING.into(),
        activity_arn: None,
        input: secret_json(secret),
        scheduled_ms: 5,
        timeout_at_ms: None,
        heartbeat_seconds: None,
        heartbeat_at_ms: None,
        started_ms: Some(5),
        worker_name: None,
        outcome: None,
        completed_ms: None,
    };
    store.open_task(task).await.unwrap();
    let outcome = TaskOutcome::Failed {
        error: Some(format!("E.{secret}")),
        cause: Some(secret.into()),
    };
    store
        .complete_task(TASK_TOKEN.into(), outcome, 6)
        .await
        .unwrap()
        .unwrap();
    store.report_map_run(map_run(secret)).await.unwrap();
    let mut child_started = event(1, EventType::ExecutionStarted);
    child_started.details = Some(secret_json(secret));
    store
        .record_child_execution(child(secret), vec![child_started])
        .await
        .unwrap();
    store
        .abort_execution(Abort {
            execution_arn: EXECUTION.into(),
            kind: EventType::ExecutionFailed,
            details: Some(secret_json(secret)),
            timestamp_ms: 30,
            error: Some(format!("E.{secret}")),
            cause: Some(secret.into()),
        })
        .await
        .unwrap();
    read_secret_back(store, secret).await;
}

/// Reads back through the store every value [`keep_secret`] wrote, intact.
pub async fn read_secret_back(store: &dyn Store, secret: &str) {
    let machine = store.get_state_machine(MACHINE).await.unwrap().unwrap();
    assert!(
        machine.definition.contains(secret),
        "{}",
        machine.definition
    );
    assert!(machine.definition.contains("\"B\""));
    let first = store.get_revision(MACHINE, 1).await.unwrap().unwrap();
    assert!(first.definition.contains(secret) && first.definition.contains("\"A\""));
    let listed = store
        .list_state_machines(Page::new(100, None))
        .await
        .unwrap();
    assert!(listed
        .items
        .iter()
        .any(|m| m.definition == machine.definition));

    let run = store.get_execution(EXECUTION).await.unwrap().unwrap();
    assert_eq!(run.status, ExecutionStatus::Failed);
    assert_eq!(run.input, secret_json(secret));
    assert_eq!(run.error, Some(format!("E.{secret}")));
    assert_eq!(run.cause.as_deref(), Some(secret));
    let listed = store
        .list_executions(MACHINE, ExecutionFilter::default(), Page::new(10, None))
        .await
        .unwrap();
    assert!(listed.items.contains(&run), "{listed:?}");

    let events = store
        .events(EXECUTION, false, Page::new(10, None))
        .await
        .unwrap();
    let details: Vec<_> = events.items.iter().map(|e| e.details.clone()).collect();
    assert_eq!(
        details,
        [Some(secret_json(secret)), Some(secret_json(secret))]
    );

    let run = store.get_map_run(MAP_RUN).await.unwrap().unwrap();
    assert_eq!(run, map_run(secret));
    assert_eq!(
        store.get_execution(CHILD).await.unwrap(),
        Some(child(secret))
    );
    let children = store
        .list_executions(MAP_RUN, ExecutionFilter::default(), Page::new(10, None))
        .await
        .unwrap();
    assert_eq!(children.items, [child(secret)]);
    let child_events = store
        .events(CHILD, false, Page::new(10, None))
        .await
        .unwrap();
    assert_eq!(child_events.items[0].details, Some(secret_json(secret)));

    let task = store.get_task(TASK_TOKEN).await.unwrap().unwrap();
    assert_eq!(task.input, secret_json(secret));
    assert_eq!(
        task.outcome,
        Some(TaskOutcome::Failed {
            error: Some(format!("E.{secret}")),
            cause: Some(secret.into()),
        })
    );
}
