//! Regression tests for the verifier-side rows of `security/advisories.md` and sections 3 and 5
//! of `security/bad-inputs.md`, built by mutating the sigstore-conformance bundles (read at run
//! time from the shared data directory, never copied into the repository).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::PathBuf;

use serde_json::{json, Value};
use sigstore_verify::{
    oid, Artifact, ConsensusPolicy, HashAlgorithm, Issuer, ManagedKey, Matcher, Policy, PublicKey,
    San, Signer, TimeSource, TrustedRoot, Verifier, VerifyError, VerifyErrorKind,
};

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB: &str = "https://token.actions.githubusercontent.com";

/// One conformance case, loaded for mutation.
struct Case {
    bundle: Value,
    root: Value,
    artifact: Vec<u8>,
    dir: PathBuf,
}

macro_rules! case {
    ($name:expr) => {
        match load($name) {
            Some(c) => c,
            None => return,
        }
    };
}

fn load(name: &str) -> Option<Case> {
    let shared = common::shared_dir("sigstore-conformance")?;
    let base = shared.join("sigstore-conformance/assets/bundle-verify");
    let dir = base.join(name);
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap()).unwrap();
    let root: Value = match std::fs::read(dir.join("trusted_root.json")) {
        Ok(b) => serde_json::from_slice(&b).unwrap(),
        Err(_) => serde_json::from_slice(sigstore_bundle::TrustedRoot::production_json()).unwrap(),
    };
    let artifact = std::fs::read(if dir.join("artifact").exists() {
        dir.join("artifact")
    } else {
        base.join("a.txt")
    })
    .unwrap();
    Some(Case {
        bundle,
        root,
        artifact,
        dir,
    })
}

fn root_of(v: &Value) -> TrustedRoot {
    TrustedRoot::from_json(&serde_json::to_vec(v).unwrap()).unwrap()
}

fn verifier(c: &Case) -> Verifier {
    Verifier::builder(root_of(&c.root)).build().unwrap()
}

fn beacon() -> Policy {
    Policy::identity(San::exact(BEACON), Issuer::exact(GITHUB))
}

fn run(
    v: &Verifier,
    bundle: &Value,
    artifact: &Artifact,
    policy: &Policy,
) -> Result<sigstore_verify::VerificationResult, VerifyError> {
    v.verify_json(&serde_json::to_vec(bundle).unwrap(), artifact, policy)
}

fn kind<T: std::fmt::Debug>(r: Result<T, VerifyError>) -> VerifyErrorKind {
    match r {
        Ok(v) => panic!("expected an error, verification succeeded: {v:?}"),
        Err(e) => {
            eprintln!("rejected as expected: {e}");
            e.kind()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A / bad-inputs §3: log entries bound to the bundle (splicing)

/// CVE-2022-36056 / CVE-2026-22703 / CVE-2024-53267: a genuine log entry of another bundle for
/// the SAME artifact (different signature and certificate) must not be accepted. Rekor v2
/// bundles carry no SET time, so only the body binding can catch it.
#[test]
fn tlog_entry_swapped_between_bundles_of_the_same_artifact() {
    let a = case!("rekor2-happy-path");
    let b = case!("rekor2-timestamp-with-embedded-cert");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    // Both verify on their own.
    run(&v, &a.bundle, &art, &beacon()).unwrap();
    run(&v, &b.bundle, &art, &beacon()).unwrap();
    let mut spliced = a.bundle.clone();
    spliced["verificationMaterial"]["tlogEntries"] =
        b.bundle["verificationMaterial"]["tlogEntries"].clone();
    let err = run(&v, &spliced, &art, &beacon()).unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::TransparencyLog, "{err}");
    assert!(matches!(
        err,
        VerifyError::TransparencyLog {
            problem: sigstore_verify::TlogProblem::Binding(_),
            ..
        }
    ));
}

/// The same splice with Rekor v1 entries (SET-authenticated integrated time): the foreign
/// entry's time is outside this certificate's validity, and its body is bound to another
/// signature; either way it must be rejected, never accepted.
#[test]
fn tlog_entry_swapped_rekor_v1() {
    let a = case!("happy-path-v0.3");
    let b = case!("happy-path-v0.2");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let mut spliced = a.bundle.clone();
    spliced["verificationMaterial"]["tlogEntries"] =
        b.bundle["verificationMaterial"]["tlogEntries"].clone();
    let k = kind(run(&v, &spliced, &art, &beacon()));
    assert!(
        matches!(
            k,
            VerifyErrorKind::Certificate | VerifyErrorKind::TransparencyLog
        ),
        "{k:?}"
    );
    // Appending the foreign entry next to the genuine one is rejected too.
    let mut appended = a.bundle.clone();
    let foreign = b.bundle["verificationMaterial"]["tlogEntries"][0].clone();
    appended["verificationMaterial"]["tlogEntries"]
        .as_array_mut()
        .unwrap()
        .push(foreign);
    // The foreign entry's verified integrated time lies outside this certificate's validity.
    assert_eq!(
        run(&v, &appended, &art, &beacon()).unwrap_err().kind(),
        sigstore_verify::VerifyErrorKind::Certificate
    );
}

/// A log entry for a different kind of content (a DSSE entry for a message signature).
#[test]
fn tlog_entry_of_another_content_kind() {
    let a = case!("happy-path-v0.3");
    let b = case!("happy-path-intoto-in-dsse-v3");
    let v = verifier(&a);
    let mut spliced = a.bundle.clone();
    spliced["verificationMaterial"]["tlogEntries"] =
        b.bundle["verificationMaterial"]["tlogEntries"].clone();
    assert_eq!(
        run(
            &v,
            &spliced,
            &Artifact::bytes(a.artifact.clone()),
            &beacon()
        )
        .unwrap_err()
        .kind(),
        sigstore_verify::VerifyErrorKind::Certificate
    );
}

/// kindVersion must equal the body's kind and apiVersion.
#[test]
fn kind_version_mismatch() {
    let a = case!("rekor2-happy-path");
    let v = verifier(&a);
    let mut b = a.bundle.clone();
    b["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["version"] = json!("0.0.1");
    assert_eq!(
        kind(run(&v, &b, &Artifact::bytes(a.artifact.clone()), &beacon())),
        VerifyErrorKind::TransparencyLog
    );
}

/// bad-inputs §3: the artifact is another file -> artifact mismatch, for bytes and digests.
#[test]
fn wrong_artifact_bytes_and_digest() {
    let a = case!("happy-path-v0.3");
    let v = verifier(&a);
    let other = b"not the signed artifact".to_vec();
    assert_eq!(
        kind(run(
            &v,
            &a.bundle,
            &Artifact::bytes(other.clone()),
            &beacon()
        )),
        VerifyErrorKind::ArtifactMismatch
    );
    let d = HashAlgorithm::Sha256.hash(&other);
    assert_eq!(
        kind(run(
            &v,
            &a.bundle,
            &Artifact::digest(HashAlgorithm::Sha256, d.as_bytes()).unwrap(),
            &beacon()
        )),
        VerifyErrorKind::ArtifactMismatch
    );
}

/// The bundle's messageDigest is only a hint: it is never what the signature is checked
/// against, a bundle without it still verifies (P), and one that disagrees is rejected.
#[test]
fn message_digest_is_never_trusted() {
    let a = case!("happy-path-v0.3");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let mut no_digest = a.bundle.clone();
    no_digest["messageSignature"]
        .as_object_mut()
        .unwrap()
        .remove("messageDigest");
    run(&v, &no_digest, &art, &beacon()).unwrap();
    // Claim the digest of another artifact and pass that artifact: the signature (and the
    // log entry) are over a.txt, so it must fail.
    let other = b"other".to_vec();
    let mut lying = a.bundle.clone();
    lying["messageSignature"]["messageDigest"]["digest"] =
        json!(b64(HashAlgorithm::Sha256.hash(&other).as_bytes()));
    assert_eq!(
        run(&v, &lying, &Artifact::bytes(other), &beacon())
            .unwrap_err()
            .kind(),
        sigstore_verify::VerifyErrorKind::TransparencyLog
    );
}

/// CVE-2026-31830: an attestation for artifact A is not accepted for B; subject algorithms
/// must match (a sha512 artifact digest does not match a sha256 subject).
#[test]
fn in_toto_subject_must_list_the_artifact() {
    let a = case!("happy-path-intoto-in-dsse-v3");
    let v = verifier(&a);
    run(
        &v,
        &a.bundle,
        &Artifact::bytes(a.artifact.clone()),
        &beacon(),
    )
    .unwrap();
    assert_eq!(
        kind(run(
            &v,
            &a.bundle,
            &Artifact::bytes(b"B".to_vec()),
            &beacon()
        )),
        VerifyErrorKind::ArtifactMismatch
    );
    // The message lists the subjects' supported digests.
    match run(&v, &a.bundle, &Artifact::bytes(b"B".to_vec()), &beacon()) {
        Err(VerifyError::ArtifactMismatch { expected, found }) => {
            let subject = HashAlgorithm::Sha256.hash(&a.artifact).to_hex();
            assert_eq!(expected, format!("one of the subjects [sha256:{subject}]"));
            assert_eq!(found, HashAlgorithm::Sha256.hash(b"B").to_string());
        }
        other => panic!("{other:?}"),
    }
    let sha512 = HashAlgorithm::Sha512.hash(&a.artifact);
    assert_eq!(
        kind(run(
            &v,
            &a.bundle,
            &Artifact::digest(HashAlgorithm::Sha512, sha512.as_bytes()).unwrap(),
            &beacon()
        )),
        VerifyErrorKind::ArtifactMismatch
    );
}

/// CVE-2022-35929 / CVE-2026-39395 / CVE-2025-25204: a predicate-type policy is enforced, and a
/// bundle that is not an attestation does not satisfy it.
#[test]
fn predicate_type_policy_is_enforced() {
    let a = case!("happy-path-intoto-in-dsse-v3");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let ok = Policy::all_of(vec![
        beacon(),
        Policy::predicate_type("https://slsa.dev/provenance/v1"),
    ])
    .unwrap();
    let r = run(&v, &a.bundle, &art, &ok).unwrap();
    assert_eq!(
        r.predicate_type.as_deref(),
        Some("https://slsa.dev/provenance/v1")
    );
    // The statement as verified: its fields at hand, its predicate converted on request and
    // when the result is serialized.
    let statement = r.statement.as_ref().unwrap();
    assert_eq!(statement.statement_type(), sigstore_bundle::STATEMENT_V1);
    assert_eq!(statement.predicate_type(), "https://slsa.dev/provenance/v1");
    assert_eq!(statement.subjects().len(), 1);
    assert_eq!(statement.subjects()[0].name.as_deref(), Some("a.txt"));
    assert_eq!(
        statement.subjects()[0].digest["sha256"],
        r.artifact_digest.hex
    );
    let value = statement.to_value().unwrap();
    assert_eq!(
        value["predicate"]["buildDefinition"]["buildType"],
        "https://actions.github.io/buildtypes/workflow/v1"
    );
    assert_eq!(serde_json::to_value(&r).unwrap()["statement"], value);
    let wrong = Policy::all_of(vec![
        beacon(),
        Policy::predicate_type("https://example.com/other"),
    ])
    .unwrap();
    assert_eq!(
        kind(run(&v, &a.bundle, &art, &wrong)),
        VerifyErrorKind::Attestation
    );
    let m = case!("happy-path-v0.3");
    let vm = verifier(&m);
    assert_eq!(
        kind(run(
            &vm,
            &m.bundle,
            &Artifact::bytes(m.artifact.clone()),
            &ok
        )),
        VerifyErrorKind::Attestation
    );
}

/// CVE-2026-48758: the payload type is part of what is signed (PAE uses UTF-8 byte lengths); a
/// look-alike non-ASCII type is rejected, and only in-toto payloads are accepted.
#[test]
fn dsse_payload_type_confusion() {
    let a = case!("happy-path-intoto-in-dsse-v3");
    let v = verifier(&a);
    let mut b = a.bundle.clone();
    b["dsseEnvelope"]["payloadType"] = json!("\u{0174}\u{0165}\u{0178}\u{0174}/plain");
    assert_eq!(
        kind(run(&v, &b, &Artifact::bytes(a.artifact.clone()), &beacon())),
        VerifyErrorKind::Attestation
    );
}

/// A DSSE envelope must have exactly one signature (sigstore-go dsse-2sigs, TOB-9).
#[test]
fn dsse_two_signatures() {
    let a = case!("happy-path-intoto-in-dsse-v3");
    let v = verifier(&a);
    let mut b = a.bundle.clone();
    let sig = b["dsseEnvelope"]["signatures"][0].clone();
    b["dsseEnvelope"]["signatures"]
        .as_array_mut()
        .unwrap()
        .push(sig);
    assert_eq!(
        kind(run(&v, &b, &Artifact::bytes(a.artifact.clone()), &beacon())),
        VerifyErrorKind::BundleFormat
    );
}

// ---------------------------------------------------------------------------------------------
// C / bad-inputs §5: time

/// CVE-2024-55655 / CVE-2026-48816: an integrated time without a signed entry timestamp is not
/// a verified time; with no timestamp either, the bundle is rejected.
#[test]
fn integrated_time_without_set_is_not_a_time() {
    let a = case!("happy-path-v0.3");
    let v = verifier(&a);
    let mut b = a.bundle.clone();
    b["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionPromise");
    let err = run(&v, &b, &Artifact::bytes(a.artifact.clone()), &beacon()).unwrap_err();
    assert!(matches!(err, VerifyError::NoVerifiedTime), "{err}");
}

/// v0.1 bundles need only the inclusion promise: a proof without a checkpoint (or no proof)
/// still verifies on the strength of the SET (P); v0.2+ requires the checkpoint.
#[test]
fn v01_promise_suffices_v02_needs_checkpoint() {
    let a = case!("happy-path-v0.1");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let mut no_cp = a.bundle.clone();
    no_cp["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
        .as_object_mut()
        .unwrap()
        .remove("checkpoint");
    let r = run(&v, &no_cp, &art, &beacon()).unwrap();
    assert!(r.tlog_entries[0].checkpoint.is_none());
    assert!(r.tlog_entries[0].set_verified);
    let mut no_proof = a.bundle.clone();
    no_proof["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionProof");
    run(&v, &no_proof, &art, &beacon()).unwrap();
    let b = case!("happy-path-v0.2");
    let mut v2 = b.bundle.clone();
    v2["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
        .as_object_mut()
        .unwrap()
        .remove("checkpoint");
    assert_eq!(
        kind(run(&verifier(&b), &v2, &art, &beacon())),
        VerifyErrorKind::BundleFormat
    );
}

/// TOB-SIGSTORE-7: an integrated time after "now" is rejected, with no clock-skew allowance.
#[test]
fn integrated_time_in_the_future() {
    let a = case!("happy-path-v0.3");
    let t = a.bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"]
        .as_str()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    let art = Artifact::bytes(a.artifact.clone());
    let at = |now: i64| {
        Verifier::builder(root_of(&a.root))
            .current_time(now)
            .build()
            .unwrap()
    };
    let err = run(&at(t - 1), &a.bundle, &art, &beacon()).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::TransparencyLog {
                problem: sigstore_verify::TlogProblem::TimeInFuture { .. },
                ..
            }
        ),
        "{err}"
    );
    run(&at(t), &a.bundle, &art, &beacon()).unwrap();
}

/// The log key must be valid at the integrated time (validFor end inclusive: P at the end,
/// reject one second before).
#[test]
fn log_key_validity_at_integrated_time() {
    let a = case!("happy-path-v0.3");
    let t = a.bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"]
        .as_str()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    let art = Artifact::bytes(a.artifact.clone());
    let with_end = |end: i64| {
        let mut r = a.root.clone();
        for log in r["tlogs"].as_array_mut().unwrap() {
            if log["logId"]["keyId"]
                == a.bundle["verificationMaterial"]["tlogEntries"][0]["logId"]["keyId"]
            {
                log["publicKey"]["validFor"]["end"] = json!(rfc3339(end));
            }
        }
        Verifier::builder(root_of(&r)).build().unwrap()
    };
    run(&with_end(t), &a.bundle, &art, &beacon()).unwrap();
    assert_eq!(
        kind(run(&with_end(t - 1), &a.bundle, &art, &beacon())),
        VerifyErrorKind::TransparencyLog
    );
}

/// A Rekor v2 entry has no integrated time: its log key must be valid at the verified
/// (timestamp) times instead.
#[test]
fn rekor_v2_log_key_validity_at_timestamp_time() {
    let a = case!("rekor2-happy-path");
    let art = Artifact::bytes(a.artifact.clone());
    let mut r = a.root.clone();
    for log in r["tlogs"].as_array_mut().unwrap() {
        if log["logId"]["keyId"]
            == a.bundle["verificationMaterial"]["tlogEntries"][0]["logId"]["keyId"]
        {
            log["publicKey"]["validFor"]["end"] = json!("2025-04-17T00:00:00Z");
        }
    }
    let v = Verifier::builder(root_of(&r)).build().unwrap();
    let err = run(&v, &a.bundle, &art, &beacon()).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::TransparencyLog {
                problem: sigstore_verify::TlogProblem::LogKeyNotValidAt { .. },
                ..
            }
        ),
        "{err}"
    );
}

/// TOB-SIGSTORE-4: the certificate is validated at EVERY verified time. This bundle's SET
/// time is inside the certificate's validity and its TSA time is not: with the timestamp it
/// is rejected; without it, it verifies.
#[test]
fn every_verified_time_is_checked() {
    let a = case!("intoto-tsa-timestamp-outside-cert-validity_fail");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    assert_eq!(
        kind(run(&v, &a.bundle, &art, &beacon())),
        VerifyErrorKind::Certificate
    );
    let mut no_tsa = a.bundle.clone();
    no_tsa["verificationMaterial"]
        .as_object_mut()
        .unwrap()
        .remove("timestampVerificationData");
    let r = run(&v, &no_tsa, &art, &beacon()).unwrap();
    assert_eq!(r.verified_times.len(), 1);
    assert_eq!(r.verified_times[0].source, TimeSource::TransparencyLog);
}

/// The suite's rekor2-timestamp-with-incorrect-time_fail bundle carries a line-wrapped
/// base64 timestamp; with the newlines removed, the intended check applies: the TSA time lies
/// outside the certificate's validity.
#[test]
fn tsa_time_outside_certificate_validity() {
    let a = case!("rekor2-timestamp-with-incorrect-time_fail");
    let v = verifier(&a);
    let mut b = a.bundle.clone();
    let ts = &mut b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
        ["signedTimestamp"];
    let clean: String = ts.as_str().unwrap().split_whitespace().collect();
    *ts = json!(clean);
    let err = run(&v, &b, &Artifact::bytes(a.artifact.clone()), &beacon()).unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Certificate, "{err}");
}

/// CVE-2026-54787: a managed key's validity window must cover every signature time.
#[test]
fn managed_key_validity_window() {
    let a = case!("managed-key-happy-path");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let pem = std::fs::read_to_string(a.dir.join("key.pub")).unwrap();
    let key = PublicKey::from_pem(&pem).unwrap();
    let r = run(&v, &a.bundle, &art, &Policy::public_key(key.clone())).unwrap();
    assert!(matches!(r.signer, Signer::PublicKey { .. }));
    let t = r.verified_times[0].time;
    let window = |s, e| Policy::public_key(ManagedKey::with_validity(key.clone(), s, e).unwrap());
    run(&v, &a.bundle, &art, &window(Some(t - 10), Some(t + 10))).unwrap();
    let err = run(&v, &a.bundle, &art, &window(Some(0), Some(1))).unwrap_err();
    assert!(matches!(err, VerifyError::KeyNotValidAt { .. }), "{err}");
    let err = run(&v, &a.bundle, &art, &window(Some(t + 1), None)).unwrap_err();
    assert!(matches!(err, VerifyError::KeyNotValidAt { .. }), "{err}");
    assert_eq!(
        ManagedKey::with_validity(key, Some(2), Some(1))
            .unwrap_err()
            .kind(),
        sigstore_verify::VerifyErrorKind::Policy
    );
}

/// A managed key that is not the signer's is rejected; the bundle's key hint is only a label.
#[test]
fn managed_key_wrong_key_and_hint() {
    let a = case!("managed-key-happy-path");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let other = sigstore_crypto::KeySigner::generate_p256().unwrap();
    use sigstore_crypto::Signer as _;
    assert_eq!(
        run(
            &v,
            &a.bundle,
            &art,
            &Policy::public_key(other.public_key().clone())
        )
        .unwrap_err()
        .kind(),
        // The logged key is not the caller's key: the log binding catches it first.
        sigstore_verify::VerifyErrorKind::TransparencyLog
    );
    let pem = std::fs::read_to_string(a.dir.join("key.pub")).unwrap();
    let mut b = a.bundle.clone();
    b["verificationMaterial"]["publicKey"]["hint"] = json!("not-the-key-id");
    run(
        &v,
        &b,
        &art,
        &Policy::public_key(ManagedKey::from_pem(&pem).unwrap()),
    )
    .unwrap();
    // An identity policy never accepts a key-signed bundle.
    assert_eq!(
        kind(run(&v, &a.bundle, &art, &beacon())),
        VerifyErrorKind::IdentityMismatch
    );
}

// ---------------------------------------------------------------------------------------------
// D: RFC 3161 thresholds

/// Duplicate timestamps from one authority count once toward the timestamp threshold.
#[test]
fn duplicate_timestamps_count_once() {
    let a = case!("rekor2-happy-path");
    let mut root = a.root.clone();
    let tsa = root["timestampAuthorities"][0].clone();
    root["timestampAuthorities"]
        .as_array_mut()
        .unwrap()
        .push(tsa);
    let mut b = a.bundle.clone();
    let ts = b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0].clone();
    b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array_mut()
        .unwrap()
        .push(ts);
    let art = Artifact::bytes(a.artifact.clone());
    let one = Verifier::builder(root_of(&root))
        .timestamp_threshold(1)
        .build()
        .unwrap();
    let r = run(&one, &b, &art, &beacon()).unwrap();
    assert_eq!(r.timestamps.len(), 2);
    let two = Verifier::builder(root_of(&root))
        .timestamp_threshold(2)
        .build()
        .unwrap();
    let err = run(&two, &b, &art, &beacon()).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Threshold {
                need: 2,
                have: 1,
                ..
            }
        ),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// I: thresholds per distinct log

/// CVE-2026-49834: two entries of the same log do not satisfy a threshold of two logs.
#[test]
fn tlog_threshold_counts_distinct_logs() {
    let a = case!("happy-path-v0.3");
    let mut b = a.bundle.clone();
    let e = b["verificationMaterial"]["tlogEntries"][0].clone();
    b["verificationMaterial"]["tlogEntries"]
        .as_array_mut()
        .unwrap()
        .push(e);
    let art = Artifact::bytes(a.artifact.clone());
    run(&verifier(&a), &b, &art, &beacon()).unwrap();
    let v2 = Verifier::builder(root_of(&a.root))
        .tlog_threshold(2)
        .build()
        .unwrap();
    let err = run(&v2, &b, &art, &beacon()).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Threshold {
                what: sigstore_verify::ThresholdKind::TransparencyLogs,
                need: 2,
                have: 1
            }
        ),
        "{err}"
    );
}

/// CVE-2026-49834 (SCT side): one CT log's SCTs do not satisfy an SCT threshold of two.
#[test]
fn sct_threshold_counts_distinct_ct_logs() {
    let a = case!("happy-path-v0.3");
    let v2 = Verifier::builder(root_of(&a.root))
        .sct_threshold(2)
        .build()
        .unwrap();
    assert_eq!(
        kind(run(
            &v2,
            &a.bundle,
            &Artifact::bytes(a.artifact.clone()),
            &beacon()
        )),
        VerifyErrorKind::Sct
    );
}

/// Thresholds that the trust root can never satisfy are construction errors.
#[test]
fn impossible_thresholds_are_rejected_at_build() {
    let a = case!("happy-path-v0.3");
    let err = Verifier::builder(root_of(&a.root))
        .tlog_threshold(99)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Policy);
    let err = Verifier::builder(root_of(&a.root))
        .tlog_threshold(0)
        .timestamp_threshold(0)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Policy);
}

/// "Skip the log" deployments (threshold 0, sigstore-rust 2a88ada): log entries present are
/// still bound to the bundle, so a foreign entry is rejected rather than lending its time.
#[test]
fn zero_tlog_threshold_still_binds_entries() {
    let a = case!("rekor2-happy-path");
    let b = case!("rekor2-timestamp-with-embedded-cert");
    let v = Verifier::builder(root_of(&a.root))
        .tlog_threshold(0)
        .timestamp_threshold(1)
        .build()
        .unwrap();
    let art = Artifact::bytes(a.artifact.clone());
    run(&v, &a.bundle, &art, &beacon()).unwrap();
    let mut spliced = a.bundle.clone();
    spliced["verificationMaterial"]["tlogEntries"] =
        b.bundle["verificationMaterial"]["tlogEntries"].clone();
    assert_eq!(
        kind(run(&v, &spliced, &art, &beacon())),
        VerifyErrorKind::TransparencyLog
    );
    // With no entry at all, the TSA time suffices under threshold 0.
    let mut none = a.bundle.clone();
    none["verificationMaterial"]["tlogEntries"] = json!([]);
    run(&v, &none, &art, &beacon()).unwrap();
    // ... but not under the default threshold of one log.
    assert_eq!(
        kind(run(&verifier(&a), &none, &art, &beacon())),
        VerifyErrorKind::Threshold
    );
}

// ---------------------------------------------------------------------------------------------
// F: identity policy

/// CVE-2026-48815: every policy knob is enforced (each has a failing case).
#[test]
fn identity_policy_knobs() {
    let a = case!("happy-path-v0.3");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let ok = |p: Policy| run(&v, &a.bundle, &art, &p).unwrap();
    let no = |p: Policy| kind(run(&v, &a.bundle, &art, &p));

    let r = ok(beacon());
    let Signer::Certificate { identity, scts, .. } = &r.signer else {
        panic!("certificate signer expected")
    };
    assert_eq!(identity.san, BEACON);
    assert_eq!(identity.issuer.as_deref(), Some(GITHUB));
    assert!(!scts.is_empty());
    let repo = identity.extensions[oid::SOURCE_REPOSITORY_URI].clone();

    ok(Policy::identity(
        San::regex("https://github\\.com/sigstore-conformance/.*").unwrap(),
        Issuer::regex("https://token\\.actions\\..*").unwrap(),
    ));
    // Regexes are fully anchored: a substring match is not enough.
    assert_eq!(
        no(Policy::identity(
            San::regex("sigstore-conformance").unwrap(),
            Issuer::exact(GITHUB)
        )),
        VerifyErrorKind::IdentityMismatch
    );
    assert_eq!(
        no(Policy::identity(
            San::exact(BEACON),
            Issuer::regex("https://token").unwrap()
        )),
        VerifyErrorKind::IdentityMismatch
    );
    assert_eq!(
        no(Policy::identity(
            San::exact(BEACON),
            Issuer::exact("https://accounts.google.com")
        )),
        VerifyErrorKind::IdentityMismatch
    );
    assert_eq!(
        no(Policy::identity(
            San::exact("someone@example.com"),
            Issuer::exact(GITHUB)
        )),
        VerifyErrorKind::IdentityMismatch
    );
    // Extension matchers.
    ok(Policy::all_of(vec![
        beacon(),
        Policy::extension(oid::SOURCE_REPOSITORY_URI, Matcher::exact(repo.clone())).unwrap(),
    ])
    .unwrap());
    assert_eq!(
        no(Policy::all_of(vec![
            beacon(),
            Policy::extension(
                oid::SOURCE_REPOSITORY_URI,
                Matcher::exact("https://github.com/evil/repo")
            )
            .unwrap(),
        ])
        .unwrap()),
        VerifyErrorKind::IdentityMismatch
    );
    assert_eq!(
        no(Policy::extension("1.3.6.1.4.1.57264.1.99", Matcher::regex(".*").unwrap()).unwrap()),
        VerifyErrorKind::IdentityMismatch
    );
    // any_of: one member suffices; none -> mismatch.
    ok(Policy::any_of(vec![
        Policy::identity(San::exact("x@example.com"), Issuer::exact(GITHUB)),
        beacon(),
    ])
    .unwrap());
    assert_eq!(
        no(Policy::any_of(vec![Policy::identity(
            San::exact("x@example.com"),
            Issuer::exact(GITHUB)
        )])
        .unwrap()),
        VerifyErrorKind::IdentityMismatch
    );
    ok(Policy::dangerous_any_identity());
}

/// sigstore-go v1.2.2 / TestThatCertIDsAreFullySpecified: a policy that constrains nothing is
/// a construction error.
#[test]
fn policies_that_constrain_nothing_are_rejected() {
    use sigstore_verify::PolicyProblem;
    let p = |r: Result<Policy, VerifyError>| match r {
        Err(VerifyError::Policy(p)) => p,
        other => panic!("expected a policy error, got {other:?}"),
    };
    assert!(matches!(p(Policy::all_of(vec![])), PolicyProblem::Empty));
    assert!(matches!(p(Policy::any_of(vec![])), PolicyProblem::Empty));
    assert!(matches!(
        p(Policy::all_of(vec![Policy::predicate_type("x")])),
        PolicyProblem::ConstrainsNothing
    ));
    assert!(matches!(
        p(Policy::any_of(vec![beacon(), Policy::predicate_type("x")])),
        PolicyProblem::ConstrainsNothing
    ));
    assert!(matches!(
        p(San::regex("(").map(|_| beacon())),
        PolicyProblem::Regex(_)
    ));
    assert!(matches!(
        p(Policy::extension("not.an oid", Matcher::exact("x"))),
        PolicyProblem::Oid(_)
    ));
    assert!(!Policy::predicate_type("x").constrains_signer());
}

// ---------------------------------------------------------------------------------------------
// H: size limits

#[test]
fn too_many_entries_and_timestamps() {
    let a = case!("rekor2-happy-path");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let mut b = a.bundle.clone();
    let e = b["verificationMaterial"]["tlogEntries"][0].clone();
    b["verificationMaterial"]["tlogEntries"] =
        json!(vec![e; sigstore_verify::MAX_TLOG_ENTRIES + 1]);
    assert_eq!(
        kind(run(&v, &b, &art, &beacon())),
        VerifyErrorKind::BundleFormat
    );
    let mut b = a.bundle.clone();
    let t = b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0].clone();
    b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] =
        json!(vec![t; sigstore_verify::MAX_TIMESTAMPS + 1]);
    assert_eq!(
        kind(run(&v, &b, &art, &beacon())),
        VerifyErrorKind::BundleFormat
    );
}

// ---------------------------------------------------------------------------------------------
// Results and consensus

/// The result says what was checked: the checkpoint of each proof, SET times, timestamps.
#[test]
fn result_records_what_was_checked() {
    let a = case!("happy-path-v0.3");
    let r = run(
        &verifier(&a),
        &a.bundle,
        &Artifact::bytes(a.artifact.clone()),
        &beacon(),
    )
    .unwrap();
    let j: Value = serde_json::to_value(&r).unwrap();
    assert_eq!(j["signer"]["type"], "certificate");
    assert_eq!(j["signer"]["identity"]["san"], BEACON);
    assert_eq!(j["artifact_digest"]["algorithm"], "sha256");
    let e = &j["tlog_entries"][0];
    assert_eq!(e["integrated_time"], 1_710_869_186);
    assert_eq!(e["set_verified"], true);
    assert!(e["checkpoint"]["origin"]
        .as_str()
        .unwrap()
        .starts_with("rekor.sigstore.dev - "));
    assert_eq!(j["verified_times"][0]["source"], "transparency_log");

    let b = case!("rekor2-happy-path");
    let r = run(
        &verifier(&b),
        &b.bundle,
        &Artifact::bytes(b.artifact.clone()),
        &beacon(),
    )
    .unwrap();
    let j: Value = serde_json::to_value(&r).unwrap();
    assert!(j["tlog_entries"][0].get("integrated_time").is_none());
    assert_eq!(j["verified_times"][0]["source"], "rfc3161");
    assert!(j["timestamps"][0]["authority"]
        .as_str()
        .unwrap()
        .contains("timestamp"));
    assert!(!r.summary().is_empty());
}

/// Multi-signer consensus: one signer counts once however many bundles it signed or listed
/// policies it matches; the window applies to every verified time.
#[test]
fn consensus_counts_distinct_signers() {
    let a = case!("happy-path-v0.1");
    let b = case!("happy-path-v0.3");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let bundles = vec![
        sigstore_verify::Bundle::from_json(&serde_json::to_vec(&a.bundle).unwrap()).unwrap(),
        sigstore_verify::Bundle::from_json(&serde_json::to_vec(&b.bundle).unwrap()).unwrap(),
    ];
    let one = ConsensusPolicy::new(
        vec![
            beacon(),
            Policy::identity(San::exact("maintainer@example.com"), Issuer::exact(GITHUB)),
        ],
        1,
    )
    .unwrap();
    let r = v.verify_consensus(&bundles, &art, &one).unwrap();
    assert_eq!(r.signers.len(), 1);
    // The same identity listed twice cannot make two signers.
    let twice = ConsensusPolicy::new(
        vec![
            beacon(),
            Policy::identity(San::regex(".*beacon.*").unwrap(), Issuer::exact(GITHUB)),
        ],
        2,
    )
    .unwrap();
    let err = v.verify_consensus(&bundles, &art, &twice).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Threshold {
                need: 2,
                have: 1,
                ..
            }
        ),
        "{err}"
    );
    // A window that excludes the signature times counts nobody.
    let windowed = ConsensusPolicy::new(vec![beacon()], 1)
        .unwrap()
        .within(0, 1)
        .unwrap();
    let err = v.verify_consensus(&bundles, &art, &windowed).unwrap_err();
    assert!(
        matches!(err, VerifyError::Threshold { have: 0, .. }),
        "{err}"
    );
    assert_eq!(
        ConsensusPolicy::new(vec![beacon()], 2).unwrap_err().kind(),
        sigstore_verify::VerifyErrorKind::Policy
    );
    // More bundles than MAX_CONSENSUS_BUNDLES: refused before any verification.
    let many = vec![bundles[0].clone(); sigstore_verify::MAX_CONSENSUS_BUNDLES + 1];
    assert_eq!(
        v.verify_consensus(&many, &art, &one).unwrap_err().kind(),
        sigstore_verify::VerifyErrorKind::Threshold
    );
    assert_eq!(
        ConsensusPolicy::new(vec![Policy::predicate_type("x")], 1)
            .unwrap_err()
            .kind(),
        sigstore_verify::VerifyErrorKind::Policy
    );
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// RFC 3339 (UTC, seconds) for a Unix time.
fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// A failed identity or extension policy names what it wanted and what it found (the text is
/// built only on that failure path).
#[test]
fn identity_mismatch_describes_both_sides() {
    let a = case!("happy-path-v0.3");
    let v = verifier(&a);
    let art = Artifact::bytes(a.artifact.clone());
    let texts = |p: Policy| match run(&v, &a.bundle, &art, &p) {
        Err(VerifyError::IdentityMismatch { expected, found }) => (expected, found),
        other => panic!("identity mismatch expected, got {other:?}"),
    };
    let (expected, found) = texts(Policy::identity(
        San::exact("someone@example.com"),
        Issuer::exact(GITHUB),
    ));
    assert_eq!(
        expected,
        format!("SAN \"someone@example.com\" with issuer {GITHUB:?}")
    );
    assert_eq!(
        found,
        format!("certificate for {BEACON:?} issued by {GITHUB:?}")
    );
    let (expected, found) =
        texts(Policy::extension("1.3.6.1.4.1.57264.1.99", Matcher::regex("x.*").unwrap()).unwrap());
    assert_eq!(expected, "extension 1.3.6.1.4.1.57264.1.99 = regex \"x.*\"");
    assert_eq!(found, "no extension 1.3.6.1.4.1.57264.1.99");
    let (expected, found) = texts(
        Policy::extension(
            oid::SOURCE_REPOSITORY_URI,
            Matcher::exact("https://github.com/evil/repo"),
        )
        .unwrap(),
    );
    assert_eq!(
        expected,
        "extension 1.3.6.1.4.1.57264.1.12 = \"https://github.com/evil/repo\""
    );
    assert_eq!(found, "extension 1.3.6.1.4.1.57264.1.12 = \"https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon\"");
}
