//! RFC 6962 / RFC 9162 Merkle tree hashing and proof verification.
//!
//! * Leaf hash `SHA-256(0x00 || data)` and interior node hash `SHA-256(0x01 || left || right)`
//!   (RFC 9162 §2.1.1, RFC 6962 §2.1).
//! * Inclusion proofs (RFC 9162 §2.1.3.2): [`verify_inclusion`], [`root_from_inclusion_proof`].
//! * Consistency proofs (RFC 9162 §2.1.4.2): [`verify_consistency`].
//! * Roots from leaves (RFC 6962 §2.1 `MTH`): [`root_from_leaves`].
//!
//! The verification functions follow the transparency-dev semantics: `index < size`; the proof
//! is consumed exactly (its length must equal the length the `(index, size)` pair dictates);
//! consistency needs `0 < size1 <= size2`, equal sizes need an empty proof and equal roots, and
//! an empty proof never proves anything else. The proof length is bounded by
//! [`MAX_PROOF_HASHES`] before any other work.
//!
//! Hashing calls the `sha2` crate (the same implementation `sigstore-crypto` uses) directly:
//! it is the hot path of proof verification, and a 40-hash proof must verify in a few
//! microseconds.
//!
//! Checks run in a fixed order so callers get a predictable error kind: proof length cap,
//! index/size preconditions, exact proof length, then (slice API only) hash lengths, then root
//! comparison.

use crate::Error;

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// Length in bytes of every hash in the tree.
pub const HASH_LEN: usize = 32;

/// The most hashes a proof may contain. A tree of `2^64 - 1` leaves needs at most 64 hashes for
/// an inclusion proof and 64 for a consistency proof, so anything longer is rejected before any
/// hashing.
pub const MAX_PROOF_HASHES: usize = 64;

/// The most hashes a consistency proof may contain: one more than [`MAX_PROOF_HASHES`], because
/// a proof from an odd-sized tree to a tree of more than `2^63` leaves carries the seed subtree
/// hash in addition to a 64-hash path.
pub const MAX_CONSISTENCY_PROOF_HASHES: usize = MAX_PROOF_HASHES + 1;

/// The root hash of the empty tree: `SHA-256("")` (RFC 9162 §2.1.1).
pub fn empty_root() -> Hash {
    sha256(&[])
}

fn sha256(data: &[u8]) -> Hash {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}

/// `SHA-256(0x00 || data)`: the hash of a leaf (RFC 9162 §2.1.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    use sha2::Digest as _;
    sha2::Sha256::new()
        .chain_update([0x00])
        .chain_update(data)
        .finalize()
        .into()
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node (RFC 9162 §2.1.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 1 + 2 * HASH_LEN];
    let (prefix, rest) = buf.split_at_mut(1);
    let (l, r) = rest.split_at_mut(HASH_LEN);
    if let Some(p) = prefix.first_mut() {
        *p = 0x01;
    }
    l.copy_from_slice(left);
    r.copy_from_slice(right);
    sha256(&buf)
}

/// Convert a byte slice into a [`Hash`](type@Hash), failing with [`Error::InvalidHashLength`].
pub fn hash_from_slice(bytes: &[u8]) -> Result<Hash, Error> {
    Hash::try_from(bytes).map_err(|_| Error::InvalidHashLength {
        expected: HASH_LEN,
        found: bytes.len(),
    })
}

/// Number of bits needed to represent `x` (0 for 0).
fn bit_len(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// Split the inclusion proof of `index` in a tree of `size` leaves into the part below the point
/// where the paths to `index` and `size - 1` diverge (`inner`) and the part along the right
/// border (`border`). Requires `index < size`.
fn decompose(index: u64, size: u64) -> (usize, usize) {
    let inner = bit_len(index ^ (size.saturating_sub(1)));
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner as usize, border as usize)
}

/// The exact number of hashes an inclusion proof for `index` in a tree of `size` leaves has.
/// Requires `index < size`.
pub fn inclusion_proof_len(index: u64, size: u64) -> Result<usize, Error> {
    if index >= size {
        return Err(Error::IndexOutOfRange { index, size });
    }
    let (inner, border) = decompose(index, size);
    Ok(inner + border)
}

fn check_proof_cap(found: usize) -> Result<(), Error> {
    check_cap(found, MAX_PROOF_HASHES)
}

fn check_cap(found: usize, max: usize) -> Result<(), Error> {
    if found > max {
        return Err(Error::ProofTooLong { max, found });
    }
    Ok(())
}

fn chain_inner(mut seed: Hash, proof: &[Hash], index: u64) -> Hash {
    for (i, h) in proof.iter().enumerate() {
        if (index >> i) & 1 == 0 {
            seed = node_hash(&seed, h);
        } else {
            seed = node_hash(h, &seed);
        }
    }
    seed
}

fn chain_inner_right(mut seed: Hash, proof: &[Hash], index: u64) -> Hash {
    for (i, h) in proof.iter().enumerate() {
        if (index >> i) & 1 == 1 {
            seed = node_hash(h, &seed);
        }
    }
    seed
}

fn chain_border_right(mut seed: Hash, proof: &[Hash]) -> Hash {
    for h in proof {
        seed = node_hash(h, &seed);
    }
    seed
}

/// Compute the root a valid inclusion proof leads to (RFC 9162 §2.1.3.2).
///
/// Errors: [`Error::ProofTooLong`], [`Error::IndexOutOfRange`] (`index >= size`),
/// [`Error::WrongProofSize`] (the proof is not exactly as long as `(index, size)` dictates).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
) -> Result<Hash, Error> {
    check_proof_cap(proof.len())?;
    if index >= size {
        return Err(Error::IndexOutOfRange { index, size });
    }
    let (inner, border) = decompose(index, size);
    if proof.len() != inner + border {
        return Err(Error::WrongProofSize {
            expected: inner + border,
            found: proof.len(),
        });
    }
    let (inner_part, border_part) = proof.split_at(inner);
    let res = chain_inner(*leaf_hash, inner_part, index);
    Ok(chain_border_right(res, border_part))
}

/// Verify that `leaf_hash` is the leaf at `index` of the tree of `size` leaves whose root is
/// `root` (RFC 9162 §2.1.3.2).
///
/// Errors as [`root_from_inclusion_proof`], plus [`Error::RootMismatch`].
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), Error> {
    let computed = root_from_inclusion_proof(index, size, leaf_hash, proof)?;
    check_root(root, &computed)
}

fn check_root(expected: &Hash, computed: &Hash) -> Result<(), Error> {
    if expected == computed {
        Ok(())
    } else {
        Err(Error::RootMismatch {
            expected: *expected,
            computed: *computed,
        })
    }
}

/// [`verify_inclusion`] over unchecked byte slices (as decoded from JSON or the wire). Every
/// hash must be 32 bytes ([`Error::InvalidHashLength`]), checked after the proof-length checks.
pub fn verify_inclusion_slices<P: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf_hash: &[u8],
    proof: &[P],
    root: &[u8],
) -> Result<(), Error> {
    check_proof_cap(proof.len())?;
    let expected = inclusion_proof_len(index, size)?;
    if proof.len() != expected {
        return Err(Error::WrongProofSize {
            expected,
            found: proof.len(),
        });
    }
    let leaf = hash_from_slice(leaf_hash)?;
    let root = hash_from_slice(root)?;
    let proof = proof
        .iter()
        .map(|p| hash_from_slice(p.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    verify_inclusion(index, size, &leaf, &proof, &root)
}

/// The exact number of hashes a consistency proof from `size1` to `size2` has, after the
/// preconditions of [`verify_consistency`].
pub fn consistency_proof_len(size1: u64, size2: u64) -> Result<usize, Error> {
    check_consistency_sizes(size1, size2)?;
    if size1 == size2 {
        return Ok(0);
    }
    let (inner, border) = decompose(size1 - 1, size2);
    let shift = size1.trailing_zeros() as usize;
    let inner = inner.saturating_sub(shift);
    let start = usize::from(size1 != 1u64 << shift);
    Ok(start + inner + border)
}

fn check_consistency_sizes(size1: u64, size2: u64) -> Result<(), Error> {
    if size2 < size1 {
        return Err(Error::ConsistencySizeOrder { size1, size2 });
    }
    if size1 == 0 {
        return Err(Error::ConsistencyFromEmptyTree);
    }
    Ok(())
}

/// Verify that the tree of `size2` leaves with root `root2` is an append-only extension of the
/// tree of `size1` leaves with root `root1` (RFC 9162 §2.1.4.2).
///
/// Semantics (transparency-dev): `size1 > size2` fails with [`Error::ConsistencySizeOrder`];
/// `size1 == 0` fails with [`Error::ConsistencyFromEmptyTree`] (a proof from the empty tree is
/// meaningless); equal sizes need an empty proof and `root1 == root2`; otherwise the proof must
/// have exactly the dictated length ([`Error::WrongProofSize`], which covers the empty proof)
/// and both recomputed roots must match ([`Error::RootMismatch`]).
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), Error> {
    check_cap(proof.len(), MAX_CONSISTENCY_PROOF_HASHES)?;
    let expected_len = consistency_proof_len(size1, size2)?;
    if proof.len() != expected_len {
        return Err(Error::WrongProofSize {
            expected: expected_len,
            found: proof.len(),
        });
    }
    if size1 == size2 {
        return check_root(root2, root1);
    }
    let (inner, _border) = decompose(size1 - 1, size2);
    let shift = size1.trailing_zeros();
    let inner = inner.saturating_sub(shift as usize);
    let (seed, rest) = if size1 == 1u64 << shift {
        (*root1, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (*first, rest),
            None => {
                return Err(Error::WrongProofSize {
                    expected: expected_len,
                    found: 0,
                })
            }
        }
    };
    let (inner_part, border_part) = rest.split_at(inner.min(rest.len()));
    let mask = (size1 - 1) >> shift;
    let hash1 = chain_border_right(chain_inner_right(seed, inner_part, mask), border_part);
    check_root(root1, &hash1)?;
    let hash2 = chain_border_right(chain_inner(seed, inner_part, mask), border_part);
    check_root(root2, &hash2)
}

/// [`verify_consistency`] over unchecked byte slices. When the sizes are equal (and non-zero)
/// the roots are compared as opaque byte strings, as RFC 9162 §2.1.4.2 step 1 does; otherwise
/// every hash must be 32 bytes ([`Error::InvalidHashLength`]).
pub fn verify_consistency_slices<P: AsRef<[u8]>>(
    size1: u64,
    size2: u64,
    proof: &[P],
    root1: &[u8],
    root2: &[u8],
) -> Result<(), Error> {
    check_cap(proof.len(), MAX_CONSISTENCY_PROOF_HASHES)?;
    let expected_len = consistency_proof_len(size1, size2)?;
    if proof.len() != expected_len {
        return Err(Error::WrongProofSize {
            expected: expected_len,
            found: proof.len(),
        });
    }
    if size1 == size2 {
        if root1 == root2 {
            return Ok(());
        }
        return Err(Error::RootMismatch {
            expected: hash_or_zero(root2),
            computed: hash_or_zero(root1),
        });
    }
    let r1 = hash_from_slice(root1)?;
    let r2 = hash_from_slice(root2)?;
    let proof = proof
        .iter()
        .map(|p| hash_from_slice(p.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    verify_consistency(size1, size2, &proof, &r1, &r2)
}

fn hash_or_zero(bytes: &[u8]) -> Hash {
    Hash::try_from(bytes).unwrap_or([0u8; HASH_LEN])
}

/// The largest power of two strictly smaller than `n` (requires `n >= 2`).
pub(crate) fn split_point(n: u64) -> u64 {
    1u64 << (bit_len(n - 1) - 1)
}

/// The Merkle tree hash (RFC 6962 §2.1 `MTH`) of a list of leaf hashes; the empty list gives
/// [`empty_root`].
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [one] => *one,
        _ => {
            let k = split_point(leaves.len() as u64) as usize;
            let (l, r) = leaves.split_at(k);
            node_hash(&root_from_leaf_hashes(l), &root_from_leaf_hashes(r))
        }
    }
}

/// The Merkle tree hash of a list of leaves (their data, hashed with [`leaf_hash`]).
pub fn root_from_leaves<D: AsRef<[u8]>>(leaves: &[D]) -> Hash {
    let hashes: Vec<Hash> = leaves.iter().map(|d| leaf_hash(d.as_ref())).collect();
    root_from_leaf_hashes(&hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn proof_cap_is_checked_first() {
        let proof = vec![[0u8; 32]; MAX_PROOF_HASHES + 1];
        let err = verify_inclusion(5, 3, &[0u8; 32], &proof, &[0u8; 32]).unwrap_err();
        assert!(matches!(err, Error::ProofTooLong { max: 64, found: 65 }));
        let big = vec![[0u8; 32]; 1_000_000];
        let err = verify_inclusion(0, 1 << 40, &[0u8; 32], &big, &[0u8; 32]).unwrap_err();
        assert!(matches!(
            err,
            Error::ProofTooLong {
                max: 64,
                found: 1_000_000
            }
        ));
        let err = verify_consistency(1, 2, &big, &[0u8; 32], &[0u8; 32]).unwrap_err();
        assert!(matches!(err, Error::ProofTooLong { .. }));
    }

    #[test]
    fn length_inconsistent_with_index_and_size() {
        // 64 hashes is under the cap but far more than a 3-leaf tree needs.
        let proof = vec![[0u8; 32]; 64];
        let err = verify_inclusion(0, 3, &[0u8; 32], &proof, &[0u8; 32]).unwrap_err();
        assert!(matches!(
            err,
            Error::WrongProofSize {
                expected: 2,
                found: 64
            }
        ));
    }

    #[test]
    fn tree_size_zero_with_proof() {
        let err = verify_inclusion(0, 0, &[0u8; 32], &[[1u8; 32]], &[0u8; 32]).unwrap_err();
        assert!(matches!(err, Error::IndexOutOfRange { index: 0, size: 0 }));
    }

    #[test]
    fn max_size_tree_needs_64_hashes() {
        assert_eq!(inclusion_proof_len(0, u64::MAX).unwrap(), 64);
        assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX).unwrap(), 63);
        assert!(consistency_proof_len(3, u64::MAX).unwrap() <= MAX_CONSISTENCY_PROOF_HASHES);
    }
}
