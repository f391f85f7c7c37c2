//! Trusted root JSON parsing, then building a verifier from it (keys, certificate chains,
//! TSA authorities, validity windows).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(root) = sigstore_bundle::TrustedRoot::from_json(data) {
        let _ = sigstore_verify::Verifier::builder(root).build();
    }
});
