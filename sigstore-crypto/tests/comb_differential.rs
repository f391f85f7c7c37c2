//! Differential test of the table-backed ECDSA path: once a P-256 or P-384 key has been used
//! [`COMB_AFTER_USES`] times it verifies through precomputed comb tables; its verdict on valid,
//! altered, high-S and malformed signatures must equal RustCrypto's own verifier, every time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use p256::pkcs8::EncodePrivateKey;
use rand_core::{OsRng, RngCore};
use signature::{Signer as _, Verifier as _};
use sigstore_crypto::{
    Backend, HashAlgorithm, KeySigner, PublicKey, SignatureScheme, Signer, COMB_AFTER_USES,
};

/// Mutations applied to a (message, DER signature) pair; the reference decides validity.
fn mutate(round: u32, msg: &mut Vec<u8>, sig: &mut Vec<u8>) {
    let pick = (OsRng.next_u32() as usize) % 1024;
    match round % 6 {
        0 => {} // untouched
        1 => {
            let i = pick % msg.len();
            msg[i] ^= 1 << (round % 8);
        }
        2 => {
            let i = pick % sig.len();
            sig[i] ^= 1 << (round % 8);
        }
        3 => sig.truncate(sig.len() - 1),
        4 => msg.push(0),
        _ => {
            // Swap in a signature over another message.
            msg[0] ^= 0x80;
        }
    }
}

fn run(
    name: &str,
    scheme: SignatureScheme,
    spki: Vec<u8>,
    sign: impl Fn(&[u8]) -> Vec<u8>,
    reference: impl Fn(&[u8], &[u8]) -> bool,
) {
    let key = PublicKey::from_spki_der(&spki).unwrap();
    // Warm the key past the threshold with valid signatures.
    for i in 0..=COMB_AFTER_USES {
        let m = format!("warm {i}");
        key.verify(scheme, m.as_bytes(), &sign(m.as_bytes()))
            .unwrap();
    }
    let mut agree = 0;
    for round in 0..120u32 {
        let mut msg = vec![0u8; 1 + (OsRng.next_u32() as usize % 200)];
        OsRng.fill_bytes(&mut msg);
        let mut sig = sign(&msg);
        mutate(round, &mut msg, &mut sig);
        let expected = reference(&msg, &sig);
        for &backend in Backend::available() {
            let got = key.verify_with_backend(backend, scheme, &msg, &sig).is_ok();
            assert_eq!(got, expected, "{name} round {round} backend {backend:?}");
        }
        let digest = scheme.hash_algorithm().unwrap().hash(&msg);
        assert_eq!(
            key.verify_prehashed(scheme, digest.as_bytes(), &sig)
                .is_ok(),
            expected,
            "{name} prehashed round {round}"
        );
        agree += 1;
    }
    assert_eq!(agree, 120);
}

#[test]
fn p256_table_path_agrees_with_rustcrypto() {
    let sk = p256::ecdsa::SigningKey::random(&mut OsRng);
    let vk = *sk.verifying_key();
    let signer = KeySigner::from_pkcs8_der(sk.to_pkcs8_der().unwrap().as_bytes()).unwrap();
    run(
        "P-256",
        SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
        signer.public_key().spki_der().to_vec(),
        |m| signer.sign(m).unwrap(),
        |m, s| {
            p256::ecdsa::Signature::from_der(s)
                .map(|sig| vk.verify(m, &sig).is_ok())
                .unwrap_or(false)
        },
    );
    // High-S form of a valid signature: whatever RustCrypto decides, the table path agrees.
    let key = PublicKey::from_spki_der(signer.public_key().spki_der()).unwrap();
    for i in 0..=COMB_AFTER_USES {
        let m = format!("warm {i}");
        key.verify(
            SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            m.as_bytes(),
            &signer.sign(m.as_bytes()).unwrap(),
        )
        .unwrap();
    }
    let sig: p256::ecdsa::Signature = sk.sign(b"high s");
    let (r, s) = sig.split_scalars();
    let high = p256::ecdsa::Signature::from_scalars(*r, -*s).unwrap();
    let expected = vk.verify(b"high s", &high).is_ok();
    assert_eq!(
        key.verify(
            SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            b"high s",
            high.to_der().as_bytes()
        )
        .is_ok(),
        expected
    );
}

#[test]
fn p384_table_path_agrees_with_rustcrypto() {
    let sk = p384::ecdsa::SigningKey::random(&mut OsRng);
    let vk = *sk.verifying_key();
    let signer = KeySigner::from_pkcs8_der(sk.to_pkcs8_der().unwrap().as_bytes()).unwrap();
    run(
        "P-384",
        SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
        signer.public_key().spki_der().to_vec(),
        |m| signer.sign(m).unwrap(),
        |m, s| {
            p384::ecdsa::Signature::from_der(s)
                .map(|sig| vk.verify(m, &sig).is_ok())
                .unwrap_or(false)
        },
    );
}
