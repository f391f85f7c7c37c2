//! The ephemeral P-256 key of keyless signing, which can also sign a precomputed digest so
//! that large inputs are streamed.

use std::fmt;
use std::sync::Arc;

use p256::pkcs8::EncodePublicKey;
use signature::hazmat::PrehashSigner;
use signature::Signer as _;
use sigstore_crypto::{Error as CryptoError, KeyDetails, PublicKey, Signer};

/// A fresh ECDSA P-256 key that lives only for one signing operation. Its private half is
/// never exported or printed.
pub(crate) struct EphemeralKey {
    key: p256::ecdsa::SigningKey,
    public: PublicKey,
}

impl fmt::Debug for EphemeralKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EphemeralKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl EphemeralKey {
    /// A new key from the operating system's random number generator.
    pub(crate) fn generate() -> Result<Self, CryptoError> {
        let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let spki = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|_| CryptoError::Signing)?;
        let public = PublicKey::from_spki_der(spki.as_bytes())?;
        Ok(EphemeralKey { key, public })
    }

    /// ECDSA over a SHA-256 digest computed elsewhere (DER signature).
    pub(crate) fn sign_prehashed(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let sig: p256::ecdsa::Signature = self
            .key
            .sign_prehash(digest)
            .map_err(|_| CryptoError::Signing)?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

impl Signer for EphemeralKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn key_details(&self) -> KeyDetails {
        KeyDetails::EcdsaP256Sha256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let sig: p256::ecdsa::Signature = self
            .key
            .try_sign(message)
            .map_err(|_| CryptoError::Signing)?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

/// The key one signing operation uses.
pub(crate) enum KeyInUse {
    /// Keyless: a fresh key, certified by Fulcio.
    Ephemeral(Box<EphemeralKey>),
    /// The caller's key: a public-key bundle.
    Custom(Arc<dyn Signer>),
}

impl KeyInUse {
    pub(crate) fn signer(&self) -> &dyn Signer {
        match self {
            KeyInUse::Ephemeral(k) => k.as_ref(),
            KeyInUse::Custom(k) => k.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigstore_crypto::{HashAlgorithm, SignatureScheme};

    #[test]
    fn prehashed_and_whole_message_signatures_verify() {
        let key = EphemeralKey::generate().unwrap();
        let msg = b"streamed content";
        let digest = HashAlgorithm::Sha256.hash(msg);
        let scheme = SignatureScheme::Ecdsa(HashAlgorithm::Sha256);
        let sig = key.sign_prehashed(digest.as_bytes()).unwrap();
        key.public_key().verify(scheme, msg, &sig).unwrap();
        let sig = key.sign(msg).unwrap();
        key.public_key().verify(scheme, msg, &sig).unwrap();
        assert_eq!(key.key_details(), KeyDetails::EcdsaP256Sha256);
        // Fresh keys differ, and Debug shows only the public half.
        let other = EphemeralKey::generate().unwrap();
        assert_ne!(key.public_key(), other.public_key());
        assert!(!format!("{key:?}").contains("SigningKey"));
    }
}
