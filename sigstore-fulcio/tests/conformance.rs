//! Conformance bundles and the production trusted root, read directly with serde_json.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{case, shared_dir};
use sigstore_fulcio::{
    embedded_scts, prune_bundle_certificates, verify_chain, verify_scts, CertificateIdentity,
    Error, KeyPurpose, SubjectAlternativeName,
};

/// Cases whose leaf chains to the trusted root at the tlog integrated time, and whose SCT verifies.
const HAPPY: &[&str] = &[
    "happy-path-v0.1",
    "happy-path-v0.2",
    "happy-path-v0.3",
    "happy-path-v0.3-new-mediaType",
    "happy-path-intoto-in-dsse-v3",
];

#[test]
fn happy_path_chains_and_scts_verify() {
    let Some(shared) = shared_dir() else { return };
    for name in HAPPY {
        let c = case(&shared, name);
        let auths = c.authorities();
        let certs = c.bundle_certs();
        let pruned = prune_bundle_certificates(&certs, &auths).unwrap();
        let t = c.integrated_time().unwrap();
        let chain = verify_chain(pruned.leaf, &auths, &[t], KeyPurpose::CodeSigning)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(chain.chain().len() >= 2, "{name}");
        assert_eq!(chain.leaf(), pruned.leaf);
        let scts = verify_scts(&chain, &c.ct_logs(), 1).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(scts.len(), 1, "{name}");
        let id = CertificateIdentity::from_verified_chain(&chain).unwrap();
        assert!(id.issuer.is_some(), "{name}");
        assert!(!id.san.value().is_empty());
        // The same chain fails a TimeStamping purpose (EKU is codeSigning only).
        assert!(matches!(
            verify_chain(pruned.leaf, &auths, &[t], KeyPurpose::TimeStamping),
            Err(Error::ExtendedKeyUsage { index: 0, .. })
        ));
    }
}

#[test]
fn happy_path_identity_fields() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "happy-path-v0.3");
    let id = CertificateIdentity::from_certificate(&c.leaf()).unwrap();
    let json = serde_json::to_value(&id).unwrap();
    assert!(json["san"]["type"].is_string());
    eprintln!("{}", serde_json::to_string_pretty(&id).unwrap());
    // v2 issuer preferred; lookup by OID gives the same value.
    if let Some(v2) = id.extension(sigstore_fulcio::OID_ISSUER_V2) {
        assert_eq!(id.issuer.as_deref(), Some(v2));
    }
    assert!(matches!(
        id.san,
        SubjectAlternativeName::Email(_) | SubjectAlternativeName::Uri(_)
    ));
}

#[test]
fn verification_at_every_time() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "happy-path-v0.3");
    let auths = c.authorities();
    let leaf = c.leaf();
    let t = c.integrated_time().unwrap();
    // One bad time among good ones fails.
    let err = verify_chain(
        &leaf,
        &auths,
        &[t, leaf.not_after() + 1],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::CertificateNotValidAt { index: 0, .. }),
        "{err}"
    );
    // notAfter itself is inclusive.
    verify_chain(
        &leaf,
        &auths,
        &[leaf.not_after(), leaf.not_before()],
        KeyPurpose::CodeSigning,
    )
    .unwrap();
    assert!(matches!(
        verify_chain(&leaf, &auths, &[], KeyPurpose::CodeSigning),
        Err(Error::NoVerificationTime)
    ));
    assert!(matches!(
        verify_chain(&leaf, &[], &[t], KeyPurpose::CodeSigning),
        Err(Error::UntrustedIssuer)
    ));
}

#[test]
fn bundle_with_root_cert_is_rejected() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "bundle-with-root-cert_fail");
    let certs = c.bundle_certs();
    assert_eq!(certs.len(), 3);
    assert!(matches!(
        prune_bundle_certificates(&certs, &c.authorities()),
        Err(Error::RootInBundle)
    ));
    // The bundle lists [leaf, root, intermediate]. Without the root, the (trusted)
    // intermediate is kept and nothing is dropped.
    let without_root: Vec<_> = certs
        .iter()
        .filter(|c| !c.is_self_signed())
        .cloned()
        .collect();
    assert_eq!(without_root.len(), 2);
    let pruned = prune_bundle_certificates(&without_root, &c.authorities()).unwrap();
    assert_eq!(pruned.trusted.len() + pruned.dropped, 1);
}

#[test]
fn empty_bundle_chain_is_rejected() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "bundle-empty-certificate-chain_fail");
    assert!(matches!(
        prune_bundle_certificates(&c.bundle_certs(), &c.authorities()),
        Err(Error::NoCertificate)
    ));
}

#[test]
fn expired_certificate_outside_ca_valid_for() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "intoto-expired-certificate_fail");
    let t = c.integrated_time().unwrap();
    let leaf = c.leaf();
    let auths = c.authorities();
    // At the signing (integrated) time the leaf is not yet valid.
    let err = verify_chain(&leaf, &auths, &[t], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(err, Error::CertificateNotValidAt { index: 0, time, .. } if time == t),
        "{err}"
    );
    // Inside the leaf's own lifetime the issuing CA (and its validFor window) has ended.
    let err =
        verify_chain(&leaf, &auths, &[leaf.not_before()], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(
            err,
            Error::CertificateNotValidAt { index: 1, .. } | Error::OutsideAuthorityValidity { .. }
        ),
        "{err}"
    );
}

#[test]
fn invalid_ct_key_fails_with_sct_log_error() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "invalid-ct-key_fail");
    let t = c.integrated_time().unwrap();
    let chain = verify_chain(&c.leaf(), &c.authorities(), &[t], KeyPurpose::CodeSigning).unwrap();
    let err = verify_scts(&chain, &c.ct_logs(), 1).unwrap_err();
    assert!(
        matches!(err, Error::UnknownCtLog { .. } | Error::InvalidSctSignature),
        "{err}"
    );
    eprintln!("invalid-ct-key_fail: {err}");
}

#[test]
fn sct_with_extensions_passes() {
    let Some(shared) = shared_dir() else { return };
    let c = case(&shared, "bundle-with-sct-with-extensions");
    let leaf = c.leaf();
    let scts = embedded_scts(&leaf).unwrap();
    assert!(scts.iter().any(|s| !s.extensions.is_empty()));
    // No tlog integrated time here (Rekor v2 + TSA): validate inside the leaf's lifetime.
    let t = leaf.not_before() + 1;
    let chain = verify_chain(&leaf, &c.authorities(), &[t], KeyPurpose::CodeSigning).unwrap();
    verify_scts(&chain, &c.ct_logs(), 1).unwrap();
}

/// What this crate alone decides for a conformance case (chain at the tlog integrated time, or
/// inside the leaf's lifetime when the case has none, then one SCT).
#[derive(Debug)]
enum Verdict {
    Ok,
    Rejected(Error),
}

fn crate_verdict(shared: &std::path::Path, name: &str) -> Option<Verdict> {
    let c = case(shared, name);
    let vm = &c.bundle["verificationMaterial"];
    if vm.get("certificate").is_none() && vm.get("x509CertificateChain").is_none() {
        return None;
    }
    let certs = c.bundle_certs();
    let auths = c.authorities();
    let pruned = match prune_bundle_certificates(&certs, &auths) {
        Ok(p) => p,
        Err(e) => return Some(Verdict::Rejected(e)),
    };
    let t = c.integrated_time().unwrap_or(pruned.leaf.not_before());
    let chain = match verify_chain(pruned.leaf, &auths, &[t], KeyPurpose::CodeSigning) {
        Ok(chain) => chain,
        Err(e) => return Some(Verdict::Rejected(e)),
    };
    if let Err(e) = verify_scts(&chain, &c.ct_logs(), 1) {
        return Some(Verdict::Rejected(e));
    }
    if let Err(e) = CertificateIdentity::from_verified_chain(&chain) {
        return Some(Verdict::Rejected(e));
    }
    Some(Verdict::Ok)
}

#[test]
fn every_certificate_case_reaches_the_expected_verdict() {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("sigstore-conformance/assets/bundle-verify");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| dir.join(n).join("bundle.sigstore.json").is_file())
        .filter(|n| n != "bundle-malformed-json_fail")
        .collect();
    names.sort();
    let mut checked = 0;
    for name in &names {
        let Some(verdict) = crate_verdict(&shared, name) else {
            continue;
        };
        checked += 1;
        let ok = match name.as_str() {
            "bundle-empty-certificate-chain_fail" => {
                matches!(verdict, Verdict::Rejected(Error::NoCertificate))
            }
            "bundle-with-root-cert_fail" => {
                matches!(verdict, Verdict::Rejected(Error::RootInBundle))
            }
            "bundle-from-wrong-instance_fail" => {
                matches!(verdict, Verdict::Rejected(Error::UntrustedIssuer))
            }
            "integrated-time-in-future_fail"
            | "intoto-expired-certificate_fail"
            | "intoto-set-outside-signing-cert-validity_fail" => matches!(
                verdict,
                Verdict::Rejected(Error::CertificateNotValidAt { index: 0, .. })
            ),
            "invalid-ct-key_fail" => {
                matches!(verdict, Verdict::Rejected(Error::UnknownCtLog { .. }))
            }
            // Every other case fails (if at all) for reasons outside this crate: its
            // certificate, chain, SCT and identity must be accepted.
            _ => matches!(verdict, Verdict::Ok),
        };
        assert!(ok, "{name}: {verdict:?}");
    }
    assert!(checked >= 60, "only {checked} cases with certificates");
}
