//! The cold-process benchmark's binary: start, load the embedded production trusted root,
//! verify one bundle, exit (status 0 when it verifies).
//!
//! ```text
//! cold_verify BUNDLE ARTIFACT_FILE|sha256:HEX IDENTITY ISSUER
//! ```
#![forbid(unsafe_code)]

use std::process::ExitCode;

use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [bundle, artifact, identity, issuer] = args else {
        return Err("usage: cold_verify BUNDLE ARTIFACT_FILE|sha256:HEX IDENTITY ISSUER".into());
    };
    let verifier = Verifier::builder(TrustedRoot::production()?).build()?;
    let artifact = if Artifact::looks_like_digest(artifact) {
        Artifact::from_digest_str(artifact)?
    } else {
        Artifact::bytes(std::fs::read(artifact)?)
    };
    let policy = Policy::identity(San::exact(identity), Issuer::exact(issuer));
    verifier.verify_json(&std::fs::read(bundle)?, &artifact, &policy)?;
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
