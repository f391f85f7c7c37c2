#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Locating the read-only shared test data.

use std::path::PathBuf;

/// The shared data folder (`sigstore_test_support::shared_dir`: a failure under `CI=true`,
/// `None` after a notice elsewhere).
pub fn shared_dir() -> Option<PathBuf> {
    sigstore_test_support::shared_dir("")
}

/// A conformance case directory.
pub fn conformance_case(name: &str) -> Option<PathBuf> {
    shared_dir().map(|d| {
        d.join("sigstore-conformance/assets/bundle-verify")
            .join(name)
    })
}

pub fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

pub fn b64(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}
