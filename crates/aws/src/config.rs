//! The `[aws]` section of `fluxo.toml`.
//!
//! ```toml
//! [aws]
//! enabled = ["sqs:sendMessage", "dynamodb", "s3:getObject"]   # or "all"; absent: none
//! region = "eu-west-1"            # the region calls go to; default: the execution's region
//! profile = "fluxo"               # a profile of the shared config/credentials files
//! endpoint_url = "http://127.0.0.1:4566"   # every service (LocalStack, moto)
//! models_dir = "/usr/lib/python3/dist-packages/botocore/data"
//!
//! [aws.endpoint_urls]             # per service, as Task resources name them
//! s3 = "http://127.0.0.1:9000"
//! ```
//!
//! Integrations are off until `enabled` turns them on: nothing in a definition or an input can
//! reach an AWS service the operator did not name.

use crate::resource::ServiceResource;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The operator's AWS settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    /// Which integrations may be called.
    #[serde(default)]
    pub enabled: Enabled,
    /// The region of every call; when absent, the region of the execution.
    #[serde(default)]
    pub region: Option<String>,
    /// The profile of the shared config and credentials files (`AWS_PROFILE` otherwise).
    #[serde(default)]
    pub profile: Option<String>,
    /// The endpoint of every service, overriding `AWS_ENDPOINT_URL` and the AWS endpoints.
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// Endpoints of single services, by the name Task resources use (`s3`, `sqs`, `sfn`,
    /// `lambda`, `events` or `eventbridge`...); they override `endpoint_url`.
    #[serde(default)]
    pub endpoint_urls: BTreeMap<String, String>,
    /// A botocore data directory for the API models Fluxo does not embed; a relative path is
    /// relative to `fluxo.toml` (see [`AwsConfig::relative_to`]).
    #[serde(default)]
    pub models_dir: Option<PathBuf>,
    /// Seconds a call may take, connection included (default 60); a Task's `TimeoutSeconds`
    /// still applies on top.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// Bytes of a response body Fluxo reads at most (default 8 MiB); a larger answer fails the
    /// call with `States.DataLimitExceeded`, as its result could not fit a state's 256 KiB.
    #[serde(default)]
    pub max_response_bytes: Option<u64>,
}

/// `enabled`: `"all"` or a list of `service` / `service:action` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Enabled {
    /// No integration (the default).
    #[default]
    None,
    /// Every integration.
    All,
    /// These services (`"sqs"`: every action) and actions (`"s3:getObject"`), as Task resources
    /// write them; an optimized integration and the AWS SDK integration of the same action are
    /// enabled together.
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for Enabled {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            List(Vec<String>),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Word(word) if word == "all" => Ok(Enabled::All),
            Raw::Word(word) if word == "none" => Ok(Enabled::None),
            Raw::Word(word) => Err(serde::de::Error::custom(format!(
                "[aws] enabled must be \"all\", \"none\" or a list such as [\"sqs\", \"s3:getObject\"], not \"{word}\""
            ))),
            Raw::List(names) => Ok(Enabled::List(names)),
        }
    }
}

impl Enabled {
    /// Whether a resource may be called.
    pub fn allows(&self, resource: &ServiceResource) -> bool {
        match self {
            Enabled::None => false,
            Enabled::All => true,
            Enabled::List(names) => names.iter().any(|name| {
                let (service, action) = match name.split_once(':') {
                    Some((service, action)) => (service, Some(action)),
                    None => (name.as_str(), None),
                };
                same_service(service, &resource.service)
                    && action.is_none_or(|action| action.eq_ignore_ascii_case(&resource.action))
            }),
        }
    }
}

/// Optimized integrations and AWS SDK integrations name two services differently:
/// `events`/`eventbridge` and `states`/`sfn`.
pub(crate) fn same_service(a: &str, b: &str) -> bool {
    let canonical = |name: &str| match name {
        "events" => "eventbridge".to_string(),
        "states" | "stepfunctions" => "sfn".to_string(),
        other => other.to_ascii_lowercase(),
    };
    canonical(a) == canonical(b)
}

impl AwsConfig {
    /// Parses the `[aws]` table's contents (for callers that read `fluxo.toml` as text).
    pub fn from_toml(text: &str) -> Result<AwsConfig, toml::de::Error> {
        toml::from_str(text)
    }

    /// Resolves `models_dir` against the directory of `fluxo.toml`.
    pub fn relative_to(mut self, base: &Path) -> AwsConfig {
        if let Some(dir) = &self.models_dir {
            if dir.is_relative() {
                self.models_dir = Some(base.join(dir));
            }
        }
        self
    }

    /// The `fluxo.toml` endpoint for a service, if any: its own, else the global one.
    pub(crate) fn configured_endpoint(&self, service: &str) -> Option<&str> {
        self.endpoint_urls
            .iter()
            .find(|(name, _)| same_service(name, service))
            .map(|(_, url)| url.as_str())
            .or(self.endpoint_url.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(arn: &str) -> ServiceResource {
        ServiceResource::parse(arn).unwrap().unwrap()
    }

    #[test]
    fn integrations_are_off_by_default() {
        let config = AwsConfig::from_toml("").unwrap();
        assert_eq!(config.enabled, Enabled::None);
        assert!(!config
            .enabled
            .allows(&resource("arn:aws:states:::sqs:sendMessage")));
    }

    #[test]
    fn services_and_actions_can_be_enabled() {
        let config = AwsConfig::from_toml(
            r#"enabled = ["sqs", "s3:getObject", "eventbridge"]
               endpoint_url = "http://127.0.0.1:5000"
               [endpoint_urls]
               s3 = "http://127.0.0.1:9000""#,
        )
        .unwrap();
        let allows = |arn: &str| config.enabled.allows(&resource(arn));
        assert!(allows("arn:aws:states:::sqs:sendMessage.waitForTaskToken"));
        assert!(allows("arn:aws:states:::aws-sdk:sqs:receiveMessage"));
        assert!(allows("arn:aws:states:::aws-sdk:s3:getObject"));
        assert!(!allows("arn:aws:states:::aws-sdk:s3:putObject"));
        assert!(allows("arn:aws:states:::events:putEvents"));
        assert!(!allows("arn:aws:states:::dynamodb:putItem"));
        assert_eq!(
            config.configured_endpoint("s3"),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            config.configured_endpoint("sqs"),
            Some("http://127.0.0.1:5000")
        );

        let all = AwsConfig::from_toml(r#"enabled = "all""#).unwrap();
        assert!(all
            .enabled
            .allows(&resource("arn:aws:states:::dynamodb:putItem")));
    }

    #[test]
    fn unknown_settings_and_words_are_errors() {
        assert!(AwsConfig::from_toml(r#"enabled = "some""#).is_err());
        assert!(AwsConfig::from_toml(r#"endpoint = "http://x""#).is_err());
    }
}
