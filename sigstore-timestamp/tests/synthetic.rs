//! Synthetic tokens for every RFC 3161 row of the security catalogs
//! (bad-inputs.md §7, advisories.md §C TOB-11 and §D), each asserting the error kind.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::builder::*;
use sigstore_crypto::HashAlgorithm;
use sigstore_fulcio::TimeRange;
use sigstore_timestamp::{
    distinct_authorities, verify_timestamp, verify_timestamps, Error, SignerIdentifier,
    TimeStampToken, TimestampAuthority, TstInfo, MAX_CMS_CERTIFICATES, MAX_INTEGER_BYTES,
    MAX_SIGNED_ATTRIBUTES, MAX_TIMESTAMPS, MAX_TIMESTAMP_AUTHORITIES, MAX_TIMESTAMP_BYTES,
};

const DATA: &[u8] = b"bundle signature bytes";

fn tsa() -> TestTsa {
    TestTsa::new(&LeafSpec::default())
}

#[test]
fn valid_token_passes_with_details() {
    let t = tsa();
    let spec = t.spec(DATA);
    let v = verify_timestamp(&spec.response(), DATA, &[t.authority()]).unwrap();
    assert_eq!(v.time(), 1_750_000_000);
    assert_eq!(v.time_nanos(), 0);
    assert_eq!(v.authority_index(), 0);
    assert_eq!(v.serial(), &[42]);
    assert_eq!(v.hash_algorithm(), HashAlgorithm::Sha256);
    assert_eq!(v.policy(), "1.3.6.1.4.1.57264.2");
    // The bare token verifies too.
    verify_timestamp(&spec.token(), DATA, &[t.authority()]).unwrap();
}

#[test]
fn parsed_fields() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.gen_time_fraction = ".25";
    let token = TimeStampToken::from_der(&spec.response()).unwrap();
    let info = token.tst_info();
    assert_eq!(info.gen_time(), 1_750_000_000);
    assert_eq!(info.gen_time_nanos(), 250_000_000);
    assert_eq!(info.nonce(), Some(&[1u8, 2, 3, 4, 5, 6, 7, 8][..]));
    assert_eq!(info.accuracy().unwrap().seconds, 1);
    assert!(!info.ordering());
    assert_eq!(token.embedded_certificates(), std::slice::from_ref(&t.cert));
    assert!(matches!(
        token.signer_identifier(),
        SignerIdentifier::IssuerAndSerial { .. }
    ));
    assert_eq!(token.digest_algorithm(), Some(HashAlgorithm::Sha256));
    verify_timestamp(&spec.response(), DATA, &[t.authority()]).unwrap();
}

#[test]
fn without_embedded_certs_and_with_ski_sid_passes() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.bag.clear();
    spec.use_ski = true;
    let token = TimeStampToken::from_der(&spec.response()).unwrap();
    assert!(matches!(
        token.signer_identifier(),
        SignerIdentifier::SubjectKeyId(_)
    ));
    verify_timestamp(&spec.response(), DATA, &[t.authority()]).unwrap();
}

#[test]
fn granted_with_mods_passes_other_statuses_fail() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.status = 1;
    verify_timestamp(&spec.response(), DATA, &[t.authority()]).unwrap();
    for status in 2..=5 {
        spec.status = status;
        let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
        assert!(
            matches!(r, Err(Error::NotGranted { status: s, .. }) if s == status),
            "{r:?}"
        );
    }
    // A granted response without a token.
    let r = TimeStampToken::from_der(&seq(&[seq(&[uint(0)])]));
    assert!(matches!(r, Err(Error::MissingToken)), "{r:?}");
}

/// CVE-2026-33753 / CVE-2026-39984: a forged leaf prepended to the bag is never used.
#[test]
fn forged_leaf_prepended_in_bag() {
    let t = tsa();
    // An attacker CA with the same name issues a look-alike TSA certificate with the same
    // serial number and common name.
    let evil_ca = TestCa::new("test-tsa-root");
    let (forged, forged_key) = evil_ca.issue(&LeafSpec::default());
    assert_eq!(issuer_and_serial(&forged), issuer_and_serial(&t.cert));

    // Signed by the forged key, sid/ESSCertIDv2 naming the forged cert (same issuer name and
    // serial as the real one), bag = [forged, real, root].
    let mut spec = TokenSpec::new(&forged_key, &forged, DATA);
    spec.bag = vec![forged.clone(), t.cert.clone(), t.ca.der()];
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(matches!(r, Err(Error::SigningCertificateMismatch)), "{r:?}");
    spec.ess_v2 = false;
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(matches!(r, Err(Error::InvalidSignature)), "{r:?}");

    // A forged leaf under a different name: the sid names no trusted signer.
    let other_ca = TestCa::new("evil-root");
    let (forged2, forged2_key) = other_ca.issue(&LeafSpec {
        serial: 0x999,
        ..LeafSpec::default()
    });
    let mut spec = TokenSpec::new(&forged2_key, &forged2, DATA);
    spec.bag = vec![forged2.clone(), t.cert.clone(), t.ca.der()];
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(matches!(r, Err(Error::UntrustedAuthority)), "{r:?}");
}

/// CVE-2025-52556: a valid embedded chain does not excuse a bad CMS signature.
#[test]
fn cms_signature_flipped_with_valid_chain() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.bag = vec![t.cert.clone(), t.ca.der()];
    spec.flip_signature = true;
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(matches!(r, Err(Error::InvalidSignature)), "{r:?}");
}

/// TSA PR #1416.
#[test]
fn signer_with_ca_true() {
    let t = TestTsa::new(&LeafSpec {
        ca: true,
        ..LeafSpec::default()
    });
    let r = verify_timestamp(&t.spec(DATA).response(), DATA, &[t.authority()]);
    assert!(matches!(r, Err(Error::SignerIsCa)), "{r:?}");
}

#[test]
fn non_critical_eku() {
    let t = TestTsa::new(&LeafSpec {
        eku_critical: false,
        ..LeafSpec::default()
    });
    let r = verify_timestamp(&t.spec(DATA).response(), DATA, &[t.authority()]);
    assert!(matches!(r, Err(Error::ExtendedKeyUsage(_))), "{r:?}");
}

#[test]
fn extra_or_missing_eku() {
    for eku in [
        vec![OID_KP_TIME_STAMPING, OID_KP_CODE_SIGNING],
        vec![OID_KP_CODE_SIGNING],
        vec![],
    ] {
        let t = TestTsa::new(&LeafSpec {
            eku: eku.clone(),
            ..LeafSpec::default()
        });
        let r = verify_timestamp(&t.spec(DATA).response(), DATA, &[t.authority()]);
        assert!(
            matches!(r, Err(Error::ExtendedKeyUsage(_))),
            "{eku:?}: {r:?}"
        );
    }
}

/// sigstore-rs 6661478: honor the SignerInfo digestAlgorithm (SHA-384 TSAs).
#[test]
fn sha384_signer_info_passes() {
    let t = TestTsa::new(&LeafSpec {
        p384: true,
        ..LeafSpec::default()
    });
    let mut spec = t.spec(DATA);
    spec.digest_alg = HashAlgorithm::Sha384;
    spec.sig_alg = "1.2.840.10045.4.3.3";
    verify_timestamp(&spec.response(), DATA, &[t.authority()]).unwrap();
    // A SHA-256 message digest under a SHA-384 digestAlgorithm is rejected.
    spec.message_digest_override = Some(
        HashAlgorithm::Sha256
            .hash(&spec.tst_info())
            .as_bytes()
            .to_vec(),
    );
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(
        matches!(
            r,
            Err(Error::MessageDigestMismatch {
                algorithm: HashAlgorithm::Sha384
            })
        ),
        "{r:?}"
    );
}

#[test]
fn imprint_algorithms() {
    let t = tsa();
    for alg in [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ] {
        let mut spec = t.spec(DATA);
        spec.imprint_alg = alg;
        spec.imprint = alg.hash(DATA).as_bytes().to_vec();
        let v = verify_timestamp(&spec.response(), DATA, &[t.authority()]).unwrap();
        assert_eq!(v.hash_algorithm(), alg);
        let r = verify_timestamp(&spec.response(), b"other", &[t.authority()]);
        assert!(
            matches!(r, Err(Error::ImprintMismatch { algorithm }) if algorithm == alg),
            "{r:?}"
        );
    }
}

#[test]
fn message_digest_attribute_mismatch() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.message_digest_override = Some(vec![0u8; 32]);
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(
        matches!(r, Err(Error::MessageDigestMismatch { .. })),
        "{r:?}"
    );
}

#[test]
fn content_type_attribute_mismatch() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.content_type_attr = "1.2.840.113549.1.7.1";
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(
        matches!(r, Err(Error::ContentTypeAttribute { .. })),
        "{r:?}"
    );
}

#[test]
fn exactly_one_signer_info() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.extra_signer_infos = 1;
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(
        matches!(r, Err(Error::SignerInfoCount { found: 2 })),
        "{r:?}"
    );
}

/// TOB-11: genTime is checked against the validFor of the authority that signed.
#[test]
fn authority_validity_window() {
    let t = tsa();
    let spec = t.spec(DATA);
    let resp = spec.response();
    let auth = |start, end| {
        TimestampAuthority::from_der_chain(&[t.cert.clone(), t.ca.der()], TimeRange { start, end })
            .unwrap()
    };
    let g = spec.gen_time;
    verify_timestamp(&resp, DATA, &[auth(g, Some(g))]).unwrap();
    for (start, end) in [(g + 1, None), (0, Some(g - 1))] {
        let r = verify_timestamp(&resp, DATA, &[auth(start, end)]);
        assert!(matches!(r, Err(Error::OutsideValidity { .. })), "{r:?}");
    }

    // Another trusted authority whose window covers genTime does not rescue the token, even
    // when its signing certificate has the same issuer name and serial (a look-alike).
    let other = tsa();
    assert_eq!(issuer_and_serial(&other.cert), issuer_and_serial(&t.cert));
    let mut other_auth = other.authority();
    other_auth = TimestampAuthority::new(
        vec![
            other_auth.signing_certificate().clone(),
            other_auth.ca_certificates()[0].clone(),
        ],
        TimeRange {
            start: 0,
            end: None,
        },
    )
    .unwrap();
    let r = verify_timestamp(&resp, DATA, &[other_auth.clone(), auth(0, Some(g - 1))]);
    assert!(matches!(r, Err(Error::OutsideValidity { .. })), "{r:?}");
    let v = verify_timestamp(&resp, DATA, &[other_auth, auth(0, None)]).unwrap();
    assert_eq!(v.authority_index(), 1);
}

#[test]
fn gen_time_outside_signer_certificate() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.gen_time = 1_950_000_000; // after notAfter (1_900_000_000)
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(matches!(r, Err(Error::CertificateExpired { .. })), "{r:?}");
}

#[test]
fn signer_not_issued_by_authority_ca() {
    let t = tsa();
    let other = TestCa::new("unrelated-root");
    let auth = TimestampAuthority::from_der_chain(
        &[t.cert.clone(), other.der()],
        TimeRange {
            start: 0,
            end: None,
        },
    )
    .unwrap();
    let r = verify_timestamp(&t.spec(DATA).response(), DATA, &[auth]);
    assert!(matches!(r, Err(Error::Chain(_))), "{r:?}");
}

#[test]
fn authority_definitions() {
    let t = tsa();
    let range = TimeRange {
        start: 0,
        end: None,
    };
    let r = TimestampAuthority::from_der_chain::<Vec<u8>>(&[], range);
    assert!(matches!(r, Err(Error::InvalidAuthority(_))), "{r:?}");
    let r = TimestampAuthority::from_der_chain(std::slice::from_ref(&t.cert), range);
    assert!(matches!(r, Err(Error::InvalidAuthority(_))), "{r:?}");
    let r = TimestampAuthority::from_der_chain(&[t.cert.clone(), b"junk".to_vec()], range);
    assert!(matches!(r, Err(Error::Certificate(_))), "{r:?}");
    let r = verify_timestamp(&t.spec(DATA).response(), DATA, &[]);
    assert!(matches!(r, Err(Error::UntrustedAuthority)), "{r:?}");
}

#[test]
fn limits() {
    let t = tsa();
    let big = vec![0u8; MAX_TIMESTAMP_BYTES + 1];
    let r = TimeStampToken::from_der(&big);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");

    let mut spec = t.spec(DATA);
    spec.bag = vec![t.cert.clone(); MAX_CMS_CERTIFICATES];
    verify_timestamp(&spec.response(), DATA, &[t.authority()]).unwrap();
    spec.bag = vec![t.cert.clone(); MAX_CMS_CERTIFICATES + 1];
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(
        matches!(r, Err(Error::TooLarge { limit, .. }) if limit == MAX_CMS_CERTIFICATES),
        "{r:?}"
    );
}

/// No input panics: every truncation fails, every single-byte change is handled.
#[test]
fn truncations_and_byte_flips_never_panic() {
    let t = tsa();
    let resp = t.spec(DATA).response();
    let auths = [t.authority()];
    for n in 0..resp.len() {
        assert!(
            verify_timestamp(&resp[..n], DATA, &auths).is_err(),
            "prefix {n}"
        );
    }
    let mut trailing = resp.clone();
    trailing.push(0);
    assert!(matches!(
        verify_timestamp(&trailing, DATA, &auths),
        Err(Error::Malformed(_))
    ));
    // Byte flips over a token without embedded certificates (flips inside ignored bag
    // certificates would only repeat full verifications).
    let mut spec = t.spec(DATA);
    spec.bag.clear();
    let resp = spec.response();
    let mut accepted = 0;
    for i in 0..resp.len() {
        let mut m = resp.clone();
        m[i] ^= 0x41;
        if verify_timestamp(&m, DATA, &auths).is_ok() {
            eprintln!("accepted flip at {i}: {:02x}", resp[i]);
            accepted += 1;
        }
    }
    assert_eq!(accepted, 0, "a flipped byte was accepted");
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<TimestampAuthority>();
    check::<TimeStampToken>();
    check::<sigstore_timestamp::VerifiedTimestamp>();
    check::<Error>();
}

#[test]
fn not_signed_data_or_not_tst_info() {
    let r = TimeStampToken::from_der(&seq(&[
        oid("1.2.840.113549.1.7.1"),
        tlv(0xa0, &octets(b"x")),
    ]));
    assert!(matches!(r, Err(Error::ContentType { .. })), "{r:?}");
}

/// The bundle-level policy: untrusted tokens skipped, tampered ones fatal, duplicates once.
#[test]
fn bundle_timestamps_policy() {
    let t = tsa();
    let other = TestTsa::new(&LeafSpec {
        serial: 77,
        common_name: "other-tsa",
        ..LeafSpec::default()
    });
    let untrusted = TestTsa::new(&LeafSpec {
        serial: 78,
        ..LeafSpec::default()
    });
    let auths = [t.authority(), other.authority()];
    let valid = t.spec(DATA).response();
    let mut second = t.spec(DATA);
    second.serial = 43;
    let second = second.response();
    let from_other = other.spec(DATA).response();
    let foreign = untrusted.spec(DATA).response();

    let v = verify_timestamps(
        &[
            foreign.clone(),
            valid.clone(),
            valid.clone(),
            second.clone(),
        ],
        DATA,
        &auths,
    )
    .unwrap();
    assert_eq!(v.len(), 2, "duplicate counted once, untrusted skipped");
    assert_eq!(distinct_authorities(&v), 1);
    let v = verify_timestamps(&[valid.clone(), from_other], DATA, &auths).unwrap();
    assert_eq!(distinct_authorities(&v), 2);
    let v = verify_timestamps(&[foreign], DATA, &auths).unwrap();
    assert!(v.is_empty());

    let mut tampered = t.spec(DATA);
    tampered.flip_signature = true;
    let r = verify_timestamps(&[valid.clone(), tampered.response()], DATA, &auths);
    assert!(matches!(r, Err(Error::InvalidSignature)), "{r:?}");
    let r = verify_timestamps(&[valid.clone(), b"junk".to_vec()], DATA, &auths);
    assert!(matches!(r, Err(Error::Malformed(_))), "{r:?}");

    verify_timestamps(&vec![valid.clone(); MAX_TIMESTAMPS], DATA, &auths).unwrap();
    let r = verify_timestamps(&vec![valid; MAX_TIMESTAMPS + 1], DATA, &auths);
    assert!(
        matches!(r, Err(Error::TooLarge { limit, .. }) if limit == MAX_TIMESTAMPS),
        "{r:?}"
    );
}

#[test]
fn too_many_authorities() {
    let t = tsa();
    let auths = vec![t.authority(); MAX_TIMESTAMP_AUTHORITIES + 1];
    let r = verify_timestamp(&t.spec(DATA).response(), DATA, &auths);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    verify_timestamp(
        &t.spec(DATA).response(),
        DATA,
        &auths[..MAX_TIMESTAMP_AUTHORITIES],
    )
    .unwrap();
}

/// RSA TSAs: PKCS#1 v1.5 named by sha256WithRSAEncryption or by bare rsaEncryption (the hash
/// then comes from digestAlgorithm), and RSASSA-PSS with parameters.
#[test]
fn rsa_signers() {
    let ca = TestCa::new("rsa-root");
    let range = TimeRange {
        start: 0,
        end: None,
    };
    for (pss, sig_alg) in [
        (false, "1.2.840.113549.1.1.11"),
        (false, "1.2.840.113549.1.1.1"),
        (true, "1.2.840.113549.1.1.10"),
    ] {
        let (cert, signer) = ca.issue_rsa(&LeafSpec::default(), pss);
        let auth = TimestampAuthority::from_der_chain(&[cert.clone(), ca.der()], range).unwrap();
        let mut spec = TokenSpec::new(&signer, &cert, DATA);
        spec.sig_alg = sig_alg;
        if pss {
            spec.sig_alg_params = Some(pss_sha256_params());
        }
        verify_timestamp(&spec.response(), DATA, std::slice::from_ref(&auth))
            .unwrap_or_else(|e| panic!("{sig_alg}: {e}"));
        spec.flip_signature = true;
        let r = verify_timestamp(&spec.response(), DATA, std::slice::from_ref(&auth));
        assert!(
            matches!(r, Err(Error::InvalidSignature)),
            "{sig_alg}: {r:?}"
        );
        if pss {
            // PSS without parameters, or with a salt the backend does not verify.
            spec.flip_signature = false;
            spec.sig_alg_params = None;
            let r = verify_timestamp(&spec.response(), DATA, std::slice::from_ref(&auth));
            assert!(matches!(r, Err(Error::Malformed(_))), "{r:?}");
            let sha256 = alg_id(HashAlgorithm::Sha256);
            spec.sig_alg_params = Some(seq(&[
                tlv(0xa0, &sha256),
                tlv(0xa1, &seq(&[oid("1.2.840.113549.1.1.8"), sha256.clone()])),
                tlv(0xa2, &uint(20)),
            ]));
            let r = verify_timestamp(&spec.response(), DATA, std::slice::from_ref(&auth));
            assert!(matches!(r, Err(Error::UnsupportedAlgorithm(_))), "{r:?}");
        }
    }
    // A signature algorithm this crate does not know.
    let (cert, signer) = ca.issue_rsa(&LeafSpec::default(), false);
    let auth = TimestampAuthority::from_der_chain(&[cert.clone(), ca.der()], range).unwrap();
    let mut spec = TokenSpec::new(&signer, &cert, DATA);
    spec.sig_alg = "1.2.840.113549.1.1.5"; // sha1WithRSAEncryption
    TimeStampToken::from_der(&spec.response()).unwrap();
    let r = verify_timestamp(&spec.response(), DATA, &[auth]);
    assert!(matches!(r, Err(Error::UnsupportedAlgorithm(_))), "{r:?}");
}

/// The CA certificate is checked at genTime too (hybrid model): inside the CA's validity the
/// token passes, after the CA expired (leaf still valid) it fails with a chain error.
#[test]
fn ca_validity_at_gen_time() {
    let ca = TestCa::with_validity("short-root", 1_600_000_000, 1_800_000_000);
    let (cert, signer) = ca.issue(&LeafSpec {
        not_before: 1_700_000_000,
        not_after: 1_900_000_000,
        ..LeafSpec::default()
    });
    let auth = TimestampAuthority::from_der_chain(
        &[cert.clone(), ca.der()],
        TimeRange {
            start: 0,
            end: None,
        },
    )
    .unwrap();
    let mut spec = TokenSpec::new(&signer, &cert, DATA);
    spec.gen_time = 1_750_000_000;
    verify_timestamp(&spec.response(), DATA, std::slice::from_ref(&auth)).unwrap();
    spec.gen_time = 1_850_000_000;
    let r = verify_timestamp(&spec.response(), DATA, std::slice::from_ref(&auth));
    assert!(
        matches!(
            r,
            Err(Error::Chain(
                sigstore_fulcio::Error::CertificateNotValidAt { index: 1, .. }
            ))
        ),
        "{r:?}"
    );
}

#[test]
fn signed_attribute_limit() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    // content-type, message-digest, signing-certificate-v2 + extras.
    spec.extra_attrs = MAX_SIGNED_ATTRIBUTES - 3;
    verify_timestamp(&spec.response(), DATA, &[t.authority()]).unwrap();
    spec.extra_attrs += 1;
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(
        matches!(r, Err(Error::TooLarge { limit, .. }) if limit == MAX_SIGNED_ATTRIBUTES),
        "{r:?}"
    );
}

#[test]
fn integer_limits_in_tst_info() {
    let tst = |serial: Vec<u8>, nonce: Vec<u8>| {
        seq(&[
            uint(1),
            oid("1.2.3.4"),
            seq(&[alg_id(HashAlgorithm::Sha256), octets(&[0u8; 32])]),
            int_bytes(&serial),
            gen_time(1_750_000_000, ""),
            int_bytes(&nonce),
        ])
    };
    let ok = vec![0x7f; MAX_INTEGER_BYTES];
    let big = vec![0x7f; MAX_INTEGER_BYTES + 1];
    let info = TstInfo::from_der(&tst(ok.clone(), ok.clone())).unwrap();
    assert_eq!(info.serial_number(), ok.as_slice());
    for (serial, nonce) in [(big.clone(), ok.clone()), (ok, big)] {
        let r = TstInfo::from_der(&tst(serial, nonce));
        assert!(
            matches!(r, Err(Error::TooLarge { limit, .. }) if limit == MAX_INTEGER_BYTES),
            "{r:?}"
        );
    }
    // Version 2, a critical extension, a bad imprint length.
    let mut v2 = tst(vec![1], vec![1]);
    v2[4] = 2;
    assert!(matches!(
        TstInfo::from_der(&v2),
        Err(Error::UnsupportedVersion { found: 2, .. })
    ));
    let with_ext = seq(&[
        uint(1),
        oid("1.2.3.4"),
        seq(&[alg_id(HashAlgorithm::Sha256), octets(&[0u8; 32])]),
        uint(1),
        gen_time(1_750_000_000, ""),
        tlv(
            0xa1,
            &seq(&[oid("1.2.3.5"), tlv(0x01, &[0xff]), octets(b"x")]),
        ),
    ]);
    assert!(matches!(
        TstInfo::from_der(&with_ext),
        Err(Error::Malformed(_))
    ));
    let short = seq(&[
        uint(1),
        oid("1.2.3.4"),
        seq(&[alg_id(HashAlgorithm::Sha256), octets(&[0u8; 20])]),
        uint(1),
        gen_time(1_750_000_000, ""),
    ]);
    // A wrong-length imprint is only resolved (and rejected) for a trusted signer.
    let info = TstInfo::from_der(&short).unwrap();
    assert!(info.message_imprint().is_none());
    assert_eq!(
        info.message_imprint_algorithm_oid(),
        "2.16.840.1.101.3.4.2.1"
    );
}

#[test]
fn wrong_length_imprint_from_trusted_signer() {
    let t = tsa();
    let mut spec = t.spec(DATA);
    spec.imprint.truncate(20);
    let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
    assert!(matches!(r, Err(Error::Malformed(_))), "{r:?}");
}

/// A token from another trust root that uses algorithms this crate does not support is
/// untrusted (ignored), not an error; from a trusted signer the same token is an error.
#[test]
fn unsupported_algorithms_resolve_only_for_trusted_signers() {
    let t = tsa();
    let stranger = TestTsa::new(&LeafSpec {
        serial: 5,
        ..LeafSpec::default()
    });
    for (what, tweak) in [
        ("sha1 digestAlgorithm", 0usize),
        ("sha1WithRSA signatureAlgorithm", 1),
        ("sha1 imprint", 2),
    ] {
        for (signer, expect_untrusted) in [(&stranger, true), (&t, false)] {
            let mut spec = signer.spec(DATA);
            match tweak {
                0 => spec.digest_alg_oid = Some("1.3.14.3.2.26"),
                1 => spec.sig_alg = "1.2.840.113549.1.1.5",
                _ => {
                    spec.imprint_alg_oid = Some("1.3.14.3.2.26");
                    spec.imprint = vec![0u8; 20];
                }
            }
            let r = verify_timestamp(&spec.response(), DATA, &[t.authority()]);
            if expect_untrusted {
                assert!(matches!(r, Err(Error::UntrustedAuthority)), "{what}: {r:?}");
            } else {
                assert!(
                    matches!(r, Err(Error::UnsupportedAlgorithm(_))),
                    "{what}: {r:?}"
                );
            }
        }
    }
}
