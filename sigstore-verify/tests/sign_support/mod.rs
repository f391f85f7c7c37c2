//! Helpers shared by the signing tests: a virtual Sigstore with its trust material parsed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;

use sigstore_bundle::{SigningConfig, TrustedRoot};
use sigstore_oidc::IdentityToken;
use sigstore_testkit::{Config, SigningConfigOptions, TokenClaims, VirtualSigstore};
use sigstore_verify::sign::{SigningContext, SigningContextBuilder};

pub const EMAIL: &str = "signer@example.com";

pub fn start() -> VirtualSigstore {
    VirtualSigstore::start(Config::default()).unwrap()
}

pub fn signing_config(vs: &VirtualSigstore, rekor: &[u32], tsa: bool) -> SigningConfig {
    let v = vs.signing_config(&SigningConfigOptions {
        rekor_versions: rekor.to_vec(),
        tsa,
    });
    SigningConfig::from_json(v.to_string().as_bytes()).unwrap()
}

pub fn trusted_root(vs: &VirtualSigstore) -> TrustedRoot {
    TrustedRoot::from_json(vs.trusted_root().to_string().as_bytes()).unwrap()
}

pub fn token(vs: &VirtualSigstore) -> IdentityToken {
    IdentityToken::parse(&vs.mint_token(&TokenClaims::email(EMAIL)).unwrap()).unwrap()
}

/// A builder for keyless signing with `rekor` versions listed and optionally a TSA.
pub fn builder(vs: &VirtualSigstore, rekor: &[u32], tsa: bool) -> SigningContextBuilder {
    SigningContext::builder(signing_config(vs, rekor, tsa), trusted_root(vs))
        .identity_token(token(vs))
        .timeout(std::time::Duration::from_secs(10))
}

/// A fresh, empty temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sign-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The files in `dir` (to check that a failure wrote nothing, not even a temporary file).
pub fn files_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The shared data directory (`SIGSTORE_SHARED_DIR`, default `../../shared`); `None` with a
/// notice when missing, a panic under `CI=true`.
pub fn shared_dir() -> Option<PathBuf> {
    common::shared_dir(".")
}
