//! Helpers shared by the sigstore-verify integration tests.

use std::path::{Path, PathBuf};

/// The shared test-data folder (`SIGSTORE_SHARED_DIR`, else `../shared` next to the checkout),
/// when `subdir` exists in it. Missing data fails the test under `CI=true` and is a printed notice
/// (the caller returns early) elsewhere.
pub fn shared_dir(subdir: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("SIGSTORE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    if dir.join(subdir).exists() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "shared test data ({subdir}) not found at {} (set SIGSTORE_SHARED_DIR); required under CI",
        dir.display()
    );
    eprintln!(
        "notice: shared test data ({subdir}) not found at {}; skipping (set SIGSTORE_SHARED_DIR)",
        dir.display()
    );
    None
}
