//! Object identifiers this crate recognises, and algorithm mapping.

use der::oid::ObjectIdentifier as Oid;
use sigstore_crypto::{HashAlgorithm, SignatureScheme};

use crate::asn1::{oid_string, tag, Reader, Tlv};
use crate::Error;

macro_rules! oid {
    ($name:ident, $s:literal, $doc:literal) => {
        #[doc = $doc]
        pub(crate) const $name: Oid = Oid::new_unwrap($s);
    };
}

oid!(
    SIGNED_DATA,
    "1.2.840.113549.1.7.2",
    "id-signedData (RFC 5652 §5.1)"
);
oid!(
    CT_TST_INFO,
    "1.2.840.113549.1.9.16.1.4",
    "id-ct-TSTInfo (RFC 3161 §2.4.2)"
);
oid!(
    ATTR_CONTENT_TYPE,
    "1.2.840.113549.1.9.3",
    "id-contentType (RFC 5652 §11.1)"
);
oid!(
    ATTR_MESSAGE_DIGEST,
    "1.2.840.113549.1.9.4",
    "id-messageDigest (RFC 5652 §11.2)"
);
oid!(
    ATTR_SIGNING_CERTIFICATE,
    "1.2.840.113549.1.9.16.2.12",
    "id-aa-signingCertificate (RFC 2634 §5.4)"
);
oid!(
    ATTR_SIGNING_CERTIFICATE_V2,
    "1.2.840.113549.1.9.16.2.47",
    "id-aa-signingCertificateV2 (RFC 5035 §3)"
);
oid!(SHA256, "2.16.840.1.101.3.4.2.1", "id-sha256");
oid!(SHA384, "2.16.840.1.101.3.4.2.2", "id-sha384");
oid!(SHA512, "2.16.840.1.101.3.4.2.3", "id-sha512");
oid!(ECDSA_SHA256, "1.2.840.10045.4.3.2", "ecdsa-with-SHA256");
oid!(ECDSA_SHA384, "1.2.840.10045.4.3.3", "ecdsa-with-SHA384");
oid!(ECDSA_SHA512, "1.2.840.10045.4.3.4", "ecdsa-with-SHA512");
oid!(EC_PUBLIC_KEY, "1.2.840.10045.2.1", "id-ecPublicKey");
oid!(RSA_ENCRYPTION, "1.2.840.113549.1.1.1", "rsaEncryption");
oid!(
    RSA_SHA256,
    "1.2.840.113549.1.1.11",
    "sha256WithRSAEncryption"
);
oid!(
    RSA_SHA384,
    "1.2.840.113549.1.1.12",
    "sha384WithRSAEncryption"
);
oid!(
    RSA_SHA512,
    "1.2.840.113549.1.1.13",
    "sha512WithRSAEncryption"
);
oid!(RSA_PSS, "1.2.840.113549.1.1.10", "id-RSASSA-PSS");
oid!(MGF1, "1.2.840.113549.1.1.8", "id-mgf1");
oid!(ED25519, "1.3.101.112", "id-Ed25519");
/// The hash named by an OID (SHA-256/384/512).
pub(crate) fn hash_from_oid(oid: &[u8]) -> Option<HashAlgorithm> {
    if oid == SHA256.as_bytes() {
        Some(HashAlgorithm::Sha256)
    } else if oid == SHA384.as_bytes() {
        Some(HashAlgorithm::Sha384)
    } else if oid == SHA512.as_bytes() {
        Some(HashAlgorithm::Sha512)
    } else {
        None
    }
}

/// The OID of a hash algorithm.
#[cfg(feature = "client")]
pub(crate) fn hash_oid(alg: HashAlgorithm) -> Oid {
    match alg {
        HashAlgorithm::Sha256 => SHA256,
        HashAlgorithm::Sha384 => SHA384,
        HashAlgorithm::Sha512 => SHA512,
    }
}

/// The DER AlgorithmIdentifier of a hash (parameters absent), for building requests.
#[cfg(feature = "client")]
pub(crate) fn hash_algorithm_identifier(alg: HashAlgorithm) -> Vec<u8> {
    let oid = hash_oid(alg);
    let oid = oid.as_bytes();
    let mut out = vec![
        tag::SEQUENCE,
        (oid.len() + 2) as u8,
        tag::OID,
        oid.len() as u8,
    ];
    out.extend_from_slice(oid);
    out
}

/// Resolve the SignerInfo `signatureAlgorithm`. Bare key OIDs (id-ecPublicKey,
/// rsaEncryption), which some TSAs send, take their hash from the SignerInfo
/// `digestAlgorithm`.
pub(crate) fn signature_scheme(
    oid: &[u8],
    params: Option<Tlv<'_>>,
    digest: HashAlgorithm,
) -> Result<SignatureScheme, Error> {
    let unsupported = || Error::UnsupportedAlgorithm(oid_string(oid));
    let no_params = |scheme| match params {
        None => Ok(scheme),
        Some(p) if p.tag == tag::NULL && p.value.is_empty() => Ok(scheme),
        Some(_) => Err(Error::Malformed("signatureAlgorithm parameters")),
    };
    if oid == ECDSA_SHA256.as_bytes() {
        // RFC 5758 §3.2: parameters absent.
        params.map_or(Ok(()), |_| Err(Error::Malformed("signatureAlgorithm")))?;
        Ok(SignatureScheme::Ecdsa(HashAlgorithm::Sha256))
    } else if oid == ECDSA_SHA384.as_bytes() {
        params.map_or(Ok(()), |_| Err(Error::Malformed("signatureAlgorithm")))?;
        Ok(SignatureScheme::Ecdsa(HashAlgorithm::Sha384))
    } else if oid == ECDSA_SHA512.as_bytes() {
        params.map_or(Ok(()), |_| Err(Error::Malformed("signatureAlgorithm")))?;
        Ok(SignatureScheme::Ecdsa(HashAlgorithm::Sha512))
    } else if oid == EC_PUBLIC_KEY.as_bytes() {
        Ok(SignatureScheme::Ecdsa(digest))
    } else if oid == RSA_SHA256.as_bytes() {
        no_params(SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256))
    } else if oid == RSA_SHA384.as_bytes() {
        no_params(SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha384))
    } else if oid == RSA_SHA512.as_bytes() {
        no_params(SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha512))
    } else if oid == RSA_ENCRYPTION.as_bytes() {
        no_params(SignatureScheme::RsaPkcs1v15(digest))
    } else if oid == ED25519.as_bytes() {
        params.map_or(Ok(()), |_| Err(Error::Malformed("signatureAlgorithm")))?;
        Ok(SignatureScheme::Ed25519)
    } else if oid == RSA_PSS.as_bytes() {
        let p = params.ok_or(Error::Malformed("RSASSA-PSS parameters"))?;
        pss_scheme(p)
    } else {
        Err(unsupported())
    }
}

/// RSASSA-PSS-params (RFC 4055 §3.1): only SHA-2 with MGF1 of the same hash, a salt as long
/// as the hash, and trailer field 1 (what the crypto backend verifies).
fn pss_scheme(params: Tlv<'_>) -> Result<SignatureScheme, Error> {
    let bad = || Error::Malformed("RSASSA-PSS parameters");
    if params.tag != tag::SEQUENCE {
        return Err(bad());
    }
    let mut r = Reader::new(params.value, "RSASSA-PSS parameters");
    let mut hash_r = r.nested(tag::CTX0_CONS, "RSASSA-PSS parameters")?;
    let hash = crate::token::parse_hash_algorithm(&mut hash_r)?;
    hash_r.finish()?;
    let mut mgf_r = r.nested(tag::CTX1_CONS, "RSASSA-PSS parameters")?;
    let mut mgf = mgf_r.nested(tag::SEQUENCE, "RSASSA-PSS parameters")?;
    mgf_r.finish()?;
    if mgf.oid()? != MGF1.as_bytes() {
        return Err(bad());
    }
    if crate::token::parse_hash_algorithm(&mut mgf)? != hash {
        return Err(bad());
    }
    mgf.finish()?;
    let mut salt_r = r.nested(0xa2, "RSASSA-PSS parameters")?;
    let salt = salt_r.small_uint()?;
    salt_r.finish()?;
    if salt != hash.len() as u64 {
        return Err(Error::UnsupportedAlgorithm(format!(
            "RSASSA-PSS salt length {salt}"
        )));
    }
    if let Some(t) = r.optional(0xa3)? {
        let mut tr = Reader::new(t.value, "RSASSA-PSS parameters");
        if tr.small_uint()? != 1 {
            return Err(bad());
        }
        tr.finish()?;
    }
    r.finish()?;
    Ok(SignatureScheme::RsaPss(hash))
}
