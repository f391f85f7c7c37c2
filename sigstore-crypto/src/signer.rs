//! Signing keys.

use std::fmt;

use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use signature::Signer as _;

use crate::{Error, KeyDetails, PublicKey};

/// Something that signs messages: an in-memory key, a key file, or (later) a hardware token
/// or KMS. Implementations must be usable from several threads.
pub trait Signer: Send + Sync {
    /// The public half of the key.
    fn public_key(&self) -> &PublicKey;
    /// The key details (algorithm and hash) of the signatures [`Signer::sign`] produces.
    fn key_details(&self) -> KeyDetails;
    /// Sign `message` (the signer hashes it as its key details prescribe). ECDSA signatures are
    /// ASN.1 DER; Ed25519 signatures are 64 raw bytes.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;
}

enum SignerInner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// An in-memory private key: ephemeral P-256 keys for keyless signing, or PKCS#8 key files
/// (ECDSA P-256/P-384, Ed25519).
pub struct KeySigner {
    inner: SignerInner,
    public: PublicKey,
}

impl fmt::Debug for KeySigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print private key material.
        f.debug_struct("KeySigner")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl KeySigner {
    /// A fresh ECDSA P-256 key from the operating system's random number generator.
    pub fn generate_p256() -> Result<Self, Error> {
        let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        Self::from_inner(SignerInner::P256(key))
    }

    /// A fresh Ed25519 key.
    pub fn generate_ed25519() -> Result<Self, Error> {
        let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
        Self::from_inner(SignerInner::Ed25519(key))
    }

    /// Load an unencrypted PKCS#8 private key (DER).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Self::from_inner(SignerInner::P256(k));
        }
        if let Ok(k) = p384::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Self::from_inner(SignerInner::P384(k));
        }
        if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
            return Self::from_inner(SignerInner::Ed25519(k));
        }
        Err(Error::MalformedPrivateKey(
            "not an unencrypted PKCS#8 ECDSA P-256/P-384 or Ed25519 key",
        ))
    }

    /// Load an unencrypted PKCS#8 private key (PEM `PRIVATE KEY`).
    pub fn from_pkcs8_pem(pem_text: &str) -> Result<Self, Error> {
        let block = pem::parse(pem_text.as_bytes()).map_err(|_| Error::Pem("unparsable PEM"))?;
        if block.tag() != "PRIVATE KEY" {
            return Err(Error::Pem("expected a PRIVATE KEY block"));
        }
        Self::from_pkcs8_der(block.contents())
    }

    /// The private key as PKCS#8 PEM (for writing a key file; handle with care).
    pub fn to_pkcs8_pem(&self) -> Result<String, Error> {
        let doc = match &self.inner {
            SignerInner::P256(k) => k.to_pkcs8_der(),
            SignerInner::P384(k) => k.to_pkcs8_der(),
            SignerInner::Ed25519(k) => k.to_pkcs8_der(),
        }
        .map_err(|_| Error::MalformedPrivateKey("cannot encode key"))?;
        Ok(pem::encode(&pem::Pem::new(
            "PRIVATE KEY",
            doc.as_bytes().to_vec(),
        )))
    }

    fn from_inner(inner: SignerInner) -> Result<Self, Error> {
        let spki = match &inner {
            SignerInner::P256(k) => k.verifying_key().to_public_key_der(),
            SignerInner::P384(k) => k.verifying_key().to_public_key_der(),
            SignerInner::Ed25519(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|_| Error::MalformedPrivateKey("cannot encode public key"))?;
        let public = PublicKey::from_spki_der(spki.as_bytes())?;
        Ok(KeySigner { inner, public })
    }
}

impl Signer for KeySigner {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn key_details(&self) -> KeyDetails {
        match self.inner {
            SignerInner::P256(_) => KeyDetails::EcdsaP256Sha256,
            SignerInner::P384(_) => KeyDetails::EcdsaP384Sha384,
            SignerInner::Ed25519(_) => KeyDetails::Ed25519,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(match &self.inner {
            SignerInner::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| Error::Signing)?;
                sig.to_der().as_bytes().to_vec()
            }
            SignerInner::P384(k) => {
                let sig: p384::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| Error::Signing)?;
                sig.to_der().as_bytes().to_vec()
            }
            SignerInner::Ed25519(k) => k.try_sign(message).map_err(|_| Error::Signing)?.to_vec(),
        })
    }
}
