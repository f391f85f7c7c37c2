//! The append-only log shared by Rekor v1 and v2: sigstore-tlog's [`MerkleTree`] over leaf
//! hashes, plus the entry bodies and their integration times. With a state directory the leaf
//! hashes live in a [`FileStore`] and the entries in an append-only JSON-lines file, so a
//! restart loses nothing.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sigstore_tlog::merkle::{leaf_hash, root_from_leaf_hashes, Hash};
use sigstore_tlog::tree::{FileStore, MemoryStore, MerkleTree};

use crate::Error;

enum Tree {
    Memory(MerkleTree<MemoryStore>),
    File(MerkleTree<FileStore>),
}

macro_rules! with_tree {
    ($t:expr, $v:ident => $e:expr) => {
        match $t {
            Tree::Memory($v) => $e,
            Tree::File($v) => $e,
        }
    };
}

/// One stored entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredEntry {
    /// Canonical body (base64 in the file).
    #[serde(with = "b64")]
    pub body: Vec<u8>,
    /// Integration time (Unix seconds).
    pub integrated_time: i64,
}

mod b64 {
    use super::*;
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(v))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        B64.decode(s).map_err(serde::de::Error::custom)
    }
}

struct Inner {
    tree: Tree,
    entries: Vec<StoredEntry>,
    by_leaf: HashMap<Hash, u64>,
    file: Option<File>,
}

/// A log.
pub(crate) struct Log {
    inner: Mutex<Inner>,
}

/// What `append` did.
pub(crate) enum Appended {
    /// A new entry at this index.
    New(u64),
    /// The body was already logged at this index.
    Duplicate(u64),
}

impl Log {
    pub fn open(dir: Option<&Path>) -> Result<Log, Error> {
        let mut entries = Vec::new();
        let (tree, file) = match dir {
            None => (Tree::Memory(MerkleTree::new()), None),
            Some(d) => {
                std::fs::create_dir_all(d)?;
                let path = d.join("entries.jsonl");
                if path.exists() {
                    for line in BufReader::new(File::open(&path)?).lines() {
                        let line = line?;
                        if line.trim().is_empty() {
                            continue;
                        }
                        entries.push(serde_json::from_str::<StoredEntry>(&line)?);
                    }
                }
                let mut tree = MerkleTree::open(FileStore::open(d.join("leaves.bin"))?)?;
                let size = usize::try_from(tree.size()).map_err(|_| Error::CorruptState("size"))?;
                if size > entries.len() {
                    return Err(Error::CorruptState("more leaves than entries"));
                }
                // Entries are written before leaves: finish an interrupted append.
                for e in entries.iter().skip(size) {
                    tree.append(&e.body)?;
                }
                let file = OpenOptions::new().create(true).append(true).open(&path)?;
                (Tree::File(tree), Some(file))
            }
        };
        let mut by_leaf = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_leaf.insert(leaf_hash(&e.body), i as u64);
        }
        if let Tree::Memory(t) = &tree {
            debug_assert_eq!(t.size(), 0);
        }
        Ok(Log {
            inner: Mutex::new(Inner {
                tree,
                entries,
                by_leaf,
                file,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    pub fn append(&self, body: Vec<u8>, integrated_time: i64) -> Result<Appended, Error> {
        let mut inner = self.lock();
        let lh = leaf_hash(&body);
        if let Some(i) = inner.by_leaf.get(&lh) {
            return Ok(Appended::Duplicate(*i));
        }
        let entry = StoredEntry {
            body,
            integrated_time,
        };
        if let Some(f) = inner.file.as_mut() {
            let mut line = serde_json::to_string(&entry)?;
            line.push('\n');
            f.write_all(line.as_bytes())?;
            f.flush()?;
        }
        let index = with_tree!(&mut inner.tree, t => t.append_leaf_hash(lh))?;
        inner.entries.push(entry);
        inner.by_leaf.insert(lh, index);
        Ok(Appended::New(index))
    }

    pub fn size(&self) -> u64 {
        let inner = self.lock();
        with_tree!(&inner.tree, t => t.size())
    }

    pub fn entry(&self, index: u64) -> Option<StoredEntry> {
        let inner = self.lock();
        usize::try_from(index)
            .ok()
            .and_then(|i| inner.entries.get(i).cloned())
    }

    pub fn find(&self, leaf: &Hash) -> Option<u64> {
        self.lock().by_leaf.get(leaf).copied()
    }

    pub fn root_at(&self, size: u64) -> Result<Hash, Error> {
        let inner = self.lock();
        Ok(with_tree!(&inner.tree, t => t.root_at(size))?)
    }

    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, Error> {
        let inner = self.lock();
        Ok(with_tree!(&inner.tree, t => t.inclusion_proof(index, size))?)
    }

    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, Error> {
        let inner = self.lock();
        Ok(with_tree!(&inner.tree, t => t.consistency_proof(size1, size2))?)
    }

    pub fn leaf_hash(&self, index: u64) -> Result<Hash, Error> {
        let inner = self.lock();
        Ok(with_tree!(&inner.tree, t => t.leaf_hash(index))?)
    }

    /// The root of a different tree of the same size: the last leaf replaced (a fork).
    pub fn forked_root(&self, size: u64) -> Result<Hash, Error> {
        let mut leaves = Vec::new();
        for i in 0..size.saturating_sub(1) {
            leaves.push(self.leaf_hash(i)?);
        }
        leaves.push(leaf_hash(b"sigstore-testkit fork"));
        Ok(root_from_leaf_hashes(&leaves))
    }

    /// Hash of the perfect subtree of `2^level` leaves starting at leaf `index << level`
    /// (every leaf of it must exist).
    pub fn subtree_hash(&self, level: u32, index: u64) -> Result<Hash, Error> {
        let width = 1u64 << level;
        let start = index * width;
        let mut leaves = Vec::new();
        for i in start..start + width {
            leaves.push(self.leaf_hash(i)?);
        }
        Ok(root_from_leaf_hashes(&leaves))
    }
}
