//! Shared helpers for the integration tests: locate ../shared, read conformance bundles and
//! trusted roots with serde_json directly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use std::path::PathBuf;

use base64::Engine;
use serde_json::Value;
use sigstore_crypto::PublicKey;
use sigstore_fulcio::{Certificate, CertificateAuthority, CtLog, TimeRange};

/// The shared data folder (`sigstore_test_support::shared_dir`: a failure under `CI=true`,
/// `None` after a notice elsewhere).
pub fn shared_dir() -> Option<PathBuf> {
    sigstore_test_support::shared_dir("")
}

pub fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

pub fn rfc3339(s: &str) -> i64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

pub fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn time_range(v: &Value) -> TimeRange {
    TimeRange {
        start: rfc3339(v["start"].as_str().unwrap()),
        end: v.get("end").and_then(Value::as_str).map(rfc3339),
    }
}

/// A conformance case: its bundle and the trusted root it uses.
pub struct Case {
    pub bundle: Value,
    pub root: Value,
}

pub fn case(shared: &std::path::Path, name: &str) -> Case {
    let dir = shared
        .join("sigstore-conformance/assets/bundle-verify")
        .join(name);
    let bundle = read_json(&dir.join("bundle.sigstore.json"));
    let own_root = dir.join("trusted_root.json");
    let root = if own_root.is_file() {
        read_json(&own_root)
    } else {
        read_json(&shared.join("sigstore-conformance/trust/production/trusted_root.json"))
    };
    Case { bundle, root }
}

impl Case {
    /// Certificates the bundle carries, leaf first.
    pub fn bundle_certs(&self) -> Vec<Certificate> {
        let vm = &self.bundle["verificationMaterial"];
        if let Some(c) = vm.get("certificate") {
            return vec![Certificate::from_der(&b64(c["rawBytes"].as_str().unwrap())).unwrap()];
        }
        vm["x509CertificateChain"]["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Certificate::from_der(&b64(c["rawBytes"].as_str().unwrap())).unwrap())
            .collect()
    }

    pub fn leaf(&self) -> Certificate {
        self.bundle_certs().remove(0)
    }

    pub fn integrated_time(&self) -> Option<i64> {
        self.bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"]
            .as_str()
            .map(|s| s.parse().unwrap())
    }

    pub fn authorities(&self) -> Vec<CertificateAuthority> {
        authorities(&self.root)
    }

    pub fn ct_logs(&self) -> Vec<CtLog> {
        ct_logs(&self.root)
    }
}

pub fn authorities(root: &Value) -> Vec<CertificateAuthority> {
    root["certificateAuthorities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ca| {
            let chain = ca["certChain"]["certificates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| Certificate::from_der(&b64(c["rawBytes"].as_str().unwrap())).unwrap())
                .collect();
            CertificateAuthority::new(chain, time_range(&ca["validFor"])).unwrap()
        })
        .collect()
}

pub fn ct_logs(root: &Value) -> Vec<CtLog> {
    root["ctlogs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|log| {
            // Trusted roots may list keys sigstore-crypto cannot read (e.g. bare PKCS#1 RSA);
            // a verifier skips those logs, so SCTs from them count as unknown.
            let key =
                PublicKey::from_spki_der(&b64(log["publicKey"]["rawBytes"].as_str().unwrap()))
                    .ok()?;
            let log_id: [u8; 32] = b64(log["logId"]["keyId"].as_str().unwrap())
                .try_into()
                .unwrap();
            Some(CtLog::new(
                log_id,
                key,
                time_range(&log["publicKey"]["validFor"]),
            ))
        })
        .collect()
}

pub mod pki;
