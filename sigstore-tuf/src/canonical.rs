//! OLPC canonical JSON as produced by securesystemslib (`encode_canonical`),
//! which is what TUF signatures are computed over.
//!
//! Rules: object keys sorted by code point, no insignificant whitespace,
//! only strings, integers, booleans, null, arrays and objects (floats are
//! rejected), and strings escape only `"` and `\` (all other characters,
//! including control characters and non-ASCII, are emitted as raw UTF-8).

use crate::error::{Error, Result};
use serde_json::Value;

/// Encodes `value` as OLPC canonical JSON.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_value(value, &mut out)?;
    Ok(out)
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else {
                return Err(Error::Canonical {
                    reason: "floating point numbers are not allowed",
                });
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Sort explicitly: serde_json's map may preserve insertion order
            // if another crate enables `preserve_order`. Byte order of UTF-8
            // equals code point order.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_value(v, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_strips_whitespace() {
        let v: Value =
            serde_json::from_str(r#"{ "b": [1, 2, {"z": null, "a": true}], "a": "x" }"#).unwrap();
        assert_eq!(
            canonicalize(&v).unwrap(),
            br#"{"a":"x","b":[1,2,{"a":true,"z":null}]}"#.to_vec()
        );
    }

    #[test]
    fn escapes_only_quote_and_backslash() {
        let v = json!({"k": "a\"b\\c\nd\u{e9}\u{1}"});
        let out = canonicalize(&v).unwrap();
        let mut expected = br#"{"k":"a\"b\\c"#.to_vec();
        expected.push(b'\n');
        expected.push(b'd');
        expected.extend_from_slice("\u{e9}".as_bytes());
        expected.push(1);
        expected.extend_from_slice(b"\"}");
        assert_eq!(out, expected);
    }

    #[test]
    fn negative_and_large_integers() {
        let v = json!([-5, 0, u64::MAX, false]);
        assert_eq!(
            canonicalize(&v).unwrap(),
            format!("[-5,0,{},false]", u64::MAX).into_bytes()
        );
    }

    #[test]
    fn rejects_floats() {
        let v = json!({"x": 1.5});
        assert!(matches!(canonicalize(&v), Err(Error::Canonical { .. })));
    }

    #[test]
    fn sorts_by_code_point() {
        let v = json!({"\u{e9}": 1, "z": 2, "A": 3, "_type": 4});
        assert_eq!(
            canonicalize(&v).unwrap(),
            "{\"A\":3,\"_type\":4,\"z\":2,\"\u{e9}\":1}"
                .as_bytes()
                .to_vec()
        );
    }
}
