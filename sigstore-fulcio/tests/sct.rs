//! Embedded SCT verification against synthetic CT logs (RFC 6962 §3.2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::pki::*;
use rcgen::{CustomExtension, KeyPair};
use sigstore_crypto::{HashAlgorithm, KeySigner, Signer};
use sigstore_fulcio::{
    embedded_scts, precertificate_tbs, verify_chain, verify_sct, verify_scts, Certificate,
    CertificateAuthority, CtLog, Error, KeyPurpose, Sct, TimeRange, VerifiedChain, MAX_SCTS,
};

const SCT_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 11129, 2, 4, 2];
const TS_MS: u64 = (SIGNED_AT as u64) * 1000;

fn log(signer: &KeySigner) -> CtLog {
    CtLog::from_key(
        signer.public_key().clone(),
        TimeRange {
            start: T2024,
            end: None,
        },
    )
}

/// The RFC 6962 digitally-signed struct, written independently of the crate.
fn signed_struct(ts: u64, ikh: &[u8], tbs: &[u8], exts: &[u8]) -> Vec<u8> {
    let mut m = vec![0u8, 0u8];
    m.extend(ts.to_be_bytes());
    m.extend([0u8, 1u8]);
    m.extend(ikh);
    m.extend(&(tbs.len() as u32).to_be_bytes()[1..]);
    m.extend(tbs);
    m.extend((exts.len() as u16).to_be_bytes());
    m.extend(exts);
    m
}

struct Spec<'a> {
    signer: &'a KeySigner,
    log_id: Option<[u8; 32]>,
    ts: u64,
    exts: Vec<u8>,
    hash: u8,
    sig: u8,
    version: u8,
    ikh: Option<[u8; 32]>,
    tamper: bool,
}

impl<'a> Spec<'a> {
    fn new(signer: &'a KeySigner) -> Self {
        Spec {
            signer,
            log_id: None,
            ts: TS_MS,
            exts: vec![],
            hash: 4,
            sig: 3,
            version: 0,
            ikh: None,
            tamper: false,
        }
    }

    fn encode(&self, tbs: &[u8], ikh: &[u8; 32]) -> Vec<u8> {
        let ikh = self.ikh.unwrap_or(*ikh);
        let mut sig = self
            .signer
            .sign(&signed_struct(self.ts, &ikh, tbs, &self.exts))
            .unwrap();
        if self.tamper {
            let n = sig.len();
            sig[n - 1] ^= 1;
        }
        let log_id = self.log_id.unwrap_or(log(self.signer).log_id);
        let mut out = vec![self.version];
        out.extend(log_id);
        out.extend(self.ts.to_be_bytes());
        out.extend((self.exts.len() as u16).to_be_bytes());
        out.extend(&self.exts);
        out.extend([self.hash, self.sig]);
        out.extend((sig.len() as u16).to_be_bytes());
        out.extend(sig);
        out
    }
}

fn list_value(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut list = Vec::new();
    for e in entries {
        list.extend((e.len() as u16).to_be_bytes());
        list.extend(e);
    }
    let mut tls = (list.len() as u16).to_be_bytes().to_vec();
    tls.extend(list);
    octet_string(&tls)
}

fn octet_string(content: &[u8]) -> Vec<u8> {
    let mut v = vec![0x04];
    let n = content.len();
    if n < 128 {
        v.push(n as u8);
    } else if n < 256 {
        v.extend([0x81, n as u8]);
    } else {
        v.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend(content);
    v
}

/// Issues a leaf under `pki.intermediate` whose SCT list extension holds `make(tbs, ikh)`.
fn leaf_with_sct_value(pki: &Pki, make: impl Fn(&[u8], &[u8; 32]) -> Vec<u8>) -> VerifiedChain {
    leaf_with_sct_value_in(pki, &[pki.authority()], make)
}

/// Like [`leaf_with_sct_value`], validating against `auths`.
fn leaf_with_sct_value_in(
    pki: &Pki,
    auths: &[CertificateAuthority],
    make: impl Fn(&[u8], &[u8; 32]) -> Vec<u8>,
) -> VerifiedChain {
    let key = KeyPair::generate().unwrap();
    let params = |value: Vec<u8>| {
        let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
        p.custom_extensions
            .push(CustomExtension::from_oid_content(SCT_OID, value));
        p
    };
    let draft = params(list_value(&[vec![0; 8]]))
        .signed_by(&key, &pki.intermediate.cert, &pki.intermediate.key)
        .unwrap();
    let tbs = precertificate_tbs(&Certificate::from_der(draft.der()).unwrap()).unwrap();
    let ikh: [u8; 32] = HashAlgorithm::Sha256
        .hash(pki.intermediate.parsed().public_key().spki_der())
        .as_bytes()
        .try_into()
        .unwrap();
    let cert = params(make(&tbs, &ikh))
        .signed_by(&key, &pki.intermediate.cert, &pki.intermediate.key)
        .unwrap();
    let leaf = Certificate::from_der(cert.der()).unwrap();
    // The rewrite really is the same TBS for both certificates.
    assert_eq!(precertificate_tbs(&leaf).unwrap(), tbs);
    assert_ne!(leaf.tbs_der(), &tbs[..]);
    verify_chain(&leaf, auths, &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap()
}

fn leaf_with_scts(pki: &Pki, specs: &[Spec<'_>]) -> VerifiedChain {
    leaf_with_sct_value(pki, |tbs, ikh| {
        list_value(&specs.iter().map(|s| s.encode(tbs, ikh)).collect::<Vec<_>>())
    })
}

#[test]
fn valid_sct_verifies() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let chain = leaf_with_scts(&pki, &[Spec::new(&a)]);
    let scts = verify_scts(&chain, &[log(&a)], 1).unwrap();
    assert_eq!(scts.len(), 1);
    assert_eq!(scts[0].log_index, 0);
    assert_eq!(scts[0].sct.timestamp_ms, TS_MS);
    assert_eq!(scts[0].sct.time(), SIGNED_AT);
    // Threshold 0 needs nothing.
    assert!(verify_scts(&chain, &[], 0).unwrap().is_empty());
}

#[test]
fn sct_with_extensions_verifies() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let mut spec = Spec::new(&a);
    spec.exts = vec![0, 0, 5, 0, 0, 0, 0, 0, 42];
    let chain = leaf_with_scts(&pki, &[spec]);
    let scts = verify_scts(&chain, &[log(&a)], 1).unwrap();
    assert_eq!(scts[0].sct.extensions, vec![0, 0, 5, 0, 0, 0, 0, 0, 42]);
}

#[test]
fn ed25519_log_verifies() {
    let pki = Pki::new();
    let a = KeySigner::generate_ed25519().unwrap();
    let mut spec = Spec::new(&a);
    spec.hash = 8;
    spec.sig = 7;
    let chain = leaf_with_scts(&pki, &[spec]);
    verify_scts(&chain, &[log(&a)], 1).unwrap();
}

#[test]
fn threshold_counts_distinct_logs() {
    // sigstore-go GHSA-9vcr-p3rj-q5q6: two SCTs of ONE log must not satisfy a threshold of 2.
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let b = KeySigner::generate_p256().unwrap();
    let mut second = Spec::new(&a);
    second.ts += 1000;
    let chain = leaf_with_scts(&pki, &[Spec::new(&a), second]);
    let err = verify_scts(&chain, &[log(&a), log(&b)], 2).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SctThreshold {
                required: 2,
                found: 1
            }
        ),
        "{err}"
    );
    assert_eq!(verify_scts(&chain, &[log(&a)], 1).unwrap().len(), 2);

    let chain = leaf_with_scts(&pki, &[Spec::new(&a), Spec::new(&b)]);
    assert_eq!(
        verify_scts(&chain, &[log(&a), log(&b)], 2).unwrap().len(),
        2
    );
    let err = verify_scts(&chain, &[log(&a), log(&b)], 3).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SctThreshold {
                required: 3,
                found: 2
            }
        ),
        "{err}"
    );
}

#[test]
fn unknown_log() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let b = KeySigner::generate_p256().unwrap();
    let chain = leaf_with_scts(&pki, &[Spec::new(&a)]);
    let err = verify_scts(&chain, &[log(&b)], 1).unwrap_err();
    assert!(matches!(err, Error::UnknownCtLog { .. }), "{err}");
    // Right log ID, wrong key: the signature does not verify.
    let mut impostor = log(&b);
    impostor.log_id = log(&a).log_id;
    let err = verify_scts(&chain, &[impostor], 1).unwrap_err();
    assert!(matches!(err, Error::InvalidSctSignature), "{err}");
}

#[test]
fn sct_outside_log_validity() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let chain = leaf_with_scts(&pki, &[Spec::new(&a)]);
    let mut expired = log(&a);
    expired.valid_for = TimeRange {
        start: T2024,
        end: Some(SIGNED_AT - 1),
    };
    let err = verify_scts(&chain, &[expired.clone()], 1).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SctOutsideLogValidity {
                time: SIGNED_AT,
                ..
            }
        ),
        "{err}"
    );
    // End inclusive.
    expired.valid_for.end = Some(SIGNED_AT);
    verify_scts(&chain, &[expired], 1).unwrap();
}

#[test]
fn tampered_signature() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let mut spec = Spec::new(&a);
    spec.tamper = true;
    let chain = leaf_with_scts(&pki, &[spec]);
    let err = verify_scts(&chain, &[log(&a)], 1).unwrap_err();
    assert!(matches!(err, Error::InvalidSctSignature), "{err}");
}

#[test]
fn issuer_key_hash_must_be_the_verified_issuer() {
    // An SCT computed over another issuer key (e.g. a same-named impostor CA) must fail.
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let mut spec = Spec::new(&a);
    spec.ikh = Some(
        HashAlgorithm::Sha256
            .hash(pki.root.parsed().public_key().spki_der())
            .as_bytes()
            .try_into()
            .unwrap(),
    );
    let chain = leaf_with_scts(&pki, &[spec]);
    let err = verify_scts(&chain, &[log(&a)], 1).unwrap_err();
    assert!(matches!(err, Error::InvalidSctSignature), "{err}");
}

#[test]
fn algorithm_bytes_must_match_key() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let mut spec = Spec::new(&a);
    spec.sig = 1; // RSA with an ECDSA log key
    let chain = leaf_with_scts(&pki, &[spec]);
    let err = verify_scts(&chain, &[log(&a)], 1).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SctAlgorithmMismatch {
                hash: 4,
                signature: 1
            }
        ),
        "{err}"
    );
    let mut spec = Spec::new(&a);
    spec.hash = 2; // SHA-1
    let chain = leaf_with_scts(&pki, &[spec]);
    let err = verify_scts(&chain, &[log(&a)], 1).unwrap_err();
    assert!(
        matches!(err, Error::SctAlgorithmMismatch { hash: 2, .. }),
        "{err}"
    );
}

#[test]
fn unsupported_version() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let mut spec = Spec::new(&a);
    spec.version = 1;
    let chain = leaf_with_scts(&pki, &[spec]);
    let err = verify_scts(&chain, &[log(&a)], 1).unwrap_err();
    assert!(matches!(err, Error::UnsupportedSctVersion(1)), "{err}");
}

#[test]
fn missing_sct() {
    let pki = Pki::new();
    let leaf = pki.leaf().parsed();
    let chain = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap();
    let a = KeySigner::generate_p256().unwrap();
    assert!(matches!(
        verify_scts(&chain, &[log(&a)], 1),
        Err(Error::MissingSct)
    ));
}

#[test]
fn too_many_scts() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let chain = leaf_with_sct_value(&pki, |tbs, ikh| {
        let one = Spec::new(&a).encode(tbs, ikh);
        list_value(&vec![one; MAX_SCTS + 1])
    });
    let err = verify_scts(&chain, &[log(&a)], 1).unwrap_err();
    assert!(
        matches!(err, Error::TooManyScts { limit: MAX_SCTS }),
        "{err}"
    );
    // Exactly MAX_SCTS is fine (and counts one log).
    let chain = leaf_with_sct_value(&pki, |tbs, ikh| {
        let one = Spec::new(&a).encode(tbs, ikh);
        list_value(&vec![one; MAX_SCTS])
    });
    assert_eq!(verify_scts(&chain, &[log(&a)], 1).unwrap().len(), MAX_SCTS);
}

#[test]
fn malformed_lists() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    type Make<'a> = Box<dyn Fn(&[u8], &[u8; 32]) -> Vec<u8> + 'a>;
    let cases: Vec<Make<'_>> = vec![
        // empty list
        Box::new(|_, _| list_value(&[])),
        // list length larger than content
        Box::new(|_, _| octet_string(&[0x00, 0x10, 0x00, 0x01, 0x00])),
        // trailing bytes after the list
        Box::new(|tbs, ikh| {
            let mut tls = list_value(&[Spec::new(&a).encode(tbs, ikh)]);
            tls.push(0);
            tls[1] += 1;
            tls
        }),
        // trailing bytes inside one SCT
        Box::new(|tbs, ikh| {
            let mut one = Spec::new(&a).encode(tbs, ikh);
            one.push(0);
            list_value(&[one])
        }),
        // truncated SCT
        Box::new(|tbs, ikh| list_value(&[Spec::new(&a).encode(tbs, ikh)[..40].to_vec()])),
        // not an OCTET STRING
        Box::new(|_, _| vec![0x05, 0x00]),
    ];
    for (i, make) in cases.iter().enumerate() {
        let chain = leaf_with_sct_value(&pki, make);
        let err = verify_scts(&chain, &[log(&a)], 1).unwrap_err();
        assert!(matches!(err, Error::MalformedSct(_)), "case {i}: {err}");
    }
}

#[test]
fn embedded_scts_and_single_verify() {
    let pki = Pki::new();
    let a = KeySigner::generate_p256().unwrap();
    let b = KeySigner::generate_p256().unwrap();
    let chain = leaf_with_scts(&pki, &[Spec::new(&a), Spec::new(&b)]);
    let scts = embedded_scts(chain.leaf()).unwrap();
    assert_eq!(scts.len(), 2);
    assert_eq!(
        verify_sct(&scts[1], &chain, &[log(&a), log(&b)]).unwrap(),
        1
    );
    // One good, one unknown: threshold 1 passes, only the good one is returned.
    let got = verify_scts(&chain, &[log(&b)], 1).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].sct.log_id, log(&b).log_id);
}

#[test]
fn issuer_key_hash_comes_from_the_verified_chain_with_duplicate_names() {
    // Two trusted authorities whose intermediates share a subject name (sigstore-rust 43a6a67):
    // the SCT is over the key of the intermediate that actually issued the leaf, which is
    // listed second. Taking "the first certificate with the right name" would fail here.
    let decoy = Pki::new();
    let pki = Pki::new();
    assert_eq!(
        decoy.intermediate.parsed().subject_der(),
        pki.intermediate.parsed().subject_der()
    );
    let a = KeySigner::generate_p256().unwrap();
    let auths = [decoy.authority(), pki.authority()];
    let chain = leaf_with_sct_value_in(&pki, &auths, |tbs, ikh| {
        list_value(&[Spec::new(&a).encode(tbs, ikh)])
    });
    assert_eq!(chain.authority_index(), 1);
    assert_eq!(chain.issuer(), &pki.intermediate.parsed());
    verify_scts(&chain, &[log(&a)], 1).unwrap();
}

#[test]
fn sct_parser_never_panics() {
    let a = KeySigner::generate_p256().unwrap();
    let good = Spec::new(&a).encode(&[1, 2, 3], &[0; 32]);
    assert!(Sct::from_tls(&good).is_ok());
    for i in 0..good.len() {
        let _ = Sct::from_tls(&good[..i]);
        let mut m = good.clone();
        m[i] ^= 0xff;
        let _ = Sct::from_tls(&m);
    }
    assert!(matches!(
        Sct::from_tls(&vec![0; sigstore_fulcio::MAX_SCT_BYTES + 1]),
        Err(Error::MalformedSct(_))
    ));
}

#[test]
fn precert_signing_ca_sct_verifies() {
    // Catalog §6 (P): RFC 6962 §3.1 lets a CA issue the precertificate through a Precertificate
    // Signing Certificate (EKU 1.3.6.1.4.1.11129.2.4.4). The log then signs the TBS rewritten
    // to name the final issuer, with issuer_key_hash = the FINAL issuer's key, so the SCT
    // embedded in the final certificate verifies against the verified chain's issuer, while
    // one bound to the precertificate signer's own key does not.
    let pki = Pki::new();
    let log_key = KeySigner::generate_p256().unwrap();
    let precert_signer = KeySigner::generate_p256().unwrap();
    let chain = leaf_with_scts(&pki, &[Spec::new(&log_key)]);
    let scts = verify_scts(&chain, &[log(&log_key)], 1).unwrap();
    assert_eq!(scts.len(), 1);

    let mut bound_to_precert_signer = Spec::new(&log_key);
    bound_to_precert_signer.ikh = Some(
        HashAlgorithm::Sha256
            .hash(precert_signer.public_key().spki_der())
            .as_bytes()
            .try_into()
            .unwrap(),
    );
    let chain = leaf_with_scts(&pki, &[bound_to_precert_signer]);
    let err = verify_scts(&chain, &[log(&log_key)], 1).unwrap_err();
    assert!(matches!(err, Error::InvalidSctSignature), "{err}");
}
