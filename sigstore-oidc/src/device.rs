//! The OAuth 2.0 device authorization grant (RFC 8628), for machines without a browser.
//!
//! The client POSTs to the `device_authorization_endpoint` (§3.1–3.2), shows the user the
//! `verification_uri` (or `verification_uri_complete`) and `user_code` through a callback
//! (§3.3), then polls the token endpoint (§3.4) every `interval` seconds, handling
//! `authorization_pending`, `slow_down` (interval + 5 s), `access_denied` and
//! `expired_token` (§3.5), until an overall deadline.

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::browser::{token_request, validate_id_token, DEFAULT_SCOPE};
use crate::discovery::ProviderMetadata;
use crate::error::{Error, Result};
use crate::http::{oauth_error, HttpClient, HttpConfig};
use crate::source::TokenSource;
use crate::token::{unix_now, IdentityToken};

/// The grant type of the polling requests (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Polling interval when the server gives none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL_SECONDS: u64 = 5;

/// Added to the interval on each `slow_down` (RFC 8628 §3.5).
pub const SLOW_DOWN_INCREMENT_SECONDS: u64 = 5;

/// Largest polling interval honoured; a server asking for more is capped.
pub const MAX_INTERVAL_SECONDS: u64 = 60;

/// Default overall deadline of the flow.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(15 * 60);

/// What the user must be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// The code the user types.
    pub user_code: String,
    /// Where the user goes.
    pub verification_uri: String,
    /// The same page with the code filled in, if the server offers it.
    pub verification_uri_complete: Option<String>,
    /// Seconds until the device code expires.
    pub expires_in: u64,
}

#[derive(Deserialize)]
struct DeviceResponse {
    device_code: String,
    user_code: String,
    verification_uri: Option<String>,
    // Some servers (Google) use the pre-RFC spelling.
    verification_url: Option<String>,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: Option<u64>,
}

/// Callback that shows the verification URI and user code.
pub type Prompt = Box<dyn Fn(&DeviceAuthorization) + Send + Sync>;

/// The device flow. Build with [`DeviceFlow::new`], adjust, then [`DeviceFlow::run`].
pub struct DeviceFlow {
    metadata: ProviderMetadata,
    client_id: String,
    client_secret: Option<String>,
    scope: String,
    prompt: Prompt,
    poll_unit: Duration,
    deadline: Duration,
    http: HttpConfig,
}

impl DeviceFlow {
    /// A device flow against `metadata` for `client_id`; the prompt prints to stderr.
    pub fn new(metadata: ProviderMetadata, client_id: &str) -> Self {
        Self {
            metadata,
            client_id: client_id.to_owned(),
            client_secret: None,
            scope: DEFAULT_SCOPE.to_owned(),
            prompt: Box::new(
                |d: &DeviceAuthorization| match &d.verification_uri_complete {
                    Some(u) => eprintln!("To log in, visit:\n  {u}\n(code {})", d.user_code),
                    None => eprintln!(
                        "To log in, visit:\n  {}\nand enter the code {}",
                        d.verification_uri, d.user_code
                    ),
                },
            ),
            poll_unit: Duration::from_secs(1),
            deadline: DEFAULT_DEADLINE,
            http: HttpConfig::default(),
        }
    }

    /// Sends `client_secret` with both requests.
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

    /// Replaces the prompt callback.
    #[must_use]
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        self.prompt = prompt;
        self
    }

    /// The duration of one "second" of the server's `interval` and of `slow_down`
    /// (default 1 s; tests scale it down).
    #[must_use]
    pub fn poll_unit(mut self, unit: Duration) -> Self {
        self.poll_unit = unit;
        self
    }

    /// Overall deadline (also bounded by the server's `expires_in`, in real seconds).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// HTTP settings.
    #[must_use]
    pub fn http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// Runs the flow and returns the checked ID token (issuer, audience = client id, time).
    pub fn run(&self) -> Result<IdentityToken> {
        let endpoint = self
            .metadata
            .device_authorization_endpoint
            .as_deref()
            .ok_or(Error::MissingEndpoint {
                endpoint: "device_authorization_endpoint",
            })?;
        let mut form = vec![
            ("client_id", self.client_id.as_str()),
            ("scope", self.scope.as_str()),
        ];
        if let Some(s) = &self.client_secret {
            form.push(("client_secret", s));
        }
        let client = HttpClient::new(self.http.clone());
        let resp = client.post_form(endpoint, &form, &[("Accept", "application/json")])?;
        if resp.status != 200 {
            return Err(oauth_error(endpoint, &resp));
        }
        let dev: DeviceResponse =
            serde_json::from_slice(&resp.body).map_err(|source| Error::Json {
                context: "device authorization response",
                source,
            })?;
        let verification_uri =
            dev.verification_uri
                .or(dev.verification_url)
                .ok_or(Error::MissingEndpoint {
                    endpoint: "verification_uri",
                })?;
        (self.prompt)(&DeviceAuthorization {
            user_code: dev.user_code,
            verification_uri,
            verification_uri_complete: dev.verification_uri_complete,
            expires_in: dev.expires_in,
        });

        let start = Instant::now();
        let deadline = self.deadline.min(Duration::from_secs(dev.expires_in));
        let mut interval = dev
            .interval
            .unwrap_or(DEFAULT_INTERVAL_SECONDS)
            .min(MAX_INTERVAL_SECONDS);
        let mut poll = vec![
            ("grant_type", DEVICE_CODE_GRANT_TYPE),
            ("device_code", dev.device_code.as_str()),
            ("client_id", self.client_id.as_str()),
        ];
        if let Some(s) = &self.client_secret {
            poll.push(("client_secret", s));
        }
        loop {
            let wait = self
                .poll_unit
                .saturating_mul(u32::try_from(interval).unwrap_or(u32::MAX));
            if start.elapsed().saturating_add(wait) > deadline {
                return Err(Error::DeadlineExceeded {
                    seconds: deadline.as_secs(),
                });
            }
            std::thread::sleep(wait);
            match token_request(&self.http, &self.metadata.token_endpoint, &poll) {
                Ok(raw) => {
                    return validate_id_token(
                        &raw,
                        &self.metadata.issuer,
                        &self.client_id,
                        None,
                        unix_now(),
                    )
                }
                Err(Error::TokenEndpoint { error, description }) => match error.as_str() {
                    "authorization_pending" => {}
                    "slow_down" => {
                        interval = interval
                            .saturating_add(SLOW_DOWN_INCREMENT_SECONDS)
                            .min(MAX_INTERVAL_SECONDS);
                    }
                    "access_denied" => return Err(Error::AccessDenied),
                    "expired_token" => return Err(Error::DeviceCodeExpired),
                    _ => return Err(Error::TokenEndpoint { error, description }),
                },
                Err(e) => return Err(e),
            }
        }
    }
}

impl TokenSource for DeviceFlow {
    fn name(&self) -> &'static str {
        "device"
    }
    fn fetch(&self) -> Result<Option<IdentityToken>> {
        self.run().map(Some)
    }
}
