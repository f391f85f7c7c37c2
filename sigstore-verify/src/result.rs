//! What a successful verification checked, serializable to JSON.

use std::collections::BTreeMap;

use serde::Serialize;
use sigstore_bundle::StatementJson;

/// The record of a successful verification: every value in it was checked. Values the
/// bundle carries outside every signature are never reported unless they were verified.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct VerificationResult {
    /// The bundle's media type.
    pub media_type: String,
    /// Who signed.
    pub signer: Signer,
    /// The artifact's digest the signature (or the in-toto subject) was checked against.
    pub artifact_digest: DigestRecord,
    /// For DSSE bundles: the verified in-toto statement. Its text, subjects and predicate
    /// type are at hand; the predicate was checked (strict JSON, limits) but is converted to
    /// a `serde_json::Value` only on request ([`StatementJson::to_value`]), or when the
    /// result is serialized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementJson>,
    /// For DSSE bundles: the statement's predicate type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// Every transparency-log entry that was verified.
    pub tlog_entries: Vec<LogEntryRecord>,
    /// Every RFC 3161 timestamp from a trusted authority that was verified.
    pub timestamps: Vec<TimestampRecord>,
    /// The signature times the certificate (or managed key) was validated at.
    pub verified_times: Vec<VerifiedTime>,
}

impl VerificationResult {
    /// One line describing the signer, the artifact and the evidence (for CLIs and logs).
    pub fn summary(&self) -> String {
        let who = match &self.signer {
            Signer::Certificate { identity, .. } => format!(
                "{} ({})",
                identity.san,
                identity.issuer.as_deref().unwrap_or("no issuer")
            ),
            Signer::PublicKey { spki_sha256 } => format!("public key sha256:{spki_sha256}"),
        };
        format!(
            "{} signed {}:{}; {} log entr{}, {} timestamp{}, times {:?}",
            who,
            self.artifact_digest.algorithm,
            self.artifact_digest.hex,
            self.tlog_entries.len(),
            if self.tlog_entries.len() == 1 {
                "y"
            } else {
                "ies"
            },
            self.timestamps.len(),
            if self.timestamps.len() == 1 { "" } else { "s" },
            self.verified_times
                .iter()
                .map(|t| t.time)
                .collect::<Vec<_>>()
        )
    }
}

/// The signer of a bundle.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Signer {
    /// A Fulcio certificate.
    Certificate {
        /// The identity in the certificate.
        identity: SignerIdentity,
        /// Hex SHA-256 of the leaf certificate's DER.
        certificate_sha256: String,
        /// The verified SCTs.
        scts: Vec<SctRecord>,
    },
    /// A managed public key from the caller's policy.
    PublicKey {
        /// Hex SHA-256 of the key's SubjectPublicKeyInfo DER.
        spki_sha256: String,
    },
}

/// The identity a Fulcio certificate certifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SignerIdentity {
    /// The Subject Alternative Name (email address, URI, or other-name username).
    pub san: String,
    /// The SAN's kind: `email`, `uri` or `other_name`.
    pub san_type: String,
    /// The OIDC issuer (extension 1.3.6.1.4.1.57264.1.8, else the legacy 1.1), when present.
    pub issuer: Option<String>,
    /// Every Fulcio extension (`1.3.6.1.4.1.57264.1.*`) in the certificate, by dotted OID,
    /// decoded to a string.
    pub extensions: BTreeMap<String, String>,
}

impl SignerIdentity {
    /// Build an identity (mostly for tests and custom integrations).
    pub fn new(
        san: impl Into<String>,
        issuer: Option<String>,
        extensions: BTreeMap<String, String>,
    ) -> Self {
        SignerIdentity {
            san: san.into(),
            san_type: String::new(),
            issuer,
            extensions,
        }
    }
}

/// A digest, as algorithm name and lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DigestRecord {
    /// `sha256`, `sha384` or `sha512`.
    pub algorithm: String,
    /// Lowercase hex.
    pub hex: String,
}

impl From<sigstore_crypto::Digest> for DigestRecord {
    fn from(d: sigstore_crypto::Digest) -> Self {
        DigestRecord {
            algorithm: d.algorithm().name().to_owned(),
            hex: d.to_hex(),
        }
    }
}

/// A verified transparency-log entry.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct LogEntryRecord {
    /// Base64 log id (key id) of the log in the trusted root.
    pub log_id: String,
    /// The log's base URL from the trusted root.
    pub log_url: String,
    /// The entry's log index, when a signature covers it: the signed entry timestamp (Rekor
    /// v1), or the inclusion proof it must equal (Rekor v2). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_index: Option<i64>,
    /// Entry kind and version (`hashedrekord` `0.0.1`, ...).
    pub kind: String,
    /// Entry API version.
    pub version: String,
    /// The integrated time, only when a signed entry timestamp covering it verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrated_time: Option<i64>,
    /// The checkpoint the inclusion proof was checked against, when there was a proof.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<CheckpointRecord>,
    /// Whether a signed entry timestamp (inclusion promise) verified.
    pub set_verified: bool,
}

/// A verified checkpoint.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CheckpointRecord {
    /// The checkpoint origin.
    pub origin: String,
    /// The tree size.
    pub tree_size: u64,
    /// Base64 root hash.
    pub root_hash: String,
    /// The proof's leaf index (tree-local).
    pub leaf_index: u64,
}

/// A verified RFC 3161 timestamp.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct TimestampRecord {
    /// The authority (its URI or subject from the trusted root).
    pub authority: String,
    /// The timestamp's genTime, Unix seconds.
    pub time: i64,
}

/// A verified SCT.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct SctRecord {
    /// Base64 CT log id.
    pub log_id: String,
    /// SCT timestamp, Unix milliseconds.
    pub timestamp_ms: u64,
}

/// Where a verified signature time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeSource {
    /// An RFC 3161 timestamp from a trusted authority.
    Rfc3161,
    /// A Rekor v1 integrated time covered by a verified signed entry timestamp.
    TransparencyLog,
}

/// A verified signature time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct VerifiedTime {
    /// Where it comes from.
    pub source: TimeSource,
    /// Unix seconds.
    pub time: i64,
}
