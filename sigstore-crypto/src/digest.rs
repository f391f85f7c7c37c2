//! SHA-2 digests, one-shot and streamed.

use std::fmt;
use std::io::Read;

use sha2::Digest as _;

use crate::Error;

/// Longest digest this crate produces (SHA-512).
pub const MAX_DIGEST_LEN: usize = 64;

/// Size of the buffer used when hashing a reader.
const READ_BUFFER: usize = 64 * 1024;

/// A SHA-2 hash algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Digest length in bytes.
    pub const fn len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// Always false: no algorithm has an empty digest (for clippy's `len` convention).
    pub const fn is_empty(self) -> bool {
        false
    }

    /// The lowercase name used in `sha256:<hex>` digest strings and in-toto subjects.
    pub const fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// Parse a lowercase name (`sha256`, `sha384`, `sha512`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(HashAlgorithm::Sha256),
            "sha384" => Some(HashAlgorithm::Sha384),
            "sha512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Hash `data` in one call.
    pub fn hash(self, data: &[u8]) -> Digest {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finalize()
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A digest together with the algorithm that produced it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: HashAlgorithm,
    bytes: [u8; MAX_DIGEST_LEN],
}

impl Digest {
    /// Wrap digest bytes computed elsewhere; the length must match the algorithm.
    pub fn new(algorithm: HashAlgorithm, bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() != algorithm.len() {
            return Err(Error::DigestLength {
                expected: algorithm.len(),
                found: bytes.len(),
            });
        }
        let mut buf = [0u8; MAX_DIGEST_LEN];
        if let Some(dst) = buf.get_mut(..bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        Ok(Digest {
            algorithm,
            bytes: buf,
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.algorithm.len()).unwrap_or(&[])
    }

    /// Lowercase hex of the digest bytes.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(self.algorithm.len() * 2);
        for &b in self.as_bytes() {
            for nibble in [b >> 4, b & 0x0f] {
                s.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
            }
        }
        s
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.to_hex())
    }
}

/// An incremental SHA-2 hasher.
#[derive(Clone)]
pub struct Hasher(HasherInner);

#[derive(Clone)]
enum HasherInner {
    Sha256(sha2::Sha256),
    /// SHA-384 and SHA-512 are computed by this crate's portable code (`sha512.rs`: no
    /// run-time CPU feature detection); SHA-256 by `sha2`, which uses SHA-NI where present.
    Sha384(crate::sha512::Sha512Family),
    Sha512(crate::sha512::Sha512Family),
}

impl Hasher {
    /// A new hasher for `algorithm`.
    pub fn new(algorithm: HashAlgorithm) -> Self {
        Hasher(match algorithm {
            HashAlgorithm::Sha256 => HasherInner::Sha256(sha2::Sha256::new()),
            HashAlgorithm::Sha384 => HasherInner::Sha384(crate::sha512::Sha512Family::sha384()),
            HashAlgorithm::Sha512 => HasherInner::Sha512(crate::sha512::Sha512Family::sha512()),
        })
    }

    /// The algorithm of this hasher.
    pub fn algorithm(&self) -> HashAlgorithm {
        match self.0 {
            HasherInner::Sha256(_) => HashAlgorithm::Sha256,
            HasherInner::Sha384(_) => HashAlgorithm::Sha384,
            HasherInner::Sha512(_) => HashAlgorithm::Sha512,
        }
    }

    /// Feed more data.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            HasherInner::Sha256(h) => h.update(data),
            HasherInner::Sha384(h) => h.update(data),
            HasherInner::Sha512(h) => h.update(data),
        }
    }

    /// Finish and return the digest.
    pub fn finalize(self) -> Digest {
        let mut buf = [0u8; MAX_DIGEST_LEN];
        let algorithm = self.algorithm();
        match self.0 {
            HasherInner::Sha256(h) => {
                if let Some(dst) = buf.get_mut(..32) {
                    dst.copy_from_slice(&h.finalize());
                }
            }
            HasherInner::Sha384(h) | HasherInner::Sha512(h) => {
                h.finalize(&mut buf);
            }
        }
        Digest {
            algorithm,
            bytes: buf,
        }
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Hash everything `reader` yields, in constant memory (a fixed 64 KiB buffer).
pub fn digest_reader<R: Read>(algorithm: HashAlgorithm, mut reader: R) -> Result<Digest, Error> {
    let mut hasher = Hasher::new(algorithm);
    let mut buf = vec![0u8; READ_BUFFER];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        if let Some(chunk) = buf.get(..n) {
            hasher.update(chunk);
        }
    }
    Ok(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        assert_eq!(
            HashAlgorithm::Sha256.hash(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            HashAlgorithm::Sha384.hash(b"abc").to_hex(),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            HashAlgorithm::Sha512.hash(b"abc").to_hex(),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for alg in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let streamed = digest_reader(alg, &data[..]).unwrap();
            assert_eq!(streamed, alg.hash(&data));
        }
    }

    /// A computed digest equals the same bytes wrapped by `Digest::new` (equality and hashing
    /// cover the whole buffer, so everything past the digest's length must stay zero).
    #[test]
    fn computed_equals_wrapped() {
        for alg in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let computed = alg.hash(b"sigstore");
            assert_eq!(computed.as_bytes().len(), alg.len());
            assert_eq!(Digest::new(alg, computed.as_bytes()).unwrap(), computed);
        }
    }

    #[test]
    fn digest_length_checked() {
        let err = Digest::new(HashAlgorithm::Sha256, &[0u8; 31]).unwrap_err();
        assert!(matches!(
            err,
            Error::DigestLength {
                expected: 32,
                found: 31
            }
        ));
    }
}
