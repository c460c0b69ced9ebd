//! Service integrations of Task states: the calls behind `arn:aws:states:::sqs:sendMessage`,
//! `arn:aws:states:::dynamodb:putItem`, `arn:aws:states:::aws-sdk:s3:putObject` and every other
//! `arn:aws:states:::aws-sdk:SERVICE:ACTION`.
//!
//! Public surface:
//! - [`ServiceResource::parse`]: recognises every service-integration resource (optimized and
//!   AWS SDK, with `.sync`, `.sync:2` and `.waitForTaskToken`) once, when a definition is
//!   compiled, and rejects the ones AWS does not have with AWS's text.
//! - [`AwsConfig`]: the `[aws]` section of `fluxo.toml` (which integrations are on, region,
//!   profile, endpoints, the directory of extra API models).
//! - [`Integrations`]: built once from the configuration; [`Integrations::call`] performs a
//!   [`ServiceCall`] and returns the Task's result or a [`ServiceFailure`] (error and cause as
//!   Step Functions reports them); [`Integrations::check`] makes the checks AWS makes when a
//!   definition is created (the action exists, `Parameters` names request members).
//!
//! AWS SDK integrations are generic: requests are built from the service's API model (botocore's
//! `service-2.json`), in the protocol the model names (AWS JSON 1.0/1.1, REST-JSON, REST-XML,
//! Query, EC2), signed with SigV4 and sent over HTTPS (or HTTP to a configured endpoint).
//!
//! Safe by default: every integration is off until `[aws] enabled` turns it on; a call that is
//! off fails with `States.Runtime` naming the setting. Credentials come from the default AWS
//! credential chain and never appear in results, errors or logs. There are no hidden retries:
//! throttling reaches the state's `Retry`.

mod apigateway;
mod bedrock;
mod check;
mod client;
mod config;
mod credentials;
mod endpoint;
mod failure;
mod http;
mod jobs;
mod mock;
mod model;
mod naming;
mod optimized;
mod params;
mod protocol;
mod resource;
mod v1_times;

pub use check::{check_definition_task, DefinitionProblem};
pub use config::{AwsConfig, Enabled};
pub use failure::ServiceFailure;
pub use jobs::JobState;
pub use mock::{check_mock_result, FieldValidationMode, MockResultProblem};
pub use resource::{IntegrationKind, IntegrationPattern, ServiceResource, UnrecognizedResource};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use client::Inner;
use failure::ErrorStyle;
use futures::future::BoxFuture;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// One call of a service integration, as the engine makes it.
#[derive(Debug, Clone)]
pub struct ServiceCall {
    /// The Task's resource, parsed when the definition was compiled.
    pub resource: ServiceResource,
    /// The effective parameters (after `Parameters` / `Arguments`), in Step Functions' naming.
    pub parameters: Value,
    /// The execution's region: calls go there unless the resource ARN or `[aws] region` names
    /// another.
    pub region: String,
    /// The state machine's ARN (`events:putEvents` lists it in each event's `Resources`).
    pub state_machine_arn: Option<String>,
    /// The execution's ARN (`events:putEvents` lists it too).
    pub execution_arn: Option<String>,
    /// The request's `Body` as these bytes instead of the JSON text a Task's `Body` parameter
    /// becomes: for Fluxo's own S3 writes (a Distributed Map's `ResultWriter` files). Nothing in
    /// a definition sets it.
    pub raw_body: Option<String>,
}

/// Why the integrations could not be set up.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the AWS integrations cannot be set up: {0}")]
pub struct SetupError(String);

/// The service integrations, configured once; cheap to clone.
#[derive(Clone)]
pub struct Integrations {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Integrations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Integrations")
            .field("enabled", &self.inner.config.enabled)
            .finish_non_exhaustive()
    }
}

impl Integrations {
    /// The standard way: credentials from the default AWS credential chain (environment,
    /// shared config and credentials files, `[aws] profile` or `AWS_PROFILE`, SSO, web
    /// identity, container and instance metadata) and endpoints from `fluxo.toml`, then
    /// `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL` and the shared config file.
    pub async fn from_config(config: &AwsConfig) -> Result<Integrations, SetupError> {
        let shared = credentials::load_sdk_config(config.profile.as_deref()).await;
        let provider = shared.credentials_provider();
        Integrations::build(config, provider, Some(shared))
    }

    /// With a credentials provider chosen by the embedding program, and no shared AWS
    /// configuration (no environment or profile endpoints): for tests and embedders.
    pub fn with_credentials(
        config: &AwsConfig,
        provider: impl ProvideCredentials + 'static,
    ) -> Result<Integrations, SetupError> {
        Integrations::build(config, Some(SharedCredentialsProvider::new(provider)), None)
    }

    fn build(
        config: &AwsConfig,
        provider: Option<SharedCredentialsProvider>,
        shared: Option<aws_config::SdkConfig>,
    ) -> Result<Integrations, SetupError> {
        let timeout = Duration::from_secs(config.timeout_seconds.unwrap_or(60).max(1));
        let max_response_bytes = config.max_response_bytes.unwrap_or(8 * 1024 * 1024);
        let http = http::HttpClient::new(timeout, max_response_bytes).map_err(SetupError)?;
        if let Some(dir) = &config.models_dir {
            model::ModelRegistry::use_models_dir_for_definitions(dir.clone());
        }
        Ok(Integrations {
            inner: Arc::new(Inner {
                config: config.clone(),
                registry: model::ModelRegistry::new(config.models_dir.clone()),
                http,
                signer: credentials::Signer::new(provider),
                shared,
            }),
        })
    }

    /// Whether Fluxo knows how to make this integration's calls (enabled or not): every AWS
    /// SDK integration (request-response and `.waitForTaskToken`, the patterns AWS SDK
    /// integrations have), the optimized integrations whose request shapes Fluxo knows
    /// (`optimized::supported_parameters`) request-response and `.waitForTaskToken` (where
    /// AWS has it: `resource.rs` refuses the others first), and `.sync` of the jobs Fluxo
    /// watches (`jobs.rs`). A definition using anything else is refused when it is created.
    pub fn callable(resource: &ServiceResource) -> bool {
        let pattern_ok = match resource.pattern {
            IntegrationPattern::RequestResponse | IntegrationPattern::WaitForTaskToken => true,
            // `.sync`: the jobs Fluxo watches to their end (`jobs.rs`).
            IntegrationPattern::Sync => {
                resource.kind == IntegrationKind::Optimized
                    && jobs::watches(&resource.service, &resource.action)
            }
            IntegrationPattern::Sync2 => false,
        };
        pattern_ok
            && match resource.kind {
                IntegrationKind::AwsSdk => true,
                IntegrationKind::Optimized => {
                    optimized::supported_parameters(&resource.service, &resource.action).is_some()
                }
            }
    }

    /// Whether `[aws] enabled` turns this integration on.
    pub fn is_enabled(&self, resource: &ServiceResource) -> bool {
        self.inner.config.enabled.allows(resource)
    }

    /// Reads once where the `.sync` job of `resource` stands (`jobs.rs`): its start call had
    /// these parameters and gave `submitted`. The future owns what it needs.
    pub fn job_state(
        &self,
        resource: ServiceResource,
        parameters: Value,
        submitted: Value,
        region: String,
    ) -> BoxFuture<'static, Result<JobState, ServiceFailure>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let region = inner.region_for(&resource, &region).to_string();
            jobs::state(&inner, &resource, &parameters, &submitted, &region).await
        })
    }

    /// Stops the `.sync` job of `resource` (best effort; `jobs.rs`).
    pub fn stop_job(
        &self,
        resource: ServiceResource,
        parameters: Value,
        submitted: Value,
        region: String,
    ) -> BoxFuture<'static, Result<(), ServiceFailure>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let region = inner.region_for(&resource, &region).to_string();
            jobs::stop(&inner, &resource, &parameters, &submitted, &region).await
        })
    }

    /// Performs a call: the Task's result, or the failure as Step Functions reports it. The
    /// future owns what it needs, so the engine can race it against `TimeoutSeconds` and drop it.
    pub fn call(&self, call: ServiceCall) -> BoxFuture<'static, Result<Value, ServiceFailure>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let mut call = call;
            // Moved on, not copied: it may be a Map Run's result file.
            let raw_body = call.raw_body.take();
            perform(&inner, &call, raw_body).await
        })
    }
}

async fn perform(
    inner: &Inner,
    call: &ServiceCall,
    raw_body: Option<String>,
) -> Result<Value, ServiceFailure> {
    let resource = &call.resource;
    if !inner.config.enabled.allows(resource) {
        return Err(ServiceFailure::runtime(format!(
            "The AWS service integration '{resource}' is off. Fluxo calls AWS services only when fluxo.toml turns them on: [aws] enabled = \"all\", or a list naming the service or the action, such as [\"{}\", \"{}\"]",
            resource.service,
            resource.setting_name()
        )));
    }
    let region = inner.region_for(resource, &call.region);
    if !resource::valid_region(region) {
        return Err(ServiceFailure::runtime(format!(
            "'{region}' is not a region name"
        )));
    }
    match resource.kind {
        IntegrationKind::Optimized => optimized::call(inner, call, region).await,
        IntegrationKind::AwsSdk => {
            let model = inner
                .registry
                .model(&resource.service)
                .map_err(|error| ServiceFailure::runtime(error.to_string()))?;
            let style = ErrorStyle::SdkV2 {
                prefix: naming::sdk_client_name(&model.metadata.service_id),
            };
            inner
                .call_api_with(
                    &resource.service,
                    &resource.service,
                    &resource.action,
                    call.parameters.clone(),
                    region,
                    &style,
                    |bound| {
                        if let Some(body) = raw_body {
                            bound.insert("Body".into(), Value::String(body));
                        }
                    },
                )
                .await
                .map(|called| called.output)
        }
    }
}
