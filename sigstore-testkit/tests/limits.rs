//! Every named limit on untrusted input is enforced, and junk never crashes a service.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use serde_json::json;
use sigstore_testkit::{
    Config, TokenClaims, VirtualSigstore, MAX_CSR_BYTES, MAX_ENVELOPE_BYTES, MAX_HEADER_BYTES,
    MAX_REQUEST_BYTES, MAX_TOKEN_BYTES, MAX_TSA_REQUEST_BYTES,
};

fn raw(url: &str, request: &[u8]) -> String {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    let _ = s.write_all(request);
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn request_and_header_limits() {
    let vs = VirtualSigstore::start(Config::default()).unwrap();
    let req = format!(
        "POST /api/v1/log/entries HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        MAX_REQUEST_BYTES + 1
    );
    assert!(raw(&vs.urls().rekor_v1, req.as_bytes()).starts_with("HTTP/1.1 413"));
    let req = format!(
        "GET /api/v1/log HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(MAX_HEADER_BYTES)
    );
    assert!(raw(&vs.urls().rekor_v1, req.as_bytes()).starts_with("HTTP/1.1 431"));
    // Chunked bodies are read too (and limited the same way).
    let body = json!({"clear": true}).to_string();
    let req = format!(
        "POST /__faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    assert!(raw(&vs.urls().tsa, req.as_bytes()).starts_with("HTTP/1.1 200"));
    let req = format!(
        "POST /__faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        MAX_REQUEST_BYTES + 1
    );
    assert!(raw(&vs.urls().tsa, req.as_bytes()).starts_with("HTTP/1.1 413"));
}

#[test]
fn token_csr_envelope_and_timestamp_request_limits() {
    let vs = VirtualSigstore::start(Config::default()).unwrap();
    let fulcio = format!("{}/api/v2/signingCert", vs.urls().fulcio);
    let big_token = "a".repeat(MAX_TOKEN_BYTES + 1);
    let a = post_json(
        &fulcio,
        &json!({"credentials": {"oidcIdentityToken": big_token},
        "certificateSigningRequest": "x"}),
    );
    assert_eq!(a.status, 401);
    assert!(String::from_utf8_lossy(&a.body).contains("too large"));

    let token = vs.mint_token(&TokenClaims::email("a@example.com")).unwrap();
    let big_csr = B64.encode(vec![b'A'; MAX_CSR_BYTES + 1]);
    let a = post_json(
        &fulcio,
        &json!({"credentials": {"oidcIdentityToken": token},
        "certificateSigningRequest": big_csr}),
    );
    assert_eq!(a.status, 400);
    assert!(String::from_utf8_lossy(&a.body).contains("CSR too large"));

    let envelope = "x".repeat(MAX_ENVELOPE_BYTES + 1);
    let a = post_json(
        &format!("{}/api/v1/log/entries", vs.urls().rekor_v1),
        &json!({"apiVersion": "0.0.1", "kind": "dsse", "spec": {"proposedContent": {"envelope": envelope, "verifiers": []}}}),
    );
    assert_eq!(a.status, 400);
    assert!(String::from_utf8_lossy(&a.body).contains("envelope too large"));

    let a = post_bytes(
        &format!("{}/api/v1/timestamp", vs.urls().tsa),
        "application/timestamp-query",
        &vec![0x30; MAX_TSA_REQUEST_BYTES + 1],
    );
    assert_eq!(a.status, 400);
}

#[test]
fn junk_never_crashes_a_service() {
    let vs = VirtualSigstore::start(Config::default()).unwrap();
    let u = vs.urls().clone();
    let targets = [
        format!("{}/token", u.oidc),
        format!("{}/device/code", u.oidc),
        format!("{}/device/approve", u.oidc),
        format!("{}/api/v2/signingCert", u.fulcio),
        format!("{}/api/v1/log/entries", u.rekor_v1),
        format!("{}/api/v2/log/entries", u.rekor_v2),
        format!("{}/api/v1/timestamp", u.tsa),
        format!("{}/__faults", u.tsa),
    ];
    let junk: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#.to_vec(),
        br#"{"apiVersion":"0.0.1","kind":"dsse","spec":{"proposedContent":{"envelope":"{}","verifiers":["!!"]}}}"#.to_vec(),
        br#"{"hashedRekordRequestV002":{"digest":"AA==","signature":{"content":"AA==","verifier":{"keyDetails":"PKIX_ED25519","publicKey":{"rawBytes":"AA=="}}}}}"#.to_vec(),
        br#"{"credentials":{"oidcIdentityToken":"a.b.c"},"publicKeyRequest":{}}"#.to_vec(),
        vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        vec![0x30, 0x03, 0x02, 0x01, 0x01],
        (0..=255u8).collect(),
    ];
    for t in &targets {
        for j in &junk {
            for ct in [
                "application/json",
                "application/timestamp-query",
                "application/x-www-form-urlencoded",
            ] {
                let a = post_bytes(t, ct, j);
                assert!(
                    a.status >= 200 && a.status != 500 || t.contains("__faults"),
                    "{t} {ct} {:?} -> {}",
                    j,
                    a.status
                );
            }
        }
    }
    for path in [
        "/tile/9/000",
        "/tile/entries/x999/000",
        "/tile/0/abc",
        "/tile/0/000.p/999",
        "/checkpoint",
    ] {
        let a = get(&format!("{}{path}", u.rekor_v2));
        assert!(a.status < 500, "{path} -> {}", a.status);
    }
    for path in [
        "/api/v1/log/entries/zz",
        "/api/v1/log/entries?logIndex=-1",
        "/api/v1/log/proof?firstSize=5&lastSize=1",
        "/nope",
    ] {
        let a = get(&format!("{}{path}", u.rekor_v1));
        assert!(a.status < 500, "{path} -> {}", a.status);
    }
    // Still alive.
    assert_eq!(get(&format!("{}/api/v1/log", u.rekor_v1)).status, 200);
}
