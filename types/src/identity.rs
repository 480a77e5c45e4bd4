//! IIN/BIN validation and the salted identifier commitment (SPEC §3, §1.6).
//!
//! Kazakhstan's individual (IIN) and business (BIN) identification numbers
//! are 12 digits whose last digit is a check digit (Digital Code art. 45 p.2).
//! The ledger never stores them: only `H(salt ‖ IIN/BIN)`, so a data subject's
//! right to deletion (DC art. 41) is honoured by destroying the off-chain salt.

use crate::hash::{domain, Hash};

/// Why a 12-digit identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// Not exactly 12 ASCII digits.
    #[error("IIN/BIN must be exactly 12 digits, got {0:?}")]
    Format(String),
    /// Check digit wrong.
    #[error("IIN/BIN {value} has check digit {got}, expected {expected}")]
    CheckDigit {
        /// The identifier.
        value: String,
        /// Expected check digit.
        expected: u8,
        /// Actual last digit.
        got: u8,
    },
    /// The first weighting gave 10 and so did the second: the number cannot be valid.
    #[error("IIN/BIN {0} cannot have a valid check digit")]
    Unassignable(String),
}

/// Validates the check digit of an IIN or BIN.
///
/// Algorithm (the national standard): weights 1..11; `c = Σ dᵢ·wᵢ mod 11`.
/// If `c == 10`, repeat with weights 3,4,5,6,7,8,9,10,11,1,2; if that is 10
/// too, the number is invalid. `c` must equal the 12th digit.
pub fn validate_iin_bin(s: &str) -> Result<(), IdentifierError> {
    let b = s.as_bytes();
    if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
        return Err(IdentifierError::Format(s.to_owned()));
    }
    let d: Vec<u32> = b.iter().map(|c| (c - b'0') as u32).collect();
    let w1 = [1u32, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    let w2 = [3u32, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let sum = |w: &[u32; 11]| d[..11].iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11;
    let mut c = sum(&w1);
    if c == 10 {
        c = sum(&w2);
        if c == 10 {
            return Err(IdentifierError::Unassignable(s.to_owned()));
        }
    }
    if c != d[11] {
        return Err(IdentifierError::CheckDigit { value: s.to_owned(), expected: c as u8, got: d[11] as u8 });
    }
    Ok(())
}

/// `SHA-256("TAMGA/IDENT/v1" ‖ 0x00 ‖ salt ‖ identifier)` after validating the identifier.
pub fn identifier_commitment(salt: &[u8; 32], iin_or_bin: &str) -> Result<Hash, IdentifierError> {
    validate_iin_bin(iin_or_bin)?;
    Ok(Hash::digest_parts(domain::IDENTIFIER, &[salt, iin_or_bin.as_bytes()]))
}

/// Completes 11 digits with their check digit, if one exists (test and devnet helper).
pub fn with_check_digit(first11: &str) -> Option<String> {
    (0..10).map(|c| format!("{first11}{c}")).find(|s| validate_iin_bin(s).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_and_invalid() {
        // 1·1+2·2+…+10·0+11·1 = 296 ≡ 10 (mod 11), so the second weighting
        // applies: 3·1+4·2+…+1·0+2·1 = 377 ≡ 3. Check digit 3.
        assert_eq!(validate_iin_bin("123456789013"), Ok(()));
        assert_eq!(
            validate_iin_bin("123456789011"),
            Err(IdentifierError::CheckDigit { value: "123456789011".into(), expected: 3, got: 1 })
        );
        // 0·1+…: 90010130012 → 9+0+0+4+0+6+21+0+0+10+22 = 72 ≡ 6.
        assert_eq!(validate_iin_bin("900101300126"), Ok(()));
        assert!(matches!(validate_iin_bin("12345"), Err(IdentifierError::Format(_))));
        assert!(matches!(validate_iin_bin("12345678901a"), Err(IdentifierError::Format(_))));
    }

    #[test]
    fn completion_produces_valid_numbers() {
        for p in ["90010130012", "05064030001", "88123150032"] {
            if let Some(full) = with_check_digit(p) {
                assert_eq!(validate_iin_bin(&full), Ok(()));
            }
        }
    }

    #[test]
    fn commitment_is_salted() {
        let a = identifier_commitment(&[1; 32], "123456789013").expect("valid");
        let b = identifier_commitment(&[2; 32], "123456789013").expect("valid");
        assert_ne!(a, b);
    }
}
