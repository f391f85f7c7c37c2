//! `consensus`: succeed only when at least k of the listed signers validly signed one artifact,
//! each signature inside an optional date window ("two of these three maintainers signed this
//! release in March").
//!
//! Exit codes: 0 consensus reached, 1 not reached, 2 usage or I/O error.
#![forbid(unsafe_code)]

use std::path::PathBuf;

use clap::Parser;
use sigstore_examples::{
    artifact_arg, finish, parse_time, print_json, read_bundle, rfc3339, Error, TrustArgs, EXIT_OK,
    MAX_SMALL_FILE_BYTES,
};
use sigstore_verify::{ConsensusPolicy, Issuer, ManagedKey, Policy, San, Signer};

/// Succeed only when at least --threshold of the listed signers validly signed ARTIFACT
/// (one bundle each), optionally all within [--not-before, --not-after]. A signer counts once
/// however many bundles it signed. Exit codes: 0 consensus reached, 1 not reached,
/// 2 usage or I/O error.
#[derive(Debug, Parser)]
#[command(name = "consensus", version)]
struct Cli {
    /// The artifact: a file, or `sha256:<hex>` of it.
    artifact: String,
    /// A bundle (repeat for each signature).
    #[arg(long = "bundle", value_name = "FILE", required = true)]
    bundles: Vec<PathBuf>,
    /// How many distinct listed signers must have signed.
    #[arg(short = 'k', long, value_name = "K")]
    threshold: usize,
    /// A listed signer: `IDENTITY` or `IDENTITY,ISSUER` (split at the last comma); without an
    /// issuer, --issuer applies. Repeatable.
    #[arg(long = "signer", value_name = "IDENTITY[,ISSUER]")]
    signers: Vec<String>,
    /// A listed signer by regular expression (fully anchored): `REGEX` or `REGEX,ISSUER`.
    #[arg(long = "signer-regexp", value_name = "REGEX[,ISSUER]")]
    signer_regexps: Vec<String>,
    /// A listed signer by public key (PEM). Repeatable.
    #[arg(long = "signer-key", value_name = "PUB.pem")]
    signer_keys: Vec<PathBuf>,
    /// The OIDC issuer for signers listed without one.
    #[arg(long, visible_alias = "certificate-oidc-issuer", value_name = "URL")]
    issuer: Option<String>,
    /// Earliest accepted signature time (RFC 3339, a date, or Unix seconds).
    #[arg(long, value_name = "TIME")]
    not_before: Option<String>,
    /// Latest accepted signature time (RFC 3339, a date, or Unix seconds).
    #[arg(long, value_name = "TIME")]
    not_after: Option<String>,
    #[command(flatten)]
    trust: TrustArgs,
    /// Print the outcome as JSON on stdout.
    #[arg(long)]
    json: bool,
}

fn split_signer<'a>(spec: &'a str, default: Option<&'a str>) -> Result<(&'a str, &'a str), Error> {
    match spec.rsplit_once(',') {
        Some((id, iss)) if !id.is_empty() && !iss.is_empty() => Ok((id, iss)),
        _ => match default {
            Some(iss) => Ok((spec, iss)),
            None => Err(Error::BadValue {
                flag: "--signer",
                value: spec.to_owned(),
                reason: "no issuer: write IDENTITY,ISSUER or pass --issuer",
            }),
        },
    }
}

fn policies(cli: &Cli) -> Result<(Vec<Policy>, Vec<String>), Error> {
    let mut out = Vec::new();
    let mut names = Vec::new();
    let default = cli.issuer.as_deref();
    for s in &cli.signers {
        let (id, iss) = split_signer(s, default)?;
        out.push(Policy::identity(San::exact(id), Issuer::exact(iss)));
        names.push(format!("{id} ({iss})"));
    }
    for s in &cli.signer_regexps {
        let (re, iss) = split_signer(s, default)?;
        let san = San::regex(re).map_err(|_| Error::BadValue {
            flag: "--signer-regexp",
            value: re.to_owned(),
            reason: "not a valid regular expression",
        })?;
        out.push(Policy::identity(san, Issuer::exact(iss)));
        names.push(format!("/{re}/ ({iss})"));
    }
    for p in &cli.signer_keys {
        let pem = sigstore_examples::read_limited(p, MAX_SMALL_FILE_BYTES)?;
        let key = std::str::from_utf8(&pem)
            .ok()
            .and_then(|s| ManagedKey::from_pem(s).ok())
            .ok_or_else(|| Error::BadValue {
                flag: "--signer-key",
                value: p.display().to_string(),
                reason: "not a PEM public key",
            })?;
        out.push(Policy::public_key(key));
        names.push(format!("key {}", p.display()));
    }
    if out.is_empty() {
        return Err(Error::Usage(
            "list the signers with --signer, --signer-regexp or --signer-key",
        ));
    }
    Ok((out, names))
}

fn signer_name(s: &Signer) -> String {
    match s {
        Signer::Certificate { identity, .. } => format!(
            "{} ({})",
            identity.san,
            identity.issuer.as_deref().unwrap_or("no issuer")
        ),
        Signer::PublicKey { spki_sha256 } => format!("public key sha256:{spki_sha256}"),
        _ => "unknown signer".to_owned(),
    }
}

fn run(cli: &Cli) -> Result<i32, Error> {
    let (signers, names) = policies(cli)?;
    let n = signers.len();
    if cli.threshold == 0 || cli.threshold > n {
        return Err(Error::Usage(
            "--threshold must be between 1 and the number of listed signers",
        ));
    }
    let mut policy = ConsensusPolicy::new(signers.clone(), cli.threshold).map_err(Error::Setup)?;
    let window = match (&cli.not_before, &cli.not_after) {
        (None, None) => None,
        (a, b) => {
            let start = match a {
                Some(s) => parse_time("--not-before", s)?,
                None => i64::MIN,
            };
            let end = match b {
                Some(s) => parse_time("--not-after", s)?,
                None => i64::MAX,
            };
            if start > end {
                return Err(Error::Usage("--not-before is after --not-after"));
            }
            policy = policy.within(start, end).map_err(Error::Setup)?;
            Some((start, end))
        }
    };
    let verifier = cli.trust.verifier()?;
    let artifact = artifact_arg(&cli.artifact)?;
    let mut bundles = Vec::new();
    for b in &cli.bundles {
        bundles.push(read_bundle(b)?);
    }
    eprintln!(
        "consensus: verifying {} bundle(s) against {} listed signer(s), need {}",
        bundles.len(),
        n,
        cli.threshold
    );
    match verifier.verify_consensus(&bundles, &artifact, &policy) {
        Ok(r) => {
            if cli.json {
                print_json(
                    &serde_json::json!({"ok": true, "threshold": cli.threshold, "result": r}),
                )?;
            } else {
                println!(
                    "consensus reached: {} of {} listed signers (need {})",
                    r.signers.len(),
                    n,
                    cli.threshold
                );
                for s in &r.signers {
                    let times: Vec<String> = s
                        .result
                        .verified_times
                        .iter()
                        .map(|t| rfc3339(t.time))
                        .collect();
                    println!(
                        "  signed: {} [bundle {}] at {}",
                        signer_name(&s.result.signer),
                        cli.bundles
                            .get(s.bundle_index)
                            .map_or_else(String::new, |p| p.display().to_string()),
                        times.join(", ")
                    );
                }
                for rej in &r.rejected {
                    println!(
                        "  not counted: {}: {}",
                        cli.bundles
                            .get(rej.bundle_index)
                            .map_or_else(String::new, |p| p.display().to_string()),
                        rej.reason
                    );
                }
            }
            Ok(EXIT_OK)
        }
        Err(e) => {
            // Explain each bundle: verify it against any listed signer.
            let any = Policy::any_of(signers).map_err(Error::Setup)?;
            let mut details = Vec::new();
            for (i, b) in bundles.iter().enumerate() {
                let path = cli
                    .bundles
                    .get(i)
                    .map_or_else(String::new, |p| p.display().to_string());
                let line = match verifier.verify(b, &artifact, &any) {
                    Ok(r) => {
                        let outside = window.and_then(|(s, e)| {
                            r.verified_times.iter().find(|t| t.time < s || t.time > e)
                        });
                        match outside {
                            Some(t) => format!(
                                "{path}: signed by {} at {}, outside the window",
                                signer_name(&r.signer),
                                rfc3339(t.time)
                            ),
                            None => format!("{path}: signed by {}", signer_name(&r.signer)),
                        }
                    }
                    Err(err) => format!("{path}: {err}"),
                };
                details.push(line);
            }
            if cli.json {
                print_json(&serde_json::json!({
                    "ok": false, "error": e.to_string(), "kind": format!("{:?}", e.kind()),
                    "threshold": cli.threshold, "listed": names, "bundles": details
                }))?;
            }
            eprintln!("consensus: NOT reached: {e}");
            for d in &details {
                eprintln!("  {d}");
            }
            Err(Error::Verify(e))
        }
    }
}

fn main() {
    let cli = Cli::parse();
    // On failure with --json the JSON was already printed by `run`.
    let code = match run(&cli) {
        Err(Error::Verify(e)) if cli.json => Error::Verify(e).exit_code(),
        other => finish(other, "consensus", cli.json),
    };
    std::process::exit(code);
}
