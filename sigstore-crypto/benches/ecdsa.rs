//! ECDSA verification with the default (pure-Rust) backend, each path measured two ways: one
//! signature verified over and over, and 256 different signatures by the same key in turn.
//! The first is the usual micro-benchmark, but it lets the CPU's branch predictor learn the
//! data-dependent branches of that one signature; the second is what verifying many bundles
//! (or one bundle in a fresh process) looks like. `BENCHMARKS.md` item 27.
//!
//! ```text
//! cargo bench -p sigstore-crypto --bench ecdsa
//! ```
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use p384::ecdsa::signature::Signer as _;
use p384::pkcs8::EncodePrivateKey as _;
use sigstore_crypto::{
    HashAlgorithm, KeySigner, PublicKey, SignatureScheme, Signer as _, COMB_AFTER_USES,
};

/// Signatures per key in the "different signatures" runs.
const SIGNATURES: usize = 256;

/// `SIGNATURES` messages and their signatures under one key, and the key's SPKI.
struct Corpus {
    spki: Vec<u8>,
    scheme: SignatureScheme,
    messages: Vec<Vec<u8>>,
    signatures: Vec<Vec<u8>>,
}

fn p256_corpus() -> Corpus {
    let signer = KeySigner::generate_p256().unwrap();
    let messages: Vec<Vec<u8>> = (0..SIGNATURES as u32)
        .map(|i| i.to_be_bytes().to_vec())
        .collect();
    let signatures = messages.iter().map(|m| signer.sign(m).unwrap()).collect();
    Corpus {
        spki: signer.public_key().spki_der().to_vec(),
        scheme: SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
        messages,
        signatures,
    }
}

fn p384_corpus() -> Corpus {
    let key = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let signer = KeySigner::from_pkcs8_der(pkcs8.as_bytes()).unwrap();
    let messages: Vec<Vec<u8>> = (0..SIGNATURES as u32)
        .map(|i| i.to_be_bytes().to_vec())
        .collect();
    let signatures = messages
        .iter()
        .map(|m| {
            let sig: p384::ecdsa::Signature = key.sign(m);
            sig.to_der().as_bytes().to_vec()
        })
        .collect();
    Corpus {
        spki: signer.public_key().spki_der().to_vec(),
        scheme: SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
        messages,
        signatures,
    }
}

/// The key with its comb table built (it has verified more than `COMB_AFTER_USES` times).
fn with_comb(corpus: &Corpus) -> PublicKey {
    let key = PublicKey::from_spki_der(&corpus.spki).unwrap();
    for _ in 0..=COMB_AFTER_USES {
        key.verify(corpus.scheme, &corpus.messages[0], &corpus.signatures[0])
            .unwrap();
    }
    key
}

fn bench_curve(c: &mut Criterion, name: &str, corpus: &Corpus) {
    let mut g = c.benchmark_group(name);
    // A key seen once (the signing certificate's): parsed, then one table-less verification.
    g.bench_function("new key, one signature repeated", |b| {
        b.iter(|| {
            let key = PublicKey::from_spki_der(black_box(&corpus.spki)).unwrap();
            key.verify(corpus.scheme, &corpus.messages[0], &corpus.signatures[0])
                .unwrap()
        })
    });
    let mut i = 0;
    g.bench_function("new key, different signatures", |b| {
        b.iter(|| {
            i = (i + 1) % SIGNATURES;
            let key = PublicKey::from_spki_der(black_box(&corpus.spki)).unwrap();
            key.verify(corpus.scheme, &corpus.messages[i], &corpus.signatures[i])
                .unwrap()
        })
    });
    // A key with a comb table (trusted-root keys: logs, CAs, TSAs).
    let key = with_comb(corpus);
    g.bench_function("comb, one signature repeated", |b| {
        b.iter(|| {
            key.verify(corpus.scheme, &corpus.messages[0], &corpus.signatures[0])
                .unwrap()
        })
    });
    let mut i = 0;
    g.bench_function("comb, different signatures", |b| {
        b.iter(|| {
            i = (i + 1) % SIGNATURES;
            key.verify(corpus.scheme, &corpus.messages[i], &corpus.signatures[i])
                .unwrap()
        })
    });
    g.finish();
}

fn ecdsa(c: &mut Criterion) {
    bench_curve(c, "ecdsa P-256", &p256_corpus());
    bench_curve(c, "ecdsa P-384", &p384_corpus());
}

criterion_group!(benches, ecdsa);
criterion_main!(benches);
