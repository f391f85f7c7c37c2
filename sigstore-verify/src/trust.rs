//! The trusted root converted once into the lower crates' typed trust inputs.

use std::collections::BTreeSet;

use sigstore_crypto::{KeyDetails, PublicKey};
use sigstore_fulcio::{Certificate, CertificateAuthority, CtLog, TimeRange};
use sigstore_timestamp::TimestampAuthority;

use crate::error::{TrustRootProblem, VerifyError};
use crate::verifier::b64;
use crate::TrustedRoot;

/// A transparency log of the trusted root, ready to verify against.
#[derive(Debug, Clone)]
pub(crate) struct TrustedLog {
    /// `logId.keyId`.
    pub log_id: Vec<u8>,
    /// The log's key.
    pub key: PublicKey,
    /// `publicKey.validFor`.
    pub valid_for: TimeRange,
    /// `baseUrl`.
    pub base_url: String,
    /// `checkpointKeyId`, when the trusted root gives one.
    pub checkpoint_key_id: Option<Vec<u8>>,
    /// `operator`: logs of one operator count once toward thresholds.
    pub operator: Option<String>,
}

impl TrustedLog {
    /// What counts as "one log" for thresholds: the operator when named, else the log id.
    pub(crate) fn distinct_key(&self) -> String {
        match &self.operator {
            Some(op) if !op.is_empty() => format!("operator:{op}"),
            _ => format!("log:{}", b64(&self.log_id)),
        }
    }
}

/// Everything verification needs from the trusted root, parsed and checked once.
#[derive(Debug)]
pub(crate) struct TrustMaterial {
    pub logs: Vec<TrustedLog>,
    pub cas: Vec<CertificateAuthority>,
    pub ct_logs: Vec<CtLog>,
    pub tsas: Vec<TimestampAuthority>,
    /// A display name per timestamp authority (URI, else subject common name).
    pub tsa_names: Vec<String>,
    /// Logs and CT logs skipped because their key is in an unsupported format.
    pub skipped_logs: usize,
}

/// The key of a log if this verifier can use it: a DER SubjectPublicKeyInfo of a supported
/// algorithm, consistent with the `keyDetails` the trusted root names (when it names one this
/// crate knows).
fn usable_key(raw: &[u8], key_details: &str) -> Option<PublicKey> {
    let key = PublicKey::from_spki_der(raw).ok()?;
    match KeyDetails::from_name(key_details) {
        Ok(d) => key.check_details(d).ok().map(|()| key),
        Err(_) => Some(key),
    }
}

/// Convert a trusted-root `validFor` (start required) into an inclusive range.
fn time_range(
    v: Option<&sigstore_bundle::TimeRange>,
    what: impl FnOnce() -> String,
) -> Result<TimeRange, VerifyError> {
    let Some(v) = v else {
        return Err(VerifyError::TrustRoot(TrustRootProblem::Validity {
            what: what(),
        }));
    };
    let Some(start) = v.start_unix() else {
        return Err(VerifyError::TrustRoot(TrustRootProblem::Validity {
            what: what(),
        }));
    };
    let end = v.end_unix();
    if end.is_some_and(|e| e < start) {
        return Err(VerifyError::TrustRoot(TrustRootProblem::Validity {
            what: what(),
        }));
    }
    Ok(TimeRange { start, end })
}

impl TrustMaterial {
    pub(crate) fn from_root(root: &TrustedRoot) -> Result<Self, VerifyError> {
        let mut skipped = 0usize;
        let mut logs = Vec::new();
        for log in &root.tlogs {
            let id = b64(&log.log_id);
            let raw = log.public_key.raw_bytes.as_deref().ok_or_else(|| {
                VerifyError::TrustRoot(TrustRootProblem::Log {
                    log_id: id.clone(),
                    reason: "no public key bytes",
                })
            })?;
            let valid_for = time_range(log.public_key.valid_for.as_ref(), || {
                format!("transparency log {id} publicKey.validFor")
            })?;
            // A key in a format or algorithm this verifier does not support (for example a
            // PKCS#1 RSA key of a retired log) makes that log unusable, not the whole root:
            // entries naming it then fail as entries of an unknown log.
            let Some(key) = usable_key(raw, &log.public_key.key_details) else {
                skipped += 1;
                continue;
            };
            logs.push(TrustedLog {
                log_id: log.log_id.clone(),
                key,
                valid_for,
                base_url: log.base_url.clone(),
                checkpoint_key_id: log.checkpoint_key_id.clone(),
                operator: log.operator.clone(),
            });
        }

        let mut cas = Vec::new();
        for (index, ca) in root.certificate_authorities.iter().enumerate() {
            let valid_for = time_range(ca.valid_for.as_ref(), || {
                format!("certificate authority {index} validFor")
            })?;
            let chain = ca
                .cert_chain
                .iter()
                .map(|der| Certificate::from_der(der))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|chain| CertificateAuthority::deferred(chain, valid_for))
                .map_err(|source| {
                    VerifyError::TrustRoot(TrustRootProblem::CertificateAuthority { index, source })
                })?;
            cas.push(chain);
        }

        let mut ct_logs = Vec::new();
        for log in &root.ctlogs {
            let id = b64(&log.log_id);
            let Some(raw) = log.public_key.raw_bytes.as_deref() else {
                return Err(VerifyError::TrustRoot(TrustRootProblem::Log {
                    log_id: id,
                    reason: "CT log without public key bytes",
                }));
            };
            let valid_for = time_range(log.public_key.valid_for.as_ref(), || {
                format!("CT log {id} publicKey.validFor")
            })?;
            let Some(key) = usable_key(raw, &log.public_key.key_details) else {
                skipped += 1;
                continue;
            };
            let log_id: [u8; 32] = log.log_id.as_slice().try_into().map_err(|_| {
                VerifyError::TrustRoot(TrustRootProblem::Log {
                    log_id: id.clone(),
                    reason: "CT log id is not 32 bytes",
                })
            })?;
            ct_logs.push(CtLog::new(log_id, key, valid_for));
        }

        let mut tsas = Vec::new();
        let mut tsa_names = Vec::new();
        for (index, tsa) in root.timestamp_authorities.iter().enumerate() {
            if tsa.cert_chain.is_empty() {
                // An authority without certificates can vouch for nothing (TOB-SIGSTORE-11).
                continue;
            }
            let valid_for = time_range(tsa.valid_for.as_ref(), || {
                format!("timestamp authority {index} validFor")
            })?;
            let authority = TimestampAuthority::from_der_chain(&tsa.cert_chain, valid_for)
                .map_err(|source| {
                    VerifyError::TrustRoot(TrustRootProblem::TimestampAuthority { index, source })
                })?;
            tsas.push(authority);
            let name = tsa
                .uri
                .clone()
                .filter(|u| !u.is_empty())
                .or_else(|| tsa.subject.as_ref().and_then(|s| s.common_name.clone()))
                .unwrap_or_else(|| format!("timestamp authority {index}"));
            tsa_names.push(name);
        }

        Ok(TrustMaterial {
            skipped_logs: skipped,
            logs,
            cas,
            ct_logs,
            tsas,
            tsa_names,
        })
    }

    /// The log whose id is `log_id`.
    pub(crate) fn log_for(&self, log_id: &[u8]) -> Option<&TrustedLog> {
        self.logs.iter().find(|l| l.log_id == log_id)
    }

    /// How many logs count as distinct.
    pub(crate) fn distinct_logs(&self) -> usize {
        self.logs
            .iter()
            .map(TrustedLog::distinct_key)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// The display name of timestamp authority `index`.
    pub(crate) fn tsa_name(&self, index: usize) -> String {
        self.tsa_names
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("timestamp authority {index}"))
    }
}
