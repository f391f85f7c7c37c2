//! A readable dump of a bundle and of a trusted root. Nothing here is verified: `inspect`
//! shows what a bundle *claims*; `sigstore verify` says what holds.

use base64::Engine as _;
use serde::Serialize;
use sigstore_bundle::{BundleContent, Statement, TrustedRoot, VerificationMaterialContent};
use sigstore_fulcio::{Certificate, CertificateIdentity};
use sigstore_verify::Bundle;

use crate::rfc3339;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The signer as the bundle's certificate (or key hint) states it.
#[derive(Debug, Serialize)]
pub struct SignerInfo {
    /// `certificate` or `public_key`.
    pub kind: &'static str,
    /// The certificate SAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The OIDC issuer extension.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Fulcio extensions by OID.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub extensions: std::collections::BTreeMap<String, String>,
    /// Certificate validity start (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// Certificate validity end (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// Hex SHA-256 of the leaf certificate DER.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_sha256: Option<String>,
    /// The public-key hint (an unauthenticated label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_hint: Option<String>,
    /// Why the certificate could not be read, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// One log entry as the bundle states it.
#[derive(Debug, Serialize)]
pub struct EntryInfo {
    /// Log index.
    pub log_index: i64,
    /// Base64 log ID.
    pub log_id: String,
    /// The log's URL, when the trusted root knows this log ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_url: Option<String>,
    /// Kind and version.
    pub kind: String,
    /// Integrated time (RFC 3339), when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrated_time: Option<String>,
    /// Whether a signed entry timestamp is present.
    pub has_inclusion_promise: bool,
    /// Inclusion proof: tree size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_tree_size: Option<i64>,
    /// Inclusion proof: checkpoint origin line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_origin: Option<String>,
}

/// The whole dump.
#[derive(Debug, Serialize)]
pub struct BundleInfo {
    /// Always false: nothing in this dump was verified.
    pub verified: bool,
    /// Media type.
    pub media_type: String,
    /// `message_signature` or `dsse`.
    pub content: &'static str,
    /// Message digest the bundle claims (`sha256:<hex>`), when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_digest: Option<String>,
    /// DSSE payload type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload_type: Option<String>,
    /// in-toto predicate type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// in-toto subjects as `name sha256:<hex>`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    /// The signer.
    pub signer: SignerInfo,
    /// Log entries.
    pub tlog_entries: Vec<EntryInfo>,
    /// Number of RFC 3161 timestamps.
    pub rfc3161_timestamps: usize,
}

fn signer_info(bundle: &Bundle) -> SignerInfo {
    let mut info = SignerInfo {
        kind: "certificate",
        identity: None,
        issuer: None,
        extensions: Default::default(),
        not_before: None,
        not_after: None,
        certificate_sha256: None,
        key_hint: None,
        problem: None,
    };
    let der = match &bundle.verification_material.content {
        VerificationMaterialContent::PublicKey { hint } => {
            info.kind = "public_key";
            info.key_hint = hint.clone();
            return info;
        }
        VerificationMaterialContent::Certificate(d) => d.as_slice(),
        VerificationMaterialContent::X509CertificateChain(c) => {
            c.first().map(Vec::as_slice).unwrap_or(&[])
        }
    };
    info.certificate_sha256 = Some(sigstore_crypto::HashAlgorithm::Sha256.hash(der).to_hex());
    match Certificate::from_der(der) {
        Ok(cert) => {
            info.not_before = Some(rfc3339(cert.not_before()));
            info.not_after = Some(rfc3339(cert.not_after()));
            match CertificateIdentity::from_certificate(&cert) {
                Ok(id) => {
                    info.identity = Some(id.san.value().to_owned());
                    info.issuer = id.issuer.clone();
                    info.extensions = id.extensions_by_oid.clone();
                }
                Err(e) => info.problem = Some(e.to_string()),
            }
        }
        Err(e) => info.problem = Some(e.to_string()),
    }
    info
}

/// Describe a bundle; `root` names the logs it knows.
pub fn bundle_info(bundle: &Bundle, root: Option<&TrustedRoot>) -> BundleInfo {
    let mut info = BundleInfo {
        verified: false,
        media_type: bundle.media_type.as_str().to_owned(),
        content: "message_signature",
        message_digest: None,
        payload_type: None,
        predicate_type: None,
        subjects: Vec::new(),
        signer: signer_info(bundle),
        tlog_entries: Vec::new(),
        rfc3161_timestamps: bundle
            .verification_material
            .timestamp_verification_data
            .as_ref()
            .map_or(0, |t| t.rfc3161_timestamps.len()),
    };
    match &bundle.content {
        BundleContent::MessageSignature(m) => {
            info.message_digest = m.message_digest.as_ref().map(|d| {
                format!(
                    "{}:{}",
                    d.algorithm.lowercase_name(),
                    hex::encode(&d.digest)
                )
            });
        }
        BundleContent::DsseEnvelope(env) => {
            info.content = "dsse";
            info.payload_type = Some(env.payload_type.clone());
            if let Ok(st) = Statement::from_json(&env.payload) {
                info.predicate_type = Some(st.predicate_type.clone());
                for s in &st.subject {
                    let digests: Vec<String> =
                        s.digest.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    info.subjects.push(format!(
                        "{} {}",
                        s.name.as_deref().unwrap_or("(unnamed)"),
                        digests.join(" ")
                    ));
                }
            }
        }
    }
    for e in &bundle.verification_material.tlog_entries {
        let checkpoint_origin = e
            .inclusion_proof
            .as_ref()
            .and_then(|p| p.checkpoint.as_ref())
            .and_then(|c| c.envelope.lines().next().map(str::to_owned));
        info.tlog_entries.push(EntryInfo {
            log_index: e.log_index,
            log_id: B64.encode(&e.log_id),
            log_url: root
                .and_then(|r| r.tlog_by_id(&e.log_id))
                .map(|l| l.base_url.clone()),
            kind: format!("{} {}", e.kind_version.kind, e.kind_version.version),
            integrated_time: e.integrated_time.map(rfc3339),
            has_inclusion_promise: e.inclusion_promise.is_some(),
            proof_tree_size: e.inclusion_proof.as_ref().map(|p| p.tree_size),
            checkpoint_origin,
        });
    }
    info
}

/// Render [`BundleInfo`] as text.
pub fn render_bundle(info: &BundleInfo) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: &str| out.push_str(&format!("{k:<18} {v}\n"));
    line(
        "(unverified)",
        "a dump of what the bundle claims; use `sigstore verify` to check it",
    );
    line("media type", &info.media_type);
    line("content", info.content);
    if let Some(d) = &info.message_digest {
        line("message digest", d);
    }
    if let Some(p) = &info.payload_type {
        line("payload type", p);
    }
    if let Some(p) = &info.predicate_type {
        line("predicate type", p);
    }
    for s in &info.subjects {
        line("subject", s);
    }
    let s = &info.signer;
    line("signer", s.kind);
    if let Some(v) = &s.identity {
        line("  identity", v);
    }
    if let Some(v) = &s.issuer {
        line("  issuer", v);
    }
    if let (Some(a), Some(b)) = (&s.not_before, &s.not_after) {
        line("  valid", &format!("{a} .. {b}"));
    }
    if let Some(v) = &s.certificate_sha256 {
        line("  cert sha256", v);
    }
    if let Some(v) = &s.key_hint {
        line("  key hint", v);
    }
    if let Some(v) = &s.problem {
        line("  problem", v);
    }
    for (k, v) in &s.extensions {
        line(&format!("  {k}"), v);
    }
    for (i, e) in info.tlog_entries.iter().enumerate() {
        line(
            &format!("log entry {i}"),
            &format!("index {} ({})", e.log_index, e.kind),
        );
        line("  log", e.log_url.as_deref().unwrap_or(&e.log_id));
        if let Some(t) = &e.integrated_time {
            line("  integrated", t);
        }
        line(
            "  promise (SET)",
            if e.has_inclusion_promise { "yes" } else { "no" },
        );
        if let Some(n) = e.proof_tree_size {
            line("  proof", &format!("tree size {n}"));
        }
        if let Some(o) = &e.checkpoint_origin {
            line("  checkpoint", o);
        }
    }
    line(
        "timestamps",
        &format!("{} RFC 3161", info.rfc3161_timestamps),
    );
    out
}

/// A trusted root summary.
#[derive(Debug, Serialize)]
pub struct RootInfo {
    /// Media type.
    pub media_type: String,
    /// Rekor logs.
    pub tlogs: Vec<LogInfo>,
    /// CT logs.
    pub ctlogs: Vec<LogInfo>,
    /// Fulcio CAs.
    pub certificate_authorities: Vec<AuthorityInfo>,
    /// Timestamp authorities.
    pub timestamp_authorities: Vec<AuthorityInfo>,
}

/// One log of a trusted root.
#[derive(Debug, Serialize)]
pub struct LogInfo {
    /// Base URL.
    pub base_url: String,
    /// Base64 log ID.
    pub log_id: String,
    /// Key details name.
    pub key_details: String,
    /// Validity start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Validity end (absent: still valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// Operator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// One authority of a trusted root.
#[derive(Debug, Serialize)]
pub struct AuthorityInfo {
    /// URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Subject organization / common name.
    pub subject: String,
    /// Certificates in the chain.
    pub chain_length: usize,
    /// Validity start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Validity end (absent: still valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

fn log_info(l: &sigstore_bundle::TransparencyLogInstance) -> LogInfo {
    let vf = l.public_key.valid_for.as_ref();
    LogInfo {
        base_url: l.base_url.clone(),
        log_id: B64.encode(&l.log_id),
        key_details: l.public_key.key_details.clone(),
        valid_from: vf.and_then(|v| v.start_unix()).map(rfc3339),
        valid_until: vf.and_then(|v| v.end_unix()).map(rfc3339),
        operator: l.operator.clone(),
    }
}

fn authority_info(a: &sigstore_bundle::CertificateAuthority) -> AuthorityInfo {
    let vf = a.valid_for.as_ref();
    AuthorityInfo {
        uri: a.uri.clone(),
        subject: a
            .subject
            .as_ref()
            .map(|s| {
                format!(
                    "{} / {}",
                    s.organization.as_deref().unwrap_or("-"),
                    s.common_name.as_deref().unwrap_or("-")
                )
            })
            .unwrap_or_default(),
        chain_length: a.cert_chain.len(),
        valid_from: vf.and_then(|v| v.start_unix()).map(rfc3339),
        valid_until: vf.and_then(|v| v.end_unix()).map(rfc3339),
    }
}

/// Summarize a trusted root.
pub fn root_info(root: &TrustedRoot) -> RootInfo {
    RootInfo {
        media_type: root.media_type.clone(),
        tlogs: root.tlogs.iter().map(log_info).collect(),
        ctlogs: root.ctlogs.iter().map(log_info).collect(),
        certificate_authorities: root
            .certificate_authorities
            .iter()
            .map(authority_info)
            .collect(),
        timestamp_authorities: root
            .timestamp_authorities
            .iter()
            .map(authority_info)
            .collect(),
    }
}

/// Render [`RootInfo`] as text.
pub fn render_root(info: &RootInfo) -> String {
    let mut out = format!("media type: {}\n", info.media_type);
    let window = |a: &Option<String>, b: &Option<String>| {
        format!(
            "{} .. {}",
            a.as_deref().unwrap_or("?"),
            b.as_deref().unwrap_or("now")
        )
    };
    for (title, logs) in [
        ("transparency logs", &info.tlogs),
        ("CT logs", &info.ctlogs),
    ] {
        out.push_str(&format!("{title} ({}):\n", logs.len()));
        for l in logs {
            out.push_str(&format!(
                "  {}  {}  {}  [{}]\n",
                l.base_url,
                l.key_details,
                l.log_id,
                window(&l.valid_from, &l.valid_until)
            ));
        }
    }
    for (title, cas) in [
        ("certificate authorities", &info.certificate_authorities),
        ("timestamp authorities", &info.timestamp_authorities),
    ] {
        out.push_str(&format!("{title} ({}):\n", cas.len()));
        for a in cas {
            out.push_str(&format!(
                "  {}  {}  chain of {}  [{}]\n",
                a.uri.as_deref().unwrap_or("-"),
                a.subject,
                a.chain_length,
                window(&a.valid_from, &a.valid_until)
            ));
        }
    }
    out
}
