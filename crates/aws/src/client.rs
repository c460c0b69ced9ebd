//! One API call, start to end: the model, the bound parameters, the endpoint, the request, the
//! signature, the exchange and the result or the failure.

use crate::config::AwsConfig;
use crate::credentials::{Signer, SigningFailure, ToSign};
use crate::endpoint;
use crate::failure::{ErrorStyle, ServiceFailure};
use crate::http::{HttpClient, Outgoing, TransportError};
use crate::model::ModelRegistry;
use crate::params;
use crate::protocol::{self, Options, Response};
use crate::resource::ServiceResource;
use aws_config::SdkConfig;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

pub(crate) const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What the integrations share.
pub(crate) struct Inner {
    pub config: AwsConfig,
    pub registry: ModelRegistry,
    pub http: HttpClient,
    pub signer: Signer,
    /// The shared AWS configuration (profile endpoints, `AWS_ENDPOINT_URL*`), when loaded.
    pub shared: Option<SdkConfig>,
}

/// A call's result and the response it came from (optimized integrations show its headers).
pub(crate) struct Called {
    pub output: Value,
    pub response: Response,
}

impl Inner {
    /// The region a call of `resource` goes to: the resource ARN's, else `[aws] region`, else
    /// the execution's.
    pub fn region_for<'a>(&'a self, resource: &'a ServiceResource, execution: &'a str) -> &'a str {
        resource
            .region
            .as_deref()
            .or(self.config.region.as_deref())
            .unwrap_or(execution)
    }

    /// Calls `action` of the service whose model is `model_service` (as Task resources name it);
    /// `endpoint_service` selects the configured endpoint.
    pub async fn call_api(
        &self,
        model_service: &str,
        endpoint_service: &str,
        action: &str,
        parameters: Value,
        region: &str,
        style: &ErrorStyle,
    ) -> Result<Called, ServiceFailure> {
        self.call_api_with(
            model_service,
            endpoint_service,
            action,
            parameters,
            region,
            style,
            |_| {},
        )
        .await
    }

    /// As [`Inner::call_api`], with a last change to the bound parameters.
    #[allow(clippy::too_many_arguments)]
    pub async fn call_api_with(
        &self,
        model_service: &str,
        endpoint_service: &str,
        action: &str,
        parameters: Value,
        region: &str,
        style: &ErrorStyle,
        adjust: impl FnOnce(&mut Map<String, Value>),
    ) -> Result<Called, ServiceFailure> {
        let model = self
            .registry
            .model(model_service)
            .map_err(|error| ServiceFailure::runtime(error.to_string()))?;
        let operation = model.operation(action).ok_or_else(|| {
            ServiceFailure::runtime(format!(
                "The API of '{model_service}' has no action '{action}' (API model version {})",
                model.metadata.api_version
            ))
        })?;
        if streams_events(&model, operation) {
            // AWS lists these (S3 SelectObjectContent, Kinesis SubscribeToShard...) as not
            // supported by Step Functions: a Task has one result, not a stream of events.
            return Err(ServiceFailure::runtime(format!(
                "The action '{action}' of '{model_service}' streams events, which Step Functions does not support"
            )));
        }
        let mut bound = match &operation.input {
            Some(input) => params::bind(&model, &input.shape, parameters, "", 0)
                .map_err(|error| ServiceFailure::runtime(error.0))?,
            None => match parameters {
                Value::Object(object) if !object.is_empty() => {
                    let key = object.keys().next().cloned().unwrap_or_default();
                    return Err(ServiceFailure::runtime(format!(
                        "The field \"{key}\" is not supported by Step Functions"
                    )));
                }
                _ => Value::Object(Map::new()),
            },
        };
        if let Value::Object(object) = &mut bound {
            adjust(object);
        }
        let configured = self.config.configured_endpoint(endpoint_service);
        let endpoint = endpoint::resolve(
            configured,
            self.shared.as_ref(),
            &model,
            endpoint_service,
            region,
        )
        .map_err(|error| ServiceFailure::runtime(error.to_string()))?;
        let options = Options {
            virtual_host_buckets: !endpoint.custom,
        };
        let request = protocol::build_request(&model, operation, &bound, options)
            .map_err(|error| ServiceFailure::runtime(error.0))?;
        let url = endpoint.url(
            &request.host_prefix,
            &path_and_query(&request.path, &request.query),
        );
        let mut headers = request.headers;
        if !operation.unsigned() {
            let signature = self
                .signer
                .sign(ToSign {
                    method: &request.method,
                    url: &url,
                    headers: &headers,
                    body: &request.body,
                    signing_name: model.metadata.signing_name(),
                    region: &endpoint.signing_region,
                })
                .await
                .map_err(|error| match error {
                    SigningFailure::NoCredentials(reason) => style.client_failure(format!(
                        "Unable to load AWS credentials from any provider in the chain: {reason}"
                    )),
                    SigningFailure::Signing(reason) => ServiceFailure::runtime(reason),
                })?;
            headers.extend(signature);
        }
        let response = self
            .http
            .send(Outgoing {
                method: &request.method,
                url: &url,
                headers: &headers,
                body: request.body,
            })
            .await
            .map_err(|error| match error {
                TransportError::Unreachable(_) => style.client_failure(error.to_string()),
                TransportError::TooLarge(_) => ServiceFailure::new(
                    "States.DataLimitExceeded",
                    format!(
                        "The state/task '{endpoint_service}' returned a result with a size exceeding the maximum number of bytes service limit."
                    ),
                ),
            })?;
        tracing::debug!(
            service = model_service,
            action,
            status = response.status,
            "AWS call"
        );
        match protocol::parse_response(&model, operation, &response) {
            Ok(output) => Ok(Called { output, response }),
            Err(error) => Err(style.service_failure(&model, Some(operation), &error)),
        }
    }
}

/// Whether an operation's input or output is an event stream.
fn streams_events(model: &crate::model::ServiceModel, operation: &crate::model::Operation) -> bool {
    [&operation.input, &operation.output]
        .into_iter()
        .flatten()
        .filter_map(|shape| model.shape(&shape.shape).ok())
        .flat_map(|shape| shape.members.iter())
        .any(|(_, member)| {
            model
                .shape(&member.shape)
                .is_ok_and(|shape| shape.eventstream)
        })
}

/// The path and the encoded query string.
fn path_and_query(path: &str, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return path.to_string();
    }
    let query: Vec<String> = query
        .iter()
        .map(|(key, value)| {
            if value.is_empty() {
                format!("{}=", utf8_percent_encode(key, QUERY))
            } else {
                format!(
                    "{}={}",
                    utf8_percent_encode(key, QUERY),
                    utf8_percent_encode(value, QUERY)
                )
            }
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}
