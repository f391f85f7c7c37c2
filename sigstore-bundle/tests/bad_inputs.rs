//! Section 1 (parse/encoding) and section 2 (size) of `security/bad-inputs.md`, for bundles,
//! trusted roots, signing configs, DSSE envelopes and in-toto statements. Every test asserts
//! the specific error variant.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::{json, Value};
use sigstore_bundle::*;

const V01: &str = "application/vnd.dev.sigstore.bundle+json;version=0.1";
const V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

fn tlog_entry_v1() -> Value {
    json!({
        "logIndex": "27246492",
        "logId": {"keyId": "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="},
        "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
        "integratedTime": "1689177396",
        "inclusionPromise": {"signedEntryTimestamp": "MEUCIQCvkqgP1sCP"},
        "inclusionProof": {
            "logIndex": "23083061",
            "rootHash": "dauhleYK4YyAdxwwDtR0l0KnSOWZdG2bwqHftlanvcI=",
            "treeSize": "23083062",
            "hashes": ["/vK4Da3g7ZhRgme8FxCi8QIBL7DSlwpSwyERyIV+uS8="],
            "checkpoint": {"envelope": "rekor.sigstore.dev - 2605736670972794746\n23083062\ndauhleYK4YyAdxwwDtR0l0KnSOWZdG2bwqHftlanvcI=\n\n— rekor.sigstore.dev wNI9ajBFAiEA\n"}
        },
        "canonicalizedBody": "eyJhcGlWZXJzaW9uIjoiMC4wLjEifQ=="
    })
}

/// A valid v0.1 message-signature bundle with a certificate chain.
fn bundle_v01() -> Value {
    json!({
        "mediaType": V01,
        "verificationMaterial": {
            "x509CertificateChain": {"certificates": [{"rawBytes": "MIIBAjCB"}]},
            "tlogEntries": [tlog_entry_v1()]
        },
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": "oM/HEnHW4njlfNMy/5V8P3BD/do1TEy7GQow1W76Ab8="},
            "signature": "MEQCIFOpaXKW"
        }
    })
}

/// A valid v0.3 DSSE bundle with a single certificate and a timestamp.
fn bundle_v03_dsse() -> Value {
    json!({
        "mediaType": V03,
        "verificationMaterial": {
            "certificate": {"rawBytes": "MIIBAjCB"},
            "tlogEntries": [tlog_entry_v1()],
            "timestampVerificationData": {"rfc3161Timestamps": [{"signedTimestamp": "MIIC"}]}
        },
        "dsseEnvelope": {
            "payload": "eyJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIn0=",
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": "MEUCIQ==", "keyid": ""}]
        }
    })
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn parse(v: &Value) -> Result<Bundle> {
    Bundle::from_json(&bytes(v))
}

fn trusted_root() -> Value {
    serde_json::from_slice(TrustedRoot::production_json()).unwrap()
}

#[test]
fn base_bundles_are_valid_and_round_trip() {
    for v in [bundle_v01(), bundle_v03_dsse()] {
        let b = parse(&v).unwrap();
        assert_eq!(b.to_value(), v);
        assert_eq!(Bundle::from_json(&b.to_json()).unwrap(), b);
        assert_eq!(Bundle::from_json(&b.to_json_pretty()).unwrap(), b);
    }
    let b = parse(&bundle_v01()).unwrap();
    assert_eq!(b.version(), BundleVersion::V0_1);
    assert_eq!(b.media_type(), BundleVersion::V0_1);
    assert_eq!(
        b.leaf_certificate().unwrap(),
        [0x30, 0x82, 0x01, 0x02, 0x30, 0x81]
    );
    let e = &b.verification_material.tlog_entries[0];
    assert_eq!(e.log_index, 27_246_492);
    assert_eq!(e.integrated_time, Some(1_689_177_396));
    assert_eq!(e.canonicalized_body, br#"{"apiVersion":"0.0.1"}"#);
    let d = parse(&bundle_v03_dsse()).unwrap();
    assert_eq!(d.version(), BundleVersion::V0_3);
    assert_eq!(
        d.dsse_envelope().unwrap().signatures[0].keyid.as_deref(),
        Some("")
    );
}

// ---- JSON syntax -------------------------------------------------------------------------

#[test]
fn truncated_json() {
    let full = bytes(&bundle_v01());
    for cut in [1, 10, full.len() / 2, full.len() - 1] {
        let err = Bundle::from_json(&full[..cut]).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Json {
                    kind: JsonErrorKind::Eof,
                    ..
                }
            ),
            "{cut}: {err:?}"
        );
    }
    assert!(matches!(
        Bundle::from_json(b"").unwrap_err(),
        Error::Json {
            kind: JsonErrorKind::Eof,
            ..
        }
    ));
    assert!(matches!(
        Bundle::from_json(b"{\"mediaType\": nope}").unwrap_err(),
        Error::Json {
            kind: JsonErrorKind::Syntax,
            ..
        }
    ));
}

#[test]
fn trailing_garbage() {
    let mut input = bytes(&bundle_v01());
    input.extend_from_slice(b" {}");
    assert!(matches!(
        Bundle::from_json(&input).unwrap_err(),
        Error::TrailingData { .. }
    ));
    let mut input = bytes(&bundle_v01());
    input.extend_from_slice(b"\n\t ");
    Bundle::from_json(&input).unwrap();
    let mut root = TrustedRoot::production_json().to_vec();
    root.push(b'x');
    assert!(matches!(
        TrustedRoot::from_json(&root).unwrap_err(),
        Error::TrailingData { .. }
    ));
}

#[test]
fn duplicate_keys() {
    let text = String::from_utf8(bytes(&bundle_v01())).unwrap();
    let top = text.replacen('{', &format!("{{\"mediaType\":\"{V01}\","), 1);
    assert!(matches!(
        Bundle::from_json(top.as_bytes()).unwrap_err(),
        Error::DuplicateKey { key, .. } if key == "mediaType"
    ));
    let nested = text.replacen(
        "\"logIndex\":\"27246492\"",
        "\"logIndex\":\"1\",\"logIndex\":\"27246492\"",
        1,
    );
    assert_ne!(nested, text);
    assert!(matches!(
        Bundle::from_json(nested.as_bytes()).unwrap_err(),
        Error::DuplicateKey { field, key } if key == "logIndex" && field == "verificationMaterial.tlogEntries"
    ));
    let root = String::from_utf8(TrustedRoot::production_json().to_vec()).unwrap();
    let dup = root.replacen("\"tlogs\"", "\"tlogs\": [], \"tlogs\"", 1);
    assert!(matches!(
        TrustedRoot::from_json(dup.as_bytes()).unwrap_err(),
        Error::DuplicateKey { .. }
    ));
}

#[test]
fn nesting_depth_10k() {
    let deep = |open: &str, close: &str| {
        let mut s = String::from("{\"mediaType\": ");
        s.push_str(&open.repeat(10_000));
        s.push_str(&close.repeat(10_000));
        s.push('}');
        s
    };
    for input in [deep("[", "]"), deep("{\"a\":", "}"), "[".repeat(10_000)] {
        assert!(matches!(
            Bundle::from_json(input.as_bytes()).unwrap_err(),
            Error::TooDeep {
                max: MAX_JSON_DEPTH
            }
        ));
        assert!(matches!(
            TrustedRoot::from_json(input.as_bytes()).unwrap_err(),
            Error::TooDeep { .. }
        ));
        assert!(matches!(
            Statement::from_json(input.as_bytes()).unwrap_err(),
            Error::TooDeep { .. }
        ));
        assert!(matches!(
            SigningConfig::from_json(input.as_bytes()).unwrap_err(),
            Error::TooDeep { .. }
        ));
    }
}

// ---- Keys and enums ----------------------------------------------------------------------

fn rename_key(v: &mut Value, path: &[&str], from: &str, to: &str) {
    let mut cur = v;
    for p in path {
        cur = match p.parse::<usize>() {
            Ok(i) => &mut cur[i],
            Err(_) => &mut cur[*p],
        };
    }
    let obj = cur.as_object_mut().unwrap();
    let val = obj.remove(from).unwrap();
    obj.insert(to.to_owned(), val);
}

#[test]
fn snake_case_keys_rejected() {
    for (path, from, to) in [
        (&[][..], "mediaType", "media_type"),
        (&[][..], "verificationMaterial", "verification_material"),
        (&["verificationMaterial"][..], "tlogEntries", "tlog_entries"),
        (
            &["verificationMaterial", "tlogEntries", "0"][..],
            "logIndex",
            "log_index",
        ),
        (
            &["verificationMaterial", "tlogEntries", "0"][..],
            "canonicalizedBody",
            "canonicalized_body",
        ),
        (&["messageSignature"][..], "messageDigest", "message_digest"),
    ] {
        let mut v = bundle_v01();
        rename_key(&mut v, path, from, to);
        let err = parse(&v).unwrap_err();
        assert!(
            matches!(&err, Error::NonCamelCaseKey { key, .. } if key == to),
            "{to}: {err:?}"
        );
    }
    let mut v = bundle_v03_dsse();
    rename_key(&mut v, &["dsseEnvelope"], "payloadType", "payload_type");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::NonCamelCaseKey { .. }
    ));

    let mut v = bundle_v01();
    v["unexpected"] = json!(1);
    assert!(
        matches!(parse(&v).unwrap_err(), Error::UnknownField { key, .. } if key == "unexpected")
    );

    let mut r = trusted_root();
    rename_key(&mut r, &["tlogs", "0"], "baseUrl", "base_url");
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::NonCamelCaseKey { .. }
    ));
    let mut r = trusted_root();
    rename_key(
        &mut r,
        &[],
        "certificateAuthorities",
        "certificate_authorities",
    );
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::NonCamelCaseKey { .. }
    ));
}

#[test]
fn numeric_enum_values_rejected() {
    let mut v = bundle_v01();
    v["messageSignature"]["messageDigest"]["algorithm"] = json!(1);
    assert!(
        matches!(parse(&v).unwrap_err(), Error::NumericEnum { field } if field == "messageSignature.messageDigest.algorithm")
    );
    let mut v = bundle_v01();
    v["messageSignature"]["messageDigest"]["algorithm"] = json!("SHA1");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::UnknownEnumValue { .. }
    ));
    let mut v = bundle_v01();
    v["messageSignature"]["messageDigest"]["algorithm"] = json!("HASH_ALGORITHM_UNSPECIFIED");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::UnknownEnumValue { .. }
    ));

    let mut r = trusted_root();
    r["tlogs"][0]["hashAlgorithm"] = json!(1);
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::NumericEnum { .. }
    ));
    let mut r = trusted_root();
    r["tlogs"][0]["publicKey"]["keyDetails"] = json!(5);
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::NumericEnum { .. }
    ));

    let mut c: Value = serde_json::from_slice(SigningConfig::production_json()).unwrap();
    c["rekorTlogConfig"]["selector"] = json!(2);
    assert!(matches!(
        SigningConfig::from_json(&bytes(&c)).unwrap_err(),
        Error::NumericEnum { .. }
    ));
    c["rekorTlogConfig"]["selector"] = json!("SOME");
    assert!(matches!(
        SigningConfig::from_json(&bytes(&c)).unwrap_err(),
        Error::UnknownEnumValue { .. }
    ));
}

// ---- Media types -------------------------------------------------------------------------

#[test]
fn media_types() {
    for (mt, version) in [
        (
            "application/vnd.dev.sigstore.bundle+json;version=0.1",
            BundleVersion::V0_1,
        ),
        (
            "application/vnd.dev.sigstore.bundle+json;version=0.2",
            BundleVersion::V0_2,
        ),
        (
            "application/vnd.dev.sigstore.bundle+json;version=0.3",
            BundleVersion::V0_3,
        ),
        (
            "application/vnd.dev.sigstore.bundle.v0.3+json",
            BundleVersion::V0_3,
        ),
    ] {
        let mut v = bundle_v01();
        v["mediaType"] = json!(mt);
        let b = Bundle::parse(&bytes(&v)).unwrap();
        assert_eq!(b.version(), version);
        assert_eq!(b.to_value()["mediaType"], mt);
    }
    for bad in [
        "application/vnd.dev.sigstore.bundle+json;version=0.4",
        "application/vnd.dev.sigstore.bundle.v0.4+json",
        "application/vnd.dev.sigstore.bundle+json;version=99.9",
        "application/vnd.dev.sigstore.bundle.v0.1+json",
        "APPLICATION/VND.DEV.SIGSTORE.BUNDLE.V0.3+JSON",
        "",
    ] {
        let mut v = bundle_v01();
        v["mediaType"] = json!(bad);
        assert!(
            matches!(parse(&v).unwrap_err(), Error::UnknownMediaType { found } if found == bad)
        );
    }
    let mut v = bundle_v01();
    v.as_object_mut().unwrap().remove("mediaType");
    assert!(
        matches!(parse(&v).unwrap_err(), Error::MissingField { field } if field == "mediaType")
    );
    let mut v = bundle_v01();
    v["mediaType"] = json!(0.1);
    assert!(matches!(parse(&v).unwrap_err(), Error::Type { .. }));

    let mut r = trusted_root();
    for ok in TRUSTED_ROOT_MEDIA_TYPES {
        r["mediaType"] = json!(ok);
        TrustedRoot::from_json(&bytes(&r)).unwrap();
    }
    for bad in [
        "application/vnd.dev.sigstore.trustedroot+json;version=0.9",
        "",
    ] {
        r["mediaType"] = json!(bad);
        assert!(matches!(
            TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
            Error::UnknownMediaType { .. }
        ));
    }
    let mut c: Value = serde_json::from_slice(SigningConfig::production_json()).unwrap();
    c["mediaType"] = json!("application/vnd.dev.sigstore.signingconfig.v0.1+json");
    assert!(matches!(
        SigningConfig::from_json(&bytes(&c)).unwrap_err(),
        Error::UnknownMediaType { .. }
    ));
}

// ---- Exactly-one-of rules ----------------------------------------------------------------

#[test]
fn both_or_neither_content() {
    let mut v = bundle_v01();
    v["dsseEnvelope"] = bundle_v03_dsse()["dsseEnvelope"].clone();
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::ContentKind {
            found: FormCount::Several
        }
    ));
    let mut v = bundle_v01();
    v.as_object_mut().unwrap().remove("messageSignature");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::ContentKind {
            found: FormCount::Neither
        }
    ));
}

#[test]
fn both_or_neither_key_forms() {
    let mut v = bundle_v01();
    v["verificationMaterial"]["publicKey"] = json!({"hint": "k"});
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::VerificationMaterialKind {
            found: FormCount::Several
        }
    ));
    let mut v = bundle_v03_dsse();
    v["verificationMaterial"]["x509CertificateChain"] =
        json!({"certificates": [{"rawBytes": "MIIB"}]});
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::VerificationMaterialKind {
            found: FormCount::Several
        }
    ));
    let mut v = bundle_v01();
    v["verificationMaterial"]
        .as_object_mut()
        .unwrap()
        .remove("x509CertificateChain");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::VerificationMaterialKind {
            found: FormCount::Neither
        }
    ));
    // The public-key form alone is fine, with or without a hint.
    for key in [json!({"hint": "abc"}), json!({})] {
        let mut v = bundle_v03_dsse();
        let vm = v["verificationMaterial"].as_object_mut().unwrap();
        vm.remove("certificate");
        vm.insert("publicKey".into(), key.clone());
        let b = parse(&v).unwrap();
        assert!(matches!(
            b.verification_material.content,
            VerificationMaterialContent::PublicKey { .. }
        ));
        assert_eq!(b.to_value(), v);
    }
}

// ---- base64 ------------------------------------------------------------------------------

#[test]
fn base64_defects() {
    let cases = [
        ("INVALID!!!BASE64!!!ENCODING====", "invalid characters"),
        ("MEQCIFOp-XKW", "url-safe alphabet"),
        ("MEQCIFOp_XKW", "url-safe alphabet"),
        ("MEUCIQ", "missing padding"),
        ("MEUCIQ=", "short padding"),
        ("MEUCIQ===", "extra padding"),
        ("MEQC IFOpaXKW", "embedded space"),
        ("MEQCIFOp\naXKW", "embedded newline"),
        (" MEQCIFOpaXKW", "leading whitespace"),
        ("MEQCIFOpaXKW\n", "trailing newline"),
        ("QR==", "non-zero trailing bits"),
        ("QUI=QUI=", "padding in the middle"),
    ];
    for (bad, what) in cases {
        let mut v = bundle_v01();
        v["messageSignature"]["signature"] = json!(bad);
        assert!(
            matches!(parse(&v).unwrap_err(), Error::Base64 { field } if field == "messageSignature.signature"),
            "{what}"
        );
    }
    // Other bytes fields.
    for (path, field) in [
        (
            "/verificationMaterial/x509CertificateChain/certificates/0/rawBytes",
            "verificationMaterial.x509CertificateChain.certificates[0].rawBytes",
        ),
        (
            "/verificationMaterial/tlogEntries/0/canonicalizedBody",
            "verificationMaterial.tlogEntries[0].canonicalizedBody",
        ),
        (
            "/verificationMaterial/tlogEntries/0/logId/keyId",
            "verificationMaterial.tlogEntries[0].logId.keyId",
        ),
        (
            "/verificationMaterial/tlogEntries/0/inclusionProof/hashes/0",
            "verificationMaterial.tlogEntries[0].inclusionProof.hashes[0]",
        ),
        (
            "/verificationMaterial/tlogEntries/0/inclusionProof/rootHash",
            "verificationMaterial.tlogEntries[0].inclusionProof.rootHash",
        ),
        (
            "/verificationMaterial/tlogEntries/0/inclusionPromise/signedEntryTimestamp",
            "verificationMaterial.tlogEntries[0].inclusionPromise.signedEntryTimestamp",
        ),
        (
            "/messageSignature/messageDigest/digest",
            "messageSignature.messageDigest.digest",
        ),
    ] {
        let mut v = bundle_v01();
        *v.pointer_mut(path).unwrap() = json!("not base64!");
        assert!(
            matches!(parse(&v).unwrap_err(), Error::Base64 { field: f } if f == field),
            "{path}"
        );
        *v.pointer_mut(path).unwrap() = json!("");
        assert!(
            matches!(parse(&v).unwrap_err(), Error::EmptyBytes { field: f } if f == field),
            "{path}"
        );
        *v.pointer_mut(path).unwrap() = json!(12);
        assert!(
            matches!(parse(&v).unwrap_err(), Error::Type { .. }),
            "{path}"
        );
    }
    // PEM inside rawBytes is not base64.
    let mut v = bundle_v01();
    v["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"] =
        json!("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    assert!(matches!(parse(&v).unwrap_err(), Error::Base64 { .. }));
    // DSSE payload and sig.
    let mut v = bundle_v03_dsse();
    v["dsseEnvelope"]["payload"] = json!("eyJ%");
    assert!(
        matches!(parse(&v).unwrap_err(), Error::Base64 { field } if field == "dsseEnvelope.payload")
    );
    let mut v = bundle_v03_dsse();
    v["dsseEnvelope"]["signatures"][0]["sig"] = json!("");
    assert!(
        matches!(parse(&v).unwrap_err(), Error::EmptyBytes { field } if field == "dsseEnvelope.signatures[0].sig")
    );
    let mut v = bundle_v03_dsse();
    v["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
        ["signedTimestamp"] = json!("MII-");
    assert!(matches!(parse(&v).unwrap_err(), Error::Base64 { .. }));
    // Trust root bytes.
    let mut r = trusted_root();
    r["ctlogs"][0]["publicKey"]["rawBytes"] = json!("MFkw EwYH");
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::Base64 { field } if field == "ctlogs[0].publicKey.rawBytes"
    ));
}

// ---- Integers ----------------------------------------------------------------------------

#[test]
fn integer_defects() {
    let cases = [
        (json!("-1"), IntegerProblem::Negative),
        (json!("-9223372036854775808"), IntegerProblem::Negative),
        (json!("abc"), IntegerProblem::NotDecimal),
        (json!(""), IntegerProblem::NotDecimal),
        (json!("-"), IntegerProblem::NotDecimal),
        (json!("+5"), IntegerProblem::NotDecimal),
        (json!("1e3"), IntegerProblem::NotDecimal),
        (json!(" 5"), IntegerProblem::NotDecimal),
        (json!("5 "), IntegerProblem::NotDecimal),
        (json!("1.0"), IntegerProblem::NotDecimal),
        (json!("0x10"), IntegerProblem::NotDecimal),
        (json!("007"), IntegerProblem::LeadingZero),
        (json!("9223372036854775808"), IntegerProblem::Overflow),
        (json!("18446744073709551616"), IntegerProblem::Overflow),
        (json!(27246492), IntegerProblem::NotAString),
        (json!(-1), IntegerProblem::NotAString),
        (json!(true), IntegerProblem::NotAString),
    ];
    for field in ["logIndex", "integratedTime"] {
        for (bad, problem) in &cases {
            let mut v = bundle_v01();
            v["verificationMaterial"]["tlogEntries"][0][field] = bad.clone();
            let err = parse(&v).unwrap_err();
            assert!(
                matches!(&err, Error::Integer { problem: p, field: f, .. }
                    if p == problem && *f == format!("verificationMaterial.tlogEntries[0].{field}")),
                "{field}={bad}: {err:?}"
            );
        }
    }
    for field in ["logIndex", "treeSize"] {
        let mut v = bundle_v01();
        v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"][field] = json!("-5");
        assert!(matches!(
            parse(&v).unwrap_err(),
            Error::Integer {
                problem: IntegerProblem::Negative,
                ..
            }
        ));
    }
    // i64::MAX itself is fine; so are 0 and a far-future integratedTime (the verifier judges them).
    for ok in ["9223372036854775807", "0", "32503680000"] {
        let mut v = bundle_v01();
        v["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = json!(ok);
        v["verificationMaterial"]["tlogEntries"][0]["logIndex"] = json!(ok);
        let b = parse(&v).unwrap();
        assert_eq!(
            b.verification_material.tlog_entries[0].log_index,
            ok.parse::<i64>().unwrap()
        );
        assert_eq!(b.to_value(), v);
    }
    // treeSize 0 with a proof parses; rejecting it is the Merkle verifier's job.
    let mut v = bundle_v01();
    v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["treeSize"] = json!("0");
    parse(&v).unwrap();
    // integratedTime may be absent (Rekor v2).
    let mut v = bundle_v01();
    v["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("integratedTime");
    assert_eq!(
        parse(&v).unwrap().verification_material.tlog_entries[0].integrated_time,
        None
    );
    // logIndex is a proto3 int64: omitted means 0 (sigstore-js omits it for the first entry of
    // a log), and it is written back explicitly.
    let mut v = bundle_v01();
    v["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("logIndex");
    let b = parse(&v).unwrap();
    assert_eq!(b.verification_material.tlog_entries[0].log_index, 0);
    assert_eq!(
        b.to_value()["verificationMaterial"]["tlogEntries"][0]["logIndex"],
        json!("0")
    );
    // A present logIndex still gets every strict check.
    v["verificationMaterial"]["tlogEntries"][0]["logIndex"] = json!("-0");
    assert!(matches!(parse(&v).unwrap_err(), Error::Integer { .. }));
}

// ---- Certificates and nulls --------------------------------------------------------------

#[test]
fn certificate_defects() {
    let mut v = bundle_v01();
    v["verificationMaterial"]["x509CertificateChain"]["certificates"] = json!([]);
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::EmptyCertificateChain { .. }
    ));
    let mut v = bundle_v01();
    v["verificationMaterial"]["x509CertificateChain"] = json!({});
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::EmptyCertificateChain { .. }
    ));
    let mut v = bundle_v01();
    v["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"] = json!("");
    assert!(matches!(parse(&v).unwrap_err(), Error::EmptyBytes { .. }));
    let mut v = bundle_v01();
    v["verificationMaterial"]["x509CertificateChain"]["certificates"][0] = json!({});
    assert!(
        matches!(parse(&v).unwrap_err(), Error::MissingField { field } if field.ends_with("certificates[0].rawBytes"))
    );
    let mut v = bundle_v03_dsse();
    v["verificationMaterial"]["certificate"]["rawBytes"] = json!("");
    assert!(
        matches!(parse(&v).unwrap_err(), Error::EmptyBytes { field } if field == "verificationMaterial.certificate.rawBytes")
    );
    // Trust root: empty CA chain.
    let mut r = trusted_root();
    r["certificateAuthorities"][0]["certChain"]["certificates"] = json!([]);
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::EmptyCertificateChain { .. }
    ));
}

#[test]
fn nulls_in_bundles_rejected() {
    let mut v = bundle_v01();
    v["messageSignature"]["messageDigest"] = Value::Null;
    assert!(
        matches!(parse(&v).unwrap_err(), Error::Null { field } if field == "messageSignature.messageDigest")
    );
    let mut v = bundle_v01();
    v["mediaType"] = Value::Null;
    assert!(matches!(parse(&v).unwrap_err(), Error::Null { .. }));
    assert!(matches!(
        Bundle::from_json(b"null").unwrap_err(),
        Error::Type { .. }
    ));
    assert!(matches!(
        Bundle::from_json(b"[]").unwrap_err(),
        Error::Type { .. }
    ));
}

// ---- Structure per version ---------------------------------------------------------------

#[test]
fn version_structure_rules() {
    // v0.3 must not use the chain form; v0.1/v0.2 must not use the single certificate.
    let mut v = bundle_v01();
    v["mediaType"] = json!(V03);
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::MaterialNotAllowedForVersion {
            version: BundleVersion::V0_3,
            form: "x509CertificateChain"
        }
    ));
    Bundle::parse(&bytes(&v)).unwrap();
    let mut v = bundle_v03_dsse();
    v["mediaType"] = json!("application/vnd.dev.sigstore.bundle+json;version=0.2");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::MaterialNotAllowedForVersion {
            version: BundleVersion::V0_2,
            form: "certificate"
        }
    ));
    // v0.1 requires the inclusion promise, not the proof.
    let mut v = bundle_v01();
    v["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionPromise");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::MissingInclusionPromise { index: 0 }
    ));
    let mut v = bundle_v01();
    v["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionProof");
    parse(&v).unwrap();
    // v0.2+ requires the proof with a checkpoint, not the promise.
    let mut v = bundle_v03_dsse();
    v["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionPromise");
    parse(&v).unwrap();
    let mut v = bundle_v03_dsse();
    v["verificationMaterial"]["tlogEntries"][0]
        .as_object_mut()
        .unwrap()
        .remove("inclusionProof");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::MissingInclusionProof { index: 0 }
    ));
    let mut v = bundle_v03_dsse();
    v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
        .as_object_mut()
        .unwrap()
        .remove("checkpoint");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::MissingCheckpoint { index: 0 }
    ));
    let mut v = bundle_v03_dsse();
    v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"] =
        json!("");
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::MissingCheckpoint { index: 0 }
    ));
}

// ---- DSSE --------------------------------------------------------------------------------

#[test]
fn dsse_signature_count_is_a_structure_error() {
    // Decision: the envelope model accepts 0..=MAX_DSSE_SIGNATURES signatures (standalone DSSE
    // allows several); a bundle requires exactly one, checked by validate_structure.
    for sigs in [json!([]), json!([{"sig": "MEUCIQ=="}, {"sig": "MEUCIA=="}])] {
        let n = sigs.as_array().unwrap().len();
        let mut v = bundle_v03_dsse();
        v["dsseEnvelope"]["signatures"] = sigs;
        assert!(
            matches!(parse(&v).unwrap_err(), Error::DsseSignatureCount { found } if found == n)
        );
        let b = Bundle::parse(&bytes(&v)).unwrap();
        assert_eq!(b.dsse_envelope().unwrap().signatures.len(), n);
        assert!(Envelope::from_json(&bytes(&v["dsseEnvelope"])).is_ok());
    }
    let mut v = bundle_v03_dsse();
    v["dsseEnvelope"]["signatures"] =
        json!(vec![json!({"sig": "MEUCIQ=="}); MAX_DSSE_SIGNATURES + 1]);
    assert!(matches!(
        Bundle::parse(&bytes(&v)).unwrap_err(),
        Error::TooMany {
            max: MAX_DSSE_SIGNATURES,
            ..
        }
    ));
    assert!(matches!(
        Envelope::from_json(&bytes(&v["dsseEnvelope"])).unwrap_err(),
        Error::TooMany {
            max: MAX_DSSE_SIGNATURES,
            ..
        }
    ));
}

#[test]
fn dsse_payload_type_non_ascii_and_pae() {
    // The DSSE specification's example.
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
    assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    // Latin-1 truncation of these characters spells "text"; UTF-16 length is 10 like "text/plain".
    let sneaky = "\u{0174}\u{0165}\u{0178}\u{0174}/plain";
    assert_eq!(sneaky.chars().count(), 10);
    let a = pae(sneaky, b"payload");
    let b = pae("text/plain", b"payload");
    assert_ne!(a, b);
    assert!(a.starts_with(b"DSSEv1 14 \xc5\xb4\xc5\xa5\xc5\xb8\xc5\xb4/plain 7 payload"));
    assert_eq!(b, b"DSSEv1 10 text/plain 7 payload");
    // The bundle parses with that payload type and PAE uses its UTF-8 bytes.
    let mut v = bundle_v03_dsse();
    v["dsseEnvelope"]["payloadType"] = json!(sneaky);
    let bundle = parse(&v).unwrap();
    let env = bundle.dsse_envelope().unwrap();
    assert_eq!(env.payload_type, sneaky);
    assert_eq!(env.pae(), pae(sneaky, &env.payload));
    assert_ne!(env.pae(), pae("text/plain", &env.payload));
    assert_eq!(bundle.to_value(), v);
}

// ---- Trust root specifics ----------------------------------------------------------------

#[test]
fn trust_root_missing_validity_start_is_representable() {
    let mut r = trusted_root();
    r["tlogs"][0]["publicKey"]["validFor"]
        .as_object_mut()
        .unwrap()
        .remove("start");
    let root = TrustedRoot::from_json(&bytes(&r)).unwrap();
    let vf = root.tlogs[0].public_key.valid_for.as_ref().unwrap();
    assert_eq!(vf.start, None);
    assert_eq!(vf.start_unix(), None);
    assert_eq!(root.to_value(), r);
}

#[test]
fn trust_root_details() {
    let root = TrustedRoot::production().unwrap();
    assert!(!root.tlogs.is_empty() && !root.ctlogs.is_empty());
    assert!(!root.certificate_authorities.is_empty() && !root.timestamp_authorities.is_empty());
    let t = &root.tlogs[0];
    assert_eq!(t.hash_algorithm, HashAlgorithm::Sha2_256);
    assert!(t
        .public_key
        .raw_bytes
        .as_ref()
        .unwrap()
        .starts_with(&[0x30]));
    assert_eq!(t.log_id.len(), 32);
    assert!(root.tlog_by_id(&t.log_id).is_some());
    let ca = &root.certificate_authorities[0];
    assert!(ca.cert_chain[0].starts_with(&[0x30]));
    assert!(ca.valid_for.as_ref().unwrap().start_unix().unwrap() > 1_600_000_000);
    TrustedRoot::staging().unwrap();

    // Empty lists are allowed and round-trip.
    let empty = json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [], "certificateAuthorities": [], "ctlogs": [], "timestampAuthorities": []
    });
    let r = TrustedRoot::from_json(&bytes(&empty)).unwrap();
    assert!(r.tlogs.is_empty());
    assert_eq!(r.to_value(), empty);

    // Timestamps: fractions and offsets parse; nonsense is a typed error.
    let ts = Timestamp::parse("2022-12-31T23:59:59.999000Z").unwrap();
    assert_eq!((ts.unix(), ts.nanos()), (1_672_531_199, 999_000_000));
    assert_eq!(ts.as_str(), "2022-12-31T23:59:59.999000Z");
    assert_eq!(
        Timestamp::parse("1970-01-01T01:00:00+01:00")
            .unwrap()
            .unix(),
        0
    );
    assert_eq!(
        Timestamp::from_unix(1_689_177_396).unwrap().as_str(),
        "2023-07-12T15:56:36Z"
    );
    let mut r = trusted_root();
    r["tlogs"][0]["publicKey"]["validFor"]["start"] = json!("yesterday");
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::Timestamp { field, .. } if field == "tlogs[0].publicKey.validFor.start"
    ));
    r["tlogs"][0]["publicKey"]["validFor"]["start"] = json!(1_600_000_000);
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::Type { .. }
    ));

    // Explicit nulls on optional fields are remembered and written back.
    let mut r = trusted_root();
    r["tlogs"][0]["operator"] = Value::Null;
    r["tlogs"][0]["checkpointKeyId"] = Value::Null;
    r["certificateAuthorities"][0]["validFor"]["end"] = Value::Null;
    let root = TrustedRoot::from_json(&bytes(&r)).unwrap();
    assert_eq!(root.tlogs[0].operator, None);
    assert!(root.tlogs[0].json_nulls.contains("operator"));
    assert_eq!(root.to_value(), r);
    // ... but not on required ones.
    let mut r = trusted_root();
    r["tlogs"][0]["baseUrl"] = Value::Null;
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::Null { .. }
    ));
}

#[test]
fn signing_config_and_client_trust_config() {
    let c = SigningConfig::production().unwrap();
    assert_eq!(c.media_type, SIGNING_CONFIG_MEDIA_TYPE);
    assert!(!c.ca_urls.is_empty() && !c.rekor_tlog_urls.is_empty());
    assert_eq!(
        c.rekor_tlog_config.as_ref().unwrap().selector,
        ServiceSelector::Any
    );
    assert!(c.ca_urls[0].major_api_version >= 1);
    assert!(c.ca_urls[0].is_valid_at(1_900_000_000));
    assert!(!c.ca_urls[0].is_valid_at(0));
    SigningConfig::staging().unwrap();

    let mut v: Value = serde_json::from_slice(SigningConfig::production_json()).unwrap();
    v["tsaConfig"] = json!({"selector": "EXACT", "count": 2});
    let c = SigningConfig::from_json(&bytes(&v)).unwrap();
    assert_eq!(
        c.tsa_config,
        Some(ServiceConfiguration {
            selector: ServiceSelector::Exact,
            count: Some(2)
        })
    );
    assert_eq!(c.to_value(), v);
    v["caUrls"][0]["majorApiVersion"] = json!("1");
    assert!(matches!(
        SigningConfig::from_json(&bytes(&v)).unwrap_err(),
        Error::Type { .. }
    ));

    let ctc = json!({
        "mediaType": CLIENT_TRUST_CONFIG_MEDIA_TYPE,
        "trustedRoot": trusted_root(),
        "signingConfig": serde_json::from_slice::<Value>(SigningConfig::staging_json()).unwrap(),
    });
    let parsed = ClientTrustConfig::from_json(&bytes(&ctc)).unwrap();
    assert_eq!(parsed.trusted_root, TrustedRoot::production().unwrap());
    assert_eq!(parsed.to_value(), ctc);
    let mut bad = ctc.clone();
    bad["mediaType"] = json!("application/vnd.dev.sigstore.clienttrustconfig.v0.2+json");
    assert!(matches!(
        ClientTrustConfig::from_json(&bytes(&bad)).unwrap_err(),
        Error::UnknownMediaType { .. }
    ));
    let mut bad = ctc;
    bad["trustedRoot"]["tlogs"] = json!(vec![Value::Null; MAX_TRUST_ROOT_ENTRIES + 1]);
    assert!(matches!(
        ClientTrustConfig::from_json(&bytes(&bad)).unwrap_err(),
        Error::TooMany { what, max: MAX_TRUST_ROOT_ENTRIES } if what == "trustedRoot.tlogs"
    ));
}

// ---- in-toto -----------------------------------------------------------------------------

#[test]
fn in_toto_statements() {
    for t in [STATEMENT_V0_1, STATEMENT_V1] {
        let v = json!({
            "_type": t,
            "subject": [
                {"name": "a.txt", "digest": {"sha256": "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf", "sha512": "00ff"}},
                {"digest": {"gitCommit": "a9cd7bf0bbfd5732800b8196ce893ae9915b1e87"}}
            ],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {"nested": [1, 2.5, {"x": null}]}
        });
        let s = Statement::from_json(&bytes(&v)).unwrap();
        assert_eq!(s.subject.len(), 2);
        assert_eq!(s.subject[0].digest.len(), 2);
        assert_eq!(s.subject[1].name, None);
        let d = [
            0xa0, 0xcf, 0xc7, 0x12, 0x71, 0xd6, 0xe2, 0x78, 0xe5, 0x7c, 0xd3, 0x32, 0xff, 0x95,
            0x7c, 0x3f, 0x70, 0x43, 0xfd, 0xda, 0x35, 0x4c, 0x4c, 0xbb, 0x19, 0x0a, 0x30, 0xd5,
            0x6e, 0xfa, 0x01, 0xbf,
        ];
        assert!(s.subject[0].has_digest("sha256", &d));
        assert!(!s.subject[0].has_digest("sha512", &d));
        assert_eq!(s.predicate.as_ref().unwrap()["nested"][1], json!(2.5));
        assert_eq!(s.to_value(), v);
    }
    // predicate is optional.
    let v = json!({"_type": STATEMENT_V1, "subject": [], "predicateType": "x"});
    let s = Statement::from_json(&bytes(&v)).unwrap();
    assert_eq!(s.predicate, None);
    assert_eq!(s.to_value(), v);
    // Unknown type, duplicate digest algorithm, non-string digest.
    let v =
        json!({"_type": "https://in-toto.io/Statement/v2", "subject": [], "predicateType": "x"});
    assert!(matches!(
        Statement::from_json(&bytes(&v)).unwrap_err(),
        Error::UnknownStatementType { .. }
    ));
    let dup = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"aa","sha256":"bb"}}],"predicateType":"x"}"#;
    assert!(
        matches!(Statement::from_json(dup).unwrap_err(), Error::DuplicateKey { key, .. } if key == "sha256")
    );
    let v = json!({"_type": STATEMENT_V1, "subject": [{"digest": {"sha256": 5}}], "predicateType": "x"});
    assert!(matches!(
        Statement::from_json(&bytes(&v)).unwrap_err(),
        Error::Type { .. }
    ));
    // "subject" inside the predicate is not capped like the statement's subjects.
    let v = json!({"_type": STATEMENT_V1, "subject": [], "predicateType": "x",
                   "predicate": {"subject": vec![json!(1); MAX_SUBJECTS + 5]}});
    Statement::from_json(&bytes(&v)).unwrap();
}

// ---- Section 2: sizes --------------------------------------------------------------------

/// Builds `prefix` + `n` copies of `item` + (a syntactically broken element) + `suffix`. When the
/// cap is `n`, a `TooMany` error (not a syntax error) proves the cap was enforced before the
/// element past it was parsed.
fn list_with_broken_tail(prefix: &str, item: &str, n: usize, suffix: &str) -> Vec<u8> {
    let mut s = String::from(prefix);
    for _ in 0..n {
        s.push_str(item);
        s.push(',');
    }
    s.push_str("@@@ not json");
    s.push_str(suffix);
    s.into_bytes()
}

fn bundle_text_with(pointer: &str, list: Vec<Value>) -> Vec<u8> {
    let mut v = bundle_v03_dsse();
    *v.pointer_mut(pointer).unwrap() = Value::Array(list);
    bytes(&v)
}

#[test]
fn too_many_tlog_entries() {
    let entry = tlog_entry_v1();
    let ok = bundle_text_with(
        "/verificationMaterial/tlogEntries",
        vec![entry.clone(); MAX_TLOG_ENTRIES],
    );
    assert_eq!(
        Bundle::from_json(&ok)
            .unwrap()
            .verification_material
            .tlog_entries
            .len(),
        32
    );
    let bad = bundle_text_with(
        "/verificationMaterial/tlogEntries",
        vec![entry.clone(); MAX_TLOG_ENTRIES + 1],
    );
    assert!(matches!(
        Bundle::from_json(&bad).unwrap_err(),
        Error::TooMany { what, max: 32 } if what == "verificationMaterial.tlogEntries"
    ));
    let item = serde_json::to_string(&entry).unwrap();
    let broken = list_with_broken_tail(
        r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"tlogEntries":["#,
        &item,
        MAX_TLOG_ENTRIES,
        "]}}",
    );
    assert!(matches!(
        Bundle::from_json(&broken).unwrap_err(),
        Error::TooMany {
            max: MAX_TLOG_ENTRIES,
            ..
        }
    ));
}

#[test]
fn too_many_timestamps() {
    let ts = json!({"signedTimestamp": "MIIC"});
    let ok = bundle_text_with(
        "/verificationMaterial/timestampVerificationData/rfc3161Timestamps",
        vec![ts.clone(); MAX_TIMESTAMPS],
    );
    Bundle::from_json(&ok).unwrap();
    let bad = bundle_text_with(
        "/verificationMaterial/timestampVerificationData/rfc3161Timestamps",
        vec![ts; MAX_TIMESTAMPS + 1],
    );
    assert!(matches!(
        Bundle::from_json(&bad).unwrap_err(),
        Error::TooMany { what, max: 32 } if what == "verificationMaterial.timestampVerificationData.rfc3161Timestamps"
    ));
    let broken = list_with_broken_tail(
        r#"{"verificationMaterial":{"timestampVerificationData":{"rfc3161Timestamps":["#,
        r#"{"signedTimestamp":"MIIC"}"#,
        MAX_TIMESTAMPS,
        "]}}}",
    );
    assert!(matches!(
        Bundle::from_json(&broken).unwrap_err(),
        Error::TooMany {
            max: MAX_TIMESTAMPS,
            ..
        }
    ));
}

#[test]
fn too_many_chain_certificates() {
    let mut v = bundle_v01();
    v["verificationMaterial"]["x509CertificateChain"]["certificates"] =
        json!(vec![json!({"rawBytes": "MIIB"}); MAX_CHAIN_CERTIFICATES]);
    parse(&v).unwrap();
    v["verificationMaterial"]["x509CertificateChain"]["certificates"] = json!(vec![
        json!({"rawBytes": "MIIB"});
        MAX_CHAIN_CERTIFICATES
            + 1
    ]);
    assert!(matches!(
        parse(&v).unwrap_err(),
        Error::TooMany {
            max: MAX_CHAIN_CERTIFICATES,
            ..
        }
    ));
    let mut r = trusted_root();
    r["timestampAuthorities"][0]["certChain"]["certificates"] = json!(vec![
        json!({"rawBytes": "MIIB"});
        MAX_CHAIN_CERTIFICATES
            + 1
    ]);
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::TooMany { what, max: MAX_CHAIN_CERTIFICATES } if what == "timestampAuthorities.certChain.certificates"
    ));
}

#[test]
fn too_many_inclusion_proof_hashes() {
    let h = json!("/vK4Da3g7ZhRgme8FxCi8QIBL7DSlwpSwyERyIV+uS8=");
    let ptr = "/verificationMaterial/tlogEntries/0/inclusionProof/hashes";
    let ok = bundle_text_with(ptr, vec![h.clone(); MAX_INCLUSION_PROOF_HASHES]);
    Bundle::from_json(&ok).unwrap();
    let bad = bundle_text_with(ptr, vec![h; MAX_INCLUSION_PROOF_HASHES + 1]);
    assert!(matches!(
        Bundle::from_json(&bad).unwrap_err(),
        Error::TooMany { what, max: 64 } if what == "verificationMaterial.tlogEntries.inclusionProof.hashes"
    ));
    // 10^6 hashes: refused after the 65th, before the rest is even looked at.
    let mut s =
        String::from(r#"{"verificationMaterial":{"tlogEntries":[{"inclusionProof":{"hashes":["#);
    s.push_str(&"\"AAAA\",".repeat(1_000_000));
    s.push_str("\"AAAA\"]}}]}}");
    let start = std::time::Instant::now();
    assert!(matches!(
        Bundle::from_json(s.as_bytes()).unwrap_err(),
        Error::TooMany { max: 64, .. }
    ));
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    let broken = list_with_broken_tail(
        r#"{"verificationMaterial":{"tlogEntries":[{"inclusionProof":{"hashes":["#,
        "\"AAAA\"",
        MAX_INCLUSION_PROOF_HASHES,
        "]}}]}}",
    );
    assert!(matches!(
        Bundle::from_json(&broken).unwrap_err(),
        Error::TooMany { max: 64, .. }
    ));
}

#[test]
fn too_many_subjects_and_digests() {
    let subject = json!({"name": "x", "digest": {"sha256": "00"}});
    let stmt = |subjects: Vec<Value>| {
        bytes(&json!({"_type": STATEMENT_V1, "subject": subjects, "predicateType": "x"}))
    };
    assert_eq!(
        Statement::from_json(&stmt(vec![subject.clone(); MAX_SUBJECTS]))
            .unwrap()
            .subject
            .len(),
        1024
    );
    assert!(matches!(
        Statement::from_json(&stmt(vec![subject; MAX_SUBJECTS + 1])).unwrap_err(),
        Error::TooMany { what, max: 1024 } if what == "subject"
    ));
    let broken = list_with_broken_tail(
        r#"{"_type":"https://in-toto.io/Statement/v1","subject":["#,
        r#"{"digest":{"sha256":"00"}}"#,
        MAX_SUBJECTS,
        "]}",
    );
    assert!(matches!(
        Statement::from_json(&broken).unwrap_err(),
        Error::TooMany { max: 1024, .. }
    ));

    let digests = |n: usize| {
        let map: serde_json::Map<String, Value> =
            (0..n).map(|i| (format!("alg{i}"), json!("00"))).collect();
        stmt(vec![json!({"digest": map})])
    };
    assert_eq!(
        Statement::from_json(&digests(MAX_DIGESTS_PER_SUBJECT))
            .unwrap()
            .subject[0]
            .digest
            .len(),
        32
    );
    assert!(matches!(
        Statement::from_json(&digests(MAX_DIGESTS_PER_SUBJECT + 1)).unwrap_err(),
        Error::TooMany { what, max: 32 } if what == "subject.digest"
    ));
}

#[test]
fn too_many_trust_root_entries() {
    let mut r = trusted_root();
    let tlog = r["tlogs"][0].clone();
    r["tlogs"] = json!(vec![tlog; MAX_TRUST_ROOT_ENTRIES + 1]);
    assert!(matches!(
        TrustedRoot::from_json(&bytes(&r)).unwrap_err(),
        Error::TooMany { what, .. } if what == "tlogs"
    ));
    let mut c: Value = serde_json::from_slice(SigningConfig::production_json()).unwrap();
    let svc = c["tsaUrls"][0].clone();
    c["tsaUrls"] = json!(vec![svc; MAX_TRUST_ROOT_ENTRIES + 1]);
    assert!(matches!(
        SigningConfig::from_json(&bytes(&c)).unwrap_err(),
        Error::TooMany { .. }
    ));
}

#[test]
fn too_large_documents() {
    let big = vec![b' '; MAX_BUNDLE_BYTES + 1];
    assert!(matches!(
        Bundle::from_json(&big).unwrap_err(),
        Error::TooLarge { max: MAX_BUNDLE_BYTES, found } if found == MAX_BUNDLE_BYTES + 1
    ));
    let big = vec![b' '; MAX_TRUST_ROOT_BYTES + 1];
    assert!(matches!(
        TrustedRoot::from_json(&big).unwrap_err(),
        Error::TooLarge { .. }
    ));
    assert!(matches!(
        SigningConfig::from_json(&big).unwrap_err(),
        Error::TooLarge { .. }
    ));
    // from_file refuses before reading.
    let dir = std::env::temp_dir().join(format!("sigstore-bundle-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.json");
    std::fs::write(&path, &big).unwrap();
    assert!(matches!(
        TrustedRoot::from_file(&path).unwrap_err(),
        Error::TooLarge { .. }
    ));
    let path2 = dir.join("ok.json");
    std::fs::write(&path2, TrustedRoot::production_json()).unwrap();
    TrustedRoot::from_file(&path2).unwrap();
    std::fs::write(&path2, bytes(&bundle_v01())).unwrap();
    Bundle::from_file(&path2).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(
        Bundle::from_file(dir.join("missing")).unwrap_err(),
        Error::Io { .. }
    ));
}

// ---- serde integration -------------------------------------------------------------------

#[test]
fn serde_impls_apply_the_same_rules() {
    #[derive(serde::Deserialize, serde::Serialize)]
    struct Wrapper {
        bundle: Bundle,
        root: TrustedRoot,
    }
    let w = json!({"bundle": bundle_v01(), "root": trusted_root()});
    let parsed: Wrapper = serde_json::from_value(w.clone()).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), w);
    let mut bad = w.clone();
    bad["bundle"]["verificationMaterial"]["tlogEntries"][0]["logIndex"] = json!("-1");
    let err = serde_json::from_value::<Wrapper>(bad).err().unwrap();
    assert!(err.to_string().contains("Negative"), "{err}");
    let text = String::from_utf8(bytes(&w)).unwrap();
    let dup = text.replacen("\"mediaType\"", "\"mediaType\":\"x\",\"mediaType\"", 1);
    let err = serde_json::from_str::<Wrapper>(&dup).err().unwrap();
    assert!(err.to_string().contains("duplicate key"), "{err}");
}

// ---- No panics on mutated input -----------------------------------------------------------

#[test]
fn byte_mutations_never_panic() {
    // Every single-byte substitution and every truncation of a valid bundle, trusted-root
    // fragment and statement parses or fails with a typed error; none panics.
    let docs: Vec<Vec<u8>> = vec![
        bytes(&bundle_v01()),
        bytes(&bundle_v03_dsse()),
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"x","predicate":{"a":[1]}}"#.to_vec(),
    ];
    for doc in &docs {
        for i in 0..doc.len() {
            let _ = Bundle::from_json(&doc[..i]);
            for sub in [b'"', b'{', b']', b'-', b'0', b'_', 0xff, b'\\'] {
                let mut m = doc.clone();
                m[i] = sub;
                let _ = Bundle::from_json(&m);
                let _ = Statement::from_json(&m);
                let _ = Envelope::from_json(&m);
            }
        }
    }
    let root = TrustedRoot::production_json();
    for i in (0..root.len()).step_by(7) {
        let mut m = root.to_vec();
        m[i] = b'"';
        let _ = TrustedRoot::from_json(&m);
        let _ = SigningConfig::from_json(&m);
    }
}

#[test]
fn in_toto_subject_resource_descriptor_fields_are_kept() {
    let v = json!({
        "_type": STATEMENT_V1,
        "subject": [{"name": "a", "digest": {"sha256": "00"}, "uri": "pkg:x", "annotations": {"k": "v"}}],
        "predicateType": "x"
    });
    let s = Statement::from_json(&bytes(&v)).unwrap();
    assert_eq!(s.subject[0].other_fields["uri"], json!("pkg:x"));
    assert_eq!(s.to_value(), v);
    let v = json!({"_type": STATEMENT_V1, "subject": [{"digest": {}, "bogus": 1}], "predicateType": "x"});
    assert!(matches!(
        Statement::from_json(&bytes(&v)).unwrap_err(),
        Error::UnknownField { key, .. } if key == "bogus"
    ));
    assert_eq!(HashAlgorithm::Sha2_256.lowercase_name(), "sha256");
    assert_eq!(
        HashAlgorithm::from_name("SHA2_384").unwrap().digest_len(),
        48
    );
}
