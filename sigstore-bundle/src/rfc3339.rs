//! RFC 3339 `date-time` (§5.6), the JSON form of `google.protobuf.Timestamp`: read strictly,
//! written in the `YYYY-MM-DDTHH:MM:SSZ` form.
//!
//! Accepted: `YYYY-MM-DD`, `T` or `t`, `HH:MM:SS`, an optional fraction of one to nine digits
//! (protobuf timestamps have nanosecond precision), and `Z`, `z` or a `+HH:MM` / `-HH:MM`
//! offset. Refused: any other separator, more than nine fraction digits, a leap second
//! (`:60`; protobuf timestamps have none), out-of-range fields and trailing text.

/// Seconds in a day.
const DAY: i64 = 86_400;

/// `(Unix seconds, nanoseconds)` of an RFC 3339 date-time; seconds are floored, so the
/// nanoseconds are always the non-negative part.
pub(crate) fn parse(text: &str) -> Option<(i64, u32)> {
    let b = text.as_bytes();
    let year = number(b, 0, 4)?;
    let month = number(b, 5, 2)?;
    let day = number(b, 8, 2)?;
    let hour = number(b, 11, 2)?;
    let minute = number(b, 14, 2)?;
    let second = number(b, 17, 2)?;
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't'))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = b.get(19..)?;
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        // At most nine digits: below 10^9, which fits u32.
        for &c in fraction.iter().take(digits) {
            nanos = nanos * 10 + u32::from(c - b'0');
        }
        for _ in digits..9 {
            nanos *= 10;
        }
        rest = fraction.get(digits..)?;
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = number(&[*h1, *h2], 0, 2)?;
            let minutes = number(&[*m1, *m2], 0, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3_600 + minutes * 60;
            if *sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return None,
    };
    let local = days_from_civil(year, month, day) * DAY + hour * 3_600 + minute * 60 + second;
    Some((local - offset, nanos))
}

/// `YYYY-MM-DDTHH:MM:SSZ` for `seconds` since the Unix epoch; `None` outside the years
/// 0000..=9999.
pub(crate) fn format(seconds: i64) -> Option<String> {
    let days = seconds.div_euclid(DAY);
    let in_day = seconds.rem_euclid(DAY);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        in_day / 3_600,
        in_day % 3_600 / 60,
        in_day % 60
    ))
}

/// The decimal number in `text[at..at + len]` (ASCII digits only).
fn number(text: &[u8], at: usize, len: usize) -> Option<i64> {
    text.get(at..at + len)?.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date, counted in 400-year cycles of a
/// calendar whose year starts on March 1st (so the leap day ends the year).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let march_year = if month <= 2 { year - 1 } else { year };
    let march_month = (month + 9) % 12;
    let day_of_year = (153 * march_month + 2) / 5 + day - 1;
    let cycle = march_year.div_euclid(400);
    let year_of_cycle = march_year - cycle * 400;
    let day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
    // 0000-03-01 is 719 468 days before 1970-01-01.
    cycle * 146_097 + day_of_cycle - 719_468
}

/// The inverse of [`days_from_civil`]: `(year, month, day)`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let cycle = shifted.div_euclid(146_097);
    let day_of_cycle = shifted - cycle * 146_097;
    let year_of_cycle = (day_of_cycle - day_of_cycle / 1_460 + day_of_cycle / 36_524
        - day_of_cycle / 146_096)
        / 365;
    let day_of_year =
        day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
    let march_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_month + 2) / 5 + 1;
    let month = if march_month < 10 {
        march_month + 3
    } else {
        march_month - 9
    };
    let year = year_of_cycle + cycle * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    /// The `time` crate's reading (the reader this module replaced).
    fn reference(text: &str) -> Option<(i64, u32)> {
        let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
        Some((t.unix_timestamp(), t.nanosecond()))
    }

    #[test]
    fn known_values() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse("1970-01-01T01:00:00+01:00"), Some((0, 0)));
        assert_eq!(parse("1969-12-31t23:59:59.5z"), Some((-1, 500_000_000)));
        assert_eq!(
            parse("2022-12-31T23:59:59.999000Z"),
            Some((1_672_531_199, 999_000_000))
        );
        assert_eq!(parse("2000-02-29T12:00:00-05:30"), Some((951_845_400, 0)));
        assert_eq!(
            parse("0000-01-01T00:00:00.000000001Z"),
            Some((-62_167_219_200, 1))
        );
        assert_eq!(parse("9999-12-31T23:59:59Z"), Some((253_402_300_799, 0)));
        for bad in [
            "2023-02-29T00:00:00Z",
            "2022-13-01T00:00:00Z",
            "2022-00-01T00:00:00Z",
            "2022-01-00T00:00:00Z",
            "2022-01-01T24:00:00Z",
            "2022-01-01T00:60:00Z",
            "2022-12-31T23:59:60Z",
            "2022-01-01 00:00:00Z",
            "2022-01-01X00:00:00Z",
            "2022-01-01T00:00:00",
            "2022-01-01T00:00:00.Z",
            "2022-01-01T00:00:00.1234567891Z",
            "2022-01-01T00:00:00+24:00",
            "2022-01-01T00:00:00+01:60",
            "2022-01-01T00:00:00+0100",
            "2022-01-01T00:00:00ZZ",
            "+2022-01-01T00:00:00Z",
            "22-01-01T00:00:00Z",
            "2022-1-01T00:00:00Z",
            "２０２２-01-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formatting_round_trips() {
        for seconds in [
            0,
            -1,
            951_782_400,
            1_689_177_396,
            -62_167_219_200,
            253_402_300_799,
        ] {
            let text = format(seconds).unwrap();
            assert_eq!(parse(&text), Some((seconds, 0)), "{text}");
            assert_eq!(reference(&text), Some((seconds, 0)), "{text}");
        }
        assert_eq!(format(1_689_177_396).unwrap(), "2023-07-12T15:56:36Z");
        assert_eq!(format(-62_167_219_201), None);
        assert_eq!(format(253_402_300_800), None);
    }

    /// Random date-times in every form both readers know, and corruptions of them: where this
    /// reader accepts, `time` gives the same instant; where only `time` accepts, the text is
    /// one of the forms refused on purpose (another separator, more than nine fraction digits,
    /// a leap second).
    #[test]
    fn agrees_with_the_time_crate() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut accepted = 0;
        for _ in 0..20_000 {
            let mut text = format!(
                "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
                next(10_000),
                next(14),
                next(33),
                ["T", "t", " ", "x"][next(4) as usize],
                next(26),
                next(62),
                next(62)
            );
            if next(2) == 0 {
                text.push('.');
                for _ in 0..1 + next(11) {
                    text.push(char::from(b'0' + next(10) as u8));
                }
            }
            match next(4) {
                0 => text.push('Z'),
                1 => text.push('z'),
                _ => text.push_str(&format!(
                    "{}{:02}:{:02}",
                    ["+", "-"][next(2) as usize],
                    next(26),
                    next(62)
                )),
            }
            if next(8) == 0 {
                let mut bytes = text.into_bytes();
                let at = next(bytes.len() as u64) as usize;
                bytes[at] = b"0123456789:-.TZ+x"[next(17) as usize];
                text = String::from_utf8(bytes).unwrap();
            }
            match (parse(&text), reference(&text)) {
                (Some(ours), Some(theirs)) => {
                    assert_eq!(ours, theirs, "{text}");
                    accepted += 1;
                }
                (Some(_), None) => panic!("accepted what the time crate refuses: {text}"),
                (None, Some(_)) => {
                    let b = text.as_bytes();
                    let fraction = text
                        .split_once('.')
                        .map_or(0, |(_, f)| f.bytes().take_while(u8::is_ascii_digit).count());
                    assert!(
                        !matches!(b[10], b'T' | b't') || fraction > 9 || &text[17..19] == "60",
                        "refused a form the time crate accepts: {text}"
                    );
                }
                (None, None) => {}
            }
        }
        assert!(accepted > 1_000, "{accepted}");
    }
}
