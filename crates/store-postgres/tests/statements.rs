//! What one transition costs on PostgreSQL, counted from the server's own statement log (a
//! session with `log_statement=all`): statements (`BEGIN` and `COMMIT` included) and
//! transactions per `Store::commit`.

use fluxo_store::{EventRecord, ExecutionRecord, ExecutionUpdate, Store, TimerChange, Transition};
use fluxo_store_postgres::testing::TestServer;
use fluxo_store_postgres::{Options, PostgresStore};
use fluxo_types::{EventType, ExecutionStatus};

/// What the log shows for the session named `app`: (statements, transactions).
fn counted(log: &str, app: &str) -> (usize, usize) {
    let prefix = format!("{app}|LOG:  ");
    let (mut statements, mut transactions, mut open) = (0, 0, false);
    for line in log.lines() {
        let Some(entry) = line.strip_prefix(&prefix) else {
            continue;
        };
        let text = match (
            entry.strip_prefix("statement: "),
            entry.strip_prefix("execute "),
        ) {
            (Some(text), _) => text,
            (None, Some(rest)) => rest.split_once(": ").map_or(rest, |(_, text)| text),
            (None, None) => continue,
        };
        statements += 1;
        match text.trim() {
            "BEGIN" | "START TRANSACTION" => open = true,
            "COMMIT" | "ROLLBACK" => {
                open = false;
                transactions += 1;
            }
            _ if !open => transactions += 1,
            _ => {}
        }
    }
    (statements, transactions)
}

fn event(id: u64) -> EventRecord {
    EventRecord {
        id,
        previous_event_id: id - 1,
        timestamp_ms: id as i64,
        kind: EventType::PassStateEntered,
        details: Some("{}".into()),
        thread: String::new(),
        seq: id as u32 - 1,
    }
}

async fn measure(
    server: &TestServer,
    base: &str,
    app: &str,
    work: impl AsyncFnOnce(&PostgresStore),
) -> (usize, usize) {
    let url = format!("{base}?application_name={app}&options=-c%20log_statement%3Dall");
    let store = PostgresStore::connect(&url, Options::default())
        .await
        .unwrap();
    work(&store).await;
    drop(store);
    // The server writes its log as it goes; give it a moment to reach the file.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if std::env::var_os("FLUXO_SHOW_LOG").is_some() {
        eprintln!("{}", server.log());
    }
    counted(&server.log(), app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_transition_is_one_transaction_of_four_statements() {
    let Some(server) = TestServer::start() else {
        return;
    };
    let base = server.database("statements").await;
    let record = ExecutionRecord {
        arn: "arn:aws:states:us-east-1:1:execution:m:e".into(),
        state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
        name: "e".into(),
        status: ExecutionStatus::Running,
        input: "{}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms: 1,
        stopped_ms: None,
        seed: 1,
        revision: 1,
        version_arn: None,
        alias_arn: None,
        redrive_count: 0,
        redrive_ms: None,
        map_run_arn: None,
    };
    PostgresStore::connect(&base, Options::default())
        .await
        .unwrap()
        .start_execution(record.clone())
        .await
        .unwrap();
    const STEPS: u64 = 50;
    let steps = measure(&server, &base, "steps", async |store| {
        for id in 1..=STEPS {
            // Two events per transition, as a state's exit and the next one's entry.
            let transition = Transition {
                execution_arn: record.arn.clone(),
                events: vec![event(2 * id - 1), event(2 * id)],
                update: None,
                timer: TimerChange::Keep,
                fence: None,
            };
            store.commit(transition).await.unwrap();
        }
    })
    .await;
    let ending = measure(&server, &base, "ending", async |store| {
        let transition = Transition {
            execution_arn: record.arn.clone(),
            events: vec![event(2 * STEPS + 1)],
            update: Some(ExecutionUpdate {
                status: ExecutionStatus::Succeeded,
                output: Some("{}".into()),
                error: None,
                cause: None,
                stopped_ms: Some(9),
            }),
            timer: TimerChange::Clear,
            fence: None,
        };
        store.commit(transition).await.unwrap();
    })
    .await;
    // Connecting runs the migration check once per store: one transaction of 7 statements
    // (BEGIN, the advisory lock, CREATE TABLE IF NOT EXISTS, the version read, DELETE and
    // INSERT of the version row, COMMIT); then the encryption key check reads `secrets` (one
    // statement, its own transaction).
    let migration = (8, 2);
    let per_step = (
        (steps.0 - migration.0) as f64 / STEPS as f64,
        (steps.1 - migration.1) as f64 / STEPS as f64,
    );
    let last = (ending.0 - migration.0, ending.1 - migration.1);
    println!(
        "PostgreSQL, one Store::commit: {} statements in {} transaction(s) mid-execution; \
         {} statements in {} transaction(s) for the final one (status and timer too)",
        per_step.0, per_step.1, last.0, last.1
    );
    assert_eq!(
        per_step,
        (4.0, 1.0),
        "BEGIN, lock and check, INSERT events, COMMIT"
    );
    assert_eq!(last, (6, 1), "and the status UPDATE and the timer DELETE");
}
