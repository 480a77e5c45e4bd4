//! Genesis time as text: RFC 3339 timestamps <-> milliseconds since the Unix
//! epoch, and civil dates. Written here (about 100 lines) rather than pulling a
//! date-time crate into every node for one field.
//!
//! Accepted input: `YYYY-MM-DDTHH:MM:SS[.f]` followed by `Z` or a `±HH:MM`
//! offset, where `.f` is 1 to 3 fraction digits (milliseconds: the genesis time
//! is stored in ms, so finer precision would be silently lost and is refused).
//! `T`/`t` and `Z`/`z` are both accepted, as RFC 3339 allows. Leap seconds
//! (`:60`) are refused. Years 1970–9999. Output is always UTC with `Z`, with a
//! `.mmm` fraction only when the milliseconds are not zero.

use tamga_types::{Date, TimestampMs};

const MS_PER_DAY: u64 = 86_400_000;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date (UTC) of a millisecond timestamp.
pub fn date_of(ms: TimestampMs) -> Date {
    let z = (ms / MS_PER_DAY) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date { year: year.clamp(0, 9999) as u16, month, day }
}

/// Formats `ms` as RFC 3339 UTC, e.g. `2026-01-01T00:00:00Z` or `2026-01-01T00:00:00.250Z`.
pub fn format_rfc3339(ms: TimestampMs) -> String {
    let date = date_of(ms);
    let in_day = ms % MS_PER_DAY;
    let (h, m, s, frac) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    let base = format!("{date}T{h:02}:{m:02}:{s:02}");
    if frac == 0 {
        format!("{base}Z")
    } else {
        format!("{base}.{frac:03}Z")
    }
}

fn digits(s: &str, what: &str) -> Result<i64, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{what} must be digits, got {s:?}"));
    }
    s.parse::<i64>().map_err(|e| format!("{what}: {e}"))
}

/// Parses an RFC 3339 timestamp (see the module docs for the accepted subset).
pub fn parse_rfc3339(s: &str) -> Result<TimestampMs, String> {
    let b = s.as_bytes();
    if b.len() < 20 || !b.is_ascii() {
        return Err("too short or not ASCII".into());
    }
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return Err("expected the shape YYYY-MM-DDTHH:MM:SS".into());
    }
    let date = Date {
        year: u16::try_from(digits(&s[0..4], "year")?).map_err(|e| e.to_string())?,
        month: digits(&s[5..7], "month")? as u8,
        day: digits(&s[8..10], "day")? as u8,
    };
    if !date.is_valid() {
        return Err(format!("{date} is not a calendar day in 1970-9999"));
    }
    let (h, mi, sec) = (digits(&s[11..13], "hour")?, digits(&s[14..16], "minute")?, digits(&s[17..19], "second")?);
    if h > 23 || mi > 59 || sec > 59 {
        return Err(format!("time of day {h:02}:{mi:02}:{sec:02} is out of range (leap seconds are not accepted)"));
    }
    let mut rest = &s[19..];
    let mut frac_ms = 0i64;
    if let Some(f) = rest.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 3 {
            return Err(format!("fraction must have 1 to 3 digits (milliseconds), got {n}"));
        }
        frac_ms = digits(&f[..n], "fraction")? * 10i64.pow(3 - n as u32);
        rest = &f[n..];
    }
    let offset_ms = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 && matches!(&o[0..1], "+" | "-") && &o[3..4] == ":" => {
            let (oh, om) = (digits(&o[1..3], "offset hours")?, digits(&o[4..6], "offset minutes")?);
            if oh > 23 || om > 59 {
                return Err(format!("offset {o} is out of range"));
            }
            let v = (oh * 60 + om) * 60_000;
            if o.starts_with('-') {
                -v
            } else {
                v
            }
        }
        o => return Err(format!("expected `Z` or an offset like `+05:00`, got {o:?}")),
    };
    let days = days_from_civil(i64::from(date.year), i64::from(date.month), i64::from(date.day));
    let local = days * MS_PER_DAY as i64 + ((h * 60 + mi) * 60 + sec) * 1000 + frac_ms;
    let utc = local - offset_ms;
    u64::try_from(utc).map_err(|_| "the instant is before 1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("2025-01-01T00:00:00Z"), Ok(1_735_689_600_000));
        assert_eq!(parse_rfc3339("2024-02-29T12:00:00Z"), Ok(1_709_208_000_000));
        assert_eq!(parse_rfc3339("2024-02-29T17:00:00+05:00"), Ok(1_709_208_000_000));
        assert_eq!(parse_rfc3339("2024-02-29t11:30:00.5-00:30"), Ok(1_709_208_000_500));
        assert_eq!(format_rfc3339(1_709_208_000_000), "2024-02-29T12:00:00Z");
        assert_eq!(format_rfc3339(1_709_208_000_007), "2024-02-29T12:00:00.007Z");
        assert_eq!(date_of(1_735_689_600_000), Date { year: 2025, month: 1, day: 1 });
    }

    #[test]
    fn roundtrip_many() {
        let mut ms = 0u64;
        while ms < 253_402_300_799_000 {
            assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Ok(ms), "{ms}");
            ms = ms * 3 + 86_399_999;
        }
    }

    #[test]
    fn refusals() {
        for bad in [
            "2025-02-29T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T23:59:60Z",
            "2025-01-01T00:00:00",
            "2025-01-01T00:00:00.1234Z",
            "2025-01-01 00:00:00Z",
            "1970-01-01T00:00:00+01:00",
            "1969-12-31T23:59:59Z",
            "2025-01-01T00:00:00+5:00",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad} should be refused");
        }
    }
}
