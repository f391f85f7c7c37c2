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

use sigstore_verify::{TrustedRoot, Verifier};

#[test]
fn perf_fixtures_verify() {
    let Some(cases) = common::perf_cases() else {
        return;
    };
    assert_eq!(cases.len(), 4);
    let mut verifiers = std::collections::BTreeMap::new();
    for case in &cases {
        let verifier = verifiers
            .entry(case.trusted_root.clone())
            .or_insert_with(|| {
                Verifier::builder(TrustedRoot::from_file(&case.trusted_root).unwrap())
                    .build()
                    .unwrap()
            });
        let start = Instant::now();
        let result = verifier
            .verify_json(&case.bundle, &case.artifact, &case.policy)
            .unwrap_or_else(|e| panic!("{}: {e}", case.id));
        eprintln!(
            "{}: verified in {:?} (debug build): {}",
            case.id,
            start.elapsed(),
            result.summary()
        );
        assert!(!result.verified_times.is_empty());
        assert!(!result.tlog_entries.is_empty());
        if case.content == "dsse" {
            assert!(result.statement.is_some());
        }
    }
}
