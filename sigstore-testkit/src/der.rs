//! A minimal DER writer and reader (X.690) for the structures the testkit builds by hand:
//! RFC 3161 responses, CMS `SignedData`, SCT lists and subject alternative names.

use crate::Error;

/// Universal and context tags used by the testkit.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
}

/// Encode one TLV.
pub(crate) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
        let significant = bytes.get(first..).unwrap_or(&[]);
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(value);
    out
}

/// SEQUENCE of already-encoded parts.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// SET OF already-encoded parts, sorted as DER requires.
pub(crate) fn set_of(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut sorted = parts.to_vec();
    sorted.sort();
    tlv(tag::SET, &sorted.concat())
}

/// Context-specific constructed tag `[n]`.
pub(crate) fn explicit(n: u8, value: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, value)
}

/// An INTEGER from unsigned big-endian bytes.
pub(crate) fn uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| *b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(&trimmed);
    tlv(tag::INTEGER, &v)
}

/// An INTEGER from a small non-negative number.
pub(crate) fn small_uint(n: u64) -> Vec<u8> {
    uint(&n.to_be_bytes())
}

/// An OBJECT IDENTIFIER from its dotted form (all arcs must parse; the caller passes constants).
pub(crate) fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut body = Vec::new();
    let first = arcs.first().copied().unwrap_or(0);
    let second = arcs.get(1).copied().unwrap_or(0);
    push_base128(&mut body, first * 40 + second);
    for arc in arcs.iter().skip(2) {
        push_base128(&mut body, *arc);
    }
    tlv(tag::OID, &body)
}

fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        tmp.push(0x80 | (v & 0x7f) as u8);
        v >>= 7;
    }
    tmp.reverse();
    out.extend_from_slice(&tmp);
}

/// OCTET STRING.
pub(crate) fn octets(v: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, v)
}

/// UTF8String.
pub(crate) fn utf8(s: &str) -> Vec<u8> {
    tlv(tag::UTF8_STRING, s.as_bytes())
}

/// GeneralizedTime `YYYYMMDDHHMMSSZ` for a Unix time.
pub(crate) fn generalized_time(unix: i64) -> Result<Vec<u8>, Error> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).map_err(|_| Error::TimeOutOfRange)?;
    let s = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Ok(tlv(tag::GENERALIZED_TIME, s.as_bytes()))
}

/// A parsed TLV (single-byte tags only, which is all the testkit reads).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

/// Read one TLV from the front of `input`; returns it and the rest.
pub(crate) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), Error> {
    let bad = || Error::MalformedDer;
    let tag = *input.first().ok_or_else(bad)?;
    let first_len = *input.get(1).ok_or_else(bad)?;
    let (len, header) = if first_len < 0x80 {
        (usize::from(first_len), 2usize)
    } else {
        let n = usize::from(first_len & 0x7f);
        if n == 0 || n > 4 {
            return Err(bad());
        }
        let bytes = input.get(2..2 + n).ok_or_else(bad)?;
        let len = bytes.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
        (len, 2 + n)
    };
    let end = header.checked_add(len).ok_or_else(bad)?;
    let value = input.get(header..end).ok_or_else(bad)?;
    let raw = input.get(..end).ok_or_else(bad)?;
    let rest = input.get(end..).ok_or_else(bad)?;
    Ok((Tlv { tag, value, raw }, rest))
}

/// Read one TLV with the expected tag.
pub(crate) fn expect(input: &[u8], want: u8) -> Result<(Tlv<'_>, &[u8]), Error> {
    let (t, rest) = read(input)?;
    if t.tag != want {
        return Err(Error::MalformedDer);
    }
    Ok((t, rest))
}

/// All TLVs inside a constructed value.
pub(crate) fn children(value: &[u8]) -> Result<Vec<Tlv<'_>>, Error> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (t, r) = read(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

/// The TBSCertificate bytes of a DER certificate.
pub(crate) fn tbs_of_certificate(cert: &[u8]) -> Result<Vec<u8>, Error> {
    let (outer, _) = expect(cert, tag::SEQUENCE)?;
    let (tbs, _) = expect(outer.value, tag::SEQUENCE)?;
    Ok(tbs.raw.to_vec())
}

/// Dotted form of an encoded OID body.
pub(crate) fn oid_to_string(body: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc = 0u64;
    for b in body {
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_round_trip() {
        let enc = oid("1.2.840.113549.1.9.16.1.4");
        let (t, rest) = read(&enc).unwrap();
        assert!(rest.is_empty());
        assert_eq!(oid_to_string(t.value), "1.2.840.113549.1.9.16.1.4");
    }

    #[test]
    fn long_lengths() {
        let v = vec![7u8; 300];
        let enc = tlv(tag::OCTET_STRING, &v);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let (t, _) = read(&enc).unwrap();
        assert_eq!(t.value.len(), 300);
    }

    #[test]
    fn integers() {
        assert_eq!(small_uint(0), vec![2, 1, 0]);
        assert_eq!(small_uint(128), vec![2, 2, 0, 128]);
        assert!(matches!(
            read(&[0x30, 0x85, 1, 1, 1, 1, 1]),
            Err(Error::MalformedDer)
        ));
        assert!(matches!(read(&[0x30, 0x05, 1]), Err(Error::MalformedDer)));
    }
}
