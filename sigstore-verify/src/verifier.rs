//! The [`Verifier`]: trust material prepared once, and the client-specification order of checks.

use std::collections::BTreeSet;

use sigstore_crypto::{HashAlgorithm, KeyKind, PublicKey, SignatureScheme};
use sigstore_fulcio::{verify_chain, Certificate, KeyPurpose};

use crate::artifact::Artifact;
use crate::error::{
    ArtifactProblem, AttestationProblem, BundleProblem, CertificateProblem, PolicyProblem,
    ThresholdKind, TlogProblem, VerifyError,
};
use crate::parts::{BundleParts, Content, EntryParts, Material, Version};
use crate::policy::{ManagedKey, Phase, Policy, SignerRef, Subject};
use crate::result::{
    DigestRecord, LogEntryRecord, Signer, TimeSource, TimestampRecord, VerificationResult,
    VerifiedTime,
};
use crate::trust::TrustMaterial;
use crate::{glue, Bundle, TrustedRoot};

/// The DSSE payload type of in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Builds a [`Verifier`]: the trusted root and what the deployment guarantees (thresholds).
#[derive(Debug)]
pub struct VerifierBuilder {
    root: TrustedRoot,
    tlog_threshold: usize,
    sct_threshold: usize,
    timestamp_threshold: usize,
    current_time: Option<i64>,
}

impl VerifierBuilder {
    /// Distinct transparency logs that must hold a verified entry for the bundle (default 1).
    /// Every entry present is verified regardless; 0 accepts bundles without entries when a
    /// trusted timestamp provides the signature time.
    pub fn tlog_threshold(mut self, n: usize) -> Self {
        self.tlog_threshold = n;
        self
    }

    /// Distinct CT logs that must have issued a verified SCT for the certificate (default 1).
    pub fn sct_threshold(mut self, n: usize) -> Self {
        self.sct_threshold = n;
        self
    }

    /// Distinct timestamp authorities that must have issued a verified RFC 3161 timestamp
    /// (default 0: a verified Rekor v1 integrated time suffices; at least one verified time of
    /// either kind is always required).
    pub fn timestamp_threshold(mut self, n: usize) -> Self {
        self.timestamp_threshold = n;
        self
    }

    /// Fix the verifier's notion of "now" (Unix seconds) instead of reading the system clock at
    /// each verification. Integrated times after it are rejected. For reproducible
    /// verification and tests.
    pub fn current_time(mut self, now: i64) -> Self {
        self.current_time = Some(now);
        self
    }

    /// Parse and check the trust material once (keys, certificate authorities, CT logs,
    /// timestamp authorities) and check the thresholds can be met. The signatures inside an
    /// authority's chain are verified once, the first time a bundle needs that authority (a
    /// broken chain then fails that verification), so building verifies no signature.
    pub fn build(self) -> Result<Verifier, VerifyError> {
        let trust = TrustMaterial::from_root(&self.root)?;
        let check = |what: ThresholdKind, value: usize, available: usize| {
            if value > available {
                Err(VerifyError::Policy(PolicyProblem::Threshold {
                    what,
                    value,
                }))
            } else {
                Ok(())
            }
        };
        check(
            ThresholdKind::TransparencyLogs,
            self.tlog_threshold,
            trust.distinct_logs(),
        )?;
        check(
            ThresholdKind::CtLogs,
            self.sct_threshold,
            trust.ct_logs.len(),
        )?;
        check(
            ThresholdKind::TimestampAuthorities,
            self.timestamp_threshold,
            trust.tsa_count(),
        )?;
        if self.tlog_threshold == 0 && self.timestamp_threshold == 0 {
            // Without a log entry or a timestamp nothing could establish a signature time.
            return Err(VerifyError::Policy(PolicyProblem::Threshold {
                what: ThresholdKind::TransparencyLogs,
                value: 0,
            }));
        }
        Ok(Verifier {
            trust,
            tlog_threshold: self.tlog_threshold,
            sct_threshold: self.sct_threshold,
            timestamp_threshold: self.timestamp_threshold,
            current_time: self.current_time,
        })
    }
}

/// Verifies bundles against one trusted root. Built once (trust material parsed and checked
/// at [`VerifierBuilder::build`]), then shared: it is `Send + Sync`, [`Verifier::verify`]
/// takes `&self`, is synchronous and does no I/O.
#[derive(Debug)]
pub struct Verifier {
    trust: TrustMaterial,
    tlog_threshold: usize,
    sct_threshold: usize,
    timestamp_threshold: usize,
    current_time: Option<i64>,
}

/// The signing material being verified.
enum SigningKey<'a> {
    Certificate(&'a Certificate),
    Managed(&'a ManagedKey),
}

impl SigningKey<'_> {
    fn public_key(&self) -> &PublicKey {
        match self {
            SigningKey::Certificate(c) => c.public_key(),
            SigningKey::Managed(k) => k.key(),
        }
    }
}

/// Times established in step 1.
struct Times {
    records: Vec<VerifiedTime>,
    timestamps: Vec<TimestampRecord>,
    tsa_authorities: BTreeSet<usize>,
    /// Per entry: the integrated time when its SET verified.
    set_times: Vec<Option<i64>>,
}

impl Times {
    fn all(&self) -> Vec<i64> {
        self.records.iter().map(|t| t.time).collect()
    }
}

impl Verifier {
    /// Start building a verifier for `root` (for example `TrustedRoot::production()?`).
    pub fn builder(root: TrustedRoot) -> VerifierBuilder {
        VerifierBuilder {
            root,
            tlog_threshold: 1,
            sct_threshold: 1,
            timestamp_threshold: 0,
            current_time: None,
        }
    }

    /// The current time: the fixed one, else the system clock. A clock before 1970 reads
    /// as 0, which only makes integrated times look "in the future" (fail closed).
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    fn now(&self) -> Result<i64, VerifyError> {
        Ok(self.current_time.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        }))
    }

    /// `wasm32-unknown-unknown` has no system clock (`SystemTime::now` would panic): the
    /// caller must fix the time with [`VerifierBuilder::current_time`].
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    fn now(&self) -> Result<i64, VerifyError> {
        self.current_time
            .ok_or(VerifyError::Policy(PolicyProblem::NoClock))
    }

    /// Parse `bundle_json` and [`verify`](Verifier::verify) it.
    pub fn verify_json(
        &self,
        bundle_json: &[u8],
        artifact: &Artifact,
        policy: &Policy,
    ) -> Result<VerificationResult, VerifyError> {
        let bundle = glue::parse_bundle(bundle_json)?;
        self.verify(&bundle, artifact, policy)
    }

    /// Verify `bundle` for `artifact` under `policy`, in the order of the Sigstore client
    /// specification (§4): establish the signature times, validate the certificate at every
    /// one of them (and its SCTs), apply the policy, bind and verify every transparency-log
    /// entry, then verify the signature over a payload computed here.
    pub fn verify(
        &self,
        bundle: &Bundle,
        artifact: &Artifact,
        policy: &Policy,
    ) -> Result<VerificationResult, VerifyError> {
        if !policy.constrains_signer() {
            return Err(VerifyError::Policy(PolicyProblem::ConstrainsNothing));
        }
        let parts = glue::bundle_parts(bundle)?;
        check_structure(&parts)?;
        let signature = parts.content.signature().ok_or(VerifyError::BundleFormat(
            BundleProblem::DsseSignatureCount { found: 0 },
        ))?;

        // Step 1 (client spec §4.2): signature times, before anything depends on them.
        let times = self.establish_times(&parts, signature)?;
        let all_times = times.all();

        match &parts.material {
            Material::PublicKey => {
                let candidates = policy.keys();
                let mut first_err = None;
                if candidates.is_empty() {
                    return Err(VerifyError::IdentityMismatch {
                        expected: "a certificate identity".to_owned(),
                        found: "a bundle signed with a public key".to_owned(),
                    });
                }
                for key in candidates {
                    match self.verify_signed_by(
                        &parts,
                        &times,
                        &all_times,
                        artifact,
                        policy,
                        SigningKey::Managed(key),
                        None,
                    ) {
                        Ok(r) => return Ok(r),
                        Err(e) => {
                            if first_err.is_none() {
                                first_err = Some(e);
                            }
                        }
                    }
                }
                Err(first_err.unwrap_or(VerifyError::Signature))
            }
            Material::Chain(_) | Material::Certificate(_) => {
                let ders: Vec<&[u8]> = match &parts.material {
                    Material::Chain(c) => c.clone(),
                    Material::Certificate(c) => vec![*c],
                    Material::PublicKey => Vec::new(),
                };
                let certs = ders
                    .iter()
                    .map(|d| Certificate::from_der(d))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| VerifyError::Certificate(CertificateProblem::Chain(e)))?;
                let pruned = sigstore_fulcio::prune_bundle_certificates(&certs, &self.trust.cas)
                    .map_err(|e| match e {
                        sigstore_fulcio::Error::RootInBundle => {
                            VerifyError::Certificate(CertificateProblem::RootInBundle)
                        }
                        sigstore_fulcio::Error::NoCertificate => VerifyError::BundleFormat(
                            BundleProblem::Material("empty certificate chain"),
                        ),
                        other => VerifyError::Certificate(CertificateProblem::Chain(other)),
                    })?;
                let leaf = pruned.leaf;
                // Step 2 (§4.3): the chain at EVERY established time, then the SCTs.
                let chain =
                    verify_chain(leaf, &self.trust.cas, &all_times, KeyPurpose::CodeSigning)
                        .map_err(|e| VerifyError::Certificate(CertificateProblem::Chain(e)))?;
                let scts = glue::verify_scts(&chain, &self.trust, self.sct_threshold)?;
                let identity = glue::identity(&chain)?;
                let signer = Signer::Certificate {
                    identity,
                    certificate_sha256: HashAlgorithm::Sha256.hash(leaf.der()).to_hex(),
                    scts,
                };
                self.verify_signed_by(
                    &parts,
                    &times,
                    &all_times,
                    artifact,
                    policy,
                    SigningKey::Certificate(leaf),
                    Some(signer),
                )
            }
        }
    }

    /// Steps 2 (policy) to 4 for one signing key.
    #[allow(clippy::too_many_arguments)]
    fn verify_signed_by(
        &self,
        parts: &BundleParts<'_>,
        times: &Times,
        all_times: &[i64],
        artifact: &Artifact,
        policy: &Policy,
        key: SigningKey<'_>,
        cert_signer: Option<Signer>,
    ) -> Result<VerificationResult, VerifyError> {
        let signer_record = match (&key, cert_signer) {
            (SigningKey::Certificate(_), Some(rec @ Signer::Certificate { .. })) => rec,
            (SigningKey::Managed(k), _) => Signer::PublicKey {
                spki_sha256: HashAlgorithm::Sha256.hash(k.key().spki_der()).to_hex(),
            },
            (SigningKey::Certificate(_), _) => return Err(VerifyError::Signature),
        };
        // Borrowed from the record, which moves into the result once the policy has run.
        let signer_ref = match (&key, &signer_record) {
            (SigningKey::Certificate(_), Signer::Certificate { identity, .. }) => {
                SignerRef::Certificate(identity)
            }
            (SigningKey::Managed(k), _) => SignerRef::Key(k.key()),
            (SigningKey::Certificate(_), _) => return Err(VerifyError::Signature),
        };

        // Step 2 (§4.3): the caller's policy on the signer (predicate types come in step 4).
        policy.evaluate(
            &Subject {
                signer: signer_ref,
                predicate_type: None,
                times: all_times,
            },
            Phase::Signer,
        )?;

        // Step 3 (§4.4): every log entry bound to this bundle and proven included.
        let verifier_der = match &key {
            SigningKey::Certificate(c) => glue::VerifierMaterial::Certificate(c.der()),
            SigningKey::Managed(k) => glue::VerifierMaterial::PublicKey(k.key()),
        };
        let mut entries = Vec::new();
        let mut logs = BTreeSet::new();
        for (i, entry) in parts.entries.iter().enumerate() {
            let log = self.trust.log_for(entry.log_id).ok_or_else(|| {
                VerifyError::tlog(
                    i,
                    TlogProblem::UnknownLog {
                        log_id: b64(entry.log_id),
                    },
                )
            })?;
            glue::check_entry_body(i, entry, &parts.content, &verifier_der, artifact)?;
            let checkpoint = match &entry.proof {
                // A v0.1 bundle may carry a proof without a checkpoint: nothing signed anchors
                // its root, so it proves nothing and the verified SET stands alone.
                Some(p)
                    if parts.version == Version::V01 && p.checkpoint.is_none_or(str::is_empty) =>
                {
                    None
                }
                Some(_) => Some(glue::verify_inclusion(i, entry, log)?),
                None => None,
            };
            let set_time = times.set_times.get(i).copied().flatten();
            if checkpoint.is_none() && set_time.is_none() {
                // Neither proof nor verified promise: nothing shows the entry is in the log.
                return Err(VerifyError::BundleFormat(
                    BundleProblem::MissingInclusionProof { entry: i },
                ));
            }
            if set_time.is_none() {
                // No integrated time to check the log key against: the key must have been
                // valid at every verified signature time instead.
                if let Some(t) = all_times.iter().find(|t| !log.valid_for.contains(**t)) {
                    return Err(VerifyError::tlog(
                        i,
                        TlogProblem::LogKeyNotValidAt { time: *t },
                    ));
                }
            }
            logs.insert(log.distinct_key());
            entries.push(LogEntryRecord {
                log_id: b64(entry.log_id),
                log_url: log.base_url.clone(),
                log_index: (set_time.is_some() || glue::is_rekor_v2(entry))
                    .then_some(entry.log_index),
                kind: entry.kind.to_owned(),
                version: entry.version.to_owned(),
                integrated_time: set_time,
                checkpoint,
                set_verified: set_time.is_some(),
            });
        }
        if logs.len() < self.tlog_threshold {
            return Err(VerifyError::Threshold {
                what: ThresholdKind::TransparencyLogs,
                need: self.tlog_threshold,
                have: logs.len(),
            });
        }

        // Step 4 (§4.5): the signature over a payload computed here.
        let public_key = key.public_key();
        let (artifact_digest, statement, predicate_type) = match &parts.content {
            Content::Message { digest, signature } => {
                let scheme = scheme_for(public_key)?;
                let hash = scheme.hash_algorithm();
                // The bundle's messageDigest is a hint: it must agree with the artifact.
                if let Some((alg, claimed)) = digest {
                    let alg = alg.ok_or(VerifyError::BundleFormat(BundleProblem::Field {
                        field: "messageSignature.messageDigest.algorithm",
                        reason: "unsupported algorithm",
                    }))?;
                    let actual = artifact
                        .digest_with(alg)
                        .ok_or(VerifyError::Artifact(ArtifactProblem::BytesRequired))?;
                    if actual.as_bytes() != *claimed {
                        return Err(VerifyError::ArtifactMismatch {
                            expected: format!("{}:{}", alg.name(), hex::encode(claimed)),
                            found: actual.to_string(),
                        });
                    }
                }
                let reported = match (artifact.as_bytes(), hash) {
                    (Some(bytes), _) => {
                        public_key
                            .verify(scheme, bytes, signature)
                            .map_err(|_| VerifyError::Signature)?;
                        hash.map_or_else(|| HashAlgorithm::Sha256.hash(bytes), |h| h.hash(bytes))
                    }
                    (None, Some(h)) => {
                        let d = artifact
                            .digest_with(h)
                            .ok_or(VerifyError::Artifact(ArtifactProblem::BytesRequired))?;
                        public_key
                            .verify_prehashed(scheme, d.as_bytes(), signature)
                            .map_err(|_| VerifyError::Signature)?;
                        d
                    }
                    (None, None) => {
                        return Err(VerifyError::Artifact(ArtifactProblem::BytesRequired))
                    }
                };
                (reported, None, None)
            }
            Content::Dsse {
                payload_type,
                payload,
                signatures,
            } => {
                if *payload_type != IN_TOTO_PAYLOAD_TYPE {
                    return Err(VerifyError::Attestation(AttestationProblem::PayloadType(
                        (*payload_type).to_owned(),
                    )));
                }
                let sig = match signatures.as_slice() {
                    [one] => *one,
                    other => {
                        return Err(VerifyError::BundleFormat(
                            BundleProblem::DsseSignatureCount { found: other.len() },
                        ))
                    }
                };
                let pae = glue::pae(payload_type, payload);
                let scheme = scheme_for(public_key)?;
                public_key
                    .verify(scheme, &pae, sig)
                    .map_err(|_| VerifyError::Signature)?;
                let (statement, matched) = glue::check_statement(payload, artifact)?;
                let predicate_type = statement.predicate_type().to_owned();
                (matched, Some(statement), Some(predicate_type))
            }
        };

        // The full policy, now that the predicate type is known.
        policy.evaluate(
            &Subject {
                signer: signer_ref,
                predicate_type: predicate_type.as_deref(),
                times: all_times,
            },
            Phase::Full,
        )?;

        Ok(VerificationResult {
            media_type: parts.media_type.to_owned(),
            signer: signer_record,
            artifact_digest: DigestRecord::from(artifact_digest),
            statement,
            predicate_type,
            tlog_entries: entries,
            timestamps: times.timestamps.clone(),
            verified_times: times.records.clone(),
        })
    }

    /// Step 1: RFC 3161 timestamps over the signature bytes, and Rekor v1 integrated times
    /// covered by a verified signed entry timestamp. Nothing else gives a time.
    fn establish_times(
        &self,
        parts: &BundleParts<'_>,
        signature: &[u8],
    ) -> Result<Times, VerifyError> {
        let mut times = Times {
            records: Vec::new(),
            timestamps: Vec::new(),
            tsa_authorities: BTreeSet::new(),
            set_times: Vec::new(),
        };
        for (index, token) in parts.timestamps.iter().enumerate() {
            match sigstore_timestamp::verify_timestamp(token, signature, self.trust.tsas()?) {
                Ok(v) => {
                    // Duplicates from one authority count once toward the threshold, but
                    // every verified time is used for validation.
                    times.tsa_authorities.insert(v.authority_index());
                    times.records.push(VerifiedTime {
                        source: TimeSource::Rfc3161,
                        time: v.time(),
                    });
                    times.timestamps.push(TimestampRecord {
                        authority: self.trust.tsa_name(v.authority_index()),
                        time: v.time(),
                    });
                }
                // Signed by no trusted authority: ignored, not counted.
                Err(sigstore_timestamp::Error::UntrustedAuthority) => {}
                Err(source) => return Err(VerifyError::Timestamp { index, source }),
            }
        }
        if times.tsa_authorities.len() < self.timestamp_threshold {
            return Err(VerifyError::Threshold {
                what: ThresholdKind::TimestampAuthorities,
                need: self.timestamp_threshold,
                have: times.tsa_authorities.len(),
            });
        }
        let now = self.now()?;
        for (i, entry) in parts.entries.iter().enumerate() {
            let Some(set) = entry.set else {
                times.set_times.push(None);
                continue;
            };
            let log = self.trust.log_for(entry.log_id).ok_or_else(|| {
                VerifyError::tlog(
                    i,
                    TlogProblem::UnknownLog {
                        log_id: b64(entry.log_id),
                    },
                )
            })?;
            glue::verify_set(i, entry, set, log)?;
            let t = entry.integrated_time;
            if t > now {
                return Err(VerifyError::tlog(
                    i,
                    TlogProblem::TimeInFuture {
                        integrated_time: t,
                        now,
                    },
                ));
            }
            if !log.valid_for.contains(t) {
                return Err(VerifyError::tlog(
                    i,
                    TlogProblem::LogKeyNotValidAt { time: t },
                ));
            }
            times.set_times.push(Some(t));
            times.records.push(VerifiedTime {
                source: TimeSource::TransparencyLog,
                time: t,
            });
        }
        if times.records.is_empty() {
            return Err(VerifyError::NoVerifiedTime);
        }
        Ok(times)
    }

    /// How many transparency logs of the trusted root this verifier can use.
    pub fn trusted_log_count(&self) -> usize {
        self.trust.logs.len()
    }

    /// How many logs and CT logs of the trusted root were skipped because their key is in a
    /// format or algorithm this verifier does not support.
    pub fn skipped_log_count(&self) -> usize {
        self.trust.skipped_logs
    }
}

/// Structural rules by bundle version (client spec §5, bundle.proto).
fn check_structure(parts: &BundleParts<'_>) -> Result<(), VerifyError> {
    if parts.entries.len() > crate::MAX_TLOG_ENTRIES {
        return Err(VerifyError::BundleFormat(
            BundleProblem::TooManyTlogEntries {
                max: crate::MAX_TLOG_ENTRIES,
                found: parts.entries.len(),
            },
        ));
    }
    if parts.timestamps.len() > crate::MAX_TIMESTAMPS {
        return Err(VerifyError::BundleFormat(
            BundleProblem::TooManyTimestamps {
                max: crate::MAX_TIMESTAMPS,
                found: parts.timestamps.len(),
            },
        ));
    }
    if let Content::Dsse { signatures, .. } = &parts.content {
        if signatures.len() != 1 {
            return Err(VerifyError::BundleFormat(
                BundleProblem::DsseSignatureCount {
                    found: signatures.len(),
                },
            ));
        }
    }
    match (&parts.material, parts.version) {
        (Material::Chain(c), _) if c.is_empty() => {
            return Err(VerifyError::BundleFormat(BundleProblem::Material(
                "empty certificate chain",
            )))
        }
        (Material::Chain(_), Version::V03) => {
            return Err(VerifyError::BundleFormat(BundleProblem::Material(
                "v0.3 bundles carry a single certificate, not a chain",
            )))
        }
        _ => {}
    }
    for (i, e) in parts.entries.iter().enumerate() {
        check_entry_structure(i, e, parts.version)?;
    }
    Ok(())
}

fn check_entry_structure(i: usize, e: &EntryParts<'_>, v: Version) -> Result<(), VerifyError> {
    if e.log_index < 0 {
        return Err(VerifyError::BundleFormat(BundleProblem::Field {
            field: "logIndex",
            reason: "negative",
        }));
    }
    if e.body.is_empty() {
        return Err(VerifyError::BundleFormat(BundleProblem::MissingBody {
            entry: i,
        }));
    }
    match v {
        Version::V01 => {
            if e.set.is_none() {
                return Err(VerifyError::BundleFormat(
                    BundleProblem::MissingInclusionPromise { entry: i },
                ));
            }
        }
        Version::V02 | Version::V03 => {
            let Some(proof) = &e.proof else {
                return Err(VerifyError::BundleFormat(
                    BundleProblem::MissingInclusionProof { entry: i },
                ));
            };
            if proof.checkpoint.is_none_or(str::is_empty) {
                return Err(VerifyError::BundleFormat(
                    BundleProblem::MissingCheckpoint { entry: i },
                ));
            }
        }
    }
    Ok(())
}

/// The signature scheme a Sigstore signing key implies.
fn scheme_for(key: &PublicKey) -> Result<SignatureScheme, VerifyError> {
    Ok(match key.kind() {
        KeyKind::EcdsaP256 => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
        KeyKind::EcdsaP384 => SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
        KeyKind::EcdsaP521 => SignatureScheme::Ecdsa(HashAlgorithm::Sha512),
        KeyKind::Ed25519 => SignatureScheme::Ed25519,
        KeyKind::Rsa { .. } => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256),
    })
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn verifier_is_send_sync() {
        assert_send_sync::<Verifier>();
        assert_send_sync::<Policy>();
        assert_send_sync::<Artifact>();
    }
}
