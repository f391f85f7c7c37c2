//! An RFC 3161 TSA client (feature `client`): builds a `TimeStampReq` (RFC 3161 §2.4.1),
//! POSTs it as `application/timestamp-query` (RFC 3161 §3.4), checks the `TimeStampResp`
//! against the request (status, nonce, message imprint) and verifies the token against the
//! given trusted authorities.
//!
//! Every call has a deadline; 5xx answers and connection failures are retried a bounded
//! number of times with exponential backoff; the response size is capped at
//! [`MAX_RESPONSE_BYTES`]; redirects are not followed.

use std::io::Read;
use std::time::{Duration, Instant};

use sigstore_crypto::{Digest, HashAlgorithm};

use crate::asn1::tag;
use crate::{verify_token, Error, TimeStampToken, TimestampAuthority, VerifiedTimestamp};

/// Largest TSA response body read, in bytes (same bound as parsing).
pub const MAX_RESPONSE_BYTES: usize = crate::MAX_TIMESTAMP_BYTES;
/// Default overall deadline for one [`TsaClient::timestamp`] call, retries included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after the first attempt (5xx and connection failures only).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Largest number of retries a client accepts.
pub const MAX_RETRIES: u32 = 10;
/// Default delay before the first retry; it doubles on every further retry.
pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(250);
/// Media type of a DER `TimeStampReq` (RFC 3161 §3.4).
pub const TIMESTAMP_QUERY_CONTENT_TYPE: &str = "application/timestamp-query";

/// A DER `TimeStampReq`: version 1, the message imprint, a random 64-bit nonce and
/// `certReq` TRUE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStampRequest {
    der: Vec<u8>,
    imprint: Digest,
    nonce: Vec<u8>,
}

impl TimeStampRequest {
    /// A request over `data` (the signature bytes) hashed with `algorithm`, with a fresh
    /// random nonce from the operating system.
    pub fn new(data: &[u8], algorithm: HashAlgorithm) -> Result<Self, Error> {
        let mut bytes = [0u8; 8];
        getrandom::getrandom(&mut bytes).map_err(|_| Error::Random)?;
        Ok(Self::with_nonce(
            algorithm.hash(data),
            u64::from_be_bytes(bytes),
        ))
    }

    /// A request for a precomputed imprint with a chosen nonce (tests, replays).
    pub fn with_nonce(imprint: Digest, nonce: u64) -> Self {
        let nonce = uint_content(nonce);
        let mut mi = crate::oids::hash_algorithm_identifier(imprint.algorithm());
        mi.extend(tlv(tag::OCTET_STRING, imprint.as_bytes()));
        let mut body = tlv(tag::INTEGER, &[1]);
        body.extend(tlv(tag::SEQUENCE, &mi));
        body.extend(tlv(tag::INTEGER, &nonce));
        body.extend(tlv(tag::BOOLEAN, &[0xff]));
        TimeStampRequest {
            der: tlv(tag::SEQUENCE, &body),
            imprint,
            nonce,
        }
    }

    /// The DER encoding sent to the TSA.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The message imprint requested.
    pub fn imprint(&self) -> &Digest {
        &self.imprint
    }

    /// The nonce (INTEGER content octets).
    pub fn nonce(&self) -> &[u8] {
        &self.nonce
    }

    /// Check a DER `TimeStampResp` against this request and verify its token over
    /// `signed_data` with `authorities`: status granted ([`Error::NotGranted`]), nonce equal
    /// to ours ([`Error::NonceMismatch`]), imprint equal to ours
    /// ([`Error::RequestImprintMismatch`]), then [`verify_token`].
    pub fn check_response(
        &self,
        response_der: &[u8],
        signed_data: &[u8],
        authorities: &[TimestampAuthority],
    ) -> Result<VerifiedTimestamp, Error> {
        let token = TimeStampToken::from_response_der(response_der)?;
        let info = token.tst_info();
        if info.nonce() != Some(self.nonce.as_slice()) {
            return Err(Error::NonceMismatch);
        }
        if info.message_imprint() != Some(self.imprint) {
            return Err(Error::RequestImprintMismatch);
        }
        verify_token(&token, signed_data, authorities)
    }
}

fn tlv(t: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![t];
    if len < 0x80 {
        out.extend(u8::try_from(len).ok());
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.extend(u8::try_from(bytes.len()).ok().map(|n| 0x80 | n));
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// Minimal two's-complement content octets of a non-negative integer.
fn uint_content(v: u64) -> Vec<u8> {
    let mut bytes: Vec<u8> = v
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    bytes
}

/// A timestamp obtained from a TSA: the DER `TimeStampResp` (what a Sigstore bundle stores
/// in `rfc3161Timestamps[].signedTimestamp`) and its verification result.
#[derive(Debug, Clone)]
pub struct SignedTimestamp {
    response_der: Vec<u8>,
    verified: VerifiedTimestamp,
}

impl SignedTimestamp {
    /// The DER `TimeStampResp` as received.
    pub fn response_der(&self) -> &[u8] {
        &self.response_der
    }

    /// The verified timestamp.
    pub fn verified(&self) -> &VerifiedTimestamp {
        &self.verified
    }

    /// Consume into (DER response, verified timestamp).
    pub fn into_parts(self) -> (Vec<u8>, VerifiedTimestamp) {
        (self.response_der, self.verified)
    }
}

/// A client for one TSA endpoint (for Sigstore: `https://timestamp.sigstore.dev/api/v1/timestamp`).
#[derive(Debug, Clone)]
pub struct TsaClient {
    url: String,
    timeout: Duration,
    max_retries: u32,
    backoff: Duration,
    hash: HashAlgorithm,
}

impl TsaClient {
    /// A client for `url` with [`DEFAULT_TIMEOUT`], [`DEFAULT_MAX_RETRIES`],
    /// [`DEFAULT_BACKOFF`] and SHA-256 imprints.
    pub fn new(url: impl Into<String>) -> Self {
        TsaClient {
            url: url.into(),
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            backoff: DEFAULT_BACKOFF,
            hash: HashAlgorithm::Sha256,
        }
    }

    /// Set the overall deadline of one call, retries and backoff included.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Set the number of retries (capped at [`MAX_RETRIES`]) and the first backoff delay.
    pub fn with_retries(mut self, max_retries: u32, backoff: Duration) -> Self {
        self.max_retries = max_retries.min(MAX_RETRIES);
        self.backoff = backoff;
        self
    }

    /// Use `algorithm` for the message imprint (default SHA-256).
    pub fn with_hash_algorithm(mut self, algorithm: HashAlgorithm) -> Self {
        self.hash = algorithm;
        self
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Timestamp `signature` (the bundle signature bytes): send a fresh request, check the
    /// response against it and verify the token against `authorities`.
    pub fn timestamp(
        &self,
        signature: &[u8],
        authorities: &[TimestampAuthority],
    ) -> Result<SignedTimestamp, Error> {
        let request = TimeStampRequest::new(signature, self.hash)?;
        let response_der = self.send(&request)?;
        let verified = request.check_response(&response_der, signature, authorities)?;
        Ok(SignedTimestamp {
            response_der,
            verified,
        })
    }

    /// POST a request and return the response body, with retries and the deadline.
    pub fn send(&self, request: &TimeStampRequest) -> Result<Vec<u8>, Error> {
        let deadline = Instant::now() + self.timeout;
        let mut delay = self.backoff;
        let mut attempt = 0u32;
        loop {
            let remaining = deadline
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
                .ok_or(Error::DeadlineExceeded)?;
            let result = self.attempt(request, remaining);
            let retryable = match &result {
                Err(Error::HttpStatus { status }) => *status >= 500,
                Err(Error::Transport { kind }) => matches!(
                    kind,
                    ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::Io
                ),
                _ => false,
            };
            if !retryable || attempt >= self.max_retries {
                return match result {
                    Err(Error::Transport { .. }) if Instant::now() >= deadline => {
                        Err(Error::DeadlineExceeded)
                    }
                    other => other,
                };
            }
            attempt += 1;
            let now = Instant::now();
            if now + delay >= deadline {
                return Err(Error::DeadlineExceeded);
            }
            std::thread::sleep(delay);
            delay = delay.saturating_mul(2);
        }
    }

    fn attempt(&self, request: &TimeStampRequest, timeout: Duration) -> Result<Vec<u8>, Error> {
        let agent = ureq::AgentBuilder::new()
            .timeout(timeout)
            .redirects(0)
            .build();
        let response = agent
            .post(&self.url)
            .set("Content-Type", TIMESTAMP_QUERY_CONTENT_TYPE)
            .set("Accept", "application/timestamp-reply")
            .send_bytes(request.der());
        let response = match response {
            Ok(r) if r.status() == 200 => r,
            Ok(r) => return Err(Error::HttpStatus { status: r.status() }),
            Err(ureq::Error::Status(status, _)) => return Err(Error::HttpStatus { status }),
            Err(ureq::Error::Transport(t)) => return Err(Error::Transport { kind: t.kind() }),
        };
        let limit = u64::try_from(MAX_RESPONSE_BYTES)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let mut body = Vec::new();
        response
            .into_reader()
            .take(limit)
            .read_to_end(&mut body)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut {
                    Error::DeadlineExceeded
                } else {
                    Error::Io(e)
                }
            })?;
        if body.len() > MAX_RESPONSE_BYTES {
            return Err(Error::ResponseTooLarge {
                limit: MAX_RESPONSE_BYTES,
            });
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_encoding() {
        let imprint = HashAlgorithm::Sha256.hash(b"sig");
        let req = TimeStampRequest::with_nonce(imprint, 0x80);
        assert_eq!(req.nonce(), &[0x00, 0x80]);
        let mut expected = vec![
            0x30, 0x3b, 0x02, 0x01, 0x01, 0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09,
        ];
        expected.extend([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]);
        expected.extend([0x04, 0x20]);
        expected.extend(imprint.as_bytes());
        expected.extend([0x02, 0x02, 0x00, 0x80, 0x01, 0x01, 0xff]);
        assert_eq!(req.der(), expected.as_slice());
        let a = TimeStampRequest::new(b"sig", HashAlgorithm::Sha256).unwrap();
        let b = TimeStampRequest::new(b"sig", HashAlgorithm::Sha256).unwrap();
        assert_ne!(a.nonce(), b.nonce());
        assert_eq!(uint_content(0), vec![0]);
        assert_eq!(
            tlv(0x04, &[0u8; 200]).get(..3),
            Some(&[0x04, 0x81, 200][..])
        );
    }
}
