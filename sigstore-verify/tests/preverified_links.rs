//! The table of authority links verified ahead of time (`sigstore_fulcio::PREVERIFIED_LINKS`)
//! against the embedded trusted roots: every listed link names two certificates of an embedded
//! chain and really verifies, and every link of an embedded chain is listed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;

use sigstore_bundle::TrustedRoot;
use sigstore_crypto::HashAlgorithm;
use sigstore_fulcio::{Certificate, CertificateAuthority, TimeRange, PREVERIFIED_LINKS};

fn sha(der: &[u8]) -> [u8; 32] {
    HashAlgorithm::Sha256
        .hash(der)
        .as_bytes()
        .try_into()
        .unwrap()
}

/// Every adjacent (certificate, issuer) pair of every certificate and timestamp authority of
/// the embedded production and staging roots.
fn embedded_links() -> Vec<(Certificate, Certificate)> {
    let mut links = Vec::new();
    for root in [TrustedRoot::production(), TrustedRoot::staging()] {
        let root = root.unwrap();
        for ca in root
            .certificate_authorities
            .iter()
            .chain(&root.timestamp_authorities)
        {
            let certs: Vec<Certificate> = ca
                .cert_chain
                .iter()
                .map(|d| Certificate::from_der(d).unwrap())
                .collect();
            for pair in certs.windows(2) {
                links.push((pair[0].clone(), pair[1].clone()));
            }
        }
    }
    links
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn every_listed_link_verifies() {
    let mut by_hash: HashMap<[u8; 32], Certificate> = HashMap::new();
    for (child, parent) in embedded_links() {
        by_hash.insert(sha(child.der()), child);
        by_hash.insert(sha(parent.der()), parent);
    }
    assert!(!PREVERIFIED_LINKS.is_empty());
    for link in PREVERIFIED_LINKS {
        let child = by_hash
            .get(&link.child_sha256)
            .unwrap_or_else(|| panic!("{} is in no embedded chain", hex(&link.child_sha256)));
        let parent = by_hash
            .get(&link.parent_sha256)
            .unwrap_or_else(|| panic!("{} is in no embedded chain", hex(&link.parent_sha256)));
        child.verify_signed_by(parent).unwrap_or_else(|e| {
            panic!(
                "{} under {}: {e}",
                hex(&link.child_sha256),
                hex(&link.parent_sha256)
            )
        });
    }
}

#[test]
fn every_embedded_link_is_listed() {
    let mut missing = String::new();
    for (child, parent) in embedded_links() {
        let (c, p) = (sha(child.der()), sha(parent.der()));
        if !PREVERIFIED_LINKS
            .iter()
            .any(|l| l.child_sha256 == c && l.parent_sha256 == p)
        {
            missing.push_str(&format!(
                "    link(\n        sha256_hex!(\"{}\"),\n        sha256_hex!(\"{}\"),\n    ),\n",
                hex(&c),
                hex(&p)
            ));
        }
    }
    assert!(missing.is_empty(), "add to PREVERIFIED_LINKS:\n{missing}");
}

/// A chain that is not in the table is still verified: an embedded intermediate paired with a
/// root that did not sign it is reported as a broken link, though both certificates are
/// listed elsewhere.
#[test]
fn unlisted_pairs_are_still_verified() {
    let links = embedded_links();
    let (child, _) = &links[0];
    let unrelated_parent = links
        .iter()
        .map(|(_, p)| p)
        .find(|p| child.verify_signed_by(p).is_err())
        .expect("an embedded certificate that did not sign the first child");
    let range = TimeRange {
        start: 0,
        end: None,
    };
    let ca = CertificateAuthority::deferred(vec![child.clone(), unrelated_parent.clone()], range)
        .unwrap();
    assert!(matches!(
        ca.check_signatures(),
        Err(sigstore_fulcio::Error::AuthorityChainBroken { index: 0 })
    ));
}
