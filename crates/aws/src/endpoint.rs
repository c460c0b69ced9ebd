//! Where a call goes. In order (the AWS SDKs and tools reference guide, "Service-specific
//! endpoints", with `fluxo.toml` as the SDKs' in-code configuration):
//! 1. `[aws.endpoint_urls] <service>` of `fluxo.toml`, then `[aws] endpoint_url`;
//! 2. `AWS_ENDPOINT_URL_<SERVICE_ID>`, `AWS_ENDPOINT_URL`, and the shared config file's
//!    `services` section and `endpoint_url` (read by `aws-config`, which also honours
//!    `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`);
//! 3. the AWS endpoint: `https://<endpointPrefix>.<region>.<dnsSuffix>`, or the model's global
//!    endpoint (IAM, CloudFront...), signed for `us-east-1`.

use crate::model::ServiceModel;
use aws_config::SdkConfig;
use aws_types::service_config::ServiceConfigKey;

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// Host, with the port when one was given.
    pub authority: String,
    /// A path prefix of a configured endpoint, without the trailing `/`.
    pub base_path: String,
    /// The region requests are signed for.
    pub signing_region: String,
    /// Configured by the operator (LocalStack, moto): S3 buckets go in the path there.
    pub custom: bool,
}

impl Endpoint {
    /// The URL of a request: the host prefix (`bucket.`, `{AccountId}.`) goes before the host,
    /// except on an IP address or `localhost`, which cannot have sub-domains.
    pub fn url(&self, host_prefix: &str, path_and_query: &str) -> String {
        let host = self.authority.split(':').next().unwrap_or_default();
        let literal = host == "localhost"
            || host.parse::<std::net::IpAddr>().is_ok()
            || host.starts_with('[');
        let prefix = if literal { "" } else { host_prefix };
        format!(
            "{}://{prefix}{}{}{path_and_query}",
            self.scheme, self.authority, self.base_path
        )
    }
}

/// Why no endpoint could be had.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the endpoint URL '{url}' configured for {service} is not usable: {reason}")]
pub(crate) struct EndpointError {
    pub url: String,
    pub service: String,
    pub reason: String,
}

/// Resolves the endpoint of `service` (as Task resources name it) in `region`.
pub(crate) fn resolve(
    configured: Option<&str>,
    shared: Option<&SdkConfig>,
    model: &ServiceModel,
    service: &str,
    region: &str,
) -> Result<Endpoint, EndpointError> {
    let from_environment = || {
        let shared = shared?;
        let key = ServiceConfigKey::builder()
            .service_id(&model.metadata.service_id)
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .ok()?;
        shared
            .service_config()
            .and_then(|config| config.load_config(key))
            .or_else(|| shared.endpoint_url().map(str::to_string))
    };
    if let Some(url) = configured.map(str::to_string).or_else(from_environment) {
        return parse_custom(&url, service, region);
    }
    Ok(aws_endpoint(model, region))
}

fn parse_custom(url: &str, service: &str, region: &str) -> Result<Endpoint, EndpointError> {
    let error = |reason: &str| EndpointError {
        url: url.to_string(),
        service: service.to_string(),
        reason: reason.to_string(),
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| error("it has no scheme (http:// or https://)"))?;
    if scheme != "http" && scheme != "https" {
        return Err(error("only http and https endpoints are supported"));
    }
    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], rest[slash..].trim_end_matches('/')),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.contains('@') || path.contains(['?', '#']) {
        return Err(error(
            "it must be scheme://host[:port][/path], without credentials or query",
        ));
    }
    Ok(Endpoint {
        scheme: scheme.to_string(),
        authority: authority.to_string(),
        base_path: path.to_string(),
        signing_region: region.to_string(),
        custom: true,
    })
}

/// The DNS suffix of a region's partition.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else {
        "amazonaws.com"
    }
}

fn aws_endpoint(model: &ServiceModel, region: &str) -> Endpoint {
    let suffix = dns_suffix(region);
    // S3 and STS have regional endpoints, which today's SDKs use by default.
    let regional = matches!(model.metadata.endpoint_prefix.as_str(), "s3" | "sts");
    if let Some(global) = model
        .metadata
        .global_endpoint
        .as_ref()
        .filter(|_| !regional)
    {
        if suffix == "amazonaws.com" {
            return Endpoint {
                scheme: "https".to_string(),
                authority: global.clone(),
                base_path: String::new(),
                signing_region: "us-east-1".to_string(),
                custom: false,
            };
        }
    }
    Endpoint {
        scheme: "https".to_string(),
        authority: format!("{}.{region}.{suffix}", model.metadata.endpoint_prefix),
        base_path: String::new(),
        signing_region: region.to_string(),
        custom: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelRegistry;

    #[test]
    fn configured_endpoints_win_and_keep_their_path() {
        let model = ModelRegistry::new(None).model("sqs").unwrap();
        let endpoint = resolve(
            Some("http://127.0.0.1:5000/base/"),
            None,
            &model,
            "sqs",
            "eu-west-1",
        )
        .unwrap();
        assert!(endpoint.custom);
        assert_eq!(
            endpoint.url("bucket.", "/q?x=1"),
            "http://127.0.0.1:5000/base/q?x=1"
        );
        assert_eq!(endpoint.signing_region, "eu-west-1");
        let named = resolve(
            Some("https://localstack.example:4566"),
            None,
            &model,
            "sqs",
            "eu-west-1",
        )
        .unwrap();
        assert_eq!(
            named.url("bucket.", "/"),
            "https://bucket.localstack.example:4566/"
        );
        for bad in [
            "127.0.0.1:5000",
            "ftp://host",
            "http://user:pw@host",
            "http://host/?a",
        ] {
            assert!(
                resolve(Some(bad), None, &model, "sqs", "us-east-1").is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn aws_endpoints_follow_the_region_and_partition() {
        let registry = ModelRegistry::new(None);
        let sqs = registry.model("sqs").unwrap();
        let endpoint = resolve(None, None, &sqs, "sqs", "eu-west-1").unwrap();
        assert_eq!(
            endpoint.url("", "/"),
            "https://sqs.eu-west-1.amazonaws.com/"
        );
        let china = resolve(None, None, &sqs, "sqs", "cn-north-1").unwrap();
        assert_eq!(china.authority, "sqs.cn-north-1.amazonaws.com.cn");
        let s3 = registry.model("s3").unwrap();
        let endpoint = resolve(None, None, &s3, "s3", "us-east-1").unwrap();
        assert_eq!(
            endpoint.url("my-bucket.", "/key"),
            "https://my-bucket.s3.us-east-1.amazonaws.com/key"
        );
    }
}
