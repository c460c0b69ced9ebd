//! Encryption at rest on PostgreSQL, against a real server: with the operator's key, what
//! executions carry is in no row in the clear, reads back intact, and needs that key.

use fluxo_store::cipher::{NO_KEY, WRONG_KEY};
use fluxo_store::testing::secrets;
use fluxo_store::{Cipher, StoreError};
use fluxo_store_postgres::testing::TestServer;
use fluxo_store_postgres::{Options, PostgresStore};
use std::sync::Arc;

const SECRET: &str = "correct-horse-battery-staple-7f3a";

fn key(byte: u8) -> Cipher {
    Cipher::new(&[byte; 32])
}

/// Every row of every table of Fluxo's schema, as PostgreSQL prints rows.
async fn every_row(url: &str) -> String {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    let tables = client
        .query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .await
        .unwrap();
    let mut all = String::new();
    for table in tables {
        let name: String = table.get(0);
        // Table names come from the catalog; quoted as identifiers.
        let sql = format!("SELECT COALESCE(string_agg(t::text, '\n'), '') FROM \"{name}\" t");
        let text: String = client.query_one(&sql, &[]).await.unwrap().get(0);
        all.push_str(&text);
    }
    drop(client);
    let _ = task.await;
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_with_a_key_passes_the_store_suite() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.database("sealed_suite").await;
    let store = PostgresStore::connect_with(&url, Options::default(), Some(key(1)))
        .await
        .unwrap();
    fluxo_store::testing::run_suite(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_sealed_in_every_row_and_read_back_only_with_the_key() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.database("sealed").await;
    {
        let store = PostgresStore::connect_with(&url, Options::default(), Some(key(1)))
            .await
            .unwrap();
        secrets::keep_secret(&store, SECRET).await;
    }
    let rows = every_row(&url).await;
    assert!(rows.contains("enc1:"), "{rows}");
    assert!(
        rows.contains(secrets::EXECUTION),
        "names stay plain: {rows}"
    );
    assert!(!rows.contains(SECRET), "stored in the clear: {rows}");

    let store = PostgresStore::connect_with(&url, Options::default(), Some(key(1)))
        .await
        .unwrap();
    secrets::read_secret_back(&store, SECRET).await;
    drop(store);

    let error = PostgresStore::connect(&url, Options::default())
        .await
        .err()
        .unwrap();
    assert_eq!(error, StoreError::Undecryptable(NO_KEY.into()));
    let error = PostgresStore::connect_with(&url, Options::default(), Some(key(2)))
        .await
        .err()
        .unwrap();
    assert_eq!(error, StoreError::Undecryptable(WRONG_KEY.into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_written_without_a_key_still_reads_once_a_key_is_given() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.database("plain_then_sealed").await;
    {
        let store = PostgresStore::connect(&url, Options::default())
            .await
            .unwrap();
        secrets::keep_secret(&store, SECRET).await;
    }
    assert!(
        every_row(&url).await.contains(SECRET),
        "plaintext without a key"
    );
    let store = PostgresStore::connect_with(&url, Options::default(), Some(key(1)))
        .await
        .unwrap();
    secrets::read_secret_back(&store, SECRET).await;
}
