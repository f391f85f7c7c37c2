//! The crate's single error type.

use crate::TimeRange;

/// Everything that can go wrong while parsing certificates, validating chains, reading Fulcio
/// identities, verifying SCTs or talking to Fulcio.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- parsing -------------------------------------------------------------------------
    /// The certificate is not valid DER X.509 (the part that failed is named).
    #[error("malformed certificate: {0}")]
    MalformedCertificate(&'static str),
    /// Bytes follow the certificate's outer SEQUENCE.
    #[error("trailing data after certificate ({0} bytes)")]
    TrailingData(usize),
    /// The PEM text is not a single CERTIFICATE block.
    #[error("bad PEM: {0}")]
    Pem(&'static str),
    /// An extension this crate reads is present but malformed (or present twice).
    #[error("malformed extension {oid}")]
    MalformedExtension {
        /// Dotted OID of the extension.
        oid: String,
    },
    /// The certificate is signed with an algorithm this crate does not support.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(String),
    /// The TBSCertificate `signature` field differs from the outer `signatureAlgorithm`.
    #[error("TBSCertificate signature algorithm differs from the outer one")]
    SignatureAlgorithmMismatch,
    /// The subject public key could not be used.
    #[error("certificate public key: {0}")]
    PublicKey(#[source] sigstore_crypto::Error),

    // ---- path validation ---------------------------------------------------------------
    /// A certificate's signature did not verify under its issuer's key (opaque on purpose).
    #[error("certificate signature is invalid")]
    InvalidSignature,
    /// The issuer's subject name is not the certificate's issuer name.
    #[error("issuer name does not match")]
    IssuerNameMismatch,
    /// A certificate authority was configured with no certificates.
    #[error("certificate authority has no certificates")]
    EmptyAuthority,
    /// Inside a trusted authority, certificate `index` is not signed by the next one.
    #[error("trusted authority chain broken at certificate {index}")]
    AuthorityChainBroken {
        /// Position in the authority's chain (0 = first intermediate).
        index: usize,
    },
    /// `verify_chain` was called without any time to validate at.
    #[error("no verification time given")]
    NoVerificationTime,
    /// No trusted authority certificate issued the leaf.
    #[error("certificate does not chain to a trusted authority")]
    UntrustedIssuer,
    /// Path building hit [`crate::MAX_PATH_BUILDING_SIGNATURES`].
    #[error("path building budget of {limit} signature checks exhausted")]
    PathBuildingBudgetExceeded {
        /// The budget.
        limit: usize,
    },
    /// Certificate `index` of the path (0 = leaf) is not valid at `time`.
    #[error("certificate {index} of the chain is not valid at {time} (valid {not_before}..={not_after})")]
    CertificateNotValidAt {
        /// Position in the path, 0 = leaf.
        index: usize,
        /// The verification time.
        time: i64,
        /// The certificate's notBefore.
        not_before: i64,
        /// The certificate's notAfter.
        not_after: i64,
    },
    /// The authority's trusted-root `validFor` window does not contain `time`.
    #[error("time {time} is outside the authority's validity window {valid_for:?}")]
    OutsideAuthorityValidity {
        /// The verification time.
        time: i64,
        /// The authority's window.
        valid_for: TimeRange,
    },
    /// An issuing certificate is not a CA (basicConstraints cA missing or false).
    #[error("certificate {index} of the chain issues certificates but is not a CA")]
    IssuerNotCa {
        /// Position in the path.
        index: usize,
    },
    /// The end-entity certificate asserts cA=TRUE.
    #[error("leaf certificate is a CA")]
    LeafIsCa,
    /// A CA's pathLenConstraint is smaller than the number of intermediates below it.
    #[error("path length constraint {path_len} of certificate {index} exceeded ({below} intermediates below)")]
    PathLengthExceeded {
        /// Position in the path.
        index: usize,
        /// The constraint.
        path_len: u32,
        /// Intermediate CAs found below it.
        below: usize,
    },
    /// A certificate's keyUsage lacks a bit the path requires.
    #[error("certificate {index} keyUsage lacks {required}")]
    KeyUsage {
        /// Position in the path.
        index: usize,
        /// The missing usage.
        required: &'static str,
    },
    /// The certificate's extendedKeyUsage does not allow the purpose.
    #[error("certificate {index} extendedKeyUsage does not allow {expected}")]
    ExtendedKeyUsage {
        /// Position in the path.
        index: usize,
        /// The required purpose.
        expected: &'static str,
    },
    /// A time-stamping leaf's EKU extension is not marked critical (RFC 3161 §2.3).
    #[error("timeStamping extendedKeyUsage must be critical")]
    TimeStampingEkuNotCritical,
    /// A time-stamping leaf's EKU carries more than id-kp-timeStamping (RFC 3161 §2.3).
    #[error("timeStamping extendedKeyUsage must contain only id-kp-timeStamping")]
    TimeStampingEkuNotExclusive,
    /// A certificate has a critical extension this crate does not process.
    #[error("certificate {index} has unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// Position in the path.
        index: usize,
        /// Dotted OID.
        oid: String,
    },
    /// The certificates carried with a signature include a self-signed (root) certificate.
    #[error("bundle certificate chain includes a root certificate")]
    RootInBundle,
    /// The certificates carried with a signature are empty.
    #[error("no certificate given")]
    NoCertificate,

    // ---- identity ----------------------------------------------------------------------
    /// The certificate has no subjectAltName extension or no supported name in it.
    #[error("certificate has no subject alternative name")]
    MissingSubjectAlternativeName,
    /// Fulcio issues exactly one SAN; this certificate has `count`.
    #[error("expected exactly one subject alternative name, found {count}")]
    MultipleSubjectAlternativeNames {
        /// Names found.
        count: usize,
    },
    /// The SAN is of a kind Fulcio does not issue (DNS name, IP, ...).
    #[error("unsupported subject alternative name type {0}")]
    UnsupportedSubjectAlternativeName(&'static str),

    // ---- SCT ---------------------------------------------------------------------------
    /// The leaf has no embedded SCT list extension.
    #[error("certificate has no embedded SCT")]
    MissingSct,
    /// The SCT list is not a valid RFC 6962 `SignedCertificateTimestampList`.
    #[error("malformed SCT list: {0}")]
    MalformedSct(&'static str),
    /// The SCT list holds more entries than [`crate::MAX_SCTS`].
    #[error("SCT list holds more than {limit} entries")]
    TooManyScts {
        /// The limit.
        limit: usize,
    },
    /// The SCT version is not v1 (0).
    #[error("unsupported SCT version {0}")]
    UnsupportedSctVersion(u8),
    /// No trusted CT log has this log ID.
    #[error("SCT from unknown CT log {log_id}")]
    UnknownCtLog {
        /// Hex log ID.
        log_id: String,
    },
    /// The SCT timestamp is outside the log's `validFor` window.
    #[error("SCT time {time} outside CT log validity window {valid_for:?}")]
    SctOutsideLogValidity {
        /// SCT time, Unix seconds (rounded down).
        time: i64,
        /// The log's window.
        valid_for: TimeRange,
    },
    /// The SCT's hash/signature algorithm bytes do not fit the log key.
    #[error("SCT algorithm (hash {hash}, signature {signature}) does not match the CT log key")]
    SctAlgorithmMismatch {
        /// TLS HashAlgorithm byte.
        hash: u8,
        /// TLS SignatureAlgorithm byte.
        signature: u8,
    },
    /// The SCT signature does not verify (opaque on purpose).
    #[error("SCT signature is invalid")]
    InvalidSctSignature,
    /// Fewer distinct CT logs vouched for the certificate than required.
    #[error("SCT threshold not met: {found} distinct logs verified, {required} required")]
    SctThreshold {
        /// Required distinct logs.
        required: usize,
        /// Distinct logs whose SCT verified.
        found: usize,
    },

    // ---- client ------------------------------------------------------------------------
    /// Transport error (connection, timeout, TLS) after all retries.
    #[cfg(feature = "client")]
    #[error("Fulcio transport error: {0}")]
    Transport(String),
    /// Fulcio answered with a non-success HTTP status.
    #[cfg(feature = "client")]
    #[error("Fulcio returned HTTP {status}")]
    HttpStatus {
        /// The status code.
        status: u16,
    },
    /// The response body exceeded [`crate::client::MAX_RESPONSE_BYTES`].
    #[cfg(feature = "client")]
    #[error("Fulcio response larger than {limit} bytes")]
    ResponseTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The response JSON does not have the expected shape.
    #[cfg(feature = "client")]
    #[error("malformed Fulcio response: {0}")]
    MalformedResponse(&'static str),
    /// The certificate Fulcio returned is for a different public key than ours.
    #[cfg(feature = "client")]
    #[error("Fulcio certificate is for a different public key")]
    CertificateKeyMismatch,
    /// Signing the proof of possession or the CSR failed.
    #[cfg(feature = "client")]
    #[error("signing failed: {0}")]
    Signing(#[source] sigstore_crypto::Error),
    /// The identity token is not a JWT with a usable subject.
    #[cfg(feature = "client")]
    #[error("identity token: {0}")]
    IdentityToken(&'static str),
}
