//! The four public-good bundles of `perf-fixtures/cases.json` verify, and each reports the
//! evidence its shape implies (SET time for Rekor v1, RFC 3161 time for Rekor v2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Instant;

use serde_json::Value;
use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};

#[test]
fn perf_fixtures_verify() {
    let Some(dir) = common::shared_dir("perf-fixtures/cases.json").map(|d| d.join("perf-fixtures"))
    else {
        return;
    };
    let cases: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    assert_eq!(cases.len(), 4);
    let mut verifiers = std::collections::BTreeMap::new();
    for case in &cases {
        let root_file = case["trusted_root"].as_str().unwrap();
        let verifier = verifiers.entry(root_file.to_owned()).or_insert_with(|| {
            Verifier::builder(TrustedRoot::from_file(dir.join(root_file)).unwrap())
                .build()
                .unwrap()
        });
        let artifact = match (case["artifact"].as_str(), case["digest"].as_str()) {
            (Some(f), _) => Artifact::file(dir.join(f)).unwrap(),
            (None, Some(d)) => Artifact::from_digest_str(d).unwrap(),
            _ => panic!("case without artifact"),
        };
        let policy = Policy::identity(
            San::exact(case["identity"].as_str().unwrap()),
            Issuer::exact(case["issuer"].as_str().unwrap()),
        );
        let bundle = std::fs::read(dir.join(case["bundle"].as_str().unwrap())).unwrap();
        let start = Instant::now();
        let result = verifier
            .verify_json(&bundle, &artifact, &policy)
            .unwrap_or_else(|e| panic!("{}: {e}", case["id"]));
        eprintln!(
            "{}: verified in {:?} (debug build): {}",
            case["id"],
            start.elapsed(),
            result.summary()
        );
        assert!(!result.verified_times.is_empty());
        assert!(!result.tlog_entries.is_empty());
        if case["content"] == "dsse" {
            assert!(result.statement.is_some());
        }
    }
}
