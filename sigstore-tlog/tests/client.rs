#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Rekor v1 / v2 clients against an in-process loopback HTTP server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::json;
use sigstore_crypto::{KeySigner, Signer};
use sigstore_tlog::client::{tile_index_path, ClientConfig, RekorV1Client, RekorV2Client};
use sigstore_tlog::merkle::{leaf_hash, verify_consistency, verify_inclusion};
use sigstore_tlog::note::{verify_checkpoint, Checkpoint, ExpectedOrigin, LogKey, SignedNote};
use sigstore_tlog::set::{sign_set, verify_set};
use sigstore_tlog::{Error, MerkleTree};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

struct Request {
    method: String,
    path: String,
    #[allow(dead_code)]
    body: Vec<u8>,
}

#[derive(Default)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    delay: Duration,
    /// Claim this Content-Length instead of the real one (to truncate).
    claimed_length: Option<usize>,
    /// Send no Content-Length (close-delimited body).
    omit_length: bool,
}

fn ok(body: impl Into<Vec<u8>>) -> Reply {
    Reply {
        status: 200,
        body: body.into(),
        ..Reply::default()
    }
}

fn status(code: u16) -> Reply {
    Reply {
        status: code,
        body: b"{}".to_vec(),
        ..Reply::default()
    }
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

fn handle(mut stream: TcpStream, handler: Arc<Handler>, hits: Arc<AtomicUsize>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; len];
    let _ = reader.read_exact(&mut body);
    let n = hits.fetch_add(1, Ordering::SeqCst);
    let reply = handler(&Request { method, path, body }, n);
    std::thread::sleep(reply.delay);
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    if !reply.omit_length {
        head.push_str(&format!(
            "Content-Length: {}\r\n",
            reply.claimed_length.unwrap_or(reply.body.len())
        ));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
}

/// Start a loopback server; returns its base URL and the request counter.
fn serve(
    handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handler: Arc<Handler> = Arc::new(handler);
    let hits = Arc::new(AtomicUsize::new(0));
    let h2 = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (h, c) = (handler.clone(), h2.clone());
            std::thread::spawn(move || handle(stream, h, c));
        }
    });
    (format!("http://{addr}"), hits)
}

fn fast_config() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(5),
        max_retries: 2,
        initial_backoff: Duration::from_millis(10),
        ..ClientConfig::default()
    }
}

// ---------- Rekor v1 ----------

struct V1Log {
    tree: MerkleTree,
    bodies: Vec<Vec<u8>>,
    signer: KeySigner,
    log_id: Vec<u8>,
}

impl V1Log {
    fn new(n: usize) -> Self {
        let signer = KeySigner::generate_p256().unwrap();
        let log_id = sigstore_crypto::HashAlgorithm::Sha256
            .hash(signer.public_key().spki_der())
            .as_bytes()
            .to_vec();
        let mut tree = MerkleTree::new();
        let mut bodies = Vec::new();
        for i in 0..n {
            let body = format!("{{\"entry\":{i}}}").into_bytes();
            tree.append(&body).unwrap();
            bodies.push(body);
        }
        V1Log {
            tree,
            bodies,
            signer,
            log_id,
        }
    }

    fn checkpoint(&self) -> String {
        let size = self.tree.size();
        let text = Checkpoint::new("rekor.test - 42", size, self.tree.root().unwrap(), vec![])
            .unwrap()
            .to_text();
        SignedNote::sign(&text, "rekor.test", &self.signer).unwrap()
    }

    fn entry_json(&self, i: u64) -> serde_json::Value {
        let body = &self.bodies[i as usize];
        let size = self.tree.size();
        let set = sign_set(
            body,
            1_700_000_000 + i as i64,
            &self.log_id,
            i as i64,
            &self.signer,
        )
        .unwrap();
        let uuid = hex::encode(leaf_hash(body));
        json!({ uuid: {
            "body": B64.encode(body),
            "integratedTime": 1_700_000_000 + i as i64,
            "logID": hex::encode(&self.log_id),
            "logIndex": i,
            "verification": {
                "signedEntryTimestamp": B64.encode(set),
                "inclusionProof": {
                    "logIndex": i,
                    "treeSize": size,
                    "rootHash": hex::encode(self.tree.root().unwrap()),
                    "hashes": self.tree.inclusion_proof(i, size).unwrap().iter().map(hex::encode).collect::<Vec<_>>(),
                    "checkpoint": self.checkpoint(),
                }
            }
        }})
    }
}

#[test]
fn rekor_v1_round_trip() {
    let log = Arc::new(V1Log::new(20));
    let l = log.clone();
    let (base, _) = serve(move |req, _| {
        let p = req.path.as_str();
        if req.method == "POST" && p == "/api/v1/log/entries" {
            let mut r = ok(l.entry_json(19).to_string());
            r.status = 201;
            return r;
        }
        if let Some(i) = p.strip_prefix("/api/v1/log/entries?logIndex=") {
            return ok(l.entry_json(i.parse().unwrap()).to_string());
        }
        if let Some(uuid) = p.strip_prefix("/api/v1/log/entries/") {
            let i = l
                .bodies
                .iter()
                .position(|b| hex::encode(leaf_hash(b)) == uuid)
                .unwrap();
            return ok(l.entry_json(i as u64).to_string());
        }
        if p == "/api/v1/log" {
            return ok(json!({
                "rootHash": hex::encode(l.tree.root().unwrap()),
                "treeSize": l.tree.size(),
                "signedTreeHead": l.checkpoint(),
                "treeID": "42"
            })
            .to_string());
        }
        if let Some(q) = p.strip_prefix("/api/v1/log/proof?") {
            let mut first = 0;
            let mut last = 0;
            for kv in q.split('&') {
                let (k, v) = kv.split_once('=').unwrap();
                match k {
                    "firstSize" => first = v.parse().unwrap(),
                    "lastSize" => last = v.parse().unwrap(),
                    _ => {}
                }
            }
            return ok(json!({
                "rootHash": hex::encode(l.tree.root_at(last).unwrap()),
                "hashes": l.tree.consistency_proof(first, last).unwrap().iter().map(hex::encode).collect::<Vec<_>>()
            }).to_string());
        }
        status(404)
    });
    let client = RekorV1Client::new(&base, fast_config());
    let key = LogKey::new("rekor.test", log.signer.public_key()).unwrap();
    let origin = ExpectedOrigin::RekorV1 {
        host: "rekor.test".into(),
    };

    let created = client
        .create_entry(&json!({"kind": "hashedrekord"}))
        .unwrap();
    assert_eq!(created.log_index, 19);
    for e in [created, client.get_entry_by_index(7).unwrap()] {
        verify_set(
            &e.body,
            e.integrated_time,
            &e.log_id,
            e.log_index,
            e.signed_entry_timestamp.as_ref().unwrap(),
            log.signer.public_key(),
        )
        .unwrap();
        let p = e.inclusion_proof.unwrap();
        let cp =
            verify_checkpoint(&p.checkpoint, &origin, std::slice::from_ref(&key), None).unwrap();
        cp.verify_inclusion(
            p.log_index as u64,
            p.tree_size as u64,
            &leaf_hash(&e.body),
            &p.hashes,
        )
        .unwrap();
    }
    let by_uuid = client
        .get_entry_by_uuid(&hex::encode(leaf_hash(&log.bodies[3])))
        .unwrap();
    assert_eq!(by_uuid.log_index, 3);
    let info = client.log_info().unwrap();
    assert_eq!(info.tree_size, 20);
    let cp = verify_checkpoint(&info.signed_tree_head, &origin, &[key], None).unwrap();
    assert_eq!(cp.root_hash(), &info.root_hash);
    let proof = client.consistency_proof(5, 20).unwrap();
    verify_consistency(
        5,
        20,
        &proof.hashes,
        &log.tree.root_at(5).unwrap(),
        &info.root_hash,
    )
    .unwrap();
    // A non-hex UUID is refused before any request.
    assert!(matches!(
        client.get_entry_by_uuid("../x"),
        Err(Error::BadResponse { .. })
    ));
}

// ---------- Rekor v2 ----------

fn parse_tile_path(rest: &str) -> (u64, Option<u16>) {
    let (idx, width) = match rest.split_once(".p/") {
        Some((i, w)) => (i, Some(w.parse().unwrap())),
        None => (rest, None),
    };
    let digits: String = idx.split('/').map(|g| g.trim_start_matches('x')).collect();
    (digits.parse().unwrap(), width)
}

#[test]
fn tile_paths() {
    assert_eq!(tile_index_path(0), "000");
    assert_eq!(tile_index_path(5), "005");
    assert_eq!(tile_index_path(1234067), "x001/x234/067");
    assert_eq!(parse_tile_path("x001/x234/067.p/7"), (1234067, Some(7)));
}

#[test]
fn rekor_v2_tiles_checkpoint_and_proofs() {
    const N: u64 = 70_000; // spans a level-2 tile boundary (65 536 leaves).
    let signer = KeySigner::generate_ed25519().unwrap();
    let mut tree = MerkleTree::new();
    let mut leaves = Vec::new();
    for i in 0..N {
        let data = format!("leaf-{i}").into_bytes();
        tree.append(&data).unwrap();
        leaves.push(data);
    }
    let text = Checkpoint::new("log.test", N, tree.root().unwrap(), vec![])
        .unwrap()
        .to_text();
    let note = SignedNote::sign(&text, "log.test", &signer).unwrap();
    let state = Arc::new((tree, leaves, note));
    let s = state.clone();
    let (base, hits) = serve(move |req, _| {
        let (tree, leaves, note) = &*s;
        let p = req.path.as_str();
        if p == "/checkpoint" {
            return ok(note.clone());
        }
        if let Some(rest) = p.strip_prefix("/tile/entries/") {
            let (idx, w) = parse_tile_path(rest);
            let mut out = Vec::new();
            for i in idx * 256..idx * 256 + u64::from(w.unwrap_or(256)) {
                let d = &leaves[i as usize];
                out.extend_from_slice(&(d.len() as u16).to_be_bytes());
                out.extend_from_slice(d);
            }
            return ok(out);
        }
        if p == "/tile/3/000" {
            return ok(vec![0u8; 10]);
        }
        if let Some(rest) = p.strip_prefix("/tile/") {
            let (level, rest) = rest.split_once('/').unwrap();
            let (idx, w) = parse_tile_path(rest);
            let hashes = tree
                .tile(level.parse().unwrap(), idx, w.unwrap_or(256), N)
                .unwrap();
            return ok(hashes.concat());
        }
        if req.method == "POST" && p == "/api/v2/log/entries" {
            let i = 12_345u64;
            return ok(json!({
                "logIndex": i.to_string(),
                "logId": {"keyId": B64.encode([1u8; 32])},
                "kindVersion": {"kind": "hashedrekord", "version": "0.0.2"},
                "canonicalizedBody": B64.encode(&leaves[i as usize]),
                "inclusionProof": {
                    "logIndex": i.to_string(),
                    "rootHash": B64.encode(tree.root().unwrap()),
                    "treeSize": N.to_string(),
                    "hashes": tree.inclusion_proof(i, N).unwrap().iter().map(|h| B64.encode(h)).collect::<Vec<_>>(),
                    "checkpoint": {"envelope": note}
                }
            }).to_string());
        }
        status(404)
    });
    let client = RekorV2Client::new(&base, fast_config());
    let key = LogKey::new("log.test", signer.public_key()).unwrap();
    let origin = ExpectedOrigin::Exact("log.test".into());
    let note = client.checkpoint().unwrap();
    let cp = verify_checkpoint(
        note.to_note_string(),
        &origin,
        std::slice::from_ref(&key),
        None,
    )
    .unwrap();
    assert_eq!(cp.tree_size(), N);
    let (tree, leaves, _) = &*state;
    for index in [0u64, 1, 255, 256, 65_535, 65_536, 69_999] {
        let before = hits.load(Ordering::SeqCst);
        let proof = client.inclusion_proof(index, N).unwrap();
        assert!(
            hits.load(Ordering::SeqCst) - before <= 8,
            "too many tile fetches"
        );
        cp.verify_inclusion(index, N, &leaf_hash(&leaves[index as usize]), &proof)
            .unwrap();
    }
    let proof = client.consistency_proof(1000, N).unwrap();
    verify_consistency(
        1000,
        N,
        &proof,
        &tree.root_at(1000).unwrap(),
        cp.root_hash(),
    )
    .unwrap();
    // Entry bundles, full and partial.
    let full = client.entry_bundle(1, 256).unwrap();
    assert_eq!(full[0], leaves[256]);
    let partial = client.entry_bundle(N / 256, (N % 256) as u16).unwrap();
    assert_eq!(partial.last().unwrap(), leaves.last().unwrap());
    // Create entry.
    let e = client
        .create_entry(&json!({"hashedRekordRequestV002": {}}))
        .unwrap();
    assert_eq!(e.log_index, 12_345);
    assert_eq!(
        (e.kind.as_str(), e.version.as_str()),
        ("hashedrekord", "0.0.2")
    );
    verify_inclusion(
        12_345,
        N,
        &leaf_hash(&e.canonicalized_body),
        &e.inclusion_proof.hashes,
        cp.root_hash(),
    )
    .unwrap();
    // A tile of the wrong length is rejected.
    assert!(matches!(
        client.tile(3, 0, 256),
        Err(Error::BadResponse {
            reason: "tile has the wrong length",
            ..
        })
    ));
    assert!(matches!(
        client.tile(0, 0, 0),
        Err(Error::BadResponse { .. })
    ));
}

// ---------- failure modes ----------

#[test]
fn retries_after_500_then_succeeds() {
    let (base, hits) = serve(|_, n| {
        if n == 0 {
            status(500)
        } else {
            ok("log.x\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u{2014} log.x AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
        }
    });
    let client = RekorV2Client::new(&base, fast_config());
    client.checkpoint().unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[test]
fn always_500_gives_up_after_bounded_retries() {
    let (base, hits) = serve(|_, _| status(503));
    let client = RekorV1Client::new(&base, fast_config());
    let err = client.log_info().unwrap_err();
    assert!(
        matches!(err, Error::HttpStatus { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3, "1 attempt + 2 retries");
}

#[test]
fn client_errors_are_not_retried() {
    let (base, hits) = serve(|_, _| status(404));
    let client = RekorV1Client::new(&base, fast_config());
    assert!(matches!(
        client.get_entry_by_index(1),
        Err(Error::HttpStatus { status: 404, .. })
    ));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[test]
fn slow_response_hits_the_deadline() {
    let (base, _) = serve(|_, _| Reply {
        delay: Duration::from_secs(3),
        ..ok("{}")
    });
    let config = ClientConfig {
        timeout: Duration::from_millis(300),
        ..fast_config()
    };
    let client = RekorV1Client::new(&base, config);
    let start = Instant::now();
    let err = client.log_info().unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn oversized_bodies_rejected_while_reading() {
    let big = vec![b'a'; 2 * 1024 * 1024];
    let b1 = big.clone();
    let (base, _) = serve(move |_, _| ok(b1.clone()));
    let client = RekorV2Client::new(&base, fast_config());
    assert!(
        matches!(client.checkpoint(), Err(Error::ResponseTooLarge { max }) if max == sigstore_tlog::client::MAX_RESPONSE_BYTES)
    );
    // Without a Content-Length header the limit is enforced on the stream.
    let (base, _) = serve(move |_, _| Reply {
        omit_length: true,
        ..ok(big.clone())
    });
    let client = RekorV2Client::new(&base, fast_config());
    assert!(matches!(
        client.checkpoint(),
        Err(Error::ResponseTooLarge { .. })
    ));
}

#[test]
fn truncated_body_is_a_transport_error_after_retries() {
    let (base, hits) = serve(|_, _| Reply {
        claimed_length: Some(1000),
        ..ok("{\"rootHash\":")
    });
    let client = RekorV1Client::new(&base, fast_config());
    let err = client.log_info().unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[test]
fn wrong_json_is_a_typed_error() {
    let (base, _) = serve(|req, _| {
        if req.path == "/api/v1/log" {
            ok("not json")
        } else {
            ok("{\"rootHash\":\"zz\",\"treeSize\":-1}")
        }
    });
    let client = RekorV1Client::new(&base, fast_config());
    assert!(matches!(
        client.log_info(),
        Err(Error::BadResponse {
            reason: "response is not JSON",
            ..
        })
    ));
    assert!(matches!(
        client.consistency_proof(1, 2),
        Err(Error::BadResponse { .. })
    ));
    assert!(matches!(
        client.get_entry_by_index(0),
        Err(Error::BadResponse { .. })
    ));
}

#[test]
fn connection_refused_is_retried_then_reported() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = RekorV1Client::new(&format!("http://127.0.0.1:{port}"), fast_config());
    let start = Instant::now();
    assert!(matches!(client.log_info(), Err(Error::Transport { .. })));
    assert!(start.elapsed() < Duration::from_secs(3));
}
