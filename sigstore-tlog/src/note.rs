//! C2SP signed notes, transparency-log checkpoints and witness cosignatures.
//!
//! * [`SignedNote::parse`] implements C2SP `signed-note`: valid UTF-8, no control characters
//!   other than newline, the text ends with a newline and is followed by a blank line and at
//!   least one signature line `— <name> <base64(key ID (4 bytes) || signature)>`; names are
//!   non-empty and contain no whitespace or `+`. At most [`MAX_NOTE_SIGNATURES`] lines are
//!   read (the spec requires accepting at least 16).
//! * [`Checkpoint::parse`] implements C2SP `tlog-checkpoint`: origin, tree size (canonical
//!   decimal), base64 root hash (32 bytes), then non-empty extension lines.
//! * [`LogKey`] identifies a log's checkpoint key by **name and key ID**. Key IDs: Ed25519
//!   `SHA-256(name || 0x0A || 0x01 || key)[:4]` (signed-note); ECDSA (Rekor)
//!   `SHA-256(DER SPKI)[:4]`, which is also the first 4 bytes of a Rekor v1 log ID. For Rekor
//!   v2 Ed25519 logs the trusted root's `logId.keyId` is the full C2SP key hash, so its first 4
//!   bytes are the note key ID as well ([`LogKey::with_key_id`] covers explicit IDs).
//! * [`verify_checkpoint`] checks a checkpoint note against an [`ExpectedOrigin`] and a set of
//!   candidate log keys. Lines from unknown keys (name or ID differ) are ignored; a line from a
//!   known key that does not verify rejects the note; no verified known signature rejects the
//!   note. Names are compared literally (no patterns). Only success yields a
//!   [`VerifiedCheckpoint`].
//! * Witness cosignatures (C2SP `tlog-cosignature`, `cosignature/v1`, Ed25519, key ID
//!   `SHA-256(name || 0x0A || 0x04 || key)[:4]`) are verified only when a [`WitnessPolicy`] is
//!   given, and must then reach its k-of-n threshold; otherwise they are ignored like any other
//!   unknown line.
//!
//! Selecting keys from a Sigstore trusted root: the key name is the host of the log's
//! `baseUrl` ([`key_name_from_base_url`]). Rekor v1 checkpoints have the origin
//! `"<host> - <tree ID>"` ([`ExpectedOrigin::RekorV1`]); Rekor v2 checkpoints have the host
//! itself as origin ([`ExpectedOrigin::Exact`]).

use base64_simd::STANDARD;
use sigstore_crypto::{HashAlgorithm, KeyKind, PublicKey, SignatureScheme, Signer};

use crate::error::{CheckpointField, NoteField};
use crate::merkle::{verify_inclusion, Hash};
use crate::Error;

/// Largest signed note accepted, in bytes (checked before anything else).
pub const MAX_NOTE_BYTES: usize = 1024 * 1024;

/// Most signature lines accepted on a note (C2SP: at least 16 must be accepted; golang.org/x/mod
/// `sumdb/note` also stops at 100). The 101st line rejects the note without decoding it.
pub const MAX_NOTE_SIGNATURES: usize = 100;

/// The em dash and space that start every signature line.
const SIG_PREFIX: &str = "\u{2014} ";

/// C2SP signed-note key type byte for Ed25519.
const ALG_ED25519: u8 = 0x01;
/// C2SP tlog-cosignature key type byte for Ed25519 cosignature/v1.
const ALG_COSIGNATURE_V1: u8 = 0x04;

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    name: String,
    key_id: [u8; 4],
    signature: Vec<u8>,
}

impl NoteSignature {
    /// The key name on the line.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The 4-byte key ID hint.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }
    /// The signature bytes after the key ID.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

/// A parsed (unverified) signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// Whether `name` is a valid note key name: non-empty, no whitespace, no `+`, no control chars.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

impl SignedNote {
    /// Parse a signed note (C2SP signed-note). See the module docs for the rules.
    pub fn parse(note: impl AsRef<[u8]>) -> Result<Self, Error> {
        let bytes = note.as_ref();
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(Error::NoteTooLarge {
                max: MAX_NOTE_BYTES,
                found: bytes.len(),
            });
        }
        let s = std::str::from_utf8(bytes).map_err(|_| Error::MalformedNote(NoteField::Utf8))?;
        if s.chars().any(|c| c != '\n' && c.is_control()) {
            return Err(Error::MalformedNote(NoteField::ControlCharacter));
        }
        let split = s
            .rfind("\n\n")
            .ok_or(Error::MalformedNote(NoteField::Separator))?;
        let (text, rest) = s.split_at(split + 1);
        let sigs = rest
            .strip_prefix('\n')
            .ok_or(Error::MalformedNote(NoteField::Separator))?;
        if sigs.is_empty() {
            return Err(Error::MalformedNote(NoteField::NoSignatures));
        }
        let body = sigs
            .strip_suffix('\n')
            .ok_or(Error::MalformedNote(NoteField::TrailingNewline))?;
        let mut signatures = Vec::new();
        for line in body.split('\n') {
            if signatures.len() >= MAX_NOTE_SIGNATURES {
                return Err(Error::TooManySignatures {
                    max: MAX_NOTE_SIGNATURES,
                });
            }
            signatures.push(parse_signature_line(line)?);
        }
        Ok(SignedNote {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The signed text (ends with a newline; excludes the blank line and the signatures).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Render back to the note format.
    pub fn to_note_string(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for sig in &self.signatures {
            out.push_str(&signature_line(&sig.name, sig.key_id, &sig.signature));
        }
        out
    }

    /// Verify the note with a set of candidate keys and return the keys whose signatures
    /// verified (at least one). Lines whose name and key ID do not both match a key are
    /// ignored; a matching line whose signature fails rejects the note
    /// ([`Error::NoteSignatureInvalid`]); no verified line gives
    /// [`Error::NoVerifiedSignature`].
    pub fn verify<'k>(&self, keys: &'k [LogKey]) -> Result<Vec<&'k LogKey>, Error> {
        let mut verified: Vec<&LogKey> = Vec::new();
        for sig in &self.signatures {
            for key in keys {
                if key.name == sig.name && key.key_id == sig.key_id {
                    key.verify_raw(self.text.as_bytes(), &sig.signature)
                        .map_err(|_| Error::NoteSignatureInvalid {
                            key_name: key.name.clone(),
                        })?;
                    if !verified.iter().any(|k| std::ptr::eq(*k, key)) {
                        verified.push(key);
                    }
                }
            }
        }
        if verified.is_empty() {
            return Err(Error::NoVerifiedSignature);
        }
        Ok(verified)
    }

    /// Sign `text` (which must end with a newline) with `signer` under key `name` and return
    /// the complete note. Ed25519 and ECDSA signers are supported (key IDs as [`LogKey::new`]).
    pub fn sign(text: &str, name: &str, signer: &dyn Signer) -> Result<String, Error> {
        if !text.ends_with('\n') || text.contains("\n\n") {
            return Err(Error::MalformedNote(NoteField::Separator));
        }
        let key = LogKey::new(name, signer.public_key())?;
        let sig = signer.sign(text.as_bytes())?;
        let mut out = String::from(text);
        out.push('\n');
        out.push_str(&signature_line(name, key.key_id, &sig));
        Ok(out)
    }
}

fn signature_line(name: &str, key_id: [u8; 4], sig: &[u8]) -> String {
    let mut blob = Vec::with_capacity(4 + sig.len());
    blob.extend_from_slice(&key_id);
    blob.extend_from_slice(sig);
    format!("{SIG_PREFIX}{name} {}\n", STANDARD.encode_to_string(blob))
}

fn parse_signature_line(line: &str) -> Result<NoteSignature, Error> {
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or(Error::MalformedNote(NoteField::SignatureLinePrefix))?;
    // Base64 never contains a space: everything before the last space is the name, so a name
    // with a space is reported as such.
    let (name, b64) = rest
        .rsplit_once(' ')
        .ok_or(Error::MalformedNote(NoteField::KeyName))?;
    if !is_valid_key_name(name) {
        return Err(Error::MalformedNote(NoteField::KeyName));
    }
    let blob = STANDARD
        .decode_to_vec(b64)
        .map_err(|_| Error::MalformedNote(NoteField::SignatureEncoding))?;
    if blob.len() < 5 {
        return Err(Error::MalformedNote(NoteField::SignatureEncoding));
    }
    let (id, sig) = blob.split_at(4);
    let mut key_id = [0u8; 4];
    key_id.copy_from_slice(id);
    Ok(NoteSignature {
        name: name.to_owned(),
        key_id,
        signature: sig.to_vec(),
    })
}

/// A parsed checkpoint body (C2SP tlog-checkpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    tree_size: u64,
    root_hash: Hash,
    extensions: Vec<String>,
}

fn parse_tree_size(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse::<u64>().ok()
}

impl Checkpoint {
    /// Parse a checkpoint body: the text of a signed note (ending with a newline), or a full
    /// signed note (its text part is used; signatures are ignored here).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let body = match text.find("\n\n") {
            Some(i) => text.get(..=i).unwrap_or(text),
            None => text,
        };
        let body = body
            .strip_suffix('\n')
            .ok_or(Error::MalformedCheckpoint(CheckpointField::TooFewLines))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        let size = lines
            .next()
            .ok_or(Error::MalformedCheckpoint(CheckpointField::TooFewLines))?;
        let root = lines
            .next()
            .ok_or(Error::MalformedCheckpoint(CheckpointField::TooFewLines))?;
        if origin.is_empty() {
            return Err(Error::MalformedCheckpoint(CheckpointField::Origin));
        }
        let tree_size =
            parse_tree_size(size).ok_or(Error::MalformedCheckpoint(CheckpointField::TreeSize))?;
        let root_bytes = STANDARD
            .decode_to_vec(root)
            .map_err(|_| Error::MalformedCheckpoint(CheckpointField::RootHash))?;
        let root_hash = Hash::try_from(root_bytes.as_slice())
            .map_err(|_| Error::MalformedCheckpoint(CheckpointField::RootHash))?;
        let mut extensions = Vec::new();
        for line in lines {
            if line.is_empty() {
                return Err(Error::MalformedCheckpoint(CheckpointField::ExtensionLine));
            }
            extensions.push(line.to_owned());
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            tree_size,
            root_hash,
            extensions,
        })
    }

    /// Build a checkpoint body (for log servers and tests).
    pub fn new(
        origin: &str,
        tree_size: u64,
        root_hash: Hash,
        extensions: Vec<String>,
    ) -> Result<Self, Error> {
        if origin.is_empty() || origin.contains('\n') {
            return Err(Error::MalformedCheckpoint(CheckpointField::Origin));
        }
        if extensions.iter().any(|e| e.is_empty() || e.contains('\n')) {
            return Err(Error::MalformedCheckpoint(CheckpointField::ExtensionLine));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            tree_size,
            root_hash,
            extensions,
        })
    }

    /// The body text, ending with a newline (what the log signs).
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.tree_size,
            STANDARD.encode_to_string(self.root_hash)
        );
        for e in &self.extensions {
            out.push_str(e);
            out.push('\n');
        }
        out
    }

    /// The origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// The tree size.
    pub fn tree_size(&self) -> u64 {
        self.tree_size
    }
    /// The root hash.
    pub fn root_hash(&self) -> &Hash {
        &self.root_hash
    }
    /// The extension lines (unauthenticated semantics: a witness does not vouch for them).
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogKeyAlg {
    Ed25519,
    EcdsaSha256,
}

/// A log's checkpoint-signing key with its note name and key ID.
#[derive(Debug, Clone)]
pub struct LogKey {
    name: String,
    key_id: [u8; 4],
    key: PublicKey,
    alg: LogKeyAlg,
}

fn sha256_prefix4(parts: &[&[u8]]) -> [u8; 4] {
    let mut h = sigstore_crypto::Hasher::new(HashAlgorithm::Sha256);
    for p in parts {
        h.update(p);
    }
    let d = h.finalize();
    let mut out = [0u8; 4];
    for (o, b) in out.iter_mut().zip(d.as_bytes()) {
        *o = *b;
    }
    out
}

/// C2SP signed-note Ed25519 key ID: `SHA-256(name || 0x0A || 0x01 || key)[:4]`.
pub fn ed25519_key_id(name: &str, raw_key: &[u8]) -> [u8; 4] {
    sha256_prefix4(&[name.as_bytes(), b"\n", &[ALG_ED25519], raw_key])
}

/// C2SP tlog-cosignature/v1 key ID: `SHA-256(name || 0x0A || 0x04 || key)[:4]`.
pub fn cosignature_key_id(name: &str, raw_key: &[u8]) -> [u8; 4] {
    sha256_prefix4(&[name.as_bytes(), b"\n", &[ALG_COSIGNATURE_V1], raw_key])
}

/// Rekor ECDSA checkpoint key ID: `SHA-256(DER SubjectPublicKeyInfo)[:4]`.
pub fn spki_key_id(spki_der: &[u8]) -> [u8; 4] {
    sha256_prefix4(&[spki_der])
}

impl LogKey {
    /// A log key with the key ID its kind implies: Ed25519 per C2SP signed-note, ECDSA per
    /// Rekor (SHA-256 of the SPKI). Other key kinds are rejected.
    pub fn new(name: &str, key: &PublicKey) -> Result<Self, Error> {
        match key.kind() {
            KeyKind::Ed25519 => Self::ed25519(name, key),
            KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521 => Self::ecdsa(name, key),
            KeyKind::Rsa { .. } => Err(Error::UnsupportedKey("RSA checkpoint keys")),
        }
    }

    /// An Ed25519 key; key ID `SHA-256(name || 0x0A || 0x01 || key)[:4]`.
    pub fn ed25519(name: &str, key: &PublicKey) -> Result<Self, Error> {
        if key.kind() != KeyKind::Ed25519 {
            return Err(Error::UnsupportedKey("expected an Ed25519 key"));
        }
        let id = ed25519_key_id(name, key.raw_public_key());
        Self::build(name, key, id, LogKeyAlg::Ed25519)
    }

    /// An ECDSA key (signatures over SHA-256 of the note text); key ID `SHA-256(SPKI)[:4]`.
    pub fn ecdsa(name: &str, key: &PublicKey) -> Result<Self, Error> {
        let id = spki_key_id(key.spki_der());
        Self::ecdsa_with_id(name, key, id)
    }

    fn ecdsa_with_id(name: &str, key: &PublicKey, id: [u8; 4]) -> Result<Self, Error> {
        match key.kind() {
            KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521 => {
                Self::build(name, key, id, LogKeyAlg::EcdsaSha256)
            }
            _ => Err(Error::UnsupportedKey("expected an ECDSA key")),
        }
    }

    /// A key with an explicit key ID (e.g. a trusted root's `checkpointKeyId`).
    pub fn with_key_id(name: &str, key: &PublicKey, key_id: [u8; 4]) -> Result<Self, Error> {
        match key.kind() {
            KeyKind::Ed25519 => Self::build(name, key, key_id, LogKeyAlg::Ed25519),
            _ => Self::ecdsa_with_id(name, key, key_id),
        }
    }

    /// A key whose note key ID is the first 4 bytes of a Sigstore trusted root `logId.keyId`
    /// (true for Rekor v1 ECDSA logs and Rekor v2 Ed25519 logs).
    pub fn from_log_id(name: &str, key: &PublicKey, log_id: &[u8]) -> Result<Self, Error> {
        let id = log_id.get(..4).ok_or(Error::InvalidHashLength {
            expected: 32,
            found: log_id.len(),
        })?;
        let mut key_id = [0u8; 4];
        key_id.copy_from_slice(id);
        Self::with_key_id(name, key, key_id)
    }

    fn build(name: &str, key: &PublicKey, key_id: [u8; 4], alg: LogKeyAlg) -> Result<Self, Error> {
        if !is_valid_key_name(name) {
            return Err(Error::InvalidKeyName);
        }
        Ok(LogKey {
            name: name.to_owned(),
            key_id,
            key: key.clone(),
            alg,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The 4-byte key ID.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }
    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    fn verify_raw(&self, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
        let scheme = match self.alg {
            LogKeyAlg::Ed25519 => SignatureScheme::Ed25519,
            LogKeyAlg::EcdsaSha256 => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
        };
        self.key.verify(scheme, msg, sig)?;
        Ok(())
    }
}

/// A witness's Ed25519 cosigning key (C2SP tlog-cosignature, cosignature/v1).
#[derive(Debug, Clone)]
pub struct WitnessKey {
    name: String,
    key_id: [u8; 4],
    key: PublicKey,
}

impl WitnessKey {
    /// A witness key; key ID `SHA-256(name || 0x0A || 0x04 || key)[:4]`.
    pub fn new(name: &str, key: &PublicKey) -> Result<Self, Error> {
        if key.kind() != KeyKind::Ed25519 {
            return Err(Error::UnsupportedKey("witness keys must be Ed25519"));
        }
        if !is_valid_key_name(name) {
            return Err(Error::InvalidKeyName);
        }
        Ok(WitnessKey {
            name: name.to_owned(),
            key_id: cosignature_key_id(name, key.raw_public_key()),
            key: key.clone(),
        })
    }
    /// The witness name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The 4-byte key ID.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }
}

/// Which witnesses must cosign: at least `threshold` distinct witnesses of the list.
#[derive(Debug, Clone)]
pub struct WitnessPolicy {
    witnesses: Vec<WitnessKey>,
    threshold: usize,
}

impl WitnessPolicy {
    /// A k-of-n policy. `1 <= threshold <= witnesses.len()`.
    pub fn new(witnesses: Vec<WitnessKey>, threshold: usize) -> Result<Self, Error> {
        if threshold == 0 || threshold > witnesses.len() {
            return Err(Error::InvalidWitnessPolicy {
                threshold,
                witnesses: witnesses.len(),
            });
        }
        Ok(WitnessPolicy {
            witnesses,
            threshold,
        })
    }
}

/// `cosignature/v1\ntime <t>\n` followed by the note text: what a witness signs.
fn cosignature_message(timestamp: u64, text: &str) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{text}").into_bytes()
}

/// Append a witness cosignature (cosignature/v1) by an Ed25519 `signer` to a signed note.
pub fn cosign_note(
    note: &str,
    name: &str,
    signer: &dyn Signer,
    timestamp: u64,
) -> Result<String, Error> {
    let parsed = SignedNote::parse(note)?;
    let key = WitnessKey::new(name, signer.public_key())?;
    let sig = signer.sign(&cosignature_message(timestamp, parsed.text()))?;
    let mut blob = Vec::with_capacity(8 + sig.len());
    blob.extend_from_slice(&timestamp.to_be_bytes());
    blob.extend_from_slice(&sig);
    let mut out = String::from(note);
    out.push_str(&signature_line(name, key.key_id, &blob));
    Ok(out)
}

/// A verified witness cosignature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCosignature {
    name: String,
    key_id: [u8; 4],
    timestamp: i64,
}

impl VerifiedCosignature {
    /// The witness name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The witness key ID.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }
    /// The time the witness states it cosigned (Unix seconds).
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }
}

/// What the checkpoint's origin line must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedOrigin {
    /// Exactly this string (Rekor v2: the log's host, e.g. `log2025-1.rekor.sigstore.dev`).
    Exact(String),
    /// Rekor v1: `"<host> - <decimal tree ID>"` (e.g. `rekor.sigstore.dev - 2605736670972794746`).
    RekorV1 {
        /// The log's host.
        host: String,
    },
}

impl ExpectedOrigin {
    /// Whether `origin` satisfies this expectation (literal comparison).
    pub fn matches(&self, origin: &str) -> bool {
        match self {
            ExpectedOrigin::Exact(s) => origin == s,
            ExpectedOrigin::RekorV1 { host } => origin
                .strip_prefix(host.as_str())
                .and_then(|r| r.strip_prefix(" - "))
                .and_then(parse_tree_size)
                .is_some(),
        }
    }

    fn describe(&self) -> String {
        match self {
            ExpectedOrigin::Exact(s) => s.clone(),
            ExpectedOrigin::RekorV1 { host } => format!("{host} - <tree id>"),
        }
    }
}

/// The note key name of a log from its trusted-root `baseUrl`: the authority part
/// (`https://rekor.sigstore.dev` -> `rekor.sigstore.dev`).
pub fn key_name_from_base_url(base_url: &str) -> Result<String, Error> {
    let rest = base_url
        .strip_prefix("https://")
        .or_else(|| base_url.strip_prefix("http://"))
        .unwrap_or(base_url);
    let host = rest.split('/').next().unwrap_or_default();
    if !is_valid_key_name(host) {
        return Err(Error::InvalidKeyName);
    }
    Ok(host.to_owned())
}

/// A checkpoint whose signature by a known log key (and, when asked, the witness threshold)
/// verified. Only [`verify_checkpoint`] constructs it.
#[derive(Debug, Clone)]
pub struct VerifiedCheckpoint {
    checkpoint: Checkpoint,
    note_text: String,
    signed_by: Vec<(String, [u8; 4])>,
    cosignatures: Vec<VerifiedCosignature>,
}

impl VerifiedCheckpoint {
    /// The checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }
    /// The origin.
    pub fn origin(&self) -> &str {
        &self.checkpoint.origin
    }
    /// The tree size.
    pub fn tree_size(&self) -> u64 {
        self.checkpoint.tree_size
    }
    /// The root hash.
    pub fn root_hash(&self) -> &Hash {
        &self.checkpoint.root_hash
    }
    /// The signed note text.
    pub fn note_text(&self) -> &str {
        &self.note_text
    }
    /// Name and key ID of each log key whose signature verified.
    pub fn signed_by(&self) -> &[(String, [u8; 4])] {
        &self.signed_by
    }
    /// The verified witness cosignatures (empty without a witness policy).
    pub fn cosignatures(&self) -> &[VerifiedCosignature] {
        &self.cosignatures
    }

    /// Check an inclusion proof against this checkpoint: the proof's tree size must equal the
    /// checkpoint's ([`Error::TreeSizeMismatch`]) and the proof must lead to its root.
    pub fn verify_inclusion(
        &self,
        index: u64,
        tree_size: u64,
        leaf_hash: &Hash,
        proof: &[Hash],
    ) -> Result<(), Error> {
        if tree_size != self.checkpoint.tree_size {
            return Err(Error::TreeSizeMismatch {
                checkpoint: self.checkpoint.tree_size,
                proof: tree_size,
            });
        }
        verify_inclusion(
            index,
            tree_size,
            leaf_hash,
            proof,
            &self.checkpoint.root_hash,
        )
    }
}

/// Verify a checkpoint note: parse it, check the origin, verify its signatures with the
/// candidate log keys (name + key ID) and, if `witnesses` is given, the cosignature threshold.
pub fn verify_checkpoint(
    note: impl AsRef<[u8]>,
    origin: &ExpectedOrigin,
    log_keys: &[LogKey],
    witnesses: Option<&WitnessPolicy>,
) -> Result<VerifiedCheckpoint, Error> {
    let note = SignedNote::parse(note)?;
    let checkpoint = Checkpoint::parse(note.text())?;
    if !origin.matches(checkpoint.origin()) {
        return Err(Error::OriginMismatch {
            expected: origin.describe(),
            found: checkpoint.origin.clone(),
        });
    }
    let signed_by = note
        .verify(log_keys)?
        .into_iter()
        .map(|k| (k.name.clone(), k.key_id))
        .collect();
    let mut cosignatures: Vec<VerifiedCosignature> = Vec::new();
    if let Some(policy) = witnesses {
        for sig in note.signatures() {
            for w in &policy.witnesses {
                if w.name != sig.name || w.key_id != sig.key_id {
                    continue;
                }
                let invalid = || Error::NoteSignatureInvalid {
                    key_name: w.name.clone(),
                };
                let (ts, ed_sig) = sig.signature.split_at(sig.signature.len().min(8));
                let ts = <[u8; 8]>::try_from(ts).map_err(|_| invalid())?;
                let ts = u64::from_be_bytes(ts);
                let ts_i64 = i64::try_from(ts).map_err(|_| invalid())?;
                w.key
                    .verify(
                        SignatureScheme::Ed25519,
                        &cosignature_message(ts, note.text()),
                        ed_sig,
                    )
                    .map_err(|_| invalid())?;
                if !cosignatures
                    .iter()
                    .any(|c| c.name == w.name && c.key_id == w.key_id)
                {
                    cosignatures.push(VerifiedCosignature {
                        name: w.name.clone(),
                        key_id: w.key_id,
                        timestamp: ts_i64,
                    });
                }
            }
        }
        if cosignatures.len() < policy.threshold {
            return Err(Error::WitnessThresholdNotMet {
                required: policy.threshold,
                found: cosignatures.len(),
            });
        }
    }
    Ok(VerifiedCheckpoint {
        checkpoint,
        note_text: note.text,
        signed_by,
        cosignatures,
    })
}
