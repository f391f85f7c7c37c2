#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod artifact;
mod batch;
mod consensus;
mod error;
mod glue;
mod parts;
mod policy;
mod result;
#[cfg(feature = "sign")]
pub mod sign;
mod tlog_glue;
mod trust;
#[cfg(feature = "tuf")]
pub mod tuf;
mod verifier;

pub use artifact::{Artifact, MAX_DIGEST_STRING_LEN};
pub use batch::{default_batch_threads, BatchItem, JsonBatchItem, MAX_BATCH_THREADS};
pub use consensus::{
    ConsensusPolicy, ConsensusResult, ConsensusSigner, RejectedBundle, MAX_CONSENSUS_BUNDLES,
    MAX_CONSENSUS_SIGNERS,
};
pub use error::{
    ArtifactProblem, AttestationProblem, BindingField, BundleProblem, CertificateProblem,
    PolicyProblem, ThresholdKind, TlogProblem, TrustRootProblem, VerifyError, VerifyErrorKind,
};
pub use policy::{oid, Issuer, ManagedKey, Matcher, Policy, San, MAX_REGEX_LEN, REGEX_SIZE_LIMIT};
pub use result::{
    CheckpointRecord, DigestRecord, LogEntryRecord, SctRecord, Signer, SignerIdentity, TimeSource,
    TimestampRecord, VerificationResult, VerifiedTime,
};
pub use verifier::{Verifier, VerifierBuilder, IN_TOTO_PAYLOAD_TYPE};

/// The workspace README's Rust example, compiled as a doc test so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadme;

pub use sigstore_bundle::{Bundle, StatementJson, TrustedRoot};
pub use sigstore_crypto::{HashAlgorithm, PublicKey};

/// Most transparency-log entries accepted in one bundle (sigstore-go's limit, CVE-2024-45395).
pub const MAX_TLOG_ENTRIES: usize = 32;
/// Most RFC 3161 timestamps accepted in one bundle.
pub const MAX_TIMESTAMPS: usize = 32;
