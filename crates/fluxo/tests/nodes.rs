//! The Done-when test of issue 15: three `fluxo server` nodes on one PostgreSQL database run
//! 1,000 Standard executions (a function with Retry, an activity answered by a worker, a Wait,
//! a Parallel holding a Map and a Choice loop) while nodes are SIGKILLed at random moments and
//! restarted. Every call goes to a node chosen at random, so starts, stops, descriptions and
//! the worker's GetActivityTask/SendTask* mostly reach a node that does not run the execution.
//! Afterwards every execution has ended right (SUCCEEDED with its output, or ABORTED when it
//! was stopped), none is lost or listed twice, and every history is complete and in order.
//!
//! PostgreSQL comes from `initdb`/`pg_ctl` (see `fluxo_store_postgres::testing`): without them
//! the test prints a notice and passes, except under `CI` / `FLUXO_REQUIRE_CLIENTS`, where it
//! fails. `FLUXO_NODES_EXECUTIONS` changes the number of executions (default 1,000).

mod common;

use common::cluster::{try_call, Cluster};
use common::{check_history, fork_state};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const NODES: usize = 3;
/// Short leases, so that the executions of a node that died are taken over within seconds.
const LEASE_SECONDS: u64 = 4;
/// Kills at most while executions are being started (see `killer`).
const MAX_KILLS: usize = 16;

fn executions() -> usize {
    std::env::var("FLUXO_NODES_EXECUTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

const HANDLER: &str = r#"
def handler(event, context):
    # Every third execution fails its first attempt, so Retry is exercised.
    if event["n"] % 3 == 0 and event["retry"] == 0:
        raise RuntimeError("first attempt of %d" % event["n"])
    return {"double": event["n"] * 2}
"#;

fn definition(activity: &str) -> Value {
    json!({
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                "Parameters": {"n.$": "$.n", "retry.$": "$$.State.RetryCount"},
                "Retry": [
                    {"ErrorEquals": ["RuntimeError"], "IntervalSeconds": 1, "MaxAttempts": 2},
                    // A call cut short by a kill fails its attempt with States.TaskFailed.
                    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 20}
                ],
                "ResultPath": "$.result",
                "Next": "Triple"
            },
            "Triple": {
                "Type": "Task",
                "Resource": activity,
                "Parameters": {"n.$": "$.n"},
                // A task whose GetActivityTask answer a kill lost is never answered: its
                // heartbeat runs out and Retry schedules it again.
                "HeartbeatSeconds": 5,
                "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 10}],
                "ResultPath": "$.activity",
                "Next": "Pause"
            },
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Fork"},
            "Fork": fork_state()
        }
    })
}

fn expected_output(n: usize) -> Value {
    json!({
        "n": n,
        "items": [n, n + 1, n + 2],
        "result": {"double": n * 2},
        "activity": {"tripled": n * 3},
        "fork": {"items": [n, n + 1, n + 2], "count": 3}
    })
}

/// A small deterministic random source (the seed is printed, to replay a failure's schedule).
struct Dice(AtomicU64);

impl Dice {
    fn below(&self, n: u64) -> u64 {
        let mut x = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (x ^ (x >> 31)) % n
    }

    fn node(&self) -> usize {
        self.below(NODES as u64) as usize
    }
}

struct Shared {
    cluster: Cluster,
    dice: Dice,
    started: Mutex<Vec<String>>,
    done: AtomicBool,
}

/// The activity worker: polls a random node, heartbeats and answers through other random
/// nodes. Returns how many tasks it answered.
fn worker(shared: Arc<Shared>, activity: String) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut answered = 0;
        while !shared.done.load(Ordering::SeqCst) {
            let endpoint = shared.cluster.endpoint(shared.dice.node());
            let poll = json!({"activityArn": activity, "workerName": "test"});
            // A short client timeout: a poll whose client went away takes no task.
            let Some((200, task)) = try_call(&endpoint, "GetActivityTask", &poll, 5) else {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            let Some(token) = task["taskToken"].as_str().filter(|t| !t.is_empty()) else {
                continue;
            };
            let input: Value = serde_json::from_str(task["input"].as_str().unwrap()).unwrap();
            let n = input["n"].as_u64().unwrap();
            let cluster = &shared.cluster;
            cluster.call(
                shared.dice.node(),
                "SendTaskHeartbeat",
                &json!({"taskToken": token}),
            );
            let (status, answer) = cluster.call(
                shared.dice.node(),
                "SendTaskSuccess",
                &json!({"taskToken": token, "output": json!({"tripled": n * 3}).to_string()}),
            );
            // A stopped execution's task is gone (TaskTimedOut); any other refusal is a bug.
            assert!(
                status == 200
                    || answer["__type"]
                        .as_str()
                        .unwrap_or("")
                        .contains("TaskTimedOut"),
                "SendTaskSuccess: {answer}"
            );
            answered += 1;
        }
        answered
    })
}

/// Stops every tenth execution soon after it starts and describes others, each through a
/// random node. Returns the executions it stopped.
fn disturber(shared: Arc<Shared>) -> std::thread::JoinHandle<HashSet<String>> {
    std::thread::spawn(move || {
        let mut stopped = HashSet::new();
        let mut seen = 0;
        loop {
            // Once told to finish, the last pass handles every execution started.
            let finishing = shared.done.load(Ordering::SeqCst);
            let arns: Vec<String> = shared.started.lock().unwrap()[seen..].to_vec();
            seen += arns.len();
            for (offset, arn) in arns.iter().enumerate() {
                let body = json!({"executionArn": arn});
                if arn.ends_with('5') {
                    // Counted as stopped once sent: an answer lost to a kill may still have
                    // stopped it.
                    stopped.insert(arn.clone());
                    let (status, answer) =
                        shared
                            .cluster
                            .call(shared.dice.node(), "StopExecution", &body);
                    assert_eq!(status, 200, "StopExecution: {answer}");
                } else if offset % 3 == 0 {
                    let (status, answer) =
                        shared
                            .cluster
                            .call(shared.dice.node(), "DescribeExecution", &body);
                    assert_eq!(status, 200, "DescribeExecution: {answer}");
                }
            }
            if finishing {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        stopped
    })
}

/// Kills a random node every 1.5 to 4 seconds and restarts it after up to 2 seconds, as its
/// old id or as a new one, until the starts are done and at least `kills` kills happened (at
/// most `MAX_KILLS` while starting, so that a slow machine does not kill the same calls again
/// and again).
fn killer(
    shared: Arc<Shared>,
    starting: Arc<AtomicBool>,
    kills: usize,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut count = 0;
        while (starting.load(Ordering::SeqCst) && count < MAX_KILLS) || count < kills {
            std::thread::sleep(Duration::from_millis(1500 + shared.dice.below(2500)));
            let node = shared.dice.node();
            shared.cluster.kill(node);
            std::thread::sleep(Duration::from_millis(shared.dice.below(2000)));
            let id = if count % 2 == 0 {
                format!("node-{node}")
            } else {
                format!("node-{node}-again-{count}")
            };
            shared.cluster.restart(node, &id);
            count += 1;
        }
        count
    })
}

/// Waits until the execution has ended and checks its status, output and history.
fn check_execution(shared: &Shared, n: usize, arn: &str, stopped: &HashSet<String>) -> bool {
    let name = format!("e{n}");
    let deadline = Instant::now() + Duration::from_secs(600);
    let body = json!({"executionArn": arn});
    let described = loop {
        let (_, described) = shared.cluster.call(n % NODES, "DescribeExecution", &body);
        if described["status"] != "RUNNING" {
            break described;
        }
        let report = shared.cluster.report();
        assert!(Instant::now() < deadline, "{name} still RUNNING\n{report}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let history = json!({"executionArn": arn, "maxResults": 1000});
    let (_, history) = shared
        .cluster
        .call(n % NODES + 1, "GetExecutionHistory", &history);
    let kinds = check_history(history["events"].as_array().unwrap(), &name);
    if described["status"] == "ABORTED" {
        assert!(stopped.contains(arn), "{name} ABORTED without a stop");
        assert_eq!(kinds.last().unwrap(), "ExecutionAborted", "{name}");
        return true;
    }
    assert_eq!(described["status"], "SUCCEEDED", "{name}: {described}");
    let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
    assert_eq!(output, expected_output(n), "{name}");
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!(kinds.last().unwrap(), "ExecutionSucceeded", "{name}");
    assert_eq!(count("TaskStateEntered"), 2, "{name}: {kinds:?}");
    assert_eq!(count("LambdaFunctionSucceeded"), 1, "{name}: {kinds:?}");
    assert_eq!(count("ActivitySucceeded"), 1, "{name}: {kinds:?}");
    assert_eq!(count("WaitStateExited"), 1, "{name}: {kinds:?}");
    assert_eq!(count("MapIterationSucceeded"), 3, "{name}: {kinds:?}");
    assert_eq!(count("ChoiceStateEntered"), 4, "{name}: {kinds:?}");
    assert_eq!(count("ParallelStateExited"), 1, "{name}: {kinds:?}");
    false
}

/// Every execution of the state machine, listed page by page through the nodes.
fn list_names(shared: &Shared, machine: &str) -> Vec<String> {
    let mut listed = Vec::new();
    let mut token: Option<String> = None;
    for page_number in 0.. {
        let mut body = json!({"stateMachineArn": machine, "maxResults": 1000});
        if let Some(token) = &token {
            body["nextToken"] = json!(token);
        }
        let (_, page) = shared
            .cluster
            .call(page_number % NODES, "ListExecutions", &body);
        for execution in page["executions"].as_array().unwrap() {
            listed.push(execution["name"].as_str().unwrap().to_string());
        }
        match page["nextToken"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    listed
}

#[test]
fn three_nodes_on_one_database_survive_nodes_being_killed() {
    let Some(database) = fluxo_store_postgres::testing::TestServer::start() else {
        return;
    };
    let functions = tempfile::tempdir().unwrap();
    std::fs::write(functions.path().join("double.py"), HANDLER).unwrap();
    let config = functions.path().join("fluxo.toml");
    std::fs::write(
        &config,
        "[functions.double]\nruntime = \"python3\"\nhandler = \"double.handler\"\ntimeout_seconds = 10\n",
    )
    .unwrap();
    let seed = std::env::var("FLUXO_NODES_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::process::id() as u64);
    eprintln!("nodes test: seed {seed} (FLUXO_NODES_SEED replays the kill schedule)");
    let cluster = Cluster::start(
        &database.url("postgres"),
        NODES,
        Some(&config),
        LEASE_SECONDS,
    );
    let shared = Arc::new(Shared {
        cluster,
        dice: Dice(AtomicU64::new(seed)),
        started: Mutex::new(Vec::new()),
        done: AtomicBool::new(false),
    });
    let (_, created) = shared
        .cluster
        .call(0, "CreateActivity", &json!({"name": "triple"}));
    let activity = created["activityArn"]
        .as_str()
        .expect("activity")
        .to_string();
    let create = json!({"name": "nodes", "definition": definition(&activity).to_string(),
                        "roleArn": "arn:aws:iam::1:role/r"});
    let (_, created) = shared.cluster.call(1, "CreateStateMachine", &create);
    let machine = created["stateMachineArn"]
        .as_str()
        .expect("machine")
        .to_string();

    let workers: Vec<_> = (0..2)
        .map(|_| worker(shared.clone(), activity.clone()))
        .collect();
    let disturbing = disturber(shared.clone());
    let starting = Arc::new(AtomicBool::new(true));
    let killing = killer(shared.clone(), starting.clone(), 6);
    let count = executions();
    let began = Instant::now();
    for n in 0..count {
        let input = json!({"n": n, "items": [n, n + 1, n + 2]}).to_string();
        // Idempotent by name and input, so a start whose answer a kill lost can be repeated.
        let start = json!({"stateMachineArn": machine, "name": format!("e{n}"), "input": input});
        let (status, answer) = shared
            .cluster
            .call(shared.dice.node(), "StartExecution", &start);
        assert_eq!(status, 200, "{answer}");
        let arn = answer["executionArn"].as_str().unwrap().to_string();
        shared.started.lock().unwrap().push(arn);
    }
    starting.store(false, Ordering::SeqCst);
    let kills = killing.join().expect("the killer ran");
    eprintln!(
        "nodes test: {count} started in {:?}, {kills} kills",
        began.elapsed()
    );

    let arns = shared.started.lock().unwrap().clone();
    let stopped_now: HashSet<String> = HashSet::new();
    // The disturber still runs (stops of the last executions): wait for all but the stopped
    // ones first, then stop the helpers and check everything.
    let mut aborted = 0;
    for (n, arn) in arns
        .iter()
        .enumerate()
        .filter(|(_, arn)| !arn.ends_with('5'))
    {
        aborted += usize::from(check_execution(&shared, n, arn, &stopped_now));
    }
    shared.done.store(true, Ordering::SeqCst);
    let stopped = disturbing.join().expect("the disturber ran");
    let answered: usize = workers.into_iter().map(|w| w.join().expect("worker")).sum();
    assert_eq!(aborted, 0, "only stopped executions end ABORTED");
    for (n, arn) in arns
        .iter()
        .enumerate()
        .filter(|(_, arn)| arn.ends_with('5'))
    {
        assert!(stopped.contains(arn), "e{n} was not stopped");
        aborted += usize::from(check_execution(&shared, n, arn, &stopped));
    }
    eprintln!(
        "nodes test: all {count} ended in {:?}; {aborted} aborted of {} stopped; {answered} tasks answered; {} 5xx answers tried again",
        began.elapsed(),
        stopped.len(),
        shared.cluster.server_errors()
    );
    // Most stops come during the execution's activity task or its Wait.
    assert!(
        aborted * 2 >= stopped.len(),
        "{aborted} of {} stops aborted",
        stopped.len()
    );

    // None lost, none duplicated: the listing holds each name once.
    let listed = list_names(&shared, &machine);
    let unique: HashSet<&String> = listed.iter().collect();
    assert_eq!((listed.len(), unique.len()), (count, count));
    for node in 0..NODES {
        shared.cluster.kill(node);
    }
}
