//! A small RFC 3161 token builder for tests: a throwaway PKI (root CA, optional
//! intermediate, TSA signing certificate) made with rcgen, and hand-encoded DER for the
//! TimeStampResp / CMS SignedData / TSTInfo, so every field can be bent for negative tests.

use der::oid::ObjectIdentifier;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, KeyPair, KeyUsagePurpose,
    PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384,
};
use sigstore_crypto::{HashAlgorithm, KeyDetails, KeySigner, PublicKey, Signer};
use sigstore_fulcio::TimeRange;
use sigstore_timestamp::TimestampAuthority;

// ---- DER encoding -----------------------------------------------------------------------

pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A DER SET OF: elements sorted by encoding (X.690 §11.6).
pub fn set(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut sorted = parts.to_vec();
    sorted.sort();
    tlv(0x31, &sorted.concat())
}

pub fn oid(dotted: &str) -> Vec<u8> {
    tlv(0x06, ObjectIdentifier::new(dotted).unwrap().as_bytes())
}

pub fn int_bytes(content: &[u8]) -> Vec<u8> {
    tlv(0x02, content)
}

pub fn uint(v: u64) -> Vec<u8> {
    let mut bytes: Vec<u8> = v
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    int_bytes(&bytes)
}

pub fn octets(v: &[u8]) -> Vec<u8> {
    tlv(0x04, v)
}

pub fn gen_time(unix: i64, fraction: &str) -> Vec<u8> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
    let s = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}{}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        fraction
    );
    tlv(0x18, s.as_bytes())
}

pub fn hash_oid(alg: HashAlgorithm) -> &'static str {
    match alg {
        HashAlgorithm::Sha256 => "2.16.840.1.101.3.4.2.1",
        HashAlgorithm::Sha384 => "2.16.840.1.101.3.4.2.2",
        HashAlgorithm::Sha512 => "2.16.840.1.101.3.4.2.3",
    }
}

pub fn alg_id(alg: HashAlgorithm) -> Vec<u8> {
    seq(&[oid(hash_oid(alg))])
}

pub const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
pub const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub const OID_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
pub const OID_KP_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
pub const OID_KP_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";

/// Extract (issuer Name DER, serial content octets, SKI) of a DER certificate.
pub fn issuer_and_serial(cert_der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let c = sigstore_fulcio::Certificate::from_der(cert_der).unwrap();
    (c.issuer_der().to_vec(), c.serial().to_vec())
}

// ---- PKI -------------------------------------------------------------------------------

/// Knobs for the TSA signing certificate.
#[derive(Clone)]
pub struct LeafSpec {
    pub p384: bool,
    pub ca: bool,
    pub eku_critical: bool,
    pub eku: Vec<&'static str>,
    pub serial: u64,
    pub not_before: i64,
    pub not_after: i64,
    pub common_name: &'static str,
}

impl Default for LeafSpec {
    fn default() -> Self {
        LeafSpec {
            p384: false,
            ca: false,
            eku_critical: true,
            eku: vec![OID_KP_TIME_STAMPING],
            serial: 0x1234,
            not_before: 1_700_000_000,
            not_after: 1_900_000_000,
            common_name: "test-tsa",
        }
    }
}

/// A root CA that can issue TSA certificates.
pub struct TestCa {
    pub key: KeyPair,
    pub cert: rcgen::Certificate,
    pub params: CertificateParams,
}

impl TestCa {
    pub fn new(name: &str) -> Self {
        Self::with_validity(name, 1_600_000_000, 2_000_000_000)
    }

    pub fn with_validity(name: &str, not_before: i64, not_after: i64) -> Self {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::OrganizationName, "test");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = time::OffsetDateTime::from_unix_timestamp(not_before).unwrap();
        params.not_after = time::OffsetDateTime::from_unix_timestamp(not_after).unwrap();
        let cert = params.clone().self_signed(&key).unwrap();
        TestCa { key, cert, params }
    }

    pub fn der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }

    /// Issue a TSA certificate; returns (cert DER, signer).
    pub fn issue(&self, spec: &LeafSpec) -> (Vec<u8>, KeySigner) {
        let alg = if spec.p384 {
            &PKCS_ECDSA_P384_SHA384
        } else {
            &PKCS_ECDSA_P256_SHA256
        };
        let key = KeyPair::generate_for(alg).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::OrganizationName, "test");
        params
            .distinguished_name
            .push(DnType::CommonName, spec.common_name);
        params.serial_number = Some(spec.serial.into());
        params.is_ca = if spec.ca {
            IsCa::Ca(BasicConstraints::Unconstrained)
        } else {
            IsCa::ExplicitNoCa
        };
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        params.not_before = time::OffsetDateTime::from_unix_timestamp(spec.not_before).unwrap();
        params.not_after = time::OffsetDateTime::from_unix_timestamp(spec.not_after).unwrap();
        if !spec.eku.is_empty() {
            let content = seq(&spec.eku.iter().map(|o| oid(o)).collect::<Vec<_>>());
            let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 37], content);
            ext.set_criticality(spec.eku_critical);
            params.custom_extensions.push(ext);
        }
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        let signer = KeySigner::from_pkcs8_der(&key.serialize_der()).unwrap();
        (cert.der().to_vec(), signer)
    }

    /// Issue a TSA certificate for the checked-in RSA 2048 test key.
    pub fn issue_rsa(&self, spec: &LeafSpec, pss: bool) -> (Vec<u8>, RsaSigner) {
        let signer = RsaSigner::load(pss);
        let remote =
            rcgen::KeyPair::from_remote(Box::new(RsaPublic(signer.pkcs1.clone()))).unwrap();
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, spec.common_name);
        params.serial_number = Some(spec.serial.into());
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        params.not_before = time::OffsetDateTime::from_unix_timestamp(spec.not_before).unwrap();
        params.not_after = time::OffsetDateTime::from_unix_timestamp(spec.not_after).unwrap();
        let content = seq(&spec.eku.iter().map(|o| oid(o)).collect::<Vec<_>>());
        let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 37], content);
        ext.set_criticality(spec.eku_critical);
        params.custom_extensions.push(ext);
        let cert = params.signed_by(&remote, &self.cert, &self.key).unwrap();
        (cert.der().to_vec(), signer)
    }
}

/// The public half of the RSA test key, for rcgen.
struct RsaPublic(Vec<u8>);

impl rcgen::RemoteKeyPair for RsaPublic {
    fn public_key(&self) -> &[u8] {
        &self.0
    }
    fn sign(&self, _msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        Err(rcgen::Error::RemoteKeyError)
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// The checked-in RSA 2048 test key as a [`Signer`]: PKCS#1 v1.5 or PSS, SHA-256.
pub struct RsaSigner {
    key: rsa::RsaPrivateKey,
    public: PublicKey,
    pkcs1: Vec<u8>,
    pss: bool,
}

impl RsaSigner {
    pub fn load(pss: bool) -> Self {
        use rsa::pkcs1::EncodeRsaPublicKey;
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/tsa-rsa-2048.pkcs8.pem"
        ))
        .unwrap();
        let der = pem::parse(text).unwrap();
        let key = rsa::RsaPrivateKey::from_pkcs8_der(der.contents()).unwrap();
        let public_key = key.to_public_key();
        let spki = public_key.to_public_key_der().unwrap();
        let pkcs1 = public_key.to_pkcs1_der().unwrap().as_bytes().to_vec();
        RsaSigner {
            public: PublicKey::from_spki_der(spki.as_bytes()).unwrap(),
            key,
            pkcs1,
            pss,
        }
    }
}

impl Signer for RsaSigner {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }
    fn key_details(&self) -> KeyDetails {
        if self.pss {
            KeyDetails::RsaPss2048Sha256
        } else {
            KeyDetails::RsaPkcs1v15_2048Sha256
        }
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, sigstore_crypto::Error> {
        use signature::{RandomizedSigner, SignatureEncoding, Signer as _};
        Ok(if self.pss {
            rsa::pss::SigningKey::<sha2::Sha256>::new(self.key.clone())
                .sign_with_rng(&mut rand_core::OsRng, msg)
                .to_vec()
        } else {
            rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(self.key.clone())
                .sign(msg)
                .to_vec()
        })
    }
}

/// RSASSA-PSS-params for SHA-256, MGF1-SHA-256, salt 32 (RFC 4055 §3.1).
pub fn pss_sha256_params() -> Vec<u8> {
    let sha256 = alg_id(HashAlgorithm::Sha256);
    seq(&[
        tlv(0xa0, &sha256),
        tlv(0xa1, &seq(&[oid("1.2.840.113549.1.1.8"), sha256.clone()])),
        tlv(0xa2, &uint(32)),
    ])
}

/// A complete test TSA: CA, signing certificate and key, and its trusted authority.
pub struct TestTsa {
    pub ca: TestCa,
    pub cert: Vec<u8>,
    pub signer: KeySigner,
    pub valid_for: TimeRange,
}

impl TestTsa {
    pub fn new(spec: &LeafSpec) -> Self {
        let ca = TestCa::new("test-tsa-root");
        let (cert, signer) = ca.issue(spec);
        TestTsa {
            ca,
            cert,
            signer,
            valid_for: TimeRange {
                start: 1_650_000_000,
                end: None,
            },
        }
    }

    pub fn authority(&self) -> TimestampAuthority {
        TimestampAuthority::from_der_chain(&[self.cert.clone(), self.ca.der()], self.valid_for)
            .unwrap()
    }

    /// A token spec signed by this TSA.
    pub fn spec(&self, signed_data: &[u8]) -> TokenSpec<'_> {
        TokenSpec::new(&self.signer, &self.cert, signed_data)
    }
}

// ---- tokens ----------------------------------------------------------------------------

/// Everything that goes into one token.
pub struct TokenSpec<'a> {
    pub signer: &'a dyn Signer,
    /// The certificate the sid and ESSCertIDv2 name.
    pub signer_cert: Vec<u8>,
    pub imprint_alg: HashAlgorithm,
    /// Overrides the imprint algorithm OID.
    pub imprint_alg_oid: Option<&'static str>,
    pub imprint: Vec<u8>,
    pub gen_time: i64,
    pub gen_time_fraction: &'static str,
    pub nonce: Option<u64>,
    pub serial: u64,
    pub digest_alg: HashAlgorithm,
    /// Overrides the digest algorithm OID (SignerInfo and digestAlgorithms).
    pub digest_alg_oid: Option<&'static str>,
    /// Signature algorithm OID.
    pub sig_alg: &'static str,
    /// Signature algorithm parameters (DER), if any.
    pub sig_alg_params: Option<Vec<u8>>,
    /// Certificates placed in the bag, in order.
    pub bag: Vec<Vec<u8>>,
    pub use_ski: bool,
    pub ess_v2: bool,
    pub content_type_attr: &'static str,
    pub message_digest_override: Option<Vec<u8>>,
    pub flip_signature: bool,
    pub extra_signer_infos: usize,
    /// Extra (unknown, signed) attributes.
    pub extra_attrs: usize,
    pub status: u64,
}

impl<'a> TokenSpec<'a> {
    pub fn new(signer: &'a dyn Signer, signer_cert: &[u8], signed_data: &[u8]) -> Self {
        TokenSpec {
            signer,
            signer_cert: signer_cert.to_vec(),
            imprint_alg: HashAlgorithm::Sha256,
            imprint_alg_oid: None,
            imprint: HashAlgorithm::Sha256.hash(signed_data).as_bytes().to_vec(),
            gen_time: 1_750_000_000,
            gen_time_fraction: "",
            nonce: Some(0x0102_0304_0506_0708),
            serial: 42,
            digest_alg: HashAlgorithm::Sha256,
            digest_alg_oid: None,
            sig_alg: "1.2.840.10045.4.3.2",
            sig_alg_params: None,
            bag: vec![signer_cert.to_vec()],
            use_ski: false,
            ess_v2: true,
            content_type_attr: OID_TST_INFO,
            message_digest_override: None,
            flip_signature: false,
            extra_signer_infos: 0,
            extra_attrs: 0,
            status: 0,
        }
    }

    pub fn tst_info(&self) -> Vec<u8> {
        let mut parts = vec![
            uint(1),
            oid("1.3.6.1.4.1.57264.2"),
            seq(&[
                self.imprint_alg_oid
                    .map_or_else(|| alg_id(self.imprint_alg), |o| seq(&[oid(o)])),
                octets(&self.imprint),
            ]),
            uint(self.serial),
            gen_time(self.gen_time, self.gen_time_fraction),
            seq(&[uint(1)]),
        ];
        if let Some(n) = self.nonce {
            parts.push(uint(n));
        }
        seq(&parts)
    }

    fn digest_alg_id(&self) -> Vec<u8> {
        self.digest_alg_oid
            .map_or_else(|| alg_id(self.digest_alg), |o| seq(&[oid(o)]))
    }

    /// The bare TimeStampToken (ContentInfo).
    pub fn token(&self) -> Vec<u8> {
        let econtent = self.tst_info();
        let signer_cert = sigstore_fulcio::Certificate::from_der(&self.signer_cert).unwrap();
        let md = self
            .message_digest_override
            .clone()
            .unwrap_or_else(|| self.digest_alg.hash(&econtent).as_bytes().to_vec());
        let mut attrs = vec![
            seq(&[oid(OID_CONTENT_TYPE), set(&[oid(self.content_type_attr)])]),
            seq(&[oid(OID_MESSAGE_DIGEST), set(&[octets(&md)])]),
        ];
        if self.ess_v2 {
            let cert_hash = HashAlgorithm::Sha256.hash(&self.signer_cert);
            let issuer_serial = seq(&[
                seq(&[tlv(0xa4, signer_cert.issuer_der())]),
                int_bytes(signer_cert.serial()),
            ]);
            let ess = seq(&[seq(&[seq(&[octets(cert_hash.as_bytes()), issuer_serial])])]);
            attrs.push(seq(&[oid(OID_SIGNING_CERT_V2), set(&[ess])]));
        }
        for i in 0..self.extra_attrs {
            attrs.push(seq(&[
                oid(&format!("1.3.6.1.4.1.99999.{i}")),
                set(&[tlv(0x05, &[])]),
            ]));
        }
        let signed_attrs_set = set(&attrs);
        let mut signature = self.signer.sign(&signed_attrs_set).unwrap();
        if self.flip_signature {
            let last = signature.len() - 3;
            signature[last] ^= 0x01;
        }
        let mut signed_attrs = signed_attrs_set.clone();
        signed_attrs[0] = 0xa0;
        let sid = if self.use_ski {
            tlv(0x80, signer_cert.subject_key_id().unwrap())
        } else {
            seq(&[
                signer_cert.issuer_der().to_vec(),
                int_bytes(signer_cert.serial()),
            ])
        };
        let signer_info = seq(&[
            uint(if self.use_ski { 3 } else { 1 }),
            sid,
            self.digest_alg_id(),
            signed_attrs,
            seq(&[
                oid(self.sig_alg),
                self.sig_alg_params.clone().unwrap_or_default(),
            ]),
            octets(&signature),
        ]);
        let mut infos = vec![signer_info.clone()];
        for i in 0..self.extra_signer_infos {
            let mut other = signer_info.clone();
            let n = other.len() - 1;
            other[n] ^= i as u8 + 1;
            infos.push(other);
        }
        let mut sd = vec![
            uint(3),
            set(&[self.digest_alg_id()]),
            seq(&[oid(OID_TST_INFO), tlv(0xa0, &octets(&econtent))]),
        ];
        if !self.bag.is_empty() {
            sd.push(tlv(0xa0, &self.bag.concat()));
        }
        sd.push(set(&infos));
        seq(&[oid(OID_SIGNED_DATA), tlv(0xa0, &seq(&sd))])
    }

    /// A TimeStampResp wrapping the token (no token when the status is not granted).
    pub fn response(&self) -> Vec<u8> {
        if self.status > 1 {
            return seq(&[seq(&[uint(self.status)])]);
        }
        seq(&[seq(&[uint(self.status)]), self.token()])
    }
}
