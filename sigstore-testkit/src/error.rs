//! The testkit's error type.

/// Errors of the virtual Sigstore (setup, persistence, and the typed reasons its services
/// reject requests).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// I/O (binding a port, reading or writing the state directory).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A key or signature operation of sigstore-crypto failed.
    #[error("crypto error: {0}")]
    Crypto(#[from] sigstore_crypto::Error),
    /// The transparency-log tree failed.
    #[error("transparency log error: {0}")]
    Tlog(#[from] sigstore_tlog::Error),
    /// Certificate generation failed.
    #[error("certificate generation failed: {0}")]
    Certificate(#[from] rcgen::Error),
    /// JSON (de)serialization failed.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// A DER structure (request or stored certificate) could not be parsed.
    #[error("malformed DER")]
    MalformedDer,
    /// A time could not be represented.
    #[error("time out of range")]
    TimeOutOfRange,
    /// The randomness source failed.
    #[error("random number generator failed")]
    Random,
    /// The key type is not supported for this operation.
    #[error("unsupported key type: {0}")]
    UnsupportedKey(&'static str),
    /// An identity token was rejected (by Fulcio, or as a malformed input to the issuer).
    #[error("identity token rejected: {reason}")]
    InvalidToken {
        /// Why.
        reason: &'static str,
    },
    /// The token's audience is not the expected one.
    #[error("token audience mismatch: expected {expected}, found {found:?}")]
    WrongAudience {
        /// The audience the service requires.
        expected: String,
        /// The audiences in the token.
        found: Vec<String>,
    },
    /// The token is expired.
    #[error("token expired at {exp}, now {now}")]
    TokenExpired {
        /// Its `exp`.
        exp: i64,
        /// The server's time.
        now: i64,
    },
    /// A signature in a request (proof of possession, CSR, Rekor entry) did not verify.
    #[error("signature in the request did not verify")]
    InvalidRequestSignature,
    /// A request was malformed; `what` names the field.
    #[error("malformed request: {what}")]
    MalformedRequest {
        /// The offending part.
        what: &'static str,
    },
    /// The state directory is inconsistent (e.g. entries and tree disagree).
    #[error("state directory is inconsistent: {0}")]
    CorruptState(&'static str),
}
