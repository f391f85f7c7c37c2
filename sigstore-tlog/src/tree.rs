//! An append-only RFC 6962 Merkle tree that produces roots, inclusion proofs and consistency
//! proofs for any past size (used by log servers such as the virtual Sigstore, and by monitors).
//!
//! # Storage design
//!
//! The tree never holds every level in memory. Its state is:
//!
//! * the **leaf hashes**, kept by a [`TreeStore`] (in memory with [`MemoryStore`], or in an
//!   append-only file with [`FileStore`], where they are read back on demand);
//! * an in-memory cache of the hashes of **full subtrees at "stratum" levels** — every
//!   [`STRATUM_HEIGHT`]-th level (256, 65 536, ... leaves), i.e. the roots of full tiles as in
//!   C2SP tlog-tiles. That is `n / 256 + n / 65536 + ...` hashes, about 0.4 % of the leaves.
//!
//! Any other node is recomputed from the nearest stratum below it, which costs at most
//! `2^STRATUM_HEIGHT - 1` hash operations, so a proof (at most 64 nodes) costs at most a few
//! thousand hashes whatever the log size. The stratum cache is rebuilt from the leaf hashes when
//! a store is opened ([`MerkleTree::open`]), which is linear in the log size.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::merkle::{empty_root, leaf_hash, node_hash, split_point, Hash, HASH_LEN};
use crate::Error;

/// Height, in levels, between two cached strata (a full tile of 256 nodes).
pub const STRATUM_HEIGHT: u32 = 8;

/// Where the leaf hashes of a [`MerkleTree`] live. Implement it to back a log with a database;
/// [`MemoryStore`] and [`FileStore`] are provided.
pub trait TreeStore {
    /// Number of leaves stored.
    fn len(&self) -> u64;
    /// Whether no leaf is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The hash of leaf `index` (`index < len()`).
    fn leaf_hash(&self, index: u64) -> Result<Hash, Error>;
    /// Append one leaf hash durably.
    fn push_leaf_hash(&mut self, hash: Hash) -> Result<(), Error>;
}

/// Leaf hashes in memory; [`MemoryStore::to_bytes`] / [`MemoryStore::from_bytes`] persist them.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    leaves: Vec<Hash>,
}

const PERSIST_MAGIC: &[u8; 8] = b"STLOGv1\n";

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serialize: 8-byte magic `STLOGv1\n`, leaf count (u64 big-endian), then the leaf hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.leaves.len() * HASH_LEN);
        out.extend_from_slice(PERSIST_MAGIC);
        out.extend_from_slice(&(self.leaves.len() as u64).to_be_bytes());
        for h in &self.leaves {
            out.extend_from_slice(h);
        }
        out
    }

    /// Parse the output of [`MemoryStore::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let rest = bytes
            .strip_prefix(PERSIST_MAGIC.as_slice())
            .ok_or(Error::StoreCorrupt("bad magic"))?;
        if rest.len() < 8 {
            return Err(Error::StoreCorrupt("truncated header"));
        }
        let (count, body) = rest.split_at(8);
        let mut count_bytes = [0u8; 8];
        count_bytes.copy_from_slice(count);
        let count = u64::from_be_bytes(count_bytes);
        if body.len() % HASH_LEN != 0 || (body.len() / HASH_LEN) as u64 != count {
            return Err(Error::StoreCorrupt("leaf count does not match the data"));
        }
        let leaves = body
            .chunks_exact(HASH_LEN)
            .map(crate::merkle::hash_from_slice)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MemoryStore { leaves })
    }
}

impl TreeStore for MemoryStore {
    fn len(&self) -> u64 {
        self.leaves.len() as u64
    }

    fn leaf_hash(&self, index: u64) -> Result<Hash, Error> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.leaves.get(i))
            .copied()
            .ok_or(Error::IndexOutOfRange {
                index,
                size: self.len(),
            })
    }

    fn push_leaf_hash(&mut self, hash: Hash) -> Result<(), Error> {
        self.leaves.push(hash);
        Ok(())
    }
}

/// Leaf hashes in an append-only file of concatenated 32-byte hashes, read back on demand (only
/// the stratum cache of the [`MerkleTree`] is in memory).
#[derive(Debug)]
pub struct FileStore {
    file: File,
    len: u64,
}

impl FileStore {
    /// Open (or create) the file at `path`. A file whose length is not a multiple of 32 bytes
    /// (a torn write) is rejected with [`Error::StoreCorrupt`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let bytes = file.metadata()?.len();
        if bytes % HASH_LEN as u64 != 0 {
            return Err(Error::StoreCorrupt("file length is not a multiple of 32"));
        }
        Ok(FileStore {
            file,
            len: bytes / HASH_LEN as u64,
        })
    }
}

impl TreeStore for FileStore {
    fn len(&self) -> u64 {
        self.len
    }

    fn leaf_hash(&self, index: u64) -> Result<Hash, Error> {
        if index >= self.len {
            return Err(Error::IndexOutOfRange {
                index,
                size: self.len,
            });
        }
        let mut f = &self.file;
        f.seek(SeekFrom::Start(index * HASH_LEN as u64))?;
        let mut h = [0u8; HASH_LEN];
        f.read_exact(&mut h)?;
        Ok(h)
    }

    fn push_leaf_hash(&mut self, hash: Hash) -> Result<(), Error> {
        self.file.write_all(&hash)?;
        self.file.flush()?;
        self.len += 1;
        Ok(())
    }
}

/// An append-only Merkle tree over a [`TreeStore`]. See the module docs for the storage design.
#[derive(Debug)]
pub struct MerkleTree<S: TreeStore = MemoryStore> {
    store: S,
    /// `strata[k]` holds the hashes of the full subtrees at level `(k + 1) * STRATUM_HEIGHT`.
    strata: Vec<Vec<Hash>>,
}

impl Default for MerkleTree<MemoryStore> {
    fn default() -> Self {
        Self::new()
    }
}

impl MerkleTree<MemoryStore> {
    /// An empty in-memory tree.
    pub fn new() -> Self {
        MerkleTree {
            store: MemoryStore::new(),
            strata: Vec::new(),
        }
    }
}

impl<S: TreeStore> MerkleTree<S> {
    /// Load a tree from a store, rebuilding the stratum cache (linear in the number of leaves).
    pub fn open(store: S) -> Result<Self, Error> {
        let mut tree = MerkleTree {
            store,
            strata: Vec::new(),
        };
        let n = tree.store.len();
        let mut level = STRATUM_HEIGHT;
        while level < 64 && (n >> level) > 0 {
            let count = n >> level;
            let mut nodes = Vec::new();
            for i in 0..count {
                nodes.push(tree.perfect_node(level, i)?);
            }
            tree.strata.push(nodes);
            level += STRATUM_HEIGHT;
        }
        Ok(tree)
    }

    /// The store backing this tree.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Take the store back.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.store.len()
    }

    /// Append a leaf (its data); returns its index.
    pub fn append(&mut self, data: &[u8]) -> Result<u64, Error> {
        self.append_leaf_hash(leaf_hash(data))
    }

    /// Append a leaf by its leaf hash; returns its index.
    pub fn append_leaf_hash(&mut self, hash: Hash) -> Result<u64, Error> {
        let index = self.store.len();
        self.store.push_leaf_hash(hash)?;
        let new_size = index + 1;
        let mut level = STRATUM_HEIGHT;
        let mut k = 0usize;
        while level < 64 && new_size % (1u64 << level) == 0 {
            let node_index = (new_size >> level) - 1;
            let h = self.perfect_node(level, node_index)?;
            if self.strata.len() <= k {
                self.strata.push(Vec::new());
            }
            if let Some(s) = self.strata.get_mut(k) {
                s.push(h);
            }
            level += STRATUM_HEIGHT;
            k += 1;
        }
        Ok(index)
    }

    /// The hash of leaf `index`.
    pub fn leaf_hash(&self, index: u64) -> Result<Hash, Error> {
        self.store.leaf_hash(index)
    }

    /// Hash of the full subtree at `level` (2^level leaves) with position `index` on that level.
    fn perfect_node(&self, level: u32, index: u64) -> Result<Hash, Error> {
        if level == 0 {
            return self.store.leaf_hash(index);
        }
        if level % STRATUM_HEIGHT == 0 {
            let k = (level / STRATUM_HEIGHT - 1) as usize;
            if let Some(h) = self
                .strata
                .get(k)
                .and_then(|s| usize::try_from(index).ok().and_then(|i| s.get(i)))
            {
                return Ok(*h);
            }
        }
        let left = self.perfect_node(level - 1, index * 2)?;
        let right = self.perfect_node(level - 1, index * 2 + 1)?;
        Ok(node_hash(&left, &right))
    }

    fn check_size(&self, size: u64) -> Result<(), Error> {
        if size > self.size() {
            return Err(Error::TreeTooSmall {
                requested: size,
                size: self.size(),
            });
        }
        Ok(())
    }

    /// The root hash of the tree as it was at `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, Error> {
        self.check_size(size)?;
        if size == 0 {
            return Ok(empty_root());
        }
        let mut node = |level: u32, index: u64| self.perfect_node(level, index);
        range_hash(&mut node, 0, size)
    }

    /// The current root hash.
    pub fn root(&self) -> Result<Hash, Error> {
        self.root_at(self.size())
    }

    /// The inclusion proof of leaf `index` in the tree at `size` leaves (RFC 6962 §2.1.1
    /// `PATH`), ordered from the leaf upwards.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, Error> {
        self.check_size(size)?;
        if index >= size {
            return Err(Error::IndexOutOfRange { index, size });
        }
        let mut node = |level: u32, i: u64| self.perfect_node(level, i);
        inclusion_path(&mut node, index, size)
    }

    /// The consistency proof from `size1` to `size2` leaves (RFC 6962 §2.1.2 `PROOF`); empty
    /// when the sizes are equal. `0 < size1 <= size2 <= size()`.
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, Error> {
        self.check_size(size2)?;
        if size1 > size2 {
            return Err(Error::ConsistencySizeOrder { size1, size2 });
        }
        if size1 == 0 {
            return Err(Error::ConsistencyFromEmptyTree);
        }
        let mut node = |level: u32, i: u64| self.perfect_node(level, i);
        consistency_path(&mut node, size1, size2)
    }

    /// The hashes of one C2SP tlog-tiles tile of the tree at `size` leaves: the nodes at tree
    /// level `8 * tile_level` with indexes `256 * tile_index ..`, `width` of them (256 for a full
    /// tile). This is what a tlog-tiles server serves at `/tile/<L>/<N>[.p/<W>]`.
    pub fn tile(
        &self,
        tile_level: u8,
        tile_index: u64,
        width: u16,
        size: u64,
    ) -> Result<Vec<Hash>, Error> {
        self.check_size(size)?;
        let level = u32::from(tile_level) * STRATUM_HEIGHT;
        let nodes_at_level = size.checked_shr(level).unwrap_or(0);
        let first = tile_index.saturating_mul(256);
        let w = u64::from(width);
        if width == 0 || width > 256 || first.saturating_add(w) > nodes_at_level {
            return Err(Error::TreeTooSmall {
                requested: first.saturating_add(w),
                size: nodes_at_level,
            });
        }
        (first..first + w)
            .map(|i| self.perfect_node(level, i))
            .collect()
    }

    /// The hash of the full subtree of `2^level` leaves at position `index` on that level
    /// (it must be complete in the current tree).
    pub fn subtree_hash(&self, level: u32, index: u64) -> Result<Hash, Error> {
        let end = index
            .checked_add(1)
            .and_then(|e| e.checked_shl(level))
            .ok_or(Error::TreeTooSmall {
                requested: u64::MAX,
                size: self.size(),
            })?;
        self.check_size(end)?;
        self.perfect_node(level, index)
    }
}

/// A source of full-subtree hashes: `(level, index) -> hash`.
pub(crate) type NodeSource<'a> = dyn FnMut(u32, u64) -> Result<Hash, Error> + 'a;

/// `MTH(D[start:end])` for `start < end` from full-subtree hashes (RFC 6962 §2.1).
pub(crate) fn range_hash(node: &mut NodeSource<'_>, start: u64, end: u64) -> Result<Hash, Error> {
    let n = end - start;
    if n.is_power_of_two() && start % n == 0 {
        let level = n.trailing_zeros();
        return node(level, start >> level);
    }
    let k = split_point(n);
    let left = range_hash(node, start, start + k)?;
    let right = range_hash(node, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// RFC 6962 §2.1.1 `PATH(index, D[0:size])`, from the leaf upwards. Requires `index < size`.
pub(crate) fn inclusion_path(
    node: &mut NodeSource<'_>,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, Error> {
    if index >= size {
        return Err(Error::IndexOutOfRange { index, size });
    }
    let mut out = Vec::new();
    let (mut m, mut start, mut end) = (index, 0u64, size);
    // Walk down from the root, collecting siblings, then reverse (leaf first).
    while end - start > 1 {
        let k = split_point(end - start);
        if m < k {
            out.push(range_hash(node, start + k, end)?);
            end = start + k;
        } else {
            out.push(range_hash(node, start, start + k)?);
            start += k;
            m -= k;
        }
    }
    out.reverse();
    Ok(out)
}

/// RFC 6962 §2.1.2 `PROOF(size1, D[0:size2])`. Requires `0 < size1 <= size2`.
pub(crate) fn consistency_path(
    node: &mut NodeSource<'_>,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, Error> {
    if size1 > size2 {
        return Err(Error::ConsistencySizeOrder { size1, size2 });
    }
    if size1 == 0 {
        return Err(Error::ConsistencyFromEmptyTree);
    }
    let mut out = Vec::new();
    let (mut m, mut start, mut end, mut complete) = (size1, 0u64, size2, true);
    loop {
        let n = end - start;
        if m == n {
            if !complete {
                out.push(range_hash(node, start, end)?);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            out.push(range_hash(node, start + k, end)?);
            end = start + k;
        } else {
            out.push(range_hash(node, start, start + k)?);
            start += k;
            m -= k;
            complete = false;
        }
    }
    out.reverse();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{root_from_leaves, verify_consistency, verify_inclusion, MAX_PROOF_HASHES};

    fn data(i: u64) -> Vec<u8> {
        format!("leaf {i}").into_bytes()
    }

    #[test]
    fn proofs_for_every_index_and_size_verify() {
        let mut tree = MerkleTree::new();
        let leaves: Vec<Vec<u8>> = (0..70).map(data).collect();
        for l in &leaves {
            tree.append(l).unwrap();
        }
        for size in 1..=70u64 {
            let root = tree.root_at(size).unwrap();
            assert_eq!(root, root_from_leaves(&leaves[..size as usize]));
            for index in 0..size {
                let proof = tree.inclusion_proof(index, size).unwrap();
                assert!(proof.len() <= MAX_PROOF_HASHES);
                verify_inclusion(
                    index,
                    size,
                    &leaf_hash(&leaves[index as usize]),
                    &proof,
                    &root,
                )
                .unwrap();
            }
            for size1 in 1..=size {
                let proof = tree.consistency_proof(size1, size).unwrap();
                verify_consistency(size1, size, &proof, &tree.root_at(size1).unwrap(), &root)
                    .unwrap();
            }
        }
    }

    #[test]
    fn strata_match_recomputation_across_tiles() {
        // Spans several 256-leaf tiles and one 65536-leaf stratum boundary is not needed: check
        // that cached and recomputed hashes agree on a few thousand leaves.
        let mut tree = MerkleTree::new();
        let mut hashes = Vec::new();
        for i in 0..1300u64 {
            let h = leaf_hash(&data(i));
            hashes.push(h);
            tree.append_leaf_hash(h).unwrap();
        }
        for size in [1u64, 255, 256, 257, 511, 512, 513, 1024, 1299, 1300] {
            assert_eq!(
                tree.root_at(size).unwrap(),
                crate::merkle::root_from_leaf_hashes(&hashes[..size as usize])
            );
        }
        for (index, size) in [
            (0u64, 1300u64),
            (255, 256),
            (256, 1300),
            (1299, 1300),
            (700, 1024),
        ] {
            let proof = tree.inclusion_proof(index, size).unwrap();
            verify_inclusion(
                index,
                size,
                &hashes[index as usize],
                &proof,
                &tree.root_at(size).unwrap(),
            )
            .unwrap();
        }
        let proof = tree.consistency_proof(300, 1300).unwrap();
        verify_consistency(
            300,
            1300,
            &proof,
            &tree.root_at(300).unwrap(),
            &tree.root().unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn persisted_memory_store_reloads() {
        let mut tree = MerkleTree::new();
        for i in 0..600 {
            tree.append(&data(i)).unwrap();
        }
        let old_root = tree.root().unwrap();
        let bytes = tree.store().to_bytes();
        let mut reloaded = MerkleTree::open(MemoryStore::from_bytes(&bytes).unwrap()).unwrap();
        assert_eq!(reloaded.root().unwrap(), old_root);
        for i in 600..900 {
            reloaded.append(&data(i)).unwrap();
        }
        let proof = reloaded.consistency_proof(600, 900).unwrap();
        verify_consistency(600, 900, &proof, &old_root, &reloaded.root().unwrap()).unwrap();
        assert!(matches!(
            MemoryStore::from_bytes(&bytes[..bytes.len() - 1]),
            Err(Error::StoreCorrupt(_))
        ));
        assert!(matches!(
            MemoryStore::from_bytes(b"nope"),
            Err(Error::StoreCorrupt(_))
        ));
    }

    #[test]
    fn file_store_appends_reloads_and_proves() {
        let dir = std::env::temp_dir().join(format!("sigstore-tlog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("leaves.bin");
        let _ = std::fs::remove_file(&path);
        let (root_a, size_a) = {
            let mut tree = MerkleTree::open(FileStore::open(&path).unwrap()).unwrap();
            for i in 0..520 {
                tree.append(&data(i)).unwrap();
            }
            (tree.root().unwrap(), tree.size())
        };
        let mut tree = MerkleTree::open(FileStore::open(&path).unwrap()).unwrap();
        assert_eq!(tree.size(), size_a);
        assert_eq!(tree.root().unwrap(), root_a);
        for i in 520..800 {
            tree.append(&data(i)).unwrap();
        }
        let root_b = tree.root().unwrap();
        let proof = tree.consistency_proof(size_a, 800).unwrap();
        verify_consistency(size_a, 800, &proof, &root_a, &root_b).unwrap();
        let incl = tree.inclusion_proof(519, 800).unwrap();
        verify_inclusion(519, 800, &leaf_hash(&data(519)), &incl, &root_b).unwrap();
        // A torn write is detected on open.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(&[1, 2, 3])
            .unwrap();
        assert!(matches!(
            FileStore::open(&path),
            Err(Error::StoreCorrupt(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_requests_are_typed_errors() {
        let mut tree = MerkleTree::new();
        tree.append(b"a").unwrap();
        assert!(matches!(tree.root_at(2), Err(Error::TreeTooSmall { .. })));
        assert!(matches!(
            tree.inclusion_proof(1, 1),
            Err(Error::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            tree.consistency_proof(0, 1),
            Err(Error::ConsistencyFromEmptyTree)
        ));
        assert_eq!(tree.root_at(0).unwrap(), empty_root());
    }
}
