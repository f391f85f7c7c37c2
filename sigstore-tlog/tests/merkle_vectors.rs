#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Every transparency-dev inclusion and consistency vector gets its `wantErr` outcome, and the
//! mutated ones the specific error kind.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;
use sigstore_tlog::merkle::{
    consistency_proof_len, inclusion_proof_len, verify_consistency_slices, verify_inclusion_slices,
    HASH_LEN,
};
use sigstore_tlog::Error;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

fn hashes(v: &Value) -> Vec<Vec<u8>> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a.iter().map(|h| common::b64(h.as_str().unwrap())).collect(),
        other => panic!("bad proof {other}"),
    }
}

#[derive(Debug, PartialEq)]
enum Kind {
    Ok,
    IndexOutOfRange,
    WrongProofSize,
    InvalidHashLength,
    RootMismatch,
    SizeOrder,
    FromEmpty,
}

fn kind_of(r: &Result<(), Error>) -> Kind {
    match r {
        Ok(()) => Kind::Ok,
        Err(Error::IndexOutOfRange { .. }) => Kind::IndexOutOfRange,
        Err(Error::WrongProofSize { .. }) => Kind::WrongProofSize,
        Err(Error::InvalidHashLength { .. }) => Kind::InvalidHashLength,
        Err(Error::RootMismatch { .. }) => Kind::RootMismatch,
        Err(Error::ConsistencySizeOrder { .. }) => Kind::SizeOrder,
        Err(Error::ConsistencyFromEmptyTree) => Kind::FromEmpty,
        Err(e) => panic!("unexpected error kind {e:?}"),
    }
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The error kind a mutated inclusion vector must produce, from its mutation name and data.
fn expected_inclusion(
    name: &str,
    idx: u64,
    size: u64,
    proof: &[Vec<u8>],
    leaf: &[u8],
    root: &[u8],
) -> Kind {
    let shape = || {
        if idx >= size {
            return Some(Kind::IndexOutOfRange);
        }
        if inclusion_proof_len(idx, size).unwrap() != proof.len() {
            return Some(Kind::WrongProofSize);
        }
        None
    };
    let hash_kind = || {
        if leaf.len() != HASH_LEN
            || root.len() != HASH_LEN
            || proof.iter().any(|h| h.len() != HASH_LEN)
        {
            Kind::InvalidHashLength
        } else {
            Kind::RootMismatch
        }
    };
    match name {
        "happy-path" | "matching-root-and-leaf" => Kind::Ok,
        n if n.starts_with("leafIdx-") || n.starts_with("treeSize-") => {
            shape().unwrap_or(Kind::RootMismatch)
        }
        "trailing-garbage" | "preceding-garbage" | "trailing-root" | "preceding-root"
        | "removed-component" | "inserted-component" => {
            assert_eq!(shape(), Some(Kind::WrongProofSize), "{name}");
            Kind::WrongProofSize
        }
        n if n.starts_with("modified-proof") => Kind::RootMismatch,
        "wrong-leaf"
        | "empty-leaf"
        | "empty-root"
        | "random-root"
        | "random-leaf"
        | "empty-root-and-leaf"
        | "empty-root-and-random-leaf" => shape().unwrap_or_else(hash_kind),
        other => panic!("unknown inclusion mutation {other}"),
    }
}

fn expected_consistency(
    name: &str,
    s1: u64,
    s2: u64,
    proof: &[Vec<u8>],
    r1: &[u8],
    r2: &[u8],
) -> Kind {
    let shape = || {
        if s2 < s1 {
            return Some(Kind::SizeOrder);
        }
        if s1 == 0 {
            return Some(Kind::FromEmpty);
        }
        if consistency_proof_len(s1, s2).unwrap() != proof.len() {
            return Some(Kind::WrongProofSize);
        }
        None
    };
    match name {
        "happy-path" => Kind::Ok,
        n if n.starts_with("size1-") || n.starts_with("size2-") => {
            shape().unwrap_or(Kind::RootMismatch)
        }
        "empty-proof" | "trailing-garbage" | "preceding-garbage" | "trailing-root1"
        | "trailing-root2" | "preceding-root1" | "preceding-root2" | "preceding-proof-@0"
        | "truncated-proof" => {
            assert_eq!(shape(), Some(Kind::WrongProofSize), "{name}");
            Kind::WrongProofSize
        }
        n if n.starts_with("modified-proof") || n == "swapped-roots" => Kind::RootMismatch,
        "wrong-root1" | "wrong-root2" => {
            assert!(r1.len() != HASH_LEN || r2.len() != HASH_LEN);
            Kind::InvalidHashLength
        }
        // transparency-dev "additional" table cases.
        "size1-is-greater-than-size2" | "size1-is-greater-than-size2-again" => Kind::SizeOrder,
        "consistency-check-on-empty-tree-size1-is-zero-is-useless"
        | "size1-is-zero-and-does-not-equal-size2"
        | "size1-is-zero-and-size2-is-not-zero"
        | "sizes-are-equal-zero-and-proof-is-empty"
        | "sizes-are-equal-zero-but-roots-are-not"
        | "roots-do-not-match-and-sizes-are-zero"
        | "sizes-match-but-proof-is-not-empty-and-sizes-are-zero" => Kind::FromEmpty,
        "sizes-are-equal-one-and-proof-is-empty" => Kind::Ok,
        "sizes-are-equal-one-but-roots-are-not" | "roots-do-not-not-match-and-sizes-are-one" => {
            Kind::RootMismatch
        }
        "sizes-match-but-proof-is-not-empty-and-sizes-are-one"
        | "sizes-do-not-watch-and-proof-is-empty" => Kind::WrongProofSize,
        other => panic!("unknown consistency mutation {other}"),
    }
}

#[test]
fn all_merkle_vectors() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let base = shared.join("testvectors/merkle/testdata");
    let mut inclusion = Vec::new();
    collect(&base.join("inclusion"), &mut inclusion);
    let mut consistency = Vec::new();
    collect(&base.join("consistency"), &mut consistency);

    let mut ran = 0usize;
    for path in &inclusion {
        let v = common::read_json(path);
        let idx = v["leafIdx"].as_u64().unwrap();
        let size = v["treeSize"].as_u64().unwrap();
        let leaf = common::b64(v["leafHash"].as_str().unwrap());
        let root = common::b64(v["root"].as_str().unwrap());
        let proof = hashes(&v["proof"]);
        let want_err = v["wantErr"].as_bool().unwrap();
        let got = kind_of(&verify_inclusion_slices(idx, size, &leaf, &proof, &root));
        assert_eq!(
            got != Kind::Ok,
            want_err,
            "{}: wantErr mismatch ({got:?})",
            path.display()
        );
        let expected = expected_inclusion(&stem(path), idx, size, &proof, &leaf, &root);
        assert_eq!(got, expected, "{}", path.display());
        ran += 1;
    }
    for path in &consistency {
        let v = common::read_json(path);
        let s1 = v["size1"].as_u64().unwrap();
        let s2 = v["size2"].as_u64().unwrap();
        let r1 = common::b64(v["root1"].as_str().unwrap());
        let r2 = common::b64(v["root2"].as_str().unwrap());
        let proof = hashes(&v["proof"]);
        let want_err = v["wantErr"].as_bool().unwrap();
        let got = kind_of(&verify_consistency_slices(s1, s2, &proof, &r1, &r2));
        assert_eq!(
            got != Kind::Ok,
            want_err,
            "{}: wantErr mismatch ({got:?})",
            path.display()
        );
        let expected = expected_consistency(&stem(path), s1, s2, &proof, &r1, &r2);
        assert_eq!(got, expected, "{}", path.display());
        ran += 1;
    }
    println!(
        "ran {} inclusion + {} consistency = {ran} Merkle vectors",
        inclusion.len(),
        consistency.len()
    );
    assert_eq!(inclusion.len(), 98, "inclusion vector count changed");
    assert_eq!(consistency.len(), 98, "consistency vector count changed");
    assert_eq!(ran, 196);
}
