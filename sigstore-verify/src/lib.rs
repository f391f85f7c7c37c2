//! Sigstore bundle verification.
//!
//! A [`Verifier`] is built once from a trusted root (the embedded public-good production or
//! staging root, a file, or JSON bytes) with the deployment's guarantees: how many distinct
//! transparency logs, CT logs and timestamp authorities must vouch for a signature. A
//! [`Policy`] says what the caller expects of the signer (certificate identity, Fulcio
//! extensions, a managed public key, an attestation's predicate type). [`Verifier::verify`]
//! checks a [`Bundle`] for an [`Artifact`] under a policy and returns a
//! [`VerificationResult`] recording exactly what was checked, or a typed [`VerifyError`].
//!
//! The checks follow the Sigstore client specification (architecture-docs `client-spec.md`
//! §4-§5) in order:
//!
//! 1. **Times** (§4.2): each RFC 3161 timestamp over the signature bytes from a trusted
//!    authority (tokens from unknown authorities are ignored; a trusted token that fails any
//!    check rejects the bundle), and each Rekor v1 integrated time whose signed entry timestamp
//!    verifies with the log key valid at that time and which is not in the future. Rekor v2
//!    entries carry no time. No verified time: rejected.
//! 2. **Certificate** (§4.3): RFC 5280 path validation to the trusted Fulcio CAs at EVERY
//!    verified time (intermediates only from the trusted root, roots in the bundle rejected),
//!    embedded SCTs (RFC 6962 §3.2) counted per distinct CT log, then the policy.
//! 3. **Log entries** (§4.4): the body is parsed, its kind and version must equal
//!    `kindVersion`, it must describe this bundle (signature, certificate or key, artifact
//!    digest or DSSE envelope), and the inclusion proof (RFC 6962 §2.1.1) must reach the root
//!    of a checkpoint signed by that log (C2SP signed-note / tlog-checkpoint). Distinct logs
//!    count toward the threshold.
//! 4. **Signature** (§4.5): over the artifact (or its digest) for message signatures, never
//!    over the bundle's `messageDigest`; over the DSSE PAE for attestations, whose in-toto
//!    statement must list the artifact's digest among its subjects.
//!
//! Verification is synchronous, does no I/O and takes no trust material from the bundle.
//!
//! ```no_run
//! use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::builder(TrustedRoot::production()?).build()?;
//! let policy = Policy::identity(
//!     San::exact("https://github.com/org/repo/.github/workflows/rel.yml@refs/tags/v1"),
//!     Issuer::exact("https://token.actions.githubusercontent.com"),
//! );
//! let bundle = std::fs::read("artifact.sigstore.json")?;
//! let result = verifier.verify_json(&bundle, &Artifact::file("artifact")?, &policy)?;
//! println!("{}", serde_json::to_string_pretty(&result)?);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod artifact;
mod consensus;
mod error;
mod glue;
mod parts;
mod policy;
mod result;
mod tlog_glue;
mod trust;
mod verifier;

pub use artifact::{Artifact, MAX_DIGEST_STRING_LEN};
pub use consensus::{ConsensusPolicy, ConsensusResult, MAX_CONSENSUS_BUNDLES};
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

pub use sigstore_bundle::{Bundle, TrustedRoot};
pub use sigstore_crypto::{HashAlgorithm, PublicKey};

/// Most transparency-log entries accepted in one bundle (sigstore-go's limit, CVE-2024-45395).
pub const MAX_TLOG_ENTRIES: usize = 32;
/// Most RFC 3161 timestamps accepted in one bundle.
pub const MAX_TIMESTAMPS: usize = 32;
