//! Request checksums. Operations with the `httpChecksum` trait (S3 `PutObject`, `UploadPart`,
//! `DeleteObjects`...) get a CRC32 of the body unless the parameters choose another algorithm,
//! as the AWS SDKs do by default since 2025 ("when supported"); the S3 result then carries
//! `ChecksumCRC32` and `ChecksumType` (recorded `s3:putObject` cases). Operations with only the
//! legacy `httpChecksumRequired` trait get `Content-MD5`.

use super::scalar;
use super::Request;
use crate::model::Operation;
use crate::params::ParameterError;
use base64::Engine;
use md5::Digest;
use serde_json::Value;

/// Adds the checksum header an operation calls for.
pub(super) fn apply(
    operation: &Operation,
    input: &Value,
    request: &mut Request,
) -> Result<(), ParameterError> {
    if request
        .headers
        .iter()
        .any(|(name, _)| name.starts_with("x-amz-checksum-") || name == "content-md5")
    {
        return Ok(());
    }
    let Some(checksum) = &operation.http_checksum else {
        if operation.http_checksum_required == Some(true) {
            let digest = md5::Md5::digest(&request.body);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            request.headers.push(("content-md5".to_string(), encoded));
        }
        return Ok(());
    };
    let chosen = checksum
        .request_algorithm_member
        .as_ref()
        .and_then(|member| input.get(member))
        .and_then(Value::as_str);
    let wanted = chosen.is_some()
        || checksum.request_algorithm_member.is_some()
        || checksum.request_checksum_required == Some(true);
    if !wanted {
        return Ok(());
    }
    let algorithm = chosen.unwrap_or("CRC32").to_ascii_uppercase();
    let value = match algorithm.as_str() {
        "CRC32" => scalar::base64_encode(&crc32fast::hash(&request.body).to_be_bytes()),
        "SHA256" => scalar::base64_encode(&sha2::Sha256::digest(&request.body)),
        other => {
            return Err(ParameterError(format!(
                "The checksum algorithm '{other}' is not supported by Fluxo (CRC32 and SHA256 are)"
            )))
        }
    };
    request.headers.push((
        format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase()),
        value,
    ));
    if !request
        .headers
        .iter()
        .any(|(name, _)| name == "x-amz-sdk-checksum-algorithm")
    {
        request
            .headers
            .push(("x-amz-sdk-checksum-algorithm".to_string(), algorithm));
    }
    Ok(())
}
