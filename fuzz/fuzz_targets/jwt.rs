//! OIDC identity tokens (JWT): parsing and claim checks.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(token) = sigstore_oidc::IdentityToken::parse(&text) {
        let _ = token.identity();
        let _ = token.check(1_700_000_000, "sigstore");
    }
    let _ = sigstore_oidc::source::parse_trimmed(&text);
});
