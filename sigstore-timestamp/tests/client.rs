//! The TSA client against an in-process loopback HTTP server that signs real tokens with a
//! test TSA key.
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::builder::*;
use sigstore_crypto::HashAlgorithm;
use sigstore_timestamp::client::{TimeStampRequest, TsaClient, MAX_RESPONSE_BYTES};
use sigstore_timestamp::{Error, TimeStampToken, TimestampAuthority};

const SIG: &[u8] = b"the bundle signature";

#[derive(Clone, Debug)]
enum Behave {
    Sign,
    WrongNonce,
    WrongImprint,
    Status(u16),
    NotGranted,
    Oversized,
    Hang(Duration),
}

/// (Content-Type, body) of every request the server received.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

struct Server {
    url: String,
    seen: Seen,
}

fn read_tlv(b: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = b[0];
    let (len, hdr) = if b[1] < 0x80 {
        (b[1] as usize, 2)
    } else {
        let n = (b[1] & 0x7f) as usize;
        (
            b[2..2 + n]
                .iter()
                .fold(0usize, |a, x| (a << 8) | *x as usize),
            2 + n,
        )
    };
    (tag, &b[hdr..hdr + len], &b[hdr + len..])
}

/// (imprint algorithm, imprint, nonce) of a DER TimeStampReq.
fn parse_request(der: &[u8]) -> (HashAlgorithm, Vec<u8>, u64) {
    let (_, body, _) = read_tlv(der);
    let (_, _version, rest) = read_tlv(body);
    let (_, mi, rest) = read_tlv(rest);
    let (_, nonce, rest) = read_tlv(rest);
    let (tag, cert_req, _) = read_tlv(rest);
    assert_eq!((tag, cert_req), (0x01, &[0xff][..]), "certReq TRUE");
    let (_, alg, rest) = read_tlv(mi);
    let (_, oid_bytes, _) = read_tlv(alg);
    let (_, imprint, _) = read_tlv(rest);
    let alg = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ]
    .into_iter()
    .find(|a| oid(hash_oid(*a))[2..] == *oid_bytes)
    .unwrap();
    let nonce = nonce.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x));
    (alg, imprint.to_vec(), nonce)
}

fn read_http(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let mut content_type = String::new();
    let mut len = 0usize;
    for line in head.lines() {
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
        if let Some(v) = lower.strip_prefix("content-type:") {
            content_type = v.trim().to_string();
        }
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    Some((content_type, body))
}

fn respond(stream: &mut TcpStream, status: u16, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

/// Start a loopback TSA that answers each request with the next scripted behaviour
/// (the last one repeats).
fn serve(tsa: TestTsa, script: Vec<Behave>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1/timestamp", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let Some((ct, body)) = read_http(&mut stream) else {
                continue;
            };
            seen2.lock().unwrap().push((ct, body.clone()));
            let behave = {
                let mut s = script.lock().unwrap();
                if s.len() > 1 {
                    s.pop_front().unwrap()
                } else {
                    s.front().cloned().unwrap()
                }
            };
            let (alg, imprint, nonce) = parse_request(&body);
            let mut spec = tsa.spec(SIG);
            spec.imprint_alg = alg;
            spec.imprint = imprint;
            spec.nonce = Some(nonce);
            match behave {
                Behave::Sign => respond(&mut stream, 200, &spec.response()),
                Behave::WrongNonce => {
                    spec.nonce = Some(nonce ^ 1);
                    respond(&mut stream, 200, &spec.response())
                }
                Behave::WrongImprint => {
                    spec.imprint = alg.hash(b"something else").as_bytes().to_vec();
                    respond(&mut stream, 200, &spec.response())
                }
                Behave::Status(code) => respond(&mut stream, code, b"busy"),
                Behave::NotGranted => {
                    spec.status = 2;
                    respond(&mut stream, 200, &spec.response())
                }
                Behave::Oversized => {
                    respond(&mut stream, 200, &vec![0x30; MAX_RESPONSE_BYTES + 10])
                }
                Behave::Hang(d) => {
                    std::thread::sleep(d);
                    respond(&mut stream, 200, &spec.response())
                }
            }
        }
    });
    Server { url, seen }
}

fn setup(script: Vec<Behave>) -> (Server, TimestampAuthority) {
    let tsa = TestTsa::new(&LeafSpec::default());
    let auth = tsa.authority();
    (serve(tsa, script), auth)
}

fn client(url: &str) -> TsaClient {
    TsaClient::new(url)
        .with_timeout(Duration::from_secs(10))
        .with_retries(3, Duration::from_millis(20))
}

#[test]
fn signs_and_verifies() {
    let (server, auth) = setup(vec![Behave::Sign]);
    let ts = client(&server.url)
        .timestamp(SIG, std::slice::from_ref(&auth))
        .unwrap();
    assert_eq!(ts.verified().time(), 1_750_000_000);
    // What we keep is a TimeStampResp that verifies again offline.
    sigstore_timestamp::verify_timestamp(ts.response_der(), SIG, &[auth]).unwrap();
    let token = TimeStampToken::from_der(ts.response_der()).unwrap();
    assert!(token.tst_info().nonce().is_some());
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "application/timestamp-query");
}

#[test]
fn sha384_imprint() {
    let (server, auth) = setup(vec![Behave::Sign]);
    let ts = client(&server.url)
        .with_hash_algorithm(HashAlgorithm::Sha384)
        .timestamp(SIG, &[auth])
        .unwrap();
    assert_eq!(ts.verified().hash_algorithm(), HashAlgorithm::Sha384);
}

#[test]
fn wrong_nonce() {
    let (server, auth) = setup(vec![Behave::WrongNonce]);
    let r = client(&server.url).timestamp(SIG, &[auth]);
    assert!(matches!(r, Err(Error::NonceMismatch)), "{r:?}");
}

#[test]
fn wrong_imprint() {
    let (server, auth) = setup(vec![Behave::WrongImprint]);
    let r = client(&server.url).timestamp(SIG, &[auth]);
    assert!(matches!(r, Err(Error::RequestImprintMismatch)), "{r:?}");
}

#[test]
fn server_errors_then_ok() {
    let (server, auth) = setup(vec![Behave::Status(503), Behave::Status(500), Behave::Sign]);
    client(&server.url).timestamp(SIG, &[auth]).unwrap();
    assert_eq!(server.seen.lock().unwrap().len(), 3);
}

#[test]
fn server_errors_bounded_retries() {
    let (server, auth) = setup(vec![Behave::Status(502)]);
    let r = client(&server.url)
        .with_retries(2, Duration::from_millis(10))
        .timestamp(SIG, &[auth]);
    assert!(matches!(r, Err(Error::HttpStatus { status: 502 })), "{r:?}");
    assert_eq!(server.seen.lock().unwrap().len(), 3);
}

#[test]
fn client_errors_are_not_retried() {
    let (server, auth) = setup(vec![Behave::Status(400)]);
    let r = client(&server.url).timestamp(SIG, &[auth]);
    assert!(matches!(r, Err(Error::HttpStatus { status: 400 })), "{r:?}");
    assert_eq!(server.seen.lock().unwrap().len(), 1);
}

#[test]
fn oversized_response() {
    let (server, auth) = setup(vec![Behave::Oversized]);
    let r = client(&server.url).timestamp(SIG, &[auth]);
    assert!(matches!(r, Err(Error::ResponseTooLarge { .. })), "{r:?}");
}

#[test]
fn not_granted() {
    let (server, auth) = setup(vec![Behave::NotGranted]);
    let r = client(&server.url).timestamp(SIG, &[auth]);
    assert!(
        matches!(r, Err(Error::NotGranted { status: 2, .. })),
        "{r:?}"
    );
}

#[test]
fn untrusted_tsa() {
    let (server, _) = setup(vec![Behave::Sign]);
    let other = TestTsa::new(&LeafSpec {
        serial: 7,
        ..LeafSpec::default()
    });
    let r = client(&server.url).timestamp(SIG, &[other.authority()]);
    assert!(matches!(r, Err(Error::UntrustedAuthority)), "{r:?}");
}

#[test]
fn deadline() {
    let (server, auth) = setup(vec![Behave::Hang(Duration::from_secs(3))]);
    let started = std::time::Instant::now();
    let r = TsaClient::new(&server.url)
        .with_timeout(Duration::from_millis(500))
        .with_retries(3, Duration::from_millis(50))
        .timestamp(SIG, &[auth]);
    assert!(matches!(r, Err(Error::DeadlineExceeded)), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn connection_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let tsa = TestTsa::new(&LeafSpec::default());
    let r = TsaClient::new(url)
        .with_timeout(Duration::from_secs(5))
        .with_retries(1, Duration::from_millis(10))
        .timestamp(SIG, &[tsa.authority()]);
    assert!(
        matches!(
            r,
            Err(Error::Transport {
                kind: ureq::ErrorKind::ConnectionFailed
            })
        ),
        "{r:?}"
    );
}

#[test]
fn request_checks_offline() {
    let tsa = TestTsa::new(&LeafSpec::default());
    let req = TimeStampRequest::with_nonce(HashAlgorithm::Sha256.hash(SIG), 99);
    let mut spec = tsa.spec(SIG);
    spec.nonce = Some(99);
    req.check_response(&spec.response(), SIG, &[tsa.authority()])
        .unwrap();
    spec.nonce = None;
    let r = req.check_response(&spec.response(), SIG, &[tsa.authority()]);
    assert!(matches!(r, Err(Error::NonceMismatch)), "{r:?}");
}

/// OpenSSL (an independent parser) reads our TimeStampReq, when the binary is installed.
#[test]
fn openssl_parses_our_request() {
    let req = TimeStampRequest::with_nonce(HashAlgorithm::Sha384.hash(SIG), 0x1234_5678_9abc_def0);
    let path = std::env::temp_dir().join(format!("sigstore-ts-req-{}.tsq", std::process::id()));
    std::fs::write(&path, req.der()).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["ts", "-query", "-text", "-in"])
        .arg(&path)
        .output();
    let _ = std::fs::remove_file(&path);
    let Ok(out) = out else {
        eprintln!("notice: openssl not installed; skipping");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Version: 1"), "{text}");
    assert!(text.contains("Hash Algorithm: sha384"), "{text}");
    assert!(text.contains("Nonce: 0x123456789ABCDEF0"), "{text}");
    assert!(text.contains("Certificate required: yes"), "{text}");
}

#[test]
fn retries_are_capped() {
    let (server, auth) = setup(vec![Behave::Status(500)]);
    let r = TsaClient::new(&server.url)
        .with_timeout(Duration::from_secs(20))
        .with_retries(1000, Duration::from_millis(1))
        .timestamp(SIG, &[auth]);
    assert!(matches!(r, Err(Error::HttpStatus { status: 500 })), "{r:?}");
    let expected = 1 + sigstore_timestamp::client::MAX_RETRIES as usize;
    assert_eq!(server.seen.lock().unwrap().len(), expected);
}
