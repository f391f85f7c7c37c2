//! A strict, allocation-free DER reader (X.690 §8 and §10) for the structures this crate
//! parses by hand.
//!
//! Only definite, minimally encoded lengths and single-byte tags are accepted; indefinite
//! lengths (BER) and high tag numbers are rejected. Every read is bounds-checked.

use crate::Error;

/// Universal and context tags used by this crate (identifier octet, X.690 §8.1.2).
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// `[0] IMPLICIT` constructed.
    pub const CTX0_CONS: u8 = 0xa0;
    /// `[1] IMPLICIT` constructed.
    pub const CTX1_CONS: u8 = 0xa1;
    /// `[0] IMPLICIT` primitive.
    pub const CTX0_PRIM: u8 = 0x80;
    /// `[1] IMPLICIT` primitive.
    pub const CTX1_PRIM: u8 = 0x81;
}

/// One decoded TLV: its tag, its value, and the whole encoding (tag + length + value).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

/// A cursor over a sequence of DER TLVs.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

fn malformed(what: &'static str) -> Error {
    Error::Malformed(what)
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`; `what` names the structure in errors.
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { rest: bytes, what }
    }

    /// True when every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Fail unless every byte has been consumed.
    pub fn finish(&self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(malformed(self.what))
        }
    }

    /// The tag of the next TLV, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Read the next TLV, whatever its tag.
    pub fn any(&mut self) -> Result<Tlv<'a>, Error> {
        let err = || malformed(self.what);
        let (&tag, after_tag) = self.rest.split_first().ok_or_else(err)?;
        if tag & 0x1f == 0x1f {
            // High tag numbers never occur in the structures we read.
            return Err(err());
        }
        let (&first, mut after_len) = after_tag.split_first().ok_or_else(err)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            // 0x80 is the BER indefinite form; more than 4 length octets is never needed.
            if n == 0 || n > 4 {
                return Err(err());
            }
            let (len_bytes, rest) = after_len.split_at_checked(n).ok_or_else(err)?;
            after_len = rest;
            if len_bytes.first() == Some(&0) {
                return Err(err()); // not minimal
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len < 0x80 {
                return Err(err()); // long form where short form fits
            }
            len
        };
        let (value, rest) = after_len.split_at_checked(len).ok_or_else(err)?;
        let header_len = self.rest.len() - after_len.len();
        let raw = self.rest.get(..header_len + len).ok_or_else(err)?;
        self.rest = rest;
        Ok(Tlv { tag, value, raw })
    }

    /// Read the next TLV and require `tag`.
    pub fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, Error> {
        let tlv = self.any()?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(malformed(self.what))
        }
    }

    /// Read the next TLV if it has `tag`.
    pub fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, Error> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Read a SEQUENCE (or another constructed `tag`) and return a reader over its contents.
    pub fn nested(&mut self, tag: u8, what: &'static str) -> Result<Reader<'a>, Error> {
        let tlv = self.expect(tag)?;
        Ok(Reader::new(tlv.value, what))
    }

    /// Read an INTEGER and return its content octets (checked for minimal encoding).
    pub fn integer(&mut self) -> Result<&'a [u8], Error> {
        let tlv = self.expect(tag::INTEGER)?;
        check_integer(tlv.value).ok_or_else(|| malformed(self.what))?;
        Ok(tlv.value)
    }

    /// Read a small non-negative INTEGER.
    pub fn small_uint(&mut self) -> Result<u64, Error> {
        let bytes = self.integer()?;
        to_u64(bytes).ok_or_else(|| malformed(self.what))
    }

    /// Read an OBJECT IDENTIFIER and return its content octets.
    pub fn oid(&mut self) -> Result<&'a [u8], Error> {
        let tlv = self.expect(tag::OID)?;
        // The last octet of every arc has its high bit clear; no arc starts with 0x80.
        let ok = tlv.value.last().is_some_and(|b| b & 0x80 == 0)
            && tlv
                .value
                .iter()
                .zip(std::iter::once(&0u8).chain(tlv.value.iter()))
                .all(|(b, prev)| !(*b == 0x80 && prev & 0x80 == 0));
        if ok {
            Ok(tlv.value)
        } else {
            Err(malformed(self.what))
        }
    }

    /// Read an OCTET STRING and return its contents.
    pub fn octet_string(&mut self) -> Result<&'a [u8], Error> {
        Ok(self.expect(tag::OCTET_STRING)?.value)
    }

    /// Read a DER BOOLEAN (0x00 or 0xff).
    pub fn boolean(&mut self) -> Result<bool, Error> {
        let tlv = self.expect(tag::BOOLEAN)?;
        match tlv.value {
            [0x00] => Ok(false),
            [0xff] => Ok(true),
            _ => Err(malformed(self.what)),
        }
    }
}

/// Check INTEGER content octets for minimal two's-complement encoding.
pub(crate) fn check_integer(bytes: &[u8]) -> Option<()> {
    match bytes {
        [] => None,
        [0x00, b, ..] if b & 0x80 == 0 => None,
        [0xff, b, ..] if b & 0x80 != 0 => None,
        _ => Some(()),
    }
}

/// A non-negative INTEGER's content octets as `u64`.
pub(crate) fn to_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let trimmed = match bytes {
        [0x00, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    if trimmed.len() > 8 {
        return None;
    }
    Some(
        trimmed
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
    )
}

/// Render OID content octets in dotted form (for error messages).
pub(crate) fn oid_string(content: &[u8]) -> String {
    der::oid::ObjectIdentifier::from_bytes(content)
        .map(|o| o.to_string())
        .unwrap_or_else(|_| hex::encode(content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_indefinite_and_non_minimal_lengths() {
        for bad in [
            &[0x30, 0x80, 0, 0][..],
            &[0x04, 0x81, 0x01, 0xaa],
            &[0x04, 0x82, 0x00, 0x81],
            &[0x04, 0x85, 1, 1, 1, 1, 1],
            &[0x04, 0x05, 0x01],
            &[0x1f, 0x01, 0x00],
            &[0x04],
            &[],
        ] {
            assert!(
                matches!(
                    Reader::new(bad, "test structure").any(),
                    Err(Error::Malformed("test structure"))
                ),
                "{bad:02x?}"
            );
        }
        let mut r = Reader::new(&[0x04, 0x01, 0xaa, 0x05, 0x00], "t");
        let t = r.any().unwrap();
        assert_eq!(t.value, &[0xaa]);
        assert_eq!(t.raw, &[0x04, 0x01, 0xaa]);
        r.expect(tag::NULL).unwrap();
        r.finish().unwrap();
    }

    #[test]
    fn integers() {
        assert!(check_integer(&[0x00, 0x01]).is_none());
        assert!(check_integer(&[0xff, 0x80]).is_none());
        assert!(check_integer(&[]).is_none());
        assert_eq!(to_u64(&[0x00, 0x80]), Some(0x80));
        assert_eq!(to_u64(&[0x80]), None);
        assert_eq!(to_u64(&[1; 9]), None);
    }
}
