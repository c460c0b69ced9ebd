//! Encryption at rest on SQLite: with the operator's key, what executions carry never reaches
//! the database file in the clear, reads back intact, and needs that key to be read at all.

use fluxo_store::cipher::{NO_KEY, WRONG_KEY};
use fluxo_store::testing::secrets::{self, EXECUTION, MACHINE};
use fluxo_store::{Cipher, Store, StoreError};
use fluxo_store_sqlite::SqliteStore;
use std::path::Path;
use std::sync::Arc;

const SECRET: &str = "correct-horse-battery-staple-7f3a";

fn key(byte: u8) -> Cipher {
    Cipher::new(&[byte; 32])
}

/// Every byte of the data folder: the database, its WAL and any other file SQLite left.
fn folder_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// The sealed columns as stored, read with a connection of the test's own.
fn raw_values(dir: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(dir.join("fluxo.db")).unwrap();
    let sql = "SELECT definition FROM state_machines UNION ALL SELECT definition FROM revisions \
         UNION ALL SELECT input FROM executions WHERE arn = ?1 \
         UNION ALL SELECT error FROM executions WHERE arn = ?1 \
         UNION ALL SELECT cause FROM executions WHERE arn = ?1 \
         UNION ALL SELECT details FROM events UNION ALL SELECT input FROM tasks \
         UNION ALL SELECT error FROM tasks UNION ALL SELECT cause FROM tasks \
         UNION ALL SELECT body FROM map_runs \
         UNION ALL SELECT input FROM executions WHERE map_run_arn IS NOT NULL \
         UNION ALL SELECT output FROM executions WHERE map_run_arn IS NOT NULL";
    let mut statement = c.prepare(sql).unwrap();
    let rows = statement
        .query_map([EXECUTION], |row| row.get::<_, String>(0))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_with_a_key_passes_the_store_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_with(dir.path(), Some(key(1))).unwrap();
    fluxo_store::testing::run_suite(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_sealed_in_the_file_and_read_back_only_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SqliteStore::open_with(dir.path(), Some(key(1))).unwrap();
        secrets::keep_secret(&store, SECRET).await;
    }
    let values = raw_values(dir.path());
    // The definition, 2 revisions, input, error, cause, 3 events (one of the child), task
    // input, error and cause, one Map Run, the child's input and output: every one sealed
    // (the Map Run's outcome inside its body).
    assert_eq!(values.len(), 15, "{values:?}");
    for value in &values {
        assert!(!value.contains(SECRET), "stored in the clear: {value}");
        assert!(
            value.starts_with("enc1:") || value.contains("\"outcome\":\"enc1:"),
            "{value}"
        );
    }
    assert!(!contains(&folder_bytes(dir.path()), SECRET));

    // Reopened with the key, everything reads back.
    let store = SqliteStore::open_with(dir.path(), Some(key(1))).unwrap();
    secrets::read_secret_back(&store, SECRET).await;
    drop(store);

    // Without the key, or with another one, the store refuses to open, saying why.
    let error = SqliteStore::open(dir.path()).err().unwrap();
    assert_eq!(error, StoreError::Undecryptable(NO_KEY.into()));
    let error = SqliteStore::open_with(dir.path(), Some(key(2)))
        .err()
        .unwrap();
    assert_eq!(error, StoreError::Undecryptable(WRONG_KEY.into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_written_without_a_key_still_reads_once_a_key_is_given() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        secrets::keep_secret(&store, SECRET).await;
    }
    assert!(
        contains(&folder_bytes(dir.path()), SECRET),
        "plaintext without a key"
    );
    let store = SqliteStore::open_with(dir.path(), Some(key(1))).unwrap();
    secrets::read_secret_back(&store, SECRET).await;
    // New values are sealed from now on; the old ones read as they are.
    let machine = store.get_state_machine(MACHINE).await.unwrap().unwrap();
    assert!(machine.definition.contains(SECRET));
}
