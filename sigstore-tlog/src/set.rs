//! Rekor v1 signed entry timestamps (SET, the bundle's `inclusionPromise`).
//!
//! The log signs the canonical JSON (RFC 8785: keys sorted, no whitespace)
//! `{"body":"<base64 body>","integratedTime":N,"logID":"<hex log ID>","logIndex":N}` where
//! `logIndex` is the global index of the entry (rekor-spec §9.5). ECDSA keys sign its SHA-256.

use base64_simd::STANDARD;
use sigstore_crypto::{HashAlgorithm, KeyKind, PublicKey, SignatureScheme, Signer};

use crate::Error;

/// The exact bytes a Rekor v1 SET signs. Negative times or indexes are rejected.
pub fn set_payload(
    body: &[u8],
    integrated_time: i64,
    log_id: &[u8],
    log_index: i64,
) -> Result<Vec<u8>, Error> {
    if integrated_time < 0 {
        return Err(Error::NegativeValue {
            field: "integratedTime",
            value: integrated_time,
        });
    }
    if log_index < 0 {
        return Err(Error::NegativeValue {
            field: "logIndex",
            value: log_index,
        });
    }
    // Base64 and hex output never needs JSON escaping. Written piece by piece into one buffer
    // (the body's base64 is most of it).
    let mut out = String::with_capacity(body.len().div_ceil(3) * 4 + log_id.len() * 2 + 96);
    out.push_str("{\"body\":\"");
    STANDARD.encode_append(body, &mut out);
    out.push_str("\",\"integratedTime\":");
    out.push_str(&integrated_time.to_string());
    out.push_str(",\"logID\":\"");
    out.push_str(&hex::encode(log_id));
    out.push_str("\",\"logIndex\":");
    out.push_str(&log_index.to_string());
    out.push('}');
    Ok(out.into_bytes())
}

fn scheme_for(key: &PublicKey) -> SignatureScheme {
    match key.kind() {
        KeyKind::Ed25519 => SignatureScheme::Ed25519,
        KeyKind::Rsa { .. } => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256),
        KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521 => {
            SignatureScheme::Ecdsa(HashAlgorithm::Sha256)
        }
    }
}

/// Verify a Rekor v1 SET with the log key. Any signature failure is [`Error::SetInvalid`]
/// (opaque). The caller picks `key` from the trusted root by `log_id` and checks that the key
/// was valid at `integrated_time`.
pub fn verify_set(
    body: &[u8],
    integrated_time: i64,
    log_id: &[u8],
    log_index: i64,
    set: &[u8],
    key: &PublicKey,
) -> Result<(), Error> {
    let payload = set_payload(body, integrated_time, log_id, log_index)?;
    key.verify(scheme_for(key), &payload, set)
        .map_err(|_| Error::SetInvalid)
}

/// Produce a SET (for log servers such as the virtual Sigstore).
pub fn sign_set(
    body: &[u8],
    integrated_time: i64,
    log_id: &[u8],
    log_index: i64,
    signer: &dyn Signer,
) -> Result<Vec<u8>, Error> {
    let payload = set_payload(body, integrated_time, log_id, log_index)?;
    Ok(signer.sign(&payload)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigstore_crypto::KeySigner;

    #[test]
    fn round_trip_and_tamper() {
        let signer = KeySigner::generate_p256().unwrap();
        let body = br#"{"kind":"x"}"#;
        let id = [7u8; 32];
        let set = sign_set(body, 100, &id, 5, &signer).unwrap();
        verify_set(body, 100, &id, 5, &set, signer.public_key()).unwrap();
        assert!(matches!(
            verify_set(body, 101, &id, 5, &set, signer.public_key()),
            Err(Error::SetInvalid)
        ));
        assert!(matches!(
            verify_set(body, -1, &id, 5, &set, signer.public_key()),
            Err(Error::NegativeValue { .. })
        ));
        let p = String::from_utf8(set_payload(b"ab", 1, &[0xab], 2).unwrap()).unwrap();
        assert_eq!(
            p,
            r#"{"body":"YWI=","integratedTime":1,"logID":"ab","logIndex":2}"#
        );
        let p = String::from_utf8(set_payload(&[0xff; 5], i64::MAX, &[0, 1], 0).unwrap()).unwrap();
        assert_eq!(
            p,
            r#"{"body":"//////8=","integratedTime":9223372036854775807,"logID":"0001","logIndex":0}"#
        );
    }
}
