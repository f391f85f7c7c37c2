//! The Sigstore bundle (`dev.sigstore.bundle.v1.Bundle`), versions 0.1, 0.2 and 0.3.

use serde_json::Value;

use crate::dsse::Envelope;
use crate::error::{Error, FormCount, Result};
use crate::json::{self, list_of, nonempty_bytes, DocKind, Json, Nulls, Obj, ObjOut, Out, Path};
use crate::limits::MAX_BUNDLE_BYTES;

/// A bundle's format version, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(non_camel_case_types)]
pub enum BundleVersion {
    /// Version 0.1.
    V0_1,
    /// Version 0.2.
    V0_2,
    /// Version 0.3.
    V0_3,
}

/// The exact `mediaType` spelling of a bundle (both v0.3 spellings are kept so that
/// serialization reproduces the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum BundleMediaType {
    /// `application/vnd.dev.sigstore.bundle+json;version=0.1`
    V0_1,
    /// `application/vnd.dev.sigstore.bundle+json;version=0.2`
    V0_2,
    /// `application/vnd.dev.sigstore.bundle+json;version=0.3`
    V0_3Parameter,
    /// `application/vnd.dev.sigstore.bundle.v0.3+json` (the spelling current tools write)
    V0_3,
}

impl BundleMediaType {
    /// Every accepted media type with its spelling.
    pub const ALL: [(BundleMediaType, &'static str); 4] = [
        (
            BundleMediaType::V0_1,
            "application/vnd.dev.sigstore.bundle+json;version=0.1",
        ),
        (
            BundleMediaType::V0_2,
            "application/vnd.dev.sigstore.bundle+json;version=0.2",
        ),
        (
            BundleMediaType::V0_3Parameter,
            "application/vnd.dev.sigstore.bundle+json;version=0.3",
        ),
        (
            BundleMediaType::V0_3,
            "application/vnd.dev.sigstore.bundle.v0.3+json",
        ),
    ];

    /// Parses a media type string; anything not listed in [`ALL`](Self::ALL) is
    /// [`Error::UnknownMediaType`].
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .find(|(_, text)| *text == s)
            .map(|(m, _)| *m)
            .ok_or_else(|| Error::UnknownMediaType {
                found: s.to_owned(),
            })
    }

    /// The media type string.
    pub fn as_str(self) -> &'static str {
        match self {
            BundleMediaType::V0_1 => "application/vnd.dev.sigstore.bundle+json;version=0.1",
            BundleMediaType::V0_2 => "application/vnd.dev.sigstore.bundle+json;version=0.2",
            BundleMediaType::V0_3Parameter => {
                "application/vnd.dev.sigstore.bundle+json;version=0.3"
            }
            BundleMediaType::V0_3 => "application/vnd.dev.sigstore.bundle.v0.3+json",
        }
    }

    /// The format version this media type names.
    pub fn version(self) -> BundleVersion {
        match self {
            BundleMediaType::V0_1 => BundleVersion::V0_1,
            BundleMediaType::V0_2 => BundleVersion::V0_2,
            BundleMediaType::V0_3Parameter | BundleMediaType::V0_3 => BundleVersion::V0_3,
        }
    }
}

/// A Sigstore bundle: everything needed to verify one signature offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The `mediaType`, which fixes the format version.
    pub media_type: BundleMediaType,
    /// `verificationMaterial`: the signer's key or certificate, log entries and timestamps.
    pub verification_material: VerificationMaterial,
    /// The signature: exactly one of `messageSignature` and `dsseEnvelope`.
    pub content: BundleContent,
}

/// `verificationMaterial` of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationMaterial {
    /// Exactly one of `x509CertificateChain`, `certificate`, `publicKey`.
    pub content: VerificationMaterialContent,
    /// `tlogEntries` (at most [`MAX_TLOG_ENTRIES`](crate::MAX_TLOG_ENTRIES)); always written.
    pub tlog_entries: Vec<TransparencyLogEntry>,
    /// `timestampVerificationData`, if present.
    pub timestamp_verification_data: Option<TimestampVerificationData>,
}

/// The signer's key material in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationMaterialContent {
    /// `x509CertificateChain.certificates[].rawBytes`: DER certificates, leaf first (v0.1/v0.2).
    /// Never empty after parsing.
    X509CertificateChain(Vec<Vec<u8>>),
    /// `certificate.rawBytes`: the DER leaf certificate (v0.3).
    Certificate(Vec<u8>),
    /// `publicKey.hint`: an unauthenticated label for a key the verifier supplies.
    PublicKey {
        /// The hint, if the field was present (it may be present and empty).
        hint: Option<String>,
    },
}

/// `timestampVerificationData` of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimestampVerificationData {
    /// `rfc3161Timestamps[].signedTimestamp`: DER RFC 3161 `TimeStampResp`/token bytes
    /// (at most [`MAX_TIMESTAMPS`](crate::MAX_TIMESTAMPS)); the list is always written.
    pub rfc3161_timestamps: Vec<Vec<u8>>,
}

/// `kindVersion` of a log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindVersion {
    /// Entry kind, such as `hashedrekord` or `dsse`.
    pub kind: String,
    /// Entry schema version, such as `0.0.1`.
    pub version: String,
}

/// A transparency-log entry (`dev.sigstore.rekor.v1.TransparencyLogEntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransparencyLogEntry {
    /// `logIndex` (global index for Rekor v1). Always `>= 0`; an omitted field reads as 0, the
    /// proto3 default, and is written back explicitly.
    pub log_index: i64,
    /// `logId.keyId`: the log's key id.
    pub log_id: Vec<u8>,
    /// `kindVersion`.
    pub kind_version: KindVersion,
    /// `integratedTime` in Unix seconds, if present (Rekor v2 entries have none). Always `>= 0`.
    pub integrated_time: Option<i64>,
    /// `inclusionPromise.signedEntryTimestamp`: the Rekor v1 SET, if present.
    pub inclusion_promise: Option<InclusionPromise>,
    /// `inclusionProof`, if present.
    pub inclusion_proof: Option<InclusionProof>,
    /// `canonicalizedBody`: the exact decoded bytes of the logged body.
    pub canonicalized_body: Vec<u8>,
}

/// `inclusionPromise` of a log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionPromise {
    /// `signedEntryTimestamp`: the log's signature over the entry (DER ECDSA for Rekor v1).
    pub signed_entry_timestamp: Vec<u8>,
}

/// `inclusionProof` of a log entry (RFC 6962 / RFC 9162 audit path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    /// `logIndex`: the entry's index in this (shard's) tree. Always `>= 0`; omitted reads as 0.
    pub log_index: i64,
    /// `rootHash`: the tree root the proof leads to.
    pub root_hash: Vec<u8>,
    /// `treeSize`. Always `>= 0`.
    pub tree_size: i64,
    /// `hashes`: the audit path, leaf to root (at most
    /// [`MAX_INCLUSION_PROOF_HASHES`](crate::MAX_INCLUSION_PROOF_HASHES)); always written.
    pub hashes: Vec<Vec<u8>>,
    /// `checkpoint`, if present (required from v0.2 on).
    pub checkpoint: Option<Checkpoint>,
}

/// `checkpoint` of an inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// `envelope`: the C2SP signed-note text of the checkpoint.
    pub envelope: String,
}

/// The signed content of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleContent {
    /// `messageSignature`: a signature over an artifact (or its digest).
    MessageSignature(MessageSignature),
    /// `dsseEnvelope`: a DSSE envelope, usually carrying an in-toto statement.
    DsseEnvelope(Envelope),
}

/// `messageSignature` of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSignature {
    /// `messageDigest`, if present. For identification only: a verifier computes the
    /// artifact digest itself.
    pub message_digest: Option<MessageDigest>,
    /// `signature`: the raw signature bytes (DER for ECDSA).
    pub signature: Vec<u8>,
}

/// `messageDigest` of a message signature (`dev.sigstore.common.v1.HashOutput`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDigest {
    /// `algorithm`.
    pub algorithm: HashAlgorithm,
    /// `digest`.
    pub digest: Vec<u8>,
}

/// The protobuf `dev.sigstore.common.v1.HashAlgorithm` enum (JSON: its string name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum HashAlgorithm {
    /// `SHA2_256`
    Sha2_256,
    /// `SHA2_384`
    Sha2_384,
    /// `SHA2_512`
    Sha2_512,
    /// `SHA3_256`
    Sha3_256,
    /// `SHA3_384`
    Sha3_384,
}

impl HashAlgorithm {
    const NAMES: [&'static str; 5] = ["SHA2_256", "SHA2_384", "SHA2_512", "SHA3_256", "SHA3_384"];

    /// The protobuf enum name, e.g. `SHA2_256`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha2_256 => "SHA2_256",
            HashAlgorithm::Sha2_384 => "SHA2_384",
            HashAlgorithm::Sha2_512 => "SHA2_512",
            HashAlgorithm::Sha3_256 => "SHA3_256",
            HashAlgorithm::Sha3_384 => "SHA3_384",
        }
    }

    /// Parses a protobuf enum name. `HASH_ALGORITHM_UNSPECIFIED` and unknown names yield `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "SHA2_256" => Some(HashAlgorithm::Sha2_256),
            "SHA2_384" => Some(HashAlgorithm::Sha2_384),
            "SHA2_512" => Some(HashAlgorithm::Sha2_512),
            "SHA3_256" => Some(HashAlgorithm::Sha3_256),
            "SHA3_384" => Some(HashAlgorithm::Sha3_384),
            _ => None,
        }
    }

    /// The lowercase name used by in-toto digests and by `sigstore_crypto::HashAlgorithm::from_name`
    /// (`sha256`, `sha384`, `sha512`, `sha3-256`, `sha3-384`).
    pub fn lowercase_name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha2_256 => "sha256",
            HashAlgorithm::Sha2_384 => "sha384",
            HashAlgorithm::Sha2_512 => "sha512",
            HashAlgorithm::Sha3_256 => "sha3-256",
            HashAlgorithm::Sha3_384 => "sha3-384",
        }
    }

    /// Digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha2_256 | HashAlgorithm::Sha3_256 => 32,
            HashAlgorithm::Sha2_384 | HashAlgorithm::Sha3_384 => 48,
            HashAlgorithm::Sha2_512 => 64,
        }
    }

    pub(crate) fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let name = json::enum_name(v, at, &Self::NAMES)?;
        Self::from_name(name).ok_or_else(|| Error::UnknownEnumValue {
            field: at.render(),
            found: name.to_owned(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

fn read_raw_bytes(v: Json<'_>, at: Path<'_>) -> Result<Vec<u8>> {
    let mut o = Obj::new(v, at, &["rawBytes"], Nulls::Reject)?;
    o.bytes("rawBytes")
}

fn read_certificate_chain(v: Json<'_>, at: Path<'_>) -> Result<Vec<Vec<u8>>> {
    let mut o = Obj::new(v, at, &["certificates"], Nulls::Reject)?;
    let certs = o.opt_list("certificates", read_raw_bytes)?;
    if certs.is_empty() {
        return Err(Error::EmptyCertificateChain {
            field: o.field("certificates"),
        });
    }
    Ok(certs)
}

impl VerificationMaterial {
    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &[
                "x509CertificateChain",
                "certificate",
                "publicKey",
                "tlogEntries",
                "timestampVerificationData",
            ],
            Nulls::Reject,
        )?;
        let chain = o.opt("x509CertificateChain")?;
        let cert = o.opt("certificate")?;
        let key = o.opt("publicKey")?;
        let content = match (chain, cert, key) {
            (Some(c), None, None) => VerificationMaterialContent::X509CertificateChain(
                read_certificate_chain(c, at.key("x509CertificateChain"))?,
            ),
            (None, Some(c), None) => {
                VerificationMaterialContent::Certificate(read_raw_bytes(c, at.key("certificate"))?)
            }
            (None, None, Some(k)) => {
                let mut ko = Obj::new(k, at.key("publicKey"), &["hint"], Nulls::Reject)?;
                VerificationMaterialContent::PublicKey {
                    hint: ko.opt_str("hint")?,
                }
            }
            (None, None, None) => {
                return Err(Error::VerificationMaterialKind {
                    found: FormCount::Neither,
                })
            }
            _ => {
                return Err(Error::VerificationMaterialKind {
                    found: FormCount::Several,
                })
            }
        };
        let tlog_entries = o.opt_list("tlogEntries", TransparencyLogEntry::read)?;
        let timestamp_verification_data = match o.opt("timestampVerificationData")? {
            None => None,
            Some(t) => {
                let mut to = Obj::new(
                    t,
                    at.key("timestampVerificationData"),
                    &["rfc3161Timestamps"],
                    Nulls::Reject,
                )?;
                let rfc3161_timestamps = to.opt_list("rfc3161Timestamps", |v, f| {
                    let mut so = Obj::new(v, f, &["signedTimestamp"], Nulls::Reject)?;
                    so.bytes("signedTimestamp")
                })?;
                Some(TimestampVerificationData { rfc3161_timestamps })
            }
        };
        Ok(Self {
            content,
            tlog_entries,
            timestamp_verification_data,
        })
    }
}

impl TransparencyLogEntry {
    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &[
                "logIndex",
                "logId",
                "kindVersion",
                "integratedTime",
                "inclusionPromise",
                "inclusionProof",
                "canonicalizedBody",
            ],
            Nulls::Reject,
        )?;
        let log_index = o.int64_or_zero("logIndex")?;
        let log_id = {
            let v = o.req("logId")?;
            let mut lo = Obj::new(v, at.key("logId"), &["keyId"], Nulls::Reject)?;
            lo.bytes("keyId")?
        };
        let kind_version = {
            let v = o.req("kindVersion")?;
            let mut ko = Obj::new(
                v,
                at.key("kindVersion"),
                &["kind", "version"],
                Nulls::Reject,
            )?;
            KindVersion {
                kind: ko.str("kind")?,
                version: ko.str("version")?,
            }
        };
        let integrated_time = o.opt_int64("integratedTime")?;
        let inclusion_promise = match o.opt("inclusionPromise")? {
            None => None,
            Some(v) => {
                let mut po = Obj::new(
                    v,
                    at.key("inclusionPromise"),
                    &["signedEntryTimestamp"],
                    Nulls::Reject,
                )?;
                Some(InclusionPromise {
                    signed_entry_timestamp: po.bytes("signedEntryTimestamp")?,
                })
            }
        };
        let inclusion_proof = match o.opt("inclusionProof")? {
            None => None,
            Some(v) => Some(InclusionProof::read(v, at.key("inclusionProof"))?),
        };
        let canonicalized_body = o.bytes("canonicalizedBody")?;
        Ok(Self {
            log_index,
            log_id,
            kind_version,
            integrated_time,
            inclusion_promise,
            inclusion_proof,
            canonicalized_body,
        })
    }
}

impl InclusionProof {
    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &["logIndex", "rootHash", "treeSize", "hashes", "checkpoint"],
            Nulls::Reject,
        )?;
        let log_index = o.int64_or_zero("logIndex")?;
        let root_hash = o.bytes("rootHash")?;
        let tree_size = o.int64_or_zero("treeSize")?;
        let hashes = o.opt_list("hashes", nonempty_bytes)?;
        let checkpoint = match o.opt("checkpoint")? {
            None => None,
            Some(v) => {
                let mut co = Obj::new(v, at.key("checkpoint"), &["envelope"], Nulls::Reject)?;
                Some(Checkpoint {
                    envelope: co.str("envelope")?,
                })
            }
        };
        Ok(Self {
            log_index,
            root_hash,
            tree_size,
            hashes,
            checkpoint,
        })
    }
}

impl MessageSignature {
    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(v, at, &["messageDigest", "signature"], Nulls::Reject)?;
        let message_digest = match o.opt("messageDigest")? {
            None => None,
            Some(v) => {
                let md = at.key("messageDigest");
                let mut mo = Obj::new(v, md, &["algorithm", "digest"], Nulls::Reject)?;
                let alg = mo.req("algorithm")?;
                Some(MessageDigest {
                    algorithm: HashAlgorithm::read(alg, md.key("algorithm"))?,
                    digest: mo.bytes("digest")?,
                })
            }
        };
        let signature = o.bytes("signature")?;
        Ok(Self {
            message_digest,
            signature,
        })
    }
}

impl Bundle {
    /// Parses a bundle's JSON text and checks its version-specific structure
    /// ([`validate_structure`](Self::validate_structure)). This is what a verifier calls.
    ///
    /// Enforces [`MAX_BUNDLE_BYTES`] and every list cap while reading.
    pub fn from_json(input: &[u8]) -> Result<Self> {
        let b = Self::parse(input)?;
        b.validate_structure()?;
        Ok(b)
    }

    /// Parses a bundle's JSON text with every encoding-level check (media type, keys, base64,
    /// integers, enums, exactly-one-of rules, empty chains and bytes, limits) but *without*
    /// [`validate_structure`](Self::validate_structure). Useful for tooling and round trips.
    pub fn parse(input: &[u8]) -> Result<Self> {
        let v = json::parse_document(input, DocKind::Bundle, MAX_BUNDLE_BYTES)?;
        Self::from_tree(v)
    }

    /// Reads a bundle from a file (same checks as [`from_json`](Self::from_json)). Files larger
    /// than [`MAX_BUNDLE_BYTES`] are refused before they are read.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let bytes = crate::read_file_limited(path.as_ref(), MAX_BUNDLE_BYTES)?;
        Self::from_json(&bytes)
    }

    pub(crate) fn from_tree(v: Json<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            Path::Root,
            &[
                "mediaType",
                "verificationMaterial",
                "messageSignature",
                "dsseEnvelope",
            ],
            Nulls::Reject,
        )?;
        let at = o.at();
        let media_type = BundleMediaType::parse(&o.str("mediaType")?)?;
        let verification_material = VerificationMaterial::read(
            o.req("verificationMaterial")?,
            at.key("verificationMaterial"),
        )?;
        let ms = o.opt("messageSignature")?;
        let dsse = o.opt("dsseEnvelope")?;
        let content = match (ms, dsse) {
            (Some(m), None) => BundleContent::MessageSignature(MessageSignature::read(
                m,
                at.key("messageSignature"),
            )?),
            (None, Some(d)) => {
                BundleContent::DsseEnvelope(Envelope::read(d, at.key("dsseEnvelope"))?)
            }
            (None, None) => {
                return Err(Error::ContentKind {
                    found: FormCount::Neither,
                })
            }
            (Some(_), Some(_)) => {
                return Err(Error::ContentKind {
                    found: FormCount::Several,
                })
            }
        };
        Ok(Self {
            media_type,
            verification_material,
            content,
        })
    }

    /// The bundle's format version.
    pub fn version(&self) -> BundleVersion {
        self.media_type.version()
    }

    /// The bundle's format version (same as [`version`](Self::version)).
    pub fn media_type(&self) -> BundleVersion {
        self.media_type.version()
    }

    /// Checks the rules of the bundle specification that depend only on structure and version:
    ///
    /// - v0.1 and v0.2 carry `x509CertificateChain` or `publicKey`; v0.3 carries `certificate`
    ///   or `publicKey` ([`Error::MaterialNotAllowedForVersion`]).
    /// - v0.1: every tlog entry has an `inclusionPromise` ([`Error::MissingInclusionPromise`]).
    /// - v0.2 and later: every tlog entry has an `inclusionProof`
    ///   ([`Error::MissingInclusionProof`]) with a non-empty `checkpoint`
    ///   ([`Error::MissingCheckpoint`]).
    /// - A DSSE envelope has exactly one signature ([`Error::DsseSignatureCount`]).
    ///
    /// It does not check signatures, proofs, certificates or times: that is the verifier's job.
    pub fn validate_structure(&self) -> Result<()> {
        let version = self.version();
        match (&self.verification_material.content, version) {
            (VerificationMaterialContent::X509CertificateChain(_), BundleVersion::V0_3) => {
                return Err(Error::MaterialNotAllowedForVersion {
                    version,
                    form: "x509CertificateChain",
                })
            }
            (
                VerificationMaterialContent::Certificate(_),
                BundleVersion::V0_1 | BundleVersion::V0_2,
            ) => {
                return Err(Error::MaterialNotAllowedForVersion {
                    version,
                    form: "certificate",
                })
            }
            _ => {}
        }
        for (index, entry) in self.verification_material.tlog_entries.iter().enumerate() {
            if version == BundleVersion::V0_1 {
                if entry.inclusion_promise.is_none() {
                    return Err(Error::MissingInclusionPromise { index });
                }
            } else {
                let proof = entry
                    .inclusion_proof
                    .as_ref()
                    .ok_or(Error::MissingInclusionProof { index })?;
                match &proof.checkpoint {
                    Some(c) if !c.envelope.is_empty() => {}
                    _ => return Err(Error::MissingCheckpoint { index }),
                }
            }
        }
        if let BundleContent::DsseEnvelope(env) = &self.content {
            if env.signatures.len() != 1 {
                return Err(Error::DsseSignatureCount {
                    found: env.signatures.len(),
                });
            }
        }
        Ok(())
    }

    /// The leaf certificate (DER): the single `certificate`, or the first of the chain.
    pub fn leaf_certificate(&self) -> Option<&[u8]> {
        match &self.verification_material.content {
            VerificationMaterialContent::Certificate(c) => Some(c),
            VerificationMaterialContent::X509CertificateChain(chain) => {
                chain.first().map(Vec::as_slice)
            }
            VerificationMaterialContent::PublicKey { .. } => None,
        }
    }

    /// The DSSE envelope, if the content is one.
    pub fn dsse_envelope(&self) -> Option<&Envelope> {
        match &self.content {
            BundleContent::DsseEnvelope(e) => Some(e),
            BundleContent::MessageSignature(_) => None,
        }
    }

    /// The message signature, if the content is one.
    pub fn message_signature(&self) -> Option<&MessageSignature> {
        match &self.content {
            BundleContent::MessageSignature(m) => Some(m),
            BundleContent::DsseEnvelope(_) => None,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Writing

    pub(crate) fn to_out(&self) -> Out {
        let content_key = match self.content {
            BundleContent::MessageSignature(_) => "messageSignature",
            BundleContent::DsseEnvelope(_) => "dsseEnvelope",
        };
        let content = match &self.content {
            BundleContent::MessageSignature(m) => m.to_out(),
            BundleContent::DsseEnvelope(e) => e.to_out(),
        };
        ObjOut::new()
            .str("mediaType", self.media_type.as_str())
            .put("verificationMaterial", self.verification_material.to_out())
            .put(content_key, content)
            .done()
    }

    /// Serializes to compact JSON in the protobuf-specs encoding.
    pub fn to_json(&self) -> Vec<u8> {
        json::to_vec(&self.to_out())
    }

    /// Serializes to pretty-printed JSON in the protobuf-specs encoding.
    pub fn to_json_pretty(&self) -> Vec<u8> {
        json::to_vec_pretty(&self.to_out())
    }

    /// Serializes to a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        json::to_value(&self.to_out())
    }
}

fn raw_bytes_out(b: &[u8]) -> Out {
    ObjOut::new().bytes("rawBytes", b).done()
}

impl VerificationMaterial {
    fn to_out(&self) -> Out {
        let o = match &self.content {
            VerificationMaterialContent::X509CertificateChain(chain) => ObjOut::new().put(
                "x509CertificateChain",
                ObjOut::new()
                    .put(
                        "certificates",
                        Out::Arr(chain.iter().map(|c| raw_bytes_out(c)).collect()),
                    )
                    .done(),
            ),
            VerificationMaterialContent::Certificate(c) => {
                ObjOut::new().put("certificate", raw_bytes_out(c))
            }
            VerificationMaterialContent::PublicKey { hint } => {
                let mut k = ObjOut::new();
                if let Some(h) = hint {
                    k = k.str("hint", h);
                }
                ObjOut::new().put("publicKey", k.done())
            }
        };
        let mut o = o.put(
            "tlogEntries",
            Out::Arr(
                self.tlog_entries
                    .iter()
                    .map(TransparencyLogEntry::to_out)
                    .collect(),
            ),
        );
        if let Some(t) = &self.timestamp_verification_data {
            o = o.put(
                "timestampVerificationData",
                ObjOut::new()
                    .put(
                        "rfc3161Timestamps",
                        Out::Arr(
                            t.rfc3161_timestamps
                                .iter()
                                .map(|s| ObjOut::new().bytes("signedTimestamp", s).done())
                                .collect(),
                        ),
                    )
                    .done(),
            );
        }
        o.done()
    }
}

impl TransparencyLogEntry {
    fn to_out(&self) -> Out {
        let mut o = ObjOut::new()
            .int64("logIndex", self.log_index)
            .put("logId", ObjOut::new().bytes("keyId", &self.log_id).done())
            .put(
                "kindVersion",
                ObjOut::new()
                    .str("kind", &self.kind_version.kind)
                    .str("version", &self.kind_version.version)
                    .done(),
            );
        if let Some(t) = self.integrated_time {
            o = o.int64("integratedTime", t);
        }
        if let Some(p) = &self.inclusion_promise {
            o = o.put(
                "inclusionPromise",
                ObjOut::new()
                    .bytes("signedEntryTimestamp", &p.signed_entry_timestamp)
                    .done(),
            );
        }
        if let Some(p) = &self.inclusion_proof {
            let mut po = ObjOut::new()
                .int64("logIndex", p.log_index)
                .bytes("rootHash", &p.root_hash)
                .int64("treeSize", p.tree_size)
                .put(
                    "hashes",
                    Out::Arr(
                        p.hashes
                            .iter()
                            .map(|h| Out::Str(json::encode_b64(h)))
                            .collect(),
                    ),
                );
            if let Some(c) = &p.checkpoint {
                po = po.put(
                    "checkpoint",
                    ObjOut::new().str("envelope", &c.envelope).done(),
                );
            }
            o = o.put("inclusionProof", po.done());
        }
        o.bytes("canonicalizedBody", &self.canonicalized_body)
            .done()
    }
}

impl MessageSignature {
    fn to_out(&self) -> Out {
        let mut o = ObjOut::new();
        if let Some(d) = &self.message_digest {
            o = o.put(
                "messageDigest",
                ObjOut::new()
                    .str("algorithm", d.algorithm.name())
                    .bytes("digest", &d.digest)
                    .done(),
            );
        }
        o.bytes("signature", &self.signature).done()
    }
}

/// Reads a list of `{rawBytes}` objects; shared with the trust root.
pub(crate) fn read_cert_list(v: Json<'_>, at: Path<'_>) -> Result<Vec<Vec<u8>>> {
    list_of(v, at, read_raw_bytes)
}

/// Writes a list of `{rawBytes}` objects.
pub(crate) fn cert_list_out(certs: &[Vec<u8>]) -> Out {
    Out::Arr(certs.iter().map(|c| raw_bytes_out(c)).collect())
}
