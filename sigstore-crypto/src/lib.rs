//! Cryptographic primitives for the Sigstore SDK.
//!
//! * [`HashAlgorithm`], [`Digest`] and [`Hasher`]: SHA-256/384/512, one-shot or streamed from a
//!   reader in constant memory ([`digest_reader`]).
//! * [`PublicKey`]: ECDSA P-256/P-384/P-521, Ed25519 and RSA (2048-4096 bits) keys parsed from
//!   SubjectPublicKeyInfo DER or PEM, verified with a [`SignatureScheme`] or with the
//!   [`KeyDetails`] a Sigstore trusted root names for the key.
//! * [`Signer`]: the signing trait; [`KeySigner`] implements it for ephemeral P-256 keys and PKCS#8
//!   key files, and hardware or KMS signers can implement it too.
//!
//! # Backends
//!
//! The default build is pure Rust and compiles for `wasm32-unknown-unknown`: RustCrypto's
//! scalar, Ed25519 and RSA code (and all of RustCrypto for signing), with the crate's own
//! variable-time field and point arithmetic for ECDSA P-256 and P-384 verification (Montgomery
//! field elements, Jacobian coordinates, width-w NAF, and comb tables for keys that keep
//! verifying; see [`COMB_AFTER_USES`]). The `ring` feature switches ECDSA P-256 without a
//! table, Ed25519 and RSA to ring behind the same API (ring's P-384 is slower than ours, so
//! P-384 stays here). [`Backend`] lets tests and benchmarks call either backend explicitly.
//!
//! The default feature `precomputed-tables` compiles in (about 490 KiB of read-only data) the
//! comb tables of the P-256 and P-384 generators and of the production Sigstore keys in current
//! use (Rekor, CT log, Fulcio intermediate, TSA; listed in `tables/keys.txt`), so that a
//! short-lived process verifies with those keys through a table from the first signature on
//! ([`PublicKey::has_precomputed_table`]). Without it, the same tables are built at run time.
#![forbid(unsafe_code)]

mod comb;
mod digest;
mod error;
mod field;
mod keys;
mod modinv;
mod sha512;
mod signer;
#[cfg(feature = "precomputed-tables")]
mod tables;
#[cfg(test)]
mod test_util;

pub use crate::digest::{
    digest_reader, sha256_from_hex, Digest, HashAlgorithm, Hasher, MAX_DIGEST_LEN,
};
pub use crate::error::Error;
pub use crate::keys::{
    Backend, KeyDetails, KeyKind, PublicKey, SignatureScheme, COMB_AFTER_USES, MAX_RSA_BITS,
    MIN_RSA_BITS,
};
pub use crate::signer::{KeySigner, Signer};
