//! Minimal URL helpers: origin comparison, form encoding and query parsing.
#![cfg_attr(not(feature = "client"), allow(dead_code))]

use crate::error::{Error, Result};

/// `application/x-www-form-urlencoded` byte encoding (WHATWG URL §5.2).
pub(crate) fn form_encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Encodes pairs as a query string / form body.
pub(crate) fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode_component(k), form_encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form component (`+` is a space, `%XX` a byte); `None` if not UTF-8 or a
/// broken escape.
pub(crate) fn form_decode_component(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(hex_val)?;
                let lo = bytes.next().and_then(hex_val)?;
                out.push(hi * 16 + lo);
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).ok()
}

/// Parses a query string into pairs; malformed components are dropped.
pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((form_decode_component(k)?, form_decode_component(v)?))
        })
        .collect()
}

/// The first value of `name` in `pairs`, plus whether it occurs more than once.
pub(crate) fn query_get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A parsed absolute http(s) URL's origin parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

/// Parses the origin of an absolute `http`/`https` URL.
pub(crate) fn origin(url: &str) -> Result<Origin> {
    let bad = |why| Error::InvalidUrl {
        url: strip_query(url).to_owned(),
        why,
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("not absolute"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(bad("scheme is not http or https")),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad("userinfo in URL"));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(|| bad("bad IPv6 host"))?;
        (format!("[{h}]"), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (authority.to_owned(), None),
        }
    };
    if host.is_empty() || host == "[]" {
        return Err(bad("empty host"));
    }
    let port = match port {
        None | Some("") => default_port,
        Some(p) => p.parse::<u16>().map_err(|_| bad("bad port"))?,
    };
    Ok(Origin {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// Whether `host` is a loopback name or address.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

/// Requires `https`, or `http` to a loopback host (for local tests and stand-ins).
pub(crate) fn require_secure(url: &str) -> Result<()> {
    let o = origin(url)?;
    if o.scheme == "https" || is_loopback_host(&o.host) {
        Ok(())
    } else {
        Err(Error::InvalidUrl {
            url: strip_query(url).to_owned(),
            why: "plain http is only allowed to loopback hosts",
        })
    }
}

/// The URL without query string or fragment (for error messages: queries may carry state).
pub(crate) fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}

/// Appends query pairs to `url`, using `?` or `&` as appropriate.
pub(crate) fn append_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", form_encode(pairs))
}

/// Resolves a `Location` header against the URL that produced it (absolute, or
/// absolute-path references only).
pub(crate) fn resolve_location(base: &str, location: &str) -> Result<String> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return Ok(location.to_owned());
    }
    if location.starts_with('/') && !location.starts_with("//") {
        let o = origin(base)?;
        return Ok(format!("{}://{}:{}{}", o.scheme, o.host, o.port, location));
    }
    Err(Error::InvalidUrl {
        url: strip_query(location).to_owned(),
        why: "unsupported redirect location",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_form() {
        let enc = form_encode(&[("a b", "c&d=e/é"), ("x", "")]);
        assert_eq!(enc, "a%20b=c%26d%3De%2F%C3%A9&x=");
        let dec = parse_query(&enc);
        assert_eq!(dec[0], ("a b".to_owned(), "c&d=e/é".to_owned()));
        assert_eq!(query_get(&dec, "x"), Some(""));
        assert_eq!(parse_query("a=%zz&b=1").len(), 1);
    }

    #[test]
    fn origins() {
        let o = origin("https://Example.com/x?y").unwrap();
        assert_eq!((o.host.as_str(), o.port), ("example.com", 443));
        assert_eq!(origin("http://127.0.0.1:8080").unwrap().port, 8080);
        assert_eq!(origin("http://[::1]:9/").unwrap().host, "[::1]");
        let why = |r: Result<()>| match r {
            Err(Error::InvalidUrl { why, .. }) => why,
            other => panic!("expected InvalidUrl, got {other:?}"),
        };
        assert_eq!(
            why(origin("ftp://x").map(drop)),
            "scheme is not http or https"
        );
        assert_eq!(
            why(origin("https://user@evil.com/").map(drop)),
            "userinfo in URL"
        );
        assert_eq!(why(origin("example.com/x").map(drop)), "not absolute");
        assert_eq!(why(origin("https://[::1/").map(drop)), "bad IPv6 host");
        assert_eq!(why(origin("https://:443/").map(drop)), "empty host");
        assert_eq!(why(origin("https://h:99999/").map(drop)), "bad port");
        assert_eq!(
            why(require_secure("http://evil.com/")),
            "plain http is only allowed to loopback hosts"
        );
        assert!(require_secure("http://127.0.0.1:1/").is_ok());
        assert!(require_secure("https://evil.com/").is_ok());
        assert_eq!(
            resolve_location("http://127.0.0.1:5/a?b", "/c").unwrap(),
            "http://127.0.0.1:5/c"
        );
        assert_eq!(
            why(resolve_location("http://h/", "//other/x").map(drop)),
            "unsupported redirect location"
        );
        assert_eq!(
            append_query("http://h/?a=1", &[("b", "2")]),
            "http://h/?a=1&b=2"
        );
    }
}
