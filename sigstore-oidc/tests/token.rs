//! Identity token parsing and checking: table tests over malformed, incomplete, expired,
//! not-yet-valid, wrongly scoped and oversized tokens (bad-inputs.md §8, advisories.md H).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_oidc::{Error, IdentityToken, MAX_TOKEN_BYTES, NBF_CLOCK_SKEW_SECONDS};

const NOW: i64 = 1_700_000_000;

fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

fn jwt(claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        b64(br#"{"alg":"RS256","kid":"k"}"#),
        b64(claims.to_string().as_bytes()),
        b64(b"not-a-real-signature")
    )
}

fn good_claims() -> Value {
    json!({
        "iss": "https://issuer.example",
        "sub": "subject-123",
        "email": "alice@example.com",
        "email_verified": true,
        "aud": "sigstore",
        "exp": NOW + 600,
        "nbf": NOW - 10,
        "iat": NOW - 10,
    })
}

fn with(mut v: Value, key: &str, val: Value) -> Value {
    v[key] = val;
    v
}

fn without(mut v: Value, key: &str) -> Value {
    v.as_object_mut().unwrap().remove(key);
    v
}

#[test]
fn good_token_parses_and_checks() {
    let raw = jwt(&good_claims());
    let t = IdentityToken::parse(&raw).unwrap();
    assert_eq!(t.issuer(), "https://issuer.example");
    assert_eq!(t.identity(), "alice@example.com");
    assert_eq!(t.subject(), Some("subject-123"));
    assert_eq!(t.audience(), ["sigstore".to_owned()]);
    assert_eq!(t.expires_at(), NOW + 600);
    assert_eq!(t.claims().nbf, Some(NOW - 10));
    assert_eq!(t.claims().iat, Some(NOW - 10));
    assert_eq!(t.as_str(), raw);
    t.check(NOW, "sigstore").unwrap();
}

#[test]
fn debug_redacts_the_token() {
    let raw = jwt(&good_claims());
    let t = IdentityToken::parse(&raw).unwrap();
    let dbg = format!("{t:?}");
    assert!(dbg.contains("<redacted>"));
    for segment in raw.split('.') {
        assert!(!dbg.contains(segment), "Debug leaks a token segment");
    }
    let err = IdentityToken::parse(&format!("{raw}.extra")).unwrap_err();
    assert!(!format!("{err:?} {err}").contains(raw.split('.').nth(1).unwrap()));
}

#[test]
fn identity_rules() {
    // No email: the subject.
    let t = IdentityToken::parse(&jwt(&without(good_claims(), "email"))).unwrap();
    assert_eq!(t.identity(), "subject-123");
    // email_verified false: the subject.
    let t =
        IdentityToken::parse(&jwt(&with(good_claims(), "email_verified", json!(false)))).unwrap();
    assert_eq!(t.identity(), "subject-123");
    // email_verified absent: the email.
    let t = IdentityToken::parse(&jwt(&without(good_claims(), "email_verified"))).unwrap();
    assert_eq!(t.identity(), "alice@example.com");
    // email_verified as a string (some issuers).
    let t =
        IdentityToken::parse(&jwt(&with(good_claims(), "email_verified", json!("true")))).unwrap();
    assert_eq!(t.claims().email_verified, Some(true));
    // Email only, no sub.
    let t = IdentityToken::parse(&jwt(&without(good_claims(), "sub"))).unwrap();
    assert_eq!(t.identity(), "alice@example.com");
}

#[test]
fn audience_array_and_float_times() {
    let c = with(good_claims(), "aud", json!(["other", "sigstore"]));
    let c = with(c, "exp", json!((NOW + 600) as f64 + 0.5));
    let t = IdentityToken::parse(&jwt(&c)).unwrap();
    assert_eq!(t.audience().len(), 2);
    assert_eq!(t.expires_at(), NOW + 600);
    t.check(NOW, "sigstore").unwrap();
    t.check(NOW, "other").unwrap();
}

#[test]
fn malformed_table() {
    let good = jwt(&good_claims());
    let parts: Vec<&str> = good.split('.').collect();
    let header = parts[0];
    let payload = parts[1];
    let sig = parts[2];
    let padded_payload = URL_SAFE.encode(good_claims().to_string().as_bytes() as &[u8]);
    let padded_payload = if padded_payload.ends_with('=') {
        padded_payload
    } else {
        format!("{padded_payload}=")
    };
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("one segment", header.to_owned()),
        ("two segments", format!("{header}.{payload}")),
        ("four segments", format!("{good}.{sig}")),
        ("five empty segments", "....".to_owned()),
        ("bad base64url header", format!("{header}*.{payload}.{sig}")),
        (
            "standard base64 alphabet",
            format!("{header}.{}+/.{sig}", payload),
        ),
        ("padding", format!("{header}.{padded_payload}.{sig}")),
        ("empty signature", format!("{header}.{payload}.")),
        ("bad base64 signature", format!("{header}.{payload}.!!")),
        (
            "non-JSON payload",
            format!("{header}.{}.{sig}", b64(b"hello")),
        ),
        (
            "non-JSON header",
            format!("{}.{payload}.{sig}", b64(b"{not json")),
        ),
        ("array header", format!("{}.{payload}.{sig}", b64(b"[1]"))),
        ("array payload", format!("{header}.{}.{sig}", b64(b"[1,2]"))),
        (
            "string payload",
            format!("{header}.{}.{sig}", b64(b"\"x\"")),
        ),
        ("whitespace around", format!(" {good}\n")),
    ];
    for (name, input) in cases {
        match IdentityToken::parse(&input) {
            Err(Error::Malformed { .. }) => {}
            other => panic!("{name}: expected Malformed, got {other:?}"),
        }
    }
}

#[test]
fn missing_claims_table() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("no iss", without(good_claims(), "iss"), "iss"),
        ("empty iss", with(good_claims(), "iss", json!("")), "iss"),
        ("numeric iss", with(good_claims(), "iss", json!(5)), "iss"),
        ("no aud", without(good_claims(), "aud"), "aud"),
        (
            "empty aud array",
            with(good_claims(), "aud", json!([])),
            "aud",
        ),
        ("numeric aud", with(good_claims(), "aud", json!(7)), "aud"),
        (
            "aud array with number",
            with(good_claims(), "aud", json!(["a", 1])),
            "aud",
        ),
        ("no exp", without(good_claims(), "exp"), "exp"),
        (
            "string exp",
            with(good_claims(), "exp", json!("soon")),
            "exp",
        ),
        (
            "huge float exp",
            with(good_claims(), "exp", json!(1e300)),
            "exp",
        ),
        ("string nbf", with(good_claims(), "nbf", json!("x")), "nbf"),
        (
            "no sub and no email",
            without(without(good_claims(), "sub"), "email"),
            "sub",
        ),
        (
            "no sub and unverified email",
            with(
                without(good_claims(), "sub"),
                "email_verified",
                json!(false),
            ),
            "sub",
        ),
        ("numeric sub", with(good_claims(), "sub", json!(1)), "sub"),
        (
            "weird email_verified",
            with(good_claims(), "email_verified", json!("yes")),
            "email_verified",
        ),
    ];
    for (name, claims, claim) in cases {
        match IdentityToken::parse(&jwt(&claims)) {
            Err(Error::MissingClaim { claim: c }) if c == claim => {}
            other => panic!("{name}: expected MissingClaim({claim}), got {other:?}"),
        }
    }
}

#[test]
fn expired() {
    let t = IdentityToken::parse(&jwt(&good_claims())).unwrap();
    assert!(matches!(
        t.check(NOW + 600, "sigstore"),
        Err(Error::Expired { exp, now }) if exp == NOW + 600 && now == NOW + 600
    ));
    assert!(matches!(
        t.check(NOW + 10_000, "sigstore"),
        Err(Error::Expired { .. })
    ));
    t.check(NOW + 599, "sigstore").unwrap();
}

#[test]
fn not_yet_valid_with_skew() {
    let c = with(good_claims(), "nbf", json!(NOW + NBF_CLOCK_SKEW_SECONDS));
    IdentityToken::parse(&jwt(&c))
        .unwrap()
        .check(NOW, "sigstore")
        .unwrap();
    let c = with(
        good_claims(),
        "nbf",
        json!(NOW + NBF_CLOCK_SKEW_SECONDS + 1),
    );
    let t = IdentityToken::parse(&jwt(&c)).unwrap();
    assert!(matches!(
        t.check(NOW, "sigstore"),
        Err(Error::NotYetValid { nbf, now }) if nbf == NOW + NBF_CLOCK_SKEW_SECONDS + 1 && now == NOW
    ));
}

#[test]
fn wrong_audience() {
    let t = IdentityToken::parse(&jwt(&with(good_claims(), "aud", json!(["a", "b"])))).unwrap();
    match t.check(NOW, "sigstore") {
        Err(Error::WrongAudience { expected, found }) => {
            assert_eq!(expected, "sigstore");
            assert_eq!(found, vec!["a".to_owned(), "b".to_owned()]);
        }
        other => panic!("expected WrongAudience, got {other:?}"),
    }
}

#[test]
fn oversized() {
    let c = with(good_claims(), "pad", json!("x".repeat(MAX_TOKEN_BYTES)));
    let raw = jwt(&c);
    assert!(matches!(
        IdentityToken::parse(&raw),
        Err(Error::TokenTooLarge { limit, found }) if limit == MAX_TOKEN_BYTES && found == raw.len()
    ));
    // Exactly at the limit is still parsed (and fails or succeeds on content, not size).
    let at = "a".repeat(MAX_TOKEN_BYTES);
    assert!(matches!(
        IdentityToken::parse(&at),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn a_million_dots_rejected_fast() {
    let dots = ".".repeat(1_000_000);
    let start = std::time::Instant::now();
    let err = IdentityToken::parse(&dots).unwrap_err();
    assert!(matches!(
        err,
        Error::TokenTooLarge {
            found: 1_000_000,
            ..
        }
    ));
    // Just under the cap: rejected on the 4th segment without collecting the rest.
    let dots = ".".repeat(MAX_TOKEN_BYTES);
    assert!(matches!(
        IdentityToken::parse(&dots),
        Err(Error::Malformed { .. })
    ));
    assert!(start.elapsed() < std::time::Duration::from_millis(500));
}

#[test]
fn parse_trimmed_strips_whitespace() {
    let raw = jwt(&good_claims());
    let t = sigstore_oidc::parse_trimmed(&format!("  {raw}\r\n")).unwrap();
    assert_eq!(t.as_str(), raw);
}
