//! `conformance sign-bundle` then `conformance verify-bundle` against the virtual Sigstore,
//! with the suite's signing inputs (`assets/a.txt`, `assets/statement.json`), on Rekor v1 and
//! v2, and a failing service leaving no bundle file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use sigstore_testkit::{
    Config, Fault, Service, SigningConfigOptions, TokenClaims, VirtualSigstore,
};

const EMAIL: &str = "conformance@example.com";

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("conformance-sign-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn write_config(vs: &VirtualSigstore, dir: &Path, rekor: u32) -> PathBuf {
    let sc = dir.join(format!("signing_config_v{rekor}.json"));
    let v = vs.signing_config(&SigningConfigOptions {
        rekor_versions: vec![rekor],
        tsa: true,
    });
    std::fs::write(&sc, v.to_string()).unwrap();
    sc
}

#[test]
fn sign_bundle_then_verify_bundle_with_the_suite_inputs() {
    let Some(shared) = common::shared_dir("sigstore-conformance") else {
        return;
    };
    let assets = shared.join("sigstore-conformance/assets");
    let a_txt = assets.join("a.txt");
    let statement = assets.join("statement.json");
    let vs = VirtualSigstore::start(Config::default()).unwrap();
    let dir = temp_dir("roundtrip");
    let files = vs.write_trust_material(&dir).unwrap();
    let issuer = vs.urls().oidc.clone();
    for rekor in [1u32, 2] {
        let sc = write_config(&vs, &dir, rekor);
        for in_toto in [false, true] {
            let token = vs.mint_token(&TokenClaims::email(EMAIL)).unwrap();
            let bundle = dir.join(format!("v{rekor}-{in_toto}.sigstore.json"));
            let input = if in_toto { &statement } else { &a_txt };
            let mut args = vec!["sign-bundle"];
            if in_toto {
                args.push("--in-toto");
            }
            args.extend([
                "--identity-token",
                &token,
                "--bundle",
                p(&bundle),
                "--trusted-root",
                p(&files.trusted_root),
                "--signing-config",
                p(&sc),
                p(input),
            ]);
            let (ok, log) = run(&args);
            assert!(ok, "sign-bundle v{rekor} in_toto={in_toto}: {log}");
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
            assert_eq!(
                json["mediaType"],
                "application/vnd.dev.sigstore.bundle.v0.3+json"
            );
            assert_eq!(
                json["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["version"],
                if rekor == 1 { "0.0.1" } else { "0.0.2" }
            );
            if in_toto {
                // The DSSE payload is the statement file, byte for byte.
                use base64::Engine as _;
                let payload = base64::engine::general_purpose::STANDARD
                    .decode(json["dsseEnvelope"]["payload"].as_str().unwrap())
                    .unwrap();
                assert_eq!(payload, std::fs::read(&statement).unwrap());
            }
            // verify-bundle accepts it (for DSSE, a.txt is the statement's subject) ...
            let (ok, log) = run(&[
                "verify-bundle",
                "--bundle",
                p(&bundle),
                "--certificate-identity",
                EMAIL,
                "--certificate-oidc-issuer",
                &issuer,
                "--trusted-root",
                p(&files.trusted_root),
                p(&a_txt),
            ]);
            assert!(ok, "verify-bundle v{rekor} in_toto={in_toto}: {log}");
            // ... and refuses another identity.
            let (ok, _) = run(&[
                "verify-bundle",
                "--bundle",
                p(&bundle),
                "--certificate-identity",
                "mallory@example.com",
                "--certificate-oidc-issuer",
                &issuer,
                "--trusted-root",
                p(&files.trusted_root),
                p(&a_txt),
            ]);
            assert!(!ok);
        }
    }
}

#[test]
fn sign_bundle_failure_writes_no_bundle() {
    let vs = VirtualSigstore::start(Config::default()).unwrap();
    let dir = temp_dir("failure");
    let files = vs.write_trust_material(&dir).unwrap();
    let sc = write_config(&vs, &dir, 1);
    let input = dir.join("input.txt");
    std::fs::write(&input, "content").unwrap();
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let bundle = out_dir.join("b.sigstore.json");
    vs.faults().always(Service::RekorV1, Fault::AlteredEntry);
    let token = vs.mint_token(&TokenClaims::email(EMAIL)).unwrap();
    let (ok, log) = run(&[
        "sign-bundle",
        "--identity-token",
        &token,
        "--bundle",
        p(&bundle),
        "--trusted-root",
        p(&files.trusted_root),
        "--signing-config",
        p(&sc),
        p(&input),
    ]);
    assert!(!ok, "signing succeeded despite an altered entry: {log}");
    assert!(log.contains("does not match"), "{log}");
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 0);
    // A malformed token: exit 1, no file.
    let (ok, _) = run(&[
        "sign-bundle",
        "--identity-token",
        "not.a-token",
        "--bundle",
        p(&bundle),
        "--trusted-root",
        p(&files.trusted_root),
        "--signing-config",
        p(&sc),
        p(&input),
    ]);
    assert!(!ok);
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 0);
    // Usage errors exit 2.
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["sign-bundle", "--bundle", p(&bundle)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
