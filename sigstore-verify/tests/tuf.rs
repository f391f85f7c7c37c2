//! `TufTrust`: Sigstore trust material from a real TUF repository built with python-tuf
//! (sigstore-tuf's `tests/make_repos.py`), publishing the production `trusted_root.json` and
//! `signing_config.v0.2.json`, then used to build a `Verifier` that verifies a public-good
//! bundle. Repositories are read through a file-backed `Fetcher` (the HTTP fetcher itself is
//! tested against loopback servers in sigstore-tuf).
#![cfg(feature = "tuf")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sigstore_bundle::{Bundle, SigningConfig, TrustedRoot};
use sigstore_tuf::Fetcher;
use sigstore_verify::tuf::TufTrust;
use sigstore_verify::{
    Artifact, Issuer, Policy, San, TrustRootProblem, Verifier, VerifyError, VerifyErrorKind,
};

const BASE: &str = "http://tuf.invalid";

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "sigstore-verify-tuf-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Builds a python-tuf repository for `scenario` publishing the embedded production trust
/// files. `None` (with a notice) without python-tuf, except under CI where that fails.
fn repository(scenario: &str) -> Option<TempDir> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import tuf.api.metadata"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let msg = "python-tuf is required: python3 -m pip install -r ci/requirements.txt";
        assert!(!ci(), "{msg}");
        eprintln!("NOTICE: skipping: {msg}");
        return None;
    }
    let targets = TempDir::new("targets");
    std::fs::write(
        targets.0.join("trusted_root.json"),
        TrustedRoot::production_json(),
    )
    .unwrap();
    std::fs::write(
        targets.0.join("signing_config.v0.2.json"),
        SigningConfig::production_json(),
    )
    .unwrap();
    let out_dir = TempDir::new(scenario);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sigstore-tuf/tests/make_repos.py"
    );
    let out = Command::new(&python)
        .arg(script)
        .arg(&out_dir.0)
        .arg(scenario)
        .env("SIGSTORE_TUF_TARGETS_DIR", &targets.0)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make_repos.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out_dir)
}

/// Serves `<root>/metadata/...` and `<root>/targets/...` for URLs under [`BASE`], counting calls.
struct FileFetcher {
    root: PathBuf,
    calls: Arc<AtomicUsize>,
}

impl Fetcher for FileFetcher {
    fn fetch(&self, url: &str, max_len: u64) -> sigstore_tuf::Result<Vec<u8>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let rel = url.strip_prefix(BASE).unwrap().trim_start_matches('/');
        match std::fs::read(self.root.join(rel)) {
            Ok(b) if b.len() as u64 <= max_len => Ok(b),
            Ok(_) => panic!("{url} larger than {max_len}"),
            Err(_) => Err(sigstore_tuf::Error::NotFound {
                url: url.to_owned(),
            }),
        }
    }
}

fn client(repo: &Path, calls: &Arc<AtomicUsize>) -> sigstore_verify::tuf::TufTrustBuilder {
    let initial = std::fs::read(repo.join("initial_root.json")).unwrap();
    TufTrust::custom(
        &initial,
        &format!("{BASE}/metadata"),
        &format!("{BASE}/targets"),
    )
    .fetcher(Box::new(FileFetcher {
        root: repo.join("stage1"),
        calls: calls.clone(),
    }))
}

#[test]
fn trusted_root_from_tuf_verifies_a_public_good_bundle() {
    let Some(repo) = repository("normal") else {
        return;
    };
    let Some(shared) = common::shared_dir(".") else {
        return;
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tuf = client(&repo.0, &calls).build().unwrap();
    let root = tuf.trusted_root().unwrap();
    assert_eq!(
        root.to_value(),
        TrustedRoot::production().unwrap().to_value()
    );
    let config = tuf.signing_config().unwrap();
    assert_eq!(
        config.to_value(),
        SigningConfig::production().unwrap().to_value()
    );
    assert!(
        calls.load(Ordering::SeqCst) >= 4,
        "root, timestamp, snapshot, targets, target"
    );

    let fixtures = shared.join("perf-fixtures");
    let bundle =
        Bundle::from_json(&std::fs::read(fixtures.join("a_msgsig_v03.sigstore.json")).unwrap())
            .unwrap();
    let artifact = Artifact::bytes(std::fs::read(fixtures.join("a.txt")).unwrap());
    let policy = Policy::identity(
        San::exact("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"),
        Issuer::exact("https://token.actions.githubusercontent.com"),
    );
    let verifier = Verifier::builder(root).build().unwrap();
    verifier.verify(&bundle, &artifact, &policy).unwrap();
}

#[test]
fn tampered_target_is_a_trust_root_error() {
    let Some(repo) = repository("tampered_target") else {
        return;
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tuf = client(&repo.0, &calls).build().unwrap();
    let err = tuf.trusted_root().unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::TrustRoot);
    assert!(
        matches!(
            err,
            VerifyError::TrustRoot(TrustRootProblem::Tuf(sigstore_tuf::Error::HashMismatch { ref target }))
                if target == "trusted_root.json"
        ),
        "{err:?}"
    );
}

#[test]
fn offline_uses_the_verified_cache_without_any_fetch() {
    let Some(repo) = repository("normal") else {
        return;
    };
    let cache = TempDir::new("cache");
    let online = Arc::new(AtomicUsize::new(0));
    let mut tuf = client(&repo.0, &online)
        .cache_dir(&cache.0)
        .build()
        .unwrap();
    let first = tuf.trusted_root().unwrap();
    assert!(online.load(Ordering::SeqCst) > 0);

    let offline = Arc::new(AtomicUsize::new(0));
    let mut tuf = client(&repo.0, &offline)
        .cache_dir(&cache.0)
        .offline(true)
        .build()
        .unwrap();
    let again = tuf.trusted_root().unwrap();
    assert_eq!(again.to_value(), first.to_value());
    assert_eq!(offline.load(Ordering::SeqCst), 0, "offline mode fetched");

    // A tampered cached target is detected, never trusted.
    let cached_target = std::fs::read_dir(&cache.0)
        .unwrap()
        .chain(
            std::fs::read_dir(cache.0.join("targets"))
                .into_iter()
                .flatten(),
        )
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains("trusted_root"))
        });
    if let Some(path) = cached_target {
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[10] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        let mut tuf = client(&repo.0, &offline)
            .cache_dir(&cache.0)
            .offline(true)
            .build()
            .unwrap();
        let err = tuf.trusted_root().unwrap_err();
        assert!(
            matches!(
                err,
                VerifyError::TrustRoot(TrustRootProblem::Tuf(
                    sigstore_tuf::Error::CacheTampered { .. }
                ))
            ),
            "{err:?}"
        );
    } else {
        panic!("no cached trusted_root target in {}", cache.0.display());
    }
}

#[test]
fn offline_production_without_cache_falls_back_to_the_embedded_root() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tuf = TufTrust::production()
        .offline(true)
        .fetcher(Box::new(FileFetcher {
            root: PathBuf::from("/nonexistent"),
            calls: calls.clone(),
        }))
        .build()
        .unwrap();
    let root = tuf.trusted_root().unwrap();
    assert_eq!(
        root.to_value(),
        TrustedRoot::production().unwrap().to_value()
    );
    let config = tuf.signing_config().unwrap();
    assert_eq!(
        config.to_value(),
        SigningConfig::production().unwrap().to_value()
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}
