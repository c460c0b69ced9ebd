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

mod leases;
mod map_runs;
mod redrive;
mod rows;
mod schema;
mod tasks;
mod versions;
mod writes;

use fluxo_store::*;
use fluxo_types::ExecutionStatus;
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
    /// Seals what executions carry before it is written, opens it when read (see
    /// `fluxo_store::AtRest`).
    at_rest: AtRest,
}

fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

impl SqliteStore {
    /// Opens (creating on first use) the store in `dir/fluxo.db`, keeping values plaintext.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        Self::open_with(dir, None)
    }

    /// Opens the store in `dir/fluxo.db`; with a `cipher`, definitions, inputs, outputs,
    /// errors, causes, event details, task payloads and Map Run outcomes are sealed at rest
    /// (`fluxo_store::AtRest`).
    ///
    /// Errors: [`StoreError::Undecryptable`] when the data was sealed with a key and `cipher`
    /// is `None` or another key (checked against the key check the data keeps); `Backend` for
    /// I/O and schema failures.
    pub fn open_with(dir: &Path, cipher: Option<Cipher>) -> StoreResult<Self> {
        std::fs::create_dir_all(dir).map_err(backend)?;
        let path = dir.join("fluxo.db");
        let mut writer = Connection::open(&path).map_err(backend)?;
        schema::prepare(&mut writer)?;
        let at_rest = AtRest::new(cipher);
        check_key(&writer, &at_rest)?;
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
            at_rest,
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

/// Refuses a key that does not open the data's key check; stores a check for a first key.
fn check_key(c: &Connection, at_rest: &AtRest) -> StoreResult<()> {
    let stored: Option<Vec<u8>> = c
        .query_row(
            "SELECT value FROM secrets WHERE name = ?1",
            [KEY_CHECK],
            |row| row.get(0),
        )
        .optional()
        .map_err(backend)?;
    let stored = stored.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    if let Some(check) = at_rest.check_key(stored.as_deref())? {
        c.execute(
            "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
            params![KEY_CHECK, check.into_bytes()],
        )
        .map_err(backend)?;
    }
    Ok(())
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

/// A page of executions keyed by their start order, opened.
fn execution_page(
    at: &AtRest,
    rows: Vec<(i64, ExecutionRecord)>,
    page: &Page,
) -> StoreResult<Listed<ExecutionRecord>> {
    let listed = listed(rows, page.limit(), Listing::Executions, |(seq, _)| {
        seq.to_string()
    });
    Ok(Listed {
        items: listed
            .items
            .into_iter()
            .map(|(_, e)| at.open_execution(e))
            .collect::<StoreResult<_>>()?,
        next_token: listed.next_token,
    })
}

/// A claimed execution, opened.
fn open_claimed(at: &AtRest, claimed: Claimed) -> StoreResult<Claimed> {
    Ok(Claimed {
        execution: at.open_execution(claimed.execution)?,
        lease: claimed.lease,
    })
}

fn open_all_claimed(at: &AtRest, claimed: Vec<Claimed>) -> StoreResult<Vec<Claimed>> {
    claimed.into_iter().map(|c| open_claimed(at, c)).collect()
}

/// A keyset position as SQLite's integer.
fn position(key: Option<u64>, default: i64) -> i64 {
    key.map_or(default, |key| i64::try_from(key).unwrap_or(i64::MAX))
}

impl Store for SqliteStore {
    fn create_state_machine(
        &self,
        record: StateMachineRecord,
        tags: Vec<(String, String)>,
    ) -> StoreFuture<'_, Created> {
        let at = self.at_rest.clone();
        self.write(move |c| writes::create_state_machine(c, &at, record, tags))
    }

    fn get_state_machine<'a>(
        &'a self,
        arn: &'a str,
    ) -> StoreFuture<'a, Option<StateMachineRecord>> {
        let arn = arn.to_string();
        let at = self.at_rest.clone();
        self.read(move |c| {
            c.query_row(
                "SELECT * FROM state_machines WHERE arn = ?1",
                [arn],
                rows::state_machine,
            )
            .optional()
            .map_err(backend)?
            .map(|record| at.open_state_machine(record))
            .transpose()
        })
    }

    fn update_state_machine(
        &self,
        update: StateMachineUpdate,
    ) -> StoreFuture<'_, StateMachineRecord> {
        let at = self.at_rest.clone();
        self.write(move |c| writes::update_state_machine(c, &at, update))
    }

    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        let arn = arn.to_string();
        self.write(move |c| {
            c.execute("DELETE FROM state_machines WHERE arn = ?1", [&arn])
                .map_err(backend)?;
            c.execute("DELETE FROM tags WHERE arn = ?1", [&arn])
                .map_err(backend)?;
            versions::drop_versions(c, &arn)
        })
    }

    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>> {
        let at = self.at_rest.clone();
        self.read(move |c| {
            let after = page.after(Listing::StateMachines)?;
            let rows = query_all(
                c,
                "SELECT * FROM state_machines WHERE ?1 IS NULL OR name > ?1 ORDER BY name LIMIT ?2",
                params![after, page.limit() as i64 + 1],
                rows::state_machine,
            )?
            .into_iter()
            .map(|record| at.open_state_machine(record))
            .collect::<StoreResult<Vec<_>>>()?;
            Ok(listed(rows, page.limit(), Listing::StateMachines, |m| {
                m.name.clone()
            }))
        })
    }

    fn get_revision<'a>(
        &'a self,
        state_machine_arn: &'a str,
        revision: u64,
    ) -> StoreFuture<'a, Option<Revision>> {
        let arn = state_machine_arn.to_string();
        let at = self.at_rest.clone();
        self.read(move |c| {
            c.query_row(
                "SELECT * FROM revisions WHERE state_machine_arn = ?1 AND revision = ?2",
                params![arn, revision as i64],
                rows::revision,
            )
            .optional()
            .map_err(backend)?
            .map(|revision| at.open_revision(revision))
            .transpose()
        })
    }

    fn start_execution(&self, record: ExecutionRecord) -> StoreFuture<'_, Started> {
        let at = self.at_rest.clone();
        let record = at.seal_execution(record);
        self.write(move |c| {
            Ok(match writes::start_execution(c, record)? {
                Started::Created(record) => Started::Created(at.open_execution(record)?),
                Started::Existing(record) => Started::Existing(at.open_execution(record)?),
            })
        })
    }

    fn record_child_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, ()> {
        let record = self.at_rest.seal_execution(record);
        let events = self.at_rest.seal_events(events);
        self.write(move |c| writes::record_child_execution(c, record, events))
    }

    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>> {
        let arn = arn.to_string();
        let at = self.at_rest.clone();
        self.read(move |c| {
            c.query_row(
                "SELECT * FROM executions WHERE arn = ?1",
                [arn],
                rows::execution,
            )
            .optional()
            .map_err(backend)?
            .map(|record| at.open_execution(record))
            .transpose()
        })
    }

    fn list_executions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        filter: ExecutionFilter,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>> {
        let machine = state_machine_arn.to_string();
        let status = filter.status.map(ExecutionStatus::as_str);
        let redriven = filter.redriven;
        let at = self.at_rest.clone();
        self.read(move |c| {
            let before = position(page.after_number(Listing::Executions)?, i64::MAX);
            // The column is one of three fixed names, chosen by the ARN's form.
            let sql = format!(
                "SELECT * FROM executions WHERE {} = ?1 AND seq < ?2 \
                     AND (?3 IS NULL OR status = ?3) \
                     AND (?5 IS NULL OR (redrive_count > 0) = ?5) ORDER BY seq DESC LIMIT ?4",
                ListedBy::of(&machine).column()
            );
            let rows = query_all(
                c,
                &sql,
                params![machine, before, status, page.limit() as i64 + 1, redriven],
                rows::keyed_execution,
            )?;
            execution_page(&at, rows, &page)
        })
    }

    fn executions_to_resume(&self, page: Page) -> StoreFuture<'_, Listed<ExecutionRecord>> {
        let at = self.at_rest.clone();
        self.read(move |c| {
            let after = position(page.after_number(Listing::Executions)?, 0);
            let rows = query_all(
                c,
                "SELECT * FROM executions WHERE status = 'RUNNING' AND seq > ?1 \
                     AND arn NOT IN (SELECT execution_arn FROM timers) ORDER BY seq LIMIT ?2",
                params![after, page.limit() as i64 + 1],
                rows::keyed_execution,
            )?;
            execution_page(&at, rows, &page)
        })
    }

    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()> {
        let transition = self.at_rest.seal_transition(transition);
        self.write(move |c| writes::commit(c, transition))
    }

    fn abort_execution(&self, abort: Abort) -> StoreFuture<'_, ExecutionRecord> {
        let at = self.at_rest.clone();
        let abort = at.seal_abort(abort);
        self.write(move |c| at.open_execution(writes::abort_execution(c, abort)?))
    }

    fn redrive_execution(&self, redrive: Redrive) -> StoreFuture<'_, Redriven> {
        let at = self.at_rest.clone();
        self.write(move |c| redrive::redrive_execution(c, &at, redrive))
    }

    fn events<'a>(
        &'a self,
        execution_arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>> {
        let arn = execution_arn.to_string();
        let at = self.at_rest.clone();
        self.read(move |c| {
            let after = page.after_number(Listing::Events)?;
            let sql = match reverse {
                false => "SELECT * FROM events WHERE execution_arn = ?1 AND id > ?2 ORDER BY id ASC LIMIT ?3",
                true => "SELECT * FROM events WHERE execution_arn = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
            };
            let from = position(after, if reverse { i64::MAX } else { 0 });
            let rows = query_all(
                c,
                sql,
                params![arn, from, page.limit() as i64 + 1],
                rows::event,
            )?
            .into_iter()
            .map(|event| at.open_event(event))
            .collect::<StoreResult<Vec<_>>>()?;
            Ok(listed(rows, page.limit(), Listing::Events, |e| {
                e.id.to_string()
            }))
        })
    }

    fn due_timers(&self, now_ms: i64, limit: usize) -> StoreFuture<'_, Vec<Timer>> {
        self.read(move |c| {
            query_all(
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
            )
        })
    }

    fn claim_execution<'a>(
        &'a self,
        arn: &'a str,
        claim: Claim,
    ) -> StoreFuture<'a, Option<Claimed>> {
        let arn = arn.to_string();
        let at = self.at_rest.clone();
        self.write(move |c| {
            leases::claim_execution(c, &arn, &claim)?
                .map(|claimed| open_claimed(&at, claimed))
                .transpose()
        })
    }

    fn claim_orphans(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        let at = self.at_rest.clone();
        self.write(move |c| open_all_claimed(&at, leases::claim_orphans(c, &claim, limit)?))
    }

    fn claim_due(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        let at = self.at_rest.clone();
        self.write(move |c| open_all_claimed(&at, leases::claim_due(c, &claim, limit)?))
    }

    fn renew_leases(&self, claim: Claim) -> StoreFuture<'_, Vec<Lease>> {
        self.write(move |c| leases::renew(c, &claim))
    }

    fn release_lease<'a>(&'a self, execution_arn: &'a str, fence: Fence) -> StoreFuture<'a, ()> {
        let arn = execution_arn.to_string();
        self.write(move |c| leases::release(c, &arn, &fence))
    }

    fn release_node<'a>(&'a self, owner: &'a str) -> StoreFuture<'a, usize> {
        let owner = owner.to_string();
        self.write(move |c| leases::release_node(c, &owner))
    }

    fn tag_resource(&self, arn: String, tags: Vec<(String, String)>) -> StoreFuture<'_, ()> {
        self.write(move |c| writes::tag(c, &arn, tags))
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
            query_all(
                c,
                "SELECT key, value FROM tags WHERE arn = ?1 ORDER BY key",
                [arn],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
        })
    }
}
