//! An RFC 3161 timestamp authority: `POST /` or `/api/v1/timestamp` with a DER
//! `TimeStampReq` (§2.4.1) answers a `TimeStampResp` (§2.4.2) whose token is a CMS
//! `SignedData` (RFC 5652 §5) signed by the TSA leaf (critical id-kp-timeStamping EKU) with the
//! signed attributes content-type, message-digest and signing-certificate-v2 (RFC 5035). The
//! request's nonce is echoed and `certReq` decides whether the certificates are included.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sigstore_crypto::{HashAlgorithm, Signer};

use crate::der::{self, tag};
use crate::http::{Handler, Request, Response};
use crate::pki::Pki;
use crate::{now, Error};

/// Largest timestamp request accepted (bytes).
pub const MAX_TSA_REQUEST_BYTES: usize = 64 * 1024;
/// Policy OID of the testkit TSA.
pub const TSA_POLICY_OID: &str = "1.3.6.1.4.1.57264.2";

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const OID_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";

/// A parsed `TimeStampReq`.
#[derive(Debug, Clone)]
pub(crate) struct TimeStampReq {
    /// The raw `MessageImprint` SEQUENCE, echoed into the TSTInfo.
    pub message_imprint: Vec<u8>,
    /// The nonce INTEGER (raw TLV), if any.
    pub nonce: Option<Vec<u8>>,
    /// Whether certificates were requested.
    pub cert_req: bool,
}

pub(crate) fn parse_request(der_bytes: &[u8]) -> Result<TimeStampReq, Error> {
    if der_bytes.len() > MAX_TSA_REQUEST_BYTES {
        return Err(Error::MalformedRequest {
            what: "request too large",
        });
    }
    let (outer, rest) = der::expect(der_bytes, tag::SEQUENCE)?;
    if !rest.is_empty() {
        return Err(Error::MalformedDer);
    }
    let fields = der::children(outer.value)?;
    let mut it = fields.iter();
    let version = it.next().ok_or(Error::MalformedDer)?;
    if version.tag != tag::INTEGER || version.value != [1] {
        return Err(Error::MalformedRequest { what: "version" });
    }
    let imprint = it.next().ok_or(Error::MalformedDer)?;
    if imprint.tag != tag::SEQUENCE {
        return Err(Error::MalformedDer);
    }
    let parts = der::children(imprint.value)?;
    let (Some(alg), Some(hash)) = (parts.first(), parts.get(1)) else {
        return Err(Error::MalformedRequest {
            what: "messageImprint",
        });
    };
    let alg_oid = der::children(alg.value)?
        .first()
        .map(|o| der::oid_to_string(o.value))
        .unwrap_or_default();
    let expected_len = match alg_oid.as_str() {
        "2.16.840.1.101.3.4.2.1" => 32,
        "2.16.840.1.101.3.4.2.2" => 48,
        "2.16.840.1.101.3.4.2.3" => 64,
        _ => {
            return Err(Error::MalformedRequest {
                what: "hash algorithm",
            })
        }
    };
    if hash.tag != tag::OCTET_STRING || hash.value.len() != expected_len {
        return Err(Error::MalformedRequest {
            what: "hashedMessage",
        });
    }
    let mut nonce = None;
    let mut cert_req = false;
    for f in it {
        match f.tag {
            tag::INTEGER => nonce = Some(f.raw.to_vec()),
            tag::BOOLEAN => cert_req = f.value.first().is_some_and(|b| *b != 0),
            _ => {}
        }
    }
    Ok(TimeStampReq {
        message_imprint: imprint.raw.to_vec(),
        nonce,
        cert_req,
    })
}

/// The JSON form of sigstore timestamp-authority (`{"artifactHash": b64, "hashAlgorithm":
/// "sha256", "nonce": n, "certificates": bool}`), as sigstore-js sends it.
pub(crate) fn parse_json_request(body: &[u8]) -> Result<TimeStampReq, Error> {
    use base64::Engine as _;
    let bad = |what| Error::MalformedRequest { what };
    if body.len() > MAX_TSA_REQUEST_BYTES {
        return Err(bad("request too large"));
    }
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|_| bad("JSON"))?;
    let hash = v
        .get("artifactHash")
        .and_then(serde_json::Value::as_str)
        .and_then(|h| base64::engine::general_purpose::STANDARD.decode(h).ok())
        .ok_or(bad("artifactHash"))?;
    let (oid, len) = match v.get("hashAlgorithm").and_then(serde_json::Value::as_str) {
        Some("sha256") | None => ("2.16.840.1.101.3.4.2.1", 32),
        Some("sha384") => ("2.16.840.1.101.3.4.2.2", 48),
        Some("sha512") => ("2.16.840.1.101.3.4.2.3", 64),
        Some(_) => return Err(bad("hashAlgorithm")),
    };
    if hash.len() != len {
        return Err(bad("artifactHash length"));
    }
    let message_imprint = der::seq(&[&alg_id(oid), &der::octets(&hash)]);
    let nonce = v
        .get("nonce")
        .and_then(serde_json::Value::as_u64)
        .map(der::small_uint);
    let cert_req = v
        .get("certificates")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    Ok(TimeStampReq {
        message_imprint,
        nonce,
        cert_req,
    })
}

fn alg_id(oid: &str) -> Vec<u8> {
    der::seq(&[&der::oid(oid)])
}

fn attribute(oid: &str, value: &[u8]) -> Vec<u8> {
    der::seq(&[&der::oid(oid), &der::set_of(&[value.to_vec()])])
}

pub(crate) struct Tsa {
    pub pki: Arc<Pki>,
    pub serial: AtomicU64,
}

impl Tsa {
    /// Build a granted `TimeStampResp` for a request at time `t`.
    pub fn respond(&self, req: &TimeStampReq, t: i64) -> Result<Vec<u8>, Error> {
        let serial = self.serial.fetch_add(1, Ordering::SeqCst) + 1;
        let mut serial_bytes = (t as u64).to_be_bytes().to_vec();
        serial_bytes.extend_from_slice(&serial.to_be_bytes());
        let leaf_der = &self.pki.tsa_leaf.der;
        let mut tst = vec![
            der::small_uint(1),
            der::oid(TSA_POLICY_OID),
            req.message_imprint.clone(),
            der::uint(&serial_bytes),
            der::generalized_time(t)?,
            der::seq(&[&der::small_uint(1)]),
        ];
        if let Some(n) = &req.nonce {
            tst.push(n.clone());
        }
        let tst_refs: Vec<&[u8]> = tst.iter().map(Vec::as_slice).collect();
        let tst_info = der::seq(&tst_refs);

        let cert_hash = HashAlgorithm::Sha256.hash(leaf_der);
        let ess_cert_id = der::seq(&[&der::octets(cert_hash.as_bytes())]);
        let signing_cert_v2 = der::seq(&[&der::seq(&[&ess_cert_id])]);
        let attrs = vec![
            attribute(OID_CONTENT_TYPE, &der::oid(OID_TST_INFO)),
            attribute(OID_SIGNING_TIME, &utc_time(t)?),
            attribute(
                OID_MESSAGE_DIGEST,
                &der::octets(HashAlgorithm::Sha256.hash(&tst_info).as_bytes()),
            ),
            attribute(OID_SIGNING_CERT_V2, &signing_cert_v2),
        ];
        let signed_attrs_set = der::set_of(&attrs);
        let signature = self.pki.tsa_leaf.signer.sign(&signed_attrs_set)?;
        let mut signed_attrs_implicit = signed_attrs_set.clone();
        if let Some(first) = signed_attrs_implicit.first_mut() {
            *first = 0xa0;
        }
        let (issuer_der, serial_der) = issuer_and_serial(leaf_der)?;
        let signer_info = der::seq(&[
            &der::small_uint(1),
            &der::seq(&[&issuer_der, &serial_der]),
            &alg_id(OID_SHA256),
            &signed_attrs_implicit,
            &alg_id(OID_ECDSA_SHA256),
            &der::octets(&signature),
        ]);
        let encap = der::seq(&[
            &der::oid(OID_TST_INFO),
            &der::explicit(0, &der::octets(&tst_info)),
        ]);
        let mut sd_parts: Vec<Vec<u8>> = vec![
            der::small_uint(3),
            der::set_of(&[alg_id(OID_SHA256)]),
            encap,
        ];
        if req.cert_req {
            // SET OF: DER order.
            let mut certs = [leaf_der.clone(), self.pki.tsa_root.der.clone()];
            certs.sort();
            let certs = certs.concat();
            sd_parts.push(der::tlv(0xa0, &certs));
        }
        sd_parts.push(der::set_of(&[signer_info]));
        let sd_refs: Vec<&[u8]> = sd_parts.iter().map(Vec::as_slice).collect();
        let signed_data = der::seq(&sd_refs);
        let content_info = der::seq(&[&der::oid(OID_SIGNED_DATA), &der::explicit(0, &signed_data)]);
        let status = der::seq(&[&der::small_uint(0)]);
        Ok(der::seq(&[&status, &content_info]))
    }
}

fn utc_time(unix: i64) -> Result<Vec<u8>, Error> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).map_err(|_| Error::TimeOutOfRange)?;
    let s = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        t.year().rem_euclid(100),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Ok(der::tlv(0x17, s.as_bytes()))
}

/// The issuer Name and serial INTEGER TLVs of a DER certificate.
fn issuer_and_serial(cert: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let tbs = der::tbs_of_certificate(cert)?;
    let (tbs, _) = der::expect(&tbs, tag::SEQUENCE)?;
    let fields = der::children(tbs.value)?;
    let mut it = fields.iter().skip_while(|f| f.tag == 0xa0);
    let serial = it.next().ok_or(Error::MalformedDer)?;
    let _sig_alg = it.next().ok_or(Error::MalformedDer)?;
    let issuer = it.next().ok_or(Error::MalformedDer)?;
    Ok((issuer.raw.to_vec(), serial.raw.to_vec()))
}

fn error_reply(fail_info_bit: u8) -> Vec<u8> {
    // PKIStatusInfo { status rejection(2), failInfo BIT STRING }
    let bits = der::tlv(
        0x03,
        &[7 - (fail_info_bit % 8), 0x80 >> (fail_info_bit % 8)],
    );
    der::seq(&[&der::seq(&[&der::small_uint(2), &bits])])
}

impl Handler for Tsa {
    fn handle(&self, req: &Request) -> Response {
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/") | ("POST", "/api/v1/timestamp") => match if req
                .header("content-type")
                .is_some_and(|c| c.contains("json"))
            {
                parse_json_request(&req.body)
            } else {
                parse_request(&req.body)
            } {
                Ok(r) => match self.respond(&r, now()) {
                    Ok(body) => Response::bytes(200, "application/timestamp-reply", body),
                    Err(e) => Response::error(500, &e.to_string()),
                },
                // badDataFormat (5)
                Err(_) => Response::bytes(400, "application/timestamp-reply", error_reply(5)),
            },
            ("GET", "/api/v1/timestamp/certchain") | ("GET", "/certchain") => Response::bytes(
                200,
                "application/pem-certificate-chain",
                format!("{}{}", self.pki.tsa_leaf.pem(), self.pki.tsa_root.pem()).into_bytes(),
            ),
            _ => Response::error(404, "not found"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_parsing_errors_are_typed() {
        assert!(matches!(parse_request(b""), Err(Error::MalformedDer)));
        // version 2
        let v2 = der::seq(&[&der::small_uint(2)]);
        assert!(matches!(
            parse_request(&v2),
            Err(Error::MalformedRequest { what: "version" })
        ));
        // SHA-256 OID with a 31-byte hash
        let imprint = der::seq(&[&alg_id(OID_SHA256), &der::octets(&[0u8; 31])]);
        let req = der::seq(&[&der::small_uint(1), &imprint]);
        assert!(matches!(
            parse_request(&req),
            Err(Error::MalformedRequest {
                what: "hashedMessage"
            })
        ));
        let imprint = der::seq(&[&alg_id(OID_SHA256), &der::octets(&[0u8; 32])]);
        let req = der::seq(&[
            &der::small_uint(1),
            &imprint,
            &der::small_uint(7),
            &[0x01, 0x01, 0xff],
        ]);
        let parsed = parse_request(&req).unwrap();
        assert!(parsed.cert_req);
        assert_eq!(parsed.nonce, Some(der::small_uint(7)));
        assert!(matches!(
            parse_json_request(br#"{"artifactHash":"AAAA","hashAlgorithm":"sha256"}"#),
            Err(Error::MalformedRequest {
                what: "artifactHash length"
            })
        ));
        assert!(matches!(
            parse_json_request(br#"{"artifactHash":"AAAA","hashAlgorithm":"md5"}"#),
            Err(Error::MalformedRequest {
                what: "hashAlgorithm"
            })
        ));
    }
}
