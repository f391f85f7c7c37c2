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

impl Corpus {
    /// `SIGNATURES` distinct messages, each signed with `sign`.
    fn new(spki: Vec<u8>, scheme: SignatureScheme, sign: impl Fn(&[u8]) -> Vec<u8>) -> Self {
        let messages: Vec<Vec<u8>> = (0..SIGNATURES as u32)
            .map(|i| i.to_be_bytes().to_vec())
            .collect();
        let signatures = messages.iter().map(|m| sign(m)).collect();
        Corpus {
            spki,
            scheme,
            messages,
            signatures,
        }
    }

    /// Verifies signature `i` with `key`.
    fn verify(&self, key: &PublicKey, i: usize) {
        key.verify(self.scheme, &self.messages[i], &self.signatures[i])
            .unwrap();
    }

    /// A fresh key parsed from the SPKI (no comb table).
    fn fresh_key(&self) -> PublicKey {
        PublicKey::from_spki_der(black_box(&self.spki)).unwrap()
    }
}

fn p256_corpus() -> Corpus {
    let signer = KeySigner::generate_p256().unwrap();
    Corpus::new(
        signer.public_key().spki_der().to_vec(),
        SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
        |m| signer.sign(m).unwrap(),
    )
}

fn p384_corpus() -> Corpus {
    let key = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let signer = KeySigner::from_pkcs8_der(pkcs8.as_bytes()).unwrap();
    Corpus::new(
        signer.public_key().spki_der().to_vec(),
        SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
        |m| {
            let sig: p384::ecdsa::Signature = key.sign(m);
            sig.to_der().as_bytes().to_vec()
        },
    )
}

/// The key with its comb table built (it has verified more than `COMB_AFTER_USES` times).
fn with_comb(corpus: &Corpus) -> PublicKey {
    let key = corpus.fresh_key();
    for _ in 0..=COMB_AFTER_USES {
        corpus.verify(&key, 0);
    }
    key
}

fn bench_curve(c: &mut Criterion, name: &str, corpus: &Corpus) {
    let mut g = c.benchmark_group(name);
    // A key seen once (the signing certificate's): parsed, then one table-less verification.
    g.bench_function("new key, one signature repeated", |b| {
        b.iter(|| corpus.verify(&corpus.fresh_key(), 0))
    });
    let mut i = 0;
    g.bench_function("new key, different signatures", |b| {
        b.iter(|| {
            i = (i + 1) % SIGNATURES;
            corpus.verify(&corpus.fresh_key(), i)
        })
    });
    // A key with a comb table (trusted-root keys: logs, CAs, TSAs).
    let key = with_comb(corpus);
    g.bench_function("comb, one signature repeated", |b| {
        b.iter(|| corpus.verify(&key, 0))
    });
    let mut i = 0;
    g.bench_function("comb, different signatures", |b| {
        b.iter(|| {
            i = (i + 1) % SIGNATURES;
            corpus.verify(&key, i)
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
