//! Regression tests for catalog / advisory rows that no crate-level test covered (see
//! docs/security-tests.md): each drives the whole verifier on a conformance bundle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier, VerifyErrorKind};

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn cases_dir() -> Option<PathBuf> {
    const CASES: &str = "sigstore-conformance/assets/bundle-verify";
    sigstore_test_support::shared_dir(CASES).map(|d| d.join(CASES))
}

struct Case {
    root: Value,
    bundle: Value,
    artifact: Vec<u8>,
}

fn case(dir: &Path, name: &str) -> Case {
    let d = dir.join(name);
    let root = match std::fs::read(d.join("trusted_root.json")) {
        Ok(b) => serde_json::from_slice(&b).unwrap(),
        Err(_) => serde_json::from_slice(TrustedRoot::production_json()).unwrap(),
    };
    let artifact = std::fs::read(d.join("artifact"))
        .or_else(|_| std::fs::read(dir.join("a.txt")))
        .unwrap();
    Case {
        root,
        bundle: serde_json::from_slice(&std::fs::read(d.join("bundle.sigstore.json")).unwrap())
            .unwrap(),
        artifact,
    }
}

fn verify(root: &Value, bundle: &Value, artifact: &[u8]) -> Result<(), VerifyErrorKind> {
    let root = TrustedRoot::from_json(&serde_json::to_vec(root).unwrap())
        .map_err(|_| VerifyErrorKind::TrustRoot)?;
    let v = Verifier::builder(root).build().map_err(|e| e.kind())?;
    v.verify_json(
        &serde_json::to_vec(bundle).unwrap(),
        &Artifact::bytes(artifact.to_vec()),
        &Policy::identity(San::exact(IDENTITY), Issuer::exact(ISSUER)),
    )
    .map(|_| ())
    .map_err(|e| e.kind())
}

/// CVE-2026-44309 pattern (verifying re-encoded instead of raw bytes): a canonicalized body
/// re-serialized with different whitespace is the same JSON but different bytes; the leaf
/// hash and the SET cover the raw bytes, so it must not verify (Rekor v1 with SET + proof,
/// and Rekor v2 with proof only).
#[test]
fn reencoded_canonicalized_body_is_rejected() {
    let Some(dir) = cases_dir() else { return };
    for name in [
        "happy-path-v0.3",
        "rekor2-happy-path",
        "happy-path-intoto-in-dsse-v3",
    ] {
        let c = case(&dir, name);
        verify(&c.root, &c.bundle, &c.artifact).unwrap();
        let p = "/verificationMaterial/tlogEntries/0/canonicalizedBody";
        let raw = STANDARD
            .decode(c.bundle.pointer(p).unwrap().as_str().unwrap())
            .unwrap();
        let parsed: Value = serde_json::from_slice(&raw).unwrap();
        for reencoded in [
            serde_json::to_vec_pretty(&parsed).unwrap(),
            {
                let mut v = raw.clone();
                v.push(b'\n');
                v
            },
            {
                let mut v = vec![b' '];
                v.extend_from_slice(&raw);
                v
            },
        ] {
            assert_ne!(reencoded, raw);
            let mut b = c.bundle.clone();
            *b.pointer_mut(p).unwrap() = Value::String(STANDARD.encode(&reencoded));
            let err = verify(&c.root, &b, &c.artifact).unwrap_err();
            assert!(
                matches!(
                    err,
                    VerifyErrorKind::TransparencyLog | VerifyErrorKind::BundleFormat
                ),
                "{name}: {err:?}"
            );
        }
    }
}

/// TOB-SIGSTORE-11: a timestamp authority entry without certificates can vouch for nothing.
/// Here such an entry (with an open validity window, placed first and last) makes the trusted
/// root unusable as a whole (`TrustRoot`): it can never lend its window to a token, neither to
/// one whose own authority's window excludes genTime nor to a good one. (The verifier's trust
/// builder also skips empty-chain authorities, should the parser ever admit them.)
#[test]
fn empty_chain_timestamp_authority_lends_no_window() {
    let Some(dir) = cases_dir() else { return };
    let with_empty_tsa = |root: &Value| {
        let mut r = root.clone();
        let tsas = r["timestampAuthorities"].as_array_mut().unwrap();
        let mut empty = tsas[0].clone();
        empty["certChain"]["certificates"] = Value::Array(vec![]);
        empty["validFor"] = serde_json::json!({"start": "1970-01-01T00:00:00Z"});
        tsas.insert(0, empty.clone());
        tsas.push(empty);
        r
    };
    let bad = case(
        &dir,
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
    );
    assert_eq!(
        verify(&bad.root, &bad.bundle, &bad.artifact),
        Err(VerifyErrorKind::Timestamp)
    );
    assert_eq!(
        verify(&with_empty_tsa(&bad.root), &bad.bundle, &bad.artifact),
        Err(VerifyErrorKind::TrustRoot)
    );
    let good = case(&dir, "rekor2-happy-path");
    verify(&good.root, &good.bundle, &good.artifact).unwrap();
    assert_eq!(
        verify(&with_empty_tsa(&good.root), &good.bundle, &good.artifact),
        Err(VerifyErrorKind::TrustRoot)
    );
}
