//! Interop: sigstore-js (npm `sigstore` 5.0.1, pinned and installed by `npm ci` in
//! sigstore-testkit/tests/js) verifies bundles this crate's signer produces against the
//! virtual Sigstore, offline against the testkit's trusted root, with the testkit's
//! `verify_bundle.mjs` script. When `node` or the packages are missing the test fails under
//! `CI=true` and otherwise prints a notice and returns.
#![cfg(feature = "sign")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sign_support;

use std::path::PathBuf;
use std::process::Command;

use sign_support::*;
use sigstore_verify::HashAlgorithm;

fn js_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sigstore-testkit/tests/js"
    ))
}

fn require_node() -> bool {
    let dir = js_dir();
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node_ok && dir.join("node_modules/sigstore/package.json").exists() {
        return true;
    }
    let msg = format!(
        "node and the pinned npm packages are needed: run `npm ci` in {}",
        dir.display()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("NOTICE: {msg}; skipping");
    false
}

#[test]
fn sigstore_js_verifies_our_bundles_offline() {
    if !require_node() {
        return;
    }
    let vs = start();
    let dir = temp_dir("js-interop");
    let files = vs.write_trust_material(&dir).unwrap();
    let issuer = vs.urls().oidc.clone();
    let js_verify = |bundle: &std::path::Path, artifact: &std::path::Path, identity: &str| {
        let out = Command::new("node")
            .current_dir(js_dir())
            .arg("verify_bundle.mjs")
            .arg(&files.trusted_root)
            .arg(bundle)
            .arg(artifact)
            .arg(identity)
            .arg(&issuer)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let mut report = Vec::new();
    for (rekor, tsa) in [(1u32, false), (1, true), (2, true)] {
        let ctx = builder(&vs, &[rekor], tsa).build().unwrap();
        let artifact = dir.join(format!("artifact-v{rekor}-{tsa}.txt"));
        let content = format!("signed by the rust signer for js (v{rekor}, tsa {tsa})\n");
        std::fs::write(&artifact, &content).unwrap();
        let bundle = dir.join(format!("message-v{rekor}-{tsa}.sigstore.json"));
        ctx.sign_file(&artifact).unwrap().write_to(&bundle).unwrap();
        let (ok, log) = js_verify(&bundle, &artifact, EMAIL);
        report.push((format!("message v{rekor} tsa={tsa}"), ok, log));
        let (ok, _) = js_verify(&bundle, &artifact, "mallory@example.com");
        assert!(!ok, "sigstore-js accepted the wrong identity");

        let statement = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"artifact.txt","digest":{{"sha256":"{}"}}}}],"predicateType":"https://example.com/p","predicate":{{}}}}"#,
            HashAlgorithm::Sha256.hash(content.as_bytes()).to_hex()
        );
        let bundle = dir.join(format!("dsse-v{rekor}-{tsa}.sigstore.json"));
        ctx.sign_statement(statement.as_bytes())
            .unwrap()
            .write_to(&bundle)
            .unwrap();
        let (ok, log) = js_verify(&bundle, &artifact, EMAIL);
        report.push((format!("dsse v{rekor} tsa={tsa}"), ok, log));
    }
    for (name, ok, log) in &report {
        eprintln!("{name}: {ok} {log}");
    }
    for (name, ok, log) in &report {
        assert!(*ok, "sigstore-js rejected our bundle ({name}):\n{log}");
    }
}
