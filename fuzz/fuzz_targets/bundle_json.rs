//! Bundle JSON parsing (all versions, both content forms), then re-serialization of any bundle
//! that parsed; in-toto statements read both ways (`Statement`, fully converted, and
//! `StatementJson`, predicate only checked) must agree on every input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(bundle) = sigstore_bundle::Bundle::from_json(data) {
        let _ = bundle.to_json();
    }
    if let Ok(env) = sigstore_bundle::Envelope::from_json(data) {
        let _ = sigstore_bundle::pae(&env.payload_type, &env.payload);
    }
    let full = sigstore_bundle::Statement::from_json(data);
    let lazy = sigstore_bundle::StatementJson::from_json(data);
    match (full, lazy) {
        (Ok(full), Ok(lazy)) => {
            assert_eq!(lazy.as_str().as_bytes(), data);
            assert_eq!(lazy.subjects(), full.subject.as_slice());
            assert_eq!(lazy.predicate_type(), full.predicate_type);
            assert_eq!(lazy.has_predicate(), full.predicate.is_some());
            assert_eq!(lazy.to_value().ok(), Some(full.into_value()));
        }
        (Err(full), Err(lazy)) => assert_eq!(format!("{full:?}"), format!("{lazy:?}")),
        (full, lazy) => panic!("the statement readers disagree: {full:?} vs {lazy:?}"),
    }
});
