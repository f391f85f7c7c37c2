#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Locating the read-only shared test data.

use std::path::PathBuf;

/// The shared data folder (`SIGSTORE_SHARED_DIR`, default `../shared` next to the workspace).
/// Returns `None` (after printing a notice) when it is missing outside CI; panics under CI.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SIGSTORE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "shared test data folder {} is missing (set SIGSTORE_SHARED_DIR); refusing to skip under CI",
            dir.display()
        );
    }
    eprintln!(
        "NOTICE: shared test data folder {} not found; skipping data-driven test",
        dir.display()
    );
    None
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
