//! Credentials and request signing, the standard AWS way: the default credential chain of
//! `aws-config` (environment variables, the shared config and credentials files and their
//! profiles, web identity, SSO, ECS and EC2 instance metadata), and Signature Version 4 by
//! `aws-sigv4`.
//!
//! Secrets stay here: credentials are never formatted into errors (the chain's errors describe
//! what failed, not the values), and `Credentials`' own `Debug` redacts them.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use std::time::{Duration, Instant, SystemTime};

/// Loads the shared AWS configuration: credentials, the profile's region and endpoint
/// settings. SDK retries are off: Step Functions' `Retry` decides about throttling, not a
/// hidden loop (issue 14). The chain's own HTTP calls (instance metadata, SSO, STS) use rustls
/// with the `ring` provider the workspace already builds.
pub(crate) async fn load_sdk_config(profile: Option<&str>) -> SdkConfig {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .retry_config(aws_config::retry::RetryConfig::disabled());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    loader.load().await
}

/// Why a request could not be signed.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum SigningFailure {
    #[error("no AWS credentials are available: {0}")]
    NoCredentials(String),
    #[error("the request could not be signed: {0}")]
    Signing(String),
}

/// Signs requests with credentials from a provider (the default chain, or one given by the
/// embedding program), kept until shortly before they expire (the SDKs' identity cache does
/// the same: the chain reads files or calls metadata services, which is not for every request).
#[derive(Debug)]
pub(crate) struct Signer {
    provider: Option<SharedCredentialsProvider>,
    cached: tokio::sync::Mutex<Option<(Credentials, Instant)>>,
}

/// Credentials without an expiry are read again after this long (the SDKs' default).
const REFRESH: Duration = Duration::from_secs(15 * 60);
/// Expiring credentials are replaced this long before they expire.
const EXPIRY_MARGIN: Duration = Duration::from_secs(5 * 60);

/// What a signature covers.
pub(crate) struct ToSign<'a> {
    pub method: &'a str,
    /// The full URL, already percent-encoded.
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// The scope: `sqs`, `s3`, `states`...
    pub signing_name: &'a str,
    pub region: &'a str,
}

impl Signer {
    pub fn new(provider: Option<SharedCredentialsProvider>) -> Signer {
        Signer {
            provider,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// Current credentials: the cached ones, or new ones from the provider (one caller asks it;
    /// the others wait for its answer).
    async fn credentials(&self) -> Result<Credentials, SigningFailure> {
        let mut cached = self.cached.lock().await;
        if let Some((credentials, valid_until)) = cached.as_ref() {
            if Instant::now() < *valid_until {
                return Ok(credentials.clone());
            }
        }
        let provider = self.provider.as_ref().ok_or_else(|| {
            SigningFailure::NoCredentials("the credential chain found no provider".to_string())
        })?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|error| SigningFailure::NoCredentials(error_chain(&error)))?;
        let mut valid_until = Instant::now() + REFRESH;
        if let Some(expiry) = credentials.expiry() {
            let left = expiry
                .duration_since(SystemTime::now())
                .unwrap_or_default()
                .saturating_sub(EXPIRY_MARGIN);
            valid_until = valid_until.min(Instant::now() + left);
        }
        *cached = Some((credentials.clone(), valid_until));
        Ok(credentials)
    }

    /// The headers to add (`authorization`, `x-amz-date`, `x-amz-security-token`,
    /// `x-amz-content-sha256` for S3).
    pub async fn sign(&self, request: ToSign<'_>) -> Result<Vec<(String, String)>, SigningFailure> {
        let identity: Identity = self.credentials().await?.into();
        let mut settings = SigningSettings::default();
        if request.signing_name == "s3" || request.signing_name == "s3-outposts" {
            // S3 signs the path as sent (no normalisation, no double encoding) and wants the
            // payload hash in `x-amz-content-sha256`.
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        }
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(request.region)
            .name(request.signing_name)
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|error| SigningFailure::Signing(error.to_string()))?
            .into();
        let signable = SignableRequest::new(
            request.method,
            request.url,
            request
                .headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
            SignableBody::Bytes(request.body),
        )
        .map_err(|error| SigningFailure::Signing(error.to_string()))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|error| SigningFailure::Signing(error.to_string()))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect())
    }
}

/// An error and its sources as one line: the chain's messages say which provider failed and
/// why, never a credential.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let message = inner.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::future::ProvideCredentials as ProvideFuture;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A provider that counts its calls and hands out credentials expiring after `lifetime`.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        lifetime: Option<Duration>,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> ProvideFuture<'a>
        where
            Self: 'a,
        {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let expiry = self.lifetime.map(|lifetime| SystemTime::now() + lifetime);
            ProvideFuture::ready(Ok(Credentials::new("AKID", "SECRET", None, expiry, "test")))
        }
    }

    async fn signs(signer: &Signer) -> Vec<(String, String)> {
        signer
            .sign(ToSign {
                method: "POST",
                url: "https://sqs.us-east-1.amazonaws.com/",
                headers: &[(
                    "content-type".to_string(),
                    "application/x-amz-json-1.0".to_string(),
                )],
                body: b"{}",
                signing_name: "sqs",
                region: "us-east-1",
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn credentials_are_kept_until_shortly_before_they_expire() {
        let calls = Arc::new(AtomicUsize::new(0));
        let lasting = Signer::new(Some(SharedCredentialsProvider::new(Counting {
            calls: calls.clone(),
            lifetime: Some(Duration::from_secs(3600)),
        })));
        let headers = signs(&lasting).await;
        signs(&lasting).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let authorization = &headers
            .iter()
            .find(|(name, _)| name == "authorization")
            .unwrap()
            .1;
        assert!(
            authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKID/"),
            "{authorization}"
        );
        assert!(
            authorization.contains("/us-east-1/sqs/aws4_request"),
            "{authorization}"
        );
        assert!(!headers.iter().any(|(_, value)| value.contains("SECRET")));

        let calls = Arc::new(AtomicUsize::new(0));
        let expiring = Signer::new(Some(SharedCredentialsProvider::new(Counting {
            calls: calls.clone(),
            lifetime: Some(Duration::from_secs(60)),
        })));
        signs(&expiring).await;
        signs(&expiring).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "credentials within the margin are renewed"
        );
    }
}
