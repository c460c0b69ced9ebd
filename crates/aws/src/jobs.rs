//! The `.sync` jobs Fluxo watches (developer guide, "Run a Job (.sync)"): after the start call,
//! the job's state is read from its service until it ends.
//! - `athena:startQueryExecution.sync`: `GetQueryExecution` until `QueryExecution.Status.State`
//!   is SUCCEEDED (the result: `GetQueryExecution`'s output), FAILED or CANCELLED.
//! - `glue:startJobRun.sync`: `GetJobRun` until `JobRun.JobRunState` is SUCCEEDED (the result:
//!   the job run), FAILED, STOPPED, TIMEOUT, ERROR or EXPIRED.
//! - `batch:submitJob.sync`: `DescribeJobs` until the job's `Status` is SUCCEEDED (the result:
//!   the job's detail) or FAILED.
//! - `ecs:runTask.sync`: `DescribeTasks` until the task's `LastStatus` is STOPPED: the task's
//!   description is the result when every container exited with 0 (recorded by LocalStack
//!   against AWS, `test_ecs_task_service.snapshot.json`: `TaskSucceeded` holds the stopped
//!   task), a failure otherwise. A `RunTask` answer with `Failures` fails the task with
//!   `AmazonECS.Unknown` (developer guide, "Manage Amazon ECS or Fargate tasks").
//!
//! Timestamps are epoch milliseconds, as the SDK for Java 1.x gives them (`v1_times.rs`). A job
//! that ends badly fails the task with `States.TaskFailed`, what the service said of the job as
//! the cause, and so does a job the service does not know or whose state it does not give; a
//! state it gives that is not listed here is taken as still running. The other jobs' `.sync`
//! (MediaConvert…) is refused when the definition is created: no document or recording gives
//! their results' shape.

use crate::client::Inner;
use crate::failure::{ErrorStyle, ServiceFailure};
use crate::resource::ServiceResource;
use serde_json::{Map, Value};

/// Where a watched job stands.
#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    Running,
    /// The task's result.
    Succeeded(Value),
    /// What the service said of the failed job (the task's cause).
    Failed(Value),
}

/// Whether Fluxo watches the `.sync` job of this (optimized) service action.
pub(crate) fn watches(service: &str, action: &str) -> bool {
    matches!(
        (service, action),
        ("athena", "startQueryExecution")
            | ("glue", "startJobRun")
            | ("batch", "submitJob")
            | ("ecs", "runTask")
    )
}

/// Reads the job's state once.
pub(crate) async fn state(
    inner: &Inner,
    resource: &ServiceResource,
    parameters: &Value,
    submitted: &Value,
    region: &str,
) -> Result<JobState, ServiceFailure> {
    let field = |value: &Value, name: &str| value.get(name).cloned().unwrap_or(Value::Null);
    let describe = |action: &'static str, request: Map<String, Value>| {
        call_job_api(inner, &resource.service, action, request, region)
    };
    match (resource.service.as_str(), resource.action.as_str()) {
        ("athena", "startQueryExecution") => {
            let id = field(submitted, "QueryExecutionId");
            let called = describe(
                "getQueryExecution",
                Map::from_iter([("QueryExecutionId".into(), id)]),
            )
            .await?;
            let state = called.output["QueryExecution"]["Status"]["State"].clone();
            Ok(match state.as_str() {
                Some("SUCCEEDED") => JobState::Succeeded(crate::optimized::with_metadata(
                    called.output,
                    &called.response,
                )),
                Some("FAILED" | "CANCELLED") | None => JobState::Failed(called.output),
                Some(_) => JobState::Running,
            })
        }
        ("glue", "startJobRun") => {
            let request = Map::from_iter([
                ("JobName".into(), field(parameters, "JobName")),
                ("RunId".into(), field(submitted, "JobRunId")),
            ]);
            let called = describe("getJobRun", request).await?;
            let run = field(&called.output, "JobRun");
            Ok(match run["JobRunState"].as_str() {
                Some("SUCCEEDED") => JobState::Succeeded(run),
                Some("FAILED" | "STOPPED" | "TIMEOUT" | "ERROR" | "EXPIRED") => {
                    JobState::Failed(run)
                }
                None => JobState::Failed(called.output),
                Some(_) => JobState::Running,
            })
        }
        ("ecs", "runTask") => {
            let task_arn = submitted["Tasks"][0]["TaskArn"].clone();
            let request = Map::from_iter([
                ("Cluster".into(), field(parameters, "Cluster")),
                ("Tasks".into(), Value::Array(vec![task_arn])),
            ]);
            let called = describe("describeTasks", request).await?;
            let task = called.output["Tasks"].get(0).cloned();
            Ok(
                match task.as_ref().and_then(|task| task["LastStatus"].as_str()) {
                    Some("STOPPED") => {
                        let task = task.unwrap_or_default();
                        let containers = task["Containers"].as_array().cloned().unwrap_or_default();
                        match containers.iter().all(|c| c["ExitCode"] == 0) {
                            true => JobState::Succeeded(task),
                            false => JobState::Failed(task),
                        }
                    }
                    None => JobState::Failed(called.output),
                    Some(_) => JobState::Running,
                },
            )
        }
        ("batch", "submitJob") => {
            let ids = Value::Array(vec![field(submitted, "JobId")]);
            let called = describe("describeJobs", Map::from_iter([("Jobs".into(), ids)])).await?;
            let job = called.output["Jobs"].get(0).cloned();
            Ok(match job.as_ref().and_then(|job| job["Status"].as_str()) {
                Some("SUCCEEDED") => JobState::Succeeded(job.unwrap_or_default()),
                // Ended badly, or not known to the service (an unknown id describes no job).
                Some("FAILED") | None => JobState::Failed(job.unwrap_or(called.output)),
                Some(_) => JobState::Running,
            })
        }
        _ => Err(ServiceFailure::runtime(format!(
            "Fluxo does not watch the job of '{}'",
            resource.arn
        ))),
    }
}

/// Calls the job service's `action` (describing or stopping the job); the output's timestamps
/// as the SDK for Java 1.x gives them.
async fn call_job_api(
    inner: &Inner,
    service: &str,
    action: &'static str,
    request: Map<String, Value>,
    region: &str,
) -> Result<crate::client::Called, ServiceFailure> {
    let style = ErrorStyle::optimized(service);
    let mut called = inner
        .call_api(
            service,
            service,
            action,
            Value::Object(request),
            region,
            &style,
        )
        .await?;
    crate::v1_times::convert_output(&inner.registry, service, action, &mut called.output);
    Ok(called)
}

/// Stops the job (best effort): `StopQueryExecution`, `BatchStopJobRun`, `TerminateJob`.
pub(crate) async fn stop(
    inner: &Inner,
    resource: &ServiceResource,
    parameters: &Value,
    submitted: &Value,
    region: &str,
) -> Result<(), ServiceFailure> {
    let field = |value: &Value, name: &str| value.get(name).cloned().unwrap_or(Value::Null);
    let (action, request) = match (resource.service.as_str(), resource.action.as_str()) {
        ("athena", "startQueryExecution") => (
            "stopQueryExecution",
            Map::from_iter([(
                "QueryExecutionId".into(),
                field(submitted, "QueryExecutionId"),
            )]),
        ),
        ("glue", "startJobRun") => (
            "batchStopJobRun",
            Map::from_iter([
                ("JobName".into(), field(parameters, "JobName")),
                (
                    "JobRunIds".into(),
                    Value::Array(vec![field(submitted, "JobRunId")]),
                ),
            ]),
        ),
        ("ecs", "runTask") => (
            "stopTask",
            Map::from_iter([
                ("Cluster".into(), field(parameters, "Cluster")),
                ("Task".into(), submitted["Tasks"][0]["TaskArn"].clone()),
                ("Reason".into(), Value::from(STOP_REASON)),
            ]),
        ),
        ("batch", "submitJob") => (
            "terminateJob",
            Map::from_iter([
                ("JobId".into(), field(submitted, "JobId")),
                ("Reason".into(), Value::from(STOP_REASON)),
            ]),
        ),
        _ => return Ok(()),
    };
    call_job_api(inner, &resource.service, action, request, region)
        .await
        .map(drop)
}

/// Why a job is stopped, as its service records it.
const STOP_REASON: &str = "Stopped by Fluxo: the Step Functions task waiting on the job ended";
