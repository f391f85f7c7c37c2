//! The crate's error type, [`VerifyError`], and its stable classification [`VerifyErrorKind`].

use std::fmt;

/// Every failure of this crate.
///
/// Match on [`VerifyError::kind`] for a stable, coarse classification a caller can act on
/// (the CLI and the conformance tests do); the variants carry the details (which entry, which
/// timestamp, expected and found values) and wrap the lower crates' errors. Signature failures
/// are deliberately opaque.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The bundle JSON could not be parsed into a bundle.
    #[error("malformed bundle: {0}")]
    BundleParse(#[source] sigstore_bundle::Error),
    /// The bundle parsed but its structure is not acceptable for its version.
    #[error("invalid bundle: {0}")]
    BundleFormat(BundleProblem),
    /// The trusted root is unusable (missing validity start, unparsable key or certificate, ...).
    #[error("unusable trusted root: {0}")]
    TrustRoot(TrustRootProblem),
    /// A transparency-log entry failed a check.
    #[error("transparency log entry {entry}: {problem}")]
    TransparencyLog {
        /// Index of the entry in the bundle's `tlogEntries`.
        entry: usize,
        /// What failed.
        problem: TlogProblem,
    },
    /// An RFC 3161 timestamp from a trusted authority failed a check (evidence of tampering).
    #[error("RFC 3161 timestamp {index}: {source}")]
    Timestamp {
        /// Index of the timestamp in the bundle's `rfc3161Timestamps`.
        index: usize,
        /// The underlying error.
        #[source]
        source: sigstore_timestamp::Error,
    },
    /// No signature time could be established: no verified timestamp and no log entry whose
    /// integrated time is covered by a verified signed entry timestamp.
    #[error("no verified signature time (a Rekor v2 entry needs an RFC 3161 timestamp)")]
    NoVerifiedTime,
    /// The signing certificate failed validation (chain, validity at a signature time, EKU, ...).
    #[error("certificate: {0}")]
    Certificate(CertificateProblem),
    /// The embedded signed certificate timestamps failed verification.
    #[error("signed certificate timestamps: {0}")]
    Sct(#[source] sigstore_fulcio::Error),
    /// A managed key's validity window does not cover a signature time (CVE-2026-54787).
    #[error("public key not valid at signature time {time}")]
    KeyNotValidAt {
        /// The signature time outside the key's window.
        time: i64,
    },
    /// The signature does not verify (deliberately opaque).
    #[error("signature verification failed")]
    Signature,
    /// The signer is not the one the policy expects.
    #[error("identity mismatch: expected {expected}, found {found}")]
    IdentityMismatch {
        /// What the policy expects.
        expected: String,
        /// What the bundle's signer is.
        found: String,
    },
    /// The bundle is about a different artifact than the one given.
    #[error("artifact mismatch: bundle is for {expected}, artifact is {found}")]
    ArtifactMismatch {
        /// The digest the bundle signs or claims.
        expected: String,
        /// The artifact's digest.
        found: String,
    },
    /// The DSSE envelope's content is not an acceptable in-toto attestation.
    #[error("attestation: {0}")]
    Attestation(AttestationProblem),
    /// Fewer distinct logs, CT logs, timestamp authorities or signers than required.
    #[error("{what} threshold not met: need {need}, have {have}")]
    Threshold {
        /// What was counted.
        what: ThresholdKind,
        /// The required number.
        need: usize,
        /// The number of distinct verified ones.
        have: usize,
    },
    /// A signature time lies outside a consensus policy's window.
    #[error("signature time {time} outside the window [{not_before}, {not_after}]")]
    OutsideWindow {
        /// The verified signature time.
        time: i64,
        /// Window start.
        not_before: i64,
        /// Window end.
        not_after: i64,
    },
    /// A policy or verifier could not be constructed.
    #[error("invalid policy or verifier configuration: {0}")]
    Policy(PolicyProblem),
    /// The artifact could not be read or its digest string parsed.
    #[error("artifact: {0}")]
    Artifact(ArtifactProblem),
}

/// A stable, coarse classification of [`VerifyError`], for callers, tests and the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// The bundle is malformed or structurally invalid for its version.
    BundleFormat,
    /// The trusted root is unusable.
    TrustRoot,
    /// A transparency-log entry failed (SET, body binding, inclusion proof, checkpoint, log key).
    TransparencyLog,
    /// An RFC 3161 timestamp failed, or no signature time could be established.
    Timestamp,
    /// The certificate chain or a managed key's validity failed.
    Certificate,
    /// The embedded SCTs failed.
    Sct,
    /// The signature does not verify.
    Signature,
    /// The signer is not the expected one.
    IdentityMismatch,
    /// The bundle is about another artifact.
    ArtifactMismatch,
    /// The DSSE payload is not an acceptable attestation (type, statement, predicate type).
    Attestation,
    /// A threshold of distinct logs / CT logs / authorities / signers was not met.
    Threshold,
    /// A signature time lies outside a consensus policy's window.
    TimeWindow,
    /// Policy or verifier construction failed.
    Policy,
    /// The artifact could not be read or parsed.
    Artifact,
}

impl fmt::Display for VerifyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl VerifyError {
    /// The stable classification of this error.
    pub fn kind(&self) -> VerifyErrorKind {
        match self {
            VerifyError::BundleParse(_) | VerifyError::BundleFormat(_) => {
                VerifyErrorKind::BundleFormat
            }
            VerifyError::TrustRoot(_) => VerifyErrorKind::TrustRoot,
            VerifyError::TransparencyLog { .. } => VerifyErrorKind::TransparencyLog,
            VerifyError::Timestamp { .. } | VerifyError::NoVerifiedTime => {
                VerifyErrorKind::Timestamp
            }
            VerifyError::Certificate(_) | VerifyError::KeyNotValidAt { .. } => {
                VerifyErrorKind::Certificate
            }
            VerifyError::Sct(_) => VerifyErrorKind::Sct,
            VerifyError::Signature => VerifyErrorKind::Signature,
            VerifyError::IdentityMismatch { .. } => VerifyErrorKind::IdentityMismatch,
            VerifyError::ArtifactMismatch { .. } => VerifyErrorKind::ArtifactMismatch,
            VerifyError::Attestation(_) => VerifyErrorKind::Attestation,
            VerifyError::Threshold { .. } => VerifyErrorKind::Threshold,
            VerifyError::OutsideWindow { .. } => VerifyErrorKind::TimeWindow,
            VerifyError::Policy(_) => VerifyErrorKind::Policy,
            VerifyError::Artifact(_) => VerifyErrorKind::Artifact,
        }
    }

    pub(crate) fn tlog(entry: usize, problem: TlogProblem) -> Self {
        VerifyError::TransparencyLog { entry, problem }
    }
}

/// Why a parsed bundle is structurally unacceptable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleProblem {
    /// The media type names no supported bundle version.
    #[error("unsupported media type {0:?}")]
    UnsupportedMediaType(String),
    /// More transparency-log entries than [`crate::MAX_TLOG_ENTRIES`].
    #[error("{found} transparency log entries, at most {max} accepted")]
    TooManyTlogEntries {
        /// The limit.
        max: usize,
        /// The count found.
        found: usize,
    },
    /// More RFC 3161 timestamps than [`crate::MAX_TIMESTAMPS`].
    #[error("{found} RFC 3161 timestamps, at most {max} accepted")]
    TooManyTimestamps {
        /// The limit.
        max: usize,
        /// The count found.
        found: usize,
    },
    /// A v0.1 bundle's entry lacks the inclusion promise v0.1 requires.
    #[error("entry {entry}: v0.1 bundles require an inclusion promise")]
    MissingInclusionPromise {
        /// The entry.
        entry: usize,
    },
    /// A v0.2+ bundle's entry lacks the inclusion proof it requires.
    #[error("entry {entry}: bundles v0.2 and later require an inclusion proof")]
    MissingInclusionProof {
        /// The entry.
        entry: usize,
    },
    /// An inclusion proof without the checkpoint v0.2+ requires.
    #[error("entry {entry}: inclusion proof without a checkpoint")]
    MissingCheckpoint {
        /// The entry.
        entry: usize,
    },
    /// The entry has no canonicalized body.
    #[error("entry {entry}: missing canonicalized body")]
    MissingBody {
        /// The entry.
        entry: usize,
    },
    /// The DSSE envelope does not carry exactly one signature.
    #[error("DSSE envelope has {found} signatures, exactly one required")]
    DsseSignatureCount {
        /// The count found.
        found: usize,
    },
    /// No verification material usable for this bundle version (for example a certificate
    /// chain in a v0.3 bundle, or an empty chain).
    #[error("verification material: {0}")]
    Material(&'static str),
    /// A field's value is out of range (for example a negative log index).
    #[error("field {field}: {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Why the trusted root cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustRootProblem {
    /// The trusted root could not be parsed.
    #[error("{0}")]
    Parse(#[source] sigstore_bundle::Error),
    /// A transparency log entry of the trusted root is unusable.
    #[error("transparency log {log_id}: {reason}")]
    Log {
        /// Base64 log id (or the index when absent).
        log_id: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A log key could not be parsed.
    #[error("transparency log {log_id}: {source}")]
    LogKey {
        /// Base64 log id.
        log_id: String,
        /// The key parsing error.
        #[source]
        source: sigstore_crypto::Error,
    },
    /// A certificate authority could not be built.
    #[error("certificate authority {index}: {source}")]
    CertificateAuthority {
        /// Its index in `certificateAuthorities`.
        index: usize,
        /// The error.
        #[source]
        source: sigstore_fulcio::Error,
    },
    /// A timestamp authority could not be built.
    #[error("timestamp authority {index}: {source}")]
    TimestampAuthority {
        /// Its index in `timestampAuthorities`.
        index: usize,
        /// The error.
        #[source]
        source: sigstore_timestamp::Error,
    },
    /// A time range in the trusted root is malformed.
    #[error("{what}: malformed validity period")]
    Validity {
        /// Which element.
        what: String,
    },
    /// Refreshing the trust material through TUF failed (feature `tuf`).
    #[cfg(feature = "tuf")]
    #[error("TUF: {0}")]
    Tuf(#[source] sigstore_tuf::Error),
}

/// The field of a log entry body that does not match the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum BindingField {
    /// The signature bytes.
    Signature,
    /// The certificate or public key.
    Verifier,
    /// The artifact digest (hashedrekord) or the payload digest.
    Digest,
    /// The DSSE envelope (its hash or its signatures).
    Envelope,
    /// The kind of entry cannot describe this bundle's content (for example a dsse entry for a
    /// message signature).
    Content,
}

impl fmt::Display for BindingField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BindingField::Signature => "signature",
            BindingField::Verifier => "certificate or key",
            BindingField::Digest => "digest",
            BindingField::Envelope => "DSSE envelope",
            BindingField::Content => "content type",
        })
    }
}

/// What failed about a transparency-log entry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlogProblem {
    /// The entry's log id names no log of the trusted root.
    #[error("log {log_id} is not in the trusted root")]
    UnknownLog {
        /// Base64 of the log id.
        log_id: String,
    },
    /// The log's key was not valid at the entry's integrated time (or, for entries without
    /// one, at a verified signature time).
    #[error("log key not valid at time {time}")]
    LogKeyNotValidAt {
        /// The integrated time.
        time: i64,
    },
    /// The integrated time lies in the future.
    #[error("integrated time {integrated_time} is after the current time {now}")]
    TimeInFuture {
        /// The entry's integrated time.
        integrated_time: i64,
        /// The verifier's current time.
        now: i64,
    },
    /// The signed entry timestamp (inclusion promise) does not verify.
    #[error("signed entry timestamp: {0}")]
    Set(#[source] sigstore_tlog::Error),
    /// The canonicalized body could not be parsed.
    #[error("entry body: {0}")]
    Body(#[source] sigstore_tlog::Error),
    /// `kindVersion` disagrees with the body's kind and apiVersion.
    #[error("kindVersion {expected} does not match body {found}")]
    KindVersionMismatch {
        /// The bundle's `kindVersion`.
        expected: String,
        /// The body's kind and apiVersion.
        found: String,
    },
    /// The body describes something else than this bundle.
    #[error("entry body {0} does not match the bundle")]
    Binding(BindingField),
    /// The checkpoint failed to parse or verify.
    #[error("checkpoint: {0}")]
    Checkpoint(#[source] sigstore_tlog::Error),
    /// The inclusion proof failed.
    #[error("inclusion proof: {0}")]
    Inclusion(#[source] sigstore_tlog::Error),
    /// The inclusion proof disagrees with the entry or the checkpoint.
    #[error("inclusion proof {what}: entry/checkpoint says {expected}, proof says {found}")]
    ProofMismatch {
        /// Which value.
        what: &'static str,
        /// The entry's or checkpoint's value.
        expected: String,
        /// The proof's value.
        found: String,
    },
}

/// What failed about the signing certificate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// Parsing or path validation failed.
    #[error("{0}")]
    Chain(#[source] sigstore_fulcio::Error),
    /// The bundle carries a root (self-signed) certificate; trust anchors come only from the
    /// trusted root.
    #[error("bundle carries a self-signed root certificate")]
    RootInBundle,
}

/// What is wrong with a DSSE attestation's content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttestationProblem {
    /// The payload type is not `application/vnd.in-toto+json`.
    #[error("payload type {0:?} is not application/vnd.in-toto+json")]
    PayloadType(String),
    /// The payload is not an in-toto statement.
    #[error("payload is not an in-toto statement: {0}")]
    Statement(#[source] sigstore_bundle::Error),
    /// The statement's predicate type is not the one the policy requires.
    #[error("predicate type {found:?}, policy requires {expected:?}")]
    PredicateType {
        /// What the policy requires.
        expected: String,
        /// What the statement has.
        found: String,
    },
}

/// What was counted toward a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum ThresholdKind {
    /// Distinct transparency logs with a verified entry.
    TransparencyLogs,
    /// Distinct CT logs with a verified SCT.
    CtLogs,
    /// Distinct timestamp authorities with a verified timestamp.
    TimestampAuthorities,
    /// Distinct signers of a consensus policy.
    Signers,
}

impl fmt::Display for ThresholdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ThresholdKind::TransparencyLogs => "transparency log",
            ThresholdKind::CtLogs => "CT log",
            ThresholdKind::TimestampAuthorities => "timestamp authority",
            ThresholdKind::Signers => "distinct signer",
        })
    }
}

/// Why a policy or verifier could not be constructed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyProblem {
    /// A regular expression did not compile.
    #[error("invalid regular expression: {0}")]
    Regex(#[source] regex::Error),
    /// `all_of` / `any_of` with no member.
    #[error("empty combination")]
    Empty,
    /// The policy does not constrain the signer (use `Policy::dangerous_any_identity()` to
    /// spell out that any signer is acceptable).
    #[error("policy constrains no signer")]
    ConstrainsNothing,
    /// An object identifier that is not in dotted-decimal form.
    #[error("malformed object identifier {0:?}")]
    Oid(String),
    /// A threshold of zero, or larger than the trust material can ever satisfy.
    #[error("{what} threshold {value} is invalid")]
    Threshold {
        /// Which threshold.
        what: ThresholdKind,
        /// The value given.
        value: usize,
    },
    /// A validity window whose start is after its end.
    #[error("validity window starts after it ends")]
    Window,
    /// No clock on this platform and no fixed time given
    /// (`VerifierBuilder::current_time`).
    #[error("no system clock on this platform: set the verifier's current time")]
    NoClock,
    /// A managed public key could not be parsed.
    #[error("public key: {0}")]
    Key(#[source] sigstore_crypto::Error),
}

/// Why an artifact could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactProblem {
    /// Reading failed.
    #[error("read error: {0}")]
    Io(#[source] std::io::Error),
    /// A digest string is not `alg:hex`.
    #[error("malformed digest string")]
    MalformedDigest,
    /// A digest of the wrong length.
    #[error("digest has {found} bytes, expected {expected}")]
    DigestLength {
        /// The algorithm's length.
        expected: usize,
        /// The given length.
        found: usize,
    },
    /// No digest algorithm was requested.
    #[error("no digest algorithm requested")]
    NoAlgorithm,
    /// The signature needs the artifact's bytes (pure Ed25519) but only digests are known.
    #[error("the artifact's bytes are needed to verify this signature")]
    BytesRequired,
}
