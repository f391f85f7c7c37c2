//! Interop: bundles this crate's signer produces against the virtual Sigstore verify with
//! sigstore-python 4.5.1 (pinned in sigstore-testkit/tests/requirements.txt), offline,
//! against the testkit's trusted root: message signatures and DSSE, Rekor v1 and v2.
//!
//! The peer is `$SIGSTORE_PYTHON_CLI`, else `sigstore` on `PATH`, else `python3 -m sigstore`.
//! When none reports 4.5.1 the test fails under `CI=true` and otherwise prints a notice and
//! returns.
#![cfg(feature = "sign")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sign_support;

use std::process::Command;

use sign_support::*;
use sigstore_verify::HashAlgorithm;

const PINNED: &str = "4.5.1";

/// The peer as (program, leading arguments).
fn python_cli() -> Option<(String, Vec<String>)> {
    let mut candidates: Vec<(String, Vec<String>)> = Vec::new();
    if let Ok(p) = std::env::var("SIGSTORE_PYTHON_CLI") {
        candidates.push((p, Vec::new()));
    }
    candidates.push(("sigstore".to_owned(), Vec::new()));
    candidates.push((
        "python3".to_owned(),
        vec!["-m".to_owned(), "sigstore".to_owned()],
    ));
    for (prog, pre) in candidates {
        let Ok(out) = Command::new(&prog).args(&pre).arg("--version").output() else {
            continue;
        };
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        if out.status.success() && text.contains(PINNED) {
            return Some((prog, pre));
        }
    }
    None
}

fn require_cli() -> Option<(String, Vec<String>)> {
    match python_cli() {
        Some(c) => Some(c),
        None if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "sigstore-python {PINNED} is required under CI=true: pip install -r \
             sigstore-testkit/tests/requirements.txt (or set SIGSTORE_PYTHON_CLI)"
        ),
        None => {
            eprintln!("NOTICE: sigstore-python {PINNED} not found; skipping the interop test");
            None
        }
    }
}

#[test]
fn sigstore_python_verifies_our_bundles_offline() {
    let Some((prog, pre)) = require_cli() else {
        return;
    };
    let vs = start();
    let dir = temp_dir("py-interop");
    let files = vs.write_trust_material(&dir).unwrap();
    let issuer = vs.urls().oidc.clone();
    let py_verify = |bundle: &std::path::Path, artifact: &std::path::Path, identity: &str| {
        let out = Command::new(&prog)
            .args(&pre)
            .arg("--trust-config")
            .arg(&files.client_trust_config)
            .args([
                "verify",
                "identity",
                "--offline",
                "--cert-identity",
                identity,
                "--cert-oidc-issuer",
                &issuer,
                "--bundle",
            ])
            .arg(bundle)
            .arg(artifact)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    for (rekor, tsa) in [(1u32, false), (1, true), (2, true)] {
        let ctx = builder(&vs, &[rekor], tsa).build().unwrap();
        let artifact = dir.join(format!("artifact-v{rekor}-{tsa}.txt"));
        let content = format!("signed by the rust signer for python (v{rekor}, tsa {tsa})\n");
        std::fs::write(&artifact, &content).unwrap();

        let bundle = dir.join(format!("message-v{rekor}-{tsa}.sigstore.json"));
        ctx.sign_file(&artifact).unwrap().write_to(&bundle).unwrap();
        let (ok, log) = py_verify(&bundle, &artifact, EMAIL);
        assert!(
            ok,
            "python rejected our message bundle (v{rekor}, tsa {tsa}):\n{log}"
        );
        let (ok, _) = py_verify(&bundle, &artifact, "mallory@example.com");
        assert!(!ok, "python accepted the wrong identity");

        let statement = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"artifact.txt","digest":{{"sha256":"{}"}}}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{{"buildDefinition":{{"buildType":"https://example.com/build","externalParameters":{{}}}},"runDetails":{{"builder":{{"id":"https://example.com/builder"}}}}}}}}"#,
            HashAlgorithm::Sha256.hash(content.as_bytes()).to_hex()
        );
        let bundle = dir.join(format!("dsse-v{rekor}-{tsa}.sigstore.json"));
        ctx.sign_statement(statement.as_bytes())
            .unwrap()
            .write_to(&bundle)
            .unwrap();
        let (ok, log) = py_verify(&bundle, &artifact, EMAIL);
        assert!(
            ok,
            "python rejected our DSSE bundle (v{rekor}, tsa {tsa}):\n{log}"
        );
    }
}
