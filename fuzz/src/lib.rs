//! Shared fixtures of the fuzz targets: the trust material they verify against, read once.
//!
//! Test data from the conformance suite is read at run time from the shared data folder
//! (`SIGSTORE_SHARED_DIR`, default `../../shared` relative to this crate), never embedded.
//! Without it the targets fall back to the embedded production trusted root only.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

/// The shared data folder (`SIGSTORE_SHARED_DIR`, else `../shared` next to the repository).
pub fn shared_dir() -> PathBuf {
    sigstore_test_support::shared_root()
}

/// A file of the conformance assets (`assets/bundle-verify/<rel>`), if present.
pub fn conformance_file(rel: &str) -> Option<Vec<u8>> {
    std::fs::read(
        shared_dir()
            .join("sigstore-conformance/assets/bundle-verify")
            .join(rel),
    )
    .ok()
}

/// The production trusted root (embedded in sigstore-bundle).
pub fn production_root() -> &'static sigstore_bundle::TrustedRoot {
    static ROOT: OnceLock<sigstore_bundle::TrustedRoot> = OnceLock::new();
    ROOT.get_or_init(|| sigstore_bundle::TrustedRoot::production().expect("embedded root parses"))
}

/// A trusted root with a timestamp authority and a Rekor v2 log (the conformance suite's
/// staging root), when the shared data is present.
pub fn rekor2_root() -> Option<&'static sigstore_bundle::TrustedRoot> {
    static ROOT: OnceLock<Option<sigstore_bundle::TrustedRoot>> = OnceLock::new();
    ROOT.get_or_init(|| {
        let json = conformance_file("rekor2-happy-path/trusted_root.json")?;
        sigstore_bundle::TrustedRoot::from_json(json.trim_ascii()).ok()
    })
    .as_ref()
}

/// Fulcio certificate authorities of the production root (and of the Rekor v2 root).
pub fn fulcio_authorities() -> &'static [sigstore_fulcio::CertificateAuthority] {
    static CAS: OnceLock<Vec<sigstore_fulcio::CertificateAuthority>> = OnceLock::new();
    CAS.get_or_init(|| {
        let mut out = Vec::new();
        let roots = std::iter::once(production_root()).chain(rekor2_root());
        for root in roots {
            for ca in &root.certificate_authorities {
                let chain: Result<Vec<_>, _> = ca
                    .cert_chain
                    .iter()
                    .map(|d| sigstore_fulcio::Certificate::from_der(d))
                    .collect();
                let range = sigstore_fulcio::TimeRange {
                    start: ca
                        .valid_for
                        .as_ref()
                        .and_then(|v| v.start_unix())
                        .unwrap_or(0),
                    end: ca.valid_for.as_ref().and_then(|v| v.end_unix()),
                };
                if let Ok(chain) = chain {
                    if let Ok(a) = sigstore_fulcio::CertificateAuthority::new(chain, range) {
                        out.push(a);
                    }
                }
            }
        }
        out
    })
}

/// CT logs of the production root.
pub fn ct_logs() -> &'static [sigstore_fulcio::CtLog] {
    static LOGS: OnceLock<Vec<sigstore_fulcio::CtLog>> = OnceLock::new();
    LOGS.get_or_init(|| {
        production_root()
            .ctlogs
            .iter()
            .filter_map(|l| {
                let key =
                    sigstore_crypto::PublicKey::from_spki_der(l.public_key.raw_bytes.as_deref()?)
                        .ok()?;
                let id: [u8; 32] = l.log_id.as_slice().try_into().ok()?;
                let vf = l.public_key.valid_for.as_ref();
                Some(sigstore_fulcio::CtLog::new(
                    id,
                    key,
                    sigstore_fulcio::TimeRange {
                        start: vf.and_then(|v| v.start_unix()).unwrap_or(0),
                        end: vf.and_then(|v| v.end_unix()),
                    },
                ))
            })
            .collect()
    })
}

/// Timestamp authorities of the Rekor v2 conformance root.
pub fn timestamp_authorities() -> &'static [sigstore_timestamp::TimestampAuthority] {
    static TSAS: OnceLock<Vec<sigstore_timestamp::TimestampAuthority>> = OnceLock::new();
    TSAS.get_or_init(|| {
        let Some(root) = rekor2_root() else {
            return Vec::new();
        };
        root.timestamp_authorities
            .iter()
            .filter_map(|t| {
                let vf = t.valid_for.as_ref();
                sigstore_timestamp::TimestampAuthority::from_der_chain(
                    &t.cert_chain,
                    sigstore_fulcio::TimeRange {
                        start: vf.and_then(|v| v.start_unix()).unwrap_or(0),
                        end: vf.and_then(|v| v.end_unix()),
                    },
                )
                .ok()
            })
            .collect()
    })
}

/// Transparency-log keys of both roots as checkpoint (signed-note) verifier keys.
pub fn log_keys() -> &'static [sigstore_tlog::LogKey] {
    static KEYS: OnceLock<Vec<sigstore_tlog::LogKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let roots = std::iter::once(production_root()).chain(rekor2_root());
        let mut out = Vec::new();
        for root in roots {
            for log in &root.tlogs {
                let Some(raw) = log.public_key.raw_bytes.as_deref() else {
                    continue;
                };
                let Ok(key) = sigstore_crypto::PublicKey::from_spki_der(raw) else {
                    continue;
                };
                let name = log
                    .base_url
                    .trim_start_matches("https://")
                    .trim_end_matches('/');
                if let Ok(k) = sigstore_tlog::LogKey::new(name, &key) {
                    out.push(k);
                }
            }
        }
        out
    })
}
