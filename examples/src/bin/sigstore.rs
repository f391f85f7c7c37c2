//! `sigstore`: verify, inspect and sign Sigstore bundles from the command line.
//!
//! Exit codes: 0 success, 1 verification failed, 2 usage or I/O error.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use sigstore_examples::sign::SignArgs;
use sigstore_examples::{
    artifact_arg, finish, inspect, print_json, read_bundle, Error, PolicyArgs, TrustArgs, EXIT_OK,
};
use sigstore_verify::{Policy, VerificationResult};

/// Sign and verify with Sigstore. Exit codes: 0 success, 1 verification failed or refused,
/// 2 usage or I/O error.
#[derive(Debug, Parser)]
#[command(name = "sigstore", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign a file (keyless with an OIDC identity, or with --key) into a Sigstore bundle.
    Sign(SignCmd),
    /// Sign an in-toto attestation: a statement file, or a predicate about an artifact.
    Attest(AttestCmd),
    /// Verify a bundle for an artifact against the signer you expect.
    Verify(VerifyArgs),
    /// Verify an in-toto attestation (DSSE bundle) for an artifact, optionally its predicate type.
    VerifyAttestation(AttestationArgs),
    /// Print what a bundle contains (signer, times, log entries, timestamps), unverified.
    Inspect(InspectArgs),
    /// Show the embedded trusted root, or load one from a file and validate it.
    TrustRoot(TrustRootArgs),
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The artifact: a file, or `sha256:<hex>` of it.
    artifact: String,
    /// The bundle (default: `<ARTIFACT>.sigstore.json`).
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
    #[command(flatten)]
    trust: TrustArgs,
    /// Print the verification result as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct AttestationArgs {
    #[command(flatten)]
    verify: VerifyArgs,
    /// The in-toto predicate type the attestation must carry (e.g. `https://slsa.dev/provenance/v1`).
    #[arg(long = "type", value_name = "PREDICATE_TYPE")]
    predicate_type: Option<String>,
}

#[derive(Debug, clap::Args)]
struct SignCmd {
    /// The file to sign.
    artifact: PathBuf,
    #[command(flatten)]
    sign: SignArgs,
}

#[derive(Debug, clap::Args)]
struct AttestCmd {
    /// The artifact the attestation is about (with --predicate and --type).
    #[arg(required_unless_present = "statement")]
    artifact: Option<PathBuf>,
    /// A complete in-toto statement to sign as is.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["artifact", "predicate"])]
    statement: Option<PathBuf>,
    /// The predicate (JSON) for a statement built about ARTIFACT.
    #[arg(long, value_name = "FILE", requires = "predicate_type")]
    predicate: Option<PathBuf>,
    /// The predicate type URI, e.g. `https://slsa.dev/provenance/v1`.
    #[arg(long = "type", visible_alias = "predicate-type", value_name = "URI")]
    predicate_type: Option<String>,
    #[command(flatten)]
    sign: SignArgs,
}

#[derive(Debug, clap::Args)]
struct InspectArgs {
    /// The bundle file.
    bundle: PathBuf,
    /// Name log URLs from this trust root (default: the embedded production root).
    #[command(flatten)]
    trust: TrustArgs,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct TrustRootArgs {
    #[command(flatten)]
    trust: TrustArgs,
    /// JSON output.
    #[arg(long)]
    json: bool,
}

fn bundle_path(args: &VerifyArgs) -> Result<PathBuf, Error> {
    match &args.bundle {
        Some(b) => Ok(b.clone()),
        None if Path::new(&args.artifact).exists() => {
            Ok(PathBuf::from(format!("{}.sigstore.json", args.artifact)))
        }
        None => Err(Error::Usage(
            "--bundle is required when the artifact is a digest",
        )),
    }
}

fn verify_with(args: &VerifyArgs, extra: Option<Policy>) -> Result<VerificationResult, Error> {
    let mut policy = args.policy.to_policy()?;
    if let Some(extra) = extra {
        policy = Policy::all_of(vec![policy, extra]).map_err(Error::Setup)?;
    }
    let verifier = args.trust.verifier()?;
    let bundle = read_bundle(&bundle_path(args)?)?;
    let artifact = artifact_arg(&args.artifact)?;
    verifier
        .verify(&bundle, &artifact, &policy)
        .map_err(Error::Verify)
}

fn report(result: &VerificationResult, json: bool) -> Result<i32, Error> {
    if json {
        print_json(&serde_json::json!({"ok": true, "result": result}))?;
    } else {
        println!("OK: {}", result.summary());
        for t in &result.verified_times {
            println!(
                "  verified time {} ({:?})",
                sigstore_examples::rfc3339(t.time),
                t.source
            );
        }
        for e in &result.tlog_entries {
            println!(
                "  log entry {} in {} ({} {})",
                e.log_index.map_or("-".to_owned(), |i| i.to_string()),
                e.log_url,
                e.kind,
                e.version
            );
        }
        if let Some(p) = &result.predicate_type {
            println!("  predicate type {p}");
        }
    }
    Ok(EXIT_OK)
}

fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Sign(c) => {
            let out = c.sign.output_for(&c.artifact)?;
            let ctx = c.sign.context()?;
            eprintln!("sigstore: signing {}", c.artifact.display());
            let signed = ctx.sign_file(&c.artifact).map_err(Error::Sign)?;
            c.sign.finish(&signed, &out)?;
            Ok(EXIT_OK)
        }
        Command::Attest(c) => {
            let (statement, input) = match (&c.statement, &c.artifact) {
                (Some(st), _) => (
                    sigstore_examples::read_limited(st, sigstore_examples::MAX_SMALL_FILE_BYTES)?,
                    st.clone(),
                ),
                (None, Some(a)) => {
                    let (Some(p), Some(t)) = (&c.predicate, &c.predicate_type) else {
                        return Err(Error::Usage(
                            "attest ARTIFACT needs --predicate FILE and --type URI (or use --statement)",
                        ));
                    };
                    let pred = sigstore_examples::read_limited(
                        p,
                        sigstore_examples::MAX_SMALL_FILE_BYTES,
                    )?;
                    (
                        sigstore_examples::sign::statement_for(a, t, &pred)?,
                        a.clone(),
                    )
                }
                (None, None) => return Err(Error::Usage("give ARTIFACT or --statement")),
            };
            let out = c.sign.output_for(&input)?;
            let ctx = c.sign.context()?;
            eprintln!("sigstore: signing an attestation about {}", input.display());
            let signed = ctx.sign_statement(&statement).map_err(Error::Sign)?;
            c.sign.finish(&signed, &out)?;
            Ok(EXIT_OK)
        }
        Command::Verify(args) => {
            let r = verify_with(&args, None)?;
            report(&r, args.json)
        }
        Command::VerifyAttestation(args) => {
            let extra = args.predicate_type.clone().map(Policy::predicate_type);
            let r = verify_with(&args.verify, extra)?;
            if r.statement.is_none() {
                return Err(Error::Usage(
                    "the bundle is a message signature, not an attestation; use `sigstore verify`",
                ));
            }
            report(&r, args.verify.json)
        }
        Command::Inspect(args) => {
            let bundle = read_bundle(&args.bundle)?;
            let root = args.trust.load().ok();
            let info = inspect::bundle_info(&bundle, root.as_ref());
            if args.json {
                print_json(&info)?;
            } else {
                print!("{}", inspect::render_bundle(&info));
            }
            Ok(EXIT_OK)
        }
        Command::TrustRoot(args) => {
            let root = args.trust.load()?;
            let info = inspect::root_info(&root);
            let verifier = sigstore_verify::Verifier::builder(root)
                .build()
                .map_err(Error::Verify)?;
            if args.json {
                print_json(&serde_json::json!({
                    "source": args.trust.describe(),
                    "valid": true,
                    "usable_logs": verifier.trusted_log_count(),
                    "skipped_logs": verifier.skipped_log_count(),
                    "root": info,
                }))?;
            } else {
                println!("source: {}", args.trust.describe());
                print!("{}", inspect::render_root(&info));
                println!(
                    "valid: {} usable transparency log key(s), {} skipped",
                    verifier.trusted_log_count(),
                    verifier.skipped_log_count()
                );
            }
            Ok(EXIT_OK)
        }
    }
}

fn main() {
    let cli = Cli::parse();
    sigstore_examples::remove_temp_files_on_interrupt();
    let json = match &cli.command {
        Command::Sign(a) => a.sign.json,
        Command::Attest(a) => a.sign.json,
        Command::Verify(a) => a.json,
        Command::VerifyAttestation(a) => a.verify.json,
        Command::Inspect(a) => a.json,
        Command::TrustRoot(a) => a.json,
    };
    let code = finish(run(cli), "sigstore", json);
    std::process::exit(code);
}
