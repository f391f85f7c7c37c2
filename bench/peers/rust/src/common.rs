//! The protocol every Rust peer runner of bench/peers speaks (see ../run.sh), shared by the
//! sigstore-rust runner (this crate) and the sigstore-rs runner (`../rust-rs`, which includes
//! this file with `#[path]`):
//!
//!   runner bench DIR ITERATIONS CASE...  -> one JSON line per case: median per bundle
//!                                           (parse + verify, trust root loaded once)
//!   runner load DIR ITERATIONS            -> median trust-root load
//!   runner cold DIR CASE                  -> load the trust root, verify one bundle, exit
//!   runner cold-args BUNDLE ARTIFACT|sha256:HEX IDENTITY ISSUER
//!                                         -> the same with the runner's embedded production
//!                                            root and the case on the command line, as our
//!                                            `cold_verify` takes it (no cases.json, no root
//!                                            file: the like-for-like cold process)
use std::time::Instant;

use serde_json::Value;

/// One case of `cases.json`, read from disk.
pub struct Spec {
    pub id: String,
    pub bundle: String,
    pub artifact: Option<Vec<u8>>,
    /// `sha256:<hex>` when the case gives a digest instead of an artifact.
    pub digest: Option<String>,
    pub identity: String,
    pub issuer: String,
}

/// What an implementation plugs into the protocol.
pub trait Peer {
    const IMPL: &'static str;
    type Verifier;
    type Case;
    /// Parse the trusted root JSON and build a verifier.
    fn verifier(trusted_root_json: &str) -> Self::Verifier;
    fn case(spec: Spec) -> Self::Case;
    /// Parse the bundle and verify it (every iteration parses).
    fn verify_once(v: &Self::Verifier, c: &Self::Case) -> Result<(), String>;
    /// The production trusted root embedded in the implementation, if it ships one.
    fn embedded_root_json() -> Option<&'static str> {
        None
    }
}

fn spec(dir: &str, id: &str) -> Spec {
    let text = std::fs::read_to_string(format!("{dir}/cases.json")).expect("cases.json");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("cases.json parses");
    let c = cases
        .iter()
        .find(|c| c["id"].as_str().is_some_and(|i| i.starts_with(id)))
        .unwrap_or_else(|| panic!("no case {id}"));
    let s = |k: &str| c[k].as_str().map(str::to_owned);
    Spec {
        id: s("id").unwrap(),
        bundle: std::fs::read_to_string(format!("{dir}/{}", s("bundle").unwrap())).unwrap(),
        artifact: s("artifact").map(|a| std::fs::read(format!("{dir}/{a}")).unwrap()),
        digest: s("digest"),
        identity: s("identity").unwrap(),
        issuer: s("issuer").unwrap(),
    }
}

fn root_json(dir: &str) -> String {
    std::fs::read_to_string(format!("{dir}/trusted_root.public-good.json")).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

pub fn main<P: Peer>() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args[0] == "cold-args" {
        let Some(root) = P::embedded_root_json() else {
            eprintln!("{}: no embedded trusted root; use `cold DIR CASE`", P::IMPL);
            std::process::exit(2);
        };
        let verifier = P::verifier(root);
        let (digest, artifact) = match args[2].strip_prefix("sha256:") {
            Some(_) => (Some(args[2].clone()), None),
            None => (None, Some(std::fs::read(&args[2]).unwrap())),
        };
        let c = Spec {
            id: "cold-args".to_owned(),
            bundle: std::fs::read_to_string(&args[1]).unwrap(),
            artifact,
            digest,
            identity: args[3].clone(),
            issuer: args[4].clone(),
        };
        if let Err(e) = P::verify_once(&verifier, &P::case(c)) {
            eprintln!("{}: {e}", P::IMPL);
            std::process::exit(1);
        }
        return;
    }
    let dir = args[1].as_str();
    match args[0].as_str() {
        "bench" => {
            let iterations: usize = args[2].parse().unwrap();
            let verifier = P::verifier(&root_json(dir));
            for id in &args[3..] {
                let c = spec(dir, id);
                let case_id = c.id.clone();
                let c = P::case(c);
                if let Err(e) = P::verify_once(&verifier, &c) {
                    println!(
                        "{}",
                        serde_json::json!({"impl": P::IMPL, "case": case_id, "error": e})
                    );
                    continue;
                }
                let warm = (iterations / 10).max(3);
                let mut times = Vec::with_capacity(iterations);
                for i in 0..warm + iterations {
                    let t = Instant::now();
                    P::verify_once(&verifier, &c).unwrap();
                    if i >= warm {
                        times.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
                println!(
                    "{}",
                    serde_json::json!({"impl": P::IMPL, "case": case_id, "median_us": median(times), "n": iterations})
                );
            }
        }
        "load" => {
            let iterations: usize = args[2].parse().unwrap();
            let text = root_json(dir);
            let mut times = Vec::with_capacity(iterations);
            for _ in 0..iterations {
                let t = Instant::now();
                let v = P::verifier(&text);
                std::hint::black_box(&v);
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
            println!(
                "{}",
                serde_json::json!({"impl": P::IMPL, "case": "trust_root_load", "median_us": median(times), "n": iterations})
            );
        }
        "cold" => {
            let verifier = P::verifier(&root_json(dir));
            let c = spec(dir, &args[2]);
            let case_id = c.id.clone();
            if let Err(e) = P::verify_once(&verifier, &P::case(c)) {
                eprintln!("{}: {case_id}: {e}", P::IMPL);
                std::process::exit(1);
            }
        }
        other => panic!("unknown mode {other}"),
    }
}
