//! The four public-good bundles of `perf-fixtures/cases.json` verify, and each reports the
//! evidence its shape implies (SET time for Rekor v1, RFC 3161 time for Rekor v2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;
use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};

fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SIGSTORE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
        .join("perf-fixtures");
    if dir.join("cases.json").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "perf fixtures not found at {} (set SIGSTORE_SHARED_DIR)",
            dir.display()
        );
    }
    eprintln!(
        "notice: perf fixtures not found at {}; skipping",
        dir.display()
    );
    None
}

#[test]
fn perf_fixtures_verify() {
    let Some(dir) = fixtures_dir() else { return };
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
