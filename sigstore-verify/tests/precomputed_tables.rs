//! The comb tables compiled into sigstore-crypto (feature `precomputed-tables`, on by default)
//! cover every ECDSA key of the embedded production trusted root that is still in use (no end
//! date): the Rekor and CT log keys, the key of each Fulcio chain's issuing certificate and of
//! each TSA's signing certificate. Keys of ended entries and of the staging root have none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use sigstore_bundle::TrustedRoot;
use sigstore_crypto::{KeyKind, PublicKey};
use sigstore_fulcio::Certificate;

/// (description, key, still in use) for every key that signs something a verifier checks.
fn keys(root: &TrustedRoot) -> Vec<(String, PublicKey, bool)> {
    let mut out = Vec::new();
    for log in root.tlogs.iter().chain(&root.ctlogs) {
        let pk = &log.public_key;
        if pk.key_details.starts_with("PKCS1_") {
            // A PKCS#1 RSA key (staging's retired CT log), not a SubjectPublicKeyInfo.
            continue;
        }
        let key = PublicKey::from_spki_der(pk.raw_bytes.as_ref().unwrap()).unwrap();
        let current = pk.valid_for.as_ref().is_none_or(|v| v.end.is_none());
        out.push((log.base_url.clone(), key, current));
    }
    for ca in root
        .certificate_authorities
        .iter()
        .chain(&root.timestamp_authorities)
    {
        let issuing = Certificate::from_der(&ca.cert_chain[0]).unwrap();
        let current = ca.valid_for.as_ref().is_none_or(|v| v.end.is_none());
        let name = format!("{} chain[0]", ca.uri.clone().unwrap_or_default());
        out.push((name, issuing.public_key().clone(), current));
    }
    out
}

fn is_ecdsa(key: &PublicKey) -> bool {
    matches!(key.kind(), KeyKind::EcdsaP256 | KeyKind::EcdsaP384)
}

#[test]
fn production_keys_in_use_have_tables() {
    let root = TrustedRoot::production().unwrap();
    let mut with_table = 0;
    for (name, key, current) in keys(&root) {
        let expected = cfg!(feature = "precomputed-tables") && current && is_ecdsa(&key);
        assert_eq!(
            key.has_precomputed_table(),
            expected,
            "{name}: add it to sigstore-crypto/tables/keys.txt"
        );
        with_table += usize::from(expected);
    }
    if cfg!(feature = "precomputed-tables") {
        // Rekor v1, CT log 2022, the Fulcio intermediate and the TSA signing certificate.
        assert_eq!(with_table, 4);
    }
}

#[test]
fn staging_keys_have_no_tables() {
    let root = TrustedRoot::staging().unwrap();
    let all = keys(&root);
    assert!(all.iter().filter(|(_, k, _)| is_ecdsa(k)).count() >= 4);
    for (name, key, _) in all {
        assert!(!key.has_precomputed_table(), "{name}");
    }
}
