//! Signing config and client trust config JSON parsing, and service selection.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sigstore_bundle::SigningConfig::from_json(data);
    let _ = sigstore_bundle::ClientTrustConfig::from_json(data);
});
