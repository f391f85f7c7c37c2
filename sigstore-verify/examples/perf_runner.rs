//! This SDK's runner for the peer comparison of `bench/peers/run.sh` (same protocol as the
//! peers' runners there):
//!
//! ```text
//! perf_runner bench DIR ITERATIONS CASE...  one JSON line per case: median per bundle
//!                                           (parse + verify, trust root loaded once)
//! perf_runner load DIR ITERATIONS           median trust-root load (parse + Verifier build)
//! perf_runner batch DIR ITERATIONS CASE     throughput of Verifier::verify_batch vs a loop
//! perf_runner cold DIR CASE                 load the trust root, verify one bundle, exit
//! perf_runner hash FILE ROUNDS               Artifact::file vs raw sha2 (1 MiB reads), interleaved
//! perf_runner hash-artifact FILE             Artifact::file once (for peak-RSS measurements)
//! ```
//!
//! Build with `--release` (and `--features ring` or `--features aws-lc` for those backends).
#![forbid(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};
use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};

fn implementation() -> String {
    let backend = if cfg!(feature = "aws-lc") {
        "aws-lc"
    } else if cfg!(feature = "ring") {
        "ring"
    } else {
        "rustcrypto"
    };
    format!("ours-{backend}")
}

struct Case {
    id: String,
    bundle: Vec<u8>,
    artifact: Artifact,
    policy: Policy,
}

fn load_case(dir: &Path, id: &str) -> Case {
    let cases: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let c = cases
        .iter()
        .find(|c| c["id"].as_str().is_some_and(|i| i.starts_with(id)))
        .unwrap_or_else(|| panic!("no case {id}"));
    let s = |k: &str| c[k].as_str().unwrap().to_owned();
    let artifact = match c["artifact"].as_str() {
        Some(f) => Artifact::bytes(std::fs::read(dir.join(f)).unwrap()),
        None => Artifact::from_digest_str(&s("digest")).unwrap(),
    };
    Case {
        id: s("id"),
        bundle: std::fs::read(dir.join(s("bundle"))).unwrap(),
        artifact,
        policy: Policy::identity(San::exact(s("identity")), Issuer::exact(s("issuer"))),
    }
}

fn verifier(dir: &Path) -> Verifier {
    let root = TrustedRoot::from_file(dir.join("trusted_root.public-good.json")).unwrap();
    Verifier::builder(root).build().unwrap()
}

/// Pairs of passes (one thread, all threads) per `batch` measurement.
const BATCH_PAIRS: usize = 15;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

const USAGE: &str = "usage: perf_runner bench DIR ITERATIONS CASE... | load DIR ITERATIONS | \
batch DIR ITERATIONS CASE | cold DIR CASE | hash FILE ROUNDS | hash-artifact FILE";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let needed = match args.first().map(String::as_str) {
        Some("bench" | "batch") => 4,
        Some("load" | "cold" | "hash") => 3,
        Some("hash-artifact") => 2,
        _ => usize::MAX,
    };
    if args.len() < needed {
        eprintln!("{USAGE}");
        std::process::exit(2);
    }
    let dir = PathBuf::from(&args[1]);
    let me = implementation();
    match args[0].as_str() {
        "bench" => {
            let iterations: usize = args[2].parse().unwrap();
            let v = verifier(&dir);
            for id in &args[3..] {
                let c = load_case(&dir, id);
                if let Err(e) = v.verify_json(&c.bundle, &c.artifact, &c.policy) {
                    println!(
                        "{}",
                        json!({"impl": me, "case": c.id, "error": e.to_string()})
                    );
                    continue;
                }
                let warm = (iterations / 10).max(3);
                let mut times = Vec::with_capacity(iterations);
                for i in 0..warm + iterations {
                    let t = Instant::now();
                    v.verify_json(&c.bundle, &c.artifact, &c.policy).unwrap();
                    if i >= warm {
                        times.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
                println!(
                    "{}",
                    json!({"impl": me, "case": c.id, "median_us": median(times), "n": iterations})
                );
            }
        }
        "batch" => {
            // Throughput of verify_json_batch on all cores vs one thread, in BATCH_PAIRS
            // adjacent pairs of passes (which of the two goes first alternates). The speedup is
            // the median of the pairs' ratios: this host's speed drifts and bursts over tenths
            // of a second (its neighbours), and a pair's two passes share the same conditions
            // far more often than two medians taken over the whole run.
            let iterations: usize = args[2].parse().unwrap();
            let v = verifier(&dir);
            let c = load_case(&dir, &args[3]);
            let items: Vec<_> = (0..iterations)
                .map(|_| (c.bundle.as_slice(), &c.artifact, &c.policy))
                .collect();
            let threads = sigstore_verify::default_batch_threads();
            let pass = |n: usize| {
                let t = Instant::now();
                let r = v.verify_json_batch_with_threads(&items, n);
                let secs = t.elapsed().as_secs_f64();
                assert!(r.iter().all(Result::is_ok));
                iterations as f64 / secs
            };
            let (mut one, mut all, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
            for i in 0..BATCH_PAIRS {
                let (single, batch) = if i % 2 == 0 {
                    let single = pass(1);
                    (single, pass(threads))
                } else {
                    let batch = pass(threads);
                    (pass(1), batch)
                };
                one.push(single);
                all.push(batch);
                ratios.push(batch / single);
            }
            let (one, all, speedup) = (median(one), median(all), median(ratios));
            println!(
                "{}",
                json!({"impl": me, "case": c.id, "batch": iterations, "threads": threads,
                       "pairs": BATCH_PAIRS, "single_per_s": one, "batch_per_s": all,
                       "speedup": speedup})
            );
        }
        "load" => {
            let iterations: usize = args[2].parse().unwrap();
            let text = std::fs::read(dir.join("trusted_root.public-good.json")).unwrap();
            let mut times = Vec::with_capacity(iterations);
            for _ in 0..iterations {
                let t = Instant::now();
                let v = Verifier::builder(TrustedRoot::from_json(&text).unwrap())
                    .build()
                    .unwrap();
                std::hint::black_box(&v);
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
            println!(
                "{}",
                json!({"impl": me, "case": "trust_root_load", "median_us": median(times), "n": iterations})
            );
        }
        "cold" => {
            let c = load_case(&dir, &args[2]);
            let v = Verifier::builder(TrustedRoot::production().unwrap())
                .build()
                .unwrap();
            if let Err(e) = v.verify_json(&c.bundle, &c.artifact, &c.policy) {
                eprintln!("{me}: {}: {e}", c.id);
                std::process::exit(1);
            }
        }
        "hash" => {
            use sha2::Digest as _;
            use std::io::Read as _;
            let rounds: usize = args[2].parse().unwrap();
            let len = std::fs::metadata(&dir).unwrap().len() as f64;
            let (mut raw, mut ours) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                let t = Instant::now();
                let mut f = std::fs::File::open(&dir).unwrap();
                let mut h = sha2::Sha256::new();
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let n = f.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    h.update(&buf[..n]);
                }
                std::hint::black_box(h.finalize());
                raw.push(len / t.elapsed().as_secs_f64() / 1e6);
                let t = Instant::now();
                std::hint::black_box(Artifact::file(&dir).unwrap());
                ours.push(len / t.elapsed().as_secs_f64() / 1e6);
            }
            let (raw, ours) = (median(raw), median(ours));
            println!(
                "{}",
                json!({"impl": me, "case": "hash", "bytes": len, "raw_sha2_mb_s": raw,
                       "artifact_file_mb_s": ours, "ratio": ours / raw})
            );
        }
        "hash-artifact" => {
            std::hint::black_box(Artifact::file(&dir).unwrap());
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let hwm = status
                .lines()
                .find(|l| l.starts_with("VmHWM"))
                .unwrap_or("VmHWM: ?");
            println!(
                "{}",
                json!({"impl": me, "case": "hash-artifact", "peak": hwm})
            );
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}
