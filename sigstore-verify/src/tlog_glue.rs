//! Calls into `sigstore-tlog`: signed entry timestamps, entry bodies bound to the bundle,
//! checkpoints and inclusion proofs.

use sigstore_crypto::PublicKey;
use sigstore_tlog::{ExpectedOrigin, LogKey};

use crate::artifact::Artifact;
use crate::error::{ArtifactProblem, BindingField, BundleProblem, TlogProblem, VerifyError};
use crate::parts::{Content, EntryParts};
use crate::result::CheckpointRecord;
use crate::trust::TrustedLog;
use crate::verifier::b64;

/// The signer material a log entry body must name.
pub(crate) enum VerifierMaterial<'a> {
    /// The leaf certificate (DER).
    Certificate(&'a [u8]),
    /// A managed public key.
    PublicKey(&'a PublicKey),
}

/// Whether an entry kind/version is a Rekor v2 entry (no SET, origin is the bare host, the
/// entry's log index is the proof's index).
pub(crate) fn is_rekor_v2(entry: &EntryParts<'_>) -> bool {
    entry.version == "0.0.2" && matches!(entry.kind, "hashedrekord" | "dsse")
}

/// Step 1: the SET of entry `i` with the log's key (the caller checked the log id).
pub(crate) fn verify_set(
    i: usize,
    entry: &EntryParts<'_>,
    set: &[u8],
    log: &TrustedLog,
) -> Result<(), VerifyError> {
    sigstore_tlog::verify_set(
        entry.body,
        entry.integrated_time,
        entry.log_id,
        entry.log_index,
        set,
        log.key()?,
    )
    .map_err(|e| VerifyError::tlog(i, TlogProblem::Set(e)))
}

/// Step 3: the body of entry `i` must be of the kind and version `kindVersion` claims and
/// describe this bundle: its signature, its certificate or key, and the artifact (or the DSSE
/// envelope).
pub(crate) fn check_entry_body(
    i: usize,
    entry: &EntryParts<'_>,
    content: &Content<'_>,
    verifier: &VerifierMaterial<'_>,
    artifact: &Artifact,
) -> Result<(), VerifyError> {
    use sigstore_tlog::{EntryBody, Expected, ExpectedContent, Material};
    let body = EntryBody::parse_with_kind_version(entry.body, entry.kind, entry.version)
        .map_err(|e| VerifyError::tlog(i, TlogProblem::Body(e)))?;
    let signature = content.signature().ok_or(VerifyError::tlog(
        i,
        TlogProblem::Binding(BindingField::Signature),
    ))?;
    let material = match verifier {
        VerifierMaterial::Certificate(der) => Material::Certificate(der.to_vec()),
        VerifierMaterial::PublicKey(k) => Material::PublicKey(k.spki_der().to_vec()),
    };
    let dsse_sigs: Vec<Vec<u8>>;
    let mut actual_digest = None;
    let expected_content = match content {
        Content::Message { .. } => {
            // The logged algorithm decides which digest of the artifact to compare.
            let alg = body
                .artifact_digest()
                .map(|h| h.algorithm)
                .ok_or(VerifyError::tlog(
                    i,
                    TlogProblem::Binding(BindingField::Content),
                ))?;
            let d = artifact
                .digest_with(alg)
                .ok_or(VerifyError::Artifact(ArtifactProblem::BytesRequired))?;
            actual_digest = Some(d);
            ExpectedContent::Digest {
                algorithm: alg,
                digest: actual_digest.as_ref().map_or(&[][..], |d| d.as_bytes()),
            }
        }
        Content::Dsse {
            payload_type,
            payload,
            signatures,
        } => {
            dsse_sigs = signatures.iter().map(|s| s.to_vec()).collect();
            ExpectedContent::Dsse(sigstore_tlog::entry::DsseRef {
                payload_type,
                payload,
                signatures: &dsse_sigs,
            })
        }
    };
    let expected = Expected {
        signature,
        material: &material,
        content: expected_content,
    };
    match body.check_binding(&expected) {
        Ok(()) => Ok(()),
        Err(sigstore_tlog::Error::BindingMismatch(field)) => {
            let field = match field {
                sigstore_tlog::BindingField::Signature
                | sigstore_tlog::BindingField::DsseSignatures => BindingField::Signature,
                sigstore_tlog::BindingField::VerificationMaterial => BindingField::Verifier,
                sigstore_tlog::BindingField::ArtifactDigest => BindingField::Digest,
                sigstore_tlog::BindingField::PayloadHash
                | sigstore_tlog::BindingField::EnvelopeHash => BindingField::Envelope,
                _ => BindingField::Content,
            };
            if let (BindingField::Digest, Some(actual), Some(logged)) =
                (field, actual_digest, body.artifact_digest())
            {
                return Err(digest_mismatch(
                    i,
                    content,
                    logged.algorithm,
                    &logged.digest,
                    &actual,
                ));
            }
            Err(VerifyError::tlog(i, TlogProblem::Binding(field)))
        }
        Err(e) => Err(VerifyError::tlog(i, TlogProblem::Body(e))),
    }
}

/// The logged digest differs from the artifact's: an artifact mismatch when the bundle itself
/// is consistent (its `messageDigest` hint equals the logged digest), else a log entry that
/// does not belong to this bundle. Either way the bundle is rejected; this only classifies.
fn digest_mismatch(
    i: usize,
    content: &Content<'_>,
    alg: sigstore_crypto::HashAlgorithm,
    logged: &[u8],
    actual: &sigstore_crypto::Digest,
) -> VerifyError {
    if let Content::Message {
        digest: Some((Some(hint_alg), hint)),
        ..
    } = content
    {
        if *hint_alg == alg && *hint == logged {
            return VerifyError::ArtifactMismatch {
                expected: format!("{}:{}", alg.name(), hex::encode(logged)),
                found: actual.to_string(),
            };
        }
    }
    VerifyError::tlog(i, TlogProblem::Binding(BindingField::Digest))
}

/// Step 3: the inclusion proof of entry `i` against a checkpoint signed by `log`.
pub(crate) fn verify_inclusion(
    i: usize,
    entry: &EntryParts<'_>,
    log: &TrustedLog,
) -> Result<CheckpointRecord, VerifyError> {
    let err = |p: TlogProblem| VerifyError::tlog(i, p);
    let Some(proof) = &entry.proof else {
        return Err(VerifyError::BundleFormat(
            BundleProblem::MissingInclusionProof { entry: i },
        ));
    };
    let Some(text) = proof.checkpoint.filter(|t| !t.is_empty()) else {
        return Err(VerifyError::BundleFormat(
            BundleProblem::MissingCheckpoint { entry: i },
        ));
    };
    let name = sigstore_tlog::note::key_name_from_base_url(&log.base_url)
        .map_err(|e| err(TlogProblem::Checkpoint(e)))?;
    let key = match log.checkpoint_key_id.as_deref() {
        Some(id) if id.len() == 4 => {
            let mut kid = [0u8; 4];
            kid.copy_from_slice(id);
            LogKey::with_key_id(&name, log.key()?, kid)
        }
        _ => LogKey::from_log_id(&name, log.key()?, &log.log_id),
    }
    .map_err(|e| err(TlogProblem::Checkpoint(e)))?;
    let origin = if is_rekor_v2(entry) {
        ExpectedOrigin::Exact(name.clone())
    } else {
        ExpectedOrigin::RekorV1 { host: name.clone() }
    };
    let checkpoint = sigstore_tlog::verify_checkpoint(text, &origin, &[key], None)
        .map_err(|e| err(TlogProblem::Checkpoint(e)))?;

    let tree_size = u64::try_from(proof.tree_size).map_err(|_| {
        VerifyError::BundleFormat(BundleProblem::Field {
            field: "inclusionProof.treeSize",
            reason: "negative",
        })
    })?;
    let index = u64::try_from(proof.log_index).map_err(|_| {
        VerifyError::BundleFormat(BundleProblem::Field {
            field: "inclusionProof.logIndex",
            reason: "negative",
        })
    })?;
    if proof.root_hash != checkpoint.root_hash().as_slice() {
        return Err(err(TlogProblem::ProofMismatch {
            what: "root hash",
            expected: b64(checkpoint.root_hash()),
            found: b64(proof.root_hash),
        }));
    }
    if tree_size != checkpoint.tree_size() {
        return Err(err(TlogProblem::ProofMismatch {
            what: "tree size",
            expected: checkpoint.tree_size().to_string(),
            found: tree_size.to_string(),
        }));
    }
    if is_rekor_v2(entry) && entry.log_index != proof.log_index {
        return Err(err(TlogProblem::ProofMismatch {
            what: "log index",
            expected: entry.log_index.to_string(),
            found: proof.log_index.to_string(),
        }));
    }
    let hashes = proof
        .hashes
        .iter()
        .map(|h| sigstore_tlog::merkle::hash_from_slice(h))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(TlogProblem::Inclusion(e)))?;
    let leaf = sigstore_tlog::merkle::leaf_hash(entry.body);
    checkpoint
        .verify_inclusion(index, tree_size, &leaf, &hashes)
        .map_err(|e| err(TlogProblem::Inclusion(e)))?;
    Ok(CheckpointRecord {
        origin: checkpoint.origin().to_owned(),
        tree_size: checkpoint.tree_size(),
        root_hash: b64(checkpoint.root_hash()),
        leaf_index: index,
    })
}
