#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Signed notes and checkpoints: conformance cases, the checkpoint lines of bad-inputs §1 and
//! §4, CVE-2024-54140, signature caps and witness policies.

mod common;

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use sigstore_crypto::{KeySigner, PublicKey, Signer};
use sigstore_tlog::merkle::leaf_hash;
use sigstore_tlog::note::{
    cosign_note, key_name_from_base_url, verify_checkpoint, Checkpoint, ExpectedOrigin, LogKey,
    SignedNote, WitnessKey, WitnessPolicy, MAX_NOTE_SIGNATURES,
};
use sigstore_tlog::{CheckpointField, Error, NoteField};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

// ---------- conformance cases ----------

struct Case {
    entry: Value,
    keys: Vec<LogKey>,
    origin: ExpectedOrigin,
}

/// Load a case: its first tlog entry, log keys from its trusted root (or production), and the
/// expected origin of the log that the entry names.
fn load(case: &str) -> Option<Case> {
    let dir = common::conformance_case(case)?;
    let bundle = common::read_json(&dir.join("bundle.sigstore.json"));
    let root_path = if dir.join("trusted_root.json").exists() {
        dir.join("trusted_root.json")
    } else {
        common::shared_dir()?.join("sigstore-conformance/trust/production/trusted_root.json")
    };
    let root = common::read_json(&root_path);
    let entry = bundle["verificationMaterial"]["tlogEntries"][0].clone();
    let mut keys = Vec::new();
    let mut origin = None;
    let v2 = entry["kindVersion"]["version"] == "0.0.2";
    for t in root["tlogs"].as_array().unwrap() {
        let name = key_name_from_base_url(t["baseUrl"].as_str().unwrap()).unwrap();
        let key =
            PublicKey::from_spki_der(&common::b64(t["publicKey"]["rawBytes"].as_str().unwrap()))
                .unwrap();
        let log_id = common::b64(t["logId"]["keyId"].as_str().unwrap());
        keys.push(LogKey::from_log_id(&name, &key, &log_id).unwrap());
        if t["logId"]["keyId"] == entry["logId"]["keyId"] {
            origin = Some(if v2 {
                ExpectedOrigin::Exact(name)
            } else {
                ExpectedOrigin::RekorV1 { host: name }
            });
        }
    }
    let origin = origin.unwrap_or(ExpectedOrigin::RekorV1 {
        host: "rekor.sigstore.dev".into(),
    });
    Some(Case {
        entry,
        keys,
        origin,
    })
}

fn envelope(c: &Case) -> String {
    c.entry["inclusionProof"]["checkpoint"]["envelope"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn proof_parts(c: &Case) -> (u64, u64, [u8; 32], Vec<[u8; 32]>) {
    let ip = &c.entry["inclusionProof"];
    let index = ip["logIndex"].as_str().unwrap().parse().unwrap();
    let size = ip["treeSize"].as_str().unwrap().parse().unwrap();
    let body = common::b64(c.entry["canonicalizedBody"].as_str().unwrap());
    let hashes = ip["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| <[u8; 32]>::try_from(common::b64(h.as_str().unwrap()).as_slice()).unwrap())
        .collect();
    (index, size, leaf_hash(&body), hashes)
}

fn verify_case(case: &str) -> Option<Result<(), Error>> {
    let c = load(case)?;
    let cp = match verify_checkpoint(envelope(&c), &c.origin, &c.keys, None) {
        Ok(cp) => cp,
        Err(e) => return Some(Err(e)),
    };
    let (index, size, leaf, proof) = proof_parts(&c);
    Some(cp.verify_inclusion(index, size, &leaf, &proof))
}

#[test]
fn conformance_checkpoints_that_must_pass() {
    for case in [
        "happy-path-v0.3",
        "happy-path-v0.2",
        "happy-path-intoto-in-dsse-v3",
        "rekor2-happy-path",
        "rekor2-dsse-happy-path",
        "rekor2-checkpoint-cosigned",
        "rekor2-checkpoint-multiple-cosigs",
        "rekor2-checkpoint-origin-not-first",
        "rekor2-checkpoint-two-sigs-cosigned",
        "rekor2-checkpoint-two-sigs-from-origin",
    ] {
        let Some(r) = verify_case(case) else { return };
        r.unwrap_or_else(|e| panic!("{case}: {e:?}"));
    }
}

#[test]
fn conformance_checkpoints_that_must_fail() {
    type Check = fn(&Error) -> bool;
    let cases: Vec<(&str, Check)> = vec![
        ("checkpoint-bad-keyhint_fail", |e| {
            matches!(e, Error::NoVerifiedSignature)
        }),
        ("invalid-checkpoint-signature_fail", |e| {
            matches!(e, Error::NoteSignatureInvalid { .. })
        }),
        ("checkpoint-wrong-roothash_fail", |e| {
            matches!(e, Error::TreeSizeMismatch { .. })
        }),
        ("inclusion-proof-corrupted-hash_fail", |e| {
            matches!(e, Error::RootMismatch { .. })
        }),
        ("rekor2-checkpoint-missing-log-signature_fail", |e| {
            matches!(e, Error::MalformedNote(NoteField::NoSignatures))
        }),
        ("rekor2-checkpoint-missing-origin_fail", |e| {
            matches!(e, Error::MalformedCheckpoint(CheckpointField::TooFewLines))
        }),
        ("rekor2-checkpoint-missing-size_fail", |e| {
            matches!(e, Error::MalformedCheckpoint(CheckpointField::TooFewLines))
        }),
        ("rekor2-checkpoint-missing-root-hash_fail", |e| {
            matches!(e, Error::MalformedCheckpoint(CheckpointField::TooFewLines))
        }),
        ("rekor2-checkpoint-no-matching-signature_fail", |e| {
            matches!(e, Error::OriginMismatch { .. })
        }),
    ];
    for (case, check) in cases {
        let Some(r) = verify_case(case) else { return };
        let err = r.expect_err(case);
        assert!(check(&err), "{case}: unexpected {err:?}");
    }
}

#[test]
fn no_matching_signature_even_with_origin_accepted() {
    // Same case with the origin check satisfied: the key name differs, so no key matches.
    let Some(c) = load("rekor2-checkpoint-no-matching-signature_fail") else {
        return;
    };
    let origin = ExpectedOrigin::Exact("log2025-alpha1.rekor.github.dev".into());
    let err = verify_checkpoint(envelope(&c), &origin, &c.keys, None).unwrap_err();
    assert!(matches!(err, Error::NoVerifiedSignature), "{err:?}");
}

#[test]
fn staging_checkpoint_rejected_with_production_keys() {
    let Some(c) = load("bundle-from-wrong-instance_fail") else {
        return;
    };
    let origin = ExpectedOrigin::RekorV1 {
        host: "rekor.sigstage.dev".into(),
    };
    let err = verify_checkpoint(envelope(&c), &origin, &c.keys, None).unwrap_err();
    assert!(matches!(err, Error::NoVerifiedSignature), "{err:?}");
    // And with the production origin the origin check fails first.
    let err = verify_checkpoint(envelope(&c), &c.origin, &c.keys, None).unwrap_err();
    assert!(matches!(err, Error::OriginMismatch { .. }), "{err:?}");
}

#[test]
fn global_log_index_of_a_sharded_log_is_not_the_proof_index() {
    // Rekor v1 entries carry a global logIndex; the proof uses the shard-local index.
    let Some(c) = load("happy-path-v0.3") else {
        return;
    };
    let cp = verify_checkpoint(envelope(&c), &c.origin, &c.keys, None).unwrap();
    let (_, size, leaf, proof) = proof_parts(&c);
    let global: u64 = c.entry["logIndex"].as_str().unwrap().parse().unwrap();
    let err = cp
        .verify_inclusion(global, size, &leaf, &proof)
        .unwrap_err();
    assert!(matches!(err, Error::IndexOutOfRange { .. }), "{err:?}");
}

#[test]
fn stale_inclusion_proof_rejected() {
    // invalid-inclusion-proof_fail carries no checkpoint: check the proof against its own root.
    let Some(c) = load("invalid-inclusion-proof_fail") else {
        return;
    };
    let (index, size, leaf, proof) = proof_parts(&c);
    let root: [u8; 32] = common::b64(c.entry["inclusionProof"]["rootHash"].as_str().unwrap())
        .try_into()
        .unwrap();
    let err =
        sigstore_tlog::merkle::verify_inclusion(index, size, &leaf, &proof, &root).unwrap_err();
    assert!(matches!(err, Error::RootMismatch { .. }), "{err:?}");
}

#[test]
fn rekor_v2_witness_cosignature_parsed_and_ignored_without_policy() {
    let Some(c) = load("rekor2-checkpoint-cosigned") else {
        return;
    };
    let cp = verify_checkpoint(envelope(&c), &c.origin, &c.keys, None).unwrap();
    assert_eq!(cp.tree_size(), 736);
    assert_eq!(cp.origin(), "log2025-alpha1.rekor.sigstage.dev");
    assert!(cp.cosignatures().is_empty());
    assert_eq!(cp.signed_by().len(), 1);
}

// ---------- synthetic notes ----------

const ROOT_B64: &str = "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=";

fn log_signer() -> (KeySigner, LogKey) {
    let s = KeySigner::generate_ed25519().unwrap();
    let k = LogKey::new("log.example", s.public_key()).unwrap();
    (s, k)
}

fn body(size: &str, root: &str) -> String {
    format!("log.example\n{size}\n{root}\n")
}

fn exact() -> ExpectedOrigin {
    ExpectedOrigin::Exact("log.example".into())
}

fn sig_line(name: &str, key_id: [u8; 4], sig: &[u8]) -> String {
    let mut blob = key_id.to_vec();
    blob.extend_from_slice(sig);
    format!("\u{2014} {name} {}\n", B64.encode(blob))
}

#[test]
fn signed_note_round_trip_ed25519_and_ecdsa() {
    let (s, k) = log_signer();
    let note = SignedNote::sign(&body("5", ROOT_B64), "log.example", &s).unwrap();
    let cp = verify_checkpoint(&note, &exact(), &[k], None).unwrap();
    assert_eq!(cp.tree_size(), 5);
    let e = KeySigner::generate_p256().unwrap();
    let ek = LogKey::new("log.example", e.public_key()).unwrap();
    let note = SignedNote::sign(&body("5", ROOT_B64), "log.example", &e).unwrap();
    verify_checkpoint(note.as_bytes(), &exact(), &[ek], None).unwrap();
}

#[test]
fn ed25519_and_ecdsa_key_ids_follow_c2sp_and_rekor() {
    let (s, k) = log_signer();
    let raw = s.public_key().raw_public_key();
    let mut m = b"log.example\n\x01".to_vec();
    m.extend_from_slice(raw);
    let d = sigstore_crypto::HashAlgorithm::Sha256.hash(&m);
    assert_eq!(k.key_id(), d.as_bytes()[..4]);
    let e = KeySigner::generate_p256().unwrap();
    let ek = LogKey::new("x", e.public_key()).unwrap();
    let d = sigstore_crypto::HashAlgorithm::Sha256.hash(e.public_key().spki_der());
    assert_eq!(ek.key_id(), d.as_bytes()[..4]);
}

fn parse_err(note: &[u8]) -> Error {
    let (_, k) = log_signer();
    verify_checkpoint(note, &exact(), &[k], None).unwrap_err()
}

fn with_dummy_sig(text: &str) -> String {
    format!(
        "{text}\n{}",
        sig_line("log.example", [1, 2, 3, 4], &[9u8; 64])
    )
}

#[test]
fn bad_inputs_section1_checkpoint_lines() {
    // Missing blank line between text and signatures.
    let no_blank = format!(
        "{}{}",
        body("5", ROOT_B64),
        sig_line("log.example", [1, 2, 3, 4], &[9; 64])
    );
    assert!(matches!(
        parse_err(no_blank.as_bytes()),
        Error::MalformedNote(NoteField::Separator)
    ));
    // Fewer than three body lines.
    let two = with_dummy_sig("log.example\n5\n");
    assert!(matches!(
        parse_err(two.as_bytes()),
        Error::MalformedCheckpoint(CheckpointField::TooFewLines)
    ));
    // Empty origin.
    let e = with_dummy_sig(&format!("\n5\n{ROOT_B64}\n"));
    // "\n\n" right at the start makes the text empty: either way it is rejected as malformed.
    assert!(matches!(
        parse_err(e.as_bytes()),
        Error::MalformedCheckpoint(_) | Error::MalformedNote(_)
    ));
    assert!(matches!(
        Checkpoint::parse(&format!("\n5\n{ROOT_B64}\n")),
        Err(Error::MalformedCheckpoint(CheckpointField::Origin))
    ));
    // Tree sizes.
    for bad in ["007", "-1", "abc", "18446744073709551616", "+5", " 5", "5 "] {
        let n = with_dummy_sig(&body(bad, ROOT_B64));
        assert!(
            matches!(
                parse_err(n.as_bytes()),
                Error::MalformedCheckpoint(CheckpointField::TreeSize)
            ),
            "size {bad:?}"
        );
    }
    // An empty size line is a blank line: the body ends there and is too short.
    let n = with_dummy_sig(&body("", ROOT_B64));
    assert!(matches!(
        parse_err(n.as_bytes()),
        Error::MalformedCheckpoint(CheckpointField::TooFewLines)
    ));
    assert_eq!(
        Checkpoint::parse(&body("0", ROOT_B64)).unwrap().tree_size(),
        0
    );
    assert_eq!(
        Checkpoint::parse(&body("18446744073709551615", ROOT_B64))
            .unwrap()
            .tree_size(),
        u64::MAX
    );
    // Root hash not base64, wrong length, URL-safe alphabet, missing padding.
    for bad in [
        "not base64!",
        "AAAA",
        "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5-eGUTDI=",
        "rs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI",
    ] {
        let n = with_dummy_sig(&body("5", bad));
        assert!(
            matches!(
                parse_err(n.as_bytes()),
                Error::MalformedCheckpoint(CheckpointField::RootHash)
            ),
            "root {bad:?}"
        );
    }
    // Control characters and invalid UTF-8.
    let ctl = with_dummy_sig(&format!("log.ex\tample\n5\n{ROOT_B64}\n"));
    assert!(matches!(
        parse_err(ctl.as_bytes()),
        Error::MalformedNote(NoteField::ControlCharacter)
    ));
    let cr = with_dummy_sig(&format!("log.example\r\n5\n{ROOT_B64}\n"));
    assert!(matches!(
        parse_err(cr.as_bytes()),
        Error::MalformedNote(NoteField::ControlCharacter)
    ));
    let mut bad_utf8 = with_dummy_sig(&body("5", ROOT_B64)).into_bytes();
    bad_utf8[3] = 0xff;
    assert!(matches!(
        parse_err(&bad_utf8),
        Error::MalformedNote(NoteField::Utf8)
    ));
    // No em dash (a hyphen instead).
    let hyphen = format!(
        "{}\n- log.example {}\n",
        body("5", ROOT_B64),
        B64.encode([1u8; 70])
    );
    assert!(matches!(
        parse_err(hyphen.as_bytes()),
        Error::MalformedNote(NoteField::SignatureLinePrefix)
    ));
    // Key name with a space or '+'.
    for name in ["log example", "log+example"] {
        let n = format!(
            "{}\n\u{2014} {name} {}\n",
            body("5", ROOT_B64),
            B64.encode([1u8; 70])
        );
        assert!(
            matches!(
                parse_err(n.as_bytes()),
                Error::MalformedNote(NoteField::KeyName)
            ),
            "{name}"
        );
    }
    // Zero signature lines.
    let zero = format!("{}\n", body("5", ROOT_B64));
    assert!(matches!(
        parse_err(zero.as_bytes()),
        Error::MalformedNote(NoteField::NoSignatures)
    ));
    // Signature block not newline-terminated.
    let unterminated = with_dummy_sig(&body("5", ROOT_B64));
    let unterminated = unterminated.trim_end_matches('\n');
    assert!(matches!(
        parse_err(unterminated.as_bytes()),
        Error::MalformedNote(NoteField::TrailingNewline)
    ));
    // Signature too short / not base64.
    let short = format!(
        "{}\n\u{2014} log.example {}\n",
        body("5", ROOT_B64),
        B64.encode([1u8; 4])
    );
    assert!(matches!(
        parse_err(short.as_bytes()),
        Error::MalformedNote(NoteField::SignatureEncoding)
    ));
    // Empty extension line is impossible inside a note (it would be the separator), but the
    // checkpoint parser rejects it on its own.
    // The first blank line ends the body: "more" is not part of it.
    let cp = Checkpoint::parse(&format!("o\n5\n{ROOT_B64}\next\n\nmore\n")).unwrap();
    assert_eq!(cp.extensions(), ["ext"]);
    assert!(Checkpoint::parse(&format!("o\n5\n{ROOT_B64}\n\n")).is_ok());
}

#[test]
fn extension_lines_are_kept() {
    let cp = Checkpoint::parse(&format!("o\n5\n{ROOT_B64}\nTimestamp: 1\nother\n")).unwrap();
    assert_eq!(cp.extensions(), ["Timestamp: 1", "other"]);
    assert_eq!(Checkpoint::parse(&cp.to_text()).unwrap(), cp);
}

#[test]
fn redos_key_name_is_matched_literally() {
    let (s, k) = log_signer();
    let evil = "(.*)*x";
    // A note signed under the name "(.*)*x": the legitimate key does not match it.
    let evil_key = LogKey::new(evil, s.public_key()).unwrap();
    let note = SignedNote::sign(&body("5", ROOT_B64), evil, &s).unwrap();
    let start = Instant::now();
    let err = verify_checkpoint(&note, &exact(), std::slice::from_ref(&k), None).unwrap_err();
    assert!(matches!(err, Error::NoVerifiedSignature));
    // A key literally named "(.*)*x" against a long adversarial name.
    let long_name = "a".repeat(10_000);
    let n2 = format!(
        "{}\n{}",
        body("5", ROOT_B64),
        sig_line(&long_name, evil_key.key_id(), &[0u8; 64])
    );
    let err = verify_checkpoint(&n2, &exact(), std::slice::from_ref(&evil_key), None).unwrap_err();
    assert!(matches!(err, Error::NoVerifiedSignature));
    assert!(start.elapsed() < Duration::from_secs(1));
    // And it verifies when the names really are equal.
    verify_checkpoint(&note, &exact(), &[evil_key], None).unwrap();
}

#[test]
fn seventeen_signatures_accepted_ten_thousand_rejected_fast() {
    let (s, k) = log_signer();
    let mut note = SignedNote::sign(&body("5", ROOT_B64), "log.example", &s).unwrap();
    for i in 0..16 {
        note.push_str(&sig_line(&format!("other{i}"), [i as u8; 4], &[7u8; 64]));
    }
    let parsed = SignedNote::parse(&note).unwrap();
    assert_eq!(parsed.signatures().len(), 17);
    verify_checkpoint(&note, &exact(), std::slice::from_ref(&k), None).unwrap();

    let mut big = SignedNote::sign(&body("5", ROOT_B64), "log.example", &s).unwrap();
    for i in 0..10_000u32 {
        big.push_str(&sig_line("w", i.to_be_bytes(), &[7u8; 64]));
    }
    let start = Instant::now();
    let err = verify_checkpoint(&big, &exact(), &[k], None).unwrap_err();
    assert!(matches!(err, Error::TooManySignatures { max } if max == MAX_NOTE_SIGNATURES));
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    const { assert!(MAX_NOTE_SIGNATURES >= 16) };
}

#[test]
fn exactly_the_cap_is_accepted() {
    let (s, k) = log_signer();
    let mut note = SignedNote::sign(&body("5", ROOT_B64), "log.example", &s).unwrap();
    for i in 1..MAX_NOTE_SIGNATURES {
        note.push_str(&sig_line("w", (i as u32).to_be_bytes(), &[7u8; 64]));
    }
    verify_checkpoint(&note, &exact(), std::slice::from_ref(&k), None).unwrap();
    note.push_str(&sig_line("w", [0xff; 4], &[7u8; 64]));
    assert!(matches!(
        verify_checkpoint(&note, &exact(), &[k], None),
        Err(Error::TooManySignatures { .. })
    ));
}

#[test]
fn oversized_note_rejected() {
    let big = vec![b'a'; sigstore_tlog::note::MAX_NOTE_BYTES + 1];
    assert!(matches!(
        SignedNote::parse(&big),
        Err(Error::NoteTooLarge { .. })
    ));
}

#[test]
fn cve_2024_54140_signature_over_root_hash_not_note_rejected() {
    for signer in [
        KeySigner::generate_ed25519().unwrap(),
        KeySigner::generate_p256().unwrap(),
    ] {
        let key = LogKey::new("log.example", signer.public_key()).unwrap();
        let text = body("5", ROOT_B64);
        let root = B64.decode(ROOT_B64).unwrap();
        let sig = signer.sign(&root).unwrap();
        let note = format!("{text}\n{}", sig_line("log.example", key.key_id(), &sig));
        let err = verify_checkpoint(&note, &exact(), std::slice::from_ref(&key), None).unwrap_err();
        assert!(matches!(err, Error::NoteSignatureInvalid { .. }), "{err:?}");
        // Corrupting the last base64 characters of a good signature is also rejected.
        let good = SignedNote::sign(&text, "log.example", &signer).unwrap();
        let mut chars: Vec<char> = good.trim_end().chars().collect();
        let n = chars.len();
        for c in &mut chars[n - 6..n - 3] {
            *c = if *c == 'A' { 'B' } else { 'A' };
        }
        let corrupted = format!("{}\n", chars.into_iter().collect::<String>());
        let err = verify_checkpoint(&corrupted, &exact(), &[key], None).unwrap_err();
        assert!(
            matches!(
                err,
                Error::NoteSignatureInvalid { .. } | Error::MalformedNote(_)
            ),
            "{err:?}"
        );
    }
}

#[test]
fn unknown_keys_ignored_known_failing_key_rejects() {
    let (s, k) = log_signer();
    let (_other, other_key) = log_signer();
    let good = SignedNote::sign(&body("5", ROOT_B64), "log.example", &s).unwrap();
    // An extra line from an unknown key (right name, wrong ID) is ignored.
    let with_unknown = format!(
        "{good}{}",
        sig_line("log.example", [0xde, 0xad, 0xbe, 0xef], &[1u8; 64])
    );
    verify_checkpoint(&with_unknown, &exact(), std::slice::from_ref(&k), None).unwrap();
    // A line claiming a known key (name + ID) whose signature fails rejects the whole note,
    // even though another known key verified.
    let forged = format!(
        "{good}{}",
        sig_line("log.example", other_key.key_id(), &[1u8; 64])
    );
    let err =
        verify_checkpoint(&forged, &exact(), &[k.clone(), other_key.clone()], None).unwrap_err();
    assert!(matches!(err, Error::NoteSignatureInvalid { .. }));
    // Only unknown keys -> rejected.
    let err = verify_checkpoint(&good, &exact(), &[other_key], None).unwrap_err();
    assert!(matches!(err, Error::NoVerifiedSignature));
    // Name matches but ID differs -> unknown; ID matches but name differs -> unknown.
    let renamed = LogKey::with_key_id("other.example", s.public_key(), k.key_id()).unwrap();
    assert!(matches!(
        verify_checkpoint(&good, &exact(), &[renamed], None),
        Err(Error::NoVerifiedSignature)
    ));
}

#[test]
fn rekor_v1_origin_rules() {
    let o = ExpectedOrigin::RekorV1 {
        host: "rekor.sigstore.dev".into(),
    };
    assert!(o.matches("rekor.sigstore.dev - 2605736670972794746"));
    assert!(!o.matches("rekor.sigstore.dev"));
    assert!(!o.matches("rekor.sigstore.dev - "));
    assert!(!o.matches("rekor.sigstore.dev - 01"));
    assert!(!o.matches("evil.rekor.sigstore.dev - 1"));
    assert!(!o.matches("rekor.sigstore.dev.evil - 1"));
    assert_eq!(
        key_name_from_base_url("https://log2025-1.rekor.sigstore.dev").unwrap(),
        "log2025-1.rekor.sigstore.dev"
    );
    assert_eq!(
        key_name_from_base_url("https://rekor.sigstore.dev/").unwrap(),
        "rekor.sigstore.dev"
    );
}

#[test]
fn witness_policy_k_of_n() {
    let (s, k) = log_signer();
    let w1 = KeySigner::generate_ed25519().unwrap();
    let w2 = KeySigner::generate_ed25519().unwrap();
    let wk1 = WitnessKey::new("witness.one", w1.public_key()).unwrap();
    let wk2 = WitnessKey::new("witness.two", w2.public_key()).unwrap();
    let note = SignedNote::sign(&body("5", ROOT_B64), "log.example", &s).unwrap();
    let one = cosign_note(&note, "witness.one", &w1, 1_700_000_000).unwrap();
    let both = cosign_note(&one, "witness.two", &w2, 1_700_000_001).unwrap();

    let p2 = WitnessPolicy::new(vec![wk1.clone(), wk2.clone()], 2).unwrap();
    let p1 = WitnessPolicy::new(vec![wk1.clone(), wk2.clone()], 1).unwrap();
    // Without a policy, cosignatures are ignored.
    assert!(
        verify_checkpoint(&both, &exact(), std::slice::from_ref(&k), None)
            .unwrap()
            .cosignatures()
            .is_empty()
    );
    // 1 of 2 satisfied by one cosignature.
    let cp = verify_checkpoint(&one, &exact(), std::slice::from_ref(&k), Some(&p1)).unwrap();
    assert_eq!(cp.cosignatures().len(), 1);
    assert_eq!(cp.cosignatures()[0].timestamp(), 1_700_000_000);
    assert_eq!(cp.cosignatures()[0].name(), "witness.one");
    // 2 of 2 not satisfied by one.
    assert!(matches!(
        verify_checkpoint(&one, &exact(), std::slice::from_ref(&k), Some(&p2)),
        Err(Error::WitnessThresholdNotMet {
            required: 2,
            found: 1
        })
    ));
    let cp = verify_checkpoint(&both, &exact(), std::slice::from_ref(&k), Some(&p2)).unwrap();
    assert_eq!(cp.cosignatures().len(), 2);
    // The same witness twice counts once.
    let twice = cosign_note(&one, "witness.one", &w1, 1_700_000_005).unwrap();
    assert!(matches!(
        verify_checkpoint(&twice, &exact(), std::slice::from_ref(&k), Some(&p2)),
        Err(Error::WitnessThresholdNotMet {
            required: 2,
            found: 1
        })
    ));
    // A tampered timestamp makes the known witness's cosignature invalid -> reject.
    let parsed = SignedNote::parse(&one).unwrap();
    let cosig = &parsed.signatures()[1];
    let mut blob = cosig.signature().to_vec();
    blob[7] ^= 1;
    let tampered = format!("{note}{}", sig_line("witness.one", cosig.key_id(), &blob));
    assert!(matches!(
        verify_checkpoint(&tampered, &exact(), std::slice::from_ref(&k), Some(&p1)),
        Err(Error::NoteSignatureInvalid { .. })
    ));
    // A log signature alone never satisfies a witness policy, and a witness key is not a log key.
    assert!(matches!(
        verify_checkpoint(&note, &exact(), &[k], Some(&p1)),
        Err(Error::WitnessThresholdNotMet { .. })
    ));
    assert!(matches!(
        WitnessPolicy::new(vec![wk1.clone()], 2),
        Err(Error::InvalidWitnessPolicy { .. })
    ));
    assert!(matches!(
        WitnessPolicy::new(vec![wk1], 0),
        Err(Error::InvalidWitnessPolicy { .. })
    ));
    assert!(matches!(
        WitnessKey::new("w", KeySigner::generate_p256().unwrap().public_key()),
        Err(Error::UnsupportedKey(_))
    ));
}

#[test]
fn verified_checkpoint_binds_tree_size_and_root() {
    let (s, k) = log_signer();
    let mut tree = sigstore_tlog::MerkleTree::new();
    for i in 0..10u8 {
        tree.append(&[i]).unwrap();
    }
    let root = tree.root().unwrap();
    let text = Checkpoint::new("log.example", 10, root, vec![])
        .unwrap()
        .to_text();
    let note = SignedNote::sign(&text, "log.example", &s).unwrap();
    let cp = verify_checkpoint(&note, &exact(), &[k], None).unwrap();
    let proof = tree.inclusion_proof(4, 10).unwrap();
    cp.verify_inclusion(4, 10, &leaf_hash(&[4]), &proof)
        .unwrap();
    assert!(matches!(
        cp.verify_inclusion(4, 9, &leaf_hash(&[4]), &proof),
        Err(Error::TreeSizeMismatch {
            checkpoint: 10,
            proof: 9
        })
    ));
    assert!(matches!(
        cp.verify_inclusion(4, 10, &leaf_hash(&[5]), &proof),
        Err(Error::RootMismatch { .. })
    ));
}
