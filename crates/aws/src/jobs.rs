//! The `.sync` jobs Fluxo watches (developer guide, "Run a Job (.sync)"): after the start call,
//! the job's state is read from its service until it ends.
//! - `athena:startQueryExecution.sync`: `GetQueryExecution` until `QueryExecution.Status.State`
//!   is SUCCEEDED (the result: `GetQueryExecution`'s output), FAILED or CANCELLED.
//! - `glue:startJobRun.sync`: `GetJobRun` until `JobRun.JobRunState` is SUCCEEDED (the result:
//!   the job run), FAILED, STOPPED, TIMEOUT, ERROR or EXPIRED.
//! - `batch:submitJob.sync`: `DescribeJobs` until the job's `Status` is SUCCEEDED (the result:
//!   the job's detail) or FAILED.
//!
//! Timestamps are epoch milliseconds, as the SDK for Java 1.x gives them (`v1_times.rs`). A job
//! that ends badly fails the task with `States.TaskFailed`, what the service said of the job as
//! the cause. The other jobs' `.sync` (Batch, ECS, MediaConvert…) is refused when the
//! definition is created: no local server runs their jobs to an end to test them against.

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
        ("athena", "startQueryExecution") | ("glue", "startJobRun") | ("batch", "submitJob")
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
    let service = resource.service.as_str();
    let style = ErrorStyle::optimized(service);
    match (service, resource.action.as_str()) {
        ("athena", "startQueryExecution") => {
            let mut get = Map::new();
            get.insert(
                "QueryExecutionId".into(),
                field(submitted, "QueryExecutionId"),
            );
            let mut called = inner
                .call_api(
                    service,
                    service,
                    "getQueryExecution",
                    Value::Object(get),
                    region,
                    &style,
                )
                .await?;
            let times = &inner.registry;
            crate::v1_times::convert_output(
                times,
                service,
                "getQueryExecution",
                &mut called.output,
            );
            let state = called.output["QueryExecution"]["Status"]["State"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            Ok(match state.as_str() {
                "SUCCEEDED" => JobState::Succeeded(crate::optimized::with_metadata(
                    called.output,
                    &called.response,
                )),
                "FAILED" | "CANCELLED" => JobState::Failed(called.output),
                _ => JobState::Running,
            })
        }
        ("glue", "startJobRun") => {
            let mut get = Map::new();
            get.insert("JobName".into(), field(parameters, "JobName"));
            get.insert("RunId".into(), field(submitted, "JobRunId"));
            let mut called = inner
                .call_api(
                    service,
                    service,
                    "getJobRun",
                    Value::Object(get),
                    region,
                    &style,
                )
                .await?;
            let times = &inner.registry;
            crate::v1_times::convert_output(times, service, "getJobRun", &mut called.output);
            let run = field(&called.output, "JobRun");
            Ok(match run["JobRunState"].as_str().unwrap_or_default() {
                "SUCCEEDED" => JobState::Succeeded(run),
                "FAILED" | "STOPPED" | "TIMEOUT" | "ERROR" | "EXPIRED" => JobState::Failed(run),
                _ => JobState::Running,
            })
        }
        ("batch", "submitJob") => {
            let mut describe = Map::new();
            describe.insert("Jobs".into(), Value::Array(vec![field(submitted, "JobId")]));
            let mut called = inner
                .call_api(
                    service,
                    service,
                    "describeJobs",
                    Value::Object(describe),
                    region,
                    &style,
                )
                .await?;
            let times = &inner.registry;
            crate::v1_times::convert_output(times, service, "describeJobs", &mut called.output);
            let job = called.output["Jobs"].get(0).cloned().unwrap_or(Value::Null);
            Ok(match job["Status"].as_str().unwrap_or_default() {
                "SUCCEEDED" => JobState::Succeeded(job),
                "FAILED" => JobState::Failed(job),
                _ => JobState::Running,
            })
        }
        _ => Err(ServiceFailure::runtime(format!(
            "Fluxo does not watch the job of '{}'",
            resource.arn
        ))),
    }
}
