//! Measurements for `fluxo bench`: durable transitions per second through the group-commit
//! writer, against the floor of the same inserts made directly on one connection.

use crate::SqliteStore;
use fluxo_store::{EventRecord, ExecutionRecord, ExecutionUpdate, Store, TimerChange, Transition};
use rusqlite::{params, Connection};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

fn execution(n: usize) -> ExecutionRecord {
    ExecutionRecord {
        arn: format!("arn:aws:states:us-east-1:1:execution:bench:e{n}"),
        state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:bench".into(),
        name: format!("e{n}"),
        status: "RUNNING".into(),
        input: "{}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms: 0,
        stopped_ms: None,
        seed: 0,
    }
}

/// The rows of one transition: two events and a status update, as a state's exit and the next
/// state's entry.
fn transition(arn: &str, step: usize) -> Transition {
    let event = |id: usize| EventRecord {
        id: id as u64,
        previous_event_id: id as u64 - 1,
        timestamp_ms: id as i64,
        kind: "PassStateExited".into(),
        details: Some(
            r#"{"name":"S","output":"{\"n\":1}","outputDetails":{"truncated":false}}"#.into(),
        ),
        thread: String::new(),
        seq: id as u32,
    };
    Transition {
        execution_arn: arn.to_string(),
        events: vec![event(2 * step + 1), event(2 * step + 2)],
        update: Some(ExecutionUpdate {
            status: "RUNNING".into(),
            output: None,
            error: None,
            cause: None,
            stopped_ms: None,
        }),
        timer: TimerChange::Keep,
    }
}

/// Transitions per second committed by `executions` concurrent tasks, `steps` each, each
/// transition acknowledged only once durable.
pub async fn group_commit_rate(dir: &Path, executions: usize, steps: usize) -> Result<f64, String> {
    let store = Arc::new(SqliteStore::open(dir).map_err(|e| e.to_string())?);
    for n in 0..executions {
        store
            .start_execution(execution(n), Vec::new())
            .await
            .map_err(|e| e.to_string())?;
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
            Ok::<(), fluxo_store::StoreError>(())
        }));
    }
    for task in tasks {
        task.await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    Ok((executions * steps) as f64 / started.elapsed().as_secs_f64())
}

/// The floor: the same rows written by one connection with the same durability settings, in
/// transactions of `batch` transitions, with no channel, no savepoints and no waiting callers.
pub fn insert_floor_rate(dir: &Path, transitions: usize, batch: usize) -> Result<f64, String> {
    let path = dir.join("floor.db");
    let mut connection = Connection::open(path).map_err(|e| e.to_string())?;
    crate::schema::prepare(&mut connection).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut done = 0;
    while done < transitions {
        let tx = connection.transaction().map_err(|e| e.to_string())?;
        for step in done..(done + batch).min(transitions) {
            let t = transition("arn:floor", step);
            for e in &t.events {
                tx.execute(
                    "INSERT INTO events (execution_arn, id, previous_event_id, timestamp_ms, kind, details, thread, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![t.execution_arn, e.id as i64, e.previous_event_id as i64, e.timestamp_ms, e.kind, e.details, e.thread, e.seq as i64],
                )
                .map_err(|e| e.to_string())?;
            }
            tx.execute(
                "UPDATE executions SET status = ?2 WHERE arn = ?1",
                params![t.execution_arn, "RUNNING"],
            )
            .map_err(|e| e.to_string())?;
        }
        tx.commit().map_err(|e| e.to_string())?;
        done += batch;
    }
    Ok(transitions as f64 / started.elapsed().as_secs_f64())
}
