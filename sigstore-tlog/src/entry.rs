//! Rekor entry bodies: parsed from a log entry's canonicalized body, compared with the bundle
//! content, and built for submission.
//!
//! Supported (kind, apiVersion): Rekor v1 `hashedrekord` 0.0.1, `dsse` 0.0.1, `intoto` 0.0.2;
//! Rekor v2 `hashedrekord` 0.0.2 and `dsse` 0.0.2. Rekor v2 bodies are the canonical JSON of the
//! `dev.sigstore.rekor.v2.Entry` message:
//! `{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":
//! "SHA2_256","digest":"<b64>"},"signature":{"content":"<b64>","verifier":{"keyDetails":"...",
//! "x509Certificate"|"publicKey":{"rawBytes":"<b64>"}}}}}}`.
//!
//! **Leaf hashes.** For both Rekor v1 and v2 the Merkle leaf is the canonicalized body bytes
//! exactly as given in the bundle: `leaf = SHA-256(0x00 || canonicalizedBody)`
//! ([`crate::merkle::leaf_hash`]). The rekor2 conformance bundles verify this way (see the
//! crate's tests). Because the leaf commits to the body bytes, a verifier must then bind the
//! parsed body to the bundle with [`EntryBody::check_binding`] (rekor-v2-spec §6.1.4: digest,
//! signature byte-for-byte and verifier material).

use base64_simd::STANDARD;
use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use sigstore_crypto::{HashAlgorithm, KeyDetails};

use crate::error::BindingField;
use crate::Error;

/// Largest canonicalized body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Most signatures accepted in a DSSE / in-toto entry body.
pub const MAX_BODY_SIGNATURES: usize = 16;

/// Certificate or public key that verifies an entry's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    /// A DER X.509 certificate.
    Certificate(Vec<u8>),
    /// A DER SubjectPublicKeyInfo.
    PublicKey(Vec<u8>),
}

/// A signature recorded in an entry body with its verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySignature {
    /// Signature bytes.
    pub signature: Vec<u8>,
    /// The verification material.
    pub verifier: Material,
    /// Rekor v2 key details, when present.
    pub key_details: Option<String>,
}

/// A hash with its algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashValue {
    /// The algorithm.
    pub algorithm: HashAlgorithm,
    /// The digest bytes.
    pub digest: Vec<u8>,
}

/// A parsed entry body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryBody {
    /// Rekor v1 `hashedrekord` 0.0.1.
    HashedRekordV001 {
        /// Artifact digest.
        digest: HashValue,
        /// The signature and its verifier.
        signature: EntrySignature,
    },
    /// Rekor v2 `hashedrekord` 0.0.2.
    HashedRekordV002 {
        /// Artifact digest.
        digest: HashValue,
        /// The signature and its verifier.
        signature: EntrySignature,
    },
    /// Rekor v1 `dsse` 0.0.1.
    DsseV001 {
        /// Hash of the canonicalized envelope.
        envelope_hash: HashValue,
        /// Hash of the DSSE payload.
        payload_hash: HashValue,
        /// Envelope signatures and verifiers.
        signatures: Vec<EntrySignature>,
    },
    /// Rekor v2 `dsse` 0.0.2.
    DsseV002 {
        /// Hash of the DSSE payload.
        payload_hash: HashValue,
        /// Envelope signatures and verifiers.
        signatures: Vec<EntrySignature>,
    },
    /// Rekor v1 `intoto` 0.0.2.
    IntotoV002 {
        /// Hash of the envelope.
        envelope_hash: Option<HashValue>,
        /// Hash of the DSSE payload.
        payload_hash: HashValue,
        /// The DSSE payload as logged (if present).
        payload: Option<Vec<u8>>,
        /// The envelope payload type.
        payload_type: String,
        /// Envelope signatures and verifiers.
        signatures: Vec<EntrySignature>,
    },
}

/// A DSSE envelope as the bundle carries it.
#[derive(Debug, Clone, Copy)]
pub struct DsseRef<'a> {
    /// The payload type.
    pub payload_type: &'a str,
    /// The raw payload bytes.
    pub payload: &'a [u8],
    /// The signature bytes of each envelope signature.
    pub signatures: &'a [Vec<u8>],
}

/// The bundle content an entry must match.
#[derive(Debug, Clone, Copy)]
pub enum ExpectedContent<'a> {
    /// A message signature over an artifact with this digest (for Rekor v2 DSSE-as-hashedrekord
    /// entries: the digest of the PAE, see [`dsse_pae`]).
    Digest {
        /// Algorithm.
        algorithm: HashAlgorithm,
        /// Digest bytes, computed by the verifier from the artifact.
        digest: &'a [u8],
    },
    /// A DSSE envelope.
    Dsse(DsseRef<'a>),
}

/// What the bundle says: the signature, the verification material and the content.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The bundle's signature bytes (message signature, or the DSSE envelope's signature).
    pub signature: &'a [u8],
    /// The bundle's verification material (leaf certificate DER or public key SPKI DER).
    pub material: &'a Material,
    /// The signed content.
    pub content: ExpectedContent<'a>,
}

/// The DSSE pre-authentication encoding (lengths are UTF-8 byte lengths).
pub fn dsse_pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

fn b64(field: &'static str, s: impl AsRef<[u8]>) -> Result<Vec<u8>, Error> {
    STANDARD
        .decode_to_vec(s)
        .map_err(|_| Error::BodyField(field))
}

/// intoto 0.0.2 bodies store DSSE bytes base64-encoded, and (depending on the Rekor version
/// that wrote them) that base64 text base64-encoded again. Decode twice when the first decoding
/// is itself canonical base64 text; raw DER signatures and JSON payloads never are.
fn maybe_double_b64(field: &'static str, s: &str) -> Result<Vec<u8>, Error> {
    let once = b64(field, s)?;
    let looks_b64 = !once.is_empty()
        && once
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if looks_b64 {
        if let Ok(twice) = STANDARD.decode_to_vec(&once) {
            return Ok(twice);
        }
    }
    Ok(once)
}

fn non_empty(field: &'static str, v: Vec<u8>) -> Result<Vec<u8>, Error> {
    if v.is_empty() {
        Err(Error::BodyField(field))
    } else {
        Ok(v)
    }
}

/// Decode a PEM block (CERTIFICATE or PUBLIC KEY) into [`Material`].
fn pem_material(field: &'static str, pem: &[u8]) -> Result<Material, Error> {
    let text = std::str::from_utf8(pem).map_err(|_| Error::BodyField(field))?;
    let text = text.trim();
    let (label, rest) = text
        .strip_prefix("-----BEGIN ")
        .and_then(|r| r.split_once("-----"))
        .ok_or(Error::BodyField(field))?;
    let end = format!("-----END {label}-----");
    let body = rest
        .trim_end()
        .strip_suffix(end.as_str())
        .ok_or(Error::BodyField(field))?;
    // PEM bodies are ASCII base64 broken by ASCII whitespace (RFC 7468); anything else left
    // in makes the base64 decoding fail. Copied a line at a time: the lines are found with
    // `str::split('\n')` (a memchr search), and only a line holding other whitespace (a `\r`,
    // say) is split further. A certificate's PEM is ~3 KB and a byte-at-a-time search for
    // whitespace showed in the per-bundle profile (BENCHMARKS item 38).
    let mut compact = Vec::with_capacity(body.len());
    for line in body.split('\n') {
        let line = line.as_bytes();
        // A fold without an early exit: a straight loop over the line, cheaper here than
        // `split`'s byte-at-a-time search.
        if line
            .iter()
            .fold(false, |seen, b| seen | b.is_ascii_whitespace())
        {
            for run in line.split(u8::is_ascii_whitespace) {
                compact.extend_from_slice(run);
            }
        } else {
            compact.extend_from_slice(line);
        }
    }
    let der = non_empty(field, b64(field, &compact)?)?;
    match label {
        "CERTIFICATE" => Ok(Material::Certificate(der)),
        "PUBLIC KEY" => Ok(Material::PublicKey(der)),
        _ => Err(Error::BodyField(field)),
    }
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let b = STANDARD.encode_to_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    let mut rest = b.as_str();
    while !rest.is_empty() {
        let (line, r) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = r;
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn material_pem(m: &Material) -> String {
    match m {
        Material::Certificate(d) => pem_encode("CERTIFICATE", d),
        Material::PublicKey(d) => pem_encode("PUBLIC KEY", d),
    }
}

fn hex_hash(field: &'static str, algorithm: &str, value: &str) -> Result<HashValue, Error> {
    let algorithm = HashAlgorithm::from_name(algorithm).ok_or(Error::BodyField(field))?;
    if value.len() != 2 * algorithm.len() {
        return Err(Error::BodyField(field));
    }
    let digest = decode_hex(value).ok_or(Error::BodyField(field))?;
    Ok(HashValue { algorithm, digest })
}

/// Hex digits of either case (what `hex::decode` accepts) to bytes, in one pass with no
/// per-digit error values (`hex::decode` showed in the per-bundle profile: BENCHMARKS item 39).
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() / 2);
    for pair in digits.chunks_exact(2) {
        let [high, low] = pair else {
            return None;
        };
        out.push((nibble(*high)? << 4) | nibble(*low)?);
    }
    Some(out)
}

fn proto_hash_alg(name: &str) -> Option<HashAlgorithm> {
    match name {
        "SHA2_256" => Some(HashAlgorithm::Sha256),
        "SHA2_384" => Some(HashAlgorithm::Sha384),
        "SHA2_512" => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}

fn proto_hash_name(alg: HashAlgorithm) -> &'static str {
    match alg {
        HashAlgorithm::Sha256 => "SHA2_256",
        HashAlgorithm::Sha384 => "SHA2_384",
        HashAlgorithm::Sha512 => "SHA2_512",
    }
}

fn proto_hash(field: &'static str, algorithm: &str, digest: &str) -> Result<HashValue, Error> {
    let algorithm = proto_hash_alg(algorithm).ok_or(Error::BodyField(field))?;
    let digest = b64(field, digest)?;
    if digest.len() != algorithm.len() {
        return Err(Error::BodyField(field));
    }
    Ok(HashValue { algorithm, digest })
}

// ---- serde shapes (private) ----
// Strings borrow from the body (`Cow`: owned only when the JSON text escapes a character), and
// the `spec` is read as the shape its kind names: in the same pass as the head when the head
// comes first, else from its raw JSON text once the head is known (`Head`).

/// `apiVersion`, `kind` and `spec`, read in one pass: when `kind` and `apiVersion` come
/// before `spec` (as they do in canonical JSON, whose keys are sorted) and name a supported
/// shape (the expected one, when the caller gives one), the spec is read as that shape on the
/// spot; otherwise it is kept as raw JSON and read once the head is known ([`Spec::Raw`]).
/// Like a derived `Deserialize`: unknown keys are ignored, and a missing or repeated field is
/// an error.
struct Head<'a> {
    api_version: Cow<'a, str>,
    kind: Cow<'a, str>,
    spec: Spec<'a>,
}

/// A `spec`, read as the shape its head names or kept raw until it is known.
enum Spec<'a> {
    Raw(&'a RawValue),
    HashedRekordV001(HrV1Spec<'a>),
    DsseV001(DsseV1Spec<'a>),
    IntotoV002(IntotoV2Spec<'a>),
    HashedRekordV002(V2Spec<'a>),
    DsseV002(V2Spec<'a>),
}

/// The supported (kind, apiVersion) pairs.
#[derive(Clone, Copy)]
enum Shape {
    HashedRekordV001,
    DsseV001,
    IntotoV002,
    HashedRekordV002,
    DsseV002,
}

impl Shape {
    fn of(kind: &str, api_version: &str) -> Option<Shape> {
        Some(match (kind, api_version) {
            ("hashedrekord", "0.0.1") => Shape::HashedRekordV001,
            ("dsse", "0.0.1") => Shape::DsseV001,
            ("intoto", "0.0.2") => Shape::IntotoV002,
            ("hashedrekord", "0.0.2") => Shape::HashedRekordV002,
            ("dsse", "0.0.2") => Shape::DsseV002,
            _ => return None,
        })
    }

    /// Reads a spec of this shape from `d`.
    fn read<'de, D: serde::Deserializer<'de>>(self, d: D) -> Result<Spec<'de>, D::Error> {
        Ok(match self {
            Shape::HashedRekordV001 => Spec::HashedRekordV001(Deserialize::deserialize(d)?),
            Shape::DsseV001 => Spec::DsseV001(Deserialize::deserialize(d)?),
            Shape::IntotoV002 => Spec::IntotoV002(Deserialize::deserialize(d)?),
            Shape::HashedRekordV002 => Spec::HashedRekordV002(Deserialize::deserialize(d)?),
            Shape::DsseV002 => Spec::DsseV002(Deserialize::deserialize(d)?),
        })
    }
}

/// A string read in place when the JSON text has no escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// Reads a [`Head`]; `expected` (kind, apiVersion), when given, is the only shape read in the
/// same pass (a body of another kind is refused before its spec is read).
struct HeadSeed<'e> {
    expected: Option<(&'e str, &'e str)>,
}

impl<'de> serde::de::DeserializeSeed<'de> for HeadSeed<'_> {
    type Value = Head<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Head<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

/// Reads the value of a `spec` member as `shape` (or raw, for `None`).
struct SpecSeed(Option<Shape>);

impl<'de> serde::de::DeserializeSeed<'de> for SpecSeed {
    type Value = Spec<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Spec<'de>, D::Error> {
        match self.0 {
            Some(shape) => shape.read(d),
            None => Ok(Spec::Raw(Deserialize::deserialize(d)?)),
        }
    }
}

impl<'de> serde::de::Visitor<'de> for HeadSeed<'_> {
    type Value = Head<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a Rekor entry body")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Head<'de>, A::Error> {
        use serde::de::Error as _;
        let mut api_version: Option<Cow<'de, str>> = None;
        let mut kind: Option<Cow<'de, str>> = None;
        let mut spec: Option<Spec<'de>> = None;
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match &*key {
                "apiVersion" => {
                    if api_version.is_some() {
                        return Err(A::Error::duplicate_field("apiVersion"));
                    }
                    api_version = Some(map.next_value::<Text<'de>>()?.0);
                }
                "kind" => {
                    if kind.is_some() {
                        return Err(A::Error::duplicate_field("kind"));
                    }
                    kind = Some(map.next_value::<Text<'de>>()?.0);
                }
                "spec" => {
                    if spec.is_some() {
                        return Err(A::Error::duplicate_field("spec"));
                    }
                    let shape = match (&kind, &api_version) {
                        (Some(k), Some(v)) => match self.expected {
                            Some((ek, ev)) if (ek, ev) != (&**k, &**v) => None,
                            _ => Shape::of(k, v),
                        },
                        _ => None,
                    };
                    spec = Some(map.next_value_seed(SpecSeed(shape))?);
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(Head {
            api_version: api_version.ok_or_else(|| A::Error::missing_field("apiVersion"))?,
            kind: kind.ok_or_else(|| A::Error::missing_field("kind"))?,
            spec: spec.ok_or_else(|| A::Error::missing_field("spec"))?,
        })
    }
}

/// Parses a body's head (and, in the same pass when it can, its spec: [`Head`]).
fn read_head<'a>(body: &'a [u8], expected: Option<(&str, &str)>) -> Result<Head<'a>, Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let head = serde::de::DeserializeSeed::deserialize(HeadSeed { expected }, &mut de)
        .map_err(Error::BodyJson)?;
    de.end().map_err(Error::BodyJson)?;
    Ok(head)
}

#[derive(Deserialize)]
struct HexHash<'a> {
    #[serde(borrow)]
    algorithm: Cow<'a, str>,
    #[serde(borrow)]
    value: Cow<'a, str>,
}

#[derive(Deserialize)]
struct HrV1Spec<'a> {
    #[serde(borrow)]
    data: HrV1Data<'a>,
    #[serde(borrow)]
    signature: HrV1Sig<'a>,
}
#[derive(Deserialize)]
struct HrV1Data<'a> {
    #[serde(borrow)]
    hash: HexHash<'a>,
}
#[derive(Deserialize)]
struct HrV1Sig<'a> {
    #[serde(borrow)]
    content: Cow<'a, str>,
    #[serde(rename = "publicKey", borrow)]
    public_key: HrV1Key<'a>,
}
#[derive(Deserialize)]
struct HrV1Key<'a> {
    #[serde(borrow)]
    content: Cow<'a, str>,
}

#[derive(Deserialize)]
struct DsseV1Spec<'a> {
    #[serde(rename = "envelopeHash", borrow)]
    envelope_hash: HexHash<'a>,
    #[serde(rename = "payloadHash", borrow)]
    payload_hash: HexHash<'a>,
    #[serde(borrow)]
    signatures: Vec<DsseV1Sig<'a>>,
}
#[derive(Deserialize)]
struct DsseV1Sig<'a> {
    #[serde(borrow)]
    signature: Cow<'a, str>,
    #[serde(borrow)]
    verifier: Cow<'a, str>,
}

#[derive(Deserialize)]
struct IntotoV2Spec<'a> {
    #[serde(borrow)]
    content: IntotoV2Content<'a>,
}
#[derive(Deserialize)]
struct IntotoV2Content<'a> {
    #[serde(borrow)]
    envelope: IntotoV2Envelope<'a>,
    #[serde(borrow)]
    hash: Option<HexHash<'a>>,
    #[serde(rename = "payloadHash", borrow)]
    payload_hash: HexHash<'a>,
}
#[derive(Deserialize)]
struct IntotoV2Envelope<'a> {
    #[serde(borrow)]
    payload: Option<Cow<'a, str>>,
    #[serde(rename = "payloadType", borrow)]
    payload_type: Cow<'a, str>,
    #[serde(borrow)]
    signatures: Vec<IntotoV2Sig<'a>>,
}
#[derive(Deserialize)]
struct IntotoV2Sig<'a> {
    #[serde(borrow)]
    sig: Cow<'a, str>,
    #[serde(rename = "publicKey", borrow)]
    public_key: Cow<'a, str>,
}

#[derive(Deserialize)]
struct V2Spec<'a> {
    #[serde(rename = "hashedRekordV002", borrow)]
    hashed_rekord: Option<HrV2<'a>>,
    #[serde(rename = "dsseV002", borrow)]
    dsse: Option<DsseV2<'a>>,
}
#[derive(Deserialize)]
struct ProtoHash<'a> {
    #[serde(borrow)]
    algorithm: Cow<'a, str>,
    #[serde(borrow)]
    digest: Cow<'a, str>,
}
#[derive(Deserialize)]
struct HrV2<'a> {
    #[serde(borrow)]
    data: ProtoHash<'a>,
    #[serde(borrow)]
    signature: V2Sig<'a>,
}
#[derive(Deserialize)]
struct DsseV2<'a> {
    #[serde(rename = "payloadHash", borrow)]
    payload_hash: ProtoHash<'a>,
    #[serde(borrow)]
    signatures: Vec<V2Sig<'a>>,
}
#[derive(Deserialize)]
struct V2Sig<'a> {
    #[serde(borrow)]
    content: Cow<'a, str>,
    #[serde(borrow)]
    verifier: V2Verifier<'a>,
}
#[derive(Deserialize)]
struct V2Verifier<'a> {
    #[serde(rename = "publicKey", borrow)]
    public_key: Option<RawBytes<'a>>,
    #[serde(rename = "x509Certificate", borrow)]
    x509_certificate: Option<RawBytes<'a>>,
    #[serde(rename = "keyDetails", borrow)]
    key_details: Cow<'a, str>,
}
#[derive(Deserialize)]
struct RawBytes<'a> {
    #[serde(rename = "rawBytes", borrow)]
    raw_bytes: Cow<'a, str>,
}

fn v2_signature(s: V2Sig<'_>) -> Result<EntrySignature, Error> {
    let signature = non_empty("signature.content", b64("signature.content", &*s.content)?)?;
    let verifier = match (s.verifier.public_key, s.verifier.x509_certificate) {
        (Some(k), None) => Material::PublicKey(non_empty(
            "verifier.publicKey",
            b64("verifier.publicKey", &*k.raw_bytes)?,
        )?),
        (None, Some(c)) => Material::Certificate(non_empty(
            "verifier.x509Certificate",
            b64("verifier.x509Certificate", &*c.raw_bytes)?,
        )?),
        _ => return Err(Error::BodyField("verifier")),
    };
    KeyDetails::from_name(&s.verifier.key_details)
        .map_err(|_| Error::BodyField("verifier.keyDetails"))?;
    Ok(EntrySignature {
        signature,
        verifier,
        key_details: Some(s.verifier.key_details.into_owned()),
    })
}

fn check_sig_count(n: usize) -> Result<(), Error> {
    if n == 0 || n > MAX_BODY_SIGNATURES {
        return Err(Error::BodyField("signatures"));
    }
    Ok(())
}

impl EntryBody {
    /// Parse a canonicalized body (the decoded bytes of `canonicalizedBody`). Strings are read
    /// in place (copied only when the JSON text escapes a character); a field of the body's
    /// shape given twice, at any level, is an error ([`Error::BodyJson`]), not resolved to one
    /// of its values (keys the shape does not name are ignored).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        if body.len() > MAX_BODY_BYTES {
            return Err(Error::BodyTooLarge {
                max: MAX_BODY_BYTES,
                found: body.len(),
            });
        }
        Self::from_head(read_head(body, None)?)
    }

    /// The body of a parsed head: its spec, read now if the head's pass kept it raw.
    fn from_head(head: Head<'_>) -> Result<Self, Error> {
        let spec = match head.spec {
            Spec::Raw(raw) => {
                let Some(shape) = Shape::of(&head.kind, &head.api_version) else {
                    return Err(Error::UnsupportedEntry {
                        kind: head.kind.into_owned(),
                        api_version: head.api_version.into_owned(),
                    });
                };
                let mut de = serde_json::Deserializer::from_str(raw.get());
                shape.read(&mut de).map_err(Error::BodyJson)?
            }
            read => read,
        };
        Self::from_spec(spec)
    }

    /// The body of a spec read as its shape.
    fn from_spec(spec: Spec<'_>) -> Result<Self, Error> {
        match spec {
            Spec::HashedRekordV001(spec) => {
                let digest = hex_hash(
                    "data.hash",
                    &spec.data.hash.algorithm,
                    &spec.data.hash.value,
                )?;
                let signature = non_empty(
                    "signature.content",
                    b64("signature.content", &*spec.signature.content)?,
                )?;
                let pem = b64(
                    "signature.publicKey.content",
                    &*spec.signature.public_key.content,
                )?;
                let verifier = pem_material("signature.publicKey.content", &pem)?;
                Ok(EntryBody::HashedRekordV001 {
                    digest,
                    signature: EntrySignature {
                        signature,
                        verifier,
                        key_details: None,
                    },
                })
            }
            Spec::DsseV001(spec) => {
                check_sig_count(spec.signatures.len())?;
                let mut signatures = Vec::new();
                for s in spec.signatures {
                    let signature = non_empty(
                        "signatures.signature",
                        b64("signatures.signature", &*s.signature)?,
                    )?;
                    let pem = b64("signatures.verifier", &*s.verifier)?;
                    signatures.push(EntrySignature {
                        signature,
                        verifier: pem_material("signatures.verifier", &pem)?,
                        key_details: None,
                    });
                }
                Ok(EntryBody::DsseV001 {
                    envelope_hash: hex_hash(
                        "envelopeHash",
                        &spec.envelope_hash.algorithm,
                        &spec.envelope_hash.value,
                    )?,
                    payload_hash: hex_hash(
                        "payloadHash",
                        &spec.payload_hash.algorithm,
                        &spec.payload_hash.value,
                    )?,
                    signatures,
                })
            }
            Spec::IntotoV002(spec) => {
                let env = spec.content.envelope;
                check_sig_count(env.signatures.len())?;
                let mut signatures = Vec::new();
                for s in env.signatures {
                    let signature = non_empty(
                        "envelope.signatures.sig",
                        maybe_double_b64("envelope.signatures.sig", &s.sig)?,
                    )?;
                    let pem = b64("envelope.signatures.publicKey", &*s.public_key)?;
                    signatures.push(EntrySignature {
                        signature,
                        verifier: pem_material("envelope.signatures.publicKey", &pem)?,
                        key_details: None,
                    });
                }
                let payload = match env.payload {
                    Some(p) => Some(maybe_double_b64("envelope.payload", &p)?),
                    None => None,
                };
                let envelope_hash = match spec.content.hash {
                    Some(h) => Some(hex_hash("content.hash", &h.algorithm, &h.value)?),
                    None => None,
                };
                Ok(EntryBody::IntotoV002 {
                    envelope_hash,
                    payload_hash: hex_hash(
                        "content.payloadHash",
                        &spec.content.payload_hash.algorithm,
                        &spec.content.payload_hash.value,
                    )?,
                    payload,
                    payload_type: env.payload_type.into_owned(),
                    signatures,
                })
            }
            Spec::HashedRekordV002(spec) => {
                let hr = spec
                    .hashed_rekord
                    .ok_or(Error::BodyField("spec.hashedRekordV002"))?;
                Ok(EntryBody::HashedRekordV002 {
                    digest: proto_hash("data", &hr.data.algorithm, &hr.data.digest)?,
                    signature: v2_signature(hr.signature)?,
                })
            }
            Spec::DsseV002(spec) => {
                let d = spec.dsse.ok_or(Error::BodyField("spec.dsseV002"))?;
                check_sig_count(d.signatures.len())?;
                let signatures = d
                    .signatures
                    .into_iter()
                    .map(v2_signature)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(EntryBody::DsseV002 {
                    payload_hash: proto_hash(
                        "payloadHash",
                        &d.payload_hash.algorithm,
                        &d.payload_hash.digest,
                    )?,
                    signatures,
                })
            }
            // `from_head` reads every raw spec of a supported shape first.
            Spec::Raw(_) => Err(Error::BodyField("spec")),
        }
    }

    /// Parse and check that the log entry's `kindVersion` equals the body's kind and
    /// apiVersion ([`Error::KindVersionMismatch`]).
    pub fn parse_with_kind_version(body: &[u8], kind: &str, version: &str) -> Result<Self, Error> {
        if body.len() > MAX_BODY_BYTES {
            return Err(Error::BodyTooLarge {
                max: MAX_BODY_BYTES,
                found: body.len(),
            });
        }
        let head = read_head(body, Some((kind, version)))?;
        if head.kind != kind || head.api_version != version {
            return Err(Error::KindVersionMismatch {
                expected: (kind.to_owned(), version.to_owned()),
                found: (head.kind.into_owned(), head.api_version.into_owned()),
            });
        }
        Self::from_head(head)
    }

    /// The entry kind (`hashedrekord`, `dsse`, `intoto`).
    pub fn kind(&self) -> &'static str {
        match self {
            EntryBody::HashedRekordV001 { .. } | EntryBody::HashedRekordV002 { .. } => {
                "hashedrekord"
            }
            EntryBody::DsseV001 { .. } | EntryBody::DsseV002 { .. } => "dsse",
            EntryBody::IntotoV002 { .. } => "intoto",
        }
    }

    /// The API version (`0.0.1`, `0.0.2`).
    pub fn api_version(&self) -> &'static str {
        match self {
            EntryBody::HashedRekordV001 { .. } | EntryBody::DsseV001 { .. } => "0.0.1",
            _ => "0.0.2",
        }
    }

    /// The signatures and their verifiers recorded in the body.
    pub fn signatures(&self) -> Vec<&EntrySignature> {
        match self {
            EntryBody::HashedRekordV001 { signature, .. }
            | EntryBody::HashedRekordV002 { signature, .. } => vec![signature],
            EntryBody::DsseV001 { signatures, .. }
            | EntryBody::DsseV002 { signatures, .. }
            | EntryBody::IntotoV002 { signatures, .. } => signatures.iter().collect(),
        }
    }

    /// The artifact digest (hashedrekord only).
    pub fn artifact_digest(&self) -> Option<&HashValue> {
        match self {
            EntryBody::HashedRekordV001 { digest, .. }
            | EntryBody::HashedRekordV002 { digest, .. } => Some(digest),
            _ => None,
        }
    }

    /// The DSSE payload hash (dsse, intoto).
    pub fn payload_hash(&self) -> Option<&HashValue> {
        match self {
            EntryBody::DsseV001 { payload_hash, .. }
            | EntryBody::DsseV002 { payload_hash, .. }
            | EntryBody::IntotoV002 { payload_hash, .. } => Some(payload_hash),
            _ => None,
        }
    }

    /// The envelope hash (dsse 0.0.1, intoto 0.0.2 when present).
    pub fn envelope_hash(&self) -> Option<&HashValue> {
        match self {
            EntryBody::DsseV001 { envelope_hash, .. } => Some(envelope_hash),
            EntryBody::IntotoV002 { envelope_hash, .. } => envelope_hash.as_ref(),
            _ => None,
        }
    }

    /// Check that this body records exactly the bundle's signature, verification material and
    /// content (the anti-splicing check of client-spec §4.4 / rekor-v2-spec §6.1.4).
    pub fn check_binding(&self, expected: &Expected<'_>) -> Result<(), Error> {
        let mismatch = |f| Err(Error::BindingMismatch(f));
        match self {
            EntryBody::HashedRekordV001 { digest, signature }
            | EntryBody::HashedRekordV002 { digest, signature } => {
                let digest_ok = match expected.content {
                    ExpectedContent::Digest {
                        algorithm,
                        digest: d,
                    } => digest.algorithm == algorithm && digest.digest == d,
                    ExpectedContent::Dsse(env) => {
                        // Rekor v2 logs DSSE as hashedrekord over the PAE.
                        let pae = dsse_pae(env.payload_type, env.payload);
                        digest.digest == digest.algorithm.hash(&pae).as_bytes()
                    }
                };
                if !digest_ok {
                    return mismatch(BindingField::ArtifactDigest);
                }
                if signature.signature != expected.signature {
                    return mismatch(BindingField::Signature);
                }
                if &signature.verifier != expected.material {
                    return mismatch(BindingField::VerificationMaterial);
                }
                Ok(())
            }
            EntryBody::DsseV001 {
                payload_hash,
                signatures,
                ..
            }
            | EntryBody::DsseV002 {
                payload_hash,
                signatures,
            } => {
                let ExpectedContent::Dsse(env) = expected.content else {
                    return mismatch(BindingField::MissingExpectation);
                };
                check_payload_hash(payload_hash, env.payload)?;
                check_dsse_signatures(signatures, &env, expected)
            }
            EntryBody::IntotoV002 {
                payload_hash,
                payload,
                payload_type,
                signatures,
                ..
            } => {
                let ExpectedContent::Dsse(env) = expected.content else {
                    return mismatch(BindingField::MissingExpectation);
                };
                check_payload_hash(payload_hash, env.payload)?;
                if let Some(p) = payload {
                    if p.as_slice() != env.payload || payload_type != env.payload_type {
                        return mismatch(BindingField::PayloadHash);
                    }
                }
                check_dsse_signatures(signatures, &env, expected)
            }
        }
    }

    /// The Rekor v1 `POST /api/v1/log/entries` request body for a hashedrekord 0.0.1 entry.
    pub fn hashedrekord_v001_request(
        digest: &HashValue,
        signature: &[u8],
        material: &Material,
    ) -> Value {
        serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": digest.algorithm.name(), "value": hex::encode(&digest.digest)}},
                "signature": {
                    "content": STANDARD.encode_to_string(signature),
                    "publicKey": {"content": STANDARD.encode_to_string(material_pem(material))}
                }
            }
        })
    }

    /// The Rekor v1 request body for a dsse 0.0.1 entry (`envelope_json` is the serialized
    /// DSSE envelope).
    pub fn dsse_v001_request(envelope_json: &str, material: &Material) -> Value {
        serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {"proposedContent": {
                "envelope": envelope_json,
                "verifiers": [STANDARD.encode_to_string(material_pem(material))]
            }}
        })
    }

    /// The Rekor v2 `POST /api/v2/log/entries` request body for a hashedrekord 0.0.2 entry
    /// (`CreateEntryRequest` in protobuf JSON: the oneof field's JSON name is
    /// `hashedRekordRequestV002`, as sigstore-python 4.5 and sigstore-js 5 send it).
    pub fn hashedrekord_v002_request(
        digest: &[u8],
        signature: &[u8],
        material: &Material,
        key_details: KeyDetails,
    ) -> Value {
        serde_json::json!({"hashedRekordRequestV002": {
            "digest": STANDARD.encode_to_string(digest),
            "signature": {"content": STANDARD.encode_to_string(signature), "verifier": v2_verifier_json(material, key_details)}
        }})
    }

    /// The Rekor v2 request body for a dsse 0.0.2 entry (`dsseRequestV002`).
    pub fn dsse_v002_request(
        envelope: &DsseRef<'_>,
        material: &Material,
        key_details: KeyDetails,
    ) -> Value {
        let sigs: Vec<Value> = envelope
            .signatures
            .iter()
            .map(|s| serde_json::json!({"sig": STANDARD.encode_to_string(s), "keyid": ""}))
            .collect();
        serde_json::json!({"dsseRequestV002": {
            "envelope": {
                "payload": STANDARD.encode_to_string(envelope.payload),
                "payloadType": envelope.payload_type,
                "signatures": sigs
            },
            "verifiers": [v2_verifier_json(material, key_details)]
        }})
    }

    /// The Rekor v1 request body for an intoto 0.0.2 entry. As in the bodies Rekor logs, the
    /// payload and signature are base64 text that is base64-encoded again, and the verifier is a
    /// base64 PEM.
    pub fn intoto_v002_request(envelope: &DsseRef<'_>, material: &Material) -> Value {
        let twice = |b: &[u8]| STANDARD.encode_to_string(STANDARD.encode_to_string(b));
        let sigs: Vec<Value> = envelope
            .signatures
            .iter()
            .map(|s| {
                serde_json::json!({
                    "sig": twice(s),
                    "publicKey": STANDARD.encode_to_string(material_pem(material))
                })
            })
            .collect();
        serde_json::json!({
            "apiVersion": "0.0.2",
            "kind": "intoto",
            "spec": {"content": {"envelope": {
                "payload": twice(envelope.payload),
                "payloadType": envelope.payload_type,
                "signatures": sigs
            }}}
        })
    }

    /// The canonical Rekor v2 body of a dsse 0.0.2 entry (deprecated by Rekor v2 in favour of
    /// hashedrekord over the PAE, kept for logs that still accept it).
    pub fn dsse_v002_canonical(
        payload_hash: &HashValue,
        signatures: &[(&[u8], &Material)],
        key_details: KeyDetails,
    ) -> Vec<u8> {
        let sigs: Vec<Value> = signatures
            .iter()
            .map(|(sig, m)| {
                serde_json::json!({
                    "content": STANDARD.encode_to_string(sig),
                    "verifier": v2_verifier_json(m, key_details)
                })
            })
            .collect();
        let v = serde_json::json!({
            "apiVersion": "0.0.2",
            "kind": "dsse",
            "spec": {"dsseV002": {
                "payloadHash": {
                    "algorithm": proto_hash_name(payload_hash.algorithm),
                    "digest": STANDARD.encode_to_string(&payload_hash.digest)
                },
                "signatures": sigs
            }}
        });
        canonical_json(&v).into_bytes()
    }

    /// The canonical Rekor v2 body (the log leaf) of a hashedrekord 0.0.2 entry, as a log
    /// server would store it: canonical JSON with sorted keys and no whitespace.
    pub fn hashedrekord_v002_canonical(
        digest: &HashValue,
        signature: &[u8],
        material: &Material,
        key_details: KeyDetails,
    ) -> Vec<u8> {
        let v = serde_json::json!({
            "apiVersion": "0.0.2",
            "kind": "hashedrekord",
            "spec": {"hashedRekordV002": {
                "data": {"algorithm": proto_hash_name(digest.algorithm), "digest": STANDARD.encode_to_string(&digest.digest)},
                "signature": {"content": STANDARD.encode_to_string(signature), "verifier": v2_verifier_json(material, key_details)}
            }}
        });
        canonical_json(&v).into_bytes()
    }
}

fn v2_verifier_json(material: &Material, key_details: KeyDetails) -> Value {
    match material {
        Material::Certificate(d) => serde_json::json!({
            "x509Certificate": {"rawBytes": STANDARD.encode_to_string(d)},
            "keyDetails": key_details.name()
        }),
        Material::PublicKey(d) => serde_json::json!({
            "publicKey": {"rawBytes": STANDARD.encode_to_string(d)},
            "keyDetails": key_details.name()
        }),
    }
}

/// Serialize a JSON value canonically: object keys sorted by their UTF-16 code units
/// (RFC 8785; identical to byte order for the ASCII keys Rekor uses), no whitespace.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(val, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn check_payload_hash(payload_hash: &HashValue, payload: &[u8]) -> Result<(), Error> {
    if payload_hash.digest != payload_hash.algorithm.hash(payload).as_bytes() {
        return Err(Error::BindingMismatch(BindingField::PayloadHash));
    }
    Ok(())
}

fn check_dsse_signatures(
    logged: &[EntrySignature],
    env: &DsseRef<'_>,
    expected: &Expected<'_>,
) -> Result<(), Error> {
    if logged.len() != env.signatures.len() {
        return Err(Error::BindingMismatch(BindingField::DsseSignatures));
    }
    for sig in env.signatures {
        if !logged.iter().any(|l| &l.signature == sig) {
            return Err(Error::BindingMismatch(BindingField::Signature));
        }
    }
    if !logged.iter().any(|l| l.signature == expected.signature) {
        return Err(Error::BindingMismatch(BindingField::Signature));
    }
    if !logged.iter().all(|l| &l.verifier == expected.material) {
        return Err(Error::BindingMismatch(BindingField::VerificationMaterial));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DER: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x07, 0xAA, 0xBB, 0xCC, 0xDD];

    /// `decode_hex` accepts exactly what `hex::decode` accepts, with the same bytes: every
    /// text of up to 3 characters over digits of both cases and their neighbours, and longer
    /// random texts.
    #[test]
    fn hex_decoding_agrees_with_the_hex_crate() {
        const EDGE: &[u8] = b"09afAFgG/:@`\x00";
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=3 {
            let mut count = 1;
            for _ in 0..len {
                count *= EDGE.len();
            }
            for mut n in 0..count {
                let mut t = Vec::new();
                for _ in 0..len {
                    t.push(EDGE[n % EDGE.len()]);
                    n /= EDGE.len();
                }
                texts.push(t);
            }
        }
        let mut rng = sigstore_test_support::Rng(0x4e58_1d3c_0b7a_9f21);
        for _ in 0..20_000 {
            let len = 2 * rng.below(40) + rng.below(2);
            let t: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(50) == 0 {
                        EDGE[rng.below(EDGE.len())]
                    } else {
                        b"0123456789abcdefABCDEF"[rng.below(22)]
                    }
                })
                .collect();
            texts.push(t);
        }
        let mut accepted = 0;
        for t in &texts {
            let Ok(text) = std::str::from_utf8(t) else {
                continue;
            };
            let ours = decode_hex(text);
            assert_eq!(ours, hex::decode(text).ok(), "{text:?}");
            accepted += usize::from(ours.is_some());
        }
        assert!(accepted > 5_000, "{accepted}");
        // A digest of the wrong length is refused before it is decoded.
        assert!(matches!(
            hex_hash("h", "sha256", &"ab".repeat(31)),
            Err(Error::BodyField("h"))
        ));
        assert_eq!(
            hex_hash("h", "sha256", &"aB".repeat(32)).unwrap().digest,
            vec![0xab; 32]
        );
    }

    fn pem_with(label: &str, body: &str) -> Vec<u8> {
        format!("-----BEGIN {label}-----{body}-----END {label}-----\n").into_bytes()
    }

    #[test]
    fn pem_bodies_drop_every_kind_of_ascii_whitespace() {
        let b64 = STANDARD.encode_to_string(DER);
        assert_eq!(b64, "MAMCAQequ8zd");
        for body in [
            "\nMAMCAQequ8zd\n",
            "\r\nMAMC\r\nAQeq\r\nu8zd\r\n",
            "\n MAMC\tAQeq \x0cu8zd \n",
            "MAMCAQequ8zd",
            "\n\n\nM A M C A Q e q u 8 z d\n\n",
        ] {
            let m = pem_material("f", &pem_with("CERTIFICATE", body)).unwrap();
            assert_eq!(m, Material::Certificate(DER.to_vec()), "{body:?}");
        }
        let m = pem_material("f", &pem_with("PUBLIC KEY", "\nMAMCAQequ8zd\n")).unwrap();
        assert_eq!(m, Material::PublicKey(DER.to_vec()));
    }

    #[test]
    fn pem_bodies_with_other_bytes_are_refused() {
        for body in [
            "\nMAMC\x0bAQequ8zd\n", // vertical tab: not in `u8::is_ascii_whitespace`
            "\nMAMC.AQequ8zd\n",
            "\nMAMC\u{a0}AQequ8zd\n",
            "\n\n",
        ] {
            let err = pem_material("f", &pem_with("CERTIFICATE", body)).unwrap_err();
            assert!(matches!(err, Error::BodyField("f")), "{body:?}: {err:?}");
        }
        let err = pem_material("f", &pem_with("PRIVATE KEY", "\nMAMCAQequ8zd\n")).unwrap_err();
        assert!(matches!(err, Error::BodyField("f")), "{err:?}");
    }
}
