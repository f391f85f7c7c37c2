//! Helpers shared by the integration tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_crypto::{HashAlgorithm, KeySigner, PublicKey, Signer};
use sigstore_fulcio::{
    verify_chain, verify_scts, Certificate, CertificateAuthority, CtLog, KeyPurpose, TimeRange,
    VerifiedChain,
};
use sigstore_testkit::{TokenClaims, VirtualSigstore};
use sigstore_tlog::note::LogKey;

/// An HTTP answer: status and body (also for 4xx/5xx).
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub location: Option<String>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(std::time::Duration::from_secs(20))
        .build()
}

fn answer(r: Result<ureq::Response, ureq::Error>) -> Answer {
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = resp.status();
    let location = resp.header("location").map(String::from);
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut body).unwrap();
    Answer {
        status,
        body,
        location,
    }
}

pub fn get(url: &str) -> Answer {
    answer(agent().get(url).call())
}

pub fn post_json(url: &str, v: &Value) -> Answer {
    answer(agent().post(url).send_json(v.clone()))
}

pub fn post_form(url: &str, pairs: &[(&str, &str)]) -> Answer {
    answer(agent().post(url).send_form(pairs))
}

pub fn post_bytes(url: &str, content_type: &str, body: &[u8]) -> Answer {
    answer(
        agent()
            .post(url)
            .set("Content-Type", content_type)
            .send_bytes(body),
    )
}

/// Trust material parsed from the testkit's `trusted_root.json` (through sigstore-bundle).
pub struct Trust {
    pub root: sigstore_bundle::TrustedRoot,
    pub cas: Vec<CertificateAuthority>,
    pub ctlogs: Vec<CtLog>,
    pub tsas: Vec<sigstore_timestamp::TimestampAuthority>,
}

fn range(r: &Option<sigstore_bundle::TimeRange>) -> TimeRange {
    TimeRange {
        start: r.as_ref().and_then(|r| r.start_unix()).unwrap(),
        end: r.as_ref().and_then(|r| r.end_unix()),
    }
}

pub fn trust(vs: &VirtualSigstore) -> Trust {
    let json = serde_json::to_vec(&vs.trusted_root()).unwrap();
    trust_from_json(&json)
}

pub fn trust_from_json(json: &[u8]) -> Trust {
    let root = sigstore_bundle::TrustedRoot::from_json(json).unwrap();
    let cas = root
        .certificate_authorities
        .iter()
        .map(|ca| {
            let chain = ca
                .cert_chain
                .iter()
                .map(|d| Certificate::from_der(d).unwrap())
                .collect();
            CertificateAuthority::new(chain, range(&ca.valid_for)).unwrap()
        })
        .collect();
    let ctlogs = root
        .ctlogs
        .iter()
        .map(|l| {
            let key = PublicKey::from_spki_der(l.public_key.raw_bytes.as_ref().unwrap()).unwrap();
            CtLog::new(
                l.log_id.clone().try_into().unwrap(),
                key,
                range(&l.public_key.valid_for),
            )
        })
        .collect();
    let tsas = root
        .timestamp_authorities
        .iter()
        .map(|t| {
            sigstore_timestamp::TimestampAuthority::from_der_chain(
                &t.cert_chain,
                range(&t.valid_for),
            )
            .unwrap()
        })
        .collect();
    Trust {
        root,
        cas,
        ctlogs,
        tsas,
    }
}

impl Trust {
    /// The checkpoint key of the tlog with `base_url`, named `name`, key ID from its log ID.
    pub fn log_key(&self, base_url: &str, name: &str) -> LogKey {
        let t = self
            .root
            .tlogs
            .iter()
            .find(|t| t.base_url == base_url)
            .unwrap();
        let key = PublicKey::from_spki_der(t.public_key.raw_bytes.as_ref().unwrap()).unwrap();
        LogKey::from_log_id(name, &key, &t.log_id).unwrap()
    }

    pub fn log_public_key(&self, base_url: &str) -> (PublicKey, Vec<u8>) {
        let t = self
            .root
            .tlogs
            .iter()
            .find(|t| t.base_url == base_url)
            .unwrap();
        (
            PublicKey::from_spki_der(t.public_key.raw_bytes.as_ref().unwrap()).unwrap(),
            t.log_id.clone(),
        )
    }

    /// Verify a Fulcio chain (leaf first) and its embedded SCT at `t`.
    pub fn verify_leaf(&self, leaf: &Certificate, t: i64) -> VerifiedChain {
        let chain = verify_chain(leaf, &self.cas, &[t], KeyPurpose::CodeSigning).unwrap();
        verify_scts(&chain, &self.ctlogs, 1).unwrap();
        chain
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Ask Fulcio for a certificate with a proof of possession over `pop_subject`.
pub fn fulcio_cert_request(
    vs: &VirtualSigstore,
    token: &str,
    signer: &KeySigner,
    pop_subject: &str,
) -> Answer {
    let pop = signer.sign(pop_subject.as_bytes()).unwrap();
    post_json(
        &format!("{}/api/v2/signingCert", vs.urls().fulcio),
        &json!({
            "credentials": {"oidcIdentityToken": token},
            "publicKeyRequest": {
                "publicKey": {"algorithm": "ECDSA", "content": signer.public_key().to_pem()},
                "proofOfPossession": B64.encode(pop)
            }
        }),
    )
}

/// A certificate chain (leaf first) for `email`.
pub fn fulcio_chain(vs: &VirtualSigstore, signer: &KeySigner, email: &str) -> Vec<Certificate> {
    let token = vs.mint_token(&TokenClaims::email(email)).unwrap();
    let a = fulcio_cert_request(vs, &token, signer, email);
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    chain_from_answer(&a)
}

pub fn chain_from_answer(a: &Answer) -> Vec<Certificate> {
    a.json()["signedCertificateEmbeddedSct"]["chain"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Certificate::from_pem(p.as_str().unwrap()).unwrap())
        .collect()
}

/// A Rekor v1 hashedrekord proposal for `artifact` signed by `signer` with `cert`.
pub fn hashedrekord_v1(artifact: &[u8], signer: &KeySigner, cert: &Certificate) -> Value {
    let sig = signer.sign(artifact).unwrap();
    json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": HashAlgorithm::Sha256.hash(artifact).to_hex()}},
            "signature": {
                "content": B64.encode(sig),
                "publicKey": {"content": B64.encode(cert.to_pem())}
            }
        }
    })
}

/// A Rekor v2 hashedRekordRequestV002 for `artifact`.
pub fn hashedrekord_v2(artifact: &[u8], signer: &KeySigner, cert: &Certificate) -> Value {
    let sig = signer.sign(artifact).unwrap();
    json!({"hashedRekordRequestV002": {
        "digest": B64.encode(HashAlgorithm::Sha256.hash(artifact).as_bytes()),
        "signature": {
            "content": B64.encode(sig),
            "verifier": {"x509Certificate": {"rawBytes": B64.encode(cert.der())}, "keyDetails": "PKIX_ECDSA_P256_SHA_256"}
        }
    }})
}

/// Minimal DER for a TimeStampReq over SHA-256 of `data`.
pub fn timestamp_request(data: &[u8], nonce: Option<&[u8]>, cert_req: bool) -> Vec<u8> {
    fn tlv(tag: u8, v: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if v.len() < 128 {
            out.push(v.len() as u8);
        } else {
            out.push(0x81);
            out.push(v.len() as u8);
        }
        out.extend_from_slice(v);
        out
    }
    let alg = tlv(
        0x30,
        &[
            0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
        ],
    );
    let digest = HashAlgorithm::Sha256.hash(data);
    let imprint = tlv(0x30, &[alg, tlv(0x04, digest.as_bytes())].concat());
    let mut body = vec![0x02, 0x01, 0x01];
    body.extend_from_slice(&imprint);
    if let Some(n) = nonce {
        body.extend_from_slice(&tlv(0x02, n));
    }
    if cert_req {
        body.extend_from_slice(&[0x01, 0x01, 0xff]);
    }
    tlv(0x30, &body)
}

/// Decode base64 or panic.
pub fn b64(s: &str) -> Vec<u8> {
    B64.decode(s).unwrap()
}

/// The sigstore-python CLI (`$SIGSTORE_PYTHON_CLI` or `sigstore` on `PATH`) if it reports
/// version `pinned`.
pub fn python_cli(pinned: &str) -> Option<std::path::PathBuf> {
    let candidate = std::env::var_os("SIGSTORE_PYTHON_CLI")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("sigstore"));
    let out = std::process::Command::new(&candidate)
        .arg("--version")
        .output()
        .ok()?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !text.contains(pinned) {
        eprintln!("found {candidate:?} but it reports {text:?}, not sigstore {pinned}");
        return None;
    }
    Some(candidate)
}
