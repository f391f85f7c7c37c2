//! The verification command the workspace README shows, run exactly as written there (with
//! this build's binary and the shared data folder): it must succeed, and the README must still
//! contain the command, so the two cannot drift apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

#[test]
fn readme_verify_bundle_command_succeeds() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    // The README's command, argument by argument (paths relative to the checkout).
    let args = [
        "verify-bundle",
        "--bundle",
        "../shared/perf-fixtures/a_msgsig_v03.sigstore.json",
        "--certificate-identity",
        IDENTITY,
        "--certificate-oidc-issuer",
        ISSUER,
        "../shared/perf-fixtures/a.txt",
    ];
    let mut rest = readme.as_str();
    for a in ["target/release/conformance"].iter().chain(args.iter()) {
        let at = rest
            .find(a)
            .unwrap_or_else(|| panic!("README no longer shows `{a}` in the verify-bundle command"));
        rest = &rest[at + a.len()..];
    }
    let Some(shared) = common::shared_dir("perf-fixtures") else {
        return;
    };
    let resolved: Vec<String> = args
        .iter()
        .map(|a| match a.strip_prefix("../shared/") {
            Some(p) => shared.join(p).display().to_string(),
            None => (*a).to_owned(),
        })
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(&resolved)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "README command failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same command with another identity must fail: the command really verifies.
    let mut wrong = resolved.clone();
    wrong[4] = "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main".into();
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(&wrong)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
