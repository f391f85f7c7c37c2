//! The whole verifier: arbitrary bundle bytes against fixed trusted roots (production, and the
//! conformance suite's Rekor v2 + TSA root), the conformance artifact and identity, and a
//! managed-key policy. Seed with the conformance bundles (scripts/fuzz-smoke.sh does).
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_verify::{Artifact, Issuer, ManagedKey, Policy, San, Verifier};

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

struct Fixture {
    verifiers: Vec<Verifier>,
    artifact: Artifact,
    policies: Vec<Policy>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut verifiers = Vec::new();
        let roots =
            std::iter::once(sigstore_fuzz::production_root()).chain(sigstore_fuzz::rekor2_root());
        for root in roots {
            if let Ok(v) = Verifier::builder(root.clone())
                .current_time(1_790_000_000)
                .build()
            {
                verifiers.push(v);
            }
        }
        let artifact =
            Artifact::bytes(sigstore_fuzz::conformance_file("a.txt").unwrap_or_default());
        let mut policies = vec![Policy::identity(
            San::exact(IDENTITY),
            Issuer::exact(ISSUER),
        )];
        if let Some(pem) = sigstore_fuzz::conformance_file("managed-key-happy-path/key.pub") {
            if let Ok(key) = ManagedKey::from_pem(&String::from_utf8_lossy(&pem)) {
                policies.push(Policy::public_key(key));
            }
        }
        Fixture {
            verifiers,
            artifact,
            policies,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    for v in &f.verifiers {
        for p in &f.policies {
            let _ = v.verify_json(data, &f.artifact, p);
        }
    }
});
