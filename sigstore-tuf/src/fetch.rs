//! How bytes are obtained from a repository: the [`Fetcher`] trait, the
//! offline fetcher that refuses every call, and (feature `client`) an HTTP
//! fetcher built on ureq.

use crate::error::{Error, Result};

/// Downloads a URL with a hard size limit.
///
/// Implementations must return [`Error::NotFound`] for HTTP 403/404 (this
/// ends the root rotation loop), must never return more than `max_len`
/// bytes (return [`Error::TooLarge`] instead, ideally without reading past
/// the limit) and must not follow the content anywhere else.
pub trait Fetcher: Send + Sync {
    /// Fetches `url`, reading at most `max_len` bytes.
    fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>>;
}

/// A fetcher that refuses every call with [`Error::Offline`] and never
/// touches the network. Used in offline mode.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineFetcher;

impl Fetcher for OfflineFetcher {
    fn fetch(&self, url: &str, _max_len: u64) -> Result<Vec<u8>> {
        Err(Error::Offline { url: url.into() })
    }
}

/// Fetcher used when neither the `client` feature nor a custom fetcher is
/// available.
#[cfg(not(feature = "client"))]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoFetcher;

#[cfg(not(feature = "client"))]
impl Fetcher for NoFetcher {
    fn fetch(&self, _url: &str, _max_len: u64) -> Result<Vec<u8>> {
        Err(Error::NoFetcher)
    }
}

#[cfg(feature = "client")]
pub use http::{
    HttpFetcher, CONNECT_TIMEOUT, INITIAL_BACKOFF, MAX_ATTEMPTS, MAX_TIMEOUT, REQUEST_TIMEOUT,
};

#[cfg(feature = "client")]
mod http {
    use super::Fetcher;
    use crate::error::{Error, Result};
    use std::io::Read;
    use std::time::Duration;

    /// Connect timeout of [`HttpFetcher`].
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Overall per-request timeout of [`HttpFetcher`] (the default; see
    /// [`HttpFetcher::with_timeouts`]).
    pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
    /// Longest timeout [`HttpFetcher::with_timeouts`] accepts, for either bound: a caller cannot
    /// turn the deadline off.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(600);
    /// Attempts per URL (first try plus retries on 5xx / transport errors).
    pub const MAX_ATTEMPTS: u32 = 3;
    /// Initial retry backoff, doubled after every failed attempt.
    pub const INITIAL_BACKOFF: Duration = Duration::from_millis(200);

    /// HTTP(S) fetcher on ureq 2 with timeouts, bounded retries with
    /// exponential backoff on 5xx and connection errors, and a size limit
    /// enforced while reading the body. HTTPS needs the `tls` feature.
    #[derive(Debug, Clone)]
    pub struct HttpFetcher {
        agent: ureq::Agent,
        attempts: u32,
        backoff: Duration,
    }

    impl Default for HttpFetcher {
        fn default() -> Self {
            Self::new()
        }
    }

    impl HttpFetcher {
        /// A fetcher with the default timeouts ([`CONNECT_TIMEOUT`], [`REQUEST_TIMEOUT`]) and
        /// retry policy.
        pub fn new() -> Self {
            HttpFetcher {
                agent: agent(CONNECT_TIMEOUT, REQUEST_TIMEOUT),
                attempts: MAX_ATTEMPTS,
                backoff: INITIAL_BACKOFF,
            }
        }

        /// Overrides the connect timeout and the overall per-request deadline (connect, send,
        /// and read the whole body). Each is clamped to `[1 ms, MAX_TIMEOUT]`, so a deadline
        /// always applies.
        pub fn with_timeouts(mut self, connect: Duration, request: Duration) -> Self {
            let clamp = |d: Duration| d.clamp(Duration::from_millis(1), MAX_TIMEOUT);
            self.agent = agent(clamp(connect), clamp(request));
            self
        }

        /// Overrides the number of attempts (at least 1, at most
        /// [`MAX_ATTEMPTS`]) and the initial backoff (useful in tests).
        pub fn with_retry(mut self, attempts: u32, backoff: Duration) -> Self {
            self.attempts = attempts.clamp(1, MAX_ATTEMPTS);
            self.backoff = backoff;
            self
        }

        fn once(&self, url: &str, max_len: u64) -> Result<Vec<u8>> {
            let resp = match self.agent.get(url).call() {
                Ok(r) => r,
                Err(ureq::Error::Status(code, _)) if code == 403 || code == 404 => {
                    return Err(Error::NotFound { url: url.into() })
                }
                Err(ureq::Error::Status(code, _)) => {
                    return Err(Error::Network {
                        url: url.into(),
                        status: Some(code),
                        message: "unexpected HTTP status".into(),
                    })
                }
                Err(ureq::Error::Transport(t)) => {
                    return Err(Error::Network {
                        url: url.into(),
                        status: None,
                        message: t.to_string(),
                    })
                }
            };
            if let Some(len) = resp
                .header("Content-Length")
                .and_then(|v| v.trim().parse::<u64>().ok())
            {
                if len > max_len {
                    return Err(Error::TooLarge {
                        url: url.into(),
                        limit: max_len,
                    });
                }
            }
            let mut body = Vec::new();
            resp.into_reader()
                .take(max_len.saturating_add(1))
                .read_to_end(&mut body)
                .map_err(|e| Error::Network {
                    url: url.into(),
                    status: None,
                    message: e.to_string(),
                })?;
            if body.len() as u64 > max_len {
                return Err(Error::TooLarge {
                    url: url.into(),
                    limit: max_len,
                });
            }
            Ok(body)
        }
    }

    /// The ureq agent of a fetcher: both timeouts, at most 3 redirects.
    fn agent(connect: Duration, request: Duration) -> ureq::Agent {
        ureq::AgentBuilder::new()
            .timeout_connect(connect)
            .timeout(request)
            .redirects(3)
            .build()
    }

    impl Fetcher for HttpFetcher {
        fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>> {
            let mut delay = self.backoff;
            let mut attempt = 1;
            loop {
                match self.once(url, max_len) {
                    Err(Error::Network { status, .. })
                        if attempt < self.attempts
                            && status.is_none_or(|s| (500..600).contains(&s)) =>
                    {
                        std::thread::sleep(delay);
                        delay = delay.saturating_mul(2);
                        attempt += 1;
                    }
                    other => return other,
                }
            }
        }
    }
}
