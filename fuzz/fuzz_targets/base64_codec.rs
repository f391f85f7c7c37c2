//! The library's base64 codec (`base64-simd`) against the `base64` crate, on both alphabets the
//! workspace uses: the same texts accepted, the same bytes out, the same encodings.
#![no_main]
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pairs: [(&base64_simd::Base64, &base64::engine::GeneralPurpose); 2] = [
        (
            &base64_simd::STANDARD,
            &base64::engine::general_purpose::STANDARD,
        ),
        (
            &base64_simd::URL_SAFE_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ),
    ];
    for (ours, oracle) in pairs {
        assert_eq!(
            ours.decode_to_vec(data).ok(),
            oracle.decode(data).ok(),
            "decoders disagree"
        );
        assert_eq!(
            ours.encode_to_string(data),
            oracle.encode(data),
            "encoders disagree"
        );
    }
});
