//! A store that counts the write transactions executions make (`start_execution` and
//! `commit`, each one transaction of the store it wraps), so that durable figures say how
//! many commits each execution paid for. Every call goes to the wrapped store unchanged.

use fluxo_store::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Transactions counted so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// `start_execution` calls: the execution row stored.
    pub starts: u64,
    /// `commit` calls: each a transition (events, a final status, a timer change).
    pub commits: u64,
}

impl Counts {
    /// Every transaction: starts and commits.
    pub fn transactions(self) -> u64 {
        self.starts + self.commits
    }

    /// Both counts together (several nodes' stores).
    pub fn plus(self, other: Counts) -> Counts {
        Counts {
            starts: self.starts + other.starts,
            commits: self.commits + other.commits,
        }
    }

    /// The transactions made since `earlier`.
    pub fn since(self, earlier: Counts) -> Counts {
        Counts {
            starts: self.starts - earlier.starts,
            commits: self.commits - earlier.commits,
        }
    }
}

/// Wraps a store and counts its execution transactions.
pub struct CountingStore {
    inner: Arc<dyn Store>,
    starts: AtomicU64,
    commits: AtomicU64,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        CountingStore {
            inner,
            starts: AtomicU64::new(0),
            commits: AtomicU64::new(0),
        }
    }

    pub fn counts(&self) -> Counts {
        Counts {
            starts: self.starts.load(Ordering::Relaxed),
            commits: self.commits.load(Ordering::Relaxed),
        }
    }
}

impl Store for CountingStore {
    fn create_state_machine(
        &self,
        record: StateMachineRecord,
        tags: Vec<(String, String)>,
    ) -> StoreFuture<'_, Created> {
        self.inner.create_state_machine(record, tags)
    }

    fn get_state_machine<'a>(
        &'a self,
        arn: &'a str,
    ) -> StoreFuture<'a, Option<StateMachineRecord>> {
        self.inner.get_state_machine(arn)
    }

    fn update_state_machine(
        &self,
        update: StateMachineUpdate,
    ) -> StoreFuture<'_, StateMachineRecord> {
        self.inner.update_state_machine(update)
    }

    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.inner.delete_state_machine(arn)
    }

    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>> {
        self.inner.list_state_machines(page)
    }

    fn get_revision<'a>(
        &'a self,
        state_machine_arn: &'a str,
        revision: u64,
    ) -> StoreFuture<'a, Option<Revision>> {
        self.inner.get_revision(state_machine_arn, revision)
    }

    fn start_execution(&self, record: ExecutionRecord) -> StoreFuture<'_, Started> {
        self.starts.fetch_add(1, Ordering::Relaxed);
        self.inner.start_execution(record)
    }

    /// One transaction, counted with the commits.
    fn record_child_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, ()> {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.inner.record_child_execution(record, events)
    }

    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>> {
        self.inner.get_execution(arn)
    }

    fn list_executions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        filter: ExecutionFilter,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>> {
        self.inner.list_executions(state_machine_arn, filter, page)
    }

    fn executions_to_resume(&self, page: Page) -> StoreFuture<'_, Listed<ExecutionRecord>> {
        self.inner.executions_to_resume(page)
    }

    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()> {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.inner.commit(transition)
    }

    fn abort_execution(&self, abort: Abort) -> StoreFuture<'_, ExecutionRecord> {
        self.inner.abort_execution(abort)
    }
    fn redrive_execution(&self, redrive: Redrive) -> StoreFuture<'_, Redriven> {
        self.inner.redrive_execution(redrive)
    }

    fn claim_execution<'a>(
        &'a self,
        arn: &'a str,
        claim: Claim,
    ) -> StoreFuture<'a, Option<Claimed>> {
        self.inner.claim_execution(arn, claim)
    }

    fn claim_orphans(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        self.inner.claim_orphans(claim, limit)
    }

    fn claim_due(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        self.inner.claim_due(claim, limit)
    }

    fn renew_leases(&self, claim: Claim) -> StoreFuture<'_, Vec<Lease>> {
        self.inner.renew_leases(claim)
    }

    fn release_lease<'a>(&'a self, execution_arn: &'a str, fence: Fence) -> StoreFuture<'a, ()> {
        self.inner.release_lease(execution_arn, fence)
    }

    fn release_node<'a>(&'a self, owner: &'a str) -> StoreFuture<'a, usize> {
        self.inner.release_node(owner)
    }

    fn events<'a>(
        &'a self,
        execution_arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>> {
        self.inner.events(execution_arn, reverse, page)
    }

    fn due_timers(&self, now_ms: i64, limit: usize) -> StoreFuture<'_, Vec<Timer>> {
        self.inner.due_timers(now_ms, limit)
    }

    fn tag_resource(&self, arn: String, tags: Vec<(String, String)>) -> StoreFuture<'_, ()> {
        self.inner.tag_resource(arn, tags)
    }

    fn untag_resource(&self, arn: String, keys: Vec<String>) -> StoreFuture<'_, ()> {
        self.inner.untag_resource(arn, keys)
    }

    fn list_tags<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Vec<(String, String)>> {
        self.inner.list_tags(arn)
    }
}

/// Map Runs pass through uncounted.
impl MapRunStore for CountingStore {
    fn report_map_run(
        &self,
        record: fluxo_types::map_run::MapRunRecord,
    ) -> StoreFuture<'_, fluxo_types::map_run::MapRunLimits> {
        self.inner.report_map_run(record)
    }

    fn get_map_run<'a>(
        &'a self,
        arn: &'a str,
    ) -> StoreFuture<'a, Option<fluxo_types::map_run::MapRunRecord>> {
        self.inner.get_map_run(arn)
    }

    fn list_map_runs<'a>(
        &'a self,
        execution_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<fluxo_types::map_run::MapRunRecord>> {
        self.inner.list_map_runs(execution_arn, page)
    }

    fn update_map_run<'a>(
        &'a self,
        arn: &'a str,
        update: MapRunUpdate,
    ) -> StoreFuture<'a, Option<fluxo_types::map_run::MapRunRecord>> {
        self.inner.update_map_run(arn, update)
    }
}

/// Versions and aliases pass through uncounted.
impl VersionStore for CountingStore {
    fn publish_version(&self, publish: Publish) -> StoreFuture<'_, Made<VersionRecord>> {
        self.inner.publish_version(publish)
    }

    fn get_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<VersionRecord>> {
        self.inner.get_version(arn)
    }

    fn list_versions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<VersionRecord>> {
        self.inner.list_versions(state_machine_arn, page)
    }

    fn delete_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.inner.delete_version(arn)
    }

    fn create_alias(&self, alias: AliasRecord) -> StoreFuture<'_, Made<AliasRecord>> {
        self.inner.create_alias(alias)
    }

    fn get_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<AliasRecord>> {
        self.inner.get_alias(arn)
    }

    fn update_alias(&self, update: AliasUpdate) -> StoreFuture<'_, AliasRecord> {
        self.inner.update_alias(update)
    }

    fn delete_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.inner.delete_alias(arn)
    }

    fn list_aliases<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<AliasRecord>> {
        self.inner.list_aliases(state_machine_arn, page)
    }
}

/// Activities and tasks pass through uncounted: the benchmarks count execution transactions.
impl TaskStore for CountingStore {
    fn secret(&self) -> StoreFuture<'_, Vec<u8>> {
        self.inner.secret()
    }

    fn create_activity(&self, record: ActivityRecord) -> StoreFuture<'_, ActivityRecord> {
        self.inner.create_activity(record)
    }

    fn get_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ActivityRecord>> {
        self.inner.get_activity(arn)
    }

    fn delete_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        self.inner.delete_activity(arn)
    }

    fn list_activities(&self, page: Page) -> StoreFuture<'_, Listed<ActivityRecord>> {
        self.inner.list_activities(page)
    }

    fn open_task(&self, record: TaskRecord) -> StoreFuture<'_, TaskRecord> {
        self.inner.open_task(record)
    }

    fn get_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<TaskRecord>> {
        self.inner.get_task(token)
    }

    fn claim_task<'a>(
        &'a self,
        activity_arn: &'a str,
        worker_name: Option<String>,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        self.inner.claim_task(activity_arn, worker_name, now_ms)
    }

    fn heartbeat_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Result<TaskRecord, TaskRefusal>> {
        self.inner.heartbeat_task(token, now_ms)
    }

    fn complete_task(
        &self,
        token: String,
        outcome: TaskOutcome,
        now_ms: i64,
    ) -> StoreFuture<'_, Result<TaskRecord, TaskRefusal>> {
        self.inner.complete_task(token, outcome, now_ms)
    }

    fn expire_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        self.inner.expire_task(token, now_ms)
    }

    fn close_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, ()> {
        self.inner.close_task(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxo_types::{EventType, StateMachineType};

    #[tokio::test]
    async fn starts_and_commits_are_counted_and_reach_the_wrapped_store() {
        let inner: Arc<dyn Store> = Arc::new(MemoryStore::default());
        let store = CountingStore::new(inner.clone());
        let machine = StateMachineRecord {
            arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
            name: "m".into(),
            kind: StateMachineType::Standard,
            definition: "{}".into(),
            role_arn: "arn:aws:iam::1:role/r".into(),
            created_ms: 0,
            updated_ms: 0,
            revision: 1,
            logging: None,
            revision_id: None,
            encryption: None,
        };
        store
            .create_state_machine(machine, Vec::new())
            .await
            .unwrap();
        let arn = "arn:aws:states:us-east-1:1:execution:m:e";
        let execution = ExecutionRecord {
            arn: arn.into(),
            state_machine_arn: "arn:aws:states:us-east-1:1:stateMachine:m".into(),
            name: "e".into(),
            status: fluxo_types::ExecutionStatus::Running,
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
        };
        store.start_execution(execution).await.unwrap();
        let before = store.counts();
        let event = EventRecord {
            id: 1,
            previous_event_id: 0,
            timestamp_ms: 0,
            kind: EventType::ExecutionStarted,
            details: None,
            thread: String::new(),
            seq: 0,
        };
        let transition = Transition {
            execution_arn: arn.into(),
            events: vec![event],
            update: None,
            timer: TimerChange::Keep,
            fence: None,
        };
        store.commit(transition).await.unwrap();
        assert_eq!(
            before,
            Counts {
                starts: 1,
                commits: 0
            }
        );
        let counted = store.counts().since(before);
        assert_eq!(
            counted,
            Counts {
                starts: 0,
                commits: 1
            }
        );
        assert_eq!(store.counts().transactions(), 2);
        let stored = inner.events(arn, false, Page::new(10, None)).await.unwrap();
        assert_eq!(stored.items.len(), 1);
    }
}
