//! Fetching artifacts and bundles for `sget`: `https://`, `http://` only on loopback, and
//! `file://` (or a plain path). Redirects are followed by hand (at most [`MAX_REDIRECTS`]) so
//! every hop obeys the same rules; bodies are capped.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use crate::Error;

/// Most redirects followed.
pub const MAX_REDIRECTS: usize = 5;

/// Default largest artifact fetched (bytes); `sget --max-size` changes it.
pub const DEFAULT_MAX_ARTIFACT_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Connect and read timeout of one request.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Where a URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local file.
    File(PathBuf),
    /// An HTTP(S) URL allowed by the rules.
    Http(String),
}

fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// The host of an `http(s)://host[:port]/...` URL (without the port).
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(end) = authority.find(']') {
        return authority.get(..=end).unwrap_or(authority);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// Classify `url`: `https://` anywhere, `http://` only to a loopback host, `file://` or a
/// plain path. Everything else is refused.
pub fn classify(url: &str) -> Result<Source, Error> {
    if let Some(path) = url.strip_prefix("file://") {
        return Ok(Source::File(PathBuf::from(path)));
    }
    if let Some(rest) = url.strip_prefix("https://") {
        if host_of(rest).is_empty() {
            return Err(Error::UrlRefused {
                url: url.to_owned(),
                reason: "no host",
            });
        }
        return Ok(Source::Http(url.to_owned()));
    }
    if let Some(rest) = url.strip_prefix("http://") {
        if is_loopback_host(host_of(rest)) {
            return Ok(Source::Http(url.to_owned()));
        }
        return Err(Error::UrlRefused {
            url: url.to_owned(),
            reason: "plain http is only allowed to a loopback address; use https",
        });
    }
    if url.contains("://") {
        return Err(Error::UrlRefused {
            url: url.to_owned(),
            reason: "unsupported scheme (https, http on loopback, file)",
        });
    }
    Ok(Source::File(PathBuf::from(url)))
}

fn resolve_location(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    // scheme://authority
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let after = base.get(scheme_end..).unwrap_or("");
    let auth_len = after.find('/').unwrap_or(after.len());
    let origin = base.get(..scheme_end + auth_len).unwrap_or(base);
    if location.starts_with('/') {
        format!("{origin}{location}")
    } else {
        let dir = base.rfind('/').filter(|&i| i >= scheme_end + auth_len);
        match dir.and_then(|i| base.get(..=i)) {
            Some(d) => format!("{d}{location}"),
            None => format!("{origin}/{location}"),
        }
    }
}

/// Copy the body at `url` into `out`, at most `limit` bytes. Returns the byte count.
pub fn fetch_to(url: &str, out: &mut dyn Write, limit: u64) -> Result<u64, Error> {
    let mut current = classify(url)?;
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout_connect(TIMEOUT)
        .timeout_read(TIMEOUT)
        .user_agent(concat!("sget/", env!("CARGO_PKG_VERSION")))
        .build();
    for _ in 0..=MAX_REDIRECTS {
        let u = match &current {
            Source::File(p) => {
                let f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
                return copy_capped(f, out, limit, &p.display().to_string());
            }
            Source::Http(u) => u.clone(),
        };
        let resp = match agent.get(&u).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, _)) => {
                return Err(Error::Fetch {
                    url: u,
                    reason: format!("HTTP status {code}"),
                })
            }
            Err(e) => {
                return Err(Error::Fetch {
                    url: u,
                    reason: e.to_string(),
                })
            }
        };
        let status = resp.status();
        if (300..400).contains(&status) {
            let loc = resp.header("Location").ok_or_else(|| Error::Fetch {
                url: u.clone(),
                reason: format!("redirect {status} without Location"),
            })?;
            let next = resolve_location(&u, loc);
            current = match classify(&next)? {
                Source::File(_) => {
                    return Err(Error::UrlRefused {
                        url: next,
                        reason: "a redirect may not lead to a local file",
                    })
                }
                s => s,
            };
            continue;
        }
        return copy_capped(resp.into_reader(), out, limit, &u);
    }
    Err(Error::Fetch {
        url: url.to_owned(),
        reason: format!("more than {MAX_REDIRECTS} redirects"),
    })
}

fn copy_capped(r: impl Read, out: &mut dyn Write, limit: u64, what: &str) -> Result<u64, Error> {
    let mut r = r.take(limit.saturating_add(1));
    let n = std::io::copy(&mut r, out).map_err(|e| Error::Fetch {
        url: what.to_owned(),
        reason: e.to_string(),
    })?;
    if n > limit {
        return Err(Error::TooLarge {
            path: what.to_owned(),
            limit,
        });
    }
    Ok(n)
}

/// Fetch `url` into memory, at most `limit` bytes.
pub fn fetch_bytes(url: &str, limit: u64) -> Result<Vec<u8>, Error> {
    let mut v = Vec::new();
    fetch_to(url, &mut v, limit)?;
    Ok(v)
}

/// The last path segment of a URL (for the default output name).
pub fn file_name_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or("");
    if name.is_empty() || name == "." || name == ".." {
        None
    } else {
        Some(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rules() {
        assert!(matches!(
            classify("https://example.com/a"),
            Ok(Source::Http(_))
        ));
        assert!(matches!(
            classify("http://127.0.0.1:8080/a"),
            Ok(Source::Http(_))
        ));
        assert!(matches!(
            classify("http://[::1]:8080/a"),
            Ok(Source::Http(_))
        ));
        assert!(matches!(
            classify("http://localhost/a"),
            Ok(Source::Http(_))
        ));
        assert!(matches!(
            classify("http://example.com/a"),
            Err(Error::UrlRefused { .. })
        ));
        assert!(matches!(
            classify("http://127.0.0.1.evil.com/a"),
            Err(Error::UrlRefused { .. })
        ));
        assert!(matches!(
            classify("http://user@example.com/a"),
            Err(Error::UrlRefused { .. })
        ));
        assert!(matches!(
            classify("ftp://example.com/a"),
            Err(Error::UrlRefused { .. })
        ));
        assert_eq!(
            classify("file:///tmp/x").unwrap(),
            Source::File(PathBuf::from("/tmp/x"))
        );
        assert_eq!(
            classify("x.txt").unwrap(),
            Source::File(PathBuf::from("x.txt"))
        );
    }

    #[test]
    fn redirects_resolve() {
        assert_eq!(
            resolve_location("https://a.example/x/y", "/z"),
            "https://a.example/z"
        );
        assert_eq!(
            resolve_location("https://a.example/x/y", "z"),
            "https://a.example/x/z"
        );
        assert_eq!(
            resolve_location("https://a.example/x", "http://b.example/"),
            "http://b.example/"
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            file_name_of("https://h/a/b.tar.gz?x=1").as_deref(),
            Some("b.tar.gz")
        );
        assert_eq!(file_name_of("https://h/a/"), None);
    }

    #[test]
    fn cap_enforced() {
        let mut out = Vec::new();
        assert!(matches!(
            copy_capped(&b"12345"[..], &mut out, 4, "x"),
            Err(Error::TooLarge { limit: 4, .. })
        ));
        let mut out = Vec::new();
        assert_eq!(copy_capped(&b"1234"[..], &mut out, 4, "x").unwrap(), 4);
    }
}
