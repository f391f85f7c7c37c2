//! TSTInfo (RFC 3161 §2.4.2).

use sigstore_crypto::Digest;

use crate::asn1::{check_integer, oid_string, tag, Reader};
use crate::token::RawAlgorithm;
use crate::Error;

/// Longest serial number or nonce accepted, in octets (RFC 3161 §2.4.2 allows TSAs up to
/// 160-bit serial numbers; nonces are of the requester's choosing).
pub const MAX_INTEGER_BYTES: usize = 32;

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
/// micros [1] INTEGER (1..999) OPTIONAL }`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accuracy {
    /// Whole seconds.
    pub seconds: u64,
    /// Milliseconds (0..=999).
    pub millis: u16,
    /// Microseconds (0..=999).
    pub micros: u16,
}

/// A parsed TSTInfo. Nothing here is trusted until verification succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TstInfo {
    policy: String,
    imprint_algorithm: RawAlgorithm,
    hashed_message: Vec<u8>,
    serial_number: Vec<u8>,
    gen_time: i64,
    gen_time_nanos: u32,
    accuracy: Option<Accuracy>,
    ordering: bool,
    nonce: Option<Vec<u8>>,
    tsa_name: Option<Vec<u8>>,
}

impl TstInfo {
    /// Parse a DER TSTInfo (version 1).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let mut outer = Reader::new(der, "TSTInfo");
        let mut r = outer.nested(tag::SEQUENCE, "TSTInfo")?;
        outer.finish()?;
        let version = r.small_uint()?;
        if version != 1 {
            return Err(Error::UnsupportedVersion {
                what: "TSTInfo",
                found: version,
            });
        }
        let policy = oid_string(r.oid()?);
        let mut mi = r.nested(tag::SEQUENCE, "MessageImprint")?;
        let imprint_algorithm = RawAlgorithm::parse(&mut mi)?;
        let hashed_message = mi.octet_string()?.to_vec();
        mi.finish()?;
        let serial_number = bounded_integer(&mut r, "serialNumber")?;
        let time = r.expect(tag::GENERALIZED_TIME)?;
        let (gen_time, gen_time_nanos) = parse_generalized_time(time.value)?;
        let accuracy = if r.peek_tag() == Some(tag::SEQUENCE) {
            Some(parse_accuracy(r.nested(tag::SEQUENCE, "Accuracy")?)?)
        } else {
            None
        };
        // ordering BOOLEAN DEFAULT FALSE. DER omits FALSE; an explicit FALSE is tolerated
        // (some TSAs send it) since it changes nothing.
        let ordering = if r.peek_tag() == Some(tag::BOOLEAN) {
            r.boolean()?
        } else {
            false
        };
        let nonce = if r.peek_tag() == Some(tag::INTEGER) {
            Some(bounded_integer(&mut r, "nonce")?)
        } else {
            None
        };
        // tsa [0] EXPLICIT GeneralName OPTIONAL: kept raw.
        let tsa_name = r.optional(tag::CTX0_CONS)?.map(|t| t.value.to_vec());
        // extensions [1] IMPLICIT Extensions OPTIONAL: none are understood; a critical one
        // would have to be rejected, so reject any critical extension.
        if let Some(ext) = r.optional(tag::CTX1_CONS)? {
            let mut exts = Reader::new(ext.value, "TSTInfo extensions");
            while !exts.is_empty() {
                let mut e = exts.nested(tag::SEQUENCE, "Extension")?;
                e.oid()?;
                let critical = if e.peek_tag() == Some(tag::BOOLEAN) {
                    e.boolean()?
                } else {
                    false
                };
                e.octet_string()?;
                e.finish()?;
                if critical {
                    return Err(Error::Malformed("TSTInfo critical extension"));
                }
            }
        }
        r.finish()?;
        Ok(TstInfo {
            policy,
            imprint_algorithm,
            hashed_message,
            serial_number,
            gen_time,
            gen_time_nanos,
            accuracy,
            ordering,
            nonce,
            tsa_name,
        })
    }

    /// The TSA policy OID, dotted.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// The message imprint (hash algorithm and hashed message); `None` when the algorithm
    /// is not SHA-256/384/512 or the hash has the wrong length.
    pub fn message_imprint(&self) -> Option<Digest> {
        self.resolved_imprint().ok()
    }

    /// The message imprint's hash algorithm OID, dotted.
    pub fn message_imprint_algorithm_oid(&self) -> String {
        oid_string(&self.imprint_algorithm.oid)
    }

    /// The message imprint, or why it cannot be used.
    pub(crate) fn resolved_imprint(&self) -> Result<Digest, Error> {
        let alg = self.imprint_algorithm.hash()?;
        Digest::new(alg, &self.hashed_message)
            .map_err(|_| Error::Malformed("MessageImprint length"))
    }

    /// The serial number (INTEGER content octets).
    pub fn serial_number(&self) -> &[u8] {
        &self.serial_number
    }

    /// genTime in Unix seconds (fractional seconds truncated).
    pub fn gen_time(&self) -> i64 {
        self.gen_time
    }

    /// The fractional part of genTime, in nanoseconds (digits beyond 9 are truncated).
    pub fn gen_time_nanos(&self) -> u32 {
        self.gen_time_nanos
    }

    /// The accuracy, if given.
    pub fn accuracy(&self) -> Option<Accuracy> {
        self.accuracy
    }

    /// The ordering flag.
    pub fn ordering(&self) -> bool {
        self.ordering
    }

    /// The nonce (INTEGER content octets), if any.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// The raw `tsa` GeneralName, if any.
    pub fn tsa_name(&self) -> Option<&[u8]> {
        self.tsa_name.as_deref()
    }
}

fn bounded_integer(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u8>, Error> {
    let v = r.integer()?;
    if v.len() > MAX_INTEGER_BYTES {
        return Err(Error::TooLarge {
            what,
            limit: MAX_INTEGER_BYTES,
            found: v.len(),
        });
    }
    Ok(v.to_vec())
}

fn parse_accuracy(mut r: Reader<'_>) -> Result<Accuracy, Error> {
    let mut acc = Accuracy::default();
    if r.peek_tag() == Some(tag::INTEGER) {
        acc.seconds = r.small_uint()?;
    }
    for (t, slot) in [(tag::CTX0_PRIM, 0usize), (tag::CTX1_PRIM, 1)] {
        if let Some(v) = r.optional(t)? {
            check_integer(v.value).ok_or(Error::Malformed("Accuracy"))?;
            let n = crate::asn1::to_u64(v.value).ok_or(Error::Malformed("Accuracy"))?;
            let n = u16::try_from(n)
                .ok()
                .filter(|n| (1..=999).contains(n))
                .ok_or(Error::Malformed("Accuracy"))?;
            if slot == 0 {
                acc.millis = n;
            } else {
                acc.micros = n;
            }
        }
    }
    r.finish()?;
    Ok(acc)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Parse a DER GeneralizedTime `YYYYMMDDhhmmss[.f*]Z` (X.690 §11.7, RFC 3161 §2.4.2: UTC,
/// fraction without trailing zeros) into Unix seconds and nanoseconds.
pub(crate) fn parse_generalized_time(s: &[u8]) -> Result<(i64, u32), Error> {
    let bad = || Error::Malformed("genTime");
    let (z, body) = s.split_last().ok_or_else(bad)?;
    if *z != b'Z' {
        return Err(bad());
    }
    let (main, frac) = match body.iter().position(|c| *c == b'.') {
        Some(p) => {
            let (m, f) = body.split_at(p);
            (m, f.get(1..).ok_or_else(bad)?)
        }
        None => (body, &[][..]),
    };
    if main.len() != 14
        || (body.len() != main.len() && (frac.is_empty() || frac.last() == Some(&b'0')))
    {
        return Err(bad());
    }
    let field = |a: usize, b: usize| main.get(a..b).and_then(digits).ok_or_else(bad);
    let (year, month, day) = (field(0, 4)?, field(4, 6)?, field(6, 8)?);
    let (hour, minute, second) = (field(8, 10)?, field(10, 12)?, field(12, 14)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(bad());
    }
    let mut nanos = 0u32;
    let mut scale = 100_000_000u32;
    for c in frac {
        if !c.is_ascii_digit() {
            return Err(bad());
        }
        nanos += u32::from(c - b'0') * scale;
        scale /= 10;
    }
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    Ok((secs, nanos))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_time() {
        assert_eq!(
            parse_generalized_time(b"20250806185136Z").unwrap(),
            (1_754_506_296, 0)
        );
        assert_eq!(
            parse_generalized_time(b"19700101000000.5Z").unwrap(),
            (0, 500_000_000)
        );
        assert_eq!(
            parse_generalized_time(b"20240229235959.123456789Z").unwrap(),
            (1_709_251_199, 123_456_789)
        );
        for bad in [
            &b"20250806185136"[..],
            b"20250806185136.Z",
            b"20250806185136.50Z",
            b"2025080618513Z",
            b"20251306185136Z",
            b"20230229000000Z",
            b"20250806245136Z",
            b"20250806185136+0000",
            b"2025080618513aZ",
        ] {
            assert!(parse_generalized_time(bad).is_err(), "{:?}", bad);
        }
    }
}
