//! `StatementJson` (the statement kept as text, its predicate checked but not converted)
//! against `Statement` (everything converted): on every input they accept and refuse the same
//! documents, with the same errors, and agree on every field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::{json, Value};
use sigstore_bundle::{Error, Statement, StatementJson, MAX_JSON_DEPTH, STATEMENT_V1};
use sigstore_test_support::Rng;

/// Compares the two readers on `text`; returns whether it was accepted.
fn agree(text: &str) -> bool {
    let full = Statement::from_json(text.as_bytes());
    let lazy = StatementJson::from_json(text.as_bytes());
    match (full, lazy) {
        (Ok(full), Ok(lazy)) => {
            assert_eq!(lazy.as_str(), text);
            assert_eq!(lazy.statement_type(), full.type_, "{text}");
            assert_eq!(lazy.subjects(), full.subject.as_slice(), "{text}");
            assert_eq!(lazy.predicate_type(), full.predicate_type, "{text}");
            assert_eq!(lazy.has_predicate(), full.predicate.is_some(), "{text}");
            assert_eq!(lazy.to_statement().unwrap(), full, "{text}");
            let value = full.into_value();
            assert_eq!(lazy.to_value().unwrap(), value, "{text}");
            assert_eq!(serde_json::to_value(&lazy).unwrap(), value, "{text}");
            true
        }
        (Err(full), Err(lazy)) => {
            assert_eq!(format!("{lazy:?}"), format!("{full:?}"), "{text}");
            false
        }
        (full, lazy) => panic!("the readers disagree on {text}: {full:?} vs {lazy:?}"),
    }
}

/// A random JSON value for the predicate: nested objects and arrays (sometimes deeper than
/// the depth limit), escaped keys and strings, numbers, nulls, and now and then a repeated key
/// (in small objects and in objects past the linear key scan).
fn value(g: &mut Rng, depth: usize) -> String {
    let pick = if depth > 6 { g.below(5) } else { g.below(9) };
    match pick {
        0 => "null".to_owned(),
        1 => ["true", "false"][g.below(2)].to_owned(),
        2 => ["0", "-17", "2.5e3", "18446744073709551615", "1.0"][g.below(5)].to_owned(),
        3 | 4 => key(g),
        5 | 6 => {
            let items: Vec<String> = (0..g.below(4)).map(|_| value(g, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        7 if g.below(8) == 0 => {
            // A chain of containers around the depth limit (the predicate sits at depth 1).
            let levels = MAX_JSON_DEPTH - 3 + g.below(5);
            let (open, close) = if g.below(2) == 0 {
                ("[", "]")
            } else {
                ("{\"d\":", "}")
            };
            format!("{}1{}", open.repeat(levels), close.repeat(levels))
        }
        _ => {
            let n = if g.below(4) == 0 { 20 } else { g.below(5) };
            let mut keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\"")).collect();
            if n > 1 && g.below(4) == 0 {
                let at = g.below(n);
                keys.push(format!("\"k{at}\""));
            }
            if n > 0 && g.below(6) == 0 {
                // The same key written with an escape.
                keys.push("\"\\u006b0\"".to_owned());
            }
            let members: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}:{}", value(g, depth + 1)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
    }
}

fn key(g: &mut Rng) -> String {
    const PIECES: [&str; 7] = ["a", "\\n", "é", "\\u00e9", "\\\"", "key", "\\ud83d\\ude00"];
    let text: String = (0..g.below(4))
        .map(|_| PIECES[g.below(PIECES.len())])
        .collect();
    format!("\"{text}\"")
}

/// A statement around a random predicate, with its other members sometimes broken.
fn statement(g: &mut Rng) -> String {
    let mut members = vec![
        format!("\"_type\":\"{STATEMENT_V1}\""),
        "\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"00ff\"}}]".to_owned(),
        "\"predicateType\":\"https://slsa.dev/provenance/v1\"".to_owned(),
    ];
    match g.below(12) {
        0 => {}
        1 => members.push("\"predicate\":null".to_owned()),
        2 => members.push(format!("\"predicate\":{},\"predicate\":{{}}", value(g, 1))),
        3 => members.push("\"extra\":1".to_owned()),
        4 => members[1] = "\"subject\":[{\"digest\":{\"sha256\":7}}]".to_owned(),
        5 => members[2] = "\"predicateType\":null".to_owned(),
        _ => members.push(format!("\"predicate\":{}", value(g, 1))),
    }
    let at = g.below(members.len());
    let last = members.len() - 1;
    members.swap(at, last);
    format!("{{{}}}", members.join(","))
}

#[test]
fn random_statements_read_the_same() {
    let mut g = Rng(0x5747_a7e3_e175_0b1d);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..4000 {
        if agree(&statement(&mut g)) {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(accepted > 1000 && refused > 1000, "{accepted} {refused}");
}

#[test]
fn predicate_errors_name_the_field() {
    let with = |predicate: &str| {
        format!(
            "{{\"_type\":\"{STATEMENT_V1}\",\"subject\":[],\"predicateType\":\"x\",\"predicate\":{predicate}}}"
        )
    };
    let refused = |text: &str| {
        assert!(!agree(text), "{text}");
        StatementJson::from_json(text.as_bytes()).unwrap_err()
    };
    assert!(matches!(refused(&with("null")), Error::Null { field } if field == "predicate"));
    assert!(matches!(
        refused(&with(r#"{"a":{"b":[{"k":1,"k":2}]}}"#)),
        Error::DuplicateKey { field, key } if field == "predicate.a.b" && key == "k"
    ));
    // Past the linear key scan, and a repeat spelled with an escape.
    let many: Vec<String> = (0..30).map(|i| format!("\"k{i}\":{i}")).collect();
    assert!(matches!(
        refused(&with(&format!("{{{},\"k29\":0}}", many.join(",")))),
        Error::DuplicateKey { field, key } if field == "predicate" && key == "k29"
    ));
    assert!(matches!(
        refused(&with(r#"{"k":1,"\u006b":2}"#)),
        Error::DuplicateKey { key, .. } if key == "k"
    ));
    let top = format!(
        "{{\"_type\":\"{STATEMENT_V1}\",\"subject\":[],\"predicateType\":\"x\",\"predicate\":1,\"predicate\":2}}"
    );
    assert!(matches!(
        refused(&top),
        Error::DuplicateKey { field, key } if field == "$" && key == "predicate"
    ));
    // The predicate is at depth 1: 63 nested arrays are the most the limit allows.
    let nested = |n: usize| with(&format!("{}{}", "[".repeat(n), "]".repeat(n)));
    assert!(agree(&nested(MAX_JSON_DEPTH - 1)));
    assert!(matches!(
        refused(&nested(MAX_JSON_DEPTH)),
        Error::TooDeep { max } if max == MAX_JSON_DEPTH
    ));
    assert!(matches!(refused(&with("[1,]")), Error::Json { .. }));
}

#[test]
fn fields_and_serialization() {
    let v = json!({
        "_type": STATEMENT_V1,
        "subject": [{"name": "a.txt", "digest": {"sha256": "ab", "sha512": "cd"}, "uri": "u"}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"z": [1, {"y": null}], "a": "é"}
    });
    let text = serde_json::to_string(&v).unwrap();
    assert!(agree(&text));
    let s = StatementJson::from_json(text.as_bytes()).unwrap();
    assert_eq!(s.statement_type(), STATEMENT_V1);
    assert_eq!(s.predicate_type(), "https://slsa.dev/provenance/v1");
    assert!(s.has_predicate());
    assert_eq!(s.subjects()[0].name.as_deref(), Some("a.txt"));
    assert_eq!(s.subjects()[0].digest["sha512"], "cd");
    assert_eq!(s.subjects()[0].other_fields["uri"], json!("u"));
    assert_eq!(s.to_value().unwrap(), v);
    assert_eq!(serde_json::to_value(&s).unwrap(), v);
    let none: Value = json!({"_type": STATEMENT_V1, "subject": [], "predicateType": "x"});
    let s = StatementJson::from_json(serde_json::to_string(&none).unwrap().as_bytes()).unwrap();
    assert!(!s.has_predicate());
    assert_eq!(serde_json::to_value(&s).unwrap(), none);
}
