//! The engine's service seam ([`fluxo_engine::ServiceInvoker`]) implemented with the AWS
//! service integrations of `fluxo-aws`: a Task state's `arn:aws:states:::SERVICE:ACTION` or
//! `arn:aws:states:::aws-sdk:SERVICE:ACTION` becomes a signed request to the service (or to the
//! endpoint `[aws]` in `fluxo.toml` names), made only when `[aws] enabled` turns it on.

use fluxo_aws::{AwsConfig, Integrations, JobState, ServiceCall, ServiceResource, SetupError};
use fluxo_engine::{JobStatus, JobWatch, ServiceInvoker, ServiceRequest, TaskFailure};
use futures::future::BoxFuture;
use serde_json::Value;
use std::sync::Arc;

/// AWS service integrations for Task states; cheap to clone.
#[derive(Clone, Debug)]
pub struct AwsServices {
    integrations: Integrations,
}

impl AwsServices {
    /// Service integrations configured by `[aws]`, with credentials from the default AWS
    /// credential chain (see [`Integrations::from_config`]).
    pub async fn from_config(config: &AwsConfig) -> Result<AwsServices, SetupError> {
        Ok(AwsServices {
            integrations: Integrations::from_config(config).await?,
        })
    }

    /// Service integrations built by the embedding program (tests choose the credentials).
    pub fn new(integrations: Integrations) -> AwsServices {
        AwsServices { integrations }
    }

    /// As the engine's seam.
    pub fn into_invoker(self) -> Arc<dyn ServiceInvoker> {
        Arc::new(self)
    }
}

impl ServiceInvoker for AwsServices {
    fn call(&self, request: ServiceRequest) -> BoxFuture<'static, Result<Value, TaskFailure>> {
        let resource = match integration(&request.resource) {
            Ok(resource) => resource,
            Err(failure) => return Box::pin(async move { Err(failure) }),
        };
        let called = self.integrations.call(ServiceCall {
            resource,
            parameters: request.parameters,
            region: request.region,
            state_machine_arn: Some(request.state_machine_arn),
            execution_arn: Some(request.execution_arn),
            raw_body: request.raw_body,
        });
        Box::pin(async move { called.await.map_err(task_failure) })
    }

    fn enables(&self, resource: &str) -> bool {
        matches!(ServiceResource::parse(resource), Ok(Some(parsed)) if self.integrations.is_enabled(&parsed))
    }

    /// Stops the job through its service; a refusal is only logged (the job may have ended).
    fn stop_job(&self, job: &JobWatch) -> BoxFuture<'static, ()> {
        let Ok(resource) = integration(&job.resource) else {
            return Box::pin(async {});
        };
        let stopped = self.integrations.stop_job(
            resource,
            job.parameters.clone(),
            job.submitted.clone(),
            job.region.clone(),
        );
        let what = job.resource.clone();
        Box::pin(async move {
            if let Err(failure) = stopped.await {
                tracing::warn!(error = %failure.error, resource = %what, "a job whose task ended could not be stopped");
            }
        })
    }

    /// The job's state from its service; a job that ended badly fails with
    /// `States.TaskFailed`, what the service said of it as the cause; a read that fails is
    /// `Err` (the watcher reads again).
    fn job_status(&self, job: &JobWatch) -> BoxFuture<'static, Result<JobStatus, TaskFailure>> {
        let resource = match integration(&job.resource) {
            Ok(resource) => resource,
            Err(failure) => return Box::pin(async move { Ok(JobStatus::Failed(failure)) }),
        };
        let state = self.integrations.job_state(
            resource,
            job.parameters.clone(),
            job.submitted.clone(),
            job.region.clone(),
        );
        Box::pin(async move {
            match state.await {
                Ok(JobState::Running) => Ok(JobStatus::Running),
                Ok(JobState::Succeeded(result)) => Ok(JobStatus::Succeeded(result)),
                Ok(JobState::Failed(said)) => Ok(JobStatus::Failed(TaskFailure {
                    error: "States.TaskFailed".into(),
                    cause: Some(said.to_string()),
                })),
                Err(failure) => Err(task_failure(failure)),
            }
        })
    }
}

/// The service integration a Task resource names. Definitions are checked with the same
/// parser when they are created; a resource that does not parse here was stored by another
/// version of Fluxo, and fails its task with `States.Runtime`.
fn integration(resource: &str) -> Result<ServiceResource, TaskFailure> {
    match ServiceResource::parse(resource) {
        Ok(Some(parsed)) => Ok(parsed),
        Ok(None) | Err(_) => Err(TaskFailure {
            error: "States.Runtime".into(),
            cause: Some(format!(
                "The resource '{resource}' is not a service integration Fluxo can call"
            )),
        }),
    }
}

/// A call's failure as the engine takes it.
fn task_failure(failure: fluxo_aws::ServiceFailure) -> TaskFailure {
    TaskFailure {
        error: failure.error,
        cause: Some(failure.cause),
    }
}
