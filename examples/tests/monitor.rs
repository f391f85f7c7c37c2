//! `monitor` end to end against the virtual Sigstore's Rekor v1 (REST API) and Rekor v2
//! (tiles): consistency across restarts from the saved state, watch-list matches, and alerts
//! on a forked log (the testkit's `ForkedLog` fault) and on a rollback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use sigstore_testkit::{Fault, Service};

fn monitor(vs: &Vs, url: &str, state: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let root = vs.trusted_root();
    let mut args = vec![
        "--rekor-url",
        url,
        "--trusted-root",
        root.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
        "--watch",
        "alice@example\\.com",
        "--watch",
        ".*@release\\.example",
    ];
    args.extend_from_slice(extra);
    run(MONITOR, &args)
}

fn json_lines(o: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn follow_a_log(version: u32) {
    let scratch = Scratch::new(&format!("monitor-v{version}"));
    let vs = Vs::start(&scratch);
    let url = if version == 1 {
        vs.vs.urls().rekor_v1.clone()
    } else {
        vs.vs.urls().rekor_v2.clone()
    };
    let state = scratch.join("monitor-state.json");
    let file = scratch.join("artifact");
    std::fs::write(&file, b"first").unwrap();
    vs.sign(&file, "alice@example.com", version);

    // First run: trust on first use, scan from index 0.
    let out = monitor(
        &vs,
        &url,
        &state,
        &["--once", "--from-index", "0", "--json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = &json_lines(&out)[0];
    assert_eq!(r["tree_size"], 1);
    assert_eq!(r["matches"][0]["identity"], "alice@example.com");
    assert_eq!(r["matches"][0]["index"], 0);
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["tree_size"], 1);
    assert_eq!(saved["next_entry"], 1);

    // The log grows; a new monitor process resumes from the saved state.
    for (i, who) in ["bob@example.com", "ci@release.example", "carol@example.com"]
        .iter()
        .enumerate()
    {
        std::fs::write(&file, format!("more {i}")).unwrap();
        let b = vs.sign(&file, who, version);
        std::fs::remove_file(b).unwrap();
    }
    let out = monitor(&vs, &url, &state, &["--once", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = &json_lines(&out)[0];
    assert_eq!(r["previous_size"], 1);
    assert_eq!(r["tree_size"], 4);
    assert_eq!(r["consistency_verified"], true);
    assert_eq!(r["scanned"], serde_json::json!([1, 4]));
    let ms = r["matches"].as_array().unwrap();
    assert_eq!(ms.len(), 1, "{ms:?}");
    assert_eq!(ms[0]["identity"], "ci@release.example");
    assert_eq!(ms[0]["index"], 2);

    // Unchanged log: nothing new, exit 0, text output.
    let out = monitor(&vs, &url, &state, &["--once"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("size 4 unchanged"),
        "{}",
        stdout(&out)
    );
    let good_state = std::fs::read(&state).unwrap();

    // A forked log (same size, another tree, correctly signed): ALERT, state kept.
    let service = if version == 1 {
        Service::RekorV1
    } else {
        Service::RekorV2
    };
    vs.vs.faults().always(service, Fault::ForkedLog);
    let out = monitor(&vs, &url, &state, &["--once"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("ALERT: FORK"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&state).unwrap(), good_state);

    // A fork that also grows the log: the consistency proof fails.
    vs.vs.faults().clear();
    std::fs::write(&file, b"grow").unwrap();
    vs.sign(&file, "dave@example.com", version);
    vs.vs.faults().always(service, Fault::ForkedLog);
    let out = monitor(&vs, &url, &state, &["--once", "--json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("FORK"), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"alert\""), "{}", stdout(&out));
    assert_eq!(std::fs::read(&state).unwrap(), good_state);

    // Honest again: the monitor resumes from the last good state.
    vs.vs.faults().clear();
    let out = monitor(&vs, &url, &state, &["--once", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = &json_lines(&out)[0];
    assert_eq!(r["previous_size"], 4);
    assert_eq!(r["tree_size"], 5);

    // A rollback: the state claims a larger verified size than the log now shows.
    let mut s: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    s["tree_size"] = serde_json::json!(50);
    std::fs::write(&state, serde_json::to_vec(&s).unwrap()).unwrap();
    let out = monitor(&vs, &url, &state, &["--once"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("ROLLBACK"), "{}", stderr(&out));
}

#[test]
fn monitor_follows_rekor_v1() {
    follow_a_log(1);
}

#[test]
fn monitor_follows_rekor_v2_tiles() {
    follow_a_log(2);
}

#[test]
fn monitor_polls_at_an_interval_and_survives_an_outage() {
    let scratch = Scratch::new("monitor-loop");
    let vs = Vs::start(&scratch);
    let url = vs.vs.urls().rekor_v2.clone();
    let state = scratch.join("state.json");
    // 503s through the first poll's retries (3 attempts): reported, retried at the next poll.
    vs.vs
        .faults()
        .times(Service::RekorV2, Fault::ServerError { status: 503 }, 3);
    let out = monitor(
        &vs,
        &url,
        &state,
        &["--interval", "1", "--max-polls", "2", "--json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("will retry"), "{}", stderr(&out));
    assert_eq!(json_lines(&out).len(), 1, "{}", stdout(&out));
    assert!(state.exists());
}

#[test]
fn monitor_usage_errors() {
    let scratch = Scratch::new("monitor-usage");
    let vs = Vs::start(&scratch);
    let state = scratch.join("s.json");
    // A URL the trusted root does not list.
    let out = monitor(&vs, "http://127.0.0.1:1", &state, &["--once"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A bad regex.
    let url = vs.vs.urls().rekor_v1.clone();
    let out = monitor(&vs, &url, &state, &["--once", "--watch", "("]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A state file of another log.
    let v2 = vs.vs.urls().rekor_v2.clone();
    assert_eq!(code(&monitor(&vs, &v2, &state, &["--once"])), 0);
    let out = monitor(&vs, &url, &state, &["--once"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("another log"), "{}", stderr(&out));
}

#[test]
fn monitor_scans_a_bounded_number_of_entries_per_poll() {
    let scratch = Scratch::new("monitor-bounded");
    let vs = Vs::start(&scratch);
    let url = vs.vs.urls().rekor_v1.clone();
    let state = scratch.join("state.json");
    let file = scratch.join("f");
    for who in [
        "a@release.example",
        "b@release.example",
        "c@release.example",
    ] {
        std::fs::write(&file, who).unwrap();
        vs.sign(&file, who, 1);
    }
    let mut seen = Vec::new();
    for (i, backlog) in [2, 1, 0].iter().enumerate() {
        let mut args = vec!["--once", "--json", "--max-entries", "1"];
        if i == 0 {
            args.extend_from_slice(&["--from-index", "0"]);
        }
        let out = monitor(&vs, &url, &state, &args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let r = &json_lines(&out)[0];
        assert_eq!(r["backlog"], *backlog, "{r}");
        for m in r["matches"].as_array().unwrap() {
            seen.push(m["identity"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        seen,
        [
            "a@release.example",
            "b@release.example",
            "c@release.example"
        ]
    );
}

#[test]
fn monitor_resumes_across_a_restart_of_the_log_itself() {
    let scratch = Scratch::new("monitor-restart");
    let vs = Vs::start(&scratch);
    let url = vs.vs.urls().rekor_v2.clone();
    let state = scratch.join("monitor.json");
    let file = scratch.join("f");
    std::fs::write(&file, b"before").unwrap();
    vs.sign(&file, "alice@example.com", 2);
    let out = monitor(
        &vs,
        &url,
        &state,
        &["--once", "--from-index", "0", "--json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json_lines(&out)[0]["tree_size"], 1);

    // Stop the virtual Sigstore and start it again from its state directory: same keys,
    // same entries, append-only, and (when free) the same ports.
    let Vs {
        vs: inner,
        state: dir,
    } = vs;
    inner.shutdown();
    let restarted = sigstore_testkit::VirtualSigstore::start(
        sigstore_testkit::Config::default().with_dir(&dir),
    )
    .unwrap();
    if restarted.urls().rekor_v2 != url {
        eprintln!("notice: the log's port was taken after the restart; skipping the rest");
        return;
    }
    let vs = Vs {
        vs: restarted,
        state: dir,
    };
    std::fs::write(&file, b"after").unwrap();
    vs.sign(&file, "alice@example.com", 2);
    let out = monitor(&vs, &url, &state, &["--once", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = &json_lines(&out)[0];
    assert_eq!(r["previous_size"], 1);
    assert_eq!(r["tree_size"], 2);
    assert_eq!(r["consistency_verified"], true);
    assert_eq!(r["matches"][0]["index"], 1);
}
