//! Shared helpers for the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod builder;

use std::path::PathBuf;

use base64::Engine as _;
use sigstore_timestamp::{TimeRange, TimestampAuthority};

/// The shared data folder (`sigstore_test_support::shared_dir`: a failure under `CI=true`,
/// `None` after a notice elsewhere).
pub fn shared_dir() -> Option<PathBuf> {
    sigstore_test_support::shared_dir("")
}

pub fn b64(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .unwrap()
}

/// RFC 3339 `YYYY-MM-DDThh:mm:ss[.f]Z` to Unix seconds.
pub fn rfc3339(s: &str) -> i64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

/// The timestamp authorities of a trusted_root.json.
pub fn authorities(trusted_root: &serde_json::Value) -> Vec<TimestampAuthority> {
    trusted_root["timestampAuthorities"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|ta| {
            let chain: Vec<Vec<u8>> = ta["certChain"]["certificates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| b64(c["rawBytes"].as_str().unwrap()))
                .collect();
            let valid_for = TimeRange {
                start: rfc3339(ta["validFor"]["start"].as_str().unwrap()),
                end: ta["validFor"]["end"].as_str().map(rfc3339),
            };
            TimestampAuthority::from_der_chain(&chain, valid_for).unwrap()
        })
        .collect()
}

/// (timestamps DER, signed data) of a bundle JSON.
pub fn bundle_timestamps(bundle: &serde_json::Value) -> (Vec<Vec<u8>>, Vec<u8>) {
    let ts = bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|t| b64(t["signedTimestamp"].as_str().unwrap()))
        .collect();
    let sig = if let Some(ms) = bundle.get("messageSignature") {
        b64(ms["signature"].as_str().unwrap())
    } else {
        b64(bundle["dsseEnvelope"]["signatures"][0]["sig"]
            .as_str()
            .unwrap())
    };
    (ts, sig)
}

pub fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}
