//! Pure (no I/O) verification steps of the TUF 1.0 client workflow (§5.3 to
//! §5.6). The client module drives these with downloaded or cached bytes.

use crate::error::{Error, Result};
use crate::metadata::{
    check_length_and_hashes, parse, verify_threshold, Envelope, MetaFile, MetadataKind, RoleKeys,
    Root, Snapshot, Targets, Timestamp,
};

/// Fails with [`Error::ExpiredMetadata`] if `now >= expires`.
pub fn check_expiry<T: MetadataKind>(role: &str, m: &T, now: i64) -> Result<()> {
    if now >= m.expires() {
        Err(Error::ExpiredMetadata {
            role: role.into(),
            expires: m.expires(),
            now,
        })
    } else {
        Ok(())
    }
}

/// Parses a root and checks it is signed by a threshold of its own root
/// keys (used for the initial, embedded root). Expiry is not checked: an
/// expired initial root can still be rotated forward (§5.3).
pub fn verify_initial_root(raw: &[u8]) -> Result<Envelope<Root>> {
    let env = parse::<Root>("root", raw)?;
    verify_threshold("root", &env, &env.signed.keys, env.signed.role("root")?)?;
    Ok(env)
}

/// §5.3.4-§5.3.6: a new root must be signed by a threshold of the trusted
/// root's root keys and of its own root keys, and have version N+1.
pub fn verify_root_update(trusted: &Root, raw: &[u8]) -> Result<Envelope<Root>> {
    let env = parse::<Root>("root", raw)?;
    verify_threshold("root", &env, &trusted.keys, trusted.role("root")?)?;
    verify_threshold("root", &env, &env.signed.keys, env.signed.role("root")?)?;
    let expected = trusted.version.saturating_add(1);
    if env.signed.version != expected {
        return Err(Error::BadVersion {
            role: "root".into(),
            expected,
            found: env.signed.version,
        });
    }
    Ok(env)
}

/// Whether the keys/threshold of `role` differ between two roots.
pub fn role_changed(old: &Root, new: &Root, role: &str) -> bool {
    let keys = |r: &Root| -> Option<(Vec<crate::metadata::Key>, u64)> {
        let rk = r.roles.get(role)?;
        let mut ks: Vec<_> = rk
            .keyids
            .iter()
            .filter_map(|k| r.keys.get(k).cloned())
            .collect();
        ks.sort_by(|a, b| a.keyval.public.cmp(&b.keyval.public));
        Some((ks, rk.threshold))
    };
    keys(old) != keys(new)
}

/// Parses a timestamp and checks its signatures against the root (used for
/// both cached and downloaded timestamps; no expiry check).
pub fn verify_timestamp_signatures(root: &Root, raw: &[u8]) -> Result<Envelope<Timestamp>> {
    let env = parse::<Timestamp>("timestamp", raw)?;
    verify_threshold("timestamp", &env, &root.keys, root.role("timestamp")?)?;
    if env.signed.meta.len() != 1 {
        return Err(Error::Malformed {
            role: "timestamp".into(),
            reason: "meta must contain exactly snapshot.json",
        });
    }
    env.signed.snapshot_meta()?;
    Ok(env)
}

/// Outcome of verifying a new timestamp.
#[derive(Debug)]
pub enum TimestampUpdate {
    /// The new timestamp replaces the trusted one.
    New(Envelope<Timestamp>),
    /// Same version as the trusted one: keep the trusted timestamp.
    Unchanged,
}

/// §5.4: signatures, rollback of the timestamp version and of the snapshot
/// version it lists, then expiry.
pub fn verify_timestamp_update(
    root: &Root,
    trusted: Option<&Timestamp>,
    raw: &[u8],
    now: i64,
) -> Result<TimestampUpdate> {
    let env = verify_timestamp_signatures(root, raw)?;
    if let Some(old) = trusted {
        if env.signed.version < old.version {
            return Err(Error::RollbackAttempt {
                role: "timestamp".into(),
                current: old.version,
                new: env.signed.version,
            });
        }
        if env.signed.version == old.version {
            check_expiry("timestamp", old, now)?;
            return Ok(TimestampUpdate::Unchanged);
        }
        let old_snap = old.snapshot_meta()?.version;
        let new_snap = env.signed.snapshot_meta()?.version;
        if new_snap < old_snap {
            return Err(Error::RollbackAttempt {
                role: "snapshot".into(),
                current: old_snap,
                new: new_snap,
            });
        }
    }
    check_expiry("timestamp", &env.signed, now)?;
    Ok(TimestampUpdate::New(env))
}

/// Parses a snapshot and checks its signatures (no other check).
pub fn verify_snapshot_signatures(root: &Root, raw: &[u8]) -> Result<Envelope<Snapshot>> {
    let env = parse::<Snapshot>("snapshot", raw)?;
    verify_threshold("snapshot", &env, &root.keys, root.role("snapshot")?)?;
    Ok(env)
}

/// §5.5: length/hashes from the timestamp meta, signatures, version equal to
/// the timestamp meta (mix-and-match), no rollback against the trusted
/// snapshot (its version and every targets version it lists), expiry.
pub fn verify_snapshot_update(
    root: &Root,
    meta: &MetaFile,
    trusted: Option<&Snapshot>,
    raw: &[u8],
    now: i64,
) -> Result<Envelope<Snapshot>> {
    check_length_and_hashes(
        "snapshot.json",
        raw,
        meta.length,
        meta.hashes.as_ref(),
        false,
    )?;
    let env = verify_snapshot_signatures(root, raw)?;
    if env.signed.version != meta.version {
        return Err(Error::MetaMismatch {
            role: "snapshot".into(),
            expected: meta.version,
            found: env.signed.version,
        });
    }
    if let Some(old) = trusted {
        check_snapshot_rollback(old, &env.signed)?;
    }
    check_expiry("snapshot", &env.signed, now)?;
    Ok(env)
}

/// §5.5.5: the new snapshot must not be older than the trusted one and must
/// keep every targets metadata file with a version at least as high.
pub fn check_snapshot_rollback(old: &Snapshot, new: &Snapshot) -> Result<()> {
    if new.version < old.version {
        return Err(Error::RollbackAttempt {
            role: "snapshot".into(),
            current: old.version,
            new: new.version,
        });
    }
    for (name, old_meta) in &old.meta {
        let Some(new_meta) = new.meta.get(name) else {
            return Err(Error::MetaRemoved { role: name.clone() });
        };
        if new_meta.version < old_meta.version {
            return Err(Error::RollbackAttempt {
                role: name.clone(),
                current: old_meta.version,
                new: new_meta.version,
            });
        }
    }
    Ok(())
}

/// Parses a (delegated) targets document and checks its signatures with
/// the delegating role's keys.
pub fn verify_targets_signatures(
    role: &str,
    keys: &std::collections::BTreeMap<String, crate::metadata::Key>,
    role_keys: &RoleKeys,
    raw: &[u8],
) -> Result<Envelope<Targets>> {
    let env = parse::<Targets>(role, raw)?;
    verify_threshold(role, &env, keys, role_keys)?;
    Ok(env)
}

/// §5.6: length/hashes from the snapshot meta, signatures, version equal to
/// the snapshot meta (mix-and-match), expiry.
pub fn verify_targets_update(
    role: &str,
    keys: &std::collections::BTreeMap<String, crate::metadata::Key>,
    role_keys: &RoleKeys,
    meta: &MetaFile,
    raw: &[u8],
    now: i64,
) -> Result<Envelope<Targets>> {
    let file = format!("{role}.json");
    check_length_and_hashes(&file, raw, meta.length, meta.hashes.as_ref(), false)?;
    let env = verify_targets_signatures(role, keys, role_keys, raw)?;
    if env.signed.version != meta.version {
        return Err(Error::MetaMismatch {
            role: role.into(),
            expected: meta.version,
            found: env.signed.version,
        });
    }
    check_expiry(role, &env.signed, now)?;
    Ok(env)
}
