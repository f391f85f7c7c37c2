//! Path validation against synthetic PKIs: every negative case asserts the error variant.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::pki::*;
use rcgen::{CustomExtension, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType};
use sigstore_fulcio::{
    prune_bundle_certificates, verify_chain, Certificate, CertificateAuthority, Error, KeyPurpose,
    TimeRange, MAX_CHAIN_CERTIFICATES, MAX_PATH_BUILDING_SIGNATURES,
};

fn open() -> TimeRange {
    TimeRange {
        start: T2024,
        end: None,
    }
}

#[test]
fn good_chain_verifies() {
    let pki = Pki::new();
    let leaf = pki.leaf().parsed();
    let chain = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap();
    assert_eq!(chain.chain().len(), 3);
    assert_eq!(chain.issuer(), &pki.intermediate.parsed());
    assert_eq!(chain.authority_index(), 0);
    assert!(!leaf.is_ca() && !leaf.is_self_signed());
    assert!(pki.root.parsed().is_self_signed());
    leaf.verify_signed_by(&pki.intermediate.parsed()).unwrap();
    assert_eq!(leaf.serial(), &[0x42, 0x01]);
    assert!(pki.intermediate.parsed().subject_key_id().is_some());
}

#[test]
fn leaf_issued_directly_by_root_of_authority() {
    let pki = Pki::new();
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &pki.root,
    )
    .parsed();
    let chain = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap();
    assert_eq!(chain.chain().len(), 2);
}

#[test]
fn missing_code_signing_eku() {
    let pki = Pki::new();
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    let leaf = issue(p, &pki.intermediate).parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::ExtendedKeyUsage { index: 0, .. }),
        "{err}"
    );

    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.extended_key_usages = vec![];
    let leaf = issue(p, &pki.intermediate).parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::ExtendedKeyUsage { index: 0, .. }),
        "{err}"
    );
}

#[test]
fn leaf_with_ca_true() {
    let pki = Pki::new();
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let leaf = issue(p, &pki.intermediate).parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(matches!(err, Error::LeafIsCa), "{err}");
}

#[test]
fn non_ca_issuer() {
    let root = self_signed(ca_params("root", None, T2024, T2024 + 730 * DAY));
    let mut p = ca_params("not-a-ca", None, T2024, T2024 + 730 * DAY);
    p.is_ca = IsCa::ExplicitNoCa;
    let fake_ca = issue(p, &root);
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &fake_ca,
    )
    .parsed();
    let auth = CertificateAuthority::new(vec![fake_ca.parsed(), root.parsed()], open()).unwrap();
    let err = verify_chain(&leaf, &[auth], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(matches!(err, Error::IssuerNotCa { index: 1 }), "{err}");
}

#[test]
fn ca_without_key_cert_sign() {
    let root = self_signed(ca_params("root", None, T2024, T2024 + 730 * DAY));
    let mut p = ca_params("intermediate", None, T2024, T2024 + 730 * DAY);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let inter = issue(p, &root);
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &inter,
    )
    .parsed();
    let auth = CertificateAuthority::new(vec![inter.parsed(), root.parsed()], open()).unwrap();
    let err = verify_chain(&leaf, &[auth], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyUsage {
                index: 1,
                required: "keyCertSign"
            }
        ),
        "{err}"
    );
}

#[test]
fn ca_without_key_usage() {
    let root = self_signed(ca_params("root", None, T2024, T2024 + 730 * DAY));
    let mut p = ca_params("intermediate", None, T2024, T2024 + 730 * DAY);
    p.key_usages = vec![];
    let inter = issue(p, &root);
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &inter,
    )
    .parsed();
    let auth = CertificateAuthority::new(vec![inter.parsed(), root.parsed()], open()).unwrap();
    let err = verify_chain(&leaf, &[auth], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyUsage {
                index: 1,
                required: "keyCertSign"
            }
        ),
        "{err}"
    );
}

#[test]
fn code_signing_leaf_without_key_usage() {
    let pki = Pki::new();
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.key_usages = vec![];
    let leaf = issue(p, &pki.intermediate).parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyUsage {
                index: 0,
                required: "digitalSignature"
            }
        ),
        "{err}"
    );
}

#[test]
fn leaf_without_digital_signature() {
    let pki = Pki::new();
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let leaf = issue(p, &pki.intermediate).parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyUsage {
                index: 0,
                required: "digitalSignature"
            }
        ),
        "{err}"
    );
}

#[test]
fn path_length_violation() {
    // root pathlen 0 -> intermediate -> leaf: one intermediate below a pathlen-0 root.
    let root = self_signed(ca_params("root", Some(0), T2024, T2024 + 730 * DAY));
    let inter = issue(
        ca_params("intermediate", None, T2024, T2024 + 730 * DAY),
        &root,
    );
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &inter,
    )
    .parsed();
    let auth = CertificateAuthority::new(vec![inter.parsed(), root.parsed()], open()).unwrap();
    let err = verify_chain(&leaf, &[auth], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(
            err,
            Error::PathLengthExceeded {
                index: 2,
                path_len: 0,
                below: 1
            }
        ),
        "{err}"
    );
}

#[test]
fn unknown_critical_extension_on_leaf_and_on_ca() {
    let pki = Pki::new();
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    let mut ext = CustomExtension::from_oid_content(&[1, 2, 3, 4, 5], vec![0x05, 0x00]);
    ext.set_criticality(true);
    p.custom_extensions.push(ext);
    let leaf = issue(p, &pki.intermediate).parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownCriticalExtension { index: 0, oid } if oid == "1.2.3.4.5"),
        "{err}"
    );

    // The same extension, non-critical, is fine.
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.custom_extensions.push(CustomExtension::from_oid_content(
        &[1, 2, 3, 4, 5],
        vec![0x05, 0x00],
    ));
    let leaf = issue(p, &pki.intermediate).parsed();
    verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap();

    // The CT precertificate poison is critical and not understood: a precert is no certificate.
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    let mut poison =
        CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 11129, 2, 4, 3], vec![0x05, 0x00]);
    poison.set_criticality(true);
    p.custom_extensions.push(poison);
    let leaf = issue(p, &pki.intermediate).parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownCriticalExtension { index: 0, oid } if oid == "1.3.6.1.4.1.11129.2.4.3"),
        "{err}"
    );

    // On the intermediate.
    let root = self_signed(ca_params("root", None, T2024, T2024 + 730 * DAY));
    let mut p = ca_params("intermediate", None, T2024, T2024 + 730 * DAY);
    let mut ext = CustomExtension::from_oid_content(&[1, 2, 3, 4, 6], vec![0x05, 0x00]);
    ext.set_criticality(true);
    p.custom_extensions.push(ext);
    let inter = issue(p, &root);
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &inter,
    )
    .parsed();
    let auth = CertificateAuthority::new(vec![inter.parsed(), root.parsed()], open()).unwrap();
    let err = verify_chain(&leaf, &[auth], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownCriticalExtension { index: 1, oid } if oid == "1.2.3.4.6"),
        "{err}"
    );
}

#[test]
fn expired_intermediate_at_signing_time() {
    // cosign CVE-2026-24122: intermediate notAfter before the (TSA) signing time.
    let root = self_signed(ca_params("root", None, T2024, T2024 + 730 * DAY));
    let inter = issue(
        ca_params("intermediate", None, T2024, T2024 + 10 * DAY + 30),
        &root,
    );
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &inter,
    )
    .parsed();
    let auth = CertificateAuthority::new(vec![inter.parsed(), root.parsed()], open()).unwrap();
    let err = verify_chain(
        &leaf,
        std::slice::from_ref(&auth),
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::CertificateNotValidAt {
                index: 1,
                time: SIGNED_AT,
                ..
            }
        ),
        "{err}"
    );
    // Earlier in the leaf's life it was still valid.
    verify_chain(
        &leaf,
        &[auth],
        &[T2024 + 10 * DAY + 10],
        KeyPurpose::CodeSigning,
    )
    .unwrap();
}

#[test]
fn leaf_not_yet_valid_and_expired() {
    let pki = Pki::new();
    let leaf = pki.leaf().parsed();
    for t in [leaf.not_before() - 1, leaf.not_after() + 1] {
        let err =
            verify_chain(&leaf, &[pki.authority()], &[t], KeyPurpose::CodeSigning).unwrap_err();
        assert!(
            matches!(err, Error::CertificateNotValidAt { index: 0, .. }),
            "{err}"
        );
    }
    // Both ends inclusive.
    verify_chain(
        &leaf,
        &[pki.authority()],
        &[leaf.not_before(), leaf.not_after()],
        KeyPurpose::CodeSigning,
    )
    .unwrap();
}

#[test]
fn authority_valid_for_end_is_inclusive() {
    let pki = Pki::new();
    let leaf = pki.leaf().parsed();
    let chain = vec![pki.intermediate.parsed(), pki.root.parsed()];
    let inclusive = CertificateAuthority::new(
        chain.clone(),
        TimeRange {
            start: T2024,
            end: Some(SIGNED_AT),
        },
    )
    .unwrap();
    verify_chain(&leaf, &[inclusive], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap();
    let ended = CertificateAuthority::new(
        chain.clone(),
        TimeRange {
            start: T2024,
            end: Some(SIGNED_AT - 1),
        },
    )
    .unwrap();
    let err = verify_chain(&leaf, &[ended], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutsideAuthorityValidity {
                time: SIGNED_AT,
                ..
            }
        ),
        "{err}"
    );
    let not_started = CertificateAuthority::new(
        chain,
        TimeRange {
            start: SIGNED_AT + 1,
            end: None,
        },
    )
    .unwrap();
    let err =
        verify_chain(&leaf, &[not_started], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(err, Error::OutsideAuthorityValidity { .. }),
        "{err}"
    );
}

#[test]
fn the_right_authority_window_is_used() {
    // Two authorities; the leaf chains only to the second, whose window excludes the time.
    // The first authority's (open) window must not rescue it (TOB-11 style).
    let pki = Pki::new();
    let other = Pki::new();
    let leaf = pki.leaf().parsed();
    let closed = CertificateAuthority::new(
        vec![pki.intermediate.parsed(), pki.root.parsed()],
        TimeRange {
            start: T2024,
            end: Some(T2024 + DAY),
        },
    )
    .unwrap();
    let err = verify_chain(
        &leaf,
        &[other.authority(), closed],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::OutsideAuthorityValidity { .. }),
        "{err}"
    );
}

#[test]
fn same_name_wrong_key_issuer() {
    let pki = Pki::new();
    // An impostor intermediate with the same subject name but another key.
    let impostor = issue(
        ca_params("intermediate", Some(0), T2024, T2024 + 730 * DAY),
        &pki.root,
    );
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &impostor,
    )
    .parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidSignature), "{err}");
    // A leaf from an unrelated PKI: nobody with that issuer name.
    let mut other_leaf_params = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    other_leaf_params.is_ca = IsCa::ExplicitNoCa;
    let unrelated_root = self_signed(ca_params("unrelated", None, T2024, T2024 + 730 * DAY));
    let leaf = issue(other_leaf_params, &unrelated_root).parsed();
    let err = verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap_err();
    assert!(matches!(err, Error::UntrustedIssuer), "{err}");
}

#[test]
fn many_candidate_intermediates_hit_the_budget() {
    // webpki RUSTSEC-2023-0052 style: 100 trusted certificates share the leaf's issuer name,
    // only the real one (listed last) verifies. No key identifiers to narrow the search.
    let root = self_signed(ca_params("root", None, T2024, T2024 + 730 * DAY));
    let mut auths = Vec::new();
    for _ in 0..99 {
        let decoy = issue(
            ca_params("busy-name", None, T2024, T2024 + 730 * DAY),
            &root,
        );
        auths.push(CertificateAuthority::new(vec![decoy.parsed(), root.parsed()], open()).unwrap());
    }
    let mut p = ca_params("busy-name", None, T2024, T2024 + 730 * DAY);
    p.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(vec![1, 2, 3, 4]);
    let real = issue(p, &root);
    auths.push(CertificateAuthority::new(vec![real.parsed(), root.parsed()], open()).unwrap());
    let leaf = issue(leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600), &real).parsed();
    assert!(leaf.authority_key_id().is_none());
    let err = verify_chain(&leaf, &auths, &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(
            err,
            Error::PathBuildingBudgetExceeded {
                limit: MAX_PATH_BUILDING_SIGNATURES
            }
        ),
        "{err}"
    );
    // Within the budget, the real issuer is found.
    let few: Vec<_> = auths[auths.len() - MAX_PATH_BUILDING_SIGNATURES..].to_vec();
    verify_chain(&leaf, &few, &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap();

    // With an authorityKeyIdentifier on the leaf, mismatching subjectKeyIdentifiers are skipped
    // without a signature check, so all 100 are fine.
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.use_authority_key_identifier_extension = true;
    let leaf = issue(p, &real).parsed();
    assert_eq!(leaf.authority_key_id(), Some(&[1u8, 2, 3, 4][..]));
    verify_chain(&leaf, &auths, &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap();
}

#[test]
fn authority_construction_checks_signatures() {
    let pki = Pki::new();
    let other = Pki::new();
    assert!(matches!(
        CertificateAuthority::new(vec![], open()),
        Err(Error::EmptyAuthority)
    ));
    assert!(matches!(
        CertificateAuthority::new(vec![pki.intermediate.parsed(), other.root.parsed()], open()),
        Err(Error::AuthorityChainBroken { index: 0 })
    ));
    let too_long = vec![pki.root.parsed(); MAX_CHAIN_CERTIFICATES + 1];
    assert!(matches!(
        CertificateAuthority::new(too_long, open()),
        Err(Error::AuthorityChainBroken { .. })
    ));
}

#[test]
fn deferred_authority_checks_signatures_at_first_use() {
    let pki = Pki::new();
    let other = Pki::new();
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &pki.intermediate,
    )
    .parsed();
    // Broken link (intermediate not signed by this root): construction succeeds, the first
    // path through the authority fails, and so does every later one.
    let broken = CertificateAuthority::deferred(
        vec![pki.intermediate.parsed(), other.root.parsed()],
        open(),
    )
    .unwrap();
    for _ in 0..2 {
        let err = verify_chain(
            &leaf,
            std::slice::from_ref(&broken),
            &[SIGNED_AT],
            KeyPurpose::CodeSigning,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::AuthorityChainBroken { index: 0 }),
            "{err:?}"
        );
        assert!(matches!(
            broken.check_signatures(),
            Err(Error::AuthorityChainBroken { index: 0 })
        ));
    }
    // An intact deferred authority verifies like an eager one.
    let good =
        CertificateAuthority::deferred(vec![pki.intermediate.parsed(), pki.root.parsed()], open())
            .unwrap();
    // A clone shares the verdict of the original.
    let cloned = good.clone();
    verify_chain(
        &leaf,
        std::slice::from_ref(&cloned),
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap();
    good.check_signatures().unwrap();
    assert!(matches!(
        CertificateAuthority::deferred(vec![], open()),
        Err(Error::EmptyAuthority)
    ));
}

fn tsa_leaf(pki: &Pki, eku: Option<(Vec<&str>, bool)>) -> Certificate {
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.extended_key_usages = vec![];
    if let Some((oids, critical)) = eku {
        let mut body = Vec::new();
        for o in oids {
            let enc: Vec<u8> = match o {
                "ts" => vec![0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08],
                "cs" => vec![0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03],
                _ => unreachable!(),
            };
            body.extend(enc);
        }
        let mut value = vec![0x30, body.len() as u8];
        value.extend(body);
        let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 37], value);
        ext.set_criticality(critical);
        p.custom_extensions.push(ext);
    }
    issue(p, &pki.intermediate).parsed()
}

#[test]
fn time_stamping_purpose_rules() {
    let pki = Pki::new();
    let auth = [pki.authority()];
    let ok = tsa_leaf(&pki, Some((vec!["ts"], true)));
    verify_chain(&ok, &auth, &[SIGNED_AT], KeyPurpose::TimeStamping).unwrap();
    // ...and it is no code-signing certificate.
    assert!(matches!(
        verify_chain(&ok, &auth, &[SIGNED_AT], KeyPurpose::CodeSigning),
        Err(Error::ExtendedKeyUsage { index: 0, .. })
    ));
    let non_critical = tsa_leaf(&pki, Some((vec!["ts"], false)));
    assert!(matches!(
        verify_chain(&non_critical, &auth, &[SIGNED_AT], KeyPurpose::TimeStamping),
        Err(Error::TimeStampingEkuNotCritical)
    ));
    let extra = tsa_leaf(&pki, Some((vec!["ts", "cs"], true)));
    assert!(matches!(
        verify_chain(&extra, &auth, &[SIGNED_AT], KeyPurpose::TimeStamping),
        Err(Error::TimeStampingEkuNotExclusive)
    ));
    let none = tsa_leaf(&pki, None);
    assert!(matches!(
        verify_chain(&none, &auth, &[SIGNED_AT], KeyPurpose::TimeStamping),
        Err(Error::ExtendedKeyUsage { index: 0, .. })
    ));
    let wrong = tsa_leaf(&pki, Some((vec!["cs"], true)));
    assert!(matches!(
        verify_chain(&wrong, &auth, &[SIGNED_AT], KeyPurpose::TimeStamping),
        Err(Error::ExtendedKeyUsage { index: 0, .. })
    ));
}

#[test]
fn ca_eku_must_allow_the_purpose() {
    let root = self_signed(ca_params("root", None, T2024, T2024 + 730 * DAY));
    let mut p = ca_params("intermediate", None, T2024, T2024 + 730 * DAY);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let inter = issue(p, &root);
    let leaf = issue(
        leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
        &inter,
    )
    .parsed();
    let auth = CertificateAuthority::new(vec![inter.parsed(), root.parsed()], open()).unwrap();
    let err = verify_chain(&leaf, &[auth], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap_err();
    assert!(
        matches!(err, Error::ExtendedKeyUsage { index: 1, .. }),
        "{err}"
    );
}

#[test]
fn prune_drops_unlisted_intermediates_and_rejects_roots() {
    let pki = Pki::new();
    let leaf = pki.leaf().parsed();
    let auth = [pki.authority()];
    let stranger = issue(
        ca_params("stranger", None, T2024, T2024 + 730 * DAY),
        &pki.root,
    )
    .parsed();
    let certs = vec![leaf.clone(), pki.intermediate.parsed(), stranger];
    let pruned = prune_bundle_certificates(&certs, &auth).unwrap();
    assert_eq!(pruned.leaf, &leaf);
    assert_eq!(pruned.trusted, vec![&certs[1]]);
    assert_eq!(pruned.dropped, 1);
    // Root included: rejected (conformance bundle-with-root-cert_fail).
    let with_root = vec![leaf.clone(), pki.intermediate.parsed(), pki.root.parsed()];
    assert!(matches!(
        prune_bundle_certificates(&with_root, &auth),
        Err(Error::RootInBundle)
    ));
    // An unrelated self-signed certificate too.
    let rogue = self_signed(ca_params("rogue", None, T2024, T2024 + 730 * DAY)).parsed();
    assert!(matches!(
        prune_bundle_certificates(&[leaf.clone(), rogue], &auth),
        Err(Error::RootInBundle)
    ));
    assert!(matches!(
        prune_bundle_certificates(&[], &auth),
        Err(Error::NoCertificate)
    ));
    let too_many = vec![leaf; MAX_CHAIN_CERTIFICATES + 1];
    assert!(matches!(
        prune_bundle_certificates(&too_many, &auth),
        Err(Error::MalformedCertificate(_))
    ));
}

#[test]
fn strict_parsing() {
    let pki = Pki::new();
    let der = pki.leaf().cert.der().to_vec();
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(matches!(
        Certificate::from_der(&trailing),
        Err(Error::TrailingData(1))
    ));
    assert!(matches!(
        Certificate::from_der(&der[..der.len() - 1]),
        Err(Error::MalformedCertificate(_))
    ));
    assert!(matches!(
        Certificate::from_der(b"not a certificate"),
        Err(Error::MalformedCertificate(_))
    ));
    assert!(matches!(
        Certificate::from_der(&vec![0u8; sigstore_fulcio::MAX_CERTIFICATE_BYTES + 1]),
        Err(Error::MalformedCertificate(_))
    ));
    // Every truncation and single-byte corruption is rejected or parsed without panicking.
    let auths = [pki.authority()];
    for i in 0..der.len() {
        let _ = Certificate::from_der(&der[..i]);
        for mask in [0xff, 0x01, 0x80] {
            let mut flipped = der.clone();
            flipped[i] ^= mask;
            if let Ok(cert) = Certificate::from_der(&flipped) {
                // Whatever parsed must go through every other entry point without panicking.
                let _ = sigstore_fulcio::CertificateIdentity::from_certificate(&cert);
                let _ = sigstore_fulcio::precertificate_tbs(&cert);
                let _ = sigstore_fulcio::embedded_scts(&cert);
                let _ = verify_chain(&cert, &auths, &[SIGNED_AT], KeyPurpose::CodeSigning);
            }
        }
    }
    // PEM.
    let leaf = Certificate::from_der(&der).unwrap();
    let pem = leaf.to_pem();
    assert_eq!(Certificate::from_pem(&pem).unwrap(), leaf);
    let two = format!("{pem}{}", pki.root.cert.pem());
    assert!(matches!(Certificate::from_pem(&two), Err(Error::Pem(_))));
    assert_eq!(Certificate::chain_from_pem(&two).unwrap().len(), 2);
    assert!(matches!(Certificate::from_pem(""), Err(Error::Pem(_))));
    let key_pem = KeyPair::generate().unwrap().serialize_pem();
    assert!(matches!(
        Certificate::from_pem(&key_pem),
        Err(Error::Pem(_))
    ));
}

#[test]
fn duplicate_extension_is_rejected() {
    let pki = Pki::new();
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.custom_extensions
        .push(fulcio_v2(8, "https://other.example"));
    let der = issue(p, &pki.intermediate).cert.der().to_vec();
    let err = Certificate::from_der(&der).unwrap_err();
    assert!(
        matches!(&err, Error::MalformedExtension { oid } if oid == "1.3.6.1.4.1.57264.1.8"),
        "{err}"
    );
}

#[test]
fn uri_and_othername_leaves_still_chain() {
    let pki = Pki::new();
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.subject_alt_names = vec![SanType::URI("https://example.com/wf".try_into().unwrap())];
    let leaf = issue(p, &pki.intermediate).parsed();
    verify_chain(
        &leaf,
        &[pki.authority()],
        &[SIGNED_AT],
        KeyPurpose::CodeSigning,
    )
    .unwrap();
}

#[test]
fn p384_and_ed25519_chains() {
    for alg in [&rcgen::PKCS_ECDSA_P384_SHA384, &rcgen::PKCS_ED25519] {
        let root_key = KeyPair::generate_for(alg).unwrap();
        let root = Issued {
            cert: ca_params("root", None, T2024, T2024 + 730 * DAY)
                .self_signed(&root_key)
                .unwrap(),
            key: root_key,
        };
        let inter = issue_with_key(
            ca_params("intermediate", Some(0), T2024, T2024 + 730 * DAY),
            KeyPair::generate_for(alg).unwrap(),
            &root,
        );
        let leaf = issue_with_key(
            leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
            KeyPair::generate_for(alg).unwrap(),
            &inter,
        )
        .parsed();
        let auth = CertificateAuthority::new(vec![inter.parsed(), root.parsed()], open()).unwrap();
        verify_chain(&leaf, &[auth], &[SIGNED_AT], KeyPurpose::CodeSigning).unwrap();
    }
}
