//! Several nodes on one store: three runtimes share the executions through leases. Node 0 is
//! killed mid-way (its drivers and its background task stop at once, as in a crash) and the
//! two others finish every execution, its own included once its leases expire; node 0 then
//! comes back with its id, and node 1 is killed in the middle of a second batch. Every
//! execution ends with the right output and a history without a lost, repeated or reordered
//! event. On SQLite (one store shared in the process) and on PostgreSQL (each node
//! its own pool on one database; the test fails under CI when PostgreSQL is missing).

mod common;

use common::*;
use fluxo_engine::{FunctionCall, FunctionInvoker, FunctionResult, TaskFailure};
use fluxo_runtime::{Runtime, RuntimeConfig};
use fluxo_store::{EventRecord, Store};
use fluxo_types::ExecutionStatus;
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// `flaky` fails its first attempt (`retry` 0) with the error `Flaky`; `double` doubles `n`.
struct Functions;

impl FunctionInvoker for Functions {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let n = call.payload["n"].as_i64().unwrap_or(0);
            if call.function_name == "flaky" && call.payload["retry"] == json!(0) {
                return Err(TaskFailure {
                    error: "Flaky".into(),
                    cause: Some("first attempt".into()),
                });
            }
            Ok(json!({ "doubled": n * 2 }).into())
        })
    }
}

fn task(function: &str, parameters: Value) -> Value {
    json!({"Type": "Task", "Resource": format!("arn:aws:lambda:us-east-1:123456789012:function:{function}"),
        "Parameters": parameters,
        // A call in flight when its node dies fails its attempt with States.TaskFailed.
        "Retry": [{"ErrorEquals": ["Flaky", "States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 5}]})
}

fn definition() -> Value {
    let mut call = task(
        "flaky",
        json!({"n.$": "$.n", "retry.$": "$$.State.RetryCount"}),
    );
    call["ResultPath"] = json!("$.called");
    call["Next"] = json!("Pause");
    let mut twice = task("double", json!({"n.$": "$.n"}));
    twice["End"] = json!(true);
    let mut item = task("double", json!({"n.$": "$"}));
    item["OutputPath"] = json!("$.doubled");
    item["End"] = json!(true);
    json!({"StartAt": "Call", "States": {
        "Call": call,
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Both"},
        "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Items", "Branches": [
            {"StartAt": "Short", "States": {"Short": {"Type": "Wait", "Seconds": 1, "Next": "Twice"}, "Twice": twice}},
            {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "End": true}}}
        ]},
        "Items": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.items", "MaxConcurrency": 2,
            "ItemProcessor": {"StartAt": "D", "States": {"D": item}}, "Next": "Done"},
        "Done": {"Type": "Succeed"}
    }})
}

fn expected(n: i64) -> Value {
    json!({"n": n, "items": [2 * n, 2 * n + 2], "called": {"doubled": 2 * n},
        "both": [{"doubled": 2 * n}, {"n": n}]})
}

const LEASE: Duration = Duration::from_millis(1500);

fn node(store: Arc<dyn Store>, id: usize) -> Arc<Runtime> {
    let mut config = RuntimeConfig::new(REGION, ACCOUNT);
    config.node_id = format!("node-{id}");
    config.lease_ttl = LEASE;
    // The 2 s Wait unloads (the 1 s ones stay in memory): its timer is then claimed by
    // whichever node polls first.
    config.unload_after = Some(Duration::from_millis(1500));
    Runtime::new(store, Arc::new(Functions), config)
}

/// Each thread's events in order, once each; ids whole; one start and one end.
fn assert_ordered(arn: &str, events: &[EventRecord]) {
    assert_whole(events);
    let mut threads: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for event in events {
        threads.entry(&event.thread).or_default().push(event.seq);
    }
    for (thread, seqs) in threads {
        assert!(
            seqs.windows(2).all(|pair| pair[0] < pair[1]),
            "{arn}: thread {thread:?} out of order or repeated: {seqs:?}"
        );
    }
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count("ExecutionStarted"), 1, "{arn}");
    assert_eq!(count("ExecutionSucceeded"), 1, "{arn}");
    assert_eq!(
        count("WaitStateExited"),
        2,
        "{arn}: Pause and Short, once each"
    );
    assert_eq!(count("MapIterationSucceeded"), 2, "{arn}");
    assert_eq!(count("ParallelStateExited"), 1, "{arn}");
    assert_eq!(
        count("LambdaFunctionSucceeded"),
        4,
        "{arn}: Call, Twice and two items, once each"
    );
}

/// Starts executions `range`, round-robin on `on`.
async fn start_batch(on: &[Arc<Runtime>], range: std::ops::Range<i64>) -> Vec<(i64, String)> {
    let mut started = Vec::new();
    for n in range {
        let runtime = &on[n as usize % on.len()];
        let arn = fluxo_types::arn::state_machine(REGION, ACCOUNT, "shared");
        let machine = runtime.state_machine(&arn, false).await.unwrap();
        let input = json!({"n": n, "items": [n, n + 1]});
        started.push((
            n,
            start(runtime, &machine, &format!("e{n}"), input).await.arn,
        ));
    }
    started
}

/// Kills a node as a crash would, once it drives executions: returns how many it drove.
async fn kill(node: &Runtime, poller: &tokio::task::JoinHandle<()>) -> usize {
    // Mid-way: in the retry back-off, the Waits or a call.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let orphaned = node.in_memory();
    node.abort_all();
    poller.abort();
    assert!(orphaned > 0, "the node was driving executions when it died");
    orphaned
}

/// Every execution ends with its output and a whole, ordered history.
async fn check_all(store: &dyn Store, executions: &[(i64, String)]) {
    let deadline =
        std::time::Instant::now() + Duration::from_secs(60 + executions.len() as u64 / 5);
    for (n, arn) in executions {
        let finished = loop {
            let execution = store.get_execution(arn).await.unwrap().unwrap();
            if execution.status != ExecutionStatus::Running {
                break execution;
            }
            assert!(std::time::Instant::now() < deadline, "{arn} did not end");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(
            finished.status,
            ExecutionStatus::Succeeded,
            "{arn}: {:?} {:?}",
            finished.error,
            finished.cause
        );
        let output: Value = serde_json::from_str(finished.output.as_deref().unwrap()).unwrap();
        assert_eq!(output, expected(*n), "{arn}");
        assert_ordered(arn, &history(store, arn).await);
    }
    let distinct: HashSet<&String> = executions.iter().map(|(_, arn)| arn).collect();
    assert_eq!(distinct.len(), executions.len());
}

async fn three_nodes_share_the_work<F, Fut>(open: F, executions: i64)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    let mut nodes = Vec::new();
    let mut pollers = Vec::new();
    for id in 0..3 {
        let runtime = node(open().await, id);
        pollers.push(runtime.spawn_timers(Duration::from_millis(50)));
        nodes.push(runtime);
    }
    create(&nodes[0], "shared", definition()).await;
    let store = open().await;

    // Node 0 dies mid-way; nodes 1 and 2 alone finish everything, its executions included
    // once its leases expire.
    let first = start_batch(&nodes, 0..executions).await;
    let orphaned = kill(&nodes[0], &pollers[0]).await;
    check_all(store.as_ref(), &first).await;

    // Node 0 comes back with its id; then node 1 dies in the middle of a second batch.
    nodes[0] = node(open().await, 0);
    nodes[0].recover().await.unwrap();
    pollers[0] = nodes[0].spawn_timers(Duration::from_millis(50));
    let second = start_batch(&nodes, executions..executions + executions / 2).await;
    let orphaned_again = kill(&nodes[1], &pollers[1]).await;
    check_all(store.as_ref(), &second).await;
    eprintln!(
        "{} + {} executions; the killed nodes drove {orphaned} and {orphaned_again} of them",
        first.len(),
        second.len()
    );
    for poller in pollers {
        poller.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_on_sqlite_share_the_work_and_survive_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(fluxo_store_sqlite::SqliteStore::open(dir.path()).unwrap());
    three_nodes_share_the_work(|| async { store.clone() }, 60).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_on_postgres_share_the_work_and_survive_a_crash() {
    use fluxo_store_postgres::{testing::TestServer, Options, PostgresStore};
    let Some(server) = TestServer::start() else {
        return;
    };
    let url = server.database("nodes").await;
    let executions = std::env::var("FLUXO_MULTINODE_EXECUTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(120);
    let open = || {
        let url = url.clone();
        async move {
            let options = Options { max_connections: 8 };
            let store = PostgresStore::connect(&url, options).await.unwrap();
            Arc::new(store) as Arc<dyn Store>
        }
    };
    three_nodes_share_the_work(open, executions).await;
}

/// StopExecution answered by a node that does not drive the execution: the store ends it at
/// once, and the driving node, whose next renewal no longer finds the lease, stops its driver
/// instead of waiting for its next transition to be refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_on_another_node_ends_the_driver() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(fluxo_store_sqlite::SqliteStore::open(dir.path()).unwrap());
    let (driving, other) = (node(store.clone(), 0), node(store.clone(), 1));
    let pollers = [
        driving.spawn_timers(Duration::from_millis(50)),
        other.spawn_timers(Duration::from_millis(50)),
    ];
    let waiting = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"},
        "P": {"Type": "Pass", "End": true}}});
    let machine = create(&driving, "stopped", waiting).await;
    let execution = start(&driving, &machine, "s", json!({})).await;
    // In its Wait, its first events committed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(driving.in_memory(), 1);
    let now = jiff::Timestamp::now().as_millisecond();
    let stopped = other.stop(&execution.arn, None, None, now).await.unwrap();
    assert_eq!(stopped.status, ExecutionStatus::Aborted);
    // Within a renewal period (a third of the lease) and well before the Wait ends.
    tokio::time::sleep(LEASE / 3 + Duration::from_millis(200)).await;
    assert_eq!(driving.in_memory(), 0, "the driver was stopped");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let events = history(store.as_ref(), &execution.arn).await;
    assert_whole(&events);
    assert_eq!(events.last().unwrap().kind, "ExecutionAborted");
    for poller in pollers {
        poller.abort();
    }
}
