//! The crate's error type.

/// Every failure of this crate.
///
/// Signature failures are deliberately opaque: [`Error::InvalidSignature`] says nothing about
/// why a signature did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signature did not verify (malformed or wrong): deliberately opaque.
    #[error("signature verification failed")]
    InvalidSignature,
    /// The bytes are not a well-formed public key of a supported kind.
    #[error("malformed public key: {0}")]
    MalformedKey(&'static str),
    /// The key's algorithm (or curve) is not one this crate supports.
    #[error("unsupported key algorithm: {0}")]
    UnsupportedKey(String),
    /// The signature scheme or algorithm name is not supported.
    #[error("unsupported signature algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// The key cannot be used with the requested scheme (for example a P-384 key with
    /// `PKIX_ECDSA_P256_SHA_256`).
    #[error("key of kind {found} cannot be used with {expected}")]
    KeyMismatch {
        /// What the scheme or key details require.
        expected: String,
        /// The kind of key that was given.
        found: KeyKindName,
    },
    /// An RSA key outside the accepted modulus sizes.
    #[error("RSA key of {bits} bits outside the accepted range {min}..={max}")]
    RsaKeySize {
        /// The key's modulus size.
        bits: usize,
        /// Smallest accepted size.
        min: usize,
        /// Largest accepted size.
        max: usize,
    },
    /// The operation needs the whole message but only a digest was given (Ed25519).
    #[error("{0} cannot verify over a precomputed digest")]
    PrehashUnsupported(&'static str),
    /// A digest of the wrong length for its algorithm.
    #[error("digest length {found} does not match {expected} bytes")]
    DigestLength {
        /// Expected length.
        expected: usize,
        /// Found length.
        found: usize,
    },
    /// PEM input that is not a single well-formed block of the expected label.
    #[error("malformed PEM: {0}")]
    Pem(&'static str),
    /// A private key that could not be parsed or used.
    #[error("malformed private key: {0}")]
    MalformedPrivateKey(&'static str),
    /// Signing failed.
    #[error("signing failed")]
    Signing,
    /// Reading the data to hash failed.
    #[error("I/O error while hashing: {0}")]
    Io(#[from] std::io::Error),
}

/// The name of a key kind, used in error messages.
pub type KeyKindName = &'static str;
