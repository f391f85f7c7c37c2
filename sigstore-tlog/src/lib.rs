//! Transparency-log primitives for the Sigstore Rust SDK.
//!
//! This crate never sees a Sigstore bundle: it works on typed primitives (bytes, integers,
//! keys) so it can be reused by log monitors, witnesses and log servers.
//!
//! * [`merkle`]: RFC 6962 §2.1 / RFC 9162 §2.1 Merkle hashing, inclusion proofs
//!   (RFC 9162 §2.1.3.2) and consistency proofs (RFC 9162 §2.1.4.2) with transparency-dev
//!   semantics, bounded by [`merkle::MAX_PROOF_HASHES`].
//! * [`tree`]: an append-only Merkle tree producing roots, inclusion and consistency proofs at
//!   any past size, with pluggable persistent storage ([`tree::TreeStore`]).
//! * [`note`]: C2SP `signed-note`, `tlog-checkpoint` and `tlog-cosignature` (cosignature/v1):
//!   parsing with named limits, key selection by name + key ID, witness k-of-n policies;
//!   [`note::VerifiedCheckpoint`] only comes from [`note::verify_checkpoint`].
//! * [`set`]: Rekor v1 signed entry timestamps (rekor-spec §9.5).
//! * [`entry`]: Rekor entry bodies (v1 `hashedrekord` 0.0.1, `dsse` 0.0.1, `intoto` 0.0.2; v2
//!   `hashedrekord` 0.0.2, `dsse` 0.0.2): parsing, `kindVersion` checks, binding to the
//!   bundle's signature / key / artifact, and request bodies for submission.
//! * `client` (feature `client`): blocking Rekor v1 and v2 (C2SP tlog-tiles) HTTP clients with
//!   deadlines, bounded retries and response-size limits.
//!
//! All verification is synchronous and does no I/O. Every limit on untrusted input is a named
//! constant: [`merkle::MAX_PROOF_HASHES`], [`merkle::MAX_CONSISTENCY_PROOF_HASHES`],
//! [`note::MAX_NOTE_BYTES`], [`note::MAX_NOTE_SIGNATURES`], [`entry::MAX_BODY_BYTES`],
//! [`entry::MAX_BODY_SIGNATURES`].
//!
//! ```
//! use sigstore_tlog::merkle::{leaf_hash, verify_inclusion};
//! use sigstore_tlog::tree::MerkleTree;
//!
//! let mut tree = MerkleTree::new();
//! for i in 0..10u8 {
//!     tree.append(&[i]).unwrap();
//! }
//! let proof = tree.inclusion_proof(3, 10).unwrap();
//! let root = tree.root_at(10).unwrap();
//! verify_inclusion(3, 10, &leaf_hash(&[3]), &proof, &root).unwrap();
//! ```
#![forbid(unsafe_code)]

#[cfg(feature = "client")]
pub mod client;
pub mod entry;
mod error;
pub mod merkle;
pub mod note;
pub mod set;
pub mod tree;

pub use crate::entry::{EntryBody, Expected, ExpectedContent, Material};
pub use crate::error::{BindingField, CheckpointField, Error, NoteField};
pub use crate::merkle::{Hash, MAX_PROOF_HASHES};
pub use crate::note::{
    verify_checkpoint, Checkpoint, ExpectedOrigin, LogKey, SignedNote, VerifiedCheckpoint,
    WitnessKey, WitnessPolicy,
};
pub use crate::set::verify_set;
pub use crate::tree::{MerkleTree, TreeStore};
