//! The HTTP layer shared by every network source and flow (feature `client`).
//!
//! Every request has a timeout, connection failures and 5xx answers are retried a bounded
//! number of times with exponential backoff, bodies are read up to [`MAX_RESPONSE_BYTES`],
//! and redirects are followed only within the same scheme, host and port (cross-host
//! redirects are refused, cf. the Fulcio SSRF advisories).

use std::io::Read;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::url::{origin, resolve_location, strip_query};

/// Largest response body accepted from any endpoint.
pub const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// Most same-origin redirects followed for one GET.
pub const MAX_REDIRECTS: usize = 5;

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;

/// HTTP settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Timeout for each request (connect + read + write).
    pub timeout: Duration,
    /// Retries after the first attempt, on connection errors and 5xx only.
    pub max_retries: u32,
    /// Backoff before the first retry; doubled for each further retry.
    pub backoff: Duration,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            backoff: Duration::from_millis(500),
            user_agent: concat!("sigstore-oidc-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// A response: status and bounded body.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

pub(crate) struct HttpClient {
    agent: ureq::Agent,
    config: HttpConfig,
}

enum Attempt {
    Done(HttpResponse, Option<String>),
    Retry(Error),
}

impl HttpClient {
    pub(crate) fn new(config: HttpConfig) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout(config.timeout)
            .redirects(0)
            .user_agent(&config.user_agent)
            .build();
        Self { agent, config }
    }

    fn read_body(url: &str, resp: ureq::Response) -> Result<HttpResponse> {
        let status = resp.status();
        let mut body = Vec::new();
        resp.into_reader()
            .take(MAX_RESPONSE_BYTES.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| Error::Transport {
                url: strip_query(url).to_owned(),
                message: e.to_string(),
            })?;
        if u64::try_from(body.len()).unwrap_or(u64::MAX) > MAX_RESPONSE_BYTES {
            return Err(Error::ResponseTooLarge {
                url: strip_query(url).to_owned(),
                limit: MAX_RESPONSE_BYTES,
            });
        }
        Ok(HttpResponse { status, body })
    }

    fn once(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> Result<Attempt> {
        let mut req = match form {
            Some(_) => self.agent.post(url),
            None => self.agent.get(url),
        };
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let result = match form {
            Some(pairs) => req
                .set("Content-Type", "application/x-www-form-urlencoded")
                .send_string(&crate::url::form_encode(pairs)),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => {
                return Ok(Attempt::Retry(Error::Transport {
                    url: strip_query(url).to_owned(),
                    message: t.to_string(),
                }))
            }
        };
        let location = resp.header("location").map(str::to_owned);
        let resp = Self::read_body(url, resp)?;
        if resp.status >= 500 {
            return Ok(Attempt::Retry(Error::HttpStatus {
                url: strip_query(url).to_owned(),
                status: resp.status,
            }));
        }
        Ok(Attempt::Done(resp, location))
    }

    fn with_retries(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> Result<(HttpResponse, Option<String>)> {
        let mut delay = self.config.backoff;
        let mut attempt = 0u32;
        loop {
            match self.once(url, headers, form)? {
                Attempt::Done(r, loc) => return Ok((r, loc)),
                Attempt::Retry(e) => {
                    if attempt >= self.config.max_retries {
                        return Err(e);
                    }
                    attempt = attempt.saturating_add(1);
                    std::thread::sleep(delay);
                    delay = delay.saturating_mul(2);
                }
            }
        }
    }

    /// GET, following same-origin redirects only.
    pub(crate) fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<HttpResponse> {
        let mut current = url.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let (resp, location) = self.with_retries(&current, headers, None)?;
            if !(300..400).contains(&resp.status) {
                return Ok(resp);
            }
            let Some(location) = location else {
                return Err(Error::HttpStatus {
                    url: strip_query(&current).to_owned(),
                    status: resp.status,
                });
            };
            let next = resolve_location(&current, &location)?;
            if origin(&next)? != origin(&current)? {
                return Err(Error::CrossHostRedirect {
                    from: strip_query(&current).to_owned(),
                    to: strip_query(&next).to_owned(),
                });
            }
            current = next;
        }
        Err(Error::TooManyRedirects {
            url: strip_query(url).to_owned(),
        })
    }

    /// POST a form. Redirects are not followed (a 3xx is an [`Error::HttpStatus`] for the
    /// caller to report).
    pub(crate) fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse> {
        self.with_retries(url, headers, Some(form)).map(|(r, _)| r)
    }
}

/// Maps a non-2xx response to an error: an OAuth error body (RFC 6749 §5.2) becomes
/// [`Error::TokenEndpoint`], anything else [`Error::HttpStatus`].
pub(crate) fn oauth_error(url: &str, resp: &HttpResponse) -> Error {
    #[derive(serde::Deserialize)]
    struct OAuthError {
        error: String,
        error_description: Option<String>,
    }
    match serde_json::from_slice::<OAuthError>(&resp.body) {
        Ok(e) => Error::TokenEndpoint {
            error: e.error,
            description: e.error_description,
        },
        Err(_) => Error::HttpStatus {
            url: strip_query(url).to_owned(),
            status: resp.status,
        },
    }
}
