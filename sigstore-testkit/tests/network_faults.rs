//! The network fault matrix: every workspace client (Fulcio, Rekor v1, Rekor v2, the RFC 3161
//! TSA, OIDC discovery) against the virtual Sigstore's fault injection, one row per fault:
//!
//! | fault | expected |
//! |---|---|
//! | 5xx on every request | typed HTTP-status error after exactly 1 + max_retries requests (counted server-side) |
//! | 5xx twice, then OK | success (the retries recover) |
//! | response slower than the deadline | typed timeout / transport error, well before the delay ends |
//! | truncated body (Content-Length announced, half sent) | typed transport / read error |
//! | oversized body (limit + 1) | typed too-large error |
//! | connection closed without a response ("reset") | typed transport error, bounded attempts (counted server-side) |
//! | wrong content (HTML / garbage where JSON or DER is expected) | typed bad-response error |
//!
//! Every call runs on its own thread with a hard bound (`NO_HANG`): a hang fails the test.
//! Semantic faults (altered entry, wrong proof, forked log, certificate for another key or
//! identity, wrong state, expired token) are covered in `faults.rs`, `workspace_clients.rs`
//! and sigstore-verify's `sign_faults.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use sigstore_crypto::KeySigner;
use sigstore_fulcio::client::{FulcioClient, ProofKind};
use sigstore_testkit::{
    read_and_discard_request, Config, Fault, Service, TokenClaims, VirtualSigstore,
    MAX_REQUEST_BYTES,
};
use sigstore_tlog::client::{ClientConfig, RekorV1Client, RekorV2Client};

/// Hard bound on any single client call in this file.
const NO_HANG: Duration = Duration::from_secs(30);
/// The per-call deadline given to the clients.
const DEADLINE: Duration = Duration::from_millis(800);
/// The delay of the slow-response fault (well past the deadline).
const SLOW: u64 = 5_000;
/// Retries configured on every client.
const RETRIES: u32 = 2;

/// How a client call failed, normalised across the crates' error enums (each mapping below is
/// an exhaustive `matches!` on the crate's typed variants; anything else is `Other`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Status(u16),
    Transport,
    Timeout,
    TooLarge,
    BadResponse,
    Other,
}

fn tlog_failure(e: &sigstore_tlog::Error) -> Failure {
    use sigstore_tlog::Error as E;
    match e {
        E::HttpStatus { status, .. } => Failure::Status(*status),
        E::Transport { .. } => Failure::Transport,
        E::Timeout { .. } => Failure::Timeout,
        E::ResponseTooLarge { .. } => Failure::TooLarge,
        // A Rekor v2 checkpoint is a signed note, not JSON: its parse errors are the bad
        // response there.
        E::BadResponse { .. }
        | E::BodyJson(_)
        | E::MalformedNote(_)
        | E::MalformedCheckpoint(_)
        | E::NoteTooLarge { .. } => Failure::BadResponse,
        _ => Failure::Other,
    }
}

fn fulcio_failure(e: &sigstore_fulcio::Error) -> Failure {
    use sigstore_fulcio::Error as E;
    match e {
        E::HttpStatus { status } => Failure::Status(*status),
        E::Transport(m) if m.contains("timed out") || m.contains("deadline") => Failure::Timeout,
        E::Transport(_) => Failure::Transport,
        E::ResponseTooLarge { .. } => Failure::TooLarge,
        E::MalformedResponse(_) => Failure::BadResponse,
        _ => Failure::Other,
    }
}

fn tsa_failure(e: &sigstore_timestamp::Error) -> Failure {
    use sigstore_timestamp::Error as E;
    match e {
        E::HttpStatus { status } => Failure::Status(*status),
        E::Transport { .. } | E::Io(_) => Failure::Transport,
        E::DeadlineExceeded => Failure::Timeout,
        E::ResponseTooLarge { .. } => Failure::TooLarge,
        E::Malformed(_) | E::TooLarge { .. } => Failure::BadResponse,
        _ => Failure::Other,
    }
}

fn oidc_failure(e: &sigstore_oidc::Error) -> Failure {
    use sigstore_oidc::Error as E;
    match e {
        E::HttpStatus { status, .. } => Failure::Status(*status),
        E::Transport { message, .. } if message.contains("timed out") => Failure::Timeout,
        E::Transport { .. } => Failure::Transport,
        E::DeadlineExceeded { .. } => Failure::Timeout,
        E::ResponseTooLarge { .. } => Failure::TooLarge,
        E::Json { .. } => Failure::BadResponse,
        _ => Failure::Other,
    }
}

/// A client call against a base URL.
type Call = Box<dyn Fn(&str) -> Result<(), Failure> + Send + Sync>;

/// One client under test: its service, its response-size limit and a call.
struct Client {
    name: &'static str,
    service: Service,
    limit: usize,
    call: Call,
}

fn clients(vs: &VirtualSigstore) -> Vec<Client> {
    let trust = Arc::new(trust(vs));
    let token = vs
        .mint_token(&TokenClaims::email("faults@example.com"))
        .unwrap();
    let signer = Arc::new(KeySigner::generate_p256().unwrap());
    let cfg = ClientConfig {
        timeout: DEADLINE,
        max_retries: RETRIES,
        initial_backoff: Duration::from_millis(10),
        ..ClientConfig::default()
    };
    let cfg2 = cfg.clone();
    let oidc_http = sigstore_oidc::HttpConfig {
        timeout: DEADLINE,
        max_retries: RETRIES,
        backoff: Duration::from_millis(10),
        ..sigstore_oidc::HttpConfig::default()
    };
    vec![
        Client {
            name: "fulcio",
            service: Service::Fulcio,
            limit: sigstore_fulcio::client::MAX_RESPONSE_BYTES,
            call: Box::new(move |base| {
                FulcioClient::new(base)
                    .with_timeout(DEADLINE)
                    .with_retries(RETRIES, Duration::from_millis(10))
                    .request_certificate(&token, signer.as_ref(), ProofKind::ProofOfPossession)
                    .map(|_| ())
                    .map_err(|e| fulcio_failure(&e))
            }),
        },
        Client {
            name: "rekor v1",
            service: Service::RekorV1,
            limit: cfg.max_response_bytes,
            call: Box::new(move |base| {
                RekorV1Client::new(base, cfg.clone())
                    .log_info()
                    .map(|_| ())
                    .map_err(|e| tlog_failure(&e))
            }),
        },
        Client {
            name: "rekor v2",
            service: Service::RekorV2,
            limit: cfg2.max_response_bytes,
            call: Box::new(move |base| {
                RekorV2Client::new(base, cfg2.clone())
                    .checkpoint()
                    .map(|_| ())
                    .map_err(|e| tlog_failure(&e))
            }),
        },
        Client {
            name: "tsa",
            service: Service::Tsa,
            limit: sigstore_timestamp::client::MAX_RESPONSE_BYTES,
            call: Box::new(move |base| {
                sigstore_timestamp::client::TsaClient::new(format!("{base}/api/v1/timestamp"))
                    .with_timeout(DEADLINE)
                    .with_retries(RETRIES, Duration::from_millis(10))
                    .timestamp(b"signature bytes", &trust.tsas)
                    .map(|_| ())
                    .map_err(|e| tsa_failure(&e))
            }),
        },
        Client {
            name: "oidc discovery",
            service: Service::Oidc,
            limit: 1024 * 1024,
            call: Box::new(move |base| {
                sigstore_oidc::ProviderMetadata::discover(base, &oidc_http)
                    .map(|_| ())
                    .map_err(|e| oidc_failure(&e))
            }),
        },
    ]
}

fn base_url(vs: &VirtualSigstore, s: Service) -> String {
    let u = vs.urls();
    match s {
        Service::Fulcio => u.fulcio.clone(),
        Service::RekorV1 => u.rekor_v1.clone(),
        Service::RekorV2 => u.rekor_v2.clone(),
        Service::Tsa => u.tsa.clone(),
        _ => u.oidc.clone(),
    }
}

/// Run `c` against `url` on a thread; fail the test if it does not return within NO_HANG.
fn bounded(c: &Arc<Client>, url: &str) -> (Result<(), Failure>, Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    let c2 = Arc::clone(c);
    let url = url.to_owned();
    std::thread::spawn(move || {
        let start = Instant::now();
        let r = (c2.call)(&url);
        let _ = tx.send((r, start.elapsed()));
    });
    rx.recv_timeout(NO_HANG)
        .unwrap_or_else(|_| panic!("{}: call did not return within {NO_HANG:?}", c.name))
}

/// Requests a counted rule consumed: installs `fault` for 1000 requests and returns how many
/// were served when the call ends.
fn served_with(
    vs: &VirtualSigstore,
    c: &Arc<Client>,
    fault: Fault,
) -> (Result<(), Failure>, usize) {
    vs.faults().clear();
    vs.faults().times(c.service, fault, 1000);
    let (r, _) = bounded(c, &base_url(vs, c.service));
    let left = vs
        .faults()
        .rules()
        .iter()
        .filter(|r| r.service == Some(c.service))
        .filter_map(|r| r.times)
        .sum::<u32>();
    vs.faults().clear();
    (r, 1000 - left as usize)
}

#[test]
fn fault_matrix_for_every_client() {
    let vs = VirtualSigstore::start(Config::default()).unwrap();
    let mut rows = Vec::new();
    for c in clients(&vs).into_iter().map(Arc::new) {
        let url = base_url(&vs, c.service);
        // Baseline: no fault, the call succeeds.
        vs.faults().clear();
        assert_eq!(bounded(&c, &url).0, Ok(()), "{}: baseline", c.name);

        // 5xx always: typed status error after exactly 1 + RETRIES requests.
        let (r, n) = served_with(&vs, &c, Fault::ServerError { status: 503 });
        assert_eq!(r, Err(Failure::Status(503)), "{}: 5xx", c.name);
        assert_eq!(n, 1 + RETRIES as usize, "{}: requests on 5xx", c.name);
        rows.push(format!("{}: 5xx -> {r:?} after {n} requests", c.name));

        // 5xx twice, then OK: the retries recover.
        vs.faults()
            .times(c.service, Fault::ServerError { status: 502 }, 2);
        assert_eq!(bounded(&c, &url).0, Ok(()), "{}: 5xx x2 then ok", c.name);
        vs.faults().clear();

        // 4xx: not retried.
        let (r, n) = served_with(&vs, &c, Fault::ServerError { status: 400 });
        assert!(
            matches!(r, Err(Failure::Status(400))),
            "{}: 400 -> {r:?}",
            c.name
        );
        assert_eq!(n, 1, "{}: 4xx must not be retried", c.name);

        // Slower than the deadline: a typed timeout/transport error, long before the delay
        // (and its retries) would have ended.
        vs.faults().always(c.service, Fault::Delay { millis: SLOW });
        let (r, took) = bounded(&c, &url);
        vs.faults().clear();
        assert!(
            matches!(r, Err(Failure::Timeout | Failure::Transport)),
            "{}: slow -> {r:?}",
            c.name
        );
        assert!(
            took < Duration::from_millis(SLOW),
            "{}: slow response took {took:?}, past the {DEADLINE:?} deadline",
            c.name
        );
        rows.push(format!("{}: slow -> {r:?} in {took:?}", c.name));

        // Truncated body: typed transport/read error (or a parse error of the half body).
        let (r, n) = served_with(&vs, &c, Fault::TruncatedBody);
        assert!(
            matches!(
                r,
                Err(Failure::Transport | Failure::BadResponse | Failure::Timeout)
            ),
            "{}: truncated -> {r:?}",
            c.name
        );
        assert!(
            n <= 1 + RETRIES as usize,
            "{}: {n} requests on truncation",
            c.name
        );
        rows.push(format!("{}: truncated -> {r:?} after {n} requests", c.name));

        // Oversized body: typed too-large error, not retried past the bound.
        let (r, n) = served_with(&vs, &c, Fault::OversizedBody { bytes: c.limit + 1 });
        assert_eq!(r, Err(Failure::TooLarge), "{}: oversized", c.name);
        assert!(
            n <= 1 + RETRIES as usize,
            "{}: {n} requests on oversize",
            c.name
        );
        rows.push(format!("{}: oversized -> {r:?} after {n} requests", c.name));
    }
    for r in &rows {
        eprintln!("{r}");
    }
}

/// A raw HTTP server that misbehaves in one way on every connection, counting connections.
struct RawServer {
    url: String,
    connections: Arc<AtomicUsize>,
}

#[derive(Clone, Copy)]
enum Misbehaviour {
    /// Read the request, then close the connection without answering.
    Close,
    /// Answer 200 with an HTML page.
    Html,
    /// Answer 200 with bytes that are neither JSON nor DER.
    Garbage,
}

fn raw_server(m: Misbehaviour) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            s.set_read_timeout(Some(Duration::from_millis(500)))
                .unwrap();
            // The whole request, before answering or closing: closing with part of it unread
            // (a body still arriving) resets the connection, which clients retry.
            let _ = read_and_discard_request(&s);
            let body: &[u8] = match m {
                Misbehaviour::Close => {
                    drop(s);
                    continue;
                }
                Misbehaviour::Html => b"<html><body>maintenance</body></html>",
                Misbehaviour::Garbage => b"\x00\x01\x02 not json, not der \xff",
            };
            let ct = match m {
                Misbehaviour::Html => "text/html",
                _ => "application/json",
            };
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(body);
        }
    });
    RawServer { url, connections }
}

#[test]
fn reset_and_wrong_content_for_every_client() {
    // The clients need a virtual Sigstore only for their fixtures (token, trust material).
    let vs = VirtualSigstore::start(Config::default()).unwrap();
    let mut rows = Vec::new();
    for c in clients(&vs).into_iter().map(Arc::new) {
        // Connection closed without a response: a typed transport error, bounded attempts.
        let server = raw_server(Misbehaviour::Close);
        let (r, _) = bounded(&c, &server.url);
        let n = server.connections.load(Ordering::SeqCst);
        assert!(
            matches!(r, Err(Failure::Transport | Failure::Timeout)),
            "{}: reset -> {r:?}",
            c.name
        );
        assert!(
            (1..=1 + RETRIES as usize).contains(&n),
            "{}: {n} connections on reset",
            c.name
        );
        rows.push(format!("{}: reset -> {r:?} after {n} connections", c.name));

        // Wrong content: a typed bad-response error, no retry.
        for (what, m) in [
            ("html", Misbehaviour::Html),
            ("garbage", Misbehaviour::Garbage),
        ] {
            let server = raw_server(m);
            let (r, _) = bounded(&c, &server.url);
            let n = server.connections.load(Ordering::SeqCst);
            assert!(
                matches!(r, Err(Failure::BadResponse)),
                "{}: {what} -> {r:?}",
                c.name
            );
            assert_eq!(n, 1, "{}: {what} must not be retried", c.name);
            rows.push(format!("{}: {what} -> {r:?}", c.name));
        }
    }
    for r in &rows {
        eprintln!("{r}");
    }
}

/// The raw servers' request reader waits for a body sent after the headers (the case that made
/// the server above close with the body unread), and refuses an announced body over the limit.
#[test]
fn raw_server_reads_a_body_sent_after_its_headers() {
    const PAUSE: Duration = Duration::from_millis(150);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let mut results = Vec::new();
        for _ in 0..2 {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let r = read_and_discard_request(&s);
            results.push((r, Instant::now()));
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
        results
    });

    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(b"POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n")
        .unwrap();
    std::thread::sleep(PAUSE);
    // Taken before the body is written: a reader that returned on the headers alone returned
    // before this instant. (Timing the reader from its own start would not do: on a loaded
    // machine the server thread may accept the connection well into the pause.)
    let body_sent = Instant::now();
    c.write_all(b"hello").unwrap();
    let mut response = String::new();
    c.read_to_string(&mut response).unwrap();
    assert!(response.ends_with("\r\n\r\nok"), "{response:?}");

    let mut c = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        MAX_REQUEST_BYTES + 1
    );
    c.write_all(head.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = c.read_to_string(&mut response);

    let results = server.join().unwrap();
    assert_eq!(results[0].0, Ok(()));
    assert!(
        results[0].1 > body_sent,
        "the reader returned {:?} before the body was sent",
        body_sent.saturating_duration_since(results[0].1)
    );
    assert_eq!(results[1].0, Err(413));
}
