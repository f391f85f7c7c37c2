//! Multi-signer consensus: at least `k` distinct signers of a listed set signed one artifact,
//! each inside a time window ("three maintainers signed this release between these dates").

use std::collections::BTreeMap;

use serde::Serialize;

use crate::artifact::Artifact;
use crate::error::{PolicyProblem, ThresholdKind, VerifyError, VerifyErrorKind};
use crate::policy::Policy;
use crate::result::{Signer, VerificationResult};
use crate::verifier::Verifier;
use crate::Bundle;

/// Most bundles one consensus verification considers.
pub const MAX_CONSENSUS_BUNDLES: usize = 64;

/// Most signer policies a consensus policy lists.
pub const MAX_CONSENSUS_SIGNERS: usize = 64;

/// A policy over several bundles for one artifact: at least `threshold` of the listed signer
/// policies must each be satisfied by a different signer (a signer identity counts once, even
/// if it signed several bundles or matches several listed policies), optionally with every
/// verified signature time inside a window.
#[derive(Debug, Clone)]
pub struct ConsensusPolicy {
    signers: Vec<Policy>,
    threshold: usize,
    window: Option<(i64, i64)>,
}

impl ConsensusPolicy {
    /// `threshold` of `signers` must have signed. Every listed policy must constrain the
    /// signer, and `1 <= threshold <= signers.len()`.
    pub fn new(signers: Vec<Policy>, threshold: usize) -> Result<Self, VerifyError> {
        if signers.is_empty() {
            return Err(VerifyError::Policy(PolicyProblem::Empty));
        }
        if signers.len() > MAX_CONSENSUS_SIGNERS || threshold == 0 || threshold > signers.len() {
            return Err(VerifyError::Policy(PolicyProblem::Threshold {
                what: ThresholdKind::Signers,
                value: threshold,
            }));
        }
        if signers.iter().any(|p| !p.constrains_signer()) {
            return Err(VerifyError::Policy(PolicyProblem::ConstrainsNothing));
        }
        Ok(ConsensusPolicy {
            signers,
            threshold,
            window: None,
        })
    }

    /// Every verified signature time of a counted bundle must lie in `[not_before, not_after]`
    /// (Unix seconds, inclusive).
    pub fn within(mut self, not_before: i64, not_after: i64) -> Result<Self, VerifyError> {
        if not_before > not_after {
            return Err(VerifyError::Policy(PolicyProblem::Window));
        }
        self.window = Some((not_before, not_after));
        Ok(self)
    }
}

/// One counted signer.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ConsensusSigner {
    /// Index of the listed signer policy this signer satisfied.
    pub policy_index: usize,
    /// Index of the bundle that proved it.
    pub bundle_index: usize,
    /// That bundle's verification result.
    pub result: VerificationResult,
}

/// A bundle that did not count, and why.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct RejectedBundle {
    /// Index of the bundle.
    pub bundle_index: usize,
    /// The error kind.
    pub kind: VerifyErrorKind,
    /// The error message.
    pub reason: String,
}

/// The outcome of a successful consensus verification.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ConsensusResult {
    /// The distinct signers counted (at least the threshold).
    pub signers: Vec<ConsensusSigner>,
    /// Bundles that failed verification, matched no listed signer, or fell outside the window.
    pub rejected: Vec<RejectedBundle>,
}

/// A stable key for "the same signer".
fn signer_key(result: &VerificationResult) -> String {
    match &result.signer {
        Signer::Certificate { identity, .. } => format!(
            "cert\u{0}{}\u{0}{}",
            identity.san,
            identity.issuer.as_deref().unwrap_or("")
        ),
        Signer::PublicKey { spki_sha256 } => format!("key\u{0}{spki_sha256}"),
    }
}

/// Kuhn's augmenting path for bipartite matching (signers -> policies).
fn augment(
    signer: usize,
    edges: &[Vec<usize>],
    seen: &mut [bool],
    policy_owner: &mut [Option<usize>],
) -> bool {
    let Some(policies) = edges.get(signer) else {
        return false;
    };
    for &p in policies {
        if seen.get(p).copied().unwrap_or(true) {
            continue;
        }
        if let Some(s) = seen.get_mut(p) {
            *s = true;
        }
        let owner = policy_owner.get(p).copied().flatten();
        let free = match owner {
            None => true,
            Some(other) => augment(other, edges, seen, policy_owner),
        };
        if free {
            if let Some(slot) = policy_owner.get_mut(p) {
                *slot = Some(signer);
            }
            return true;
        }
    }
    false
}

impl Verifier {
    /// Verify several bundles for one artifact against a [`ConsensusPolicy`]. Each bundle is
    /// fully verified; bundles that fail do not count (they are listed in the result). Fails
    /// with [`VerifyError::Threshold`] (`Signers`) when fewer than the threshold of distinct
    /// signers matched distinct listed policies.
    pub fn verify_consensus(
        &self,
        bundles: &[Bundle],
        artifact: &Artifact,
        policy: &ConsensusPolicy,
    ) -> Result<ConsensusResult, VerifyError> {
        if bundles.len() > MAX_CONSENSUS_BUNDLES {
            return Err(VerifyError::Threshold {
                what: ThresholdKind::Signers,
                need: policy.threshold,
                have: 0,
            });
        }
        let mut rejected = Vec::new();
        // signer key -> (index in `signer_keys`), with the policies it satisfies and proof.
        let mut signer_index: BTreeMap<String, usize> = BTreeMap::new();
        let mut edges: Vec<Vec<usize>> = Vec::new();
        let mut proofs: Vec<BTreeMap<usize, (usize, VerificationResult)>> = Vec::new();
        for (bundle_index, bundle) in bundles.iter().enumerate() {
            let mut first_err: Option<VerifyError> = None;
            let mut matched_any = false;
            for (policy_index, p) in policy.signers.iter().enumerate() {
                match self.verify(bundle, artifact, p) {
                    Ok(result) => {
                        if let Some((start, end)) = policy.window {
                            if let Some(t) = result
                                .verified_times
                                .iter()
                                .find(|t| t.time < start || t.time > end)
                            {
                                first_err.get_or_insert(VerifyError::OutsideWindow {
                                    time: t.time,
                                    not_before: start,
                                    not_after: end,
                                });
                                continue;
                            }
                        }
                        matched_any = true;
                        let key = signer_key(&result);
                        let idx = *signer_index.entry(key).or_insert_with(|| {
                            edges.push(Vec::new());
                            proofs.push(BTreeMap::new());
                            edges.len() - 1
                        });
                        if let Some(e) = edges.get_mut(idx) {
                            if !e.contains(&policy_index) {
                                e.push(policy_index);
                            }
                        }
                        if let Some(pr) = proofs.get_mut(idx) {
                            pr.entry(policy_index).or_insert((bundle_index, result));
                        }
                    }
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            if !matched_any {
                if let Some(e) = first_err {
                    rejected.push(RejectedBundle {
                        bundle_index,
                        kind: e.kind(),
                        reason: e.to_string(),
                    });
                }
            }
        }
        let mut policy_owner: Vec<Option<usize>> = vec![None; policy.signers.len()];
        for s in 0..edges.len() {
            let mut seen = vec![false; policy.signers.len()];
            augment(s, &edges, &mut seen, &mut policy_owner);
        }
        let mut signers = Vec::new();
        for (policy_index, owner) in policy_owner.iter().enumerate() {
            if let Some(s) = owner {
                if let Some((bundle_index, result)) =
                    proofs.get(*s).and_then(|m| m.get(&policy_index))
                {
                    signers.push(ConsensusSigner {
                        policy_index,
                        bundle_index: *bundle_index,
                        result: result.clone(),
                    });
                }
            }
        }
        if signers.len() < policy.threshold {
            return Err(VerifyError::Threshold {
                what: ThresholdKind::Signers,
                need: policy.threshold,
                have: signers.len(),
            });
        }
        Ok(ConsensusResult { signers, rejected })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn construction_limits() {
        let p = || Policy::dangerous_any_identity();
        let policy_err = |r: Result<ConsensusPolicy, VerifyError>| r.unwrap_err().kind();
        assert_eq!(
            policy_err(ConsensusPolicy::new(vec![], 1)),
            VerifyErrorKind::Policy
        );
        assert_eq!(
            policy_err(ConsensusPolicy::new(vec![p()], 0)),
            VerifyErrorKind::Policy
        );
        assert_eq!(
            policy_err(ConsensusPolicy::new(vec![p()], 2)),
            VerifyErrorKind::Policy
        );
        assert!(ConsensusPolicy::new(vec![p(); MAX_CONSENSUS_SIGNERS], 1).is_ok());
        assert_eq!(
            policy_err(ConsensusPolicy::new(
                vec![p(); MAX_CONSENSUS_SIGNERS + 1],
                1
            )),
            VerifyErrorKind::Policy
        );
        assert_eq!(
            policy_err(ConsensusPolicy::new(vec![p()], 1).unwrap().within(2, 1)),
            VerifyErrorKind::Policy
        );
    }

    #[test]
    fn matching_prefers_distinct_policies() {
        // Signer 0 satisfies policies {0, 1}, signer 1 only {0}: the maximum matching is 2.
        let edges = vec![vec![0, 1], vec![0]];
        let mut owner = vec![None; 2];
        for s in 0..edges.len() {
            let mut seen = vec![false; 2];
            augment(s, &edges, &mut seen, &mut owner);
        }
        assert_eq!(owner, vec![Some(1), Some(0)]);
    }
}
