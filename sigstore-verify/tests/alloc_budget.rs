//! Heap allocations per verification of each public-good bundle shape stay within a budget: a
//! deterministic guard for the allocation work of BENCHMARKS.md item 10 (allocation counts do
//! not depend on the machine's speed). One test only: dhat allows one profiler per process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use serde_json::Value;
use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Allocations (blocks) per steady-state verification of each case, parse included, with the
/// verifier built and warmed up. At c9d82f7: a 426, b 646, c 475, d 566 (every backend); the
/// budget adds about a quarter. Before it (39e4107): a 1478, b 1749, c 1576, d 1653.
const BUDGET: [(&str, u64); 4] = [
    ("a_msgsig_v03_rekorv1", 530),
    ("b_dsse_v03_rekorv1", 800),
    ("c_msgsig_v03_rekorv2_tsa", 600),
    ("d_dsse_v03_rekorv1_tsa", 710),
];

/// Verifications measured per case.
const ROUNDS: u64 = 4;

#[test]
fn allocations_per_verification_within_budget() {
    let Some(dir) = common::shared_dir("perf-fixtures/cases.json").map(|d| d.join("perf-fixtures"))
    else {
        return;
    };
    let cases: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    assert_eq!(cases.len(), BUDGET.len());
    let root = TrustedRoot::from_file(dir.join("trusted_root.public-good.json")).unwrap();
    let verifier = Verifier::builder(root).build().unwrap();
    // On a failed budget dhat writes its profile (allocation sites) here.
    let profile = std::env::temp_dir().join("sigstore-alloc-budget.dhat.json");
    let _profiler = dhat::Profiler::builder()
        .testing()
        .file_name(&profile)
        .build();
    for (case, (id, budget)) in cases.iter().zip(BUDGET) {
        assert_eq!(case["id"], id);
        let artifact = match (case["artifact"].as_str(), case["digest"].as_str()) {
            (Some(f), _) => Artifact::bytes(std::fs::read(dir.join(f)).unwrap()),
            (None, Some(d)) => Artifact::from_digest_str(d).unwrap(),
            _ => panic!("case without artifact"),
        };
        let policy = Policy::identity(
            San::exact(case["identity"].as_str().unwrap()),
            Issuer::exact(case["issuer"].as_str().unwrap()),
        );
        let bundle = std::fs::read(dir.join(case["bundle"].as_str().unwrap())).unwrap();
        // Warm up: authority checks and key caches settle on the first verifications.
        for _ in 0..2 {
            verifier.verify_json(&bundle, &artifact, &policy).unwrap();
        }
        let before = dhat::HeapStats::get().total_blocks;
        for _ in 0..ROUNDS {
            let result = verifier.verify_json(&bundle, &artifact, &policy).unwrap();
            assert!(!result.verified_times.is_empty());
        }
        let per = (dhat::HeapStats::get().total_blocks - before) / ROUNDS;
        eprintln!("{id}: {per} allocations per verification (budget {budget})");
        dhat::assert!(
            per <= budget,
            "{id}: {per} allocations per verification, budget {budget} (sites: {})",
            profile.display()
        );
    }
}
