//! Shared code of the example programs built on the Sigstore Rust SDK:
//!
//! - `sigstore`: `verify`, `verify-attestation`, `inspect`, `trust-root` (and `sign` /
//!   `attest` once the SDK's signer is available);
//! - `sget`: secure get, which verifies an artifact against a policy while it sits in a
//!   temporary file and only then moves it into place (or runs it);
//! - `consensus`: at least *k* of the listed signers signed one artifact inside a window;
//! - `monitor`: follows a Rekor log (v1 API or v2 tiles), verifies consistency between
//!   successive checkpoints with state on disk, alerts on forks and rollbacks, and reports
//!   new entries whose certificate identity matches a watch list.
//!
//! Exit codes, common to every program: [`EXIT_OK`] (0), [`EXIT_FAILURE`] (1: verification
//! failed, the program refused, or the monitor raised an alert), [`EXIT_USAGE`] (2: bad
//! arguments, I/O or network errors).
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod fetch;
pub mod inspect;
pub mod monitor;
pub mod sign;

use std::io::Write;
use std::path::{Path, PathBuf};

use sigstore_verify::{
    oid, Artifact, HashAlgorithm, Issuer, ManagedKey, Matcher, Policy, San, TrustedRoot, Verifier,
    VerifyError,
};

/// Success.
pub const EXIT_OK: i32 = 0;
/// Verification failed, the program refused, or the monitor raised an alert.
pub const EXIT_FAILURE: i32 = 1;
/// Usage, I/O or network error.
pub const EXIT_USAGE: i32 = 2;

/// Largest bundle read from a file or a URL (the bundle crate's own cap).
pub const MAX_BUNDLE_FILE_BYTES: u64 = sigstore_bundle::MAX_BUNDLE_BYTES as u64;

/// Largest public-key or trusted-root file read.
pub const MAX_SMALL_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What the monitor caught a log doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum AlertKind {
    /// Two views of the log that are not one append-only history.
    Fork,
    /// The log shows a smaller tree than one already verified.
    Rollback,
    /// A checkpoint whose signature or origin does not verify, or that disagrees with the
    /// log's own metadata.
    BadCheckpoint,
    /// An entry the log serves that is not in the verified tree.
    BadEntry,
}

impl std::fmt::Display for AlertKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AlertKind::Fork => "FORK",
            AlertKind::Rollback => "ROLLBACK",
            AlertKind::BadCheckpoint => "BAD CHECKPOINT",
            AlertKind::BadEntry => "BAD ENTRY",
        })
    }
}

/// Errors of the example programs. [`Error::exit_code`] maps each to the documented status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad command-line usage.
    #[error("usage: {0}")]
    Usage(&'static str),
    /// A command-line value could not be parsed.
    #[error("invalid value for {flag}: {value:?} ({reason})")]
    BadValue {
        /// The flag.
        flag: &'static str,
        /// The value given.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is larger than the limit.
    #[error("{path}: larger than {limit} bytes")]
    TooLarge {
        /// The file or URL.
        path: String,
        /// The limit.
        limit: u64,
    },
    /// A bundle or trusted root could not be parsed.
    #[error("{what}: {source}")]
    Parse {
        /// What was being parsed.
        what: String,
        /// The cause.
        source: sigstore_bundle::Error,
    },
    /// The trusted root (or the policy) could not be turned into a verifier.
    #[error("setup: {0}")]
    Setup(VerifyError),
    /// Verification failed.
    #[error("verification failed: {0}")]
    Verify(VerifyError),
    /// Fetching a URL failed.
    #[error("fetch {url}: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A URL is not allowed (scheme, or plain HTTP off loopback).
    #[error("refusing URL {url}: {reason}")]
    UrlRefused {
        /// The URL.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// A transparency-log call or check failed (network or malformed response).
    #[error("transparency log: {0}")]
    Tlog(sigstore_tlog::Error),
    /// The monitor found the log misbehaving (fork, rollback, bad signature or proof).
    #[error("ALERT: {kind}: {detail}")]
    Alert {
        /// What kind of misbehavior.
        kind: AlertKind,
        /// The sizes, roots and indexes involved.
        detail: String,
    },
    /// JSON (de)serialization of program state failed.
    #[error("{what}: {source}")]
    Json {
        /// What.
        what: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// Signing failed (no bundle was written).
    #[error("signing failed: {0}")]
    Sign(sigstore_verify::sign::SignError),
    /// A child program could not be started.
    #[error("exec {program}: {source}")]
    Exec {
        /// The program.
        program: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl Error {
    /// The exit status for this error: [`EXIT_FAILURE`] for verification failures, refusals
    /// and alerts, [`EXIT_USAGE`] for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Verify(_) | Error::Alert { .. } | Error::UrlRefused { .. } => EXIT_FAILURE,
            // Configuration, token and I/O problems are usage errors; a service that
            // misbehaves or a bundle that does not verify after signing is a refusal.
            Error::Sign(e) => {
                use sigstore_verify::sign::SignError as S;
                match e {
                    S::Config(_) | S::Token(_) | S::Key(_) | S::Io { .. } | S::Statement(_) => {
                        EXIT_USAGE
                    }
                    _ => EXIT_FAILURE,
                }
            }
            _ => EXIT_USAGE,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Read at most `limit` bytes of a file; larger files are an error.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    f.take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| Error::io(path, e))?;
    if out.len() as u64 > limit {
        return Err(Error::TooLarge {
            path: path.display().to_string(),
            limit,
        });
    }
    Ok(out)
}

/// Write `data` to `path` atomically: a temporary file in the same directory, flushed and
/// synced, then renamed over `path`. Readers see the old or the new content, never a mix.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_owned());
    let tmp = TempFile::create(&dir, &name)?;
    {
        let mut f = tmp.file().map_err(|e| Error::io(tmp.path(), e))?;
        f.write_all(data).map_err(|e| Error::io(tmp.path(), e))?;
        f.sync_all().map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.persist(path)
}

/// A temporary file that is removed when dropped, unless [`TempFile::persist`]ed.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    keep: bool,
}

/// Random hex for temporary names.
fn random_hex() -> String {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b = (t as u64 ^ u64::from(std::process::id())).to_be_bytes();
    }
    hex::encode(b)
}

/// The temporary files of this process that are not yet persisted or removed, for the
/// interrupt handler ([`remove_temp_files_on_interrupt`]).
static LIVE_TEMP_FILES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Exit status after an interrupt (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: i32 = 130;

fn live_temp_files() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A poisoned lock still holds a usable list of paths.
    LIVE_TEMP_FILES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// On SIGINT, SIGTERM or SIGHUP, remove every live [`TempFile`] and exit with
/// [`EXIT_INTERRUPTED`]: an interrupted download or signing run leaves no partial file. Call
/// once, first thing in `main`; an error (a handler already installed) is reported and
/// ignored, since the guards still clean up on every other path.
pub fn remove_temp_files_on_interrupt() {
    let installed = ctrlc::set_handler(|| {
        for path in live_temp_files().drain(..) {
            let _ = std::fs::remove_file(path);
        }
        std::process::exit(EXIT_INTERRUPTED);
    });
    if let Err(e) = installed {
        eprintln!(
            "warning: no interrupt handler ({e}); an interrupted run may leave a temporary file"
        );
    }
}

impl TempFile {
    /// Create a new, empty, private file `.<stem>.<random>.tmp` in `dir` (never an existing
    /// file: `create_new`).
    pub fn create(dir: &Path, stem: &str) -> Result<TempFile, Error> {
        let path = dir.join(format!(".{stem}.{}.tmp", random_hex()));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        // Registered before it exists, so an interrupt between the two cannot miss it.
        live_temp_files().push(path.clone());
        if let Err(e) = opts.open(&path) {
            forget_temp_file(&path);
            return Err(Error::io(&path, e));
        }
        Ok(TempFile { path, keep: false })
    }

    /// The temporary path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open the file for writing (truncating).
    pub fn file(&self) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&self.path)
    }

    /// Rename the file to `dest` (same directory, so the rename is atomic) and keep it.
    pub fn persist(mut self, dest: &Path) -> Result<(), Error> {
        // Under the lock, so an interrupt either removes the temporary file before the rename
        // or finds it persisted.
        let mut live = live_temp_files();
        std::fs::rename(&self.path, dest).map_err(|e| Error::io(dest, e))?;
        live.retain(|p| p != &self.path);
        self.keep = true;
        Ok(())
    }
}

/// Drop `path` from the live temporary files.
fn forget_temp_file(path: &Path) {
    live_temp_files().retain(|p| p != path);
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
            forget_temp_file(&self.path);
        }
    }
}

/// Where the trusted root comes from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TrustArgs {
    /// A trusted_root.json to use instead of the embedded public-good root.
    #[arg(long, value_name = "FILE", conflicts_with = "staging")]
    pub trusted_root: Option<PathBuf>,
    /// Use the embedded staging root instead of production.
    #[arg(long)]
    pub staging: bool,
}

impl TrustArgs {
    /// Load the trusted root these flags select.
    pub fn load(&self) -> Result<TrustedRoot, Error> {
        if let Some(p) = &self.trusted_root {
            let bytes = read_limited(p, MAX_SMALL_FILE_BYTES)?;
            return TrustedRoot::from_json(&bytes).map_err(|source| Error::Parse {
                what: p.display().to_string(),
                source,
            });
        }
        let (what, r) = if self.staging {
            ("embedded staging root", TrustedRoot::staging())
        } else {
            ("embedded production root", TrustedRoot::production())
        };
        r.map_err(|source| Error::Parse {
            what: what.to_owned(),
            source,
        })
    }

    /// Short description for messages.
    pub fn describe(&self) -> String {
        match &self.trusted_root {
            Some(p) => p.display().to_string(),
            None if self.staging => "embedded staging root".to_owned(),
            None => "embedded production root".to_owned(),
        }
    }

    /// A verifier over the selected root.
    pub fn verifier(&self) -> Result<Verifier, Error> {
        Verifier::builder(self.load()?)
            .build()
            .map_err(Error::Setup)
    }
}

/// What the signer must be: an identity (exact or regex) with its OIDC issuer, optional
/// Fulcio extensions, or a public key. Flag names follow cosign `verify-blob`; the
/// sigstore-python spellings (`--cert-identity`, `--cert-oidc-issuer`) are accepted too.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyArgs {
    /// The signer's identity (certificate SAN: email or URI), exactly.
    #[arg(long, visible_alias = "cert-identity", value_name = "IDENTITY")]
    pub certificate_identity: Option<String>,
    /// The signer's identity as a regular expression (fully anchored).
    #[arg(
        long,
        visible_alias = "cert-identity-regexp",
        value_name = "REGEX",
        conflicts_with = "certificate_identity"
    )]
    pub certificate_identity_regexp: Option<String>,
    /// The OIDC issuer of the signer's identity, exactly.
    #[arg(long, visible_alias = "cert-oidc-issuer", value_name = "URL")]
    pub certificate_oidc_issuer: Option<String>,
    /// The OIDC issuer as a regular expression (fully anchored).
    #[arg(long, value_name = "REGEX", conflicts_with = "certificate_oidc_issuer")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// GitHub workflow repository (extension 1.3.6.1.4.1.57264.1.5), e.g. `owner/repo`.
    #[arg(long, value_name = "REPO")]
    pub certificate_github_workflow_repository: Option<String>,
    /// GitHub workflow trigger (extension .1.2), e.g. `push`.
    #[arg(long, value_name = "EVENT")]
    pub certificate_github_workflow_trigger: Option<String>,
    /// GitHub workflow commit SHA (extension .1.3).
    #[arg(long, value_name = "SHA")]
    pub certificate_github_workflow_sha: Option<String>,
    /// GitHub workflow name (extension .1.4).
    #[arg(long, value_name = "NAME")]
    pub certificate_github_workflow_name: Option<String>,
    /// GitHub workflow ref (extension .1.6), e.g. `refs/heads/main`.
    #[arg(long, value_name = "REF")]
    pub certificate_github_workflow_ref: Option<String>,
    /// Any Fulcio extension, exactly: `OID=VALUE` (repeatable), e.g.
    /// `1.3.6.1.4.1.57264.1.12=https://github.com/org/repo`.
    #[arg(long = "certificate-extension", value_name = "OID=VALUE")]
    pub certificate_extension: Vec<String>,
    /// Verify a bundle signed with this public key (PEM SubjectPublicKeyInfo) instead of a
    /// certificate identity.
    #[arg(long, value_name = "PUB.pem", conflicts_with_all = [
        "certificate_identity", "certificate_identity_regexp",
        "certificate_oidc_issuer", "certificate_oidc_issuer_regexp"])]
    pub key: Option<PathBuf>,
}

fn regex_err<'a>(flag: &'static str, value: &'a str) -> impl FnOnce(VerifyError) -> Error + 'a {
    move |_| Error::BadValue {
        flag,
        value: value.to_owned(),
        reason: "not a valid regular expression (or too large)",
    }
}

impl PolicyArgs {
    /// Whether any signer constraint was given.
    pub fn is_empty(&self) -> bool {
        self.key.is_none()
            && self.certificate_identity.is_none()
            && self.certificate_identity_regexp.is_none()
    }

    /// Build the policy. An identity needs an issuer; a key excludes identities.
    pub fn to_policy(&self) -> Result<Policy, Error> {
        if let Some(path) = &self.key {
            let pem = read_limited(path, MAX_SMALL_FILE_BYTES)?;
            let pem = String::from_utf8(pem).map_err(|_| Error::BadValue {
                flag: "--key",
                value: path.display().to_string(),
                reason: "not a PEM text file",
            })?;
            let key = ManagedKey::from_pem(&pem).map_err(|_| Error::BadValue {
                flag: "--key",
                value: path.display().to_string(),
                reason: "not a PEM public key (SubjectPublicKeyInfo)",
            })?;
            return self.with_extensions(Policy::public_key(key));
        }
        let san = match (
            &self.certificate_identity,
            &self.certificate_identity_regexp,
        ) {
            (Some(s), _) => San::exact(s.clone()),
            (None, Some(r)) => {
                San::regex(r).map_err(regex_err("--certificate-identity-regexp", r))?
            }
            (None, None) => {
                return Err(Error::Usage(
                    "give --certificate-identity (or --certificate-identity-regexp) with \
                     --certificate-oidc-issuer, or --key",
                ))
            }
        };
        let issuer = match (
            &self.certificate_oidc_issuer,
            &self.certificate_oidc_issuer_regexp,
        ) {
            (Some(s), _) => Issuer::exact(s.clone()),
            (None, Some(r)) => {
                Issuer::regex(r).map_err(regex_err("--certificate-oidc-issuer-regexp", r))?
            }
            (None, None) => {
                return Err(Error::Usage(
                    "an identity needs --certificate-oidc-issuer (or \
                     --certificate-oidc-issuer-regexp)",
                ))
            }
        };
        self.with_extensions(Policy::identity(san, issuer))
    }

    fn with_extensions(&self, base: Policy) -> Result<Policy, Error> {
        let mut all = vec![base];
        let typed = [
            (
                oid::GITHUB_WORKFLOW_REPOSITORY,
                &self.certificate_github_workflow_repository,
            ),
            (
                oid::GITHUB_WORKFLOW_TRIGGER,
                &self.certificate_github_workflow_trigger,
            ),
            (
                oid::GITHUB_WORKFLOW_SHA,
                &self.certificate_github_workflow_sha,
            ),
            (
                oid::GITHUB_WORKFLOW_NAME,
                &self.certificate_github_workflow_name,
            ),
            (
                oid::GITHUB_WORKFLOW_REF,
                &self.certificate_github_workflow_ref,
            ),
        ];
        for (o, v) in typed {
            if let Some(v) = v {
                all.push(Policy::extension(o, Matcher::exact(v.clone())).map_err(Error::Setup)?);
            }
        }
        for e in &self.certificate_extension {
            let (o, v) = e.split_once('=').ok_or_else(|| Error::BadValue {
                flag: "--certificate-extension",
                value: e.clone(),
                reason: "expected OID=VALUE",
            })?;
            all.push(
                Policy::extension(o, Matcher::exact(v)).map_err(|_| Error::BadValue {
                    flag: "--certificate-extension",
                    value: e.clone(),
                    reason: "not a Fulcio extension OID (1.3.6.1.4.1.57264.1.*)",
                })?,
            );
        }
        if all.len() == 1 {
            if let Some(p) = all.pop() {
                return Ok(p);
            }
        }
        Policy::all_of(all).map_err(Error::Setup)
    }
}

/// The artifact argument: a file path, or `sha256:<hex>` (also `sha384:`, `sha512:`).
pub fn artifact_arg(arg: &str) -> Result<Artifact, Error> {
    if Artifact::looks_like_digest(arg) && !Path::new(arg).exists() {
        return Artifact::from_digest_str(arg).map_err(|_| Error::BadValue {
            flag: "ARTIFACT",
            value: arg.to_owned(),
            reason: "malformed digest (expected sha256:<64 hex>)",
        });
    }
    artifact_file(Path::new(arg))
}

/// Stream a file once, computing SHA-256, SHA-384 and SHA-512 (bundles may use any).
pub fn artifact_file(path: &Path) -> Result<Artifact, Error> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Artifact::reader_with(
        std::io::BufReader::new(f),
        &[
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ],
    )
    .map_err(|e| match e {
        VerifyError::Artifact(sigstore_verify::ArtifactProblem::Io(io)) => Error::io(path, io),
        other => Error::Setup(other),
    })
}

/// Read and parse a bundle file.
pub fn read_bundle(path: &Path) -> Result<sigstore_verify::Bundle, Error> {
    let bytes = read_limited(path, MAX_BUNDLE_FILE_BYTES)?;
    parse_bundle(&bytes, &path.display().to_string())
}

/// Parse bundle JSON (`what` names it in errors).
pub fn parse_bundle(bytes: &[u8], what: &str) -> Result<sigstore_verify::Bundle, Error> {
    sigstore_verify::Bundle::from_json(bytes).map_err(|source| Error::Parse {
        what: format!("bundle {what}"),
        source,
    })
}

/// RFC 3339 (UTC) for a Unix time; the number itself if out of range.
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Parse a time flag: RFC 3339 (`2026-01-31T00:00:00Z`), a date (`2026-01-31`, midnight
/// UTC) or Unix seconds.
pub fn parse_time(flag: &'static str, s: &str) -> Result<i64, Error> {
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n);
    }
    let bad = || Error::BadValue {
        flag,
        value: s.to_owned(),
        reason: "expected RFC 3339 (2026-01-31T00:00:00Z), a date (2026-01-31) or Unix seconds",
    };
    let full = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        s.to_owned()
    };
    time::OffsetDateTime::parse(&full, &time::format_description::well_known::Rfc3339)
        .map(|d| d.unix_timestamp())
        .map_err(|_| bad())
}

/// Print a JSON value to stdout (pretty).
pub fn print_json(v: &impl serde::Serialize) -> Result<(), Error> {
    let s = serde_json::to_string_pretty(v).map_err(|source| Error::Json {
        what: "output".to_owned(),
        source,
    })?;
    println!("{s}");
    Ok(())
}

/// The JSON printed for a failure when `--json` is set.
pub fn error_json(e: &Error) -> serde_json::Value {
    let kind = match e {
        Error::Verify(v) | Error::Setup(v) => format!("{:?}", v.kind()),
        Error::Alert { kind, .. } => format!("Alert{kind:?}"),
        Error::UrlRefused { .. } => "UrlRefused".to_owned(),
        Error::Usage(_) | Error::BadValue { .. } => "Usage".to_owned(),
        _ => "Io".to_owned(),
    };
    serde_json::json!({"ok": false, "error": e.to_string(), "kind": kind, "exit_code": e.exit_code()})
}

/// Run a program's body: on error print it (as JSON on stdout when `json`, always a line on
/// stderr) and return the documented exit code.
pub fn finish(result: Result<i32, Error>, program: &str, json: bool) -> i32 {
    match result {
        Ok(code) => code,
        Err(e) => {
            if json {
                let _ = print_json(&error_json(&e));
            }
            eprintln!("{program}: {e}");
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "sigstore-examples-unit-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn read_limited_enforces_the_cap() {
        let d = scratch("limit");
        let f = d.join("f");
        std::fs::write(&f, vec![b'x'; 11]).unwrap();
        assert!(matches!(
            read_limited(&f, 10),
            Err(Error::TooLarge { limit: 10, .. })
        ));
        assert_eq!(read_limited(&f, 11).unwrap().len(), 11);
        assert!(matches!(
            read_limited(&d.join("missing"), 10),
            Err(Error::Io { .. })
        ));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn temp_files_vanish_unless_persisted_and_writes_are_atomic() {
        let d = scratch("tmp");
        let live = |p: &Path| live_temp_files().iter().any(|q| q == p);
        let first;
        {
            let t = TempFile::create(&d, "a").unwrap();
            assert!(t.path().exists());
            // Known to the interrupt handler while it exists...
            assert!(live(t.path()));
            first = t.path().to_path_buf();
        }
        // ... and forgotten once removed or persisted.
        assert!(!live(&first));
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        let t = TempFile::create(&d, "b").unwrap();
        let second = t.path().to_path_buf();
        t.persist(&d.join("b")).unwrap();
        assert!(!live(&second));
        assert!(d.join("b").exists());
        // A file that cannot be created is not left registered.
        let missing = d.join("no-such-dir");
        assert!(TempFile::create(&missing, "c").is_err());
        assert!(!live_temp_files().iter().any(|p| p.starts_with(&missing)));
        write_atomic(&d.join("state.json"), b"one").unwrap();
        write_atomic(&d.join("state.json"), b"two").unwrap();
        assert_eq!(std::fs::read(d.join("state.json")).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 2);
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("t", "0").unwrap(), 0);
        assert_eq!(parse_time("t", "2024-03-19").unwrap(), 1_710_806_400);
        assert_eq!(
            parse_time("t", "2024-03-19T17:26:26Z").unwrap(),
            1_710_869_186
        );
        assert!(matches!(
            parse_time("t", "yesterday"),
            Err(Error::BadValue { flag: "t", .. })
        ));
        assert_eq!(rfc3339(1_710_869_186), "2024-03-19T17:26:26Z");
    }

    #[test]
    fn policy_flags() {
        let none = PolicyArgs::default();
        assert!(none.is_empty());
        assert!(matches!(none.to_policy(), Err(Error::Usage(_))));
        let no_issuer = PolicyArgs {
            certificate_identity: Some("a@b".into()),
            ..Default::default()
        };
        assert!(matches!(no_issuer.to_policy(), Err(Error::Usage(_))));
        let bad_ext = PolicyArgs {
            certificate_identity: Some("a@b".into()),
            certificate_oidc_issuer: Some("https://i".into()),
            certificate_extension: vec!["no-equals-sign".into()],
            ..Default::default()
        };
        assert!(matches!(
            bad_ext.to_policy(),
            Err(Error::BadValue {
                flag: "--certificate-extension",
                ..
            })
        ));
        let ok = PolicyArgs {
            certificate_identity_regexp: Some(".*@example\\.com".into()),
            certificate_oidc_issuer: Some("https://i".into()),
            certificate_github_workflow_repository: Some("o/r".into()),
            ..Default::default()
        };
        assert!(ok.to_policy().unwrap().constrains_signer());
    }

    #[test]
    fn exit_codes() {
        assert_eq!(Error::Usage("x").exit_code(), EXIT_USAGE);
        assert_eq!(
            Error::Alert {
                kind: AlertKind::Fork,
                detail: String::new()
            }
            .exit_code(),
            EXIT_FAILURE
        );
        assert_eq!(
            Error::UrlRefused {
                url: String::new(),
                reason: "r"
            }
            .exit_code(),
            EXIT_FAILURE
        );
        assert!(Error::Alert {
            kind: AlertKind::Rollback,
            detail: "size 3 < 5".into()
        }
        .to_string()
        .starts_with("ALERT: ROLLBACK: "));
    }
}
