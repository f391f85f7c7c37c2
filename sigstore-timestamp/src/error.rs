//! The crate's error type.

use sigstore_crypto::HashAlgorithm;

/// Every failure of this crate.
///
/// Verification errors fall in two groups, which callers must treat differently
/// (see the crate docs):
/// - [`Error::UntrustedAuthority`]: the token's signer is none of the trusted timestamp
///   authorities. A verifier ignores such a token (it may be meant for another trust root) and
///   does not count it.
/// - every other verification error: the token names a trusted authority's signing
///   certificate but fails a check. That is evidence of tampering and is fatal.
///
/// Signature failures are deliberately opaque ([`Error::InvalidSignature`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is larger than a limit of this crate.
    #[error("{what}: {found} exceeds the limit of {limit}")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// The size or count found.
        found: usize,
    },
    /// The bytes are not the DER structure expected; the string names the structure.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The TSA answered with a status other than granted (0) or grantedWithMods (1)
    /// (RFC 3161 §2.4.2).
    #[error("timestamp request not granted: PKIStatus {status}")]
    NotGranted {
        /// The PKIStatus value (2 rejection, 3 waiting, 4 revocationWarning, 5 revocationNotification).
        status: u64,
        /// The PKIFailureInfo bits, if the TSA sent them (bit 0 is the first named bit).
        fail_info: Option<u32>,
    },
    /// A granted response without a token.
    #[error("granted timestamp response carries no token")]
    MissingToken,
    /// A content type other than the one required (id-signedData for the token,
    /// id-ct-TSTInfo for the encapsulated content).
    #[error("unexpected content type {found}, expected {expected}")]
    ContentType {
        /// The dotted OID required.
        expected: &'static str,
        /// The dotted OID found.
        found: String,
    },
    /// A structure version this crate does not accept.
    #[error("unsupported {what} version {found}")]
    UnsupportedVersion {
        /// Which structure.
        what: &'static str,
        /// The version found.
        found: u64,
    },
    /// The SignedData does not hold exactly one SignerInfo.
    #[error("expected exactly one SignerInfo, found {found}")]
    SignerInfoCount {
        /// The number of SignerInfos.
        found: usize,
    },
    /// An algorithm (hash or signature) this crate does not support; the dotted OID.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// A required signed attribute is missing (RFC 5652 §5.3, RFC 3161 §2.4.1).
    #[error("missing signed attribute {0}")]
    MissingAttribute(&'static str),
    /// A signed attribute appears twice, or with other than one value.
    #[error("signed attribute {0} must appear once with one value")]
    DuplicateAttribute(&'static str),
    /// The content-type signed attribute is not id-ct-TSTInfo.
    #[error("content-type attribute {found} does not match id-ct-TSTInfo")]
    ContentTypeAttribute {
        /// The dotted OID found in the attribute.
        found: String,
    },
    /// The message-digest signed attribute is not the digest of the TSTInfo.
    #[error("message-digest attribute does not match the {algorithm:?} digest of the TSTInfo")]
    MessageDigestMismatch {
        /// The SignerInfo digest algorithm used.
        algorithm: HashAlgorithm,
    },
    /// The signing-certificate-v2 attribute does not identify the signer certificate.
    #[error("signing-certificate-v2 attribute does not bind the signer certificate")]
    SigningCertificateMismatch,
    /// No trusted timestamp authority's signing certificate is the one the SignerInfo names.
    /// A verifier ignores such tokens and does not count them.
    #[error("timestamp not signed by a trusted timestamp authority")]
    UntrustedAuthority,
    /// The CMS signature over the signed attributes did not verify (opaque).
    #[error("timestamp signature verification failed")]
    InvalidSignature,
    /// The message imprint is not the digest of the signed data.
    #[error("message imprint does not match the {algorithm:?} digest of the signed data")]
    ImprintMismatch {
        /// The imprint's hash algorithm.
        algorithm: HashAlgorithm,
    },
    /// genTime is outside the validity window of the authority that signed the token
    /// (end inclusive).
    #[error("genTime {time} outside the timestamp authority's validity {start}..={end:?}")]
    OutsideValidity {
        /// genTime, Unix seconds.
        time: i64,
        /// Window start.
        start: i64,
        /// Window end, if any.
        end: Option<i64>,
    },
    /// genTime is outside the signer certificate's notBefore..=notAfter.
    #[error("genTime {time} outside the TSA certificate's validity {not_before}..={not_after}")]
    CertificateExpired {
        /// genTime, Unix seconds.
        time: i64,
        /// The certificate's notBefore.
        not_before: i64,
        /// The certificate's notAfter.
        not_after: i64,
    },
    /// The signer certificate is a CA (basicConstraints cA TRUE).
    #[error("TSA signing certificate is a CA certificate")]
    SignerIsCa,
    /// The signer certificate's extended key usage is not exactly one critical
    /// id-kp-timeStamping (RFC 3161 §2.3).
    #[error("TSA signing certificate extended key usage: {0}")]
    ExtendedKeyUsage(&'static str),
    /// The signer certificate does not chain to its authority at genTime.
    #[error("TSA certificate chain invalid at genTime: {0}")]
    Chain(#[source] sigstore_fulcio::Error),
    /// A certificate could not be parsed.
    #[error("invalid certificate: {0}")]
    Certificate(#[source] sigstore_fulcio::Error),
    /// A timestamp authority definition that cannot be used.
    #[error("invalid timestamp authority: {0}")]
    InvalidAuthority(&'static str),
    /// The response's nonce is not the one sent in the request.
    #[error("timestamp nonce does not match the request")]
    NonceMismatch,
    /// The response's message imprint is not the one sent in the request.
    #[error("timestamp message imprint does not match the request")]
    RequestImprintMismatch,
    /// The TSA could not be reached or the connection failed (after retries).
    #[cfg(feature = "client")]
    #[error("TSA transport error: {kind}")]
    Transport {
        /// What kind of transport failure.
        kind: ureq::ErrorKind,
    },
    /// The TSA answered with an HTTP error status (after retries for 5xx).
    #[cfg(feature = "client")]
    #[error("TSA answered HTTP {status}")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// The TSA response body exceeds [`crate::client::MAX_RESPONSE_BYTES`].
    #[cfg(feature = "client")]
    #[error("TSA response larger than {limit} bytes")]
    ResponseTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The overall deadline of the request passed.
    #[cfg(feature = "client")]
    #[error("TSA request deadline exceeded")]
    DeadlineExceeded,
    /// Reading the response body failed.
    #[cfg(feature = "client")]
    #[error("reading the TSA response: {0}")]
    Io(#[source] std::io::Error),
    /// The operating system's random number generator failed (nonce generation).
    #[cfg(feature = "client")]
    #[error("random number generator failed")]
    Random,
}
