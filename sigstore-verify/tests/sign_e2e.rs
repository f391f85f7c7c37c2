//! End to end against the virtual Sigstore (sigstore-testkit): sign, then verify with an
//! independent `Verifier`, for message signatures and DSSE, on Rekor v1 and v2, with and
//! without a TSA, keyless and with the caller's key.
#![cfg(feature = "sign")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sign_support;

use std::sync::Arc;

use sign_support::*;
use sigstore_bundle::{Bundle, BundleContent, VerificationMaterialContent};
use sigstore_bundle::{SigningConfig, TrustedRoot};
use sigstore_crypto::{KeySigner, Signer};
use sigstore_verify::sign::{ConfigProblem, RekorV2DsseEntry, SignError, SigningContext};
use sigstore_verify::{
    Artifact, HashAlgorithm, Issuer, ManagedKey, Policy, San, Signer as VerifiedSigner, Verifier,
};

const STATEMENT: &str = r#"{"_type": "https://in-toto.io/Statement/v1",
  "subject": [{"name": "a.txt", "digest": {"sha256": "SUBJECT"}}],
  "predicateType": "https://example.com/predicate/v1",   "predicate": {"k": "v"}}
"#;

fn statement_for(content: &[u8]) -> String {
    STATEMENT.replace("SUBJECT", &HashAlgorithm::Sha256.hash(content).to_hex())
}

fn verify(vs: &sigstore_testkit::VirtualSigstore, json: &[u8], artifact: Artifact) {
    let verifier = Verifier::builder(trusted_root(vs)).build().unwrap();
    let policy = Policy::identity(San::exact(EMAIL), Issuer::exact(&vs.urls().oidc));
    verifier
        .verify_json(json, &artifact, &policy)
        .unwrap_or_else(|e| panic!("independent verification failed: {e}"));
    // The wrong identity is refused.
    let other = Policy::identity(
        San::exact("mallory@example.com"),
        Issuer::exact(&vs.urls().oidc),
    );
    assert_eq!(
        verifier
            .verify_json(json, &artifact, &other)
            .unwrap_err()
            .kind(),
        sigstore_verify::VerifyErrorKind::IdentityMismatch
    );
}

fn tlog_version(bundle: &Bundle) -> String {
    bundle.verification_material.tlog_entries[0]
        .kind_version
        .version
        .clone()
}

#[test]
fn message_and_dsse_on_rekor_v1_and_v2_with_and_without_tsa() {
    let vs = start();
    let dir = temp_dir("e2e");
    let content = b"hello from the rust signer\n".to_vec();
    for (rekor, tsa) in [(1u32, false), (1, true), (2, true)] {
        let ctx = builder(&vs, &[rekor], tsa).build().unwrap();
        assert_eq!(ctx.transparency_logs().len(), 1);
        assert_eq!(ctx.timestamp_authorities().len(), usize::from(tsa));

        // Bytes.
        let signed = ctx.sign_bytes(&content).unwrap();
        let json = signed.to_json();
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(
            value["mediaType"],
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        assert_eq!(
            tlog_version(&signed.bundle),
            if rekor == 1 { "0.0.1" } else { "0.0.2" }
        );
        assert_eq!(
            signed
                .bundle
                .verification_material
                .timestamp_verification_data
                .is_some(),
            tsa
        );
        assert!(matches!(
            signed.bundle.verification_material.content,
            VerificationMaterialContent::Certificate(_)
        ));
        // Rekor v1: SET, inclusion proof and checkpoint; Rekor v2: proof and checkpoint only.
        let entry = &signed.bundle.verification_material.tlog_entries[0];
        assert_eq!(entry.inclusion_promise.is_some(), rekor == 1);
        assert_eq!(entry.integrated_time.is_some(), rekor == 1);
        let proof = entry.inclusion_proof.as_ref().unwrap();
        assert!(proof
            .checkpoint
            .as_ref()
            .is_some_and(|c| !c.envelope.is_empty()));
        assert_eq!(signed.verification.tlog_entries.len(), 1);
        verify(&vs, &json, Artifact::bytes(content.clone()));

        // A reader (streamed) and a file, written atomically.
        let signed = ctx
            .sign_reader(std::io::Cursor::new(content.clone()))
            .unwrap();
        verify(&vs, &signed.to_json(), Artifact::bytes(content.clone()));
        let file = dir.join(format!("a-{rekor}-{tsa}.txt"));
        std::fs::write(&file, &content).unwrap();
        let out = dir.join(format!("a-{rekor}-{tsa}.sigstore.json"));
        ctx.sign_file(&file).unwrap().write_to(&out).unwrap();
        verify(
            &vs,
            &std::fs::read(&out).unwrap(),
            Artifact::bytes(content.clone()),
        );

        // DSSE: the payload is the statement, byte for byte.
        let statement = statement_for(&content);
        let signed = ctx.sign_statement(statement.as_bytes()).unwrap();
        let BundleContent::DsseEnvelope(env) = &signed.bundle.content else {
            panic!("not a DSSE bundle");
        };
        assert_eq!(env.payload, statement.as_bytes());
        assert_eq!(env.payload_type, "application/vnd.in-toto+json");
        let kind = &signed.bundle.verification_material.tlog_entries[0].kind_version;
        // Rekor v2 records DSSE as a hashedrekord over the PAE (by default).
        assert_eq!(kind.kind, if rekor == 1 { "dsse" } else { "hashedrekord" });
        let json = signed.to_json();
        let reparsed = Bundle::from_json(&json).unwrap();
        let BundleContent::DsseEnvelope(env) = &reparsed.content else {
            panic!("not a DSSE bundle");
        };
        assert_eq!(env.payload, statement.as_bytes());
        verify(&vs, &json, Artifact::bytes(content.clone()));
        assert_eq!(
            signed.verification.predicate_type.as_deref(),
            Some("https://example.com/predicate/v1")
        );
    }
}

#[test]
fn highest_rekor_version_is_preferred_and_can_be_forced() {
    let vs = start();
    let ctx = builder(&vs, &[1, 2], true).build().unwrap();
    assert_eq!(ctx.transparency_logs()[0].major_api_version, 2);
    let signed = ctx.sign_bytes(b"x").unwrap();
    assert_eq!(tlog_version(&signed.bundle), "0.0.2");
    let ctx = builder(&vs, &[1, 2], true)
        .rekor_version(1)
        .build()
        .unwrap();
    let signed = ctx.sign_bytes(b"x").unwrap();
    assert_eq!(tlog_version(&signed.bundle), "0.0.1");
    // Without a TSA the v2 log cannot be used, so v1 is chosen only when forced ...
    let err = builder(&vs, &[1, 2], false).build().unwrap_err();
    assert!(matches!(
        err,
        SignError::Config(ConfigProblem::TimestampRequired)
    ));
    assert!(builder(&vs, &[1, 2], false)
        .rekor_version(1)
        .build()
        .is_ok());
    // ... and an unknown version is refused.
    assert!(matches!(
        builder(&vs, &[1], true)
            .rekor_version(3)
            .build()
            .unwrap_err(),
        SignError::Config(ConfigProblem::UnsupportedRekorVersion(3))
    ));
}

#[test]
fn rekor_v2_dsse_entries_on_request() {
    let vs = start();
    let ctx = builder(&vs, &[2], true)
        .rekor_v2_dsse_entry(RekorV2DsseEntry::Dsse)
        .build()
        .unwrap();
    let content = b"dsse 0.0.2".to_vec();
    let signed = ctx
        .sign_statement(statement_for(&content).as_bytes())
        .unwrap();
    let kind = &signed.bundle.verification_material.tlog_entries[0].kind_version;
    assert_eq!(
        (kind.kind.as_str(), kind.version.as_str()),
        ("dsse", "0.0.2")
    );
    verify(&vs, &signed.to_json(), Artifact::bytes(content));
}

#[test]
fn keyless_needs_a_token() {
    let vs = start();
    let err = SigningContext::builder(signing_config(&vs, &[1], false), trusted_root(&vs))
        .build()
        .unwrap_err();
    assert!(matches!(err, SignError::Config(ConfigProblem::NoToken)));
}

#[test]
fn token_from_a_source() {
    let vs = start();
    let raw = vs
        .mint_token(&sigstore_testkit::TokenClaims::email(EMAIL))
        .unwrap();
    let ctx = SigningContext::builder(signing_config(&vs, &[1], true), trusted_root(&vs))
        .token_source(Box::new(sigstore_oidc::StaticToken(raw)))
        .build()
        .unwrap();
    let signed = ctx.sign_bytes(b"from a source").unwrap();
    verify(
        &vs,
        &signed.to_json(),
        Artifact::bytes(b"from a source".to_vec()),
    );
}

#[test]
fn own_key_gives_a_public_key_bundle() {
    let vs = start();
    let key = Arc::new(KeySigner::generate_p256().unwrap());
    let public = key.public_key().clone();
    for (rekor, tsa) in [(1u32, false), (2, true)] {
        let ctx = SigningContext::builder(signing_config(&vs, &[rekor], tsa), trusted_root(&vs))
            .key(key.clone())
            .build()
            .unwrap();
        assert!(ctx.certificate_authority().is_none());
        // Distinct content per call: ECDSA here is deterministic (RFC 6979), and a log
        // refuses a duplicate entry (409).
        let content = format!("signed with my own key on rekor v{rekor}").into_bytes();
        let streamed = format!("streamed with my own key on rekor v{rekor}").into_bytes();
        for (signed, content) in [
            (ctx.sign_bytes(&content).unwrap(), &content),
            (ctx.sign_reader(&streamed[..]).unwrap(), &streamed),
        ] {
            assert!(matches!(
                signed.bundle.verification_material.content,
                VerificationMaterialContent::PublicKey { .. }
            ));
            let verifier = Verifier::builder(trusted_root(&vs)).build().unwrap();
            verifier
                .verify_json(
                    &signed.to_json(),
                    &Artifact::bytes(content.clone()),
                    &Policy::public_key(ManagedKey::new(public.clone())),
                )
                .unwrap();
        }
        let statement = statement_for(&content);
        let signed = ctx.sign_statement(statement.as_bytes()).unwrap();
        Verifier::builder(trusted_root(&vs))
            .build()
            .unwrap()
            .verify_json(
                &signed.to_json(),
                &Artifact::bytes(content.clone()),
                &Policy::public_key(ManagedKey::new(public.clone())),
            )
            .unwrap();
    }
}

#[test]
fn not_a_statement_is_refused() {
    let vs = start();
    let ctx = builder(&vs, &[1], false).build().unwrap();
    assert!(matches!(
        ctx.sign_statement(b"{\"not\": \"a statement\"}"),
        Err(SignError::Statement(_))
    ));
    let no_usable_digest = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"gitCommit":"a9cd7bf0bbfd5732800b8196ce893ae9915b1e87"}}],"predicateType":"https://example.com/p","predicate":{}}"#;
    assert!(matches!(
        ctx.sign_statement(no_usable_digest.as_bytes()),
        Err(SignError::NoSubjectDigest)
    ));
    assert_eq!(vs.rekor_v1_size(), 0);
}

#[test]
fn buffered_content_limit_for_caller_keys() {
    assert_eq!(
        sigstore_verify::sign::MAX_BUFFERED_CONTENT_BYTES,
        256 * 1024 * 1024
    );
    let vs = start();
    let ctx = SigningContext::builder(signing_config(&vs, &[1], false), trusted_root(&vs))
        .key(Arc::new(KeySigner::generate_p256().unwrap()))
        .max_buffered_content(16)
        .build()
        .unwrap();
    let err = ctx.sign_reader(&[7u8; 17][..]).unwrap_err();
    assert!(
        matches!(err, SignError::ContentTooLarge { limit: 16 }),
        "{err:?}"
    );
    // At the limit it signs.
    ctx.sign_reader(&[7u8; 16][..]).unwrap();
    assert_eq!(vs.rekor_v1_size(), 1);
}

#[test]
fn client_trust_config_and_suite_inputs() {
    let vs = start();
    let dir = temp_dir("ctc");
    let files = vs.write_trust_material(&dir).unwrap();
    let ctc = sigstore_bundle::ClientTrustConfig::from_file(&files.client_trust_config).unwrap();
    let ctx = SigningContext::from_trust_config(ctc)
        .identity_token(token(&vs))
        .build()
        .unwrap();
    let Some(shared) = shared_dir() else { return };
    let assets = shared.join("sigstore-conformance/assets");
    let a = std::fs::read(assets.join("a.txt")).unwrap();
    let signed = ctx.sign_file(assets.join("a.txt")).unwrap();
    verify(&vs, &signed.to_json(), Artifact::bytes(a));
    let statement = std::fs::read(assets.join("statement.json")).unwrap();
    let signed = ctx.sign_statement(&statement).unwrap();
    let BundleContent::DsseEnvelope(env) = &signed.bundle.content else {
        panic!("not a DSSE bundle");
    };
    assert_eq!(env.payload, statement);
}

#[test]
fn subject_only_token() {
    let vs = start();
    let raw = vs
        .mint_token(&sigstore_testkit::TokenClaims::subject(
            "https://ci.example/job/7",
        ))
        .unwrap();
    let token = sigstore_oidc::IdentityToken::parse(&raw).unwrap();
    assert_eq!(token.identity(), "https://ci.example/job/7");
    let ctx = SigningContext::builder(signing_config(&vs, &[1], false), trusted_root(&vs))
        .identity_token(token)
        .build()
        .unwrap();
    let signed = ctx.sign_bytes(b"ci").unwrap();
    let VerifiedSigner::Certificate { identity, .. } = &signed.verification.signer else {
        panic!("not a certificate signer");
    };
    assert_eq!(identity.san, "https://ci.example/job/7");
}

/// Two logs of different operators and selector ALL: one entry in each, both verified.
#[test]
fn selector_all_logs_to_every_operator() {
    let vs = start();
    let other = start();
    let mut config = vs.signing_config(&sigstore_testkit::SigningConfigOptions {
        rekor_versions: vec![1],
        tsa: false,
    });
    let mut second = config["rekorTlogUrls"][0].clone();
    second["url"] = other.urls().rekor_v1.clone().into();
    second["operator"] = "another-operator".into();
    config["rekorTlogUrls"].as_array_mut().unwrap().push(second);
    config["rekorTlogConfig"] = serde_json::json!({"selector": "ALL"});
    let mut root = vs.trusted_root();
    let other_tlogs = other.trusted_root()["tlogs"].clone();
    root["tlogs"]
        .as_array_mut()
        .unwrap()
        .extend(other_tlogs.as_array().unwrap().iter().cloned());
    let config = SigningConfig::from_json(config.to_string().as_bytes()).unwrap();
    let root = TrustedRoot::from_json(root.to_string().as_bytes()).unwrap();
    let ctx = SigningContext::builder(config.clone(), root.clone())
        .identity_token(token(&vs))
        .build()
        .unwrap();
    assert_eq!(ctx.transparency_logs().len(), 2);
    let signed = ctx.sign_bytes(b"to every log").unwrap();
    assert_eq!(signed.bundle.verification_material.tlog_entries.len(), 2);
    assert_eq!(signed.verification.tlog_entries.len(), 2);
    assert_eq!((vs.rekor_v1_size(), other.rekor_v1_size()), (1, 1));
    // The same two services under one operator count once: ANY-like, one entry.
    let mut same_op = config.clone();
    same_op.rekor_tlog_urls[1].operator = same_op.rekor_tlog_urls[0].operator.clone();
    let ctx = SigningContext::builder(same_op, root)
        .identity_token(token(&vs))
        .build()
        .unwrap();
    assert_eq!(ctx.transparency_logs().len(), 1);
}

#[test]
fn signing_context_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SigningContext>();
    assert_send_sync::<sigstore_verify::sign::SignedBundle>();
    let vs = start();
    let ctx = std::sync::Arc::new(builder(&vs, &[1], true).build().unwrap());
    let handles: Vec<_> = (0..3)
        .map(|i| {
            let ctx = ctx.clone();
            std::thread::spawn(move || ctx.sign_bytes(format!("thread {i}").as_bytes()).unwrap())
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(vs.rekor_v1_size(), 3);
}
