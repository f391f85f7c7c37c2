//! Authority links of the embedded production and staging trusted roots whose signatures were
//! verified ahead of time.
//!
//! [`CertificateAuthority::check_signatures`](crate::CertificateAuthority::check_signatures)
//! verifies, once per authority, that each certificate of a trusted chain is signed by the next
//! one. That check depends on nothing but the two certificates' bytes, so its result for the
//! chains shipped inside this SDK can be established once, ahead of time, and recognised by
//! the SHA-256 of both DER encodings: a cold process (start, load the trusted root, verify one
//! bundle) then skips one P-384 verification per authority. The table carries no trust of its
//! own: a link is only skipped when both certificates are byte for byte the ones listed (a
//! second preimage of SHA-256 would be needed to abuse it), any other chain is verified as
//! before, and the leaf certificate of a bundle is always verified.
//!
//! The test `sigstore-verify/tests/preverified_links.rs` verifies every listed link for real
//! against the embedded trusted roots, fails when an embedded chain has a link missing from
//! the table, and prints the lines to add.

use sigstore_crypto::{sha256_hex, HashAlgorithm};

use crate::Certificate;

/// One link: a certificate and the certificate that signed it, by SHA-256 of their DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreverifiedLink {
    /// SHA-256 of the signed certificate's DER.
    pub child_sha256: [u8; 32],
    /// SHA-256 of the issuing certificate's DER.
    pub parent_sha256: [u8; 32],
}

const fn link(child_sha256: [u8; 32], parent_sha256: [u8; 32]) -> PreverifiedLink {
    PreverifiedLink {
        child_sha256,
        parent_sha256,
    }
}

/// Every link of the embedded trusted roots' certificate and timestamp authorities
/// (`sigstore-bundle/trust/`, from the PyPI `sigstore` 4.5.1 wheel), verified by the test named
/// in the module documentation.
pub const PREVERIFIED_LINKS: &[PreverifiedLink] = &[
    link(
        sha256_hex!("15d795348226b4649f750f5802592c393bee7cc53c3b86982175b7ad087efe47"),
        sha256_hex!("3ba7b6cc4e95469d4d334b49cb257ad8537076fa84b0ca87ff4ecfe6a54680c1"),
    ),
    link(
        sha256_hex!("85f927bc07ab62cac3b44356c10efc81b2c6883fda7ab9e6d870d9d13acd05b7"),
        sha256_hex!("2aca8fea5d3ce48b01cc77076293c280e6c23ffe44034757ee7833ca9f45d633"),
    ),
    link(
        sha256_hex!("66e08b3881fc311194779aeaad11b70677c316985bf847b6ca2c83d8c5700565"),
        sha256_hex!("bca21d3cc62c9d6a52be9989e6a705f99e91a39d9114890990789ef75d382b39"),
    ),
    link(
        sha256_hex!("06f4ffe047feb35999b733b0d7a323501cfc18e4c03366a845d77536e74b2744"),
        sha256_hex!("81d9ef485ec4572a6511d2d99aca787e0e9b331383454c94f8d678c246a35acc"),
    ),
];

/// Whether `child` signed by `parent` is one of [`PREVERIFIED_LINKS`].
pub(crate) fn is_preverified(child: &Certificate, parent: &Certificate) -> bool {
    let child_hash = HashAlgorithm::Sha256.hash(child.der());
    let parent_hash = HashAlgorithm::Sha256.hash(parent.der());
    PREVERIFIED_LINKS.iter().any(|l| {
        l.child_sha256.as_slice() == child_hash.as_bytes()
            && l.parent_sha256.as_slice() == parent_hash.as_bytes()
    })
}
