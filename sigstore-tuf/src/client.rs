//! The TUF client: drives the §5 workflow over a [`Fetcher`] and an optional
//! cache directory, in online or offline mode.

use crate::cache::{quote, Cache};
use crate::error::{Error, Result};
use crate::fetch::{Fetcher, OfflineFetcher};
use crate::metadata::{
    check_length_and_hashes, Envelope, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp,
};
use crate::trusted::{
    check_expiry, role_changed, verify_initial_root, verify_root_update,
    verify_snapshot_signatures, verify_snapshot_update, verify_targets_signatures,
    verify_targets_update, verify_timestamp_signatures, verify_timestamp_update, TimestampUpdate,
};
use crate::{
    MAX_DELEGATIONS, MAX_METADATA_BYTES, MAX_ROOT_BYTES, MAX_ROOT_ROTATIONS, MAX_TARGET_BYTES,
    MAX_TIMESTAMP_BYTES,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

/// A source of the current time in Unix seconds (injectable for tests).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// When an online client contacts the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefreshPolicy {
    /// Every [`TufClient::refresh`] runs the full TUF workflow (root
    /// rotation, timestamp, snapshot, targets) over the network. This is
    /// what the TUF specification prescribes and the default.
    #[default]
    Always,
    /// [`TufClient::refresh`] first re-verifies the cache; if the cached
    /// root, timestamp, snapshot and targets are complete, consistent and
    /// none of them is expired, no network call is made. Otherwise the full
    /// workflow runs. Saves a round trip per process start at the cost of
    /// learning about new roots/targets only when the cached timestamp
    /// expires (Sigstore's timestamp lives for days).
    IfExpired,
}

/// Where a returned target came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetSource {
    /// Cached file, re-verified against the current targets metadata.
    Cache,
    /// Downloaded now and verified.
    Network,
    /// The caller-provided fallback (offline mode without a usable cache).
    Fallback,
}

/// A non-fatal observation made during a refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// Offline mode used expired metadata (accepted offline, rejected online).
    ExpiredMetadata {
        /// Role.
        role: String,
        /// Expiry, Unix seconds.
        expires: i64,
    },
    /// Offline mode found no usable cached metadata for this role; targets
    /// are then served from the fallback only.
    MissingCachedMetadata {
        /// Role.
        role: String,
    },
    /// The cache was written under an older trusted root than the initial
    /// root given to the client; its timestamp/snapshot/targets were
    /// discarded.
    StaleCacheDiscarded,
}

/// Outcome of [`TufClient::refresh`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UpdateReport {
    /// Version of the trusted root after the refresh.
    pub root_version: u64,
    /// Number of new root versions fetched and verified during this refresh.
    pub root_rotations: u64,
    /// Trusted timestamp version, if any.
    pub timestamp_version: Option<u64>,
    /// Trusted snapshot version, if any.
    pub snapshot_version: Option<u64>,
    /// Trusted top-level targets version, if any.
    pub targets_version: Option<u64>,
    /// Whether the network was used.
    pub network_used: bool,
    /// Non-fatal observations (only produced in offline mode or when the
    /// cache was stale).
    pub warnings: Vec<Warning>,
}

struct State {
    root: Envelope<Root>,
    snapshot: Option<Envelope<Snapshot>>,
    targets: Option<Envelope<Targets>>,
    /// Delegated targets verified in this session, keyed by (delegator,
    /// role): a role reached through another delegator is verified again
    /// against that delegator's keys.
    delegated: BTreeMap<(String, String), Envelope<Targets>>,
}

/// Builder of [`TufClient`]; see [`TufClient::builder`].
pub struct TufClientBuilder {
    initial_root: Vec<u8>,
    metadata_base_url: String,
    targets_base_url: String,
    cache_dir: Option<PathBuf>,
    offline: bool,
    clock: Option<Clock>,
    fetcher: Option<Box<dyn Fetcher>>,
    policy: RefreshPolicy,
    fallback: BTreeMap<String, Vec<u8>>,
}

impl std::fmt::Debug for TufClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TufClientBuilder")
            .field("metadata_base_url", &self.metadata_base_url)
            .field("targets_base_url", &self.targets_base_url)
            .field("cache_dir", &self.cache_dir)
            .field("offline", &self.offline)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

fn normalize_base(url: &str) -> Result<String> {
    if url.is_empty() {
        return Err(Error::InvalidConfig {
            reason: "empty base URL",
        });
    }
    Ok(if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    })
}

impl TufClientBuilder {
    /// Directory holding the verified metadata and targets between runs.
    /// Without it the client keeps nothing between instances.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Offline mode: no network call at all (the fetcher is replaced by
    /// [`OfflineFetcher`]); the re-verified cache is used, else the initial
    /// root and the fallback targets.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Clock returning Unix seconds (default: the system clock).
    pub fn clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Custom fetcher (default with feature `client`: [`crate::HttpFetcher`]).
    pub fn fetcher(mut self, fetcher: Box<dyn Fetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// Refresh policy (default [`RefreshPolicy::Always`]).
    pub fn refresh_policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Bytes returned by [`TufClient::get_target`] for `name` in offline
    /// mode when the cache cannot provide the target (typically the
    /// `trusted_root.json` embedded in the application). Never used online.
    pub fn fallback_target(mut self, name: &str, bytes: &[u8]) -> Self {
        self.fallback.insert(name.to_owned(), bytes.to_vec());
        self
    }

    /// Builds the client. Verifies that the initial root is well-formed and
    /// signed by a threshold of its own keys, and creates the cache
    /// directory. Makes no network call.
    pub fn build(self) -> Result<TufClient> {
        verify_initial_root(&self.initial_root)?;
        let cache = match self.cache_dir {
            Some(d) => Some(Cache::open(d)?),
            None => None,
        };
        let fetcher: Box<dyn Fetcher> = if self.offline {
            Box::new(OfflineFetcher)
        } else {
            match self.fetcher {
                Some(f) => f,
                None => default_fetcher(),
            }
        };
        Ok(TufClient {
            initial_root: self.initial_root,
            metadata_base: normalize_base(&self.metadata_base_url)?,
            targets_base: normalize_base(&self.targets_base_url)?,
            cache,
            offline: self.offline,
            clock: self.clock.unwrap_or_else(|| Arc::new(system_clock)),
            fetcher,
            policy: self.policy,
            fallback: self.fallback,
            state: None,
        })
    }
}

#[cfg(feature = "client")]
fn default_fetcher() -> Box<dyn Fetcher> {
    Box::new(crate::fetch::HttpFetcher::new())
}

#[cfg(not(feature = "client"))]
fn default_fetcher() -> Box<dyn Fetcher> {
    Box::new(crate::fetch::NoFetcher)
}

/// A TUF 1.0 client for one repository.
///
/// See the crate documentation for the workflow, the cache and the offline
/// policy.
pub struct TufClient {
    initial_root: Vec<u8>,
    metadata_base: String,
    targets_base: String,
    cache: Option<Cache>,
    offline: bool,
    clock: Clock,
    fetcher: Box<dyn Fetcher>,
    policy: RefreshPolicy,
    fallback: BTreeMap<String, Vec<u8>>,
    state: Option<State>,
}

impl std::fmt::Debug for TufClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TufClient")
            .field("metadata_base", &self.metadata_base)
            .field("targets_base", &self.targets_base)
            .field("cache", &self.cache)
            .field("offline", &self.offline)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

fn tampered(file: &str, e: Error) -> Error {
    match e {
        Error::Io { .. } | Error::CacheTampered { .. } => e,
        other => Error::CacheTampered {
            file: file.into(),
            source: Box::new(other),
        },
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Online,
    Offline,
}

struct Ctx<'a> {
    fetcher: &'a dyn Fetcher,
    cache: Option<&'a Cache>,
    metadata_base: &'a str,
    mode: Mode,
    now: i64,
}

impl Ctx<'_> {
    fn fetch(&self, url: &str, limit: u64) -> Result<Vec<u8>> {
        if self.mode == Mode::Offline {
            return Err(Error::Offline { url: url.into() });
        }
        let data = self.fetcher.fetch(url, limit)?;
        if data.len() as u64 > limit {
            return Err(Error::TooLarge {
                url: url.into(),
                limit,
            });
        }
        Ok(data)
    }

    fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>> {
        match self.cache {
            Some(c) => c.read(name, limit),
            None => Ok(None),
        }
    }

    fn write(&self, name: &str, data: &[u8]) -> Result<()> {
        match self.cache {
            Some(c) => c.write(name, data),
            None => Ok(()),
        }
    }

    fn remove(&self, name: &str) -> Result<()> {
        match self.cache {
            Some(c) => c.remove(name),
            None => Ok(()),
        }
    }

    /// Expiry check: an error online, a warning offline.
    fn expiry<T: crate::metadata::MetadataKind>(
        &self,
        role: &str,
        m: &T,
        report: &mut UpdateReport,
    ) -> Result<()> {
        match (self.mode, check_expiry(role, m, self.now)) {
            (_, Ok(())) => Ok(()),
            (Mode::Offline, Err(_)) => {
                report.warnings.push(Warning::ExpiredMetadata {
                    role: role.into(),
                    expires: m.expires(),
                });
                Ok(())
            }
            (Mode::Online, Err(e)) => Err(e),
        }
    }

    fn limit(meta: &MetaFile) -> u64 {
        meta.length
            .unwrap_or(MAX_METADATA_BYTES)
            .min(MAX_METADATA_BYTES)
    }

    fn local_matches<T: crate::metadata::MetadataKind>(
        &self,
        name: &str,
        env: &Envelope<T>,
        meta: &MetaFile,
    ) -> bool {
        env.signed.version() == meta.version
            && check_length_and_hashes(name, &env.raw, meta.length, meta.hashes.as_ref(), false)
                .is_ok()
            && (self.mode == Mode::Offline || check_expiry(name, &env.signed, self.now).is_ok())
    }
}

const TIMESTAMP_FILE: &str = "timestamp.json";
const SNAPSHOT_FILE: &str = "snapshot.json";
const TARGETS_FILE: &str = "targets.json";
const ROOT_MARKER_FILE: &str = "root.json";

fn delegated_cache_name(role: &str) -> String {
    format!("delegated-{}.json", quote(role))
}

impl TufClient {
    /// Starts building a client.
    ///
    /// * `initial_root`: the trusted `root.json` bytes shipped with the
    ///   application (e.g. sigstore-bundle's embedded production or staging
    ///   TUF root). It must be signed by a threshold of its own root keys; it
    ///   may be expired (it is rotated forward before use).
    /// * `metadata_base_url`: where `N.root.json`, `timestamp.json`, ... live.
    /// * `targets_base_url`: where target files live.
    pub fn builder(
        initial_root: &[u8],
        metadata_base_url: &str,
        targets_base_url: &str,
    ) -> TufClientBuilder {
        TufClientBuilder {
            initial_root: initial_root.to_vec(),
            metadata_base_url: metadata_base_url.to_owned(),
            targets_base_url: targets_base_url.to_owned(),
            cache_dir: None,
            offline: false,
            clock: None,
            fetcher: None,
            policy: RefreshPolicy::default(),
            fallback: BTreeMap::new(),
        }
    }

    /// Whether the client is in offline mode.
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// Version of the trusted root after the last refresh, if any.
    pub fn root_version(&self) -> Option<u64> {
        self.state.as_ref().map(|s| s.root.signed.version)
    }

    /// Runs the update workflow and replaces the in-memory trusted state.
    ///
    /// Online ([`RefreshPolicy::Always`]): root rotation, timestamp,
    /// snapshot and top-level targets per TUF §5.3-§5.6, persisting every
    /// newly verified file to the cache. Offline: the cache is re-verified
    /// (signatures, root chain from the initial root, versions, hashes) and
    /// expiry only produces warnings; a missing cache is not an error.
    pub fn refresh(&mut self) -> Result<UpdateReport> {
        self.state = None;
        let now = (self.clock)();
        if !self.offline && self.policy == RefreshPolicy::IfExpired {
            let mut report = UpdateReport::default();
            let state = self.load(Mode::Offline, now, &mut report)?;
            let complete = report.warnings.is_empty()
                && state.targets.is_some()
                && check_expiry("root", &state.root.signed, now).is_ok();
            if complete {
                self.state = Some(state);
                return Ok(report);
            }
        }
        let mode = if self.offline {
            Mode::Offline
        } else {
            Mode::Online
        };
        let mut report = UpdateReport {
            network_used: mode == Mode::Online,
            ..UpdateReport::default()
        };
        let state = self.load(mode, now, &mut report)?;
        self.state = Some(state);
        Ok(report)
    }

    fn load(&self, mode: Mode, now: i64, report: &mut UpdateReport) -> Result<State> {
        let ctx = Ctx {
            fetcher: self.fetcher.as_ref(),
            cache: self.cache.as_ref(),
            metadata_base: &self.metadata_base,
            mode,
            now,
        };
        // §5.2: the initial trusted root.
        let mut root = verify_initial_root(&self.initial_root)?;
        let initial_version = root.signed.version;

        // A cache written under an older root than our initial root: its
        // timestamp/snapshot/targets may be signed by keys we no longer know.
        let mut marker_version = None;
        if let Some(marker) = ctx.read(ROOT_MARKER_FILE, MAX_ROOT_BYTES)? {
            let old_version = serde_json::from_slice::<serde_json::Value>(&marker)
                .ok()
                .and_then(|v| v.get("signed")?.get("version")?.as_u64());
            marker_version = old_version;
            if old_version.is_some_and(|v| v < initial_version) {
                for f in [TIMESTAMP_FILE, SNAPSHOT_FILE, TARGETS_FILE] {
                    ctx.remove(f)?;
                }
                report.warnings.push(Warning::StaleCacheDiscarded);
            }
        }

        // Cached root chain, verified link by link from the initial root.
        for _ in 0..MAX_ROOT_ROTATIONS {
            let name = format!("{}.root.json", root.signed.version.saturating_add(1));
            let Some(raw) = ctx.read(&name, MAX_ROOT_BYTES)? else {
                break;
            };
            root = verify_root_update(&root.signed, &raw).map_err(|e| tampered(&name, e))?;
        }

        // §5.3: root rotation over the network.
        if mode == Mode::Online {
            for _ in 0..MAX_ROOT_ROTATIONS {
                let version = root.signed.version.saturating_add(1);
                let url = format!("{}{version}.root.json", ctx.metadata_base);
                let raw = match ctx.fetch(&url, MAX_ROOT_BYTES) {
                    Ok(raw) => raw,
                    Err(Error::NotFound { .. }) => break,
                    Err(e) => return Err(e),
                };
                let new = verify_root_update(&root.signed, &raw)?;
                // §5.3.11 fast-forward attack recovery: if the timestamp or
                // snapshot keys changed, the cached timestamp and snapshot
                // are deleted. This happens before the new root is persisted
                // (§5.3.8) so the cache never holds metadata signed by
                // rotated-out keys next to the root that rotated them out
                // (which would read as tampering on the next load).
                if role_changed(&root.signed, &new.signed, "timestamp")
                    || role_changed(&root.signed, &new.signed, "snapshot")
                {
                    ctx.remove(TIMESTAMP_FILE)?;
                    ctx.remove(SNAPSHOT_FILE)?;
                }
                if role_changed(&root.signed, &new.signed, "targets") {
                    ctx.remove(TARGETS_FILE)?;
                }
                ctx.write(&format!("{version}.root.json"), &raw)?;
                ctx.write(ROOT_MARKER_FILE, &raw)?;
                root = new;
                report.root_rotations += 1;
            }
            if report.root_rotations == 0 && marker_version != Some(root.signed.version) {
                ctx.write(ROOT_MARKER_FILE, &root.raw)?;
            }
        }
        report.root_version = root.signed.version;
        ctx.expiry("root", &root.signed, report)?;

        let mut state = State {
            root,
            snapshot: None,
            targets: None,
            delegated: BTreeMap::new(),
        };

        // §5.4 timestamp.
        let cached_ts = match ctx.read(TIMESTAMP_FILE, MAX_TIMESTAMP_BYTES)? {
            Some(raw) => Some(
                verify_timestamp_signatures(&state.root.signed, &raw)
                    .map_err(|e| tampered(TIMESTAMP_FILE, e))?,
            ),
            None => None,
        };
        let ts: Envelope<Timestamp> = match mode {
            Mode::Online => {
                let url = format!("{}timestamp.json", ctx.metadata_base);
                let raw = ctx.fetch(&url, MAX_TIMESTAMP_BYTES)?;
                let update = verify_timestamp_update(
                    &state.root.signed,
                    cached_ts.as_ref().map(|e| &e.signed),
                    &raw,
                    now,
                )?;
                match (update, cached_ts) {
                    (TimestampUpdate::New(env), _) => {
                        ctx.write(TIMESTAMP_FILE, &env.raw)?;
                        env
                    }
                    (TimestampUpdate::Unchanged, Some(old)) => old,
                    (TimestampUpdate::Unchanged, None) => {
                        return Err(Error::Malformed {
                            role: "timestamp".into(),
                            reason: "unchanged timestamp without a trusted one",
                        })
                    }
                }
            }
            Mode::Offline => match cached_ts {
                Some(ts) => {
                    ctx.expiry("timestamp", &ts.signed, report)?;
                    ts
                }
                None => {
                    report.warnings.push(Warning::MissingCachedMetadata {
                        role: "timestamp".into(),
                    });
                    return Ok(state);
                }
            },
        };
        report.timestamp_version = Some(ts.signed.version);
        let ts_meta = ts.signed.snapshot_meta()?.clone();

        // §5.5 snapshot.
        let cached_snap = match ctx.read(SNAPSHOT_FILE, MAX_METADATA_BYTES)? {
            Some(raw) => Some(
                verify_snapshot_signatures(&state.root.signed, &raw)
                    .map_err(|e| tampered(SNAPSHOT_FILE, e))?,
            ),
            None => None,
        };
        if let Some(cs) = &cached_snap {
            if cs.signed.version > ts_meta.version {
                let err = Error::RollbackAttempt {
                    role: "snapshot".into(),
                    current: cs.signed.version,
                    new: ts_meta.version,
                };
                return Err(match mode {
                    Mode::Online => err,
                    Mode::Offline => tampered(TIMESTAMP_FILE, err),
                });
            }
        }
        let snap = match cached_snap {
            Some(cs) if ctx.local_matches("snapshot.json", &cs, &ts_meta) => {
                ctx.expiry("snapshot", &cs.signed, report)?;
                cs
            }
            cached => match mode {
                Mode::Online => {
                    let name = if state.root.signed.consistent_snapshot {
                        format!("{}.snapshot.json", ts_meta.version)
                    } else {
                        SNAPSHOT_FILE.to_owned()
                    };
                    let url = format!("{}{name}", ctx.metadata_base);
                    let raw = ctx.fetch(&url, Ctx::limit(&ts_meta))?;
                    let env = verify_snapshot_update(
                        &state.root.signed,
                        &ts_meta,
                        cached.as_ref().map(|e| &e.signed),
                        &raw,
                        now,
                    )?;
                    ctx.write(SNAPSHOT_FILE, &env.raw)?;
                    env
                }
                Mode::Offline => {
                    report.warnings.push(Warning::MissingCachedMetadata {
                        role: "snapshot".into(),
                    });
                    return Ok(state);
                }
            },
        };
        report.snapshot_version = Some(snap.signed.version);

        // §5.6 top-level targets.
        let meta =
            snap.signed
                .meta
                .get(TARGETS_FILE)
                .cloned()
                .ok_or_else(|| Error::MissingMeta {
                    role: TARGETS_FILE.into(),
                })?;
        state.snapshot = Some(snap);
        let targets_role = state.root.signed.role("targets")?.clone();
        let cached_targets = match ctx.read(TARGETS_FILE, MAX_METADATA_BYTES)? {
            Some(raw) => Some(
                verify_targets_signatures("targets", &state.root.signed.keys, &targets_role, &raw)
                    .map_err(|e| tampered(TARGETS_FILE, e))?,
            ),
            None => None,
        };
        let targets = match cached_targets {
            Some(ct) if ctx.local_matches(TARGETS_FILE, &ct, &meta) => {
                ctx.expiry("targets", &ct.signed, report)?;
                ct
            }
            _ => match mode {
                Mode::Online => {
                    let name = if state.root.signed.consistent_snapshot {
                        format!("{}.targets.json", meta.version)
                    } else {
                        TARGETS_FILE.to_owned()
                    };
                    let url = format!("{}{name}", ctx.metadata_base);
                    let raw = ctx.fetch(&url, Ctx::limit(&meta))?;
                    let env = verify_targets_update(
                        "targets",
                        &state.root.signed.keys,
                        &targets_role,
                        &meta,
                        &raw,
                        now,
                    )?;
                    ctx.write(TARGETS_FILE, &env.raw)?;
                    env
                }
                Mode::Offline => {
                    report.warnings.push(Warning::MissingCachedMetadata {
                        role: "targets".into(),
                    });
                    return Ok(state);
                }
            },
        };
        report.targets_version = Some(targets.signed.version);
        state.targets = Some(targets);
        Ok(state)
    }
}

/// Rejects target paths that could escape a directory or build odd URLs.
fn check_target_path(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name.chars().any(char::is_control)
        || name
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..");
    if bad {
        Err(Error::InvalidTargetPath {
            target: name.into(),
        })
    } else {
        Ok(())
    }
}

impl TufClient {
    /// Returns the verified bytes of a target (e.g. `trusted_root.json`).
    ///
    /// Runs [`TufClient::refresh`] first if this client has not refreshed
    /// yet. The target is looked up in the top-level targets and, if
    /// needed, delegated targets (pre-order depth-first search, at most
    /// [`MAX_DELEGATIONS`] roles, terminating delegations honoured). A
    /// cached copy is used if its length and hashes match the metadata;
    /// otherwise it is downloaded (online) with length and hash checks and
    /// cached.
    pub fn get_target(&mut self, name: &str) -> Result<Vec<u8>> {
        self.get_target_with_source(name).map(|(bytes, _)| bytes)
    }

    /// Like [`TufClient::get_target`], also telling where the bytes came from.
    pub fn get_target_with_source(&mut self, name: &str) -> Result<(Vec<u8>, TargetSource)> {
        check_target_path(name)?;
        if self.state.is_none() {
            self.refresh()?;
        }
        let mode = if self.offline {
            Mode::Offline
        } else {
            Mode::Online
        };
        let ctx = Ctx {
            fetcher: self.fetcher.as_ref(),
            cache: self.cache.as_ref(),
            metadata_base: &self.metadata_base,
            mode,
            now: (self.clock)(),
        };
        let fallback = |err: Error| -> Result<(Vec<u8>, TargetSource)> {
            match (mode, self.fallback.get(name)) {
                (Mode::Offline, Some(bytes)) => Ok((bytes.clone(), TargetSource::Fallback)),
                _ => Err(err),
            }
        };
        let Some(state) = self.state.as_mut() else {
            return Err(Error::Offline { url: name.into() });
        };
        if state.targets.is_none() {
            return fallback(Error::Offline { url: name.into() });
        }
        let info = find_target(state, &ctx, name)?;
        if info.hashes.is_empty() {
            return Err(Error::UnsupportedHash {
                target: name.into(),
                algorithm: String::new(),
            });
        }
        if info.length > MAX_TARGET_BYTES {
            return Err(Error::TooLarge {
                url: name.into(),
                limit: MAX_TARGET_BYTES,
            });
        }
        let cache_name = format!("targets/{}", quote(name));
        if let Some(bytes) = ctx.read(&cache_name, MAX_TARGET_BYTES)? {
            match check_length_and_hashes(name, &bytes, Some(info.length), Some(&info.hashes), true)
            {
                Ok(()) => return Ok((bytes, TargetSource::Cache)),
                // Online a stale or damaged cached target is simply
                // replaced; offline it cannot be, which is reported.
                Err(e) if mode == Mode::Offline => {
                    return fallback(tampered(&cache_name, e));
                }
                Err(_) => {}
            }
        }
        let consistent = state.root.signed.consistent_snapshot;
        let url = target_url(&self.targets_base, name, &info, consistent);
        let bytes = match ctx.fetch(&url, info.length) {
            Ok(b) => b,
            Err(e @ Error::Offline { .. }) => return fallback(e),
            Err(e) => return Err(e),
        };
        check_length_and_hashes(name, &bytes, Some(info.length), Some(&info.hashes), true)?;
        ctx.write(&cache_name, &bytes)?;
        Ok((bytes, TargetSource::Network))
    }
}

fn target_url(base: &str, name: &str, info: &TargetFile, consistent: bool) -> String {
    if !consistent {
        return format!("{base}{name}");
    }
    let hash = info
        .hashes
        .get("sha256")
        .or_else(|| info.hashes.values().next())
        .map_or("", String::as_str);
    match name.rsplit_once('/') {
        Some((dir, file)) => format!("{base}{dir}/{hash}.{file}"),
        None => format!("{base}{hash}.{name}"),
    }
}

/// A role reached through a delegator: (delegator, role).
type RoleKey = (String, String);

/// §5.7: pre-order depth-first search of the delegation graph.
fn find_target(state: &mut State, ctx: &Ctx<'_>, name: &str) -> Result<TargetFile> {
    // Each entry: the role to visit (with its delegator) and the key of the
    // delegator's own entry (None for the top-level targets role).
    let top: RoleKey = (String::new(), "targets".into());
    let mut stack: Vec<(RoleKey, Option<RoleKey>)> = vec![(top, None)];
    let mut visited: BTreeSet<String> = BTreeSet::new();
    let mut budget = MAX_DELEGATIONS;
    while budget > 0 {
        let Some((key, parent_key)) = stack.pop() else {
            break;
        };
        let role = key.1.clone();
        if visited.contains(&role) {
            continue;
        }
        let targets = match &parent_key {
            None => match &state.targets {
                Some(t) => &t.signed,
                None => break,
            },
            Some(pk) => {
                load_delegated(state, ctx, &key, pk)?;
                match state.delegated.get(&key) {
                    Some(t) => &t.signed,
                    None => break,
                }
            }
        };
        if let Some(t) = targets.targets.get(name) {
            return Ok(t.clone());
        }
        visited.insert(role.clone());
        budget -= 1;
        if let Some(d) = &targets.delegations {
            let mut children = Vec::new();
            for r in &d.roles {
                if r.matches(name) {
                    children.push(((role.clone(), r.name.clone()), Some(key.clone())));
                    if r.terminating {
                        stack.clear();
                        break;
                    }
                }
            }
            children.reverse();
            stack.extend(children);
        }
    }
    Err(Error::TargetNotFound {
        target: name.into(),
    })
}

/// Loads (cache or network) and verifies the delegated targets role `key`
/// = (delegator, role) against the delegator's entry `parent_key`, which is
/// already trusted. A role reachable through several delegators is verified
/// separately for each of them.
fn load_delegated(
    state: &mut State,
    ctx: &Ctx<'_>,
    key: &RoleKey,
    parent_key: &RoleKey,
) -> Result<()> {
    if state.delegated.contains_key(key) {
        return Ok(());
    }
    let role = key.1.as_str();
    let parent_md = if parent_key.0.is_empty() && parent_key.1 == "targets" {
        state.targets.as_ref()
    } else {
        state.delegated.get(parent_key)
    };
    let not_found = || Error::MissingMeta {
        role: format!("{role}.json"),
    };
    let delegations = parent_md
        .and_then(|p| p.signed.delegations.as_ref())
        .ok_or_else(not_found)?;
    let role_keys = delegations
        .roles
        .iter()
        .find(|r| r.name == role)
        .ok_or_else(not_found)?
        .role_keys();
    let keys = delegations.keys.clone();
    let meta = state
        .snapshot
        .as_ref()
        .and_then(|s| s.signed.meta.get(&format!("{role}.json")))
        .cloned()
        .ok_or_else(not_found)?;
    let cache_name = delegated_cache_name(role);
    // A cached delegated role that no longer verifies is treated as absent:
    // a legitimately updated delegator may have rotated its keys.
    if let Some(raw) = ctx.read(&cache_name, MAX_METADATA_BYTES)? {
        if let Ok(env) = verify_targets_signatures(role, &keys, &role_keys, &raw) {
            if ctx.local_matches(&cache_name, &env, &meta) {
                state.delegated.insert(key.clone(), env);
                return Ok(());
            }
        }
    }
    let file = if state.root.signed.consistent_snapshot {
        format!("{}.{}.json", meta.version, quote(role))
    } else {
        format!("{}.json", quote(role))
    };
    let url = format!("{}{file}", ctx.metadata_base);
    let raw = ctx.fetch(&url, Ctx::limit(&meta))?;
    let env = verify_targets_update(role, &keys, &role_keys, &meta, &raw, ctx.now)?;
    ctx.write(&cache_name, &env.raw)?;
    state.delegated.insert(key.clone(), env);
    Ok(())
}
