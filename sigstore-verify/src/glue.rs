//! Calls into the lower crates: the bundle model, Fulcio identities and SCTs, DSSE and in-toto.

use sigstore_crypto::HashAlgorithm;
use sigstore_fulcio::{SubjectAlternativeName, VerifiedChain};

use crate::artifact::Artifact;
use crate::error::{
    ArtifactProblem, AttestationProblem, BundleProblem, CertificateProblem, VerifyError,
};
use crate::parts::{BundleParts, Content, EntryParts, Material, ProofParts, Version};
use crate::result::{SctRecord, SignerIdentity};
use crate::trust::TrustMaterial;
use crate::verifier::b64;
use crate::Bundle;

pub(crate) use crate::tlog_glue::{
    check_entry_body, is_rekor_v2, verify_inclusion, verify_set, VerifierMaterial,
};

/// Parse bundle JSON with every structural check of the bundle model.
pub(crate) fn parse_bundle(json: &[u8]) -> Result<Bundle, VerifyError> {
    Bundle::from_json(json).map_err(VerifyError::BundleParse)
}

fn hash_from_bundle(alg: sigstore_bundle::HashAlgorithm) -> Option<HashAlgorithm> {
    HashAlgorithm::from_name(alg.name()).or(match alg.name() {
        "SHA2_256" => Some(HashAlgorithm::Sha256),
        "SHA2_384" => Some(HashAlgorithm::Sha384),
        "SHA2_512" => Some(HashAlgorithm::Sha512),
        _ => None,
    })
}

/// The typed view of `bundle`.
pub(crate) fn bundle_parts(bundle: &Bundle) -> Result<BundleParts<'_>, VerifyError> {
    use sigstore_bundle::{BundleContent, BundleVersion, VerificationMaterialContent};
    bundle
        .validate_structure()
        .map_err(VerifyError::BundleParse)?;
    let version = match bundle.version() {
        BundleVersion::V0_1 => Version::V01,
        BundleVersion::V0_2 => Version::V02,
        _ => Version::V03,
    };
    let vm = &bundle.verification_material;
    let material = match &vm.content {
        VerificationMaterialContent::X509CertificateChain(c) => {
            Material::Chain(c.iter().map(Vec::as_slice).collect())
        }
        VerificationMaterialContent::Certificate(c) => Material::Certificate(c),
        VerificationMaterialContent::PublicKey { .. } => Material::PublicKey,
        #[allow(unreachable_patterns)]
        _ => {
            return Err(VerifyError::BundleFormat(BundleProblem::Material(
                "unsupported verification material",
            )))
        }
    };
    let entries = vm
        .tlog_entries
        .iter()
        .map(|e| EntryParts {
            log_index: e.log_index,
            log_id: &e.log_id,
            kind: &e.kind_version.kind,
            version: &e.kind_version.version,
            integrated_time: e.integrated_time.unwrap_or(0),
            set: e
                .inclusion_promise
                .as_ref()
                .map(|p| p.signed_entry_timestamp.as_slice()),
            proof: e.inclusion_proof.as_ref().map(|p| ProofParts {
                log_index: p.log_index,
                root_hash: &p.root_hash,
                tree_size: p.tree_size,
                hashes: p.hashes.iter().map(Vec::as_slice).collect(),
                checkpoint: p.checkpoint.as_ref().map(|c| c.envelope.as_str()),
            }),
            body: &e.canonicalized_body,
        })
        .collect();
    let timestamps = vm
        .timestamp_verification_data
        .as_ref()
        .map(|t| t.rfc3161_timestamps.iter().map(Vec::as_slice).collect())
        .unwrap_or_default();
    let content = match &bundle.content {
        BundleContent::MessageSignature(m) => Content::Message {
            digest: m
                .message_digest
                .as_ref()
                .map(|d| (hash_from_bundle(d.algorithm), d.digest.as_slice())),
            signature: &m.signature,
        },
        BundleContent::DsseEnvelope(e) => Content::Dsse {
            payload_type: &e.payload_type,
            payload: &e.payload,
            signatures: e.signatures.iter().map(|s| s.sig.as_slice()).collect(),
        },
        #[allow(unreachable_patterns)]
        _ => {
            return Err(VerifyError::BundleFormat(BundleProblem::Material(
                "unsupported content",
            )))
        }
    };
    Ok(BundleParts {
        media_type: bundle.media_type.as_str(),
        version,
        material,
        entries,
        timestamps,
        content,
    })
}

/// The identity of a verified chain's leaf (never read from an unverified certificate).
pub(crate) fn identity(chain: &VerifiedChain) -> Result<SignerIdentity, VerifyError> {
    let fail = |e| VerifyError::Certificate(CertificateProblem::Chain(e));
    // The parts of a `CertificateIdentity` the result reports, without its typed copy.
    let san = sigstore_fulcio::subject_alternative_name(chain.leaf()).map_err(fail)?;
    let extensions = sigstore_fulcio::extensions_by_oid(chain.leaf()).map_err(fail)?;
    let issuer = sigstore_fulcio::oidc_issuer(&extensions).map(str::to_owned);
    let san_type = match &san {
        SubjectAlternativeName::Email(_) => "email",
        SubjectAlternativeName::Uri(_) => "uri",
        SubjectAlternativeName::OtherName(_) => "other_name",
        #[allow(unreachable_patterns)]
        _ => "other",
    };
    let mut out = SignerIdentity::new(san.value(), issuer, extensions);
    out.san_type = san_type.to_owned();
    Ok(out)
}

/// The embedded SCTs, with the threshold counted per distinct CT log.
pub(crate) fn verify_scts(
    chain: &VerifiedChain,
    trust: &TrustMaterial,
    threshold: usize,
) -> Result<Vec<SctRecord>, VerifyError> {
    let scts =
        sigstore_fulcio::verify_scts(chain, &trust.ct_logs, threshold).map_err(VerifyError::Sct)?;
    Ok(scts
        .iter()
        .map(|v| SctRecord {
            log_id: b64(&v.sct.log_id),
            timestamp_ms: v.sct.timestamp_ms,
        })
        .collect())
}

/// DSSE pre-authentication encoding (lengths are UTF-8 byte lengths).
pub(crate) fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    sigstore_bundle::pae(payload_type, payload)
}

/// Parse the in-toto statement and find the artifact among its subjects. Returns the statement
/// (its predicate checked, not converted) and the matched artifact digest.
pub(crate) fn check_statement(
    payload: &[u8],
    artifact: &Artifact,
) -> Result<(sigstore_bundle::StatementJson, sigstore_crypto::Digest), VerifyError> {
    let statement = sigstore_bundle::StatementJson::from_json(payload)
        .map_err(|e| VerifyError::Attestation(AttestationProblem::Statement(e)))?;
    // Subject digests in a supported algorithm, in order.
    let supported = || {
        statement.subjects().iter().flat_map(|subject| {
            subject
                .digest
                .iter()
                .filter_map(|(name, hex)| Some((name, HashAlgorithm::from_name(name)?, hex)))
        })
    };
    for (_, alg, hex_value) in supported() {
        let Some(actual) = artifact.digest_with(alg) else {
            continue;
        };
        if hex_value.eq_ignore_ascii_case(&actual.to_hex()) {
            return Ok((statement, actual));
        }
    }
    // The list for the error message, built only for a mismatch.
    let listed: Vec<String> = supported()
        .map(|(name, _, hex)| format!("{name}:{hex}"))
        .collect();
    let found = artifact
        .primary_digest()
        .map(|d| d.to_string())
        .ok_or(VerifyError::Artifact(ArtifactProblem::NoAlgorithm))?;
    Err(VerifyError::ArtifactMismatch {
        expected: if listed.is_empty() {
            "no subject with a supported digest".to_owned()
        } else {
            format!("one of the subjects [{}]", listed.join(", "))
        },
        found,
    })
}
