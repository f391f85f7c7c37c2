//! Named limits on untrusted input.
//!
//! Every bound is enforced *while* the JSON text is read: the byte limits are checked on the
//! input length before parsing starts, list caps are checked before the element past the cap is
//! parsed, and the nesting depth is checked as each object or array is entered. Exceeding a cap
//! yields [`Error::TooMany`](crate::Error::TooMany), [`Error::TooLarge`](crate::Error::TooLarge)
//! or [`Error::TooDeep`](crate::Error::TooDeep).

/// Largest accepted bundle document, in bytes (64 MiB).
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;
/// Largest accepted trusted root, signing config or client trust config document, in bytes (8 MiB).
pub const MAX_TRUST_ROOT_BYTES: usize = 8 * 1024 * 1024;
/// Largest accepted standalone DSSE envelope or in-toto statement, in bytes (64 MiB).
pub const MAX_STATEMENT_BYTES: usize = 64 * 1024 * 1024;
/// Most transparency-log entries in one bundle (`verificationMaterial.tlogEntries`).
pub const MAX_TLOG_ENTRIES: usize = 32;
/// Most RFC 3161 timestamps in one bundle (`timestampVerificationData.rfc3161Timestamps`).
pub const MAX_TIMESTAMPS: usize = 32;
/// Most subjects in one in-toto statement.
pub const MAX_SUBJECTS: usize = 1024;
/// Most digest algorithms listed for one in-toto subject.
pub const MAX_DIGESTS_PER_SUBJECT: usize = 32;
/// Most certificates in one certificate chain (bundle `x509CertificateChain` or trust-root `certChain`).
pub const MAX_CHAIN_CERTIFICATES: usize = 16;
/// Most sibling hashes in one inclusion proof (enough for a tree of 2^64 leaves).
pub const MAX_INCLUSION_PROOF_HASHES: usize = 64;
/// Most signatures in one DSSE envelope. A bundle additionally requires exactly one
/// (see [`Bundle::validate_structure`](crate::Bundle::validate_structure)).
pub const MAX_DSSE_SIGNATURES: usize = 8;
/// Most entries in each list of a trusted root (`tlogs`, `ctlogs`, `certificateAuthorities`,
/// `timestampAuthorities`) and of a signing config (`caUrls`, `oidcUrls`, `rekorTlogUrls`, `tsaUrls`).
pub const MAX_TRUST_ROOT_ENTRIES: usize = 256;
/// Deepest accepted JSON nesting (objects and arrays), for every document type. This is below
/// `serde_json`'s own recursion limit (128), so the typed error is always the one reported.
pub const MAX_JSON_DEPTH: usize = 64;
