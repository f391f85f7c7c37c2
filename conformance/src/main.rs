//! The client binary driven by the Sigstore conformance suite
//! (<https://github.com/sigstore/sigstore-conformance>).
//!
//! ```text
//! conformance verify-bundle [--staging] --bundle B \
//!     (--certificate-identity ID --certificate-oidc-issuer URL | --key PUB.pem) \
//!     [--trusted-root TR.json] FILE_OR_DIGEST
//! conformance sign-bundle [--staging] [--in-toto] --identity-token TOKEN --bundle OUT \
//!     [--trusted-root TR.json] [--signing-config SC.json] FILE
//! ```
//!
//! Exit status 0 means the bundle verified; any failure prints one line to stderr naming the
//! error kind and the reason, and exits 1 (usage errors exit 2).
#![forbid(unsafe_code)]

mod sign;

use std::path::Path;
use std::process::ExitCode;

use sigstore_verify::{
    Artifact, HashAlgorithm, Issuer, ManagedKey, Policy, San, TrustedRoot, Verifier,
};

/// Parsed `verify-bundle` arguments.
#[derive(Debug, Default)]
struct VerifyArgs {
    staging: bool,
    bundle: Option<String>,
    identity: Option<String>,
    issuer: Option<String>,
    key: Option<String>,
    trusted_root: Option<String>,
    input: Option<String>,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: conformance verify-bundle [--staging] --bundle B \
         (--certificate-identity ID --certificate-oidc-issuer URL | --key PUB.pem) \
         [--trusted-root TR.json] FILE_OR_DIGEST"
    );
    ExitCode::from(2)
}

fn parse_verify_args(args: &[String]) -> Result<VerifyArgs, String> {
    let mut out = VerifyArgs::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--staging" => out.staging = true,
            "--bundle" => out.bundle = Some(value("--bundle")?),
            "--certificate-identity" => out.identity = Some(value("--certificate-identity")?),
            "--certificate-oidc-issuer" => {
                out.issuer = Some(value("--certificate-oidc-issuer")?);
            }
            "--key" => out.key = Some(value("--key")?),
            "--trusted-root" => out.trusted_root = Some(value("--trusted-root")?),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s => {
                if out.input.is_some() {
                    return Err(format!("unexpected argument {s}"));
                }
                out.input = Some(s.to_owned());
            }
        }
    }
    Ok(out)
}

/// Run `verify-bundle`; `Err` is the message to print.
fn verify_bundle(args: &VerifyArgs) -> Result<String, String> {
    let bundle_path = args.bundle.as_deref().ok_or("--bundle is required")?;
    let input = args.input.as_deref().ok_or("FILE_OR_DIGEST is required")?;

    let root = match &args.trusted_root {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| format!("reading trusted root {p}: {e}"))?;
            TrustedRoot::from_json(&bytes)
                .map_err(|e| format!("TrustRoot: parsing trusted root {p}: {e}"))?
        }
        None if args.staging => {
            TrustedRoot::staging().map_err(|e| format!("TrustRoot: embedded staging root: {e}"))?
        }
        None => TrustedRoot::production()
            .map_err(|e| format!("TrustRoot: embedded production root: {e}"))?,
    };
    let verifier = Verifier::builder(root)
        .build()
        .map_err(|e| format!("{}: {e}", e.kind()))?;

    let policy = match (&args.key, &args.identity, &args.issuer) {
        (Some(k), None, None) => {
            let pem = std::fs::read_to_string(k).map_err(|e| format!("reading key {k}: {e}"))?;
            let key = ManagedKey::from_pem(&pem).map_err(|e| format!("{}: {e}", e.kind()))?;
            Policy::public_key(key)
        }
        (None, Some(id), Some(iss)) => Policy::identity(San::exact(id), Issuer::exact(iss)),
        _ => {
            return Err(
                "give either --key or both --certificate-identity and --certificate-oidc-issuer"
                    .to_owned(),
            )
        }
    };

    // The suite's rule: a digest only when it is `sha256:` + 64 hex and not an existing path.
    let is_digest = input.starts_with("sha256:") && Artifact::looks_like_digest(input);
    let artifact = if is_digest && !Path::new(input).exists() {
        Artifact::from_digest_str(input).map_err(|e| format!("{}: {e}", e.kind()))
    } else {
        // Stream the file once, keeping every digest a Sigstore key type may sign with.
        std::fs::File::open(input)
            .map_err(|e| format!("Artifact: opening {input}: {e}"))
            .and_then(|f| {
                Artifact::reader_with(
                    f,
                    &[
                        HashAlgorithm::Sha256,
                        HashAlgorithm::Sha384,
                        HashAlgorithm::Sha512,
                    ],
                )
                .map_err(|e| format!("{}: {e}", e.kind()))
            })
    }?;

    let bundle_bytes =
        std::fs::read(bundle_path).map_err(|e| format!("reading bundle {bundle_path}: {e}"))?;
    let result = verifier
        .verify_json(&bundle_bytes, &artifact, &policy)
        .map_err(|e| format!("{}: {e}", e.kind()))?;
    Ok(result.summary())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        return usage();
    };
    match cmd.as_str() {
        "verify-bundle" => {
            let parsed = match parse_verify_args(rest) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("error: {e}");
                    return usage();
                }
            };
            match verify_bundle(&parsed) {
                Ok(summary) => {
                    println!("OK: {summary}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("verification failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        "sign-bundle" => {
            let parsed = match sign::parse_sign_args(rest) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("error: {e}\n{}", sign::USAGE);
                    return ExitCode::from(2);
                }
            };
            match sign::sign_bundle(&parsed) {
                Ok(summary) => {
                    println!("OK: {summary}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("signing failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        other => {
            eprintln!("unknown command {other}");
            usage()
        }
    }
}
