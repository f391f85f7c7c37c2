//! Path validation (RFC 5280 §6) of a leaf to the certificate authorities of a Sigstore
//! trusted root, at one or more verification times.

use serde::{Deserialize, Serialize};

use crate::cert::{OID_ANY_EKU, OID_KP_CODE_SIGNING, OID_KP_TIME_STAMPING};
use crate::{Certificate, Error};

/// Most signature verifications one [`verify_chain`] call performs while looking for the
/// leaf's issuer among the authorities' certificates (bounds work when many trusted
/// certificates share the leaf's issuer name).
pub const MAX_PATH_BUILDING_SIGNATURES: usize = 32;

/// Most certificates accepted in one chain (a trusted authority's chain, a PEM chain or
/// the certificates carried with a signature).
pub const MAX_CHAIN_CERTIFICATES: usize = 16;

/// A validity window. Inclusive on both ends; `end: None` means open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    /// First valid second (Unix time), inclusive.
    pub start: i64,
    /// Last valid second (Unix time), inclusive; `None` means no end.
    pub end: Option<i64>,
}

impl TimeRange {
    /// Whether `start <= t` and (`end` is open or `t <= end`).
    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && self.end.is_none_or(|end| t <= end)
    }
}

/// What the leaf certificate must be usable for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// Fulcio signing certificates: the leaf's EKU must contain id-kp-codeSigning.
    CodeSigning,
    /// RFC 3161 signer certificates: the EKU must be present, critical and contain only
    /// id-kp-timeStamping (RFC 3161 §2.3).
    TimeStamping,
}

impl KeyPurpose {
    fn oid(self) -> &'static str {
        match self {
            KeyPurpose::CodeSigning => OID_KP_CODE_SIGNING,
            KeyPurpose::TimeStamping => OID_KP_TIME_STAMPING,
        }
    }

    fn name(self) -> &'static str {
        match self {
            KeyPurpose::CodeSigning => "id-kp-codeSigning",
            KeyPurpose::TimeStamping => "id-kp-timeStamping",
        }
    }
}

/// One trusted authority: its certificates from the trusted root (intermediates first, root
/// last) and its `validFor` window. Signatures inside the chain are verified once: at
/// construction ([`CertificateAuthority::new`]) or, for [`CertificateAuthority::deferred`], the
/// first time [`verify_chain`] would use the authority (the result is kept and shared by
/// clones). The last certificate is the trust anchor (its self-signature is not needed).
#[derive(Debug, Clone)]
pub struct CertificateAuthority {
    chain: Vec<Certificate>,
    valid_for: TimeRange,
    /// `Ok` once every certificate was found signed by the next one, else the index of the
    /// first broken link.
    checked: std::sync::Arc<std::sync::OnceLock<Result<(), usize>>>,
}

impl CertificateAuthority {
    /// Builds an authority, checking that each certificate is signed by the next one.
    pub fn new(chain: Vec<Certificate>, valid_for: TimeRange) -> Result<Self, Error> {
        let ca = Self::deferred(chain, valid_for)?;
        ca.check_signatures()?;
        Ok(ca)
    }

    /// Builds an authority whose chain signatures are checked on first use instead of now
    /// (a trusted root then loads without any signature verification; an authority that is
    /// never used costs nothing). [`verify_chain`] fails with
    /// [`Error::AuthorityChainBroken`] on a path through a broken authority, as `new` would
    /// have failed.
    pub fn deferred(chain: Vec<Certificate>, valid_for: TimeRange) -> Result<Self, Error> {
        if chain.is_empty() {
            return Err(Error::EmptyAuthority);
        }
        if chain.len() > MAX_CHAIN_CERTIFICATES {
            return Err(Error::AuthorityChainBroken {
                index: MAX_CHAIN_CERTIFICATES,
            });
        }
        Ok(CertificateAuthority {
            chain,
            valid_for,
            checked: std::sync::Arc::default(),
        })
    }

    /// Verify (once) that each certificate is signed by the next one. Links of the embedded
    /// trusted roots, recognised byte for byte, were verified ahead of time
    /// ([`PREVERIFIED_LINKS`](crate::PREVERIFIED_LINKS)).
    pub fn check_signatures(&self) -> Result<(), Error> {
        let verdict = self.checked.get_or_init(|| {
            for (index, pair) in self.chain.windows(2).enumerate() {
                if let [child, parent] = pair {
                    if crate::preverified::is_preverified(child, parent) {
                        continue;
                    }
                    if child.verify_signed_by(parent).is_err() {
                        return Err(index);
                    }
                }
            }
            Ok(())
        });
        verdict.map_err(|index| Error::AuthorityChainBroken { index })
    }

    /// The certificates, intermediates first, root last.
    pub fn certificates(&self) -> &[Certificate] {
        &self.chain
    }

    /// The trusted root's `validFor` window for this authority.
    pub fn valid_for(&self) -> TimeRange {
        self.valid_for
    }

    /// Whether `cert` (byte for byte) is one of this authority's certificates.
    pub fn contains(&self, cert: &Certificate) -> bool {
        self.chain.iter().any(|c| c == cert)
    }
}

/// A leaf certificate whose path to a trusted authority was validated by [`verify_chain`].
#[derive(Debug, Clone)]
pub struct VerifiedChain {
    chain: Vec<Certificate>,
    leaf: Certificate,
    issuer: Certificate,
    authority_index: usize,
}

impl VerifiedChain {
    /// The end-entity certificate.
    pub fn leaf(&self) -> &Certificate {
        &self.leaf
    }

    /// The certificate that issued the leaf (from the trusted authority).
    pub fn issuer(&self) -> &Certificate {
        &self.issuer
    }

    /// The whole path, leaf first, trust anchor last.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// Index into the `authorities` slice given to [`verify_chain`].
    pub fn authority_index(&self) -> usize {
        self.authority_index
    }
}

/// Validates the path from `leaf` to one of `authorities` at EVERY time in `times`.
///
/// Intermediates come only from the authorities. The leaf's signature is checked under each
/// candidate issuer (same subject name, matching key identifiers when both are present) until
/// one verifies and the resulting path passes; at most [`MAX_PATH_BUILDING_SIGNATURES`]
/// signatures are checked. A path passes when:
/// - issuers are CAs (basicConstraints cA=TRUE), the leaf is not;
/// - pathLenConstraint holds for every CA;
/// - keyUsage is present with keyCertSign on every issuing CA (RFC 5280 §4.2.1.3 "MUST
///   include"), and with digitalSignature on the leaf (for [`KeyPurpose::TimeStamping`] a leaf
///   without keyUsage is accepted, RFC 3161 does not require it);
/// - the leaf EKU fits `purpose` (see [`KeyPurpose`]); a CA with an EKU must allow `purpose`
///   (or anyExtendedKeyUsage);
/// - no certificate has a critical extension outside
///   [`UNDERSTOOD_CRITICAL_EXTENSIONS`](crate::UNDERSTOOD_CRITICAL_EXTENSIONS);
/// - for every `t` in `times`: each certificate's `notBefore <= t <= notAfter` and the
///   authority's `validFor` contains `t`.
pub fn verify_chain(
    leaf: &Certificate,
    authorities: &[CertificateAuthority],
    times: &[i64],
    purpose: KeyPurpose,
) -> Result<VerifiedChain, Error> {
    if times.is_empty() {
        return Err(Error::NoVerificationTime);
    }
    let mut budget = MAX_PATH_BUILDING_SIGNATURES;
    let mut first_error: Option<Error> = None;
    for (authority_index, authority) in authorities.iter().enumerate() {
        for (position, candidate) in authority.chain.iter().enumerate() {
            if candidate.subject_der() != leaf.issuer_der() {
                continue;
            }
            if let (Some(aki), Some(ski)) = (leaf.authority_key_id(), candidate.subject_key_id()) {
                if aki != ski {
                    continue;
                }
            }
            if budget == 0 {
                return Err(Error::PathBuildingBudgetExceeded {
                    limit: MAX_PATH_BUILDING_SIGNATURES,
                });
            }
            budget -= 1;
            // The authority's own links, verified once per authority (see `deferred`).
            authority.check_signatures()?;
            if leaf.verify_signed_by(candidate).is_err() {
                if first_error.is_none() {
                    first_error = Some(Error::InvalidSignature);
                }
                continue;
            }
            let mut chain = Vec::with_capacity(authority.chain.len() + 1);
            chain.push(leaf.clone());
            chain.extend(authority.chain.iter().skip(position).cloned());
            match check_path(&chain, authority, times, purpose) {
                Ok(()) => {
                    return Ok(VerifiedChain {
                        chain,
                        leaf: leaf.clone(),
                        issuer: candidate.clone(),
                        authority_index,
                    })
                }
                Err(e) => {
                    // A path whose signatures verified explains more than a bad signature.
                    if matches!(first_error, None | Some(Error::InvalidSignature)) {
                        first_error = Some(e);
                    }
                }
            }
        }
    }
    Err(first_error.unwrap_or(Error::UntrustedIssuer))
}

fn check_path(
    chain: &[Certificate],
    authority: &CertificateAuthority,
    times: &[i64],
    purpose: KeyPurpose,
) -> Result<(), Error> {
    for (index, cert) in chain.iter().enumerate() {
        if let Some(position) = cert.unknown_critical_extension() {
            return Err(Error::UnknownCriticalExtension {
                index,
                oid: cert
                    .extensions()
                    .get(position)
                    .map(|ext| ext.oid.clone())
                    .unwrap_or_default(),
            });
        }
        if index == 0 {
            check_leaf(cert, purpose)?;
            continue;
        }
        if !cert.is_ca() {
            return Err(Error::IssuerNotCa { index });
        }
        if !cert.key_usage().is_some_and(|ku| ku.key_cert_sign) {
            return Err(Error::KeyUsage {
                index,
                required: "keyCertSign",
            });
        }
        if let Some(path_len) = cert.path_len_constraint() {
            // Intermediate CAs between the leaf and this certificate, not counting
            // self-issued ones (RFC 5280 §6.1.4 (l)).
            let below = chain
                .iter()
                .take(index)
                .skip(1)
                .filter(|c| c.subject_der() != c.issuer_der())
                .count();
            if usize::try_from(path_len).is_ok_and(|p| p < below) {
                return Err(Error::PathLengthExceeded {
                    index,
                    path_len,
                    below,
                });
            }
        }
        if let Some(eku) = cert.extended_key_usage() {
            if !eku.iter().any(|o| o == purpose.oid() || o == OID_ANY_EKU) {
                return Err(Error::ExtendedKeyUsage {
                    index,
                    expected: purpose.name(),
                });
            }
        }
    }
    for &time in times {
        for (index, cert) in chain.iter().enumerate() {
            if !cert.is_valid_at(time) {
                return Err(Error::CertificateNotValidAt {
                    index,
                    time,
                    not_before: cert.not_before(),
                    not_after: cert.not_after(),
                });
            }
        }
        if !authority.valid_for.contains(time) {
            return Err(Error::OutsideAuthorityValidity {
                time,
                valid_for: authority.valid_for,
            });
        }
    }
    Ok(())
}

fn check_leaf(leaf: &Certificate, purpose: KeyPurpose) -> Result<(), Error> {
    if leaf.is_ca() {
        return Err(Error::LeafIsCa);
    }
    // Fulcio always sets keyUsage=digitalSignature; RFC 3161 does not require keyUsage on
    // a TSA certificate, so there it is only checked when present.
    let key_usage_ok = match leaf.key_usage() {
        Some(ku) => ku.digital_signature,
        None => purpose == KeyPurpose::TimeStamping,
    };
    if !key_usage_ok {
        return Err(Error::KeyUsage {
            index: 0,
            required: "digitalSignature",
        });
    }
    let missing = Error::ExtendedKeyUsage {
        index: 0,
        expected: purpose.name(),
    };
    let eku = leaf.ext_key_usage_full().ok_or(Error::ExtendedKeyUsage {
        index: 0,
        expected: purpose.name(),
    })?;
    if !eku.oids.iter().any(|o| o == purpose.oid()) {
        return Err(missing);
    }
    if purpose == KeyPurpose::TimeStamping {
        if !eku.critical {
            return Err(Error::TimeStampingEkuNotCritical);
        }
        if eku.oids.len() != 1 {
            return Err(Error::TimeStampingEkuNotExclusive);
        }
    }
    Ok(())
}

/// What [`prune_bundle_certificates`] keeps from the certificates carried with a signature.
#[derive(Debug, Clone)]
pub struct BundleCertificates<'a> {
    /// The first certificate: the signing (leaf) certificate.
    pub leaf: &'a Certificate,
    /// Further certificates that are byte-identical to a trusted authority's certificate.
    pub trusted: Vec<&'a Certificate>,
    /// How many further certificates were dropped because no authority holds them.
    pub dropped: usize,
}

/// Splits the certificates a bundle carries (leaf first, as in `x509CertificateChain`) into the
/// leaf and the rest, dropping every non-leaf certificate that is not in `authorities`
/// (intermediates are only ever taken from the trusted root, see [`verify_chain`]).
///
/// A self-signed certificate anywhere in the list is rejected with [`Error::RootInBundle`]
/// (the conformance suite's `bundle-with-root-cert_fail`); an empty list with
/// [`Error::NoCertificate`]; more than [`MAX_CHAIN_CERTIFICATES`] with
/// [`Error::MalformedCertificate`].
pub fn prune_bundle_certificates<'a>(
    certificates: &'a [Certificate],
    authorities: &[CertificateAuthority],
) -> Result<BundleCertificates<'a>, Error> {
    if certificates.len() > MAX_CHAIN_CERTIFICATES {
        return Err(Error::MalformedCertificate(
            "too many certificates in chain",
        ));
    }
    let (leaf, rest) = certificates.split_first().ok_or(Error::NoCertificate)?;
    if certificates.iter().any(Certificate::is_self_signed) {
        return Err(Error::RootInBundle);
    }
    let mut trusted = Vec::new();
    let mut dropped = 0usize;
    for cert in rest {
        if authorities.iter().any(|a| a.contains(cert)) {
            trusted.push(cert);
        } else {
            dropped += 1;
        }
    }
    Ok(BundleCertificates {
        leaf,
        trusted,
        dropped,
    })
}
