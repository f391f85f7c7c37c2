//! Trust material describing a running virtual Sigstore: a protobuf-specs `TrustedRoot`
//! (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`), a `SigningConfig` v0.2 and a
//! `ClientTrustConfig` v0.1 holding both.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use sigstore_crypto::{KeyKind, PublicKey, Signer};

use crate::pki::spki_sha256;
use crate::{Error, VirtualSigstore};

/// Which services a signing configuration lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningConfigOptions {
    /// Rekor major API versions to list (1 and/or 2).
    pub rekor_versions: Vec<u32>,
    /// Whether to list the TSA.
    pub tsa: bool,
}

impl Default for SigningConfigOptions {
    fn default() -> Self {
        SigningConfigOptions {
            rekor_versions: vec![1, 2],
            tsa: true,
        }
    }
}

/// Paths of the files written by [`VirtualSigstore::write_trust_material`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustFiles {
    /// `trusted_root.json`.
    pub trusted_root: PathBuf,
    /// `signing_config.json` (Rekor v1 and v2, TSA).
    pub signing_config: PathBuf,
    /// `client_trust_config.json` (both of the above).
    pub client_trust_config: PathBuf,
    /// `client_trust_config_v1.json`: Rekor v1 only in the signing config.
    pub client_trust_config_v1: PathBuf,
    /// `client_trust_config_v2.json`: Rekor v2 only in the signing config.
    pub client_trust_config_v2: PathBuf,
    /// `urls.json`.
    pub urls: PathBuf,
}

fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

fn key_details(key: &PublicKey) -> &'static str {
    match key.kind() {
        KeyKind::Ed25519 => "PKIX_ED25519",
        KeyKind::EcdsaP384 => "PKIX_ECDSA_P384_SHA_384",
        _ => "PKIX_ECDSA_P256_SHA_256",
    }
}

fn tlog(url: &str, key: &PublicKey, log_id: &[u8], start: &str) -> Value {
    json!({
        "baseUrl": url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {
            "rawBytes": B64.encode(key.spki_der()),
            "keyDetails": key_details(key),
            "validFor": {"start": start}
        },
        "logId": {"keyId": B64.encode(log_id)}
    })
}

fn chain(uri: &str, cn: &str, certs: &[Vec<u8>], start: &str) -> Value {
    json!({
        "subject": {"organization": "sigstore-testkit", "commonName": cn},
        "uri": uri,
        "certChain": {"certificates": certs.iter().map(|c| json!({"rawBytes": B64.encode(c)})).collect::<Vec<_>>()},
        "validFor": {"start": start}
    })
}

fn service(url: &str, version: u32, start: &str) -> Value {
    json!({
        "url": url,
        "majorApiVersion": version,
        "validFor": {"start": start},
        "operator": "sigstore-testkit"
    })
}

impl VirtualSigstore {
    /// The `TrustedRoot` of this instance: both Rekor logs (v1 ECDSA with log ID
    /// SHA-256(SPKI), v2 Ed25519 with the C2SP key ID), the CT log, the Fulcio CA
    /// `[intermediate, root]` and the TSA `[leaf, root]`, all valid from creation.
    pub fn trusted_root(&self) -> Value {
        let start = rfc3339(self.pki.created - 60);
        let v1_key = self.pki.rekor_v1_key.public_key();
        let v2_key = self.pki.rekor_v2_key.public_key();
        let ct_key = self.pki.ct_key.public_key();
        json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [
                tlog(&self.urls.rekor_v1, v1_key, &spki_sha256(v1_key), &start),
                tlog(&self.urls.rekor_v2, v2_key, &self.rekor_v2.log_id(), &start)
            ],
            "certificateAuthorities": [chain(&self.urls.fulcio, "virtual-sigstore-intermediate", &self.fulcio_chain_der(), &start)],
            "ctlogs": [tlog(&format!("{}/ct", self.urls.fulcio), ct_key, &spki_sha256(ct_key), &start)],
            "timestampAuthorities": [chain(&format!("{}/api/v1/timestamp", self.urls.tsa), "virtual-tsa", &self.tsa_chain_der(), &start)]
        })
    }

    /// A `SigningConfig` v0.2 listing this instance's services.
    pub fn signing_config(&self, options: &SigningConfigOptions) -> Value {
        let start = rfc3339(self.pki.created - 60);
        let mut rekor = Vec::new();
        // Highest version first, as clients pick the first supported entry.
        let mut versions = options.rekor_versions.clone();
        versions.sort_unstable_by(|a, b| b.cmp(a));
        for v in versions {
            match v {
                1 => rekor.push(service(&self.urls.rekor_v1, 1, &start)),
                2 => rekor.push(service(&self.urls.rekor_v2, 2, &start)),
                _ => {}
            }
        }
        let tsa = if options.tsa {
            vec![service(
                &format!("{}/api/v1/timestamp", self.urls.tsa),
                1,
                &start,
            )]
        } else {
            Vec::new()
        };
        json!({
            "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls": [service(&self.urls.fulcio, 1, &start)],
            "oidcUrls": [service(&self.urls.oidc, 1, &start)],
            "rekorTlogUrls": rekor,
            "tsaUrls": tsa,
            "rekorTlogConfig": {"selector": "ANY"},
            "tsaConfig": {"selector": "ANY"}
        })
    }

    /// A `ClientTrustConfig` v0.1 with [`Self::trusted_root`] and [`Self::signing_config`].
    pub fn client_trust_config(&self, options: &SigningConfigOptions) -> Value {
        json!({
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": self.trusted_root(),
            "signingConfig": self.signing_config(options)
        })
    }

    /// Write `trusted_root.json`, `signing_config.json`, `client_trust_config.json` (plus
    /// `_v1`/`_v2` variants listing one Rekor version) and `urls.json` into `dir`.
    pub fn write_trust_material(&self, dir: &Path) -> Result<TrustFiles, Error> {
        std::fs::create_dir_all(dir)?;
        let files = TrustFiles {
            trusted_root: dir.join("trusted_root.json"),
            signing_config: dir.join("signing_config.json"),
            client_trust_config: dir.join("client_trust_config.json"),
            client_trust_config_v1: dir.join("client_trust_config_v1.json"),
            client_trust_config_v2: dir.join("client_trust_config_v2.json"),
            urls: dir.join("urls.json"),
        };
        let all = SigningConfigOptions::default();
        let write = |p: &Path, v: &Value| -> Result<(), Error> {
            std::fs::write(p, serde_json::to_vec_pretty(v)?)?;
            Ok(())
        };
        write(&files.trusted_root, &self.trusted_root())?;
        write(&files.signing_config, &self.signing_config(&all))?;
        write(&files.client_trust_config, &self.client_trust_config(&all))?;
        for (path, v) in [
            (&files.client_trust_config_v1, 1),
            (&files.client_trust_config_v2, 2),
        ] {
            let opts = SigningConfigOptions {
                rekor_versions: vec![v],
                tsa: true,
            };
            write(path, &self.client_trust_config(&opts))?;
        }
        write(&files.urls, &serde_json::to_value(&self.urls)?)?;
        Ok(files)
    }
}
