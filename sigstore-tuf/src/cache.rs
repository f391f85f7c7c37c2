//! The on-disk cache of verified metadata and targets. This module only
//! does file I/O; everything read back is re-verified by the client.

use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Percent-encodes everything but ASCII alphanumerics and `-._~`, so that a
/// role name or target path becomes a single safe file name (and URL
/// segment). Used for delegated role names and cached target files.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // "." and ".." must never be file names.
    if out == "." || out == ".." {
        out = out.replace('.', "%2E");
    }
    out
}

/// A cache directory.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: PathBuf,
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Cache {
    pub(crate) fn open(dir: PathBuf) -> Result<Self> {
        std::fs::create_dir_all(dir.join("targets")).map_err(|e| io_err(&dir, e))?;
        Ok(Cache { dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads a cache file; `Ok(None)` if absent. Files larger than `limit`
    /// are reported as [`Error::CacheTampered`].
    pub(crate) fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>> {
        let path = self.path(name);
        let f = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path, e)),
        };
        let mut buf = Vec::new();
        f.take(limit.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|e| io_err(&path, e))?;
        if buf.len() as u64 > limit {
            return Err(Error::CacheTampered {
                file: name.into(),
                source: Box::new(Error::TooLarge {
                    url: path.display().to_string(),
                    limit,
                }),
            });
        }
        Ok(Some(buf))
    }

    /// Atomically replaces a cache file: write a temporary file in the same
    /// directory, fsync it, rename it over the target, fsync the directory.
    pub(crate) fn write(&self, name: &str, data: &[u8]) -> Result<()> {
        let path = self.path(name);
        let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
        let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = parent.join(format!(".tmp-{}-{}", std::process::id(), n));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
            f.write_all(data).map_err(|e| io_err(&tmp, e))?;
            f.sync_all().map_err(|e| io_err(&tmp, e))?;
            drop(f);
            std::fs::rename(&tmp, &path).map_err(|e| io_err(&path, e))?;
            // Best effort: persist the rename itself (not possible on all
            // platforms, e.g. opening a directory fails on Windows).
            if let Ok(d) = std::fs::File::open(&parent) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Removes a cache file if present.
    pub(crate) fn remove(&self, name: &str) -> Result<()> {
        let path = self.path(name);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("trusted_root.json"), "trusted_root.json");
        assert_eq!(quote("a/b c"), "a%2Fb%20c");
        assert_eq!(quote(".."), "%2E%2E");
        assert_eq!(quote("../x"), "..%2Fx");
    }

    #[test]
    fn atomic_write_and_limit() {
        let dir = std::env::temp_dir().join(format!("sigstore-tuf-cache-{}", std::process::id()));
        let c = Cache::open(dir.clone()).unwrap();
        c.write("a.json", b"12345").unwrap();
        c.write("a.json", b"123").unwrap();
        assert_eq!(c.read("a.json", 10).unwrap().unwrap(), b"123");
        assert!(matches!(
            c.read("a.json", 2),
            Err(Error::CacheTampered { .. })
        ));
        assert!(c.read("missing", 10).unwrap().is_none());
        c.remove("a.json").unwrap();
        c.remove("a.json").unwrap();
        // No temporary files left behind.
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
