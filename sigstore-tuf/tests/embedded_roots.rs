//! The real Sigstore TUF roots shipped in sigstore-bundle verify with their
//! own keys at threshold: a check of canonical JSON and key parsing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use sigstore_tuf::metadata::{parse, verify_threshold, Root};
use sigstore_tuf::trusted::verify_initial_root;
use sigstore_tuf::{Error, TufClient};

fn root_bytes(which: &str) -> Vec<u8> {
    let path = format!(
        "{}/../sigstore-bundle/trust/{which}/root.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn production_root_verifies_with_its_own_keys() {
    let raw = root_bytes("production");
    let env = verify_initial_root(&raw).unwrap();
    let root = &env.signed;
    assert!(root.consistent_snapshot);
    let role = root.role("root").unwrap();
    // Every one of the signatures present verifies (not just the threshold).
    let all = sigstore_tuf::metadata::RoleKeys {
        keyids: role.keyids.clone(),
        threshold: env.signatures.len() as u64,
    };
    verify_threshold("root", &env, &root.keys, &all).unwrap();
    // Every key in the root parses.
    for key in root.keys.values() {
        key.to_verifier().unwrap();
    }
}

#[test]
fn staging_root_verifies_with_its_own_keys() {
    let raw = root_bytes("staging");
    verify_initial_root(&raw).unwrap();
}

#[test]
fn modified_production_root_fails_threshold() {
    let raw = root_bytes("production");
    let mut doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    doc["signed"]["version"] = serde_json::json!(16);
    let raw2 = serde_json::to_vec(&doc).unwrap();
    assert!(matches!(
        verify_initial_root(&raw2),
        Err(Error::ThresholdNotMet {
            need: 3,
            have: 0,
            ..
        })
    ));
    // Re-serializing with different whitespace keeps signatures valid:
    // signatures cover the canonical form, not the bytes.
    let doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let pretty = serde_json::to_vec_pretty(&doc).unwrap();
    verify_initial_root(&pretty).unwrap();
    // An unknown field added to `signed` is covered by the signatures.
    let mut doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    doc["signed"]["x-extra"] = serde_json::json!("injected");
    let raw3 = serde_json::to_vec(&doc).unwrap();
    assert!(matches!(
        verify_initial_root(&raw3),
        Err(Error::ThresholdNotMet { .. })
    ));
}

#[test]
fn dropping_signatures_below_threshold() {
    let raw = root_bytes("production");
    let mut doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let sigs = doc["signatures"].as_array_mut().unwrap();
    sigs.truncate(2);
    let raw2 = serde_json::to_vec(&doc).unwrap();
    assert!(matches!(
        verify_initial_root(&raw2),
        Err(Error::ThresholdNotMet {
            need: 3,
            have: 2,
            ..
        })
    ));
    // A duplicated keyid in "signatures" is malformed (TUF 4.2), even
    // though the same key would never count twice anyway.
    let sigs = doc["signatures"].as_array_mut().unwrap();
    let dup = sigs[0].clone();
    sigs.push(dup);
    let raw3 = serde_json::to_vec(&doc).unwrap();
    assert!(matches!(
        verify_initial_root(&raw3),
        Err(Error::Malformed { reason, .. }) if reason.contains("duplicate")
    ));
}

#[test]
fn wrong_type_and_spec_version() {
    let raw = root_bytes("production");
    assert!(matches!(
        parse::<sigstore_tuf::metadata::Timestamp>("timestamp", &raw),
        Err(Error::WrongType { .. })
    ));
    let mut doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    doc["signed"]["spec_version"] = serde_json::json!("2.0.0");
    assert!(matches!(
        parse::<Root>("root", &serde_json::to_vec(&doc).unwrap()),
        Err(Error::UnsupportedSpecVersion { .. })
    ));
    let mut doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    doc["signed"]["version"] = serde_json::json!(1.5);
    let r = parse::<Root>("root", &serde_json::to_vec(&doc).unwrap());
    assert!(
        matches!(
            r,
            Err(Error::Canonical {
                reason: "floating point numbers are not allowed"
            })
        ),
        "{r:?}"
    );
    assert!(matches!(
        parse::<Root>("root", b"{\"signed\":"),
        Err(Error::Json { .. })
    ));
}

#[test]
fn too_many_signatures_rejected() {
    let raw = root_bytes("production");
    let mut doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let one = doc["signatures"][0].clone();
    let many = vec![one; sigstore_tuf::MAX_SIGNATURES + 1];
    doc["signatures"] = serde_json::Value::Array(many);
    assert!(matches!(
        parse::<Root>("root", &serde_json::to_vec(&doc).unwrap()),
        Err(Error::Malformed {
            reason: "too many signatures",
            ..
        })
    ));
}

#[test]
fn builder_accepts_embedded_root_offline() {
    let raw = root_bytes("production");
    let mut client = TufClient::builder(
        &raw,
        sigstore_tuf::SIGSTORE_PRODUCTION_METADATA_URL,
        sigstore_tuf::SIGSTORE_PRODUCTION_TARGETS_URL,
    )
    .offline(true)
    .fallback_target("trusted_root.json", b"{}")
    .build()
    .unwrap();
    let report = client.refresh().unwrap();
    assert!(!report.network_used);
    assert_eq!(report.root_version, 15);
    let (bytes, src) = client.get_target_with_source("trusted_root.json").unwrap();
    assert_eq!(bytes, b"{}");
    assert_eq!(src, sigstore_tuf::TargetSource::Fallback);
    assert!(matches!(
        client.get_target("signing_config.v0.2.json"),
        Err(Error::Offline { .. })
    ));
}

#[cfg(not(feature = "client"))]
#[test]
fn online_without_client_feature_or_fetcher_is_a_typed_error() {
    let raw = root_bytes("production");
    let mut client = TufClient::builder(
        &raw,
        sigstore_tuf::SIGSTORE_PRODUCTION_METADATA_URL,
        sigstore_tuf::SIGSTORE_PRODUCTION_TARGETS_URL,
    )
    .build()
    .unwrap();
    assert!(matches!(client.refresh(), Err(Error::NoFetcher)));
}
