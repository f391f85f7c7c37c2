//! Fulcio v2 client: `POST /api/v2/signingCert` (feature `client`).
//!
//! The request proves possession of the key either with a signature over the identity token's
//! subject (`publicKeyRequest`) or with a PKCS#10 certification request (RFC 2986) built and
//! signed here. The returned chain is parsed and its leaf must certify OUR public key.
//! Every call has a deadline, a bounded number of retries with exponential backoff on 5xx,
//! 429 and transport errors, and a response-size limit.

use std::io::Read;
use std::time::{Duration, Instant};

use base64_simd::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use sigstore_crypto::{KeyKind, Signer};

use crate::der::{self, tag};
use crate::{Certificate, Error, MAX_CHAIN_CERTIFICATES};

/// Largest response body read from Fulcio.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Largest identity token accepted (bytes).
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;
/// Default overall deadline for one `request_certificate` call, retries included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Upper bound on the number of retries a client can be configured with.
pub const MAX_RETRIES_LIMIT: u32 = 10;
/// Default first backoff (doubles on every retry).
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(250);
/// The signingCert path.
pub const SIGNING_CERT_PATH: &str = "/api/v2/signingCert";

/// How the request proves possession of the private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofKind {
    /// `publicKeyRequest`: PEM public key plus a signature over the token's subject
    /// (its `email` claim when present, else `sub`).
    ProofOfPossession,
    /// `certificateSigningRequest`: a PEM PKCS#10 request signed with the key.
    CertificateSigningRequest,
}

/// A certificate chain issued by Fulcio.
#[derive(Debug, Clone)]
pub struct SigningCertificate {
    /// Leaf first, then the issuing CA certificates, as returned.
    pub chain: Vec<Certificate>,
    /// The detached SCT (raw bytes after base64 decoding of `signedCertificateTimestamp`)
    /// when Fulcio answered `signedCertificateDetachedSct`; `None` for embedded SCTs.
    pub detached_sct: Option<Vec<u8>>,
}

impl SigningCertificate {
    /// The leaf certificate.
    pub fn leaf(&self) -> Option<&Certificate> {
        self.chain.first()
    }
}

/// Client for one Fulcio instance.
#[derive(Debug, Clone)]
pub struct FulcioClient {
    base_url: String,
    timeout: Duration,
    max_retries: u32,
    initial_backoff: Duration,
}

impl FulcioClient {
    /// A client for `base_url` (e.g. `https://fulcio.sigstore.dev`) with default deadline and
    /// retries. `https` URLs need the crate feature `tls`.
    pub fn new(base_url: &str) -> Self {
        FulcioClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
        }
    }

    /// Sets the overall deadline of one call (all attempts and backoff included).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the retry count (capped at [`MAX_RETRIES_LIMIT`]) and the first backoff.
    pub fn with_retries(mut self, max_retries: u32, initial_backoff: Duration) -> Self {
        self.max_retries = max_retries.min(MAX_RETRIES_LIMIT);
        self.initial_backoff = initial_backoff;
        self
    }

    /// Requests a signing certificate for `signer`'s key, authenticated by `identity_token`
    /// (a raw OIDC JWT). The returned leaf's public key is checked to be the signer's.
    pub fn request_certificate(
        &self,
        identity_token: &str,
        signer: &dyn Signer,
        proof: ProofKind,
    ) -> Result<SigningCertificate, Error> {
        let body = request_body(identity_token, signer, proof)?;
        let bytes = self.post(&body)?;
        let cert = parse_response(&bytes)?;
        let leaf = cert
            .chain
            .first()
            .ok_or(Error::MalformedResponse("empty certificate chain"))?;
        if leaf.public_key() != signer.public_key() {
            return Err(Error::CertificateKeyMismatch);
        }
        Ok(cert)
    }

    fn post(&self, body: &str) -> Result<Vec<u8>, Error> {
        let url = format!("{}{}", self.base_url, SIGNING_CERT_PATH);
        let start = Instant::now();
        let mut backoff = self.initial_backoff;
        let mut attempt = 0u32;
        loop {
            let remaining = self
                .timeout
                .checked_sub(start.elapsed())
                .filter(|d| !d.is_zero())
                .ok_or_else(|| Error::Transport("deadline exceeded".to_owned()))?;
            let agent = ureq::AgentBuilder::new()
                .timeout(remaining)
                .redirects(0)
                .build();
            let result = agent
                .post(&url)
                .set("Content-Type", "application/json")
                .set("Accept", "application/json")
                .send_string(body);
            let retryable_error = match result {
                Ok(resp) => return read_limited(resp),
                Err(ureq::Error::Status(status, _)) if status >= 500 || status == 429 => {
                    Error::HttpStatus { status }
                }
                Err(ureq::Error::Status(status, _)) => return Err(Error::HttpStatus { status }),
                Err(ureq::Error::Transport(t)) => Error::Transport(t.to_string()),
            };
            if attempt >= self.max_retries {
                return Err(retryable_error);
            }
            if start.elapsed() + backoff >= self.timeout {
                return Err(retryable_error);
            }
            std::thread::sleep(backoff);
            backoff = backoff.saturating_mul(2);
            attempt += 1;
        }
    }
}

fn read_limited(resp: ureq::Response) -> Result<Vec<u8>, Error> {
    if let Some(len) = resp
        .header("Content-Length")
        .and_then(|l| l.parse::<u64>().ok())
    {
        if len > MAX_RESPONSE_BYTES as u64 {
            return Err(Error::ResponseTooLarge {
                limit: MAX_RESPONSE_BYTES,
            });
        }
    }
    let mut buf = Vec::new();
    resp.into_reader()
        .take(MAX_RESPONSE_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Transport(e.to_string()))?;
    if buf.len() > MAX_RESPONSE_BYTES {
        return Err(Error::ResponseTooLarge {
            limit: MAX_RESPONSE_BYTES,
        });
    }
    Ok(buf)
}

/// The subject Fulcio expects a proof of possession over: the token's `email` claim when
/// present, otherwise `sub`. The token is NOT verified here (Fulcio does that).
pub fn token_subject(identity_token: &str) -> Result<String, Error> {
    if identity_token.len() > MAX_TOKEN_BYTES {
        return Err(Error::IdentityToken("token larger than MAX_TOKEN_BYTES"));
    }
    let mut parts = identity_token.splitn(3, '.');
    let payload = match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(p), Some(_)) => p,
        _ => return Err(Error::IdentityToken("not a JWT")),
    };
    let json = URL_SAFE_NO_PAD
        .decode_to_vec(payload.trim_end_matches('='))
        .map_err(|_| Error::IdentityToken("payload is not base64url"))?;
    #[derive(Deserialize)]
    struct Claims {
        sub: Option<String>,
        email: Option<String>,
    }
    let claims: Claims = serde_json::from_slice(&json)
        .map_err(|_| Error::IdentityToken("payload is not a JSON claims object"))?;
    claims
        .email
        .or(claims.sub)
        .filter(|s| !s.is_empty())
        .ok_or(Error::IdentityToken("no email or sub claim"))
}

fn request_body(
    identity_token: &str,
    signer: &dyn Signer,
    proof: ProofKind,
) -> Result<String, Error> {
    let credentials = serde_json::json!({ "oidcIdentityToken": identity_token });
    let value = match proof {
        ProofKind::ProofOfPossession => {
            let subject = token_subject(identity_token)?;
            let sig = signer.sign(subject.as_bytes()).map_err(Error::Signing)?;
            let algorithm = match signer.public_key().kind() {
                KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521 => "ECDSA",
                KeyKind::Ed25519 => "ED25519",
                KeyKind::Rsa { .. } => "RSA_PSS",
            };
            serde_json::json!({
                "credentials": credentials,
                "publicKeyRequest": {
                    "publicKey": {
                        "algorithm": algorithm,
                        "content": signer.public_key().to_pem(),
                    },
                    "proofOfPossession": STANDARD.encode_to_string(sig),
                }
            })
        }
        ProofKind::CertificateSigningRequest => {
            let csr = build_csr(signer)?;
            let pem = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", csr));
            serde_json::json!({
                "credentials": credentials,
                "certificateSigningRequest": STANDARD.encode_to_string(pem),
            })
        }
    };
    Ok(value.to_string())
}

/// Builds a DER PKCS#10 `CertificationRequest` (RFC 2986) for the signer's key, with an
/// empty subject and no attributes, signed by the signer.
pub fn build_csr(signer: &dyn Signer) -> Result<Vec<u8>, Error> {
    let mut info = der::tlv(tag::INTEGER, &[0]);
    info.extend_from_slice(&der::tlv(tag::SEQUENCE, &[]));
    info.extend_from_slice(signer.public_key().spki_der());
    info.extend_from_slice(&der::tlv(tag::CONTEXT_0, &[]));
    let info = der::tlv(tag::SEQUENCE, &info);
    let sig = signer.sign(&info).map_err(Error::Signing)?;
    let mut bits = Vec::with_capacity(sig.len() + 1);
    bits.push(0);
    bits.extend_from_slice(&sig);
    let mut req = info;
    req.extend_from_slice(
        &crate::cert::signature_alg_id(signer.key_details().scheme())
            .map_err(|_| Error::MalformedResponse("internal algorithm encoding"))?,
    );
    req.extend_from_slice(&der::tlv(tag::BIT_STRING, &bits));
    Ok(der::tlv(tag::SEQUENCE, &req))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    signed_certificate_embedded_sct: Option<ChainHolder>,
    signed_certificate_detached_sct: Option<DetachedHolder>,
}

#[derive(Deserialize)]
struct ChainHolder {
    chain: Chain,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetachedHolder {
    chain: Chain,
    signed_certificate_timestamp: Option<String>,
}

#[derive(Deserialize)]
struct Chain {
    certificates: Vec<String>,
}

fn parse_chain(chain: &Chain) -> Result<Vec<Certificate>, Error> {
    if chain.certificates.is_empty() {
        return Err(Error::MalformedResponse("empty certificate chain"));
    }
    if chain.certificates.len() > MAX_CHAIN_CERTIFICATES {
        return Err(Error::MalformedResponse("too many certificates"));
    }
    chain
        .certificates
        .iter()
        .map(|p| Certificate::from_pem(p))
        .collect()
}

/// Parses a `SigningCertificate` JSON response.
fn parse_response(bytes: &[u8]) -> Result<SigningCertificate, Error> {
    let resp: Response = serde_json::from_slice(bytes)
        .map_err(|_| Error::MalformedResponse("not a SigningCertificate JSON object"))?;
    match (
        resp.signed_certificate_embedded_sct,
        resp.signed_certificate_detached_sct,
    ) {
        (Some(e), None) => Ok(SigningCertificate {
            chain: parse_chain(&e.chain)?,
            detached_sct: None,
        }),
        (None, Some(d)) => {
            let sct = match d.signed_certificate_timestamp {
                Some(s) => Some(
                    STANDARD
                        .decode_to_vec(s)
                        .map_err(|_| Error::MalformedResponse("SCT is not base64"))?,
                ),
                None => None,
            };
            Ok(SigningCertificate {
                chain: parse_chain(&d.chain)?,
                detached_sct: sct,
            })
        }
        _ => Err(Error::MalformedResponse(
            "expected exactly one of signedCertificateEmbeddedSct / signedCertificateDetachedSct",
        )),
    }
}
