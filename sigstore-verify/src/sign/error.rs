//! [`SignError`]: every failure of the signing side.
//!
//! This crate otherwise has one error enum, [`VerifyError`]. Signing gets its own because it
//! is a different operation with different failure sources: it talks to four services (OIDC,
//! Fulcio, Rekor, TSA) and wraps their clients' errors, it exists only with the `sign`
//! feature, and [`VerifyError::kind`] is a stable classification that the verifying CLI and
//! the conformance tests rely on. The final verify-after-sign failure is kept whole in
//! [`SignError::Verify`], so callers still get the exact [`VerifyError`].

use std::path::PathBuf;

use crate::VerifyError;

/// A kind of Sigstore service in a signing configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceKind {
    /// A certificate authority (Fulcio), `caUrls`.
    CertificateAuthority,
    /// A transparency log (Rekor), `rekorTlogUrls`.
    TransparencyLog,
    /// An RFC 3161 timestamp authority, `tsaUrls`.
    TimestampAuthority,
}

impl std::fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ServiceKind::CertificateAuthority => "certificate authority",
            ServiceKind::TransparencyLog => "transparency log",
            ServiceKind::TimestampAuthority => "timestamp authority",
        })
    }
}

/// Why a signing configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// No service of this kind is valid now with a supported API version.
    #[error("no usable {service} (valid now, supported API version) in the signing config")]
    NoService {
        /// The kind of service.
        service: ServiceKind,
    },
    /// The selector asks for more services than are usable.
    #[error("the {service} selector needs {need} services, {have} usable")]
    NotEnoughServices {
        /// The kind of service.
        service: ServiceKind,
        /// How many the selector asks for.
        need: usize,
        /// How many are usable (one per operator).
        have: usize,
    },
    /// `EXACT` without a positive `count`.
    #[error("the {service} selector is EXACT without a positive count")]
    MissingCount {
        /// The kind of service.
        service: ServiceKind,
    },
    /// Rekor v2 entries carry no trusted time: a timestamp authority is required.
    #[error("Rekor v2 needs a timestamp authority, none is configured")]
    TimestampRequired,
    /// A Rekor major API version that this signer does not speak was forced.
    #[error("unsupported Rekor API version {0}")]
    UnsupportedRekorVersion(u32),
    /// Keyless signing without an identity token or a token source.
    #[error("keyless signing needs an identity token or a token source")]
    NoToken,
}

/// Every failure of signing. No bundle is returned or written when one occurs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The signing configuration or trusted root cannot be used.
    #[error("signing configuration: {0}")]
    Config(ConfigProblem),
    /// The trusted root cannot be used to verify (unusable keys, validity, ...).
    #[error("trusted root: {0}")]
    TrustRoot(#[source] VerifyError),
    /// An embedded signing config or trusted root failed to parse.
    #[error("embedded trust material: {0}")]
    Embedded(#[source] sigstore_bundle::Error),
    /// The identity token could not be obtained, or it is malformed, expired, not yet valid
    /// or for the wrong audience.
    #[error("identity token: {0}")]
    Token(#[source] sigstore_oidc::Error),
    /// The signing key failed (key generation or signing).
    #[error("signing key: {0}")]
    Key(#[source] sigstore_crypto::Error),
    /// Fulcio could not be reached or answered badly (including a certificate for another
    /// key: [`sigstore_fulcio::Error::CertificateKeyMismatch`]).
    #[error("fulcio: {0}")]
    Fulcio(#[source] sigstore_fulcio::Error),
    /// The certificate Fulcio returned does not chain to a trusted certificate authority.
    #[error("fulcio certificate chain: {0}")]
    CertificateChain(#[source] sigstore_fulcio::Error),
    /// The certificate's embedded SCTs do not verify against the trusted CT logs.
    #[error("fulcio certificate SCT: {0}")]
    CertificateSct(#[source] sigstore_fulcio::Error),
    /// The certificate's subject alternative name is not the token's identity.
    #[error("certificate identity {found} is not the token's identity {expected}")]
    IdentityMismatch {
        /// The token's identity.
        expected: String,
        /// The certificate's subject alternative name.
        found: String,
    },
    /// The certificate's OIDC issuer extension is not the token's issuer.
    #[error("certificate issuer {found} is not the token's issuer {expected}")]
    IssuerMismatch {
        /// The token's `iss`.
        expected: String,
        /// The certificate's issuer extension (empty when absent).
        found: String,
    },
    /// The timestamp authority failed, or its response is for another imprint or nonce, or
    /// its token does not verify against the trusted root.
    #[error("timestamp authority: {0}")]
    Timestamp(#[source] sigstore_timestamp::Error),
    /// Rekor could not be reached or answered badly.
    #[error("rekor: {0}")]
    Rekor(#[source] sigstore_tlog::Error),
    /// The entry Rekor logged is not the one submitted.
    #[error("rekor entry does not match the submission: {0}")]
    EntryMismatch(#[source] sigstore_tlog::Error),
    /// The entry's log is not in the trusted root.
    #[error("rekor answered with log id {log_id}, which is not in the trusted root")]
    UnknownLog {
        /// The log id, hex.
        log_id: String,
    },
    /// The statement to sign is not an in-toto statement.
    #[error("in-toto statement: {0}")]
    Statement(#[source] sigstore_bundle::Error),
    /// The statement names no subject with a SHA-256/384/512 digest to verify it against.
    #[error("the in-toto statement has no subject with a sha256, sha384 or sha512 digest")]
    NoSubjectDigest,
    /// The content is larger than a caller key (which signs whole messages) may buffer.
    #[error("content larger than {limit} bytes cannot be buffered for this key")]
    ContentTooLarge {
        /// The limit ([`MAX_BUFFERED_CONTENT_BYTES`](crate::sign::MAX_BUFFERED_CONTENT_BYTES)
        /// unless configured).
        limit: u64,
    },
    /// The finished bundle did not pass the verifier (with a policy built from the token's
    /// identity and issuer, or from the key): nothing is returned.
    #[error("the signed bundle does not verify: {0}")]
    Verify(#[source] VerifyError),
    /// Reading the input or writing the bundle failed.
    #[error("i/o on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}
