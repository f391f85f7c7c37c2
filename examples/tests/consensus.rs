//! `consensus` end to end against the virtual Sigstore: k of n listed signers, each signature
//! inside a window.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
const EVE: &str = "eve@example.com";

/// Verified signature time of a bundle, read through `sigstore verify --json`.
fn signed_at(vs: &Vs, artifact: &std::path::Path, bundle: &std::path::Path, who: &str) -> i64 {
    let out = run(
        SIGSTORE,
        &[
            "verify",
            artifact.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity",
            who,
            "--certificate-oidc-issuer",
            &vs.issuer(),
            "--trusted-root",
            vs.trusted_root().to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["result"]["verified_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["time"].as_i64().unwrap())
        .max()
        .unwrap()
}

fn consensus(
    vs: &Vs,
    artifact: &std::path::Path,
    bundles: &[&std::path::Path],
    k: usize,
    extra: &[&str],
) -> std::process::Output {
    let root = vs.trusted_root();
    let issuer = vs.issuer();
    let k = k.to_string();
    let mut args: Vec<String> = vec![
        artifact.to_str().unwrap().to_owned(),
        "--threshold".into(),
        k,
        "--issuer".into(),
        issuer,
        "--trusted-root".into(),
        root.to_str().unwrap().to_owned(),
    ];
    for s in [ALICE, BOB, CAROL] {
        args.push("--signer".into());
        args.push(s.into());
    }
    for b in bundles {
        args.push("--bundle".into());
        args.push(b.to_str().unwrap().to_owned());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(CONSENSUS, &refs)
}

#[test]
fn consensus_needs_k_distinct_listed_signers() {
    let scratch = Scratch::new("consensus-k");
    let vs = Vs::start(&scratch);
    let release = scratch.join("release.tar");
    std::fs::write(&release, b"release 1.0 contents").unwrap();
    let a = vs.sign(&release, ALICE, 1);
    let b = vs.sign(&release, BOB, 2);
    let e = vs.sign(&release, EVE, 1);
    // A second bundle by alice does not count twice.
    let a2 = scratch.join("alice-again.sigstore.json");
    std::fs::copy(vs.sign(&release, ALICE, 2), &a2).unwrap();

    // k = 2 with alice and bob: reached.
    let ok = consensus(&vs, &release, &[&a, &b, &e], 2, &["--json"]);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["result"]["signers"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["result"]["rejected"].as_array().unwrap().len(),
        1,
        "eve is not listed"
    );

    // k = 3 (k-1 = 2 listed signers present, plus eve and a duplicate alice): not reached.
    let fail = consensus(&vs, &release, &[&a, &b, &e, &a2], 3, &[]);
    assert_eq!(code(&fail), 1, "{}", stderr(&fail));
    assert!(stderr(&fail).contains("NOT reached"), "{}", stderr(&fail));
    assert!(stderr(&fail).contains(EVE), "{}", stderr(&fail));

    // Bundles for another artifact do not count.
    let other = scratch.join("other.tar");
    std::fs::write(&other, b"something else").unwrap();
    let c_other = vs.sign(&other, CAROL, 1);
    let fail = consensus(&vs, &release, &[&a, &b, &c_other], 3, &["--json"]);
    assert_eq!(code(&fail), 1);
    let v: serde_json::Value = serde_json::from_slice(&fail.stdout).unwrap();
    assert_eq!(v["ok"], false);

    // With carol's real signature: 3 of 3.
    let c = vs.sign(&release, CAROL, 1);
    let ok = consensus(&vs, &release, &[&a, &b, &c], 3, &[]);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    assert!(stdout(&ok).contains("consensus reached: 3 of 3"));

    // The artifact may be given as a digest.
    let digest = format!(
        "sha256:{}",
        sigstore_crypto::HashAlgorithm::Sha256
            .hash(b"release 1.0 contents")
            .to_hex()
    );
    let ok = consensus(&vs, std::path::Path::new(&digest), &[&a, &b], 2, &[]);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
}

#[test]
fn consensus_rejects_signatures_outside_the_window() {
    let scratch = Scratch::new("consensus-window");
    let vs = Vs::start(&scratch);
    let release = scratch.join("release.tar");
    std::fs::write(&release, b"release 2.0").unwrap();
    let a = vs.sign(&release, ALICE, 1);
    let t_a = signed_at(&vs, &release, &a, ALICE);
    // Make sure bob signs at least two seconds later.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let b = vs.sign(&release, BOB, 1);
    let t_b = signed_at(&vs, &release, &b, BOB);
    assert!(t_b > t_a + 1, "{t_a} {t_b}");

    // A window covering both: reached.
    let wide = [
        "--not-before",
        &(t_a - 60).to_string(),
        "--not-after",
        &(t_b + 60).to_string(),
    ]
    .map(String::from);
    let w: Vec<&str> = wide.iter().map(String::as_str).collect();
    let ok = consensus(&vs, &release, &[&a, &b], 2, &w);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));

    // A window that ends before bob signed: bob is outside, 2 of 3 fails, 1 of 3 holds.
    let narrow = [
        "--not-before",
        &(t_a - 60).to_string(),
        "--not-after",
        &(t_a + 1).to_string(),
    ]
    .map(String::from);
    let n: Vec<&str> = narrow.iter().map(String::as_str).collect();
    let fail = consensus(&vs, &release, &[&a, &b], 2, &n);
    assert_eq!(code(&fail), 1, "{}", stderr(&fail));
    assert!(
        stderr(&fail).contains("outside the window"),
        "{}",
        stderr(&fail)
    );
    let ok = consensus(&vs, &release, &[&a, &b], 1, &n);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));

    // A window entirely in the past (RFC 3339 dates): nobody counts.
    let fail = consensus(
        &vs,
        &release,
        &[&a, &b],
        1,
        &[
            "--not-before",
            "2020-01-01",
            "--not-after",
            "2020-12-31T23:59:59Z",
        ],
    );
    assert_eq!(code(&fail), 1, "{}", stderr(&fail));
}

#[test]
fn consensus_usage_errors() {
    let scratch = Scratch::new("consensus-usage");
    let f = scratch.join("a");
    std::fs::write(&f, b"a").unwrap();
    // No signers listed.
    let out = run(
        CONSENSUS,
        &[
            f.to_str().unwrap(),
            "--threshold",
            "1",
            "--bundle",
            "x.json",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // k larger than the list.
    let out = run(
        CONSENSUS,
        &[
            f.to_str().unwrap(),
            "--threshold",
            "2",
            "--bundle",
            "x.json",
            "--signer",
            "a@b,https://issuer",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A bad date.
    let out = run(
        CONSENSUS,
        &[
            f.to_str().unwrap(),
            "--threshold",
            "1",
            "--bundle",
            "x.json",
            "--signer",
            "a@b,https://issuer",
            "--not-before",
            "yesterday",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--not-before"));
}
