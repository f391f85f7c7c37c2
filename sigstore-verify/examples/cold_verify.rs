//! The cold-process benchmark's binary: start, load the embedded production trusted root,
//! verify one bundle, exit (status 0 when it verifies).
//!
//! ```text
//! cold_verify BUNDLE ARTIFACT_FILE|sha256:HEX IDENTITY ISSUER
//! ```
//!
//! `COLD_VERIFY_STOP_AFTER` = `start`, `load`, `build` or `parse` stops after that stage
//! (process start only; the embedded root parsed; the verifier built; the bundle read and
//! parsed), so `bench/cold_stages.py` can split the cold time.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [bundle, artifact, identity, issuer] = args else {
        return Err("usage: cold_verify BUNDLE ARTIFACT_FILE|sha256:HEX IDENTITY ISSUER".into());
    };
    let stop = std::env::var("COLD_VERIFY_STOP_AFTER").unwrap_or_default();
    if !["", "start", "load", "build", "parse"].contains(&stop.as_str()) {
        return Err(
            format!("COLD_VERIFY_STOP_AFTER={stop}: expected start, load, build or parse").into(),
        );
    }
    if stop == "start" {
        return Ok(());
    }
    let root = TrustedRoot::production()?;
    if stop == "load" {
        return Ok(());
    }
    let verifier = Verifier::builder(root).build()?;
    if stop == "build" {
        return Ok(());
    }
    let artifact = if Artifact::looks_like_digest(artifact) {
        Artifact::from_digest_str(artifact)?
    } else {
        Artifact::bytes(std::fs::read(artifact)?)
    };
    let policy = Policy::identity(San::exact(identity), Issuer::exact(issuer));
    let bundle = std::fs::read(bundle)?;
    if stop == "parse" {
        sigstore_verify::Bundle::from_json(&bundle)?;
        return Ok(());
    }
    verifier.verify_json(&bundle, &artifact, &policy)?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cold_verify: {e}");
            ExitCode::FAILURE
        }
    }
}
