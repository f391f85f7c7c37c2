//! X.509 certificates with embedded SCTs: DER/PEM parsing, Fulcio extensions and SANs, SCT
//! list parsing and precertificate reconstruction, path validation against the fixed roots'
//! Fulcio CAs and SCT verification against their CT logs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigstore_fulcio::{
    embedded_scts, precertificate_tbs, verify_chain, verify_scts, Certificate, CertificateIdentity,
    KeyPurpose, Sct,
};

fuzz_target!(|data: &[u8]| {
    let _ = Sct::from_tls(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Certificate::chain_from_pem(text);
    }
    let Ok(leaf) = Certificate::from_der(data) else {
        return;
    };
    let _ = CertificateIdentity::from_certificate(&leaf);
    // The public extension list is built from the parsed ranges on first use; duplicate OIDs
    // were refused at parse, so each one finds itself.
    for ext in leaf.extensions() {
        assert_eq!(leaf.extension(&ext.oid), Some(ext));
    }
    let _ = precertificate_tbs(&leaf);
    let scts = embedded_scts(&leaf);
    let time = leaf.not_before();
    for purpose in [KeyPurpose::CodeSigning, KeyPurpose::TimeStamping] {
        if let Ok(chain) =
            verify_chain(&leaf, sigstore_fuzz::fulcio_authorities(), &[time], purpose)
        {
            let _ = CertificateIdentity::from_verified_chain(&chain);
            if scts.is_ok() {
                let _ = verify_scts(&chain, sigstore_fuzz::ct_logs(), 1);
            }
        }
    }
});
