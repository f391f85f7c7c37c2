//! TUF 1.0 metadata models (§4), parsing and signature verification.
//!
//! Every document is parsed in two steps: the envelope into a
//! [`serde_json::Value`] whose `signed` member is kept verbatim (unknown
//! fields included) and canonicalized for signature verification, then the
//! `signed` value into a typed model. Unknown fields are therefore never
//! lost for signature purposes.

use crate::canonical::canonicalize;
use crate::error::{Error, Result};
use crate::MAX_SIGNATURES;
use serde::Deserialize;
use serde_json::Value;
use sigstore_crypto::{HashAlgorithm, KeyKind, PublicKey, SignatureScheme};
use std::collections::{BTreeMap, BTreeSet};

/// The TUF major version this client implements.
pub const SUPPORTED_SPEC_MAJOR: &str = "1";

/// A signature entry of a metadata envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Key ID claimed by the signer.
    pub keyid: String,
    /// Raw signature bytes (hex-decoded); `None` when `sig` is not valid hex
    /// (such a signature simply never counts towards a threshold).
    pub sig: Option<Vec<u8>>,
}

/// A TUF public key (§4.2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Key {
    /// `keytype`, e.g. `ed25519`, `ecdsa`, `ecdsa-sha2-nistp256`, `rsa`.
    pub keytype: String,
    /// `scheme`, e.g. `ed25519`, `ecdsa-sha2-nistp256`, `rsassa-pss-sha256`.
    pub scheme: String,
    /// `keyval`.
    pub keyval: KeyVal,
}

/// The `keyval` object of a key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct KeyVal {
    /// Public key: hex for ed25519, PEM SubjectPublicKeyInfo otherwise.
    pub public: String,
}

const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

impl Key {
    /// Parses the key material and signature scheme. Supported:
    /// `ed25519`/`ed25519` (hex), `ecdsa` or `ecdsa-sha2-nistp256`/`ecdsa-sha2-nistp256`
    /// and the `nistp384` equivalent (PEM), `rsa` with `rsassa-pss-sha256|384|512`
    /// or `rsa-pkcs1v15-sha256|384|512` (PEM).
    pub fn to_verifier(&self) -> Result<(PublicKey, SignatureScheme)> {
        let unsupported = || Error::UnsupportedKey {
            keytype: self.keytype.clone(),
            scheme: self.scheme.clone(),
        };
        let malformed = || Error::MalformedKey {
            keytype: self.keytype.clone(),
            scheme: self.scheme.clone(),
        };
        match (self.keytype.as_str(), self.scheme.as_str()) {
            ("ed25519", "ed25519") => {
                let raw = hex::decode(self.keyval.public.trim()).map_err(|_| malformed())?;
                if raw.len() != 32 {
                    return Err(malformed());
                }
                let mut der = ED25519_SPKI_PREFIX.to_vec();
                der.extend_from_slice(&raw);
                let key = PublicKey::from_spki_der(&der)?;
                Ok((key, SignatureScheme::Ed25519))
            }
            ("ecdsa" | "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256") => {
                let key = PublicKey::from_pem(&self.keyval.public)?;
                if key.kind() != KeyKind::EcdsaP256 {
                    return Err(malformed());
                }
                Ok((key, SignatureScheme::Ecdsa(HashAlgorithm::Sha256)))
            }
            ("ecdsa" | "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384") => {
                let key = PublicKey::from_pem(&self.keyval.public)?;
                if key.kind() != KeyKind::EcdsaP384 {
                    return Err(malformed());
                }
                Ok((key, SignatureScheme::Ecdsa(HashAlgorithm::Sha384)))
            }
            ("rsa", scheme) => {
                let s = match scheme {
                    "rsassa-pss-sha256" => SignatureScheme::RsaPss(HashAlgorithm::Sha256),
                    "rsassa-pss-sha384" => SignatureScheme::RsaPss(HashAlgorithm::Sha384),
                    "rsassa-pss-sha512" => SignatureScheme::RsaPss(HashAlgorithm::Sha512),
                    "rsa-pkcs1v15-sha256" => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256),
                    "rsa-pkcs1v15-sha384" => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha384),
                    "rsa-pkcs1v15-sha512" => SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha512),
                    _ => return Err(unsupported()),
                };
                let key = PublicKey::from_pem(&self.keyval.public)?;
                if !matches!(key.kind(), KeyKind::Rsa { .. }) {
                    return Err(malformed());
                }
                Ok((key, s))
            }
            _ => Err(unsupported()),
        }
    }
}

/// Key IDs and threshold of a role (§4.3 `roles`, and delegated roles).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RoleKeys {
    /// Authorized key IDs.
    pub keyids: Vec<String>,
    /// Number of distinct keys that must sign.
    pub threshold: u64,
}

/// Version/length/hashes of a metadata file (`METAFILES`, §4.4/§4.6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MetaFile {
    /// Version of the referenced metadata.
    pub version: u64,
    /// Optional length in bytes.
    #[serde(default)]
    pub length: Option<u64>,
    /// Optional hashes (algorithm name to lowercase hex).
    #[serde(default)]
    pub hashes: Option<BTreeMap<String, String>>,
}

/// A target file description (`TARGETS`, §4.5).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TargetFile {
    /// Length in bytes.
    pub length: u64,
    /// Hashes (algorithm name to lowercase hex); at least one.
    pub hashes: BTreeMap<String, String>,
    /// Opaque custom data.
    #[serde(default)]
    pub custom: Option<Value>,
}

/// A delegated targets role (§4.5 `delegations.roles`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DelegatedRole {
    /// Role name.
    pub name: String,
    /// Authorized key IDs.
    pub keyids: Vec<String>,
    /// Signature threshold.
    pub threshold: u64,
    /// Whether the search stops at this role when its paths match.
    #[serde(default)]
    pub terminating: bool,
    /// Glob path patterns (`*` and `?` within one `/`-separated segment).
    #[serde(default)]
    pub paths: Option<Vec<String>>,
    /// Hex prefixes of the SHA-256 of the target path.
    #[serde(default)]
    pub path_hash_prefixes: Option<Vec<String>>,
}

impl DelegatedRole {
    /// Whether this role is responsible for `target`.
    pub fn matches(&self, target: &str) -> bool {
        if let Some(paths) = &self.paths {
            return paths.iter().any(|p| path_matches(p, target));
        }
        if let Some(prefixes) = &self.path_hash_prefixes {
            let h = HashAlgorithm::Sha256.hash(target.as_bytes()).to_hex();
            return prefixes.iter().any(|p| h.starts_with(p.as_str()));
        }
        false
    }

    /// The role's keys and threshold.
    pub fn role_keys(&self) -> RoleKeys {
        RoleKeys {
            keyids: self.keyids.clone(),
            threshold: self.threshold,
        }
    }
}

/// Glob matching as in python-tuf: the pattern and the path must have the
/// same number of `/`-separated segments and each segment matches with `*`
/// (any run of characters) and `?` (one character).
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let t: Vec<&str> = path.split('/').collect();
    p.len() == t.len() && p.iter().zip(t.iter()).all(|(a, b)| glob_segment(a, b))
}

fn glob_segment(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative wildcard matching with single backtrack point.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match (p.get(pi), t.get(ti)) {
            (Some('*'), _) => {
                star = Some((pi, ti));
                pi += 1;
            }
            (Some('?'), Some(_)) => {
                pi += 1;
                ti += 1;
            }
            (Some(a), Some(b)) if a == b => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// Delegations of a targets role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Delegations {
    /// Keys used by delegated roles.
    pub keys: BTreeMap<String, Key>,
    /// Delegated roles in priority order.
    pub roles: Vec<DelegatedRole>,
}

/// Root metadata (§4.3).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Root {
    /// Version (>= 1).
    pub version: u64,
    /// Expiry, Unix seconds.
    #[serde(skip)]
    pub expires: i64,
    /// Whether the repository uses consistent snapshots.
    #[serde(default)]
    pub consistent_snapshot: bool,
    /// All keys used by the top-level roles.
    pub keys: BTreeMap<String, Key>,
    /// Top-level roles (`root`, `timestamp`, `snapshot`, `targets`).
    pub roles: BTreeMap<String, RoleKeys>,
}

impl Root {
    /// Keys and threshold of a top-level role.
    pub fn role(&self, name: &str) -> Result<&RoleKeys> {
        self.roles.get(name).ok_or(Error::Malformed {
            role: "root".into(),
            reason: "missing top-level role",
        })
    }
}

/// Timestamp metadata (§4.6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Timestamp {
    /// Version.
    pub version: u64,
    /// Expiry, Unix seconds.
    #[serde(skip)]
    pub expires: i64,
    /// Must contain exactly `snapshot.json`.
    pub meta: BTreeMap<String, MetaFile>,
}

impl Timestamp {
    /// The snapshot meta entry.
    pub fn snapshot_meta(&self) -> Result<&MetaFile> {
        self.meta.get("snapshot.json").ok_or(Error::Malformed {
            role: "timestamp".into(),
            reason: "meta lacks snapshot.json",
        })
    }
}

/// Snapshot metadata (§4.4).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Snapshot {
    /// Version.
    pub version: u64,
    /// Expiry, Unix seconds.
    #[serde(skip)]
    pub expires: i64,
    /// Targets and delegated targets metadata files.
    pub meta: BTreeMap<String, MetaFile>,
}

/// Targets or delegated targets metadata (§4.5).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Targets {
    /// Version.
    pub version: u64,
    /// Expiry, Unix seconds.
    #[serde(skip)]
    pub expires: i64,
    /// Target files.
    #[serde(default)]
    pub targets: BTreeMap<String, TargetFile>,
    /// Delegations.
    #[serde(default)]
    pub delegations: Option<Delegations>,
}

/// A parsed metadata envelope: typed `signed` content, signatures, the
/// canonical bytes that were signed and the raw document bytes.
#[derive(Debug, Clone)]
pub struct Envelope<T> {
    /// Typed content of `signed`.
    pub signed: T,
    /// Signatures.
    pub signatures: Vec<Signature>,
    /// Canonical JSON of `signed` (what signatures cover).
    pub canonical: Vec<u8>,
    /// The document exactly as received.
    pub raw: Vec<u8>,
}

/// Common header accessors.
pub trait MetadataKind: for<'de> Deserialize<'de> {
    /// The `_type` value.
    const TYPE: &'static str;
    /// Version.
    fn version(&self) -> u64;
    /// Expiry (Unix seconds).
    fn expires(&self) -> i64;
    /// Sets the parsed expiry.
    fn set_expires(&mut self, t: i64);
}

macro_rules! kind {
    ($t:ty, $name:literal) => {
        impl MetadataKind for $t {
            const TYPE: &'static str = $name;
            fn version(&self) -> u64 {
                self.version
            }
            fn expires(&self) -> i64 {
                self.expires
            }
            fn set_expires(&mut self, t: i64) {
                self.expires = t;
            }
        }
    };
}
kind!(Root, "root");
kind!(Timestamp, "timestamp");
kind!(Snapshot, "snapshot");
kind!(Targets, "targets");

fn check_spec_version(role: &str, v: &str) -> Result<()> {
    let parts: Vec<&str> = v.split('.').collect();
    let ok = (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.first() == Some(&SUPPORTED_SPEC_MAJOR);
    if ok {
        Ok(())
    } else {
        Err(Error::UnsupportedSpecVersion {
            role: role.into(),
            found: v.into(),
        })
    }
}

/// Parses a metadata document of kind `T`. `role` names the role for error
/// messages (e.g. a delegated role name). Checks `_type`, `spec_version`,
/// `version >= 1` and the expiry format, but not signatures.
pub fn parse<T: MetadataKind>(role: &str, raw: &[u8]) -> Result<Envelope<T>> {
    let json_err = |source| Error::Json {
        role: role.into(),
        source,
    };
    let malformed = |reason| Error::Malformed {
        role: role.into(),
        reason,
    };
    let doc: Value = serde_json::from_slice(raw).map_err(json_err)?;
    let obj = doc
        .as_object()
        .ok_or(malformed("document is not an object"))?;
    let signed = obj.get("signed").ok_or(malformed("missing signed"))?;
    let sigs = obj
        .get("signatures")
        .and_then(Value::as_array)
        .ok_or(malformed("missing signatures array"))?;
    if sigs.len() > MAX_SIGNATURES {
        return Err(malformed("too many signatures"));
    }
    let mut signatures = Vec::with_capacity(sigs.len());
    let mut keyids = BTreeSet::new();
    for s in sigs {
        let keyid = s
            .get("keyid")
            .and_then(Value::as_str)
            .ok_or(malformed("signature without keyid"))?;
        // TUF §4.2: key IDs must be unique within "signatures".
        if !keyids.insert(keyid) {
            return Err(malformed("duplicate keyid in signatures"));
        }
        let sig = s
            .get("sig")
            .and_then(Value::as_str)
            .ok_or(malformed("signature without sig"))?;
        signatures.push(Signature {
            keyid: keyid.to_owned(),
            sig: hex::decode(sig).ok(),
        });
    }
    let sobj = signed
        .as_object()
        .ok_or(malformed("signed is not an object"))?;
    let ty = sobj
        .get("_type")
        .and_then(Value::as_str)
        .ok_or(malformed("missing _type"))?;
    if ty != T::TYPE {
        return Err(Error::WrongType {
            expected: T::TYPE.into(),
            found: ty.into(),
        });
    }
    let spec = sobj
        .get("spec_version")
        .and_then(Value::as_str)
        .ok_or(malformed("missing spec_version"))?;
    check_spec_version(role, spec)?;
    let expires = sobj
        .get("expires")
        .and_then(Value::as_str)
        .ok_or(malformed("missing expires"))?;
    let expires = parse_time(expires)?;
    let canonical = canonicalize(signed)?;
    let mut typed: T = serde_json::from_value(signed.clone()).map_err(json_err)?;
    if typed.version() == 0 {
        return Err(Error::BadVersion {
            role: role.into(),
            expected: 1,
            found: 0,
        });
    }
    typed.set_expires(expires);
    Ok(Envelope {
        signed: typed,
        signatures,
        canonical,
        raw: raw.to_vec(),
    })
}

/// Verifies that at least `role.threshold` distinct keys of `role` (looked
/// up in `keys`) produced a valid signature over the canonical bytes.
/// Unknown or unsupported keys and undecodable signatures simply do not
/// count. Distinct key IDs sharing the same key material count once.
pub fn verify_threshold<T>(
    role_name: &str,
    env: &Envelope<T>,
    keys: &BTreeMap<String, Key>,
    role: &RoleKeys,
) -> Result<()> {
    if role.threshold == 0 {
        return Err(Error::Malformed {
            role: role_name.into(),
            reason: "threshold must be at least 1",
        });
    }
    let mut seen_ids = BTreeSet::new();
    let mut seen_keys: BTreeSet<Vec<u8>> = BTreeSet::new();
    for keyid in &role.keyids {
        if !seen_ids.insert(keyid.as_str()) {
            continue;
        }
        let Some(key) = keys.get(keyid) else { continue };
        let Ok((pk, scheme)) = key.to_verifier() else {
            continue;
        };
        if seen_keys.contains(pk.spki_der()) {
            continue;
        }
        let valid = env
            .signatures
            .iter()
            .filter(|s| s.keyid == *keyid)
            .filter_map(|s| s.sig.as_deref())
            .any(|sig| pk.verify(scheme, &env.canonical, sig).is_ok());
        if valid {
            seen_keys.insert(pk.spki_der().to_vec());
        }
    }
    let have = seen_keys.len() as u64;
    if have >= role.threshold {
        Ok(())
    } else {
        Err(Error::ThresholdNotMet {
            role: role_name.into(),
            need: role.threshold,
            have,
        })
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (the format TUF metadata uses) into Unix
/// seconds.
pub fn parse_time(s: &str) -> Result<i64> {
    let bad = || Error::InvalidTime { value: s.into() };
    let b = s.as_bytes();
    if b.len() != 20 {
        return Err(bad());
    }
    let num = |from: usize, to: usize| -> Result<i64> {
        let part = b.get(from..to).ok_or_else(bad)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        part.iter()
            .try_fold(0i64, |acc, d| Ok(acc * 10 + i64::from(d - b'0')))
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-')
        && sep(7, b'-')
        && sep(10, b'T')
        && sep(13, b':')
        && sep(16, b':')
        && sep(19, b'Z'))
    {
        return Err(bad());
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, se) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if d < 1 || d > dim || h > 23 || mi > 59 || se > 59 {
        return Err(bad());
    }
    // Days from civil (proleptic Gregorian), Howard Hinnant's algorithm.
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + h * 3600 + mi * 60 + se)
}

/// Checks `data` against a listed length and hashes. `name` is used in
/// errors. Every listed algorithm must be supported and match; at least one
/// hash must be listed when `require_hash` is set.
pub fn check_length_and_hashes(
    name: &str,
    data: &[u8],
    length: Option<u64>,
    hashes: Option<&BTreeMap<String, String>>,
    require_hash: bool,
) -> Result<()> {
    if let Some(len) = length {
        if data.len() as u64 != len {
            return Err(Error::LengthMismatch {
                target: name.into(),
                expected: len,
                found: data.len() as u64,
            });
        }
    }
    let empty = BTreeMap::new();
    let hashes = hashes.unwrap_or(&empty);
    if require_hash && hashes.is_empty() {
        return Err(Error::UnsupportedHash {
            target: name.into(),
            algorithm: String::new(),
        });
    }
    for (alg, expected) in hashes {
        let algorithm = HashAlgorithm::from_name(alg).ok_or_else(|| Error::UnsupportedHash {
            target: name.into(),
            algorithm: alg.clone(),
        })?;
        let expected = hex::decode(expected).map_err(|_| Error::HashMismatch {
            target: name.into(),
        })?;
        if algorithm.hash(data).as_bytes() != expected.as_slice() {
            return Err(Error::HashMismatch {
                target: name.into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_parsing() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(parse_time("2026-11-20T13:58:18Z").unwrap(), 1_795_183_098);
        assert_eq!(parse_time("2000-02-29T23:59:59Z").unwrap(), 951_868_799);
        for bad in [
            "2026-11-20T13:58:18",
            "2026-11-20 13:58:18Z",
            "2026-13-20T13:58:18Z",
            "2026-02-29T13:58:18Z",
            "2026-11-20T24:00:00Z",
            "2026-11-20T13:58:18.5Z",
            "+026-11-20T13:58:18Z",
        ] {
            assert!(
                matches!(parse_time(bad), Err(Error::InvalidTime { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn globbing() {
        assert!(path_matches("deleg/*", "deleg/file.txt"));
        assert!(!path_matches("deleg/*", "deleg/sub/file.txt"));
        assert!(path_matches("*/*.txt", "a/b.txt"));
        assert!(path_matches("file?.json", "file1.json"));
        assert!(!path_matches("file?.json", "file12.json"));
        assert!(path_matches("*", "x"));
        assert!(!path_matches("*", "x/y"));
        assert!(path_matches("a*b*c", "aXXbYYc"));
        assert!(!path_matches("a*b*c", "aXXbYY"));
    }

    #[test]
    fn spec_versions() {
        assert!(check_spec_version("r", "1.0").is_ok());
        assert!(check_spec_version("r", "1.0.31").is_ok());
        for bad in ["2.0.0", "1", "1.0.0.0", "1.x", "", "01.0"] {
            assert!(check_spec_version("r", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hash_checks() {
        let data = b"hello";
        let mut h = BTreeMap::new();
        h.insert(
            "sha256".to_string(),
            HashAlgorithm::Sha256.hash(data).to_hex(),
        );
        assert!(check_length_and_hashes("t", data, Some(5), Some(&h), true).is_ok());
        assert!(matches!(
            check_length_and_hashes("t", data, Some(6), Some(&h), true),
            Err(Error::LengthMismatch {
                expected: 6,
                found: 5,
                ..
            })
        ));
        assert!(matches!(
            check_length_and_hashes("t", b"hellp", Some(5), Some(&h), true),
            Err(Error::HashMismatch { .. })
        ));
        h.insert("md5".to_string(), "00".to_string());
        assert!(matches!(
            check_length_and_hashes("t", data, Some(5), Some(&h), true),
            Err(Error::UnsupportedHash { .. })
        ));
        assert!(matches!(
            check_length_and_hashes("t", data, None, None, true),
            Err(Error::UnsupportedHash { .. })
        ));
    }
}
