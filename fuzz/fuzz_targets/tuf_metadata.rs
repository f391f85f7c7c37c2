//! TUF metadata: root (self-signed), and timestamp / snapshot / targets signed by the embedded
//! production root's keys.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sigstore_tuf::metadata::{Root, Snapshot, Targets, Timestamp};
use sigstore_tuf::trusted;

fn root() -> Option<&'static Root> {
    static ROOT: OnceLock<Option<Root>> = OnceLock::new();
    ROOT.get_or_init(|| {
        trusted::verify_initial_root(sigstore_bundle::PRODUCTION_TUF_ROOT)
            .ok()
            .map(|e| e.signed)
    })
    .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let _ = sigstore_tuf::metadata::parse::<Root>("root", data);
    let _ = sigstore_tuf::metadata::parse::<Timestamp>("timestamp", data);
    let _ = sigstore_tuf::metadata::parse::<Snapshot>("snapshot", data);
    let _ = sigstore_tuf::metadata::parse::<Targets>("targets", data);
    let _ = trusted::verify_initial_root(data);
    if let Some(root) = root() {
        let _ = trusted::verify_root_update(root, data);
        let _ = trusted::verify_timestamp_signatures(root, data);
        let _ = trusted::verify_snapshot_signatures(root, data);
        if let Ok(keys) = root.role("targets") {
            let _ = trusted::verify_targets_signatures("targets", &root.keys, keys, data);
        }
    }
});
