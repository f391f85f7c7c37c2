#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]
//!
//! # Specifications implemented
//!
//! - Sigstore protobuf-specs (`sigstore_bundle.proto`, `sigstore_common.proto`,
//!   `sigstore_rekor.proto`, `sigstore_trustroot.proto`, `envelope.proto`) in their canonical
//!   proto3 JSON mapping: lowerCamelCase keys, int64 as decimal strings, bytes as standard
//!   base64, enums as string names, `google.protobuf.Timestamp` as RFC 3339.
//! - Sigstore client specification §5 (bundle format and versions).
//! - DSSE `envelope.md` and `protocol.md` (PAE).
//! - in-toto attestation framework, Statement layer v0.1 and v1.
//!
//! # Strictness and decisions
//!
//! - Only lowerCamelCase keys are accepted; snake_case spellings of known fields are
//!   [`Error::NonCamelCaseKey`], any other unknown key [`Error::UnknownField`].
//! - Timestamps (`validFor` bounds) are RFC 3339 §5.6 date-times read by the crate itself: `T`
//!   or `t` between date and time, at most nine fraction digits (protobuf's nanoseconds), `Z`
//!   or a `±HH:MM` offset; no leap second ([`Error::Timestamp`] otherwise).
//! - Duplicate keys ([`Error::DuplicateKey`]), trailing data ([`Error::TrailingData`]) and
//!   nesting deeper than [`MAX_JSON_DEPTH`] ([`Error::TooDeep`]) are rejected.
//! - int64 fields (`logIndex`, `integratedTime`, `treeSize`, ...) must be JSON strings of ASCII
//!   digits without sign or leading zeros and at most `i64::MAX`: every such field in these
//!   documents counts or timestamps something, so negative values are [`Error::Integer`].
//! - Enums must be string names ([`Error::NumericEnum`], [`Error::UnknownEnumValue`]).
//! - Bytes must be strict standard base64 with canonical padding ([`Error::Base64`]); fields
//!   that must carry data reject an empty value ([`Error::EmptyBytes`]). Decoded bytes are
//!   exposed as `Vec<u8>`, so callers never decode base64.
//! - In bundles, explicit JSON `null` is rejected ([`Error::Null`]). In trust roots and
//!   signing configs, `null` on an optional field reads as absent and is remembered
//!   ([`JsonNulls`]) so the document serializes back unchanged.
//! - Empty certificate chains are [`Error::EmptyCertificateChain`].
//! - Version rules that are pure structure (certificate form per version, inclusion promise for
//!   v0.1, inclusion proof with checkpoint for v0.2+, exactly one DSSE signature) are checked by
//!   [`Bundle::validate_structure`], which [`Bundle::from_json`] always runs;
//!   [`Bundle::parse`] skips it.
//! - A trust root whose key has no `validFor.start` still parses (the field is an `Option`):
//!   rejecting it is the verifier's decision.
//!
//! - DSSE: the envelope model accepts 0 to [`MAX_DSSE_SIGNATURES`] signatures; a bundle's
//!   envelope must have exactly one ([`Error::DsseSignatureCount`], from `validate_structure`).
//!   `payloadType` may be any string; [`pae`] counts its UTF-8 bytes.
//! - `Bundle`, `TrustedRoot` and `SigningConfig` also implement serde's `Serialize` and
//!   `Deserialize` (for embedding in other documents). Deserializing applies the same checks
//!   (including `validate_structure` for bundles), but reports errors through the
//!   deserializer's error type; prefer `from_json` to get the typed [`Error`].
//!
//! Serialization writes fields in protobuf order, always writes repeated fields that the
//! model holds as lists (even when empty), and reproduces parsed input as an equal JSON value.

mod bundle;
mod dsse;
mod embedded;
#[rustfmt::skip]
mod embedded_generated;
mod error;
mod intoto;
mod json;
mod limits;
mod rfc3339;
mod signing_config;
mod trust_root;

pub use bundle::{
    Bundle, BundleContent, BundleMediaType, BundleVersion, Checkpoint, HashAlgorithm,
    InclusionPromise, InclusionProof, KindVersion, MessageDigest, MessageSignature,
    TimestampVerificationData, TransparencyLogEntry, VerificationMaterial,
    VerificationMaterialContent,
};
pub use dsse::{pae, DsseSignature, Envelope, IN_TOTO_PAYLOAD_TYPE};
pub use embedded::{PRODUCTION_TUF_ROOT, STAGING_TUF_ROOT};
pub use error::{Error, FormCount, IntegerProblem, JsonErrorKind, Result};
pub use intoto::{Statement, StatementJson, Subject, STATEMENT_V0_1, STATEMENT_V1};
pub use json::JsonNulls;
pub use limits::*;
pub use signing_config::{
    ClientTrustConfig, Service, ServiceConfiguration, ServiceSelector, SigningConfig,
    CLIENT_TRUST_CONFIG_MEDIA_TYPE, SIGNING_CONFIG_MEDIA_TYPE,
};
pub use trust_root::{
    CertificateAuthority, DistinguishedName, PublicKey, TimeRange, Timestamp,
    TransparencyLogInstance, TrustedRoot, TRUSTED_ROOT_MEDIA_TYPES,
};

/// Reads a file, refusing it before reading when it is larger than `max` bytes.
pub(crate) fn read_file_limited(path: &std::path::Path, max: usize) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > max as u64 {
        return Err(Error::TooLarge {
            max,
            found: usize::try_from(len).unwrap_or(usize::MAX),
        });
    }
    let mut buf = Vec::new();
    // Read at most max + 1 bytes in case the file grew after the size check.
    file.take(max as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() > max {
        return Err(Error::TooLarge {
            max,
            found: buf.len(),
        });
    }
    Ok(buf)
}

/// `Serialize` / `Deserialize` for the document types, so they can sit inside other serde
/// structures. Deserializing applies the same strict checks and limits as `from_json`
/// (except the byte limit, which needs the raw input) and reports the typed error's message.
macro_rules! serde_document {
    ($ty:ty, $kind:expr, $read:expr) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                self.to_out().serialize(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                use serde::de::Error as _;
                let v = json::deserialize_document(d, $kind).map_err(|(typed, e)| match typed {
                    Some(t) => D::Error::custom(t),
                    None => e,
                })?;
                $read(v).map_err(D::Error::custom)
            }
        }
    };
}

serde_document!(Bundle, json::DocKind::Bundle, |v| {
    let b = Bundle::from_tree(v)?;
    b.validate_structure().map(|()| b)
});
serde_document!(TrustedRoot, json::DocKind::TrustedRoot, |v| {
    TrustedRoot::from_tree(v, json::Path::Root)
});
serde_document!(SigningConfig, json::DocKind::SigningConfig, |v| {
    SigningConfig::from_tree(v, json::Path::Root)
});
