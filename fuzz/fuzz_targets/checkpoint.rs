//! C2SP signed notes and checkpoints: parsing, and signature verification against the
//! transparency-log keys of the fixed trusted roots.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = sigstore_tlog::SignedNote::parse(data) {
        let _ = note.verify(sigstore_fuzz::log_keys());
        let _ = note.to_note_string();
        if let Ok(cp) = sigstore_tlog::Checkpoint::parse(note.text()) {
            let _ = cp.to_text();
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sigstore_tlog::Checkpoint::parse(text);
    }
});
