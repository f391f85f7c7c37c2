//! Verify one bundle and print what was checked, as JSON.
//!
//! ```text
//! cargo run -p sigstore-verify --example verify_bundle -- \
//!     BUNDLE FILE_OR_SHA256_DIGEST IDENTITY ISSUER [TRUSTED_ROOT]
//! ```
//!
//! Without `TRUSTED_ROOT`, the embedded public-good production root is used.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use sigstore_verify::{Artifact, Issuer, Policy, San, TrustedRoot, Verifier};

fn run(args: &[String]) -> Result<String, Box<dyn std::error::Error>> {
    let [bundle, input, identity, issuer, rest @ ..] = args else {
        return Err(
            "usage: verify_bundle BUNDLE FILE_OR_DIGEST IDENTITY ISSUER [TRUSTED_ROOT]".into(),
        );
    };
    let root = match rest.first() {
        Some(path) => TrustedRoot::from_file(path)?,
        None => TrustedRoot::production()?,
    };
    let verifier = Verifier::builder(root).build()?;
    let policy = Policy::identity(
        San::exact(identity.as_str()),
        Issuer::exact(issuer.as_str()),
    );
    let artifact = if input.starts_with("sha256:") && !std::path::Path::new(input).exists() {
        Artifact::from_digest_str(input)?
    } else {
        Artifact::file(input)?
    };
    let result = verifier.verify_json(&std::fs::read(bundle)?, &artifact, &policy)?;
    Ok(serde_json::to_string_pretty(&result)?)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("verification failed: {e}");
            ExitCode::FAILURE
        }
    }
}
