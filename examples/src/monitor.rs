//! A transparency-log monitor: follows a Rekor log (v1 REST API or v2 C2SP tlog-tiles),
//! verifies each new checkpoint's signature and a consistency proof (RFC 9162 §2.1.4) from the
//! last verified checkpoint, keeps that checkpoint on disk, raises an alert on a fork or a
//! rollback, and reports new entries whose certificate identity matches a watch list.
//!
//! Every entry reported is first proven to be in the verified tree (an inclusion proof
//! against the verified checkpoint, or against a later checkpoint proven consistent with it).

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};
use sigstore_crypto::{KeyKind, PublicKey};
use sigstore_fulcio::{Certificate, CertificateIdentity};
use sigstore_tlog::client::{ClientConfig, RekorV1Client, RekorV2Client, TILE_WIDTH};
use sigstore_tlog::merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash};
use sigstore_tlog::note::key_name_from_base_url;
use sigstore_tlog::{
    verify_checkpoint, EntryBody, ExpectedOrigin, LogKey, Material, VerifiedCheckpoint,
};

use crate::{AlertKind, Error};

/// Default most entries scanned per poll (the rest are scanned by later polls).
pub const DEFAULT_MAX_ENTRIES_PER_POLL: u64 = 1000;

/// Largest Rekor v1 log-info response read (it lists the inactive shards).
pub const MAX_LOG_INFO_BYTES: u64 = 1024 * 1024;

/// Most watch-list patterns.
pub const MAX_WATCH_PATTERNS: usize = 256;

/// Version of the state file format.
pub const STATE_VERSION: u32 = 1;

/// Which Rekor API the log speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// Rekor v1: `GET /api/v1/log`, `/api/v1/log/proof`, `/api/v1/log/entries?logIndex=`.
    V1,
    /// Rekor v2: `GET /checkpoint`, `/tile/<L>/<N>`, `/tile/entries/<N>`.
    V2,
}

/// The log being followed and how to check its checkpoints.
#[derive(Debug, Clone)]
pub struct LogTarget {
    /// Base URL.
    pub url: String,
    /// API version.
    pub api: Api,
    /// Checkpoint keys.
    pub keys: Vec<LogKey>,
    /// The checkpoint origin expected.
    pub origin: ExpectedOrigin,
}

fn trim(url: &str) -> &str {
    url.trim_end_matches('/')
}

impl LogTarget {
    /// The log at `url` as a trusted root describes it (all keys listed for that base URL).
    /// `api` defaults from the key type (Ed25519: v2, ECDSA: v1).
    pub fn from_trusted_root(
        root: &sigstore_bundle::TrustedRoot,
        url: &str,
        api: Option<Api>,
    ) -> Result<LogTarget, Error> {
        let mut keys = Vec::new();
        let mut ed25519 = false;
        let name = key_name_from_base_url(trim(url)).map_err(|_| Error::BadValue {
            flag: "--rekor-url",
            value: url.to_owned(),
            reason: "no host name in the URL",
        })?;
        for l in root.tlogs.iter().filter(|l| trim(&l.base_url) == trim(url)) {
            let Some(der) = &l.public_key.raw_bytes else {
                continue;
            };
            let Ok(pk) = PublicKey::from_spki_der(der) else {
                continue;
            };
            ed25519 |= pk.kind() == KeyKind::Ed25519;
            let key = match &l.checkpoint_key_id {
                Some(id) => LogKey::from_log_id(&name, &pk, id),
                None => LogKey::from_log_id(&name, &pk, &l.log_id),
            };
            if let Ok(k) = key {
                keys.push(k);
            }
        }
        if keys.is_empty() {
            return Err(Error::BadValue {
                flag: "--rekor-url",
                value: url.to_owned(),
                reason: "no usable log key for this URL in the trusted root",
            });
        }
        let api = api.unwrap_or(if ed25519 { Api::V2 } else { Api::V1 });
        let origin = match api {
            Api::V1 => ExpectedOrigin::RekorV1 { host: name },
            Api::V2 => ExpectedOrigin::Exact(name),
        };
        Ok(LogTarget {
            url: trim(url).to_owned(),
            api,
            keys,
            origin,
        })
    }
}

/// What the monitor remembers between polls (JSON on disk, written atomically).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Format version ([`STATE_VERSION`]).
    pub version: u32,
    /// The log's base URL.
    pub log_url: String,
    /// API version.
    pub api: Api,
    /// Checkpoint origin.
    pub origin: String,
    /// Size of the last verified checkpoint.
    pub tree_size: u64,
    /// Its root hash, hex.
    pub root_hash: String,
    /// The signed checkpoint note.
    pub checkpoint: String,
    /// The next entry index to scan against the watch list.
    pub next_entry: u64,
    /// When this state was written (Unix seconds).
    pub updated: i64,
}

impl State {
    fn root(&self) -> Result<Hash, Error> {
        hex::decode(&self.root_hash)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or(Error::BadValue {
                flag: "--state",
                value: self.root_hash.clone(),
                reason: "state file has a malformed root hash",
            })
    }
}

/// A new entry whose identity matched the watch list.
#[derive(Debug, Clone, Serialize)]
pub struct WatchMatch {
    /// Log index.
    pub index: u64,
    /// Entry kind and version.
    pub kind: String,
    /// The certificate SAN.
    pub identity: String,
    /// The OIDC issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The pattern that matched.
    pub pattern: String,
}

/// The outcome of one poll.
#[derive(Debug, Clone, Serialize)]
pub struct PollReport {
    /// The log URL.
    pub log_url: String,
    /// Size of the previously verified checkpoint (absent on the first poll).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_size: Option<u64>,
    /// Size of the newly verified checkpoint.
    pub tree_size: u64,
    /// Its root hash (hex).
    pub root_hash: String,
    /// Whether a consistency proof was verified this poll.
    pub consistency_verified: bool,
    /// Entries scanned this poll: `[from, to)`.
    pub scanned: (u64, u64),
    /// Entries still to scan after this poll.
    pub backlog: u64,
    /// Watch-list matches.
    pub matches: Vec<WatchMatch>,
    /// Entries that could not be parsed (index, reason).
    pub unparsed: Vec<(u64, String)>,
}

enum Client {
    V1(RekorV1Client),
    V2(RekorV2Client),
}

/// The monitor.
pub struct Monitor {
    target: LogTarget,
    client: Client,
    watch: Vec<Regex>,
    max_entries: u64,
}

fn alert(kind: AlertKind, detail: String) -> Error {
    Error::Alert { kind, detail }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Monitor {
    /// A monitor for `target`; `watch` patterns are fully anchored regexes over the SAN.
    pub fn new(target: LogTarget, watch: &[String], max_entries: u64) -> Result<Self, Error> {
        if watch.len() > MAX_WATCH_PATTERNS {
            return Err(Error::Usage("too many --watch patterns"));
        }
        let mut res = Vec::new();
        for w in watch {
            let re = regex::RegexBuilder::new(&format!("^(?:{w})$"))
                .size_limit(sigstore_verify::REGEX_SIZE_LIMIT)
                .build()
                .map_err(|_| Error::BadValue {
                    flag: "--watch",
                    value: w.clone(),
                    reason: "not a valid regular expression",
                })?;
            res.push(re);
        }
        let config = ClientConfig {
            timeout: std::time::Duration::from_secs(30),
            max_retries: 2,
            ..ClientConfig::default()
        };
        let client = match target.api {
            Api::V1 => Client::V1(RekorV1Client::new(&target.url, config)),
            Api::V2 => Client::V2(RekorV2Client::new(&target.url, config)),
        };
        Ok(Monitor {
            target,
            client,
            watch: res,
            max_entries: max_entries.max(1),
        })
    }

    fn verify_note(&self, note: &str) -> Result<VerifiedCheckpoint, Error> {
        verify_checkpoint(note, &self.target.origin, &self.target.keys, None).map_err(|e| {
            alert(
                AlertKind::BadCheckpoint,
                format!("checkpoint from {} does not verify: {e}", self.target.url),
            )
        })
    }

    /// Fetch and verify the latest checkpoint.
    fn latest(&self) -> Result<(VerifiedCheckpoint, String), Error> {
        match &self.client {
            Client::V1(c) => {
                let info = c.log_info().map_err(Error::Tlog)?;
                let cp = self.verify_note(&info.signed_tree_head)?;
                if u64::try_from(info.tree_size).ok() != Some(cp.tree_size())
                    || &info.root_hash != cp.root_hash()
                {
                    return Err(alert(AlertKind::BadCheckpoint, format!(
                        "log info (size {}, root {}) disagrees with its signed tree head (size {}, root {})",
                        info.tree_size,
                        hex::encode(info.root_hash),
                        cp.tree_size(),
                        hex::encode(cp.root_hash())
                    )));
                }
                Ok((cp, info.signed_tree_head))
            }
            Client::V2(c) => {
                let note = c.checkpoint().map_err(Error::Tlog)?.to_note_string();
                Ok((self.verify_note(&note)?, note))
            }
        }
    }

    fn consistency(&self, size1: u64, size2: u64, root1: &Hash, root2: &Hash) -> Result<(), Error> {
        let proof = match &self.client {
            Client::V1(c) => {
                let p = c.consistency_proof(size1, size2).map_err(Error::Tlog)?;
                if &p.root_hash != root2 {
                    return Err(alert(AlertKind::Fork, format!(
                        "the log's consistency proof answers with root {} for size {size2}, but its checkpoint says {}",
                        hex::encode(p.root_hash),
                        hex::encode(root2)
                    )));
                }
                p.hashes
            }
            Client::V2(c) => c.consistency_proof(size1, size2).map_err(Error::Tlog)?,
        };
        verify_consistency(size1, size2, &proof, root1, root2).map_err(|e| {
            alert(AlertKind::Fork, format!(
                "checkpoint of size {size2} (root {}) is not an append-only extension of the verified checkpoint of size {size1} (root {}): {e}",
                hex::encode(root2),
                hex::encode(root1)
            ))
        })
    }

    /// One poll: verify the latest checkpoint against `state` (fork / rollback detection),
    /// scan new entries, and return the new state (to be saved) with a report. On an alert
    /// the error is [`Error::Alert`] and the caller must keep the old state.
    pub fn poll(
        &self,
        state: Option<&State>,
        from_index: Option<u64>,
    ) -> Result<(State, PollReport), Error> {
        let (cp, note) = self.latest()?;
        let new_size = cp.tree_size();
        let new_root = *cp.root_hash();
        let mut consistency_verified = false;
        if let Some(old) = state {
            if old.origin != cp.origin() || trim(&old.log_url) != self.target.url {
                return Err(Error::Usage(
                    "the state file belongs to another log (origin or URL differ); use another --state",
                ));
            }
            let old_root = old.root()?;
            if new_size < old.tree_size {
                return Err(alert(
                    AlertKind::Rollback,
                    format!(
                        "the log now presents size {new_size}, smaller than the verified size {}",
                        old.tree_size
                    ),
                ));
            }
            if new_size == old.tree_size {
                if new_root != old_root {
                    return Err(alert(
                        AlertKind::Fork,
                        format!(
                            "two different roots for size {new_size}: verified {} and now {}",
                            old.root_hash,
                            hex::encode(new_root)
                        ),
                    ));
                }
            } else if old.tree_size > 0 {
                self.consistency(old.tree_size, new_size, &old_root, &new_root)?;
                consistency_verified = true;
            }
        }
        let start = match state {
            Some(s) => s.next_entry,
            None => from_index.unwrap_or(new_size),
        }
        .min(new_size);
        let end = new_size.min(start.saturating_add(self.max_entries));
        if end > start {
            eprintln!("monitor: scanning entries {start}..{end} of {new_size}");
        }
        let mut matches = Vec::new();
        let mut unparsed = Vec::new();
        self.scan(&cp, start, end, &mut matches, &mut unparsed)?;
        let new_state = State {
            version: STATE_VERSION,
            log_url: self.target.url.clone(),
            api: self.target.api,
            origin: cp.origin().to_owned(),
            tree_size: new_size,
            root_hash: hex::encode(new_root),
            checkpoint: note,
            next_entry: end,
            updated: now(),
        };
        let report = PollReport {
            log_url: self.target.url.clone(),
            previous_size: state.map(|s| s.tree_size),
            tree_size: new_size,
            root_hash: hex::encode(new_root),
            consistency_verified,
            scanned: (start, end),
            backlog: new_size - end,
            matches,
            unparsed,
        };
        Ok((new_state, report))
    }

    fn scan(
        &self,
        cp: &VerifiedCheckpoint,
        start: u64,
        end: u64,
        matches: &mut Vec<WatchMatch>,
        unparsed: &mut Vec<(u64, String)>,
    ) -> Result<(), Error> {
        if start >= end {
            return Ok(());
        }
        let size = cp.tree_size();
        let root = *cp.root_hash();
        match &self.client {
            Client::V2(c) => {
                let mut tile = start / TILE_WIDTH;
                while tile * TILE_WIDTH < end {
                    let first = tile * TILE_WIDTH;
                    let width = (size - first).min(TILE_WIDTH);
                    let w = u16::try_from(width).unwrap_or(256);
                    let entries = c.entry_bundle(tile, w).map_err(Error::Tlog)?;
                    for (i, body) in (first..).zip(entries.iter()) {
                        if i < start || i >= end {
                            continue;
                        }
                        let proof = c.inclusion_proof(i, size).map_err(Error::Tlog)?;
                        verify_inclusion(i, size, &leaf_hash(body), &proof, &root).map_err(|e| {
                            alert(AlertKind::BadEntry, format!(
                                "entry {i} served by the log is not in the verified tree of size {size}: {e}"
                            ))
                        })?;
                        self.check_entry(i, body, matches, unparsed);
                    }
                    tile += 1;
                }
            }
            Client::V1(c) => {
                // Later checkpoints proven consistent with `cp`: size -> root.
                let mut known: BTreeMap<u64, Hash> = BTreeMap::new();
                known.insert(size, root);
                // Entries are fetched by global index: the active shard's tree-local index
                // plus the sizes of the inactive shards before it.
                let offset = self.v1_shard_offset()?;
                for i in start..end {
                    let e = c
                        .get_entry_by_index(i.saturating_add(offset))
                        .map_err(Error::Tlog)?;
                    let p = e.inclusion_proof.as_ref().ok_or_else(|| {
                        alert(
                            AlertKind::BadEntry,
                            format!("entry {i} comes without an inclusion proof"),
                        )
                    })?;
                    let psize = u64::try_from(p.tree_size).unwrap_or(0);
                    let pindex = u64::try_from(p.log_index).unwrap_or(u64::MAX);
                    if pindex != i {
                        return Err(alert(
                            AlertKind::BadEntry,
                            format!(
                                "asked for entry {i} (global {}), the log answered with tree index {pindex}",
                                i.saturating_add(offset)
                            ),
                        ));
                    }
                    if psize < size {
                        return Err(alert(AlertKind::Rollback, format!(
                            "entry {i} is proven against size {psize}, smaller than the verified {size}"
                        )));
                    }
                    let proot = match known.get(&psize) {
                        Some(r) => *r,
                        None => {
                            let pcp = self.verify_note(&p.checkpoint)?;
                            if pcp.tree_size() != psize || pcp.root_hash() != &p.root_hash {
                                return Err(alert(AlertKind::BadEntry, format!(
                                    "entry {i}: its inclusion proof disagrees with its own checkpoint"
                                )));
                            }
                            self.consistency(size, psize, &root, pcp.root_hash())?;
                            known.insert(psize, *pcp.root_hash());
                            *pcp.root_hash()
                        }
                    };
                    verify_inclusion(pindex, psize, &leaf_hash(&e.body), &p.hashes, &proot)
                        .map_err(|err| {
                            alert(
                                AlertKind::BadEntry,
                                format!("entry {i} is not in the verified tree: {err}"),
                            )
                        })?;
                    self.check_entry(i, &e.body, matches, unparsed);
                }
            }
        }
        Ok(())
    }

    /// Rekor v1: the sum of the inactive shards' sizes (`inactiveShards[].treeSize` of
    /// `GET /api/v1/log`), the offset from tree-local to global entry indexes.
    fn v1_shard_offset(&self) -> Result<u64, Error> {
        let url = format!("{}/api/v1/log", self.target.url);
        let body = crate::fetch::fetch_bytes(&url, MAX_LOG_INFO_BYTES)?;
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|source| Error::Json {
            what: url.clone(),
            source,
        })?;
        let mut offset = 0u64;
        if let Some(shards) = v.get("inactiveShards").and_then(|s| s.as_array()) {
            for sh in shards {
                let n = sh.get("treeSize").and_then(|n| n.as_u64()).unwrap_or(0);
                offset = offset.saturating_add(n);
            }
        }
        Ok(offset)
    }

    fn check_entry(
        &self,
        index: u64,
        body: &[u8],
        matches: &mut Vec<WatchMatch>,
        unparsed: &mut Vec<(u64, String)>,
    ) {
        let parsed = match EntryBody::parse(body) {
            Ok(b) => b,
            Err(e) => {
                unparsed.push((index, e.to_string()));
                return;
            }
        };
        let kind = format!("{} {}", parsed.kind(), parsed.api_version());
        for sig in parsed.signatures() {
            let Material::Certificate(der) = &sig.verifier else {
                continue;
            };
            let Ok(cert) = Certificate::from_der(der) else {
                unparsed.push((index, "unparsable certificate".to_owned()));
                continue;
            };
            let Ok(id) = CertificateIdentity::from_certificate(&cert) else {
                continue;
            };
            let san = id.san.value();
            if let Some(re) = self.watch.iter().find(|re| re.is_match(san)) {
                let pattern = re.as_str();
                let pattern = pattern
                    .strip_prefix("^(?:")
                    .and_then(|p| p.strip_suffix(")$"))
                    .unwrap_or(pattern)
                    .to_owned();
                matches.push(WatchMatch {
                    index,
                    kind: kind.clone(),
                    identity: san.to_owned(),
                    issuer: id.issuer.clone(),
                    pattern,
                });
            }
        }
    }
}

/// Load a state file (`None` when it does not exist).
pub fn load_state(path: &std::path::Path) -> Result<Option<State>, Error> {
    if !path.exists() {
        return Ok(None);
    }
    let bytes = crate::read_limited(path, crate::MAX_SMALL_FILE_BYTES)?;
    let s: State = serde_json::from_slice(&bytes).map_err(|source| Error::Json {
        what: path.display().to_string(),
        source,
    })?;
    if s.version != STATE_VERSION {
        return Err(Error::BadValue {
            flag: "--state",
            value: path.display().to_string(),
            reason: "unknown state file version",
        });
    }
    Ok(Some(s))
}

/// Save a state file atomically.
pub fn save_state(path: &std::path::Path, state: &State) -> Result<(), Error> {
    let bytes = serde_json::to_vec_pretty(state).map_err(|source| Error::Json {
        what: path.display().to_string(),
        source,
    })?;
    crate::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> LogTarget {
        let root = sigstore_bundle::TrustedRoot::production().unwrap();
        LogTarget::from_trusted_root(&root, "https://rekor.sigstore.dev/", None).unwrap()
    }

    #[test]
    fn targets_come_from_the_trusted_root() {
        let t = target();
        assert_eq!(t.api, Api::V1);
        assert_eq!(t.url, "https://rekor.sigstore.dev");
        let root = sigstore_bundle::TrustedRoot::production().unwrap();
        let v2 = LogTarget::from_trusted_root(&root, "https://log2025-1.rekor.sigstore.dev", None)
            .unwrap();
        assert_eq!(v2.api, Api::V2);
        assert_eq!(
            v2.origin,
            ExpectedOrigin::Exact("log2025-1.rekor.sigstore.dev".into())
        );
        assert!(matches!(
            LogTarget::from_trusted_root(&root, "https://rekor.example.com", None),
            Err(Error::BadValue {
                flag: "--rekor-url",
                ..
            })
        ));
    }

    #[test]
    fn watch_list_is_bounded_and_anchored() {
        let many: Vec<String> = (0..=MAX_WATCH_PATTERNS).map(|i| format!("a{i}")).collect();
        assert!(matches!(
            Monitor::new(target(), &many, 10),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            Monitor::new(target(), &["(".to_owned()], 10),
            Err(Error::BadValue {
                flag: "--watch",
                ..
            })
        ));
        let m = Monitor::new(target(), &["alice@example\\.com".to_owned()], 0).unwrap();
        assert_eq!(m.max_entries, 1);
        assert!(m.watch.iter().all(|re| !re.is_match("xalice@example.com")));
        assert!(m.watch.iter().any(|re| re.is_match("alice@example.com")));
    }

    #[test]
    fn state_files_round_trip_and_reject_other_versions() {
        let d =
            std::env::temp_dir().join(format!("sigstore-examples-state-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join("s.json");
        assert!(load_state(&p).unwrap().is_none());
        let s = State {
            version: STATE_VERSION,
            log_url: "https://rekor.sigstore.dev".into(),
            api: Api::V1,
            origin: "rekor.sigstore.dev - 1".into(),
            tree_size: 3,
            root_hash: "00".repeat(32),
            checkpoint: String::new(),
            next_entry: 3,
            updated: 0,
        };
        save_state(&p, &s).unwrap();
        assert_eq!(load_state(&p).unwrap(), Some(s.clone()));
        let mut v = serde_json::to_value(&s).unwrap();
        v["version"] = serde_json::json!(99);
        std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        assert!(matches!(
            load_state(&p),
            Err(Error::BadValue {
                flag: "--state",
                ..
            })
        ));
        let _ = std::fs::remove_dir_all(d);
    }
}
