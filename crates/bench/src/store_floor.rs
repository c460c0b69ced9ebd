//! The store alone: durable transitions per second through `fluxo-store-sqlite`'s group-commit
//! writer, against the floor of the same rows written directly on one connection with the same
//! durability settings. Both runs count the rows they left afterwards.

use anyhow::{ensure, Context, Result};
use fluxo_store::{EventRecord, ExecutionRecord, Store, TimerChange, Transition};
use fluxo_store_sqlite::SqliteStore;
use fluxo_types::{EventType, ExecutionStatus};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:bench";

fn execution(n: usize) -> ExecutionRecord {
    ExecutionRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:execution:bench:e{n}"),
        state_machine_arn: MACHINE.into(),
        name: format!("e{n}"),
        status: ExecutionStatus::Running,
        input: "{}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms: 0,
        stopped_ms: None,
        seed: 0,
        revision: 1,
        version_arn: None,
        alias_arn: None,
        redrive_count: 0,
        redrive_ms: None,
        map_run_arn: None,
    }
}

/// The rows of one mid-execution transition, as the runtime commits them before an effect: a
/// state's exit and the next state's entry, no status change, the timer kept.
fn transition(arn: &str, step: usize) -> Transition {
    let event = |id: usize, kind| EventRecord {
        id: id as u64,
        previous_event_id: id as u64 - 1,
        timestamp_ms: id as i64,
        kind,
        details: Some(
            r#"{"name":"S","output":"{\"n\":1}","outputDetails":{"truncated":false}}"#.into(),
        ),
        thread: String::new(),
        seq: id as u32,
    };
    Transition {
        execution_arn: arn.to_string(),
        events: vec![
            event(2 * step + 1, EventType::PassStateExited),
            event(2 * step + 2, EventType::PassStateEntered),
        ],
        update: None,
        timer: TimerChange::Keep,
        fence: None,
    }
}

/// Events in the store's database in `dir`, counted on a connection of their own.
fn stored_events(dir: &Path) -> Result<u64> {
    let connection = Connection::open(dir.join("fluxo.db"))?;
    let count: i64 = connection.query_row("SELECT COUNT(*) FROM events", [], |row| row.get(0))?;
    Ok(count.try_into()?)
}

/// Transitions per second committed by `executions` concurrent tasks, `steps` each, each
/// transition acknowledged only once durable.
pub async fn group_commit_rate(dir: &Path, executions: usize, steps: usize) -> Result<f64> {
    let _ = std::fs::remove_dir_all(dir);
    let store = Arc::new(SqliteStore::open(dir)?);
    for n in 0..executions {
        store.start_execution(execution(n)).await?;
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..executions {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let arn = execution(n).arn;
            for step in 0..steps {
                store.commit(transition(&arn, step)).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(store);
    let events = stored_events(dir)?;
    ensure!(
        events == (2 * executions * steps) as u64,
        "group commit left {events} events, not {}",
        2 * executions * steps
    );
    Ok((executions * steps) as f64 / seconds)
}

/// The floor: the same rows and the same statements as the store's commit (the status read
/// that guards it, the event inserts), written by one connection with the store's schema and
/// durability settings, in transactions of `batch` transitions, with no channel, no savepoints
/// and no waiting callers.
pub fn insert_floor_rate(dir: &Path, transitions: usize, batch: usize) -> Result<f64> {
    let _ = std::fs::remove_dir_all(dir);
    let arn = execution(0).arn;
    {
        // The store creates the schema (and sets WAL) and stores the one execution.
        let store = SqliteStore::open(dir)?;
        futures::executor::block_on(store.start_execution(execution(0)))?;
    }
    let mut connection = Connection::open(dir.join("fluxo.db"))?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    let started = Instant::now();
    let mut done = 0;
    while done < transitions {
        let tx = connection.transaction()?;
        for step in done..(done + batch.max(1)).min(transitions) {
            let t = transition(&arn, step);
            let status: Option<String> = tx
                .prepare_cached("SELECT status FROM executions WHERE arn = ?1")?
                .query_row([&t.execution_arn], |row| row.get(0))
                .optional()?;
            ensure!(
                status.as_deref() == Some("RUNNING"),
                "the floor's execution"
            );
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (execution_arn, id, previous_event_id, timestamp_ms, kind, details, thread, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for e in &t.events {
                insert.execute(params![
                    t.execution_arn,
                    e.id as i64,
                    e.previous_event_id as i64,
                    e.timestamp_ms,
                    e.kind.as_str(),
                    e.details,
                    e.thread,
                    e.seq as i64
                ])?;
            }
        }
        tx.commit()?;
        done += batch.max(1);
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(connection);
    let events = stored_events(dir).context("the floor's rows")?;
    ensure!(
        events == 2 * transitions as u64,
        "the floor left {events} events, not {}",
        2 * transitions
    );
    Ok(transitions as f64 / seconds)
}
