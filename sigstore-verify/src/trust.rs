//! The trusted root converted once into the lower crates' typed trust inputs.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use sigstore_crypto::{sha256_hex, Digest, HashAlgorithm, Hasher, KeyDetails, PublicKey};
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
    /// The log's key ([`TrustedLog::key`]).
    key: LogKey,
    /// `publicKey.validFor`.
    pub valid_for: TimeRange,
    /// `baseUrl`.
    pub base_url: String,
    /// `checkpointKeyId`, when the trusted root gives one.
    pub checkpoint_key_id: Option<Vec<u8>>,
    /// `operator`: logs of one operator count once toward thresholds.
    pub operator: Option<String>,
}

/// A log key, parsed at build or, when [`PREVALIDATED`] lists it, at first use.
#[derive(Debug, Clone)]
struct LogKey {
    /// `publicKey.rawBytes` and `keyDetails`, kept for a deferred parse.
    raw: Vec<u8>,
    key_details: String,
    /// The parsed key (`None`: unusable), shared by clones.
    parsed: Arc<OnceLock<Option<PublicKey>>>,
}

impl TrustedLog {
    /// The log's key. A key parsed at build is always usable (unusable ones were skipped); a
    /// deferred one is pre-validated, so the error below needs a second preimage of SHA-256.
    pub(crate) fn key(&self) -> Result<&PublicKey, VerifyError> {
        let k = &self.key;
        k.parsed
            .get_or_init(|| usable_key(&k.raw, &k.key_details))
            .as_ref()
            .ok_or_else(|| {
                VerifyError::TrustRoot(TrustRootProblem::Log {
                    log_id: b64(&self.log_id),
                    reason: "public key unusable",
                })
            })
    }

    /// What counts as "one log" for thresholds: the operator when named, else the log id.
    pub(crate) fn distinct_key(&self) -> DistinctLog<'_> {
        match &self.operator {
            Some(op) if !op.is_empty() => DistinctLog::Operator(op),
            _ => DistinctLog::Id(&self.log_id),
        }
    }
}

/// One log for the purpose of thresholds ([`TrustedLog::distinct_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DistinctLog<'a> {
    /// Every log of a named operator.
    Operator(&'a str),
    /// A log without a named operator, by log id.
    Id(&'a [u8]),
}

/// Everything verification needs from the trusted root, parsed and checked once.
#[derive(Debug)]
pub(crate) struct TrustMaterial {
    pub logs: Vec<TrustedLog>,
    pub cas: Vec<CertificateAuthority>,
    pub ct_logs: Vec<CtLog>,
    /// The timestamp authorities ([`TrustMaterial::tsas`]): built at build time, or at first
    /// use when every chain is pre-validated. `Err(position)`: the one that failed.
    tsas: OnceLock<Result<Vec<TimestampAuthority>, usize>>,
    /// `(index in timestampAuthorities, chain, validFor)` of every authority with certificates,
    /// kept only while `tsas` waits for its first use (empty once built at build time).
    tsa_inputs: Vec<TsaInput>,
    /// A display name per timestamp authority with certificates (URI, else subject common
    /// name).
    pub tsa_names: Vec<String>,
    /// Logs and CT logs skipped because their key is in an unsupported format.
    pub skipped_logs: usize,
}

/// One timestamp authority's `(index, certChain, validFor)`.
type TsaInput = (usize, Vec<Vec<u8>>, TimeRange);

/// Fingerprints ([`key_fingerprint`], [`tsa_fingerprint`]; SHA-256, written in hex) of the log
/// keys and timestamp-authority chains of the embedded production and staging trusted roots
/// (`sigstore-bundle/trust/`, from the PyPI `sigstore` 4.5.1 wheel). Each is known to parse:
/// the test `prevalidated_entries_parse` parses every one for real, and fails when an embedded
/// entry is missing here (printing the line to add) or a line matches no embedded entry.
///
/// A listed entry is parsed at its first use instead of at build: a cold process (start, load
/// the embedded trusted root, verify one bundle) then skips the Rekor v2 log's Ed25519 point
/// decompression and the timestamp authority's two certificates when the bundle needs neither
/// (~13 µs of ~1.3 ms, `BENCHMARKS.md`). Nothing is trusted because of the list: a deferred
/// entry goes through the same parse and checks at first use, and any other entry (a
/// user-supplied or modified root) is parsed at build as before, so its errors are reported
/// there.
const PREVALIDATED: &[[u8; 32]] = &[
    // production log https://rekor.sigstore.dev (PKIX_ECDSA_P256_SHA_256)
    sha256_hex!("b624f6e3ac766016996e5fa9cddda7fe65847c5b3e096372dcc0a26620e6b652"),
    // production log https://log2025-1.rekor.sigstore.dev (PKIX_ED25519)
    sha256_hex!("c43663f87050e8c83668f82a9a152c1f2be3e90b34a9013be51065cb9b302089"),
    // production timestamp authority 0
    sha256_hex!("0ed446a962d8b7974322b00a71273a3f415d3f8116133189d0eae66fa9af1f1c"),
    // staging log https://rekor.sigstage.dev (PKIX_ECDSA_P256_SHA_256)
    sha256_hex!("a2497fa88320610dead5c3f52cc633c5e6dc6218c5f6b3c4375107d222b178e5"),
    // staging log https://log2025-alpha1.rekor.sigstage.dev (PKIX_ED25519)
    sha256_hex!("7ba46810c648c302a730e35bbf25c28333f9258961687329fd6f289c662e71d8"),
    // staging log https://log2025-alpha2.rekor.sigstage.dev (PKIX_ED25519)
    sha256_hex!("a831badfced243cd8968f0bbfc8bb1e486a9b849f6965a1a2201a28e594aac2b"),
    // staging log https://log2025-alpha3.rekor.sigstage.dev (PKIX_ED25519)
    sha256_hex!("82378a1aa29ed786f96eb08dd02dec03d995402f7c53aa9c1f021b8176534888"),
    // staging timestamp authority 0
    sha256_hex!("61180ecd173de78d171ef32e3d1798d88d0f1b6b5705efe0126218b30f922b63"),
];

/// SHA-256 over a domain tag, the length-prefixed `keyDetails`, and the raw key bytes.
fn key_fingerprint(raw: &[u8], key_details: &str) -> Digest {
    let mut h = Hasher::new(HashAlgorithm::Sha256);
    h.update(b"sigstore-verify prevalidated log key\0");
    h.update(&(key_details.len() as u64).to_be_bytes());
    h.update(key_details.as_bytes());
    h.update(raw);
    h.finalize()
}

/// SHA-256 over a domain tag and each length-prefixed certificate of a chain.
fn tsa_fingerprint(chain: &[Vec<u8>]) -> Digest {
    let mut h = Hasher::new(HashAlgorithm::Sha256);
    h.update(b"sigstore-verify prevalidated timestamp authority\0");
    for der in chain {
        h.update(&(der.len() as u64).to_be_bytes());
        h.update(der);
    }
    h.finalize()
}

fn prevalidated(fingerprint: &Digest) -> bool {
    PREVALIDATED
        .iter()
        .any(|listed| listed.as_slice() == fingerprint.as_bytes())
}

/// Build one timestamp authority.
fn build_tsa((index, chain, valid_for): &TsaInput) -> Result<TimestampAuthority, VerifyError> {
    TimestampAuthority::from_der_chain(chain, *valid_for).map_err(|source| {
        VerifyError::TrustRoot(TrustRootProblem::TimestampAuthority {
            index: *index,
            source,
        })
    })
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
            // The base64 log id names the log in errors only, so it is encoded only for them.
            let id = || b64(&log.log_id);
            let raw = log.public_key.raw_bytes.as_deref().ok_or_else(|| {
                VerifyError::TrustRoot(TrustRootProblem::Log {
                    log_id: id(),
                    reason: "no public key bytes",
                })
            })?;
            let valid_for = time_range(log.public_key.valid_for.as_ref(), || {
                format!("transparency log {} publicKey.validFor", id())
            })?;
            // A key in a format or algorithm this verifier does not support (for example a
            // PKCS#1 RSA key of a retired log) makes that log unusable, not the whole root:
            // entries naming it then fail as entries of an unknown log.
            let details = &log.public_key.key_details;
            let parsed = if prevalidated(&key_fingerprint(raw, details)) {
                OnceLock::new()
            } else {
                let Some(key) = usable_key(raw, details) else {
                    skipped += 1;
                    continue;
                };
                OnceLock::from(Some(key))
            };
            logs.push(TrustedLog {
                log_id: log.log_id.clone(),
                key: LogKey {
                    raw: raw.to_vec(),
                    key_details: details.clone(),
                    parsed: Arc::new(parsed),
                },
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
            let id = || b64(&log.log_id);
            let Some(raw) = log.public_key.raw_bytes.as_deref() else {
                return Err(VerifyError::TrustRoot(TrustRootProblem::Log {
                    log_id: id(),
                    reason: "CT log without public key bytes",
                }));
            };
            let valid_for = time_range(log.public_key.valid_for.as_ref(), || {
                format!("CT log {} publicKey.validFor", id())
            })?;
            let Some(key) = usable_key(raw, &log.public_key.key_details) else {
                skipped += 1;
                continue;
            };
            let log_id: [u8; 32] = log.log_id.as_slice().try_into().map_err(|_| {
                VerifyError::TrustRoot(TrustRootProblem::Log {
                    log_id: id(),
                    reason: "CT log id is not 32 bytes",
                })
            })?;
            ct_logs.push(CtLog::new(log_id, key, valid_for));
        }

        let mut tsa_inputs = Vec::new();
        let mut tsa_names = Vec::new();
        for (index, tsa) in root.timestamp_authorities.iter().enumerate() {
            if tsa.cert_chain.is_empty() {
                // An authority without certificates can vouch for nothing (TOB-SIGSTORE-11).
                continue;
            }
            let valid_for = time_range(tsa.valid_for.as_ref(), || {
                format!("timestamp authority {index} validFor")
            })?;
            tsa_inputs.push((index, tsa.cert_chain.clone(), valid_for));
            let name = tsa
                .uri
                .clone()
                .filter(|u| !u.is_empty())
                .or_else(|| tsa.subject.as_ref().and_then(|s| s.common_name.clone()))
                .unwrap_or_else(|| format!("timestamp authority {index}"));
            tsa_names.push(name);
        }
        let tsas = OnceLock::new();
        if !tsa_inputs
            .iter()
            .all(|(_, chain, _)| prevalidated(&tsa_fingerprint(chain)))
        {
            let built = tsa_inputs
                .iter()
                .map(build_tsa)
                .collect::<Result<Vec<_>, _>>()?;
            let _ = tsas.set(Ok(built));
            // Built: the chains' bytes are not needed again.
            tsa_inputs = Vec::new();
        }

        Ok(TrustMaterial {
            skipped_logs: skipped,
            logs,
            cas,
            ct_logs,
            tsas,
            tsa_inputs,
            tsa_names,
        })
    }

    /// How many timestamp authorities the root has (with certificates).
    pub(crate) fn tsa_count(&self) -> usize {
        self.tsa_names.len()
    }

    /// The timestamp authorities, built now if they were deferred (see [`PREVALIDATED`]).
    pub(crate) fn tsas(&self) -> Result<&[TimestampAuthority], VerifyError> {
        let built = self.tsas.get_or_init(|| {
            self.tsa_inputs
                .iter()
                .enumerate()
                .map(|(position, input)| build_tsa(input).map_err(|_| position))
                .collect()
        });
        match built {
            Ok(tsas) => Ok(tsas),
            // Deterministic: building that authority again gives its error.
            Err(position) => Err(match self.tsa_inputs.get(*position).map(build_tsa) {
                Some(Err(e)) => e,
                _ => VerifyError::TrustRoot(TrustRootProblem::TimestampAuthority {
                    index: *position,
                    source: sigstore_timestamp::Error::InvalidAuthority(
                        "built differently at first use",
                    ),
                }),
            }),
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    fn embedded() -> [(&'static str, TrustedRoot); 2] {
        [
            ("production", TrustedRoot::production().unwrap()),
            ("staging", TrustedRoot::staging().unwrap()),
        ]
    }

    fn listed_hex(listed: &[u8; 32]) -> String {
        Digest::new(HashAlgorithm::Sha256, listed).unwrap().to_hex()
    }

    /// Every log key and timestamp-authority chain of the embedded roots is listed in
    /// `PREVALIDATED`, parses for real, and every listed fingerprint belongs to one of them.
    #[test]
    fn prevalidated_entries_parse() {
        let mut embedded_entries = Vec::new();
        for (name, root) in embedded() {
            for log in &root.tlogs {
                let raw = log.public_key.raw_bytes.as_deref().unwrap();
                let details = &log.public_key.key_details;
                assert!(
                    usable_key(raw, details).is_some(),
                    "{name} log {}: key unusable",
                    log.base_url
                );
                embedded_entries.push((
                    key_fingerprint(raw, details).to_hex(),
                    format!("{name} log {} ({details})", log.base_url),
                ));
            }
            for (index, tsa) in root.timestamp_authorities.iter().enumerate() {
                if tsa.cert_chain.is_empty() {
                    continue;
                }
                let valid_for = time_range(tsa.valid_for.as_ref(), String::new).unwrap();
                build_tsa(&(index, tsa.cert_chain.clone(), valid_for)).unwrap();
                embedded_entries.push((
                    tsa_fingerprint(&tsa.cert_chain).to_hex(),
                    format!("{name} timestamp authority {index}"),
                ));
            }
        }
        let missing: Vec<String> = embedded_entries
            .iter()
            .filter(|(hex, _)| !PREVALIDATED.iter().any(|listed| listed_hex(listed) == *hex))
            .map(|(hex, what)| format!("    // {what}\n    sha256_hex!(\"{hex}\"),"))
            .collect();
        assert!(
            missing.is_empty(),
            "add to PREVALIDATED:\n{}",
            missing.join("\n")
        );
        for listed in PREVALIDATED.iter().map(listed_hex) {
            assert!(
                embedded_entries.iter().any(|(hex, _)| *hex == listed),
                "{listed} matches no embedded entry"
            );
        }
    }

    /// The embedded root's listed entries wait for their first use, then build exactly as an
    /// eager build does.
    #[test]
    fn embedded_root_defers_listed_entries() {
        let root = TrustedRoot::production().unwrap();
        let trust = TrustMaterial::from_root(&root).unwrap();
        assert_eq!(trust.logs.len(), 2);
        assert_eq!(trust.skipped_logs, 0);
        assert!(trust.logs.iter().all(|l| l.key.parsed.get().is_none()));
        assert_eq!(trust.tsa_count(), 1);
        assert!(trust.tsas.get().is_none());
        assert_eq!(trust.tsa_inputs.len(), 1);

        let key = trust.logs[0].key().unwrap();
        let raw = root.tlogs[0].public_key.raw_bytes.as_deref().unwrap();
        assert_eq!(key.spki_der(), raw);
        assert!(trust.logs[0].key.parsed.get().is_some());
        assert!(trust.logs[1].key.parsed.get().is_none());

        let tsas = trust.tsas().unwrap();
        assert_eq!(tsas.len(), 1);
        let chain = &root.timestamp_authorities[0].cert_chain;
        assert_eq!(tsas[0].signing_certificate().der(), chain[0].as_slice());
        assert_eq!(tsas[0].ca_certificates().len(), chain.len() - 1);
    }

    /// An entry that is not listed byte for byte (here, changed) is built at build time, so
    /// its errors are reported there.
    #[test]
    fn unlisted_entries_are_built_at_build() {
        let mut root = TrustedRoot::production().unwrap();
        root.timestamp_authorities[0].cert_chain[0].truncate(100);
        let err = TrustMaterial::from_root(&root).unwrap_err();
        assert!(
            matches!(
                err,
                VerifyError::TrustRoot(TrustRootProblem::TimestampAuthority { index: 0, .. })
            ),
            "{err:?}"
        );

        let mut root = TrustedRoot::production().unwrap();
        // A well-formed chain that is not the listed one: still built now.
        root.timestamp_authorities[0].cert_chain.reverse();
        let trust = TrustMaterial::from_root(&root).unwrap();
        assert!(matches!(trust.tsas.get(), Some(Ok(built)) if built.len() == 1));
        // Built: the chain's bytes are not kept, the count is.
        assert!(trust.tsa_inputs.is_empty());
        assert_eq!(trust.tsa_count(), 1);

        let mut root = TrustedRoot::production().unwrap();
        let raw = root.tlogs[1].public_key.raw_bytes.as_mut().unwrap();
        raw.truncate(raw.len() - 1);
        let trust = TrustMaterial::from_root(&root).unwrap();
        // The changed key is parsed now, found unusable and skipped, as before.
        assert_eq!(trust.skipped_logs, 1);
        assert_eq!(trust.logs.len(), 1);
        assert!(trust.logs[0].key.parsed.get().is_none());
    }
}
