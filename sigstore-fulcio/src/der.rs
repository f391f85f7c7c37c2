//! A minimal, strict DER reader and writer for the few structures this crate handles itself
//! (extension values, the precertificate TBS rewrite of RFC 6962 §3.2, PKCS#10 requests).
//!
//! Only single-byte (low-tag-number) identifiers and definite, minimally encoded lengths are
//! accepted; anything else is rejected rather than guessed at.

/// Universal tag numbers and constructed forms used in this crate.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) mod tag {
    pub(crate) const BOOLEAN: u8 = 0x01;
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const UTF8_STRING: u8 = 0x0c;
    pub(crate) const SEQUENCE: u8 = 0x30;
    /// `[0]` constructed, context-specific.
    pub(crate) const CONTEXT_0: u8 = 0xa0;
    /// `[3]` constructed, context-specific (TBSCertificate extensions).
    pub(crate) const CONTEXT_3: u8 = 0xa3;
}

/// Why a DER structure was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError(pub(crate) &'static str);

/// One decoded tag-length-value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet.
    pub(crate) tag: u8,
    /// The contents octets.
    pub(crate) value: &'a [u8],
    /// The whole encoding (identifier, length and contents).
    pub(crate) raw: &'a [u8],
}

/// Reads one TLV from the front of `input`; returns it and the rest.
pub(crate) fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), DerError> {
    let (&tag, rest) = input
        .split_first()
        .ok_or(DerError("truncated identifier"))?;
    if tag & 0x1f == 0x1f {
        return Err(DerError("high tag number form"));
    }
    let (&first, mut rest) = rest.split_first().ok_or(DerError("truncated length"))?;
    let len: usize = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 {
            return Err(DerError("indefinite length"));
        }
        if count > 4 {
            return Err(DerError("length too large"));
        }
        let (bytes, after) = split(rest, count).ok_or(DerError("truncated length"))?;
        rest = after;
        if bytes.first() == Some(&0) {
            return Err(DerError("non-minimal length"));
        }
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if len < 0x80 {
            return Err(DerError("non-minimal length"));
        }
        len
    };
    let header_len = input.len() - rest.len();
    let (value, after) = split(rest, len).ok_or(DerError("truncated contents"))?;
    let raw = input
        .get(..header_len + len)
        .ok_or(DerError("truncated contents"))?;
    Ok((Tlv { tag, value, raw }, after))
}

/// Reads one TLV with the expected tag.
pub(crate) fn expect(input: &[u8], tag: u8) -> Result<(Tlv<'_>, &[u8]), DerError> {
    let (tlv, rest) = read_tlv(input)?;
    if tlv.tag != tag {
        return Err(DerError("unexpected tag"));
    }
    Ok((tlv, rest))
}

/// Reads exactly one TLV with the expected tag and nothing after it.
pub(crate) fn expect_only(input: &[u8], tag: u8) -> Result<Tlv<'_>, DerError> {
    let (tlv, rest) = expect(input, tag)?;
    if !rest.is_empty() {
        return Err(DerError("trailing data"));
    }
    Ok(tlv)
}

fn split(input: &[u8], at: usize) -> Option<(&[u8], &[u8])> {
    if at > input.len() {
        None
    } else {
        Some(input.split_at(at))
    }
}

/// Appends a DER length.
pub(crate) fn write_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        // Fits in seven bits.
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Appends a TLV.
pub(crate) fn write_tlv(tag: u8, contents: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    write_len(contents.len(), out);
    out.extend_from_slice(contents);
}

/// Returns a TLV as a new vector.
pub(crate) fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    write_tlv(tag, contents, &mut out);
    out
}

/// Encodes a dotted OID string's contents octets.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn encode_oid(dotted: &str) -> Result<Vec<u8>, DerError> {
    let mut arcs = dotted.split('.').map(|a| a.parse::<u64>());
    let first = arcs
        .next()
        .and_then(Result::ok)
        .ok_or(DerError("bad OID"))?;
    let second = arcs
        .next()
        .and_then(Result::ok)
        .ok_or(DerError("bad OID"))?;
    if first > 2 || (first < 2 && second > 39) {
        return Err(DerError("bad OID"));
    }
    let mut out = Vec::new();
    push_base128(first * 40 + second, &mut out);
    for arc in arcs {
        push_base128(arc.map_err(|_| DerError("bad OID"))?, &mut out);
    }
    Ok(out)
}

#[cfg_attr(not(feature = "client"), allow(dead_code))]
fn push_base128(mut v: u64, out: &mut Vec<u8>) {
    let mut tmp = [0u8; 10];
    let mut n = 0usize;
    loop {
        if let Some(slot) = tmp.get_mut(n) {
            *slot = (v & 0x7f) as u8;
        }
        n += 1;
        v >>= 7;
        if v == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        let b = tmp.get(i).copied().unwrap_or(0);
        out.push(if i == 0 { b } else { b | 0x80 });
    }
}

/// Walks OID contents octets, handing `arc` each arc in order (the first subidentifier split
/// into the first two arcs, X.690 §8.19.4). Refuses empty contents, a truncated last arc, a
/// non-minimal arc (leading 0x80) and an arc above `u64::MAX`; `arc` may already have seen
/// the arcs before the defect.
fn walk_oid(contents: &[u8], mut arc: impl FnMut(u64)) -> Result<(), DerError> {
    if contents.is_empty() || contents.last().is_some_and(|b| b & 0x80 != 0) {
        return Err(DerError("bad OID"));
    }
    let mut cur: u64 = 0;
    let mut started = false;
    let mut first = true;
    for &b in contents {
        if !started && b == 0x80 {
            return Err(DerError("non-minimal OID arc"));
        }
        started = true;
        if cur > (u64::MAX >> 7) {
            return Err(DerError("OID arc too large"));
        }
        cur = (cur << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if first {
                let (a, b) = match cur {
                    0..40 => (0, cur),
                    40..80 => (1, cur - 40),
                    _ => (2, cur - 80),
                };
                arc(a);
                arc(b);
                first = false;
            } else {
                arc(cur);
            }
            cur = 0;
            started = false;
        }
    }
    Ok(())
}

/// Checks OID contents octets with the rules of [`decode_oid`], without building the text
/// (the parser checks every extension's OID; most are never wanted as text).
pub(crate) fn check_oid(contents: &[u8]) -> Result<(), DerError> {
    walk_oid(contents, |_| {})
}

/// Decodes OID contents octets into dotted form, into one `String` without the formatting
/// machinery. Refuses what [`check_oid`] refuses.
pub(crate) fn decode_oid(contents: &[u8]) -> Result<String, DerError> {
    let mut out = String::with_capacity(contents.len() * 3 + 4);
    walk_oid(contents, |arc| {
        if !out.is_empty() {
            out.push('.');
        }
        push_decimal(&mut out, arc);
    })?;
    Ok(out)
}

/// Appends `v` in decimal.
pub(crate) fn push_decimal(out: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    for slot in digits.iter_mut() {
        // `v % 10` is below 10.
        *slot = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in digits.iter().take(len).rev() {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_forms() {
        for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20] {
            let body = vec![7u8; len];
            let enc = tlv(tag::OCTET_STRING, &body);
            let (t, rest) = read_tlv(&enc).unwrap();
            assert!(rest.is_empty());
            assert_eq!(t.value.len(), len);
            assert_eq!(t.raw, &enc[..]);
        }
    }

    #[test]
    fn rejects_non_der_lengths() {
        let why = |input: &[u8]| read_tlv(input).map(|_| ()).unwrap_err().0;
        assert_eq!(
            why(&[0x04, 0x81, 0x05, 0, 0, 0, 0, 0]),
            "non-minimal length"
        );
        assert_eq!(why(&[0x04, 0x82, 0x00, 0x80]), "non-minimal length");
        assert_eq!(why(&[0x04, 0x80, 0, 0]), "indefinite length");
        assert_eq!(why(&[0x04, 0x85, 1, 1, 1, 1, 1]), "length too large");
        assert_eq!(why(&[0x04, 0x82, 0x01]), "truncated length");
        assert_eq!(why(&[0x04, 0x05, 0]), "truncated contents");
        assert_eq!(why(&[0x1f, 0x01, 0]), "high tag number form");
        assert_eq!(why(&[0x04]), "truncated length");
        assert_eq!(why(&[]), "truncated identifier");
    }

    #[test]
    fn oid_round_trip() {
        for s in [
            "1.3.6.1.4.1.57264.1.8",
            "1.2.840.10045.4.3.2",
            "2.5.29.17",
            "2.999.3",
            "0.39",
            "1.0",
            "1.39.18446744073709551615",
        ] {
            let enc = encode_oid(s).unwrap();
            assert_eq!(decode_oid(&enc).unwrap(), s);
            assert_eq!(check_oid(&enc), Ok(()));
        }
        let why = |c: &[u8]| {
            let checked = check_oid(c).unwrap_err().0;
            assert_eq!(decode_oid(c).unwrap_err().0, checked);
            checked
        };
        assert_eq!(why(&[]), "bad OID");
        assert_eq!(why(&[0x2b, 0x86]), "bad OID");
        assert_eq!(why(&[0x2b, 0x80, 0x01]), "non-minimal OID arc");
        assert_eq!(
            why(&[0x2b, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
            "OID arc too large"
        );
    }
}
