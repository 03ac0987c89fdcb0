//! The region a row's own country cell names (`--region-column`): ISO 3166 alpha-2 or alpha-3
//! codes and the country names exports write, in English (through the `celes` crate's names
//! and aliases) and in the languages of the exports the tool knows (`Deutschland`, `Brasil`,
//! …). A value that names no country with phone metadata is `None`: reported, never guessed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::str::FromStr;

use rlibphonenumber::{Region, PHONE_NUMBER_UTIL};

/// Country names in the languages contact exports are written in (Outlook's seven, the
/// CRMs'), where English and `celes` differ: lower-cased, without spaces or punctuation.
const NAMES: &[(&str, &str)] = &[
    ("deutschland", "DE"),
    ("bundesrepublikdeutschland", "DE"),
    ("allemagne", "DE"),
    ("alemania", "DE"),
    ("alemanha", "DE"),
    ("germania", "DE"),
    ("duitsland", "DE"),
    ("österreich", "AT"),
    ("osterreich", "AT"),
    ("autriche", "AT"),
    ("schweiz", "CH"),
    ("suisse", "CH"),
    ("svizzera", "CH"),
    ("suiza", "CH"),
    ("zwitserland", "CH"),
    ("frankreich", "FR"),
    ("francia", "FR"),
    ("frança", "FR"),
    ("frankrijk", "FR"),
    ("españa", "ES"),
    ("espana", "ES"),
    ("spanien", "ES"),
    ("espagne", "ES"),
    ("spagna", "ES"),
    ("espanha", "ES"),
    ("spanje", "ES"),
    ("italia", "IT"),
    ("italien", "IT"),
    ("italie", "IT"),
    ("itália", "IT"),
    ("italië", "IT"),
    ("brasil", "BR"),
    ("brasilien", "BR"),
    ("brésil", "BR"),
    ("brasile", "BR"),
    ("brazilië", "BR"),
    ("méxico", "MX"),
    ("mexiko", "MX"),
    ("mexique", "MX"),
    ("messico", "MX"),
    ("nederland", "NL"),
    ("niederlande", "NL"),
    ("paysbas", "NL"),
    ("paísesbajos", "NL"),
    ("paesibassi", "NL"),
    ("holanda", "NL"),
    ("holland", "NL"),
    ("belgië", "BE"),
    ("belgie", "BE"),
    ("belgique", "BE"),
    ("belgien", "BE"),
    ("bélgica", "BE"),
    ("belgio", "BE"),
    ("portugal", "PT"),
    ("vereinigtekönigreich", "GB"),
    ("royaumeuni", "GB"),
    ("reinounido", "GB"),
    ("regnounito", "GB"),
    ("verenigdkoninkrijk", "GB"),
    ("uk", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("vereinigtestaaten", "US"),
    ("usa", "US"),
    ("us", "US"),
    ("étatsunis", "US"),
    ("etatsunis", "US"),
    ("estadosunidos", "US"),
    ("statiuniti", "US"),
    ("verenigdestaten", "US"),
    ("unitedstates", "US"),
    ("unitedstatesofamerica", "US"),
    ("america", "US"),
    ("polska", "PL"),
    ("polen", "PL"),
    ("sverige", "SE"),
    ("schweden", "SE"),
    ("norge", "NO"),
    ("norwegen", "NO"),
    ("danmark", "DK"),
    ("dänemark", "DK"),
    ("suomi", "FI"),
    ("finnland", "FI"),
    ("irland", "IE"),
    ("éire", "IE"),
    ("türkiye", "TR"),
    ("türkei", "TR"),
    ("turquie", "TR"),
    ("россия", "RU"),
    ("russland", "RU"),
    ("russia", "RU"),
    ("indien", "IN"),
    ("inde", "IN"),
    ("india", "IN"),
    ("bharat", "IN"),
    ("china", "CN"),
    ("chine", "CN"),
    ("中国", "CN"),
    ("japan", "JP"),
    ("japon", "JP"),
    ("日本", "JP"),
    ("southkorea", "KR"),
    ("korea", "KR"),
    ("südkorea", "KR"),
    ("singapur", "SG"),
    ("australien", "AU"),
    ("australie", "AU"),
    ("kanada", "CA"),
    ("argentinien", "AR"),
    ("perú", "PE"),
    ("südafrika", "ZA"),
    ("afriquedusud", "ZA"),
    ("vietnam", "VN"),
    ("uae", "AE"),
    ("vereinigtearabischeemirate", "AE"),
];

/// The region `value` names (trimmed; case, spaces, dots, hyphens, apostrophes and commas
/// ignored, so `N/A` is not Namibia), or `None`. An
/// all-digit value (a calling code? a numeric ISO code?) names none: it is not guessed.
pub fn region_named(value: &str) -> Option<Region> {
    let v = crate::phone::trim(value);
    if v.is_empty() || v.bytes().all(|b| b.is_ascii_digit() || b == b'+') {
        return None;
    }
    let key: String = v
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '\'' | '’' | ','))
        .flat_map(char::to_lowercase)
        .collect();
    let alpha2 = NAMES
        .iter()
        .find(|(n, _)| *n == key)
        .map(|(_, a)| (*a).to_string())
        .or_else(|| {
            [v, key.as_str()]
                .into_iter()
                .find_map(|k| celes::Country::from_str(k).ok())
                .map(|c| c.alpha2.to_string())
        })?;
    let region = Region::from_code(&alpha2).ok()?;
    PHONE_NUMBER_UTIL.get_country_code_for_region(region)?;
    Some(region)
}

/// Distinct values a worker thread remembers (a country column holds few): past this the
/// cache starts again rather than grow with a column of junk.
const CACHE: usize = 4096;

thread_local! {
    static SEEN: RefCell<HashMap<String, Option<Region>>> = RefCell::new(HashMap::new());
}

/// [`region_named`], each distinct value parsed once per worker thread.
pub fn region_cached(value: &str) -> Option<Region> {
    SEEN.with(|seen| {
        if let Some(r) = seen.borrow().get(value) {
            return *r;
        }
        let r = region_named(value);
        let mut seen = seen.borrow_mut();
        if seen.len() >= CACHE {
            seen.clear();
        }
        seen.insert(value.to_string(), r);
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(v: &str) -> Option<String> {
        region_named(v).map(|r| r.to_string())
    }

    #[test]
    fn codes_and_names() {
        for (v, want) in [
            ("DE", "DE"),
            ("de", "DE"),
            ("DEU", "DE"),
            ("Germany", "DE"),
            ("Deutschland", "DE"),
            (" germany ", "DE"),
            ("United States", "US"),
            ("United States of America", "US"),
            ("USA", "US"),
            ("U.S.A.", "US"),
            ("Brasil", "BR"),
            ("Brazil", "BR"),
            ("BRA", "BR"),
            ("United Kingdom", "GB"),
            ("UK", "GB"),
            ("India", "IN"),
            ("IND", "IN"),
            ("España", "ES"),
            ("France", "FR"),
            ("Österreich", "AT"),
            ("Singapore", "SG"),
        ] {
            let got = region_named(v).unwrap_or_else(|| panic!("{v:?} names no region"));
            assert_eq!(
                Some(got),
                Region::from_code(want).ok(),
                "{v:?} -> {:?}",
                code(v)
            );
        }
    }

    #[test]
    fn values_that_name_no_country() {
        for v in [
            "",
            "  ",
            "Atlantis",
            "49",
            "+49",
            "276",
            "N/A",
            "n/a",
            "XX",
            "Springfield",
            "-",
        ] {
            assert_eq!(region_named(v), None, "{v:?}");
        }
    }

    #[test]
    fn cached_says_the_same() {
        for v in ["Germany", "Atlantis", "IN", "Germany"] {
            assert_eq!(region_cached(v), region_named(v), "{v:?}");
        }
    }
}
