//! Encryption at rest: the operator's 256-bit key (`[encryption] key_file` in `fluxo.toml`)
//! seals what executions carry before a backend writes it, and opens it when it is read.
//!
//! AES-256-GCM (RustCrypto's `aes-gcm`), a fresh random 96-bit nonce per value, stored as text:
//! `enc1:` + base64(nonce ‖ ciphertext ‖ tag), so that sealed values fit the text columns the
//! schema already has. Text that does not start with `enc1:` is read as plaintext: a data
//! folder written before the operator gave a key still reads, and its old values stay plaintext
//! until they are written again. A sealed value read without a key, or with another key, is a
//! [`StoreError::Undecryptable`], never a panic. The GCM tag makes any change of a sealed value
//! (or a value sealed under another key) fail to open instead of reading as something else.

use crate::{StoreError, StoreResult};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::{Rng, TryRngCore};

/// What every sealed value starts with (format version 1).
pub const SEALED_PREFIX: &str = "enc1:";
/// The key's length in bytes (AES-256).
pub const KEY_BYTES: usize = 32;
/// GCM's standard nonce: 96 bits.
const NONCE_BYTES: usize = 12;

/// The message of a sealed value read by a store that was given no key.
pub const NO_KEY: &str = "this data was encrypted with a key Fluxo was not given: set [encryption] key_file in fluxo.toml";
/// The message of a sealed value that the configured key does not open.
pub const WRONG_KEY: &str = "this data cannot be decrypted with the configured key (it was encrypted with another key, or changed)";

/// A key that is not 32 bytes of base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is not base64 (standard alphabet, with padding)")]
    NotBase64,
    #[error("the key is {0} bytes once decoded, not {KEY_BYTES} (a 256-bit key)")]
    WrongLength(usize),
}

/// The operator's key, ready to seal and open values. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct Cipher {
    aead: Aes256Gcm,
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(AES-256-GCM, key hidden)")
    }
}

impl Cipher {
    /// A cipher over a raw 256-bit key.
    pub fn new(key: &[u8; KEY_BYTES]) -> Self {
        Cipher {
            aead: Aes256Gcm::new(key.into()),
        }
    }

    /// A cipher over a key written as base64 (what a key file holds; surrounding whitespace,
    /// such as a final newline, is ignored).
    ///
    /// Errors: [`KeyError`] when the text is not base64 or does not decode to 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::NotBase64)?;
        let key: [u8; KEY_BYTES] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::WrongLength(bytes.len()))?;
        Ok(Cipher::new(&key))
    }

    /// A new random key from the operating system's generator, as base64 (what `fluxo keygen`
    /// writes).
    ///
    /// Errors: the operating system's generator failed.
    pub fn generate_key() -> Result<String, rand::rand_core::OsError> {
        let mut key = [0u8; KEY_BYTES];
        rand::rngs::OsRng.try_fill_bytes(&mut key)?;
        Ok(STANDARD.encode(key))
    }

    /// `text` sealed under a fresh random nonce: `enc1:` + base64(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, text: &str) -> String {
        // ThreadRng is a CSPRNG seeded from the OS; 96-bit random nonces are safe for far more
        // values than one key will ever seal (NIST SP 800-38D's 2^32 bound).
        let nonce: [u8; NONCE_BYTES] = rand::rng().random();
        let sealed = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), text.as_bytes())
            // Only inputs longer than GCM's 64 GiB limit fail; payloads are bounded far below.
            .expect("AES-GCM encrypts any input under 64 GiB");
        let mut bytes = Vec::with_capacity(NONCE_BYTES + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", STANDARD.encode(bytes))
    }

    /// The text that [`Cipher::seal`] sealed; text without the `enc1:` prefix as it is.
    ///
    /// Errors: [`StoreError::Undecryptable`] when the value was sealed under another key or
    /// was changed.
    pub fn open(&self, text: &str) -> StoreResult<String> {
        let Some(encoded) = text.strip_prefix(SEALED_PREFIX) else {
            return Ok(text.to_string());
        };
        let wrong = || StoreError::Undecryptable(WRONG_KEY.to_string());
        let bytes = STANDARD.decode(encoded).map_err(|_| wrong())?;
        if bytes.len() < NONCE_BYTES {
            return Err(wrong());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .aead
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| wrong())?;
        String::from_utf8(plain).map_err(|_| wrong())
    }
}

/// Whether `text` is a sealed value.
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(SEALED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> Cipher {
        Cipher::from_base64(&Cipher::generate_key().unwrap()).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_to_the_same_text_and_hides_it() {
        let cipher = cipher();
        let text = r#"{"password":"hunter2","émoji":"🔑"}"#;
        let sealed = cipher.seal(text);
        assert!(sealed.starts_with("enc1:"), "{sealed}");
        assert!(!sealed.contains("hunter2"));
        assert_eq!(cipher.open(&sealed).unwrap(), text);
        assert_eq!(cipher.open(&cipher.seal("")).unwrap(), "");
    }

    #[test]
    fn two_seals_of_one_text_differ() {
        let cipher = cipher();
        let (a, b) = (cipher.seal("same"), cipher.seal("same"));
        assert_ne!(a, b);
        // The nonces themselves differ, not only the encoding.
        let nonce = |s: &str| STANDARD.decode(&s[5..]).unwrap()[..NONCE_BYTES].to_vec();
        assert_ne!(nonce(&a), nonce(&b));
    }

    #[test]
    fn a_changed_value_does_not_open() {
        let cipher = cipher();
        let sealed = cipher.seal("the secret");
        let mut bytes = STANDARD.decode(&sealed[5..]).unwrap();
        for index in [0, NONCE_BYTES, bytes.len() - 1] {
            let mut changed = bytes.clone();
            changed[index] ^= 1;
            let text = format!("enc1:{}", STANDARD.encode(&changed));
            assert_eq!(
                cipher.open(&text),
                Err(StoreError::Undecryptable(WRONG_KEY.into()))
            );
        }
        bytes.truncate(5);
        let short = format!("enc1:{}", STANDARD.encode(&bytes));
        assert!(cipher.open(&short).is_err());
        assert!(cipher.open("enc1:not base64!").is_err());
    }

    #[test]
    fn plaintext_reads_as_it_is() {
        let cipher = cipher();
        assert_eq!(cipher.open(r#"{"a":1}"#).unwrap(), r#"{"a":1}"#);
        assert!(!is_sealed(r#"{"a":1}"#));
        assert!(is_sealed(&cipher.seal("x")));
    }

    #[test]
    fn another_key_does_not_open_it() {
        let sealed = cipher().seal("the secret");
        let error = cipher().open(&sealed).unwrap_err();
        assert_eq!(error, StoreError::Undecryptable(WRONG_KEY.into()));
        assert!(error.to_string().contains("configured key"), "{error}");
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert_eq!(
            Cipher::from_base64("not base64!").unwrap_err(),
            KeyError::NotBase64
        );
        assert_eq!(
            Cipher::from_base64(&STANDARD.encode([7u8; 16])).unwrap_err(),
            KeyError::WrongLength(16)
        );
        let key = format!("{}\n", STANDARD.encode([7u8; 32]));
        let cipher = Cipher::from_base64(&key).unwrap();
        assert_eq!(
            Cipher::new(&[7u8; 32]).open(&cipher.seal("x")).unwrap(),
            "x"
        );
        assert!(!format!("{cipher:?}").contains(&key.trim()[..8]));
    }
}
