//! Token sources and the documented resolution order.
//!
//! [`resolve`] tries, in this order, and returns the first token found:
//!
//! 1. the explicit token in [`ResolveConfig::token`];
//! 2. the environment variable `SIGSTORE_ID_TOKEN` ([`ENV_TOKEN_VAR`]);
//! 3. the token file in [`ResolveConfig::token_file`];
//! 4. ambient CI credentials, when [`ResolveConfig::ambient`] is set:
//!    GitHub Actions ([`GitHubActions`], needs feature `client`), GitLab CI ([`GitLab`]),
//!    Buildkite ([`Buildkite`]), CircleCI ([`CircleCi`]) and the Google Cloud metadata
//!    server ([`GcpMetadata`], feature `client`);
//! 5. the interactive sources in [`ResolveConfig::interactive`], in the order given —
//!    normally the browser flow then the device flow (feature `client`).
//!
//! A source that does not apply (its variables are absent) is skipped. A source that applies
//! but fails stops the resolution with its error: a CI job with a broken ambient credential
//! must not silently fall through to an interactive login. The token found is checked with
//! [`IdentityToken::check`] against the configured audience and time before it is returned.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::token::{unix_now, IdentityToken, MAX_TOKEN_BYTES};

/// The environment variable holding an identity token (also what GitLab's `id_tokens:`
/// keyword is conventionally configured to set).
pub const ENV_TOKEN_VAR: &str = "SIGSTORE_ID_TOKEN";

/// The audience Sigstore's public Fulcio expects.
pub const DEFAULT_AUDIENCE: &str = "sigstore";

/// Largest amount of stdout read from a token-issuing subprocess.
pub const MAX_COMMAND_OUTPUT_BYTES: usize = MAX_TOKEN_BYTES + 1024;

/// Default time limit for a token-issuing subprocess.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Read access to environment variables, injectable so tests never mutate the process
/// environment.
pub trait Env: Send + Sync {
    /// The value of `name`, if set and valid Unicode.
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// A fixed map of variables (for tests and embedding).
#[derive(Debug, Default, Clone)]
pub struct MapEnv(pub HashMap<String, String>);

impl MapEnv {
    /// An empty environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a variable.
    #[must_use]
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.0.insert(name.to_owned(), value.to_owned());
        self
    }
}

impl Env for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

fn nonempty_var(env: &dyn Env, name: &str) -> Option<String> {
    env.var(name).filter(|v| !v.trim().is_empty())
}

/// What a subprocess produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// Whether it exited successfully.
    pub success: bool,
    /// Its exit code, if it exited normally.
    pub status: Option<i32>,
    /// Its standard output (at most [`MAX_COMMAND_OUTPUT_BYTES`] + 1 bytes).
    pub stdout: Vec<u8>,
}

/// Runs token-issuing commands (`buildkite-agent`, `circleci`); injectable for tests.
pub trait CommandRunner: Send + Sync {
    /// Runs `program` with `args` (no shell) and returns its output.
    fn run(&self, program: &str, args: &[String]) -> Result<CommandOutput>;
}

/// Runs commands with `std::process::Command`, stdin closed, stderr inherited, stdout
/// bounded, and killed after `timeout`.
#[derive(Debug, Clone, Copy)]
pub struct SystemCommandRunner {
    /// Time limit per command.
    pub timeout: Duration,
}

impl Default for SystemCommandRunner {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_COMMAND_TIMEOUT,
        }
    }
}

impl CommandRunner for SystemCommandRunner {
    fn run(&self, program: &str, args: &[String]) -> Result<CommandOutput> {
        use std::process::{Command, Stdio};
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| Error::Io {
                context: "starting token command",
                source,
            })?;
        let stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(out) = stdout {
                // Read at most one byte past the limit, then drain nothing more.
                let limit = u64::try_from(MAX_COMMAND_OUTPUT_BYTES).unwrap_or(u64::MAX);
                let _ = out.take(limit.saturating_add(1)).read_to_end(&mut buf);
            }
            buf
        });
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Error::CommandTimeout {
                        program: program.to_owned(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(source) => {
                    return Err(Error::Io {
                        context: "waiting for token command",
                        source,
                    })
                }
            }
        };
        let stdout = reader.join().unwrap_or_default();
        Ok(CommandOutput {
            success: status.success(),
            status: status.code(),
            stdout,
        })
    }
}

/// Something that may produce an identity token.
pub trait TokenSource {
    /// A short name for diagnostics (`"env"`, `"github-actions"`, ...).
    fn name(&self) -> &'static str;
    /// `Ok(None)` when the source does not apply here (e.g. not on that CI system);
    /// `Err` when it applies but failed.
    fn fetch(&self) -> Result<Option<IdentityToken>>;
}

/// Parses a token that came from a file, a variable or a subprocess: surrounding ASCII
/// whitespace (a trailing newline) is removed first.
pub fn parse_trimmed(raw: &str) -> Result<IdentityToken> {
    if raw.len() > MAX_TOKEN_BYTES.saturating_add(1024) {
        return Err(Error::TokenTooLarge {
            limit: MAX_TOKEN_BYTES,
            found: raw.len(),
        });
    }
    IdentityToken::parse(raw.trim_matches(|c: char| c.is_ascii_whitespace()))
}

/// An explicitly supplied token.
pub struct StaticToken(pub String);

impl std::fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenSource for StaticToken {
    fn name(&self) -> &'static str {
        "explicit"
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        parse_trimmed(&self.0).map(Some)
    }
}

/// The token in an environment variable (default [`ENV_TOKEN_VAR`]).
pub struct EnvToken {
    env: Arc<dyn Env>,
    var: String,
}

impl EnvToken {
    /// Reads [`ENV_TOKEN_VAR`] from `env`.
    pub fn new(env: Arc<dyn Env>) -> Self {
        Self {
            env,
            var: ENV_TOKEN_VAR.to_owned(),
        }
    }

    /// Reads another variable.
    pub fn with_var(env: Arc<dyn Env>, var: &str) -> Self {
        Self {
            env,
            var: var.to_owned(),
        }
    }
}

impl TokenSource for EnvToken {
    fn name(&self) -> &'static str {
        "env"
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        nonempty_var(self.env.as_ref(), &self.var)
            .map(|v| parse_trimmed(&v))
            .transpose()
    }
}

/// A token read from a file (for example one a CI step wrote). Reads at most
/// [`MAX_TOKEN_BYTES`] + 1024 bytes. A missing file is an error, not "does not apply".
#[derive(Debug, Clone)]
pub struct TokenFile(pub PathBuf);

impl TokenSource for TokenFile {
    fn name(&self) -> &'static str {
        "file"
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        let file = std::fs::File::open(&self.0).map_err(|source| Error::TokenFile {
            path: self.0.clone(),
            source,
        })?;
        let limit = u64::try_from(MAX_TOKEN_BYTES.saturating_add(1025)).unwrap_or(u64::MAX);
        let mut buf = String::new();
        file.take(limit)
            .read_to_string(&mut buf)
            .map_err(|source| Error::TokenFile {
                path: self.0.clone(),
                source,
            })?;
        parse_trimmed(&buf).map(Some)
    }
}

/// GitLab CI. GitLab does not offer an API for minting tokens from a job; instead the job
/// declares one with the `id_tokens:` keyword, conventionally:
///
/// ```yaml
/// job:
///   id_tokens:
///     SIGSTORE_ID_TOKEN:
///       aud: sigstore
/// ```
///
/// This source applies when `GITLAB_CI=true` and reads that variable. If it is missing the
/// source reports [`Error::AmbientMisconfigured`] so the job fails with a clear message.
pub struct GitLab {
    env: Arc<dyn Env>,
}

impl GitLab {
    /// Reads from `env`.
    pub fn new(env: Arc<dyn Env>) -> Self {
        Self { env }
    }
}

impl TokenSource for GitLab {
    fn name(&self) -> &'static str {
        "gitlab"
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        if self.env.var("GITLAB_CI").as_deref() != Some("true") {
            return Ok(None);
        }
        match nonempty_var(self.env.as_ref(), ENV_TOKEN_VAR) {
            Some(v) => parse_trimmed(&v).map(Some),
            None => Err(Error::AmbientMisconfigured {
                provider: "GitLab CI",
                missing: "SIGSTORE_ID_TOKEN (declare it with `id_tokens:`)",
            }),
        }
    }
}

fn run_token_command(
    runner: &dyn CommandRunner,
    program: &str,
    args: &[String],
) -> Result<IdentityToken> {
    let out = runner.run(program, args)?;
    if !out.success {
        return Err(Error::CommandFailed {
            program: program.to_owned(),
            status: out.status,
        });
    }
    if out.stdout.len() > MAX_COMMAND_OUTPUT_BYTES {
        return Err(Error::TokenTooLarge {
            limit: MAX_TOKEN_BYTES,
            found: out.stdout.len(),
        });
    }
    let text = std::str::from_utf8(&out.stdout).map_err(|_| Error::Malformed {
        why: "command output is not UTF-8",
    })?;
    parse_trimmed(text)
}

/// Buildkite: applies when `BUILDKITE=true`; runs
/// `buildkite-agent oidc request-token --audience <aud>` through the [`CommandRunner`].
pub struct Buildkite {
    env: Arc<dyn Env>,
    runner: Arc<dyn CommandRunner>,
    audience: String,
    program: String,
}

impl Buildkite {
    /// Uses `buildkite-agent` from `PATH`.
    pub fn new(env: Arc<dyn Env>, runner: Arc<dyn CommandRunner>, audience: &str) -> Self {
        Self {
            env,
            runner,
            audience: audience.to_owned(),
            program: "buildkite-agent".to_owned(),
        }
    }

    /// The argument list passed to the agent.
    pub fn args(&self) -> Vec<String> {
        ["oidc", "request-token", "--audience", &self.audience]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }
}

impl TokenSource for Buildkite {
    fn name(&self) -> &'static str {
        "buildkite"
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        if self.env.var("BUILDKITE").as_deref() != Some("true") {
            return Ok(None);
        }
        run_token_command(self.runner.as_ref(), &self.program, &self.args()).map(Some)
    }
}

/// CircleCI: applies when `CIRCLECI=true`; runs
/// `circleci run oidc get --claims '{"aud":"<aud>"}'` through the [`CommandRunner`].
pub struct CircleCi {
    env: Arc<dyn Env>,
    runner: Arc<dyn CommandRunner>,
    audience: String,
    program: String,
}

impl CircleCi {
    /// Uses `circleci` from `PATH`.
    pub fn new(env: Arc<dyn Env>, runner: Arc<dyn CommandRunner>, audience: &str) -> Self {
        Self {
            env,
            runner,
            audience: audience.to_owned(),
            program: "circleci".to_owned(),
        }
    }

    /// The argument list passed to the CLI (the claims JSON is built with a JSON encoder,
    /// so an odd audience cannot break out of it).
    pub fn args(&self) -> Vec<String> {
        let claims = serde_json::json!({ "aud": self.audience }).to_string();
        vec![
            "run".to_owned(),
            "oidc".to_owned(),
            "get".to_owned(),
            "--claims".to_owned(),
            claims,
        ]
    }
}

impl TokenSource for CircleCi {
    fn name(&self) -> &'static str {
        "circleci"
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        if self.env.var("CIRCLECI").as_deref() != Some("true") {
            return Ok(None);
        }
        run_token_command(self.runner.as_ref(), &self.program, &self.args()).map(Some)
    }
}

#[cfg(feature = "client")]
use crate::ambient_http::{GcpMetadata, GitHubActions};

/// Whether [`resolve`] asks the Google Cloud metadata server (feature `client`).
#[cfg(feature = "client")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GcpMode {
    /// Only when [`GcpMetadata::detect`] finds Google Cloud (the default).
    Detect,
    /// Never.
    Disabled,
    /// Always, at this base URL (e.g. a loopback stand-in in tests).
    Base(String),
}

/// Configuration for [`resolve`].
pub struct ResolveConfig {
    /// An explicit token (highest priority).
    pub token: Option<String>,
    /// A file holding a token.
    pub token_file: Option<PathBuf>,
    /// Where environment variables are read from.
    pub env: Arc<dyn Env>,
    /// The audience requested from ambient providers and required in the token's `aud`.
    pub audience: String,
    /// Whether to try ambient CI providers.
    pub ambient: bool,
    /// Runs `buildkite-agent` / `circleci`.
    pub runner: Arc<dyn CommandRunner>,
    /// HTTP settings for GitHub Actions and the GCP metadata server.
    #[cfg(feature = "client")]
    pub http: crate::http::HttpConfig,
    /// Whether and where to ask the Google Cloud metadata server.
    #[cfg(feature = "client")]
    pub gcp: GcpMode,
    /// Interactive sources tried last, in order (normally the browser flow, then the
    /// device flow).
    pub interactive: Vec<Box<dyn TokenSource>>,
    /// The time to check tokens at; `None` means the system clock.
    pub now: Option<i64>,
}

impl ResolveConfig {
    /// Reads the process environment, audience `sigstore`, ambient detection on, no
    /// interactive sources.
    pub fn new() -> Self {
        Self {
            token: None,
            token_file: None,
            env: Arc::new(ProcessEnv),
            audience: DEFAULT_AUDIENCE.to_owned(),
            ambient: true,
            runner: Arc::new(SystemCommandRunner::default()),
            #[cfg(feature = "client")]
            http: crate::http::HttpConfig::default(),
            #[cfg(feature = "client")]
            gcp: GcpMode::Detect,
            interactive: Vec::new(),
            now: None,
        }
    }

    /// The sources [`resolve`] tries, in order.
    pub fn sources(&self) -> Vec<Box<dyn TokenSource + '_>> {
        let mut out: Vec<Box<dyn TokenSource + '_>> = Vec::new();
        if let Some(t) = &self.token {
            out.push(Box::new(StaticToken(t.clone())));
        }
        out.push(Box::new(EnvToken::new(self.env.clone())));
        if let Some(p) = &self.token_file {
            out.push(Box::new(TokenFile(p.clone())));
        }
        if self.ambient {
            #[cfg(feature = "client")]
            out.push(Box::new(GitHubActions::new(
                self.env.clone(),
                &self.audience,
                self.http.clone(),
            )));
            out.push(Box::new(GitLab::new(self.env.clone())));
            out.push(Box::new(Buildkite::new(
                self.env.clone(),
                self.runner.clone(),
                &self.audience,
            )));
            out.push(Box::new(CircleCi::new(
                self.env.clone(),
                self.runner.clone(),
                &self.audience,
            )));
            #[cfg(feature = "client")]
            {
                let base = match &self.gcp {
                    GcpMode::Base(b) => Some(b.clone()),
                    GcpMode::Detect => GcpMetadata::detect(self.env.as_ref()),
                    GcpMode::Disabled => None,
                };
                if let Some(base) = base {
                    out.push(Box::new(GcpMetadata::new(
                        &base,
                        &self.audience,
                        self.http.clone(),
                    )));
                }
            }
        }
        for s in &self.interactive {
            out.push(Box::new(Borrowed(s.as_ref())));
        }
        out
    }
}

impl Default for ResolveConfig {
    fn default() -> Self {
        Self::new()
    }
}

struct Borrowed<'a>(&'a dyn TokenSource);

impl TokenSource for Borrowed<'_> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        self.0.fetch()
    }
}

/// Returns the first token the configured sources produce (order in the module docs),
/// checked against `config.audience` at `config.now`.
pub fn resolve(config: &ResolveConfig) -> Result<IdentityToken> {
    let now = config.now.unwrap_or_else(unix_now);
    resolve_from(&config.sources(), now, &config.audience)
}

/// Tries `sources` in order; the first `Ok(Some)` is checked at `now` for
/// `audience` and returned; the first `Err` is returned; all `Ok(None)` gives
/// [`Error::NoToken`].
pub fn resolve_from(
    sources: &[Box<dyn TokenSource + '_>],
    now: i64,
    audience: &str,
) -> Result<IdentityToken> {
    for source in sources {
        if let Some(token) = source.fetch()? {
            token.check(now, audience)?;
            return Ok(token);
        }
    }
    Err(Error::NoToken)
}
