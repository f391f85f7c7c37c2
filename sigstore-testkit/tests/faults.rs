//! Every fault produces the advertised behaviour.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use sigstore_crypto::{KeySigner, Signer};
use sigstore_fulcio::{CertificateIdentity, SubjectAlternativeName};
use sigstore_testkit::{Config, Fault, Service, TokenClaims, VirtualSigstore, OTHER_IDENTITY};
use sigstore_tlog::merkle::{leaf_hash, verify_consistency_slices, verify_inclusion_slices};
use sigstore_tlog::note::{verify_checkpoint, ExpectedOrigin};
use sigstore_tlog::set::verify_set;

fn start() -> VirtualSigstore {
    VirtualSigstore::start(Config::default()).unwrap()
}

fn v1_entry(vs: &VirtualSigstore, signer: &KeySigner, artifact: &[u8]) -> (Value, Value) {
    let chain = fulcio_chain(vs, signer, "alice@example.com");
    let proposed = hashedrekord_v1(artifact, signer, &chain[0]);
    let a = common::post_json(
        &format!("{}/api/v1/log/entries", vs.urls().rekor_v1),
        &proposed,
    );
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    (
        proposed,
        v.as_object().unwrap().values().next().unwrap().clone(),
    )
}

fn v1_inclusion(e: &Value) -> Result<(), sigstore_tlog::Error> {
    let body = b64(e["body"].as_str().unwrap());
    let p = &e["verification"]["inclusionProof"];
    let hashes: Vec<Vec<u8>> = p["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hex::decode(h.as_str().unwrap()).unwrap())
        .collect();
    verify_inclusion_slices(
        p["logIndex"].as_u64().unwrap(),
        p["treeSize"].as_u64().unwrap(),
        &leaf_hash(&body),
        &hashes,
        &hex::decode(p["rootHash"].as_str().unwrap()).unwrap(),
    )
}

#[test]
fn server_error_n_times_then_recovers() {
    let vs = start();
    vs.faults()
        .times(Service::Fulcio, Fault::ServerError { status: 503 }, 2);
    let url = format!("{}/api/v2/trustBundle", vs.urls().fulcio);
    assert_eq!(get(&url).status, 503);
    assert_eq!(get(&url).status, 503);
    assert_eq!(get(&url).status, 200);
    // Other services are not affected by a service-scoped rule.
    vs.faults()
        .always(Service::RekorV1, Fault::ServerError { status: 500 });
    assert_eq!(
        get(&format!("{}/api/v1/log", vs.urls().rekor_v1)).status,
        500
    );
    assert_eq!(
        get(&format!("{}/api/v1/log", vs.urls().rekor_v1)).status,
        500
    );
    assert_eq!(get(&url).status, 200);
    vs.faults().clear();
    assert_eq!(
        get(&format!("{}/api/v1/log", vs.urls().rekor_v1)).status,
        200
    );
}

#[test]
fn delay_goes_past_a_client_deadline() {
    let vs = start();
    vs.faults()
        .times(Service::Tsa, Fault::Delay { millis: 1500 }, 1);
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_millis(300))
        .build();
    let req = timestamp_request(b"x", None, true);
    let url = format!("{}/api/v1/timestamp", vs.urls().tsa);
    let r = agent
        .post(&url)
        .set("Content-Type", "application/timestamp-query")
        .send_bytes(&req);
    assert!(
        matches!(r, Err(ureq::Error::Transport(_))),
        "expected a timeout"
    );
    let r = agent.post(&url).send_bytes(&req).unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn truncated_body_is_short_of_its_content_length() {
    let vs = start();
    vs.faults().times(Service::RekorV1, Fault::TruncatedBody, 1);
    let resp = ureq::get(&format!("{}/api/v1/log", vs.urls().rekor_v1))
        .call()
        .unwrap();
    let announced: usize = resp.header("content-length").unwrap().parse().unwrap();
    let mut body = Vec::new();
    let read = std::io::Read::read_to_end(&mut resp.into_reader(), &mut body);
    assert!(read.is_err() || body.len() < announced, "body was complete");
    let parsed = serde_json::from_slice::<Value>(&body);
    assert!(parsed.as_ref().is_err_and(|e| e.is_eof()), "{parsed:?}");
    // Next request is whole.
    get(&format!("{}/api/v1/log", vs.urls().rekor_v1)).json();
}

#[test]
fn oversized_body_is_padded_valid_json() {
    let vs = start();
    vs.faults()
        .times(Service::Oidc, Fault::OversizedBody { bytes: 200_000 }, 1);
    let a = get(&format!(
        "{}/.well-known/openid-configuration",
        vs.urls().oidc
    ));
    assert!(a.body.len() >= 200_000);
    assert_eq!(a.json()["issuer"], json!(vs.urls().oidc));
}

#[test]
fn wrong_inclusion_proof_fails_verification() {
    let vs = start();
    let signer = KeySigner::generate_p256().unwrap();
    // Size 1: the proof is empty, the fault adds a bogus hash.
    vs.faults()
        .times(Service::RekorV1, Fault::WrongInclusionProof, 1);
    let (_, e) = v1_entry(&vs, &signer, b"one");
    let r = v1_inclusion(&e);
    assert!(
        matches!(r, Err(sigstore_tlog::Error::WrongProofSize { .. })),
        "{r:?}"
    );
    let (_, e) = v1_entry(&vs, &signer, b"two");
    v1_inclusion(&e).unwrap();
    vs.faults()
        .times(Service::RekorV1, Fault::WrongInclusionProof, 1);
    let (_, e) = v1_entry(&vs, &signer, b"three");
    assert!(matches!(
        v1_inclusion(&e),
        Err(sigstore_tlog::Error::RootMismatch { .. })
    ));

    // Rekor v2 as well.
    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    let url = format!("{}/api/v2/log/entries", vs.urls().rekor_v2);
    common::post_json(&url, &hashedrekord_v2(b"a", &signer, &chain[0]));
    vs.faults()
        .times(Service::RekorV2, Fault::WrongInclusionProof, 1);
    let e = common::post_json(&url, &hashedrekord_v2(b"b", &signer, &chain[0])).json();
    let p = &e["inclusionProof"];
    let hashes: Vec<Vec<u8>> = p["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| b64(h.as_str().unwrap()))
        .collect();
    let r = verify_inclusion_slices(
        1,
        2,
        &leaf_hash(&b64(e["canonicalizedBody"].as_str().unwrap())),
        &hashes,
        &b64(p["rootHash"].as_str().unwrap()),
    );
    assert!(matches!(r, Err(sigstore_tlog::Error::RootMismatch { .. })));
}

#[test]
fn forked_log_serves_inconsistent_checkpoints() {
    let vs = start();
    let trust = trust(&vs);
    let signer = KeySigner::generate_p256().unwrap();
    let rekor = &vs.urls().rekor_v1;
    let key = trust.log_key(rekor, vs.rekor_v1_key_name());
    let origin = ExpectedOrigin::RekorV1 {
        host: vs.rekor_v1_key_name().to_string(),
    };
    v1_entry(&vs, &signer, b"a");
    v1_entry(&vs, &signer, b"b");
    let info = get(&format!("{rekor}/api/v1/log")).json();
    let old = verify_checkpoint(
        info["signedTreeHead"].as_str().unwrap(),
        &origin,
        std::slice::from_ref(&key),
        None,
    )
    .unwrap();
    v1_entry(&vs, &signer, b"c");
    vs.faults().always(Service::RekorV1, Fault::ForkedLog);
    let info = get(&format!("{rekor}/api/v1/log")).json();
    // Correctly signed, same size as the real tree...
    let forked = verify_checkpoint(
        info["signedTreeHead"].as_str().unwrap(),
        &origin,
        std::slice::from_ref(&key),
        None,
    )
    .unwrap();
    assert_eq!(forked.tree_size(), 3);
    // ...but not consistent with the earlier checkpoint.
    let proof = get(&format!("{rekor}/api/v1/log/proof?firstSize=2&lastSize=3")).json();
    let hashes: Vec<Vec<u8>> = proof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hex::decode(h.as_str().unwrap()).unwrap())
        .collect();
    let r = verify_consistency_slices(2, 3, &hashes, old.root_hash(), forked.root_hash());
    assert!(
        matches!(r, Err(sigstore_tlog::Error::RootMismatch { .. })),
        "{r:?}"
    );
    // And an entry's checkpoint no longer matches its proof's root.
    let (_, e) = v1_entry(&vs, &signer, b"d");
    let cp = verify_checkpoint(
        e["verification"]["inclusionProof"]["checkpoint"]
            .as_str()
            .unwrap(),
        &origin,
        std::slice::from_ref(&key),
        None,
    )
    .unwrap();
    assert_ne!(
        hex::encode(cp.root_hash()),
        e["verification"]["inclusionProof"]["rootHash"]
            .as_str()
            .unwrap()
    );
    vs.faults().clear();
    let info = get(&format!("{rekor}/api/v1/log")).json();
    let real = verify_checkpoint(
        info["signedTreeHead"].as_str().unwrap(),
        &origin,
        &[key],
        None,
    )
    .unwrap();
    let proof = get(&format!("{rekor}/api/v1/log/proof?firstSize=2&lastSize=4")).json();
    let hashes: Vec<Vec<u8>> = proof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hex::decode(h.as_str().unwrap()).unwrap())
        .collect();
    verify_consistency_slices(2, 4, &hashes, old.root_hash(), real.root_hash()).unwrap();

    // Rekor v2 checkpoint endpoint.
    let url = &vs.urls().rekor_v2;
    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    common::post_json(
        &format!("{url}/api/v2/log/entries"),
        &hashedrekord_v2(b"x", &signer, &chain[0]),
    );
    common::post_json(
        &format!("{url}/api/v2/log/entries"),
        &hashedrekord_v2(b"y", &signer, &chain[0]),
    );
    let v2key = trust.log_key(url, vs.rekor_v2_origin());
    let o2 = ExpectedOrigin::Exact(vs.rekor_v2_origin().to_string());
    let real = verify_checkpoint(
        get(&format!("{url}/checkpoint")).body,
        &o2,
        std::slice::from_ref(&v2key),
        None,
    )
    .unwrap();
    vs.faults().times(Service::RekorV2, Fault::ForkedLog, 1);
    let fork =
        verify_checkpoint(get(&format!("{url}/checkpoint")).body, &o2, &[v2key], None).unwrap();
    assert_eq!(real.tree_size(), fork.tree_size());
    assert_ne!(real.root_hash(), fork.root_hash());
}

#[test]
fn altered_entry_differs_from_submission_but_is_signed() {
    let vs = start();
    let trust = trust(&vs);
    let signer = KeySigner::generate_p256().unwrap();
    vs.faults().times(Service::RekorV1, Fault::AlteredEntry, 1);
    let (proposed, e) = v1_entry(&vs, &signer, b"artifact");
    let body_bytes = b64(e["body"].as_str().unwrap());
    let body: Value = serde_json::from_slice(&body_bytes).unwrap();
    assert_ne!(
        body["spec"]["signature"]["content"],
        proposed["spec"]["signature"]["content"]
    );
    let (key, log_id) = trust.log_public_key(&vs.urls().rekor_v1);
    verify_set(
        &body_bytes,
        e["integratedTime"].as_i64().unwrap(),
        &log_id,
        e["logIndex"].as_i64().unwrap(),
        &b64(e["verification"]["signedEntryTimestamp"].as_str().unwrap()),
        &key,
    )
    .unwrap();
    v1_inclusion(&e).unwrap();

    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    vs.faults().times(Service::RekorV2, Fault::AlteredEntry, 1);
    let req = hashedrekord_v2(b"v2", &signer, &chain[0]);
    let e = common::post_json(&format!("{}/api/v2/log/entries", vs.urls().rekor_v2), &req).json();
    let body: Value =
        serde_json::from_slice(&b64(e["canonicalizedBody"].as_str().unwrap())).unwrap();
    assert_ne!(
        body["spec"]["hashedRekordV002"]["signature"]["content"],
        req["hashedRekordRequestV002"]["signature"]["content"]
    );
}

#[test]
fn certificate_for_another_key_or_identity() {
    let vs = start();
    let trust = trust(&vs);
    let signer = KeySigner::generate_p256().unwrap();
    vs.faults()
        .times(Service::Fulcio, Fault::CertificateForOtherKey, 1);
    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    assert_ne!(
        chain[0].public_key().spki_der(),
        signer.public_key().spki_der()
    );
    trust.verify_leaf(&chain[0], now());

    vs.faults()
        .times(Service::Fulcio, Fault::CertificateForOtherIdentity, 1);
    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    assert_eq!(
        chain[0].public_key().spki_der(),
        signer.public_key().spki_der()
    );
    let id =
        CertificateIdentity::from_verified_chain(&trust.verify_leaf(&chain[0], now())).unwrap();
    assert_eq!(id.san, SubjectAlternativeName::Email(OTHER_IDENTITY.into()));
}

#[test]
fn expired_and_wrong_audience_tokens_are_refused_by_fulcio() {
    let vs = start();
    let signer = KeySigner::generate_p256().unwrap();
    let claims = TokenClaims::email("alice@example.com");

    vs.faults().times(Service::Oidc, Fault::ExpiredToken, 1);
    let token = vs.mint_token(&claims).unwrap();
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine as _;
    let p: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert!(p["exp"].as_i64().unwrap() < now());
    let a = fulcio_cert_request(&vs, &token, &signer, "alice@example.com");
    assert_eq!(a.status, 401);
    assert!(String::from_utf8_lossy(&a.body).contains("expired"));

    // Through the token endpoint too.
    vs.faults().times(Service::Oidc, Fault::WrongAudience, 1);
    let t = post_form(
        &format!("{}/token", vs.urls().oidc),
        &[
            ("grant_type", "client_credentials"),
            ("email", "alice@example.com"),
        ],
    );
    let token = t.json()["id_token"].as_str().unwrap().to_string();
    let a = fulcio_cert_request(&vs, &token, &signer, "alice@example.com");
    assert_eq!(a.status, 401);
    assert!(String::from_utf8_lossy(&a.body).contains("audience"));

    // Explicit claims work the same way without faults.
    let t = vs
        .mint_token(&claims.clone().with_times(now() - 1000, now() - 500))
        .unwrap();
    assert_eq!(
        fulcio_cert_request(&vs, &t, &signer, "alice@example.com").status,
        401
    );
    let t = vs
        .mint_token(&claims.clone().with_audience("nope"))
        .unwrap();
    assert_eq!(
        fulcio_cert_request(&vs, &t, &signer, "alice@example.com").status,
        401
    );
    // A token signed by another key is refused.
    let other = VirtualSigstore::start(Config::default()).unwrap();
    let foreign = other.mint_token(&claims).unwrap();
    assert_eq!(
        fulcio_cert_request(&vs, &foreign, &signer, "alice@example.com").status,
        401
    );
    let good = vs.mint_token(&claims).unwrap();
    assert_eq!(
        fulcio_cert_request(&vs, &good, &signer, "alice@example.com").status,
        201
    );
    let _ = signer.public_key();
}

#[test]
fn wrong_state_on_redirect() {
    let vs = start();
    vs.faults().times(Service::Oidc, Fault::WrongState, 1);
    let url = format!(
        "{}/authorize?response_type=code&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=expected",
        vs.urls().oidc
    );
    let loc = get(&url).location.unwrap();
    let state = loc.split("state=").nth(1).unwrap();
    assert_ne!(state, "expected");
    let loc = get(&url).location.unwrap();
    assert!(loc.ends_with("state=expected"));
}

#[test]
fn admin_endpoint_controls_faults_out_of_process() {
    let vs = start();
    let admin = format!("{}/__faults", vs.urls().rekor_v2);
    let a = common::post_json(
        &admin,
        &json!({"service": "tsa", "fault": {"kind": "server_error", "status": 502}, "times": 1}),
    );
    assert_eq!(a.status, 200);
    let rules = get(&admin).json();
    assert_eq!(rules[0]["fault"]["kind"], "server_error");
    let req = timestamp_request(b"x", None, true);
    let tsa = format!("{}/api/v1/timestamp", vs.urls().tsa);
    assert_eq!(
        post_bytes(&tsa, "application/timestamp-query", &req).status,
        502
    );
    assert_eq!(
        post_bytes(&tsa, "application/timestamp-query", &req).status,
        200
    );
    // Rules without a service apply to every service; DELETE clears them.
    common::post_json(
        &admin,
        &json!({"fault": {"kind": "server_error", "status": 503}}),
    );
    assert_eq!(get(&format!("{}/jwks", vs.urls().oidc)).status, 503);
    assert_eq!(
        post_bytes(&tsa, "application/timestamp-query", &req).status,
        503
    );
    let del = answer_delete(&admin);
    assert_eq!(del, 200);
    assert_eq!(get(&format!("{}/jwks", vs.urls().oidc)).status, 200);
    // {"clear": true} also clears; malformed rules are refused.
    assert_eq!(
        common::post_json(&admin, &json!({"clear": true})).status,
        200
    );
    assert_eq!(
        common::post_json(&admin, &json!({"fault": {"kind": "nope"}})).status,
        400
    );
}

fn answer_delete(url: &str) -> u16 {
    match ureq::delete(url).call() {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        Err(e) => panic!("{e}"),
    }
}
