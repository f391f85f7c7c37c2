//! Peer runner for sigstore-rust (`sigstore-verify` 0.15.1 from crates.io, aws-lc-rs).
//!
//! Same protocol as every runner of bench/peers (see ../run.sh):
//!   runner bench DIR ITERATIONS CASE...  -> one JSON line per case: median per bundle
//!                                           (parse + verify, trust root loaded once)
//!   runner load DIR ITERATIONS            -> median trust-root load (parse + Verifier::new)
//!   runner cold DIR CASE                  -> load the trust root, verify one bundle, exit
use std::time::Instant;

use serde_json::Value;
use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::types::{Artifact, Bundle, Sha256Hash};
use sigstore_verify::{VerificationPolicy, Verifier};

const IMPL: &str = "sigstore-rust-0.15.1";

struct Case {
    id: String,
    bundle: String,
    artifact: Option<Vec<u8>>,
    digest: Option<Sha256Hash>,
    policy: VerificationPolicy,
}

fn load_cases(dir: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(format!("{dir}/cases.json")).expect("cases.json");
    serde_json::from_str(&text).expect("cases.json parses")
}

fn case(dir: &str, cases: &[Value], id: &str) -> Case {
    let c = cases
        .iter()
        .find(|c| c["id"].as_str().is_some_and(|i| i.starts_with(id)))
        .unwrap_or_else(|| panic!("no case {id}"));
    let s = |k: &str| c[k].as_str().map(str::to_owned);
    Case {
        id: s("id").unwrap(),
        bundle: std::fs::read_to_string(format!("{dir}/{}", s("bundle").unwrap())).unwrap(),
        artifact: s("artifact").map(|a| std::fs::read(format!("{dir}/{a}")).unwrap()),
        digest: s("digest").map(|d| {
            Sha256Hash::from_hex(d.strip_prefix("sha256:").unwrap()).expect("digest hex")
        }),
        policy: VerificationPolicy::new(s("identity").unwrap(), s("issuer").unwrap()),
    }
}

fn verify_once(verifier: &Verifier, c: &Case) -> Result<(), String> {
    let bundle = Bundle::from_json(&c.bundle).map_err(|e| e.to_string())?;
    let r = match (&c.artifact, &c.digest) {
        (Some(a), _) => verifier.verify(a.as_slice(), &bundle, &c.policy),
        (None, Some(d)) => verifier.verify(Artifact::from(d), &bundle, &c.policy),
        _ => unreachable!(),
    };
    r.map(|_| ()).map_err(|e| e.to_string())
}

fn root(dir: &str) -> TrustedRoot {
    let text = std::fs::read_to_string(format!("{dir}/trusted_root.public-good.json")).unwrap();
    TrustedRoot::from_json(&text).expect("trusted root")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args[1].as_str();
    match args[0].as_str() {
        "bench" => {
            let iterations: usize = args[2].parse().unwrap();
            let cases = load_cases(dir);
            let verifier = Verifier::new(&root(dir)).expect("verifier");
            for id in &args[3..] {
                let c = case(dir, &cases, id);
                if let Err(e) = verify_once(&verifier, &c) {
                    println!(
                        "{}",
                        serde_json::json!({"impl": IMPL, "case": c.id, "error": e})
                    );
                    continue;
                }
                let warm = (iterations / 10).max(3);
                let mut times = Vec::with_capacity(iterations);
                for i in 0..warm + iterations {
                    let t = Instant::now();
                    verify_once(&verifier, &c).unwrap();
                    if i >= warm {
                        times.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
                println!(
                    "{}",
                    serde_json::json!({"impl": IMPL, "case": c.id, "median_us": median(times), "n": iterations})
                );
            }
        }
        "load" => {
            let iterations: usize = args[2].parse().unwrap();
            let text =
                std::fs::read_to_string(format!("{dir}/trusted_root.public-good.json")).unwrap();
            let mut times = Vec::with_capacity(iterations);
            for _ in 0..iterations {
                let t = Instant::now();
                let r = TrustedRoot::from_json(&text).unwrap();
                let v = Verifier::new(&r).unwrap();
                std::hint::black_box(&v);
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
            println!(
                "{}",
                serde_json::json!({"impl": IMPL, "case": "trust_root_load", "median_us": median(times), "n": iterations})
            );
        }
        "cold" => {
            let cases = load_cases(dir);
            let c = case(dir, &cases, &args[2]);
            let verifier = Verifier::new(&root(dir)).expect("verifier");
            if let Err(e) = verify_once(&verifier, &c) {
                eprintln!("{IMPL}: {}: {e}", c.id);
                std::process::exit(1);
            }
        }
        other => panic!("unknown mode {other}"),
    }
}
