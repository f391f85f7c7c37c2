//! The crate's single error type.

use std::path::PathBuf;

/// Everything that can go wrong while obtaining or parsing an identity token.
///
/// Variants never carry the raw token, the authorization code, the PKCE verifier or the
/// `state` value, so an error can be logged safely.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token is not a well-formed JWT (three base64url segments with JSON header and
    /// claims). `why` says which rule was broken; it never contains token bytes.
    #[error("malformed identity token: {why}")]
    Malformed {
        /// The rule that was broken.
        why: &'static str,
    },
    /// The token is longer than [`crate::MAX_TOKEN_BYTES`]; rejected before any splitting.
    #[error("identity token too large: {found} bytes, limit {limit}")]
    TokenTooLarge {
        /// The limit, [`crate::MAX_TOKEN_BYTES`].
        limit: usize,
        /// The length seen.
        found: usize,
    },
    /// A required claim is absent or has the wrong JSON type.
    #[error("identity token is missing claim `{claim}` (or it has the wrong type)")]
    MissingClaim {
        /// The claim name.
        claim: &'static str,
    },
    /// `exp` is at or before `now`.
    #[error("identity token expired at {exp} (now {now})")]
    Expired {
        /// The token's `exp` (Unix seconds).
        exp: i64,
        /// The time it was checked at (Unix seconds).
        now: i64,
    },
    /// `nbf` is later than `now` plus [`crate::NBF_CLOCK_SKEW_SECONDS`].
    #[error("identity token not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The token's `nbf` (Unix seconds).
        nbf: i64,
        /// The time it was checked at (Unix seconds).
        now: i64,
    },
    /// The expected audience is not among the token's `aud` values.
    #[error("identity token audience {found:?} does not contain {expected:?}")]
    WrongAudience {
        /// The audience the caller required.
        expected: String,
        /// The token's audiences.
        found: Vec<String>,
    },
    /// The token's (or discovery document's) issuer differs from the configured issuer.
    #[error("issuer mismatch: expected {expected:?}, found {found:?}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer that was presented.
        found: String,
    },
    /// The ID token's `nonce` claim is missing or differs from the one this client sent.
    #[error("ID token nonce does not match the authorization request")]
    NonceMismatch,
    /// The authorization callback's `state` is missing or differs from the one this client
    /// sent (CSRF protection, CVE-2026-24408). No token exchange was attempted.
    #[error("authorization callback state is {}", if *.missing { "missing" } else { "wrong" })]
    StateMismatch {
        /// `true` when the callback had no `state` at all.
        missing: bool,
    },
    /// The authorization callback carried no `code`.
    #[error("authorization callback carried no code")]
    MissingCode,
    /// The authorization server redirected back with an OAuth error (RFC 6749 §4.1.2.1).
    #[error("authorization failed: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    AuthorizationFailed {
        /// The OAuth `error` code.
        error: String,
        /// The optional `error_description`.
        description: Option<String>,
    },
    /// No valid callback reached the loopback listener in time.
    #[error("timed out after {seconds} s waiting for the authorization callback")]
    CallbackTimeout {
        /// The configured limit in seconds.
        seconds: u64,
    },
    /// The token endpoint answered with an OAuth error response (RFC 6749 §5.2).
    #[error("token endpoint error: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    TokenEndpoint {
        /// The OAuth `error` code.
        error: String,
        /// The optional `error_description`.
        description: Option<String>,
    },
    /// The token endpoint's success response had no `id_token`.
    #[error("token response has no id_token")]
    MissingIdToken,
    /// Device flow: the user denied the request (`access_denied`, RFC 8628 §3.5).
    #[error("device authorization was denied by the user")]
    AccessDenied,
    /// Device flow: the device code expired (`expired_token`, RFC 8628 §3.5).
    #[error("device code expired before the user approved it")]
    DeviceCodeExpired,
    /// Device flow: the overall deadline passed while polling.
    #[error("device flow deadline of {seconds} s exceeded")]
    DeadlineExceeded {
        /// The deadline in seconds.
        seconds: u64,
    },
    /// The issuer's metadata lacks an endpoint a flow needs (e.g. no
    /// `device_authorization_endpoint` for the device flow).
    #[error("issuer metadata has no {endpoint}")]
    MissingEndpoint {
        /// The metadata field name.
        endpoint: &'static str,
    },
    /// A URL is unusable: not http(s), plain http to a non-loopback host, or unparsable.
    #[error("unusable URL {url:?}: {why}")]
    InvalidUrl {
        /// The URL (never one carrying secrets).
        url: String,
        /// The rule that was broken.
        why: &'static str,
    },
    /// A redirect pointed to another scheme, host or port and was refused.
    #[error("refused cross-host redirect from {from:?} to {to:?}")]
    CrossHostRedirect {
        /// The URL that redirected.
        from: String,
        /// The redirect target.
        to: String,
    },
    /// Too many same-host redirects.
    #[error("too many redirects from {url:?}")]
    TooManyRedirects {
        /// The original URL.
        url: String,
    },
    /// An HTTP request got a non-success status that is not an OAuth error response.
    #[error("HTTP {status} from {url}")]
    HttpStatus {
        /// The URL requested (query string removed).
        url: String,
        /// The status code.
        status: u16,
    },
    /// Connection-level failure after all retries.
    #[error("transport error talking to {url}: {message}")]
    Transport {
        /// The URL requested (query string removed).
        url: String,
        /// What the HTTP library reported.
        message: String,
    },
    /// A response body exceeded its size limit.
    #[error("response from {url} exceeds {limit} bytes")]
    ResponseTooLarge {
        /// The URL requested (query string removed).
        url: String,
        /// The limit.
        limit: u64,
    },
    /// A JSON document (discovery, token response, provider response) did not parse or had
    /// the wrong shape.
    #[error("invalid JSON in {context}: {source}")]
    Json {
        /// Which document.
        context: &'static str,
        /// The parser error.
        #[source]
        source: serde_json::Error,
    },
    /// The configured token file could not be read.
    #[error("cannot read token file {path:?}: {source}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Other local I/O failure (loopback listener, terminal prompt, subprocess).
    #[error("I/O error during {context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A token-issuing subprocess (buildkite-agent, circleci, browser opener) failed.
    #[error("command {program:?} failed (exit status {status:?})")]
    CommandFailed {
        /// The program run.
        program: String,
        /// Its exit code, if it exited normally.
        status: Option<i32>,
    },
    /// A token-issuing subprocess did not finish in time and was killed.
    #[error("command {program:?} timed out")]
    CommandTimeout {
        /// The program run.
        program: String,
    },
    /// A CI provider was detected but the variables needed to obtain a token are missing
    /// (e.g. GitHub Actions without `permissions: id-token: write`).
    #[error("{provider} detected but {missing} is not set")]
    AmbientMisconfigured {
        /// The provider.
        provider: &'static str,
        /// The missing variable.
        missing: &'static str,
    },
    /// No source produced a token.
    #[error("no identity token source produced a token")]
    NoToken,
    /// The crate was built without the `client` feature but a network source was requested.
    #[error("{what} needs the `client` feature")]
    ClientFeatureDisabled {
        /// The source or flow.
        what: &'static str,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;
