//! libphonenumber's validity verdict for a number already split into calling code and national
//! significant number (`+65` `91234567`), at a fraction of the library's cost.
//!
//! The library tests a number against up to eleven per-type patterns (general, premium rate,
//! toll free, …, fixed line, mobile), one regex call each, and for a calling code shared by
//! several regions (`+1`, `+7`, `+44`, …) does it once to pick the region and again to validate.
//! Validity only asks whether *some* type matches, so here the type patterns of a region that
//! admit a given length are joined into one pattern, compiled on first use into a dense DFA
//! without Unicode classes (the input is ASCII digits, on which `\d` means the same), and a
//! number is checked by walking its ten-odd bytes through two such automata. The rules mirror
//! `PhoneNumberUtil::is_valid_number` step by step; the data is the library's own metadata file,
//! vendored byte for byte (`tests/metadata.rs` compares it with the crate's copy), and the
//! tests here and in `phone.rs` compare the verdicts with the library's.
#![allow(deprecated)] // rlibphonenumber marks the raw metadata fields deprecated in favour of its private wrappers.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost::Message;
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::{start, syntax};
use regex_automata::Anchored;
use rlibphonenumber::{
    PhoneMetadata, PhoneMetadataCollection, PhoneNumberDesc, Region, PHONE_NUMBER_UTIL,
};

/// `rlibphonenumber`'s `src/generated/metadata/metadata.bin` (same release as
/// [`crate::phone::METADATA_VERSION`]).
static METADATA: &[u8] = include_bytes!("../data/libphonenumber-metadata.bin");

/// The longest national significant number the library parses (its `MAX_LENGTH_FOR_NSN`).
const MAX_LEN: usize = 17;

/// Is `nsn` (ASCII digits, no leading zero) a valid national significant number for calling
/// code `cc`? `None` when the tables cannot answer for `cc` (ask the library instead).
pub fn is_valid(cc: i32, nsn: &str) -> Option<bool> {
    let t = tables();
    let list = t.codes.get(usize::try_from(cc).ok()?)?.as_deref()?;
    if let [only] = list {
        return t.entries[*only].is_valid(nsn);
    }
    // `get_region_for_number`: the first region whose leading digits match, or failing that
    // the first where the number is of a known type; then validity there.
    for e in list.iter().map(|&i| &t.entries[i]) {
        if e.leading_digits_match(nsn)? {
            return e.is_valid(nsn);
        }
        if e.is_valid(nsn)? {
            return Some(true);
        }
    }
    Some(false)
}

/// Is `cc` a country calling code (one the library knows, and so do the tables)?
pub fn is_calling_code(cc: i32) -> bool {
    usize::try_from(cc)
        .ok()
        .and_then(|i| tables().codes.get(i))
        .is_some_and(Option::is_some)
}

/// Would the library's parser read `+cc nsn` as exactly these digits? It strips what the
/// country's "national prefix for parsing" matches at the start (`+1 1 201…` → `+1 201…`,
/// `+375 810…` → `+375 10…`), even from a number that was valid as written; where that pattern
/// is absent or does not match, [`is_valid`]'s verdict on the digits is the library's verdict
/// on the string `+{cc}{nsn}`, "valid" and "invalid" alike. Assumes `nsn` is ASCII digits
/// without a leading zero and `cc` was read off the digits as the library reads it (the
/// shortest known calling code). `None`: cannot tell.
pub fn parses_literally(cc: i32, nsn: &str) -> Option<bool> {
    let t = tables();
    let main = *t
        .codes
        .get(usize::try_from(cc).ok()?)?
        .as_deref()?
        .first()?;
    let e = &t.entries[main];
    let prefix = e.national_prefix_re.get_or_init(|| {
        e.national_prefix_for_parsing
            .as_deref()
            .map(|p| compile(anchored_start(p)))
            .transpose()
    });
    Some(!is_match(prefix, nsn)?)
}

/// A stored `^(?:…)$` pattern anchored at the start only, as the library derives it.
fn anchored_start(p: &str) -> &str {
    if p.len() >= WRAPPER.len() {
        &p[..p.len() - 1]
    } else {
        ""
    }
}

struct Tables {
    entries: Vec<Entry>,
    /// Calling code → indices into `entries`, in the library's order (main region first).
    codes: Vec<Option<Box<[usize]>>>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build_tables)
}

fn build_tables() -> Tables {
    // The file is compiled in and checked by a test, so a decoding failure is a build defect;
    // even then, empty tables only send every number to the library.
    let collection = PhoneMetadataCollection::decode(METADATA).unwrap_or_default();
    let mut entries = Vec::with_capacity(collection.metadata.len());
    let mut by_region: HashMap<Region, usize> = HashMap::new();
    let mut non_geo: HashMap<i32, usize> = HashMap::new();
    for m in &collection.metadata {
        let (Some(cc), Ok(region)) = (m.country_code, Region::from_code(&m.id)) else {
            continue;
        };
        let index = entries.len();
        entries.push(Entry::new(m));
        if region == Region::World {
            non_geo.insert(cc, index);
        } else {
            by_region.insert(region, index);
        }
    }
    let codes = (0..1000)
        .map(|cc| {
            let regions: Vec<Region> = PHONE_NUMBER_UTIL
                .get_regions_for_country_calling_code(cc)?
                .collect();
            let lookup = |r: &Region| match *r {
                // The library looks non-geographic entities up by calling code, and only when
                // the code has no other region.
                Region::World if regions.len() == 1 => non_geo.get(&cc).copied(),
                Region::World => None,
                r => by_region.get(&r).copied(),
            };
            // Any region the tables lack: leave the whole code to the library.
            regions.iter().map(lookup).collect::<Option<Box<[usize]>>>()
        })
        .collect();
    Tables { entries, codes }
}

/// One number type's description: the lengths it admits and its fully anchored pattern.
struct Desc {
    lengths: Vec<i32>,
    pattern: Option<String>,
}

impl Desc {
    fn new(d: &Option<PhoneNumberDesc>) -> Self {
        let d = d.clone().unwrap_or_default();
        Desc {
            lengths: d.possible_length,
            pattern: d.national_number_pattern,
        }
    }

    /// `is_number_matching_desc`'s length test: no lengths listed means "as the general one".
    fn admits(&self, len: usize) -> bool {
        self.lengths.is_empty() || self.lengths.iter().any(|&l| l as usize == len)
    }

    /// The pattern as the library compiles it for a full match: stored pre-anchored as
    /// `^(?:…)$`, and anything shorter than that wrapper matches everything.
    fn full(&self) -> Option<&str> {
        self.pattern
            .as_deref()
            .map(|p| if p.len() >= WRAPPER.len() { p } else { "" })
    }
}

/// `^(?:)$`: the anchoring the metadata patterns come wrapped in.
const WRAPPER: &str = "^(?:)$";

/// One region's (or non-geographic entity's) validity rules.
struct Entry {
    general: Desc,
    /// The types `get_number_type_helper` tries after the general description; mobile is
    /// left out when the metadata says its pattern is the fixed-line one (the library does not
    /// try it then).
    types: Vec<Desc>,
    /// Anchored at the start only, as the library uses it to pick among regions.
    leading_digits: Option<String>,
    national_prefix_for_parsing: Option<String>,
    national_prefix_re: OnceLock<Compiled>,
    general_re: OnceLock<Compiled>,
    leading_re: OnceLock<Compiled>,
    /// By national number length: every type admitting that length, as one alternation.
    types_re: [OnceLock<Compiled>; MAX_LEN + 1],
}

impl Entry {
    fn new(m: &PhoneMetadata) -> Self {
        let mut types: Vec<Desc> = [
            &m.premium_rate,
            &m.toll_free,
            &m.shared_cost,
            &m.voip,
            &m.personal_number,
            &m.pager,
            &m.uan,
            &m.voicemail,
            &m.fixed_line,
        ]
        .into_iter()
        .map(Desc::new)
        .collect();
        if !m.same_mobile_and_fixed_line_pattern() {
            types.push(Desc::new(&m.mobile));
        }
        Entry {
            general: Desc::new(&m.general_desc),
            types,
            leading_digits: m.leading_digits.clone(),
            national_prefix_for_parsing: m.national_prefix_for_parsing.clone(),
            national_prefix_re: OnceLock::new(),
            general_re: OnceLock::new(),
            leading_re: OnceLock::new(),
            types_re: std::array::from_fn(|_| OnceLock::new()),
        }
    }

    /// `get_number_type_helper(..) != Unknown`.
    fn is_valid(&self, nsn: &str) -> Option<bool> {
        let len = nsn.len();
        if len > MAX_LEN || !self.general.admits(len) {
            return Some(false);
        }
        let general = self
            .general_re
            .get_or_init(|| self.general.full().map(compile).transpose());
        if !is_match(general, nsn)? {
            return Some(false);
        }
        let types = self.types_re[len].get_or_init(|| {
            let alternatives: Vec<&str> = self
                .types
                .iter()
                .filter(|t| t.admits(len))
                .filter_map(Desc::full)
                .collect();
            if alternatives.is_empty() {
                Ok(None)
            } else if alternatives.contains(&"") {
                compile("").map(Some)
            } else {
                compile(&alternatives.join("|")).map(Some)
            }
        });
        is_match(types, nsn)
    }

    fn leading_digits_match(&self, nsn: &str) -> Option<bool> {
        let leading = self.leading_re.get_or_init(|| {
            let p = self.leading_digits.as_deref();
            p.map(|p| compile(anchored_start(p))).transpose()
        });
        is_match(leading, nsn)
    }
}

/// An anchored pattern as a dense DFA: no search engine, cache or pool per call, just one
/// table lookup per byte.
struct Matcher {
    dfa: dense::DFA<Vec<u32>>,
    start: regex_automata::util::primitives::StateID,
}

impl Matcher {
    /// Does the pattern match at the start of `s` (to its end if the pattern ends in `$`)?
    fn is_match(&self, s: &str) -> bool {
        let dfa = &self.dfa;
        let mut state = self.start;
        for &b in s.as_bytes() {
            state = dfa.next_state(state, b);
            if dfa.is_match_state(state) {
                // Matches are reported one byte late, so this is a match ending before `b`:
                // only a pattern anchored at the start alone (leading digits, the national
                // prefix) or the match-all empty pattern gets here.
                return true;
            }
            if dfa.is_dead_state(state) {
                return false;
            }
        }
        dfa.is_match_state(dfa.next_eoi_state(state))
    }
}

/// A pattern as compiled: `Ok(None)` for an absent pattern (matches nothing, as in the
/// library); `Err` when it could not be built, so the tables cannot answer.
type Compiled = Result<Option<Matcher>, ()>;

/// `None`: unknown (the pattern could not be built).
fn is_match(compiled: &Compiled, s: &str) -> Option<bool> {
    match compiled {
        Ok(m) => Some(m.as_ref().is_some_and(|m| m.is_match(s))),
        Err(()) => None,
    }
}

/// ASCII classes keep the automata small and quick to build. An error (a construct this
/// build cannot take, an automaton over the size limits) leaves the number to the library.
fn compile(pattern: &str) -> Result<Matcher, ()> {
    let dfa = dense::Builder::new()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .dfa_size_limit(Some(32 << 20))
                .determinize_size_limit(Some(64 << 20)),
        )
        .build(pattern)
        .map_err(drop)?;
    let start = dfa
        .start_state(&start::Config::new().anchored(Anchored::Yes))
        .map_err(drop)?;
    Ok(Matcher { dfa, start })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_decodes_with_every_calling_code() {
        let t = tables();
        assert!(t.entries.len() > 240, "{} entries", t.entries.len());
        for cc in 0..1000 {
            let known = PHONE_NUMBER_UTIL.get_region_for_country_code(cc).is_some();
            assert_eq!(is_calling_code(cc), known, "calling code {cc}");
        }
    }

    /// Every verdict agrees with the library's on every example number of every region and
    /// type, and on each of them with every single digit changed, one digit added or removed:
    /// near misses that cross between types, lengths and regions sharing a calling code.
    #[test]
    fn verdicts_agree_with_the_library() {
        use rlibphonenumber::{PhoneNumber, PhoneNumberType as T};
        let types = [
            T::FixedLine,
            T::Mobile,
            T::TollFree,
            T::PremiumRate,
            T::SharedCost,
            T::VoIP,
            T::PersonalNumber,
            T::Pager,
            T::UAN,
            T::VoiceMail,
        ];
        let mut examples: Vec<PhoneNumber> = Vec::new();
        for region in PHONE_NUMBER_UTIL.get_supported_regions() {
            for t in types {
                examples.extend(
                    PHONE_NUMBER_UTIL
                        .get_example_number_for_type_and_region(region, t)
                        .ok(),
                );
            }
            examples.extend(PHONE_NUMBER_UTIL.get_invalid_example_number(region).ok());
        }
        for cc in PHONE_NUMBER_UTIL.get_supported_global_network_calling_codes() {
            examples.extend(
                PHONE_NUMBER_UTIL
                    .get_example_number_for_non_geo_entity(cc)
                    .ok(),
            );
        }
        let (mut checked, mut valid, mut literal) = (0, 0, 0);
        for ex in &examples {
            let nsn = ex.national_number.to_string();
            let mut variants = vec![nsn.clone(), format!("{nsn}5"), nsn[1..].to_string()];
            // A digit in front: national and trunk prefixes (`+1 1…`, `+7 8…`, `+54 9…`).
            variants.extend(('1'..='9').map(|d| format!("{d}{nsn}")));
            for (i, _) in nsn.char_indices() {
                for d in '0'..='9' {
                    let mut v = nsn.clone();
                    v.replace_range(i..=i, d.encode_utf8(&mut [0; 4]));
                    variants.push(v);
                }
            }
            for v in variants {
                let Ok(national_number) = v.parse::<u64>() else {
                    continue;
                };
                if v.starts_with('0') {
                    continue;
                }
                let number = PhoneNumber {
                    country_code: ex.country_code,
                    national_number,
                    ..PhoneNumber::default()
                };
                let lib = number.is_valid();
                let ours = is_valid(ex.country_code, &v);
                assert_eq!(ours, Some(lib), "+{} {v}", ex.country_code);
                checked += 1;
                valid += usize::from(lib);
                // Where the parser is said to take the digits literally, parsing the string
                // gives this very number (or fails, when it is not one).
                if parses_literally(ex.country_code, &v) == Some(true) {
                    let text = format!("+{}{v}", ex.country_code);
                    let parsed = PHONE_NUMBER_UTIL.parse(&text, None).ok();
                    let parsed_valid = parsed.as_ref().is_some_and(|p| p.is_valid());
                    assert_eq!(parsed_valid, lib, "{text}");
                    if let Some(p) = parsed.filter(|_| lib) {
                        assert_eq!(p.national_number, national_number, "{text}");
                    }
                    literal += 1;
                }
            }
        }
        assert!(
            checked > 100_000 && valid > 10_000 && literal > 50_000,
            "{checked} checked, {valid} valid, {literal} taken literally"
        );
    }

    #[test]
    fn verdicts_on_known_numbers() {
        assert_eq!(is_valid(65, "91234567"), Some(true));
        assert_eq!(is_valid(65, "1234567"), Some(false));
        assert_eq!(is_valid(44, "2079460018"), Some(true));
        // A Jersey mobile: +44 shared by GB, GG, IM, JE.
        assert_eq!(is_valid(44, "7797712345"), Some(true));
        assert_eq!(is_valid(1, "2015550123"), Some(true));
        assert_eq!(is_valid(1, "1015550123"), Some(false));
        assert_eq!(is_valid(800, "12345678"), Some(true));
        assert_eq!(is_valid(999, "12345678"), None);
    }
}
