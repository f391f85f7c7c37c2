//! The README's main job: `scripts/demo.sh`, run with the programs of this build (no release
//! build inside the test) against a virtual Sigstore started here, and also starting its own
//! when the `sigstore-testkit` binary sits next to the programs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/demo.sh")
}

fn bin_dir() -> std::path::PathBuf {
    Path::new(SIGSTORE).parent().unwrap().to_path_buf()
}

fn check(out: &std::process::Output) {
    let text = stdout(out);
    assert_eq!(code(out), 0, "stdout:\n{text}\nstderr:\n{}", stderr(out));
    assert!(text.contains("== 1. verify a public-good bundle"), "{text}");
    assert!(
        text.contains("OK: https://github.com/sigstore-conformance/"),
        "{text}"
    );
    assert!(text.contains("OK: alice@example.com"), "{text}");
    assert!(text.contains("MATCH entry 0: alice@example.com"), "{text}");
    assert!(text.contains("demo: all steps succeeded"), "{text}");
}

#[test]
fn demo_script_runs_the_main_job() {
    let Some(shared) = shared_dir() else { return };
    let scratch = Scratch::new("demo");
    let vs = Vs::start(&scratch);
    let out = Command::new("bash")
        .arg(script())
        .env("SIGSTORE_SHARED_DIR", &shared)
        .env("SIGSTORE_BIN_DIR", bin_dir())
        .env("SIGSTORE_TESTKIT_DIR", &vs.state)
        .output()
        .unwrap();
    check(&out);
}

#[test]
fn demo_script_starts_its_own_virtual_sigstore() {
    let Some(shared) = shared_dir() else { return };
    if !bin_dir().join("sigstore-testkit").exists() {
        // `cargo build -p sigstore-testkit` into the same target directory enables this path;
        // the in-process variant above covers every other command of the script.
        eprintln!("notice: no sigstore-testkit binary next to the programs; skipping this variant");
        return;
    }
    let out = Command::new("bash")
        .arg(script())
        .env("SIGSTORE_SHARED_DIR", &shared)
        .env("SIGSTORE_BIN_DIR", bin_dir())
        .output()
        .unwrap();
    check(&out);
}

#[test]
fn demo_script_fails_clearly_without_shared_data() {
    let out = Command::new("bash")
        .arg(script())
        .env("SIGSTORE_SHARED_DIR", "/nonexistent-shared-dir")
        .env("SIGSTORE_BIN_DIR", bin_dir())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("SIGSTORE_SHARED_DIR"));
}
