//! Blocking HTTP clients for Rekor v1 and Rekor v2 (C2SP tlog-tiles), behind feature `client`.
//!
//! Every call has a deadline ([`ClientConfig::timeout`] covers the whole call, retries
//! included), retries 5xx answers and connection failures a bounded number of times with
//! exponential backoff, reads at most [`ClientConfig::max_response_bytes`] (default
//! [`MAX_RESPONSE_BYTES`]) and refuses redirects (trust material never comes from a redirect
//! target). Failures are typed [`Error`] variants.
//!
//! Nothing a client returns is trusted: proofs, checkpoints and entries must be verified with
//! the rest of this crate.

use std::collections::HashMap;
use std::io::Read;
use std::time::{Duration, Instant};

use base64_simd::STANDARD;
use serde_json::Value;

use crate::merkle::{hash_from_slice, Hash, HASH_LEN};
use crate::note::SignedNote;
use crate::tree::{consistency_path, inclusion_path};
use crate::Error;

/// Default largest response body read, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Default deadline of one call (all attempts included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;

/// Most tiles one proof computation may fetch (bounds work for hostile tree sizes).
pub const MAX_TILE_FETCHES: usize = 256;

/// Width of a full tile (C2SP tlog-tiles).
pub const TILE_WIDTH: u64 = 256;

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Deadline of one call, all retries included.
    pub timeout: Duration,
    /// Retries after the first attempt (on 5xx and connection errors).
    pub max_retries: u32,
    /// Backoff before the first retry; doubled at each retry.
    pub initial_backoff: Duration,
    /// Largest response body read.
    pub max_response_bytes: usize,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: Duration::from_millis(200),
            max_response_bytes: MAX_RESPONSE_BYTES,
            user_agent: concat!("sigstore-rust-tlog/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
struct Http {
    agent: ureq::Agent,
    config: ClientConfig,
}

fn is_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) {
                return true;
            }
        }
        cur = e.source();
    }
    false
}

enum Attempt {
    Done(Vec<u8>),
    Retry(Error),
    Fail(Error),
}

impl Http {
    fn new(config: ClientConfig) -> Self {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .user_agent(&config.user_agent)
            .build();
        Http { agent, config }
    }

    fn call(&self, method: &str, url: &str, body: Option<&[u8]>) -> Result<Vec<u8>, Error> {
        let deadline = Instant::now() + self.config.timeout;
        let mut backoff = self.config.initial_backoff;
        let mut attempt = 0u32;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::Timeout {
                    url: url.to_owned(),
                });
            }
            let outcome = self.attempt(method, url, body, remaining);
            let err = match outcome {
                Attempt::Done(b) => return Ok(b),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e) => e,
            };
            if attempt >= self.config.max_retries {
                return Err(err);
            }
            attempt += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if backoff >= remaining {
                return Err(err);
            }
            std::thread::sleep(backoff);
            backoff = backoff.saturating_mul(2);
        }
    }

    fn attempt(&self, method: &str, url: &str, body: Option<&[u8]>, timeout: Duration) -> Attempt {
        let req = self.agent.request(method, url).timeout(timeout).set(
            "Accept",
            "application/json, text/plain, application/octet-stream",
        );
        let result = match body {
            Some(b) => req.set("Content-Type", "application/json").send_bytes(b),
            None => req.call(),
        };
        match result {
            Ok(resp) => self.read_body(url, resp),
            Err(ureq::Error::Status(status, _)) => {
                let e = Error::HttpStatus {
                    url: url.to_owned(),
                    status,
                };
                if status >= 500 {
                    Attempt::Retry(e)
                } else {
                    Attempt::Fail(e)
                }
            }
            Err(ureq::Error::Transport(t)) => {
                if is_timeout(&t) {
                    Attempt::Fail(Error::Timeout {
                        url: url.to_owned(),
                    })
                } else {
                    Attempt::Retry(Error::Transport {
                        url: url.to_owned(),
                        source: Box::new(t),
                    })
                }
            }
        }
    }

    fn read_body(&self, url: &str, resp: ureq::Response) -> Attempt {
        let max = self.config.max_response_bytes;
        if let Some(len) = resp
            .header("Content-Length")
            .and_then(|l| l.trim().parse::<u64>().ok())
        {
            if len > max as u64 {
                return Attempt::Fail(Error::ResponseTooLarge { max });
            }
        }
        let mut buf = Vec::new();
        let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
        match resp.into_reader().take(limit).read_to_end(&mut buf) {
            Ok(_) if buf.len() > max => Attempt::Fail(Error::ResponseTooLarge { max }),
            Ok(_) => Attempt::Done(buf),
            Err(e) if is_timeout(&e) => Attempt::Fail(Error::Timeout {
                url: url.to_owned(),
            }),
            Err(e) => Attempt::Retry(Error::Transport {
                url: url.to_owned(),
                source: Box::new(e),
            }),
        }
    }

    fn json(&self, method: &str, url: &str, body: Option<&[u8]>) -> Result<Value, Error> {
        let bytes = self.call(method, url, body)?;
        serde_json::from_slice(&bytes).map_err(|_| Error::BadResponse {
            url: url.to_owned(),
            reason: "response is not JSON",
        })
    }
}

/// A field of a JSON object, or `null` (never panics, unlike indexing).
fn jf<'v>(v: &'v Value, key: &str) -> &'v Value {
    v.get(key).unwrap_or(&Value::Null)
}

fn trim_base(base_url: &str) -> String {
    base_url.trim_end_matches('/').to_owned()
}

fn bad(url: &str, reason: &'static str) -> Error {
    Error::BadResponse {
        url: url.to_owned(),
        reason,
    }
}

fn b64_field(url: &str, v: &Value, reason: &'static str) -> Result<Vec<u8>, Error> {
    v.as_str()
        .and_then(|s| STANDARD.decode_to_vec(s).ok())
        .ok_or_else(|| bad(url, reason))
}

fn hex_hash_field(url: &str, v: &Value, reason: &'static str) -> Result<Hash, Error> {
    v.as_str()
        .and_then(|s| hex::decode(s).ok())
        .and_then(|b| hash_from_slice(&b).ok())
        .ok_or_else(|| bad(url, reason))
}

fn i64_field(url: &str, v: &Value, reason: &'static str) -> Result<i64, Error> {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if n >= 0 => Ok(n),
        _ => Err(bad(url, reason)),
    }
}

/// A Rekor v1 inclusion proof as returned by the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProofV1 {
    /// Index of the entry in its shard's tree.
    pub log_index: i64,
    /// Root hash of the tree.
    pub root_hash: Hash,
    /// Tree size.
    pub tree_size: i64,
    /// Proof hashes, leaf first.
    pub hashes: Vec<Hash>,
    /// The signed checkpoint note.
    pub checkpoint: String,
}

/// A Rekor v1 log entry as returned by the API (unverified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntryV1 {
    /// The entry UUID (the key of the response map).
    pub uuid: String,
    /// The canonicalized body bytes (decoded from base64).
    pub body: Vec<u8>,
    /// The integrated time, Unix seconds (only meaningful once the SET verifies).
    pub integrated_time: i64,
    /// The log ID (SHA-256 of the log key).
    pub log_id: Vec<u8>,
    /// The global log index.
    pub log_index: i64,
    /// The signed entry timestamp, if present.
    pub signed_entry_timestamp: Option<Vec<u8>>,
    /// The inclusion proof, if present.
    pub inclusion_proof: Option<InclusionProofV1>,
}

/// Rekor v1 `GET /api/v1/log` (unverified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogInfoV1 {
    /// Root hash of the active shard.
    pub root_hash: Hash,
    /// Tree size of the active shard.
    pub tree_size: i64,
    /// The signed tree head (a checkpoint note).
    pub signed_tree_head: String,
    /// The active shard's tree ID.
    pub tree_id: String,
}

/// A Rekor v1 consistency proof (unverified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProofV1 {
    /// Root hash at the larger size.
    pub root_hash: Hash,
    /// Proof hashes.
    pub hashes: Vec<Hash>,
}

/// Client for the Rekor v1 REST API.
#[derive(Debug, Clone)]
pub struct RekorV1Client {
    base: String,
    http: Http,
}

impl RekorV1Client {
    /// A client for `base_url` (e.g. `https://rekor.sigstore.dev`).
    pub fn new(base_url: &str, config: ClientConfig) -> Self {
        RekorV1Client {
            base: trim_base(base_url),
            http: Http::new(config),
        }
    }

    /// `POST /api/v1/log/entries` with a proposed entry (see
    /// [`crate::entry::EntryBody::hashedrekord_v001_request`]).
    pub fn create_entry(&self, proposed: &Value) -> Result<LogEntryV1, Error> {
        let url = format!("{}/api/v1/log/entries", self.base);
        let body = serde_json::to_vec(proposed).map_err(Error::BodyJson)?;
        let v = self.http.json("POST", &url, Some(&body))?;
        parse_entry_map(&url, &v)
    }

    /// `GET /api/v1/log/entries?logIndex=N`.
    pub fn get_entry_by_index(&self, log_index: u64) -> Result<LogEntryV1, Error> {
        let url = format!("{}/api/v1/log/entries?logIndex={log_index}", self.base);
        let v = self.http.json("GET", &url, None)?;
        parse_entry_map(&url, &v)
    }

    /// `GET /api/v1/log/entries/{uuid}` (the UUID must be hex).
    pub fn get_entry_by_uuid(&self, uuid: &str) -> Result<LogEntryV1, Error> {
        if uuid.is_empty() || !uuid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::BadResponse {
                url: self.base.clone(),
                reason: "entry UUID must be hex",
            });
        }
        let url = format!("{}/api/v1/log/entries/{uuid}", self.base);
        let v = self.http.json("GET", &url, None)?;
        parse_entry_map(&url, &v)
    }

    /// `GET /api/v1/log`.
    pub fn log_info(&self) -> Result<LogInfoV1, Error> {
        let url = format!("{}/api/v1/log", self.base);
        let v = self.http.json("GET", &url, None)?;
        Ok(LogInfoV1 {
            root_hash: hex_hash_field(&url, jf(&v, "rootHash"), "rootHash")?,
            tree_size: i64_field(&url, jf(&v, "treeSize"), "treeSize")?,
            signed_tree_head: jf(&v, "signedTreeHead")
                .as_str()
                .ok_or_else(|| bad(&url, "signedTreeHead"))?
                .to_owned(),
            tree_id: match &jf(&v, "treeID") {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            },
        })
    }

    /// `GET /api/v1/log/proof?firstSize=..&lastSize=..`.
    pub fn consistency_proof(
        &self,
        first_size: u64,
        last_size: u64,
    ) -> Result<ConsistencyProofV1, Error> {
        let url = format!(
            "{}/api/v1/log/proof?firstSize={first_size}&lastSize={last_size}",
            self.base
        );
        let v = self.http.json("GET", &url, None)?;
        let hashes = jf(&v, "hashes")
            .as_array()
            .ok_or_else(|| bad(&url, "hashes"))?
            .iter()
            .map(|h| hex_hash_field(&url, h, "hashes"))
            .collect::<Result<Vec<_>, _>>()?;
        if hashes.len() > crate::merkle::MAX_CONSISTENCY_PROOF_HASHES {
            return Err(bad(&url, "too many proof hashes"));
        }
        Ok(ConsistencyProofV1 {
            root_hash: hex_hash_field(&url, jf(&v, "rootHash"), "rootHash")?,
            hashes,
        })
    }
}

fn parse_entry_map(url: &str, v: &Value) -> Result<LogEntryV1, Error> {
    let map = v
        .as_object()
        .ok_or_else(|| bad(url, "expected an object"))?;
    if map.len() != 1 {
        return Err(bad(url, "expected exactly one entry"));
    }
    let (uuid, e) = map
        .iter()
        .next()
        .ok_or_else(|| bad(url, "expected exactly one entry"))?;
    let verification = &jf(e, "verification");
    let inclusion_proof = match &jf(verification, "inclusionProof") {
        Value::Null => None,
        p => {
            let hashes = jf(p, "hashes")
                .as_array()
                .ok_or_else(|| bad(url, "inclusionProof.hashes"))?;
            if hashes.len() > crate::merkle::MAX_PROOF_HASHES {
                return Err(bad(url, "too many proof hashes"));
            }
            Some(InclusionProofV1 {
                log_index: i64_field(url, jf(p, "logIndex"), "inclusionProof.logIndex")?,
                root_hash: hex_hash_field(url, jf(p, "rootHash"), "inclusionProof.rootHash")?,
                tree_size: i64_field(url, jf(p, "treeSize"), "inclusionProof.treeSize")?,
                hashes: hashes
                    .iter()
                    .map(|h| hex_hash_field(url, h, "inclusionProof.hashes"))
                    .collect::<Result<Vec<_>, _>>()?,
                checkpoint: jf(p, "checkpoint").as_str().unwrap_or_default().to_owned(),
            })
        }
    };
    let signed_entry_timestamp = match &jf(verification, "signedEntryTimestamp") {
        Value::Null => None,
        s => Some(b64_field(url, s, "signedEntryTimestamp")?),
    };
    Ok(LogEntryV1 {
        uuid: uuid.clone(),
        body: b64_field(url, jf(e, "body"), "body")?,
        integrated_time: i64_field(url, jf(e, "integratedTime"), "integratedTime")?,
        log_id: jf(e, "logID")
            .as_str()
            .and_then(|s| hex::decode(s).ok())
            .ok_or_else(|| bad(url, "logID"))?,
        log_index: i64_field(url, jf(e, "logIndex"), "logIndex")?,
        signed_entry_timestamp,
        inclusion_proof,
    })
}

/// A Rekor v2 transparency log entry as returned by `POST /api/v2/log/entries` (unverified).
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntryV2 {
    /// The log index.
    pub log_index: i64,
    /// The log ID.
    pub log_id: Vec<u8>,
    /// kindVersion.kind.
    pub kind: String,
    /// kindVersion.version.
    pub version: String,
    /// The canonicalized body (the Merkle leaf data).
    pub canonicalized_body: Vec<u8>,
    /// Inclusion proof: tree-local index, root, size, hashes, checkpoint envelope.
    pub inclusion_proof: InclusionProofV1,
    /// The response as JSON (a protobuf-JSON `TransparencyLogEntry`, for a bundle).
    pub raw: Value,
}

/// Client for Rekor v2: the write API and the C2SP tlog-tiles read API.
#[derive(Debug, Clone)]
pub struct RekorV2Client {
    base: String,
    http: Http,
}

/// The tlog-tiles path element for a tile index: groups of three digits, all but the last
/// prefixed with `x` (e.g. 1234067 -> `x001/x234/067`).
pub fn tile_index_path(index: u64) -> String {
    let mut groups = Vec::new();
    let mut n = index;
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    let mut out = String::new();
    for (i, g) in groups.iter().rev().enumerate() {
        if i + 1 < groups.len() {
            out.push_str(&format!("x{g:03}/"));
        } else {
            out.push_str(&format!("{g:03}"));
        }
    }
    out
}

impl RekorV2Client {
    /// A client for a Rekor v2 log (e.g. `https://log2025-1.rekor.sigstore.dev`).
    pub fn new(base_url: &str, config: ClientConfig) -> Self {
        RekorV2Client {
            base: trim_base(base_url),
            http: Http::new(config),
        }
    }

    /// `POST /api/v2/log/entries` (see
    /// [`crate::entry::EntryBody::hashedrekord_v002_request`]).
    pub fn create_entry(&self, request: &Value) -> Result<LogEntryV2, Error> {
        let url = format!("{}/api/v2/log/entries", self.base);
        let body = serde_json::to_vec(request).map_err(Error::BodyJson)?;
        let v = self.http.json("POST", &url, Some(&body))?;
        let ip = &jf(&v, "inclusionProof");
        let hashes = jf(ip, "hashes")
            .as_array()
            .ok_or_else(|| bad(&url, "inclusionProof.hashes"))?;
        if hashes.len() > crate::merkle::MAX_PROOF_HASHES {
            return Err(bad(&url, "too many proof hashes"));
        }
        let b64_hash = |h: &Value, r| -> Result<Hash, Error> {
            hash_from_slice(&b64_field(&url, h, r)?).map_err(|_| bad(&url, r))
        };
        let inclusion_proof = InclusionProofV1 {
            log_index: i64_field(&url, jf(ip, "logIndex"), "inclusionProof.logIndex")?,
            root_hash: b64_hash(jf(ip, "rootHash"), "inclusionProof.rootHash")?,
            tree_size: i64_field(&url, jf(ip, "treeSize"), "inclusionProof.treeSize")?,
            hashes: hashes
                .iter()
                .map(|h| b64_hash(h, "inclusionProof.hashes"))
                .collect::<Result<Vec<_>, _>>()?,
            checkpoint: jf(jf(ip, "checkpoint"), "envelope")
                .as_str()
                .ok_or_else(|| bad(&url, "inclusionProof.checkpoint"))?
                .to_owned(),
        };
        Ok(LogEntryV2 {
            log_index: i64_field(&url, jf(&v, "logIndex"), "logIndex")?,
            log_id: b64_field(&url, jf(jf(&v, "logId"), "keyId"), "logId.keyId")?,
            kind: jf(jf(&v, "kindVersion"), "kind")
                .as_str()
                .ok_or_else(|| bad(&url, "kindVersion.kind"))?
                .to_owned(),
            version: jf(jf(&v, "kindVersion"), "version")
                .as_str()
                .ok_or_else(|| bad(&url, "kindVersion.version"))?
                .to_owned(),
            canonicalized_body: b64_field(&url, jf(&v, "canonicalizedBody"), "canonicalizedBody")?,
            inclusion_proof,
            raw: v,
        })
    }

    /// `GET /checkpoint`: the latest signed checkpoint note (parsed, not verified).
    pub fn checkpoint(&self) -> Result<SignedNote, Error> {
        let url = format!("{}/checkpoint", self.base);
        let bytes = self.http.call("GET", &url, None)?;
        SignedNote::parse(&bytes)
    }

    /// `GET /tile/<L>/<N>[.p/<W>]`: `width` hashes (256 for a full tile).
    pub fn tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<Hash>, Error> {
        if width == 0 || u64::from(width) > TILE_WIDTH {
            return Err(bad(&self.base, "tile width must be 1..=256"));
        }
        let mut url = format!("{}/tile/{level}/{}", self.base, tile_index_path(index));
        if u64::from(width) < TILE_WIDTH {
            url.push_str(&format!(".p/{width}"));
        }
        let bytes = self.http.call("GET", &url, None)?;
        if bytes.len() != usize::from(width) * HASH_LEN {
            return Err(bad(&url, "tile has the wrong length"));
        }
        bytes.chunks_exact(HASH_LEN).map(hash_from_slice).collect()
    }

    /// `GET /tile/entries/<N>[.p/<W>]`: the entries of an entry bundle (each is the leaf data).
    pub fn entry_bundle(&self, index: u64, width: u16) -> Result<Vec<Vec<u8>>, Error> {
        if width == 0 || u64::from(width) > TILE_WIDTH {
            return Err(bad(&self.base, "tile width must be 1..=256"));
        }
        let mut url = format!("{}/tile/entries/{}", self.base, tile_index_path(index));
        if u64::from(width) < TILE_WIDTH {
            url.push_str(&format!(".p/{width}"));
        }
        let bytes = self.http.call("GET", &url, None)?;
        let mut out = Vec::new();
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            let (len, tail) = rest
                .split_first_chunk::<2>()
                .ok_or_else(|| bad(&url, "truncated entry length"))?;
            let len = usize::from(u16::from_be_bytes(*len));
            if tail.len() < len {
                return Err(bad(&url, "truncated entry"));
            }
            let (entry, tail) = tail.split_at(len);
            out.push(entry.to_vec());
            rest = tail;
        }
        if out.len() != usize::from(width) {
            return Err(bad(&url, "entry bundle has the wrong number of entries"));
        }
        Ok(out)
    }

    /// Compute the inclusion proof of leaf `index` in the tree of `tree_size` leaves from tiles.
    /// The result must still be verified against a verified checkpoint.
    pub fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>, Error> {
        let mut fetcher = TileFetcher::new(self, tree_size);
        let mut node = |level: u32, i: u64| fetcher.node(level, i);
        inclusion_path(&mut node, index, tree_size)
    }

    /// Compute the consistency proof from `size1` to `size2` leaves from tiles (tiles of the
    /// tree at `size2`).
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, Error> {
        let mut fetcher = TileFetcher::new(self, size2);
        let mut node = |level: u32, i: u64| fetcher.node(level, i);
        consistency_path(&mut node, size1, size2)
    }
}

/// Fetches and caches the tiles of one tree size and derives full-subtree hashes from them.
struct TileFetcher<'a> {
    client: &'a RekorV2Client,
    tree_size: u64,
    cache: HashMap<(u8, u64), Vec<Hash>>,
    fetches: usize,
}

impl<'a> TileFetcher<'a> {
    fn new(client: &'a RekorV2Client, tree_size: u64) -> Self {
        TileFetcher {
            client,
            tree_size,
            cache: HashMap::new(),
            fetches: 0,
        }
    }

    /// Hash of the node at tree `level` / `index` stored in a tile (level multiple of 8).
    fn stored(&mut self, tile_level: u8, index: u64) -> Result<Hash, Error> {
        let level = u32::from(tile_level) * 8;
        let count = self.tree_size.checked_shr(level).unwrap_or(0);
        let tile_index = index / TILE_WIDTH;
        let first = tile_index * TILE_WIDTH;
        if index >= count {
            return Err(Error::IndexOutOfRange { index, size: count });
        }
        let width = (count - first).min(TILE_WIDTH);
        let key = (tile_level, tile_index);
        if !self.cache.contains_key(&key) {
            self.fetches += 1;
            if self.fetches > MAX_TILE_FETCHES {
                return Err(bad(&self.client.base, "too many tiles needed"));
            }
            let w = u16::try_from(width).unwrap_or(256);
            let tile = self.client.tile(tile_level, tile_index, w)?;
            self.cache.insert(key, tile);
        }
        let pos = usize::try_from(index - first).unwrap_or(usize::MAX);
        self.cache
            .get(&key)
            .and_then(|t| t.get(pos))
            .copied()
            .ok_or_else(|| bad(&self.client.base, "tile too short"))
    }

    fn node(&mut self, level: u32, index: u64) -> Result<Hash, Error> {
        let tile_level = u8::try_from(level / 8).unwrap_or(u8::MAX);
        let rel = level % 8;
        if rel == 0 {
            return self.stored(tile_level, index);
        }
        // Recompute from the 2^rel nodes of the tile below.
        let first = index << rel;
        let mut layer = Vec::with_capacity(1 << rel);
        for i in first..first + (1u64 << rel) {
            layer.push(self.stored(tile_level, i)?);
        }
        while layer.len() > 1 {
            layer = layer
                .chunks_exact(2)
                .filter_map(|p| match p {
                    [l, r] => Some(crate::merkle::node_hash(l, r)),
                    _ => None,
                })
                .collect();
        }
        layer
            .first()
            .copied()
            .ok_or_else(|| bad(&self.client.base, "empty tile"))
    }
}
