//! Mutation testing of the verifier: every conformance case that verifies (and every perf
//! fixture) is mutated one field at a time, and every mutant must be rejected with the error
//! kind its class predicts. A mutant that verifies is a field the verifier does not bind.
//!
//! Mutation classes (each applied to every instance of the field in the bundle):
//! - a flipped byte (first, middle, last of the decoded bytes) in: the message signature or
//!   DSSE signature, the message digest, the DSSE payload, each inclusion-proof hash, the proof
//!   root hash, the SET, each RFC 3161 timestamp, each certificate, the canonicalized body, the
//!   log id;
//! - the checkpoint: its origin, size and root-hash lines, its signature bytes and key hint;
//! - integratedTime, logIndex (entry and proof), treeSize changed by +-1 / set to 0;
//! - mediaType replaced by unknown, empty and other-version media types;
//! - kindVersion kind / version replaced by the other kinds and versions;
//! - log entries swapped between two bundles of the same artifact (and the same trust root).
//!
//! Prints `mutation: N mutants, N rejected, 0 accepted`.
//!
//! Deliberately unbound bytes are checked the other way round (they must still verify):
//! corrupted witness cosignature lines from keys outside the trusted root, and an
//! `integratedTime` on entries without an inclusion promise (never used as a time).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use sigstore_verify::{
    Artifact, Issuer, ManagedKey, Policy, San, TrustedRoot, Verifier, VerifyErrorKind,
};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// One verifying bundle with everything needed to verify it.
struct Subject {
    name: String,
    /// Bundles of the same artifact under the same trust root share a group (entry swaps).
    group: String,
    verifier: Verifier,
    policy: Policy,
    artifact: Artifact,
    bundle: Value,
}

fn subjects(shared: &Path) -> Vec<Subject> {
    let mut out = Vec::new();
    let base = shared.join("sigstore-conformance/assets/bundle-verify");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with("fail") {
            continue;
        }
        let root_path = dir.join("trusted_root.json");
        let (root, root_id) = if root_path.exists() {
            let json = std::fs::read_to_string(&root_path).unwrap();
            let id = sigstore_crypto::HashAlgorithm::Sha256
                .hash(json.trim().as_bytes())
                .to_hex();
            (TrustedRoot::from_json(json.trim().as_bytes()).unwrap(), id)
        } else {
            (TrustedRoot::production().unwrap(), "production".to_owned())
        };
        let policy = if dir.join("key.pub").exists() {
            let pem = std::fs::read_to_string(dir.join("key.pub")).unwrap();
            Policy::public_key(ManagedKey::from_pem(&pem).unwrap())
        } else {
            let read = |f: &str, d: &str| {
                std::fs::read_to_string(dir.join(f))
                    .map(|s| s.trim().to_owned())
                    .unwrap_or(d.to_owned())
            };
            Policy::identity(
                San::exact(read("identity", DEFAULT_IDENTITY)),
                Issuer::exact(read("issuer", DEFAULT_ISSUER)),
            )
        };
        let artifact_path = if dir.join("artifact").exists() {
            dir.join("artifact")
        } else {
            base.join("a.txt")
        };
        let artifact_bytes = std::fs::read(&artifact_path).unwrap();
        let artifact_id = sigstore_crypto::HashAlgorithm::Sha256
            .hash(&artifact_bytes)
            .to_hex();
        let bundle: Value =
            serde_json::from_slice(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap())
                .unwrap();
        out.push(Subject {
            name,
            group: format!("{root_id}/{artifact_id}"),
            verifier: Verifier::builder(root).build().unwrap(),
            policy,
            artifact: Artifact::bytes(artifact_bytes),
            bundle,
        });
    }

    let perf = shared.join("perf-fixtures");
    let cases: Value =
        serde_json::from_slice(&std::fs::read(perf.join("cases.json")).unwrap()).unwrap();
    for case in cases.as_array().unwrap() {
        let s = |k: &str| case[k].as_str().map(str::to_owned);
        let root_json = std::fs::read(perf.join(s("trusted_root").unwrap())).unwrap();
        let root = TrustedRoot::from_json(&root_json).unwrap();
        let (artifact, artifact_id) = match (s("artifact"), s("digest")) {
            (Some(a), _) => {
                let bytes = std::fs::read(perf.join(a)).unwrap();
                let id = sigstore_crypto::HashAlgorithm::Sha256.hash(&bytes).to_hex();
                (Artifact::bytes(bytes), id)
            }
            (None, Some(d)) => (Artifact::from_digest_str(&d).unwrap(), d),
            _ => panic!("perf case without artifact"),
        };
        out.push(Subject {
            name: format!("perf/{}", s("id").unwrap()),
            group: format!("perf/{artifact_id}"),
            verifier: Verifier::builder(root).build().unwrap(),
            policy: Policy::identity(
                San::exact(s("identity").unwrap()),
                Issuer::exact(s("issuer").unwrap()),
            ),
            artifact,
            bundle: serde_json::from_slice(
                &std::fs::read(perf.join(s("bundle").unwrap())).unwrap(),
            )
            .unwrap(),
        });
    }
    out
}

/// What a mutant changes, and the error kinds that correctly describe its rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Signature,
    MessageDigest,
    DssePayload,
    ProofHash,
    RootHash,
    CheckpointText,
    CheckpointSignature,
    Set,
    Timestamp,
    Certificate,
    CanonicalizedBody,
    LogId,
    IntegratedTime,
    LogIndex,
    ProofLogIndex,
    TreeSize,
    MediaType,
    KindVersion,
    SwappedEntries,
    /// A corrupted witness cosignature line: must still VERIFY (ignored signer).
    WitnessCosignature,
}

impl Class {
    /// The kinds a rejection of this class may carry (checked in the order the verifier
    /// binds things: structure, log entry, timestamps, certificate, signature, artifact).
    fn expected(self) -> &'static [VerifyErrorKind] {
        use VerifyErrorKind::*;
        match self {
            // The log entry binds the signature (Rekor v1 hashedrekord / DSSE bodies hold it):
            // a changed signature fails the body binding before the signature itself, or the
            // signature (malformed DER) or the timestamp over it.
            Class::Signature => &[TransparencyLog, Signature, Timestamp, BundleFormat],
            Class::MessageDigest => &[ArtifactMismatch, TransparencyLog, BundleFormat],
            Class::DssePayload => &[TransparencyLog, Signature, Attestation, BundleFormat],
            Class::ProofHash | Class::RootHash | Class::CheckpointText => {
                &[TransparencyLog, BundleFormat]
            }
            Class::CheckpointSignature => &[TransparencyLog, BundleFormat],
            Class::Set => &[TransparencyLog, BundleFormat],
            Class::Timestamp => &[Timestamp, BundleFormat],
            Class::Certificate => &[Certificate, TransparencyLog, BundleFormat, Sct],
            Class::CanonicalizedBody => &[TransparencyLog, BundleFormat],
            Class::LogId => &[TransparencyLog, BundleFormat],
            Class::IntegratedTime => &[TransparencyLog, BundleFormat],
            Class::LogIndex | Class::ProofLogIndex | Class::TreeSize => {
                &[TransparencyLog, BundleFormat]
            }
            Class::MediaType => &[BundleFormat],
            Class::KindVersion => &[TransparencyLog, BundleFormat],
            // A foreign entry fails its binding to this bundle's signature, or its time lies
            // outside this certificate's validity, or (Rekor v2) it brings no signed time.
            Class::SwappedEntries => &[TransparencyLog, Certificate, Timestamp],
            Class::WitnessCosignature => &[],
        }
    }
}

struct Mutant {
    class: Class,
    label: String,
    bundle: Value,
}

/// Signed positions of a time-stamp response: the outer tag, the last seconds digit of the
/// TSTInfo genTime (GeneralizedTime, tag 0x18), a byte of the message imprint (the 32..64
/// bytes after the first OCTET STRING of digest length), and the last byte (the CMS
/// signature). Certificates embedded in the token are deliberately not mutated: the verifier
/// ignores them (the signer comes from the trusted root, CVE-2026-33753), so their bytes are
/// not bound and flipping them is an equivalent mutant.
fn timestamp_positions(der: &[u8]) -> Vec<usize> {
    let mut p = vec![0, der.len().saturating_sub(1)];
    if let Some(i) = der
        .windows(2)
        .position(|w| w[0] == 0x18 && (w[1] == 0x0f || w[1] == 0x13))
    {
        // "YYYYMMDDHHMMSS": the last seconds digit is at offset 2 + 13.
        p.push(i + 2 + 13);
    }
    if let Some(i) = der
        .windows(2)
        .position(|w| w[0] == 0x04 && matches!(w[1], 0x20 | 0x30 | 0x40))
    {
        p.push(i + 2 + 5);
    }
    p.sort_unstable();
    p.dedup();
    p.retain(|&i| i < der.len());
    p
}

fn b64_flip_positions(len: usize) -> Vec<usize> {
    let mut p = vec![len / 2, len.saturating_sub(1)];
    p.dedup();
    p.retain(|&i| i < len);
    p
}

/// Mutants flipping one byte (middle, last) of the base64 field at `pointer`.
fn flip_b64(out: &mut Vec<Mutant>, bundle: &Value, pointer: &str, class: Class) {
    flip_b64_at(out, bundle, pointer, class, b64_flip_positions);
}

/// Mutants flipping the bytes `positions(decoded)` of the base64 field at `pointer`.
fn flip_b64_at(
    out: &mut Vec<Mutant>,
    bundle: &Value,
    pointer: &str,
    class: Class,
    positions: impl Fn(usize) -> Vec<usize>,
) {
    flip_b64_with(out, bundle, pointer, class, |b: &[u8]| positions(b.len()));
}

/// Mutants flipping the bytes `positions(decoded bytes)` of the base64 field at `pointer`.
fn flip_b64_with(
    out: &mut Vec<Mutant>,
    bundle: &Value,
    pointer: &str,
    class: Class,
    positions: impl Fn(&[u8]) -> Vec<usize>,
) {
    let Some(Value::String(s)) = bundle.pointer(pointer) else {
        return;
    };
    let Ok(bytes) = STANDARD.decode(s) else {
        return;
    };
    for i in positions(&bytes) {
        let mut m = bytes.clone();
        m[i] ^= 0x01;
        let mut b = bundle.clone();
        *b.pointer_mut(pointer).unwrap() = Value::String(STANDARD.encode(&m));
        out.push(Mutant {
            class,
            label: format!("{pointer} byte {i}"),
            bundle: b,
        });
    }
}

/// Replace the value at `pointer` (which must exist).
fn set(out: &mut Vec<Mutant>, bundle: &Value, pointer: &str, v: Value, class: Class, what: &str) {
    if bundle.pointer(pointer).is_none() || bundle.pointer(pointer) == Some(&v) {
        return;
    }
    let mut b = bundle.clone();
    *b.pointer_mut(pointer).unwrap() = v;
    out.push(Mutant {
        class,
        label: format!("{pointer} {what}"),
        bundle: b,
    });
}

/// Integer-valued string field changed by +1, -1 and to 0.
fn int_field(out: &mut Vec<Mutant>, bundle: &Value, pointer: &str, class: Class) {
    let Some(Value::String(s)) = bundle.pointer(pointer) else {
        return;
    };
    let Ok(n) = s.parse::<i64>() else { return };
    for (what, m) in [("+1", n + 1), ("-1", n - 1), ("=0", 0)] {
        if m < 0 {
            continue;
        }
        set(
            out,
            bundle,
            pointer,
            Value::String(m.to_string()),
            class,
            what,
        );
    }
}

fn checkpoint_mutants(out: &mut Vec<Mutant>, bundle: &Value, entry: &str) {
    let pointer = &format!("{entry}/inclusionProof/checkpoint/envelope");
    let log_hint = bundle
        .pointer(&format!("{entry}/logId/keyId"))
        .and_then(Value::as_str)
        .and_then(|k| STANDARD.decode(k).ok())
        .and_then(|k| k.get(..4).map(<[u8]>::to_vec));
    let Some(Value::String(note)) = bundle.pointer(pointer) else {
        return;
    };
    let Some((text, sigs)) = note.split_once("\n\n") else {
        return;
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let mut push = |class, what: String, new: String| {
        set(out, bundle, pointer, Value::String(new), class, &what);
    };
    // Origin line, size line, root line.
    if lines.len() >= 3 {
        let with_line = |i: usize, s: String| {
            let mut l: Vec<String> = lines.iter().map(|x| (*x).to_owned()).collect();
            l[i] = s;
            format!("{}\n\n{sigs}", l.join("\n"))
        };
        push(
            Class::CheckpointText,
            "origin".into(),
            with_line(0, format!("{}x", lines[0])),
        );
        if let Ok(n) = lines[1].parse::<u64>() {
            push(
                Class::CheckpointText,
                "size+1".into(),
                with_line(1, (n + 1).to_string()),
            );
        }
        if let Ok(mut root) = STANDARD.decode(lines[2]) {
            root[0] ^= 1;
            push(
                Class::CheckpointText,
                "root".into(),
                with_line(2, STANDARD.encode(&root)),
            );
        }
    }
    // Each signature line: flip the last signature byte, and the key hint.
    let sig_lines: Vec<&str> = sigs.lines().collect();
    for (k, line) in sig_lines.iter().enumerate() {
        let Some((prefix, b64)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(raw) = STANDARD.decode(b64) else {
            continue;
        };
        if raw.len() < 5 {
            continue;
        }
        for (what, idx) in [("key hint", 0usize), ("signature", raw.len() - 1)] {
            let mut m = raw.clone();
            m[idx] ^= 1;
            let mut l: Vec<String> = sig_lines.iter().map(|x| (*x).to_owned()).collect();
            l[k] = format!("{prefix} {}", STANDARD.encode(&m));
            let mut new = format!("{text}\n\n{}", l.join("\n"));
            if note.ends_with('\n') {
                new.push('\n');
            }
            // The log's own line carries the key hint of the entry's log id (both are the
            // first bytes of the log key's id). Lines from other signers (witness
            // cosignatures, other keys under the log's name) are ignored by a verifier
            // without a witness policy (C2SP signed-note: unknown keys are skipped), so
            // corrupting them must still verify: an over-strictness check.
            let class = if log_hint.as_deref() == raw.get(..4) {
                Class::CheckpointSignature
            } else {
                Class::WitnessCosignature
            };
            push(class, format!("sig line {k} {what}"), new);
        }
    }
}

const MEDIA_TYPES: &[&str] = &[
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
];

fn mutants(bundle: &Value) -> Vec<Mutant> {
    let mut out = Vec::new();
    flip_b64(
        &mut out,
        bundle,
        "/messageSignature/signature",
        Class::Signature,
    );
    flip_b64(
        &mut out,
        bundle,
        "/messageSignature/messageDigest/digest",
        Class::MessageDigest,
    );
    if let Some(sigs) = bundle
        .pointer("/dsseEnvelope/signatures")
        .and_then(Value::as_array)
    {
        for i in 0..sigs.len() {
            flip_b64(
                &mut out,
                bundle,
                &format!("/dsseEnvelope/signatures/{i}/sig"),
                Class::Signature,
            );
        }
    }
    flip_b64(
        &mut out,
        bundle,
        "/dsseEnvelope/payload",
        Class::DssePayload,
    );
    set(
        &mut out,
        bundle,
        "/dsseEnvelope/payloadType",
        Value::String("text/plain".into()),
        Class::DssePayload,
        "payloadType",
    );

    let vm = "/verificationMaterial";
    flip_b64(
        &mut out,
        bundle,
        &format!("{vm}/certificate/rawBytes"),
        Class::Certificate,
    );
    if let Some(certs) = bundle
        .pointer(&format!("{vm}/x509CertificateChain/certificates"))
        .and_then(Value::as_array)
    {
        for i in 0..certs.len() {
            flip_b64(
                &mut out,
                bundle,
                &format!("{vm}/x509CertificateChain/certificates/{i}/rawBytes"),
                Class::Certificate,
            );
        }
    }
    if let Some(ts) = bundle
        .pointer(&format!("{vm}/timestampVerificationData/rfc3161Timestamps"))
        .and_then(Value::as_array)
    {
        for i in 0..ts.len() {
            flip_b64_with(
                &mut out,
                bundle,
                &format!("{vm}/timestampVerificationData/rfc3161Timestamps/{i}/signedTimestamp"),
                Class::Timestamp,
                timestamp_positions,
            );
        }
    }
    let entries = bundle
        .pointer(&format!("{vm}/tlogEntries"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    for e in 0..entries {
        let p = format!("{vm}/tlogEntries/{e}");
        let hashes = bundle
            .pointer(&format!("{p}/inclusionProof/hashes"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        for h in 0..hashes {
            flip_b64_at(
                &mut out,
                bundle,
                &format!("{p}/inclusionProof/hashes/{h}"),
                Class::ProofHash,
                |len| vec![len / 2],
            );
        }
        flip_b64(
            &mut out,
            bundle,
            &format!("{p}/inclusionProof/rootHash"),
            Class::RootHash,
        );
        checkpoint_mutants(&mut out, bundle, &p);
        flip_b64(
            &mut out,
            bundle,
            &format!("{p}/inclusionPromise/signedEntryTimestamp"),
            Class::Set,
        );
        flip_b64(
            &mut out,
            bundle,
            &format!("{p}/canonicalizedBody"),
            Class::CanonicalizedBody,
        );
        flip_b64(&mut out, bundle, &format!("{p}/logId/keyId"), Class::LogId);
        int_field(
            &mut out,
            bundle,
            &format!("{p}/integratedTime"),
            Class::IntegratedTime,
        );
        int_field(&mut out, bundle, &format!("{p}/logIndex"), Class::LogIndex);
        int_field(
            &mut out,
            bundle,
            &format!("{p}/inclusionProof/logIndex"),
            Class::ProofLogIndex,
        );
        int_field(
            &mut out,
            bundle,
            &format!("{p}/inclusionProof/treeSize"),
            Class::TreeSize,
        );
        for kind in ["hashedrekord", "dsse", "intoto", "rekord"] {
            set(
                &mut out,
                bundle,
                &format!("{p}/kindVersion/kind"),
                Value::String(kind.into()),
                Class::KindVersion,
                kind,
            );
        }
        for version in ["0.0.1", "0.0.2", "0.0.3"] {
            set(
                &mut out,
                bundle,
                &format!("{p}/kindVersion/version"),
                Value::String(version.into()),
                Class::KindVersion,
                version,
            );
        }
    }

    // Unknown media types always fail; a known media type of another version fails when the
    // bundle's structure breaks that version's rules (checked below, per bundle).
    for mt in [
        "",
        "application/json",
        "application/vnd.dev.sigstore.bundle.v0.4+json",
        "application/vnd.dev.sigstore.bundle+json;version=0.4",
        "application/vnd.dev.sigstore.bundle.v0.3+json ",
        "APPLICATION/VND.DEV.SIGSTORE.BUNDLE.V0.3+JSON",
    ] {
        set(
            &mut out,
            bundle,
            "/mediaType",
            Value::String(mt.into()),
            Class::MediaType,
            &format!("{mt:?}"),
        );
    }
    for mt in MEDIA_TYPES {
        if structure_breaks(bundle, mt) {
            set(
                &mut out,
                bundle,
                "/mediaType",
                Value::String((*mt).into()),
                Class::MediaType,
                mt,
            );
        }
    }
    out
}

/// Whether relabelling `bundle` as `media_type` breaks that version's structural rules
/// (v0.1: every entry has a SET; v0.2+: every entry has an inclusion proof; v0.3: a single
/// certificate, not a chain; v0.1/v0.2: a chain, not a single certificate).
fn structure_breaks(bundle: &Value, media_type: &str) -> bool {
    let vm = &bundle["verificationMaterial"];
    let entries = vm["tlogEntries"].as_array().cloned().unwrap_or_default();
    let v01 = media_type.ends_with("version=0.1");
    let v03 = media_type.contains("0.3");
    let all_have = |k: &str| entries.iter().all(|e| !e[k].is_null());
    (v01 && !all_have("inclusionPromise"))
        || (!v01 && !all_have("inclusionProof"))
        || (v03 && !vm["x509CertificateChain"].is_null())
        || (!v03 && !vm["certificate"].is_null())
}

/// Identical signed content (signature / envelope and verification key material): bundles
/// that share it may legitimately share log entries.
fn signed_content(bundle: &Value) -> Value {
    let vm = &bundle["verificationMaterial"];
    serde_json::json!([
        bundle["messageSignature"],
        bundle["dsseEnvelope"],
        vm["certificate"],
        vm["x509CertificateChain"],
        vm["publicKey"],
    ])
}

enum Outcome {
    Accepted,
    Rejected(VerifyErrorKind, String),
}

#[test]
fn every_single_field_mutant_is_rejected() {
    let Some(shared) = common::shared_dir("sigstore-conformance") else {
        return;
    };
    let start = Instant::now();
    let subjects = subjects(&shared);

    let mut work: Vec<(usize, Mutant)> = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        // The unmutated bundle must verify, else its mutants prove nothing.
        let json = serde_json::to_vec(&subject.bundle).unwrap();
        subject
            .verifier
            .verify_json(&json, &subject.artifact, &subject.policy)
            .unwrap_or_else(|e| panic!("{} does not verify unmutated: {e}", subject.name));
        work.extend(mutants(&subject.bundle).into_iter().map(|m| (i, m)));
    }
    // Swap the log entries between bundles of the same artifact and trust root whose signed
    // content differs (CVE-2022-36056 / CVE-2026-22703 / CVE-2024-53267).
    for (i, a) in subjects.iter().enumerate() {
        for b in &subjects {
            if a.name == b.name
                || a.group != b.group
                || signed_content(&a.bundle) == signed_content(&b.bundle)
            {
                continue;
            }
            let eb = &b.bundle["verificationMaterial"]["tlogEntries"];
            if eb.is_null() || *eb == a.bundle["verificationMaterial"]["tlogEntries"] {
                continue;
            }
            let mut swapped = a.bundle.clone();
            swapped["verificationMaterial"]["tlogEntries"] = eb.clone();
            work.push((
                i,
                Mutant {
                    class: Class::SwappedEntries,
                    label: format!("entries of {}", b.name),
                    bundle: swapped,
                },
            ));
        }
    }

    // Verify in parallel: the verifier is shared (Sync), each mutant independent.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let outcomes: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((i, m)) = work.get(k) else { break };
                        let subject = &subjects[*i];
                        let json = serde_json::to_vec(&m.bundle).unwrap();
                        let outcome = match subject.verifier.verify_json(
                            &json,
                            &subject.artifact,
                            &subject.policy,
                        ) {
                            Ok(_) => Outcome::Accepted,
                            Err(e) => Outcome::Rejected(e.kind(), e.to_string()),
                        };
                        out.push((k, outcome));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    let mut total = 0usize;
    let mut rejected = 0usize;
    let mut equivalent = 0usize;
    let mut accepted = Vec::new();
    let mut wrong_kind = Vec::new();
    let mut observed: BTreeMap<(Class, String), usize> = BTreeMap::new();
    for (k, outcome) in &outcomes {
        let (i, m) = &work[*k];
        let name = &subjects[*i].name;
        let what = format!("{name} {:?} {}", m.class, m.label);
        if m.class == Class::WitnessCosignature {
            match outcome {
                Outcome::Accepted => equivalent += 1,
                Outcome::Rejected(kind, msg) => {
                    wrong_kind.push(format!("{what}: must verify, got {kind:?} ({msg})"));
                }
            }
            continue;
        }
        total += 1;
        match outcome {
            Outcome::Accepted => accepted.push(what),
            Outcome::Rejected(kind, msg) => {
                rejected += 1;
                *observed.entry((m.class, format!("{kind:?}"))).or_default() += 1;
                if !m.class.expected().contains(kind) {
                    wrong_kind.push(format!("{what}: {kind:?} ({msg})"));
                }
            }
        }
    }

    for ((class, kind), n) in &observed {
        eprintln!("  {class:?} -> {kind}: {n}");
    }
    for a in &accepted {
        eprintln!("ACCEPTED {a}");
    }
    for w in &wrong_kind {
        eprintln!("WRONG KIND {w}");
    }
    println!(
        "mutation: {total} mutants, {rejected} rejected, {} accepted \
         ({} bundles; {equivalent} ignored-witness-cosignature mutants verified as they must; \
         {:.1} s on {threads} threads)",
        accepted.len(),
        subjects.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(subjects.len() >= 25, "expected the verifying cases");
    assert!(accepted.is_empty(), "{} mutants accepted", accepted.len());
    assert!(
        wrong_kind.is_empty(),
        "{} mutants with an unexpected outcome",
        wrong_kind.len()
    );
}

/// The one field a mutant may change without rejection: an `integratedTime` on an entry that
/// has no inclusion promise (Rekor v2, or a v0.2+ entry stripped of its SET). Nothing signs
/// it, so the verifier must ignore it (CVE-2024-55655): the bundle still verifies, and the
/// forged value appears neither as a verified time nor in the log-entry record.
#[test]
fn unauthenticated_integrated_time_is_ignored() {
    let Some(shared) = common::shared_dir("sigstore-conformance") else {
        return;
    };
    let mut checked = 0usize;
    for subject in subjects(&shared) {
        let entries = subject.bundle["verificationMaterial"]["tlogEntries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if entries.is_empty() || entries.iter().any(|e| !e["inclusionPromise"].is_null()) {
            continue;
        }
        for forged in ["1", "1000000000", "4102444800"] {
            let mut b = subject.bundle.clone();
            for e in b["verificationMaterial"]["tlogEntries"]
                .as_array_mut()
                .unwrap()
            {
                e["integratedTime"] = Value::String(forged.into());
            }
            let json = serde_json::to_vec(&b).unwrap();
            let r = subject
                .verifier
                .verify_json(&json, &subject.artifact, &subject.policy)
                .unwrap_or_else(|e| panic!("{} with integratedTime {forged}: {e}", subject.name));
            let forged: i64 = forged.parse().unwrap();
            assert!(r.tlog_entries.iter().all(|e| e.integrated_time.is_none()));
            assert!(r.verified_times.iter().all(|t| t.time != forged));
            checked += 1;
        }
    }
    eprintln!("{checked} forged integrated times ignored");
    assert!(checked >= 3, "expected Rekor v2 cases");
}
