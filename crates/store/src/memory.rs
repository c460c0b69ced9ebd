//! The in-memory store: the reference behaviour that every backend must match.

use crate::*;
use fluxo_types::ExecutionStatus;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

mod leases;
use leases::LeaseRow;
mod map_runs;
mod tasks;
mod versions;

#[derive(Default)]
struct Tables {
    state_machines: BTreeMap<String, StateMachineRecord>,
    revisions: HashMap<(String, u64), Revision>,
    /// By start order (`seq`), so "newest first" is the reverse.
    executions: BTreeMap<u64, ExecutionRecord>,
    execution_seq: HashMap<String, u64>,
    next_seq: u64,
    events: HashMap<String, Vec<EventRecord>>,
    timers: HashMap<String, i64>,
    tags: HashMap<String, BTreeMap<String, String>>,
    /// By execution ARN; an execution never claimed has none.
    leases: HashMap<String, LeaseRow>,
    /// By ARN, which orders them by name.
    activities: BTreeMap<String, ActivityRecord>,
    tasks: HashMap<String, TaskRecord>,
    secret: Option<Vec<u8>>,
    /// Versions by ARN.
    versions: HashMap<String, VersionRecord>,
    /// The last version number given, by state machine ARN.
    last_version: HashMap<String, u64>,
    /// Aliases by ARN.
    aliases: BTreeMap<String, AliasRecord>,
    /// The last redrive's client token and time, by execution ARN.
    redrive_tokens: HashMap<String, (String, i64)>,
    /// Map Runs by ARN.
    map_runs: BTreeMap<String, fluxo_types::map_run::MapRunRecord>,
}

impl Tables {
    fn execution_mut(&mut self, arn: &str) -> StoreResult<&mut ExecutionRecord> {
        let seq = self
            .execution_seq
            .get(arn)
            .ok_or_else(|| StoreError::NotFound(arn.to_string()))?;
        Ok(self.executions.get_mut(seq).expect("indexed execution"))
    }

    fn next_revision(&self, arn: &str) -> u64 {
        self.revisions
            .keys()
            .filter(|(machine, _)| machine == arn)
            .map(|(_, revision)| *revision)
            .max()
            .unwrap_or(0)
            + 1
    }

    fn keep_revision(&mut self, record: &StateMachineRecord) {
        self.revisions.insert(
            (record.arn.clone(), record.revision),
            Revision {
                state_machine_arn: record.arn.clone(),
                revision: record.revision,
                definition: record.definition.clone(),
                role_arn: record.role_arn.clone(),
            },
        );
    }
}

#[derive(Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Tables) -> StoreResult<T>,
    ) -> StoreFuture<'_, T> {
        let result = {
            let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut tables)
        };
        Box::pin(async move { result })
    }
}

fn closed_check(record: &ExecutionRecord) -> StoreResult<()> {
    if record.status != ExecutionStatus::Running {
        return Err(StoreError::ExecutionClosed {
            execution_arn: record.arn.clone(),
            status: record.status,
        });
    }
    Ok(())
}

impl Store for MemoryStore {
    fn create_state_machine(
        &self,
        mut record: StateMachineRecord,
        tags: Vec<(String, String)>,
    ) -> StoreFuture<'_, Created> {
        self.with(move |tables| {
            if let Some(existing) = tables.state_machines.get(&record.arn) {
                return if existing.same_creation(&record) {
                    Ok(Created::Existing(existing.clone()))
                } else {
                    Err(StoreError::NameConflict(record.arn))
                };
            }
            record.revision = tables.next_revision(&record.arn);
            tables.keep_revision(&record);
            tables
                .state_machines
                .insert(record.arn.clone(), record.clone());
            if !tags.is_empty() {
                tables
                    .tags
                    .entry(record.arn.clone())
                    .or_default()
                    .extend(tags);
            }
            Ok(Created::Created(record))
        })
    }

    fn get_state_machine<'a>(
        &'a self,
        arn: &'a str,
    ) -> StoreFuture<'a, Option<StateMachineRecord>> {
        self.with(move |tables| Ok(tables.state_machines.get(arn).cloned()))
    }

    fn update_state_machine(
        &self,
        update: StateMachineUpdate,
    ) -> StoreFuture<'_, StateMachineRecord> {
        self.with(move |tables| {
            let next_revision = tables.next_revision(&update.arn);
            let record = tables
                .state_machines
                .get_mut(&update.arn)
                .ok_or_else(|| StoreError::NotFound(update.arn.clone()))?;
            let runs_differently = update
                .definition
                .as_ref()
                .is_some_and(|d| *d != record.definition)
                || update
                    .role_arn
                    .as_ref()
                    .is_some_and(|r| *r != record.role_arn);
            let changes = runs_differently || update.changes_options(record);
            if let Some(definition) = update.definition {
                record.definition = definition;
            }
            if let Some(role) = update.role_arn {
                record.role_arn = role;
            }
            if let Some(logging) = update.logging {
                record.logging = Some(logging);
            }
            if let Some(encryption) = update.encryption {
                record.encryption = Some(encryption);
            }
            record.updated_ms = update.updated_ms;
            // An update that changes nothing keeps the revision (recorded case
            // `api/sfn_api__test_create_update_state_machine_same_parameters`).
            if changes {
                record.revision_id = Some(update.revision_id);
            }
            if runs_differently {
                record.revision = next_revision;
            }
            let record = record.clone();
            tables.keep_revision(&record);
            Ok(record)
        })
    }

    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.with(move |tables| {
            tables.state_machines.remove(arn);
            tables.tags.remove(arn);
            tables.drop_versions(arn);
            Ok(())
        })
    }

    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>> {
        self.with(move |tables| {
            let after = page.after(Listing::StateMachines)?;
            let mut machines: Vec<StateMachineRecord> = tables
                .state_machines
                .values()
                .filter(|m| after.as_ref().is_none_or(|after| &m.name > after))
                .cloned()
                .collect();
            machines.sort_by(|a, b| a.name.cmp(&b.name));
            machines.truncate(page.limit() + 1);
            Ok(listed(
                machines,
                page.limit(),
                Listing::StateMachines,
                |m| m.name.clone(),
            ))
        })
    }

    fn get_revision<'a>(
        &'a self,
        state_machine_arn: &'a str,
        revision: u64,
    ) -> StoreFuture<'a, Option<Revision>> {
        self.with(move |tables| {
            Ok(tables
                .revisions
                .get(&(state_machine_arn.to_string(), revision))
                .cloned())
        })
    }

    fn start_execution(&self, record: ExecutionRecord) -> StoreFuture<'_, Started> {
        self.with(move |tables| {
            if let Some(seq) = tables.execution_seq.get(&record.arn) {
                return Ok(Started::Existing(tables.executions[seq].clone()));
            }
            tables.next_seq += 1;
            let seq = tables.next_seq;
            tables.execution_seq.insert(record.arn.clone(), seq);
            tables.events.insert(record.arn.clone(), Vec::new());
            tables.executions.insert(seq, record.clone());
            Ok(Started::Created(record))
        })
    }

    fn record_child_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, ()> {
        self.with(move |tables| {
            // A child run again replaces the earlier run's record, in its place in the order.
            let seq = match tables.execution_seq.get(&record.arn) {
                Some(seq) => *seq,
                None => {
                    tables.next_seq += 1;
                    tables.next_seq
                }
            };
            tables.execution_seq.insert(record.arn.clone(), seq);
            tables.events.insert(record.arn.clone(), events);
            tables.executions.insert(seq, record);
            Ok(())
        })
    }

    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>> {
        self.with(move |tables| {
            Ok(tables
                .execution_seq
                .get(arn)
                .map(|seq| tables.executions[seq].clone()))
        })
    }

    fn list_executions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        filter: ExecutionFilter,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>> {
        self.with(move |tables| {
            let before = page.after_number(Listing::Executions)?.unwrap_or(u64::MAX);
            let by = ListedBy::of(state_machine_arn);
            let matching: Vec<(u64, ExecutionRecord)> = tables
                .executions
                .range(..before)
                .rev()
                .filter(|(_, e)| by.matches(e, state_machine_arn))
                .filter(|(_, e)| filter.matches(e))
                .take(page.limit() + 1)
                .map(|(seq, e)| (*seq, e.clone()))
                .collect();
            let listed = listed(matching, page.limit(), Listing::Executions, |(seq, _)| {
                seq.to_string()
            });
            Ok(Listed {
                items: listed.items.into_iter().map(|(_, e)| e).collect(),
                next_token: listed.next_token,
            })
        })
    }

    fn executions_to_resume(&self, page: Page) -> StoreFuture<'_, Listed<ExecutionRecord>> {
        self.with(move |tables| {
            let after = page.after_number(Listing::Executions)?.unwrap_or(0);
            let matching: Vec<(u64, ExecutionRecord)> = tables
                .executions
                .range(after + 1..)
                .filter(|(_, e)| {
                    e.status == ExecutionStatus::Running && !tables.timers.contains_key(&e.arn)
                })
                .take(page.limit() + 1)
                .map(|(seq, e)| (*seq, e.clone()))
                .collect();
            let listed = listed(matching, page.limit(), Listing::Executions, |(seq, _)| {
                seq.to_string()
            });
            Ok(Listed {
                items: listed.items.into_iter().map(|(_, e)| e).collect(),
                next_token: listed.next_token,
            })
        })
    }

    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()> {
        self.with(move |tables| {
            closed_check(tables.execution_mut(&transition.execution_arn)?)?;
            tables.fence_check(&transition.execution_arn, &transition.fence)?;
            let events = tables
                .events
                .entry(transition.execution_arn.clone())
                .or_default();
            // Check everything before changing anything: a transition is all or nothing.
            for event in &transition.events {
                if events.iter().any(|e| e.id == event.id) {
                    return Err(StoreError::DuplicateEvent {
                        execution_arn: transition.execution_arn.clone(),
                        id: event.id,
                    });
                }
            }
            events.extend(transition.events);
            events.sort_by_key(|e| e.id);
            if let Some(update) = transition.update {
                // An ended execution needs no lease.
                if let Some(row) = tables.leases.get_mut(&transition.execution_arn) {
                    row.owner = None;
                }
                tables
                    .tasks
                    .retain(|_, task| task.execution_arn != transition.execution_arn);
                let record = tables.execution_mut(&transition.execution_arn)?;
                record.status = update.status;
                record.output = update.output;
                record.error = update.error;
                record.cause = update.cause;
                record.stopped_ms = update.stopped_ms;
            }
            match transition.timer {
                TimerChange::Keep => {}
                TimerChange::Set(at) => {
                    // A task resolved while the execution was parking must still wake it.
                    let at = tables
                        .tasks
                        .values()
                        .filter(|task| task.execution_arn == transition.execution_arn)
                        .filter_map(|task| task.completed_ms)
                        .fold(at, i64::min);
                    tables.timers.insert(transition.execution_arn, at);
                }
                TimerChange::Clear => {
                    tables.timers.remove(&transition.execution_arn);
                }
            }
            Ok(())
        })
    }

    fn abort_execution(&self, abort: Abort) -> StoreFuture<'_, ExecutionRecord> {
        self.with(move |tables| {
            let record = tables.execution_mut(&abort.execution_arn)?;
            if record.status != ExecutionStatus::Running {
                return Ok(record.clone());
            }
            record.status = abort
                .kind
                .final_status()
                .unwrap_or(ExecutionStatus::Aborted);
            record.error = abort.error;
            record.cause = abort.cause;
            record.stopped_ms = Some(abort.timestamp_ms);
            let record = record.clone();
            let events = tables
                .events
                .entry(abort.execution_arn.clone())
                .or_default();
            let last = events.last().map_or(0, |event| event.id);
            let latest = events.iter().map(|event| event.timestamp_ms).max();
            events.push(EventRecord {
                id: last + 1,
                previous_event_id: last,
                // Never before an event a driver committed while the stop was on its way.
                timestamp_ms: latest.map_or(abort.timestamp_ms, |t| t.max(abort.timestamp_ms)),
                kind: abort.kind,
                details: abort.details,
                thread: String::new(),
                seq: u32::MAX,
            });
            tables.timers.remove(&abort.execution_arn);
            if let Some(row) = tables.leases.get_mut(&abort.execution_arn) {
                row.owner = None;
            }
            tables
                .tasks
                .retain(|_, task| task.execution_arn != abort.execution_arn);
            Ok(record)
        })
    }

    fn redrive_execution(&self, redrive: Redrive) -> StoreFuture<'_, Redriven> {
        self.with(move |tables| {
            let arn = redrive.execution_arn.clone();
            let record = tables.execution_mut(&arn)?.clone();
            if let (Some(token), Some((last, at))) =
                (&redrive.client_token, tables.redrive_tokens.get(&arn))
            {
                if token == last && redrive.timestamp_ms - at < REDRIVE_TOKEN_MS {
                    return Ok(Redriven::Repeated(record));
                }
            }
            if !reopenable(&record, redrive.expected_count) {
                return Ok(Redriven::Refused(record));
            }
            let events = tables.events.entry(arn.clone()).or_default();
            let last = events.iter().map(|e| e.id).max().unwrap_or(0);
            let latest = events.iter().map(|e| e.timestamp_ms).max().unwrap_or(0);
            let next_seq = events
                .iter()
                .filter(|e| e.thread.is_empty() && e.seq != u32::MAX)
                .map(|e| e.seq + 1)
                .max()
                .unwrap_or(0);
            let count = record.redrive_count + 1;
            let event = redriven_event(&redrive, last, latest, next_seq, count);
            let at = event.timestamp_ms;
            events.push(event);
            if let Some(token) = redrive.client_token {
                tables.redrive_tokens.insert(arn.clone(), (token, at));
            }
            if let Some(row) = tables.leases.get_mut(&arn) {
                row.owner = None;
            }
            let record = tables.execution_mut(&arn)?;
            record.status = ExecutionStatus::Running;
            record.output = None;
            record.error = None;
            record.cause = None;
            record.stopped_ms = None;
            record.redrive_count = count;
            record.redrive_ms = Some(at);
            Ok(Redriven::Redriven(record.clone()))
        })
    }

    fn events<'a>(
        &'a self,
        execution_arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>> {
        self.with(move |tables| {
            let after = page.after_number(Listing::Events)?;
            let all = tables
                .events
                .get(execution_arn)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let beyond = |event: &&EventRecord| match (after, reverse) {
                (None, _) => true,
                (Some(after), false) => event.id > after,
                (Some(after), true) => event.id < after,
            };
            let limit = page.limit() + 1;
            let events: Vec<EventRecord> = match reverse {
                false => all.iter().filter(beyond).take(limit).cloned().collect(),
                true => all
                    .iter()
                    .rev()
                    .filter(beyond)
                    .take(limit)
                    .cloned()
                    .collect(),
            };
            Ok(listed(events, page.limit(), Listing::Events, |e| {
                e.id.to_string()
            }))
        })
    }

    fn due_timers(&self, now_ms: i64, limit: usize) -> StoreFuture<'_, Vec<Timer>> {
        self.with(move |tables| {
            let mut due: Vec<Timer> = tables
                .timers
                .iter()
                .filter(|(_, at)| **at <= now_ms)
                .map(|(arn, at)| Timer {
                    execution_arn: arn.clone(),
                    fire_at_ms: *at,
                })
                .collect();
            due.sort_by(|a, b| {
                (a.fire_at_ms, &a.execution_arn).cmp(&(b.fire_at_ms, &b.execution_arn))
            });
            due.truncate(limit);
            Ok(due)
        })
    }

    fn claim_execution<'a>(
        &'a self,
        arn: &'a str,
        claim: Claim,
    ) -> StoreFuture<'a, Option<Claimed>> {
        self.with(move |tables| Ok(tables.claim(arn, &claim)))
    }

    fn claim_orphans(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        self.with(move |tables| Ok(tables.claim_orphans(&claim, limit)))
    }

    fn claim_due(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        self.with(move |tables| Ok(tables.claim_due(&claim, limit)))
    }

    fn renew_leases(&self, claim: Claim) -> StoreFuture<'_, Vec<Lease>> {
        self.with(move |tables| Ok(tables.renew(&claim)))
    }

    fn release_lease<'a>(&'a self, execution_arn: &'a str, fence: Fence) -> StoreFuture<'a, ()> {
        self.with(move |tables| {
            tables.release(execution_arn, fence);
            Ok(())
        })
    }

    fn release_node<'a>(&'a self, owner: &'a str) -> StoreFuture<'a, usize> {
        self.with(move |tables| Ok(tables.release_node(owner)))
    }

    fn tag_resource(&self, arn: String, tags: Vec<(String, String)>) -> StoreFuture<'_, ()> {
        self.with(move |tables| {
            tables.tags.entry(arn).or_default().extend(tags);
            Ok(())
        })
    }

    fn untag_resource(&self, arn: String, keys: Vec<String>) -> StoreFuture<'_, ()> {
        self.with(move |tables| {
            if let Some(tags) = tables.tags.get_mut(&arn) {
                for key in keys {
                    tags.remove(&key);
                }
            }
            Ok(())
        })
    }

    fn list_tags<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Vec<(String, String)>> {
        self.with(move |tables| {
            Ok(tables
                .tags
                .get(arn)
                .map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default())
        })
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_memory_store_passes_the_suite() {
        crate::testing::run_suite(std::sync::Arc::new(super::MemoryStore::new())).await;
        // The values encryption at rest must hide read back from the reference as given.
        crate::testing::secrets::keep_secret(&super::MemoryStore::new(), "s3cret").await;
    }
}
