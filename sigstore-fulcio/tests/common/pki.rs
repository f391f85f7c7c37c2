//! Synthetic PKI built with rcgen for negative path-validation and SCT tests.

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use sigstore_fulcio::{Certificate, CertificateAuthority, TimeRange};
use time::OffsetDateTime;

/// 2024-01-01T00:00:00Z
pub const T2024: i64 = 1_704_067_200;
pub const DAY: i64 = 86_400;

pub fn at(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap()
}

pub fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "sigstore-rust-test");
    dn.push(DnType::CommonName, cn);
    dn
}

/// An issued certificate with its key.
pub struct Issued {
    pub key: KeyPair,
    pub cert: rcgen::Certificate,
}

impl Issued {
    pub fn parsed(&self) -> Certificate {
        Certificate::from_der(self.cert.der()).unwrap()
    }
}

pub fn ca_params(cn: &str, path_len: Option<u8>, from: i64, to: i64) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = name(cn);
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = at(from);
    p.not_after = at(to);
    p
}

/// A Fulcio-like leaf: email SAN, digitalSignature, codeSigning, issuer v2 extension.
pub fn leaf_params(from: i64, to: i64) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = DistinguishedName::new();
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    p.subject_alt_names = vec![SanType::Rfc822Name("alice@example.com".try_into().unwrap())];
    p.custom_extensions = vec![fulcio_v2(8, "https://issuer.example")];
    p.not_before = at(from);
    p.not_after = at(to);
    p.serial_number = Some(SerialNumber::from_slice(&[0x42, 0x01]));
    p
}

pub fn oid_arcs(dotted: &str) -> Vec<u64> {
    dotted.split('.').map(|a| a.parse().unwrap()).collect()
}

/// DER UTF8String.
pub fn utf8(s: &str) -> Vec<u8> {
    let mut v = vec![0x0c];
    assert!(s.len() < 128);
    v.push(s.len() as u8);
    v.extend_from_slice(s.as_bytes());
    v
}

/// Fulcio extension 1.3.6.1.4.1.57264.1.<arc> with a DER UTF8String value.
pub fn fulcio_v2(arc: u64, value: &str) -> CustomExtension {
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 57264, 1, arc], utf8(value))
}

/// Fulcio extension 1.3.6.1.4.1.57264.1.<arc> with raw bytes (legacy v1 form).
pub fn fulcio_raw(arc: u64, value: &str) -> CustomExtension {
    CustomExtension::from_oid_content(
        &[1, 3, 6, 1, 4, 1, 57264, 1, arc],
        value.as_bytes().to_vec(),
    )
}

pub fn self_signed(params: CertificateParams) -> Issued {
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Issued { key, cert }
}

pub fn issue(params: CertificateParams, issuer: &Issued) -> Issued {
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &issuer.cert, &issuer.key).unwrap();
    Issued { key, cert }
}

pub fn issue_with_key(params: CertificateParams, key: KeyPair, issuer: &Issued) -> Issued {
    let cert = params.signed_by(&key, &issuer.cert, &issuer.key).unwrap();
    Issued { key, cert }
}

/// root (pathlen 1) -> intermediate (pathlen 0), valid 2024..2026.
pub struct Pki {
    pub root: Issued,
    pub intermediate: Issued,
}

impl Pki {
    pub fn new() -> Self {
        let root = self_signed(ca_params("root", Some(1), T2024, T2024 + 730 * DAY));
        let intermediate = issue(
            ca_params("intermediate", Some(0), T2024, T2024 + 730 * DAY),
            &root,
        );
        Pki { root, intermediate }
    }

    pub fn authority(&self) -> CertificateAuthority {
        CertificateAuthority::new(
            vec![self.intermediate.parsed(), self.root.parsed()],
            TimeRange {
                start: T2024,
                end: None,
            },
        )
        .unwrap()
    }

    /// A good leaf valid for ten minutes from `T2024 + 10 days`.
    pub fn leaf(&self) -> Issued {
        issue(
            leaf_params(T2024 + 10 * DAY, T2024 + 10 * DAY + 600),
            &self.intermediate,
        )
    }
}

/// Signing time inside `Pki::leaf`'s lifetime.
pub const SIGNED_AT: i64 = T2024 + 10 * DAY + 60;
