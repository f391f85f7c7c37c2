//! The artifact a bundle is verified against.

use std::fmt;
use std::io::Read;
use std::path::Path;

use sigstore_crypto::{Digest, HashAlgorithm, Hasher};

use crate::error::{ArtifactProblem, VerifyError};

/// Size of the buffer used when streaming a reader or a file.
const READ_BUFFER: usize = 64 * 1024;

/// Longest `alg:hex` digest string accepted by [`Artifact::from_digest_str`] (`sha512:` + 128).
pub const MAX_DIGEST_STRING_LEN: usize = 7 + 128;

/// The artifact a bundle must be about. Verification always takes one: a bundle is never
/// verified "by itself".
///
/// * [`Artifact::bytes`]: the whole artifact in memory. Every signature scheme works, including
///   pure Ed25519 which cannot be verified from a digest.
/// * [`Artifact::reader`] / [`Artifact::file`]: streamed once, in constant memory, when the
///   artifact is built (this is the only I/O this crate does); only digests are kept.
/// * [`Artifact::digest`] / [`Artifact::from_digest_str`]: the caller already knows the digest.
///
/// An artifact known only by its digests can verify ECDSA and RSA message signatures (the
/// signature is checked against the digest) and DSSE attestations (the digest is looked up
/// among the in-toto subjects), but not a pure Ed25519 message signature.
#[derive(Clone)]
pub struct Artifact {
    bytes: Option<Vec<u8>>,
    digests: Vec<Digest>,
}

impl fmt::Debug for Artifact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Artifact")
            .field("bytes_len", &self.bytes.as_ref().map(Vec::len))
            .field("digests", &self.digests)
            .finish()
    }
}

impl Artifact {
    /// The artifact's bytes, held in memory.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Artifact {
            bytes: Some(bytes.into()),
            digests: Vec::new(),
        }
    }

    /// Stream `reader` to its end once, computing its SHA-256 digest in constant memory.
    ///
    /// SHA-256 is the digest every Sigstore signing algorithm in the public-good instance uses;
    /// use [`Artifact::reader_with`] when bundles signed with SHA-384/512 are expected.
    pub fn reader(reader: impl Read) -> Result<Self, VerifyError> {
        Self::reader_with(reader, &[HashAlgorithm::Sha256])
    }

    /// Stream `reader` once, computing a digest for each of `algorithms` (at least one).
    pub fn reader_with(
        mut reader: impl Read,
        algorithms: &[HashAlgorithm],
    ) -> Result<Self, VerifyError> {
        if algorithms.is_empty() {
            return Err(VerifyError::Artifact(ArtifactProblem::NoAlgorithm));
        }
        let mut hashers: Vec<Hasher> = Vec::new();
        for alg in algorithms {
            if !hashers.iter().any(|h| h.algorithm() == *alg) {
                hashers.push(Hasher::new(*alg));
            }
        }
        let mut buf = vec![0u8; READ_BUFFER];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(VerifyError::Artifact(ArtifactProblem::Io(e))),
            };
            let chunk = buf.get(..n).unwrap_or(&[]);
            for h in &mut hashers {
                h.update(chunk);
            }
        }
        Ok(Artifact {
            bytes: None,
            digests: hashers.into_iter().map(Hasher::finalize).collect(),
        })
    }

    /// Open and stream the file at `path` once, computing its SHA-256 digest in constant memory.
    pub fn file(path: impl AsRef<Path>) -> Result<Self, VerifyError> {
        let f = std::fs::File::open(path.as_ref())
            .map_err(|e| VerifyError::Artifact(ArtifactProblem::Io(e)))?;
        Self::reader(f)
    }

    /// An artifact known only by a digest computed elsewhere.
    pub fn digest(algorithm: HashAlgorithm, digest: &[u8]) -> Result<Self, VerifyError> {
        let d = Digest::new(algorithm, digest).map_err(|_| {
            VerifyError::Artifact(ArtifactProblem::DigestLength {
                expected: algorithm.len(),
                found: digest.len(),
            })
        })?;
        Ok(Artifact {
            bytes: None,
            digests: vec![d],
        })
    }

    /// Parse `sha256:<hex>` (or `sha384:` / `sha512:`); the hex must be lowercase or uppercase
    /// hexadecimal of exactly the algorithm's length.
    pub fn from_digest_str(s: &str) -> Result<Self, VerifyError> {
        if s.len() > MAX_DIGEST_STRING_LEN {
            return Err(VerifyError::Artifact(ArtifactProblem::MalformedDigest));
        }
        let (name, hex_part) = s
            .split_once(':')
            .ok_or(VerifyError::Artifact(ArtifactProblem::MalformedDigest))?;
        let alg = HashAlgorithm::from_name(name)
            .ok_or(VerifyError::Artifact(ArtifactProblem::MalformedDigest))?;
        let bytes = hex::decode(hex_part)
            .map_err(|_| VerifyError::Artifact(ArtifactProblem::MalformedDigest))?;
        Self::digest(alg, &bytes)
    }

    /// Whether `s` has the exact shape of a digest string (`sha256:` + 64 hex characters, or the
    /// SHA-384/512 equivalents).
    pub fn looks_like_digest(s: &str) -> bool {
        match s.split_once(':') {
            Some((name, hex_part)) => match HashAlgorithm::from_name(name) {
                Some(alg) => {
                    hex_part.len() == alg.len() * 2
                        && hex_part.bytes().all(|b| b.is_ascii_hexdigit())
                }
                None => false,
            },
            None => false,
        }
    }

    /// The artifact bytes, when held in memory.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.bytes.as_deref()
    }

    /// The artifact's digest with `algorithm`, computed now from the bytes or taken from the
    /// digests known when the artifact was built. `None` when it cannot be known.
    pub fn digest_with(&self, algorithm: HashAlgorithm) -> Option<Digest> {
        if let Some(d) = self.digests.iter().find(|d| d.algorithm() == algorithm) {
            return Some(*d);
        }
        self.bytes.as_ref().map(|b| algorithm.hash(b))
    }

    /// The algorithms for which a digest is available without the bytes.
    pub fn known_digests(&self) -> &[Digest] {
        &self.digests
    }

    /// A digest suitable for reporting: SHA-256 when available, else the first known digest.
    pub(crate) fn primary_digest(&self) -> Option<Digest> {
        self.digest_with(HashAlgorithm::Sha256)
            .or_else(|| self.digests.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_matches_bytes() {
        let data = vec![7u8; 200_000];
        let a = Artifact::reader(&data[..]).unwrap();
        let b = Artifact::bytes(data.clone());
        assert_eq!(
            a.digest_with(HashAlgorithm::Sha256),
            b.digest_with(HashAlgorithm::Sha256)
        );
        assert!(a.as_bytes().is_none());
        assert!(a.digest_with(HashAlgorithm::Sha384).is_none());
        let c = Artifact::reader_with(&data[..], &[HashAlgorithm::Sha384, HashAlgorithm::Sha512])
            .unwrap();
        assert_eq!(
            c.digest_with(HashAlgorithm::Sha512),
            b.digest_with(HashAlgorithm::Sha512)
        );
    }

    #[test]
    fn digest_strings() {
        let hex64 = "a".repeat(64);
        assert!(Artifact::looks_like_digest(&format!("sha256:{hex64}")));
        assert!(!Artifact::looks_like_digest(&format!(
            "sha256:{}",
            "a".repeat(63)
        )));
        assert!(!Artifact::looks_like_digest(&format!("md5:{hex64}")));
        assert!(!Artifact::looks_like_digest("a.txt"));
        let a = Artifact::from_digest_str(&format!("sha256:{hex64}")).unwrap();
        assert_eq!(
            a.digest_with(HashAlgorithm::Sha256).unwrap().to_hex(),
            hex64
        );
        assert!(matches!(
            Artifact::from_digest_str("sha256:zz"),
            Err(VerifyError::Artifact(ArtifactProblem::MalformedDigest))
        ));
        assert!(matches!(
            Artifact::from_digest_str("sha256:abcd"),
            Err(VerifyError::Artifact(ArtifactProblem::DigestLength { .. }))
        ));
        assert!(matches!(
            Artifact::from_digest_str(&"a".repeat(MAX_DIGEST_STRING_LEN + 1)),
            Err(VerifyError::Artifact(ArtifactProblem::MalformedDigest))
        ));
        assert!(matches!(
            Artifact::reader_with(&b""[..], &[]),
            Err(VerifyError::Artifact(ArtifactProblem::NoAlgorithm))
        ));
    }
}
