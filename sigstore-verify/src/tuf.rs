//! Trust material refreshed from a TUF repository (feature `tuf`).
//!
//! Sigstore distributes `trusted_root.json` and `signing_config.v0.2.json` as TUF targets.
//! [`TufTrust`] runs the TUF 1.0 client of `sigstore-tuf` from the root embedded in this SDK
//! (production or staging), keeps a verified cache when given a directory, and hands back the
//! parsed [`TrustedRoot`] and [`SigningConfig`] for [`crate::Verifier::builder`] and the signer.
//!
//! Refresh policy: by default every [`TufTrust::trusted_root`] call refreshes the metadata once
//! per `TufTrust` value (the TUF client remembers that it is up to date). In offline mode no
//! network call is made at all: the verified cache is used, and when there is none the trust
//! material embedded in this SDK (the same files `TrustedRoot::production()` returns) is the
//! fallback for the public-good and staging instances.
//!
//! HTTPS (the real Sigstore repositories) needs the `tuf-https` feature; plain `http://` on
//! loopback works with `tuf` alone, which is what the tests use.

use std::path::PathBuf;

use sigstore_bundle::{SigningConfig, TrustedRoot};
use sigstore_tuf::{Fetcher, RefreshPolicy, TufClient, UpdateReport};

use crate::error::{TrustRootProblem, VerifyError};

pub use sigstore_tuf::{SIGNING_CONFIG_TARGET, TRUSTED_ROOT_TARGET};

/// A Sigstore instance whose TUF repository and embedded root this SDK knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instance {
    /// The public-good instance (`tuf-repo-cdn.sigstore.dev`).
    Production,
    /// The staging instance (`tuf-repo-cdn.sigstage.dev`).
    Staging,
}

/// Builder of a [`TufTrust`].
pub struct TufTrustBuilder {
    initial_root: Vec<u8>,
    metadata_url: String,
    targets_url: String,
    fallback: Option<(&'static [u8], &'static [u8])>,
    cache_dir: Option<PathBuf>,
    offline: bool,
    fetcher: Option<Box<dyn Fetcher>>,
    clock: Option<Box<dyn Fn() -> i64 + Send + Sync>>,
    refresh_policy: RefreshPolicy,
}

impl std::fmt::Debug for TufTrustBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TufTrustBuilder")
            .field("metadata_url", &self.metadata_url)
            .field("targets_url", &self.targets_url)
            .field("cache_dir", &self.cache_dir)
            .field("offline", &self.offline)
            .finish_non_exhaustive()
    }
}

impl TufTrustBuilder {
    /// Keep the last verified metadata and targets in `dir` (verified again on every load).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Offline mode: never touch the network; use the verified cache, else the embedded trust.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Fetch metadata and targets through `fetcher` instead of the built-in HTTP fetcher.
    pub fn fetcher(mut self, fetcher: Box<dyn Fetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// The clock used for metadata expiry (Unix seconds); the system clock by default.
    pub fn clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// When to contact the repository (see [`RefreshPolicy`]).
    pub fn refresh_policy(mut self, policy: RefreshPolicy) -> Self {
        self.refresh_policy = policy;
        self
    }

    /// Build the client. Checks the initial root; makes no network call.
    pub fn build(self) -> Result<TufTrust, VerifyError> {
        let mut b = TufClient::builder(&self.initial_root, &self.metadata_url, &self.targets_url)
            .offline(self.offline)
            .refresh_policy(self.refresh_policy);
        if let Some(dir) = self.cache_dir {
            b = b.cache_dir(dir);
        }
        if let Some(f) = self.fetcher {
            b = b.fetcher(f);
        }
        if let Some(c) = self.clock {
            b = b.clock(c);
        }
        if let Some((root, config)) = self.fallback {
            b = b
                .fallback_target(TRUSTED_ROOT_TARGET, root)
                .fallback_target(SIGNING_CONFIG_TARGET, config);
        }
        let client = b.build().map_err(tuf_error)?;
        Ok(TufTrust { client })
    }
}

/// A TUF client for Sigstore trust material.
pub struct TufTrust {
    client: TufClient,
}

impl std::fmt::Debug for TufTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TufTrust")
            .field("offline", &self.client.is_offline())
            .finish_non_exhaustive()
    }
}

impl TufTrust {
    /// A client for a known instance, starting from the TUF root embedded in this SDK, with
    /// the embedded trusted root and signing config as the offline fallback.
    pub fn instance(instance: Instance) -> TufTrustBuilder {
        let (root, meta, targets, fallback) = match instance {
            Instance::Production => (
                sigstore_bundle::PRODUCTION_TUF_ROOT,
                sigstore_tuf::SIGSTORE_PRODUCTION_METADATA_URL,
                sigstore_tuf::SIGSTORE_PRODUCTION_TARGETS_URL,
                (
                    TrustedRoot::production_json(),
                    SigningConfig::production_json(),
                ),
            ),
            Instance::Staging => (
                sigstore_bundle::STAGING_TUF_ROOT,
                sigstore_tuf::SIGSTORE_STAGING_METADATA_URL,
                sigstore_tuf::SIGSTORE_STAGING_TARGETS_URL,
                (TrustedRoot::staging_json(), SigningConfig::staging_json()),
            ),
        };
        let mut b = Self::custom(root, meta, targets);
        b.fallback = Some(fallback);
        b
    }

    /// A client for the public-good instance (see [`TufTrust::instance`]).
    pub fn production() -> TufTrustBuilder {
        Self::instance(Instance::Production)
    }

    /// A client for the staging instance (see [`TufTrust::instance`]).
    pub fn staging() -> TufTrustBuilder {
        Self::instance(Instance::Staging)
    }

    /// A client for any TUF repository that publishes Sigstore targets, trusting
    /// `initial_root` (a TUF `root.json`). There is no offline fallback.
    pub fn custom(initial_root: &[u8], metadata_url: &str, targets_url: &str) -> TufTrustBuilder {
        TufTrustBuilder {
            initial_root: initial_root.to_vec(),
            metadata_url: metadata_url.to_owned(),
            targets_url: targets_url.to_owned(),
            fallback: None,
            cache_dir: None,
            offline: false,
            fetcher: None,
            clock: None,
            refresh_policy: RefreshPolicy::default(),
        }
    }

    /// Run the TUF update workflow now (not in offline mode).
    pub fn refresh(&mut self) -> Result<UpdateReport, VerifyError> {
        self.client.refresh().map_err(tuf_error)
    }

    /// The verified `trusted_root.json` target, parsed.
    pub fn trusted_root(&mut self) -> Result<TrustedRoot, VerifyError> {
        let bytes = self
            .client
            .get_target(TRUSTED_ROOT_TARGET)
            .map_err(tuf_error)?;
        TrustedRoot::from_json(&bytes)
            .map_err(|e| VerifyError::TrustRoot(TrustRootProblem::Parse(e)))
    }

    /// The verified `signing_config.v0.2.json` target, parsed.
    pub fn signing_config(&mut self) -> Result<SigningConfig, VerifyError> {
        let bytes = self
            .client
            .get_target(SIGNING_CONFIG_TARGET)
            .map_err(tuf_error)?;
        SigningConfig::from_json(&bytes)
            .map_err(|e| VerifyError::TrustRoot(TrustRootProblem::Parse(e)))
    }
}

fn tuf_error(e: sigstore_tuf::Error) -> VerifyError {
    VerifyError::TrustRoot(TrustRootProblem::Tuf(e))
}
