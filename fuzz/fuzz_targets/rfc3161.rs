//! RFC 3161 time-stamp responses / tokens: CMS + TSTInfo parsing, and full verification over a
//! fixed signature against the conformance suite's timestamp authority.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sigstore_timestamp::TstInfo::from_der(data);
    let _ = sigstore_timestamp::verify_timestamp(
        data,
        b"fixed signature bytes",
        sigstore_fuzz::timestamp_authorities(),
    );
});
