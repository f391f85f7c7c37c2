//! PKCE (RFC 7636) and the random `state` / `nonce` values of an authorization request.

use base64_simd::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// Random bytes behind a PKCE verifier (RFC 7636 §4.1 recommends 32, giving 43 characters).
pub const PKCE_VERIFIER_BYTES: usize = 32;

/// Random bytes behind `state` and `nonce`.
pub const STATE_BYTES: usize = 32;

/// A random base64url string of `n` random bytes from the OS generator.
pub fn random_token(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf).map_err(|e| Error::Io {
        context: "reading OS randomness",
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(URL_SAFE_NO_PAD.encode_to_string(buf))
}

/// A PKCE pair: the secret verifier and its S256 challenge (RFC 7636 §4.2).
#[derive(Clone)]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"<redacted>")
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl Pkce {
    /// A fresh verifier from [`PKCE_VERIFIER_BYTES`] random bytes.
    pub fn generate() -> Result<Self> {
        Ok(Self::from_verifier(random_token(PKCE_VERIFIER_BYTES)?))
    }

    /// Wraps a given verifier (tests).
    pub fn from_verifier(verifier: String) -> Self {
        let challenge = s256_challenge(&verifier);
        Self {
            verifier,
            challenge,
        }
    }

    /// The verifier (sent only to the token endpoint).
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// The `code_challenge` (method `S256`).
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode_to_string(Sha256::digest(verifier.as_bytes()))
}

/// Constant-time string equality (for `state` and `nonce`).
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_lengths() {
        let p = Pkce::generate().unwrap();
        assert_eq!(p.verifier().len(), 43);
        assert_ne!(
            random_token(STATE_BYTES).unwrap(),
            random_token(STATE_BYTES).unwrap()
        );
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "ab"));
        assert!(!format!("{p:?}").contains(p.verifier()));
    }
}
