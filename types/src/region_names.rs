//! The names people type for a [`Region`], in Kazakh, Russian and English,
//! mapped to its stable code (SPEC §6).
//!
//! The ledger, the JSON bodies and the API answers carry only the code
//! (`pavlodar`, `almaty_city`); this table is the one place that knows the
//! names, below both the node (query parameters) and the client (the CLI's
//! arguments). The administrative division is the one in force in 2026: 17
//! regions and the 3 cities of republican significance (Astana, Almaty,
//! Shymkent), with the regions of Abai, Jetisu and Ulytau formed in 2022.
//!
//! Matching ([`Region::from_name`]): the stable code (`pavlodar`,
//! `almaty-city`, `Almaty City`) first; then the name, case-insensitive,
//! with or without the word for region or city before or after it
//! ("Павлодарская область", "Павлодар облысы", "Pavlodar Region",
//! "г. Шымкент"), hyphens and spaces alike, `ё` as `е`, and the letters of
//! the Kazakh alphabet matched by their nearest Russian ones (`Ақтөбе` and
//! `Актобе` are the same), since keyboards often lack them.
//!
//! A bare "Алматы" names both the city and the region around it and is
//! refused as ambiguous; the code `almaty` is the region, as it always was.

use crate::payload::Region;

/// Why a region name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionNameError {
    /// No region or city of that name.
    #[error("unknown region {value:?}: expected a region's code or its name in Kazakh, Russian or English; the codes are {}", Region::codes().join(", "))]
    Unknown {
        /// What was given.
        value: String,
    },
    /// The name fits more than one (Almaty: the city and the region).
    #[error("region {value:?} is ambiguous: it names {}; say which (for example \"Almaty city\" or \"Almaty Region\")", candidates.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" and "))]
    Ambiguous {
        /// What was given.
        value: String,
        /// The regions it could name.
        candidates: Vec<Region>,
    },
}

impl RegionNameError {
    /// The codes a caller may list as the expected values: every code for an
    /// unknown name, the candidates for an ambiguous one.
    pub fn expected(&self) -> Vec<&'static str> {
        match self {
            RegionNameError::Unknown { .. } => Region::codes(),
            RegionNameError::Ambiguous { candidates, .. } => candidates.iter().map(|r| r.as_str()).collect(),
        }
    }
}

/// Whether a name is a region's or a city's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Region,
    City,
}

/// Words that say "region" (before or after the name).
const REGION_WORDS: [&str; 6] = ["region", "oblast", "province", "область", "обл", "облысы"];
/// Words that say "city".
const CITY_WORDS: [&str; 4] = ["city", "город", "г", "каласы"];

/// Each region's names without the word for region or city, in English,
/// Russian and Kazakh (several spellings where people use several); folded
/// by [`fold`] before comparison, so `Ақтөбе` also stands for `Актобе`.
const NAMES: [(Region, Kind, &[&str]); 20] = [
    (Region::Astana, Kind::City, &["astana", "nur sultan", "астана", "нур султан", "нұр сұлтан"]),
    (Region::AlmatyCity, Kind::City, &["almaty", "alma ata", "алматы", "алма ата"]),
    (Region::Shymkent, Kind::City, &["shymkent", "chimkent", "шымкент", "чимкент"]),
    (Region::Abai, Kind::Region, &["abai", "abay", "абай", "абая"]),
    (Region::Akmola, Kind::Region, &["akmola", "aqmola", "акмолинская", "ақмола"]),
    (Region::Aktobe, Kind::Region, &["aktobe", "aqtobe", "aktyubinsk", "актюбинская", "ақтөбе"]),
    (Region::Almaty, Kind::Region, &["almaty", "алматинская", "алматы"]),
    (Region::Atyrau, Kind::Region, &["atyrau", "атырауская", "атырау"]),
    (Region::EastKazakhstan, Kind::Region, &["east kazakhstan", "восточно казахстанская", "шығыс қазақстан"]),
    (Region::Jambyl, Kind::Region, &["jambyl", "zhambyl", "жамбылская", "жамбыл"]),
    (Region::Jetisu, Kind::Region, &["jetisu", "zhetysu", "zhetisu", "жетісу", "жетысу"]),
    (Region::Karaganda, Kind::Region, &["karaganda", "karagandy", "qaraghandy", "карагандинская", "қарағанды"]),
    (Region::Kostanay, Kind::Region, &["kostanay", "kostanai", "qostanay", "костанайская", "қостанай"]),
    (Region::Kyzylorda, Kind::Region, &["kyzylorda", "qyzylorda", "кызылординская", "қызылорда"]),
    (Region::Mangystau, Kind::Region, &["mangystau", "mangistau", "мангистауская", "мангыстауская", "маңғыстау"]),
    (Region::NorthKazakhstan, Kind::Region, &["north kazakhstan", "северо казахстанская", "солтүстік қазақстан"]),
    (Region::Pavlodar, Kind::Region, &["pavlodar", "павлодарская", "павлодар"]),
    (Region::Turkistan, Kind::Region, &["turkistan", "turkestan", "туркестанская", "түркістан"]),
    (Region::Ulytau, Kind::Region, &["ulytau", "улытауская", "ұлытау"]),
    (Region::WestKazakhstan, Kind::Region, &["west kazakhstan", "западно казахстанская", "батыс қазақстан"]),
];

/// Lower case, `-`, `_`, `.` and runs of spaces as one space, `ё` as `е`,
/// and the letters of the Kazakh alphabet as their nearest Russian ones.
fn fold(s: &str) -> String {
    let lower: String = s
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '-' | '_' | '.' | ',' => ' ',
            'ё' => 'е',
            'ә' => 'а',
            'ғ' => 'г',
            'қ' => 'к',
            'ң' => 'н',
            'ө' => 'о',
            'ұ' | 'ү' => 'у',
            'һ' => 'х',
            'і' => 'и',
            c => c,
        })
        .collect();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name without a word for region or city before or after it, and
/// which word it had.
fn strip_kind(folded: &str) -> (String, Option<Kind>) {
    let mut words: Vec<&str> = folded.split(' ').collect();
    let mut kind = None;
    for _ in 0..2 {
        for at_end in [true, false] {
            let word = if at_end { words.last() } else { words.first() };
            let Some(&w) = word else { continue };
            let k = if REGION_WORDS.contains(&w) {
                Some(Kind::Region)
            } else if CITY_WORDS.contains(&w) {
                Some(Kind::City)
            } else {
                None
            };
            if let (Some(k), true) = (k, words.len() > 1) {
                kind = Some(k);
                if at_end {
                    words.pop();
                } else {
                    words.remove(0);
                }
            }
        }
    }
    (words.join(" "), kind)
}

impl Region {
    /// Every stable code, in declaration order.
    pub fn codes() -> Vec<&'static str> {
        Region::ALL.iter().map(|r| r.as_str()).collect()
    }

    /// The region a person named: its stable code or its name in Kazakh,
    /// Russian or English (module doc).
    pub fn from_name(s: &str) -> Result<Region, RegionNameError> {
        let folded = fold(s);
        let code = folded.replace(' ', "_");
        if let Some(r) = Region::ALL.into_iter().find(|r| r.as_str() == code) {
            return Ok(r);
        }
        let (name, said) = strip_kind(&folded);
        let found: Vec<Region> = NAMES
            .iter()
            .filter(|(_, kind, names)| said.is_none_or(|k| k == *kind) && names.iter().any(|n| fold(n) == name))
            .map(|(r, _, _)| *r)
            .collect();
        match found.len() {
            1 => Ok(found[0]),
            0 => Err(RegionNameError::Unknown { value: s.to_owned() }),
            _ => Err(RegionNameError::Ambiguous { value: s.to_owned(), candidates: found }),
        }
    }
}

/// A stable code or a name in Kazakh, Russian or English ([`Region::from_name`]).
impl std::str::FromStr for Region {
    type Err = RegionNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule10_region_names_in_three_languages_map_to_codes() {
        for s in [
            "pavlodar",
            "Pavlodar",
            "Pavlodar Region",
            "pavlodar oblast",
            "Павлодарская область",
            "павлодарская ОБЛАСТЬ",
            "Павлодар облысы",
            "Павлодарская",
            "Павлодар",
        ] {
            assert_eq!(Region::from_name(s), Ok(Region::Pavlodar), "{s}");
        }
        let cases = [
            ("Астана", Region::Astana),
            ("город Астана", Region::Astana),
            ("Astana city", Region::Astana),
            ("Алматы қаласы", Region::AlmatyCity),
            ("г. Алматы", Region::AlmatyCity),
            ("almaty-city", Region::AlmatyCity),
            ("Almaty City", Region::AlmatyCity),
            ("almaty", Region::Almaty),
            ("Алматинская область", Region::Almaty),
            ("Алматы облысы", Region::Almaty),
            ("Almaty Region", Region::Almaty),
            ("Шымкент", Region::Shymkent),
            ("Shymkent", Region::Shymkent),
            ("область Абай", Region::Abai),
            ("Абай облысы", Region::Abai),
            ("Ақтөбе облысы", Region::Aktobe),
            ("Актобе облысы", Region::Aktobe),
            ("Актюбинская область", Region::Aktobe),
            ("Восточно-Казахстанская область", Region::EastKazakhstan),
            ("Шығыс Қазақстан облысы", Region::EastKazakhstan),
            ("East Kazakhstan Region", Region::EastKazakhstan),
            ("east_kazakhstan", Region::EastKazakhstan),
            ("Жетісу облысы", Region::Jetisu),
            ("область Жетісу", Region::Jetisu),
            ("Zhetysu Region", Region::Jetisu),
            ("Ұлытау облысы", Region::Ulytau),
            ("Улытау", Region::Ulytau),
            ("Северо-Казахстанская область", Region::NorthKazakhstan),
            ("Батыс Қазақстан облысы", Region::WestKazakhstan),
            ("Мангистауская область", Region::Mangystau),
            ("Маңғыстау облысы", Region::Mangystau),
            ("Кызылординская обл.", Region::Kyzylorda),
            ("Түркістан облысы", Region::Turkistan),
            ("Turkestan Region", Region::Turkistan),
            ("Жамбылская область", Region::Jambyl),
            ("Qaraghandy Region", Region::Karaganda),
            ("Костанайская область", Region::Kostanay),
            ("Атырауская область", Region::Atyrau),
            ("Акмолинская область", Region::Akmola),
        ];
        for (s, want) in cases {
            assert_eq!(Region::from_name(s), Ok(want), "{s}");
        }
        // Every region and city has an English, a Russian and a Kazakh name
        // that map to it, with the word for region or city.
        for r in Region::ALL {
            let (_, kind, names) = NAMES.iter().find(|(x, _, _)| *x == r).expect("every region is in the table");
            for n in names.iter() {
                let words: &[&str] = match (kind, n.is_ascii()) {
                    (Kind::Region, true) => &["Region", "oblast"],
                    (Kind::Region, false) => &["область", "облысы"],
                    (Kind::City, true) => &["city"],
                    (Kind::City, false) => &["город", "қаласы"],
                };
                for w in words {
                    for full in [format!("{n} {w}"), format!("{w} {n}")] {
                        assert_eq!(Region::from_name(&full), Ok(r), "{full}");
                    }
                }
                // Bare "Almaty" is the region's code, bare "Алматы" ambiguous.
                if !matches!(*n, "almaty" | "алматы") {
                    assert_eq!(Region::from_name(&n.to_uppercase()), Ok(r), "{n}");
                }
            }
            assert_eq!(Region::from_name(r.as_str()), Ok(r), "the stable code");
        }
    }

    #[test]
    fn rule10_unknown_region_lists_the_valid_ones() {
        let e = Region::from_name("Марс облысы").unwrap_err();
        assert_eq!(e, RegionNameError::Unknown { value: "Марс облысы".into() });
        let m = e.to_string();
        assert!(m.contains("\"Марс облысы\""), "names the value given: {m}");
        for code in Region::codes() {
            assert!(m.contains(code), "lists {code}: {m}");
        }
        assert_eq!(e.expected().len(), 20);
        // "Алматы" alone names the city and the region.
        let e = Region::from_name("Алматы").unwrap_err();
        assert_eq!(e.expected(), vec!["almaty_city", "almaty"]);
        assert!(e.to_string().contains("ambiguous"), "{e}");
        assert!(Region::from_name("").is_err());
        assert!(Region::from_name("область").is_err());
    }
}
