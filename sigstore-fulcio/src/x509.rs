//! The X.509 certificate structure (RFC 5280 §4.1), read with the crate's strict DER reader
//! ([`crate::der`]): definite minimal lengths, low tag numbers, no trailing bytes at any level.
//!
//! Every field is checked for its shape; the ones the crate interprets are decoded (version,
//! validity, the signature BIT STRING, the extension list, and the contents of the extensions
//! path validation relies on), the rest are kept as the raw bytes they occupy in the input
//! (serial, names, public key info, algorithm identifiers), so nothing is copied or allocated
//! here except the extension list.

use crate::der::{expect, expect_only, read_tlv, tag, DerError, Tlv};

/// Most extensions one certificate may carry. Real certificates have about a dozen (Fulcio's
/// leaf certificates up to about 20); the limit bounds the duplicate check on hostile input.
pub const MAX_EXTENSIONS: usize = 64;

const SET: u8 = 0x31;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// `version [0] EXPLICIT`.
const VERSION: u8 = 0xa0;
/// `issuerUniqueID [1] IMPLICIT BIT STRING`.
const ISSUER_UNIQUE_ID: u8 = 0x81;
/// `subjectUniqueID [2] IMPLICIT BIT STRING`.
const SUBJECT_UNIQUE_ID: u8 = 0x82;
/// `extensions [3] EXPLICIT`.
const EXTENSIONS: u8 = 0xa3;
/// Version values: v1 (the default), v2, v3.
const V2: u8 = 1;
const V3: u8 = 2;

/// A certificate's fields as slices of its DER encoding.
#[derive(Debug)]
pub(crate) struct RawCertificate<'a> {
    /// The whole `TBSCertificate` (tag, length and contents): the signed bytes.
    pub(crate) tbs: &'a [u8],
    /// The serial number's INTEGER contents (two's complement, as encoded).
    pub(crate) serial: &'a [u8],
    /// The `signature` AlgorithmIdentifier inside the TBS (whole encoding).
    pub(crate) inner_algorithm: &'a [u8],
    /// The issuer `Name` (whole encoding).
    pub(crate) issuer: &'a [u8],
    /// notBefore, Unix seconds.
    pub(crate) not_before: i64,
    /// notAfter, Unix seconds.
    pub(crate) not_after: i64,
    /// The subject `Name` (whole encoding).
    pub(crate) subject: &'a [u8],
    /// The `SubjectPublicKeyInfo` (whole encoding).
    pub(crate) spki: &'a [u8],
    /// The extensions in certificate order (v3 only).
    pub(crate) extensions: Vec<RawExtension<'a>>,
    /// The outer `signatureAlgorithm` (whole encoding).
    pub(crate) algorithm: &'a [u8],
    /// The signature bits (the BIT STRING after its unused-bits octet, which must be zero).
    pub(crate) signature: &'a [u8],
}

/// One `Extension`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawExtension<'a> {
    /// The `extnID` OBJECT IDENTIFIER contents.
    pub(crate) oid: &'a [u8],
    /// The `critical` flag (absent: false).
    pub(crate) critical: bool,
    /// The contents of the `extnValue` OCTET STRING.
    pub(crate) value: &'a [u8],
}

/// Reads one DER `Certificate` that spans all of `der`.
pub(crate) fn parse(der: &[u8]) -> Result<RawCertificate<'_>, DerError> {
    let cert = expect_only(der, tag::SEQUENCE)?;
    let (tbs, rest) = expect(cert.value, tag::SEQUENCE).map_err(|_| DerError("TBSCertificate"))?;
    let (algorithm, rest) =
        expect(rest, tag::SEQUENCE).map_err(|_| DerError("signatureAlgorithm"))?;
    let signature = expect_only(rest, tag::BIT_STRING).map_err(|_| DerError("signatureValue"))?;
    let signature = match signature.value.split_first() {
        Some((0, bits)) => bits,
        Some(_) => return Err(DerError("signature BIT STRING has unused bits")),
        None => return Err(DerError("empty signature BIT STRING")),
    };
    parse_tbs(tbs, algorithm.raw, signature)
}

/// The `TBSCertificate` fields, completed with the outer algorithm and signature.
fn parse_tbs<'a>(
    tbs: Tlv<'a>,
    algorithm: &'a [u8],
    signature: &'a [u8],
) -> Result<RawCertificate<'a>, DerError> {
    let mut rest = tbs.value;
    let mut version = 0u8;
    if rest.first() == Some(&VERSION) {
        let (explicit, after) = read_tlv(rest)?;
        let int = expect_only(explicit.value, tag::INTEGER).map_err(|_| DerError("version"))?;
        version = match int.value {
            [v] if *v <= V3 => *v,
            _ => return Err(DerError("version")),
        };
        rest = after;
    }
    let (serial, rest) = expect(rest, tag::INTEGER).map_err(|_| DerError("serialNumber"))?;
    if serial.value.is_empty() {
        return Err(DerError("serialNumber"));
    }
    let (inner_algorithm, rest) =
        expect(rest, tag::SEQUENCE).map_err(|_| DerError("signature algorithm"))?;
    let (issuer, rest) = read_tlv(rest)?;
    check_name(issuer).map_err(|_| DerError("issuer name"))?;
    let (validity, rest) = expect(rest, tag::SEQUENCE).map_err(|_| DerError("validity"))?;
    let (not_before, after) = read_time(validity.value)?;
    let (not_after, after) = read_time(after)?;
    if !after.is_empty() {
        return Err(DerError("validity"));
    }
    let (subject, rest) = read_tlv(rest)?;
    check_name(subject).map_err(|_| DerError("subject name"))?;
    let (spki, mut rest) =
        expect(rest, tag::SEQUENCE).map_err(|_| DerError("subjectPublicKeyInfo"))?;
    for (unique_id, what) in [
        (ISSUER_UNIQUE_ID, "issuerUniqueID"),
        (SUBJECT_UNIQUE_ID, "subjectUniqueID"),
    ] {
        if rest.first() == Some(&unique_id) {
            let (id, after) = read_tlv(rest)?;
            if version < V2 {
                return Err(DerError(what));
            }
            bit_string(id.value).map_err(|_| DerError(what))?;
            rest = after;
        }
    }
    let mut extensions = Vec::new();
    if rest.first() == Some(&EXTENSIONS) {
        let (explicit, after) = read_tlv(rest)?;
        if version != V3 {
            return Err(DerError("extensions in a certificate before v3"));
        }
        let list =
            expect_only(explicit.value, tag::SEQUENCE).map_err(|_| DerError("extensions"))?;
        extensions = parse_extensions(list.value)?;
        rest = after;
    }
    if !rest.is_empty() {
        return Err(DerError("trailing data in TBSCertificate"));
    }
    Ok(RawCertificate {
        tbs: tbs.raw,
        serial: serial.value,
        inner_algorithm: inner_algorithm.raw,
        issuer: issuer.raw,
        not_before,
        not_after,
        subject: subject.raw,
        spki: spki.raw,
        extensions,
        algorithm,
        signature,
    })
}

fn parse_extensions(mut list: &[u8]) -> Result<Vec<RawExtension<'_>>, DerError> {
    let mut out: Vec<RawExtension<'_>> = Vec::new();
    while !list.is_empty() {
        if out.len() == MAX_EXTENSIONS {
            return Err(DerError("more than MAX_EXTENSIONS extensions"));
        }
        let (ext, after) = expect(list, tag::SEQUENCE).map_err(|_| DerError("extension"))?;
        list = after;
        let (oid, rest) = expect(ext.value, tag::OID).map_err(|_| DerError("extension"))?;
        let (critical, rest) = if rest.first() == Some(&tag::BOOLEAN) {
            let (flag, after) = read_tlv(rest)?;
            (boolean(flag.value)?, after)
        } else {
            (false, rest)
        };
        let value = expect_only(rest, tag::OCTET_STRING).map_err(|_| DerError("extension"))?;
        out.push(RawExtension {
            oid: oid.value,
            critical,
            value: value.value,
        });
    }
    Ok(out)
}

/// `Name ::= SEQUENCE OF SET SIZE (1..MAX) OF SEQUENCE { type OID, value ANY }`.
pub(crate) fn check_name(name: Tlv<'_>) -> Result<(), DerError> {
    if name.tag != tag::SEQUENCE {
        return Err(DerError("name"));
    }
    let mut rdns = name.value;
    while !rdns.is_empty() {
        let (rdn, after) = expect(rdns, SET)?;
        rdns = after;
        let mut attributes = rdn.value;
        if attributes.is_empty() {
            return Err(DerError("empty relative distinguished name"));
        }
        while !attributes.is_empty() {
            let (attribute, after) = expect(attributes, tag::SEQUENCE)?;
            attributes = after;
            let (_, value) = expect(attribute.value, tag::OID)?;
            let (_, trailing) = read_tlv(value)?;
            if !trailing.is_empty() {
                return Err(DerError("name attribute"));
            }
        }
    }
    Ok(())
}

/// A DER BOOLEAN's contents: `0x00` or `0xff`. (An explicitly encoded FALSE, which DER
/// leaves out as the default, is accepted, as Go's and x509-parser's readers do.)
pub(crate) fn boolean(contents: &[u8]) -> Result<bool, DerError> {
    match contents {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(DerError("BOOLEAN")),
    }
}

/// A BIT STRING's bits (after the unused-bits octet): at most 7 unused bits, none without
/// content, and the unused bits zero (DER).
pub(crate) fn bit_string(contents: &[u8]) -> Result<&[u8], DerError> {
    let (&unused, bits) = contents.split_first().ok_or(DerError("empty BIT STRING"))?;
    let last = bits.last().copied().unwrap_or(0);
    if unused > 7 || (bits.is_empty() && unused != 0) || last & ((1u8 << unused) - 1) != 0 {
        return Err(DerError("BIT STRING padding"));
    }
    Ok(bits)
}

/// A non-negative DER INTEGER that fits `u32` (minimal encoding).
pub(crate) fn small_uint(contents: &[u8]) -> Result<u32, DerError> {
    let minimal = match contents {
        [] => false,
        [0, second, ..] => second & 0x80 != 0,
        [first, ..] => first & 0x80 == 0,
    };
    if !minimal {
        return Err(DerError("INTEGER"));
    }
    let digits = contents.strip_prefix(&[0]).unwrap_or(contents);
    if digits.len() > 4 {
        return Err(DerError("INTEGER out of range"));
    }
    Ok(digits
        .iter()
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}

/// `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` in the forms RFC 5280
/// §4.1.2.5 requires: `YYMMDDHHMMSSZ` (years 1950-2049) and `YYYYMMDDHHMMSSZ`, no fractions,
/// no offsets. Returns Unix seconds.
fn read_time(input: &[u8]) -> Result<(i64, &[u8]), DerError> {
    let (time, rest) = read_tlv(input)?;
    let text = time.value;
    let (year, tail) = match (time.tag, text.len()) {
        (UTC_TIME, 13) => {
            let yy = digits(text, 0, 2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        (GENERALIZED_TIME, 15) => (digits(text, 0, 4)?, 4),
        _ => return Err(DerError("validity time")),
    };
    let month = digits(text, tail, 2)?;
    let day = digits(text, tail + 2, 2)?;
    let hour = digits(text, tail + 4, 2)?;
    let minute = digits(text, tail + 6, 2)?;
    let second = digits(text, tail + 8, 2)?;
    if text.get(tail + 10) != Some(&b'Z')
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(DerError("validity time"));
    }
    let days = days_from_civil(year, month, day);
    Ok((days * 86_400 + hour * 3_600 + minute * 60 + second, rest))
}

/// The decimal number in `text[at..at + n]` (ASCII digits only).
fn digits(text: &[u8], at: usize, n: usize) -> Result<i64, DerError> {
    let field = text.get(at..at + n).ok_or(DerError("validity time"))?;
    field.iter().try_fold(0i64, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + i64::from(c - b'0'))
        } else {
            Err(DerError("validity time"))
        }
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (`month` 1-12, `year` >= 0):
/// counted from a calendar that starts on March 1st, so the leap day is the last of its year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Years since 0000-03-01, and the day of that shifted year (March = month 0).
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let cycle = shifted_year.div_euclid(400);
    let year_of_cycle = shifted_year - cycle * 400;
    let day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
    // 719_468 days from 0000-03-01 to 1970-01-01.
    cycle * 146_097 + day_of_cycle - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 1, 1), 19_723);
        assert_eq!(days_from_civil(2100, 3, 1), 47_541);
        assert_eq!(days_from_civil(0, 1, 1), -719_528);
        assert_eq!(days_from_civil(9999, 12, 31), 2_932_896);
    }

    fn time(tag: u8, text: &str) -> Result<i64, DerError> {
        let mut enc = vec![tag, text.len() as u8];
        enc.extend_from_slice(text.as_bytes());
        read_time(&enc).map(|(t, _)| t)
    }

    #[test]
    fn validity_times() {
        assert_eq!(time(UTC_TIME, "700101000000Z"), Ok(0));
        assert_eq!(time(UTC_TIME, "491231235959Z"), Ok(2_524_607_999));
        assert_eq!(time(UTC_TIME, "500101000000Z"), Ok(-631_152_000));
        assert_eq!(time(UTC_TIME, "240229120000Z"), Ok(1_709_208_000));
        assert_eq!(time(GENERALIZED_TIME, "20500101000000Z"), Ok(2_524_608_000));
        assert_eq!(
            time(GENERALIZED_TIME, "99991231235959Z"),
            Ok(253_402_300_799)
        );
        for bad in [
            "230229120000Z", // not a leap year
            "241301000000Z",
            "240100000000Z",
            "240101240000Z",
            "240101006000Z",
            "240101000060Z",
            "2401010000Z",
            "240101000000",
            "240101000000+0000",
            "24010100000aZ",
            "24010100000 Z",
        ] {
            assert_eq!(time(UTC_TIME, bad), Err(DerError("validity time")), "{bad}");
        }
        for bad in ["20240101000000.5Z", "202401010000Z", "240101000000Z"] {
            assert_eq!(
                time(GENERALIZED_TIME, bad),
                Err(DerError("validity time")),
                "{bad}"
            );
        }
        // Other tags (a PrintableString of the right length) are not times.
        assert_eq!(time(0x13, "240101000000Z"), Err(DerError("validity time")));
    }

    #[test]
    fn bit_strings_and_integers() {
        assert_eq!(bit_string(&[0]), Ok(&[][..]));
        assert_eq!(bit_string(&[0, 0xff]), Ok(&[0xff][..]));
        assert_eq!(bit_string(&[3, 0xa8]), Ok(&[0xa8][..]));
        assert_eq!(bit_string(&[]), Err(DerError("empty BIT STRING")));
        for bad in [&[1][..], &[8, 0], &[3, 0xa9]] {
            assert_eq!(
                bit_string(bad),
                Err(DerError("BIT STRING padding")),
                "{bad:?}"
            );
        }
        assert_eq!(small_uint(&[0]), Ok(0));
        assert_eq!(small_uint(&[0x7f]), Ok(127));
        assert_eq!(small_uint(&[0, 0x80]), Ok(128));
        assert_eq!(small_uint(&[0, 0xff, 0xff, 0xff, 0xff]), Ok(u32::MAX));
        for bad in [&[][..], &[0x80], &[0xff], &[0, 0x7f], &[0, 1, 0, 0, 0, 0]] {
            assert_eq!(small_uint(bad), Err(DerError("INTEGER")), "{bad:?}");
        }
        assert_eq!(
            small_uint(&[1, 0, 0, 0, 0]),
            Err(DerError("INTEGER out of range"))
        );
        assert_eq!(boolean(&[0xff]), Ok(true));
        assert_eq!(boolean(&[0]), Ok(false));
        for bad in [&[1][..], &[], &[0xff, 0xff]] {
            assert_eq!(boolean(bad), Err(DerError("BOOLEAN")), "{bad:?}");
        }
    }
}
