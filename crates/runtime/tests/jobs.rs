//! `.sync` jobs of AWS services watched by the runtime (`jobs.rs`): a job whose execution was
//! unloaded and whose watch died with the process is taken up again after a restart, because
//! the unloaded execution wakes within `RuntimeConfig::job_recheck` and its replay watches the
//! job again.

mod common;

use common::{create, execution_arn, history, start, wait_closed, Doubler, ACCOUNT, REGION};
use fluxo_engine::{JobStatus, JobWatch, ServiceInvoker, ServiceRequest, TaskFailure};
use fluxo_runtime::{Runtime, RuntimeConfig};
use fluxo_store::Store;
use fluxo_store_sqlite::SqliteStore;
use fluxo_types::ExecutionStatus;
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Glue as the runtime sees it: `startJobRun` answers a run id; the job runs until `done`.
#[derive(Default)]
struct Glue {
    done: AtomicBool,
    looks: AtomicUsize,
}

impl ServiceInvoker for Glue {
    fn call(&self, request: ServiceRequest) -> BoxFuture<'static, Result<Value, TaskFailure>> {
        assert_eq!(request.resource, "arn:aws:states:::glue:startJobRun.sync");
        Box::pin(async { Ok(json!({"JobRunId": "jr_1"})) })
    }

    fn job_status(&self, job: &JobWatch) -> BoxFuture<'static, Result<JobStatus, TaskFailure>> {
        assert_eq!(job.submitted, json!({"JobRunId": "jr_1"}));
        self.looks.fetch_add(1, Ordering::SeqCst);
        let status = match self.done.load(Ordering::SeqCst) {
            true => JobStatus::Succeeded(json!({"Id": "jr_1", "JobRunState": "SUCCEEDED"})),
            false => JobStatus::Running,
        };
        Box::pin(async move { Ok(status) })
    }
}

fn runtime_with(dir: &Path, glue: Arc<Glue>) -> Arc<Runtime> {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir).unwrap());
    let mut config = RuntimeConfig::new(REGION, ACCOUNT);
    config.unload_after = Some(Duration::from_millis(100));
    config.job_recheck = Duration::from_millis(500);
    config.services = glue;
    Runtime::new(store, Arc::new(Doubler::default()), config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unloaded_execution_takes_its_job_up_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = Arc::new(Glue::default());
    let runtime = runtime_with(dir.path(), first.clone());
    let timers = runtime.spawn_timers(Duration::from_millis(50));
    let definition = json!({"StartAt": "Run", "States": {"Run": {
        "Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
        "Parameters": {"JobName": "combine"}, "End": true}}});
    let machine = create(&runtime, "jobs", definition).await;
    start(&runtime, &machine, "e1", json!({})).await;
    // Watched, and unloaded while the job runs.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while first.looks.load(Ordering::SeqCst) == 0 || runtime.in_memory() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "never watched and unloaded"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The process "dies": its drivers and timers stop, and its watch learns nothing more
    // (the first Glue never says the job ended).
    runtime.abort_all();
    timers.abort();
    let second = Arc::new(Glue::default());
    second.done.store(true, Ordering::SeqCst);
    let restarted = runtime_with(dir.path(), second.clone());
    restarted.recover().await.unwrap();
    let timers = restarted.spawn_timers(Duration::from_millis(50));
    let arn = execution_arn("jobs", "e1");
    let store = restarted.store();
    let execution = wait_closed(store.as_ref(), &arn).await;
    assert_eq!(execution.status, ExecutionStatus::Succeeded);
    assert!(
        second.looks.load(Ordering::SeqCst) >= 1,
        "the restarted runtime watched it"
    );
    let output: Value = serde_json::from_str(execution.output.as_deref().unwrap()).unwrap();
    assert_eq!(output["JobRunState"], "SUCCEEDED");
    let kinds: Vec<String> = history(store.as_ref(), &arn)
        .await
        .into_iter()
        .map(|e| e.kind.to_string())
        .collect();
    let submitted = kinds.iter().filter(|k| *k == "TaskSubmitted").count();
    assert_eq!(submitted, 1, "the job is started once: {kinds:?}");
    timers.abort();
}
