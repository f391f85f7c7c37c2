#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Rekor SETs and entry bodies against conformance bundles: parsing, kindVersion, the Rekor v2
//! leaf, and the binding between the logged entry and the bundle content.

mod common;

use base64::Engine as _;
use serde_json::Value;
use sigstore_crypto::{HashAlgorithm, KeyDetails, PublicKey};
use sigstore_tlog::entry::{
    dsse_pae, DsseRef, EntryBody, Expected, ExpectedContent, HashValue, Material,
};
use sigstore_tlog::merkle::leaf_hash;
use sigstore_tlog::set::verify_set;
use sigstore_tlog::{BindingField, Error};

struct Loaded {
    bundle: Value,
    entry: Value,
    body: Vec<u8>,
    dir: std::path::PathBuf,
}

fn load(case: &str) -> Option<Loaded> {
    let dir = common::conformance_case(case)?;
    let bundle = common::read_json(&dir.join("bundle.sigstore.json"));
    let entry = bundle["verificationMaterial"]["tlogEntries"][0].clone();
    let body = common::b64(entry["canonicalizedBody"].as_str().unwrap());
    Some(Loaded {
        bundle,
        entry,
        body,
        dir,
    })
}

fn material(l: &Loaded) -> Material {
    let vm = &l.bundle["verificationMaterial"];
    if let Some(c) = vm["certificate"]["rawBytes"].as_str() {
        return Material::Certificate(common::b64(c));
    }
    if let Some(c) = vm["x509CertificateChain"]["certificates"][0]["rawBytes"].as_str() {
        return Material::Certificate(common::b64(c));
    }
    let pem = std::fs::read_to_string(l.dir.join("key.pub")).unwrap();
    Material::PublicKey(PublicKey::from_pem(&pem).unwrap().spki_der().to_vec())
}

fn artifact(l: &Loaded) -> Vec<u8> {
    let p = l.dir.join("artifact");
    if p.exists() {
        std::fs::read(p).unwrap()
    } else {
        std::fs::read(l.dir.parent().unwrap().join("a.txt")).unwrap()
    }
}

/// Bind the entry body to the bundle the way a verifier would.
fn bind(l: &Loaded) -> Result<(), Error> {
    let body = EntryBody::parse_with_kind_version(
        &l.body,
        l.entry["kindVersion"]["kind"].as_str().unwrap(),
        l.entry["kindVersion"]["version"].as_str().unwrap(),
    )?;
    let mat = material(l);
    if let Some(ms) = l.bundle.get("messageSignature") {
        let sig = common::b64(ms["signature"].as_str().unwrap());
        let digest = HashAlgorithm::Sha256.hash(&artifact(l));
        body.check_binding(&Expected {
            signature: &sig,
            material: &mat,
            content: ExpectedContent::Digest {
                algorithm: HashAlgorithm::Sha256,
                digest: digest.as_bytes(),
            },
        })
    } else {
        let env = &l.bundle["dsseEnvelope"];
        let payload = common::b64(env["payload"].as_str().unwrap());
        let sigs: Vec<Vec<u8>> = env["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| common::b64(s["sig"].as_str().unwrap()))
            .collect();
        body.check_binding(&Expected {
            signature: &sigs[0],
            material: &mat,
            content: ExpectedContent::Dsse(DsseRef {
                payload_type: env["payloadType"].as_str().unwrap(),
                payload: &payload,
                signatures: &sigs,
            }),
        })
    }
}

#[test]
fn bindings_hold_for_happy_paths() {
    for case in [
        "happy-path-v0.1",
        "happy-path-v0.2",
        "happy-path-v0.3",
        "managed-key-happy-path",
        "happy-path-intoto-in-dsse-v3",
        "intoto-with-custom-trust-root",
        "rekor2-happy-path",
        "rekor2-dsse-happy-path",
        "rekor2-checkpoint-cosigned",
    ] {
        let Some(l) = load(case) else { return };
        bind(&l).unwrap_or_else(|e| panic!("{case}: {e:?}"));
    }
}

#[test]
fn spliced_entries_are_detected() {
    let cases: Vec<(&str, BindingField)> = vec![
        (
            "wrong-hashedrekord-entry_fail",
            BindingField::ArtifactDigest,
        ),
        (
            "wrong-hashedrekord-cert-and-sig_fail",
            BindingField::Signature,
        ),
        (
            "wrong-hashedrekord-artifact_fail",
            BindingField::ArtifactDigest,
        ),
        (
            "incorrect-public-key_fail",
            BindingField::VerificationMaterial,
        ),
        ("intoto-log-entry-mismatch_fail", BindingField::Signature),
        ("dsse-mismatch-envelope_fail", BindingField::PayloadHash),
        ("dsse-mismatch-sig_fail", BindingField::Signature),
        (
            "rekor2-dsse-mismatch-envelope_fail",
            BindingField::ArtifactDigest,
        ),
        ("rekor2-dsse-mismatch-sig_fail", BindingField::Signature),
    ];
    for (case, field) in cases {
        let Some(l) = load(case) else { return };
        match bind(&l) {
            Err(Error::BindingMismatch(f)) => {
                println!("{case}: {f:?}");
                assert_eq!(f, field, "{case}");
            }
            other => panic!("{case}: expected BindingMismatch({field:?}), got {other:?}"),
        }
    }
}

#[test]
fn parsed_body_accessors() {
    let Some(l) = load("happy-path-v0.3") else {
        return;
    };
    let b = EntryBody::parse(&l.body).unwrap();
    assert_eq!((b.kind(), b.api_version()), ("hashedrekord", "0.0.1"));
    let d = b.artifact_digest().unwrap();
    assert_eq!(d.algorithm, HashAlgorithm::Sha256);
    assert_eq!(
        hex::encode(&d.digest),
        "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"
    );
    assert!(matches!(
        b.signatures()[0].verifier,
        Material::Certificate(_)
    ));

    let Some(l) = load("happy-path-intoto-in-dsse-v3") else {
        return;
    };
    let b = EntryBody::parse(&l.body).unwrap();
    assert_eq!((b.kind(), b.api_version()), ("dsse", "0.0.1"));
    assert!(b.payload_hash().is_some() && b.envelope_hash().is_some());

    let Some(l) = load("intoto-with-custom-trust-root") else {
        return;
    };
    let b = EntryBody::parse(&l.body).unwrap();
    assert_eq!((b.kind(), b.api_version()), ("intoto", "0.0.2"));
    let EntryBody::IntotoV002 {
        payload,
        payload_type,
        ..
    } = &b
    else {
        panic!()
    };
    assert_eq!(payload_type, "application/vnd.in-toto+json");
    assert!(payload.as_ref().unwrap().starts_with(b"{"));
}

#[test]
fn kind_version_must_match_body() {
    let Some(l) = load("happy-path-v0.3") else {
        return;
    };
    let err = EntryBody::parse_with_kind_version(&l.body, "dsse", "0.0.1").unwrap_err();
    assert!(matches!(
        err,
        Error::KindVersionMismatch { ref expected, ref found }
            if expected == &("dsse".to_owned(), "0.0.1".to_owned())
            && found == &("hashedrekord".to_owned(), "0.0.1".to_owned())
    ));
    let err = EntryBody::parse_with_kind_version(&l.body, "hashedrekord", "0.0.2").unwrap_err();
    assert!(matches!(err, Error::KindVersionMismatch { .. }));
}

/// Body strings are read in place; a JSON text that escapes characters (`\/` is legal JSON for
/// `/`) reads as the same body, and a key given twice inside the spec is refused rather than
/// one of its values picked.
#[test]
fn escaped_and_duplicated_body_fields() {
    let Some(l) = load("happy-path-v0.3") else {
        return;
    };
    let plain = EntryBody::parse(&l.body).unwrap();
    let text = std::str::from_utf8(&l.body).unwrap();
    assert!(
        text.contains('/'),
        "the fixture's base64 has a '/' to escape"
    );
    let escaped = text.replace('/', "\\/");
    assert_eq!(EntryBody::parse(escaped.as_bytes()).unwrap(), plain);
    let escaped_kind = text.replacen("\"hashedrekord\"", "\"hashed\\u0072ekord\"", 1);
    assert_ne!(escaped_kind, text);
    assert_eq!(
        EntryBody::parse_with_kind_version(escaped_kind.as_bytes(), "hashedrekord", "0.0.1")
            .unwrap(),
        plain
    );
    // The same key twice in the spec.
    let dup = text.replacen("\"spec\":{", "\"spec\":{\"data\":{},", 1);
    assert_ne!(dup, text);
    assert!(matches!(
        EntryBody::parse(dup.as_bytes()),
        Err(Error::BodyJson(_))
    ));
    // Deep nesting inside the spec, which is read as raw JSON first: refused, no overflow.
    let deep = format!(
        r#"{{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        EntryBody::parse(deep.as_bytes()),
        Err(Error::BodyJson(_))
    ));
}

#[test]
fn bad_canonicalized_bodies() {
    assert!(matches!(
        EntryBody::parse(b"not json"),
        Err(Error::BodyJson(_))
    ));
    assert!(matches!(
        EntryBody::parse(b"{\"apiVersion\":\"0.0.1\"}"),
        Err(Error::BodyJson(_))
    ));
    assert!(matches!(
        EntryBody::parse(br#"{"apiVersion":"0.0.1","kind":"rekord","spec":{}}"#),
        Err(Error::UnsupportedEntry { .. })
    ));
    // hashedrekord v2 with an empty spec (sigstore-go d061433).
    assert!(matches!(
        EntryBody::parse(br#"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{}}"#),
        Err(Error::BodyField("spec.hashedRekordV002"))
    ));
    assert!(matches!(
        EntryBody::parse(br#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#),
        Err(Error::BodyJson(_))
    ));
    // Deep nesting is rejected by the JSON parser's recursion limit, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(
        EntryBody::parse(deep.as_bytes()),
        Err(Error::BodyJson(_))
    ));
    let big = vec![b' '; sigstore_tlog::entry::MAX_BODY_BYTES + 1];
    assert!(matches!(
        EntryBody::parse(&big),
        Err(Error::BodyTooLarge { .. })
    ));
    // Empty signature, digest of the wrong length, bad key details.
    let empty_sig = br#"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"signature":{"content":"","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":"AQ=="}}}}}}"#;
    assert!(matches!(
        EntryBody::parse(empty_sig),
        Err(Error::BodyField("signature.content"))
    ));
    let short_digest = br#"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":{"content":"AQ==","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":"AQ=="}}}}}}"#;
    assert!(matches!(
        EntryBody::parse(short_digest),
        Err(Error::BodyField("data"))
    ));
    let bad_details = br#"{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"signature":{"content":"AQ==","verifier":{"keyDetails":"NOPE","publicKey":{"rawBytes":"AQ=="}}}}}}"#;
    assert!(matches!(
        EntryBody::parse(bad_details),
        Err(Error::BodyField("verifier.keyDetails"))
    ));
}

#[test]
fn dsse_v002_body_parses_and_binds() {
    let payload = br#"{"_type":"https://in-toto.io/Statement/v1"}"#;
    let sig = vec![1u8, 2, 3];
    let cert = vec![0x30u8, 0x03, 0x02, 0x01, 0x01];
    let ph = HashAlgorithm::Sha256.hash(payload);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let body = format!(
        r#"{{"apiVersion":"0.0.2","kind":"dsse","spec":{{"dsseV002":{{"payloadHash":{{"algorithm":"SHA2_256","digest":"{}"}},"signatures":[{{"content":"{}","verifier":{{"keyDetails":"PKIX_ECDSA_P256_SHA_256","x509Certificate":{{"rawBytes":"{}"}}}}}}]}}}}}}"#,
        b64(ph.as_bytes()),
        b64(&sig),
        b64(&cert)
    );
    let parsed = EntryBody::parse(body.as_bytes()).unwrap();
    assert_eq!((parsed.kind(), parsed.api_version()), ("dsse", "0.0.2"));
    let m = Material::Certificate(cert.clone());
    let sigs = vec![sig.clone()];
    let env = DsseRef {
        payload_type: "application/vnd.in-toto+json",
        payload,
        signatures: &sigs,
    };
    parsed
        .check_binding(&Expected {
            signature: &sig,
            material: &m,
            content: ExpectedContent::Dsse(env),
        })
        .unwrap();
    let other_payload = b"{}";
    let env2 = DsseRef {
        payload: other_payload,
        ..env
    };
    assert!(matches!(
        parsed.check_binding(&Expected {
            signature: &sig,
            material: &m,
            content: ExpectedContent::Dsse(env2)
        }),
        Err(Error::BindingMismatch(BindingField::PayloadHash))
    ));
    let other_m = Material::Certificate(vec![0x30, 0x00]);
    assert!(matches!(
        parsed.check_binding(&Expected {
            signature: &sig,
            material: &other_m,
            content: ExpectedContent::Dsse(env)
        }),
        Err(Error::BindingMismatch(BindingField::VerificationMaterial))
    ));
    // A dsse entry cannot be bound to a plain digest.
    assert!(matches!(
        parsed.check_binding(&Expected {
            signature: &sig,
            material: &m,
            content: ExpectedContent::Digest {
                algorithm: HashAlgorithm::Sha256,
                digest: ph.as_bytes()
            }
        }),
        Err(Error::BindingMismatch(BindingField::MissingExpectation))
    ));
}

#[test]
fn rekor_v2_leaf_is_the_canonicalized_body_and_rebuilds_byte_for_byte() {
    let Some(l) = load("rekor2-happy-path") else {
        return;
    };
    let parsed = EntryBody::parse(&l.body).unwrap();
    let EntryBody::HashedRekordV002 { digest, signature } = &parsed else {
        panic!()
    };
    let details = KeyDetails::from_name(signature.key_details.as_deref().unwrap()).unwrap();
    let rebuilt = EntryBody::hashedrekord_v002_canonical(
        digest,
        &signature.signature,
        &signature.verifier,
        details,
    );
    assert_eq!(rebuilt, l.body, "canonical Rekor v2 body differs");
    // leaf = SHA-256(0x00 || canonicalizedBody) verifies against the proof's root.
    let ip = &l.entry["inclusionProof"];
    let proof: Vec<[u8; 32]> = ip["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| common::b64(h.as_str().unwrap()).try_into().unwrap())
        .collect();
    let root: [u8; 32] = common::b64(ip["rootHash"].as_str().unwrap())
        .try_into()
        .unwrap();
    sigstore_tlog::merkle::verify_inclusion(
        ip["logIndex"].as_str().unwrap().parse().unwrap(),
        ip["treeSize"].as_str().unwrap().parse().unwrap(),
        &leaf_hash(&l.body),
        &proof,
        &root,
    )
    .unwrap();
}

#[test]
fn request_bodies_have_the_expected_shape() {
    let d = HashValue {
        algorithm: HashAlgorithm::Sha256,
        digest: vec![0xab; 32],
    };
    let m = Material::PublicKey(vec![0x30, 0x00]);
    let v1 = EntryBody::hashedrekord_v001_request(&d, &[1, 2], &m);
    assert_eq!(v1["kind"], "hashedrekord");
    assert_eq!(v1["spec"]["data"]["hash"]["algorithm"], "sha256");
    let v2 = EntryBody::hashedrekord_v002_request(
        &d.digest,
        &[1, 2],
        &m,
        KeyDetails::from_name("PKIX_ECDSA_P256_SHA_256").unwrap(),
    );
    assert_eq!(
        v2["hashedRekordRequestV002"]["signature"]["verifier"]["keyDetails"],
        "PKIX_ECDSA_P256_SHA_256"
    );
    // The v1 request round-trips through the body parser (hashedrekord bodies equal requests).
    let parsed = EntryBody::parse(serde_json::to_vec(&v1).unwrap().as_slice()).unwrap();
    assert_eq!(parsed.artifact_digest().unwrap(), &d);
    assert_eq!(parsed.signatures()[0].verifier, m);
    assert!(dsse_pae("t", b"x").starts_with(b"DSSEv1 1 t 1 x"));
}

// ---------- SET ----------

fn set_inputs(l: &Loaded) -> (i64, Vec<u8>, i64, Vec<u8>) {
    let e = &l.entry;
    (
        e["integratedTime"].as_str().unwrap().parse().unwrap(),
        common::b64(e["logId"]["keyId"].as_str().unwrap()),
        e["logIndex"].as_str().unwrap().parse().unwrap(),
        common::b64(
            e["inclusionPromise"]["signedEntryTimestamp"]
                .as_str()
                .unwrap(),
        ),
    )
}

fn production_key(log_id: &[u8]) -> Option<PublicKey> {
    let root = common::read_json(
        &common::shared_dir()?.join("sigstore-conformance/trust/production/trusted_root.json"),
    );
    root["tlogs"].as_array().unwrap().iter().find_map(|t| {
        (common::b64(t["logId"]["keyId"].as_str().unwrap()) == log_id).then(|| {
            PublicKey::from_spki_der(&common::b64(t["publicKey"]["rawBytes"].as_str().unwrap()))
                .unwrap()
        })
    })
}

#[test]
fn set_verifies_for_real_bundles_and_detects_edits() {
    for case in [
        "happy-path-v0.1",
        "happy-path-v0.2",
        "happy-path-v0.3",
        "happy-path-intoto-in-dsse-v3",
        "managed-key-happy-path",
    ] {
        let Some(l) = load(case) else { return };
        let (t, id, idx, set) = set_inputs(&l);
        let key = production_key(&id).unwrap();
        verify_set(&l.body, t, &id, idx, &set, &key).unwrap_or_else(|e| panic!("{case}: {e:?}"));
        assert!(
            matches!(
                verify_set(&l.body, t + 1, &id, idx, &set, &key),
                Err(Error::SetInvalid)
            ),
            "{case}"
        );
        assert!(
            matches!(
                verify_set(&l.body, t, &id, idx + 1, &set, &key),
                Err(Error::SetInvalid)
            ),
            "{case}"
        );
        let mut body = l.body.clone();
        body[10] ^= 1;
        assert!(
            matches!(
                verify_set(&body, t, &id, idx, &set, &key),
                Err(Error::SetInvalid)
            ),
            "{case}"
        );
        let mut other_id = id.clone();
        other_id[0] ^= 1;
        assert!(matches!(
            verify_set(&l.body, t, &other_id, idx, &set, &key),
            Err(Error::SetInvalid)
        ));
        // The tree-local index of the inclusion proof is not what the SET signs.
        let local: i64 = l.entry["inclusionProof"]["logIndex"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        if local != idx {
            assert!(matches!(
                verify_set(&l.body, t, &id, local, &set, &key),
                Err(Error::SetInvalid)
            ));
        }
    }
}

#[test]
fn set_invalid_signature_case_rejected() {
    let Some(l) = load("set-invalid-signature_fail") else {
        return;
    };
    let (t, id, idx, set) = set_inputs(&l);
    let key = production_key(&id).unwrap();
    assert!(matches!(
        verify_set(&l.body, t, &id, idx, &set, &key),
        Err(Error::SetInvalid)
    ));
}

#[test]
fn staging_set_rejected_with_production_key() {
    let Some(l) = load("bundle-from-wrong-instance_fail") else {
        return;
    };
    let (t, id, idx, set) = set_inputs(&l);
    assert!(production_key(&id).is_none());
    let Some(prod) = load("happy-path-v0.3") else {
        return;
    };
    let key = production_key(&set_inputs(&prod).1).unwrap();
    assert!(matches!(
        verify_set(&l.body, t, &id, idx, &set, &key),
        Err(Error::SetInvalid)
    ));
}

#[test]
fn builders_round_trip_through_the_parser() {
    let payload = br#"{"_type":"https://in-toto.io/Statement/v1"}"#;
    let sigs = vec![vec![0x30u8, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]];
    let m = Material::Certificate(vec![0x30, 0x03, 0x02, 0x01, 0x05]);
    let env = DsseRef {
        payload_type: "application/vnd.in-toto+json",
        payload,
        signatures: &sigs,
    };
    // intoto 0.0.2: the request's envelope is what Rekor logs (plus hashes it adds).
    let mut req = EntryBody::intoto_v002_request(&env, &m);
    let ph = HashAlgorithm::Sha256.hash(payload);
    req["spec"]["content"]["payloadHash"] =
        serde_json::json!({"algorithm": "sha256", "value": ph.to_hex()});
    let parsed = EntryBody::parse(&serde_json::to_vec(&req).unwrap()).unwrap();
    parsed
        .check_binding(&Expected {
            signature: &sigs[0],
            material: &m,
            content: ExpectedContent::Dsse(env),
        })
        .unwrap();
    // dsse 0.0.2 canonical body.
    let details = KeyDetails::from_name("PKIX_ECDSA_P256_SHA_256").unwrap();
    let hv = HashValue {
        algorithm: HashAlgorithm::Sha256,
        digest: ph.as_bytes().to_vec(),
    };
    let body = EntryBody::dsse_v002_canonical(&hv, &[(&sigs[0], &m)], details);
    let parsed = EntryBody::parse(&body).unwrap();
    assert_eq!((parsed.kind(), parsed.api_version()), ("dsse", "0.0.2"));
    parsed
        .check_binding(&Expected {
            signature: &sigs[0],
            material: &m,
            content: ExpectedContent::Dsse(env),
        })
        .unwrap();
    // Canonical form: sorted keys, no whitespace.
    let text = String::from_utf8(body).unwrap();
    assert!(text
        .starts_with(r#"{"apiVersion":"0.0.2","kind":"dsse","spec":{"dsseV002":{"payloadHash""#));
    assert!(!text.contains(' '));
}

#[test]
fn too_many_body_signatures_rejected() {
    let one = r#"{"signature":"AQ==","verifier":"AQ=="}"#;
    let sigs = vec![one; sigstore_tlog::entry::MAX_BODY_SIGNATURES + 1].join(",");
    let body = format!(
        r#"{{"apiVersion":"0.0.1","kind":"dsse","spec":{{"envelopeHash":{{"algorithm":"sha256","value":"{h}"}},"payloadHash":{{"algorithm":"sha256","value":"{h}"}},"signatures":[{sigs}]}}}}"#,
        h = "00".repeat(32)
    );
    assert!(matches!(
        EntryBody::parse(body.as_bytes()),
        Err(Error::BodyField("signatures"))
    ));
}

/// The head (`apiVersion`, `kind`) is read in the same pass as the spec when it comes first,
/// as in canonical JSON; in any other order the spec is read afterwards. Both give the same
/// body, for every supported shape in the conformance data, and unknown keys are skipped.
#[test]
fn body_members_in_any_order_read_the_same() {
    let cases = [
        ("happy-path-v0.3", "hashedrekord", "0.0.1"),
        ("happy-path-intoto-in-dsse-v3", "dsse", "0.0.1"),
        ("intoto-with-custom-trust-root", "intoto", "0.0.2"),
        ("rekor2-happy-path", "hashedrekord", "0.0.2"),
    ];
    for (case, kind, version) in cases {
        let Some(l) = load(case) else {
            return;
        };
        let canonical = EntryBody::parse(&l.body).unwrap();
        assert_eq!(canonical.kind(), kind);
        assert_eq!(canonical.api_version(), version);
        let v: Value = serde_json::from_slice(&l.body).unwrap();
        let (a, k, s) = (&v["apiVersion"], &v["kind"], &v["spec"]);
        for text in [
            format!(r#"{{"spec":{s},"kind":{k},"apiVersion":{a}}}"#),
            format!(r#"{{"kind":{k},"spec":{s},"apiVersion":{a}}}"#),
            format!(r#"{{"x":[1,{{}}],"apiVersion":{a},"kind":{k},"y":null,"spec":{s}}}"#),
        ] {
            assert_eq!(
                EntryBody::parse(text.as_bytes()).unwrap(),
                canonical,
                "{case}"
            );
            assert_eq!(
                EntryBody::parse_with_kind_version(text.as_bytes(), kind, version).unwrap(),
                canonical,
                "{case}"
            );
        }
    }
}

#[test]
fn body_head_errors() {
    let spec = r#"{"data":{},"signature":{}}"#;
    for text in [
        // A member twice, or missing; not an object.
        format!(r#"{{"apiVersion":"0.0.1","kind":"hashedrekord","kind":"dsse","spec":{spec}}}"#),
        format!(r#"{{"apiVersion":"0.0.1","apiVersion":"0.0.1","kind":"dsse","spec":{spec}}}"#),
        r#"{"apiVersion":"0.0.1","kind":"rekord","spec":{},"spec":{}}"#.to_owned(),
        r#"{"spec":{},"apiVersion":"0.0.1","kind":"rekord","spec":{}}"#.to_owned(),
        r#"{"apiVersion":"0.0.1","spec":{}}"#.to_owned(),
        r#"{"apiVersion":"0.0.1","kind":"rekord"}"#.to_owned(),
        format!(r#"["0.0.1","hashedrekord",{spec}]"#),
        // Trailing data after the body.
        r#"{"apiVersion":"0.0.1","kind":"rekord","spec":{}} {}"#.to_owned(),
    ] {
        assert!(
            matches!(EntryBody::parse(text.as_bytes()), Err(Error::BodyJson(_))),
            "{text}"
        );
    }
    // A spec that is not of its kind's shape is refused wherever it sits.
    for text in [
        r#"{"apiVersion":"0.0.1","kind":"dsse","spec":{"signatures":"x"}}"#,
        r#"{"spec":{"signatures":"x"},"apiVersion":"0.0.1","kind":"dsse"}"#,
    ] {
        assert!(matches!(
            EntryBody::parse(text.as_bytes()),
            Err(Error::BodyJson(_))
        ));
        // Against another expected kind the head is refused before the spec is read.
        assert!(matches!(
            EntryBody::parse_with_kind_version(text.as_bytes(), "hashedrekord", "0.0.1"),
            Err(Error::KindVersionMismatch { expected, found })
                if expected == ("hashedrekord".to_owned(), "0.0.1".to_owned())
                    && found == ("dsse".to_owned(), "0.0.1".to_owned())
        ));
    }
    // An unsupported kind is reported as such, whatever its spec holds.
    assert!(matches!(
        EntryBody::parse(br#"{"apiVersion":"0.0.1","kind":"rekord","spec":[1,{"a":2}]}"#),
        Err(Error::UnsupportedEntry { kind, api_version })
            if kind == "rekord" && api_version == "0.0.1"
    ));
}
