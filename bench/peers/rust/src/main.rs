//! Peer runner for sigstore-rust (`sigstore-verify` 0.15.1 from crates.io, aws-lc-rs), speaking
//! the protocol of `common.rs`.
mod common;

use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::types::{Artifact, Bundle, Sha256Hash};
use sigstore_verify::{VerificationPolicy, Verifier};

struct SigstoreRust;

struct Case {
    bundle: String,
    artifact: Option<Vec<u8>>,
    digest: Option<Sha256Hash>,
    policy: VerificationPolicy,
}

impl common::Peer for SigstoreRust {
    const IMPL: &'static str = "sigstore-rust-0.15.1";
    type Verifier = Verifier;
    type Case = Case;

    fn verifier(trusted_root_json: &str) -> Verifier {
        let root = TrustedRoot::from_json(trusted_root_json).expect("trusted root");
        Verifier::new(&root).expect("verifier")
    }

    fn case(s: common::Spec) -> Case {
        Case {
            bundle: s.bundle,
            artifact: s.artifact,
            digest: s.digest.map(|d| {
                Sha256Hash::from_hex(d.strip_prefix("sha256:").unwrap()).expect("digest hex")
            }),
            policy: VerificationPolicy::new(s.identity, s.issuer),
        }
    }

    fn embedded_root_json() -> Option<&'static str> {
        Some(sigstore_verify::trust_root::SIGSTORE_PRODUCTION_TRUSTED_ROOT)
    }

    fn verify_once(verifier: &Verifier, c: &Case) -> Result<(), String> {
        let bundle = Bundle::from_json(&c.bundle).map_err(|e| e.to_string())?;
        let r = match (&c.artifact, &c.digest) {
            (Some(a), _) => verifier.verify(a.as_slice(), &bundle, &c.policy),
            (None, Some(d)) => verifier.verify(Artifact::from(d), &bundle, &c.policy),
            _ => unreachable!(),
        };
        r.map(|_| ()).map_err(|e| e.to_string())
    }
}

fn main() {
    common::main::<SigstoreRust>();
}
