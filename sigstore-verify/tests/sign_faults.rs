//! The signing side of section 8 of the bad-inputs catalog, against the virtual Sigstore's
//! fault injection (and small loopback stand-ins where the testkit has no such fault): every
//! case gives a typed `SignError` and writes no bundle file (not even a temporary one).
#![cfg(feature = "sign")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sign_support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use sign_support::*;
use sigstore_bundle::{SigningConfig, TrustedRoot};
use sigstore_crypto::{Digest, HashAlgorithm};
use sigstore_oidc::IdentityToken;
use sigstore_testkit::{Fault, Service, TokenClaims, VirtualSigstore};
use sigstore_timestamp::client::{TimeStampRequest, TsaClient};
use sigstore_verify::sign::{SignError, SigningContext};
use sigstore_verify::VerifyErrorKind;

/// Signs `b"payload"` and a statement, writing each bundle into a fresh directory; returns
/// the first error and asserts that the directory stayed empty.
fn sign_fails(ctx: &SigningContext, name: &str) -> SignError {
    let dir = temp_dir(name);
    let out = dir.join("bundle.sigstore.json");
    let err = ctx
        .sign_bytes(b"payload")
        .and_then(|b| b.write_to(&out))
        .expect_err("signing must fail");
    assert!(
        files_in(&dir).is_empty(),
        "{name}: a file was written: {:?}",
        files_in(&dir)
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
    err
}

fn ctx_v(vs: &VirtualSigstore, rekor: u32) -> SigningContext {
    builder(vs, &[rekor], rekor == 2).build().unwrap()
}

#[test]
fn fulcio_certificate_for_another_key() {
    let vs = start();
    vs.faults()
        .always(Service::Fulcio, Fault::CertificateForOtherKey);
    let err = sign_fails(&ctx_v(&vs, 1), "other-key");
    assert!(
        matches!(
            err,
            SignError::Fulcio(sigstore_fulcio::Error::CertificateKeyMismatch)
        ),
        "{err:?}"
    );
}

#[test]
fn fulcio_certificate_for_another_identity() {
    let vs = start();
    vs.faults()
        .always(Service::Fulcio, Fault::CertificateForOtherIdentity);
    let err = sign_fails(&ctx_v(&vs, 1), "other-identity");
    assert!(
        matches!(&err, SignError::IdentityMismatch { expected, found }
            if expected == EMAIL && found == sigstore_testkit::OTHER_IDENTITY),
        "{err:?}"
    );
    // Nothing reached the log.
    assert_eq!(vs.rekor_v1_size(), 0);
}

#[test]
fn identity_other_than_expected() {
    let vs = start();
    let ctx = builder(&vs, &[1], false)
        .expected_identity("someone-else@example.com")
        .build()
        .unwrap();
    let err = sign_fails(&ctx, "expected-identity");
    assert!(matches!(err, SignError::IdentityMismatch { .. }), "{err:?}");
}

/// The trusted root of another virtual Sigstore: nothing of `vs` chains to it. Trust material
/// never comes from the service being used (CVE-2023-47122).
#[test]
fn fulcio_chain_not_to_a_trusted_root() {
    let vs = start();
    let other = start();
    let ctx = SigningContext::builder(signing_config(&vs, &[1], false), trusted_root(&other))
        .identity_token(token(&vs))
        .build()
        .unwrap();
    let err = sign_fails(&ctx, "untrusted-chain");
    assert!(matches!(err, SignError::CertificateChain(_)), "{err:?}");
    assert_eq!(vs.rekor_v1_size(), 0);
}

/// The right CA but CT logs of another instance: the embedded SCT does not verify.
#[test]
fn fulcio_invalid_sct() {
    let vs = start();
    let other = start();
    let mut root = vs.trusted_root();
    root["ctlogs"] = other.trusted_root()["ctlogs"].clone();
    let root = TrustedRoot::from_json(root.to_string().as_bytes()).unwrap();
    let ctx = SigningContext::builder(signing_config(&vs, &[1], false), root)
        .identity_token(token(&vs))
        .build()
        .unwrap();
    let err = sign_fails(&ctx, "bad-sct");
    assert!(matches!(err, SignError::CertificateSct(_)), "{err:?}");
}

#[test]
fn rekor_entry_not_matching_submission() {
    for v in [1, 2] {
        let vs = start();
        let service = if v == 1 {
            Service::RekorV1
        } else {
            Service::RekorV2
        };
        vs.faults().always(service, Fault::AlteredEntry);
        let err = sign_fails(&ctx_v(&vs, v), &format!("altered-{v}"));
        assert!(matches!(err, SignError::EntryMismatch(_)), "v{v}: {err:?}");
    }
}

#[test]
fn rekor_bad_inclusion_proof() {
    for v in [1, 2] {
        let vs = start();
        // A non-empty tree, so that the proof has hashes to alter.
        ctx_v(&vs, v).sign_bytes(b"first").unwrap();
        let service = if v == 1 {
            Service::RekorV1
        } else {
            Service::RekorV2
        };
        vs.faults().always(service, Fault::WrongInclusionProof);
        let err = sign_fails(&ctx_v(&vs, v), &format!("proof-{v}"));
        assert!(
            matches!(&err, SignError::Verify(e) if e.kind() == VerifyErrorKind::TransparencyLog),
            "v{v}: {err:?}"
        );
    }
}

#[test]
fn rekor_forked_checkpoint() {
    for v in [1, 2] {
        let vs = start();
        ctx_v(&vs, v).sign_bytes(b"first").unwrap();
        let service = if v == 1 {
            Service::RekorV1
        } else {
            Service::RekorV2
        };
        vs.faults().always(service, Fault::ForkedLog);
        let err = sign_fails(&ctx_v(&vs, v), &format!("fork-{v}"));
        assert!(
            matches!(&err, SignError::Verify(e) if e.kind() == VerifyErrorKind::TransparencyLog),
            "v{v}: {err:?}"
        );
    }
}

#[test]
fn expired_and_wrong_audience_tokens() {
    let vs = start();
    let now = sigstore_oidc::unix_now();
    let expired = vs
        .mint_token(&TokenClaims::email(EMAIL).with_times(now - 900, now - 600))
        .unwrap();
    let wrong_aud = vs
        .mint_token(&TokenClaims::email(EMAIL).with_audience("not-sigstore"))
        .unwrap();
    for (name, raw) in [("expired", expired), ("audience", wrong_aud)] {
        let ctx = SigningContext::builder(signing_config(&vs, &[1], false), trusted_root(&vs))
            .identity_token(IdentityToken::parse(&raw).unwrap())
            .build()
            .unwrap();
        let err = sign_fails(&ctx, name);
        match name {
            "expired" => assert!(
                matches!(err, SignError::Token(sigstore_oidc::Error::Expired { .. })),
                "{err:?}"
            ),
            _ => assert!(
                matches!(
                    err,
                    SignError::Token(sigstore_oidc::Error::WrongAudience { .. })
                ),
                "{err:?}"
            ),
        }
    }
}

/// Opens the authorization URL like a browser would and follows the redirect.
struct FollowRedirects;

impl sigstore_oidc::BrowserOpener for FollowRedirects {
    fn open(&self, url: &str) -> sigstore_oidc::Result<()> {
        let url = url.to_string();
        std::thread::spawn(move || {
            let _ = ureq::get(&url).call();
        });
        Ok(())
    }
}

/// The browser flow as a token source.
struct Browser(String);

impl sigstore_oidc::TokenSource for Browser {
    fn name(&self) -> &'static str {
        "browser"
    }

    fn fetch(&self) -> sigstore_oidc::Result<Option<IdentityToken>> {
        let http = sigstore_oidc::HttpConfig {
            timeout: Duration::from_secs(5),
            ..sigstore_oidc::HttpConfig::default()
        };
        let meta = sigstore_oidc::ProviderMetadata::discover(&self.0, &http)?;
        sigstore_oidc::BrowserFlow::new(meta, "sigstore")
            .opener(Box::new(FollowRedirects))
            .timeout(Duration::from_secs(10))
            .http(http)
            .run()
            .map(Some)
    }
}

#[test]
fn browser_flow_with_a_wrong_state() {
    let vs = start();
    vs.set_default_identity(TokenClaims::email(EMAIL));
    let ctx = SigningContext::builder(signing_config(&vs, &[1], false), trusted_root(&vs))
        .token_source(Box::new(Browser(vs.urls().oidc.clone())))
        .build()
        .unwrap();
    // The flow works ...
    ctx.sign_bytes(b"interactive").unwrap();
    // ... and a redirect with another state is refused.
    vs.faults().always(Service::Oidc, Fault::WrongState);
    let err = sign_fails(&ctx, "state");
    assert!(
        matches!(
            err,
            SignError::Token(sigstore_oidc::Error::StateMismatch { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn services_failing() {
    for (service, v) in [
        (Service::Fulcio, 1),
        (Service::RekorV1, 1),
        (Service::RekorV2, 2),
        (Service::Tsa, 2),
    ] {
        let vs = start();
        vs.faults()
            .always(service, Fault::ServerError { status: 503 });
        let ctx = builder(&vs, &[v], true)
            .timeout(Duration::from_secs(3))
            .build()
            .unwrap();
        let err = sign_fails(&ctx, &format!("503-{service:?}"));
        let ok = match service {
            Service::Fulcio => matches!(err, SignError::Fulcio(_)),
            Service::Tsa => matches!(err, SignError::Timestamp(_)),
            _ => matches!(err, SignError::Rekor(_)),
        };
        assert!(ok, "{service:?}: {err:?}");
    }
}

// ---- loopback stand-ins -------------------------------------------------------------

/// Reads one HTTP request; returns (path, body).
fn read_request(stream: &mut std::net::TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).unwrap() == 0 {
            break;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).unwrap();
    (path, body)
}

/// Serves every request with `answer(path, body) -> (status line, headers, body)`.
fn serve(
    answer: impl Fn(&str, &[u8]) -> (String, Vec<(String, String)>, Vec<u8>) + Send + 'static,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (path, body) = read_request(&mut stream);
            let (status, headers, out) = answer(&path, &body);
            let mut resp = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", out.len());
            for (k, v) in headers {
                resp.push_str(&format!("{k}: {v}\r\n"));
            }
            resp.push_str("Connection: close\r\n\r\n");
            let _ = stream.write_all(resp.as_bytes());
            let _ = stream.write_all(&out);
        }
    });
    url
}

/// One DER TLV: (tag, content, rest).
fn tlv(d: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = d[0];
    let (len, hdr) = if d[1] < 0x80 {
        (usize::from(d[1]), 2)
    } else {
        let n = usize::from(d[1] & 0x7f);
        let mut len = 0usize;
        for b in &d[2..2 + n] {
            len = len << 8 | usize::from(*b);
        }
        (len, 2 + n)
    };
    (tag, &d[hdr..hdr + len], &d[hdr + len..])
}

/// The imprint and nonce of a DER TimeStampReq.
fn parse_tsq(der: &[u8]) -> (Digest, u64) {
    let (_, body, _) = tlv(der);
    let (_, _version, rest) = tlv(body);
    let (_, mi, rest) = tlv(rest);
    let (_, nonce, _) = tlv(rest);
    let (_, _alg, mi_rest) = tlv(mi);
    let (_, imprint, _) = tlv(mi_rest);
    let nonce = nonce.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
    (Digest::new(HashAlgorithm::Sha256, imprint).unwrap(), nonce)
}

/// A TSA stand-in that forwards a DIFFERENT request to the real TSA and returns its genuine,
/// correctly signed answer.
fn tsa_stand_in(real: String, other_imprint: bool) -> String {
    serve(move |_, body| {
        let (imprint, nonce) = parse_tsq(body);
        let forged = if other_imprint {
            TimeStampRequest::with_nonce(HashAlgorithm::Sha256.hash(b"something else"), nonce)
        } else {
            TimeStampRequest::with_nonce(imprint, nonce.wrapping_add(1))
        };
        let resp = TsaClient::new(real.clone()).send(&forged).unwrap();
        (
            "200 OK".to_string(),
            vec![(
                "Content-Type".to_string(),
                "application/timestamp-reply".to_string(),
            )],
            resp,
        )
    })
}

fn with_tsa(vs: &VirtualSigstore, tsa_url: &str) -> SigningConfig {
    let mut v = vs.signing_config(&sigstore_testkit::SigningConfigOptions {
        rekor_versions: vec![2],
        tsa: true,
    });
    v["tsaUrls"][0]["url"] = serde_json::Value::String(tsa_url.to_string());
    SigningConfig::from_json(v.to_string().as_bytes()).unwrap()
}

#[test]
fn tsa_response_for_another_imprint_or_nonce() {
    let vs = start();
    let real = format!("{}/api/v1/timestamp", vs.urls().tsa);
    for (other_imprint, name) in [(true, "imprint"), (false, "nonce")] {
        let url = tsa_stand_in(real.clone(), other_imprint);
        let ctx = SigningContext::builder(with_tsa(&vs, &url), trusted_root(&vs))
            .identity_token(token(&vs))
            .build()
            .unwrap();
        let err = sign_fails(&ctx, &format!("tsa-{name}"));
        if other_imprint {
            assert!(
                matches!(
                    err,
                    SignError::Timestamp(sigstore_timestamp::Error::RequestImprintMismatch)
                ),
                "{err:?}"
            );
        } else {
            assert!(
                matches!(
                    err,
                    SignError::Timestamp(sigstore_timestamp::Error::NonceMismatch)
                ),
                "{err:?}"
            );
        }
    }
    assert_eq!(vs.rekor_v2_size(), 0);
}

/// Every service behind a stand-in that redirects to another host (`localhost` instead of
/// `127.0.0.1`, where the real service listens): no client follows.
#[test]
fn cross_host_redirects_are_refused() {
    let vs = start();
    let to_other_host = |base: &str| {
        let target = base.replace("127.0.0.1", "localhost");
        serve(move |path, _| {
            (
                "307 Temporary Redirect".to_string(),
                vec![("Location".to_string(), format!("{target}{path}"))],
                Vec::new(),
            )
        })
    };
    let urls = vs.urls().clone();
    for which in ["fulcio", "rekor_v1", "rekor_v2", "tsa"] {
        let mut v = vs.signing_config(&sigstore_testkit::SigningConfigOptions {
            rekor_versions: vec![if which == "rekor_v1" { 1 } else { 2 }],
            tsa: true,
        });
        match which {
            "fulcio" => v["caUrls"][0]["url"] = to_other_host(&urls.fulcio).into(),
            "rekor_v1" => v["rekorTlogUrls"][0]["url"] = to_other_host(&urls.rekor_v1).into(),
            "rekor_v2" => v["rekorTlogUrls"][0]["url"] = to_other_host(&urls.rekor_v2).into(),
            _ => {
                v["tsaUrls"][0]["url"] =
                    format!("{}/api/v1/timestamp", to_other_host(&urls.tsa)).into()
            }
        }
        let config = SigningConfig::from_json(v.to_string().as_bytes()).unwrap();
        let ctx = SigningContext::builder(config, trusted_root(&vs))
            .identity_token(token(&vs))
            .timeout(Duration::from_secs(3))
            .build()
            .unwrap();
        let err = sign_fails(&ctx, &format!("redirect-{which}"));
        let ok = match which {
            "fulcio" => matches!(err, SignError::Fulcio(_)),
            "tsa" => matches!(err, SignError::Timestamp(_)),
            _ => matches!(err, SignError::Rekor(_)),
        };
        assert!(ok, "{which}: {err:?}");
    }
    assert_eq!(vs.rekor_v1_size() + vs.rekor_v2_size(), 0);
}

#[test]
fn bundle_path_problems_write_nothing() {
    let vs = start();
    let ctx = ctx_v(&vs, 1);
    let signed = ctx.sign_bytes(b"ok").unwrap();
    let missing = Path::new("/nonexistent-dir-for-sign-test/b.json");
    assert!(matches!(
        signed.write_to(missing),
        Err(SignError::Io { .. })
    ));
    assert!(!missing.exists());
}

/// A Fulcio stand-in that swaps the signer's token for one of another issuer (same email) and
/// forwards the request to that issuer's Fulcio: the certificate certifies our key and our
/// email, chains to the trusted root, but names another OIDC issuer than the token's.
#[test]
fn certificate_issuer_other_than_the_token() {
    let trusted = start();
    let signer_side = start();
    let fulcio = trusted.urls().fulcio.clone();
    let swapped = trusted.mint_token(&TokenClaims::email(EMAIL)).unwrap();
    let url = serve(move |path, body| {
        let mut req: serde_json::Value = serde_json::from_slice(body).unwrap();
        req["credentials"]["oidcIdentityToken"] = swapped.clone().into();
        let (status, out) = match ureq::post(&format!("{fulcio}{path}"))
            .set("Content-Type", "application/json")
            .send_string(&req.to_string())
        {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        };
        (
            format!("{status} X"),
            vec![("Content-Type".to_string(), "application/json".to_string())],
            out.into_bytes(),
        )
    });
    let mut config = trusted.signing_config(&sigstore_testkit::SigningConfigOptions {
        rekor_versions: vec![1],
        tsa: false,
    });
    config["caUrls"][0]["url"] = url.into();
    let config = SigningConfig::from_json(config.to_string().as_bytes()).unwrap();
    let ctx = SigningContext::builder(config, trusted_root(&trusted))
        .identity_token(token(&signer_side))
        .build()
        .unwrap();
    let err = sign_fails(&ctx, "issuer");
    assert!(
        matches!(&err, SignError::IssuerMismatch { expected, found }
            if *expected == signer_side.urls().oidc && *found == trusted.urls().oidc),
        "{err:?}"
    );
    assert_eq!(trusted.rekor_v1_size(), 0);
}

/// Malformed tokens from a source (2 or 4 segments, bad base64url, non-JSON claims, no
/// sub/email, oversized): a typed token error before any service is contacted.
#[test]
fn malformed_tokens_from_a_source() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let header = b64(r#"{"alg":"RS256"}"#);
    let no_identity = b64(r#"{"iss":"https://issuer","aud":"sigstore","exp":99999999999}"#);
    let cases = [
        ("two-segments", format!("{header}.{}", b64("{}"))),
        ("four-segments", format!("{header}.{}.sig.extra", b64("{}"))),
        ("bad-base64", format!("{header}.!!!.sig")),
        ("not-json", format!("{header}.{}.sig", b64("not json"))),
        ("no-sub-or-email", format!("{header}.{no_identity}.sig")),
        ("oversized", "a".repeat(sigstore_oidc::MAX_TOKEN_BYTES * 2)),
    ];
    let vs = start();
    for (name, raw) in cases {
        let ctx = SigningContext::builder(signing_config(&vs, &[1], false), trusted_root(&vs))
            .token_source(Box::new(sigstore_oidc::StaticToken(raw)))
            .build()
            .unwrap();
        let err = sign_fails(&ctx, name);
        assert!(matches!(err, SignError::Token(_)), "{name}: {err:?}");
    }
    assert_eq!(vs.rekor_v1_size(), 0);
}
