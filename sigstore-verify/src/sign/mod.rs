//! Signing (feature `sign`): keyless signing with an OpenID Connect identity, or signing
//! with your own key, into Sigstore bundles v0.3 that are verified before they are returned.
//!
//! A [`SigningContext`] is built from a signing configuration v0.2 and a trusted root (or a
//! client trust configuration, or the embedded production / staging ones). It picks its
//! services as [`SigningConfig`] prescribes (see [`select`](self#service-selection)), then for
//! every signature:
//!
//! 1. keyless: checks the identity token (expiry, `nbf`, audience), generates an ephemeral
//!    P-256 key, asks Fulcio for a certificate (PKCS#10 request), and checks that the
//!    certificate certifies OUR key, chains to a trusted CA, carries valid SCTs and names the
//!    token's identity and issuer;
//! 2. signs the content (a message signature, streamed for readers and files; or a DSSE
//!    envelope whose payload is the statement's exact bytes);
//! 3. timestamps the signature at each selected TSA (response checked for our imprint and
//!    nonce, token verified against the trusted root);
//! 4. submits it to each selected Rekor (v1: hashedrekord / dsse 0.0.1; v2, which requires a
//!    TSA: hashedrekord 0.0.2, for DSSE over the envelope's PAE as Rekor v2 specifies, or
//!    dsse 0.0.2 on request, see [`RekorV2DsseEntry`]), checks that the logged body is the
//!    submission and that the log is trusted;
//! 5. assembles the bundle and runs the [`Verifier`] on it with a policy built from the
//!    token's identity and issuer (or the key), which checks the SETs, inclusion proofs,
//!    checkpoints, timestamps, chain and signature again, offline.
//!
//! Any failure is a [`SignError`] and no bundle is returned; [`SignedBundle::write_to`]
//! writes atomically, so no partial file is ever left.
//!
//! # Service selection
//!
//! For each kind of service, only entries valid now with a supported `majorApiVersion` count
//! (Fulcio 1, Rekor 1 and 2, TSA 1); the highest version wins (Rekor v2 before v1), one
//! service is kept per `operator`, and the selector applies: `ALL` every one, `ANY` the
//! first, `EXACT` the first `count` (fewer is [`ConfigProblem::NotEnoughServices`]).

mod config;
mod error;
mod key;
mod write;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sigstore_bundle::{
    Bundle, BundleContent, BundleMediaType, DsseSignature, Envelope, InclusionPromise,
    InclusionProof, KindVersion, MessageDigest, MessageSignature, Statement,
    TimestampVerificationData, TransparencyLogEntry, VerificationMaterial,
    VerificationMaterialContent,
};
use sigstore_crypto::{Digest, HashAlgorithm, Hasher, Signer};
use sigstore_fulcio::client::{FulcioClient, ProofKind};
use sigstore_fulcio::{verify_chain, verify_scts, CertificateIdentity, KeyPurpose};
use sigstore_oidc::TokenSource;
use sigstore_timestamp::client::TsaClient;
use sigstore_tlog::client::{ClientConfig, RekorV1Client, RekorV2Client};
use sigstore_tlog::entry::{DsseRef, HashValue};
use sigstore_tlog::{EntryBody, Expected, ExpectedContent, Material};

use crate::trust::TrustMaterial;
use crate::{
    Artifact, Issuer, ManagedKey, Policy, San, TrustedRoot, VerificationResult, Verifier,
    IN_TOTO_PAYLOAD_TYPE,
};

pub use config::{SUPPORTED_CA_VERSIONS, SUPPORTED_REKOR_VERSIONS, SUPPORTED_TSA_VERSIONS};
pub use error::{ConfigProblem, ServiceKind, SignError};
pub use write::write_atomic;

/// The signing configuration types, re-exported for convenience.
pub use sigstore_bundle::{ClientTrustConfig, Service, SigningConfig};
/// The identity token type, re-exported for convenience.
pub use sigstore_oidc::IdentityToken;

/// Largest content a caller-supplied key signs from a reader or file: such keys sign whole
/// messages (no prehash interface), so the content is buffered. The default ephemeral key
/// streams and has no limit.
pub const MAX_BUFFERED_CONTENT_BYTES: u64 = 256 * 1024 * 1024;

/// Default deadline of each service call (retries included).
pub const DEFAULT_SERVICE_TIMEOUT: Duration = Duration::from_secs(30);

/// How a DSSE envelope is recorded in a Rekor v2 log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RekorV2DsseEntry {
    /// A `hashedrekord` 0.0.2 entry whose digest is SHA-256 of the envelope's PAE and whose
    /// signature is the envelope's: what Rekor v2 specifies and what sigstore-python writes
    /// and verifies (the default).
    #[default]
    HashedRekordOverPae,
    /// A `dsse` 0.0.2 entry (payload hash and signatures), for logs that still accept it.
    Dsse,
}

/// The audience identity tokens must carry.
pub const SIGSTORE_AUDIENCE: &str = sigstore_oidc::DEFAULT_AUDIENCE;

enum TokenSupply {
    None,
    Token(IdentityToken),
    Source(Box<dyn TokenSource + Send + Sync>),
}

/// Builds a [`SigningContext`].
pub struct SigningContextBuilder {
    config: SigningConfig,
    root: TrustedRoot,
    token: TokenSupply,
    key: Option<Arc<dyn Signer>>,
    rekor_version: Option<u32>,
    v2_dsse: RekorV2DsseEntry,
    audience: String,
    expected_identity: Option<String>,
    timeout: Duration,
    now: Option<i64>,
    max_buffered: u64,
}

impl std::fmt::Debug for SigningContextBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningContextBuilder")
            .field("rekor_version", &self.rekor_version)
            .field("custom_key", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

impl SigningContextBuilder {
    /// Sign with this identity token (keyless). The token is checked (expiry, audience) at
    /// every signature.
    pub fn identity_token(mut self, token: IdentityToken) -> Self {
        self.token = TokenSupply::Token(token);
        self
    }

    /// Obtain the identity token from `source` at every signature (for example
    /// `sigstore_oidc::EnvToken`, or an interactive flow wrapped in a source).
    pub fn token_source(mut self, source: Box<dyn TokenSource + Send + Sync>) -> Self {
        self.token = TokenSupply::Source(source);
        self
    }

    /// Sign with the caller's key instead of an ephemeral one: no certificate is requested,
    /// the bundle carries a public-key hint and verifies with [`Policy::public_key`].
    pub fn key(mut self, key: Arc<dyn Signer>) -> Self {
        self.key = Some(key);
        self
    }

    /// Use only Rekor services of this major API version (1 or 2) instead of the highest.
    pub fn rekor_version(mut self, version: u32) -> Self {
        self.rekor_version = Some(version);
        self
    }

    /// How DSSE envelopes are recorded in Rekor v2 logs (default
    /// [`RekorV2DsseEntry::HashedRekordOverPae`]).
    pub fn rekor_v2_dsse_entry(mut self, kind: RekorV2DsseEntry) -> Self {
        self.v2_dsse = kind;
        self
    }

    /// Lower the most content a caller key buffers from a reader or file (default and
    /// maximum [`MAX_BUFFERED_CONTENT_BYTES`]).
    pub fn max_buffered_content(mut self, bytes: u64) -> Self {
        self.max_buffered = bytes.min(MAX_BUFFERED_CONTENT_BYTES);
        self
    }

    /// The audience the token must have (default [`SIGSTORE_AUDIENCE`]).
    pub fn audience(mut self, audience: &str) -> Self {
        self.audience = audience.to_owned();
        self
    }

    /// The subject alternative name the certificate must carry, when it is not the token's
    /// `email`/`sub` ([`IdentityToken::identity`]); CI issuers such as GitHub Actions put a
    /// workflow URI there.
    pub fn expected_identity(mut self, identity: &str) -> Self {
        self.expected_identity = Some(identity.to_owned());
        self
    }

    /// The deadline of each service call (default [`DEFAULT_SERVICE_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Fix the signing time used to select services and check the token (tests).
    pub fn current_time(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }

    /// Selects the services and prepares the trust material.
    pub fn build(self) -> Result<SigningContext, SignError> {
        let now = self.now.unwrap_or_else(sigstore_oidc::unix_now);
        let trust = TrustMaterial::from_root(&self.root).map_err(SignError::TrustRoot)?;
        let verifier = Verifier::builder(self.root.clone())
            .build()
            .map_err(SignError::TrustRoot)?;
        if let Some(v) = self.rekor_version {
            if !SUPPORTED_REKOR_VERSIONS.contains(&v) {
                return Err(SignError::Config(ConfigProblem::UnsupportedRekorVersion(v)));
            }
        }
        let fulcio = if self.key.is_some() {
            None
        } else {
            if matches!(self.token, TokenSupply::None) {
                return Err(SignError::Config(ConfigProblem::NoToken));
            }
            config::select(
                &self.config.ca_urls,
                None,
                SUPPORTED_CA_VERSIONS,
                None,
                now,
                ServiceKind::CertificateAuthority,
                true,
            )?
            .into_iter()
            .next()
        };
        let rekor = config::select(
            &self.config.rekor_tlog_urls,
            self.config.rekor_tlog_config.as_ref(),
            SUPPORTED_REKOR_VERSIONS,
            self.rekor_version,
            now,
            ServiceKind::TransparencyLog,
            true,
        )?;
        let tsa = config::select(
            &self.config.tsa_urls,
            self.config.tsa_config.as_ref(),
            SUPPORTED_TSA_VERSIONS,
            None,
            now,
            ServiceKind::TimestampAuthority,
            false,
        )?;
        if tsa.is_empty() && rekor.iter().any(|s| s.major_api_version == 2) {
            return Err(SignError::Config(ConfigProblem::TimestampRequired));
        }
        Ok(SigningContext {
            trust,
            verifier,
            fulcio,
            rekor,
            tsa,
            token: self.token,
            key: self.key,
            v2_dsse: self.v2_dsse,
            max_buffered: self.max_buffered,
            audience: self.audience,
            expected_identity: self.expected_identity,
            timeout: self.timeout,
            now: self.now,
        })
    }
}

/// What is signed.
enum Content {
    /// A message signature over content with this digest (`bytes` kept when available).
    Message {
        digest: Digest,
        bytes: Option<Vec<u8>>,
    },
    /// An in-toto statement in a DSSE envelope; `subject` is a digest the statement names.
    Statement { payload: Vec<u8>, subject: Digest },
}

/// A finished, verified bundle.
#[derive(Debug, Clone)]
pub struct SignedBundle {
    /// The bundle (media type `application/vnd.dev.sigstore.bundle.v0.3+json`).
    pub bundle: Bundle,
    /// What the verify-after-sign pass checked.
    pub verification: VerificationResult,
}

impl SignedBundle {
    /// The bundle as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        self.bundle.to_json()
    }

    /// Writes the bundle JSON to `path` atomically (see [`write_atomic`]).
    pub fn write_to(&self, path: impl AsRef<Path>) -> Result<(), SignError> {
        write_atomic(path, &self.bundle.to_json())
    }
}

/// A configured signer. See the [module docs](self).
pub struct SigningContext {
    trust: TrustMaterial,
    verifier: Verifier,
    fulcio: Option<Service>,
    rekor: Vec<Service>,
    tsa: Vec<Service>,
    token: TokenSupply,
    key: Option<Arc<dyn Signer>>,
    v2_dsse: RekorV2DsseEntry,
    audience: String,
    expected_identity: Option<String>,
    timeout: Duration,
    now: Option<i64>,
    max_buffered: u64,
}

impl std::fmt::Debug for SigningContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningContext")
            .field("fulcio", &self.fulcio.as_ref().map(|s| &s.url))
            .field(
                "rekor",
                &self.rekor.iter().map(|s| &s.url).collect::<Vec<_>>(),
            )
            .field("tsa", &self.tsa.iter().map(|s| &s.url).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl SigningContext {
    /// Start building from a signing configuration v0.2 and the trusted root to verify
    /// against.
    pub fn builder(config: SigningConfig, root: TrustedRoot) -> SigningContextBuilder {
        SigningContextBuilder {
            config,
            root,
            token: TokenSupply::None,
            key: None,
            rekor_version: None,
            v2_dsse: RekorV2DsseEntry::default(),
            max_buffered: MAX_BUFFERED_CONTENT_BYTES,
            audience: SIGSTORE_AUDIENCE.to_owned(),
            expected_identity: None,
            timeout: DEFAULT_SERVICE_TIMEOUT,
            now: None,
        }
    }

    /// Start building from a client trust configuration.
    pub fn from_trust_config(config: ClientTrustConfig) -> SigningContextBuilder {
        Self::builder(config.signing_config, config.trusted_root)
    }

    /// The embedded public-good production configuration.
    pub fn production() -> Result<SigningContextBuilder, SignError> {
        let config = SigningConfig::production().map_err(SignError::Embedded)?;
        let root = TrustedRoot::production().map_err(SignError::Embedded)?;
        Ok(Self::builder(config, root))
    }

    /// The embedded staging configuration.
    pub fn staging() -> Result<SigningContextBuilder, SignError> {
        let config = SigningConfig::staging().map_err(SignError::Embedded)?;
        let root = TrustedRoot::staging().map_err(SignError::Embedded)?;
        Ok(Self::builder(config, root))
    }

    /// The selected Fulcio (none with a caller key).
    pub fn certificate_authority(&self) -> Option<&Service> {
        self.fulcio.as_ref()
    }

    /// The selected Rekor services.
    pub fn transparency_logs(&self) -> &[Service] {
        &self.rekor
    }

    /// The selected timestamp authorities.
    pub fn timestamp_authorities(&self) -> &[Service] {
        &self.tsa
    }

    fn hash_algorithm(&self) -> HashAlgorithm {
        self.key
            .as_ref()
            .and_then(|k| k.key_details().scheme().hash_algorithm())
            .unwrap_or(HashAlgorithm::Sha256)
    }

    /// Signs `bytes` into a message-signature bundle.
    pub fn sign_bytes(&self, bytes: &[u8]) -> Result<SignedBundle, SignError> {
        let digest = self.hash_algorithm().hash(bytes);
        self.sign(Content::Message {
            digest,
            bytes: Some(bytes.to_vec()),
        })
    }

    /// Signs everything `reader` yields into a message-signature bundle. With the default
    /// ephemeral key the content is streamed through the hash; a caller key buffers it (at
    /// most [`MAX_BUFFERED_CONTENT_BYTES`]).
    pub fn sign_reader(&self, reader: impl Read) -> Result<SignedBundle, SignError> {
        self.sign_reader_at(reader, Path::new("<reader>"))
    }

    /// Signs the file at `path` into a message-signature bundle (streamed as in
    /// [`sign_reader`](Self::sign_reader)).
    pub fn sign_file(&self, path: impl AsRef<Path>) -> Result<SignedBundle, SignError> {
        let path = path.as_ref();
        let f = std::fs::File::open(path).map_err(|e| SignError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        self.sign_reader_at(f, path)
    }

    fn sign_reader_at(
        &self,
        mut reader: impl Read,
        path: &Path,
    ) -> Result<SignedBundle, SignError> {
        let io = |e| SignError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        if self.key.is_some() {
            let mut buf = Vec::new();
            reader
                .by_ref()
                .take(self.max_buffered.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(io)?;
            if u64::try_from(buf.len()).unwrap_or(u64::MAX) > self.max_buffered {
                return Err(SignError::ContentTooLarge {
                    limit: self.max_buffered,
                });
            }
            return self.sign_bytes(&buf);
        }
        let mut hasher = Hasher::new(HashAlgorithm::Sha256);
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io(e)),
            };
            hasher.update(chunk.get(..n).unwrap_or_default());
        }
        self.sign(Content::Message {
            digest: hasher.finalize(),
            bytes: None,
        })
    }

    /// Signs an in-toto statement (JSON) into a DSSE bundle. The envelope's payload is
    /// exactly `statement` (byte for byte), with payload type `application/vnd.in-toto+json`.
    pub fn sign_statement(&self, statement: &[u8]) -> Result<SignedBundle, SignError> {
        let parsed = Statement::from_json(statement).map_err(SignError::Statement)?;
        let subject = parsed
            .subject
            .iter()
            .flat_map(|s| s.digest.iter())
            .find_map(|(alg, value)| {
                let alg = HashAlgorithm::from_name(alg)?;
                let bytes = hex::decode(value).ok()?;
                Digest::new(alg, &bytes).ok()
            })
            .ok_or(SignError::NoSubjectDigest)?;
        self.sign(Content::Statement {
            payload: statement.to_vec(),
            subject,
        })
    }

    fn token(&self, now: i64) -> Result<IdentityToken, SignError> {
        let token = match &self.token {
            TokenSupply::Token(t) => t.clone(),
            TokenSupply::Source(s) => s
                .fetch()
                .map_err(SignError::Token)?
                .ok_or(SignError::Config(ConfigProblem::NoToken))?,
            TokenSupply::None => return Err(SignError::Config(ConfigProblem::NoToken)),
        };
        token.check(now, &self.audience).map_err(SignError::Token)?;
        Ok(token)
    }

    fn sign(&self, content: Content) -> Result<SignedBundle, SignError> {
        let now = self.now.unwrap_or_else(sigstore_oidc::unix_now);

        // 1. The key and, keyless, its certificate.
        let key_in_use = match &self.key {
            Some(k) => key::KeyInUse::Custom(Arc::clone(k)),
            None => key::KeyInUse::Ephemeral(Box::new(
                key::EphemeralKey::generate().map_err(SignError::Key)?,
            )),
        };
        let signer = key_in_use.signer();
        let (material, vm_content, policy) = match &self.fulcio {
            None => {
                let spki = signer.public_key().spki_der().to_vec();
                (
                    Material::PublicKey(spki),
                    VerificationMaterialContent::PublicKey { hint: None },
                    Policy::public_key(ManagedKey::new(signer.public_key().clone())),
                )
            }
            Some(fulcio) => {
                let token = self.token(now)?;
                let leaf_der = self.certificate(fulcio, &token, signer, now)?;
                let expected = self
                    .expected_identity
                    .clone()
                    .unwrap_or_else(|| token.identity().to_owned());
                (
                    Material::Certificate(leaf_der.clone()),
                    VerificationMaterialContent::Certificate(leaf_der),
                    Policy::identity(San::exact(expected), Issuer::exact(token.issuer())),
                )
            }
        };

        // 2. The signature.
        let signature = match &content {
            Content::Message { digest, bytes } => match (&key_in_use, bytes) {
                (key::KeyInUse::Ephemeral(e), _) => e.sign_prehashed(digest.as_bytes()),
                (key::KeyInUse::Custom(k), Some(b)) => k.sign(b),
                (key::KeyInUse::Custom(_), None) => Err(sigstore_crypto::Error::Signing),
            },
            Content::Statement { payload, .. } => {
                signer.sign(&sigstore_bundle::pae(IN_TOTO_PAYLOAD_TYPE, payload))
            }
        }
        .map_err(SignError::Key)?;

        // 3. Timestamps over the signature bytes.
        let mut timestamps = Vec::new();
        for tsa in &self.tsa {
            let authorities = self.trust.tsas().map_err(SignError::TrustRoot)?;
            let stamped = TsaClient::new(tsa.url.clone())
                .with_timeout(self.timeout)
                .timestamp(&signature, authorities)
                .map_err(SignError::Timestamp)?;
            timestamps.push(stamped.response_der().to_vec());
        }

        // 4. Transparency log entries.
        let mut entries = Vec::new();
        for log in &self.rekor {
            entries.push(self.log(log, &content, &signature, &material, signer)?);
        }

        // 5. The bundle, verified before anyone sees it.
        let bundle_content = match &content {
            Content::Message { digest, .. } => BundleContent::MessageSignature(MessageSignature {
                message_digest: Some(MessageDigest {
                    algorithm: bundle_hash(digest.algorithm()),
                    digest: digest.as_bytes().to_vec(),
                }),
                signature: signature.clone(),
            }),
            Content::Statement { payload, .. } => BundleContent::DsseEnvelope(Envelope {
                payload: payload.clone(),
                payload_type: IN_TOTO_PAYLOAD_TYPE.to_owned(),
                signatures: vec![DsseSignature {
                    sig: signature.clone(),
                    keyid: None,
                }],
            }),
        };
        let bundle = Bundle {
            media_type: BundleMediaType::V0_3,
            verification_material: VerificationMaterial {
                content: vm_content,
                tlog_entries: entries,
                timestamp_verification_data: (!timestamps.is_empty()).then_some(
                    TimestampVerificationData {
                        rfc3161_timestamps: timestamps,
                    },
                ),
            },
            content: bundle_content,
        };
        let artifact = match content {
            Content::Message {
                bytes: Some(b),
                digest: _,
            } => Artifact::bytes(b),
            Content::Message {
                digest,
                bytes: None,
            }
            | Content::Statement {
                subject: digest, ..
            } => Artifact::digest(digest.algorithm(), digest.as_bytes())
                .map_err(SignError::Verify)?,
        };
        let verification = self
            .verifier
            .verify(&bundle, &artifact, &policy)
            .map_err(SignError::Verify)?;
        Ok(SignedBundle {
            bundle,
            verification,
        })
    }

    /// Requests and checks a certificate; returns the leaf DER.
    fn certificate(
        &self,
        fulcio: &Service,
        token: &IdentityToken,
        signer: &dyn Signer,
        now: i64,
    ) -> Result<Vec<u8>, SignError> {
        let issued = FulcioClient::new(&fulcio.url)
            .with_timeout(self.timeout)
            .request_certificate(token.as_str(), signer, ProofKind::CertificateSigningRequest)
            .map_err(SignError::Fulcio)?;
        let leaf = issued.leaf().ok_or(SignError::Fulcio(
            sigstore_fulcio::Error::MalformedResponse("empty certificate chain"),
        ))?;
        // The client checked this already; a certificate for another key must never pass.
        if leaf.public_key() != signer.public_key() {
            return Err(SignError::Fulcio(
                sigstore_fulcio::Error::CertificateKeyMismatch,
            ));
        }
        // Checked at the time the certificate arrived: Fulcio's notBefore is its issuance
        // time, which may be later than the start of this signature.
        let issued_at = self.now.unwrap_or_else(sigstore_oidc::unix_now).max(now);
        let chain = verify_chain(leaf, &self.trust.cas, &[issued_at], KeyPurpose::CodeSigning)
            .map_err(SignError::CertificateChain)?;
        verify_scts(&chain, &self.trust.ct_logs, 1).map_err(SignError::CertificateSct)?;
        let identity = CertificateIdentity::from_verified_chain(&chain)
            .map_err(SignError::CertificateChain)?;
        let expected = self
            .expected_identity
            .as_deref()
            .unwrap_or_else(|| token.identity());
        if identity.san.value() != expected {
            return Err(SignError::IdentityMismatch {
                expected: expected.to_owned(),
                found: identity.san.value().to_owned(),
            });
        }
        if identity.issuer.as_deref() != Some(token.issuer()) {
            return Err(SignError::IssuerMismatch {
                expected: token.issuer().to_owned(),
                found: identity.issuer.unwrap_or_default(),
            });
        }
        Ok(leaf.der().to_vec())
    }

    /// Submits to one log, checks the answer against the submission, returns the bundle entry.
    fn log(
        &self,
        log: &Service,
        content: &Content,
        signature: &[u8],
        material: &Material,
        signer: &dyn Signer,
    ) -> Result<TransparencyLogEntry, SignError> {
        let config = ClientConfig {
            timeout: self.timeout,
            ..ClientConfig::default()
        };
        let signatures = [signature.to_vec()];
        let pae_digest;
        let (expected_content, request) = match (content, log.major_api_version) {
            (Content::Statement { payload, .. }, 2)
                if self.v2_dsse == RekorV2DsseEntry::HashedRekordOverPae =>
            {
                pae_digest = HashAlgorithm::Sha256
                    .hash(&sigstore_bundle::pae(IN_TOTO_PAYLOAD_TYPE, payload));
                let r = EntryBody::hashedrekord_v002_request(
                    pae_digest.as_bytes(),
                    signature,
                    material,
                    signer.key_details(),
                );
                let c = ExpectedContent::Digest {
                    algorithm: HashAlgorithm::Sha256,
                    digest: pae_digest.as_bytes(),
                };
                (c, r)
            }
            (Content::Message { digest, .. }, v) => {
                let c = ExpectedContent::Digest {
                    algorithm: digest.algorithm(),
                    digest: digest.as_bytes(),
                };
                let r = if v == 2 {
                    EntryBody::hashedrekord_v002_request(
                        digest.as_bytes(),
                        signature,
                        material,
                        signer.key_details(),
                    )
                } else {
                    EntryBody::hashedrekord_v001_request(
                        &HashValue {
                            algorithm: digest.algorithm(),
                            digest: digest.as_bytes().to_vec(),
                        },
                        signature,
                        material,
                    )
                };
                (c, r)
            }
            (Content::Statement { payload, .. }, v) => {
                let env = DsseRef {
                    payload_type: IN_TOTO_PAYLOAD_TYPE,
                    payload,
                    signatures: &signatures,
                };
                let r = if v == 2 {
                    EntryBody::dsse_v002_request(&env, material, signer.key_details())
                } else {
                    let envelope = Envelope {
                        payload: payload.clone(),
                        payload_type: IN_TOTO_PAYLOAD_TYPE.to_owned(),
                        signatures: vec![DsseSignature {
                            sig: signature.to_vec(),
                            keyid: None,
                        }],
                    };
                    let json = String::from_utf8_lossy(&envelope.to_json()).into_owned();
                    EntryBody::dsse_v001_request(&json, material)
                };
                (ExpectedContent::Dsse(env), r)
            }
        };
        let expected = Expected {
            signature,
            material,
            content: expected_content,
        };
        let entry = if log.major_api_version == 2 {
            let e = RekorV2Client::new(&log.url, config)
                .create_entry(&request)
                .map_err(SignError::Rekor)?;
            let proof = e.inclusion_proof;
            LoggedEntry {
                log_index: e.log_index,
                log_id: e.log_id,
                body: e.canonicalized_body,
                integrated_time: None,
                set: None,
                proof: Some(proof),
            }
        } else {
            let e = RekorV1Client::new(&log.url, config)
                .create_entry(&request)
                .map_err(SignError::Rekor)?;
            LoggedEntry {
                log_index: e.log_index,
                log_id: e.log_id,
                body: e.body,
                integrated_time: Some(e.integrated_time),
                set: e.signed_entry_timestamp,
                proof: e.inclusion_proof,
            }
        };
        if self.trust.log_for(&entry.log_id).is_none() {
            return Err(SignError::UnknownLog {
                log_id: hex::encode(&entry.log_id),
            });
        }
        let body = EntryBody::parse(&entry.body).map_err(SignError::EntryMismatch)?;
        body.check_binding(&expected)
            .map_err(SignError::EntryMismatch)?;
        Ok(TransparencyLogEntry {
            log_index: entry.log_index,
            log_id: entry.log_id,
            kind_version: KindVersion {
                kind: body.kind().to_owned(),
                version: body.api_version().to_owned(),
            },
            integrated_time: entry.integrated_time,
            inclusion_promise: entry.set.map(|s| InclusionPromise {
                signed_entry_timestamp: s,
            }),
            inclusion_proof: entry.proof.map(|p| InclusionProof {
                log_index: p.log_index,
                root_hash: p.root_hash.to_vec(),
                tree_size: p.tree_size,
                hashes: p.hashes.iter().map(|h| h.to_vec()).collect(),
                checkpoint: Some(sigstore_bundle::Checkpoint {
                    envelope: p.checkpoint,
                }),
            }),
            canonicalized_body: entry.body,
        })
    }
}

struct LoggedEntry {
    log_index: i64,
    log_id: Vec<u8>,
    body: Vec<u8>,
    integrated_time: Option<i64>,
    set: Option<Vec<u8>>,
    proof: Option<sigstore_tlog::client::InclusionProofV1>,
}

fn bundle_hash(alg: HashAlgorithm) -> sigstore_bundle::HashAlgorithm {
    match alg {
        HashAlgorithm::Sha256 => sigstore_bundle::HashAlgorithm::Sha2_256,
        HashAlgorithm::Sha384 => sigstore_bundle::HashAlgorithm::Sha2_384,
        HashAlgorithm::Sha512 => sigstore_bundle::HashAlgorithm::Sha2_512,
    }
}
