//! Owned, strictly parsed X.509 certificates (RFC 5280 §4).

use std::fmt;
use std::sync::Arc;

use sigstore_crypto::{HashAlgorithm, PublicKey, SignatureScheme};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::signature_algorithm::SignatureAlgorithm;
use x509_parser::x509::AlgorithmIdentifier;

use crate::der::{self, tag};
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
    "2.5.29.18",
    OID_SUBJECT_KEY_ID,
    OID_AUTHORITY_KEY_ID,
];

pub(crate) const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub(crate) const OID_KEY_USAGE: &str = "2.5.29.15";
pub(crate) const OID_EXT_KEY_USAGE: &str = "2.5.29.37";
pub(crate) const OID_SUBJECT_ALT_NAME: &str = "2.5.29.17";
pub(crate) const OID_SUBJECT_KEY_ID: &str = "2.5.29.14";
pub(crate) const OID_AUTHORITY_KEY_ID: &str = "2.5.29.35";
/// id-kp-codeSigning.
pub const OID_KP_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
/// id-kp-timeStamping.
pub const OID_KP_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
/// anyExtendedKeyUsage.
pub const OID_ANY_EKU: &str = "2.5.29.37.0";

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
struct Parsed {
    der: Vec<u8>,
    tbs: Vec<u8>,
    serial: Vec<u8>,
    issuer: Vec<u8>,
    subject: Vec<u8>,
    public_key: PublicKey,
    not_before: i64,
    not_after: i64,
    scheme: SignatureScheme,
    signature: Vec<u8>,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    ext_key_usage: Option<ExtKeyUsage>,
    extensions: Vec<Extension>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("serial", &hex::encode(&self.0.serial))
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

/// The dotted form of an OID x509-parser has read: decoded in one allocation
/// ([`der::decode_oid`]); an OID that function refuses (non-minimal or above `u64` arcs) keeps
/// the form asn1-rs gives it.
fn oid_string(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    der::decode_oid(oid.as_bytes()).unwrap_or_else(|_| oid.to_id_string())
}

/// Maps a certificate `AlgorithmIdentifier` to a signature scheme.
pub(crate) fn scheme_for(alg: &AlgorithmIdentifier<'_>) -> Result<SignatureScheme, Error> {
    let oid = oid_string(&alg.algorithm);
    if oid == "1.2.840.113549.1.1.10" {
        let parsed = SignatureAlgorithm::try_from(alg)
            .map_err(|_| Error::UnsupportedSignatureAlgorithm(oid.clone()))?;
        let SignatureAlgorithm::RSASSA_PSS(params) = parsed else {
            return Err(Error::UnsupportedSignatureAlgorithm(oid));
        };
        let hash = hash_from_oid(&oid_string(params.hash_algorithm_oid()))
            .ok_or_else(|| Error::UnsupportedSignatureAlgorithm(oid.clone()))?;
        let mgf = params
            .mask_gen_algorithm()
            .map_err(|_| Error::UnsupportedSignatureAlgorithm(oid.clone()))?;
        let mgf_hash = hash_from_oid(&oid_string(&mgf.hash));
        if oid_string(&mgf.mgf) != "1.2.840.113549.1.1.8"
            || mgf_hash != Some(hash)
            || usize::try_from(params.salt_length()).ok() != Some(hash.len())
            || params.trailer_field() != 1
        {
            return Err(Error::UnsupportedSignatureAlgorithm(oid));
        }
        return Ok(SignatureScheme::RsaPss(hash));
    }
    let scheme = SignatureScheme::from_x509_oid(&oid)
        .map_err(|_| Error::UnsupportedSignatureAlgorithm(oid.clone()))?;
    // ECDSA and Ed25519 identifiers have absent parameters; RSA PKCS#1 has NULL or absent.
    match (&scheme, &alg.parameters) {
        (_, None) => {}
        (SignatureScheme::RsaPkcs1v15(_), Some(p)) if p.tag().0 == 5 && p.data.is_empty() => {}
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
        let (rest, cert) = X509Certificate::from_der(der).map_err(|_| bad("X.509 structure"))?;
        if !rest.is_empty() {
            return Err(Error::TrailingData(rest.len()));
        }
        let tbs = &cert.tbs_certificate;
        if tbs.signature != cert.signature_algorithm {
            return Err(Error::SignatureAlgorithmMismatch);
        }
        let scheme = scheme_for(&cert.signature_algorithm)?;
        if cert.signature_value.unused_bits != 0 {
            return Err(bad("signature BIT STRING has unused bits"));
        }
        let public_key = PublicKey::from_spki_der(tbs.subject_pki.raw).map_err(Error::PublicKey)?;

        let mut extensions = Vec::with_capacity(tbs.extensions().len());
        let mut subject_key_id = None;
        let mut authority_key_id = None;
        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut ext_key_usage = None;
        for ext in tbs.extensions() {
            let oid = oid_string(&ext.oid);
            if extensions.iter().any(|e: &Extension| e.oid == oid) {
                return Err(ext_err(&oid));
            }
            match ext.parsed_extension() {
                // Reject parse errors of the extensions this crate relies on, and of any
                // critical one; other extensions (e.g. the SCT list, parsed by this crate
                // itself) are not judged by x509-parser.
                ParsedExtension::ParseError { .. }
                    if ext.critical || UNDERSTOOD_CRITICAL_EXTENSIONS.contains(&oid.as_str()) =>
                {
                    return Err(ext_err(&oid))
                }
                ParsedExtension::SubjectKeyIdentifier(kid) => {
                    subject_key_id = Some(kid.0.to_vec());
                }
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec());
                }
                ParsedExtension::BasicConstraints(bc) => {
                    basic_constraints = Some(BasicConstraints {
                        ca: bc.ca,
                        path_len: bc.path_len_constraint,
                    });
                }
                ParsedExtension::KeyUsage(ku) => {
                    key_usage = Some(KeyUsage {
                        digital_signature: ku.digital_signature(),
                        key_cert_sign: ku.key_cert_sign(),
                    });
                }
                ParsedExtension::ExtendedKeyUsage(_) => {
                    ext_key_usage = Some(ExtKeyUsage {
                        critical: ext.critical,
                        oids: parse_eku_oids(ext.value).map_err(|_| ext_err(&oid))?,
                    });
                }
                _ => {}
            }
            extensions.push(Extension {
                oid,
                critical: ext.critical,
                value: ext.value.to_vec(),
            });
        }

        Ok(Certificate(Arc::new(Parsed {
            der: der.to_vec(),
            tbs: tbs.as_ref().to_vec(),
            serial: tbs.raw_serial().to_vec(),
            issuer: tbs.issuer.as_raw().to_vec(),
            subject: tbs.subject.as_raw().to_vec(),
            public_key,
            not_before: tbs.validity.not_before.timestamp(),
            not_after: tbs.validity.not_after.timestamp(),
            scheme,
            signature: cert.signature_value.data.to_vec(),
            subject_key_id,
            authority_key_id,
            basic_constraints,
            key_usage,
            ext_key_usage,
            extensions,
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
        &self.0.tbs
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
        &self.0.serial
    }

    /// The DER issuer `Name`.
    pub fn issuer_der(&self) -> &[u8] {
        &self.0.issuer
    }

    /// The DER subject `Name`.
    pub fn subject_der(&self) -> &[u8] {
        &self.0.subject
    }

    /// The subjectKeyIdentifier, if present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.0.subject_key_id.as_deref()
    }

    /// The authorityKeyIdentifier keyIdentifier, if present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.0.authority_key_id.as_deref()
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
    pub fn extensions(&self) -> &[Extension] {
        &self.0.extensions
    }

    /// The extension with this dotted OID, if present (duplicates are rejected at parse time).
    pub fn extension(&self, oid: &str) -> Option<&Extension> {
        self.0.extensions.iter().find(|e| e.oid == oid)
    }

    /// Whether subject == issuer and the certificate's signature verifies under its own key.
    pub fn is_self_signed(&self) -> bool {
        self.0.subject == self.0.issuer && self.verify_signed_by(self).is_ok()
    }

    /// Checks that `issuer`'s subject is this certificate's issuer name and that this
    /// certificate's signature verifies under `issuer`'s public key.
    ///
    /// Only names and the signature are checked; CA flags, key usage and validity periods are
    /// path-validation concerns (see [`crate::verify_chain`]).
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), Error> {
        if issuer.0.subject != self.0.issuer {
            return Err(Error::IssuerNameMismatch);
        }
        issuer
            .0
            .public_key
            .verify(self.0.scheme, &self.0.tbs, &self.0.signature)
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
fn parse_eku_oids(value: &[u8]) -> Result<Vec<String>, crate::der::DerError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
            let (rest, alg) = AlgorithmIdentifier::from_der(&enc).unwrap();
            assert!(rest.is_empty());
            assert_eq!(scheme_for(&alg).unwrap(), scheme, "{scheme:?}");
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
        let pss_short_salt = {
            let hash = hash_alg_id(HashAlgorithm::Sha256).unwrap();
            let mut mgf = oid("1.2.840.113549.1.1.8").unwrap();
            mgf.extend_from_slice(&hash);
            let mut p = der::tlv(0xa0, &hash);
            p.extend(der::tlv(0xa1, &der::tlv(tag::SEQUENCE, &mgf)));
            p.extend(der::tlv(0xa2, &der::tlv(tag::INTEGER, &[20])));
            let mut v = oid("1.2.840.113549.1.1.10").unwrap();
            v.extend(der::tlv(tag::SEQUENCE, &p));
            der::tlv(tag::SEQUENCE, &v)
        };
        for enc in [sha1, ecdsa_null, pss_short_salt] {
            let (_, alg) = AlgorithmIdentifier::from_der(&enc).unwrap();
            assert!(matches!(
                scheme_for(&alg),
                Err(Error::UnsupportedSignatureAlgorithm(_))
            ));
        }
    }
}
