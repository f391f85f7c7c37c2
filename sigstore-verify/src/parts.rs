//! A borrowed, typed view of the pieces of a bundle that verification uses. Building it is the
//! only place that knows the bundle model's field names; everything after works on this view.

use sigstore_crypto::HashAlgorithm;

/// The bundle format version, from the media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Version {
    V01,
    V02,
    V03,
}

/// The verification material.
pub(crate) enum Material<'a> {
    /// `x509CertificateChain` (v0.1/v0.2): leaf first.
    Chain(Vec<&'a [u8]>),
    /// `certificate` (v0.3).
    Certificate(&'a [u8]),
    /// `publicKey` hint: a label only.
    PublicKey,
}

/// The signed content.
pub(crate) enum Content<'a> {
    Message {
        /// `messageDigest`, an unauthenticated hint.
        digest: Option<(Option<HashAlgorithm>, &'a [u8])>,
        signature: &'a [u8],
    },
    Dsse {
        payload_type: &'a str,
        payload: &'a [u8],
        /// Every signature (exactly one is accepted).
        signatures: Vec<&'a [u8]>,
    },
}

impl Content<'_> {
    /// The signature bytes timestamps and log entries cover (first DSSE signature).
    pub(crate) fn signature(&self) -> Option<&[u8]> {
        match self {
            Content::Message { signature, .. } => Some(signature),
            Content::Dsse { signatures, .. } => signatures.first().copied(),
        }
    }
}

/// An inclusion proof.
pub(crate) struct ProofParts<'a> {
    pub log_index: i64,
    pub root_hash: &'a [u8],
    pub tree_size: i64,
    pub hashes: Vec<&'a [u8]>,
    /// The checkpoint (signed note) text; `None` when absent.
    pub checkpoint: Option<&'a str>,
}

/// A transparency-log entry.
pub(crate) struct EntryParts<'a> {
    pub log_index: i64,
    pub log_id: &'a [u8],
    pub kind: &'a str,
    pub version: &'a str,
    pub integrated_time: i64,
    /// The signed entry timestamp, if there is an inclusion promise.
    pub set: Option<&'a [u8]>,
    pub proof: Option<ProofParts<'a>>,
    /// The canonicalized body (decoded from base64).
    pub body: &'a [u8],
}

/// The whole view.
pub(crate) struct BundleParts<'a> {
    pub media_type: &'a str,
    pub version: Version,
    pub material: Material<'a>,
    pub entries: Vec<EntryParts<'a>>,
    /// RFC 3161 `signedTimestamp` DER blobs.
    pub timestamps: Vec<&'a [u8]>,
    pub content: Content<'a>,
}
