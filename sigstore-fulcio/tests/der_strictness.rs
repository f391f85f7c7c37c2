//! Certificate encoding defects from the bad-input catalog (section 1, certificates) not covered
//! by `chain.rs::strict_parsing`: PEM text where DER is expected, BER indefinite lengths,
//! non-minimal lengths, and serial numbers that are negative, zero or longer than 20 octets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::pki::*;
use rcgen::SerialNumber;
use sigstore_fulcio::{verify_chain, Certificate, Error, KeyPurpose, MAX_EXTENSIONS};

fn leaf_der(pki: &Pki, serial: &[u8]) -> Vec<u8> {
    let mut p = leaf_params(T2024 + DAY, T2024 + DAY + 600);
    p.serial_number = Some(SerialNumber::from_slice(serial));
    issue(p, &pki.intermediate).cert.der().to_vec()
}

#[test]
fn pem_text_where_der_is_expected_is_malformed() {
    let pki = Pki::new();
    let pem = pki.intermediate.cert.pem();
    assert!(matches!(
        Certificate::from_der(pem.as_bytes()),
        Err(Error::MalformedCertificate(_))
    ));
}

#[test]
fn ber_indefinite_and_non_minimal_lengths_are_malformed() {
    let pki = Pki::new();
    let der = leaf_der(&pki, &[0x42, 0x01]);
    // Outer SEQUENCE header: 30 82 hi lo.
    assert_eq!(der[0..2], [0x30, 0x82]);
    let content = &der[4..];
    // BER indefinite length: 30 80 <content> 00 00.
    let mut ber = vec![0x30, 0x80];
    ber.extend_from_slice(content);
    ber.extend_from_slice(&[0, 0]);
    assert!(matches!(
        Certificate::from_der(&ber),
        Err(Error::MalformedCertificate(_))
    ));
    // Non-minimal long form: 30 83 00 hi lo.
    let mut long = vec![0x30, 0x83, 0x00, der[2], der[3]];
    long.extend_from_slice(content);
    assert!(matches!(
        Certificate::from_der(&long),
        Err(Error::MalformedCertificate(_))
    ));
}

/// RFC 5280 §4.1.2.2: certificate users SHOULD gracefully handle zero, negative and (up to
/// 20 octets, but CAs have issued longer) oversized serials; the serial decides nothing in
/// Sigstore verification. So these parse, report their exact bytes, and chain normally when
/// genuinely issued by a trusted CA (a deliberate leniency, documented in
/// docs/security-tests.md); a serial patched after issuance breaks the CA signature.
#[test]
fn zero_negative_and_oversized_serials_are_handled_exactly() {
    let pki = Pki::new();
    let auth = [pki.authority()];
    let t = [T2024 + DAY + 1];
    for serial in [vec![0u8], vec![0x42; 20], vec![0x42; 21], vec![0x7f; 32]] {
        let c = Certificate::from_der(&leaf_der(&pki, &serial)).unwrap();
        assert_eq!(c.serial(), serial.as_slice());
        verify_chain(&c, &auth, &t, KeyPurpose::CodeSigning).unwrap();
    }
    // A negative serial (two's complement 0x82 0x01), patched into the TBS in place.
    let der = leaf_der(&pki, &[0x42, 0x01]);
    let pos = der
        .windows(4)
        .position(|w| w == [0x02, 0x02, 0x42, 0x01])
        .unwrap();
    let mut neg = der.clone();
    neg[pos + 2] = 0x82;
    let c = Certificate::from_der(&neg).unwrap();
    assert_eq!(c.serial(), [0x82, 0x01]);
    assert!(matches!(
        verify_chain(&c, &auth, &t, KeyPurpose::CodeSigning),
        Err(Error::InvalidSignature | Error::UntrustedIssuer)
    ));
}

/// The number of extensions is bounded while parsing (`MAX_EXTENSIONS`): a certificate with
/// exactly that many parses, one more is refused as malformed.
#[test]
fn extension_count_is_bounded() {
    let pki = Pki::new();
    let with_extra = |extra: usize| {
        let mut p = leaf_params(T2024 + DAY, T2024 + DAY + 600);
        p.custom_extensions.extend(
            (0..extra as u64)
                .map(|i| rcgen::CustomExtension::from_oid_content(&[1, 2, 3, i], vec![5, 0])),
        );
        issue(p, &pki.intermediate).cert.der().to_vec()
    };
    let base = Certificate::from_der(&with_extra(0))
        .unwrap()
        .extensions()
        .len();
    let at_limit = with_extra(MAX_EXTENSIONS - base);
    assert_eq!(
        Certificate::from_der(&at_limit).unwrap().extensions().len(),
        MAX_EXTENSIONS
    );
    assert!(matches!(
        Certificate::from_der(&with_extra(MAX_EXTENSIONS - base + 1)),
        Err(Error::MalformedCertificate(
            "more than MAX_EXTENSIONS extensions"
        ))
    ));
}
