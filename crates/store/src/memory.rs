//! The in-memory store: the reference behaviour that every backend must match.

use crate::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

#[derive(Default)]
struct Tables {
    state_machines: BTreeMap<String, StateMachineRecord>,
    /// In start order, so "newest first" is the reverse.
    executions: Vec<ExecutionRecord>,
    events: HashMap<String, Vec<EventRecord>>,
    timers: HashMap<String, i64>,
    tags: HashMap<String, BTreeMap<String, String>>,
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

fn page_of<T: Clone>(items: &[T], page: &Page) -> StoreResult<Listed<T>> {
    let offset = page.offset()?;
    let shown: Vec<T> = items
        .iter()
        .skip(offset)
        .take(page.limit())
        .cloned()
        .collect();
    let next_token = Page::next(offset, shown.len(), items.len());
    Ok(Listed {
        items: shown,
        next_token,
    })
}

impl Store for MemoryStore {
    fn create_state_machine(
        &self,
        record: StateMachineRecord,
    ) -> StoreFuture<'_, StateMachineRecord> {
        self.with(move |tables| {
            if let Some(existing) = tables
                .state_machines
                .values()
                .find(|m| m.name == record.name)
            {
                let same = existing.definition == record.definition
                    && existing.role_arn == record.role_arn
                    && existing.kind == record.kind;
                return if same {
                    Ok(existing.clone())
                } else {
                    Err(StoreError::AlreadyExists(record.arn))
                };
            }
            tables
                .state_machines
                .insert(record.arn.clone(), record.clone());
            Ok(record)
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
            let record = tables
                .state_machines
                .get_mut(&update.arn)
                .ok_or_else(|| StoreError::NotFound(update.arn.clone()))?;
            if let Some(definition) = update.definition {
                record.definition = definition;
            }
            if let Some(role) = update.role_arn {
                record.role_arn = role;
            }
            if let Some(logging) = update.logging {
                record.logging = Some(logging);
            }
            record.updated_ms = update.updated_ms;
            record.revision += 1;
            Ok(record.clone())
        })
    }

    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.with(move |tables| {
            tables.state_machines.remove(arn);
            tables.tags.remove(arn);
            Ok(())
        })
    }

    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>> {
        self.with(move |tables| {
            let mut machines: Vec<StateMachineRecord> =
                tables.state_machines.values().cloned().collect();
            machines.sort_by(|a, b| a.name.cmp(&b.name));
            page_of(&machines, &page)
        })
    }

    fn start_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, Started> {
        self.with(move |tables| {
            if let Some(existing) = tables.executions.iter().find(|e| e.arn == record.arn) {
                return if existing.input == record.input {
                    Ok(Started {
                        record: existing.clone(),
                        created: false,
                    })
                } else {
                    Err(StoreError::Conflict(record.arn))
                };
            }
            tables.events.insert(record.arn.clone(), events);
            tables.executions.push(record.clone());
            Ok(Started {
                record,
                created: true,
            })
        })
    }

    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>> {
        self.with(move |tables| Ok(tables.executions.iter().find(|e| e.arn == arn).cloned()))
    }

    fn list_executions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        status: Option<&'a str>,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>> {
        self.with(move |tables| {
            let matching: Vec<ExecutionRecord> = tables
                .executions
                .iter()
                .rev()
                .filter(|e| e.state_machine_arn == state_machine_arn)
                .filter(|e| status.is_none_or(|status| e.status == status))
                .cloned()
                .collect();
            page_of(&matching, &page)
        })
    }

    fn running_executions(&self) -> StoreFuture<'_, Vec<ExecutionRecord>> {
        self.with(|tables| {
            Ok(tables
                .executions
                .iter()
                .filter(|e| e.status == "RUNNING")
                .cloned()
                .collect())
        })
    }

    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()> {
        self.with(move |tables| {
            let index = tables
                .executions
                .iter()
                .position(|e| e.arn == transition.execution_arn)
                .ok_or_else(|| StoreError::NotFound(transition.execution_arn.clone()))?;
            let events = tables
                .events
                .entry(transition.execution_arn.clone())
                .or_default();
            // Check everything before changing anything: a transition is all or nothing.
            for event in &transition.events {
                if events.iter().any(|e| e.id == event.id) {
                    return Err(StoreError::Conflict(format!(
                        "event {} of {} exists already",
                        event.id, transition.execution_arn
                    )));
                }
            }
            events.extend(transition.events);
            events.sort_by_key(|e| e.id);
            if let Some(update) = transition.update {
                let record = &mut tables.executions[index];
                record.status = update.status;
                record.output = update.output;
                record.error = update.error;
                record.cause = update.cause;
                record.stopped_ms = update.stopped_ms;
            }
            match transition.timer {
                TimerChange::Keep => {}
                TimerChange::Set(at) => {
                    tables.timers.insert(transition.execution_arn, at);
                }
                TimerChange::Clear => {
                    tables.timers.remove(&transition.execution_arn);
                }
            }
            Ok(())
        })
    }

    fn events<'a>(
        &'a self,
        execution_arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>> {
        self.with(move |tables| {
            let mut events = tables
                .events
                .get(execution_arn)
                .cloned()
                .unwrap_or_default();
            if reverse {
                events.reverse();
            }
            page_of(&events, &page)
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
    }
}
