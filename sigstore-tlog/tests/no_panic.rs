#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Mutation smoke test: random edits of valid inputs never panic the parsers and verifiers.

use sigstore_crypto::KeySigner;
use sigstore_tlog::entry::EntryBody;
use sigstore_tlog::merkle::{verify_consistency_slices, verify_inclusion_slices};
use sigstore_tlog::note::{verify_checkpoint, Checkpoint, ExpectedOrigin, LogKey, SignedNote};

use sigstore_test_support::Rng;

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let pos = rng.below(v.len() + 1);
        match rng.below(4) {
            0 if pos < v.len() => v[pos] = rng.next_u64() as u8,
            1 if pos < v.len() => {
                v.remove(pos);
            }
            2 => v.insert(pos, b"\n \x2b=\xe2\x80\x94{}[]\":0A"[rng.below(14)]),
            _ => v.truncate(pos),
        }
    }
    v
}

#[test]
fn random_mutations_never_panic() {
    let signer = KeySigner::generate_ed25519().unwrap();
    let key = LogKey::new("log.example", sigstore_crypto::Signer::public_key(&signer)).unwrap();
    let text = Checkpoint::new("log.example", 12, [7u8; 32], vec!["ext".into()])
        .unwrap()
        .to_text();
    let note = SignedNote::sign(&text, "log.example", &signer).unwrap();
    let origin = ExpectedOrigin::Exact("log.example".into());
    let body = br#"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"signature":{"content":"AQ==","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":"AQ=="}}}}}}"#;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let n = mutate(&mut rng, note.as_bytes());
        let _ = verify_checkpoint(&n, &origin, std::slice::from_ref(&key), None);
        if let Ok(s) = std::str::from_utf8(&n) {
            let _ = Checkpoint::parse(s);
        }
        let b = mutate(&mut rng, body);
        let _ = EntryBody::parse(&b);
        let idx = rng.next_u64() >> rng.below(64);
        let size = rng.next_u64() >> rng.below(64);
        let proof: Vec<Vec<u8>> = (0..rng.below(70)).map(|_| vec![1u8; 32]).collect();
        let _ = verify_inclusion_slices(idx, size, &[0u8; 32], &proof, &[0u8; 32]);
        let _ = verify_consistency_slices(idx, size, &proof, &[0u8; 32], &[0u8; 32]);
    }
}
