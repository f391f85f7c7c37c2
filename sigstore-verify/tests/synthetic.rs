//! Regression tests on synthetic bundles: a test CA (rcgen), a test Rekor v1 key signing SETs
//! and checkpoints (sigstore-tlog), one-leaf trees. They cover rows the conformance bundles
//! cannot reach because they need new signatures: an unparsable statement with a valid
//! signature (CVE-2026-39395), an intermediate expired at signing time (CVE-2026-24122), two
//! logs of one operator (CVE-2026-49834), pure Ed25519 with digest-only artifacts. No shared
//! data needed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, KeySigner, Signer as _};
use sigstore_verify::{
    Artifact, Issuer, Policy, San, TrustedRoot, Verifier, VerifyError, VerifyErrorKind,
};

/// 2024-01-01T00:00:00Z
const T0: i64 = 1_704_067_200;
const DAY: i64 = 86_400;
/// The signing time of every synthetic bundle (inside the default leaf's validity).
const SIGNED: i64 = T0 + 10 * DAY + 60;
const SAN: &str = "alice@example.com";
const ISS: &str = "https://issuer.example";

fn at(t: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t).unwrap()
}

fn rfc3339(t: i64) -> String {
    at(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn b64(b: &[u8]) -> String {
    STANDARD.encode(b)
}

fn ca_params(cn: &str, from: i64, to: i64) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = at(from);
    p.not_after = at(to);
    p
}

fn issuer_ext(value: &str) -> CustomExtension {
    let mut v = vec![0x0c, u8::try_from(value.len()).unwrap()];
    v.extend_from_slice(value.as_bytes());
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 57264, 1, 8], v)
}

struct Ca {
    key: KeyPair,
    cert: rcgen::Certificate,
}

/// A test Sigstore: root -> intermediate CA, and Rekor v1 logs.
struct World {
    root: Ca,
    inter: Ca,
    logs: Vec<(KeySigner, Option<String>)>,
}

impl World {
    fn new(inter_from: i64, inter_to: i64) -> World {
        Self::with_logs(inter_from, inter_to, vec![None])
    }

    fn with_logs(inter_from: i64, inter_to: i64, operators: Vec<Option<&str>>) -> World {
        let root_key = KeyPair::generate().unwrap();
        let root_cert = ca_params("root", T0, T0 + 3650 * DAY)
            .self_signed(&root_key)
            .unwrap();
        let inter_key = KeyPair::generate().unwrap();
        let inter_cert = ca_params("intermediate", inter_from, inter_to)
            .signed_by(&inter_key, &root_cert, &root_key)
            .unwrap();
        World {
            root: Ca {
                key: root_key,
                cert: root_cert,
            },
            inter: Ca {
                key: inter_key,
                cert: inter_cert,
            },
            logs: operators
                .into_iter()
                .map(|op| (KeySigner::generate_p256().unwrap(), op.map(str::to_owned)))
                .collect(),
        }
    }

    fn log_id(&self, log: usize) -> Vec<u8> {
        HashAlgorithm::Sha256
            .hash(self.logs[log].0.public_key().spki_der())
            .as_bytes()
            .to_vec()
    }

    fn host(log: usize) -> String {
        format!("rekor{log}.test")
    }

    fn trusted_root(&self) -> TrustedRoot {
        let tlogs: Vec<Value> = (0..self.logs.len())
            .map(|i| {
                let mut v = json!({
                    "baseUrl": format!("https://{}", Self::host(i)),
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": {
                        "rawBytes": b64(self.logs[i].0.public_key().spki_der()),
                        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                        "validFor": {"start": rfc3339(T0)}
                    },
                    "logId": {"keyId": b64(&self.log_id(i))}
                });
                if let Some(op) = &self.logs[i].1 {
                    v["operator"] = json!(op);
                }
                v
            })
            .collect();
        let root = json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": tlogs,
            "certificateAuthorities": [{
                "subject": {"organization": "test", "commonName": "test"},
                "uri": "https://fulcio.test",
                "certChain": {"certificates": [
                    {"rawBytes": b64(self.inter.cert.der())},
                    {"rawBytes": b64(self.root.cert.der())}
                ]},
                "validFor": {"start": rfc3339(T0)}
            }],
            "ctlogs": [],
            "timestampAuthorities": []
        });
        TrustedRoot::from_json(&serde_json::to_vec(&root).unwrap()).unwrap()
    }

    fn verifier(&self) -> Verifier {
        Verifier::builder(self.trusted_root())
            .sct_threshold(0)
            .current_time(SIGNED + DAY)
            .build()
            .unwrap()
    }

    /// A leaf certificate for SAN/ISS valid for ten minutes around `SIGNED`, and its signer.
    fn leaf(&self) -> (Vec<u8>, KeySigner) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::default();
        p.distinguished_name = DistinguishedName::new();
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        p.subject_alt_names = vec![SanType::Rfc822Name(SAN.try_into().unwrap())];
        p.custom_extensions = vec![issuer_ext(ISS)];
        p.not_before = at(SIGNED - 60);
        p.not_after = at(SIGNED + 540);
        let cert = p
            .signed_by(&key, &self.inter.cert, &self.inter.key)
            .unwrap();
        let signer = KeySigner::from_pkcs8_der(&key.serialize_der()).unwrap();
        (cert.der().to_vec(), signer)
    }

    /// A v0.3 tlog entry in log `log` for `body`: SET over it and a one-leaf tree checkpoint.
    fn entry(&self, log: usize, kind: &str, body: &Value) -> Value {
        let body = sigstore_tlog::entry::canonical_json(body).into_bytes();
        let log_id = self.log_id(log);
        let signer = &self.logs[log].0;
        let set = sigstore_tlog::set::sign_set(&body, SIGNED, &log_id, 0, signer).unwrap();
        let root = sigstore_tlog::merkle::leaf_hash(&body);
        let text = format!("{} - 42\n1\n{}\n", Self::host(log), b64(&root));
        let note = sigstore_tlog::SignedNote::sign(&text, &Self::host(log), signer).unwrap();
        json!({
            "logIndex": "0",
            "logId": {"keyId": b64(&log_id)},
            "kindVersion": {"kind": kind, "version": "0.0.1"},
            "integratedTime": SIGNED.to_string(),
            "inclusionPromise": {"signedEntryTimestamp": b64(&set)},
            "inclusionProof": {
                "logIndex": "0",
                "rootHash": b64(&root),
                "treeSize": "1",
                "hashes": [],
                "checkpoint": {"envelope": note}
            },
            "canonicalizedBody": b64(&body)
        })
    }

    fn pem_cert(der: &[u8]) -> String {
        pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec()))
    }

    /// A message-signature bundle over `artifact` in log 0 (and any further `logs`).
    fn message_bundle(
        &self,
        cert: &[u8],
        signer: &KeySigner,
        artifact: &[u8],
        logs: &[usize],
    ) -> Value {
        let sig = signer.sign(artifact).unwrap();
        let digest = HashAlgorithm::Sha256.hash(artifact);
        let body = json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": digest.to_hex()}},
                "signature": {
                    "content": b64(&sig),
                    "publicKey": {"content": b64(Self::pem_cert(cert).as_bytes())}
                }
            }
        });
        let entries: Vec<Value> = logs
            .iter()
            .map(|l| self.entry(*l, "hashedrekord", &body))
            .collect();
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": {"rawBytes": b64(cert)},
                "tlogEntries": entries
            },
            "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": b64(digest.as_bytes())},
                "signature": b64(&sig)
            }
        })
    }

    /// A DSSE bundle whose envelope signature over `payload` is valid.
    fn dsse_bundle(
        &self,
        cert: &[u8],
        signer: &KeySigner,
        payload_type: &str,
        payload: &[u8],
    ) -> Value {
        let pae = sigstore_bundle::pae(payload_type, payload);
        let sig = signer.sign(&pae).unwrap();
        let envelope = json!({
            "payload": b64(payload),
            "payloadType": payload_type,
            "signatures": [{"sig": b64(&sig)}]
        });
        let body = json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": HashAlgorithm::Sha256.hash(envelope.to_string().as_bytes()).to_hex()},
                "payloadHash": {"algorithm": "sha256", "value": HashAlgorithm::Sha256.hash(payload).to_hex()},
                "signatures": [{
                    "signature": b64(&sig),
                    "verifier": b64(Self::pem_cert(cert).as_bytes())
                }]
            }
        });
        json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": {"rawBytes": b64(cert)},
                "tlogEntries": [self.entry(0, "dsse", &body)]
            },
            "dsseEnvelope": envelope
        })
    }
}

fn policy() -> Policy {
    Policy::identity(San::exact(SAN), Issuer::exact(ISS))
}

fn verify(
    v: &Verifier,
    bundle: &Value,
    artifact: &Artifact,
) -> Result<sigstore_verify::VerificationResult, VerifyError> {
    v.verify_json(&serde_json::to_vec(bundle).unwrap(), artifact, &policy())
}

fn statement(subject_digest: &str, predicate_type: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "a.txt", "digest": {"sha256": subject_digest}}],
        "predicateType": predicate_type,
        "predicate": {}
    }))
    .unwrap()
}

#[test]
fn synthetic_bundles_verify() {
    let w = World::new(T0, T0 + 3650 * DAY);
    let (cert, signer) = w.leaf();
    let v = w.verifier();
    let artifact = b"hello".to_vec();
    let b = w.message_bundle(&cert, &signer, &artifact, &[0]);
    let r = verify(&v, &b, &Artifact::bytes(artifact.clone())).unwrap();
    assert_eq!(r.verified_times[0].time, SIGNED);
    let d = HashAlgorithm::Sha256.hash(&artifact);
    verify(
        &v,
        &b,
        &Artifact::digest(HashAlgorithm::Sha256, d.as_bytes()).unwrap(),
    )
    .unwrap();

    let st = statement(&d.to_hex(), "https://example.com/predicate/v1");
    let b = w.dsse_bundle(&cert, &signer, "application/vnd.in-toto+json", &st);
    let r = verify(&v, &b, &Artifact::bytes(artifact)).unwrap();
    assert_eq!(
        r.predicate_type.as_deref(),
        Some("https://example.com/predicate/v1")
    );
}

/// CVE-2026-39395: a validly signed DSSE payload that is not an in-toto statement is rejected
/// (the parse error is not swallowed), as is a non-in-toto payload type (CVE-2025-25204).
#[test]
fn unparsable_statement_with_valid_signature() {
    let w = World::new(T0, T0 + 3650 * DAY);
    let (cert, signer) = w.leaf();
    let v = w.verifier();
    let art = Artifact::bytes(b"hello".to_vec());
    let b = w.dsse_bundle(&cert, &signer, "application/vnd.in-toto+json", b"{not json");
    let err = verify(&v, &b, &art).unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Attestation, "{err}");
    let b = w.dsse_bundle(&cert, &signer, "text/plain", b"hello");
    let err = verify(&v, &b, &art).unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Attestation, "{err}");
}

/// CVE-2026-24122: an intermediate that expired before the signing time is rejected even
/// though the leaf was valid then.
#[test]
fn expired_intermediate_at_signing_time() {
    let w = World::new(T0, SIGNED - 120);
    let (cert, signer) = w.leaf();
    let v = w.verifier();
    let artifact = b"hello".to_vec();
    let b = w.message_bundle(&cert, &signer, &artifact, &[0]);
    let err = verify(&v, &b, &Artifact::bytes(artifact)).unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Certificate, "{err}");
}

/// trustroot.proto `operator` / CVE-2026-49834: two logs of one operator count once.
#[test]
fn logs_of_one_operator_count_once() {
    let artifact = b"hello".to_vec();
    for (ops, ok) in [
        (vec![Some("acme"), Some("acme")], false),
        (vec![Some("acme"), Some("other")], true),
        (vec![None, None], true),
    ] {
        let w = World::with_logs(T0, T0 + 3650 * DAY, ops.clone());
        let (cert, signer) = w.leaf();
        let b = w.message_bundle(&cert, &signer, &artifact, &[0, 1]);
        let build = Verifier::builder(w.trusted_root())
            .sct_threshold(0)
            .tlog_threshold(2)
            .current_time(SIGNED + DAY)
            .build();
        match (build, ok) {
            (Ok(v), true) => {
                let r = verify(&v, &b, &Artifact::bytes(artifact.clone())).unwrap();
                assert_eq!(r.tlog_entries.len(), 2);
            }
            // One operator: the root can never satisfy two distinct logs.
            (Err(e), false) => assert_eq!(e.kind(), VerifyErrorKind::Policy, "{ops:?}"),
            (other, _) => panic!("{ops:?}: unexpected {:?}", other.map(|_| ())),
        }
    }
}

/// A pure Ed25519 managed key needs the artifact bytes: a digest-only artifact is refused with
/// a typed error, never accepted.
#[test]
fn ed25519_managed_key_needs_bytes() {
    let w = World::new(T0, T0 + 3650 * DAY);
    let v = w.verifier();
    let key = KeySigner::generate_ed25519().unwrap();
    let artifact = b"hello".to_vec();
    let sig = key.sign(&artifact).unwrap();
    let digest = HashAlgorithm::Sha256.hash(&artifact);
    let body = json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest.to_hex()}},
            "signature": {
                "content": b64(&sig),
                "publicKey": {"content": b64(key.public_key().to_pem().as_bytes())}
            }
        }
    });
    let b = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "publicKey": {"hint": "anything"},
            "tlogEntries": [w.entry(0, "hashedrekord", &body)]
        },
        "messageSignature": {"signature": b64(&sig)}
    });
    let p = Policy::public_key(key.public_key().clone());
    let json = serde_json::to_vec(&b).unwrap();
    v.verify_json(&json, &Artifact::bytes(artifact.clone()), &p)
        .unwrap();
    let err = v
        .verify_json(
            &json,
            &Artifact::digest(HashAlgorithm::Sha256, digest.as_bytes()).unwrap(),
            &p,
        )
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Artifact, "{err}");
    // A tampered signature is an opaque signature failure... after the log binding, which
    // records the original signature.
    let mut bad = b.clone();
    bad["messageSignature"]["signature"] = json!(b64(&[0u8; 64]));
    let err = v
        .verify_json(
            &serde_json::to_vec(&bad).unwrap(),
            &Artifact::bytes(artifact),
            &p,
        )
        .unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::TransparencyLog, "{err}");
}
