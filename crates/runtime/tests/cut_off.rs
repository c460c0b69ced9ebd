//! A node cut off from the store stops driving its executions before its leases expire, and
//! another node carries them on: the store is reached through a switch that the test opens.

mod common;

use common::*;
use fluxo_runtime::{Runtime, RuntimeConfig};
use fluxo_store::*;
use fluxo_types::map_run::{MapRunLimits, MapRunRecord};
use fluxo_types::ExecutionStatus;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A store that fails every call while `cut` is set, as a lost network would.
struct Switch {
    inner: Arc<dyn Store>,
    cut: AtomicBool,
}

impl Switch {
    fn check(&self) -> StoreResult<()> {
        match self.cut.load(Ordering::SeqCst) {
            true => Err(StoreError::Backend("connection refused".into())),
            false => Ok(()),
        }
    }
}

macro_rules! through {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {{
        let checked = $self.check();
        Box::pin(async move {
            checked?;
            $self.inner.$method($($arg),*).await
        })
    }};
}

impl MapRunStore for Switch {
    fn report_map_run(&self, record: MapRunRecord) -> StoreFuture<'_, MapRunLimits> {
        through!(self.report_map_run(record))
    }

    fn get_map_run<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<MapRunRecord>> {
        through!(self.get_map_run(arn))
    }

    fn list_map_runs<'a>(
        &'a self,
        execution_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<MapRunRecord>> {
        through!(self.list_map_runs(execution_arn, page))
    }

    fn update_map_run<'a>(
        &'a self,
        arn: &'a str,
        update: MapRunUpdate,
    ) -> StoreFuture<'a, Option<MapRunRecord>> {
        through!(self.update_map_run(arn, update))
    }
}

impl VersionStore for Switch {
    fn publish_version(&self, publish: Publish) -> StoreFuture<'_, Made<VersionRecord>> {
        through!(self.publish_version(publish))
    }

    fn get_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<VersionRecord>> {
        through!(self.get_version(arn))
    }

    fn list_versions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<VersionRecord>> {
        through!(self.list_versions(state_machine_arn, page))
    }

    fn delete_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        through!(self.delete_version(arn))
    }

    fn create_alias(&self, alias: AliasRecord) -> StoreFuture<'_, Made<AliasRecord>> {
        through!(self.create_alias(alias))
    }

    fn get_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<AliasRecord>> {
        through!(self.get_alias(arn))
    }

    fn update_alias(&self, update: AliasUpdate) -> StoreFuture<'_, AliasRecord> {
        through!(self.update_alias(update))
    }

    fn delete_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        through!(self.delete_alias(arn))
    }

    fn list_aliases<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<AliasRecord>> {
        through!(self.list_aliases(state_machine_arn, page))
    }
}

impl TaskStore for Switch {
    fn secret(&self) -> StoreFuture<'_, Vec<u8>> {
        through!(self.secret())
    }
    fn create_activity(&self, record: ActivityRecord) -> StoreFuture<'_, ActivityRecord> {
        through!(self.create_activity(record))
    }
    fn get_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ActivityRecord>> {
        through!(self.get_activity(arn))
    }
    fn delete_activity<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        through!(self.delete_activity(arn))
    }
    fn list_activities(&self, page: Page) -> StoreFuture<'_, Listed<ActivityRecord>> {
        through!(self.list_activities(page))
    }
    fn open_task(&self, record: TaskRecord) -> StoreFuture<'_, TaskRecord> {
        through!(self.open_task(record))
    }
    fn get_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<TaskRecord>> {
        through!(self.get_task(token))
    }
    fn claim_task<'a>(
        &'a self,
        activity_arn: &'a str,
        worker_name: Option<String>,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        through!(self.claim_task(activity_arn, worker_name, now_ms))
    }
    fn heartbeat_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Result<TaskRecord, TaskRefusal>> {
        through!(self.heartbeat_task(token, now_ms))
    }
    fn complete_task(
        &self,
        token: String,
        outcome: TaskOutcome,
        now_ms: i64,
    ) -> StoreFuture<'_, Result<TaskRecord, TaskRefusal>> {
        through!(self.complete_task(token, outcome, now_ms))
    }
    fn expire_task<'a>(
        &'a self,
        token: &'a str,
        now_ms: i64,
    ) -> StoreFuture<'a, Option<TaskRecord>> {
        through!(self.expire_task(token, now_ms))
    }
    fn close_task<'a>(&'a self, token: &'a str) -> StoreFuture<'a, ()> {
        through!(self.close_task(token))
    }
}

impl Store for Switch {
    fn create_state_machine(
        &self,
        record: StateMachineRecord,
        tags: Vec<(String, String)>,
    ) -> StoreFuture<'_, Created> {
        through!(self.create_state_machine(record, tags))
    }
    fn get_state_machine<'a>(
        &'a self,
        arn: &'a str,
    ) -> StoreFuture<'a, Option<StateMachineRecord>> {
        through!(self.get_state_machine(arn))
    }
    fn update_state_machine(
        &self,
        update: StateMachineUpdate,
    ) -> StoreFuture<'_, StateMachineRecord> {
        through!(self.update_state_machine(update))
    }
    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        through!(self.delete_state_machine(arn))
    }
    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>> {
        through!(self.list_state_machines(page))
    }
    fn get_revision<'a>(
        &'a self,
        arn: &'a str,
        revision: u64,
    ) -> StoreFuture<'a, Option<Revision>> {
        through!(self.get_revision(arn, revision))
    }
    fn start_execution(&self, record: ExecutionRecord) -> StoreFuture<'_, Started> {
        through!(self.start_execution(record))
    }
    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>> {
        through!(self.get_execution(arn))
    }
    fn list_executions<'a>(
        &'a self,
        arn: &'a str,
        filter: ExecutionFilter,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>> {
        through!(self.list_executions(arn, filter, page))
    }
    fn executions_to_resume(&self, page: Page) -> StoreFuture<'_, Listed<ExecutionRecord>> {
        through!(self.executions_to_resume(page))
    }
    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()> {
        through!(self.commit(transition))
    }
    fn record_child_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, ()> {
        through!(self.record_child_execution(record, events))
    }
    fn abort_execution(&self, abort: Abort) -> StoreFuture<'_, ExecutionRecord> {
        through!(self.abort_execution(abort))
    }
    fn redrive_execution(&self, redrive: Redrive) -> StoreFuture<'_, Redriven> {
        through!(self.redrive_execution(redrive))
    }
    fn events<'a>(
        &'a self,
        arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>> {
        through!(self.events(arn, reverse, page))
    }
    fn due_timers(&self, now_ms: i64, limit: usize) -> StoreFuture<'_, Vec<Timer>> {
        through!(self.due_timers(now_ms, limit))
    }
    fn claim_execution<'a>(
        &'a self,
        arn: &'a str,
        claim: Claim,
    ) -> StoreFuture<'a, Option<Claimed>> {
        through!(self.claim_execution(arn, claim))
    }
    fn claim_orphans(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        through!(self.claim_orphans(claim, limit))
    }
    fn claim_due(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        through!(self.claim_due(claim, limit))
    }
    fn renew_leases(&self, claim: Claim) -> StoreFuture<'_, Vec<Lease>> {
        through!(self.renew_leases(claim))
    }
    fn release_lease<'a>(&'a self, arn: &'a str, fence: Fence) -> StoreFuture<'a, ()> {
        through!(self.release_lease(arn, fence))
    }
    fn release_node<'a>(&'a self, owner: &'a str) -> StoreFuture<'a, usize> {
        through!(self.release_node(owner))
    }
    fn tag_resource(&self, arn: String, tags: Vec<(String, String)>) -> StoreFuture<'_, ()> {
        through!(self.tag_resource(arn, tags))
    }
    fn untag_resource(&self, arn: String, keys: Vec<String>) -> StoreFuture<'_, ()> {
        through!(self.untag_resource(arn, keys))
    }
    fn list_tags<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Vec<(String, String)>> {
        through!(self.list_tags(arn))
    }
}

const LEASE: Duration = Duration::from_millis(1500);

fn node(store: Arc<dyn Store>, id: &str) -> Arc<Runtime> {
    let mut config = RuntimeConfig::new(REGION, ACCOUNT);
    config.node_id = id.into();
    config.lease_ttl = LEASE;
    config.unload_after = None;
    Runtime::new(store, Arc::new(Doubler::default()), config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_cut_off_stops_before_its_leases_expire_and_another_carries_on() {
    let dir = tempfile::tempdir().unwrap();
    let shared: Arc<dyn Store> =
        Arc::new(fluxo_store_sqlite::SqliteStore::open(dir.path()).unwrap());
    let switch = Arc::new(Switch {
        inner: shared.clone(),
        cut: AtomicBool::new(false),
    });
    let cut_off = node(switch.clone(), "cut-off");
    let poller = cut_off.spawn_timers(Duration::from_millis(50));
    let waiting = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "Next": "P"},
        "P": {"Type": "Pass", "Result": "done", "End": true}}});
    let machine = create(&cut_off, "cut", waiting).await;
    let execution = start(&cut_off, &machine, "e", json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(cut_off.in_memory(), 1);

    switch.cut.store(true, Ordering::SeqCst);
    let cut_at = Instant::now();
    let other = node(shared.clone(), "other");
    let other_poller = other.spawn_timers(Duration::from_millis(50));
    // The node gives up two thirds of a lease after its last renewal (before the cut), a
    // third of a lease before that lease expires and anyone may claim the execution.
    while cut_off.in_memory() > 0 {
        assert!(
            cut_at.elapsed() < LEASE * 2 / 3 + Duration::from_millis(200),
            "the cut-off node still drives its execution"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let finished = wait_closed(shared.as_ref(), &execution.arn).await;
    assert_eq!(finished.status, ExecutionStatus::Succeeded);
    assert_eq!(finished.output.as_deref(), Some("\"done\""));
    let events = history(shared.as_ref(), &execution.arn).await;
    assert_whole(&events);
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == "WaitStateExited")
            .count(),
        1
    );

    // Back online, the node gives up the leases it kept and works again.
    switch.cut.store(false, Ordering::SeqCst);
    let again = start(&cut_off, &machine, "after", json!({})).await;
    let finished = wait_closed(shared.as_ref(), &again.arn).await;
    assert_eq!(finished.status, ExecutionStatus::Succeeded);
    poller.abort();
    other_poller.abort();
}
