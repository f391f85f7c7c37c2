//! Transport faults for the TUF `HttpFetcher` against a raw loopback server that misbehaves on
//! every connection (the rows `repos.rs` does not already cover: 5xx counting is
//! `server_errors_are_retried_then_reported`, an oversized download is
//! `oversized_timestamp_is_rejected_while_downloading`).
//!
//! Every call runs on its own thread with a hard bound: a hang fails the test.
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sigstore_tuf::{Error, Fetcher, HttpFetcher};

#[derive(Clone, Copy)]
enum Misbehaviour {
    /// Read the request, close without answering.
    Close,
    /// Announce a Content-Length of 1000, send 10 bytes, close.
    Truncate,
    /// Announce nothing, stream more than the limit.
    Stream(usize),
    /// Send the status line and headers, then nothing for this long.
    Stall(Duration),
}

fn server(m: Misbehaviour) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/1.root.json", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            c.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                s.set_read_timeout(Some(Duration::from_millis(500)))
                    .unwrap();
                let mut buf = [0u8; 8192];
                let _ = s.read(&mut buf);
                match m {
                    Misbehaviour::Close => {}
                    Misbehaviour::Truncate => {
                        let _ = s.write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n0123456789",
                        );
                    }
                    Misbehaviour::Stream(n) => {
                        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                        let chunk = [b' '; 4096];
                        let mut sent = 0;
                        while sent < n {
                            if s.write_all(&chunk).is_err() {
                                break;
                            }
                            sent += chunk.len();
                        }
                    }
                    Misbehaviour::Stall(d) => {
                        let _ = s.write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n",
                        );
                        std::thread::sleep(d);
                    }
                }
            });
        }
    });
    (url, count)
}

fn bounded(
    f: HttpFetcher,
    url: &str,
    max: u64,
    bound: Duration,
) -> (Result<Vec<u8>, Error>, Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    let url = url.to_owned();
    std::thread::spawn(move || {
        let start = Instant::now();
        let r = f.fetch(&url, max);
        let _ = tx.send((r, start.elapsed()));
    });
    rx.recv_timeout(bound)
        .unwrap_or_else(|_| panic!("fetch did not return within {bound:?}"))
}

#[test]
fn connection_closed_without_response_is_retried_then_typed() {
    let (url, count) = server(Misbehaviour::Close);
    let f = HttpFetcher::new().with_retry(3, Duration::from_millis(10));
    let (r, _) = bounded(f, &url, 1024, Duration::from_secs(30));
    let err = r.unwrap_err();
    assert!(
        matches!(err, Error::Network { status: None, .. }),
        "{err:?}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 3, "bounded attempts");
}

#[test]
fn truncated_body_is_a_typed_network_error() {
    let (url, count) = server(Misbehaviour::Truncate);
    let f = HttpFetcher::new().with_retry(3, Duration::from_millis(10));
    let (r, _) = bounded(f, &url, 1024 * 1024, Duration::from_secs(30));
    let err = r.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert!((1..=3).contains(&count.load(Ordering::SeqCst)));
}

#[test]
fn body_without_length_past_the_limit_is_cut_while_reading() {
    let (url, _) = server(Misbehaviour::Stream(4 * 1024 * 1024));
    let f = HttpFetcher::new().with_retry(1, Duration::from_millis(10));
    let (r, took) = bounded(f, &url, 64 * 1024, Duration::from_secs(30));
    let err = r.unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit: 65536, .. }),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(10));
}

/// A response that stalls after its headers is cut by the request deadline (set short here;
/// the default is `REQUEST_TIMEOUT`), reported as a network error, not retried past the bound.
#[test]
fn stalled_response_hits_the_request_timeout() {
    let (url, count) = server(Misbehaviour::Stall(Duration::from_secs(600)));
    let f = HttpFetcher::new()
        .with_retry(2, Duration::from_millis(10))
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(800));
    let (r, took) = bounded(f, &url, 1024, Duration::from_secs(30));
    let err = r.unwrap_err();
    assert!(
        matches!(err, Error::Network { status: None, .. }),
        "{err:?}"
    );
    // Two attempts of ~0.8 s each plus the backoff, far below the stall.
    assert!(took >= Duration::from_millis(1600), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

/// A zero or huge timeout is clamped: the deadline cannot be switched off.
#[test]
fn timeouts_are_clamped() {
    let (url, _) = server(Misbehaviour::Stall(Duration::from_secs(600)));
    let f = HttpFetcher::new()
        .with_retry(1, Duration::from_millis(10))
        .with_timeouts(Duration::ZERO, Duration::ZERO);
    let (r, took) = bounded(f, &url, 1024, Duration::from_secs(30));
    assert!(matches!(r, Err(Error::Network { .. })), "{r:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(sigstore_tuf::fetch::MAX_TIMEOUT >= sigstore_tuf::fetch::REQUEST_TIMEOUT);
}
