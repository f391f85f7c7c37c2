//! The workspace's own network clients (sigstore-fulcio, sigstore-tlog v1/v2 and
//! sigstore-timestamp, feature `client`) against the virtual Sigstore, including their
//! behaviour under faults (retries on 5xx, deadlines, response-size limits, key mismatch).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::*;
use sigstore_crypto::{HashAlgorithm, KeyDetails, KeySigner, Signer};
use sigstore_fulcio::client::{FulcioClient, ProofKind};
use sigstore_testkit::{Config, Fault, Service, TokenClaims, VirtualSigstore};
use sigstore_tlog::client::{ClientConfig, RekorV1Client, RekorV2Client};
use sigstore_tlog::entry::{EntryBody, HashValue, Material};
use sigstore_tlog::merkle::{leaf_hash, verify_consistency, verify_inclusion};

fn start() -> VirtualSigstore {
    VirtualSigstore::start(Config::default()).unwrap()
}

fn fast() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(5),
        initial_backoff: Duration::from_millis(10),
        ..ClientConfig::default()
    }
}

#[test]
fn fulcio_client_both_proof_kinds_retries_and_key_mismatch() {
    let vs = start();
    let trust = trust(&vs);
    let signer = KeySigner::generate_p256().unwrap();
    let token = vs
        .mint_token(&TokenClaims::email("client@example.com"))
        .unwrap();
    let client = FulcioClient::new(&vs.urls().fulcio).with_retries(3, Duration::from_millis(10));
    for proof in [
        ProofKind::ProofOfPossession,
        ProofKind::CertificateSigningRequest,
    ] {
        let cert = client.request_certificate(&token, &signer, proof).unwrap();
        trust.verify_leaf(cert.leaf().unwrap(), now());
    }
    vs.faults()
        .times(Service::Fulcio, Fault::ServerError { status: 503 }, 2);
    client
        .request_certificate(&token, &signer, ProofKind::ProofOfPossession)
        .unwrap();
    vs.faults()
        .times(Service::Fulcio, Fault::CertificateForOtherKey, 1);
    let err = client
        .request_certificate(&token, &signer, ProofKind::ProofOfPossession)
        .unwrap_err();
    assert!(
        matches!(err, sigstore_fulcio::Error::CertificateKeyMismatch),
        "{err:?}"
    );
    vs.faults()
        .times(Service::Fulcio, Fault::Delay { millis: 1500 }, 1);
    let err = FulcioClient::new(&vs.urls().fulcio)
        .with_timeout(Duration::from_millis(300))
        .with_retries(0, Duration::from_millis(10))
        .request_certificate(&token, &signer, ProofKind::ProofOfPossession);
    // Past the deadline: a transport error (the client's timeout), never a certificate.
    assert!(
        matches!(err, Err(sigstore_fulcio::Error::Transport(_))),
        "{err:?}"
    );
}

#[test]
fn rekor_v1_client_round_trip_and_limits() {
    let vs = start();
    let signer = KeySigner::generate_p256().unwrap();
    let chain = fulcio_chain(&vs, &signer, "client@example.com");
    let client = RekorV1Client::new(&vs.urls().rekor_v1, fast());
    let digest = HashAlgorithm::Sha256.hash(b"artifact");
    let sig = signer.sign(b"artifact").unwrap();
    let proposed = EntryBody::hashedrekord_v001_request(
        &HashValue {
            algorithm: HashAlgorithm::Sha256,
            digest: digest.as_bytes().to_vec(),
        },
        &sig,
        &Material::Certificate(chain[0].der().to_vec()),
    );
    let e = client.create_entry(&proposed).unwrap();
    let proof = e.inclusion_proof.clone().unwrap();
    verify_inclusion(
        proof.log_index as u64,
        proof.tree_size as u64,
        &leaf_hash(&e.body),
        &proof.hashes,
        &proof.root_hash,
    )
    .unwrap();
    assert_eq!(client.get_entry_by_index(0).unwrap().body, e.body);
    assert_eq!(client.get_entry_by_uuid(&e.uuid).unwrap().log_index, 0);
    client
        .create_entry(&hashedrekord_v1(b"second", &signer, &chain[0]))
        .unwrap();
    let info = client.log_info().unwrap();
    assert_eq!(info.tree_size, 2);
    let c = client.consistency_proof(1, 2).unwrap();
    verify_consistency(1, 2, &c.hashes, &proof.root_hash, &info.root_hash).unwrap();

    // 5xx twice then success: the client retries.
    vs.faults()
        .times(Service::RekorV1, Fault::ServerError { status: 502 }, 2);
    client.log_info().unwrap();
    // A body above the client's limit is refused.
    vs.faults().times(
        Service::RekorV1,
        Fault::OversizedBody {
            bytes: sigstore_tlog::client::MAX_RESPONSE_BYTES + 1,
        },
        1,
    );
    let err = client.log_info();
    assert!(
        matches!(err, Err(sigstore_tlog::Error::ResponseTooLarge { .. })),
        "{err:?}"
    );
    // A truncated body is an error, not a panic.
    vs.faults().times(Service::RekorV1, Fault::TruncatedBody, 4);
    let err = client.log_info();
    assert!(
        matches!(
            err,
            Err(sigstore_tlog::Error::Transport { .. } | sigstore_tlog::Error::BadResponse { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn rekor_v2_client_entries_tiles_and_proofs() {
    let vs = start();
    let signer = KeySigner::generate_p256().unwrap();
    let chain = fulcio_chain(&vs, &signer, "client@example.com");
    let client = RekorV2Client::new(&vs.urls().rekor_v2, fast());
    let mut entries = Vec::new();
    for i in 0..3u8 {
        let data = [i; 8];
        let digest = HashAlgorithm::Sha256.hash(&data);
        let req = EntryBody::hashedrekord_v002_request(
            digest.as_bytes(),
            &signer.sign(&data).unwrap(),
            &Material::Certificate(chain[0].der().to_vec()),
            KeyDetails::EcdsaP256Sha256,
        );
        entries.push(client.create_entry(&req).unwrap());
    }
    let last = &entries[2];
    assert_eq!(last.log_index, 2);
    assert_eq!(
        (last.kind.as_str(), last.version.as_str()),
        ("hashedrekord", "0.0.2")
    );
    let note = client.checkpoint().unwrap();
    assert!(note.text().contains("\n3\n"));
    let tiles = client.tile(0, 0, 3).unwrap();
    assert_eq!(tiles[1], leaf_hash(&entries[1].canonicalized_body));
    let bodies = client.entry_bundle(0, 3).unwrap();
    assert_eq!(bodies[2], last.canonicalized_body);
    let root3 = last.inclusion_proof.root_hash;
    let p = client.inclusion_proof(1, 3).unwrap();
    verify_inclusion(1, 3, &leaf_hash(&entries[1].canonicalized_body), &p, &root3).unwrap();
    let c = client.consistency_proof(1, 3).unwrap();
    verify_consistency(1, 3, &c, &entries[0].inclusion_proof.root_hash, &root3).unwrap();
}

#[test]
fn timestamp_client_against_the_tsa() {
    let vs = start();
    let trust = trust(&vs);
    let url = format!("{}/api/v1/timestamp", vs.urls().tsa);
    let client = sigstore_timestamp::client::TsaClient::new(url.clone())
        .with_retries(2, Duration::from_millis(10));
    let signed = client.timestamp(b"sig bytes", &trust.tsas).unwrap();
    assert!((signed.verified().time() - now()).abs() < 60);
    vs.faults()
        .times(Service::Tsa, Fault::ServerError { status: 503 }, 2);
    client.timestamp(b"sig bytes", &trust.tsas).unwrap();
    vs.faults()
        .times(Service::Tsa, Fault::ServerError { status: 503 }, 10);
    let err = client.timestamp(b"sig bytes", &trust.tsas);
    assert!(
        matches!(
            err,
            Err(sigstore_timestamp::Error::HttpStatus { status: 503, .. })
        ),
        "{err:?}"
    );
    vs.faults().clear();
}

/// A "browser" that follows the redirects in a background thread.
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

fn http() -> sigstore_oidc::HttpConfig {
    sigstore_oidc::HttpConfig {
        timeout: Duration::from_secs(5),
        ..sigstore_oidc::HttpConfig::default()
    }
}

#[test]
fn oidc_client_discovery_browser_and_device_flows() {
    let vs = start();
    vs.set_default_identity(TokenClaims::email("flows@example.com"));
    let meta = sigstore_oidc::ProviderMetadata::discover(&vs.urls().oidc, &http()).unwrap();

    let token = sigstore_oidc::BrowserFlow::new(meta.clone(), "sigstore")
        .opener(Box::new(FollowRedirects))
        .timeout(Duration::from_secs(10))
        .http(http())
        .run()
        .unwrap();
    assert_eq!(token.email(), Some("flows@example.com"));
    assert_eq!(token.issuer(), vs.urls().oidc);
    // The token works with Fulcio.
    let signer = KeySigner::generate_p256().unwrap();
    FulcioClient::new(&vs.urls().fulcio)
        .request_certificate(token.as_str(), &signer, ProofKind::ProofOfPossession)
        .unwrap();

    // A redirect with the wrong state is refused.
    vs.faults().times(Service::Oidc, Fault::WrongState, 1);
    let err = sigstore_oidc::BrowserFlow::new(meta.clone(), "sigstore")
        .opener(Box::new(FollowRedirects))
        .timeout(Duration::from_secs(10))
        .http(http())
        .run()
        .unwrap_err();
    assert!(
        matches!(err, sigstore_oidc::Error::StateMismatch { .. }),
        "{err:?}"
    );

    // Device flow: the prompt approves through the test hook endpoint.
    let approve_url = format!("{}/device/approve", vs.urls().oidc);
    let token = sigstore_oidc::DeviceFlow::new(meta, "sigstore")
        .prompt(Box::new(
            move |auth: &sigstore_oidc::DeviceAuthorization| {
                let url = approve_url.clone();
                let code = auth.user_code.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(300));
                    let _ = ureq::post(&url)
                        .send_form(&[("user_code", &code), ("email", "device@example.com")]);
                });
            },
        ))
        .poll_unit(Duration::from_millis(200))
        .deadline(Duration::from_secs(20))
        .http(http())
        .run()
        .unwrap();
    assert_eq!(token.email(), Some("device@example.com"));
}
