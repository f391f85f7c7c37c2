//! Helpers shared by the sigstore-verify integration tests.

/// The shared test-data folder when it holds `subdir` (a failure under `CI=true`, `None`
/// after a notice elsewhere).
pub use sigstore_test_support::shared_dir;
