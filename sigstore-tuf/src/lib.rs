//! A TUF 1.0 client for the Sigstore SDK.
//!
//! Sigstore distributes its `trusted_root.json` and `signing_config.v0.2.json`
//! through a TUF repository. This crate refreshes them securely, implementing
//! the client workflow of the TUF specification 1.0 (§5):
//!
//! * §5.2 the trusted root comes from bytes the caller embeds (this crate
//!   embeds no root itself: pass e.g. the production or staging TUF
//!   `root.json` shipped by `sigstore-bundle`, together with
//!   [`SIGSTORE_PRODUCTION_METADATA_URL`] / [`SIGSTORE_PRODUCTION_TARGETS_URL`]
//!   or the staging constants);
//! * §5.3 root rotation: `N+1.root.json` is fetched until 404, at most
//!   [`MAX_ROOT_ROTATIONS`] times; each new root must be signed by a
//!   threshold of the old root's keys *and* of its own keys and have version
//!   exactly N+1; the final root must not be expired; if the timestamp or
//!   snapshot keys changed, the cached timestamp and snapshot are deleted
//!   (fast-forward attack recovery);
//! * §5.4 timestamp: threshold signatures, no rollback of its version nor of
//!   the snapshot version it lists, not expired;
//! * §5.5 snapshot: length and hashes from the timestamp (if listed),
//!   signatures, version equal to the timestamp's (mix-and-match), no
//!   rollback of any targets metadata version, not expired;
//! * §5.6 targets: length/hashes/version from the snapshot, signatures, not
//!   expired; delegated targets are searched in pre-order depth-first order
//!   with terminating delegations, `paths` globs and `path_hash_prefixes`,
//!   visiting at most [`MAX_DELEGATIONS`] roles;
//! * §5.7 targets are downloaded with their listed length as the limit (at
//!   most [`MAX_TARGET_BYTES`]) and checked against every listed hash;
//! * consistent snapshots (`N.snapshot.json`, `N.targets.json`,
//!   `<sha256>.<name>` targets) when the root says so.
//!
//! A role reachable through several delegators is verified separately
//! against each delegator's keys; duplicate key IDs in `signatures` make a
//! document malformed (§4.2) and a key never counts twice towards a
//! threshold (also when two key IDs carry the same key material).
//!
//! The `conformance_client` example implements the tuf-conformance
//! client CLI; `tests/run_conformance.sh` fetches and runs that suite
//! (113/113 passed at tuf-conformance commit eec841c).
//!
//! Signatures are verified over the OLPC canonical JSON
//! ([`canonical::canonicalize`], securesystemslib flavour) of the `signed`
//! value kept as parsed JSON, so unknown fields are covered. Supported keys:
//! `ed25519` (hex), `ecdsa`/`ecdsa-sha2-nistp256` (and nistp384) with PEM
//! SPKI, `rsa` with `rsassa-pss-sha256|384|512` or `rsa-pkcs1v15-*` (PEM).
//! Expiry uses the injectable clock ([`TufClientBuilder::clock`]); metadata
//! is expired when `now >= expires`.
//!
//! # Cache
//!
//! With [`TufClientBuilder::cache_dir`] the client stores every verified
//! file as soon as it is verified: `N.root.json` for each accepted root,
//! `root.json` (copy of the newest root), `timestamp.json`, `snapshot.json`, `targets.json`,
//! `delegated-<role>.json` and `targets/<quoted path>`. Writes are atomic
//! (temporary file in the same directory, fsync, rename, directory fsync).
//!
//! Nothing read from the cache is trusted blindly: the cached roots are
//! verified as a rotation chain starting from the caller's initial root, and
//! the cached timestamp, snapshot and targets are verified against the
//! resulting root (signatures), against each other (versions and hashes)
//! and, online, for expiry. **A cached root, timestamp, snapshot or
//! top-level targets file that fails verification is a typed error,
//! [`Error::CacheTampered`]**, in both modes: the client refuses to continue
//! on a tampered cache rather than silently losing its rollback protection;
//! the operator removes the cache directory to recover. Cached targets and
//! delegated metadata that no longer match (stale after an update) are
//! re-downloaded online; offline a mismatching cached target yields
//! [`Error::CacheTampered`] (or the fallback, see below).
//!
//! # Refresh policy
//!
//! * Online, [`RefreshPolicy::Always`] (default): [`TufClient::refresh`]
//!   always runs the full workflow; [`TufClient::get_target`] refreshes once
//!   per client instance before serving targets.
//! * Online, [`RefreshPolicy::IfExpired`]: the network is skipped when the
//!   re-verified cache is complete and none of root, timestamp, snapshot or
//!   targets is expired; otherwise the full workflow runs.
//! * Offline ([`TufClientBuilder::offline`]): **no network call at all** (the
//!   fetcher is replaced by [`OfflineFetcher`], and the workflow never calls
//!   it offline). The cache is re-verified as above. **Expired cached
//!   metadata is accepted offline** (like other Sigstore clients): each
//!   expired role is reported as [`Warning::ExpiredMetadata`] in the
//!   [`UpdateReport`]. Without usable cached metadata the client trusts only
//!   the initial root and [`TufClient::get_target`] returns the bytes given
//!   with [`TufClientBuilder::fallback_target`] (e.g. the embedded
//!   `trusted_root.json`) or [`Error::Offline`].
//!
//! Network access (an HTTP [`Fetcher`] on ureq) is behind the `client`
//! feature (`tls` adds HTTPS); any [`Fetcher`] can be plugged in.
//!
//! # Example
//!
//! ```no_run
//! # fn main() -> Result<(), sigstore_tuf::Error> {
//! // The application's embedded TUF root (e.g. from sigstore-bundle).
//! let initial_root: Vec<u8> = std::fs::read("root.json").unwrap_or_default();
//! let mut client = sigstore_tuf::TufClient::builder(
//!     &initial_root,
//!     sigstore_tuf::SIGSTORE_PRODUCTION_METADATA_URL,
//!     sigstore_tuf::SIGSTORE_PRODUCTION_TARGETS_URL,
//! )
//! .cache_dir("/var/cache/sigstore/tuf")
//! .build()?;
//! let report = client.refresh()?;
//! println!("root v{}", report.root_version);
//! let trusted_root_json = client.get_target(sigstore_tuf::TRUSTED_ROOT_TARGET)?;
//! # let _ = trusted_root_json;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod cache;
pub mod canonical;
mod client;
mod error;
pub mod fetch;
pub mod metadata;
pub mod trusted;

pub use cache::quote;
pub use client::{
    system_clock, Clock, RefreshPolicy, TargetSource, TufClient, TufClientBuilder, UpdateReport,
    Warning,
};
pub use error::{Error, Result};
#[cfg(feature = "client")]
pub use fetch::HttpFetcher;
pub use fetch::{Fetcher, OfflineFetcher};

/// Maximum number of root versions fetched in one refresh (and of cached
/// root versions chained on load).
pub const MAX_ROOT_ROTATIONS: usize = 256;
/// Maximum size of a `root.json`.
pub const MAX_ROOT_BYTES: u64 = 512 * 1024;
/// Maximum size of `timestamp.json`.
pub const MAX_TIMESTAMP_BYTES: u64 = 16 * 1024;
/// Maximum size of snapshot, targets and delegated targets metadata (also
/// the limit when the referencing metadata lists no length).
pub const MAX_METADATA_BYTES: u64 = 5 * 1024 * 1024;
/// Maximum size of a target file.
pub const MAX_TARGET_BYTES: u64 = 16 * 1024 * 1024;
/// Maximum number of targets roles visited when searching for a target.
pub const MAX_DELEGATIONS: usize = 32;
/// Maximum number of signatures accepted in one metadata document.
pub const MAX_SIGNATURES: usize = 1024;

/// Metadata base URL of the Sigstore public-good TUF repository.
pub const SIGSTORE_PRODUCTION_METADATA_URL: &str = "https://tuf-repo-cdn.sigstore.dev";
/// Targets base URL of the Sigstore public-good TUF repository.
pub const SIGSTORE_PRODUCTION_TARGETS_URL: &str = "https://tuf-repo-cdn.sigstore.dev/targets";
/// Metadata base URL of the Sigstore staging TUF repository.
pub const SIGSTORE_STAGING_METADATA_URL: &str = "https://tuf-repo-cdn.sigstage.dev";
/// Targets base URL of the Sigstore staging TUF repository.
pub const SIGSTORE_STAGING_TARGETS_URL: &str = "https://tuf-repo-cdn.sigstage.dev/targets";
/// Name of the Sigstore trusted root target.
pub const TRUSTED_ROOT_TARGET: &str = "trusted_root.json";
/// Name of the Sigstore signing config target.
pub const SIGNING_CONFIG_TARGET: &str = "signing_config.v0.2.json";
