//! Rekor v1 (rekor-spec): `POST /api/v1/log/entries` for `hashedrekord` 0.0.1 and `dsse` 0.0.1
//! (the signatures in the entry are verified as Rekor does), entry retrieval by UUID and by
//! index, log info with a signed checkpoint, consistency proofs, and signed entry timestamps.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, KeySigner, PublicKey, SignatureScheme, Signer};
use sigstore_tlog::entry::canonical_json;
use sigstore_tlog::merkle::{leaf_hash, Hash};
use sigstore_tlog::note::{Checkpoint, SignedNote};
use sigstore_tlog::set::sign_set;

use crate::faults::{Fault, Faults, Service};
use crate::fulcio::default_scheme;
use crate::http::{Handler, Request, Response};
use crate::log::{Appended, Log};
use crate::pki::spki_sha256;
use crate::{now, Error};

/// Largest DSSE envelope accepted in a proposed entry (bytes).
pub const MAX_ENVELOPE_BYTES: usize = 4 * 1024 * 1024;

/// The public key in a PEM certificate or PEM public key, and the canonical (base64) PEM
/// Rekor records for it: re-encoded with LF line endings and 64-column lines, as Rekor's
/// canonicalization does (clients rebuild the body from their own PEM and compare).
pub(crate) fn key_from_pem(pem_bytes: &[u8]) -> Result<(PublicKey, String), Error> {
    let block = pem::parse(pem_bytes).map_err(|_| Error::MalformedRequest { what: "PEM" })?;
    let is_cert = block.tag() == "CERTIFICATE";
    let key = if is_cert {
        let (_, cert) = x509_parser::parse_x509_certificate(block.contents()).map_err(|_| {
            Error::MalformedRequest {
                what: "certificate",
            }
        })?;
        PublicKey::from_spki_der(cert.tbs_certificate.subject_pki.raw)?
    } else {
        PublicKey::from_spki_der(block.contents())?
    };
    let tag = if is_cert { "CERTIFICATE" } else { "PUBLIC KEY" };
    let canonical = B64.encode(crate::pki::pem_lf(tag, block.contents()));
    Ok((key, canonical))
}

/// The key in a DER certificate.
pub(crate) fn key_from_cert_der(der: &[u8]) -> Result<PublicKey, Error> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|_| Error::MalformedRequest {
            what: "certificate",
        })?;
    Ok(PublicKey::from_spki_der(
        cert.tbs_certificate.subject_pki.raw,
    )?)
}

/// Verify a signature over a precomputed digest (ECDSA, RSA) as Rekor does for hashedrekord.
pub(crate) fn verify_digest(
    key: &PublicKey,
    hash: HashAlgorithm,
    digest: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    let scheme = match default_scheme(key) {
        SignatureScheme::Ecdsa(_) => SignatureScheme::Ecdsa(hash),
        SignatureScheme::RsaPkcs1v15(_) => SignatureScheme::RsaPkcs1v15(hash),
        _ => {
            return Err(Error::UnsupportedKey(
                "hashedrekord needs a prehash-capable key",
            ))
        }
    };
    key.verify_prehashed(scheme, digest, sig)
        .map_err(|_| Error::InvalidRequestSignature)
}

/// DSSE pre-authentication encoding (DSSE v1).
pub(crate) fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

fn bad(what: &'static str) -> Error {
    Error::MalformedRequest { what }
}

fn str_at<'a>(v: &'a Value, ptr: &'static str) -> Result<&'a str, Error> {
    v.pointer(ptr).and_then(Value::as_str).ok_or(bad(ptr))
}

/// Validate a proposed entry and build its canonical body value.
fn canonicalize(proposed: &Value) -> Result<Value, Error> {
    let kind = str_at(proposed, "/kind")?;
    let version = str_at(proposed, "/apiVersion")?;
    match (kind, version) {
        ("hashedrekord", "0.0.1") => {
            let alg_name = str_at(proposed, "/spec/data/hash/algorithm")?;
            let hash = HashAlgorithm::from_name(alg_name).ok_or(bad("data.hash.algorithm"))?;
            let digest_hex = str_at(proposed, "/spec/data/hash/value")?;
            let digest = hex::decode(digest_hex).map_err(|_| bad("data.hash.value"))?;
            let sig_b64 = str_at(proposed, "/spec/signature/content")?;
            let sig = B64.decode(sig_b64).map_err(|_| bad("signature.content"))?;
            let key_b64 = str_at(proposed, "/spec/signature/publicKey/content")?;
            let key_pem = B64.decode(key_b64).map_err(|_| bad("publicKey.content"))?;
            let (key, key_b64) = key_from_pem(&key_pem)?;
            verify_digest(&key, hash, &digest, &sig)?;
            Ok(json!({
                "apiVersion": "0.0.1",
                "kind": "hashedrekord",
                "spec": {
                    "data": {"hash": {"algorithm": hash.name(), "value": hex::encode(&digest)}},
                    "signature": {"content": sig_b64, "publicKey": {"content": key_b64}}
                }
            }))
        }
        ("dsse", "0.0.1") => {
            let env_text = str_at(proposed, "/spec/proposedContent/envelope")?;
            if env_text.len() > MAX_ENVELOPE_BYTES {
                return Err(bad("envelope too large"));
            }
            let env: Value = serde_json::from_str(env_text).map_err(|_| bad("envelope"))?;
            let payload = B64
                .decode(str_at(&env, "/payload")?)
                .map_err(|_| bad("envelope.payload"))?;
            let payload_type = str_at(&env, "/payloadType")?;
            let verifiers: Vec<(String, PublicKey)> = proposed
                .pointer("/spec/proposedContent/verifiers")
                .and_then(Value::as_array)
                .ok_or(bad("verifiers"))?
                .iter()
                .map(|v| {
                    let b64 = v.as_str().ok_or(bad("verifier"))?;
                    let pem_bytes = B64.decode(b64).map_err(|_| bad("verifier"))?;
                    let (key, canonical) = key_from_pem(&pem_bytes)?;
                    Ok((canonical, key))
                })
                .collect::<Result<_, Error>>()?;
            let message = pae(payload_type, &payload);
            let mut signatures = Vec::new();
            for s in env
                .get("signatures")
                .and_then(Value::as_array)
                .ok_or(bad("signatures"))?
            {
                let sig_b64 = s.get("sig").and_then(Value::as_str).ok_or(bad("sig"))?;
                let sig = B64.decode(sig_b64).map_err(|_| bad("sig"))?;
                let verifier = verifiers
                    .iter()
                    .find(|(_, k)| k.verify(default_scheme(k), &message, &sig).is_ok())
                    .ok_or(Error::InvalidRequestSignature)?;
                signatures.push(json!({"signature": sig_b64, "verifier": verifier.0}));
            }
            if signatures.is_empty() {
                return Err(bad("signatures"));
            }
            Ok(json!({
                "apiVersion": "0.0.1",
                "kind": "dsse",
                "spec": {
                    "envelopeHash": {"algorithm": "sha256", "value": HashAlgorithm::Sha256.hash(env_text.as_bytes()).to_hex()},
                    "payloadHash": {"algorithm": "sha256", "value": HashAlgorithm::Sha256.hash(&payload).to_hex()},
                    "signatures": signatures
                }
            }))
        }
        _ => Err(bad("unsupported kind/apiVersion")),
    }
}

/// Alter a canonical body so it differs from the submission (for the `AlteredEntry` fault).
fn alter(body: &mut Value) {
    let flip = |s: &str| {
        let mut raw = B64.decode(s).unwrap_or_default();
        if let Some(b) = raw.last_mut() {
            *b ^= 0x01;
        } else {
            raw.push(0);
        }
        B64.encode(raw)
    };
    if let Some(Value::String(s)) = body.pointer_mut("/spec/signature/content") {
        *s = flip(s);
    } else if let Some(Value::String(s)) = body.pointer_mut("/spec/signatures/0/signature") {
        *s = flip(s);
    }
}

pub(crate) struct RekorV1 {
    pub log: Arc<Log>,
    pub key: Arc<KeySigner>,
    /// Host part of the checkpoint origin and the note key name.
    pub host: String,
    pub tree_id: i64,
    pub faults: Faults,
}

impl RekorV1 {
    fn log_id(&self) -> [u8; 32] {
        spki_sha256(self.key.public_key())
    }

    fn origin(&self) -> String {
        format!("{} - {}", self.host, self.tree_id)
    }

    /// The signed checkpoint for `size` (forked when the fault is active).
    fn checkpoint(&self, size: u64, forked: bool) -> Result<(String, Hash), Error> {
        let root = if forked && size > 0 {
            self.log.forked_root(size)?
        } else {
            self.log.root_at(size)?
        };
        let cp = Checkpoint::new(&self.origin(), size, root, Vec::new())?;
        let note = SignedNote::sign(&cp.to_text(), &self.host, self.key.as_ref())?;
        Ok((note, root))
    }

    fn entry_json(&self, index: u64) -> Result<(String, Value), Error> {
        let entry = self
            .log
            .entry(index)
            .ok_or(Error::CorruptState("missing entry"))?;
        let size = self.log.size();
        let forked = self.faults.hit(Service::RekorV1, &Fault::ForkedLog);
        let (checkpoint, _) = self.checkpoint(size, forked)?;
        let root = self.log.root_at(size)?;
        let mut hashes: Vec<String> = self
            .log
            .inclusion_proof(index, size)?
            .iter()
            .map(hex::encode)
            .collect();
        if self
            .faults
            .hit(Service::RekorV1, &Fault::WrongInclusionProof)
        {
            match hashes.first_mut() {
                Some(h) => {
                    let mut raw = hex::decode(&*h).unwrap_or_default();
                    if let Some(b) = raw.first_mut() {
                        *b ^= 0xff;
                    }
                    *h = hex::encode(raw);
                }
                None => hashes.push(hex::encode([0x42u8; 32])),
            }
        }
        let log_id = self.log_id();
        let log_index = i64::try_from(index).map_err(|_| Error::CorruptState("index"))?;
        let set = sign_set(
            &entry.body,
            entry.integrated_time,
            &log_id,
            log_index,
            self.key.as_ref(),
        )?;
        let uuid = hex::encode(leaf_hash(&entry.body));
        Ok((
            uuid,
            json!({
                "body": B64.encode(&entry.body),
                "integratedTime": entry.integrated_time,
                "logID": hex::encode(log_id),
                "logIndex": index,
                "verification": {
                    "signedEntryTimestamp": B64.encode(set),
                    "inclusionProof": {
                        "checkpoint": checkpoint,
                        "hashes": hashes,
                        "logIndex": index,
                        "rootHash": hex::encode(root),
                        "treeSize": size
                    }
                }
            }),
        ))
    }

    fn entry_response(&self, status: u16, index: u64) -> Response {
        match self.entry_json(index) {
            Ok((uuid, v)) => {
                let mut m = serde_json::Map::new();
                m.insert(uuid.clone(), v);
                Response::json(status, &Value::Object(m))
                    .with_header("Location", &format!("/api/v1/log/entries/{uuid}"))
                    .with_header("ETag", &uuid)
            }
            Err(e) => Response::error(500, &e.to_string()),
        }
    }

    fn create(&self, req: &Request) -> Response {
        let proposed: Value = match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(_) => return Response::error(400, "malformed JSON"),
        };
        let mut body = match canonicalize(&proposed) {
            Ok(b) => b,
            Err(e) => return Response::error(400, &e.to_string()),
        };
        if self.faults.hit(Service::RekorV1, &Fault::AlteredEntry) {
            alter(&mut body);
        }
        match self.log.append(canonical_json(&body).into_bytes(), now()) {
            Ok(Appended::New(i)) => self.entry_response(201, i),
            Ok(Appended::Duplicate(i)) => {
                let uuid = self
                    .log
                    .entry(i)
                    .map(|e| hex::encode(leaf_hash(&e.body)))
                    .unwrap_or_default();
                Response::error(
                    409,
                    "an equivalent entry already exists in the transparency log",
                )
                .with_header("Location", &format!("/api/v1/log/entries/{uuid}"))
            }
            Err(e) => Response::error(500, &e.to_string()),
        }
    }

    fn log_info(&self) -> Response {
        let size = self.log.size();
        let forked = self.faults.hit(Service::RekorV1, &Fault::ForkedLog);
        match self.checkpoint(size, forked) {
            Ok((note, root)) => Response::json(
                200,
                &json!({
                    "rootHash": hex::encode(root),
                    "treeSize": size,
                    "signedTreeHead": note,
                    "treeID": self.tree_id.to_string(),
                    "inactiveShards": []
                }),
            ),
            Err(e) => Response::error(500, &e.to_string()),
        }
    }

    fn proof(&self, req: &Request) -> Response {
        let parse = |k: &str| req.query(k).and_then(|v| v.parse::<u64>().ok());
        let (Some(first), Some(last)) = (parse("firstSize").or(Some(1)), parse("lastSize")) else {
            return Response::error(400, "lastSize required");
        };
        if first > last || last > self.log.size() {
            return Response::error(400, "firstSize must be <= lastSize <= tree size");
        }
        let proof = self.log.consistency_proof(first, last);
        let root = self.log.root_at(last);
        match (proof, root) {
            (Ok(p), Ok(r)) => Response::json(
                200,
                &json!({
                    "rootHash": hex::encode(r),
                    "hashes": p.iter().map(hex::encode).collect::<Vec<_>>()
                }),
            ),
            _ => Response::error(400, "invalid sizes"),
        }
    }
}

impl Handler for RekorV1 {
    fn handle(&self, req: &Request) -> Response {
        let path = req.path.as_str();
        match (req.method.as_str(), path) {
            ("POST", "/api/v1/log/entries") => self.create(req),
            ("GET", "/api/v1/log/entries") => {
                match req.query("logIndex").and_then(|i| i.parse::<u64>().ok()) {
                    Some(i) if i < self.log.size() => self.entry_response(200, i),
                    _ => Response::error(404, "entry not found"),
                }
            }
            ("GET", "/api/v1/log") => self.log_info(),
            ("GET", "/api/v1/log/proof") => self.proof(req),
            ("GET", "/api/v1/log/publicKey") => Response::bytes(
                200,
                "application/x-pem-file",
                self.key.public_key().to_pem().into_bytes(),
            ),
            ("GET", p) if p.starts_with("/api/v1/log/entries/") => {
                let uuid = p.trim_start_matches("/api/v1/log/entries/");
                let tail = uuid.get(uuid.len().saturating_sub(64)..).unwrap_or("");
                let index = hex::decode(tail)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                    .and_then(|h| self.log.find(&h));
                match index {
                    Some(i) => self.entry_response(200, i),
                    None => Response::error(404, "entry not found"),
                }
            }
            _ => Response::error(404, "not found"),
        }
    }
}
