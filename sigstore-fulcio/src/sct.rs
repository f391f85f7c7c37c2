//! Embedded Signed Certificate Timestamps (RFC 6962 §3.2, §3.3).

use std::collections::BTreeSet;

use sigstore_crypto::{HashAlgorithm, KeyKind, PublicKey, SignatureScheme};

use crate::der::{self, tag};
use crate::{Certificate, Error, TimeRange, VerifiedChain};

/// OID of the embedded SCT list extension.
pub const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";

/// The contents octets of [`OID_SCT_LIST`]'s DER encoding.
const OID_SCT_LIST_DER: [u8; 10] = [0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02];

/// Most SCTs accepted in one embedded list.
pub const MAX_SCTS: usize = 32;

/// Largest single SCT (bytes) accepted.
pub const MAX_SCT_BYTES: usize = 4096;

/// A trusted Certificate Transparency log from the trusted root.
#[derive(Debug, Clone)]
pub struct CtLog {
    /// The log ID: SHA-256 of the log's DER SubjectPublicKeyInfo (as listed in the trusted root).
    pub log_id: [u8; 32],
    /// The log's public key.
    pub key: PublicKey,
    /// When SCTs from this log are trusted (inclusive).
    pub valid_for: TimeRange,
}

impl CtLog {
    /// A log with an explicit log ID (as the trusted root lists it).
    pub fn new(log_id: [u8; 32], key: PublicKey, valid_for: TimeRange) -> Self {
        CtLog {
            log_id,
            key,
            valid_for,
        }
    }

    /// A log whose ID is computed as SHA-256 of the key's SubjectPublicKeyInfo.
    pub fn from_key(key: PublicKey, valid_for: TimeRange) -> Self {
        let mut log_id = [0u8; 32];
        log_id.copy_from_slice_checked(HashAlgorithm::Sha256.hash(key.spki_der()).as_bytes());
        CtLog {
            log_id,
            key,
            valid_for,
        }
    }
}

trait CopyChecked {
    fn copy_from_slice_checked(&mut self, src: &[u8]);
}
impl CopyChecked for [u8; 32] {
    fn copy_from_slice_checked(&mut self, src: &[u8]) {
        for (d, s) in self.iter_mut().zip(src) {
            *d = *s;
        }
    }
}

/// One parsed SCT (RFC 6962 §3.2 `SignedCertificateTimestamp`, version v1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sct {
    /// The log ID.
    pub log_id: [u8; 32],
    /// Milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// `CtExtensions` (opaque; may be non-empty, e.g. static CT leaf indices).
    pub extensions: Vec<u8>,
    /// TLS `HashAlgorithm` byte of the signature.
    pub hash_algorithm: u8,
    /// TLS `SignatureAlgorithm` byte of the signature.
    pub signature_algorithm: u8,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// An SCT whose signature verified under a trusted log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSct {
    /// The SCT.
    pub sct: Sct,
    /// Index of the log in the `logs` slice given to [`verify_scts`].
    pub log_index: usize,
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.0.len() {
            return Err(Error::MalformedSct("truncated"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }
    fn u16(&mut self) -> Result<usize, Error> {
        let b = self.take(2)?;
        Ok(b.iter().fold(0usize, |a, x| (a << 8) | usize::from(*x)))
    }
    fn u64(&mut self) -> Result<u64, Error> {
        let b = self.take(8)?;
        Ok(b.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x)))
    }
    fn vec16(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u16()?;
        self.take(n)
    }
}

impl Sct {
    /// Parses one TLS-encoded SCT; trailing bytes are rejected.
    pub fn from_tls(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_SCT_BYTES {
            return Err(Error::MalformedSct("SCT larger than MAX_SCT_BYTES"));
        }
        let mut r = Reader(bytes);
        let version = r.u8()?;
        if version != 0 {
            return Err(Error::UnsupportedSctVersion(version));
        }
        let mut log_id = [0u8; 32];
        log_id.copy_from_slice_checked(r.take(32)?);
        let timestamp_ms = r.u64()?;
        let extensions = r.vec16()?.to_vec();
        let hash_algorithm = r.u8()?;
        let signature_algorithm = r.u8()?;
        let signature = r.vec16()?.to_vec();
        if !r.0.is_empty() {
            return Err(Error::MalformedSct("trailing bytes after SCT"));
        }
        Ok(Sct {
            log_id,
            timestamp_ms,
            extensions,
            hash_algorithm,
            signature_algorithm,
            signature,
        })
    }

    /// The SCT time in Unix seconds (milliseconds rounded down).
    pub fn time(&self) -> i64 {
        i64::try_from(self.timestamp_ms / 1000).unwrap_or(i64::MAX)
    }

    fn scheme_for(&self, key: &PublicKey) -> Result<SignatureScheme, Error> {
        let mismatch = Error::SctAlgorithmMismatch {
            hash: self.hash_algorithm,
            signature: self.signature_algorithm,
        };
        let hash = match self.hash_algorithm {
            4 => Some(HashAlgorithm::Sha256),
            5 => Some(HashAlgorithm::Sha384),
            6 => Some(HashAlgorithm::Sha512),
            _ => None,
        };
        match (key.kind(), self.signature_algorithm, hash) {
            (KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521, 3, Some(h)) => {
                Ok(SignatureScheme::Ecdsa(h))
            }
            (KeyKind::Rsa { .. }, 1, Some(h)) => Ok(SignatureScheme::RsaPkcs1v15(h)),
            // TLS 1.3 ed25519 SignatureScheme 0x0807.
            (KeyKind::Ed25519, 7, None) if self.hash_algorithm == 8 => Ok(SignatureScheme::Ed25519),
            _ => Err(mismatch),
        }
    }
}

/// Parses the leaf's embedded `SignedCertificateTimestampList` (at most [`MAX_SCTS`] entries).
pub fn embedded_scts(leaf: &Certificate) -> Result<Vec<Sct>, Error> {
    let ext = leaf
        .extension_ref(&OID_SCT_LIST_DER)
        .ok_or(Error::MissingSct)?;
    let octets = der::expect_only(ext.value, tag::OCTET_STRING)
        .map_err(|_| Error::MalformedSct("extension is not an OCTET STRING"))?;
    let mut r = Reader(octets.value);
    let list = r.vec16()?;
    if !r.0.is_empty() {
        return Err(Error::MalformedSct("trailing bytes after SCT list"));
    }
    let mut r = Reader(list);
    let mut out = Vec::new();
    while !r.0.is_empty() {
        if out.len() == MAX_SCTS {
            return Err(Error::TooManyScts { limit: MAX_SCTS });
        }
        let one = r.vec16()?;
        out.push(Sct::from_tls(one)?);
    }
    if out.is_empty() {
        return Err(Error::MalformedSct("empty SCT list"));
    }
    Ok(out)
}

/// The precertificate TBSCertificate: the leaf's TBS re-encoded with the SCT list extension
/// removed (RFC 6962 §3.2).
pub fn precertificate_tbs(leaf: &Certificate) -> Result<Vec<u8>, Error> {
    let malformed = |_| Error::MalformedCertificate("TBSCertificate re-encoding");
    let tbs = der::expect_only(leaf.tbs_der(), tag::SEQUENCE).map_err(malformed)?;
    let mut body = Vec::with_capacity(tbs.value.len());
    let mut rest = tbs.value;
    while !rest.is_empty() {
        let (field, after) = der::read_tlv(rest).map_err(malformed)?;
        rest = after;
        if field.tag != tag::CONTEXT_3 {
            body.extend_from_slice(field.raw);
            continue;
        }
        let exts = der::expect_only(field.value, tag::SEQUENCE).map_err(malformed)?;
        let mut kept = Vec::with_capacity(exts.value.len());
        let mut inner = exts.value;
        while !inner.is_empty() {
            let (ext, after) = der::expect(inner, tag::SEQUENCE).map_err(malformed)?;
            inner = after;
            let (oid, _) = der::expect(ext.value, tag::OID).map_err(malformed)?;
            // DER has one encoding per OID, so comparing the octets is comparing the OIDs.
            if oid.value != OID_SCT_LIST_DER {
                kept.extend_from_slice(ext.raw);
            }
        }
        if !kept.is_empty() {
            let seq = der::tlv(tag::SEQUENCE, &kept);
            der::write_tlv(tag::CONTEXT_3, &seq, &mut body);
        }
    }
    Ok(der::tlv(tag::SEQUENCE, &body))
}

fn signed_data(sct: &Sct, issuer_key_hash: &[u8], tbs: &[u8]) -> Result<Vec<u8>, Error> {
    let tbs_len = u32::try_from(tbs.len())
        .ok()
        .filter(|l| *l < (1 << 24))
        .ok_or(Error::MalformedCertificate(
            "TBSCertificate too large for an SCT",
        ))?;
    let ext_len = u16::try_from(sct.extensions.len())
        .map_err(|_| Error::MalformedSct("extensions too long"))?;
    let mut out = Vec::with_capacity(tbs.len() + sct.extensions.len() + 64);
    out.push(0); // version v1
    out.push(0); // signature_type certificate_timestamp
    out.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes()); // entry_type precert_entry
    out.extend_from_slice(issuer_key_hash);
    out.extend_from_slice(tbs_len.to_be_bytes().get(1..).unwrap_or(&[]));
    out.extend_from_slice(tbs);
    out.extend_from_slice(&ext_len.to_be_bytes());
    out.extend_from_slice(&sct.extensions);
    Ok(out)
}

/// Verifies one SCT over the verified chain's leaf against the trusted `logs`.
///
/// The log is found by log ID; the SCT time must be inside its `validFor`; the SCT's algorithm
/// bytes must fit the log key; the issuer key hash is taken from the verified chain's issuer.
pub fn verify_sct(sct: &Sct, chain: &VerifiedChain, logs: &[CtLog]) -> Result<usize, Error> {
    let tbs = precertificate_tbs(chain.leaf())?;
    verify_with_tbs(sct, chain, logs, &tbs)
}

fn verify_with_tbs(
    sct: &Sct,
    chain: &VerifiedChain,
    logs: &[CtLog],
    tbs: &[u8],
) -> Result<usize, Error> {
    let (log_index, log) = logs
        .iter()
        .enumerate()
        .find(|(_, l)| l.log_id == sct.log_id)
        .ok_or_else(|| Error::UnknownCtLog {
            log_id: hex::encode(sct.log_id),
        })?;
    if !log.valid_for.contains(sct.time()) {
        return Err(Error::SctOutsideLogValidity {
            time: sct.time(),
            valid_for: log.valid_for,
        });
    }
    let scheme = sct.scheme_for(&log.key)?;
    let issuer_key_hash = HashAlgorithm::Sha256.hash(chain.issuer().public_key().spki_der());
    let message = signed_data(sct, issuer_key_hash.as_bytes(), tbs)?;
    log.key
        .verify(scheme, &message, &sct.signature)
        .map_err(|_| Error::InvalidSctSignature)?;
    Ok(log_index)
}

/// Verifies the leaf's embedded SCTs and requires at least `threshold` DISTINCT trusted logs
/// to have vouched for it (several SCTs from one log count once).
///
/// SCTs that fail are skipped; if the threshold is not met, the first failure is returned
/// when no SCT verified at all (e.g. [`Error::UnknownCtLog`]), otherwise
/// [`Error::SctThreshold`]. A `threshold` of 0 returns immediately with no SCTs.
pub fn verify_scts(
    chain: &VerifiedChain,
    logs: &[CtLog],
    threshold: usize,
) -> Result<Vec<VerifiedSct>, Error> {
    if threshold == 0 {
        return Ok(Vec::new());
    }
    let scts = embedded_scts(chain.leaf())?;
    let tbs = precertificate_tbs(chain.leaf())?;
    let mut verified = Vec::new();
    let mut distinct = BTreeSet::new();
    let mut first_error = None;
    for sct in scts {
        match verify_with_tbs(&sct, chain, logs, &tbs) {
            Ok(log_index) => {
                distinct.insert(sct.log_id);
                verified.push(VerifiedSct { sct, log_index });
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if distinct.len() >= threshold {
        return Ok(verified);
    }
    match (distinct.is_empty(), first_error) {
        (true, Some(e)) => Err(e),
        _ => Err(Error::SctThreshold {
            required: threshold,
            found: distinct.len(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sct_list_oid_octets() {
        assert_eq!(der::decode_oid(&OID_SCT_LIST_DER).unwrap(), OID_SCT_LIST);
        assert_eq!(der::encode_oid(OID_SCT_LIST).unwrap(), OID_SCT_LIST_DER);
    }
}
