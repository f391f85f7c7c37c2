//! OpenID Connect identity tokens for Sigstore keyless signing.
//!
//! A keyless signer proves who it is to Fulcio with an OIDC identity token. This crate
//! obtains such a token and reads its claims:
//!
//! - [`IdentityToken`]: a compact JWT (RFC 7519, RFC 7515 §7.1) parsed into the claims
//!   Sigstore uses (`iss`, `sub`, `email`/`email_verified`, `aud`, `exp`, `nbf`, `iat`,
//!   `nonce`). **The token's signature is not verified by this crate**: Fulcio verifies it
//!   against the issuer's keys. The client reads the claims only to choose the identity and
//!   to fail early on an expired or wrongly scoped token. Input is capped at
//!   [`MAX_TOKEN_BYTES`] before it is split, so `.`-heavy input cannot amplify memory
//!   (CVE-2025-66506). The raw token is never printed: `Debug` redacts it and there is no
//!   `Display`.
//! - Token sources, tried by [`resolve`] in a documented order (see [`source`]): explicit
//!   token, `SIGSTORE_ID_TOKEN`, a token file, ambient CI credentials (GitHub Actions,
//!   GitLab, Buildkite, CircleCI, Google Cloud metadata server), then interactive flows.
//!   Environment reads ([`Env`]) and subprocesses ([`CommandRunner`]) are injectable.
//! - With feature `client` (HTTP via `ureq`): OIDC Discovery 1.0 ([`ProviderMetadata`]),
//!   the browser flow (authorization code + PKCE S256, RFC 6749 §4.1, RFC 7636, loopback
//!   redirect per RFC 8252 §7.3, random `state` checked — CVE-2026-24408 — and `nonce`
//!   checked per OIDC Core §3.1.3.7) with a paste-the-code fallback ([`BrowserFlow`]), and
//!   the device authorization grant (RFC 8628, [`DeviceFlow`]). HTTP requests have
//!   timeouts, bounded retries on 5xx / connection errors, a response-size cap
//!   ([`MAX_RESPONSE_BYTES`]) and refuse cross-host redirects.
//!
//! Times are Unix seconds (`i64`).
#![forbid(unsafe_code)]

mod error;
mod pkce;
pub mod source;
mod token;
mod url;

#[cfg(feature = "client")]
mod ambient_http;
#[cfg(feature = "client")]
mod browser;
#[cfg(feature = "client")]
mod device;
mod discovery;
#[cfg(feature = "client")]
mod http;

pub use error::{Error, Result};
pub use pkce::{random_token, s256_challenge, Pkce, PKCE_VERIFIER_BYTES, STATE_BYTES};
pub use source::{
    parse_trimmed, resolve, resolve_from, Buildkite, CircleCi, CommandOutput, CommandRunner, Env,
    EnvToken, GitLab, MapEnv, ProcessEnv, ResolveConfig, StaticToken, SystemCommandRunner,
    TokenFile, TokenSource, DEFAULT_AUDIENCE, DEFAULT_COMMAND_TIMEOUT, ENV_TOKEN_VAR,
    MAX_COMMAND_OUTPUT_BYTES,
};
pub use token::{unix_now, Claims, IdentityToken, MAX_TOKEN_BYTES, NBF_CLOCK_SKEW_SECONDS};

pub use discovery::{ProviderMetadata, WELL_KNOWN_PATH};

#[cfg(feature = "client")]
pub use ambient_http::{GcpMetadata, GitHubActions, GCP_IDENTITY_PATH, GCP_METADATA_BASE};
#[cfg(feature = "client")]
pub use browser::{
    BrowserFlow, BrowserOpener, CodeReader, StdinCodeReader, SystemBrowser, CALLBACK_PATH,
    DEFAULT_CALLBACK_TIMEOUT, DEFAULT_CLIENT_ID, DEFAULT_SCOPE, MAX_CALLBACK_REQUEST_BYTES,
    OOB_REDIRECT_URI,
};
#[cfg(feature = "client")]
pub use device::{
    DeviceAuthorization, DeviceFlow, Prompt, DEFAULT_DEADLINE, DEFAULT_INTERVAL_SECONDS,
    DEVICE_CODE_GRANT_TYPE, MAX_INTERVAL_SECONDS, SLOW_DOWN_INCREMENT_SECONDS,
};
#[cfg(feature = "client")]
pub use http::{
    HttpConfig, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, MAX_REDIRECTS, MAX_RESPONSE_BYTES,
};
#[cfg(feature = "client")]
pub use source::GcpMode;
