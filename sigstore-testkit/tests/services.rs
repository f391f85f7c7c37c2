//! Every endpoint end to end over HTTP, checked with the workspace's own verifiers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, KeySigner, SignatureScheme, Signer};
use sigstore_fulcio::{CertificateIdentity, SubjectAlternativeName};
use sigstore_testkit::{Config, TokenClaims, VirtualSigstore, SIGSTORE_AUDIENCE};
use sigstore_tlog::merkle::{leaf_hash, verify_consistency_slices, verify_inclusion_slices};
use sigstore_tlog::note::{verify_checkpoint, ExpectedOrigin};
use sigstore_tlog::set::verify_set;

fn start() -> VirtualSigstore {
    VirtualSigstore::start(Config::default()).unwrap()
}

fn jwt_payload(token: &str) -> Value {
    let p = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64URL.decode(p).unwrap()).unwrap()
}

#[test]
fn oidc_discovery_jwks_and_token_endpoint() {
    let vs = start();
    let u = &vs.urls().oidc;
    let disco = get(&format!("{u}/.well-known/openid-configuration")).json();
    assert_eq!(disco["issuer"], json!(u));
    assert_eq!(disco["jwks_uri"], json!(format!("{u}/jwks")));
    assert!(disco["code_challenge_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("S256")));
    let jwks = get(&format!("{u}/jwks")).json();
    let jwk = &jwks["keys"][0];
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["alg"], "ES256");
    let mut point = vec![4u8];
    point.extend(B64URL.decode(jwk["x"].as_str().unwrap()).unwrap());
    point.extend(B64URL.decode(jwk["y"].as_str().unwrap()).unwrap());
    assert_eq!(point, vs.oidc_public_key().raw_public_key());

    let tok = post_form(
        &format!("{u}/token"),
        &[
            ("grant_type", "client_credentials"),
            ("email", "bob@example.com"),
        ],
    );
    assert_eq!(tok.status, 200);
    let id_token = tok.json()["id_token"].as_str().unwrap().to_string();
    // Signature verifies with the JWKS key (ES256 = raw r||s over header.payload).
    let (signing_input, sig) = id_token.rsplit_once('.').unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&B64URL.decode(sig).unwrap()).unwrap();
    vs.oidc_public_key()
        .verify(
            SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            signing_input.as_bytes(),
            sig.to_der().as_bytes(),
        )
        .unwrap();
    let claims = jwt_payload(&id_token);
    assert_eq!(claims["iss"], json!(u));
    assert_eq!(claims["email"], "bob@example.com");
    assert_eq!(claims["aud"], SIGSTORE_AUDIENCE);
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());

    // Direct API with chosen claims.
    let t = vs
        .mint_token(&TokenClaims::subject("https://ci.example/workflow").with_audience("other"))
        .unwrap();
    let c = jwt_payload(&t);
    assert_eq!(c["sub"], "https://ci.example/workflow");
    assert_eq!(c["aud"], "other");
    assert!(c.get("email").is_none());
}

#[test]
fn oidc_authorization_code_with_pkce_and_state() {
    let vs = start();
    let u = &vs.urls().oidc;
    let verifier = "a-very-long-code-verifier-0123456789-abcdefghijklmnop";
    let challenge = B64URL.encode(HashAlgorithm::Sha256.hash(verifier.as_bytes()).as_bytes());
    let redirect = "http://127.0.0.1:9/callback";
    let a = get(&format!(
        "{u}/authorize?response_type=code&client_id=sigstore&redirect_uri={}&state=xyz123&nonce=n0nce&code_challenge={challenge}&code_challenge_method=S256&scope=openid%20email",
        "http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
    ));
    assert_eq!(a.status, 302);
    let loc = a.location.unwrap();
    assert!(loc.starts_with(redirect), "{loc}");
    assert!(loc.contains("state=xyz123"), "{loc}");
    let code = loc
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();

    // Wrong verifier: invalid_grant, and the code is consumed.
    let bad = post_form(
        &format!("{u}/token"),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("client_id", "sigstore"),
            ("code_verifier", "wrong"),
        ],
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"], "invalid_grant");

    let a = get(&format!(
        "{u}/authorize?response_type=code&client_id=sigstore&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&state=s2&nonce=n2&code_challenge={challenge}&code_challenge_method=S256"
    ));
    let loc = a.location.unwrap();
    let code = loc
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let ok = post_form(
        &format!("{u}/token"),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("client_id", "sigstore"),
            ("code_verifier", verifier),
        ],
    );
    assert_eq!(ok.status, 200);
    let claims = jwt_payload(ok.json()["id_token"].as_str().unwrap());
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["nonce"], "n2");
    // A code is single use.
    let again = post_form(
        &format!("{u}/token"),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", verifier),
        ],
    );
    assert_eq!(again.status, 400);
    // A redirect URI with control characters (header injection) is refused.
    let inj = get(&format!(
        "{u}/authorize?response_type=code&client_id=c&redirect_uri=http%3A%2F%2Fx%0D%0ASet-Cookie%3A%20a%3Db"
    ));
    assert_eq!(inj.status, 400);
    // plain PKCE is refused.
    let plain = get(&format!(
        "{u}/authorize?response_type=code&client_id=c&redirect_uri=http%3A%2F%2Fx&code_challenge=abc&code_challenge_method=plain"
    ));
    assert_eq!(plain.status, 400);
}

#[test]
fn oidc_device_authorization_grant() {
    let vs = start();
    let u = &vs.urls().oidc;
    let d = post_form(
        &format!("{u}/device/code"),
        &[("client_id", "sigstore"), ("scope", "openid email")],
    );
    assert_eq!(d.status, 200);
    let d = d.json();
    let device_code = d["device_code"].as_str().unwrap().to_string();
    let user_code = d["user_code"].as_str().unwrap().to_string();
    assert!(d["verification_uri"]
        .as_str()
        .unwrap()
        .starts_with(u.as_str()));
    let poll = || {
        post_form(
            &format!("{u}/token"),
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", &device_code),
                ("client_id", "sigstore"),
            ],
        )
    };
    let p = poll();
    assert_eq!(p.status, 400);
    assert_eq!(p.json()["error"], "authorization_pending");
    let approve = post_form(
        &format!("{u}/device/approve"),
        &[("user_code", &user_code), ("email", "dev@example.com")],
    );
    assert_eq!(approve.status, 200);
    let p = poll();
    assert_eq!(p.status, 200);
    let claims = jwt_payload(p.json()["id_token"].as_str().unwrap());
    assert_eq!(claims["email"], "dev@example.com");
    // Consumed.
    assert_eq!(poll().json()["error"], "invalid_grant");
    // Denied flow and the in-process hook.
    let d2 = post_form(&format!("{u}/device/code"), &[("client_id", "sigstore")]).json();
    assert!(vs.approve_device(d2["user_code"].as_str().unwrap(), None));
    assert!(!vs.approve_device("NOPE-NOPE", None));
}

#[test]
fn fulcio_issues_verifiable_leaf_with_sct() {
    let vs = start();
    let trust = trust(&vs);
    let signer = KeySigner::generate_p256().unwrap();
    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    assert_eq!(chain.len(), 3);
    let leaf = &chain[0];
    assert_eq!(leaf.public_key().spki_der(), signer.public_key().spki_der());
    assert_eq!(leaf.not_after() - leaf.not_before(), 600);
    let verified = trust.verify_leaf(leaf, now());
    let id = CertificateIdentity::from_verified_chain(&verified).unwrap();
    assert_eq!(
        id.san,
        SubjectAlternativeName::Email("alice@example.com".into())
    );
    assert_eq!(id.issuer.as_deref(), Some(vs.urls().oidc.as_str()));
    // Raw v1 issuer extension too.
    assert_eq!(
        leaf.extension("1.3.6.1.4.1.57264.1.1").unwrap().value,
        vs.urls().oidc.as_bytes()
    );

    // URI identity from a sub-only token, and the token in the Authorization header.
    let token = vs
        .mint_token(&TokenClaims::subject(
            "https://ci.example/wf@refs/heads/main",
        ))
        .unwrap();
    let pop = signer
        .sign(b"https://ci.example/wf@refs/heads/main")
        .unwrap();
    let a = common::post_json(
        &format!("{}/api/v2/signingCert", vs.urls().fulcio),
        &json!({"publicKeyRequest": {"publicKey": {"content": signer.public_key().to_pem()},
            "proofOfPossession": base64::engine::general_purpose::STANDARD.encode(pop)},
            "credentials": {"oidcIdentityToken": token}}),
    );
    assert_eq!(a.status, 201);
    let c = chain_from_answer(&a);
    let id = CertificateIdentity::from_verified_chain(&trust.verify_leaf(&c[0], now())).unwrap();
    assert_eq!(
        id.san,
        SubjectAlternativeName::Uri("https://ci.example/wf@refs/heads/main".into())
    );

    // Bad proof of possession.
    let token = vs
        .mint_token(&TokenClaims::email("alice@example.com"))
        .unwrap();
    let a = fulcio_cert_request(&vs, &token, &signer, "mallory@example.com");
    assert_eq!(a.status, 400);

    // Trust bundle.
    let tb = get(&format!("{}/api/v2/trustBundle", vs.urls().fulcio)).json();
    assert_eq!(tb["chains"][0]["certificates"].as_array().unwrap().len(), 2);
}

#[test]
fn fulcio_accepts_csr_with_bearer_token() {
    let vs = start();
    let trust = trust(&vs);
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    let csr = params.serialize_request(&kp).unwrap().pem().unwrap();
    let token = vs
        .mint_token(&TokenClaims::email("csr@example.com"))
        .unwrap();
    let resp = ureq::post(&format!("{}/api/v2/signingCert", vs.urls().fulcio))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(json!({"certificateSigningRequest": base64::engine::general_purpose::STANDARD.encode(csr)}))
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body: Value = resp.into_json().unwrap();
    let leaf = sigstore_fulcio::Certificate::from_pem(
        body["signedCertificateEmbeddedSct"]["chain"]["certificates"][0]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(leaf.public_key().spki_der(), kp.public_key_der());
    trust.verify_leaf(&leaf, now());
    // A CSR with a broken signature is refused.
    let mut der = pem::parse(params.serialize_request(&kp).unwrap().pem().unwrap())
        .unwrap()
        .into_contents();
    let n = der.len();
    der[n - 3] ^= 0x55;
    let bad_pem = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der));
    let a = common::post_json(
        &format!("{}/api/v2/signingCert", vs.urls().fulcio),
        &json!({"credentials": {"oidcIdentityToken": token},
                "certificateSigningRequest": base64::engine::general_purpose::STANDARD.encode(bad_pem)}),
    );
    assert_eq!(a.status, 400);
}

#[test]
fn sign_flow_rekor_v1_set_proof_checkpoint() {
    let vs = start();
    let trust = trust(&vs);
    let signer = KeySigner::generate_p256().unwrap();
    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    let artifact = b"hello, virtual sigstore";
    let rekor = &vs.urls().rekor_v1;
    let a = common::post_json(
        &format!("{rekor}/api/v1/log/entries"),
        &hashedrekord_v1(artifact, &signer, &chain[0]),
    );
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    let (uuid, e) = v.as_object().unwrap().iter().next().unwrap();
    let body = b64(e["body"].as_str().unwrap());
    assert_eq!(uuid, &hex::encode(leaf_hash(&body)));
    let body_json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body_json["kind"], "hashedrekord");
    assert_eq!(
        body_json["spec"]["data"]["hash"]["value"],
        HashAlgorithm::Sha256.hash(artifact).to_hex()
    );
    let (key, log_id) = trust.log_public_key(rekor);
    assert_eq!(hex::encode(&log_id), e["logID"].as_str().unwrap());
    let index = e["logIndex"].as_i64().unwrap();
    let t = e["integratedTime"].as_i64().unwrap();
    assert!(chain[0].is_valid_at(t));
    verify_set(
        &body,
        t,
        &log_id,
        index,
        &b64(e["verification"]["signedEntryTimestamp"].as_str().unwrap()),
        &key,
    )
    .unwrap();
    let proof = &e["verification"]["inclusionProof"];
    let log_key = trust.log_key(rekor, vs.rekor_v1_key_name());
    let cp = verify_checkpoint(
        proof["checkpoint"].as_str().unwrap(),
        &ExpectedOrigin::RekorV1 {
            host: vs.rekor_v1_key_name().to_string(),
        },
        std::slice::from_ref(&log_key),
        None,
    )
    .unwrap();
    assert_eq!(cp.origin(), vs.rekor_v1_origin());
    let hashes: Vec<Vec<u8>> = proof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hex::decode(h.as_str().unwrap()).unwrap())
        .collect();
    let size = proof["treeSize"].as_u64().unwrap();
    verify_inclusion_slices(
        index as u64,
        size,
        &leaf_hash(&body),
        &hashes,
        cp.root_hash(),
    )
    .unwrap();
    assert_eq!(
        hex::encode(cp.root_hash()),
        proof["rootHash"].as_str().unwrap()
    );

    // Duplicate -> 409.
    let dup = common::post_json(
        &format!("{rekor}/api/v1/log/entries"),
        &json!({
            "apiVersion": "0.0.1", "kind": "hashedrekord", "spec": body_json["spec"].clone()
        }),
    );
    assert_eq!(dup.status, 409);

    // A wrong signature is refused.
    let mut bad = hashedrekord_v1(b"other artifact", &signer, &chain[0]);
    bad["spec"]["data"]["hash"]["value"] = json!(HashAlgorithm::Sha256.hash(artifact).to_hex());
    assert_eq!(
        common::post_json(&format!("{rekor}/api/v1/log/entries"), &bad).status,
        400
    );

    // Second entry, retrieval by UUID and index, log info and consistency proof.
    let chain2 = fulcio_chain(&vs, &signer, "alice@example.com");
    let a2 = common::post_json(
        &format!("{rekor}/api/v1/log/entries"),
        &hashedrekord_v1(b"second", &signer, &chain2[0]),
    );
    assert_eq!(a2.status, 201);
    let by_uuid = get(&format!("{rekor}/api/v1/log/entries/{uuid}")).json();
    assert_eq!(by_uuid[uuid]["body"], e["body"]);
    let long_uuid = format!("{:016x}{uuid}", 42);
    assert_eq!(
        get(&format!("{rekor}/api/v1/log/entries/{long_uuid}")).status,
        200
    );
    let by_index = get(&format!("{rekor}/api/v1/log/entries?logIndex={index}")).json();
    assert_eq!(by_index[uuid]["logIndex"], json!(index));
    assert_eq!(
        get(&format!("{rekor}/api/v1/log/entries?logIndex=99")).status,
        404
    );
    assert_eq!(
        get(&format!("{rekor}/api/v1/log/entries/{}", "00".repeat(32))).status,
        404
    );
    let info = get(&format!("{rekor}/api/v1/log")).json();
    assert_eq!(info["treeSize"], 2);
    assert_eq!(info["treeID"], "1193050959916656506");
    let cp2 = verify_checkpoint(
        info["signedTreeHead"].as_str().unwrap(),
        &ExpectedOrigin::RekorV1 {
            host: vs.rekor_v1_key_name().to_string(),
        },
        &[log_key],
        None,
    )
    .unwrap();
    let cproof = get(&format!("{rekor}/api/v1/log/proof?firstSize=1&lastSize=2")).json();
    let ch: Vec<Vec<u8>> = cproof["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hex::decode(h.as_str().unwrap()).unwrap())
        .collect();
    verify_consistency_slices(1, 2, &ch, cp.root_hash(), cp2.root_hash()).unwrap();
    assert_eq!(
        get(&format!("{rekor}/api/v1/log/proof?firstSize=1&lastSize=9")).status,
        400
    );
    let pk = get(&format!("{rekor}/api/v1/log/publicKey"));
    assert!(String::from_utf8(pk.body).unwrap().contains("PUBLIC KEY"));
}

#[test]
fn rekor_v1_dsse_entry() {
    let vs = start();
    let signer = KeySigner::generate_p256().unwrap();
    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    let payload =
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x"}"#;
    let ptype = "application/vnd.in-toto+json";
    let mut pae = format!("DSSEv1 {} {ptype} {} ", ptype.len(), payload.len()).into_bytes();
    pae.extend_from_slice(payload);
    let sig = signer.sign(&pae).unwrap();
    let std = base64::engine::general_purpose::STANDARD;
    let envelope = json!({"payload": std.encode(payload), "payloadType": ptype,
        "signatures": [{"sig": std.encode(&sig), "keyid": ""}]})
    .to_string();
    let proposed = json!({"apiVersion": "0.0.1", "kind": "dsse", "spec": {"proposedContent": {
        "envelope": envelope, "verifiers": [std.encode(chain[0].to_pem())]}}});
    let a = common::post_json(
        &format!("{}/api/v1/log/entries", vs.urls().rekor_v1),
        &proposed,
    );
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    let e = v.as_object().unwrap().values().next().unwrap();
    let body: Value = serde_json::from_slice(&b64(e["body"].as_str().unwrap())).unwrap();
    assert_eq!(body["kind"], "dsse");
    assert_eq!(
        body["spec"]["payloadHash"]["value"],
        HashAlgorithm::Sha256.hash(payload).to_hex()
    );
    assert_eq!(
        body["spec"]["envelopeHash"]["value"],
        HashAlgorithm::Sha256.hash(envelope.as_bytes()).to_hex()
    );
    assert_eq!(body["spec"]["signatures"][0]["signature"], std.encode(&sig));
    // Tampered payload is refused.
    let bad_env = json!({"payload": std.encode(b"tampered"), "payloadType": ptype,
        "signatures": [{"sig": std.encode(&sig)}]})
    .to_string();
    let bad = json!({"apiVersion": "0.0.1", "kind": "dsse", "spec": {"proposedContent": {
        "envelope": bad_env, "verifiers": [std.encode(chain[0].to_pem())]}}});
    assert_eq!(
        common::post_json(&format!("{}/api/v1/log/entries", vs.urls().rekor_v1), &bad).status,
        400
    );
}

#[test]
fn rekor_v2_entries_checkpoint_and_tiles() {
    let vs = start();
    let trust = trust(&vs);
    let signer = KeySigner::generate_p256().unwrap();
    let chain = fulcio_chain(&vs, &signer, "alice@example.com");
    let url = &vs.urls().rekor_v2;
    let mut bodies = Vec::new();
    for i in 0..3u8 {
        let a = common::post_json(
            &format!("{url}/api/v2/log/entries"),
            &hashedrekord_v2(&[i; 10], &signer, &chain[0]),
        );
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
        let e = a.json();
        assert_eq!(e["logIndex"], json!(i.to_string()));
        assert_eq!(
            e["kindVersion"],
            json!({"kind": "hashedrekord", "version": "0.0.2"})
        );
        let body = b64(e["canonicalizedBody"].as_str().unwrap());
        let bj: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            bj["spec"]["hashedRekordV002"]["data"]["algorithm"],
            "SHA2_256"
        );
        let log_key = trust.log_key(url, vs.rekor_v2_origin());
        assert_eq!(
            b64(e["logId"]["keyId"].as_str().unwrap()),
            trust.log_public_key(url).1
        );
        let cp = verify_checkpoint(
            e["inclusionProof"]["checkpoint"]["envelope"]
                .as_str()
                .unwrap(),
            &ExpectedOrigin::Exact(vs.rekor_v2_origin().to_string()),
            &[log_key],
            None,
        )
        .unwrap();
        let hashes: Vec<Vec<u8>> = e["inclusionProof"]["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| b64(h.as_str().unwrap()))
            .collect();
        verify_inclusion_slices(
            u64::from(i),
            u64::from(i) + 1,
            &leaf_hash(&body),
            &hashes,
            cp.root_hash(),
        )
        .unwrap();
        bodies.push(body);
    }
    // The dsse request form.
    let std = base64::engine::general_purpose::STANDARD;
    let mut pae = b"DSSEv1 4 text 2 hi".to_vec();
    let sig = signer.sign(&pae).unwrap();
    pae.clear();
    let req = json!({"dsseRequestV002": {
        "envelope": {"payload": std.encode(b"hi"), "payloadType": "text", "signatures": [{"sig": std.encode(&sig), "keyid": ""}]},
        "verifiers": [{"x509Certificate": {"rawBytes": std.encode(chain[0].der())}, "keyDetails": "PKIX_ECDSA_P256_SHA_256"}]
    }});
    let a = common::post_json(&format!("{url}/api/v2/log/entries"), &req);
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["kindVersion"]["kind"], "dsse");
    bodies.push(b64(a.json()["canonicalizedBody"].as_str().unwrap()));
    // The oneof under a name protobuf JSON does not know (camel case keeping the version's
    // underscores) is refused and logs nothing.
    let misnamed = json!({ "dsseRequestV0_0_2": req["dsseRequestV002"].clone() });
    let a = common::post_json(&format!("{url}/api/v2/log/entries"), &misnamed);
    assert_eq!(a.status, 400, "{}", String::from_utf8_lossy(&a.body));

    let cp_text = String::from_utf8(get(&format!("{url}/checkpoint")).body).unwrap();
    let cp = verify_checkpoint(
        &cp_text,
        &ExpectedOrigin::Exact(vs.rekor_v2_origin().to_string()),
        &[trust.log_key(url, vs.rekor_v2_origin())],
        None,
    )
    .unwrap();
    assert_eq!(cp.tree_size(), 4);
    let tile = get(&format!("{url}/tile/0/000.p/4"));
    assert_eq!(tile.status, 200);
    let leaves: Vec<[u8; 32]> = tile
        .body
        .chunks(32)
        .map(|c| c.try_into().unwrap())
        .collect();
    assert_eq!(leaves.len(), 4);
    for (l, b) in leaves.iter().zip(&bodies) {
        assert_eq!(*l, leaf_hash(b));
    }
    assert_eq!(
        sigstore_tlog::merkle::root_from_leaf_hashes(&leaves),
        *cp.root_hash()
    );
    let entries = get(&format!("{url}/tile/entries/000.p/4")).body;
    let mut rest = entries.as_slice();
    for b in &bodies {
        let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
        assert_eq!(&rest[2..2 + len], b.as_slice());
        rest = &rest[2 + len..];
    }
    assert!(rest.is_empty());
    assert_eq!(
        get(&format!("{url}/tile/0/000")).status,
        404,
        "full tile not yet available"
    );
    assert_eq!(get(&format!("{url}/tile/0/x001/000")).status, 404);
    assert_eq!(get(&format!("{url}/tile/0/00")).status, 400);
}

#[test]
fn tsa_issues_token_verified_by_sigstore_timestamp() {
    let vs = start();
    let trust = trust(&vs);
    let data = b"signature bytes to timestamp";
    let nonce = [0x01, 0x23, 0x45, 0x67, 0x89];
    for path in ["/api/v1/timestamp", "/"] {
        let req = timestamp_request(data, Some(&nonce), true);
        let a = post_bytes(
            &format!("{}{path}", vs.urls().tsa),
            "application/timestamp-query",
            &req,
        );
        assert_eq!(a.status, 200);
        let verified = sigstore_timestamp::verify_timestamp(&a.body, data, &trust.tsas).unwrap();
        assert!((verified.time() - now()).abs() < 60);
        let token = sigstore_timestamp::TimeStampToken::from_der(&a.body).unwrap();
        assert_eq!(token.tst_info().nonce(), Some(&nonce[..]));
        // Wrong data fails.
        let r = sigstore_timestamp::verify_timestamp(&a.body, b"other", &trust.tsas);
        assert!(
            matches!(r, Err(sigstore_timestamp::Error::ImprintMismatch { .. })),
            "{r:?}"
        );
    }
    // Without certReq the token carries no certificates but still verifies against the root.
    let req = timestamp_request(data, None, false);
    let a = post_bytes(
        &format!("{}/api/v1/timestamp", vs.urls().tsa),
        "application/timestamp-query",
        &req,
    );
    sigstore_timestamp::verify_timestamp(&a.body, data, &trust.tsas).unwrap();
    let token = sigstore_timestamp::TimeStampToken::from_der(&a.body).unwrap();
    assert!(token.tst_info().nonce().is_none());
    // Garbage is refused with a rejection status.
    let bad = post_bytes(
        &format!("{}/api/v1/timestamp", vs.urls().tsa),
        "application/timestamp-query",
        b"junk",
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn trust_material_parses_with_sigstore_bundle() {
    let dir = std::env::temp_dir().join(format!("testkit-trust-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let vs = VirtualSigstore::start(Config::default().with_dir(&dir)).unwrap();
    let files = vs.write_trust_material(&dir).unwrap();
    let root = sigstore_bundle::TrustedRoot::from_file(&files.trusted_root).unwrap();
    assert_eq!(root.tlogs.len(), 2);
    assert_eq!(root.certificate_authorities[0].cert_chain.len(), 2);
    assert_eq!(root.timestamp_authorities[0].cert_chain.len(), 2);
    assert_eq!(root.ctlogs.len(), 1);
    let sc = std::fs::read(&files.signing_config).unwrap();
    sigstore_bundle::SigningConfig::from_json(&sc).unwrap();
    let sc: Value = serde_json::from_slice(&sc).unwrap();
    assert_eq!(
        sc["mediaType"],
        "application/vnd.dev.sigstore.signingconfig.v0.2+json"
    );
    assert_eq!(sc["rekorTlogUrls"].as_array().unwrap().len(), 2);
    assert!(sc["caUrls"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    for p in [
        &files.client_trust_config,
        &files.client_trust_config_v1,
        &files.client_trust_config_v2,
    ] {
        sigstore_bundle::ClientTrustConfig::from_json(&std::fs::read(p).unwrap()).unwrap();
    }
    let v1: Value =
        serde_json::from_slice(&std::fs::read(&files.client_trust_config_v1).unwrap()).unwrap();
    assert_eq!(
        v1["signingConfig"]["rekorTlogUrls"][0]["majorApiVersion"],
        1
    );
    vs.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
