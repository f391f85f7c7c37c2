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

/// The 32 bytes of a SHA-256 written as 64 lowercase hex digits, or `None` for anything else
/// (a `const fn`, for tables of fingerprints compiled into the binary: see
/// [`sha256_hex!`](crate::sha256_hex)).
// `const fn`s cannot call `slice::get`; the two indices are checked in range where they are
// used.
#[allow(clippy::indexing_slicing)]
pub const fn sha256_from_hex(hex: &str) -> Option<[u8; 32]> {
    const fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        // `i < 32` and `digits.len() == 64`: both indices are in range.
        let (Some(high), Some(low)) = (nibble(digits[2 * i]), nibble(digits[2 * i + 1])) else {
            return None;
        };
        out[i] = (high << 4) | low;
        i += 1;
    }
    Some(out)
}

/// The bytes of a SHA-256 given as a literal of 64 lowercase hex digits, decoded at compile
/// time ([`sha256_from_hex`]): any other literal fails the build.
///
/// ```
/// const EMPTY: [u8; 32] =
///     sigstore_crypto::sha256_hex!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// assert_eq!(EMPTY[..2], [0xe3, 0xb0]);
/// ```
///
/// ```compile_fail
/// // Uppercase digits (or any other length or character) stop the build.
/// const BAD: [u8; 32] =
///     sigstore_crypto::sha256_hex!("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
/// ```
#[macro_export]
macro_rules! sha256_hex {
    ($hex:literal) => {
        const {
            match $crate::sha256_from_hex($hex) {
                Some(bytes) => bytes,
                None => panic!("not a SHA-256 in 64 lowercase hex digits"),
            }
        }
    };
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

    /// `sha256_from_hex` inverts `to_hex` and refuses uppercase, other lengths and non-digits;
    /// `sha256_hex!` gives the same bytes at compile time.
    #[test]
    fn sha256_from_hex_round_trips_and_refuses() {
        let digest = HashAlgorithm::Sha256.hash(b"abc");
        let hex = digest.to_hex();
        assert_eq!(
            sha256_from_hex(&hex).map(|b| b.to_vec()),
            Some(digest.as_bytes().to_vec())
        );
        const ABC: [u8; 32] =
            crate::sha256_hex!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(&ABC[..], digest.as_bytes());
        assert_eq!(sha256_from_hex(&hex.to_uppercase()), None);
        assert_eq!(sha256_from_hex(&hex[..62]), None);
        assert_eq!(sha256_from_hex(&format!("{hex}00")), None);
        assert_eq!(sha256_from_hex(&hex.replacen('b', "g", 1)), None);
        assert_eq!(sha256_from_hex(&hex.replacen('b', " ", 1)), None);
        assert_eq!(sha256_from_hex(""), None);
    }

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
