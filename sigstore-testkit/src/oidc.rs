//! The OIDC issuer: discovery (OpenID Connect Discovery 1.0 §3), JWKS (RFC 7517), ES256 ID
//! tokens (RFC 7519 / RFC 7518 §3.4), the authorization-code flow with PKCE S256 (RFC 7636)
//! and `state`, and the device authorization grant (RFC 8628).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sigstore_crypto::{HashAlgorithm, KeySigner, PublicKey, SignatureScheme, Signer};

use crate::faults::{Fault, Faults, Service};
use crate::http::{url_encode, Handler, Request, Response};
use crate::pki::random_bytes;
use crate::{now, Error};

/// Audience Fulcio requires.
pub const SIGSTORE_AUDIENCE: &str = "sigstore";
/// Default token lifetime (seconds).
pub const DEFAULT_TOKEN_TTL_SECS: i64 = 300;
/// Lifetime of device codes (seconds).
pub const DEVICE_CODE_TTL_SECS: i64 = 600;
/// Polling interval advertised for the device grant (seconds).
pub const DEVICE_POLL_INTERVAL_SECS: i64 = 1;
/// Largest token the issuer's verifier accepts (bytes).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Claims of a token to mint. `iss` is always the issuer's URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// `sub`.
    pub sub: String,
    /// `email` (with `email_verified: true`), if any.
    #[serde(default)]
    pub email: Option<String>,
    /// `aud` (default `sigstore`).
    #[serde(default = "default_aud")]
    pub aud: String,
    /// `iat`; now when `None`.
    #[serde(default)]
    pub iat: Option<i64>,
    /// `exp`; `iat + 300` when `None`.
    #[serde(default)]
    pub exp: Option<i64>,
    /// Extra claims merged into the payload.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

fn default_aud() -> String {
    SIGSTORE_AUDIENCE.to_string()
}

impl TokenClaims {
    /// An email identity: `sub` and `email` both set to `email`.
    pub fn email(email: &str) -> Self {
        TokenClaims {
            sub: email.to_string(),
            email: Some(email.to_string()),
            aud: default_aud(),
            iat: None,
            exp: None,
            extra: Map::new(),
        }
    }

    /// A subject-only identity (Fulcio issues a URI SAN for it).
    pub fn subject(sub: &str) -> Self {
        TokenClaims {
            email: None,
            ..TokenClaims::email(sub)
        }
    }

    /// Replace the audience.
    pub fn with_audience(mut self, aud: &str) -> Self {
        self.aud = aud.to_string();
        self
    }

    /// Set explicit `iat` and `exp`.
    pub fn with_times(mut self, iat: i64, exp: i64) -> Self {
        self.iat = Some(iat);
        self.exp = Some(exp);
        self
    }
}

/// Claims of a verified token, as Fulcio uses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VerifiedClaims {
    pub iss: String,
    pub sub: String,
    pub email: Option<String>,
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    code_challenge: Option<String>,
    claims: TokenClaims,
    nonce: Option<String>,
}

struct Device {
    user_code: String,
    expires: i64,
    approved: Option<TokenClaims>,
    denied: bool,
}

/// The issuer's state.
pub(crate) struct Oidc {
    pub url: String,
    key: Arc<KeySigner>,
    kid: String,
    faults: Faults,
    codes: Mutex<HashMap<String, PendingCode>>,
    devices: Mutex<HashMap<String, Device>>,
    default_claims: Mutex<TokenClaims>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn random_token() -> Result<String, Error> {
    Ok(hex::encode(random_bytes::<16>()?))
}

/// Key ID of the issuer key: hex of the first 8 bytes of SHA-256(SPKI).
fn kid_for(key: &PublicKey) -> String {
    hex::encode(
        HashAlgorithm::Sha256
            .hash(key.spki_der())
            .as_bytes()
            .get(..8)
            .unwrap_or(&[]),
    )
}

impl Oidc {
    pub fn new(url: String, key: Arc<KeySigner>, faults: Faults) -> Self {
        let kid = kid_for(key.public_key());
        Oidc {
            url,
            key,
            kid,
            faults,
            codes: Mutex::new(HashMap::new()),
            devices: Mutex::new(HashMap::new()),
            default_claims: Mutex::new(TokenClaims::email("alice@example.com")),
        }
    }

    pub fn set_default_claims(&self, claims: TokenClaims) {
        *lock(&self.default_claims) = claims;
    }

    pub fn default_claims(&self) -> TokenClaims {
        lock(&self.default_claims).clone()
    }

    pub fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// Mint a token; the `ExpiredToken` and `WrongAudience` faults apply.
    pub fn mint(&self, claims: &TokenClaims, nonce: Option<&str>) -> Result<String, Error> {
        let t = now();
        let mut iat = claims.iat.unwrap_or(t);
        let mut exp = claims.exp.unwrap_or(iat + DEFAULT_TOKEN_TTL_SECS);
        let mut aud = claims.aud.clone();
        if self.faults.hit(Service::Oidc, &Fault::ExpiredToken) {
            iat = t - 2 * DEFAULT_TOKEN_TTL_SECS;
            exp = t - DEFAULT_TOKEN_TTL_SECS;
        }
        if self.faults.hit(Service::Oidc, &Fault::WrongAudience) {
            aud = "not-sigstore".to_string();
        }
        let mut payload = claims.extra.clone();
        payload.insert("iss".into(), json!(self.url));
        payload.insert("sub".into(), json!(claims.sub));
        payload.insert("aud".into(), json!(aud));
        payload.insert("iat".into(), json!(iat));
        payload.insert("nbf".into(), json!(iat));
        payload.insert("exp".into(), json!(exp));
        if let Some(e) = &claims.email {
            payload.insert("email".into(), json!(e));
            payload.insert("email_verified".into(), json!(true));
        }
        if let Some(n) = nonce {
            payload.insert("nonce".into(), json!(n));
        }
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": self.kid});
        let signing_input = format!(
            "{}.{}",
            B64URL.encode(header.to_string()),
            B64URL.encode(Value::Object(payload).to_string())
        );
        let der_sig = self.key.sign(signing_input.as_bytes())?;
        let sig = p256::ecdsa::Signature::from_der(&der_sig)
            .map_err(|_| Error::UnsupportedKey("issuer key must be P-256"))?;
        Ok(format!("{signing_input}.{}", B64URL.encode(sig.to_bytes())))
    }

    /// Verify a token minted by this issuer (signature, `iss`, audience, expiry).
    pub fn verify(&self, token: &str, audience: &str) -> Result<VerifiedClaims, Error> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::InvalidToken {
                reason: "too large",
            });
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::InvalidToken {
                reason: "not a compact JWS",
            });
        };
        let header: Value = B64URL
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(Error::InvalidToken { reason: "header" })?;
        if header.get("alg").and_then(Value::as_str) != Some("ES256") {
            return Err(Error::InvalidToken { reason: "alg" });
        }
        let raw_sig = B64URL.decode(s).map_err(|_| Error::InvalidToken {
            reason: "signature encoding",
        })?;
        let sig =
            p256::ecdsa::Signature::from_slice(&raw_sig).map_err(|_| Error::InvalidToken {
                reason: "signature encoding",
            })?;
        let signing_input = format!("{h}.{p}");
        self.key
            .public_key()
            .verify(
                SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
                signing_input.as_bytes(),
                sig.to_der().as_bytes(),
            )
            .map_err(|_| Error::InvalidToken {
                reason: "signature",
            })?;
        let payload: Value = B64URL
            .decode(p)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(Error::InvalidToken { reason: "payload" })?;
        let iss = payload
            .get("iss")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if iss != self.url {
            return Err(Error::InvalidToken { reason: "issuer" });
        }
        let auds: Vec<String> = match payload.get("aud") {
            Some(Value::String(a)) => vec![a.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        };
        if !auds.iter().any(|a| a == audience) {
            return Err(Error::WrongAudience {
                expected: audience.to_string(),
                found: auds,
            });
        }
        let exp = payload.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let t = now();
        if exp <= t {
            return Err(Error::TokenExpired { exp, now: t });
        }
        let sub = payload
            .get("sub")
            .and_then(Value::as_str)
            .ok_or(Error::InvalidToken {
                reason: "missing sub",
            })?
            .to_string();
        let email_verified = payload.get("email_verified").and_then(Value::as_bool) != Some(false);
        let email = payload
            .get("email")
            .and_then(Value::as_str)
            .filter(|_| email_verified)
            .map(String::from);
        Ok(VerifiedClaims {
            iss: iss.to_string(),
            sub,
            email,
        })
    }

    /// Approve a pending device authorization by its user code.
    pub fn approve_device(&self, user_code: &str, claims: Option<TokenClaims>) -> bool {
        let claims = claims.unwrap_or_else(|| self.default_claims());
        let mut devices = lock(&self.devices);
        match devices.values_mut().find(|d| d.user_code == user_code) {
            Some(d) => {
                d.approved = Some(claims);
                true
            }
            None => false,
        }
    }

    fn jwks(&self) -> Value {
        let raw = self.key.public_key().raw_public_key();
        let x = raw.get(1..33).unwrap_or(&[]);
        let y = raw.get(33..65).unwrap_or(&[]);
        json!({"keys": [{
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid,
            "x": B64URL.encode(x), "y": B64URL.encode(y)
        }]})
    }

    fn discovery(&self) -> Value {
        let u = &self.url;
        json!({
            "issuer": u,
            "authorization_endpoint": format!("{u}/authorize"),
            "token_endpoint": format!("{u}/token"),
            "jwks_uri": format!("{u}/jwks"),
            "device_authorization_endpoint": format!("{u}/device/code"),
            "userinfo_endpoint": format!("{u}/userinfo"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": [
                "authorization_code",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:device_code"
            ],
            "scopes_supported": ["openid", "email"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "email", "email_verified", "nonce"]
        })
    }

    fn token_response(&self, claims: &TokenClaims, nonce: Option<&str>) -> Response {
        match self.mint(claims, nonce) {
            Ok(tok) => Response::json(
                200,
                &json!({
                    "access_token": tok, "id_token": tok, "token_type": "Bearer",
                    "expires_in": DEFAULT_TOKEN_TTL_SECS, "scope": "openid email"
                }),
            ),
            Err(_) => oauth_error(500, "server_error"),
        }
    }

    fn authorize(&self, req: &Request) -> Response {
        let q = |k: &str| req.query(k).map(String::from);
        let (Some(redirect_uri), Some(client_id)) = (q("redirect_uri"), q("client_id")) else {
            return oauth_error(400, "invalid_request");
        };
        // The redirect URI ends up in a Location header: no control characters.
        if redirect_uri.chars().any(char::is_control) {
            return oauth_error(400, "invalid_request");
        }
        if q("response_type").as_deref() != Some("code") {
            return oauth_error(400, "unsupported_response_type");
        }
        let challenge = q("code_challenge");
        if challenge.is_some() && q("code_challenge_method").as_deref().unwrap_or("plain") != "S256"
        {
            return oauth_error(400, "invalid_request");
        }
        let mut claims = self.default_claims();
        if let Some(hint) = q("login_hint") {
            claims = TokenClaims::email(&hint);
        }
        let Ok(code) = random_token() else {
            return oauth_error(500, "server_error");
        };
        lock(&self.codes).insert(
            code.clone(),
            PendingCode {
                client_id,
                redirect_uri: redirect_uri.clone(),
                code_challenge: challenge,
                claims,
                nonce: q("nonce"),
            },
        );
        let mut location = format!(
            "{redirect_uri}{}code={}",
            if redirect_uri.contains('?') { '&' } else { '?' },
            url_encode(&code)
        );
        if let Some(state) = q("state") {
            let state = if self.faults.hit(Service::Oidc, &Fault::WrongState) {
                format!("tampered-{state}")
            } else {
                state
            };
            location.push_str(&format!("&state={}", url_encode(&state)));
        }
        Response::redirect(&location)
    }

    fn token(&self, req: &Request) -> Response {
        let form = req.form();
        let f = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        match f("grant_type").as_deref() {
            Some("authorization_code") => {
                let Some(code) = f("code") else {
                    return oauth_error(400, "invalid_request");
                };
                let Some(pending) = lock(&self.codes).remove(&code) else {
                    return oauth_error(400, "invalid_grant");
                };
                if f("redirect_uri").is_some_and(|r| r != pending.redirect_uri)
                    || f("client_id").is_some_and(|c| c != pending.client_id)
                {
                    return oauth_error(400, "invalid_grant");
                }
                if let Some(challenge) = &pending.code_challenge {
                    let Some(verifier) = f("code_verifier") else {
                        return oauth_error(400, "invalid_grant");
                    };
                    let computed =
                        B64URL.encode(HashAlgorithm::Sha256.hash(verifier.as_bytes()).as_bytes());
                    if &computed != challenge {
                        return oauth_error(400, "invalid_grant");
                    }
                }
                self.token_response(&pending.claims, pending.nonce.as_deref())
            }
            Some("urn:ietf:params:oauth:grant-type:device_code") => {
                let Some(device_code) = f("device_code") else {
                    return oauth_error(400, "invalid_request");
                };
                let mut devices = lock(&self.devices);
                let Some(d) = devices.get(&device_code) else {
                    return oauth_error(400, "invalid_grant");
                };
                if d.expires <= now() {
                    devices.remove(&device_code);
                    return oauth_error(400, "expired_token");
                }
                if d.denied {
                    devices.remove(&device_code);
                    return oauth_error(400, "access_denied");
                }
                match d.approved.clone() {
                    None => oauth_error(400, "authorization_pending"),
                    Some(claims) => {
                        devices.remove(&device_code);
                        drop(devices);
                        self.token_response(&claims, None)
                    }
                }
            }
            Some("client_credentials") | Some("password") => {
                let mut claims = match (f("email"), f("sub")) {
                    (Some(e), sub) => TokenClaims {
                        sub: sub.unwrap_or_else(|| e.clone()),
                        ..TokenClaims::email(&e)
                    },
                    (None, Some(s)) => TokenClaims::subject(&s),
                    (None, None) => self.default_claims(),
                };
                if let Some(aud) = f("aud").or_else(|| f("audience")) {
                    claims.aud = aud;
                }
                self.token_response(&claims, None)
            }
            _ => oauth_error(400, "unsupported_grant_type"),
        }
    }

    fn device_code(&self) -> Response {
        let (Ok(device_code), Ok(raw)) = (random_token(), random_bytes::<8>()) else {
            return oauth_error(500, "server_error");
        };
        const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
        let letters: String = raw
            .iter()
            .map(|b| {
                char::from(
                    *ALPHABET
                        .get(usize::from(*b) % ALPHABET.len())
                        .unwrap_or(&b'B'),
                )
            })
            .collect();
        let user_code = format!(
            "{}-{}",
            letters.get(..4).unwrap_or(""),
            letters.get(4..).unwrap_or("")
        );
        lock(&self.devices).insert(
            device_code.clone(),
            Device {
                user_code: user_code.clone(),
                expires: now() + DEVICE_CODE_TTL_SECS,
                approved: None,
                denied: false,
            },
        );
        let u = &self.url;
        Response::json(
            200,
            &json!({
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": format!("{u}/device"),
                "verification_uri_complete": format!("{u}/device?user_code={}", url_encode(&user_code)),
                "expires_in": DEVICE_CODE_TTL_SECS,
                "interval": DEVICE_POLL_INTERVAL_SECS
            }),
        )
    }

    fn device_decision(&self, req: &Request) -> Response {
        let mut params = req.form();
        params.extend(req.query.iter().cloned());
        let f = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let Some(user_code) = f("user_code") else {
            return oauth_error(400, "invalid_request");
        };
        if f("deny").is_some_and(|d| d == "true") {
            let mut devices = lock(&self.devices);
            return match devices.values_mut().find(|d| d.user_code == user_code) {
                Some(d) => {
                    d.denied = true;
                    Response::json(200, &json!({"denied": true}))
                }
                None => oauth_error(404, "invalid_user_code"),
            };
        }
        let claims = match (f("email"), f("sub")) {
            (Some(e), _) => Some(TokenClaims::email(&e)),
            (None, Some(s)) => Some(TokenClaims::subject(&s)),
            _ => None,
        };
        if self.approve_device(&user_code, claims) {
            Response::json(200, &json!({"approved": true}))
        } else {
            oauth_error(404, "invalid_user_code")
        }
    }
}

fn oauth_error(status: u16, error: &str) -> Response {
    Response::json(status, &json!({"error": error}))
}

impl Handler for Oidc {
    fn handle(&self, req: &Request) -> Response {
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/.well-known/openid-configuration") => Response::json(200, &self.discovery()),
            ("GET", "/jwks") => Response::json(200, &self.jwks()),
            ("GET", "/authorize") => self.authorize(req),
            ("POST", "/token") => self.token(req),
            ("POST", "/device/code") => self.device_code(),
            ("POST", "/device/approve") | ("GET", "/device") => self.device_decision(req),
            _ => Response::error(404, "not found"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> Oidc {
        let key = Arc::new(KeySigner::generate_p256().unwrap());
        Oidc::new("http://127.0.0.1:1".into(), key, Faults::new())
    }

    #[test]
    fn verify_reports_typed_errors() {
        let o = issuer();
        let good = o.mint(&TokenClaims::email("a@example.com"), None).unwrap();
        let v = o.verify(&good, SIGSTORE_AUDIENCE).unwrap();
        assert_eq!(v.email.as_deref(), Some("a@example.com"));
        assert_eq!(v.iss, "http://127.0.0.1:1");

        let t = now();
        let expired = o
            .mint(
                &TokenClaims::email("a@example.com").with_times(t - 100, t - 10),
                None,
            )
            .unwrap();
        assert!(matches!(
            o.verify(&expired, SIGSTORE_AUDIENCE),
            Err(Error::TokenExpired { .. })
        ));

        let aud = o
            .mint(
                &TokenClaims::email("a@example.com").with_audience("x"),
                None,
            )
            .unwrap();
        assert!(matches!(
            o.verify(&aud, SIGSTORE_AUDIENCE),
            Err(Error::WrongAudience { ref found, .. }) if found == &["x".to_string()]
        ));

        let other = issuer()
            .mint(&TokenClaims::email("a@example.com"), None)
            .unwrap();
        assert!(matches!(
            o.verify(&other, SIGSTORE_AUDIENCE),
            Err(Error::InvalidToken {
                reason: "signature"
            })
        ));
        assert!(matches!(
            o.verify("a.b", SIGSTORE_AUDIENCE),
            Err(Error::InvalidToken { .. })
        ));
        let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert!(matches!(
            o.verify(&huge, SIGSTORE_AUDIENCE),
            Err(Error::InvalidToken {
                reason: "too large"
            })
        ));
    }

    #[test]
    fn faults_change_minted_tokens() {
        let o = issuer();
        o.faults.times(Service::Oidc, Fault::ExpiredToken, 1);
        let t = o.mint(&TokenClaims::email("a@example.com"), None).unwrap();
        assert!(matches!(
            o.verify(&t, SIGSTORE_AUDIENCE),
            Err(Error::TokenExpired { .. })
        ));
        o.faults.times(Service::Oidc, Fault::WrongAudience, 1);
        let t = o.mint(&TokenClaims::email("a@example.com"), None).unwrap();
        assert!(matches!(
            o.verify(&t, SIGSTORE_AUDIENCE),
            Err(Error::WrongAudience { .. })
        ));
        let t = o.mint(&TokenClaims::email("a@example.com"), None).unwrap();
        assert!(o.verify(&t, SIGSTORE_AUDIENCE).is_ok());
    }
}
