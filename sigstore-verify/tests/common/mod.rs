//! Helpers shared by the sigstore-verify integration tests.

use std::path::PathBuf;

use serde_json::Value;
use sigstore_verify::{Artifact, Issuer, Policy, San};

/// The shared test-data folder when it holds `subdir` (a failure under `CI=true`, `None`
/// after a notice elsewhere).
pub use sigstore_test_support::shared_dir;

/// One case of `perf-fixtures/cases.json`, read and ready to verify.
#[allow(dead_code)] // not every test binary reads every field
pub struct PerfCase {
    /// `id`.
    pub id: String,
    /// `content`: `messageSignature` or `dsse`.
    pub content: String,
    /// The trusted root the case names.
    pub trusted_root: PathBuf,
    /// The bundle's JSON.
    pub bundle: Vec<u8>,
    /// The artifact (its file, hashed) or its digest.
    pub artifact: Artifact,
    /// Identity and issuer policy.
    pub policy: Policy,
}

/// The four public-good cases of `perf-fixtures` (`None` when the shared folder is absent
/// outside CI).
#[allow(dead_code)] // used by some of the test binaries that include this module
pub fn perf_cases() -> Option<Vec<PerfCase>> {
    let dir = shared_dir("perf-fixtures/cases.json")?.join("perf-fixtures");
    let cases: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).expect("cases.json"))
            .expect("cases.json is JSON");
    let text = |case: &Value, key: &str| case[key].as_str().map(str::to_owned);
    Some(
        cases
            .iter()
            .map(|case| PerfCase {
                id: text(case, "id").expect("id"),
                content: text(case, "content").expect("content"),
                trusted_root: dir.join(text(case, "trusted_root").expect("trusted_root")),
                bundle: std::fs::read(dir.join(text(case, "bundle").expect("bundle")))
                    .expect("bundle file"),
                artifact: match (text(case, "artifact"), text(case, "digest")) {
                    (Some(f), _) => Artifact::file(dir.join(f)).expect("artifact file"),
                    (None, Some(d)) => Artifact::from_digest_str(&d).expect("artifact digest"),
                    _ => panic!("case without artifact"),
                },
                policy: Policy::identity(
                    San::exact(text(case, "identity").expect("identity")),
                    Issuer::exact(text(case, "issuer").expect("issuer")),
                ),
            })
            .collect(),
    )
}
