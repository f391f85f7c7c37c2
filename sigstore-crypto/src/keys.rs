//! Public keys and signature verification.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use signature::hazmat::PrehashVerifier;

use crate::comb::{p256c, p384c};
use crate::{Error, HashAlgorithm};

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits (bounds the cost of one verification).
pub const MAX_RSA_BITS: usize = 4096;
/// ECDSA verifications one P-256 or P-384 [`PublicKey`] (and its clones) performs without a
/// precomputed comb table; the next one builds it (about 5 table-less verifications' worth
/// for P-384 and 6 for P-256; 96 KiB of affine points per P-384 key, 64 KiB per P-256 key).
/// Keys that keep verifying (the keys of a trusted root) then verify several times faster;
/// keys used a few times (a signing certificate's ephemeral key, a one-shot command) never pay
/// for a table. Keys with a compiled-in table (feature `precomputed-tables`: the production
/// Sigstore keys in current use) use it from their first verification on and never build one.
pub const COMB_AFTER_USES: u32 = 8;

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_P521: &str = "1.3.132.0.35";
const OID_ED25519: &str = "1.3.101.112";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";

/// The key-algorithm and curve OIDs above, parsed at compile time: keys are read on every
/// verification (the leaf certificate's), so they are compared without formatting.
mod oid {
    use spki::ObjectIdentifier;
    pub(super) const EC_PUBLIC_KEY: ObjectIdentifier =
        ObjectIdentifier::new_unwrap(super::OID_EC_PUBLIC_KEY);
    pub(super) const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap(super::OID_P256);
    pub(super) const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap(super::OID_P384);
    pub(super) const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap(super::OID_P521);
    pub(super) const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap(super::OID_ED25519);
    pub(super) const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap(super::OID_RSA);
    pub(super) const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap(super::OID_RSA_PSS);
}

/// A DER SubjectPublicKeyInfo's parts (RFC 5280 §4.1.2.7), read by [`read_spki`].
struct SpkiParts<'a> {
    /// Contents of the algorithm OBJECT IDENTIFIER.
    algorithm: &'a [u8],
    /// The algorithm parameters: `(tag, contents)` of a NULL, an OBJECT IDENTIFIER or a
    /// SEQUENCE, or `None` when absent.
    parameters: Option<(u8, &'a [u8])>,
    /// The unused-bits count of the BIT STRING.
    unused_bits: u8,
    /// The BIT STRING's bytes after the unused-bits count.
    key: &'a [u8],
}

/// One DER TLV with tag `tag` at the start of `input`: its contents and what follows. Lengths
/// must be definite and minimal (the short form below 128; at most four length bytes).
fn der_tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = input.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, after) = rest.split_at_checked(count)?;
        rest = after;
        if bytes.first() == Some(&0) {
            return None;
        }
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if len < 0x80 {
            return None;
        }
        len
    };
    rest.split_at_checked(len)
}

/// Read a SubjectPublicKeyInfo with the DER rules of the `spki` crate (exact tags, minimal
/// lengths, nothing after the structure or inside it, a well-formed algorithm OID, at most 7
/// unused bits and none in an empty BIT STRING), and stricter on one point: the parameters,
/// when present, must be a NULL, an OBJECT IDENTIFIER or a SEQUENCE (the only forms any
/// supported key uses), where `spki` accepts any element. `tests::spki_reading_matches_spki`
/// compares the two.
fn read_spki(der: &[u8]) -> Option<SpkiParts<'_>> {
    let (body, rest) = der_tlv(der, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (algorithm_identifier, rest) = der_tlv(body, 0x30)?;
    let (bits, rest) = der_tlv(rest, 0x03)?;
    if !rest.is_empty() {
        return None;
    }
    let (algorithm, params) = der_tlv(algorithm_identifier, 0x06)?;
    if !oid_well_formed(algorithm) {
        return None;
    }
    let parameters = match params.first() {
        None => None,
        Some(&tag @ (0x05 | 0x06 | 0x30)) => {
            let (contents, rest) = der_tlv(params, tag)?;
            if !rest.is_empty() || (tag == 0x05 && !contents.is_empty()) {
                return None;
            }
            Some((tag, contents))
        }
        Some(_) => return None,
    };
    let (&unused_bits, key) = bits.split_first()?;
    if unused_bits > 7 || (unused_bits != 0 && key.is_empty()) {
        return None;
    }
    Some(SpkiParts {
        algorithm,
        parameters,
        unused_bits,
        key,
    })
}

/// Whether `contents` is a well-formed OBJECT IDENTIFIER as `const-oid` (which the `spki`
/// crate uses) reads it: 3 to 39 bytes, every subidentifier minimal and terminated, each one
/// fitting in 32 bits.
fn oid_well_formed(contents: &[u8]) -> bool {
    spki::ObjectIdentifier::from_bytes(contents).is_ok()
}

/// The dotted form of a well-formed OID's contents, for error messages.
fn oid_text(contents: &[u8]) -> String {
    spki::ObjectIdentifier::from_bytes(contents)
        .map(|o| o.to_string())
        .unwrap_or_else(|_| "(malformed OID)".to_owned())
}

/// The kind of a public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// ECDSA over NIST P-256.
    EcdsaP256,
    /// ECDSA over NIST P-384.
    EcdsaP384,
    /// ECDSA over NIST P-521.
    EcdsaP521,
    /// Ed25519.
    Ed25519,
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
}

impl KeyKind {
    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            KeyKind::EcdsaP256 => "ECDSA P-256",
            KeyKind::EcdsaP384 => "ECDSA P-384",
            KeyKind::EcdsaP521 => "ECDSA P-521",
            KeyKind::Ed25519 => "Ed25519",
            KeyKind::Rsa { .. } => "RSA",
        }
    }
}

/// How a signature is computed: the algorithm family and the hash it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// ECDSA with the given hash; the signature is ASN.1 DER `Ecdsa-Sig-Value`.
    Ecdsa(HashAlgorithm),
    /// Pure Ed25519 (RFC 8032); the signature is 64 raw bytes.
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with the given hash.
    RsaPkcs1v15(HashAlgorithm),
    /// RSASSA-PSS with the given hash, MGF1 with the same hash and a salt as long as the digest.
    RsaPss(HashAlgorithm),
}

impl SignatureScheme {
    /// The scheme named by an X.509 / CMS `AlgorithmIdentifier` OID (dotted form).
    ///
    /// RSASSA-PSS (`1.2.840.113549.1.1.10`) carries its hash in parameters and is not mapped
    /// here: build [`SignatureScheme::RsaPss`] from the parsed parameters instead.
    pub fn from_x509_oid(oid: &str) -> Result<Self, Error> {
        Ok(match oid {
            "1.2.840.10045.4.3.2" => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            "1.2.840.10045.4.3.3" => SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
            "1.2.840.10045.4.3.4" => SignatureScheme::Ecdsa(HashAlgorithm::Sha512),
            "1.2.840.113549.1.1.11" => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256),
            "1.2.840.113549.1.1.12" => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha384),
            "1.2.840.113549.1.1.13" => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha512),
            OID_ED25519 => SignatureScheme::Ed25519,
            other => return Err(Error::UnsupportedAlgorithm(other.to_owned())),
        })
    }

    /// The hash the scheme applies to the message, if it hashes (Ed25519 does internally).
    pub fn hash_algorithm(&self) -> Option<HashAlgorithm> {
        match self {
            SignatureScheme::Ecdsa(h)
            | SignatureScheme::RsaPkcs1v15(h)
            | SignatureScheme::RsaPss(h) => Some(*h),
            SignatureScheme::Ed25519 => None,
        }
    }
}

/// The `PublicKeyDetails` of Sigstore's protobuf-specs: a key type bound to one scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyDetails {
    /// `PKIX_ECDSA_P256_SHA_256`
    EcdsaP256Sha256,
    /// `PKIX_ECDSA_P384_SHA_384`
    EcdsaP384Sha384,
    /// `PKIX_ECDSA_P521_SHA_512`
    EcdsaP521Sha512,
    /// `PKIX_ED25519`
    Ed25519,
    /// `PKIX_RSA_PKCS1V15_2048_SHA256`
    RsaPkcs1v15_2048Sha256,
    /// `PKIX_RSA_PKCS1V15_3072_SHA256`
    RsaPkcs1v15_3072Sha256,
    /// `PKIX_RSA_PKCS1V15_4096_SHA256`
    RsaPkcs1v15_4096Sha256,
    /// `PKIX_RSA_PSS_2048_SHA256`
    RsaPss2048Sha256,
    /// `PKIX_RSA_PSS_3072_SHA256`
    RsaPss3072Sha256,
    /// `PKIX_RSA_PSS_4096_SHA256`
    RsaPss4096Sha256,
}

impl KeyDetails {
    /// Every supported value, for tables and tests.
    pub const ALL: [KeyDetails; 10] = [
        KeyDetails::EcdsaP256Sha256,
        KeyDetails::EcdsaP384Sha384,
        KeyDetails::EcdsaP521Sha512,
        KeyDetails::Ed25519,
        KeyDetails::RsaPkcs1v15_2048Sha256,
        KeyDetails::RsaPkcs1v15_3072Sha256,
        KeyDetails::RsaPkcs1v15_4096Sha256,
        KeyDetails::RsaPss2048Sha256,
        KeyDetails::RsaPss3072Sha256,
        KeyDetails::RsaPss4096Sha256,
    ];

    /// The protobuf enum name.
    pub fn name(&self) -> &'static str {
        match self {
            KeyDetails::EcdsaP256Sha256 => "PKIX_ECDSA_P256_SHA_256",
            KeyDetails::EcdsaP384Sha384 => "PKIX_ECDSA_P384_SHA_384",
            KeyDetails::EcdsaP521Sha512 => "PKIX_ECDSA_P521_SHA_512",
            KeyDetails::Ed25519 => "PKIX_ED25519",
            KeyDetails::RsaPkcs1v15_2048Sha256 => "PKIX_RSA_PKCS1V15_2048_SHA256",
            KeyDetails::RsaPkcs1v15_3072Sha256 => "PKIX_RSA_PKCS1V15_3072_SHA256",
            KeyDetails::RsaPkcs1v15_4096Sha256 => "PKIX_RSA_PKCS1V15_4096_SHA256",
            KeyDetails::RsaPss2048Sha256 => "PKIX_RSA_PSS_2048_SHA256",
            KeyDetails::RsaPss3072Sha256 => "PKIX_RSA_PSS_3072_SHA256",
            KeyDetails::RsaPss4096Sha256 => "PKIX_RSA_PSS_4096_SHA256",
        }
    }

    /// Parse the protobuf enum name; unknown and deprecated names give
    /// [`Error::UnsupportedAlgorithm`].
    pub fn from_name(name: &str) -> Result<Self, Error> {
        KeyDetails::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| Error::UnsupportedAlgorithm(name.to_owned()))
    }

    /// The signature scheme these details prescribe.
    pub fn scheme(&self) -> SignatureScheme {
        match self {
            KeyDetails::EcdsaP256Sha256 => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            KeyDetails::EcdsaP384Sha384 => SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
            KeyDetails::EcdsaP521Sha512 => SignatureScheme::Ecdsa(HashAlgorithm::Sha512),
            KeyDetails::Ed25519 => SignatureScheme::Ed25519,
            KeyDetails::RsaPkcs1v15_2048Sha256
            | KeyDetails::RsaPkcs1v15_3072Sha256
            | KeyDetails::RsaPkcs1v15_4096Sha256 => {
                SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256)
            }
            KeyDetails::RsaPss2048Sha256
            | KeyDetails::RsaPss3072Sha256
            | KeyDetails::RsaPss4096Sha256 => SignatureScheme::RsaPss(HashAlgorithm::Sha256),
        }
    }

    /// The key kind these details require.
    pub fn key_kind(&self) -> KeyKind {
        match self {
            KeyDetails::EcdsaP256Sha256 => KeyKind::EcdsaP256,
            KeyDetails::EcdsaP384Sha384 => KeyKind::EcdsaP384,
            KeyDetails::EcdsaP521Sha512 => KeyKind::EcdsaP521,
            KeyDetails::Ed25519 => KeyKind::Ed25519,
            KeyDetails::RsaPkcs1v15_2048Sha256 | KeyDetails::RsaPss2048Sha256 => {
                KeyKind::Rsa { bits: 2048 }
            }
            KeyDetails::RsaPkcs1v15_3072Sha256 | KeyDetails::RsaPss3072Sha256 => {
                KeyKind::Rsa { bits: 3072 }
            }
            KeyDetails::RsaPkcs1v15_4096Sha256 | KeyDetails::RsaPss4096Sha256 => {
                KeyKind::Rsa { bits: 4096 }
            }
        }
    }
}

impl fmt::Display for KeyDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Verification through ring or aws-lc-rs, which share one API: `None` when the crate does
/// not implement the key/scheme pair (or `$p384` is false and the key is P-384).
#[cfg(any(feature = "ring", feature = "aws-lc"))]
macro_rules! fast_backend_verify {
    ($krate:ident, $key:expr, $scheme:expr, $message:expr, $signature:expr, $p384:expr) => {{
        use $krate::signature as rs;
        let key: &PublicKey = $key;
        let uncompressed = key.raw.first() == Some(&0x04);
        let alg: &'static dyn rs::VerificationAlgorithm = match (&key.inner, $scheme) {
            (KeyInner::P256(_), SignatureScheme::Ecdsa(HashAlgorithm::Sha256)) if uncompressed => {
                &rs::ECDSA_P256_SHA256_ASN1
            }
            (KeyInner::P256(_), SignatureScheme::Ecdsa(HashAlgorithm::Sha384)) if uncompressed => {
                &rs::ECDSA_P256_SHA384_ASN1
            }
            (KeyInner::P384(_), SignatureScheme::Ecdsa(HashAlgorithm::Sha256))
                if uncompressed && $p384 =>
            {
                &rs::ECDSA_P384_SHA256_ASN1
            }
            (KeyInner::P384(_), SignatureScheme::Ecdsa(HashAlgorithm::Sha384))
                if uncompressed && $p384 =>
            {
                &rs::ECDSA_P384_SHA384_ASN1
            }
            (KeyInner::Ed25519(_), SignatureScheme::Ed25519) => &rs::ED25519,
            (KeyInner::Rsa(_), SignatureScheme::RsaPkcs1v15(h)) => match h {
                HashAlgorithm::Sha256 => &rs::RSA_PKCS1_2048_8192_SHA256,
                HashAlgorithm::Sha384 => &rs::RSA_PKCS1_2048_8192_SHA384,
                HashAlgorithm::Sha512 => &rs::RSA_PKCS1_2048_8192_SHA512,
            },
            (KeyInner::Rsa(_), SignatureScheme::RsaPss(h)) => match h {
                HashAlgorithm::Sha256 => &rs::RSA_PSS_2048_8192_SHA256,
                HashAlgorithm::Sha384 => &rs::RSA_PSS_2048_8192_SHA384,
                HashAlgorithm::Sha512 => &rs::RSA_PSS_2048_8192_SHA512,
            },
            _ => return None,
        };
        Some(
            rs::UnparsedPublicKey::new(alg, &key.raw)
                .verify($message, $signature)
                .map_err(|_| Error::InvalidSignature),
        )
    }};
}

/// Which implementation performs a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// The pure-Rust RustCrypto crates with this crate's P-256/P-384 point arithmetic (always
    /// available).
    RustCrypto,
    /// ring (only with the `ring` feature) for ECDSA P-256, Ed25519 and RSA; P-384 keeps the
    /// crate's own arithmetic, which is faster than ring's, and what ring lacks (P-521,
    /// prehashed ECDSA) falls back to RustCrypto.
    Ring,
    /// aws-lc-rs (only with the `aws-lc` feature) for ECDSA P-256/P-384, Ed25519 and RSA; P-521
    /// and prehashed ECDSA fall back to RustCrypto.
    AwsLc,
}

impl Backend {
    /// The backend [`PublicKey::verify`] uses: aws-lc-rs when compiled in, else ring, else
    /// RustCrypto. Whatever the backend, a P-256/P-384 key with a comb table verifies through
    /// the table, which is faster than all three.
    pub const fn preferred() -> Self {
        if cfg!(feature = "aws-lc") {
            Backend::AwsLc
        } else if cfg!(feature = "ring") {
            Backend::Ring
        } else {
            Backend::RustCrypto
        }
    }

    /// Every backend compiled into this build.
    pub fn available() -> &'static [Backend] {
        match (cfg!(feature = "ring"), cfg!(feature = "aws-lc")) {
            (false, false) => &[Backend::RustCrypto],
            (true, false) => &[Backend::RustCrypto, Backend::Ring],
            (false, true) => &[Backend::RustCrypto, Backend::AwsLc],
            (true, true) => &[Backend::RustCrypto, Backend::Ring, Backend::AwsLc],
        }
    }
}

/// P-256 and P-384 keys are held as the crate's own affine points (`comb`), which is all their
/// verification uses; the curve crates validate only encodings other than uncompressed.
#[derive(Clone)]
enum KeyInner {
    P256(p256c::Affine),
    P384(p384c::Affine),
    P521(Box<p521::ecdsa::VerifyingKey>),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(Box<rsa::RsaPublicKey>),
}

/// A precomputed comb table of a P-256 or P-384 key (see `comb`).
#[derive(Debug)]
pub(crate) enum CombTable {
    P256(p256c::Comb),
    P384(p384c::Comb),
}

/// A comb table compiled into the binary (feature `precomputed-tables`), found by the key's
/// coordinates when the key is parsed.
#[derive(Clone, Copy)]
pub(crate) enum PrecomputedTable {
    P256(&'static [p256c::Affine]),
    P384(&'static [p384c::Affine]),
}

impl fmt::Debug for PrecomputedTable {
    /// The curve only, not the 1024 points.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrecomputedTable::P256(_) => "P-256 compiled-in comb table",
            PrecomputedTable::P384(_) => "P-384 compiled-in comb table",
        })
    }
}

/// The table a verification goes through: the key's built comb, or its compiled-in one.
pub(crate) enum CombRef<'a> {
    Built(&'a CombTable),
    Precomputed(PrecomputedTable),
}

impl CombRef<'_> {
    fn verify(&self, digest: &[u8], signature: &[u8]) -> Result<(), Error> {
        verdict(match self {
            CombRef::Built(CombTable::P256(c)) => p256c::verify(c.entries(), digest, signature),
            CombRef::Built(CombTable::P384(c)) => p384c::verify(c.entries(), digest, signature),
            CombRef::Precomputed(PrecomputedTable::P256(table)) => {
                p256c::verify(table, digest, signature)
            }
            CombRef::Precomputed(PrecomputedTable::P384(table)) => {
                p384c::verify(table, digest, signature)
            }
        })
    }
}

/// `Ok` for a signature the curve arithmetic accepted, [`Error::InvalidSignature`] otherwise.
fn verdict(ok: bool) -> Result<(), Error> {
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}

/// What a key learns from being used: how often it verified, and its comb table once built.
/// Shared by the clones of a key.
#[derive(Debug, Default)]
pub(crate) struct KeyCache {
    uses: AtomicU32,
    pub(crate) comb: OnceLock<Option<CombTable>>,
    /// The compiled-in comb of this key, if it is one of the listed production keys.
    precomputed: Option<PrecomputedTable>,
}

/// A parsed public key, with the SubjectPublicKeyInfo DER it came from.
#[derive(Clone)]
pub struct PublicKey {
    inner: KeyInner,
    kind: KeyKind,
    spki_der: Vec<u8>,
    /// The `subjectPublicKey` BIT STRING contents (SEC1 point, Ed25519 bytes, PKCS#1 key).
    raw: Vec<u8>,
    pub(crate) cache: Arc<KeyCache>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der == other.spki_der
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Parse a DER `SubjectPublicKeyInfo`. Trailing bytes are rejected, and so are algorithm
    /// parameters other than an empty NULL, an OBJECT IDENTIFIER or a SEQUENCE.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let spki = read_spki(der).ok_or(Error::MalformedKey("not a DER SubjectPublicKeyInfo"))?;
        if spki.unused_bits != 0 {
            return Err(Error::MalformedKey("public key bit string has unused bits"));
        }
        let raw = spki.key;
        // Well-formed per `read_spki`; known OIDs are compared by their encoding.
        let alg = spki.algorithm;
        let (inner, kind) = match alg {
            a if a == oid::EC_PUBLIC_KEY.as_bytes() => {
                let curve = match spki.parameters {
                    Some((0x06, curve)) if oid_well_formed(curve) => curve,
                    _ => return Err(Error::MalformedKey("EC key without a named curve")),
                };
                match curve {
                    c if c == oid::P256.as_bytes() => (
                        KeyInner::P256(
                            p256c::Affine::from_sec1(raw)
                                .ok_or(Error::MalformedKey("invalid P-256 point"))?,
                        ),
                        KeyKind::EcdsaP256,
                    ),
                    c if c == oid::P384.as_bytes() => (
                        KeyInner::P384(
                            p384c::Affine::from_sec1(raw)
                                .ok_or(Error::MalformedKey("invalid P-384 point"))?,
                        ),
                        KeyKind::EcdsaP384,
                    ),
                    c if c == oid::P521.as_bytes() => (
                        KeyInner::P521(Box::new(
                            p521::ecdsa::VerifyingKey::from_sec1_bytes(raw)
                                .map_err(|_| Error::MalformedKey("invalid P-521 point"))?,
                        )),
                        KeyKind::EcdsaP521,
                    ),
                    other => {
                        return Err(Error::UnsupportedKey(format!(
                            "EC curve {}",
                            oid_text(other)
                        )))
                    }
                }
            }
            a if a == oid::ED25519.as_bytes() => {
                if spki.parameters.is_some() {
                    return Err(Error::MalformedKey("Ed25519 key with parameters"));
                }
                let bytes: [u8; 32] = raw
                    .try_into()
                    .map_err(|_| Error::MalformedKey("Ed25519 key is not 32 bytes"))?;
                (
                    KeyInner::Ed25519(
                        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                            .map_err(|_| Error::MalformedKey("invalid Ed25519 point"))?,
                    ),
                    KeyKind::Ed25519,
                )
            }
            a if a == oid::RSA.as_bytes() || a == oid::RSA_PSS.as_bytes() => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                use rsa::traits::PublicKeyParts;
                let key = rsa::RsaPublicKey::from_pkcs1_der(raw)
                    .map_err(|_| Error::MalformedKey("invalid PKCS#1 RSA public key"))?;
                let bits = key.size() * 8;
                if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
                    return Err(Error::RsaKeySize {
                        bits,
                        min: MIN_RSA_BITS,
                        max: MAX_RSA_BITS,
                    });
                }
                (KeyInner::Rsa(Box::new(key)), KeyKind::Rsa { bits })
            }
            other => return Err(Error::UnsupportedKey(oid_text(other))),
        };
        // Uncompressed SEC1 points only; a compressed encoding of a listed key simply gets no
        // compiled-in table.
        let x_y = raw.strip_prefix(&[0x04]);
        let precomputed = match (&inner, x_y) {
            (KeyInner::P256(_), Some(x_y)) => p256c::precomputed(x_y).map(PrecomputedTable::P256),
            (KeyInner::P384(_), Some(x_y)) => p384c::precomputed(x_y).map(PrecomputedTable::P384),
            _ => None,
        };
        Ok(PublicKey {
            inner,
            kind,
            spki_der: der.to_vec(),
            raw: raw.to_vec(),
            cache: Arc::new(KeyCache {
                precomputed,
                ..KeyCache::default()
            }),
        })
    }

    /// Whether a comb table for this key is compiled in (feature `precomputed-tables`: the
    /// production Sigstore keys in current use), so that its first verifications in a process
    /// already go through a table.
    pub fn has_precomputed_table(&self) -> bool {
        self.cache.precomputed.is_some()
    }

    /// Parse a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo). Exactly one block is accepted.
    pub fn from_pem(pem_text: &str) -> Result<Self, Error> {
        let blocks =
            pem::parse_many(pem_text.as_bytes()).map_err(|_| Error::Pem("unparsable PEM"))?;
        let mut it = blocks.into_iter();
        let block = it.next().ok_or(Error::Pem("no PEM block"))?;
        if it.next().is_some() {
            return Err(Error::Pem("more than one PEM block"));
        }
        if block.tag() != "PUBLIC KEY" {
            return Err(Error::Pem("expected a PUBLIC KEY block"));
        }
        Self::from_spki_der(block.contents())
    }

    /// The key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The `subjectPublicKey` contents (SEC1 point, Ed25519 key, PKCS#1 RSA key).
    pub fn raw_public_key(&self) -> &[u8] {
        &self.raw
    }

    /// PEM encoding of the SubjectPublicKeyInfo.
    pub fn to_pem(&self) -> String {
        pem::encode(&pem::Pem::new("PUBLIC KEY", self.spki_der.clone()))
    }

    /// Check that this key is of the kind `details` requires.
    pub fn check_details(&self, details: KeyDetails) -> Result<(), Error> {
        if self.kind == details.key_kind() {
            Ok(())
        } else {
            Err(Error::KeyMismatch {
                expected: details.name().to_owned(),
                found: self.kind.name(),
            })
        }
    }

    /// Verify `signature` over `message` with the scheme `details` prescribes, after checking
    /// the key is of the kind `details` requires.
    pub fn verify_with_details(
        &self,
        details: KeyDetails,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        self.check_details(details)?;
        self.verify(details.scheme(), message, signature)
    }

    /// Verify `signature` over `message` with [`Backend::preferred`].
    pub fn verify(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        self.verify_with_backend(Backend::preferred(), scheme, message, signature)
    }

    /// Verify with an explicit backend (tests and benchmarks compare the two).
    pub fn verify_with_backend(
        &self,
        backend: Backend,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        self.check_scheme(scheme)?;
        if let (SignatureScheme::Ecdsa(hash), Some(comb)) = (scheme, self.comb()) {
            return comb.verify(hash.hash(message).as_bytes(), signature);
        }
        #[cfg(feature = "ring")]
        if backend == Backend::Ring {
            if let Some(result) = self.verify_ring(scheme, message, signature) {
                return result;
            }
        }
        #[cfg(feature = "aws-lc")]
        if backend == Backend::AwsLc {
            if let Some(result) = self.verify_aws_lc(scheme, message, signature) {
                return result;
            }
        }
        let _ = backend;
        match (&self.inner, scheme) {
            (KeyInner::Ed25519(k), SignatureScheme::Ed25519) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| Error::InvalidSignature)?;
                k.verify_strict(message, &sig)
                    .map_err(|_| Error::InvalidSignature)
            }
            (_, s) => {
                let hash = s.hash_algorithm().ok_or(Error::InvalidSignature)?;
                let digest = hash.hash(message);
                // The comb was consulted (and this use counted) above.
                self.verify_prehashed_without_comb(scheme, digest.as_bytes(), signature)
            }
        }
    }

    /// Verify `signature` over a precomputed digest of the message (ECDSA and RSA only; the
    /// digest must be the scheme's hash of the message).
    pub fn verify_prehashed(
        &self,
        scheme: SignatureScheme,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        self.check_scheme(scheme)?;
        let hash = scheme
            .hash_algorithm()
            .ok_or(Error::PrehashUnsupported("Ed25519"))?;
        if digest.len() != hash.len() {
            return Err(Error::DigestLength {
                expected: hash.len(),
                found: digest.len(),
            });
        }
        self.verify_prehashed_rustcrypto(scheme, digest, signature)
    }

    fn check_scheme(&self, scheme: SignatureScheme) -> Result<(), Error> {
        let ok = matches!(
            (&self.inner, scheme),
            (
                KeyInner::P256(_) | KeyInner::P384(_) | KeyInner::P521(_),
                SignatureScheme::Ecdsa(_)
            ) | (KeyInner::Ed25519(_), SignatureScheme::Ed25519)
                | (
                    KeyInner::Rsa(_),
                    SignatureScheme::RsaPkcs1v15(_) | SignatureScheme::RsaPss(_)
                )
        );
        if ok {
            Ok(())
        } else {
            Err(Error::KeyMismatch {
                expected: format!("{scheme:?}"),
                found: self.kind.name(),
            })
        }
    }

    /// The comb table this ECDSA verification goes through (P-256 and P-384 keys only): the
    /// compiled-in table if the key has one; else the key's own, built at its first
    /// verification after [`COMB_AFTER_USES`], and none before.
    pub(crate) fn comb(&self) -> Option<CombRef<'_>> {
        if !matches!(self.inner, KeyInner::P256(_) | KeyInner::P384(_)) {
            return None;
        }
        if let Some(table) = self.cache.precomputed {
            return Some(CombRef::Precomputed(table));
        }
        if let Some(table) = self.cache.comb.get() {
            return table.as_ref().map(CombRef::Built);
        }
        if self.cache.uses.fetch_add(1, Ordering::Relaxed) < COMB_AFTER_USES {
            return None;
        }
        self.cache
            .comb
            .get_or_init(|| match &self.inner {
                KeyInner::P256(k) => p256c::Comb::from_affine(*k).map(CombTable::P256),
                KeyInner::P384(k) => p384c::Comb::from_affine(*k).map(CombTable::P384),
                _ => None,
            })
            .as_ref()
            .map(CombRef::Built)
    }

    fn verify_prehashed_rustcrypto(
        &self,
        scheme: SignatureScheme,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if let (SignatureScheme::Ecdsa(_), Some(comb)) = (scheme, self.comb()) {
            return comb.verify(digest, signature);
        }
        self.verify_prehashed_without_comb(scheme, digest, signature)
    }

    /// The pure-Rust verification of a key without a comb table (or before it is built):
    /// P-256/P-384 through `comb`'s table-less path, the rest through RustCrypto.
    fn verify_prehashed_without_comb(
        &self,
        scheme: SignatureScheme,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        match (&self.inner, scheme) {
            (KeyInner::P256(k), SignatureScheme::Ecdsa(_)) => {
                verdict(p256c::verify_affine(k, digest, signature))
            }
            (KeyInner::P384(k), SignatureScheme::Ecdsa(_)) => {
                verdict(p384c::verify_affine(k, digest, signature))
            }
            (KeyInner::P521(k), SignatureScheme::Ecdsa(_)) => {
                let sig = p521::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Error::InvalidSignature)?;
                k.verify_prehash(digest, &sig)
                    .map_err(|_| Error::InvalidSignature)
            }
            (KeyInner::Rsa(k), SignatureScheme::RsaPkcs1v15(h)) => {
                let padding = match h {
                    HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                k.verify(padding, digest, signature)
                    .map_err(|_| Error::InvalidSignature)
            }
            (KeyInner::Rsa(k), SignatureScheme::RsaPss(h)) => {
                let padding = match h {
                    HashAlgorithm::Sha256 => rsa::Pss::new::<sha2::Sha256>(),
                    HashAlgorithm::Sha384 => rsa::Pss::new::<sha2::Sha384>(),
                    HashAlgorithm::Sha512 => rsa::Pss::new::<sha2::Sha512>(),
                };
                k.verify(padding, digest, signature)
                    .map_err(|_| Error::InvalidSignature)
            }
            _ => Err(Error::InvalidSignature),
        }
    }

    /// ring verification; `None` when ring does not implement this key/scheme pair (or, for
    /// P-384, is slower than this crate's arithmetic).
    #[cfg(feature = "ring")]
    fn verify_ring(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Option<Result<(), Error>> {
        fast_backend_verify!(ring, self, scheme, message, signature, false)
    }

    /// aws-lc-rs verification; `None` when aws-lc-rs does not implement this key/scheme pair.
    #[cfg(feature = "aws-lc")]
    fn verify_aws_lc(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Option<Result<(), Error>> {
        fast_backend_verify!(aws_lc_rs, self, scheme, message, signature, true)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use der::{Decode as _, Encode as _};
    use rand_core::OsRng;

    use super::*;

    type Parts = (Vec<u8>, Option<(u8, Vec<u8>)>, u8, Vec<u8>);

    fn ours(der: &[u8]) -> Option<Parts> {
        read_spki(der).map(|s| {
            (
                s.algorithm.to_vec(),
                s.parameters.map(|(t, c)| (t, c.to_vec())),
                s.unused_bits,
                s.key.to_vec(),
            )
        })
    }

    fn reference(der: &[u8]) -> Option<Parts> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der).ok()?;
        Some((
            spki.algorithm.oid.as_bytes().to_vec(),
            spki.algorithm
                .parameters
                .map(|any| (der::Tagged::tag(&any).octet(), any.value().to_vec())),
            spki.subject_public_key.unused_bits(),
            spki.subject_public_key.raw_bytes().to_vec(),
        ))
    }

    /// A SubjectPublicKeyInfo with an RSA OID and a 300-byte "key": lengths in the long form.
    fn long_spki() -> Vec<u8> {
        let mut bits = vec![0x03, 0x82, 0x01, 0x2d, 0x00];
        bits.extend((0..300).map(|i| (i * 7) as u8));
        let alg = [
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
            0x00,
        ];
        let len = alg.len() + bits.len();
        let mut out = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
        out.extend_from_slice(&alg);
        out.extend_from_slice(&bits);
        out
    }

    /// The SubjectPublicKeyInfo reader agrees with the `spki` crate: both read the same parts
    /// wherever both accept, it never accepts what `spki` refuses, and it refuses only
    /// parameters other than an empty NULL, an OBJECT IDENTIFIER or a SEQUENCE where `spki`
    /// takes any element. Inputs: P-256 (both point forms), P-384, P-521 and Ed25519 keys, a
    /// long-form RSA-shaped one, every truncation, every byte changed to a few values, a byte
    /// appended, and hand-made length and parameter forms.
    #[test]
    fn spki_reading_matches_spki() {
        use p256::pkcs8::EncodePublicKey as _;
        let p256_key = *p256::SecretKey::random(&mut OsRng).public_key().as_affine();
        let compressed = {
            let point =
                p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&p256_key, true);
            let spki = spki::SubjectPublicKeyInfoRef {
                algorithm: spki::AlgorithmIdentifierRef {
                    oid: oid::EC_PUBLIC_KEY,
                    parameters: Some((&oid::P256).into()),
                },
                subject_public_key: der::asn1::BitStringRef::from_bytes(point.as_bytes()).unwrap(),
            };
            spki.to_der().unwrap()
        };
        let keys: Vec<Vec<u8>> = vec![
            p256::PublicKey::from_affine(p256_key)
                .unwrap()
                .to_public_key_der()
                .unwrap()
                .to_vec(),
            compressed,
            p384::SecretKey::random(&mut OsRng)
                .public_key()
                .to_public_key_der()
                .unwrap()
                .to_vec(),
            p521::SecretKey::random(&mut OsRng)
                .public_key()
                .to_public_key_der()
                .unwrap()
                .to_vec(),
            ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
                .verifying_key()
                .to_public_key_der()
                .unwrap()
                .to_vec(),
            long_spki(),
        ];
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for key in &keys {
            inputs.extend(crate::test_util::byte_variants(key, |b| {
                vec![b ^ 1, b ^ 0x80, 0x00, 0xff, 0x05, 0x30, 0x81]
            }));
        }
        // Hand-made: a short length written in the long form, an indefinite length, NULL
        // parameters with contents, a BOOLEAN as parameters, unused bits in an empty BIT
        // STRING, an unterminated OID.
        let ed = &keys[4];
        let mut long_form = vec![0x30, 0x81, ed[1]];
        long_form.extend_from_slice(&ed[2..]);
        inputs.push(long_form);
        let mut indefinite = ed.clone();
        indefinite[1] = 0x80;
        inputs.push(indefinite);
        let alg = |params: &[u8]| {
            let mut a = vec![0x06, 0x03, 0x2b, 0x65, 0x70];
            a.extend_from_slice(params);
            let mut seq = vec![0x30, a.len() as u8];
            seq.extend(a);
            seq
        };
        for (params, bits) in [
            (&[0x05, 0x01, 0x00][..], &[0x03, 0x02, 0x00, 0x01][..]),
            (&[0x01, 0x01, 0xff][..], &[0x03, 0x02, 0x00, 0x01][..]),
            (&[][..], &[0x03, 0x01, 0x03][..]),
            (&[][..], &[0x03, 0x02, 0x08, 0x01][..]),
            (&[0x05, 0x00][..], &[0x03, 0x01, 0x00][..]),
        ] {
            let body = [alg(params), bits.to_vec()].concat();
            inputs.push([vec![0x30, body.len() as u8], body].concat());
        }
        inputs.push(vec![0x30, 0x07, 0x30, 0x03, 0x06, 0x01, 0x81, 0x03, 0x00]);

        let (mut both, mut only_spki) = (0, 0);
        for input in &inputs {
            match (ours(input), reference(input)) {
                (Some(a), Some(b)) => {
                    assert_eq!(a, b, "{input:02x?}");
                    both += 1;
                }
                (None, None) => {}
                (Some(a), None) => panic!("accepted what spki refuses: {input:02x?} {a:02x?}"),
                (None, Some(b)) => {
                    let params = b.1.as_ref().unwrap();
                    assert!(
                        !matches!(params.0, 0x05 | 0x06 | 0x30)
                            || (params.0 == 0x05 && !params.1.is_empty()),
                        "refused what spki reads: {input:02x?}"
                    );
                    only_spki += 1;
                }
            }
        }
        assert!(both > 50, "{both}");
        assert!(only_spki > 0, "{only_spki}");
    }
}
