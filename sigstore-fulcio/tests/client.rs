//! Fulcio client against an in-process loopback HTTP server.
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::pki::*;
use rcgen::KeyPair;
use serde_json::Value;
use sigstore_crypto::{HashAlgorithm, KeySigner, PublicKey, SignatureScheme, Signer};
use sigstore_fulcio::client::{
    build_csr, token_subject, FulcioClient, ProofKind, MAX_RESPONSE_BYTES, MAX_TOKEN_BYTES,
};
use sigstore_fulcio::Error;
use x509_parser::prelude::FromDer;

struct Reply {
    status: u16,
    body: Vec<u8>,
    content_length: bool,
    delay: Duration,
}

impl Reply {
    fn ok(body: Vec<u8>) -> Self {
        Reply {
            status: 200,
            body,
            content_length: true,
            delay: Duration::ZERO,
        }
    }
    fn status(status: u16) -> Self {
        Reply {
            status,
            body: b"{}".to_vec(),
            content_length: true,
            delay: Duration::ZERO,
        }
    }
}

type Handler = Box<dyn Fn(&str, &str) -> Reply + Send>;
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// Serves `handlers` in order, one per connection; records (path, body) of each request.
fn serve(handlers: Vec<Handler>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for handler in handlers {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let path = request_line.split(' ').nth(1).unwrap_or("").to_owned();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let body = String::from_utf8(body).unwrap();
            log.lock().unwrap().push((path.clone(), body.clone()));
            let reply = handler(&path, &body);
            std::thread::sleep(reply.delay);
            let mut out = stream;
            let mut head = format!(
                "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nConnection: close\r\n",
                reply.status
            );
            if reply.content_length {
                head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
            }
            head.push_str("\r\n");
            let _ = out.write_all(head.as_bytes());
            let _ = out.write_all(&reply.body);
            let _ = out.flush();
        }
    });
    (url, seen)
}

fn token(claims: Value) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(b"sig")
    )
}

fn alice_token() -> String {
    token(
        serde_json::json!({"sub": "12345", "email": "alice@example.com", "iss": "https://issuer.example"}),
    )
}

/// A signer whose key rcgen can certify, and the rcgen key.
fn signer() -> (KeySigner, KeyPair) {
    let kp = KeyPair::generate().unwrap();
    let signer = KeySigner::from_pkcs8_der(&kp.serialize_der()).unwrap();
    (signer, kp)
}

fn chain_pems(pki: &Pki, key: KeyPair) -> Vec<String> {
    let leaf = issue_with_key(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        key,
        &pki.intermediate,
    );
    vec![leaf.cert.pem(), pki.intermediate.cert.pem()]
}

fn embedded(pems: Vec<String>) -> Vec<u8> {
    serde_json::json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": pems}}})
        .to_string()
        .into_bytes()
}

fn fast(url: &str) -> FulcioClient {
    FulcioClient::new(url).with_retries(3, Duration::from_millis(10))
}

#[test]
fn proof_of_possession_success() {
    let pki = Pki::new();
    let (signer, kp) = signer();
    let pems = chain_pems(&pki, kp);
    let (url, seen) = serve(vec![Box::new(move |path, body| {
        assert_eq!(path, "/api/v2/signingCert");
        let req: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            req["credentials"]["oidcIdentityToken"].as_str().unwrap(),
            alice_token()
        );
        let pk = &req["publicKeyRequest"]["publicKey"];
        assert_eq!(pk["algorithm"], "ECDSA");
        let key = PublicKey::from_pem(pk["content"].as_str().unwrap()).unwrap();
        let pop = STANDARD
            .decode(
                req["publicKeyRequest"]["proofOfPossession"]
                    .as_str()
                    .unwrap(),
            )
            .unwrap();
        key.verify(
            SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            b"alice@example.com",
            &pop,
        )
        .unwrap();
        Reply::ok(embedded(pems.clone()))
    })]);
    let got = fast(&url)
        .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
        .unwrap();
    assert_eq!(got.chain.len(), 2);
    assert_eq!(got.leaf().unwrap().public_key(), signer.public_key());
    assert!(got.detached_sct.is_none());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn csr_success_with_detached_sct() {
    let pki = Pki::new();
    let (signer, kp) = signer();
    let pems = chain_pems(&pki, kp);
    let (url, _) = serve(vec![Box::new(move |_, body| {
        let req: Value = serde_json::from_str(body).unwrap();
        assert!(req.get("publicKeyRequest").is_none());
        let pem_text = String::from_utf8(
            STANDARD
                .decode(req["certificateSigningRequest"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        let block = pem::parse(pem_text).unwrap();
        assert_eq!(block.tag(), "CERTIFICATE REQUEST");
        let (rest, csr) = x509_parser::certification_request::X509CertificationRequest::from_der(
            block.contents(),
        )
        .unwrap();
        assert!(rest.is_empty());
        let info = &csr.certification_request_info;
        let key = PublicKey::from_spki_der(info.subject_pki.raw).unwrap();
        key.verify(
            SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            info.raw,
            csr.signature_value.data.as_ref(),
        )
        .unwrap();
        Reply::ok(
            serde_json::json!({"signedCertificateDetachedSct": {
                "chain": {"certificates": pems.clone()},
                "signedCertificateTimestamp": STANDARD.encode(b"sct-bytes"),
            }})
            .to_string()
            .into_bytes(),
        )
    })]);
    let got = fast(&url)
        .request_certificate(
            &alice_token(),
            &signer,
            ProofKind::CertificateSigningRequest,
        )
        .unwrap();
    assert_eq!(got.detached_sct.as_deref(), Some(&b"sct-bytes"[..]));
}

#[test]
fn retries_on_5xx_then_succeeds() {
    let pki = Pki::new();
    let (signer, kp) = signer();
    let pems = chain_pems(&pki, kp);
    let (url, seen) = serve(vec![
        Box::new(|_, _| Reply::status(503)),
        Box::new(|_, _| Reply::status(500)),
        Box::new(move |_, _| Reply::ok(embedded(pems.clone()))),
    ]);
    fast(&url)
        .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
        .unwrap();
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn retries_are_bounded() {
    let (signer, _) = signer();
    let (url, seen) = serve(vec![
        Box::new(|_, _| Reply::status(503)),
        Box::new(|_, _| Reply::status(503)),
        Box::new(|_, _| Reply::status(503)),
    ]);
    let err = FulcioClient::new(&url)
        .with_retries(1, Duration::from_millis(10))
        .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
        .unwrap_err();
    assert!(matches!(err, Error::HttpStatus { status: 503 }), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn client_errors_are_not_retried() {
    let (signer, _) = signer();
    let (url, seen) = serve(vec![
        Box::new(|_, _| Reply::status(401)),
        Box::new(|_, _| Reply::status(200)),
    ]);
    let err = fast(&url)
        .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
        .unwrap_err();
    assert!(matches!(err, Error::HttpStatus { status: 401 }), "{err}");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn oversized_responses_are_rejected() {
    let (signer, _) = signer();
    let big = vec![b' '; MAX_RESPONSE_BYTES + 1];
    let big2 = big.clone();
    let (url, _) = serve(vec![
        Box::new(move |_, _| Reply::ok(big.clone())),
        Box::new(move |_, _| Reply {
            content_length: false,
            ..Reply::ok(big2.clone())
        }),
    ]);
    for _ in 0..2 {
        let err = fast(&url)
            .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::ResponseTooLarge {
                    limit: MAX_RESPONSE_BYTES
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn certificate_for_another_key_is_rejected() {
    let pki = Pki::new();
    let (signer, _) = signer();
    let (_, other) = self::signer();
    let pems = chain_pems(&pki, other);
    let (url, _) = serve(vec![Box::new(move |_, _| {
        Reply::ok(embedded(pems.clone()))
    })]);
    let err = fast(&url)
        .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
        .unwrap_err();
    assert!(matches!(err, Error::CertificateKeyMismatch), "{err}");
}

#[test]
fn malformed_responses() {
    let (signer, _) = signer();
    let bodies: Vec<Vec<u8>> = vec![
        b"not json".to_vec(),
        b"{}".to_vec(),
        embedded(vec![]),
        serde_json::json!({
            "signedCertificateEmbeddedSct": {"chain": {"certificates": []}},
            "signedCertificateDetachedSct": {"chain": {"certificates": []}},
        })
        .to_string()
        .into_bytes(),
    ];
    let n = bodies.len();
    let handlers: Vec<Handler> = bodies
        .into_iter()
        .map(|b| Box::new(move |_: &str, _: &str| Reply::ok(b.clone())) as Handler)
        .collect();
    let (url, _) = serve(handlers);
    for i in 0..n {
        let err = fast(&url)
            .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
            .unwrap_err();
        assert!(
            matches!(err, Error::MalformedResponse(_)),
            "case {i}: {err}"
        );
    }
    // A chain entry that is not a certificate.
    let (url, _) = serve(vec![Box::new(|_, _| {
        Reply::ok(embedded(vec![
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into(),
        ]))
    })]);
    let err = fast(&url)
        .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
        .unwrap_err();
    assert!(matches!(err, Error::MalformedCertificate(_)), "{err}");
}

#[test]
fn deadline_is_enforced() {
    let (signer, _) = signer();
    let (url, _) = serve(vec![Box::new(|_, _| Reply {
        delay: Duration::from_secs(3),
        ..Reply::status(200)
    })]);
    let start = std::time::Instant::now();
    let err = FulcioClient::new(&url)
        .with_timeout(Duration::from_millis(300))
        .with_retries(0, Duration::from_millis(10))
        .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn connection_refused_is_a_transport_error() {
    let (signer, _) = signer();
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = fast(&format!("http://127.0.0.1:{port}"))
        .request_certificate(&alice_token(), &signer, ProofKind::ProofOfPossession)
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
}

#[test]
fn token_subjects() {
    assert_eq!(token_subject(&alice_token()).unwrap(), "alice@example.com");
    assert_eq!(
        token_subject(&token(serde_json::json!({"sub": "repo:o/r"}))).unwrap(),
        "repo:o/r"
    );
    for bad in [
        "not-a-jwt".to_owned(),
        "a.b".to_owned(),
        "a.!!!.c".to_owned(),
        token(serde_json::json!({"iss": "x"})),
        format!("a.{}.c", ".".repeat(MAX_TOKEN_BYTES)),
    ] {
        assert!(
            matches!(token_subject(&bad), Err(Error::IdentityToken(_))),
            "{bad:.40}"
        );
    }
    // A bad token fails before any request is made.
    let (signer, _) = signer();
    let err = FulcioClient::new("http://127.0.0.1:9")
        .request_certificate("nope", &signer, ProofKind::ProofOfPossession)
        .unwrap_err();
    assert!(matches!(err, Error::IdentityToken(_)), "{err}");
}

#[test]
fn csr_for_every_key_type_parses_and_verifies() {
    for signer in [
        KeySigner::generate_p256().unwrap(),
        KeySigner::generate_ed25519().unwrap(),
    ] {
        let der = build_csr(&signer).unwrap();
        let (rest, csr) =
            x509_parser::certification_request::X509CertificationRequest::from_der(&der).unwrap();
        assert!(rest.is_empty());
        let info = &csr.certification_request_info;
        assert_eq!(info.subject_pki.raw, signer.public_key().spki_der());
        signer
            .public_key()
            .verify(
                signer.key_details().scheme(),
                info.raw,
                csr.signature_value.data.as_ref(),
            )
            .unwrap();
    }
}
