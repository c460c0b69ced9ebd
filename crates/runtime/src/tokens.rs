//! Task tokens: `base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`, where the
//! payload names the execution and the position of the task's scheduled event in its history.
//!
//! Derived, not drawn: a replay of the execution computes the same token for the same task
//! (its `$$.Task.Token` was already handed to a worker), and nobody without the store's secret
//! can make one that verifies. A token's task exists only while it is open, so a token stops
//! working once its task has ended.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type Signer = Hmac<Sha256>;

/// The longest token accepted (the API's `TaskToken` is at most 2048 characters).
pub const MAX_TOKEN_CHARS: usize = 2048;

/// Signs and checks task tokens with one store's secret.
#[derive(Clone)]
pub struct TokenSigner {
    secret: Vec<u8>,
}

/// What a verified token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    pub execution_arn: String,
    pub thread: String,
    pub seq: u32,
}

impl TokenSigner {
    pub fn new(secret: Vec<u8>) -> Self {
        TokenSigner { secret }
    }

    fn signer(&self) -> Signer {
        // HMAC takes a key of any length.
        Signer::new_from_slice(&self.secret).expect("HMAC accepts every key length")
    }

    /// The token of the task scheduled at `thread`/`seq` of the execution.
    pub fn token(&self, execution_arn: &str, thread: &str, seq: u32) -> String {
        let payload = format!("{execution_arn}\n{thread}\n{seq}");
        let mut mac = self.signer();
        mac.update(payload.as_bytes());
        let signature = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    /// What `token` names, if this store signed it (the comparison takes constant time).
    pub fn verify(&self, token: &str) -> Option<TokenClaims> {
        if token.len() > MAX_TOKEN_CHARS {
            return None;
        }
        let (payload, signature) = token.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.signer();
        mac.update(&payload);
        mac.verify_slice(&signature).ok()?;
        let payload = String::from_utf8(payload).ok()?;
        let mut parts = payload.split('\n');
        let claims = TokenClaims {
            execution_arn: parts.next()?.to_string(),
            thread: parts.next()?.to_string(),
            seq: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_verifiable_and_unforgeable() {
        let signer = TokenSigner::new(vec![7; 32]);
        let arn = "arn:aws:states:us-east-1:1:execution:m:e";
        let token = signer.token(arn, "/3.b0", 4);
        assert_eq!(
            signer.token(arn, "/3.b0", 4),
            token,
            "a replay gets the same token"
        );
        assert_ne!(signer.token(arn, "/3.b0", 5), token);
        let claims = signer.verify(&token).expect("verifies");
        assert_eq!(
            (
                claims.execution_arn.as_str(),
                claims.thread.as_str(),
                claims.seq
            ),
            (arn, "/3.b0", 4)
        );
        // Another secret, a changed payload, a truncated signature, garbage: refused.
        assert_eq!(TokenSigner::new(vec![8; 32]).verify(&token), None);
        let (payload, signature) = token.split_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(format!("{arn}\n/3.b0\n5"));
        assert_eq!(signer.verify(&format!("{forged}.{signature}")), None);
        assert_eq!(
            signer.verify(&format!("{payload}.{}", &signature[..10])),
            None
        );
        assert_eq!(signer.verify("NoSuchTaskToken"), None);
        assert_eq!(signer.verify(&"a.".repeat(5000)), None);
    }
}
