//! Token amounts between their display form (`12.50` in a class with 2
//! decimals) and base units (`1250`, the `u128` the ledger stores, SPEC §4).
//!
//! Parsing is strict: digits with at most one `.`, at least one digit on each
//! side of it, no sign, exponent, separator or whitespace, no more fractional
//! digits than the class has decimals, and no overflow of `u128`. Anything
//! else is an error that says what was wrong, never a rounded value.

/// Why an amount was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Empty input.
    #[error("empty amount")]
    Empty,
    /// A character other than a digit or one `.`.
    #[error("invalid amount {0:?}: only digits and one '.' are allowed (no sign, exponent or separators)")]
    Syntax(String),
    /// More fractional digits than the class's decimals.
    #[error("amount {input:?} has {got} decimal places, the class allows {decimals}")]
    TooPrecise {
        /// The input.
        input: String,
        /// Fractional digits given.
        got: usize,
        /// Class decimals.
        decimals: u8,
    },
    /// Does not fit in `u128` base units.
    #[error("amount {0:?} is too large (exceeds u128 base units)")]
    Overflow(String),
    /// Decimals outside 0–18 (a class cannot have them).
    #[error("a class has 0–18 decimals, got {0}")]
    Decimals(u8),
}

/// Largest number of decimals a class may have (SPEC §4, `CreateClass`).
pub const MAX_DECIMALS: u8 = 18;

/// Parses a display amount into base units: `parse_amount("12.5", 2) == Ok(1250)`.
pub fn parse_amount(s: &str, decimals: u8) -> Result<u128, AmountError> {
    if decimals > MAX_DECIMALS {
        return Err(AmountError::Decimals(decimals));
    }
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let syntax = || AmountError::Syntax(s.to_owned());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(syntax());
    }
    let frac = frac.unwrap_or("");
    if frac.len() > decimals as usize {
        return Err(AmountError::TooPrecise { input: s.to_owned(), got: frac.len(), decimals });
    }
    let overflow = || AmountError::Overflow(s.to_owned());
    let scale = 10u128.pow(u32::from(decimals));
    let whole: u128 = int.parse().map_err(|_| overflow())?;
    let mut fraction: u128 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| overflow())? };
    fraction *= 10u128.pow((decimals as usize - frac.len()) as u32);
    whole.checked_mul(scale).and_then(|w| w.checked_add(fraction)).ok_or_else(overflow)
}

/// Parses base units (a plain unsigned integer).
pub fn parse_base_units(s: &str) -> Result<u128, AmountError> {
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AmountError::Syntax(s.to_owned()));
    }
    s.parse().map_err(|_| AmountError::Overflow(s.to_owned()))
}

/// Formats base units for display: `format_amount(1250, 2) == "12.50"`.
pub fn format_amount(units: u128, decimals: u8) -> String {
    if decimals == 0 {
        return units.to_string();
    }
    let d = decimals.min(38) as u32;
    let scale = 10u128.pow(d);
    format!("{}.{:0width$}", units / scale, units % scale, width = d as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_display_amounts() {
        assert_eq!(parse_amount("12.5", 2), Ok(1250));
        assert_eq!(parse_amount("12.50", 2), Ok(1250));
        assert_eq!(parse_amount("12", 2), Ok(1200));
        assert_eq!(parse_amount("0.01", 2), Ok(1));
        assert_eq!(parse_amount("0", 0), Ok(0));
        assert_eq!(parse_amount("007", 0), Ok(7));
        assert_eq!(parse_amount("1.000000000000000001", 18), Ok(1_000_000_000_000_000_001));
    }

    #[test]
    fn refuses_bad_syntax() {
        for s in ["-1", "+1", "1e5", "1,5", "1_000", " 1", "1 ", ".5", "1.", "1.2.3", "0x10", "abc", "１"] {
            assert!(matches!(parse_amount(s, 2), Err(AmountError::Syntax(_))), "{s}");
        }
        assert_eq!(parse_amount("", 2), Err(AmountError::Empty));
    }

    #[test]
    fn refuses_more_precision_than_the_class() {
        assert_eq!(parse_amount("1.5", 0), Err(AmountError::TooPrecise { input: "1.5".into(), got: 1, decimals: 0 }));
        assert!(matches!(parse_amount("0.001", 2), Err(AmountError::TooPrecise { got: 3, .. })));
        // Trailing zeros still count: the input says more than the class can hold.
        assert!(matches!(parse_amount("1.000", 2), Err(AmountError::TooPrecise { .. })));
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        let max = u128::MAX.to_string();
        assert_eq!(parse_amount(&max, 0), Ok(u128::MAX));
        assert_eq!(parse_base_units(&max), Ok(u128::MAX));
        let over = "340282366920938463463374607431768211456"; // u128::MAX + 1
        assert!(matches!(parse_amount(over, 0), Err(AmountError::Overflow(_))));
        assert!(matches!(parse_base_units(over), Err(AmountError::Overflow(_))));
        // Fits as an integer, overflows once scaled by the decimals.
        assert!(matches!(parse_amount(&max, 1), Err(AmountError::Overflow(_))));
        let top = u128::MAX / 100;
        assert_eq!(parse_amount(&format!("{top}.55"), 2), Ok(u128::MAX));
        assert!(matches!(parse_amount(&format!("{top}.56"), 2), Err(AmountError::Overflow(_))));
        assert_eq!(parse_amount("1", 19), Err(AmountError::Decimals(19)));
    }

    #[test]
    fn base_units_are_plain_integers() {
        assert_eq!(parse_base_units("1250"), Ok(1250));
        assert!(matches!(parse_base_units("12.5"), Err(AmountError::Syntax(_))));
        assert!(matches!(parse_base_units("-3"), Err(AmountError::Syntax(_))));
    }

    #[test]
    fn formats_and_round_trips() {
        assert_eq!(format_amount(1250, 2), "12.50");
        assert_eq!(format_amount(1, 2), "0.01");
        assert_eq!(format_amount(7, 0), "7");
        assert_eq!(format_amount(u128::MAX, 18), "340282366920938463463.374607431768211455");
        for (v, d) in [(0u128, 3u8), (1, 18), (123_456_789, 4), (u128::MAX, 18), (u128::MAX, 0)] {
            assert_eq!(parse_amount(&format_amount(v, d), d), Ok(v), "{v} {d}");
        }
    }
}
