//! Identity tokens: unverified JWT claim parsing (RFC 7519) for Sigstore keyless signing.

use base64_simd::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Largest token accepted, in bytes. Checked before the token is split on `.` so hostile
/// input (for example a million dots, cf. CVE-2025-66506) is rejected in O(1) memory.
/// Real OIDC identity tokens are 1–4 KiB.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Clock-skew allowance, in seconds, applied to `nbf` only: a token whose `nbf` is up to this
/// far in the future is still accepted, because issuers' clocks run slightly ahead of ours.
/// `exp` gets no allowance: an expired token is never sent to Fulcio.
pub const NBF_CLOCK_SKEW_SECONDS: i64 = 60;

/// The claims of an identity token that Sigstore uses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Claims {
    /// `iss`: the issuer URL.
    pub iss: String,
    /// `sub`: the subject, if present.
    pub sub: Option<String>,
    /// `email`, if present.
    pub email: Option<String>,
    /// `email_verified` (JSON boolean, or the strings `"true"`/`"false"` some issuers send).
    pub email_verified: Option<bool>,
    /// `aud`: the audiences (a JSON string becomes a one-element list). Never empty.
    pub aud: Vec<String>,
    /// `exp` (Unix seconds).
    pub exp: i64,
    /// `nbf` (Unix seconds), if present.
    pub nbf: Option<i64>,
    /// `iat` (Unix seconds), if present.
    pub iat: Option<i64>,
    /// `nonce` (OIDC Core §2), if present.
    pub nonce: Option<String>,
}

/// An OIDC identity token (a JWT) with its claims parsed.
///
/// **The signature is not verified here.** The client only reads the claims to pick the
/// identity and to fail early on expired or wrongly scoped tokens; Fulcio verifies the token
/// against the issuer's keys when it issues the certificate. Never treat these claims as
/// authenticated.
///
/// The raw token is a bearer credential: `Debug` redacts it, there is no `Display`, and
/// [`IdentityToken::as_str`] exists only to send it to Fulcio.
#[derive(Clone)]
pub struct IdentityToken {
    raw: String,
    claims: Claims,
}

impl std::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityToken")
            .field("token", &"<redacted>")
            .field("iss", &self.claims.iss)
            .field("identity", &self.identity())
            .field("aud", &self.claims.aud)
            .field("exp", &self.claims.exp)
            .finish()
    }
}

impl IdentityToken {
    /// Parses a compact JWT (RFC 7519 §7.2, RFC 7515 §7.1): exactly three base64url segments
    /// without padding, a JSON-object header, a JSON-object claim set and a non-empty
    /// signature segment. Requires `iss`, `aud` (string or array of strings), `exp`, and `sub`
    /// or `email`. Time claims are not checked here; call [`IdentityToken::check`].
    ///
    /// The input is used exactly as given (no trimming); sources trim whitespace themselves.
    pub fn parse(token: &str) -> Result<Self> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::TokenTooLarge {
                limit: MAX_TOKEN_BYTES,
                found: token.len(),
            });
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::Malformed {
                why: "expected 3 dot-separated segments, found fewer",
            });
        };
        if parts.next().is_some() {
            return Err(Error::Malformed {
                why: "expected 3 dot-separated segments, found more",
            });
        }
        let header = decode_segment(header, "header")?;
        let payload = decode_segment(payload, "payload")?;
        if signature.is_empty() {
            return Err(Error::Malformed {
                why: "empty signature segment (unsigned token)",
            });
        }
        decode_segment(signature, "signature")?;

        let header: Value = serde_json::from_slice(&header).map_err(|_| Error::Malformed {
            why: "header is not JSON",
        })?;
        if !header.is_object() {
            return Err(Error::Malformed {
                why: "header is not a JSON object",
            });
        }
        let payload: Value = serde_json::from_slice(&payload).map_err(|_| Error::Malformed {
            why: "payload is not JSON",
        })?;
        let Value::Object(map) = payload else {
            return Err(Error::Malformed {
                why: "payload is not a JSON object",
            });
        };
        let claims = claims_from_map(&map)?;
        Ok(Self {
            raw: token.to_owned(),
            claims,
        })
    }

    /// The raw token, only for sending it to Fulcio (or another relying party). Do not log it.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// All parsed claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The `iss` claim.
    pub fn issuer(&self) -> &str {
        &self.claims.iss
    }

    /// The `sub` claim.
    pub fn subject(&self) -> Option<&str> {
        self.claims.sub.as_deref()
    }

    /// The `email` claim.
    pub fn email(&self) -> Option<&str> {
        self.claims.email.as_deref()
    }

    /// The audiences.
    pub fn audience(&self) -> &[String] {
        &self.claims.aud
    }

    /// `exp` in Unix seconds.
    pub fn expires_at(&self) -> i64 {
        self.claims.exp
    }

    /// The identity Fulcio will put in the certificate for email-based issuers: the `email`
    /// claim when present and `email_verified` is not `false`, otherwise `sub`.
    pub fn identity(&self) -> &str {
        match (&self.claims.email, self.claims.email_verified) {
            (Some(email), Some(true) | None) => email,
            _ => self.claims.sub.as_deref().unwrap_or_default(),
        }
    }

    /// Checks the time claims and the audience at `now` (Unix seconds):
    /// `now < exp` (no skew), `nbf <= now + NBF_CLOCK_SKEW_SECONDS`, and `expected_audience`
    /// is one of the `aud` values (RFC 7519 §4.1.3–4.1.5).
    pub fn check(&self, now: i64, expected_audience: &str) -> Result<()> {
        if now >= self.claims.exp {
            return Err(Error::Expired {
                exp: self.claims.exp,
                now,
            });
        }
        if let Some(nbf) = self.claims.nbf {
            if nbf > now.saturating_add(NBF_CLOCK_SKEW_SECONDS) {
                return Err(Error::NotYetValid { nbf, now });
            }
        }
        if !self.claims.aud.iter().any(|a| a == expected_audience) {
            return Err(Error::WrongAudience {
                expected: expected_audience.to_owned(),
                found: self.claims.aud.clone(),
            });
        }
        Ok(())
    }
}

fn decode_segment(segment: &str, which: &'static str) -> Result<Vec<u8>> {
    if segment.contains('=') {
        return Err(Error::Malformed {
            why: match which {
                "header" => "header segment has base64 padding",
                "payload" => "payload segment has base64 padding",
                _ => "signature segment has base64 padding",
            },
        });
    }
    URL_SAFE_NO_PAD
        .decode_to_vec(segment.as_bytes())
        .map_err(|_| Error::Malformed {
            why: match which {
                "header" => "header segment is not base64url",
                "payload" => "payload segment is not base64url",
                _ => "signature segment is not base64url",
            },
        })
}

fn string_claim(map: &Map<String, Value>, name: &'static str) -> Result<Option<String>> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::MissingClaim { claim: name }),
    }
}

/// NumericDate (RFC 7519 §2): a JSON number of seconds; fractions are truncated.
fn time_claim(map: &Map<String, Value>, name: &'static str) -> Result<Option<i64>> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else if let Some(f) = n.as_f64() {
                if f.is_finite() && f.abs() < 1e15 {
                    // Bounded above, so the cast cannot saturate.
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(Some(f.trunc() as i64))
                } else {
                    Err(Error::MissingClaim { claim: name })
                }
            } else {
                Err(Error::MissingClaim { claim: name })
            }
        }
        Some(_) => Err(Error::MissingClaim { claim: name }),
    }
}

fn claims_from_map(map: &Map<String, Value>) -> Result<Claims> {
    let iss = string_claim(map, "iss")?
        .filter(|s| !s.is_empty())
        .ok_or(Error::MissingClaim { claim: "iss" })?;
    let sub = string_claim(map, "sub")?.filter(|s| !s.is_empty());
    let email = string_claim(map, "email")?.filter(|s| !s.is_empty());
    let email_verified = match map.get("email_verified") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s == "true" => Some(true),
        Some(Value::String(s)) if s == "false" => Some(false),
        Some(_) => {
            return Err(Error::MissingClaim {
                claim: "email_verified",
            })
        }
    };
    let aud = match map.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    _ => return Err(Error::MissingClaim { claim: "aud" }),
                }
            }
            out
        }
        _ => Vec::new(),
    };
    if aud.is_empty() {
        return Err(Error::MissingClaim { claim: "aud" });
    }
    let exp = time_claim(map, "exp")?.ok_or(Error::MissingClaim { claim: "exp" })?;
    let nbf = time_claim(map, "nbf")?;
    let iat = time_claim(map, "iat")?;
    let nonce = string_claim(map, "nonce")?;
    let usable_email = matches!(email_verified, Some(true) | None) && email.is_some();
    if sub.is_none() && !usable_email {
        return Err(Error::MissingClaim { claim: "sub" });
    }
    Ok(Claims {
        iss,
        sub,
        email,
        email_verified,
        aud,
        exp,
        nbf,
        iat,
        nonce,
    })
}

/// The current time in Unix seconds (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
