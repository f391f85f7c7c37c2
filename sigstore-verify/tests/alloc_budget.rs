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

use sigstore_verify::{TrustedRoot, Verifier};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Allocations (blocks) per steady-state verification of each case, parse included, with the
/// verifier built and warmed up. At c9d82f7: a 426, b 646, c 475, d 566 (every backend); the
/// budget adds about a quarter. Before it (39e4107): a 1478, b 1749, c 1576, d 1653. Since the
/// PEM bodies of Rekor entries go into a buffer sized up front: a 413, b 631, c 475, d 555.
/// Since the JSON reader borrows keys and strings from the input and builds field paths only
/// for errors: a 349, b 569, c 403, d 471 (budgets lowered to match, about a quarter above).
/// Since Rekor entry bodies are read into borrowed shapes, not `serde_json::Value` trees: a 328,
/// b 545, c 379, d 447. Since certificates are read by sigstore-fulcio's own X.509 reader and
/// keep one copy of their DER: a 290, b 507, c 340, d 409 (budgets lowered again, about a
/// quarter above).
const BUDGET: [(&str, u64); 4] = [
    ("a_msgsig_v03_rekorv1", 365),
    ("b_dsse_v03_rekorv1", 635),
    ("c_msgsig_v03_rekorv2_tsa", 425),
    ("d_dsse_v03_rekorv1_tsa", 510),
];

/// Verifications measured per case.
const ROUNDS: u64 = 4;

#[test]
fn allocations_per_verification_within_budget() {
    let Some(cases) = common::perf_cases() else {
        return;
    };
    assert_eq!(cases.len(), BUDGET.len());
    let root = TrustedRoot::from_file(&cases[0].trusted_root).unwrap();
    let verifier = Verifier::builder(root).build().unwrap();
    // On a failed budget dhat writes its profile (allocation sites) here.
    let profile = std::env::temp_dir().join("sigstore-alloc-budget.dhat.json");
    let _profiler = dhat::Profiler::builder()
        .testing()
        .file_name(&profile)
        .build();
    for (case, (id, budget)) in cases.iter().zip(BUDGET) {
        assert_eq!(case.id, id);
        assert_eq!(case.trusted_root, cases[0].trusted_root);
        let verify = || {
            verifier
                .verify_json(&case.bundle, &case.artifact, &case.policy)
                .unwrap()
        };
        // Warm up: authority checks and key caches settle on the first verifications.
        for _ in 0..2 {
            verify();
        }
        let before = dhat::HeapStats::get().total_blocks;
        for _ in 0..ROUNDS {
            assert!(!verify().verified_times.is_empty());
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
