//! Real timestamps from the sigstore-conformance suite and public-good bundles.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use sigstore_timestamp::{
    verify_timestamp, verify_timestamps, Error, TimeStampToken, VerifiedTimestamp,
};

fn case(name: &str) -> Option<(Vec<Vec<u8>>, Vec<u8>, serde_json::Value)> {
    let dir = shared_dir()?
        .join("sigstore-conformance/assets/bundle-verify")
        .join(name);
    let bundle = read_json(&dir.join("bundle.sigstore.json"));
    let root = read_json(&dir.join("trusted_root.json"));
    let (ts, sig) = bundle_timestamps(&bundle);
    assert_eq!(ts.len(), 1, "{name}: one timestamp expected");
    Some((ts, sig, root))
}

fn run(name: &str) -> Option<Result<VerifiedTimestamp, Error>> {
    let (ts, sig, root) = case(name)?;
    let auths = authorities(&root);
    Some(verify_timestamp(&ts[0], &sig, &auths))
}

#[test]
fn with_embedded_cert_passes() {
    let Some(r) = run("rekor2-timestamp-with-embedded-cert") else {
        return;
    };
    let v = r.unwrap();
    assert_eq!(v.time(), rfc3339("2025-08-06T18:51:36Z"));
    assert_eq!(v.authority_index(), 0);
}

#[test]
fn without_embedded_cert_passes() {
    let Some(r) = run("rekor2-timestamp-without-embedded-cert") else {
        return;
    };
    r.unwrap();
}

#[test]
fn expired_cert_chain_passes_at_gen_time() {
    let Some(r) = run("rekor2-timestamp-with-expired-cert-chain") else {
        return;
    };
    r.unwrap();
}

#[test]
fn validity_end_inclusive_passes() {
    let Some(r) = run("trust-root-tsa-validity-end-inclusive") else {
        return;
    };
    let v = r.unwrap();
    assert_eq!(v.time(), rfc3339("2025-06-12T12:02:20Z"));
}

#[test]
fn payload_mismatch_is_imprint_error() {
    let Some(r) = run("rekor2-timestamp-payload-mismatch_fail") else {
        return;
    };
    assert!(matches!(r, Err(Error::ImprintMismatch { .. })), "{r:?}");
}

#[test]
fn untrusted_tsa_with_embedded_cert() {
    let Some(r) = run("rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail") else {
        return;
    };
    assert!(matches!(r, Err(Error::UntrustedAuthority)), "{r:?}");
}

#[test]
fn untrusted_tsa_without_embedded_cert() {
    let Some(r) = run("rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail") else {
        return;
    };
    assert!(matches!(r, Err(Error::UntrustedAuthority)), "{r:?}");
}

#[test]
fn outside_tsa_cert_validity() {
    let Some(r) = run("rekor2-timestamp-outside-tsa-cert-validity_fail") else {
        return;
    };
    assert!(matches!(r, Err(Error::CertificateExpired { .. })), "{r:?}");
}

#[test]
fn outside_trust_root_tsa_validity() {
    let Some(r) = run("rekor2-timestamp-outside-trust-root-tsa-validity_fail") else {
        return;
    };
    assert!(matches!(r, Err(Error::OutsideValidity { .. })), "{r:?}");
}

/// The timestamp itself is valid; the bundle fails because genTime is outside the Fulcio
/// signing certificate's validity, which the verifier checks with the verified time.
#[test]
fn intoto_tsa_outside_signing_cert_validity() {
    let Some(dir) = shared_dir() else { return };
    for name in [
        "intoto-tsa-timestamp-outside-cert-validity_fail",
        "rekor2-timestamp-with-incorrect-time_fail",
    ] {
        let path = dir
            .join("sigstore-conformance/assets/bundle-verify")
            .join(name);
        let bundle = read_json(&path.join("bundle.sigstore.json"));
        let root = read_json(&path.join("trusted_root.json"));
        let (ts, sig) = bundle_timestamps(&bundle);
        let v = verify_timestamp(&ts[0], &sig, &authorities(&root)).unwrap();
        let vm = &bundle["verificationMaterial"];
        let leaf = vm["certificate"]["rawBytes"]
            .as_str()
            .or_else(|| vm["x509CertificateChain"]["certificates"][0]["rawBytes"].as_str())
            .unwrap();
        let leaf = sigstore_fulcio::Certificate::from_der(&b64(leaf)).unwrap();
        assert!(!leaf.is_valid_at(v.time()), "{name}");
    }
}

#[test]
fn perf_fixtures_with_public_good_root() {
    let Some(dir) = shared_dir() else { return };
    let dir = dir.join("perf-fixtures");
    let root = read_json(&dir.join("trusted_root.public-good.json"));
    let auths = authorities(&root);
    for name in [
        "c_msgsig_tsa_rekorv2_cosign.sigstore.json",
        "d_dsse_tsa_rekorv1.sigstore.json",
    ] {
        let bundle = read_json(&dir.join(name));
        let (ts, sig) = bundle_timestamps(&bundle);
        assert!(!ts.is_empty(), "{name}");
        for t in &ts {
            let v = verify_timestamp(t, &sig, &auths).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(v.time() > rfc3339("2025-07-04T00:00:00Z"));
            // Parsing alone exposes the unverified fields too.
            let token = TimeStampToken::from_der(t).unwrap();
            assert_eq!(token.tst_info().gen_time(), v.time());
        }
    }
}

/// Every conformance case that carries RFC 3161 timestamps: passing cases verify through
/// the bundle-level policy; no case panics.
#[test]
fn all_conformance_cases_with_timestamps() {
    let Some(dir) = shared_dir() else { return };
    let base = dir.join("sigstore-conformance/assets/bundle-verify");
    let mut checked = 0;
    for entry in std::fs::read_dir(&base).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let (Ok(bundle), Ok(root)) = (
            std::fs::read(path.join("bundle.sigstore.json")),
            std::fs::read(path.join("trusted_root.json")),
        ) else {
            continue;
        };
        let (Ok(bundle), Ok(root)) = (
            serde_json::from_slice::<serde_json::Value>(&bundle),
            serde_json::from_slice::<serde_json::Value>(&root),
        ) else {
            continue;
        };
        if bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .is_none_or(|a| a.is_empty())
        {
            continue;
        }
        let (ts, sig) = bundle_timestamps(&bundle);
        let result = verify_timestamps(&ts, &sig, &authorities(&root));
        if !name.ends_with("_fail") {
            let v = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!v.is_empty(), "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} cases with timestamps");
}

/// Rough timing of parse + verify for the public-good fixtures (run with
/// `cargo test --release -p sigstore-timestamp --test conformance -- --ignored --nocapture`).
#[test]
#[ignore = "timing, not a check"]
fn timing_public_good() {
    let Some(dir) = shared_dir() else { return };
    let dir = dir.join("perf-fixtures");
    let root = read_json(&dir.join("trusted_root.public-good.json"));
    let auths = authorities(&root);
    for name in [
        "c_msgsig_tsa_rekorv2_cosign.sigstore.json",
        "d_dsse_tsa_rekorv1.sigstore.json",
    ] {
        let (ts, sig) = bundle_timestamps(&read_json(&dir.join(name)));
        let n = 200;
        let start = std::time::Instant::now();
        for _ in 0..n {
            verify_timestamp(&ts[0], &sig, &auths).unwrap();
        }
        eprintln!("{name}: {:?} per timestamp", start.elapsed() / n);
    }
}
