//! Resource bounds: hostile inputs are rejected quickly and in bounded memory.
//!
//! | input | entry point | rejected by |
//! |---|---|---|
//! | 200 MB bundle | `Verifier::verify_json` | `MAX_BUNDLE_BYTES` (64 MiB), checked on the length before parsing |
//! | 63 MiB bundle (just under the limit), one huge string | `Verifier::verify_json` | strict parsing (unknown field) |
//! | JSON nested 1,000,000 deep (arrays, objects) | `Verifier::verify_json`, `TrustedRoot::from_json` | `MAX_JSON_DEPTH` (64) |
//! | checkpoint with 10,000 signature lines | `SignedNote::parse` | `MAX_NOTE_SIGNATURES` (100), counted while splitting |
//! | checkpoint of 2 MB | `SignedNote::parse` | `MAX_NOTE_BYTES` (1 MiB) |
//! | JWT of 1,000,000 dots; 16,000 dots under the size cap | `IdentityToken::parse` | `MAX_TOKEN_BYTES` (16 KiB), then the segment count |
//!
//! Method. Each case runs in a child process (this test binary re-executed on the `child`
//! test with `RESOURCE_BOUNDS_CASE` set), so the measurements are not disturbed by other
//! tests. The child builds the input first, reads its peak resident set size (`VmHWM` in
//! `/proc/self/status`), runs the rejection, reads `VmHWM` again and prints the growth and the
//! elapsed time. The parent asserts the kind of the error, elapsed < 2 s (debug build) and a
//! peak-RSS growth under a fixed bound far below the input size: the rejection happens before
//! anything proportional to the input is allocated (or, for the 63 MiB case, within a small
//! multiple of it). On systems without `/proc` the memory part is skipped with a notice.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;
use std::time::{Duration, Instant};

const CASE_VAR: &str = "RESOURCE_BOUNDS_CASE";
const MIB: usize = 1024 * 1024;

fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn verifier() -> sigstore_verify::Verifier {
    sigstore_verify::Verifier::builder(sigstore_bundle::TrustedRoot::production().unwrap())
        .build()
        .unwrap()
}

fn policy() -> sigstore_verify::Policy {
    sigstore_verify::Policy::identity(
        sigstore_verify::San::exact("a@example.com"),
        sigstore_verify::Issuer::exact("https://issuer.example"),
    )
}

fn verify_kind(v: &sigstore_verify::Verifier, input: &[u8]) -> String {
    let artifact = sigstore_verify::Artifact::bytes(b"artifact".to_vec());
    match v.verify_json(input, &artifact, &policy()) {
        Ok(_) => "accepted".into(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

fn bundle_with_string(total: usize) -> Vec<u8> {
    let head = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{"signature":""#;
    let tail = br#""}}"#;
    let mut v = Vec::with_capacity(total);
    v.extend_from_slice(head);
    v.resize(total - tail.len(), b'A');
    v.extend_from_slice(tail);
    v
}

/// Build the input of `case` (not measured), then return a closure doing the rejection and
/// returning a description of the error.
fn prepare(case: &str) -> Box<dyn FnOnce() -> String> {
    match case {
        "bundle_200mb" => {
            let v = verifier();
            let input = bundle_with_string(200 * 1000 * 1000);
            Box::new(move || verify_kind(&v, &input))
        }
        "bundle_63mib" => {
            let v = verifier();
            let input = bundle_with_string(63 * MIB);
            Box::new(move || verify_kind(&v, &input))
        }
        "nested_arrays" => {
            let v = verifier();
            let input = "[".repeat(1_000_000).into_bytes();
            Box::new(move || verify_kind(&v, &input))
        }
        "nested_objects" => {
            let v = verifier();
            let input = r#"{"mediaType":"#.repeat(1_000_000).into_bytes();
            Box::new(move || verify_kind(&v, &input))
        }
        "nested_trusted_root" => {
            let input = format!(r#"{{"tlogs":{}"#, "[".repeat(1_000_000)).into_bytes();
            Box::new(
                move || match sigstore_bundle::TrustedRoot::from_json(&input) {
                    Ok(_) => "accepted".into(),
                    Err(e) => format!("{e:?}").chars().take(60).collect(),
                },
            )
        }
        "checkpoint_10k_sigs" => {
            let mut note = String::from(
                "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",
            );
            for _ in 0..10_000 {
                note.push_str("\u{2014} example.com/log AAAAAAAA\n");
            }
            assert!(note.len() < sigstore_tlog::note::MAX_NOTE_BYTES);
            Box::new(move || match sigstore_tlog::SignedNote::parse(&note) {
                Ok(_) => "accepted".into(),
                Err(e) => format!("{e:?}"),
            })
        }
        "checkpoint_2mb" => {
            let note = format!("example.com/log\n1\n{}\n\n", "A".repeat(2 * MIB));
            Box::new(move || match sigstore_tlog::SignedNote::parse(&note) {
                Ok(_) => "accepted".into(),
                Err(e) => format!("{e:?}"),
            })
        }
        "jwt_million_dots" => {
            let token = ".".repeat(1_000_000);
            Box::new(move || match sigstore_oidc::IdentityToken::parse(&token) {
                Ok(_) => "accepted".into(),
                Err(e) => format!("{e:?}"),
            })
        }
        "jwt_dots_under_cap" => {
            let token = ".".repeat(sigstore_oidc::MAX_TOKEN_BYTES - 1);
            Box::new(move || match sigstore_oidc::IdentityToken::parse(&token) {
                Ok(_) => "accepted".into(),
                Err(e) => format!("{e:?}").chars().take(60).collect(),
            })
        }
        other => panic!("unknown case {other}"),
    }
}

/// The child side: runs only when re-executed by `run_case`.
#[test]
fn child() {
    let Ok(case) = std::env::var(CASE_VAR) else {
        return;
    };
    let run = prepare(&case);
    let before = vm_hwm_kb();
    let start = Instant::now();
    let outcome = run();
    let elapsed = start.elapsed();
    let after = vm_hwm_kb();
    let growth = match (before, after) {
        (Some(b), Some(a)) => (a.saturating_sub(b)).to_string(),
        _ => "unknown".into(),
    };
    println!(
        "RESULT case={case} growth_kb={growth} elapsed_us={} outcome={outcome}",
        elapsed.as_micros()
    );
}

struct Measured {
    outcome: String,
    elapsed: Duration,
    growth_kb: Option<u64>,
}

fn run_case(case: &str) -> Measured {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CASE_VAR, case)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{case}: child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.find("RESULT ").map(|i| &l[i..]))
        .unwrap_or_else(|| panic!("{case}: no RESULT line in {stdout}"));
    let field = |k: &str| {
        line.split(' ')
            .find_map(|f| f.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_owned()
    };
    let outcome = line.split_once("outcome=").unwrap().1.to_owned();
    let m = Measured {
        outcome,
        elapsed: Duration::from_micros(field("elapsed_us").parse().unwrap()),
        growth_kb: field("growth_kb").parse().ok(),
    };
    eprintln!(
        "{case}: {} in {:?}, peak RSS growth {} kB",
        m.outcome,
        m.elapsed,
        m.growth_kb.map_or("unknown".into(), |g| g.to_string())
    );
    if m.growth_kb.is_none() {
        eprintln!("notice: /proc/self/status unavailable; memory bound not measured");
    }
    m
}

fn assert_bounded(case: &str, expect: &str, max_growth_kb: u64) {
    let m = run_case(case);
    assert!(
        m.outcome.contains(expect),
        "{case}: expected {expect}, got {}",
        m.outcome
    );
    assert!(
        m.elapsed < Duration::from_secs(2),
        "{case}: took {:?}",
        m.elapsed
    );
    if let Some(g) = m.growth_kb {
        assert!(
            g <= max_growth_kb,
            "{case}: peak RSS grew by {g} kB (bound {max_growth_kb} kB)"
        );
    }
}

#[test]
fn bundle_of_200_mb_is_rejected_before_parsing() {
    // 200 MB of input, less than 1 MiB of extra peak memory.
    assert_bounded("bundle_200mb", "BundleFormat", 1024);
}

#[test]
fn bundle_just_under_the_size_cap_is_rejected_in_memory_proportional_to_it() {
    // Parsing may hold one decoded copy of the huge string; bound: 2x the input.
    assert_bounded("bundle_63mib", "BundleFormat", 2 * 63 * 1024);
}

#[test]
fn million_deep_json_is_rejected_at_the_depth_cap() {
    assert_bounded("nested_arrays", "BundleFormat", 1024);
    assert_bounded("nested_objects", "BundleFormat", 1024);
    assert_bounded("nested_trusted_root", "TooDeep", 1024);
}

#[test]
fn ten_thousand_checkpoint_signatures_are_rejected_at_the_cap() {
    // The note itself is capped at MAX_NOTE_BYTES (1 MiB): a few MiB of peak growth is the
    // absolute worst case, independent of the signature count.
    assert_bounded("checkpoint_10k_sigs", "TooManySignatures", 4096);
    assert_bounded("checkpoint_2mb", "NoteTooLarge", 1024);
}

#[test]
fn jwt_with_a_million_dots_is_rejected_before_splitting() {
    assert_bounded("jwt_million_dots", "TokenTooLarge", 1024);
    assert_bounded("jwt_dots_under_cap", "Malformed", 1024);
}
