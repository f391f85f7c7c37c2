//! `sget`: secure get. Fetch an artifact and its Sigstore bundle, verify the artifact against
//! the signer you expect while it sits in a temporary file next to its destination, and only
//! then move it into place (or run it with `--exec`). On any failure nothing is left behind.
//! No more `curl | sudo bash`.
//!
//! Exit codes: 0 verified and saved (with `--exec`: the program's own exit status),
//! 1 verification failed or the URL was refused, 2 usage, I/O or network error.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Parser;
use sigstore_examples::fetch::{fetch_bytes, fetch_to, file_name_of, DEFAULT_MAX_ARTIFACT_BYTES};
use sigstore_examples::{
    artifact_file, finish, parse_bundle, print_json, Error, PolicyArgs, TempFile, TrustArgs,
    EXIT_FAILURE, EXIT_OK, MAX_BUNDLE_FILE_BYTES,
};

/// Secure get: download an artifact, verify its Sigstore bundle against the signer you
/// expect, and only then save it (or run it). URLs: https://, http:// on loopback only,
/// file:// or a local path. Exit codes: 0 ok (with --exec: the program's status),
/// 1 verification failed or refused, 2 usage, I/O or network error.
#[derive(Debug, Parser)]
#[command(name = "sget", version)]
struct Cli {
    /// The artifact's URL.
    url: String,
    /// The bundle's URL (default: `<URL>.sigstore.json`).
    #[arg(long, value_name = "URL")]
    bundle: Option<String>,
    /// Where to save the artifact (default: its file name in the current directory).
    #[arg(short, long, value_name = "PATH", conflicts_with = "exec")]
    output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
    /// Run the verified artifact (from its temporary file, which is removed afterwards)
    /// instead of saving it; arguments after `--` are passed to it.
    #[arg(long)]
    exec: bool,
    /// Directory for the temporary file with --exec (default: the current directory).
    #[arg(long, value_name = "DIR", requires = "exec")]
    exec_dir: Option<PathBuf>,
    /// Largest artifact accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_ARTIFACT_BYTES)]
    max_size: u64,
    #[command(flatten)]
    policy: PolicyArgs,
    #[command(flatten)]
    trust: TrustArgs,
    /// Print the outcome as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Arguments for the program run with --exec.
    #[arg(last = true, value_name = "ARGS")]
    args: Vec<String>,
}

fn run(cli: &Cli) -> Result<i32, Error> {
    // Everything that can fail without the network first.
    let policy = cli.policy.to_policy()?;
    let verifier = cli.trust.verifier()?;
    let name = file_name_of(&cli.url).unwrap_or_else(|| "download".to_owned());
    let (dir, dest) = if cli.exec {
        (
            cli.exec_dir.clone().unwrap_or_else(|| PathBuf::from(".")),
            None,
        )
    } else {
        let dest = cli.output.clone().unwrap_or_else(|| PathBuf::from(&name));
        let dest = if dest.is_dir() {
            dest.join(&name)
        } else {
            dest
        };
        if dest.exists() && !cli.force {
            return Err(Error::Usage(
                "the output file exists; pass --force to replace it",
            ));
        }
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        (dir, Some(dest))
    };
    let bundle_url = cli
        .bundle
        .clone()
        .unwrap_or_else(|| format!("{}.sigstore.json", cli.url));

    eprintln!("sget: fetching bundle {bundle_url}");
    let bundle_bytes = fetch_bytes(&bundle_url, MAX_BUNDLE_FILE_BYTES)?;
    let bundle = parse_bundle(&bundle_bytes, &bundle_url)?;

    // The artifact goes to a private temporary file in the destination directory; the
    // guard removes it on every path that does not persist it.
    let tmp = TempFile::create(&dir, &name)?;
    eprintln!("sget: fetching {} into {}", cli.url, tmp.path().display());
    let size = {
        let mut f = tmp.file().map_err(|e| Error::io(tmp.path(), e))?;
        let n = fetch_to(&cli.url, &mut f, cli.max_size)?;
        f.flush().map_err(|e| Error::io(tmp.path(), e))?;
        f.sync_all().map_err(|e| Error::io(tmp.path(), e))?;
        n
    };
    eprintln!("sget: verifying {size} bytes");
    let artifact = artifact_file(tmp.path())?;
    let result = verifier
        .verify(&bundle, &artifact, &policy)
        .map_err(Error::Verify)?;
    eprintln!("sget: verified: {}", result.summary());

    match dest {
        Some(dest) => {
            tmp.persist(&dest)?;
            if cli.json {
                print_json(&serde_json::json!({
                    "ok": true, "saved": dest, "bytes": size, "result": result
                }))?;
            } else {
                println!("{}", dest.display());
            }
            Ok(EXIT_OK)
        }
        None => exec(tmp, &cli.args),
    }
}

fn exec(tmp: TempFile, args: &[String]) -> Result<i32, Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    let program: PathBuf = if tmp.path().is_absolute() {
        tmp.path().to_path_buf()
    } else {
        Path::new(".").join(tmp.path())
    };
    eprintln!("sget: running the verified artifact");
    let status = std::process::Command::new(&program)
        .args(args)
        .status()
        .map_err(|source| Error::Exec {
            program: program.clone(),
            source,
        })?;
    drop(tmp);
    Ok(status.code().unwrap_or(EXIT_FAILURE))
}

fn main() {
    let cli = Cli::parse();
    sigstore_examples::remove_temp_files_on_interrupt();
    let result = run(&cli);
    let failed = result.is_err();
    let code = finish(result, "sget", cli.json);
    if failed {
        eprintln!("sget: refused; nothing was saved");
    }
    std::process::exit(code);
}
