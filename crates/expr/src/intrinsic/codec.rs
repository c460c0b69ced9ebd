//! Byte-level helpers for `States.Base64Encode`, `States.Base64Decode` and `States.Hash`.

use base64::Engine;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::fmt::Write;

/// Standard alphabet with padding, no line breaks.
pub(crate) fn base64_encode(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

/// Decodes the way AWS does, which is lenient: characters outside the Base64 alphabets
/// (standard and URL-safe) are skipped, the first `=` ends the data, and a short final group
/// still yields its whole bytes. AWS accepts `'abc'`, `'ab==cd'` and `' YWJjZA== '`.
/// Invalid UTF-8 in the decoded bytes becomes U+FFFD, as Java's `new String(bytes, UTF_8)`.
pub(crate) fn base64_decode_lenient(text: &str) -> String {
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut buffer: u32 = 0;
    let mut count = 0;
    for byte in text.bytes() {
        if byte == b'=' {
            break;
        }
        let Some(sextet) = sextet(byte) else {
            continue;
        };
        buffer = (buffer << 6) | u32::from(sextet);
        count += 1;
        if count == 4 {
            bytes.extend_from_slice(&[(buffer >> 16) as u8, (buffer >> 8) as u8, buffer as u8]);
            buffer = 0;
            count = 0;
        }
    }
    match count {
        2 => bytes.push((buffer >> 4) as u8),
        3 => bytes.extend_from_slice(&[(buffer >> 10) as u8, (buffer >> 2) as u8]),
        // A single leftover character carries less than a byte and is dropped.
        _ => {}
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// The algorithms `States.Hash` accepts, spelled exactly as AWS requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HashAlgorithm {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub(crate) fn from_name(name: &str) -> Option<HashAlgorithm> {
        match name {
            "MD5" => Some(HashAlgorithm::Md5),
            "SHA-1" => Some(HashAlgorithm::Sha1),
            "SHA-256" => Some(HashAlgorithm::Sha256),
            "SHA-384" => Some(HashAlgorithm::Sha384),
            "SHA-512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Lower-case hex digest of the UTF-8 bytes of `text`.
    pub(crate) fn hex_digest(self, text: &str) -> String {
        let data = text.as_bytes();
        let digest = match self {
            HashAlgorithm::Md5 => Md5::digest(data).to_vec(),
            HashAlgorithm::Sha1 => Sha1::digest(data).to_vec(),
            HashAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        };
        let mut hex = String::with_capacity(digest.len() * 2);
        for byte in digest {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_utf8_bytes() {
        assert_eq!(base64_encode("Data to encode"), "RGF0YSB0byBlbmNvZGU=");
        assert_eq!(base64_encode("✓"), "4pyT");
        assert_eq!(base64_encode("🚀"), "8J+agA==");
        assert_eq!(base64_encode(""), "");
    }

    #[test]
    fn decodes_leniently() {
        assert_eq!(
            base64_decode_lenient("RGF0YSB0byBlbmNvZGU="),
            "Data to encode"
        );
        assert_eq!(base64_decode_lenient("44GT44KT44Gr44Gh44Gv"), "こんにちは");
        assert_eq!(base64_decode_lenient(" YWJjZA== "), "abcd");
        assert_eq!(base64_decode_lenient("YWJjAGRlZg=="), "abc\u{0}def");
        assert_eq!(base64_decode_lenient("YWJjZA"), "abcd");
        assert_eq!(base64_decode_lenient("YWJ"), "ab");
        assert_eq!(base64_decode_lenient("YW==cd"), "a");
        assert_eq!(base64_decode_lenient("!!!"), "");
    }

    #[test]
    fn hashes_match_known_digests() {
        let cases = [
            (HashAlgorithm::Md5, "input data", "812f45842bc6d66ee14572ce20db8e86"),
            (
                HashAlgorithm::Sha1,
                "hello",
                "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
            ),
            (
                HashAlgorithm::Sha256,
                "✓",
                "1dabba21cdad44541f6b15796f8d22978fc7ea10c46aeceeeeb66c23b3ac7604",
            ),
            (
                HashAlgorithm::Sha384,
                "hello",
                "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f",
            ),
        ];
        for (algorithm, text, expected) in cases {
            assert_eq!(algorithm.hex_digest(text), expected, "{algorithm:?}");
        }
        assert_eq!(HashAlgorithm::from_name("sha-256"), None);
        assert_eq!(HashAlgorithm::from_name("SHA256"), None);
    }
}
