//! Several nodes on one PostgreSQL database (issue 15), in one run: the same workload as
//! durable Standard executions with one, two and three nodes (each a `Runtime` with its own
//! connection pool, as separate `fluxo server` processes would have; executions started
//! round-robin, all at once, each driven by the node that started it), next to one node on
//! SQLite and next to the floor of the same PostgreSQL: the same event rows written by bare
//! `INSERT`s, one autocommit statement per transition, over the same number of connections.
//! Store transactions are counted by the counting decorator; SQL statements and server
//! transactions per transition are counted from the server's own statement log in a separate,
//! untimed run (`log_statement=all`). The server is a throwaway one (`initdb`, `fsync=off`, as
//! `fluxo_store_postgres::testing` starts it), on this machine: its figures share the cores.

use crate::counting::{CountingStore, Counts};
use crate::durable::{self, Durable};
use crate::workloads::{create_machine, Measured, Workload};
use anyhow::{ensure, Context, Result};
use fluxo_engine::NoFunctions;
use fluxo_runtime::{ExecutionInput, Runtime, RuntimeConfig};
use fluxo_store_postgres::testing::TestServer;
use fluxo_store_postgres::{Options, PostgresStore};
use fluxo_types::StateMachineType;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Connections per node (the store's default pool).
const POOL: usize = 16;

/// One run of the section.
pub struct NodesRun {
    /// `postgres, 2 nodes`, `sqlite, 1 node`, `postgres floor`.
    pub label: String,
    pub durable: Durable,
}

/// What the statement log showed for one node's run: per store transaction (start or commit).
pub struct Statements {
    pub statements: usize,
    pub transactions: usize,
    pub counts: Counts,
}

async fn open_node(url: &str, id: usize) -> Result<(Arc<Runtime>, Arc<CountingStore>)> {
    let options = Options {
        max_connections: POOL,
    };
    let postgres = Arc::new(PostgresStore::connect(url, options).await?);
    let store = Arc::new(CountingStore::new(postgres));
    let mut config = RuntimeConfig::new("us-east-1", "123456789012");
    config.node_id = format!("bench-node-{id}");
    config.unload_after = None;
    let runtime = Runtime::new(store.clone(), Arc::new(NoFunctions), config);
    Ok((runtime, store))
}

/// `workload` on `nodes` nodes sharing the database at `url` (a fresh one).
async fn on_nodes(workload: &Workload, url: &str, nodes: usize) -> Result<Durable> {
    let mut opened = Vec::new();
    for id in 0..nodes {
        opened.push(open_node(url, id).await?);
    }
    let (first, _) = &opened[0];
    let kind = StateMachineType::Standard;
    let machine = create_machine(first, &workload.id, kind, &workload.definition).await?;
    let input = workload.input.to_string();
    let before: Vec<Counts> = opened.iter().map(|(_, store)| store.counts()).collect();
    let started = Instant::now();
    let machine = &machine;
    let starts = (0..workload.executions).map(|n| {
        let (runtime, _) = &opened[n % nodes];
        let input = ExecutionInput {
            text: input.clone(),
            value: workload.input.clone(),
        };
        let now = jiff::Timestamp::now().as_millisecond();
        async move {
            runtime
                .start(machine, &format!("run-{n}"), input, now)
                .await
        }
    });
    let mut arns = Vec::with_capacity(workload.executions);
    for started in futures::future::join_all(starts).await {
        arns.push(started?.arn);
    }
    for (runtime, _) in &opened {
        runtime.idle().await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let counts = opened
        .iter()
        .zip(before)
        .map(|((_, store), before)| store.counts().since(before))
        .fold(Counts::default(), Counts::plus);
    let states = durable::check_all(workload, opened[0].1.as_ref(), &arns).await?;
    Ok(Durable {
        measured: Measured {
            id: workload.id.clone(),
            executions: workload.executions,
            runs: 1,
            states,
            seconds,
        },
        counts,
    })
}

/// The floor: `transitions` transitions' event rows (two per transition, as the store's
/// benchmark writes them) inserted by [`POOL`] connections, one autocommit `INSERT` each.
async fn floor(url: &str, transitions: usize) -> Result<f64> {
    // The store creates the schema.
    drop(PostgresStore::connect(url, Options::default()).await?);
    let mut clients = Vec::new();
    for _ in 0..POOL {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        clients.push(client);
    }
    let details = r#"{"name":"S","output":"{\"n\":1}","outputDetails":{"truncated":false}}"#;
    let started = Instant::now();
    let tasks = clients.into_iter().enumerate().map(|(lane, client)| async move {
        let insert = client
            .prepare(
                "INSERT INTO events (execution_arn, id, previous_event_id, timestamp_ms, kind, details, thread, seq) \
                 VALUES ($1, $2, $3, $2, 'PassStateExited', $5, '', $2), \
                        ($1, $4, $2, $4, 'PassStateEntered', $5, '', $4)",
            )
            .await?;
        let arn = format!("arn:aws:states:us-east-1:123456789012:execution:floor:e{lane}");
        for step in (lane..transitions).step_by(POOL) {
            let id = 2 * step as i64 + 1;
            let (previous, next) = (id - 1, id + 1);
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
                [&arn, &id, &previous, &next, &details];
            client.execute(&insert, &params).await?;
        }
        anyhow::Ok(())
    });
    for done in futures::future::join_all(tasks).await {
        done?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let rows: i64 = client
        .query_one("SELECT COUNT(*) FROM events", &[])
        .await?
        .get(0);
    ensure!(
        rows == 2 * transitions as i64,
        "the floor left {rows} events, not {}",
        2 * transitions
    );
    Ok(transitions as f64 / seconds)
}

/// What the server's log shows for the session named `app`: (statements, transactions), as
/// `fluxo-store-postgres`'s `tests/statements.rs` counts them.
fn counted(log: &str, app: &str) -> (usize, usize) {
    let prefix = format!("{app}|LOG:  ");
    let (mut statements, mut transactions, mut open) = (0, 0, false);
    for entry in log.lines().filter_map(|line| line.strip_prefix(&prefix)) {
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

/// Runs `workload` once more on one node whose sessions log every statement (untimed).
async fn statements(server: &TestServer, workload: &Workload) -> Result<Statements> {
    let base = server.database("fluxo_bench_statements").await;
    let app = "fluxo_bench_counted";
    let url = format!("{base}?application_name={app}&options=-c%20log_statement%3Dall");
    let (runtime, store) = open_node(&url, 0).await?;
    let kind = StateMachineType::Standard;
    let machine = create_machine(&runtime, &workload.id, kind, &workload.definition).await?;
    let before_log = server.log().len();
    let before = store.counts();
    let input = workload.input.to_string();
    let mut arns = Vec::new();
    for n in 0..workload.executions.min(20) {
        let value = workload.input.clone();
        let input = ExecutionInput {
            text: input.clone(),
            value,
        };
        let now = jiff::Timestamp::now().as_millisecond();
        arns.push(
            runtime
                .start(&machine, &format!("counted-{n}"), input, now)
                .await?
                .arn,
        );
        runtime.idle().await;
    }
    let counts = store.counts().since(before);
    durable::check_all(workload, store.as_ref(), &arns).await?;
    // The log is written by the server's processes: give the last lines a moment.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let log = server.log();
    let (statements, transactions) = counted(log.get(before_log..).unwrap_or(""), app);
    ensure!(statements > 0, "the statement log of {app} is empty");
    Ok(Statements {
        statements,
        transactions,
        counts,
    })
}

/// The whole section: `None` (with a notice) when PostgreSQL is not installed and not
/// required (`fluxo_store_postgres::testing`).
pub async fn run(
    workload: &Workload,
    scratch: &Path,
) -> Result<Option<(Vec<NodesRun>, Statements)>> {
    let Some(server) = TestServer::start() else {
        return Ok(None);
    };
    let mut runs = Vec::new();
    let sqlite = durable::run(std::slice::from_ref(workload), scratch).await?;
    let sqlite = sqlite.into_iter().next().context("the SQLite run")?;
    runs.push(NodesRun {
        label: "sqlite, 1 node".into(),
        durable: sqlite,
    });
    for nodes in 1..=3 {
        let url = server.database(&format!("fluxo_bench_{nodes}_nodes")).await;
        let durable = on_nodes(workload, &url, nodes).await?;
        let label = format!(
            "postgres, {nodes} node{}",
            if nodes == 1 { "" } else { "s" }
        );
        runs.push(NodesRun { label, durable });
    }
    let transitions = runs[1].durable.counts.commits as usize;
    let url = server.database("fluxo_bench_floor").await;
    let per_second = floor(&url, transitions).await?;
    let seconds = transitions as f64 / per_second;
    let measured = Measured {
        id: workload.id.clone(),
        executions: 0,
        runs: 1,
        states: 0,
        seconds,
    };
    let counts = Counts {
        commits: transitions as u64,
        ..Counts::default()
    };
    runs.push(NodesRun {
        label: "postgres floor".into(),
        durable: Durable { measured, counts },
    });
    let counted = statements(&server, workload).await?;
    Ok(Some((runs, counted)))
}
