//! Trust material embedded at build time (see `trust/ORIGIN.md`): the production and staging
//! trusted roots, signing configs and TUF roots shipped in the PyPI package `sigstore` 4.5.1.

use crate::error::Result;
use crate::signing_config::SigningConfig;
use crate::trust_root::TrustedRoot;

/// The production (public-good) TUF `root.json`, as embedded. It is TUF metadata, not a
/// Sigstore protobuf type: hand it to a TUF client as its initial trusted root.
pub const PRODUCTION_TUF_ROOT: &[u8] = include_bytes!("../trust/production/root.json");
/// The staging TUF `root.json`, as embedded.
pub const STAGING_TUF_ROOT: &[u8] = include_bytes!("../trust/staging/root.json");

pub(crate) const PRODUCTION_TRUSTED_ROOT: &[u8] =
    include_bytes!("../trust/production/trusted_root.json");
pub(crate) const STAGING_TRUSTED_ROOT: &[u8] = include_bytes!("../trust/staging/trusted_root.json");
pub(crate) const PRODUCTION_SIGNING_CONFIG: &[u8] =
    include_bytes!("../trust/production/signing_config.v0.2.json");
pub(crate) const STAGING_SIGNING_CONFIG: &[u8] =
    include_bytes!("../trust/staging/signing_config.v0.2.json");

impl TrustedRoot {
    /// The embedded production (public-good) trusted root. It parses (a test guarantees it);
    /// the `Result` only keeps the API free of panics.
    pub fn production() -> Result<Self> {
        Self::from_json(PRODUCTION_TRUSTED_ROOT)
    }

    /// The embedded staging trusted root.
    pub fn staging() -> Result<Self> {
        Self::from_json(STAGING_TRUSTED_ROOT)
    }

    /// The embedded production trusted root's JSON text, as shipped.
    pub fn production_json() -> &'static [u8] {
        PRODUCTION_TRUSTED_ROOT
    }

    /// The embedded staging trusted root's JSON text, as shipped.
    pub fn staging_json() -> &'static [u8] {
        STAGING_TRUSTED_ROOT
    }
}

impl SigningConfig {
    /// The embedded production signing config (v0.2).
    pub fn production() -> Result<Self> {
        Self::from_json(PRODUCTION_SIGNING_CONFIG)
    }

    /// The embedded staging signing config (v0.2).
    pub fn staging() -> Result<Self> {
        Self::from_json(STAGING_SIGNING_CONFIG)
    }

    /// The embedded production signing config's JSON text, as shipped.
    pub fn production_json() -> &'static [u8] {
        PRODUCTION_SIGNING_CONFIG
    }

    /// The embedded staging signing config's JSON text, as shipped.
    pub fn staging_json() -> &'static [u8] {
        STAGING_SIGNING_CONFIG
    }
}
