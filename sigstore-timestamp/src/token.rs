//! Parsing of TimeStampResp / TimeStampToken (RFC 3161 §2.4.2) and the CMS SignedData
//! (RFC 5652 §5) that carries the TSTInfo.

use sigstore_crypto::HashAlgorithm;

use crate::asn1::{oid_string, tag, Reader};
use crate::oids;
use crate::tstinfo::TstInfo;
use crate::Error;

/// Largest timestamp response or token accepted, in bytes.
pub const MAX_TIMESTAMP_BYTES: usize = 64 * 1024;
/// Most certificates accepted in the CMS `certificates` field.
pub const MAX_CMS_CERTIFICATES: usize = 16;
/// Most signed attributes accepted in the SignerInfo.
pub const MAX_SIGNED_ATTRIBUTES: usize = 32;

/// How the SignerInfo names its signer certificate (RFC 5652 §5.3 `SignerIdentifier`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerIdentifier {
    /// `issuerAndSerialNumber`: the issuer `Name` (full DER TLV) and the serial number
    /// (INTEGER content octets).
    IssuerAndSerial {
        /// DER of the issuer Name.
        issuer: Vec<u8>,
        /// Serial number content octets.
        serial: Vec<u8>,
    },
    /// `subjectKeyIdentifier`: the signer certificate's subject key identifier.
    SubjectKeyId(Vec<u8>),
}

/// An `AlgorithmIdentifier` kept as parsed: resolving it to an algorithm is deferred until
/// the token's signer is known to be trusted, so that a token from another trust root with
/// algorithms this crate does not support is reported as untrusted, not as an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawAlgorithm {
    /// OID content octets.
    pub oid: Vec<u8>,
    /// The parameters' whole TLV, if present.
    pub params: Option<Vec<u8>>,
}

impl RawAlgorithm {
    /// Parse an `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`.
    pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Self, Error> {
        let mut alg = r.nested(tag::SEQUENCE, "AlgorithmIdentifier")?;
        let oid = alg.oid()?.to_vec();
        let params = if alg.is_empty() {
            None
        } else {
            Some(alg.any()?.raw.to_vec())
        };
        alg.finish()?;
        Ok(RawAlgorithm { oid, params })
    }

    /// Resolve as a hash: SHA-256/384/512 with parameters absent or NULL.
    pub(crate) fn hash(&self) -> Result<HashAlgorithm, Error> {
        let alg = oids::hash_from_oid(&self.oid)
            .ok_or_else(|| Error::UnsupportedAlgorithm(oid_string(&self.oid)))?;
        match self.params.as_deref() {
            None | Some([tag::NULL, 0x00]) => Ok(alg),
            Some(_) => Err(Error::Malformed("hash AlgorithmIdentifier parameters")),
        }
    }
}

/// One parsed ESSCertIDv2 (RFC 5035 §4): the first entry of signing-certificate-v2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EssCertIdV2 {
    /// `hashAlgorithm`; `None` is the DEFAULT, SHA-256.
    pub hash_algorithm: Option<RawAlgorithm>,
    pub hash: Vec<u8>,
    /// `issuerSerial`: (issuer Name DER, serial content octets), when present and a
    /// directoryName.
    pub issuer_serial: Option<(Option<Vec<u8>>, Vec<u8>)>,
}

/// A parsed RFC 3161 TimeStampToken: a CMS SignedData whose content is a TSTInfo.
///
/// Parsing checks structure only; nothing here is trusted until
/// [`verify_timestamp`](crate::verify_timestamp) succeeds.
#[derive(Debug, Clone)]
pub struct TimeStampToken {
    pub(crate) tst_info: TstInfo,
    /// The eContent octets (DER TSTInfo), as signed.
    pub(crate) econtent: Vec<u8>,
    pub(crate) certificates: Vec<Vec<u8>>,
    pub(crate) sid: SignerIdentifier,
    pub(crate) digest_algorithm: RawAlgorithm,
    /// DER of signedAttrs re-tagged as SET OF (0x31), the bytes the signature covers.
    pub(crate) signed_attrs_der: Vec<u8>,
    pub(crate) content_type_attr: Vec<u8>,
    pub(crate) message_digest_attr: Vec<u8>,
    pub(crate) ess_cert_id_v2: Option<EssCertIdV2>,
    pub(crate) signature_algorithm: RawAlgorithm,
    pub(crate) signature: Vec<u8>,
}

impl TimeStampToken {
    /// Parse either a `TimeStampResp` (its status must be granted or grantedWithMods, see
    /// [`TimeStampToken::from_response_der`]) or a bare `TimeStampToken` (`ContentInfo`).
    ///
    /// Sigstore bundles' `rfc3161Timestamps[].signedTimestamp` hold a `TimeStampResp`; bare
    /// tokens are accepted too.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        check_size(der)?;
        let mut outer = Reader::new(der, "timestamp");
        let seq = outer.nested(tag::SEQUENCE, "timestamp")?;
        outer.finish()?;
        match seq.peek_tag() {
            Some(tag::SEQUENCE) => Self::from_response_der(der),
            Some(tag::OID) => Self::from_token_der(der),
            _ => Err(Error::Malformed("timestamp")),
        }
    }

    /// Parse a DER `TimeStampResp` (RFC 3161 §2.4.2). A status other than granted (0) or
    /// grantedWithMods (1) gives [`Error::NotGranted`]; a granted response without a token
    /// gives [`Error::MissingToken`].
    pub fn from_response_der(der: &[u8]) -> Result<Self, Error> {
        check_size(der)?;
        let mut outer = Reader::new(der, "TimeStampResp");
        let mut resp = outer.nested(tag::SEQUENCE, "TimeStampResp")?;
        outer.finish()?;
        let mut status_info = resp.nested(tag::SEQUENCE, "PKIStatusInfo")?;
        let status = status_info.small_uint()?;
        // statusString PKIFreeText (SEQUENCE OF UTF8String) OPTIONAL
        status_info.optional(tag::SEQUENCE)?;
        let fail_info = match status_info.optional(tag::BIT_STRING)? {
            Some(bits) => Some(bit_string_u32(bits.value)?),
            None => None,
        };
        status_info.finish()?;
        if status > 1 {
            return Err(Error::NotGranted { status, fail_info });
        }
        let token = resp.optional(tag::SEQUENCE)?.ok_or(Error::MissingToken)?;
        resp.finish()?;
        Self::from_token_der(token.raw)
    }

    /// Parse a DER `TimeStampToken`: a CMS `ContentInfo` of type id-signedData.
    pub fn from_token_der(der: &[u8]) -> Result<Self, Error> {
        check_size(der)?;
        let mut outer = Reader::new(der, "ContentInfo");
        let mut ci = outer.nested(tag::SEQUENCE, "ContentInfo")?;
        outer.finish()?;
        let content_type = ci.oid()?;
        if content_type != oids::SIGNED_DATA.as_bytes() {
            return Err(Error::ContentType {
                expected: "1.2.840.113549.1.7.2",
                found: oid_string(content_type),
            });
        }
        let mut explicit = ci.nested(tag::CTX0_CONS, "ContentInfo")?;
        ci.finish()?;
        let mut sd = explicit.nested(tag::SEQUENCE, "SignedData")?;
        explicit.finish()?;
        parse_signed_data(&mut sd)
    }

    /// The parsed TSTInfo (not yet verified).
    pub fn tst_info(&self) -> &TstInfo {
        &self.tst_info
    }

    /// The DER certificates embedded in the SignedData, in their order. They are never used
    /// to decide trust: only a trusted authority's own certificates are.
    pub fn embedded_certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// How the SignerInfo identifies its signer.
    pub fn signer_identifier(&self) -> &SignerIdentifier {
        &self.sid
    }

    /// The SignerInfo's digest algorithm (used for the message-digest attribute); `None`
    /// when it is not one this crate supports.
    pub fn digest_algorithm(&self) -> Option<HashAlgorithm> {
        self.digest_algorithm.hash().ok()
    }
}

fn check_size(der: &[u8]) -> Result<(), Error> {
    if der.len() > MAX_TIMESTAMP_BYTES {
        return Err(Error::TooLarge {
            what: "timestamp bytes",
            limit: MAX_TIMESTAMP_BYTES,
            found: der.len(),
        });
    }
    Ok(())
}

fn bit_string_u32(value: &[u8]) -> Result<u32, Error> {
    let (&unused, bits) = value
        .split_first()
        .ok_or(Error::Malformed("PKIFailureInfo"))?;
    if unused > 7 || bits.len() > 4 || (bits.is_empty() && unused != 0) {
        return Err(Error::Malformed("PKIFailureInfo"));
    }
    // Named bit n is the n-th most significant bit; map it to bit n of the result.
    let mut out = 0u32;
    for (i, byte) in bits.iter().enumerate() {
        for b in 0..8u32 {
            if byte & (0x80 >> b) != 0 {
                out |= 1u32 << (i as u32 * 8 + b);
            }
        }
    }
    Ok(out)
}

/// Parse an `AlgorithmIdentifier` for a hash: SHA-256/384/512, parameters absent or NULL.
pub(crate) fn parse_hash_algorithm(r: &mut Reader<'_>) -> Result<HashAlgorithm, Error> {
    RawAlgorithm::parse(r)?.hash()
}

fn parse_signed_data(sd: &mut Reader<'_>) -> Result<TimeStampToken, Error> {
    let version = sd.small_uint()?;
    // RFC 5652 §5.1: the eContentType is not id-data, so the version is 3 (4 or 5 only with
    // attribute or other-format certificates / revocation info).
    if !(3..=5).contains(&version) {
        return Err(Error::UnsupportedVersion {
            what: "SignedData",
            found: version,
        });
    }
    // digestAlgorithms: the SignerInfo's digestAlgorithm must be listed (checked below).
    let digest_algorithms = parse_digest_algorithms(sd.nested(tag::SET, "digestAlgorithms")?)?;

    let mut encap = sd.nested(tag::SEQUENCE, "EncapsulatedContentInfo")?;
    let econtent_type = encap.oid()?;
    if econtent_type != oids::CT_TST_INFO.as_bytes() {
        return Err(Error::ContentType {
            expected: "1.2.840.113549.1.9.16.1.4",
            found: oid_string(econtent_type),
        });
    }
    let mut explicit = encap.nested(tag::CTX0_CONS, "eContent")?;
    encap.finish()?;
    let econtent = explicit.octet_string()?;
    explicit.finish()?;
    let tst_info = TstInfo::from_der(econtent)?;

    let mut certificates = Vec::new();
    if let Some(certs) = sd.optional(tag::CTX0_CONS)? {
        let mut r = Reader::new(certs.value, "certificates");
        while !r.is_empty() {
            let cert = r.any()?;
            if certificates.len() >= MAX_CMS_CERTIFICATES {
                return Err(Error::TooLarge {
                    what: "CMS certificates",
                    limit: MAX_CMS_CERTIFICATES,
                    found: certificates.len() + 1,
                });
            }
            // Other CertificateChoices ([0]..[3]) are kept out: they are never used.
            if cert.tag == tag::SEQUENCE {
                certificates.push(cert.raw.to_vec());
            }
        }
    }
    // crls [1] IMPLICIT RevocationInfoChoices OPTIONAL: ignored.
    sd.optional(tag::CTX1_CONS)?;

    let mut signer_infos = sd.nested(tag::SET, "SignerInfos")?;
    sd.finish()?;
    let first = signer_infos.nested(tag::SEQUENCE, "SignerInfo");
    let mut count = usize::from(first.is_ok());
    while !signer_infos.is_empty() {
        signer_infos.any()?;
        count += 1;
    }
    if count != 1 {
        return Err(Error::SignerInfoCount { found: count });
    }
    let mut si = first?;
    let token = parse_signer_info(&mut si, tst_info, econtent.to_vec(), certificates)?;
    if !digest_algorithms.contains(&token.digest_algorithm.oid.as_slice()) {
        return Err(Error::Malformed(
            "digestAlgorithms lacks the SignerInfo digest algorithm",
        ));
    }
    Ok(token)
}

/// Most entries accepted in SignedData `digestAlgorithms`.
const MAX_DIGEST_ALGORITHMS: usize = 8;

/// The OIDs of `digestAlgorithms` (each a well-formed AlgorithmIdentifier; unknown hashes are
/// tolerated since only the SignerInfo's is used).
fn parse_digest_algorithms(mut set: Reader<'_>) -> Result<Vec<&[u8]>, Error> {
    let mut out = Vec::new();
    while !set.is_empty() {
        if out.len() >= MAX_DIGEST_ALGORITHMS {
            return Err(Error::Malformed("too many digestAlgorithms"));
        }
        let mut alg = set.nested(tag::SEQUENCE, "digestAlgorithms")?;
        out.push(alg.oid()?);
        alg.optional(tag::NULL)?;
        alg.finish()?;
    }
    Ok(out)
}

fn parse_signer_info(
    si: &mut Reader<'_>,
    tst_info: TstInfo,
    econtent: Vec<u8>,
    certificates: Vec<Vec<u8>>,
) -> Result<TimeStampToken, Error> {
    let version = si.small_uint()?;
    let sid = match si.peek_tag() {
        Some(tag::SEQUENCE) => {
            let mut ias = si.nested(tag::SEQUENCE, "IssuerAndSerialNumber")?;
            let issuer = ias.expect(tag::SEQUENCE)?.raw.to_vec();
            let serial = ias.integer()?.to_vec();
            ias.finish()?;
            if version != 1 {
                return Err(Error::UnsupportedVersion {
                    what: "SignerInfo",
                    found: version,
                });
            }
            SignerIdentifier::IssuerAndSerial { issuer, serial }
        }
        Some(tag::CTX0_PRIM) => {
            let ski = si.expect(tag::CTX0_PRIM)?.value.to_vec();
            if version != 3 {
                return Err(Error::UnsupportedVersion {
                    what: "SignerInfo",
                    found: version,
                });
            }
            SignerIdentifier::SubjectKeyId(ski)
        }
        _ => return Err(Error::Malformed("SignerIdentifier")),
    };
    let digest_algorithm = RawAlgorithm::parse(si)?;
    let attrs = si
        .optional(tag::CTX0_CONS)?
        .ok_or(Error::MissingAttribute("signedAttrs"))?;
    let mut signed_attrs_der = attrs.raw.to_vec();
    if let Some(first) = signed_attrs_der.first_mut() {
        *first = tag::SET;
    }

    let mut content_type_attr = None;
    let mut message_digest_attr = None;
    let mut ess_v2 = None;
    let mut has_ess_v1 = false;
    let mut r = Reader::new(attrs.value, "signedAttrs");
    let mut n = 0usize;
    while !r.is_empty() {
        n += 1;
        if n > MAX_SIGNED_ATTRIBUTES {
            return Err(Error::TooLarge {
                what: "signed attributes",
                limit: MAX_SIGNED_ATTRIBUTES,
                found: n,
            });
        }
        let mut attr = r.nested(tag::SEQUENCE, "Attribute")?;
        let attr_type = attr.oid()?;
        let values = attr.nested(tag::SET, "AttributeValues")?;
        attr.finish()?;
        let name = match attr_type {
            t if t == oids::ATTR_CONTENT_TYPE.as_bytes() => "content-type",
            t if t == oids::ATTR_MESSAGE_DIGEST.as_bytes() => "message-digest",
            t if t == oids::ATTR_SIGNING_CERTIFICATE_V2.as_bytes() => "signing-certificate-v2",
            t if t == oids::ATTR_SIGNING_CERTIFICATE.as_bytes() => "signing-certificate",
            _ => continue, // other attributes (signingTime, ...) are covered by the signature only
        };
        let value = single_value(values, name)?;
        match name {
            "content-type" => {
                if content_type_attr.is_some() {
                    return Err(Error::DuplicateAttribute(name));
                }
                let mut v = Reader::new(value.raw, "content-type");
                let oid = v.oid()?;
                v.finish()?;
                content_type_attr = Some(oid.to_vec());
            }
            "message-digest" => {
                if message_digest_attr.is_some() {
                    return Err(Error::DuplicateAttribute(name));
                }
                let mut v = Reader::new(value.raw, "message-digest");
                let d = v.octet_string()?;
                v.finish()?;
                message_digest_attr = Some(d.to_vec());
            }
            "signing-certificate-v2" => {
                if ess_v2.is_some() {
                    return Err(Error::DuplicateAttribute(name));
                }
                ess_v2 = Some(parse_signing_certificate_v2(value.raw)?);
            }
            _ => {
                if has_ess_v1 {
                    return Err(Error::DuplicateAttribute(name));
                }
                has_ess_v1 = true;
            }
        }
    }

    let signature_algorithm = RawAlgorithm::parse(si)?;
    let signature = si.octet_string()?.to_vec();
    // unsignedAttrs [1] IMPLICIT OPTIONAL: not covered by the signature, ignored.
    si.optional(tag::CTX1_CONS)?;
    si.finish()?;

    Ok(TimeStampToken {
        tst_info,
        econtent,
        certificates,
        sid,
        digest_algorithm,
        signed_attrs_der,
        content_type_attr: content_type_attr.ok_or(Error::MissingAttribute("content-type"))?,
        message_digest_attr: message_digest_attr
            .ok_or(Error::MissingAttribute("message-digest"))?,
        ess_cert_id_v2: ess_v2,
        signature_algorithm,
        signature,
    })
}

fn single_value<'a>(
    mut values: Reader<'a>,
    name: &'static str,
) -> Result<crate::asn1::Tlv<'a>, Error> {
    let value = values.any().map_err(|_| Error::DuplicateAttribute(name))?;
    if !values.is_empty() {
        return Err(Error::DuplicateAttribute(name));
    }
    Ok(value)
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies OPTIONAL }`
/// (RFC 5035 §3); the first ESSCertIDv2 names the signing certificate.
fn parse_signing_certificate_v2(der: &[u8]) -> Result<EssCertIdV2, Error> {
    let what = "signing-certificate-v2";
    let mut outer = Reader::new(der, what);
    let mut sc = outer.nested(tag::SEQUENCE, what)?;
    outer.finish()?;
    let mut certs = sc.nested(tag::SEQUENCE, what)?;
    // policies SEQUENCE OF PolicyInformation OPTIONAL: ignored.
    sc.optional(tag::SEQUENCE)?;
    sc.finish()?;
    let mut id = certs.nested(tag::SEQUENCE, "ESSCertIDv2")?;
    let hash_algorithm = if id.peek_tag() == Some(tag::SEQUENCE) {
        Some(RawAlgorithm::parse(&mut id)?)
    } else {
        None
    };
    let hash = id.octet_string()?.to_vec();
    let issuer_serial = match id.optional(tag::SEQUENCE)? {
        Some(is) => {
            // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber INTEGER }
            let mut is = Reader::new(is.value, "IssuerSerial");
            let mut names = is.nested(tag::SEQUENCE, "GeneralNames")?;
            let mut directory = None;
            while !names.is_empty() {
                let name = names.any()?;
                // directoryName [4] EXPLICIT Name
                if name.tag == 0xa4 && directory.is_none() {
                    let mut n = Reader::new(name.value, "directoryName");
                    directory = Some(n.expect(tag::SEQUENCE)?.raw.to_vec());
                    n.finish()?;
                }
            }
            let serial = is.integer()?.to_vec();
            is.finish()?;
            Some((directory, serial))
        }
        None => None,
    };
    id.finish()?;
    // Remaining ESSCertIDv2 entries name other certificates of the path: not needed.
    while !certs.is_empty() {
        certs.any()?;
    }
    Ok(EssCertIdV2 {
        hash_algorithm,
        hash,
        issuer_serial,
    })
}
