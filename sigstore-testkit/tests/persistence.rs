//! State in `--dir` survives a restart: keys, certificates and every log entry; the logs stay
//! consistent across the restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::BufRead;

use common::*;
use serde_json::Value;
use sigstore_crypto::KeySigner;
use sigstore_testkit::{Config, VirtualSigstore};
use sigstore_tlog::merkle::{root_from_leaf_hashes, verify_consistency_slices};
use sigstore_tlog::note::{verify_checkpoint, ExpectedOrigin};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("testkit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn v1_checkpoint(vs: &VirtualSigstore) -> sigstore_tlog::note::VerifiedCheckpoint {
    let t = trust(vs);
    let info = get(&format!("{}/api/v1/log", vs.urls().rekor_v1)).json();
    verify_checkpoint(
        info["signedTreeHead"].as_str().unwrap(),
        &ExpectedOrigin::RekorV1 {
            host: vs.rekor_v1_key_name().to_string(),
        },
        &[t.log_key(&vs.urls().rekor_v1, vs.rekor_v1_key_name())],
        None,
    )
    .unwrap()
}

fn v2_checkpoint(vs: &VirtualSigstore) -> sigstore_tlog::note::VerifiedCheckpoint {
    let t = trust(vs);
    verify_checkpoint(
        get(&format!("{}/checkpoint", vs.urls().rekor_v2)).body,
        &ExpectedOrigin::Exact(vs.rekor_v2_origin().to_string()),
        &[t.log_key(&vs.urls().rekor_v2, vs.rekor_v2_origin())],
        None,
    )
    .unwrap()
}

fn add_entries(vs: &VirtualSigstore, tag: &str, n: usize) -> Vec<String> {
    let signer = KeySigner::generate_p256().unwrap();
    let chain = fulcio_chain(vs, &signer, "alice@example.com");
    let mut uuids = Vec::new();
    for i in 0..n {
        let art = format!("{tag}-{i}");
        let a = common::post_json(
            &format!("{}/api/v1/log/entries", vs.urls().rekor_v1),
            &hashedrekord_v1(art.as_bytes(), &signer, &chain[0]),
        );
        assert_eq!(a.status, 201);
        uuids.push(a.json().as_object().unwrap().keys().next().unwrap().clone());
        let a = common::post_json(
            &format!("{}/api/v2/log/entries", vs.urls().rekor_v2),
            &hashedrekord_v2(art.as_bytes(), &signer, &chain[0]),
        );
        assert_eq!(a.status, 201);
    }
    uuids
}

#[test]
fn restart_loses_nothing_and_logs_stay_consistent() {
    let dir = temp_dir("persist");
    let vs = VirtualSigstore::start(Config::default().with_dir(&dir)).unwrap();
    let uuids = add_entries(&vs, "before", 3);
    let old_v1 = v1_checkpoint(&vs);
    let old_v2 = v2_checkpoint(&vs);
    let root_before: Value =
        serde_json::from_slice(&std::fs::read(dir.join("trusted_root.json")).unwrap()).unwrap();
    let urls_before = vs.urls().clone();
    vs.shutdown();

    let vs = VirtualSigstore::start(Config::default().with_dir(&dir)).unwrap();
    let root_after: Value =
        serde_json::from_slice(&std::fs::read(dir.join("trusted_root.json")).unwrap()).unwrap();
    // Same keys and certificates (URLs may change only if a port was taken).
    for (a, b) in root_before["tlogs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(root_after["tlogs"].as_array().unwrap())
    {
        assert_eq!(a["publicKey"], b["publicKey"]);
        assert_eq!(a["logId"], b["logId"]);
    }
    assert_eq!(
        root_before["certificateAuthorities"][0]["certChain"],
        root_after["certificateAuthorities"][0]["certChain"]
    );
    assert_eq!(
        root_before["timestampAuthorities"][0]["certChain"],
        root_after["timestampAuthorities"][0]["certChain"]
    );
    assert_eq!(
        root_before["ctlogs"][0]["publicKey"],
        root_after["ctlogs"][0]["publicKey"]
    );
    if vs.urls() == &urls_before {
        assert_eq!(root_before, root_after);
    }
    assert_eq!(vs.rekor_v1_size(), 3);
    assert_eq!(vs.rekor_v2_size(), 3);
    for u in &uuids {
        assert_eq!(
            get(&format!("{}/api/v1/log/entries/{u}", vs.urls().rekor_v1)).status,
            200
        );
    }
    // A certificate issued after the restart still chains to the old trusted root.
    let t_old = trust_from_json(&serde_json::to_vec(&root_before).unwrap());
    let chain = fulcio_chain(
        &vs,
        &KeySigner::generate_p256().unwrap(),
        "alice@example.com",
    );
    t_old.verify_leaf(&chain[0], now());

    add_entries(&vs, "after", 2);
    let new_v1 = v1_checkpoint(&vs);
    assert_eq!(new_v1.tree_size(), 5);
    let proof = get(&format!(
        "{}/api/v1/log/proof?firstSize=3&lastSize=5",
        vs.urls().rekor_v1
    ))
    .json();
    let hashes: Vec<Vec<u8>> = proof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hex::decode(h.as_str().unwrap()).unwrap())
        .collect();
    verify_consistency_slices(3, 5, &hashes, old_v1.root_hash(), new_v1.root_hash()).unwrap();

    // Rekor v2: the old checkpoint's root is the root of the first 3 leaves of the new tile.
    let new_v2 = v2_checkpoint(&vs);
    assert_eq!(new_v2.tree_size(), 5);
    assert_eq!(new_v2.origin(), old_v2.origin());
    let tile = get(&format!("{}/tile/0/000.p/5", vs.urls().rekor_v2)).body;
    let leaves: Vec<[u8; 32]> = tile.chunks(32).map(|c| c.try_into().unwrap()).collect();
    assert_eq!(root_from_leaf_hashes(&leaves[..3]), *old_v2.root_hash());
    assert_eq!(root_from_leaf_hashes(&leaves), *new_v2.root_hash());
    vs.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn torn_state_is_reported() {
    let dir = temp_dir("torn");
    let vs = VirtualSigstore::start(Config::default().with_dir(&dir)).unwrap();
    add_entries(&vs, "x", 1);
    vs.shutdown();
    // A leaf file that is not a multiple of 32 bytes.
    let leaves = dir.join("rekor_v1").join("leaves.bin");
    let mut bytes = std::fs::read(&leaves).unwrap();
    bytes.push(0);
    std::fs::write(&leaves, bytes).unwrap();
    let err = VirtualSigstore::start(Config::default().with_dir(&dir)).unwrap_err();
    assert!(matches!(err, sigstore_testkit::Error::Tlog(_)), "{err:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_binary_prints_urls_and_writes_trust_material() {
    let dir = temp_dir("bin");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sigstore-testkit"))
        .args(["serve", "--dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let urls: Value = serde_json::from_str(&line).unwrap();
    let info = get(&format!(
        "{}/api/v1/log",
        urls["rekor_v1"].as_str().unwrap()
    ));
    assert_eq!(info.status, 200);
    let tc = std::fs::read(urls["client_trust_config"].as_str().unwrap()).unwrap();
    sigstore_bundle::ClientTrustConfig::from_json(&tc).unwrap();
    assert!(dir.join("trusted_root.json").exists());
    assert!(dir.join("signing_config.json").exists());
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // Bad usage exits with status 2.
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_sigstore-testkit"))
        .arg("nope")
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(2));
}
