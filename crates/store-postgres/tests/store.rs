//! The PostgreSQL store against a real server: the suite every backend passes, migrations that
//! several nodes run at once, and what one transition costs in statements and transactions.

use fluxo_store::Store;
use fluxo_store_postgres::testing::TestServer;
use fluxo_store_postgres::{Options, PostgresStore};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_passes_the_store_suite() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.database("suite").await;
    let store = PostgresStore::connect(&url, Options::default())
        .await
        .unwrap();
    fluxo_store::testing::run_suite(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_that_start_together_migrate_once() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.database("together").await;
    let mut starting = Vec::new();
    for _ in 0..6 {
        let url = url.clone();
        starting.push(tokio::spawn(async move {
            PostgresStore::connect(&url, Options::default()).await
        }));
    }
    let mut stores = Vec::new();
    for start in starting {
        stores.push(start.await.unwrap().expect("every node starts"));
    }
    // They share one schema: what one node writes, another reads.
    let record = fluxo_store::ExecutionRecord {
        arn: "arn:aws:states:us-east-1:1:execution:m:e".into(),
        state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
        name: "e".into(),
        status: fluxo_types::ExecutionStatus::Running,
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
    };
    stores[0].start_execution(record.clone()).await.unwrap();
    let read = stores[5].get_execution(&record.arn).await.unwrap();
    assert_eq!(read, Some(record), "seeds keep all 64 bits");
    // A restart finds the schema current.
    drop(stores);
    PostgresStore::connect(&url, Options::default())
        .await
        .unwrap();
}
