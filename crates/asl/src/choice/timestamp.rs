//! Timestamps as the Amazon States Language defines them: the RFC 3339 profile of ISO 8601
//! with an uppercase `T` between date and time and either an uppercase `Z` or a numeric
//! `±HH:MM` offset. A zone-less timestamp, a space separator or a basic-format date is not a
//! timestamp, so `TimestampEquals` on it is false and `IsTimestamp` gives false.

use jiff::Timestamp;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `None` for anything else, including
/// impossible dates such as February 30.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    if !has_rfc3339_shape(text.as_bytes()) {
        return None;
    }
    // The shape is checked; jiff checks the calendar (month lengths, leap years, ranges).
    text.parse().ok()
}

fn has_rfc3339_shape(bytes: &[u8]) -> bool {
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let at = |index: usize, expected: u8| bytes.get(index) == Some(&expected);
    let date_time = digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && at(10, b'T')
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19);
    if !date_time {
        return false;
    }
    let mut rest = &bytes[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&count) {
            return false;
        }
        rest = &fraction[count..];
    }
    match rest {
        b"Z" => true,
        [sign, h1, h2, b':', m1, m2] => {
            matches!(sign, b'+' | b'-') && [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn accepts_zulu_offsets_and_fractions() {
        for text in [
            "2012-10-09T19:00:55Z",
            "2012-10-09T19:00:55.5Z",
            "2012-10-09T19:00:55.123456789Z",
            "2012-10-09T21:00:55+02:00",
            "2012-10-09T14:00:55.25-05:00",
            "2016-02-29T00:00:00Z",
        ] {
            assert!(parse_timestamp(text).is_some(), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_asl_timestamp() {
        for text in [
            "2023-02-24 12:15:56.832957",
            "2012-10-09T19:00:55",
            "2012-10-09t19:00:55Z",
            "2012-10-09T19:00:55z",
            "2012-10-09T19:00:55+0200",
            "2012-10-09T19:00Z",
            "2012-10-09T19:00:55.Z",
            "2012-10-09T19:00:55.1234567891Z",
            "2012-10-09T19:00:55,5Z",
            "2012-10-09T19:00:55Z[UTC]",
            "20121009T190055Z",
            "2015-02-29T00:00:00Z",
            "2012-13-09T19:00:55Z",
            "2012-10-09T25:00:55Z",
            " 2012-10-09T19:00:55Z",
            "",
            "2012-10-09",
        ] {
            assert!(parse_timestamp(text).is_none(), "{text}");
        }
    }

    #[test]
    fn offsets_denote_the_same_instant() {
        assert_eq!(
            parse_timestamp("2012-10-09T21:00:55+02:00"),
            parse_timestamp("2012-10-09T19:00:55Z")
        );
        assert!(
            parse_timestamp("2012-10-09T19:00:55.5Z") > parse_timestamp("2012-10-09T19:00:55Z")
        );
    }
}
