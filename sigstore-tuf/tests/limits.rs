//! Limit and edge-case tests with repositories built in Rust (ed25519 keys
//! from sigstore-crypto) and served from memory: every named limit on
//! untrusted input is exercised here or in repos.rs / embedded_roots.rs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, KeySigner, Signer};
use sigstore_tuf::canonical::canonicalize;
use sigstore_tuf::{
    Error, Fetcher, TufClient, MAX_DELEGATIONS, MAX_METADATA_BYTES, MAX_ROOT_BYTES,
    MAX_ROOT_ROTATIONS, MAX_TARGET_BYTES, MAX_TIMESTAMP_BYTES,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const EXPIRES: &str = "2099-01-01T00:00:00Z";
const META: &str = "mem://repo/metadata/";
const TARGETS: &str = "mem://repo/targets/";

struct Key {
    signer: KeySigner,
    id: String,
}

fn key() -> Key {
    let signer = KeySigner::generate_ed25519().unwrap();
    let id = HashAlgorithm::Sha256
        .hash(signer.public_key().raw_public_key())
        .to_hex();
    Key { signer, id }
}

fn key_json(k: &Key) -> Value {
    json!({"keytype": "ed25519", "scheme": "ed25519",
           "keyval": {"public": hex::encode(k.signer.public_key().raw_public_key())}})
}

fn sign(signed: Value, keys: &[&Key]) -> Vec<u8> {
    let c = canonicalize(&signed).unwrap();
    let sigs: Vec<Value> = keys
        .iter()
        .map(|k| json!({"keyid": k.id, "sig": hex::encode(k.signer.sign(&c).unwrap())}))
        .collect();
    serde_json::to_vec(&json!({"signed": signed, "signatures": sigs})).unwrap()
}

fn root(version: u64, k: &Key) -> Vec<u8> {
    let role = json!({"keyids": [k.id], "threshold": 1});
    sign(
        json!({"_type": "root", "spec_version": "1.0.31", "version": version,
               "expires": EXPIRES, "consistent_snapshot": true,
               "keys": {k.id.clone(): key_json(k)},
               "roles": {"root": role, "timestamp": role, "snapshot": role, "targets": role}}),
        &[k],
    )
}

fn timestamp(k: &Key, snapshot_meta: Value) -> Vec<u8> {
    sign(
        json!({"_type": "timestamp", "spec_version": "1.0.31", "version": 1,
               "expires": EXPIRES, "meta": {"snapshot.json": snapshot_meta}}),
        &[k],
    )
}

fn snapshot(k: &Key, meta: Value) -> Vec<u8> {
    sign(
        json!({"_type": "snapshot", "spec_version": "1.0.31", "version": 1,
               "expires": EXPIRES, "meta": meta}),
        &[k],
    )
}

fn targets(k: &Key, targets: Value, delegations: Option<Value>) -> Vec<u8> {
    let mut s = json!({"_type": "targets", "spec_version": "1.0.31", "version": 1,
                       "expires": EXPIRES, "targets": targets});
    if let Some(d) = delegations {
        s["delegations"] = d;
    }
    sign(s, &[k])
}

type Dynamic = Box<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

/// In-memory repository; records every (url, max_len) requested.
#[derive(Clone)]
struct Mem {
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    log: Arc<Mutex<Vec<(String, u64)>>>,
    dynamic: Arc<Option<Dynamic>>,
    /// Ignore max_len (a misbehaving fetcher) to test the client's own check.
    ignore_limit: bool,
}

impl Mem {
    fn new() -> Self {
        Mem {
            files: Arc::default(),
            log: Arc::default(),
            dynamic: Arc::new(None),
            ignore_limit: false,
        }
    }
    fn put(&self, name: &str, data: Vec<u8>) {
        self.files.lock().unwrap().insert(name.to_string(), data);
    }
    fn limit_for(&self, suffix: &str) -> Option<u64> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .find(|(u, _)| u.ends_with(suffix))
            .map(|(_, l)| *l)
    }
}

impl Fetcher for Mem {
    fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>, Error> {
        self.log.lock().unwrap().push((url.to_string(), max_len));
        let data = match self.dynamic.as_ref() {
            Some(d) => d(url),
            None => None,
        }
        .or_else(|| {
            let name = url.strip_prefix("mem://repo/")?;
            self.files.lock().unwrap().get(name).cloned()
        });
        match data {
            Some(d) if !self.ignore_limit && d.len() as u64 > max_len => Err(Error::TooLarge {
                url: url.into(),
                limit: max_len,
            }),
            Some(d) => Ok(d),
            None => Err(Error::NotFound { url: url.into() }),
        }
    }
}

/// A complete small repository signed by one key.
fn repo(k: &Key, tgts: Value, delegations: Option<Value>, extra_meta: Value) -> Mem {
    let m = Mem::new();
    m.put("metadata/1.root.json", root(1, k));
    let t = targets(k, tgts, delegations);
    let mut meta = json!({"targets.json": {"version": 1}});
    for (name, v) in extra_meta.as_object().unwrap() {
        meta[name] = v.clone();
    }
    m.put("metadata/1.targets.json", t);
    let s = snapshot(k, meta);
    m.put(
        "metadata/timestamp.json",
        timestamp(k, json!({"version": 1})),
    );
    m.put("metadata/1.snapshot.json", s);
    m
}

fn client(k: &Key, m: &Mem) -> TufClient {
    TufClient::builder(&root(1, k), META, TARGETS)
        .fetcher(Box::new(m.clone()))
        .build()
        .unwrap()
}

fn target_entry(data: &[u8]) -> Value {
    json!({"length": data.len(),
           "hashes": {"sha256": HashAlgorithm::Sha256.hash(data).to_hex()}})
}

#[test]
fn in_memory_repository_works_and_passes_limits() {
    let k = key();
    let m = repo(
        &k,
        json!({"a.txt": target_entry(b"hello")}),
        None,
        json!({}),
    );
    let h = HashAlgorithm::Sha256.hash(b"hello").to_hex();
    m.put(&format!("targets/{h}.a.txt"), b"hello".to_vec());
    let mut c = client(&k, &m);
    assert_eq!(c.get_target("a.txt").unwrap(), b"hello");
    assert_eq!(m.limit_for("2.root.json"), Some(MAX_ROOT_BYTES));
    assert_eq!(m.limit_for("timestamp.json"), Some(MAX_TIMESTAMP_BYTES));
    // No length in the meta: the default metadata limit applies.
    assert_eq!(m.limit_for("1.snapshot.json"), Some(MAX_METADATA_BYTES));
    assert_eq!(m.limit_for("1.targets.json"), Some(MAX_METADATA_BYTES));
    // Targets are fetched with their exact listed length as the limit.
    assert_eq!(m.limit_for(".a.txt"), Some(5));
}

#[test]
fn root_rotation_stops_at_max_root_rotations() {
    let k = key();
    let m0 = repo(&k, json!({}), None, json!({}));
    let key = Arc::new(k);
    let kk = key.clone();
    // An endless supply of valid new roots.
    let dynamic: Dynamic = Box::new(move |url: &str| {
        let n = url
            .strip_prefix(META)?
            .strip_suffix(".root.json")?
            .parse::<u64>()
            .ok()?;
        Some(root(n, &kk))
    });
    let m = Mem {
        dynamic: Arc::new(Some(dynamic)),
        ..m0
    };
    let mut c = TufClient::builder(&root(1, &key), META, TARGETS)
        .fetcher(Box::new(m.clone()))
        .build()
        .unwrap();
    let report = c.refresh().unwrap();
    assert_eq!(report.root_rotations, MAX_ROOT_ROTATIONS as u64);
    assert_eq!(report.root_version, 1 + MAX_ROOT_ROTATIONS as u64);
    let root_fetches = m
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|(u, _)| u.ends_with(".root.json"))
        .count();
    assert_eq!(root_fetches, MAX_ROOT_ROTATIONS);
}

#[test]
fn misbehaving_fetcher_cannot_exceed_limits() {
    let k = key();
    let mut m = repo(&k, json!({}), None, json!({}));
    m.ignore_limit = true;
    m.put(
        "metadata/2.root.json",
        vec![b' '; MAX_ROOT_BYTES as usize + 1],
    );
    let mut c = client(&k, &m);
    assert!(matches!(
        c.refresh(),
        Err(Error::TooLarge { limit, .. }) if limit == MAX_ROOT_BYTES
    ));
}

#[test]
fn snapshot_length_and_hash_from_timestamp_are_enforced() {
    let k = key();
    let m = repo(&k, json!({}), None, json!({}));
    let snap = m.files.lock().unwrap()["metadata/1.snapshot.json"].clone();
    // Wrong hash.
    m.put(
        "metadata/timestamp.json",
        timestamp(
            &k,
            json!({"version": 1, "hashes": {"sha256": "00".repeat(32)}}),
        ),
    );
    let err = client(&k, &m).refresh().unwrap_err();
    assert!(
        matches!(&err, Error::HashMismatch { target } if target == "snapshot.json"),
        "{err:?}"
    );
    // Listed length shorter than the file: the download is cut at the length.
    m.put(
        "metadata/timestamp.json",
        timestamp(&k, json!({"version": 1, "length": snap.len() - 1})),
    );
    let err = client(&k, &m).refresh().unwrap_err();
    assert!(matches!(&err, Error::TooLarge { .. }), "{err:?}");
    // Listed length too long.
    m.put(
        "metadata/timestamp.json",
        timestamp(&k, json!({"version": 1, "length": snap.len() + 1})),
    );
    let err = client(&k, &m).refresh().unwrap_err();
    assert!(matches!(&err, Error::LengthMismatch { .. }), "{err:?}");
    // Unsupported hash algorithm.
    m.put(
        "metadata/timestamp.json",
        timestamp(&k, json!({"version": 1, "hashes": {"md5": "00"}})),
    );
    let err = client(&k, &m).refresh().unwrap_err();
    assert!(matches!(&err, Error::UnsupportedHash { .. }), "{err:?}");
}

#[test]
fn target_larger_than_max_target_bytes_is_refused_before_download() {
    let k = key();
    let m = repo(
        &k,
        json!({"big.bin": {"length": MAX_TARGET_BYTES + 1, "hashes": {"sha256": "00".repeat(32)}}}),
        None,
        json!({}),
    );
    let mut c = client(&k, &m);
    let err = c.get_target("big.bin").unwrap_err();
    assert!(
        matches!(&err, Error::TooLarge { limit, .. } if *limit == MAX_TARGET_BYTES),
        "{err:?}"
    );
    assert!(m.limit_for("big.bin").is_none(), "no download attempted");
}

#[test]
fn target_without_hashes_is_rejected() {
    let k = key();
    let m = repo(
        &k,
        json!({"a.txt": {"length": 5, "hashes": {}}}),
        None,
        json!({}),
    );
    m.put("targets/a.txt", b"hello".to_vec());
    let err = client(&k, &m).get_target("a.txt").unwrap_err();
    assert!(matches!(&err, Error::UnsupportedHash { .. }), "{err:?}");
}

#[test]
fn delegation_search_visits_at_most_max_delegations_roles() {
    // targets -> r0 -> r1 -> ... -> r39, each delegating "*" to the next;
    // the target only exists in the last role.
    let k = key();
    let chain = MAX_DELEGATIONS + 8;
    let deleg = |i: usize| {
        json!({"keys": {k.id.clone(): key_json(&k)},
               "roles": [{"name": format!("r{i}"), "keyids": [k.id], "threshold": 1,
                          "terminating": false, "paths": ["*"]}]})
    };
    let mut meta = json!({});
    for i in 0..chain {
        meta[format!("r{i}.json")] = json!({"version": 1});
    }
    let m = repo(&k, json!({}), Some(deleg(0)), meta);
    for i in 0..chain {
        let (t, d) = if i + 1 == chain {
            (json!({"deep.txt": target_entry(b"deep")}), None)
        } else {
            (json!({}), Some(deleg(i + 1)))
        };
        m.put(&format!("metadata/1.r{i}.json"), targets(&k, t, d));
    }
    let mut c = client(&k, &m);
    let err = c.get_target("deep.txt").unwrap_err();
    assert!(matches!(&err, Error::TargetNotFound { .. }), "{err:?}");
    let fetched = m
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|(u, _)| u.contains("/1.r"))
        .count();
    // The top-level targets role counts as one visited role.
    assert_eq!(fetched, MAX_DELEGATIONS - 1);
}

#[test]
fn delegated_role_must_be_listed_in_snapshot() {
    let k = key();
    let d = json!({"keys": {k.id.clone(): key_json(&k)},
                   "roles": [{"name": "d", "keyids": [k.id], "threshold": 1,
                              "terminating": false, "paths": ["*"]}]});
    let m = repo(&k, json!({}), Some(d), json!({}));
    m.put(
        "metadata/1.d.json",
        targets(&k, json!({"x": target_entry(b"x")}), None),
    );
    let err = client(&k, &m).get_target("x").unwrap_err();
    assert!(
        matches!(&err, Error::MissingMeta { role } if role == "d.json"),
        "{err:?}"
    );
}

#[test]
fn delegated_role_signed_by_wrong_key_is_rejected() {
    let k = key();
    let other = key();
    let d = json!({"keys": {k.id.clone(): key_json(&k)},
                   "roles": [{"name": "d", "keyids": [k.id], "threshold": 1,
                              "terminating": false, "paths": ["*"]}]});
    let m = repo(&k, json!({}), Some(d), json!({"d.json": {"version": 1}}));
    m.put(
        "metadata/1.d.json",
        targets(&other, json!({"x": target_entry(b"x")}), None),
    );
    let err = client(&k, &m).get_target("x").unwrap_err();
    assert!(
        matches!(&err, Error::ThresholdNotMet { role, need: 1, have: 0 } if role == "d"),
        "{err:?}"
    );
}

#[test]
fn path_hash_prefix_delegation() {
    let k = key();
    let h = HashAlgorithm::Sha256.hash(b"x").to_hex();
    let d = json!({"keys": {k.id.clone(): key_json(&k)},
                   "roles": [{"name": "d", "keyids": [k.id], "threshold": 1,
                              "terminating": false, "path_hash_prefixes": [&h[..2]]}]});
    let m = repo(&k, json!({}), Some(d), json!({"d.json": {"version": 1}}));
    m.put(
        "metadata/1.d.json",
        targets(&k, json!({"x": target_entry(b"x")}), None),
    );
    let th = HashAlgorithm::Sha256.hash(b"x").to_hex();
    m.put(&format!("targets/{th}.x"), b"x".to_vec());
    assert_eq!(client(&k, &m).get_target("x").unwrap(), b"x");
}

#[test]
fn network_errors_and_offline_are_typed() {
    struct Down;
    impl Fetcher for Down {
        fn fetch(&self, url: &str, _: u64) -> Result<Vec<u8>, Error> {
            Err(Error::Network {
                url: url.into(),
                status: None,
                message: "connection refused".into(),
            })
        }
    }
    let k = key();
    let mut c = TufClient::builder(&root(1, &k), META, TARGETS)
        .fetcher(Box::new(Down))
        .build()
        .unwrap();
    assert!(matches!(c.refresh(), Err(Error::Network { .. })));
    assert!(matches!(
        sigstore_tuf::OfflineFetcher.fetch("http://x", 1),
        Err(Error::Offline { .. })
    ));
}

#[test]
fn invalid_initial_root_is_rejected_by_build() {
    let k = key();
    let other = key();
    // Root listing key k but signed by another key.
    let role = json!({"keyids": [k.id], "threshold": 1});
    let bad = sign(
        json!({"_type": "root", "spec_version": "1.0", "version": 1, "expires": EXPIRES,
               "keys": {k.id.clone(): key_json(&k)},
               "roles": {"root": role, "timestamp": role, "snapshot": role, "targets": role}}),
        &[&other],
    );
    assert!(matches!(
        TufClient::builder(&bad, META, TARGETS).build(),
        Err(Error::ThresholdNotMet { .. })
    ));
    assert!(matches!(
        TufClient::builder(&root(1, &k), "", TARGETS).build(),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn role_reached_through_another_delegator_is_verified_again() {
    // targets -> a (team-a/*) -> release [key ka]
    // targets -> b (team-b/*) -> release [key kb]
    // "release" is signed by ka only: valid through a, invalid through b.
    let k = key();
    let (ka, kb) = (key(), key());
    let top = json!({"keys": {k.id.clone(): key_json(&k)},
        "roles": [
            {"name": "a", "keyids": [k.id], "threshold": 1, "terminating": false, "paths": ["team-a/*"]},
            {"name": "b", "keyids": [k.id], "threshold": 1, "terminating": false, "paths": ["team-b/*"]}]});
    let to_release = |kr: &Key, path: &str| {
        json!({"keys": {kr.id.clone(): key_json(kr)},
               "roles": [{"name": "release", "keyids": [kr.id], "threshold": 1,
                          "terminating": false, "paths": [path]}]})
    };
    let meta = json!({"a.json": {"version": 1}, "b.json": {"version": 1},
                      "release.json": {"version": 1}});
    let m = repo(&k, json!({}), Some(top), meta);
    m.put(
        "metadata/1.a.json",
        targets(&k, json!({}), Some(to_release(&ka, "team-a/*"))),
    );
    m.put(
        "metadata/1.b.json",
        targets(&k, json!({}), Some(to_release(&kb, "team-b/*"))),
    );
    m.put(
        "metadata/1.release.json",
        targets(
            &ka,
            json!({"team-a/x": target_entry(b"A"), "team-b/x": target_entry(b"B")}),
            None,
        ),
    );
    let ha = HashAlgorithm::Sha256.hash(b"A").to_hex();
    let hb = HashAlgorithm::Sha256.hash(b"B").to_hex();
    m.put(&format!("targets/team-a/{ha}.x"), b"A".to_vec());
    m.put(&format!("targets/team-b/{hb}.x"), b"B".to_vec());
    let mut c = client(&k, &m);
    assert_eq!(c.get_target("team-a/x").unwrap(), b"A");
    let err = c.get_target("team-b/x").unwrap_err();
    assert!(
        matches!(&err, Error::ThresholdNotMet { role, .. } if role == "release"),
        "{err:?}"
    );
}
