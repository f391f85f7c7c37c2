//! Bundle JSON parsing (all versions, both content forms), then re-serialization of any bundle
//! that parsed.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(bundle) = sigstore_bundle::Bundle::from_json(data) {
        let _ = bundle.to_json();
    }
    if let Ok(env) = sigstore_bundle::Envelope::from_json(data) {
        let _ = sigstore_bundle::pae(&env.payload_type, &env.payload);
    }
    let _ = sigstore_bundle::Statement::from_json(data);
});
