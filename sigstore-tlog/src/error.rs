//! The crate's single error type.

use crate::merkle::Hash;

/// Which part of a checkpoint body is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointField {
    /// Fewer than three body lines.
    TooFewLines,
    /// The origin line is empty.
    Origin,
    /// The tree size is not canonical decimal fitting in a u64.
    TreeSize,
    /// The root hash is not standard base64 of exactly 32 bytes.
    RootHash,
    /// An extension line is empty.
    ExtensionLine,
}

/// Which part of a signed note is malformed (C2SP signed-note).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoteField {
    /// The note is not valid UTF-8.
    Utf8,
    /// The note contains a control character other than newline.
    ControlCharacter,
    /// The text does not end with a newline followed by a blank line and signatures.
    Separator,
    /// There are no signature lines.
    NoSignatures,
    /// A signature line does not start with the em dash and a space.
    SignatureLinePrefix,
    /// A signature line's key name is empty or contains a space or `+`.
    KeyName,
    /// A signature is not standard base64 or is shorter than the 4-byte key ID plus one byte.
    SignatureEncoding,
    /// The signature block does not end with a newline.
    TrailingNewline,
}

/// Which binding between a log entry body and the bundle's content failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindingField {
    /// The signature bytes.
    Signature,
    /// The certificate or public key.
    VerificationMaterial,
    /// The artifact digest (hashedrekord).
    ArtifactDigest,
    /// The hash of the DSSE payload.
    PayloadHash,
    /// The hash of the whole DSSE envelope (dsse 0.0.1).
    EnvelopeHash,
    /// The DSSE signature list.
    DsseSignatures,
    /// The expectation does not carry what this entry kind needs (e.g. no DSSE envelope for a
    /// dsse entry).
    MissingExpectation,
}

/// Every failure of `sigstore-tlog`. Signature failures are opaque: they name the key, never
/// the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- Merkle ----
    /// A proof has more hashes than the named cap allows.
    #[error("proof has {found} hashes, more than the maximum {max}")]
    ProofTooLong {
        /// The cap.
        max: usize,
        /// Hashes in the proof.
        found: usize,
    },
    /// A leaf index is not below the tree size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The proof does not have exactly the number of hashes its sizes dictate.
    #[error("proof has {found} hashes, expected exactly {expected}")]
    WrongProofSize {
        /// The dictated length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A hash that is not 32 bytes.
    #[error("hash is {found} bytes, expected {expected}")]
    InvalidHashLength {
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// The root recomputed from a proof differs from the expected root.
    #[error(
        "computed root {} does not match expected root {}",
        hex::encode(computed),
        hex::encode(expected)
    )]
    RootMismatch {
        /// The root the caller expected.
        expected: Hash,
        /// The root recomputed from the proof.
        computed: Hash,
    },
    /// A consistency proof with `size1 > size2`.
    #[error("consistency proof from size {size1} to smaller size {size2}")]
    ConsistencySizeOrder {
        /// The old size.
        size1: u64,
        /// The new size.
        size2: u64,
    },
    /// A consistency proof from the empty tree (meaningless, always rejected).
    #[error("consistency proof from the empty tree")]
    ConsistencyFromEmptyTree,
    /// A tree operation asked for a size beyond the tree.
    #[error("requested tree size {requested} but the tree has {size} leaves")]
    TreeTooSmall {
        /// Requested size.
        requested: u64,
        /// Current size.
        size: u64,
    },
    /// I/O failure of a tree store.
    #[error("tree store I/O error: {0}")]
    StoreIo(#[from] std::io::Error),
    /// A persisted tree store is corrupt.
    #[error("tree store is corrupt: {0}")]
    StoreCorrupt(&'static str),

    // ---- Signed notes and checkpoints ----
    /// A note larger than [`crate::note::MAX_NOTE_BYTES`].
    #[error("note is {found} bytes, more than the maximum {max}")]
    NoteTooLarge {
        /// The cap.
        max: usize,
        /// The size found.
        found: usize,
    },
    /// A malformed signed note.
    #[error("malformed signed note: {0:?}")]
    MalformedNote(NoteField),
    /// More signature lines than [`crate::note::MAX_NOTE_SIGNATURES`].
    #[error("note has more than {max} signatures")]
    TooManySignatures {
        /// The cap.
        max: usize,
    },
    /// A malformed checkpoint body (C2SP tlog-checkpoint).
    #[error("malformed checkpoint: {0:?}")]
    MalformedCheckpoint(CheckpointField),
    /// The checkpoint origin is not the one expected for this log.
    #[error("checkpoint origin {found:?} does not match the expected {expected:?}")]
    OriginMismatch {
        /// What the caller expected.
        expected: String,
        /// The origin line found.
        found: String,
    },
    /// A signature from a known key (name and key ID match) does not verify. Opaque.
    #[error("signature by known key {key_name:?} does not verify")]
    NoteSignatureInvalid {
        /// The key name.
        key_name: String,
    },
    /// A proof's tree size differs from the verified checkpoint's size.
    #[error("proof is for tree size {proof} but the checkpoint is for {checkpoint}")]
    TreeSizeMismatch {
        /// Size in the verified checkpoint.
        checkpoint: u64,
        /// Size the proof claims.
        proof: u64,
    },
    /// No signature from any of the given log keys is on the note.
    #[error("no signature from a known log key on the note")]
    NoVerifiedSignature,
    /// Fewer valid witness cosignatures than the policy's threshold.
    #[error("{found} valid witness cosignatures, {required} required")]
    WitnessThresholdNotMet {
        /// Threshold.
        required: usize,
        /// Valid cosignatures found.
        found: usize,
    },
    /// A key name that is empty or contains a space, `+` or a control character.
    #[error("invalid key name")]
    InvalidKeyName,
    /// A witness policy whose threshold is zero or larger than its witness list.
    #[error("witness threshold {threshold} invalid for {witnesses} witnesses")]
    InvalidWitnessPolicy {
        /// Threshold.
        threshold: usize,
        /// Number of witnesses.
        witnesses: usize,
    },
    /// A key of a kind this crate cannot use for the requested role.
    #[error("unsupported key for this role: {0}")]
    UnsupportedKey(&'static str),
    /// A cryptographic primitive failed (malformed key, signing failure).
    #[error(transparent)]
    Crypto(#[from] sigstore_crypto::Error),

    // ---- Rekor v1 SET ----
    /// The signed entry timestamp does not verify. Opaque.
    #[error("signed entry timestamp does not verify")]
    SetInvalid,
    /// A negative value where Rekor uses non-negative integers.
    #[error("{field} must not be negative (found {value})")]
    NegativeValue {
        /// The field.
        field: &'static str,
        /// The value.
        value: i64,
    },

    // ---- Entry bodies ----
    /// A body larger than [`crate::entry::MAX_BODY_BYTES`].
    #[error("entry body is {found} bytes, more than the maximum {max}")]
    BodyTooLarge {
        /// The cap.
        max: usize,
        /// Size found.
        found: usize,
    },
    /// The body is not JSON of the expected shape.
    #[error("entry body is not valid JSON of the expected shape: {0}")]
    BodyJson(#[source] serde_json::Error),
    /// A body field is missing, empty or not decodable.
    #[error("entry body field {0} is missing or invalid")]
    BodyField(&'static str),
    /// An entry kind / API version this crate does not support.
    #[error("unsupported entry {kind} {api_version}")]
    UnsupportedEntry {
        /// The kind.
        kind: String,
        /// The API version.
        api_version: String,
    },
    /// The transparency log entry's kindVersion differs from the body's kind and apiVersion.
    #[error("kindVersion {expected:?} does not match the body's {found:?}")]
    KindVersionMismatch {
        /// The kindVersion declared next to the body.
        expected: (String, String),
        /// The (kind, apiVersion) of the body.
        found: (String, String),
    },
    /// The entry body does not match the bundle content.
    #[error("entry body does not match the bundle: {0:?}")]
    BindingMismatch(BindingField),

    // ---- HTTP clients ----
    /// The server answered with a non-success status (after retries for 5xx).
    #[cfg(feature = "client")]
    #[error("HTTP status {status} from {url}")]
    HttpStatus {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// A connection-level failure (after retries).
    #[cfg(feature = "client")]
    #[error("transport error for {url}: {source}")]
    Transport {
        /// The URL.
        url: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The call did not complete before its deadline.
    #[cfg(feature = "client")]
    #[error("request to {url} timed out")]
    Timeout {
        /// The URL.
        url: String,
    },
    /// A response body larger than the client's limit.
    #[cfg(feature = "client")]
    #[error("response body exceeds {max} bytes")]
    ResponseTooLarge {
        /// The limit.
        max: usize,
    },
    /// A response that could not be parsed.
    #[cfg(feature = "client")]
    #[error("unexpected response from {url}: {reason}")]
    BadResponse {
        /// The URL.
        url: String,
        /// What was wrong.
        reason: &'static str,
    },
}
