//! Keys and certificates of the virtual Sigstore: a Fulcio root and intermediate, a CT log
//! key, Rekor v1 (ECDSA P-256) and v2 (Ed25519) keys, a TSA root and leaf, and the OIDC
//! issuer's signing key. Keys come from sigstore-crypto's [`KeySigner`]; certificates are built
//! with `rcgen`, which signs through [`KeySigner`] too.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, PublicKeyData, RemoteKeyPair,
    SerialNumber, SignatureAlgorithm,
};
use sigstore_crypto::{HashAlgorithm, KeyKind, KeySigner, PublicKey, Signer};

use crate::der;
use crate::Error;

/// Validity of the CA certificates from the creation time (10 years).
pub const CA_VALIDITY_SECS: i64 = 10 * 365 * 24 * 3600;
/// Validity of issued Fulcio leaf certificates (10 minutes, as Fulcio).
pub const LEAF_VALIDITY_SECS: i64 = 600;

/// Fulcio issuer (v1, raw value) extension OID.
pub const OID_FULCIO_ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
/// Fulcio issuer (v2, DER UTF8String) extension OID.
pub const OID_FULCIO_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";
/// Embedded SCT list extension OID (RFC 6962 §3.3).
pub const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";

/// Adapter so rcgen signs with a sigstore-crypto key.
struct RemoteSigner {
    signer: Arc<KeySigner>,
    alg: &'static SignatureAlgorithm,
}

impl RemoteKeyPair for RemoteSigner {
    fn public_key(&self) -> &[u8] {
        self.signer.public_key().raw_public_key()
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.signer
            .sign(msg)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

/// A public key to put in a certificate.
pub(crate) struct SubjectKey {
    raw: Vec<u8>,
    alg: &'static SignatureAlgorithm,
}

impl SubjectKey {
    pub fn new(key: &PublicKey) -> Result<Self, Error> {
        Ok(SubjectKey {
            raw: key.raw_public_key().to_vec(),
            alg: algorithm_for(key.kind())?,
        })
    }
}

impl PublicKeyData for SubjectKey {
    fn der_bytes(&self) -> &[u8] {
        &self.raw
    }
    fn algorithm(&self) -> &SignatureAlgorithm {
        self.alg
    }
}

fn algorithm_for(kind: KeyKind) -> Result<&'static SignatureAlgorithm, Error> {
    Ok(match kind {
        KeyKind::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyKind::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        KeyKind::Ed25519 => &rcgen::PKCS_ED25519,
        KeyKind::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
        _ => return Err(Error::UnsupportedKey("certificate subject key")),
    })
}

fn rc_key(signer: &Arc<KeySigner>) -> Result<KeyPair, Error> {
    let alg = algorithm_for(signer.public_key().kind())?;
    Ok(KeyPair::from_remote(Box::new(RemoteSigner {
        signer: signer.clone(),
        alg,
    }))?)
}

fn offset_time(unix: i64) -> Result<time::OffsetDateTime, Error> {
    time::OffsetDateTime::from_unix_timestamp(unix).map_err(|_| Error::TimeOutOfRange)
}

/// A certificate authority (or TSA signer) with its key.
pub(crate) struct Authority {
    pub signer: Arc<KeySigner>,
    key: KeyPair,
    /// Regenerated rcgen certificate (same subject and key) used as the issuer of new certs.
    issuer: rcgen::Certificate,
    /// The published DER (persisted; identical across restarts).
    pub der: Vec<u8>,
}

impl Authority {
    pub fn pem(&self) -> String {
        pem_lf("CERTIFICATE", &self.der)
    }
}

/// PEM with LF line endings and 64-column lines (as Go's `pem.EncodeToMemory`, which Fulcio
/// and Rekor use).
pub(crate) fn pem_lf(tag: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(tag, der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// Random bytes.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).map_err(|_| Error::Random)?;
    Ok(b)
}

fn random_serial() -> Result<SerialNumber, Error> {
    let mut b = random_bytes::<16>()?;
    if let Some(first) = b.first_mut() {
        *first &= 0x7f;
        *first |= 0x01;
    }
    Ok(SerialNumber::from_slice(&b))
}

fn dn(cn: &str) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::OrganizationName, "sigstore-testkit");
    d.push(DnType::CommonName, cn);
    d
}

/// All key material of one virtual Sigstore instance.
pub(crate) struct Pki {
    pub created: i64,
    pub fulcio_root: Authority,
    pub fulcio_intermediate: Authority,
    pub ct_key: Arc<KeySigner>,
    pub rekor_v1_key: Arc<KeySigner>,
    pub rekor_v2_key: Arc<KeySigner>,
    pub tsa_root: Authority,
    pub tsa_leaf: Authority,
    pub oidc_key: Arc<KeySigner>,
}

struct Store {
    dir: Option<PathBuf>,
}

impl Store {
    fn key(&self, name: &str, ed25519: bool) -> Result<Arc<KeySigner>, Error> {
        let path = self
            .dir
            .as_ref()
            .map(|d| d.join("keys").join(format!("{name}.pem")));
        if let Some(p) = path.as_ref().filter(|p| p.exists()) {
            let text = std::fs::read_to_string(p)?;
            return Ok(Arc::new(KeySigner::from_pkcs8_pem(&text)?));
        }
        let signer = if ed25519 {
            KeySigner::generate_ed25519()?
        } else {
            KeySigner::generate_p256()?
        };
        if let Some(p) = path {
            write_private(&p, signer.to_pkcs8_pem()?.as_bytes())?;
        }
        Ok(Arc::new(signer))
    }

    fn cert(
        &self,
        name: &str,
        make: impl FnOnce() -> Result<Vec<u8>, Error>,
    ) -> Result<Vec<u8>, Error> {
        let path = self
            .dir
            .as_ref()
            .map(|d| d.join("certs").join(format!("{name}.der")));
        if let Some(p) = path.as_ref().filter(|p| p.exists()) {
            return Ok(std::fs::read(p)?);
        }
        let der = make()?;
        if let Some(p) = path {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(p, &der)?;
        }
        Ok(der)
    }
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, data)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn ca_params(cn: &str, created: i64, path_len: Option<u8>) -> Result<CertificateParams, Error> {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(cn);
    p.not_before = offset_time(created - 60)?;
    p.not_after = offset_time(created + CA_VALIDITY_SECS)?;
    p.serial_number = Some(random_serial()?);
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(p)
}

fn authority(
    store: &Store,
    name: &str,
    signer: Arc<KeySigner>,
    params: CertificateParams,
    parent: Option<&Authority>,
) -> Result<Authority, Error> {
    let key = rc_key(&signer)?;
    let issuer = match parent {
        Some(p) => params.clone().signed_by(&key, &p.issuer, &p.key)?,
        None => params.clone().self_signed(&key)?,
    };
    let der = store.cert(name, || Ok(issuer.der().to_vec()))?;
    Ok(Authority {
        signer,
        key,
        issuer,
        der,
    })
}

/// Extension DER for a critical EKU of exactly `id-kp-timeStamping`.
fn critical_timestamping_eku() -> CustomExtension {
    let value = der::seq(&[&der::oid("1.3.6.1.5.5.7.3.8")]);
    let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 37], value);
    ext.set_criticality(true);
    ext
}

/// subjectKeyIdentifier: the first 20 bytes of SHA-256 of the subject public key bits.
fn subject_key_identifier(key: &PublicKey) -> CustomExtension {
    let digest = HashAlgorithm::Sha256.hash(key.raw_public_key());
    let id = digest.as_bytes().get(..20).unwrap_or(&[]);
    CustomExtension::from_oid_content(&[2, 5, 29, 14], der::octets(id))
}

fn oid_arcs(dotted: &str) -> Vec<u64> {
    dotted.split('.').filter_map(|a| a.parse().ok()).collect()
}

/// A subject alternative name for a Fulcio leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafSan {
    /// rfc822Name.
    Email(String),
    /// uniformResourceIdentifier.
    Uri(String),
}

impl Pki {
    pub fn load_or_create(dir: Option<&Path>, now: i64) -> Result<Pki, Error> {
        let store = Store {
            dir: dir.map(Path::to_path_buf),
        };
        let created = match dir.map(|d| d.join("created")) {
            Some(p) if p.exists() => std::fs::read_to_string(&p)?
                .trim()
                .parse()
                .map_err(|_| Error::CorruptState("created"))?,
            Some(p) => {
                std::fs::create_dir_all(p.parent().unwrap_or(Path::new(".")))?;
                std::fs::write(&p, now.to_string())?;
                now
            }
            None => now,
        };
        let root_key = store.key("fulcio_root", false)?;
        let root = authority(
            &store,
            "fulcio_root",
            root_key,
            ca_params("virtual-sigstore-root", created, None)?,
            None,
        )?;
        let inter_key = store.key("fulcio_intermediate", false)?;
        let mut inter_params = ca_params("virtual-sigstore-intermediate", created, Some(0))?;
        inter_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        inter_params.use_authority_key_identifier_extension = true;
        let intermediate = authority(
            &store,
            "fulcio_intermediate",
            inter_key,
            inter_params,
            Some(&root),
        )?;

        let tsa_root_key = store.key("tsa_root", false)?;
        let tsa_root = authority(
            &store,
            "tsa_root",
            tsa_root_key,
            ca_params("virtual-tsa-root", created, None)?,
            None,
        )?;
        let tsa_leaf_key = store.key("tsa_leaf", false)?;
        let mut leaf_params = ca_params("virtual-tsa", created, None)?;
        leaf_params.is_ca = IsCa::NoCa;
        leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf_params.use_authority_key_identifier_extension = true;
        leaf_params.custom_extensions = vec![
            critical_timestamping_eku(),
            subject_key_identifier(tsa_leaf_key.public_key()),
        ];
        let tsa_leaf = authority(
            &store,
            "tsa_leaf",
            tsa_leaf_key,
            leaf_params,
            Some(&tsa_root),
        )?;

        Ok(Pki {
            created,
            fulcio_root: root,
            fulcio_intermediate: intermediate,
            ct_key: store.key("ctlog", false)?,
            rekor_v1_key: store.key("rekor_v1", false)?,
            rekor_v2_key: store.key("rekor_v2", true)?,
            tsa_root,
            tsa_leaf,
            oidc_key: store.key("oidc", false)?,
        })
    }

    /// Issue a Fulcio leaf for `key` with an embedded SCT; returns its DER.
    pub fn issue_leaf(
        &self,
        key: &PublicKey,
        san: &LeafSan,
        issuer_url: &str,
        now: i64,
    ) -> Result<Vec<u8>, Error> {
        let subject = SubjectKey::new(key)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params.not_before = offset_time(now)?;
        params.not_after = offset_time(now + LEAF_VALIDITY_SECS)?;
        params.serial_number = Some(random_serial()?);
        // No basicConstraints: rcgen's explicit "not a CA" encodes the DEFAULT FALSE value,
        // which strict DER parsers (cryptography) reject.
        params.is_ca = IsCa::NoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        params.use_authority_key_identifier_extension = true;
        let general_name = match san {
            LeafSan::Email(e) => der::tlv(0x81, e.as_bytes()),
            LeafSan::Uri(u) => der::tlv(0x86, u.as_bytes()),
        };
        let mut san_ext =
            CustomExtension::from_oid_content(&[2, 5, 29, 17], der::seq(&[&general_name]));
        san_ext.set_criticality(true);
        params.custom_extensions = vec![
            subject_key_identifier(key),
            san_ext,
            CustomExtension::from_oid_content(
                &oid_arcs(OID_FULCIO_ISSUER_V1),
                issuer_url.as_bytes().to_vec(),
            ),
            CustomExtension::from_oid_content(
                &oid_arcs(OID_FULCIO_ISSUER_V2),
                der::utf8(issuer_url),
            ),
        ];
        // Pass 1: the precertificate TBS (no SCT extension).
        let pre = params.clone().signed_by(
            &subject,
            &self.fulcio_intermediate.issuer,
            &self.fulcio_intermediate.key,
        )?;
        let tbs = der::tbs_of_certificate(pre.der())?;
        let sct = self.sct(&tbs, now.saturating_mul(1000))?;
        let list = {
            let len = u16::try_from(sct.len()).map_err(|_| Error::MalformedDer)?;
            let mut inner = len.to_be_bytes().to_vec();
            inner.extend_from_slice(&sct);
            let total = u16::try_from(inner.len()).map_err(|_| Error::MalformedDer)?;
            let mut out = total.to_be_bytes().to_vec();
            out.extend_from_slice(&inner);
            out
        };
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                &oid_arcs(OID_SCT_LIST),
                der::octets(&list),
            ));
        // Pass 2: the final certificate, identical except for the SCT extension at the end.
        let cert = params.signed_by(
            &subject,
            &self.fulcio_intermediate.issuer,
            &self.fulcio_intermediate.key,
        )?;
        Ok(cert.der().to_vec())
    }

    /// A TLS-encoded v1 SCT over a precertificate entry (RFC 6962 §3.2).
    fn sct(&self, tbs: &[u8], timestamp_ms: i64) -> Result<Vec<u8>, Error> {
        let ts = u64::try_from(timestamp_ms).map_err(|_| Error::TimeOutOfRange)?;
        let issuer_key_hash =
            HashAlgorithm::Sha256.hash(self.fulcio_intermediate.signer.public_key().spki_der());
        let tbs_len = u32::try_from(tbs.len()).map_err(|_| Error::MalformedDer)?;
        let mut signed = vec![0u8, 0u8];
        signed.extend_from_slice(&ts.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes());
        signed.extend_from_slice(issuer_key_hash.as_bytes());
        signed.extend_from_slice(tbs_len.to_be_bytes().get(1..).unwrap_or(&[]));
        signed.extend_from_slice(tbs);
        signed.extend_from_slice(&0u16.to_be_bytes());
        let sig = self.ct_key.sign(&signed)?;
        let log_id = HashAlgorithm::Sha256.hash(self.ct_key.public_key().spki_der());
        let mut out = vec![0u8];
        out.extend_from_slice(log_id.as_bytes());
        out.extend_from_slice(&ts.to_be_bytes());
        out.extend_from_slice(&0u16.to_be_bytes());
        out.push(4); // sha256
        out.push(3); // ecdsa
        let sig_len = u16::try_from(sig.len()).map_err(|_| Error::MalformedDer)?;
        out.extend_from_slice(&sig_len.to_be_bytes());
        out.extend_from_slice(&sig);
        Ok(out)
    }
}

/// SHA-256 of a key's SubjectPublicKeyInfo (RFC 6962 log ID / Rekor log ID).
pub(crate) fn spki_sha256(key: &PublicKey) -> [u8; 32] {
    let d = HashAlgorithm::Sha256.hash(key.spki_der());
    let mut out = [0u8; 32];
    for (o, b) in out.iter_mut().zip(d.as_bytes()) {
        *o = *b;
    }
    out
}
