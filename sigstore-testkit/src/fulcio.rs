//! Fulcio v2 (`POST /api/v2/signingCert`, `GET /api/v2/trustBundle`): the identity token is
//! verified against the issuer's key (signature, `iss`, audience `sigstore`, expiry), the proof
//! of possession (a signature over the token's `email`, or `sub`, or a PKCS#10 CSR, RFC 2986)
//! is checked, and a leaf with the Fulcio extensions and an embedded SCT is issued.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, KeyKind, KeySigner, PublicKey, SignatureScheme, Signer};
use x509_parser::prelude::FromDer;

use crate::faults::{Fault, Faults, Service};
use crate::http::{Handler, Request, Response};
use crate::oidc::{Oidc, SIGSTORE_AUDIENCE};
use crate::pki::{LeafSan, Pki};
use crate::{now, Error};

/// Identity used by the `CertificateForOtherIdentity` fault.
pub const OTHER_IDENTITY: &str = "other@testkit.invalid";
/// Largest CSR accepted (bytes of PEM).
pub const MAX_CSR_BYTES: usize = 16 * 1024;

pub(crate) struct Fulcio {
    pub pki: Arc<Pki>,
    pub oidc: Arc<Oidc>,
    pub faults: Faults,
}

/// The signature scheme a proof of possession uses for a key type.
pub(crate) fn default_scheme(key: &PublicKey) -> SignatureScheme {
    match key.kind() {
        KeyKind::EcdsaP384 => SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
        KeyKind::EcdsaP521 => SignatureScheme::Ecdsa(HashAlgorithm::Sha512),
        KeyKind::Ed25519 => SignatureScheme::Ed25519,
        KeyKind::Rsa { .. } => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256),
        _ => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
    }
}

fn csr_key(b64_pem: &str) -> Result<PublicKey, Error> {
    let malformed = |what| Error::MalformedRequest { what };
    let pem_bytes = B64
        .decode(b64_pem.trim())
        .map_err(|_| malformed("CSR base64"))?;
    if pem_bytes.len() > MAX_CSR_BYTES {
        return Err(malformed("CSR too large"));
    }
    let block = pem::parse(&pem_bytes).map_err(|_| malformed("CSR PEM"))?;
    let (_, csr) =
        x509_parser::certification_request::X509CertificationRequest::from_der(block.contents())
            .map_err(|_| malformed("CSR DER"))?;
    let key = PublicKey::from_spki_der(csr.certification_request_info.subject_pki.raw)?;
    let oid = csr.signature_algorithm.algorithm.to_id_string();
    let scheme = SignatureScheme::from_x509_oid(&oid)?;
    key.verify(
        scheme,
        csr.certification_request_info.raw,
        &csr.signature_value.data,
    )
    .map_err(|_| Error::InvalidRequestSignature)?;
    Ok(key)
}

impl Fulcio {
    fn signing_cert(&self, req: &Request) -> Result<Value, (u16, Error)> {
        let bad = |what| (400u16, Error::MalformedRequest { what });
        let body: Value = serde_json::from_slice(&req.body).map_err(|_| bad("JSON body"))?;
        let token = body
            .pointer("/credentials/oidcIdentityToken")
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| {
                req.header("authorization")
                    .and_then(|a| {
                        a.strip_prefix("Bearer ")
                            .or_else(|| a.strip_prefix("bearer "))
                    })
                    .map(|t| t.trim().to_string())
            })
            .ok_or((401, Error::InvalidToken { reason: "missing" }))?;
        let claims = self
            .oidc
            .verify(&token, SIGSTORE_AUDIENCE)
            .map_err(|e| (401, e))?;
        let mut key = if let Some(pkr) = body.get("publicKeyRequest") {
            let pem_text = pkr
                .pointer("/publicKey/content")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("publicKey.content"))?;
            let key = PublicKey::from_pem(pem_text).map_err(|e| (400, Error::Crypto(e)))?;
            let pop = pkr
                .get("proofOfPossession")
                .and_then(Value::as_str)
                .and_then(|p| B64.decode(p).ok())
                .ok_or_else(|| bad("proofOfPossession"))?;
            let scheme = default_scheme(&key);
            let candidates = [claims.email.as_deref(), Some(claims.sub.as_str())];
            let ok = candidates
                .iter()
                .flatten()
                .any(|c| key.verify(scheme, c.as_bytes(), &pop).is_ok());
            if !ok {
                return Err((400, Error::InvalidRequestSignature));
            }
            key
        } else if let Some(csr) = body
            .get("certificateSigningRequest")
            .and_then(Value::as_str)
        {
            csr_key(csr).map_err(|e| (400, e))?
        } else {
            return Err(bad("publicKeyRequest or certificateSigningRequest"));
        };
        let mut san = match &claims.email {
            Some(e) => LeafSan::Email(e.clone()),
            None => LeafSan::Uri(claims.sub.clone()),
        };
        if self
            .faults
            .hit(Service::Fulcio, &Fault::CertificateForOtherKey)
        {
            let other = KeySigner::generate_p256().map_err(|e| (500, Error::Crypto(e)))?;
            key = other.public_key().clone();
        }
        if self
            .faults
            .hit(Service::Fulcio, &Fault::CertificateForOtherIdentity)
        {
            san = LeafSan::Email(OTHER_IDENTITY.to_string());
        }
        let leaf = self
            .pki
            .issue_leaf(&key, &san, &claims.iss, now())
            .map_err(|e| (500, e))?;
        let leaf_pem = crate::pki::pem_lf("CERTIFICATE", &leaf);
        Ok(json!({
            "signedCertificateEmbeddedSct": {
                "chain": {
                    "certificates": [
                        leaf_pem,
                        self.pki.fulcio_intermediate.pem(),
                        self.pki.fulcio_root.pem()
                    ]
                }
            }
        }))
    }
}

impl Handler for Fulcio {
    fn handle(&self, req: &Request) -> Response {
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/api/v2/signingCert") => match self.signing_cert(req) {
                Ok(v) => Response::json(201, &v),
                Err((status, e)) => Response::error(status, &e.to_string()),
            },
            ("GET", "/api/v2/trustBundle") => Response::json(
                200,
                &json!({"chains": [{"certificates": [
                    self.pki.fulcio_intermediate.pem(),
                    self.pki.fulcio_root.pem()
                ]}]}),
            ),
            ("GET", "/api/v2/configuration") => Response::json(
                200,
                &json!({"issuers": [{
                    "issuerUrl": self.oidc.url,
                    "audience": SIGSTORE_AUDIENCE,
                    "challengeClaim": "email"
                }]}),
            ),
            _ => Response::error(404, "not found"),
        }
    }
}
