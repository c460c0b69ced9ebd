//! Functions behind an HTTP endpoint: the event is POSTed as JSON, the body is the result.

use crate::config::HttpSpec;
use crate::FunctionError;
use serde_json::Value;

pub struct Endpoint {
    spec: HttpSpec,
    client: reqwest::Client,
}

impl Endpoint {
    pub fn new(spec: HttpSpec) -> Self {
        let client = reqwest::Client::builder()
            .timeout(spec.timeout)
            .build()
            .unwrap_or_default();
        Endpoint { spec, client }
    }

    pub async fn invoke(
        &self,
        payload: Value,
        request_id: &str,
    ) -> Result<crate::Invocation, FunctionError> {
        let started = std::time::Instant::now();
        let failure = |error_type: &str, message: String| {
            FunctionError::lambda(error_type, &message, request_id, Vec::new())
        };
        let response = self
            .client
            .post(&self.spec.url)
            .header("x-amzn-requestid", request_id)
            .json(&payload)
            .send()
            .await
            .map_err(|error| {
                if error.is_timeout() {
                    let seconds = self.spec.timeout.as_secs_f64();
                    failure(
                        "Sandbox.Timedout",
                        format!("RequestId: {request_id} Error: Task timed out after {seconds:.2} seconds"),
                    )
                } else {
                    FunctionError {
                        error: "Lambda.ServiceException".into(),
                        cause: Some(format!("Cannot reach {}: {error}", self.spec.url)),
                    }
                }
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|error| {
            failure(
                "Runtime.InvalidResponse",
                format!("Cannot read the response: {error}"),
            )
        })?;
        if !status.is_success() {
            return Err(failure(
                "Runtime.ExitError",
                format!(
                    "RequestId: {request_id} Error: the endpoint answered {status}: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ),
            ));
        }
        let payload = serde_json::from_slice(&body).map_err(|error| {
            failure(
                "Runtime.MarshalError",
                format!("Unable to marshal response: the body is not JSON ({error})"),
            )
        })?;
        Ok(crate::Invocation {
            payload,
            body_bytes: Some(body.len()),
            log: Some(crate::lambda_log(request_id, "", started.elapsed())),
        })
    }
}
