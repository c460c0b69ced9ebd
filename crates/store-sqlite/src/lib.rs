//! The embedded store: SQLite in WAL mode.
//!
//! Writes go to one writer thread that owns the only write connection. It takes every write
//! waiting in its queue (up to [`MAX_BATCH`]), applies each inside its own savepoint (a failing
//! write is rolled back alone), commits the batch once and then answers every caller: group
//! commit, so concurrent executions share one `fsync` instead of paying one each. Reads use a
//! second connection on tokio's blocking pool.
//!
//! Durability: `synchronous=FULL`, so a transition acknowledged to its caller survives a power
//! loss, not only a process crash.

pub mod bench;
mod schema;
mod writes;

use fluxo_store::*;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::any::Any;
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::oneshot;

/// Writes committed together at most.
pub const MAX_BATCH: usize = 256;

type Reply = StoreResult<Box<dyn Any + Send>>;
type Work = Box<dyn FnOnce(&Connection) -> Reply + Send>;

struct Job {
    work: Work,
    reply: oneshot::Sender<Reply>,
}

pub struct SqliteStore {
    writer: mpsc::Sender<Job>,
    reader: Arc<Mutex<Connection>>,
}

fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

impl SqliteStore {
    /// Opens (creating on first use) the store in `dir/fluxo.db`.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        std::fs::create_dir_all(dir).map_err(backend)?;
        let path = dir.join("fluxo.db");
        let mut writer = Connection::open(&path).map_err(backend)?;
        schema::prepare(&mut writer)?;
        let reader = Connection::open(&path).map_err(backend)?;
        reader
            .pragma_update(None, "query_only", true)
            .map_err(backend)?;
        let (sender, receiver) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("fluxo-sqlite-writer".into())
            .spawn(move || write_loop(writer, receiver))
            .map_err(backend)?;
        Ok(SqliteStore {
            writer: sender,
            reader: Arc::new(Mutex::new(reader)),
        })
    }

    fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreFuture<'_, T> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            work: Box::new(move |connection| {
                work(connection).map(|value| Box::new(value) as Box<dyn Any + Send>)
            }),
            reply,
        };
        let sent = self.writer.send(job);
        Box::pin(async move {
            sent.map_err(|_| backend("the writer thread has stopped"))?;
            let value = answer
                .await
                .map_err(|_| backend("the writer thread has stopped"))??;
            value
                .downcast::<T>()
                .map(|boxed| *boxed)
                .map_err(|_| backend("unexpected reply from the writer"))
        })
    }

    fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreFuture<'_, T> {
        let reader = self.reader.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let connection = reader.lock().unwrap_or_else(|e| e.into_inner());
                work(&connection)
            })
            .await
            .map_err(backend)?
        })
    }
}

fn write_loop(mut connection: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let transaction = match connection.transaction() {
            Ok(transaction) => transaction,
            Err(error) => {
                for job in batch {
                    let _ = job.reply.send(Err(backend(&error)));
                }
                continue;
            }
        };
        let mut replies = Vec::with_capacity(batch.len());
        for job in batch {
            let result = in_savepoint(&transaction, job.work);
            replies.push((job.reply, result));
        }
        match transaction.commit() {
            Ok(()) => {
                for (reply, result) in replies {
                    let _ = reply.send(result);
                }
            }
            Err(error) => {
                for (reply, _) in replies {
                    let _ = reply.send(Err(backend(&error)));
                }
            }
        }
    }
}

/// Runs one write so that its failure undoes only its own changes.
fn in_savepoint(connection: &Connection, work: Work) -> Reply {
    connection
        .execute_batch("SAVEPOINT write")
        .map_err(backend)?;
    let result = work(connection);
    let end = if result.is_ok() {
        "RELEASE write"
    } else {
        "ROLLBACK TO write; RELEASE write"
    };
    connection.execute_batch(end).map_err(backend)?;
    result
}

fn page_bounds(page: &Page) -> StoreResult<(usize, usize)> {
    Ok((page.offset()?, page.limit()))
}

/// Every row of a query, mapped.
fn query_all<T, P: rusqlite::Params>(
    c: &Connection,
    sql: &str,
    params: P,
    map: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    let mut statement = c.prepare_cached(sql).map_err(backend)?;
    let mapped = statement.query_map(params, map).map_err(backend)?;
    mapped.collect::<Result<Vec<_>, _>>().map_err(backend)
}

/// Keeps `limit` of `limit + 1` fetched rows and says whether there is a next page.
fn listed<T>(mut items: Vec<T>, offset: usize, limit: usize) -> Listed<T> {
    let next_token = (items.len() > limit).then(|| Page::token_at(offset + limit));
    items.truncate(limit);
    Listed { items, next_token }
}

fn state_machine(row: &Row) -> rusqlite::Result<StateMachineRecord> {
    Ok(StateMachineRecord {
        arn: row.get("arn")?,
        name: row.get("name")?,
        kind: row.get("kind")?,
        definition: row.get("definition")?,
        role_arn: row.get("role_arn")?,
        created_ms: row.get("created_ms")?,
        updated_ms: row.get("updated_ms")?,
        revision: row.get::<_, i64>("revision")? as u64,
        logging: row.get("logging")?,
    })
}

fn execution(row: &Row) -> rusqlite::Result<ExecutionRecord> {
    Ok(ExecutionRecord {
        arn: row.get("arn")?,
        state_machine_arn: row.get("state_machine_arn")?,
        name: row.get("name")?,
        status: row.get("status")?,
        input: row.get("input")?,
        output: row.get("output")?,
        error: row.get("error")?,
        cause: row.get("cause")?,
        started_ms: row.get("started_ms")?,
        stopped_ms: row.get("stopped_ms")?,
        seed: row.get::<_, i64>("seed")? as u64,
    })
}

fn event(row: &Row) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        id: row.get::<_, i64>("id")? as u64,
        previous_event_id: row.get::<_, i64>("previous_event_id")? as u64,
        timestamp_ms: row.get("timestamp_ms")?,
        kind: row.get("kind")?,
        details: row.get("details")?,
        thread: row.get("thread")?,
        seq: row.get::<_, i64>("seq")? as u32,
    })
}

impl Store for SqliteStore {
    fn create_state_machine(
        &self,
        record: StateMachineRecord,
    ) -> StoreFuture<'_, StateMachineRecord> {
        self.write(move |c| writes::create_state_machine(c, record))
    }

    fn get_state_machine<'a>(
        &'a self,
        arn: &'a str,
    ) -> StoreFuture<'a, Option<StateMachineRecord>> {
        let arn = arn.to_string();
        self.read(move |c| {
            c.query_row(
                "SELECT * FROM state_machines WHERE arn = ?1",
                [arn],
                state_machine,
            )
            .optional()
            .map_err(backend)
        })
    }

    fn update_state_machine(
        &self,
        update: StateMachineUpdate,
    ) -> StoreFuture<'_, StateMachineRecord> {
        self.write(move |c| writes::update_state_machine(c, update))
    }

    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        let arn = arn.to_string();
        self.write(move |c| {
            c.execute("DELETE FROM state_machines WHERE arn = ?1", [&arn])
                .map_err(backend)?;
            c.execute("DELETE FROM tags WHERE arn = ?1", [&arn])
                .map_err(backend)?;
            Ok(())
        })
    }

    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>> {
        self.read(move |c| {
            let (offset, limit) = page_bounds(&page)?;
            let rows = query_all(
                c,
                "SELECT * FROM state_machines ORDER BY name LIMIT ?1 OFFSET ?2",
                params![limit as i64 + 1, offset as i64],
                state_machine,
            )?;
            Ok(listed(rows, offset, limit))
        })
    }

    fn start_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, Started> {
        self.write(move |c| writes::start_execution(c, record, events))
    }

    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>> {
        let arn = arn.to_string();
        self.read(move |c| {
            c.query_row("SELECT * FROM executions WHERE arn = ?1", [arn], execution)
                .optional()
                .map_err(backend)
        })
    }

    fn list_executions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        status: Option<&'a str>,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>> {
        let machine = state_machine_arn.to_string();
        let status = status.map(str::to_string);
        self.read(move |c| {
            let (offset, limit) = page_bounds(&page)?;
            let rows = query_all(
                c,
                "SELECT * FROM executions WHERE state_machine_arn = ?1 \
                     AND (?2 IS NULL OR status = ?2) ORDER BY seq DESC LIMIT ?3 OFFSET ?4",
                params![machine, status, limit as i64 + 1, offset as i64],
                execution,
            )?;
            Ok(listed(rows, offset, limit))
        })
    }

    fn running_executions(&self) -> StoreFuture<'_, Vec<ExecutionRecord>> {
        self.read(|c| {
            let rows = query_all(
                c,
                "SELECT * FROM executions WHERE status = 'RUNNING' ORDER BY seq",
                [],
                execution,
            )?;
            Ok(rows)
        })
    }

    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()> {
        self.write(move |c| writes::commit(c, transition))
    }

    fn events<'a>(
        &'a self,
        execution_arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>> {
        let arn = execution_arn.to_string();
        self.read(move |c| {
            let (offset, limit) = page_bounds(&page)?;
            let order = if reverse { "DESC" } else { "ASC" };
            let rows = query_all(c, &format!(
                    "SELECT * FROM events WHERE execution_arn = ?1 ORDER BY id {order} LIMIT ?2 OFFSET ?3"
                ), params![arn, limit as i64 + 1, offset as i64], event)?;
            Ok(listed(rows, offset, limit))
        })
    }

    fn due_timers(&self, now_ms: i64, limit: usize) -> StoreFuture<'_, Vec<Timer>> {
        self.read(move |c| {
            let rows = query_all(
                c,
                "SELECT execution_arn, fire_at_ms FROM timers WHERE fire_at_ms <= ?1 \
                     ORDER BY fire_at_ms, execution_arn LIMIT ?2",
                params![now_ms, limit as i64],
                |row| {
                    Ok(Timer {
                        execution_arn: row.get(0)?,
                        fire_at_ms: row.get(1)?,
                    })
                },
            )?;
            Ok(rows)
        })
    }

    fn tag_resource(&self, arn: String, tags: Vec<(String, String)>) -> StoreFuture<'_, ()> {
        self.write(move |c| {
            for (key, value) in tags {
                c.execute(
                    "INSERT INTO tags (arn, key, value) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value",
                    params![arn, key, value],
                )
                .map_err(backend)?;
            }
            Ok(())
        })
    }

    fn untag_resource(&self, arn: String, keys: Vec<String>) -> StoreFuture<'_, ()> {
        self.write(move |c| {
            for key in keys {
                c.execute(
                    "DELETE FROM tags WHERE arn = ?1 AND key = ?2",
                    params![arn, key],
                )
                .map_err(backend)?;
            }
            Ok(())
        })
    }

    fn list_tags<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Vec<(String, String)>> {
        let arn = arn.to_string();
        self.read(move |c| {
            let rows = query_all(
                c,
                "SELECT key, value FROM tags WHERE arn = ?1 ORDER BY key",
                [arn],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            Ok(rows)
        })
    }
}
