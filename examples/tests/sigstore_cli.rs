//! The `sigstore` program end to end: `verify`, `verify-attestation`, `inspect` and
//! `trust-root` on the real public-good bundles of the shared perf fixtures, and `sign` /
//! `attest` against the virtual Sigstore.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;

struct Case {
    bundle: PathBuf,
    artifact: String,
    identity: String,
    issuer: String,
}

/// The perf-fixture case `id` from `cases.json`.
fn case(shared: &Path, id: &str) -> Case {
    let dir = shared.join("perf-fixtures");
    let cases: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let c = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"));
    let artifact = match c["artifact"].as_str() {
        Some(a) => dir.join(a).to_str().unwrap().to_owned(),
        None => c["digest"].as_str().unwrap().to_owned(),
    };
    Case {
        bundle: dir.join(c["bundle"].as_str().unwrap()),
        artifact,
        identity: c["identity"].as_str().unwrap().to_owned(),
        issuer: c["issuer"].as_str().unwrap().to_owned(),
    }
}

fn verify(c: &Case, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "verify",
        c.artifact.as_str(),
        "--bundle",
        c.bundle.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(SIGSTORE, &args)
}

#[test]
fn verify_public_good_bundles_with_the_embedded_root() {
    let Some(shared) = shared_dir() else { return };
    for id in [
        "a_msgsig_v03_rekorv1",
        "b_dsse_v03_rekorv1",
        "c_msgsig_v03_rekorv2_tsa",
        "d_dsse_v03_rekorv1_tsa",
    ] {
        let c = case(&shared, id);
        let out = verify(
            &c,
            &[
                "--certificate-identity",
                &c.identity,
                "--certificate-oidc-issuer",
                &c.issuer,
                "--json",
            ],
        );
        assert_eq!(code(&out), 0, "{id}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(
            v["result"]["signer"]["identity"]["san"],
            c.identity.as_str()
        );
    }
}

#[test]
fn verify_flags_like_cosign_and_sigstore_python() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "a_msgsig_v03_rekorv1");
    // sigstore-python spellings, text output.
    let out = verify(
        &c,
        &[
            "--cert-identity",
            &c.identity,
            "--cert-oidc-issuer",
            &c.issuer,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("OK: "), "{}", stdout(&out));
    // Regexes (fully anchored).
    let out = verify(
        &c,
        &[
            "--certificate-identity-regexp",
            "https://github\\.com/sigstore-conformance/.*",
            "--certificate-oidc-issuer-regexp",
            "https://token\\.actions\\.githubusercontent\\.com",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = verify(
        &c,
        &[
            "--certificate-identity-regexp",
            "sigstore-conformance",
            "--certificate-oidc-issuer",
            &c.issuer,
        ],
    );
    assert_eq!(
        code(&out),
        1,
        "unanchored substring must not match: {}",
        stdout(&out)
    );
    // Extension flags.
    let ok = [
        "--certificate-identity",
        &c.identity,
        "--certificate-oidc-issuer",
        &c.issuer,
        "--certificate-github-workflow-repository",
        "sigstore-conformance/extremely-dangerous-public-oidc-beacon",
        "--certificate-github-workflow-ref",
        "refs/heads/main",
        "--certificate-extension",
        "1.3.6.1.4.1.57264.1.22=public",
    ];
    assert_eq!(code(&verify(&c, &ok)), 0);
    let out = verify(
        &c,
        &[
            "--certificate-identity",
            &c.identity,
            "--certificate-oidc-issuer",
            &c.issuer,
            "--certificate-github-workflow-repository",
            "someone/else",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // Wrong identity, wrong issuer: exit 1 with the mismatch named.
    let out = verify(
        &c,
        &[
            "--certificate-identity",
            "someone@example.com",
            "--certificate-oidc-issuer",
            &c.issuer,
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("identity mismatch"),
        "{}",
        stderr(&out)
    );
    let out = verify(
        &c,
        &[
            "--certificate-identity",
            &c.identity,
            "--certificate-oidc-issuer",
            "https://accounts.google.com",
        ],
    );
    assert_eq!(code(&out), 1);
    // The artifact as a digest; a tampered artifact.
    let digest = format!(
        "sha256:{}",
        sigstore_crypto::HashAlgorithm::Sha256
            .hash(&std::fs::read(&c.artifact).unwrap())
            .to_hex()
    );
    let d = Case {
        artifact: digest,
        ..case(&shared, "a_msgsig_v03_rekorv1")
    };
    assert_eq!(
        code(&verify(
            &d,
            &[
                "--certificate-identity",
                &c.identity,
                "--certificate-oidc-issuer",
                &c.issuer
            ]
        )),
        0
    );
    let scratch = Scratch::new("cli-tamper");
    let t = scratch.join("a.txt");
    let mut bytes = std::fs::read(&c.artifact).unwrap();
    bytes.push(b'!');
    std::fs::write(&t, bytes).unwrap();
    let tampered = Case {
        artifact: t.to_str().unwrap().to_owned(),
        ..case(&shared, "a_msgsig_v03_rekorv1")
    };
    let out = verify(
        &tampered,
        &[
            "--certificate-identity",
            &c.identity,
            "--certificate-oidc-issuer",
            &c.issuer,
            "--json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    // The staging root does not trust public-good bundles.
    let out = verify(
        &c,
        &[
            "--certificate-identity",
            &c.identity,
            "--certificate-oidc-issuer",
            &c.issuer,
            "--staging",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // An explicit trusted root file.
    let root = shared.join("perf-fixtures/trusted_root.public-good.json");
    let out = verify(
        &c,
        &[
            "--certificate-identity",
            &c.identity,
            "--certificate-oidc-issuer",
            &c.issuer,
            "--trusted-root",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn verify_usage_and_io_errors() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "a_msgsig_v03_rekorv1");
    // No signer constraint.
    let out = verify(&c, &[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--certificate-identity"));
    // Identity without issuer.
    assert_eq!(
        code(&verify(&c, &["--certificate-identity", &c.identity])),
        2
    );
    // A missing bundle.
    let missing = Case {
        bundle: PathBuf::from("/nonexistent/bundle.json"),
        ..case(&shared, "a_msgsig_v03_rekorv1")
    };
    let out = verify(
        &missing,
        &[
            "--certificate-identity",
            &c.identity,
            "--certificate-oidc-issuer",
            &c.issuer,
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A malformed regex.
    let out = verify(
        &c,
        &[
            "--certificate-identity-regexp",
            "(",
            "--certificate-oidc-issuer",
            &c.issuer,
        ],
    );
    assert_eq!(code(&out), 2);
    // Help.
    let out = run(SIGSTORE, &["--help"]);
    assert_eq!(code(&out), 0);
    for sub in [
        "verify",
        "verify-attestation",
        "inspect",
        "trust-root",
        "sign",
        "attest",
    ] {
        assert!(stdout(&out).contains(sub), "{sub}");
    }
}

#[test]
fn verify_attestation_checks_the_predicate_type() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "b_dsse_v03_rekorv1");
    let base = [
        "verify-attestation",
        c.artifact.as_str(),
        "--bundle",
        c.bundle.to_str().unwrap(),
        "--certificate-identity",
        &c.identity,
        "--certificate-oidc-issuer",
        &c.issuer,
    ];
    let mut ok = base.to_vec();
    ok.extend_from_slice(&["--type", "https://slsa.dev/provenance/v1", "--json"]);
    let out = run(SIGSTORE, &ok);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["result"]["predicate_type"],
        "https://slsa.dev/provenance/v1"
    );
    let mut bad = base.to_vec();
    bad.extend_from_slice(&["--type", "https://example.com/other"]);
    let out = run(SIGSTORE, &bad);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // A message-signature bundle is not an attestation.
    let m = case(&shared, "a_msgsig_v03_rekorv1");
    let out = run(
        SIGSTORE,
        &[
            "verify-attestation",
            m.artifact.as_str(),
            "--bundle",
            m.bundle.to_str().unwrap(),
            "--certificate-identity",
            &m.identity,
            "--certificate-oidc-issuer",
            &m.issuer,
        ],
    );
    assert_ne!(code(&out), 0);
}

#[test]
fn inspect_dumps_a_public_good_bundle() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "a_msgsig_v03_rekorv1");
    let out = run(SIGSTORE, &["inspect", c.bundle.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        c.identity.as_str(),
        c.issuer.as_str(),
        "https://rekor.sigstore.dev",
        "hashedrekord 0.0.1",
        "integrated",
        "unverified",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    let out = run(SIGSTORE, &["inspect", c.bundle.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["signer"]["identity"], c.identity.as_str());
    assert_eq!(
        v["tlog_entries"][0]["log_url"],
        "https://rekor.sigstore.dev"
    );
    // The Rekor v2 + TSA bundle shows its timestamp.
    let t = case(&shared, "c_msgsig_v03_rekorv2_tsa");
    let out = run(SIGSTORE, &["inspect", t.bundle.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rfc3161_timestamps"], 1);
    assert_eq!(v["tlog_entries"][0]["kind"], "hashedrekord 0.0.2");
    // Garbage is a parse error (2).
    let scratch = Scratch::new("inspect");
    let g = scratch.join("g.json");
    std::fs::write(&g, b"{\"not\": \"a bundle\"}").unwrap();
    assert_eq!(code(&run(SIGSTORE, &["inspect", g.to_str().unwrap()])), 2);
}

#[test]
fn trust_root_shows_and_validates() {
    let out = run(SIGSTORE, &["trust-root"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("https://rekor.sigstore.dev"));
    assert!(stdout(&out).contains("https://fulcio.sigstore.dev"));
    let out = run(SIGSTORE, &["trust-root", "--staging", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert!(v["root"]["tlogs"][0]["base_url"]
        .as_str()
        .unwrap()
        .contains("sigstage"));
    let scratch = Scratch::new("trust-root");
    let bad = scratch.join("bad.json");
    std::fs::write(&bad, b"{\"mediaType\": \"nope\"}").unwrap();
    let out = run(
        SIGSTORE,
        &["trust-root", "--trusted-root", bad.to_str().unwrap()],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    if let Some(shared) = shared_dir() {
        let f = shared.join("perf-fixtures/trusted_root.public-good.json");
        let out = run(
            SIGSTORE,
            &["trust-root", "--trusted-root", f.to_str().unwrap()],
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(stdout(&out).contains("valid:"));
    }
}

#[test]
fn sign_and_attest_against_the_virtual_sigstore() {
    let scratch = Scratch::new("cli-sign");
    let vs = Vs::start(&scratch);
    let file = scratch.join("hello.txt");
    std::fs::write(&file, b"hello, sigstore").unwrap();
    let root = vs.trusted_root();
    let issuer = vs.issuer();
    for version in [1, 2] {
        let bundle = vs.sign(&file, "alice@example.com", version);
        let out = run(
            SIGSTORE,
            &[
                "verify",
                file.to_str().unwrap(),
                "--bundle",
                bundle.to_str().unwrap(),
                "--certificate-identity",
                "alice@example.com",
                "--certificate-oidc-issuer",
                &issuer,
                "--trusted-root",
                root.to_str().unwrap(),
            ],
        );
        assert_eq!(code(&out), 0, "v{version}: {}", stderr(&out));
    }
    // Default bundle path, refusal to overwrite, --overwrite, --json.
    let token = vs.token("alice@example.com");
    let cfg = vs.trust_config();
    let sign = |extra: &[&str]| {
        let mut a = vec![
            "sign",
            file.to_str().unwrap(),
            "--trust-config",
            cfg.to_str().unwrap(),
            "--identity-token",
            &token,
        ];
        a.extend_from_slice(extra);
        run(SIGSTORE, &a)
    };
    assert_eq!(code(&sign(&[])), 0);
    assert!(scratch.join("hello.txt.sigstore.json").exists());
    assert_eq!(code(&sign(&[])), 2);
    let out = sign(&["--overwrite", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["result"]["signer"]["identity"]["san"],
        "alice@example.com"
    );
    // Default bundle path used by verify.
    let out = run(
        SIGSTORE,
        &[
            "verify",
            file.to_str().unwrap(),
            "--certificate-identity",
            "alice@example.com",
            "--certificate-oidc-issuer",
            &issuer,
            "--trusted-root",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A bad token: exit 2, no bundle.
    let out = run(
        SIGSTORE,
        &[
            "sign",
            file.to_str().unwrap(),
            "--bundle",
            scratch.join("never.json").to_str().unwrap(),
            "--trust-config",
            cfg.to_str().unwrap(),
            "--identity-token",
            "not-a-jwt",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!scratch.join("never.json").exists());

    // attest: a predicate about the file, then verify-attestation with its type.
    let pred = scratch.join("predicate.json");
    std::fs::write(
        &pred,
        br#"{"buildType": "https://example.com/build", "ok": true}"#,
    )
    .unwrap();
    let att = scratch.join("hello.att.json");
    let out = run(
        SIGSTORE,
        &[
            "attest",
            file.to_str().unwrap(),
            "--predicate",
            pred.to_str().unwrap(),
            "--type",
            "https://example.com/predicate/v1",
            "--bundle",
            att.to_str().unwrap(),
            "--trust-config",
            cfg.to_str().unwrap(),
            "--identity-token",
            &token,
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let va = |t: &str| {
        run(
            SIGSTORE,
            &[
                "verify-attestation",
                file.to_str().unwrap(),
                "--bundle",
                att.to_str().unwrap(),
                "--type",
                t,
                "--certificate-identity",
                "alice@example.com",
                "--certificate-oidc-issuer",
                &issuer,
                "--trusted-root",
                root.to_str().unwrap(),
            ],
        )
    };
    let out = va("https://example.com/predicate/v1");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&va("https://slsa.dev/provenance/v1")), 1);
    let out = run(SIGSTORE, &["inspect", att.to_str().unwrap()]);
    assert!(stdout(&out).contains("https://example.com/predicate/v1"));
    assert!(stdout(&out).contains("hello.txt sha256:"));
}

#[test]
fn sign_with_a_key_verifies_with_the_public_key() {
    let scratch = Scratch::new("cli-key");
    let vs = Vs::start(&scratch);
    let key = sigstore_crypto::KeySigner::generate_p256().unwrap();
    let key_pem = scratch.join("key.pem");
    std::fs::write(&key_pem, key.to_pkcs8_pem().unwrap()).unwrap();
    let pub_pem = scratch.join("key.pub");
    use sigstore_crypto::Signer as _;
    std::fs::write(&pub_pem, key.public_key().to_pem()).unwrap();
    let file = scratch.join("f");
    std::fs::write(&file, b"signed with my own key").unwrap();
    let out = run(
        SIGSTORE,
        &[
            "sign",
            file.to_str().unwrap(),
            "--key",
            key_pem.to_str().unwrap(),
            "--trust-config",
            vs.trust_config().to_str().unwrap(),
            "--rekor-version",
            "1",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(
        SIGSTORE,
        &[
            "verify",
            file.to_str().unwrap(),
            "--key",
            pub_pem.to_str().unwrap(),
            "--trusted-root",
            vs.trusted_root().to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let other = sigstore_crypto::KeySigner::generate_p256().unwrap();
    std::fs::write(&pub_pem, other.public_key().to_pem()).unwrap();
    let out = run(
        SIGSTORE,
        &[
            "verify",
            file.to_str().unwrap(),
            "--key",
            pub_pem.to_str().unwrap(),
            "--trusted-root",
            vs.trusted_root().to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

fn sign_cmd(vs: &Vs, file: &Path, flow: &str) -> std::process::Command {
    let mut c = std::process::Command::new(SIGSTORE);
    c.args([
        "sign",
        file.to_str().unwrap(),
        "--trust-config",
        vs.trust_config().to_str().unwrap(),
        "--oidc-flow",
        flow,
    ])
    // No ambient credentials from the test's environment.
    .env_clear()
    .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    c
}

#[test]
fn sign_logs_in_with_the_browser_flow() {
    let scratch = Scratch::new("cli-browser");
    let vs = Vs::start(&scratch);
    let file = scratch.join("f");
    std::fs::write(&file, b"browser login").unwrap();
    // The "browser" follows the issuer's redirect to the loopback callback.
    let out = sign_cmd(&vs, &file, "browser")
        .env("BROWSER", "curl -s -L -o /dev/null")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("alice@example.com"),
        "{}",
        stderr(&out)
    );
    // No token and no interactive login: exit 2, nothing written.
    std::fs::remove_file(scratch.join("f.sigstore.json")).unwrap();
    let out = sign_cmd(&vs, &file, "none").output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!scratch.join("f.sigstore.json").exists());
}

#[test]
fn sign_logs_in_with_the_device_flow() {
    use std::io::BufRead;
    let scratch = Scratch::new("cli-device");
    let vs = Vs::start(&scratch);
    let file = scratch.join("f");
    std::fs::write(&file, b"device login").unwrap();
    let mut child = sign_cmd(&vs, &file, "device")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr_pipe = child.stderr.take().unwrap();
    let mut lines = Vec::new();
    let mut approved = false;
    for line in std::io::BufReader::new(stderr_pipe).lines() {
        let line = line.unwrap();
        if !approved {
            if let Some(code) = line
                .split("code ")
                .nth(1)
                .map(|c| c.trim_end_matches(')').trim().to_owned())
            {
                assert!(vs.vs.approve_device(
                    &code,
                    Some(sigstore_testkit::TokenClaims::email("dana@example.com"))
                ));
                approved = true;
            }
        }
        lines.push(line);
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{}", lines.join("\n"));
    assert!(approved, "{}", lines.join("\n"));
    let out = run(
        SIGSTORE,
        &[
            "verify",
            file.to_str().unwrap(),
            "--certificate-identity",
            "dana@example.com",
            "--certificate-oidc-issuer",
            &vs.issuer(),
            "--trusted-root",
            vs.trusted_root().to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}
