//! Round trip over every Sigstore JSON document of the conformance data and the embedded trust.
//!
//! Each file is parsed with the type its `mediaType` names and serialized again; the result
//! must equal the input as a `serde_json::Value`. Cases whose input is malformed at the parse
//! level are listed in `PARSE_FAILURES` with the error they must produce. TUF `root.json` files
//! are skipped: they are TUF metadata, not Sigstore protobuf types. `assets/statement.json` is an
//! in-toto Statement and round-trips as one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use sigstore_bundle::{
    Bundle, Error, IntegerProblem, JsonErrorKind, SigningConfig, Statement, TrustedRoot,
};

/// The conformance suite's folder in the shared data (a failure under `CI=true` when missing).
fn shared_dir() -> Option<PathBuf> {
    sigstore_test_support::shared_dir("sigstore-conformance")
        .map(|d| d.join("sigstore-conformance"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Conformance cases malformed at the parse level, with the error `Bundle::parse` must give.
fn expected_parse_failure(case: &str, err: &Error) -> Option<bool> {
    Some(match case {
        "bundle-malformed-json_fail" => matches!(
            err,
            Error::Json {
                kind: JsonErrorKind::Eof,
                ..
            }
        ),
        "bundle-unknown-version_fail" => matches!(err, Error::UnknownMediaType { .. }),
        "bundle-invalid-base64-signature_fail" => {
            matches!(err, Error::Base64 { field } if field == "messageSignature.signature")
        }
        "bundle-negative-log-index_fail" => matches!(
            err,
            Error::Integer { field, problem: IntegerProblem::Negative, .. }
                if field == "verificationMaterial.tlogEntries[0].logIndex"
        ),
        "bundle-empty-certificate-chain_fail" => matches!(err, Error::EmptyCertificateChain { .. }),
        // Its timestamp was inserted with `base64` (line-wrapped at 76 columns): strict base64
        // rejects the embedded newlines before the intended time check is reached.
        "rekor2-timestamp-with-incorrect-time_fail" => matches!(
            err,
            Error::Base64 { field }
                if field == "verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp"
        ),
        _ => return None,
    })
}

/// Cases that parse but fail `validate_structure` (so `Bundle::from_json` rejects them).
fn expected_structure_failure(case: &str, err: &Error) -> Option<bool> {
    Some(match case {
        "intoto-missing-inclusion-proof_fail" | "rekor2-no-inclusion-proof_fail" => {
            matches!(err, Error::MissingInclusionProof { index: 0 })
        }
        // A v0.2 bundle whose (stale) inclusion proof has no checkpoint.
        "invalid-inclusion-proof_fail" => matches!(err, Error::MissingCheckpoint { index: 0 }),
        _ => return None,
    })
}

fn case_name(path: &Path) -> String {
    path.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn check_value(path: &Path, input: &Value, output: Value) {
    assert_eq!(&output, input, "round trip differs for {}", path.display());
}

#[test]
fn conformance_documents_round_trip() {
    let Some(dir) = shared_dir() else { return };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    let (mut bundles, mut roots, mut configs, mut statements, mut failures) = (0, 0, 0, 0, 0);
    let mut structure_failures = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let case = case_name(path);
        if path.file_name().unwrap() == "root.json" {
            // TUF metadata, not a Sigstore protobuf type.
            continue;
        }
        if path.file_name().unwrap() == "bundle.sigstore.json" {
            match Bundle::parse(&bytes) {
                Ok(b) => {
                    assert!(
                        expected_parse_failure(&case, &Error::TooDeep { max: 0 }).is_none(),
                        "{case} should fail to parse"
                    );
                    let input: Value = serde_json::from_slice(&bytes).unwrap();
                    check_value(path, &input, b.to_value());
                    // Text round trip, too.
                    let again = Bundle::parse(&b.to_json()).unwrap();
                    assert_eq!(again, b);
                    match (
                        b.validate_structure(),
                        expected_structure_failure(&case, &Error::TooDeep { max: 0 }),
                    ) {
                        (Ok(()), None) => {}
                        (Err(e), Some(_)) => {
                            assert_eq!(
                                expected_structure_failure(&case, &e),
                                Some(true),
                                "{case}: {e:?}"
                            );
                            // from_json is parse + validate_structure: the same error.
                            let whole = Bundle::from_json(&bytes).unwrap_err();
                            assert_eq!(format!("{whole:?}"), format!("{e:?}"), "{case}");
                            structure_failures += 1;
                        }
                        (r, _) => panic!("{case}: unexpected structure result {r:?}"),
                    }
                    bundles += 1;
                }
                Err(e) => {
                    assert_eq!(
                        expected_parse_failure(&case, &e),
                        Some(true),
                        "{case}: unexpected parse error {e:?}"
                    );
                    failures += 1;
                }
            }
            continue;
        }
        let input: Value = serde_json::from_slice(&bytes).unwrap();
        let media_type = input.get("mediaType").and_then(Value::as_str).unwrap_or("");
        if media_type.contains("trustedroot") {
            let r = TrustedRoot::from_json(&bytes)
                .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            check_value(path, &input, r.to_value());
            roots += 1;
        } else if media_type.contains("signingconfig") {
            let c = SigningConfig::from_json(&bytes)
                .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            check_value(path, &input, c.to_value());
            configs += 1;
        } else if input.get("_type").is_some() {
            let s = Statement::from_json(&bytes).unwrap();
            check_value(path, &input, s.to_value());
            statements += 1;
        } else {
            panic!("unclassified JSON file {}", path.display());
        }
    }
    eprintln!(
        "bundles {bundles}, parse failures {failures}, structure failures {structure_failures}, trusted roots {roots}, signing configs {configs}, statements {statements}"
    );
    assert_eq!(failures, 6, "every parse-level malformed case must be seen");
    assert_eq!(structure_failures, 3);
    assert!(bundles >= 60 && roots >= 30 && configs >= 2 && statements == 1);
}

#[test]
fn embedded_trust_round_trips() {
    for (json, parsed) in [
        (
            TrustedRoot::production_json(),
            TrustedRoot::production().unwrap().to_value(),
        ),
        (
            TrustedRoot::staging_json(),
            TrustedRoot::staging().unwrap().to_value(),
        ),
        (
            SigningConfig::production_json(),
            SigningConfig::production().unwrap().to_value(),
        ),
        (
            SigningConfig::staging_json(),
            SigningConfig::staging().unwrap().to_value(),
        ),
    ] {
        let input: Value = serde_json::from_slice(json).unwrap();
        assert_eq!(parsed, input);
    }
    for tuf in [
        sigstore_bundle::PRODUCTION_TUF_ROOT,
        sigstore_bundle::STAGING_TUF_ROOT,
    ] {
        let v: Value = serde_json::from_slice(tuf).unwrap();
        assert_eq!(v["signed"]["_type"], "root");
    }
}

#[test]
fn statement_values_equal_the_input() {
    let full = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[
        {"name":"a.tar.gz","digest":{"sha256":"00ff","sha512":"aa"},"uri":"https://x/a",
         "annotations":{"k":[1,2.5,{"z":null}]}},
        {"digest":{"sha256":"11"}}],
      "predicateType":"https://slsa.dev/provenance/v1",
      "predicate":{"buildDefinition":{"n":18446744073709551615,"f":-0.5,"t":true},"list":["x"]}}"#;
    let bare =
        br#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"digest":{"sha256":"22"}}],
      "predicateType":"p"}"#;
    for input in [&full[..], &bare[..]] {
        let s = Statement::from_json(input).unwrap();
        let want = serde_json::from_slice::<Value>(input).unwrap();
        assert_eq!(s.to_value(), want);
        assert_eq!(s.into_value(), want);
    }
}
