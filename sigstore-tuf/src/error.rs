//! The crate's single error type.

/// Everything that can go wrong while verifying TUF metadata, talking to a
/// repository or using the cache.
///
/// Signature failures are deliberately opaque: [`Error::ThresholdNotMet`] only
/// says how many valid signatures were found, never why an individual
/// signature failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not valid JSON (or not the expected JSON shape).
    #[error("{role} metadata is not valid JSON: {source}")]
    Json {
        /// Role (or file) being parsed.
        role: String,
        /// Parser error.
        #[source]
        source: serde_json::Error,
    },
    /// The metadata is JSON but violates the TUF schema.
    #[error("{role} metadata is malformed: {reason}")]
    Malformed {
        /// Role (or file) being parsed.
        role: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The `signed` value cannot be encoded as OLPC canonical JSON (for
    /// example it contains a floating point number).
    #[error("value cannot be canonicalized: {reason}")]
    Canonical {
        /// What is wrong.
        reason: &'static str,
    },
    /// `_type` differs from the role that was expected.
    #[error("expected metadata of type {expected}, found {found}")]
    WrongType {
        /// Expected `_type`.
        expected: String,
        /// Found `_type`.
        found: String,
    },
    /// `spec_version` is not a supported TUF 1.x version.
    #[error("{role} has unsupported spec_version {found}")]
    UnsupportedSpecVersion {
        /// Role.
        role: String,
        /// Found spec_version.
        found: String,
    },
    /// A timestamp string is not `YYYY-MM-DDTHH:MM:SSZ`.
    #[error("invalid timestamp {value:?}")]
    InvalidTime {
        /// The offending value.
        value: String,
    },
    /// A key type/scheme combination this client does not implement (such
    /// keys never count towards a threshold).
    #[error("unsupported key type {keytype} with scheme {scheme}")]
    UnsupportedKey {
        /// `keytype`.
        keytype: String,
        /// `scheme`.
        scheme: String,
    },
    /// Key material that does not parse or does not match its declared type.
    #[error("malformed {keytype}/{scheme} key")]
    MalformedKey {
        /// `keytype`.
        keytype: String,
        /// `scheme`.
        scheme: String,
    },
    /// Fewer valid signatures than the role threshold.
    #[error("{role}: signature threshold not met: need {need}, have {have}")]
    ThresholdNotMet {
        /// Role whose keys were used.
        role: String,
        /// Threshold.
        need: u64,
        /// Distinct keys with a valid signature.
        have: u64,
    },
    /// A new root does not have version N+1, or a version is 0.
    #[error("{role}: bad version: expected {expected}, found {found}")]
    BadVersion {
        /// Role.
        role: String,
        /// Expected version.
        expected: u64,
        /// Found version.
        found: u64,
    },
    /// A new metadata version is lower than the trusted one.
    #[error("{role}: rollback attempt: trusted version {current}, new version {new}")]
    RollbackAttempt {
        /// Role.
        role: String,
        /// Currently trusted version.
        current: u64,
        /// Offered version.
        new: u64,
    },
    /// Mix-and-match: metadata whose version differs from the version the
    /// referencing metadata (timestamp for snapshot, snapshot for targets)
    /// lists.
    #[error("{role}: version {found} does not match the referenced version {expected}")]
    MetaMismatch {
        /// Role.
        role: String,
        /// Version listed by the referencing metadata.
        expected: u64,
        /// Version found in the metadata.
        found: u64,
    },
    /// A targets metadata file listed by the trusted snapshot is missing from
    /// the new snapshot.
    #[error("{role}: removed from the new snapshot")]
    MetaRemoved {
        /// Metadata file name (e.g. `targets.json`).
        role: String,
    },
    /// The snapshot does not list metadata for this (delegated) targets role.
    #[error("{role}: not listed in snapshot metadata")]
    MissingMeta {
        /// Metadata file name.
        role: String,
    },
    /// Metadata expired (freeze attack protection).
    #[error("{role} metadata expired at {expires} (now {now})")]
    ExpiredMetadata {
        /// Role.
        role: String,
        /// Expiry, Unix seconds.
        expires: i64,
        /// Reference time, Unix seconds.
        now: i64,
    },
    /// A target or metadata file does not match its listed hash.
    #[error("{target}: hash mismatch")]
    HashMismatch {
        /// Target path or metadata file name.
        target: String,
    },
    /// A target or metadata file does not have its listed length.
    #[error("{target}: length mismatch: expected {expected}, found {found}")]
    LengthMismatch {
        /// Target path or metadata file name.
        target: String,
        /// Listed length.
        expected: u64,
        /// Actual length.
        found: u64,
    },
    /// A hash algorithm listed in metadata is not supported, or no hash is listed.
    #[error("{target}: unsupported or missing hash algorithm {algorithm:?}")]
    UnsupportedHash {
        /// Target path or metadata file name.
        target: String,
        /// Algorithm name (empty when no hash is listed at all).
        algorithm: String,
    },
    /// No (delegated) targets metadata lists this target.
    #[error("target {target:?} not found")]
    TargetNotFound {
        /// Target path.
        target: String,
    },
    /// A target path is not acceptable (empty, absolute, `..` segment, ...).
    #[error("invalid target path {target:?}")]
    InvalidTargetPath {
        /// Target path.
        target: String,
    },
    /// A download exceeded its size limit.
    #[error("{url}: response exceeds the limit of {limit} bytes")]
    TooLarge {
        /// URL (or cache file).
        url: String,
        /// Limit in bytes.
        limit: u64,
    },
    /// The repository answered 403/404.
    #[error("{url}: not found")]
    NotFound {
        /// URL.
        url: String,
    },
    /// Transport error or unexpected HTTP status.
    #[error("{url}: network error (status {status:?}): {message}")]
    Network {
        /// URL.
        url: String,
        /// HTTP status if a response was received.
        status: Option<u16>,
        /// Transport error description.
        message: String,
    },
    /// A network fetch was requested while the client is offline (no
    /// connection was attempted).
    #[error("offline: refusing to fetch {url}")]
    Offline {
        /// URL that would have been fetched.
        url: String,
    },
    /// No fetcher is configured (built without the `client` feature and no
    /// custom fetcher given).
    #[error("no fetcher configured for online mode")]
    NoFetcher,
    /// A cached file failed re-verification (signature, chain, hash,
    /// length or consistency). The cache is never trusted blindly.
    #[error("cached file {file} failed verification: {source}")]
    CacheTampered {
        /// Cache file name.
        file: String,
        /// Why verification failed.
        #[source]
        source: Box<Error>,
    },
    /// Filesystem error on the cache directory.
    #[error("cache I/O error on {path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Invalid client configuration.
    #[error("invalid configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: &'static str,
    },
    /// Key material error from sigstore-crypto.
    #[error(transparent)]
    Crypto(#[from] sigstore_crypto::Error),
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;
