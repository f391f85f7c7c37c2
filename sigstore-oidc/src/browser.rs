//! The interactive browser flow: OAuth 2.0 authorization code grant (RFC 6749 §4.1) with
//! PKCE S256 (RFC 7636), a random `state` (RFC 6749 §10.12) and OIDC `nonce` (OIDC Core
//! §3.1.2.1), and a loopback redirect listener (RFC 8252 §7.3), plus a paste-the-code
//! fallback with the out-of-band redirect URI.
//!
//! The `state` returned to the loopback listener is compared (constant time) with the one
//! sent; a missing or different `state` ends the flow with [`Error::StateMismatch`] before
//! any token exchange (CVE-2026-24408).

use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use crate::discovery::ProviderMetadata;
use crate::error::{Error, Result};
use crate::http::{oauth_error, HttpClient, HttpConfig};
use crate::pkce::{ct_eq, random_token, Pkce, STATE_BYTES};
use crate::source::{Env, ProcessEnv, TokenSource};
use crate::token::{unix_now, IdentityToken, MAX_TOKEN_BYTES};
use crate::url::{append_query, parse_query, query_get};

/// The OAuth client id of Sigstore's public-good issuer.
pub const DEFAULT_CLIENT_ID: &str = "sigstore";

/// Scopes requested.
pub const DEFAULT_SCOPE: &str = "openid email";

/// Path of the loopback redirect URI: `http://127.0.0.1:<port>/auth/callback`.
pub const CALLBACK_PATH: &str = "/auth/callback";

/// The out-of-band redirect URI used by the paste-the-code fallback.
pub const OOB_REDIRECT_URI: &str = "urn:ietf:wg:oauth:2.0:oob";

/// Largest HTTP request head the loopback listener reads.
pub const MAX_CALLBACK_REQUEST_BYTES: usize = 8 * 1024;

/// Default time to wait for the user to finish logging in.
pub const DEFAULT_CALLBACK_TIMEOUT: Duration = Duration::from_secs(300);

/// Opens the authorization URL for the user.
pub trait BrowserOpener: Send + Sync {
    /// Shows `url` to the user (normally by launching a browser). Must not block until
    /// the login finishes.
    fn open(&self, url: &str) -> Result<()>;
}

/// Launches the command in `BROWSER` (first entry of the `:`-separated list; `%s` is
/// replaced by the URL, otherwise the URL is appended as an argument), else `xdg-open`
/// (`open` on macOS). The URL is also printed to stderr in case no browser starts.
pub struct SystemBrowser {
    env: Arc<dyn Env>,
}

impl SystemBrowser {
    /// Reads `BROWSER` from `env`.
    pub fn new(env: Arc<dyn Env>) -> Self {
        Self { env }
    }

    /// The program and arguments that would be run for `url`.
    pub fn command_for(&self, url: &str) -> (String, Vec<String>) {
        let configured = self
            .env
            .var("BROWSER")
            .and_then(|b| b.split(':').next().map(str::to_owned))
            .filter(|b| !b.trim().is_empty());
        match configured {
            Some(cmd) => {
                let mut words = cmd.split_whitespace().map(str::to_owned);
                let program = words.next().unwrap_or_default();
                let mut args: Vec<String> = words.collect();
                if args.iter().any(|a| a.contains("%s")) {
                    for a in &mut args {
                        *a = a.replace("%s", url);
                    }
                } else {
                    args.push(url.to_owned());
                }
                (program, args)
            }
            None => {
                let program = if cfg!(target_os = "macos") {
                    "open"
                } else {
                    "xdg-open"
                };
                (program.to_owned(), vec![url.to_owned()])
            }
        }
    }
}

impl Default for SystemBrowser {
    fn default() -> Self {
        Self::new(Arc::new(ProcessEnv))
    }
}

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &str) -> Result<()> {
        eprintln!("Opening your browser to log in. If it does not open, visit:\n  {url}");
        let (program, args) = self.command_for(url);
        // Not waited for: some browsers only exit when closed. The child is reaped by the OS
        // when this process exits.
        std::process::Command::new(&program)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|source| Error::Io {
                context: "launching the browser",
                source,
            })
    }
}

/// Reads what the user pastes in the out-of-band fallback.
pub trait CodeReader: Send + Sync {
    /// Given the authorization URL (already shown by the opener), returns the user's input:
    /// the bare code, or the `code=...&state=...` query / full redirect URL.
    fn read_code(&self, authorization_url: &str) -> Result<String>;
}

/// Prompts on stderr and reads one line from stdin (at most [`MAX_CALLBACK_REQUEST_BYTES`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct StdinCodeReader;

impl CodeReader for StdinCodeReader {
    fn read_code(&self, _authorization_url: &str) -> Result<String> {
        eprint!("Enter the verification code shown in your browser: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let limit = u64::try_from(MAX_CALLBACK_REQUEST_BYTES).unwrap_or(u64::MAX);
        std::io::stdin()
            .lock()
            .take(limit)
            .read_line(&mut line)
            .map_err(|source| Error::Io {
                context: "reading the pasted code",
                source,
            })?;
        Ok(line)
    }
}

/// The browser flow. Build with [`BrowserFlow::new`], adjust, then [`BrowserFlow::run`].
pub struct BrowserFlow {
    metadata: ProviderMetadata,
    client_id: String,
    client_secret: Option<String>,
    scope: String,
    opener: Box<dyn BrowserOpener>,
    timeout: Duration,
    http: HttpConfig,
    oob: Option<Box<dyn CodeReader>>,
}

impl BrowserFlow {
    /// A loopback-redirect flow against `metadata` for `client_id` (normally
    /// [`DEFAULT_CLIENT_ID`]), opening the [`SystemBrowser`].
    pub fn new(metadata: ProviderMetadata, client_id: &str) -> Self {
        Self {
            metadata,
            client_id: client_id.to_owned(),
            client_secret: None,
            scope: DEFAULT_SCOPE.to_owned(),
            opener: Box::new(SystemBrowser::default()),
            timeout: DEFAULT_CALLBACK_TIMEOUT,
            http: HttpConfig::default(),
            oob: None,
        }
    }

    /// Sends `client_secret` in the token request (Sigstore's public client sends `""`).
    #[must_use]
    pub fn client_secret(mut self, secret: &str) -> Self {
        self.client_secret = Some(secret.to_owned());
        self
    }

    /// Replaces the requested scopes.
    #[must_use]
    pub fn scope(mut self, scope: &str) -> Self {
        scope.clone_into(&mut self.scope);
        self
    }

    /// Replaces the browser opener.
    #[must_use]
    pub fn opener(mut self, opener: Box<dyn BrowserOpener>) -> Self {
        self.opener = opener;
        self
    }

    /// How long to wait for the callback.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// HTTP settings for the token exchange.
    #[must_use]
    pub fn http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// Uses the paste-the-code fallback: redirect URI [`OOB_REDIRECT_URI`], code read via
    /// `reader` instead of a loopback listener.
    #[must_use]
    pub fn out_of_band(mut self, reader: Box<dyn CodeReader>) -> Self {
        self.oob = Some(reader);
        self
    }

    fn authorization_url(
        &self,
        redirect_uri: &str,
        pkce: &Pkce,
        state: &str,
        nonce: &str,
    ) -> Result<String> {
        let endpoint =
            self.metadata
                .authorization_endpoint
                .as_deref()
                .ok_or(Error::MissingEndpoint {
                    endpoint: "authorization_endpoint",
                })?;
        Ok(append_query(
            endpoint,
            &[
                ("response_type", "code"),
                ("client_id", &self.client_id),
                ("redirect_uri", redirect_uri),
                ("scope", &self.scope),
                ("state", state),
                ("nonce", nonce),
                ("code_challenge", pkce.challenge()),
                ("code_challenge_method", "S256"),
            ],
        ))
    }

    /// Runs the flow and returns the ID token, checked: issuer equals the metadata's
    /// issuer, `nonce` equals the one sent, audience contains the client id, not expired.
    pub fn run(&self) -> Result<IdentityToken> {
        let pkce = Pkce::generate()?;
        let state = random_token(STATE_BYTES)?;
        let nonce = random_token(STATE_BYTES)?;
        let (code, redirect_uri) = match &self.oob {
            Some(reader) => {
                let url = self.authorization_url(OOB_REDIRECT_URI, &pkce, &state, &nonce)?;
                self.opener.open(&url)?;
                let input = reader.read_code(&url)?;
                (
                    code_from_pasted(&input, &state)?,
                    OOB_REDIRECT_URI.to_owned(),
                )
            }
            None => self.loopback(&pkce, &state, &nonce)?,
        };
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("client_id", self.client_id.as_str()),
            ("code_verifier", pkce.verifier()),
        ];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret));
        }
        let raw = token_request(&self.http, &self.metadata.token_endpoint, &form)?;
        validate_id_token(
            &raw,
            &self.metadata.issuer,
            &self.client_id,
            Some(&nonce),
            unix_now(),
        )
    }

    fn loopback(&self, pkce: &Pkce, state: &str, nonce: &str) -> Result<(String, String)> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|source| Error::Io {
            context: "binding the loopback listener",
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| Error::Io {
                context: "reading the loopback port",
                source,
            })?
            .port();
        let redirect_uri = format!("http://127.0.0.1:{port}{CALLBACK_PATH}");
        let url = self.authorization_url(&redirect_uri, pkce, state, nonce)?;

        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let deadline = Instant::now() + self.timeout;
        let expected = state.to_owned();
        let stop_thread = stop.clone();
        let handle = std::thread::spawn(move || {
            let r = serve_callback(&listener, &expected, deadline, &stop_thread);
            let _ = tx.send(r);
        });
        if let Err(e) = self.opener.open(&url) {
            stop.store(true, Ordering::SeqCst);
            let _ = handle.join();
            return Err(e);
        }
        let result = rx
            .recv_timeout(self.timeout.saturating_add(Duration::from_secs(1)))
            .unwrap_or(Err(Error::CallbackTimeout {
                seconds: self.timeout.as_secs(),
            }));
        stop.store(true, Ordering::SeqCst);
        let _ = handle.join();
        result.map(|code| (code, redirect_uri))
    }
}

impl TokenSource for BrowserFlow {
    fn name(&self) -> &'static str {
        "browser"
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        self.run().map(Some)
    }
}

/// Extracts the code from pasted input: a bare code, or a query / URL with `code` (and, if
/// present, `state`, which must then match).
fn code_from_pasted(input: &str, expected_state: &str) -> Result<String> {
    let input = input.trim();
    if input.len() > MAX_CALLBACK_REQUEST_BYTES {
        return Err(Error::Malformed {
            why: "pasted code is too long",
        });
    }
    if !input.contains("code=") {
        if input.is_empty() {
            return Err(Error::MissingCode);
        }
        return Ok(input.to_owned());
    }
    let query = input.split_once('?').map_or(input, |(_, q)| q);
    let query = query.split('#').next().unwrap_or_default();
    let pairs = parse_query(query);
    if let Some(state) = query_get(&pairs, "state") {
        if !ct_eq(state, expected_state) {
            return Err(Error::StateMismatch { missing: false });
        }
    }
    query_get(&pairs, "code")
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .ok_or(Error::MissingCode)
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// Reads one request head; returns the request target of a GET.
fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(buf.get(..n)?);
        if head.len() > MAX_CALLBACK_REQUEST_BYTES {
            return None;
        }
    }
    let text = std::str::from_utf8(&head).ok()?;
    let line = text.lines().next()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    (method == "GET").then(|| target.to_owned())
}

const DONE_PAGE: &str = "<!doctype html><title>Sigstore</title><p>Authentication complete. You may close this window.</p>";
const FAIL_PAGE: &str =
    "<!doctype html><title>Sigstore</title><p>Authentication failed. Return to the terminal.</p>";

/// Waits for exactly one request to [`CALLBACK_PATH`] and judges it. Requests to other
/// paths (favicon, probes) get a 404 and are otherwise ignored.
fn serve_callback(
    listener: &TcpListener,
    expected_state: &str,
    deadline: Instant,
    stop: &AtomicBool,
) -> Result<String> {
    listener.set_nonblocking(true).map_err(|source| Error::Io {
        context: "configuring the loopback listener",
        source,
    })?;
    let seconds = deadline.saturating_duration_since(Instant::now()).as_secs();
    loop {
        if stop.load(Ordering::SeqCst) || Instant::now() >= deadline {
            return Err(Error::CallbackTimeout { seconds });
        }
        let mut stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            Err(source) => {
                return Err(Error::Io {
                    context: "accepting on the loopback listener",
                    source,
                })
            }
        };
        let Some(target) = read_request_target(&mut stream) else {
            respond(&mut stream, "400 Bad Request", FAIL_PAGE);
            continue;
        };
        let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
        if path != CALLBACK_PATH {
            respond(&mut stream, "404 Not Found", "");
            continue;
        }
        let pairs = parse_query(query);
        let result = judge_callback(&pairs, expected_state);
        match &result {
            Ok(_) => respond(&mut stream, "200 OK", DONE_PAGE),
            Err(_) => respond(&mut stream, "400 Bad Request", FAIL_PAGE),
        }
        return result;
    }
}

fn judge_callback(pairs: &[(String, String)], expected_state: &str) -> Result<String> {
    // The state is checked first, even for error redirects, so a forged request cannot
    // inject an error either.
    match query_get(pairs, "state") {
        None => return Err(Error::StateMismatch { missing: true }),
        Some(s) if !ct_eq(s, expected_state) => {
            return Err(Error::StateMismatch { missing: false })
        }
        Some(_) => {}
    }
    if let Some(error) = query_get(pairs, "error") {
        return Err(Error::AuthorizationFailed {
            error: error.to_owned(),
            description: query_get(pairs, "error_description").map(str::to_owned),
        });
    }
    query_get(pairs, "code")
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .ok_or(Error::MissingCode)
}

/// POSTs `form` to the token endpoint; returns the `id_token` of a success response or the
/// OAuth error as [`Error::TokenEndpoint`].
pub(crate) fn token_request(
    http: &HttpConfig,
    token_endpoint: &str,
    form: &[(&str, &str)],
) -> Result<String> {
    let client = HttpClient::new(http.clone());
    let resp = client.post_form(token_endpoint, form, &[("Accept", "application/json")])?;
    if resp.status != 200 {
        return Err(oauth_error(token_endpoint, &resp));
    }
    #[derive(serde::Deserialize)]
    struct TokenResponse {
        id_token: Option<String>,
    }
    let t: TokenResponse = serde_json::from_slice(&resp.body).map_err(|source| Error::Json {
        context: "token response",
        source,
    })?;
    let raw = t.id_token.ok_or(Error::MissingIdToken)?;
    if raw.len() > MAX_TOKEN_BYTES {
        return Err(Error::TokenTooLarge {
            limit: MAX_TOKEN_BYTES,
            found: raw.len(),
        });
    }
    Ok(raw)
}

/// Parses an ID token from a token response and checks issuer, nonce (when one was sent),
/// audience (the client id) and time.
pub(crate) fn validate_id_token(
    raw: &str,
    issuer: &str,
    client_id: &str,
    nonce: Option<&str>,
    now: i64,
) -> Result<IdentityToken> {
    let token = IdentityToken::parse(raw)?;
    if token.issuer() != issuer {
        return Err(Error::IssuerMismatch {
            expected: issuer.to_owned(),
            found: token.issuer().to_owned(),
        });
    }
    if let Some(expected) = nonce {
        match &token.claims().nonce {
            Some(n) if ct_eq(n, expected) => {}
            _ => return Err(Error::NonceMismatch),
        }
    }
    token.check(now, client_id)?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        parse_query(q)
    }

    #[test]
    fn judge() {
        assert_eq!(judge_callback(&pairs("code=c&state=s"), "s").unwrap(), "c");
        assert!(matches!(
            judge_callback(&pairs("code=c"), "s"),
            Err(Error::StateMismatch { missing: true })
        ));
        assert!(matches!(
            judge_callback(&pairs("code=c&state=x"), "s"),
            Err(Error::StateMismatch { missing: false })
        ));
        assert!(matches!(
            judge_callback(&pairs("error=access_denied&state=s"), "s"),
            Err(Error::AuthorizationFailed { .. })
        ));
        assert!(matches!(
            judge_callback(&pairs("error=access_denied"), "s"),
            Err(Error::StateMismatch { missing: true })
        ));
        assert!(matches!(
            judge_callback(&pairs("state=s"), "s"),
            Err(Error::MissingCode)
        ));
    }

    #[test]
    fn pasted() {
        assert_eq!(code_from_pasted(" abc \n", "s").unwrap(), "abc");
        assert_eq!(
            code_from_pasted("http://x/cb?code=abc&state=s", "s").unwrap(),
            "abc"
        );
        assert!(matches!(
            code_from_pasted("code=abc&state=t", "s"),
            Err(Error::StateMismatch { missing: false })
        ));
        assert!(matches!(
            code_from_pasted("  ", "s"),
            Err(Error::MissingCode)
        ));
    }

    #[test]
    fn browser_command() {
        use crate::source::MapEnv;
        let b = SystemBrowser::new(Arc::new(
            MapEnv::new().with("BROWSER", "firefox --new-tab %s:lynx"),
        ));
        assert_eq!(
            b.command_for("http://u"),
            (
                "firefox".to_owned(),
                vec!["--new-tab".to_owned(), "http://u".to_owned()]
            )
        );
        let b = SystemBrowser::new(Arc::new(MapEnv::new()));
        assert_eq!(b.command_for("http://u").1, vec!["http://u".to_owned()]);
    }
}
