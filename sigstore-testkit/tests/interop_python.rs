//! Interop with an independent peer: sigstore-python 4.5.1 (pinned in tests/requirements.txt)
//! signs against the testkit's services (plain http loopback URLs from a ClientTrustConfig),
//! verifies offline against the testkit's trusted root, and our own verifier
//! (sigstore-verify) accepts the same bundles.
//!
//! The CLI is `$SIGSTORE_PYTHON_CLI` or `sigstore` on `PATH`. When it is missing the test
//! fails under `CI=true` and otherwise prints a notice and returns.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use sigstore_testkit::{Config, TokenClaims, VirtualSigstore};
use sigstore_verify::{Artifact, Issuer, Policy, San, Verifier};

const PINNED: &str = "4.5.1";

fn require_cli() -> Option<PathBuf> {
    match common::python_cli(PINNED) {
        Some(c) => Some(c),
        None if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "sigstore-python {PINNED} is required under CI=true: pip install -r sigstore-testkit/tests/requirements.txt \
             and put `sigstore` on PATH or set SIGSTORE_PYTHON_CLI"
        ),
        None => {
            eprintln!("NOTICE: sigstore-python {PINNED} not found; skipping the interop test (set SIGSTORE_PYTHON_CLI)");
            None
        }
    }
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("testkit-py-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn our_verify(trusted_root: &Path, bundle: &Path, artifact: &[u8], email: &str, issuer: &str) {
    let root = sigstore_verify::TrustedRoot::from_file(trusted_root).unwrap();
    let verifier = Verifier::builder(root).build().unwrap();
    let policy = Policy::identity(San::exact(email), Issuer::exact(issuer));
    let result = verifier.verify_json(
        &std::fs::read(bundle).unwrap(),
        &Artifact::bytes(artifact.to_vec()),
        &policy,
    );
    assert!(
        result.is_ok(),
        "our verifier rejected {bundle:?}: {result:?}"
    );
}

#[test]
fn sigstore_python_signs_and_verifies_against_the_testkit() {
    let Some(cli) = require_cli() else { return };
    let dir = temp_dir("sign");
    let vs = VirtualSigstore::start(Config::default().with_dir(dir.join("state"))).unwrap();
    let files = vs.write_trust_material(&dir).unwrap();
    let email = "python-peer@example.com";
    let issuer = vs.urls().oidc.clone();
    for (variant, tc) in [
        ("rekor-v1", &files.client_trust_config_v1),
        ("rekor-v2", &files.client_trust_config_v2),
    ] {
        let artifact = dir.join(format!("{variant}.txt"));
        let content = format!("signed by sigstore-python through the testkit ({variant})\n");
        std::fs::write(&artifact, &content).unwrap();
        let bundle = dir.join(format!("{variant}.sigstore.json"));
        let token = vs.mint_token(&TokenClaims::email(email)).unwrap();
        let (ok, log) = run(Command::new(&cli)
            .arg("--trust-config")
            .arg(tc)
            .args(["sign", "--identity-token", &token, "--bundle"])
            .arg(&bundle)
            .arg(&artifact));
        assert!(ok, "sigstore-python sign ({variant}) failed:\n{log}");
        let (ok, log) = run(Command::new(&cli)
            .arg("--trust-config")
            .arg(tc)
            .args([
                "verify",
                "identity",
                "--offline",
                "--cert-identity",
                email,
                "--cert-oidc-issuer",
                &issuer,
                "--bundle",
            ])
            .arg(&bundle)
            .arg(&artifact));
        assert!(ok, "sigstore-python verify ({variant}) failed:\n{log}");
        // The wrong identity is refused by the peer.
        let (ok, _) = run(Command::new(&cli)
            .arg("--trust-config")
            .arg(tc)
            .args([
                "verify",
                "identity",
                "--offline",
                "--cert-identity",
                "mallory@example.com",
                "--cert-oidc-issuer",
                &issuer,
                "--bundle",
            ])
            .arg(&bundle)
            .arg(&artifact));
        assert!(!ok, "peer accepted the wrong identity");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
        let version = json["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["version"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            version,
            if variant == "rekor-v1" {
                "0.0.1"
            } else {
                "0.0.2"
            }
        );
        assert!(
            json["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                .is_object()
        );
        our_verify(
            &files.trusted_root,
            &bundle,
            content.as_bytes(),
            email,
            &issuer,
        );

        // DSSE: an in-toto attestation about the same file (v1: a dsse entry; v2: a
        // hashedrekord entry over the PAE, as sigstore-python submits it).
        let predicate = dir.join("predicate.json");
        std::fs::write(
            &predicate,
            r#"{"buildDefinition":{"buildType":"https://example.com/build","externalParameters":{}},"runDetails":{"builder":{"id":"https://example.com/builder"}}}"#,
        )
        .unwrap();
        let att = dir.join(format!("{variant}.attestation.json"));
        let token = vs.mint_token(&TokenClaims::email(email)).unwrap();
        let (ok, log) = run(Command::new(&cli)
            .arg("--trust-config")
            .arg(tc)
            .args([
                "attest",
                "--identity-token",
                &token,
                "--predicate-type",
                "https://slsa.dev/provenance/v1",
                "--predicate",
            ])
            .arg(&predicate)
            .arg("--bundle")
            .arg(&att)
            .arg(&artifact));
        assert!(ok, "sigstore-python attest ({variant}) failed:\n{log}");
        let (ok, log) = run(Command::new(&cli)
            .arg("--trust-config")
            .arg(tc)
            .args([
                "verify",
                "identity",
                "--offline",
                "--cert-identity",
                email,
                "--cert-oidc-issuer",
                &issuer,
                "--bundle",
            ])
            .arg(&att)
            .arg(&artifact));
        assert!(
            ok,
            "sigstore-python verify of the attestation ({variant}) failed:\n{log}"
        );
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&att).unwrap()).unwrap();
        let kind = json["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            kind,
            if variant == "rekor-v1" {
                "dsse"
            } else {
                "hashedrekord"
            }
        );
        our_verify(
            &files.trusted_root,
            &att,
            content.as_bytes(),
            email,
            &issuer,
        );
    }
    assert_eq!(vs.rekor_v1_size(), 2);
    assert_eq!(vs.rekor_v2_size(), 2);
    vs.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigstore_python_interactive_login_runs_headless() {
    let Some(cli) = require_cli() else { return };
    let dir = temp_dir("login");
    let vs = VirtualSigstore::start(Config::default()).unwrap();
    vs.set_default_identity(TokenClaims::email("browser@example.com"));
    let files = vs.write_trust_material(&dir).unwrap();
    // A "browser" that follows the redirects: /authorize -> the peer's loopback redirect server.
    let browser = dir.join("browser.sh");
    // (Python's urllib follows the 302 to the peer's loopback redirect server.)
    std::fs::write(
        &browser,
        "#!/bin/sh\nexec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \"$1\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let artifact = dir.join("login.txt");
    std::fs::write(&artifact, b"interactive login\n").unwrap();
    let bundle = dir.join("login.sigstore.json");
    let (ok, log) = run(Command::new(&cli)
        .env("BROWSER", &browser)
        .arg("--trust-config")
        .arg(&files.client_trust_config_v1)
        .args(["sign", "--bundle"])
        .arg(&bundle)
        .arg(&artifact));
    assert!(ok, "sigstore-python interactive sign failed:\n{log}");
    let (ok, log) = run(Command::new(&cli)
        .arg("--trust-config")
        .arg(&files.client_trust_config_v1)
        .args([
            "verify",
            "identity",
            "--offline",
            "--cert-identity",
            "browser@example.com",
            "--cert-oidc-issuer",
            &vs.urls().oidc,
            "--bundle",
        ])
        .arg(&bundle)
        .arg(&artifact));
    assert!(ok, "verify failed:\n{log}");
    our_verify(
        &files.trusted_root,
        &bundle,
        b"interactive login\n",
        "browser@example.com",
        &vs.urls().oidc,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
