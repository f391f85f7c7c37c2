//! Verification of a timestamp token against trusted timestamp authorities.

use sigstore_crypto::HashAlgorithm;
use sigstore_fulcio::{verify_chain, Certificate, CertificateAuthority, KeyPurpose, TimeRange};

use crate::token::{SignerIdentifier, TimeStampToken};
use crate::{oids, Error};

/// Most timestamp authorities one [`verify_timestamp`] call considers (bounds work when a
/// trusted root lists many authorities).
pub const MAX_TIMESTAMP_AUTHORITIES: usize = 32;

/// Most RFC 3161 timestamps [`verify_timestamps`] accepts from one bundle, checked before any
/// is parsed (sigstore-go's limit, CVE-2024-45395).
pub const MAX_TIMESTAMPS: usize = 32;

/// A timestamp authority from a Sigstore trusted root (`timestampAuthorities[]`).
///
/// Its certificate chain is the signing certificate first, then intermediates, then the root
/// (the trusted root's `certChain` order). The signing certificate is the only certificate
/// that may sign tokens for this authority; the rest form the
/// [`CertificateAuthority`] its chain is validated against.
#[derive(Debug, Clone)]
pub struct TimestampAuthority {
    signer: Certificate,
    ca: CertificateAuthority,
    /// The (notBefore, notAfter) windows of the path `signer -> ... -> root` that
    /// [`verify_chain`] validated, when it did; computed once, at the first token that names
    /// this authority (so loading a trusted root verifies no signature).
    validated_path: std::sync::Arc<std::sync::OnceLock<ValidatedPath>>,
}

/// The validity windows of a validated signer path, or `None` when validation failed.
type ValidatedPath = Option<Vec<(i64, i64)>>;

impl TimestampAuthority {
    /// Build an authority from its chain (signing certificate first, root last) and its
    /// trusted-root `validFor` window (inclusive ends).
    ///
    /// The chain must hold at least the signing certificate and one CA certificate; the CA
    /// certificates must each be signed by the next, which is checked once, at the first token
    /// naming this authority ([`CertificateAuthority::deferred`]), like the signing
    /// certificate's path.
    pub fn new(chain: Vec<Certificate>, valid_for: TimeRange) -> Result<Self, Error> {
        let mut it = chain.into_iter();
        let signer = it
            .next()
            .ok_or(Error::InvalidAuthority("empty certificate chain"))?;
        let rest: Vec<Certificate> = it.collect();
        if rest.is_empty() {
            return Err(Error::InvalidAuthority(
                "chain holds only the signing certificate, no CA",
            ));
        }
        let ca = CertificateAuthority::deferred(rest, valid_for).map_err(Error::Certificate)?;
        Ok(TimestampAuthority {
            signer,
            ca,
            validated_path: std::sync::Arc::default(),
        })
    }

    /// Build an authority from DER certificates (signing certificate first, root last).
    pub fn from_der_chain<B: AsRef<[u8]>>(
        chain: &[B],
        valid_for: TimeRange,
    ) -> Result<Self, Error> {
        if chain.len() > sigstore_fulcio::MAX_CHAIN_CERTIFICATES {
            return Err(Error::TooLarge {
                what: "authority certificates",
                limit: sigstore_fulcio::MAX_CHAIN_CERTIFICATES,
                found: chain.len(),
            });
        }
        let certs = chain
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(Error::Certificate)?;
        Self::new(certs, valid_for)
    }

    /// The signing certificate.
    pub fn signing_certificate(&self) -> &Certificate {
        &self.signer
    }

    /// The CA certificates (intermediates first, root last).
    pub fn ca_certificates(&self) -> &[Certificate] {
        self.ca.certificates()
    }

    /// The trusted root's `validFor` window.
    pub fn valid_for(&self) -> TimeRange {
        self.ca.valid_for()
    }
}

/// Validate the path once, at the earliest time where every certificate of the chain and the
/// authority's window are valid (if there is one). Path validation's other checks
/// (signatures, CA flags, path length, key usage, EKU, critical extensions) do not depend on
/// the time, so a token only needs the validity windows of this path checked at its genTime
/// (hybrid model); when they fail, [`verify_chain`] runs again at genTime to report why.
fn prevalidate(signer: &Certificate, ca: &CertificateAuthority) -> Option<Vec<(i64, i64)>> {
    let certs = || std::iter::once(signer).chain(ca.certificates());
    let valid_for = ca.valid_for();
    let t = certs()
        .map(Certificate::not_before)
        .fold(valid_for.start, i64::max);
    let fits = certs().all(|c| c.is_valid_at(t)) && valid_for.contains(t);
    if !fits {
        return None;
    }
    let chain = verify_chain(
        signer,
        std::slice::from_ref(ca),
        &[t],
        KeyPurpose::TimeStamping,
    )
    .ok()?;
    Some(
        chain
            .chain()
            .iter()
            .map(|c| (c.not_before(), c.not_after()))
            .collect(),
    )
}

/// A timestamp that passed every check of [`verify_timestamp`]. Only verification creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTimestamp {
    time: i64,
    time_nanos: u32,
    authority_index: usize,
    serial: Vec<u8>,
    imprint_algorithm: HashAlgorithm,
    policy: String,
}

impl VerifiedTimestamp {
    /// genTime in Unix seconds (fraction truncated): the verified time of the signature.
    pub fn time(&self) -> i64 {
        self.time
    }

    /// The fractional part of genTime in nanoseconds.
    pub fn time_nanos(&self) -> u32 {
        self.time_nanos
    }

    /// Index into the `authorities` slice of the authority that signed the token.
    pub fn authority_index(&self) -> usize {
        self.authority_index
    }

    /// The TSTInfo serial number (INTEGER content octets).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// The message imprint's hash algorithm.
    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.imprint_algorithm
    }

    /// The TSA policy OID, dotted.
    pub fn policy(&self) -> &str {
        &self.policy
    }
}

/// Parse and verify an RFC 3161 timestamp over `signed_data` (the bundle's signature bytes:
/// `messageSignature.signature` or the DSSE signature).
///
/// `token_der` is a `TimeStampResp` or a bare `TimeStampToken`. See
/// [`verify_token`] for the checks.
pub fn verify_timestamp(
    token_der: &[u8],
    signed_data: &[u8],
    authorities: &[TimestampAuthority],
) -> Result<VerifiedTimestamp, Error> {
    let token = TimeStampToken::from_der(token_der)?;
    verify_token(&token, signed_data, authorities)
}

/// Verify a parsed token over `signed_data` against `authorities`.
///
/// 1. The signer is the certificate the SignerInfo `sid` names (issuerAndSerialNumber or
///    subjectKeyIdentifier), looked up among the authorities' signing certificates only.
///    Certificates embedded in the token never decide anything (CVE-2026-33753,
///    CVE-2026-39984). No match: [`Error::UntrustedAuthority`].
/// 2. Signed attributes (RFC 5652 §5.3, §11): content-type is id-ct-TSTInfo, message-digest is
///    the SignerInfo digestAlgorithm hash of the TSTInfo, signing-certificate-v2 (RFC 5035)
///    when present binds the signer certificate (hash and issuerSerial). A signing-certificate
///    (v1, SHA-1 ESSCertID) attribute is not compared: SHA-1 is not implemented; the `sid`
///    match already binds the certificate.
/// 3. The CMS signature over the DER signed attributes (re-tagged SET OF) verifies with the
///    signer's key (CVE-2025-52556).
/// 4. The message imprint is the imprint algorithm's hash of `signed_data`
///    (SHA-256/384/512).
/// 5. genTime lies in that authority's `validFor` (inclusive, TOB-11), and in the signer
///    certificate's validity.
/// 6. The signer is not a CA (basicConstraints) and its extended key usage is exactly one
///    critical id-kp-timeStamping (RFC 3161 §2.3).
/// 7. The signer's chain to the authority's CA certificates is valid at genTime (RFC 5280
///    path validation through [`sigstore_fulcio::verify_chain`], hybrid model: a chain expired
///    now but valid at genTime passes). The time-independent part of path validation runs once
///    when the authority is built; per token only the path's validity windows are compared
///    with genTime, and any miss re-runs the full validation at genTime to report the cause.
///
/// When several authorities list a certificate the `sid` names, the first that passes wins;
/// if none passes, the first failure that happened after the CMS signature verified is
/// returned, else the first failure.
pub fn verify_token(
    token: &TimeStampToken,
    signed_data: &[u8],
    authorities: &[TimestampAuthority],
) -> Result<VerifiedTimestamp, Error> {
    if authorities.len() > MAX_TIMESTAMP_AUTHORITIES {
        return Err(Error::TooLarge {
            what: "timestamp authorities",
            limit: MAX_TIMESTAMP_AUTHORITIES,
            found: authorities.len(),
        });
    }
    // The error to report: a failure after the CMS signature verified under an authority's
    // key explains more than one where it did not (several authorities may list look-alike
    // certificates with the same issuer and serial).
    let mut best: Option<(Error, bool)> = None;
    for (index, authority) in authorities.iter().enumerate() {
        if !sid_matches(&token.sid, &authority.signer) {
            continue;
        }
        match verify_with(token, signed_data, authority, index) {
            Ok(v) => return Ok(v),
            Err((e, signed)) => {
                if best.as_ref().is_none_or(|(_, b)| signed && !b) {
                    best = Some((e, signed));
                }
            }
        }
    }
    Err(best.map_or(Error::UntrustedAuthority, |(e, _)| e))
}

fn sid_matches(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerial { issuer, serial } => {
            issuer.as_slice() == cert.issuer_der() && serial.as_slice() == cert.serial()
        }
        SignerIdentifier::SubjectKeyId(ski) => cert.subject_key_id() == Some(ski.as_slice()),
    }
}

fn verify_with(
    token: &TimeStampToken,
    signed_data: &[u8],
    authority: &TimestampAuthority,
    index: usize,
) -> Result<VerifiedTimestamp, (Error, bool)> {
    check_signed_attributes_and_signature(token, &authority.signer).map_err(|e| (e, false))?;
    check_after_signature(token, signed_data, authority, index).map_err(|e| (e, true))
}

/// Steps 2 and 3 of [`verify_token`].
fn check_signed_attributes_and_signature(
    token: &TimeStampToken,
    signer: &Certificate,
) -> Result<(), Error> {
    // 2. Signed attributes.
    if token.content_type_attr != oids::CT_TST_INFO.as_bytes() {
        return Err(Error::ContentTypeAttribute {
            found: crate::asn1::oid_string(&token.content_type_attr),
        });
    }
    let digest_algorithm = token.digest_algorithm.hash()?;
    let econtent_digest = digest_algorithm.hash(&token.econtent);
    if econtent_digest.as_bytes() != token.message_digest_attr.as_slice() {
        return Err(Error::MessageDigestMismatch {
            algorithm: digest_algorithm,
        });
    }
    if let Some(ess) = &token.ess_cert_id_v2 {
        let alg = match &ess.hash_algorithm {
            Some(raw) => raw.hash()?,
            None => HashAlgorithm::Sha256,
        };
        if alg.hash(signer.der()).as_bytes() != ess.hash.as_slice() {
            return Err(Error::SigningCertificateMismatch);
        }
        if let Some((issuer, serial)) = &ess.issuer_serial {
            if serial.as_slice() != signer.serial()
                || issuer
                    .as_ref()
                    .is_some_and(|i| i.as_slice() != signer.issuer_der())
            {
                return Err(Error::SigningCertificateMismatch);
            }
        }
    }

    // 3. CMS signature.
    let params = match &token.signature_algorithm.params {
        Some(p) => Some(crate::asn1::Reader::new(p, "signatureAlgorithm").any()?),
        None => None,
    };
    let scheme = oids::signature_scheme(&token.signature_algorithm.oid, params, digest_algorithm)?;
    signer
        .public_key()
        .verify(scheme, &token.signed_attrs_der, &token.signature)
        // Any failure, including a scheme that does not fit the key, is opaque.
        .map_err(|_| Error::InvalidSignature)?;
    Ok(())
}

/// Steps 4 to 7 of [`verify_token`].
fn check_after_signature(
    token: &TimeStampToken,
    signed_data: &[u8],
    authority: &TimestampAuthority,
    index: usize,
) -> Result<VerifiedTimestamp, Error> {
    let signer = &authority.signer;

    // 4. Message imprint.
    let tst = &token.tst_info;
    let imprint = tst.resolved_imprint()?;
    if imprint.algorithm().hash(signed_data) != imprint {
        return Err(Error::ImprintMismatch {
            algorithm: imprint.algorithm(),
        });
    }

    // 5. Time windows.
    let time = tst.gen_time();
    let valid_for = authority.valid_for();
    if !valid_for.contains(time) {
        return Err(Error::OutsideValidity {
            time,
            start: valid_for.start,
            end: valid_for.end,
        });
    }
    if !signer.is_valid_at(time) {
        return Err(Error::CertificateExpired {
            time,
            not_before: signer.not_before(),
            not_after: signer.not_after(),
        });
    }

    // 6. Signer certificate profile (RFC 3161 §2.3).
    if signer.is_ca() {
        return Err(Error::SignerIsCa);
    }
    let eku = signer
        .extension(EKU_OID)
        .ok_or(Error::ExtendedKeyUsage("missing"))?;
    if !eku.critical {
        return Err(Error::ExtendedKeyUsage("not critical"));
    }
    match signer.extended_key_usage() {
        Some([only]) if only == sigstore_fulcio::OID_KP_TIME_STAMPING => {}
        Some(list)
            if list
                .iter()
                .any(|o| o == sigstore_fulcio::OID_KP_TIME_STAMPING) =>
        {
            return Err(Error::ExtendedKeyUsage("purposes other than timeStamping"))
        }
        _ => return Err(Error::ExtendedKeyUsage("no id-kp-timeStamping")),
    }

    // 7. Chain at genTime: the path validated at construction, if its windows contain
    // genTime; otherwise full path validation at genTime (which reports the failure).
    let prevalidated = authority
        .validated_path
        .get_or_init(|| prevalidate(signer, &authority.ca))
        .as_ref()
        .is_some_and(|windows| {
            windows
                .iter()
                .all(|(not_before, not_after)| *not_before <= time && time <= *not_after)
        });
    if !prevalidated {
        verify_chain(
            signer,
            std::slice::from_ref(&authority.ca),
            &[time],
            KeyPurpose::TimeStamping,
        )
        .map_err(Error::Chain)?;
    }

    Ok(VerifiedTimestamp {
        time,
        time_nanos: tst.gen_time_nanos(),
        authority_index: index,
        serial: tst.serial_number().to_vec(),
        imprint_algorithm: imprint.algorithm(),
        policy: tst.policy().to_owned(),
    })
}

/// id-ce-extKeyUsage (RFC 5280 §4.2.1.12).
const EKU_OID: &str = "2.5.29.37";

/// Verify every RFC 3161 timestamp of a bundle over `signed_data`, with the policy of the
/// Sigstore design:
/// - more than [`MAX_TIMESTAMPS`] tokens: [`Error::TooLarge`] before any is parsed;
/// - a token whose signer is no trusted authority ([`Error::UntrustedAuthority`]) is skipped:
///   it may be meant for another trust root, and it is not counted;
/// - any other failure (a malformed token, or a token naming a trusted authority that fails a
///   check) is returned: it rejects the bundle;
/// - the same timestamp twice (same authority and serial number) is kept once.
///
/// The result holds the verified timestamps in input order. For a threshold, count distinct
/// authorities ([`distinct_authorities`]), not tokens: one TSA asked twice is one witness.
pub fn verify_timestamps<T: AsRef<[u8]>>(
    tokens: &[T],
    signed_data: &[u8],
    authorities: &[TimestampAuthority],
) -> Result<Vec<VerifiedTimestamp>, Error> {
    if tokens.len() > MAX_TIMESTAMPS {
        return Err(Error::TooLarge {
            what: "RFC 3161 timestamps",
            limit: MAX_TIMESTAMPS,
            found: tokens.len(),
        });
    }
    let mut out: Vec<VerifiedTimestamp> = Vec::with_capacity(tokens.len());
    for token in tokens {
        match verify_timestamp(token.as_ref(), signed_data, authorities) {
            Ok(v) => {
                let duplicate = out
                    .iter()
                    .any(|o| o.authority_index == v.authority_index && o.serial == v.serial);
                if !duplicate {
                    out.push(v);
                }
            }
            Err(Error::UntrustedAuthority) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The number of distinct authorities among verified timestamps (what a timestamp threshold
/// counts).
pub fn distinct_authorities(timestamps: &[VerifiedTimestamp]) -> usize {
    let mut seen: Vec<usize> = timestamps.iter().map(|t| t.authority_index).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}
