//! RFC 3161 timestamps for Sigstore: parsing, verification against a trusted root's
//! timestamp authorities, and (feature `client`) a TSA client.
//!
//! # What is implemented
//! - RFC 3161 §2.4.2 `TimeStampResp` (PKIStatusInfo: granted / grantedWithMods only) and
//!   `TimeStampToken`, the CMS `SignedData` of RFC 5652 §5 (exactly one `SignerInfo`, signed
//!   attributes required) and its `TSTInfo`. Parsing is strict DER with named limits
//!   ([`MAX_TIMESTAMP_BYTES`], [`MAX_CMS_CERTIFICATES`], [`MAX_SIGNED_ATTRIBUTES`],
//!   [`MAX_INTEGER_BYTES`]). Sigstore bundles'
//!   `verificationMaterial.timestampVerificationData.rfc3161Timestamps[].signedTimestamp`
//!   hold a `TimeStampResp`; [`TimeStampToken::from_der`] accepts that or a bare token.
//! - [`verify_timestamp`]: the signer is the certificate the `SignerInfo` identifies, looked up
//!   among the trusted authorities' signing certificates (never "the first certificate in
//!   the bag"); signed attributes (content-type, message-digest, signing-certificate-v2 of
//!   RFC 5035), the CMS signature (RFC 5652 §5.4), the message imprint over the bundle's
//!   signature bytes (SHA-256/384/512), the authority's `validFor` window (inclusive), the
//!   signer profile of RFC 3161 §2.3 (critical, exclusive id-kp-timeStamping EKU, not a CA)
//!   and RFC 5280 path validation at genTime through `sigstore-fulcio`.
//! - Feature `client`: [`client::TsaClient`] sends an RFC 3161 §2.4.1 `TimeStampReq` over
//!   HTTP (RFC 3161 §3.4) and checks the response against the request, then verifies it.
//!
//! # Untrusted versus invalid
//! [`Error::UntrustedAuthority`] means no trusted authority's signing certificate is the token's
//! signer: a verifier ignores the token and does not count it toward a threshold (a bundle
//! may carry timestamps for other trust roots). Every other verification error concerns a
//! token that names a trusted authority's signing certificate and fails a check: evidence of
//! tampering, which a verifier must treat as fatal.
//!
//! Parsing checks DER structure only; algorithms (digest, signature, imprint, ESSCertIDv2
//! hash) are resolved after the signer has been matched to a trusted authority, so a token
//! from a foreign TSA that uses algorithms this crate lacks is still just untrusted. A token
//! that is not well-formed DER is [`Error::Malformed`] whoever signed it.
//!
//! [`verify_timestamps`] applies that policy to all the timestamps of a bundle (skips untrusted
//! ones, fails on the rest, keeps duplicates once, caps the count at [`MAX_TIMESTAMPS`]).
//!
//! Verification is synchronous and performs no I/O.
//!
//! # Example
//! ```
//! use sigstore_timestamp::{verify_timestamp, Error, TimeRange, TimestampAuthority};
//!
//! /// The verified genTime of `tsr` (a bundle's `signedTimestamp`) over `signature`.
//! fn signed_at(tsr: &[u8], signature: &[u8], tsa_chain_der: &[Vec<u8>]) -> Result<i64, Error> {
//!     // From the trusted root: signing certificate first, root last, and `validFor`.
//!     let authority = TimestampAuthority::from_der_chain(
//!         tsa_chain_der,
//!         TimeRange { start: 1_720_051_200, end: None },
//!     )?;
//!     Ok(verify_timestamp(tsr, signature, &[authority])?.time())
//! }
//!
//! assert!(matches!(
//!     verify_timestamp(b"not DER", b"signature", &[]),
//!     Err(Error::Malformed(_))
//! ));
//! # let _ = signed_at;
//! ```
//!
//! # Deliberate choices
//! - Exactly one `SignerInfo` is accepted (RFC 3161 tokens have one signer).
//! - The signing-certificate (v1, SHA-1 ESSCertID) attribute is parsed but not compared (no
//!   SHA-1 here); signing-certificate-v2 is compared when present. Neither is required: the
//!   `sid` match against the trusted signing certificate already binds the certificate.
//! - TSTInfo `ordering` sent explicitly as FALSE (not DER, as it is the DEFAULT) is tolerated.
//! - A trusted authority must list its signing certificate first in its chain; tokens are
//!   matched to it, never to certificates carried in the token.
#![forbid(unsafe_code)]

mod asn1;
#[cfg(feature = "client")]
pub mod client;
mod error;
mod oids;
mod token;
mod tstinfo;
mod verify;

pub use error::Error;
pub use token::{
    SignerIdentifier, TimeStampToken, MAX_CMS_CERTIFICATES, MAX_SIGNED_ATTRIBUTES,
    MAX_TIMESTAMP_BYTES,
};
pub use tstinfo::{Accuracy, TstInfo, MAX_INTEGER_BYTES};
pub use verify::{
    distinct_authorities, verify_timestamp, verify_timestamps, verify_token, TimestampAuthority,
    VerifiedTimestamp, MAX_TIMESTAMPS, MAX_TIMESTAMP_AUTHORITIES,
};

pub use sigstore_fulcio::TimeRange;
