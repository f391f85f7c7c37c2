//! Peer runner for sigstore-rs (`sigstore` 0.15 from crates.io, its blocking bundle
//! verifier, offline), speaking the protocol of `../rust/src/common.rs`. sigstore-rs checks the
//! certificate chain, SCT, identity, artifact signature and the entry body, but not the SET,
//! the checkpoint or the inclusion proof, so its figures are not like for like.
#[path = "../../rust/src/common.rs"]
mod common;

use sha2::{Digest, Sha256};
use sigstore::bundle::verify::{blocking::Verifier, policy::Identity, ArtifactDigest};
use sigstore::bundle::Bundle;
use sigstore::trust::sigstore::SigstoreTrustRoot;

struct SigstoreRs;

struct Case {
    bundle: String,
    /// The artifact (hashed in every iteration, as the other runners do) or its digest.
    artifact: Option<Vec<u8>>,
    digest: Option<[u8; 32]>,
    policy: Identity,
}

impl common::Peer for SigstoreRs {
    const IMPL: &'static str = "sigstore-rs-0.15.0";
    type Verifier = Verifier;
    type Case = Case;

    fn verifier(trusted_root_json: &str) -> Verifier {
        let root =
            SigstoreTrustRoot::from_trusted_root_json_unchecked(trusted_root_json.as_bytes())
                .expect("trusted root");
        Verifier::new(Default::default(), root).expect("verifier")
    }

    fn case(s: common::Spec) -> Case {
        let digest = s.digest.map(|d| {
            hex::decode(d.strip_prefix("sha256:").unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        });
        Case {
            bundle: s.bundle,
            artifact: s.artifact,
            digest,
            policy: Identity::new(s.identity, s.issuer),
        }
    }

    fn verify_once(verifier: &Verifier, c: &Case) -> Result<(), String> {
        let bundle: Bundle = serde_json::from_str(&c.bundle).map_err(|e| e.to_string())?;
        let digest: [u8; 32] = match (&c.artifact, &c.digest) {
            (Some(a), _) => Sha256::digest(a).into(),
            (None, Some(d)) => *d,
            _ => unreachable!(),
        };
        verifier
            .verify_digest_with(ArtifactDigest::from(digest), bundle, &c.policy, true)
            .map_err(|e| e.to_string())
    }
}

fn main() {
    common::main::<SigstoreRs>();
}
