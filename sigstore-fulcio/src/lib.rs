//! X.509 certificates for Sigstore keyless verification.
//!
//! - [`Certificate`]: strict DER/PEM parsing (RFC 5280 §4.1) with cached fields, by the crate's
//!   own reader (at most [`MAX_EXTENSIONS`] extensions; no X.509 library dependency).
//! - [`CertificateAuthority`] and [`verify_chain`]: RFC 5280 §6 path validation of a leaf to the
//!   certificate authorities of a Sigstore trusted root at every verification time, with
//!   basic constraints, path length, key usage, extended key usage (id-kp-codeSigning for
//!   Fulcio, critical and exclusive id-kp-timeStamping for RFC 3161 §2.3 signers), critical
//!   extensions and trusted-root `validFor` windows (inclusive ends, `trustroot.proto`).
//!   Intermediates come only from the trusted root; [`prune_bundle_certificates`] drops the
//!   rest and rejects roots shipped in a bundle (Sigstore client spec §4.3). A signature
//!   budget ([`MAX_PATH_BUILDING_SIGNATURES`]) bounds work on hostile input.
//! - [`CertificateIdentity`]: the Fulcio identity (exactly one SAN, OIDC issuer v2 `.1.8`
//!   preferred over v1 `.1.1`, extensions 1.3.6.1.4.1.57264.1.2-.1.22 as in Fulcio
//!   `docs/oid-info.md`, and any of them by OID string).
//! - [`verify_scts`]: embedded SCT verification (RFC 6962 §3.2) against the trusted root's CT
//!   logs, counting DISTINCT logs toward a threshold.
//!
//! The crate never sees a bundle: it takes DER certificates, `i64` Unix-second times and typed
//! trust inputs. All signatures go through [`sigstore_crypto::PublicKey::verify`].
//!
//! Deliberate choices: names are compared byte for byte (no RFC 5280 §7.1 folding); a CA
//! certificate with an extendedKeyUsage must allow the purpose (or anyExtendedKeyUsage), as Go's
//! verifier does; the criticality of basicConstraints is not enforced; certificate policies,
//! name constraints and revocation are not processed (a critical name-constraints or policy
//! extension is therefore rejected as unknown).
//!
//! Feature `client` adds [`client::FulcioClient`] for Fulcio's v2 `signingCert` API; feature
//! `tls` adds HTTPS support to it.
#![forbid(unsafe_code)]

mod cert;
mod chain;
#[cfg(feature = "client")]
pub mod client;
pub(crate) mod der;
mod error;
mod identity;
mod preverified;
mod sct;
mod x509;

#[cfg(test)]
mod differential_tests;

pub use cert::{
    Certificate, Extension, MAX_CERTIFICATE_BYTES, OID_ANY_EKU, OID_KP_CODE_SIGNING,
    OID_KP_TIME_STAMPING, UNDERSTOOD_CRITICAL_EXTENSIONS,
};
pub use chain::{
    prune_bundle_certificates, verify_chain, BundleCertificates, CertificateAuthority, KeyPurpose,
    TimeRange, VerifiedChain, MAX_CHAIN_CERTIFICATES, MAX_PATH_BUILDING_SIGNATURES,
};
pub use error::Error;
pub use identity::{
    extensions_by_oid, oidc_issuer, subject_alternative_name, CertificateIdentity,
    FulcioExtensions, SubjectAlternativeName, FULCIO_OID_PREFIX, OID_ISSUER_V1, OID_ISSUER_V2,
    OID_OTHERNAME_SAN,
};
pub use preverified::{PreverifiedLink, PREVERIFIED_LINKS};
pub use sct::{
    embedded_scts, precertificate_tbs, verify_sct, verify_scts, CtLog, Sct, VerifiedSct, MAX_SCTS,
    MAX_SCT_BYTES, OID_SCT_LIST,
};
pub use x509::MAX_EXTENSIONS;
