//! The trusted root (`dev.sigstore.trustroot.v1.TrustedRoot`): the logs, CT logs, certificate
//! authorities and timestamp authorities a verifier trusts, each with a validity range.

use serde_json::Value;

use crate::bundle::{cert_list_out, read_cert_list, HashAlgorithm};
use crate::error::{Error, Result};
use crate::json::{self, DocKind, Json, JsonNulls, Nulls, Obj, ObjOut, Out, Path};
use crate::limits::MAX_TRUST_ROOT_BYTES;

/// Accepted trusted-root media types.
pub const TRUSTED_ROOT_MEDIA_TYPES: [&str; 4] = [
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot+json;version=0.2",
    "application/vnd.dev.sigstore.trustedroot.v0.1+json",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
];

/// An RFC 3339 timestamp (`google.protobuf.Timestamp` in JSON), keeping its original text so
/// that serialization reproduces it exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
    text: String,
}

impl Timestamp {
    /// Parses an RFC 3339 date-time such as `2022-04-13T20:06:15.000Z`: `T` (or `t`) between
    /// date and time, at most nine fraction digits, `Z` or a `±HH:MM` offset, no leap second.
    pub fn parse(text: &str) -> Option<Self> {
        let (seconds, nanos) = crate::rfc3339::parse(text)?;
        Some(Self {
            seconds,
            nanos,
            text: text.to_owned(),
        })
    }

    /// A timestamp from its parts as the reader makes them, for the generated embedded roots
    /// (`embedded_generated.rs`, checked against the reader by a test).
    pub(crate) fn from_parts(seconds: i64, nanos: u32, text: &str) -> Self {
        Self {
            seconds,
            nanos,
            text: text.to_owned(),
        }
    }

    /// A timestamp at `seconds` since the Unix epoch, written as `YYYY-MM-DDTHH:MM:SSZ`.
    /// Returns `None` outside the years 0000..=9999.
    pub fn from_unix(seconds: i64) -> Option<Self> {
        Some(Self {
            seconds,
            nanos: 0,
            text: crate::rfc3339::format(seconds)?,
        })
    }

    /// Whole seconds since the Unix epoch (fractions are truncated toward the past).
    pub fn unix(&self) -> i64 {
        self.seconds
    }

    /// The fractional second, in nanoseconds.
    pub fn nanos(&self) -> u32 {
        self.nanos
    }

    /// The original text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let s = json::as_string(v, at)?;
        Self::parse(&s).ok_or_else(|| Error::Timestamp {
            field: at.render(),
            found: s,
        })
    }
}

/// `validFor`: a closed time interval. Either bound may be absent; a verifier decides what an
/// absent bound means (a missing `start` must be rejected; a missing `end` means "still valid").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// `start`, if present.
    pub start: Option<Timestamp>,
    /// `end`, if present.
    pub end: Option<Timestamp>,
    /// Keys written as explicit `null` in the parsed input (see [`JsonNulls`]).
    pub json_nulls: JsonNulls,
}

impl TimeRange {
    /// `start` in Unix seconds.
    pub fn start_unix(&self) -> Option<i64> {
        self.start.as_ref().map(Timestamp::unix)
    }

    /// `end` in Unix seconds.
    pub fn end_unix(&self) -> Option<i64> {
        self.end.as_ref().map(Timestamp::unix)
    }

    pub(crate) fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(v, at, &["start", "end"], Nulls::Remember)?;
        let start = match o.opt("start")? {
            Some(v) => Some(Timestamp::read(v, at.key("start"))?),
            None => None,
        };
        let end = match o.opt("end")? {
            Some(v) => Some(Timestamp::read(v, at.key("end"))?),
            None => None,
        };
        Ok(Self {
            start,
            end,
            json_nulls: o.nulls(),
        })
    }

    pub(crate) fn to_out(&self) -> Out {
        ObjOut::new()
            .opt(
                "start",
                self.start.as_ref().map(|t| Out::Str(t.text.clone())),
                &self.json_nulls,
            )
            .opt(
                "end",
                self.end.as_ref().map(|t| Out::Str(t.text.clone())),
                &self.json_nulls,
            )
            .done()
    }
}

/// `publicKey` of a log instance (`dev.sigstore.common.v1.PublicKey`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PublicKey {
    /// `rawBytes`: DER SubjectPublicKeyInfo, if present.
    pub raw_bytes: Option<Vec<u8>>,
    /// `keyDetails`: the `PublicKeyDetails` enum name, e.g. `PKIX_ECDSA_P256_SHA_256`
    /// (kept as text; map it with `sigstore_crypto::KeyDetails::from_name`).
    pub key_details: String,
    /// `validFor`, if present.
    pub valid_for: Option<TimeRange>,
}

/// A transparency log or CT log (`dev.sigstore.trustroot.v1.TransparencyLogInstance`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransparencyLogInstance {
    /// `baseUrl`.
    pub base_url: String,
    /// `hashAlgorithm` of the log's Merkle tree.
    pub hash_algorithm: HashAlgorithm,
    /// `publicKey`.
    pub public_key: PublicKey,
    /// `logId.keyId`.
    pub log_id: Vec<u8>,
    /// `checkpointKeyId.keyId`, if present (key id used in checkpoint signatures).
    pub checkpoint_key_id: Option<Vec<u8>>,
    /// `operator`, if present.
    pub operator: Option<String>,
    /// Keys written as explicit `null` in the parsed input (see [`JsonNulls`]).
    pub json_nulls: JsonNulls,
}

/// `subject` of an authority (`dev.sigstore.common.v1.DistinguishedName`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DistinguishedName {
    /// `organization`, if present.
    pub organization: Option<String>,
    /// `commonName`, if present.
    pub common_name: Option<String>,
}

/// A certificate or timestamp authority (`dev.sigstore.trustroot.v1.CertificateAuthority`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateAuthority {
    /// `subject`, if present.
    pub subject: Option<DistinguishedName>,
    /// `uri`, if present.
    pub uri: Option<String>,
    /// `certChain.certificates[].rawBytes`: DER certificates, never empty after parsing
    /// (at most [`MAX_CHAIN_CERTIFICATES`](crate::MAX_CHAIN_CERTIFICATES)).
    pub cert_chain: Vec<Vec<u8>>,
    /// `validFor`, if present.
    pub valid_for: Option<TimeRange>,
    /// `operator`, if present.
    pub operator: Option<String>,
    /// Keys written as explicit `null` in the parsed input (see [`JsonNulls`]).
    pub json_nulls: JsonNulls,
}

/// A trusted root. Every list may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRoot {
    /// `mediaType`, one of [`TRUSTED_ROOT_MEDIA_TYPES`].
    pub media_type: String,
    /// `tlogs`: Rekor instances.
    pub tlogs: Vec<TransparencyLogInstance>,
    /// `certificateAuthorities`: Fulcio instances.
    pub certificate_authorities: Vec<CertificateAuthority>,
    /// `ctlogs`: certificate transparency logs.
    pub ctlogs: Vec<TransparencyLogInstance>,
    /// `timestampAuthorities`: RFC 3161 TSAs.
    pub timestamp_authorities: Vec<CertificateAuthority>,
}

impl TransparencyLogInstance {
    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &[
                "baseUrl",
                "hashAlgorithm",
                "publicKey",
                "logId",
                "checkpointKeyId",
                "operator",
            ],
            Nulls::Remember,
        )?;
        let base_url = o.str("baseUrl")?;
        let hash_algorithm = HashAlgorithm::read(o.req("hashAlgorithm")?, at.key("hashAlgorithm"))?;
        let public_key = {
            let pk = at.key("publicKey");
            let mut po = Obj::new(
                o.req("publicKey")?,
                pk,
                &["rawBytes", "keyDetails", "validFor"],
                Nulls::Reject,
            )?;
            let raw_bytes = po.opt_bytes("rawBytes")?;
            let key_details = po.req("keyDetails")?;
            let key_details = match key_details {
                Json::Number(_) => {
                    return Err(Error::NumericEnum {
                        field: po.field("keyDetails"),
                    })
                }
                other => json::as_string(other, pk.key("keyDetails"))?,
            };
            let valid_for = match po.opt("validFor")? {
                Some(v) => Some(TimeRange::read(v, pk.key("validFor"))?),
                None => None,
            };
            PublicKey {
                raw_bytes,
                key_details,
                valid_for,
            }
        };
        let log_id = read_log_id(o.req("logId")?, at.key("logId"))?;
        let checkpoint_key_id = match o.opt("checkpointKeyId")? {
            Some(v) => Some(read_log_id(v, at.key("checkpointKeyId"))?),
            None => None,
        };
        let operator = o.opt_str("operator")?;
        Ok(Self {
            base_url,
            hash_algorithm,
            public_key,
            log_id,
            checkpoint_key_id,
            operator,
            json_nulls: o.nulls(),
        })
    }

    fn to_out(&self) -> Out {
        let pk = &self.public_key;
        let mut p = ObjOut::new();
        if let Some(r) = &pk.raw_bytes {
            p = p.bytes("rawBytes", r);
        }
        p = p.str("keyDetails", &pk.key_details);
        if let Some(v) = &pk.valid_for {
            p = p.put("validFor", v.to_out());
        }
        ObjOut::new()
            .str("baseUrl", &self.base_url)
            .str("hashAlgorithm", self.hash_algorithm.name())
            .put("publicKey", p.done())
            .put("logId", ObjOut::new().bytes("keyId", &self.log_id).done())
            .opt(
                "checkpointKeyId",
                self.checkpoint_key_id
                    .as_ref()
                    .map(|k| ObjOut::new().bytes("keyId", k).done()),
                &self.json_nulls,
            )
            .opt(
                "operator",
                self.operator.as_ref().map(|s| Out::Str(s.clone())),
                &self.json_nulls,
            )
            .done()
    }
}

fn read_log_id(v: Json<'_>, at: Path<'_>) -> Result<Vec<u8>> {
    let mut o = Obj::new(v, at, &["keyId"], Nulls::Reject)?;
    o.bytes("keyId")
}

impl CertificateAuthority {
    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &["subject", "uri", "certChain", "validFor", "operator"],
            Nulls::Remember,
        )?;
        let subject = match o.opt("subject")? {
            Some(v) => {
                let mut so = Obj::new(
                    v,
                    at.key("subject"),
                    &["organization", "commonName"],
                    Nulls::Reject,
                )?;
                Some(DistinguishedName {
                    organization: so.opt_str("organization")?,
                    common_name: so.opt_str("commonName")?,
                })
            }
            None => None,
        };
        let uri = o.opt_str("uri")?;
        let chain = at.key("certChain");
        let mut co = Obj::new(o.req("certChain")?, chain, &["certificates"], Nulls::Reject)?;
        let cert_chain = match co.opt("certificates")? {
            Some(v) => read_cert_list(v, chain.key("certificates"))?,
            None => Vec::new(),
        };
        if cert_chain.is_empty() {
            return Err(Error::EmptyCertificateChain {
                field: co.field("certificates"),
            });
        }
        let valid_for = match o.opt("validFor")? {
            Some(v) => Some(TimeRange::read(v, at.key("validFor"))?),
            None => None,
        };
        let operator = o.opt_str("operator")?;
        Ok(Self {
            subject,
            uri,
            cert_chain,
            valid_for,
            operator,
            json_nulls: o.nulls(),
        })
    }

    fn to_out(&self) -> Out {
        let mut o = ObjOut::new();
        if let Some(s) = &self.subject {
            let mut so = ObjOut::new();
            if let Some(org) = &s.organization {
                so = so.str("organization", org);
            }
            if let Some(cn) = &s.common_name {
                so = so.str("commonName", cn);
            }
            o = o.put("subject", so.done());
        }
        o = o.opt(
            "uri",
            self.uri.as_ref().map(|u| Out::Str(u.clone())),
            &self.json_nulls,
        );
        o = o.put(
            "certChain",
            ObjOut::new()
                .put("certificates", cert_list_out(&self.cert_chain))
                .done(),
        );
        o = o.opt(
            "validFor",
            self.valid_for.as_ref().map(TimeRange::to_out),
            &self.json_nulls,
        );
        o.opt(
            "operator",
            self.operator.as_ref().map(|s| Out::Str(s.clone())),
            &self.json_nulls,
        )
        .done()
    }
}

impl TrustedRoot {
    /// Parses a trusted root's JSON text (at most [`MAX_TRUST_ROOT_BYTES`]).
    pub fn from_json(input: &[u8]) -> Result<Self> {
        let v = json::parse_document(input, DocKind::TrustedRoot, MAX_TRUST_ROOT_BYTES)?;
        Self::from_tree(v, Path::Root)
    }

    /// Reads a trusted root from a file (refused before reading if larger than
    /// [`MAX_TRUST_ROOT_BYTES`]).
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let bytes = crate::read_file_limited(path.as_ref(), MAX_TRUST_ROOT_BYTES)?;
        Self::from_json(&bytes)
    }

    pub(crate) fn from_tree(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &[
                "mediaType",
                "tlogs",
                "certificateAuthorities",
                "ctlogs",
                "timestampAuthorities",
            ],
            Nulls::Reject,
        )?;
        let media_type = o.str("mediaType")?;
        if !TRUSTED_ROOT_MEDIA_TYPES.contains(&media_type.as_str()) {
            return Err(Error::UnknownMediaType { found: media_type });
        }
        Ok(Self {
            media_type,
            tlogs: o.opt_list("tlogs", TransparencyLogInstance::read)?,
            certificate_authorities: o
                .opt_list("certificateAuthorities", CertificateAuthority::read)?,
            ctlogs: o.opt_list("ctlogs", TransparencyLogInstance::read)?,
            timestamp_authorities: o
                .opt_list("timestampAuthorities", CertificateAuthority::read)?,
        })
    }

    pub(crate) fn to_out(&self) -> Out {
        ObjOut::new()
            .str("mediaType", &self.media_type)
            .put(
                "tlogs",
                Out::Arr(
                    self.tlogs
                        .iter()
                        .map(TransparencyLogInstance::to_out)
                        .collect(),
                ),
            )
            .put(
                "certificateAuthorities",
                Out::Arr(
                    self.certificate_authorities
                        .iter()
                        .map(CertificateAuthority::to_out)
                        .collect(),
                ),
            )
            .put(
                "ctlogs",
                Out::Arr(
                    self.ctlogs
                        .iter()
                        .map(TransparencyLogInstance::to_out)
                        .collect(),
                ),
            )
            .put(
                "timestampAuthorities",
                Out::Arr(
                    self.timestamp_authorities
                        .iter()
                        .map(CertificateAuthority::to_out)
                        .collect(),
                ),
            )
            .done()
    }

    /// Serializes to compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        json::to_vec(&self.to_out())
    }

    /// Serializes to pretty-printed JSON.
    pub fn to_json_pretty(&self) -> Vec<u8> {
        json::to_vec_pretty(&self.to_out())
    }

    /// Serializes to a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        json::to_value(&self.to_out())
    }

    /// The transparency log whose `logId.keyId` is `log_id`.
    pub fn tlog_by_id(&self, log_id: &[u8]) -> Option<&TransparencyLogInstance> {
        self.tlogs.iter().find(|t| t.log_id == log_id)
    }

    /// The CT log whose `logId.keyId` is `log_id`.
    pub fn ctlog_by_id(&self, log_id: &[u8]) -> Option<&TransparencyLogInstance> {
        self.ctlogs.iter().find(|t| t.log_id == log_id)
    }
}
