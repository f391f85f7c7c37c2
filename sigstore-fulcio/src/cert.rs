//! Owned, strictly parsed X.509 certificates (RFC 5280 §4).

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use sigstore_crypto::{HashAlgorithm, PublicKey, SignatureScheme};

use crate::der::{self, expect, expect_only, read_tlv, tag};
use crate::x509::{self, RawExtension};
use crate::Error;

/// Largest certificate (DER bytes) this crate parses.
pub const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;

/// Extension OIDs (dotted) that path validation understands, so they may be critical.
///
/// basicConstraints, keyUsage, extKeyUsage, subjectAltName, issuerAltName,
/// subjectKeyIdentifier, authorityKeyIdentifier. Everything else that is critical
/// (name constraints, policy constraints, the CT poison, ...) is rejected.
pub const UNDERSTOOD_CRITICAL_EXTENSIONS: &[&str] = &[
    OID_BASIC_CONSTRAINTS,
    OID_KEY_USAGE,
    OID_EXT_KEY_USAGE,
    OID_SUBJECT_ALT_NAME,
    OID_ISSUER_ALT_NAME,
    OID_SUBJECT_KEY_ID,
    OID_AUTHORITY_KEY_ID,
];

pub(crate) const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub(crate) const OID_KEY_USAGE: &str = "2.5.29.15";
pub(crate) const OID_EXT_KEY_USAGE: &str = "2.5.29.37";
pub(crate) const OID_SUBJECT_ALT_NAME: &str = "2.5.29.17";
pub(crate) const OID_SUBJECT_KEY_ID: &str = "2.5.29.14";
pub(crate) const OID_AUTHORITY_KEY_ID: &str = "2.5.29.35";
pub(crate) const OID_ISSUER_ALT_NAME: &str = "2.5.29.18";
/// id-kp-codeSigning.
pub const OID_KP_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
/// id-kp-timeStamping.
pub const OID_KP_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
/// anyExtendedKeyUsage.
pub const OID_ANY_EKU: &str = "2.5.29.37.0";

/// The last arc of the `2.5.29.n` extension OIDs above (the `n` of their encoding `55 1d n`).
const ARC_SUBJECT_KEY_ID: u8 = 14;
const ARC_KEY_USAGE: u8 = 15;
const ARC_SUBJECT_ALT_NAME: u8 = 17;
const ARC_ISSUER_ALT_NAME: u8 = 18;
const ARC_BASIC_CONSTRAINTS: u8 = 19;
const ARC_AUTHORITY_KEY_ID: u8 = 35;
const ARC_EXT_KEY_USAGE: u8 = 37;
/// The contents octets of [`OID_SUBJECT_ALT_NAME`].
pub(crate) const OID_SUBJECT_ALT_NAME_DER: [u8; 3] = [0x55, 0x1d, ARC_SUBJECT_ALT_NAME];
/// The arcs above, in the order of [`UNDERSTOOD_CRITICAL_EXTENSIONS`] (a test holds the two
/// lists together).
const UNDERSTOOD_ARCS: [u8; 7] = [
    ARC_BASIC_CONSTRAINTS,
    ARC_KEY_USAGE,
    ARC_EXT_KEY_USAGE,
    ARC_SUBJECT_ALT_NAME,
    ARC_ISSUER_ALT_NAME,
    ARC_SUBJECT_KEY_ID,
    ARC_AUTHORITY_KEY_ID,
];

/// Whether an extension OID (contents octets) is one of [`UNDERSTOOD_CRITICAL_EXTENSIONS`]
/// (all `2.5.29.n`, encoded `55 1d n`; DER encodings are unique).
fn understood(oid: &[u8]) -> bool {
    matches!(oid, [0x55, 0x1d, n] if UNDERSTOOD_ARCS.contains(n))
}

/// One certificate extension, as carried in the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// Dotted OID.
    pub oid: String,
    /// The `critical` flag.
    pub critical: bool,
    /// The contents of `extnValue` (the bytes inside the OCTET STRING).
    pub value: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BasicConstraints {
    pub(crate) ca: bool,
    pub(crate) path_len: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyUsage {
    pub(crate) digital_signature: bool,
    pub(crate) key_cert_sign: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExtKeyUsage {
    pub(crate) critical: bool,
    pub(crate) oids: Vec<String>,
}

/// A parsed X.509 certificate that owns its DER encoding.
///
/// Parsing is strict: the input must be exactly one DER `Certificate` (no trailing bytes),
/// the inner and outer signature algorithms must agree, the public key must be one that
/// `sigstore-crypto` supports, and the extensions read by this crate must be well formed
/// and not duplicated.
///
/// Cloning is cheap: the parsed fields are shared (`Arc`), since verified chains and caches
/// hand the same certificates around.
#[derive(Clone)]
pub struct Certificate(Arc<Parsed>);

/// The fields of a [`Certificate`], parsed once.
///
/// The byte fields are ranges of `der` (one copy of the certificate, not one per field).
struct Parsed {
    der: Vec<u8>,
    tbs: Range<usize>,
    serial: Range<usize>,
    issuer: Range<usize>,
    subject: Range<usize>,
    public_key: PublicKey,
    not_before: i64,
    not_after: i64,
    scheme: SignatureScheme,
    signature: Range<usize>,
    subject_key_id: Option<Range<usize>>,
    authority_key_id: Option<Range<usize>>,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    ext_key_usage: Option<ExtKeyUsage>,
    /// Where each extension lies in `der`, in certificate order.
    extension_spans: Vec<ExtensionSpan>,
    /// [`Certificate::extensions`], built on first use: verification reads extensions through
    /// `extension_spans` and never needs their dotted OIDs or copies of their values.
    extensions: OnceLock<Vec<Extension>>,
}

/// One extension's place in the certificate: ranges of `der`, checked at parse time.
struct ExtensionSpan {
    oid: Range<usize>,
    critical: bool,
    value: Range<usize>,
}

/// One extension, borrowed from the certificate (the OID as DER contents octets, checked at
/// parse time).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtensionRef<'a> {
    /// The `extnID` contents octets.
    pub(crate) oid: &'a [u8],
    /// The `critical` flag.
    pub(crate) critical: bool,
    /// The contents of `extnValue`.
    pub(crate) value: &'a [u8],
}

impl Parsed {
    /// The bytes of `der` in `range` (a range [`span`] checked against `der` at parse time).
    fn bytes(&self, range: &Range<usize>) -> &[u8] {
        self.der.get(range.clone()).unwrap_or_default()
    }
}

/// Where `part`, a subslice of `whole`, lies in it. Every field the reader returns is one; a
/// range outside `whole` (which would read back as nothing) fails the parse instead.
fn span(whole: &[u8], part: &[u8]) -> Result<Range<usize>, Error> {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    let range = start..start.wrapping_add(part.len());
    match whole.get(range.clone()) {
        Some(inside) if inside.as_ptr() == part.as_ptr() => Ok(range),
        _ => Err(bad("field outside the certificate")),
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("serial", &hex::encode(self.serial()))
            .field("not_before", &self.0.not_before)
            .field("not_after", &self.0.not_after)
            .field("is_ca", &self.is_ca())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.0.der == other.0.der
    }
}
impl Eq for Certificate {}

fn bad(what: &'static str) -> Error {
    Error::MalformedCertificate(what)
}

fn ext_err(oid: &str) -> Error {
    Error::MalformedExtension {
        oid: oid.to_owned(),
    }
}

/// The dotted form of an OBJECT IDENTIFIER's contents, with the certificate field it came from
/// named in the error.
fn oid_string(contents: &[u8], field: &'static str) -> Result<String, Error> {
    der::decode_oid(contents).map_err(|_| bad(field))
}

/// The `(algorithm OID contents, parameters)` of a DER `AlgorithmIdentifier` (the whole
/// encoding): parameters are the one element after the OID, if any.
fn algorithm_parts(encoding: &[u8]) -> Result<(&[u8], Option<der::Tlv<'_>>), der::DerError> {
    let seq = expect_only(encoding, tag::SEQUENCE)?;
    let (oid, rest) = expect(seq.value, tag::OID)?;
    if rest.is_empty() {
        return Ok((oid.value, None));
    }
    let (params, trailing) = read_tlv(rest)?;
    if !trailing.is_empty() {
        return Err(der::DerError("AlgorithmIdentifier"));
    }
    Ok((oid.value, Some(params)))
}

/// The hash of a hash `AlgorithmIdentifier` (SHA-2 with NULL or absent parameters).
fn hash_algorithm(encoding: &[u8]) -> Option<HashAlgorithm> {
    let (oid, params) = algorithm_parts(encoding).ok()?;
    if params.is_some_and(|p| p.tag != tag::NULL || !p.value.is_empty()) {
        return None;
    }
    hash_from_oid(&der::decode_oid(oid).ok()?)
}

/// The RSASSA-PSS parameters this crate accepts (RFC 4055 §3.1): a SHA-2 hash, MGF1 with the
/// same hash, a salt as long as the hash, trailer field 1 (absent or explicit).
fn pss_hash(params: Option<der::Tlv<'_>>) -> Option<HashAlgorithm> {
    let params = params.filter(|p| p.tag == tag::SEQUENCE)?;
    let (hash, rest) = expect(params.value, tag::CONTEXT_0).ok()?;
    let hash = hash_algorithm(hash.value)?;
    let (mgf, rest) = expect(rest, 0xa1).ok()?;
    let (mgf_oid, mgf_params) = algorithm_parts(mgf.value).ok()?;
    if der::decode_oid(mgf_oid).ok()? != "1.2.840.113549.1.1.8"
        || hash_algorithm(mgf_params?.raw)? != hash
    {
        return None;
    }
    let (salt, rest) = expect(rest, 0xa2).ok()?;
    let salt = x509::small_uint(expect_only(salt.value, tag::INTEGER).ok()?.value).ok()?;
    if usize::try_from(salt).ok()? != hash.len() {
        return None;
    }
    if !rest.is_empty() {
        let trailer = expect_only(rest, tag::CONTEXT_3).ok()?;
        if x509::small_uint(expect_only(trailer.value, tag::INTEGER).ok()?.value).ok()? != 1 {
            return None;
        }
    }
    Some(hash)
}

/// Maps a certificate's DER `AlgorithmIdentifier` (the whole encoding) to a signature scheme.
pub(crate) fn scheme_for(encoding: &[u8]) -> Result<SignatureScheme, Error> {
    let (oid, params) =
        algorithm_parts(encoding).map_err(|_| bad("signature AlgorithmIdentifier"))?;
    let oid = oid_string(oid, "signature algorithm OID")?;
    if oid == "1.2.840.113549.1.1.10" {
        return pss_hash(params)
            .map(SignatureScheme::RsaPss)
            .ok_or(Error::UnsupportedSignatureAlgorithm(oid));
    }
    let scheme = SignatureScheme::from_x509_oid(&oid)
        .map_err(|_| Error::UnsupportedSignatureAlgorithm(oid.clone()))?;
    // ECDSA and Ed25519 identifiers have absent parameters; RSA PKCS#1 has NULL or absent.
    match (&scheme, params) {
        (_, None) => {}
        (SignatureScheme::RsaPkcs1v15(_), Some(p)) if p.tag == tag::NULL && p.value.is_empty() => {}
        _ => return Err(Error::UnsupportedSignatureAlgorithm(oid)),
    }
    Ok(scheme)
}

#[cfg_attr(not(feature = "client"), allow(dead_code))]
fn oid(dotted: &str) -> Result<Vec<u8>, der::DerError> {
    der::encode_oid(dotted)
        .map(|c| der::tlv(tag::OID, &c))
        .map_err(|_| der::DerError("OID"))
}

#[cfg_attr(not(feature = "client"), allow(dead_code))]
fn hash_alg_id(h: HashAlgorithm) -> Result<Vec<u8>, der::DerError> {
    let o = match h {
        HashAlgorithm::Sha256 => "2.16.840.1.101.3.4.2.1",
        HashAlgorithm::Sha384 => "2.16.840.1.101.3.4.2.2",
        HashAlgorithm::Sha512 => "2.16.840.1.101.3.4.2.3",
    };
    let mut body = oid(o)?;
    body.extend_from_slice(&der::tlv(tag::NULL, &[]));
    Ok(der::tlv(tag::SEQUENCE, &body))
}

/// The DER `AlgorithmIdentifier` for a signature scheme (RFC 5758, RFC 8410, RFC 4055).
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn signature_alg_id(scheme: SignatureScheme) -> Result<Vec<u8>, der::DerError> {
    let (o, params): (&str, Option<Vec<u8>>) = match scheme {
        SignatureScheme::Ecdsa(HashAlgorithm::Sha256) => ("1.2.840.10045.4.3.2", None),
        SignatureScheme::Ecdsa(HashAlgorithm::Sha384) => ("1.2.840.10045.4.3.3", None),
        SignatureScheme::Ecdsa(HashAlgorithm::Sha512) => ("1.2.840.10045.4.3.4", None),
        SignatureScheme::Ed25519 => ("1.3.101.112", None),
        SignatureScheme::RsaPkcs1v15(h) => (
            match h {
                HashAlgorithm::Sha256 => "1.2.840.113549.1.1.11",
                HashAlgorithm::Sha384 => "1.2.840.113549.1.1.12",
                HashAlgorithm::Sha512 => "1.2.840.113549.1.1.13",
            },
            Some(der::tlv(tag::NULL, &[])),
        ),
        SignatureScheme::RsaPss(h) => {
            let hash = hash_alg_id(h)?;
            let mut mgf = oid("1.2.840.113549.1.1.8")?;
            mgf.extend_from_slice(&hash);
            let mgf = der::tlv(tag::SEQUENCE, &mgf);
            let salt_len = u8::try_from(h.len()).map_err(|_| der::DerError("salt length"))?;
            let mut p = der::tlv(0xa0, &hash);
            p.extend_from_slice(&der::tlv(0xa1, &mgf));
            p.extend_from_slice(&der::tlv(0xa2, &der::tlv(tag::INTEGER, &[salt_len])));
            ("1.2.840.113549.1.1.10", Some(der::tlv(tag::SEQUENCE, &p)))
        }
    };
    let mut body = oid(o)?;
    if let Some(p) = params {
        body.extend_from_slice(&p);
    }
    Ok(der::tlv(tag::SEQUENCE, &body))
}

fn hash_from_oid(oid: &str) -> Option<HashAlgorithm> {
    match oid {
        "2.16.840.1.101.3.4.2.1" => Some(HashAlgorithm::Sha256),
        "2.16.840.1.101.3.4.2.2" => Some(HashAlgorithm::Sha384),
        "2.16.840.1.101.3.4.2.3" => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}

impl Certificate {
    /// Parses one DER certificate; trailing bytes are rejected.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_CERTIFICATE_BYTES {
            return Err(bad("certificate larger than MAX_CERTIFICATE_BYTES"));
        }
        // Check the outer framing with our strict DER reader first.
        let (_, rest) = crate::der::expect(der, crate::der::tag::SEQUENCE)
            .map_err(|_| bad("outer SEQUENCE"))?;
        if !rest.is_empty() {
            return Err(Error::TrailingData(rest.len()));
        }
        let raw = x509::parse(der).map_err(|e| bad(e.0))?;
        if raw.inner_algorithm != raw.algorithm {
            return Err(Error::SignatureAlgorithmMismatch);
        }
        let scheme = scheme_for(raw.algorithm)?;
        let public_key = PublicKey::from_spki_der(raw.spki).map_err(Error::PublicKey)?;

        let mut extension_spans = Vec::with_capacity(raw.extensions.len());
        let mut subject_key_id = None;
        let mut authority_key_id = None;
        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut ext_key_usage = None;
        for (index, ext) in raw.extensions.iter().enumerate() {
            der::check_oid(ext.oid).map_err(|_| bad("extension OID"))?;
            // The dotted OID names the extension in errors only.
            let oid = || der::decode_oid(ext.oid).unwrap_or_default();
            // Duplicates: OIDs of one arc (Fulcio's) share long prefixes, so the last octet is
            // compared before the whole encoding.
            if raw.extensions.get(..index).is_some_and(|earlier| {
                earlier
                    .iter()
                    .any(|e| e.oid.last() == ext.oid.last() && e.oid == ext.oid)
            }) {
                return Err(ext_err(&oid()));
            }
            // The extensions path validation relies on are parsed here, and any defect in
            // them rejects the certificate; the others are kept as bytes (the SCT list and the
            // Fulcio extensions are read by this crate on demand; a critical extension that
            // is not understood fails path validation).
            let malformed = |_| ext_err(&oid());
            // The understood extensions are all `2.5.29.n` (`55 1d n`): matched on the
            // encoding, which is unique (DER), rather than on the dotted text.
            let arc = match ext.oid {
                [0x55, 0x1d, n] => *n,
                _ => 0,
            };
            match arc {
                ARC_SUBJECT_KEY_ID => {
                    subject_key_id = Some(span(
                        der,
                        expect_only(ext.value, tag::OCTET_STRING)
                            .map_err(malformed)?
                            .value,
                    )?);
                }
                ARC_AUTHORITY_KEY_ID => {
                    authority_key_id = authority_key_identifier(ext)
                        .map_err(malformed)?
                        .map(|id| span(der, id))
                        .transpose()?;
                }
                ARC_BASIC_CONSTRAINTS => {
                    basic_constraints = Some(parse_basic_constraints(ext).map_err(malformed)?);
                }
                ARC_KEY_USAGE => {
                    let bits = x509::bit_string(
                        expect_only(ext.value, tag::BIT_STRING)
                            .map_err(malformed)?
                            .value,
                    )
                    .map_err(malformed)?;
                    let first = bits.first().copied().unwrap_or(0);
                    key_usage = Some(KeyUsage {
                        digital_signature: first & 0x80 != 0,
                        key_cert_sign: first & 0x04 != 0,
                    });
                }
                ARC_EXT_KEY_USAGE => {
                    ext_key_usage = Some(ExtKeyUsage {
                        critical: ext.critical,
                        oids: parse_eku_oids(ext.value).map_err(malformed)?,
                    });
                }
                ARC_SUBJECT_ALT_NAME | ARC_ISSUER_ALT_NAME => {
                    check_general_names(ext.value).map_err(malformed)?;
                }
                _ => {}
            }
            extension_spans.push(ExtensionSpan {
                oid: span(der, ext.oid)?,
                critical: ext.critical,
                value: span(der, ext.value)?,
            });
        }

        Ok(Certificate(Arc::new(Parsed {
            der: der.to_vec(),
            tbs: span(der, raw.tbs)?,
            serial: span(der, raw.serial)?,
            issuer: span(der, raw.issuer)?,
            subject: span(der, raw.subject)?,
            public_key,
            not_before: raw.not_before,
            not_after: raw.not_after,
            scheme,
            signature: span(der, raw.signature)?,
            subject_key_id,
            authority_key_id,
            basic_constraints,
            key_usage,
            ext_key_usage,
            extension_spans,
            extensions: OnceLock::new(),
        })))
    }

    /// Parses exactly one PEM `CERTIFICATE` block.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let blocks = parse_pem_blocks(pem)?;
        let mut iter = blocks.into_iter();
        match (iter.next(), iter.next()) {
            (Some(cert), None) => Ok(cert),
            (None, _) => Err(Error::Pem("no CERTIFICATE block")),
            (Some(_), Some(_)) => Err(Error::Pem("more than one CERTIFICATE block")),
        }
    }

    /// Parses every PEM `CERTIFICATE` block in `pem`, in order (at most
    /// [`crate::MAX_CHAIN_CERTIFICATES`]).
    pub fn chain_from_pem(pem: &str) -> Result<Vec<Self>, Error> {
        parse_pem_blocks(pem)
    }

    /// The PEM encoding.
    pub fn to_pem(&self) -> String {
        pem::encode(&pem::Pem::new("CERTIFICATE", self.0.der.clone()))
    }

    /// The certificate's DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// The DER `TBSCertificate` (the signed part).
    pub fn tbs_der(&self) -> &[u8] {
        self.0.bytes(&self.0.tbs)
    }

    /// The subject public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.0.public_key
    }

    /// notBefore, Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.0.not_before
    }

    /// notAfter, Unix seconds (inclusive).
    pub fn not_after(&self) -> i64 {
        self.0.not_after
    }

    /// Whether `notBefore <= t <= notAfter`.
    pub fn is_valid_at(&self, t: i64) -> bool {
        self.0.not_before <= t && t <= self.0.not_after
    }

    /// The serial number's INTEGER content bytes (two's complement, big-endian).
    pub fn serial(&self) -> &[u8] {
        self.0.bytes(&self.0.serial)
    }

    /// The DER issuer `Name`.
    pub fn issuer_der(&self) -> &[u8] {
        self.0.bytes(&self.0.issuer)
    }

    /// The DER subject `Name`.
    pub fn subject_der(&self) -> &[u8] {
        self.0.bytes(&self.0.subject)
    }

    /// The subjectKeyIdentifier, if present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.0.subject_key_id.as_ref().map(|r| self.0.bytes(r))
    }

    /// The authorityKeyIdentifier keyIdentifier, if present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.0.authority_key_id.as_ref().map(|r| self.0.bytes(r))
    }

    /// Whether basicConstraints asserts cA=TRUE.
    pub fn is_ca(&self) -> bool {
        self.0.basic_constraints.is_some_and(|bc| bc.ca)
    }

    /// The basicConstraints pathLenConstraint, if any.
    pub fn path_len_constraint(&self) -> Option<u32> {
        self.0.basic_constraints.and_then(|bc| bc.path_len)
    }

    /// The signature scheme the certificate was signed with.
    pub fn signature_scheme(&self) -> SignatureScheme {
        self.0.scheme
    }

    /// The extendedKeyUsage OIDs (dotted), if the extension is present.
    pub fn extended_key_usage(&self) -> Option<&[String]> {
        self.0.ext_key_usage.as_ref().map(|e| e.oids.as_slice())
    }

    /// All extensions in certificate order.
    ///
    /// Built on the first call (dotted OIDs and owned values). This crate's own readers (the
    /// signer identity, the embedded SCTs, path validation) read the extensions in place
    /// without building it.
    pub fn extensions(&self) -> &[Extension] {
        self.0.extensions.get_or_init(|| {
            self.extension_refs()
                .map(|ext| Extension {
                    // Every extension OID passed `check_oid` at parse time, so this decodes.
                    oid: der::decode_oid(ext.oid).unwrap_or_default(),
                    critical: ext.critical,
                    value: ext.value.to_vec(),
                })
                .collect()
        })
    }

    /// The extension with this dotted OID, if present (duplicates are rejected at parse time).
    pub fn extension(&self, oid: &str) -> Option<&Extension> {
        self.extensions().iter().find(|e| e.oid == oid)
    }

    /// The extensions in certificate order, borrowed.
    pub(crate) fn extension_refs(&self) -> impl Iterator<Item = ExtensionRef<'_>> {
        self.0.extension_spans.iter().map(|span| ExtensionRef {
            oid: self.0.bytes(&span.oid),
            critical: span.critical,
            value: self.0.bytes(&span.value),
        })
    }

    /// The extension whose OID has these contents octets, if present.
    pub(crate) fn extension_ref(&self, oid: &[u8]) -> Option<ExtensionRef<'_>> {
        self.extension_refs().find(|ext| ext.oid == oid)
    }

    /// The position of the first critical extension that path validation does not understand
    /// (outside [`UNDERSTOOD_CRITICAL_EXTENSIONS`]), if any.
    pub(crate) fn unknown_critical_extension(&self) -> Option<usize> {
        self.extension_refs()
            .position(|ext| ext.critical && !understood(ext.oid))
    }

    /// Whether subject == issuer and the certificate's signature verifies under its own key.
    pub fn is_self_signed(&self) -> bool {
        self.subject_der() == self.issuer_der() && self.verify_signed_by(self).is_ok()
    }

    /// Checks that `issuer`'s subject is this certificate's issuer name and that this
    /// certificate's signature verifies under `issuer`'s public key.
    ///
    /// Only names and the signature are checked; CA flags, key usage and validity periods are
    /// path-validation concerns (see [`crate::verify_chain`]).
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), Error> {
        if issuer.subject_der() != self.issuer_der() {
            return Err(Error::IssuerNameMismatch);
        }
        issuer
            .0
            .public_key
            .verify(
                self.0.scheme,
                self.tbs_der(),
                self.0.bytes(&self.0.signature),
            )
            .map_err(|_| Error::InvalidSignature)
    }

    pub(crate) fn key_usage(&self) -> Option<KeyUsage> {
        self.0.key_usage
    }

    pub(crate) fn ext_key_usage_full(&self) -> Option<&ExtKeyUsage> {
        self.0.ext_key_usage.as_ref()
    }
}

fn parse_pem_blocks(text: &str) -> Result<Vec<Certificate>, Error> {
    let blocks = pem::parse_many(text).map_err(|_| Error::Pem("invalid PEM"))?;
    if blocks.len() > crate::MAX_CHAIN_CERTIFICATES {
        return Err(Error::Pem("too many PEM blocks"));
    }
    blocks
        .iter()
        .map(|b| {
            if b.tag() != "CERTIFICATE" {
                return Err(Error::Pem("block is not a CERTIFICATE"));
            }
            Certificate::from_der(b.contents())
        })
        .collect()
}

/// Reads the EKU `SEQUENCE OF KeyPurposeId` as dotted strings.
pub(crate) fn parse_eku_oids(value: &[u8]) -> Result<Vec<String>, crate::der::DerError> {
    use crate::der::{expect, expect_only, tag, DerError};
    let seq = expect_only(value, tag::SEQUENCE)?;
    let mut rest = seq.value;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (oid, after) = expect(rest, tag::OID)?;
        out.push(crate::der::decode_oid(oid.value)?);
        rest = after;
    }
    if out.is_empty() {
        return Err(DerError("empty EKU"));
    }
    Ok(out)
}

/// `BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER
/// (0..MAX) OPTIONAL }` (a path length above `u32::MAX` is refused).
fn parse_basic_constraints(ext: &RawExtension<'_>) -> Result<BasicConstraints, der::DerError> {
    let seq = expect_only(ext.value, tag::SEQUENCE)?;
    let mut rest = seq.value;
    let mut ca = false;
    if rest.first() == Some(&tag::BOOLEAN) {
        let (flag, after) = read_tlv(rest)?;
        ca = x509::boolean(flag.value)?;
        rest = after;
    }
    let path_len = if rest.is_empty() {
        None
    } else {
        Some(x509::small_uint(expect_only(rest, tag::INTEGER)?.value)?)
    };
    Ok(BasicConstraints { ca, path_len })
}

/// The keyIdentifier of `AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL,
/// authorityCertIssuer [1] GeneralNames OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }`
/// (the fields in that order, each at most once).
fn authority_key_identifier<'a>(ext: &RawExtension<'a>) -> Result<Option<&'a [u8]>, der::DerError> {
    let seq = expect_only(ext.value, tag::SEQUENCE)?;
    let mut rest = seq.value;
    let mut key_id = None;
    let mut next_allowed = 0u8;
    while !rest.is_empty() {
        let (field, after) = read_tlv(rest)?;
        rest = after;
        let number = match field.tag {
            0x80 => 0,
            0xa1 => 1,
            0x82 => 2,
            _ => return Err(der::DerError("authorityKeyIdentifier field")),
        };
        if number < next_allowed {
            return Err(der::DerError("authorityKeyIdentifier field order"));
        }
        next_allowed = number + 1;
        match number {
            0 => key_id = Some(field.value),
            1 => check_general_names_contents(field.value)?,
            _ if field.value.is_empty() => return Err(der::DerError("serial")),
            _ => {}
        }
    }
    Ok(key_id)
}

/// `GeneralNames ::= SEQUENCE OF GeneralName` (RFC 5280 §4.2.1.6): each name a
/// context-specific `[0]` to `[8]` in its form, the IA5String ones (`rfc822Name`, `dNSName`,
/// `uniformResourceIdentifier`) ASCII, `otherName` an OID and an explicit `[0]` value,
/// `directoryName` a `Name`, `registeredID` an OID. What the names say is read where it is
/// used (the Fulcio identity).
fn check_general_names(value: &[u8]) -> Result<(), der::DerError> {
    check_general_names_contents(expect_only(value, tag::SEQUENCE)?.value)
}

fn check_general_names_contents(mut names: &[u8]) -> Result<(), der::DerError> {
    let invalid = der::DerError("GeneralName");
    while !names.is_empty() {
        let (name, after) = read_tlv(names)?;
        names = after;
        match name.tag {
            // otherName: type-id OID, value [0] EXPLICIT ANY.
            0xa0 => {
                let (type_id, rest) = expect(name.value, tag::OID)?;
                der::check_oid(type_id.value)?;
                expect_only(rest, tag::CONTEXT_0)?;
            }
            // rfc822Name, dNSName, uniformResourceIdentifier: IA5String.
            0x81 | 0x82 | 0x86 if name.value.is_ascii() => {}
            // directoryName: [4] EXPLICIT Name.
            0xa4 => {
                let (dn, rest) = read_tlv(name.value)?;
                if !rest.is_empty() {
                    return Err(invalid);
                }
                x509::check_name(dn)?;
            }
            // registeredID.
            0x88 => {
                der::check_oid(name.value)?;
            }
            // x400Address, ediPartyName, iPAddress: kept as bytes.
            0xa3 | 0xa5 | 0x87 => {}
            _ => return Err(invalid),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_checked_against_the_certificate() {
        let der = [1u8, 2, 3, 4, 5];
        assert_eq!(span(&der, &der[1..4]).unwrap(), 1..4);
        assert_eq!(span(&der, &der[5..]).unwrap(), 5..5);
        let other = [1u8, 2, 3];
        assert!(matches!(
            span(&der, &other),
            Err(Error::MalformedCertificate("field outside the certificate"))
        ));
        let longer = [0u8; 8];
        assert!(matches!(
            span(&der, &longer[2..]),
            Err(Error::MalformedCertificate("field outside the certificate"))
        ));
    }

    #[test]
    fn extension_arcs_match_the_dotted_oids() {
        for (arc, dotted) in [
            (ARC_SUBJECT_KEY_ID, OID_SUBJECT_KEY_ID),
            (ARC_KEY_USAGE, OID_KEY_USAGE),
            (ARC_SUBJECT_ALT_NAME, OID_SUBJECT_ALT_NAME),
            (ARC_ISSUER_ALT_NAME, OID_ISSUER_ALT_NAME),
            (ARC_BASIC_CONSTRAINTS, OID_BASIC_CONSTRAINTS),
            (ARC_AUTHORITY_KEY_ID, OID_AUTHORITY_KEY_ID),
            (ARC_EXT_KEY_USAGE, OID_EXT_KEY_USAGE),
        ] {
            assert_eq!(
                der::encode_oid(dotted).unwrap(),
                [0x55, 0x1d, arc],
                "{dotted}"
            );
        }
    }

    #[test]
    fn understood_extensions_are_the_listed_ones() {
        for n in 0..=u8::MAX {
            let dotted = format!("2.5.29.{n}");
            assert_eq!(
                understood(&der::encode_oid(&dotted).unwrap()),
                UNDERSTOOD_CRITICAL_EXTENSIONS.contains(&dotted.as_str()),
                "{dotted}"
            );
        }
        assert_eq!(UNDERSTOOD_ARCS.len(), UNDERSTOOD_CRITICAL_EXTENSIONS.len());
        for dotted in UNDERSTOOD_CRITICAL_EXTENSIONS {
            assert!(understood(&der::encode_oid(dotted).unwrap()), "{dotted}");
        }
        // Other OIDs that end in a listed arc, or start like one, are not understood.
        for dotted in [
            "1.3.6.1.4.1.57264.1.17",
            "2.5.30.17",
            "2.5.29.17.1",
            "2.5.29",
        ] {
            assert!(!understood(&der::encode_oid(dotted).unwrap()), "{dotted}");
        }
    }

    #[test]
    fn algorithm_identifiers_round_trip() {
        let hashes = [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ];
        let mut schemes = vec![SignatureScheme::Ed25519];
        for h in hashes {
            schemes.extend([
                SignatureScheme::Ecdsa(h),
                SignatureScheme::RsaPkcs1v15(h),
                SignatureScheme::RsaPss(h),
            ]);
        }
        for scheme in schemes {
            let enc = signature_alg_id(scheme).unwrap();
            assert_eq!(scheme_for(&enc).unwrap(), scheme, "{scheme:?}");
        }
    }

    #[test]
    fn unsupported_algorithm_identifiers() {
        // sha1WithRSAEncryption, ECDSA with unexpected NULL parameters, PSS with a short salt.
        let sha1 = der::tlv(tag::SEQUENCE, &{
            let mut v = oid("1.2.840.113549.1.1.5").unwrap();
            v.extend(der::tlv(tag::NULL, &[]));
            v
        });
        let ecdsa_null = der::tlv(tag::SEQUENCE, &{
            let mut v = oid("1.2.840.10045.4.3.2").unwrap();
            v.extend(der::tlv(tag::NULL, &[]));
            v
        });
        // RSASSA-PSS parameters: hash, MGF1 hash, salt length, and an optional trailer field.
        let pss = |hash: HashAlgorithm, mgf_hash: HashAlgorithm, salt: u8, trailer: Option<u8>| {
            let mut mgf = oid("1.2.840.113549.1.1.8").unwrap();
            mgf.extend_from_slice(&hash_alg_id(mgf_hash).unwrap());
            let mut p = der::tlv(0xa0, &hash_alg_id(hash).unwrap());
            p.extend(der::tlv(0xa1, &der::tlv(tag::SEQUENCE, &mgf)));
            p.extend(der::tlv(0xa2, &der::tlv(tag::INTEGER, &[salt])));
            if let Some(t) = trailer {
                p.extend(der::tlv(0xa3, &der::tlv(tag::INTEGER, &[t])));
            }
            let mut v = oid("1.2.840.113549.1.1.10").unwrap();
            v.extend(der::tlv(tag::SEQUENCE, &p));
            der::tlv(tag::SEQUENCE, &v)
        };
        let (h256, h384) = (HashAlgorithm::Sha256, HashAlgorithm::Sha384);
        // An explicit trailer field of 1 is the default written out: accepted.
        assert_eq!(
            scheme_for(&pss(h384, h384, 48, Some(1))).unwrap(),
            SignatureScheme::RsaPss(h384)
        );
        let pss_short_salt = pss(h256, h256, 20, None);
        let pss_mgf_mismatch = pss(h256, h384, 32, None);
        let pss_trailer_2 = pss(h256, h256, 32, Some(2));
        let pss_no_params = {
            let v = oid("1.2.840.113549.1.1.10").unwrap();
            der::tlv(tag::SEQUENCE, &v)
        };
        for enc in [
            sha1,
            ecdsa_null,
            pss_short_salt,
            pss_mgf_mismatch,
            pss_trailer_2,
            pss_no_params,
        ] {
            assert!(matches!(
                scheme_for(&enc),
                Err(Error::UnsupportedSignatureAlgorithm(_))
            ));
        }
        // Not an AlgorithmIdentifier at all (trailing element after the parameters).
        let mut trailing = oid("1.2.840.10045.4.3.2").unwrap();
        trailing.extend(der::tlv(tag::NULL, &[]));
        trailing.extend(der::tlv(tag::NULL, &[]));
        assert!(matches!(
            scheme_for(&der::tlv(tag::SEQUENCE, &trailing)),
            Err(Error::MalformedCertificate(_))
        ));
    }
}
