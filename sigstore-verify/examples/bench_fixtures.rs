//! Time parse + verify of the shared perf fixtures with the trust root already loaded.
//!
//! ```text
//! cargo run --release -p sigstore-verify --example bench_fixtures -- ../shared/perf-fixtures [ITERATIONS]
//! ```
#![forbid(unsafe_code)]

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::Value;
use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};

fn run(dir: &Path, iterations: usize) -> Result<(), Box<dyn std::error::Error>> {
    let cases: Vec<Value> = serde_json::from_slice(&std::fs::read(dir.join("cases.json"))?)?;
    for case in &cases {
        let text = |k: &str| case[k].as_str().ok_or(format!("case field {k}"));
        let verifier =
            Verifier::builder(TrustedRoot::from_file(dir.join(text("trusted_root")?))?).build()?;
        let artifact = match case["artifact"].as_str() {
            Some(f) => Artifact::bytes(std::fs::read(dir.join(f))?),
            None => Artifact::from_digest_str(text("digest")?)?,
        };
        let policy = Policy::identity(
            San::exact(text("identity")?),
            Issuer::exact(text("issuer")?),
        );
        let bundle = std::fs::read(dir.join(text("bundle")?))?;
        let mut times: Vec<Duration> = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = Instant::now();
            verifier.verify_json(&bundle, &artifact, &policy)?;
            times.push(start.elapsed());
        }
        times.sort();
        let median = times.get(times.len() / 2).copied().unwrap_or_default();
        println!("{}: median {:?} over {iterations}", text("id")?, median);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .map_or("../shared/perf-fixtures", String::as_str);
    let iterations = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(200);
    match run(Path::new(dir), iterations) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
