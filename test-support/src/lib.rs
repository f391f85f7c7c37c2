//! Test-only helpers shared by the workspace's tests, benches and fuzz targets (not published).
//!
//! The shared test data (the conformance suite's cases, Merkle test vectors, the security
//! catalog, perf fixtures) lives in a read-only folder next to the repository and is read at run
//! time, never copied in. [`shared_root`] locates it; [`shared_dir`] also enforces the rule for a
//! missing folder: a failure under `CI=true`, never a silent skip, and a printed notice (the
//! caller returns early) elsewhere.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// The environment variable that points at the shared data folder.
pub const SHARED_DIR_ENV: &str = "SIGSTORE_SHARED_DIR";

/// The shared data folder: `$SIGSTORE_SHARED_DIR`, else `../shared` next to the repository.
pub fn shared_root() -> PathBuf {
    std::env::var_os(SHARED_DIR_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// [`shared_root`] when `subdir` exists in it (`""` for the folder itself).
///
/// # Panics
///
/// When the data is missing and `CI` is `true`: under CI missing data is a failure. Elsewhere a
/// notice is printed and `None` returned, and the test returns early.
// Test-only crate: failing the calling test is the point under CI.
#[allow(clippy::panic)]
pub fn shared_dir(subdir: &str) -> Option<PathBuf> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    match locate(shared_root(), subdir, ci) {
        Ok(found) => found,
        Err(message) => panic!("{message}"),
    }
}

/// The decision of [`shared_dir`]: `Ok(Some(root))` when `root/subdir` exists, `Err` (the
/// failure message) when it does not under CI, `Ok(None)` after a notice otherwise.
fn locate(root: PathBuf, subdir: &str, ci: bool) -> Result<Option<PathBuf>, String> {
    if root.join(subdir).exists() {
        return Ok(Some(root));
    }
    if ci {
        return Err(format!(
            "shared test data ({subdir}) not found at {} (set {SHARED_DIR_ENV}); required under CI",
            root.display()
        ));
    }
    eprintln!(
        "notice: shared test data ({subdir}) not found at {}; skipping (set {SHARED_DIR_ENV})",
        root.display()
    );
    Ok(None)
}

/// A small deterministic generator (xorshift64) for randomized tests: a failure reproduces
/// from the seed. Not for anything that needs real randomness.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 pseudo-random bits. The seed must not be 0 (xorshift stays at 0).
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn present_data_is_found() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        for ci in [false, true] {
            assert_eq!(locate(root.clone(), "src", ci), Ok(Some(root.clone())));
            assert_eq!(locate(root.clone(), "", ci), Ok(Some(root.clone())));
        }
    }

    #[test]
    fn missing_data_fails_under_ci_and_is_skipped_elsewhere() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let message = locate(root.clone(), "no-such-data", true).unwrap_err();
        assert!(message.contains("no-such-data"), "{message}");
        assert!(message.contains("required under CI"), "{message}");
        assert_eq!(locate(root, "no-such-data", false), Ok(None));
    }

    #[test]
    fn default_root_is_next_to_the_repository() {
        if std::env::var_os(SHARED_DIR_ENV).is_none() {
            let root = shared_root();
            assert!(root.ends_with("../../shared"), "{}", root.display());
        }
    }
}
