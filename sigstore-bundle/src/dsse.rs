//! DSSE envelopes and the pre-authentication encoding (PAE).
//!
//! Implements the envelope of the DSSE specification (secure-systems-lab/dsse, `envelope.md`)
//! as carried in a bundle's `dsseEnvelope` (`io.intoto.Envelope`), and PAE from
//! `protocol.md`:
//!
//! ```text
//! PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//! ```
//!
//! where `LEN` is the length in *bytes* (of the UTF-8 encoding, for the type) written as ASCII
//! decimal without leading zeros.

use crate::error::Result;
use crate::json::{self, DocKind, Json, Nulls, Obj, ObjOut, Out, Path};
use crate::limits::MAX_STATEMENT_BYTES;

/// The payload type of in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A DSSE envelope.
///
/// Parsing accepts 0 to [`MAX_DSSE_SIGNATURES`](crate::MAX_DSSE_SIGNATURES) signatures; that a
/// *bundle's* envelope has exactly one is a structural rule checked by
/// [`Bundle::validate_structure`](crate::Bundle::validate_structure)
/// ([`Error::DsseSignatureCount`](crate::Error::DsseSignatureCount)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `payload`: the decoded payload bytes.
    pub payload: Vec<u8>,
    /// `payloadType`: any string (non-ASCII is allowed; PAE counts its UTF-8 bytes).
    pub payload_type: String,
    /// `signatures`.
    pub signatures: Vec<DsseSignature>,
}

/// One signature of a DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsseSignature {
    /// `sig`: the raw signature bytes (never empty after parsing).
    pub sig: Vec<u8>,
    /// `keyid`: an unauthenticated hint, if the field was present (it may be present and empty).
    pub keyid: Option<String>,
}

/// Computes the DSSE v1 pre-authentication encoding of `payload` with `payload_type`.
///
/// Lengths are byte counts of the UTF-8 encoding, so a non-ASCII type with few characters
/// gives a different encoding from an ASCII type of the same character count.
///
/// ```
/// let pae = sigstore_bundle::pae("text/plain", b"hi");
/// assert_eq!(pae, b"DSSEv1 10 text/plain 2 hi");
/// ```
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let payload_len = payload.len().to_string();
    let mut out = Vec::with_capacity(
        7 + type_len.len() + 1 + payload_type.len() + 1 + payload_len.len() + 1 + payload.len(),
    );
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// The PAE of this envelope's payload: the bytes its signatures sign.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// Parses a standalone DSSE envelope (strict base64, at most
    /// [`MAX_DSSE_SIGNATURES`](crate::MAX_DSSE_SIGNATURES) signatures,
    /// [`MAX_STATEMENT_BYTES`] of input).
    pub fn from_json(input: &[u8]) -> Result<Self> {
        let v = json::parse_document(input, DocKind::Envelope, MAX_STATEMENT_BYTES)?;
        Self::read(v, Path::Root)
    }

    pub(crate) fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &["payload", "payloadType", "signatures"],
            Nulls::Reject,
        )?;
        let payload = o.bytes_maybe_empty("payload")?;
        let payload_type = o.str("payloadType")?;
        let signatures = o.opt_list("signatures", |v, f| {
            let mut so = Obj::new(v, f, &["sig", "keyid"], Nulls::Reject)?;
            Ok(DsseSignature {
                sig: so.bytes("sig")?,
                keyid: so.opt_str("keyid")?,
            })
        })?;
        Ok(Self {
            payload,
            payload_type,
            signatures,
        })
    }

    pub(crate) fn to_out(&self) -> Out {
        ObjOut::new()
            .bytes("payload", &self.payload)
            .str("payloadType", &self.payload_type)
            .put(
                "signatures",
                Out::Arr(
                    self.signatures
                        .iter()
                        .map(|s| {
                            let o = ObjOut::new().bytes("sig", &s.sig);
                            match &s.keyid {
                                Some(k) => o.str("keyid", k),
                                None => o,
                            }
                            .done()
                        })
                        .collect(),
                ),
            )
            .done()
    }

    /// Serializes to compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        json::to_vec(&self.to_out())
    }
}
