//! IIN/BIN validation and the salted identifier commitment (SPEC §3, §1.6).
//!
//! Kazakhstan's individual (IIN) and business (BIN) identification numbers
//! are 12 digits whose last digit is a check digit (Digital Code art. 45 p.2).
//! The ledger never stores them: only `H(salt ‖ IIN/BIN)`, so a data subject's
//! right to deletion (DC art. 41) is honoured by destroying the off-chain salt.

use crate::hash::{domain, Hash};
use crate::payload::PartyKind;

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
    /// A digit group outside what an IIN or a BIN may hold at that place.
    #[error("IIN/BIN {value}: digits {position} are {got}, expected {expected}")]
    Structure {
        /// The identifier.
        value: String,
        /// Which digits, 1-based (`"3-4"`).
        position: &'static str,
        /// What stands there.
        got: String,
        /// What may stand there.
        expected: &'static str,
    },
    /// An IIN given for a legal entity, or a BIN for an individual.
    #[error("identifier {value} is {got} by its structure (digit 5 is {digit5}), but the party is {}: expected {expected}", match party { PartyKind::Individual => "an individual", PartyKind::LegalEntity => "a legal entity" })]
    KindMismatch {
        /// The identifier.
        value: String,
        /// The party's kind.
        party: PartyKind,
        /// What that kind is identified by.
        expected: IdentifierKind,
        /// What the identifier is.
        got: IdentifierKind,
        /// Its fifth digit, which tells the two apart.
        digit5: u8,
    },
}

/// What an identifier's structure says it is (Digital Code art. 45 p.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierKind {
    /// An individual identification number: `YYMMDD`, then the century and
    /// sex digit 1–6, then a serial and the check digit.
    Iin,
    /// A business identification number: `YYMM` of registration, then the
    /// entity-type digit 4–6 (resident, non-resident legal entity, joint
    /// individual entrepreneurship), then attributes, a serial and the check digit.
    Bin,
}

impl std::fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdentifierKind::Iin => "an IIN (individual identification number)",
            IdentifierKind::Bin => "a BIN (business identification number)",
        })
    }
}

/// Whether a valid 12-digit identifier is an IIN or a BIN, by its structure.
///
/// The fifth digit tells them apart: in an IIN it is the tens of the day of
/// birth (0–3), in a BIN the entity type (4–6). The other groups are checked
/// where the rules fix them: the month (both), the day and the century digit
/// (IIN). The check digit is [`validate_iin_bin`]'s.
pub fn identifier_kind(s: &str) -> Result<IdentifierKind, IdentifierError> {
    validate_iin_bin(s)?;
    let d: Vec<u8> = s.bytes().map(|c| c - b'0').collect();
    let bad = |position, expected| IdentifierError::Structure {
        value: s.to_owned(),
        position,
        got: match position {
            "3-4" => s[2..4].to_owned(),
            "5-6" => s[4..6].to_owned(),
            "5" => s[4..5].to_owned(),
            _ => s[6..7].to_owned(),
        },
        expected,
    };
    let month = d[2] * 10 + d[3];
    if !(1..=12).contains(&month) {
        return Err(bad("3-4", "a month, 01-12"));
    }
    match d[4] {
        0..=3 => {
            let day = d[4] * 10 + d[5];
            if !(1..=31).contains(&day) {
                return Err(bad("5-6", "a day of birth, 01-31 (an IIN)"));
            }
            if !(1..=6).contains(&d[6]) {
                return Err(bad("7", "the century and sex digit, 1-6 (an IIN)"));
            }
            Ok(IdentifierKind::Iin)
        }
        4..=6 => Ok(IdentifierKind::Bin),
        _ => Err(bad("5", "0-3 (the day of birth of an IIN) or 4-6 (the entity type of a BIN)")),
    }
}

/// Checks that `s` is the kind of identifier a party of `kind` has: an IIN
/// for an individual, a BIN for a legal entity (Digital Code art. 45). The
/// ledger sees only the salted commitment and cannot check this; a client
/// does, before it signs.
pub fn check_identifier_for(kind: PartyKind, s: &str) -> Result<IdentifierKind, IdentifierError> {
    let got = identifier_kind(s)?;
    let expected = match kind {
        PartyKind::Individual => IdentifierKind::Iin,
        PartyKind::LegalEntity => IdentifierKind::Bin,
    };
    if got != expected {
        return Err(IdentifierError::KindMismatch {
            value: s.to_owned(),
            party: kind,
            expected,
            got,
            digit5: s.as_bytes()[4] - b'0',
        });
    }
    Ok(got)
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
    fn the_structure_tells_an_iin_from_a_bin() {
        let iin = with_check_digit("90010130012").expect("a check digit exists");
        assert_eq!(identifier_kind(&iin), Ok(IdentifierKind::Iin));
        let bin = (0..100)
            .filter_map(|n| with_check_digit(&format!("0506400{n:04}")))
            .next()
            .expect("some serial has a check digit");
        assert_eq!(identifier_kind(&bin), Ok(IdentifierKind::Bin));
        assert_eq!(check_identifier_for(PartyKind::Individual, &iin), Ok(IdentifierKind::Iin));
        assert_eq!(check_identifier_for(PartyKind::LegalEntity, &bin), Ok(IdentifierKind::Bin));
        let e = check_identifier_for(PartyKind::LegalEntity, &iin).unwrap_err();
        assert!(matches!(
            e,
            IdentifierError::KindMismatch { expected: IdentifierKind::Bin, got: IdentifierKind::Iin, .. }
        ));
        let e = check_identifier_for(PartyKind::Individual, &bin).unwrap_err();
        assert!(e.to_string().contains("a BIN"), "{e}");
        // Month 13, and a fifth digit neither kind has.
        let m13 = with_check_digit("90130130012").expect("check digit");
        assert!(matches!(identifier_kind(&m13), Err(IdentifierError::Structure { position: "3-4", .. })));
        if let Some(d7) = (0..100).find_map(|n| with_check_digit(&format!("900170{n:05}"))) {
            assert!(matches!(identifier_kind(&d7), Err(IdentifierError::Structure { position: "5", .. })), "{d7}");
        }
    }

    #[test]
    fn commitment_is_salted() {
        let a = identifier_commitment(&[1; 32], "123456789013").expect("valid");
        let b = identifier_commitment(&[2; 32], "123456789013").expect("valid");
        assert_ne!(a, b);
    }
}
