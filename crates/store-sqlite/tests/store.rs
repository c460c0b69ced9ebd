//! The SQLite store passes the suite every backend must pass, and keeps what it committed.

use fluxo_store::{ExecutionRecord, Page, Store, TimerChange, Transition};
use fluxo_store_sqlite::SqliteStore;
use fluxo_types::{EventType, ExecutionStatus};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_store_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    fluxo_store::testing::run_suite(Arc::new(store)).await;
}

fn record(name: &str) -> ExecutionRecord {
    ExecutionRecord {
        arn: format!("arn:aws:states:us-east-1:1:execution:m:{name}"),
        state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
        name: name.into(),
        status: ExecutionStatus::Running,
        input: "{}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms: 1,
        stopped_ms: None,
        seed: u64::MAX,
        revision: 1,
        version_arn: None,
        alias_arn: None,
        redrive_count: 0,
        redrive_ms: None,
        map_run_arn: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_data_survives_reopening_and_concurrent_commits_all_land() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let mut tasks = Vec::new();
        for n in 0..20 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let execution = record(&format!("e{n}"));
                store.start_execution(execution.clone()).await.unwrap();
                for id in 1..=10u64 {
                    let event = fluxo_store::EventRecord {
                        id,
                        previous_event_id: id - 1,
                        timestamp_ms: id as i64,
                        kind: EventType::PassStateEntered,
                        details: None,
                        thread: String::new(),
                        seq: id as u32 - 1,
                    };
                    store
                        .commit(Transition {
                            execution_arn: execution.arn.clone(),
                            events: vec![event],
                            update: None,
                            timer: TimerChange::Keep,
                            fence: None,
                        })
                        .await
                        .unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    }
    let reopened = SqliteStore::open(dir.path()).unwrap();
    let running = reopened
        .executions_to_resume(Page::new(1000, None))
        .await
        .unwrap()
        .items;
    assert_eq!(running.len(), 20);
    assert_eq!(running[0].seed, u64::MAX, "seeds keep all 64 bits");
    for execution in running {
        let events = reopened
            .events(&execution.arn, false, Page::default())
            .await
            .unwrap();
        assert_eq!(events.items.len(), 10, "{}", execution.arn);
    }
}

/// A data folder written before executions had revisions migrates: each execution runs the
/// revision its state machine was at.
#[test]
fn a_version_2_database_migrates() {
    let dir = tempfile::tempdir().unwrap();
    {
        let c = rusqlite::Connection::open(dir.path().join("fluxo.db")).unwrap();
        c.execute_batch(include_str!("fixtures/schema-v2.sql"))
            .unwrap();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(dir.path()).unwrap();
        let execution = store
            .get_execution("arn:aws:states:us-east-1:1:execution:m:e")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(execution.revision, 3);
        let revision = store
            .get_revision(&execution.state_machine_arn, 3)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(revision.definition, "{\"v\":3}");
    });
}
