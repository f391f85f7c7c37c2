//! Rekor entry bodies (canonicalizedBody): every kind/version, with and without the declared
//! kindVersion.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigstore_tlog::EntryBody;

const KINDS: &[(&str, &str)] = &[
    ("hashedrekord", "0.0.1"),
    ("hashedrekord", "0.0.2"),
    ("dsse", "0.0.1"),
    ("dsse", "0.0.2"),
    ("intoto", "0.0.2"),
];

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = EntryBody::parse(data) {
        let _ = (body.kind(), body.api_version(), body.signatures());
        let _ = (
            body.artifact_digest(),
            body.payload_hash(),
            body.envelope_hash(),
        );
    }
    let pick = data.first().copied().unwrap_or(0) as usize % KINDS.len();
    if let Some((kind, version)) = KINDS.get(pick) {
        let _ = EntryBody::parse_with_kind_version(data.get(1..).unwrap_or(&[]), kind, version);
    }
});
