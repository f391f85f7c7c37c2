//! Fulcio identity extraction: SAN kinds, issuer v1/v2 and every Fulcio extension.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::pki::*;
use rcgen::{CustomExtension, OtherNameValue, SanType};
use sigstore_fulcio::{
    CertificateIdentity, Error, SubjectAlternativeName, OID_ISSUER_V1, OID_ISSUER_V2,
};

fn leaf_with(sans: Vec<SanType>, exts: Vec<CustomExtension>) -> sigstore_fulcio::Certificate {
    let pki = Pki::new();
    let mut p = leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600);
    p.subject_alt_names = sans;
    p.custom_extensions = exts;
    issue(p, &pki.intermediate).parsed()
}

fn email(s: &str) -> SanType {
    SanType::Rfc822Name(s.try_into().unwrap())
}

fn uri(s: &str) -> SanType {
    SanType::URI(s.try_into().unwrap())
}

fn username(s: &str) -> SanType {
    SanType::OtherName((
        oid_arcs("1.3.6.1.4.1.57264.1.7"),
        OtherNameValue::Utf8String(s.to_owned()),
    ))
}

#[test]
fn san_kinds_are_typed() {
    let id =
        CertificateIdentity::from_certificate(&leaf_with(vec![email("a@b.c")], vec![])).unwrap();
    assert_eq!(id.san, SubjectAlternativeName::Email("a@b.c".into()));
    let id = CertificateIdentity::from_certificate(&leaf_with(
        vec![uri(
            "https://github.com/o/r/.github/workflows/w.yml@refs/heads/main",
        )],
        vec![],
    ))
    .unwrap();
    assert!(
        matches!(id.san, SubjectAlternativeName::Uri(ref u) if u.starts_with("https://github.com/"))
    );
    let id = CertificateIdentity::from_certificate(&leaf_with(
        vec![username("alice!example.com")],
        vec![],
    ))
    .unwrap();
    assert_eq!(
        id.san,
        SubjectAlternativeName::OtherName("alice!example.com".into())
    );
    // Type confusion: the same text as email vs URI are different identities.
    assert_ne!(
        SubjectAlternativeName::Email("x".into()),
        SubjectAlternativeName::Uri("x".into())
    );
    assert_eq!(id.issuer, None);
}

#[test]
fn two_sans_are_rejected() {
    let cert = leaf_with(vec![email("a@b.c"), uri("https://evil.example")], vec![]);
    let err = CertificateIdentity::from_certificate(&cert).unwrap_err();
    assert!(
        matches!(err, Error::MultipleSubjectAlternativeNames { count: 2 }),
        "{err}"
    );
    let cert = leaf_with(
        vec![
            email("a@b.c"),
            SanType::DnsName("x.example".try_into().unwrap()),
        ],
        vec![],
    );
    let err = CertificateIdentity::from_certificate(&cert).unwrap_err();
    assert!(
        matches!(err, Error::MultipleSubjectAlternativeNames { count: 2 }),
        "{err}"
    );
}

#[test]
fn unsupported_and_missing_sans() {
    let cert = leaf_with(
        vec![SanType::DnsName("x.example".try_into().unwrap())],
        vec![],
    );
    let err = CertificateIdentity::from_certificate(&cert).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedSubjectAlternativeName("dNSName")),
        "{err}"
    );
    let cert = leaf_with(
        vec![SanType::OtherName((
            vec![1, 3, 6, 1, 4, 1, 311, 20, 2, 3],
            OtherNameValue::Utf8String("upn@example".into()),
        ))],
        vec![],
    );
    let err = CertificateIdentity::from_certificate(&cert).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedSubjectAlternativeName("otherName")),
        "{err}"
    );
    let cert = leaf_with(vec![], vec![]);
    let err = CertificateIdentity::from_certificate(&cert).unwrap_err();
    assert!(matches!(err, Error::MissingSubjectAlternativeName), "{err}");
}

#[test]
fn issuer_v2_preferred_v1_fallback() {
    let v1_only = leaf_with(
        vec![email("a@b.c")],
        vec![fulcio_raw(1, "https://v1.example")],
    );
    let id = CertificateIdentity::from_certificate(&v1_only).unwrap();
    assert_eq!(id.issuer.as_deref(), Some("https://v1.example"));
    assert_eq!(
        sigstore_fulcio::oidc_issuer(&id.extensions_by_oid),
        Some("https://v1.example")
    );
    assert_eq!(id.extension(OID_ISSUER_V1), Some("https://v1.example"));

    let both = leaf_with(
        vec![email("a@b.c")],
        vec![
            fulcio_raw(1, "https://v1.example"),
            fulcio_v2(8, "https://v2.example"),
        ],
    );
    let id = CertificateIdentity::from_certificate(&both).unwrap();
    assert_eq!(id.issuer.as_deref(), Some("https://v2.example"));
    assert_eq!(id.extension(OID_ISSUER_V2), Some("https://v2.example"));
}

#[test]
fn issuer_encodings_are_not_confused() {
    // v2 must be a DER UTF8String: raw text in .1.8 is malformed, not silently accepted.
    let cert = leaf_with(
        vec![email("a@b.c")],
        vec![fulcio_raw(8, "https://raw.example")],
    );
    let err = CertificateIdentity::from_certificate(&cert).unwrap_err();
    assert!(
        matches!(&err, Error::MalformedExtension { oid } if oid == OID_ISSUER_V2),
        "{err}"
    );
    assert!(matches!(
        sigstore_fulcio::extensions_by_oid(&cert).unwrap_err(),
        Error::MalformedExtension { oid } if oid == OID_ISSUER_V2
    ));
    // v1 is raw: a DER-wrapped value is taken literally (tag and length bytes included), so
    // it does not equal the plain URL.
    let cert = leaf_with(
        vec![email("a@b.c")],
        vec![fulcio_v2(1, "https://x.example")],
    );
    let id = CertificateIdentity::from_certificate(&cert).unwrap();
    assert_ne!(id.issuer.as_deref(), Some("https://x.example"));
    // Non-UTF-8 raw v1 value is malformed.
    let cert = leaf_with(
        vec![email("a@b.c")],
        vec![CustomExtension::from_oid_content(
            &oid_arcs(OID_ISSUER_V1),
            vec![0xff, 0xfe],
        )],
    );
    assert!(matches!(
        CertificateIdentity::from_certificate(&cert),
        Err(Error::MalformedExtension { .. })
    ));
}

#[test]
fn every_fulcio_extension_is_read() {
    let mut exts = vec![fulcio_v2(8, "https://issuer.example")];
    for arc in 2..=6 {
        exts.push(fulcio_raw(arc, &format!("raw-{arc}")));
    }
    for arc in 9..=22 {
        exts.push(fulcio_v2(arc, &format!("v2-{arc}")));
    }
    // An unknown future arc holding a UTF8String is exposed by OID too.
    exts.push(fulcio_v2(99, "future"));
    let cert = leaf_with(vec![uri("https://ci.example/wf")], exts);
    let id = CertificateIdentity::from_certificate(&cert).unwrap();
    let e = &id.extensions;
    assert_eq!(e.github_workflow_trigger.as_deref(), Some("raw-2"));
    assert_eq!(e.github_workflow_sha.as_deref(), Some("raw-3"));
    assert_eq!(e.github_workflow_name.as_deref(), Some("raw-4"));
    assert_eq!(e.github_workflow_repository.as_deref(), Some("raw-5"));
    assert_eq!(e.github_workflow_ref.as_deref(), Some("raw-6"));
    assert_eq!(e.build_signer_uri.as_deref(), Some("v2-9"));
    assert_eq!(e.build_signer_digest.as_deref(), Some("v2-10"));
    assert_eq!(e.runner_environment.as_deref(), Some("v2-11"));
    assert_eq!(e.source_repository_uri.as_deref(), Some("v2-12"));
    assert_eq!(e.source_repository_digest.as_deref(), Some("v2-13"));
    assert_eq!(e.source_repository_ref.as_deref(), Some("v2-14"));
    assert_eq!(e.source_repository_identifier.as_deref(), Some("v2-15"));
    assert_eq!(e.source_repository_owner_uri.as_deref(), Some("v2-16"));
    assert_eq!(
        e.source_repository_owner_identifier.as_deref(),
        Some("v2-17")
    );
    assert_eq!(e.build_config_uri.as_deref(), Some("v2-18"));
    assert_eq!(e.build_config_digest.as_deref(), Some("v2-19"));
    assert_eq!(e.build_trigger.as_deref(), Some("v2-20"));
    assert_eq!(e.run_invocation_uri.as_deref(), Some("v2-21"));
    assert_eq!(
        e.source_repository_visibility_at_signing.as_deref(),
        Some("v2-22")
    );
    for arc in 9..=22 {
        assert_eq!(
            id.extension(&format!("1.3.6.1.4.1.57264.1.{arc}")),
            Some(format!("v2-{arc}").as_str())
        );
    }
    assert_eq!(id.extension("1.3.6.1.4.1.57264.1.99"), Some("future"));
    assert_eq!(id.extension("1.3.6.1.4.1.57264.1.23"), None);
    // v2 extension holding raw text is rejected for every arc, not only the issuer.
    for arc in [11u64, 22] {
        let cert = leaf_with(vec![email("a@b.c")], vec![fulcio_raw(arc, "github-hosted")]);
        assert!(matches!(
            CertificateIdentity::from_certificate(&cert),
            Err(Error::MalformedExtension { .. })
        ));
    }
    // The free functions the verifier reads the identity with give the same parts.
    assert_eq!(
        sigstore_fulcio::extensions_by_oid(&cert).unwrap(),
        id.extensions_by_oid
    );
    assert_eq!(id.extensions_by_oid.len(), 21);
    assert_eq!(
        sigstore_fulcio::oidc_issuer(&id.extensions_by_oid),
        Some("https://issuer.example")
    );
    assert_eq!(
        sigstore_fulcio::subject_alternative_name(&cert).unwrap(),
        SubjectAlternativeName::Uri("https://ci.example/wf".into())
    );
    // Serde round trip (the verifier's result serializes the identity).
    let json = serde_json::to_string(&id).unwrap();
    let back: CertificateIdentity = serde_json::from_str(&json).unwrap();
    assert_eq!(back, id);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["san"]["type"], "uri");
    assert_eq!(v["extensions"]["runnerEnvironment"], "v2-11");
}
