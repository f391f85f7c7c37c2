//! Benchmarks: inclusion-proof verification in a 2^40-leaf tree, and checkpoint parse + verify.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sigstore_crypto::KeySigner;
use sigstore_tlog::merkle::{leaf_hash, root_from_inclusion_proof, verify_inclusion, Hash};
use sigstore_tlog::note::{verify_checkpoint, Checkpoint, ExpectedOrigin, LogKey, SignedNote};

fn inclusion_2_40(c: &mut Criterion) {
    let size: u64 = 1 << 40;
    let index = size - 3;
    let leaf = leaf_hash(b"benchmark leaf");
    // A 40-hash proof (any hashes: the root is derived from them).
    let proof: Vec<Hash> = (0..40u8).map(|i| leaf_hash(&[i])).collect();
    let root = root_from_inclusion_proof(index, size, &leaf, &proof).unwrap();
    verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
    let (l, r) = (leaf_hash(b"l"), leaf_hash(b"r"));
    c.bench_function("node_hash", |b| {
        b.iter(|| sigstore_tlog::merkle::node_hash(black_box(&l), black_box(&r)))
    });
    c.bench_function("verify_inclusion 2^40 leaves (40 hashes)", |b| {
        b.iter(|| {
            verify_inclusion(
                black_box(index),
                black_box(size),
                black_box(&leaf),
                black_box(&proof),
                black_box(&root),
            )
            .unwrap()
        })
    });
}

fn checkpoints(c: &mut Criterion) {
    let root = leaf_hash(b"root");
    let text = Checkpoint::new("log.example", 1 << 40, root, vec![])
        .unwrap()
        .to_text();
    let origin = ExpectedOrigin::Exact("log.example".into());
    for (label, signer) in [
        ("Ed25519", KeySigner::generate_ed25519().unwrap()),
        ("ECDSA P-256", KeySigner::generate_p256().unwrap()),
    ] {
        let key = LogKey::new("log.example", sigstore_crypto::Signer::public_key(&signer)).unwrap();
        let note = SignedNote::sign(&text, "log.example", &signer).unwrap();
        let keys = [key];
        verify_checkpoint(&note, &origin, &keys, None).unwrap();
        c.bench_function(&format!("checkpoint parse+verify ({label})"), |b| {
            b.iter(|| verify_checkpoint(black_box(&note), &origin, &keys, None).unwrap())
        });
    }
    let note = SignedNote::sign(
        &text,
        "log.example",
        &KeySigner::generate_ed25519().unwrap(),
    )
    .unwrap();
    c.bench_function("signed note parse only", |b| {
        b.iter(|| SignedNote::parse(black_box(&note)).unwrap())
    });
}

criterion_group!(benches, inclusion_2_40, checkpoints);
criterion_main!(benches);
