//! Rekor v2 (rekor-tiles): `POST /api/v2/log/entries` with a `hashedRekordRequestV002` or
//! `dsseRequestV002` (protobuf-specs `dev.sigstore.rekor.v2.CreateEntryRequest`, JSON mapping),
//! answering with a `TransparencyLogEntry` whose checkpoint is a C2SP signed note with an
//! Ed25519 key (key ID per C2SP signed-note); `GET /checkpoint` and C2SP tlog-tiles
//! (`/tile/<L>/<N>[.p/<W>]`, `/tile/entries/<N>[.p/<W>]`).

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, KeyDetails, KeySigner, PublicKey, Signer};
use sigstore_tlog::entry::canonical_json;
use sigstore_tlog::merkle::Hash;
use sigstore_tlog::note::{Checkpoint, SignedNote};

use crate::faults::{Fault, Faults, Service};
use crate::http::{Handler, Request, Response};
use crate::log::{Appended, Log};
use crate::rekor_v1::{key_from_cert_der, pae, verify_digest};
use crate::{now, Error};

/// Width of a full tile (C2SP tlog-tiles).
pub const TILE_WIDTH: u64 = 256;
/// Tile height in tree levels.
pub const TILE_HEIGHT: u32 = 8;

fn bad(what: &'static str) -> Error {
    Error::MalformedRequest { what }
}

fn proto_hash_name(h: HashAlgorithm) -> &'static str {
    match h {
        HashAlgorithm::Sha384 => "SHA2_384",
        HashAlgorithm::Sha512 => "SHA2_512",
        _ => "SHA2_256",
    }
}

/// Parse a v2 `Verifier`; returns its normalized JSON and key.
fn verifier(v: &Value) -> Result<(Value, PublicKey, KeyDetails), Error> {
    let details_name = v
        .get("keyDetails")
        .and_then(Value::as_str)
        .ok_or(bad("keyDetails"))?;
    let details = KeyDetails::from_name(details_name).map_err(|_| bad("keyDetails"))?;
    let (norm, key) = if let Some(raw) = v.pointer("/publicKey/rawBytes").and_then(Value::as_str) {
        let der = B64.decode(raw).map_err(|_| bad("publicKey.rawBytes"))?;
        (
            json!({"publicKey": {"rawBytes": raw}, "keyDetails": details_name}),
            PublicKey::from_spki_der(&der)?,
        )
    } else if let Some(raw) = v
        .pointer("/x509Certificate/rawBytes")
        .and_then(Value::as_str)
    {
        let der = B64
            .decode(raw)
            .map_err(|_| bad("x509Certificate.rawBytes"))?;
        (
            json!({"x509Certificate": {"rawBytes": raw}, "keyDetails": details_name}),
            key_from_cert_der(&der)?,
        )
    } else {
        return Err(bad("verifier"));
    };
    key.check_details(details)?;
    Ok((norm, key, details))
}

fn canonicalize(req: &Value) -> Result<(Value, &'static str), Error> {
    // Protobuf JSON accepts a field's JSON name or its proto name, nothing else: a camel-case
    // spelling that keeps the version's underscores (`hashedRekordRequestV0_0_2`) is neither
    // and is refused, as rekor-tiles refuses it.
    let field = |json: &str, proto: &[&str]| {
        req.get(json)
            .or_else(|| proto.iter().find_map(|name| req.get(*name)))
    };
    let hr = field(
        "hashedRekordRequestV002",
        &["hashed_rekord_request_v002", "hashed_rekord_request_v0_0_2"],
    );
    let dsse = field(
        "dsseRequestV002",
        &["dsse_request_v002", "dsse_request_v0_0_2"],
    );
    if let Some(hr) = hr {
        let digest_b64 = hr
            .get("digest")
            .and_then(Value::as_str)
            .ok_or(bad("digest"))?;
        let digest = B64.decode(digest_b64).map_err(|_| bad("digest"))?;
        let sig_b64 = hr
            .pointer("/signature/content")
            .and_then(Value::as_str)
            .ok_or(bad("signature.content"))?;
        let sig = B64.decode(sig_b64).map_err(|_| bad("signature.content"))?;
        let (norm, key, details) = verifier(
            hr.pointer("/signature/verifier")
                .ok_or(bad("signature.verifier"))?,
        )?;
        let hash = details
            .scheme()
            .hash_algorithm()
            .ok_or(Error::UnsupportedKey(
                "hashedrekord needs a prehash-capable key",
            ))?;
        verify_digest(&key, hash, &digest, &sig)?;
        Ok((
            json!({
                "apiVersion": "0.0.2",
                "kind": "hashedrekord",
                "spec": {"hashedRekordV002": {
                    "data": {"algorithm": proto_hash_name(hash), "digest": digest_b64},
                    "signature": {"content": sig_b64, "verifier": norm}
                }}
            }),
            "hashedrekord",
        ))
    } else if let Some(d) = dsse {
        let payload = B64
            .decode(
                d.pointer("/envelope/payload")
                    .and_then(Value::as_str)
                    .ok_or(bad("payload"))?,
            )
            .map_err(|_| bad("payload"))?;
        let payload_type = d
            .pointer("/envelope/payloadType")
            .and_then(Value::as_str)
            .ok_or(bad("payloadType"))?;
        let verifiers = d
            .get("verifiers")
            .and_then(Value::as_array)
            .ok_or(bad("verifiers"))?
            .iter()
            .map(verifier)
            .collect::<Result<Vec<_>, _>>()?;
        let message = pae(payload_type, &payload);
        let mut signatures = Vec::new();
        for s in d
            .pointer("/envelope/signatures")
            .and_then(Value::as_array)
            .ok_or(bad("signatures"))?
        {
            let sig_b64 = s.get("sig").and_then(Value::as_str).ok_or(bad("sig"))?;
            let sig = B64.decode(sig_b64).map_err(|_| bad("sig"))?;
            let (norm, _, _) = verifiers
                .iter()
                .find(|(_, k, det)| k.verify(det.scheme(), &message, &sig).is_ok())
                .ok_or(Error::InvalidRequestSignature)?;
            signatures.push(json!({"content": sig_b64, "verifier": norm}));
        }
        if signatures.is_empty() {
            return Err(bad("signatures"));
        }
        Ok((
            json!({
                "apiVersion": "0.0.2",
                "kind": "dsse",
                "spec": {"dsseV002": {
                    "payloadHash": {"algorithm": "SHA2_256", "digest": B64.encode(HashAlgorithm::Sha256.hash(&payload).as_bytes())},
                    "signatures": signatures
                }}
            }),
            "dsse",
        ))
    } else {
        Err(bad("hashedRekordRequestV002 or dsseRequestV002"))
    }
}

/// C2SP signed-note key ID (full SHA-256) of an Ed25519 key: `SHA-256(name || 0x0A || 0x01 || key)`.
pub(crate) fn c2sp_log_id(name: &str, key: &PublicKey) -> [u8; 32] {
    let mut data = name.as_bytes().to_vec();
    data.push(b'\n');
    data.push(0x01);
    data.extend_from_slice(key.raw_public_key());
    let d = HashAlgorithm::Sha256.hash(&data);
    let mut out = [0u8; 32];
    for (o, b) in out.iter_mut().zip(d.as_bytes()) {
        *o = *b;
    }
    out
}

pub(crate) struct RekorV2 {
    pub log: Arc<Log>,
    pub key: Arc<KeySigner>,
    /// Checkpoint origin and note key name.
    pub origin: String,
    pub faults: Faults,
}

impl RekorV2 {
    pub fn log_id(&self) -> [u8; 32] {
        c2sp_log_id(&self.origin, self.key.public_key())
    }

    fn checkpoint(&self, size: u64) -> Result<(String, Hash), Error> {
        let forked = self.faults.hit(Service::RekorV2, &Fault::ForkedLog);
        let root = if forked && size > 0 {
            self.log.forked_root(size)?
        } else {
            self.log.root_at(size)?
        };
        let cp = Checkpoint::new(&self.origin, size, root, Vec::new())?;
        Ok((
            SignedNote::sign(&cp.to_text(), &self.origin, self.key.as_ref())?,
            root,
        ))
    }

    fn entry_json(&self, index: u64, kind: &str) -> Result<Value, Error> {
        let entry = self
            .log
            .entry(index)
            .ok_or(Error::CorruptState("missing entry"))?;
        let size = self.log.size();
        let (note, _) = self.checkpoint(size)?;
        let root = self.log.root_at(size)?;
        let mut hashes: Vec<String> = self
            .log
            .inclusion_proof(index, size)?
            .iter()
            .map(|h| B64.encode(h))
            .collect();
        if self
            .faults
            .hit(Service::RekorV2, &Fault::WrongInclusionProof)
        {
            match hashes.first_mut() {
                Some(h) => {
                    let mut raw = B64.decode(&*h).unwrap_or_default();
                    if let Some(b) = raw.first_mut() {
                        *b ^= 0xff;
                    }
                    *h = B64.encode(raw);
                }
                None => hashes.push(B64.encode([0x42u8; 32])),
            }
        }
        Ok(json!({
            "logIndex": index.to_string(),
            "logId": {"keyId": B64.encode(self.log_id())},
            "kindVersion": {"kind": kind, "version": "0.0.2"},
            "inclusionProof": {
                "logIndex": index.to_string(),
                "rootHash": B64.encode(root),
                "treeSize": size.to_string(),
                "hashes": hashes,
                "checkpoint": {"envelope": note}
            },
            "canonicalizedBody": B64.encode(&entry.body)
        }))
    }

    fn create(&self, req: &Request) -> Response {
        let Ok(v) = serde_json::from_slice::<Value>(&req.body) else {
            return Response::error(400, "malformed JSON");
        };
        let (mut body, kind) = match canonicalize(&v) {
            Ok(x) => x,
            Err(e) => return Response::error(400, &e.to_string()),
        };
        if self.faults.hit(Service::RekorV2, &Fault::AlteredEntry) {
            for ptr in [
                "/spec/hashedRekordV002/signature/content",
                "/spec/dsseV002/signatures/0/content",
            ] {
                if let Some(Value::String(s)) = body.pointer_mut(ptr) {
                    let mut raw = B64.decode(&*s).unwrap_or_default();
                    if let Some(b) = raw.last_mut() {
                        *b ^= 1;
                    }
                    *s = B64.encode(raw);
                }
            }
        }
        let index = match self.log.append(canonical_json(&body).into_bytes(), now()) {
            Ok(Appended::New(i)) | Ok(Appended::Duplicate(i)) => i,
            Err(e) => return Response::error(500, &e.to_string()),
        };
        match self.entry_json(index, kind) {
            Ok(v) => Response::json(201, &v),
            Err(e) => Response::error(500, &e.to_string()),
        }
    }

    fn tile(&self, rest: &str) -> Response {
        // rest: "<L>/<N>[.p/<W>]" or "entries/<N>[.p/<W>]"
        let (level, index_part) = match rest.split_once('/') {
            Some(x) => x,
            None => return Response::error(404, "not found"),
        };
        let (index_path, width) = match index_part.split_once(".p/") {
            Some((i, w)) => match w.parse::<u64>() {
                Ok(w) if (1..TILE_WIDTH).contains(&w) => (i, Some(w)),
                _ => return Response::error(400, "bad partial width"),
            },
            None => (index_part, None),
        };
        let mut digits = String::new();
        for (i, seg) in index_path.split('/').enumerate() {
            let last = i == index_path.split('/').count() - 1;
            let seg = if last {
                seg
            } else {
                seg.trim_start_matches('x')
            };
            if seg.len() != 3 || !seg.bytes().all(|b| b.is_ascii_digit()) {
                return Response::error(400, "bad tile index");
            }
            digits.push_str(seg);
        }
        let Ok(n) = digits.parse::<u64>() else {
            return Response::error(400, "bad tile index");
        };
        let want = width.unwrap_or(TILE_WIDTH);
        let size = self.log.size();
        if level == "entries" {
            let available = size.saturating_sub(n * TILE_WIDTH).min(TILE_WIDTH);
            if available < want {
                return Response::error(404, "tile not available");
            }
            let mut out = Vec::new();
            for i in n * TILE_WIDTH..n * TILE_WIDTH + want {
                let Some(e) = self.log.entry(i) else {
                    return Response::error(404, "tile not available");
                };
                let len = u16::try_from(e.body.len()).unwrap_or(u16::MAX);
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(&e.body);
            }
            return Response::bytes(200, "application/octet-stream", out);
        }
        let Ok(l) = level.parse::<u32>() else {
            return Response::error(404, "not found");
        };
        if l > 5 {
            return Response::error(404, "not found");
        }
        let node_level = l * TILE_HEIGHT;
        let nodes_at_level = size >> node_level;
        let available = nodes_at_level
            .saturating_sub(n * TILE_WIDTH)
            .min(TILE_WIDTH);
        if available < want {
            return Response::error(404, "tile not available");
        }
        let mut out = Vec::new();
        for i in n * TILE_WIDTH..n * TILE_WIDTH + want {
            match self.log.subtree_hash(node_level, i) {
                Ok(h) => out.extend_from_slice(&h),
                Err(e) => return Response::error(500, &e.to_string()),
            }
        }
        Response::bytes(200, "application/octet-stream", out)
    }
}

impl Handler for RekorV2 {
    fn handle(&self, req: &Request) -> Response {
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/api/v2/log/entries") => self.create(req),
            ("GET", "/checkpoint") | ("GET", "/api/v2/checkpoint") => {
                match self.checkpoint(self.log.size()) {
                    Ok((note, _)) => {
                        Response::bytes(200, "text/plain; charset=utf-8", note.into_bytes())
                    }
                    Err(e) => Response::error(500, &e.to_string()),
                }
            }
            ("GET", p) if p.starts_with("/tile/") || p.starts_with("/api/v2/tile/") => {
                let rest = p
                    .strip_prefix("/api/v2/tile/")
                    .or_else(|| p.strip_prefix("/tile/"))
                    .unwrap_or("");
                self.tile(rest)
            }
            _ => Response::error(404, "not found"),
        }
    }
}
