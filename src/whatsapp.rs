//! WhatsApp identities that are not today's E.164 number of the same phone.
//!
//! A WhatsApp id (`wa_id`) is fixed when the account registers; numbering plans that changed
//! afterwards left millions of ids in a form that is no longer the phone's number, and since 2026
//! webhooks may carry a business-scoped user id instead of a number. The rules below say what
//! each such form is, in one table ([`RULES`]); `docs/whatsapp.md` explains each one, with
//! examples and why it is safe. Three kinds of action:
//!
//! * **rewrite** — the legacy form is invalid today and exactly one valid mobile corresponds to
//!   it: the cell becomes that number, flagged `legacy_whatsapp_id`, and links like any number;
//! * **link** — both forms are valid numbers: the cell is never changed, the row gets a second
//!   key so the two rows are suggested together, with the rule's own `matched_on`;
//! * **link-if-unique** — which number the old form became cannot be told from its digits: the
//!   cell is kept verbatim (flagged `legacy_whatsapp_id`, an informational flag), and the row is
//!   linked to the one number of the file that fits, only when exactly one does
//!   (`dedupe::Linker` decides once the whole file is read).
//!
//! Hooks: `phone::normalize_phone` asks [`cell`] about a cell it found invalid (never about a
//! valid one, so no rule fires on a number that is valid as written), `row::Cleaner` asks
//! [`keys`] for a row's extra linking keys, `dedupe::Linker` links them. `--no-whatsapp-rules`
//! (`PhoneOptions::whatsapp_rules = false`) turns all of it off.

use rlibphonenumber::{PhoneNumberType, PHONE_NUMBER_UTIL};

use crate::guard::library;
use crate::phone::{CellFlag, PhoneCell, PhoneOptions};
use crate::reason::Reason;

/// What a rule does with the form it recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The cell becomes today's E.164 (flagged `legacy_whatsapp_id`) and links as a phone.
    Rewrite,
    /// The cell is left alone; the row also carries the other form, as a suggestion.
    Link,
    /// The cell is kept verbatim; the row is linked to the one number in the file that fits.
    LinkIfUnique,
}

/// A rule, by name (its index in [`RULES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleId {
    Mx521,
    Br9,
    Ar9,
    Ci8,
    Bj8,
    UserId,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub id: RuleId,
    /// ISO 3166 region (`*` for user ids, which carry their own).
    pub country: &'static str,
    /// Calling code (0 for user ids).
    pub cc: u64,
    /// The form the rule recognises, and what it becomes.
    pub pattern: &'static str,
    pub action: Action,
    /// What `matched_on` in the suggestions says when this rule tied two rows (a rewritten
    /// number links as a plain `phone`).
    pub matched_on: &'static str,
    /// Link-if-unique rules: the national prefixes today's 10-digit mobiles put in front of the
    /// old 8 digits.
    pub new_prefixes: &'static [u64],
    /// Where the rule comes from (also in `docs/whatsapp.md`).
    pub source: &'static str,
}

/// Every rule, in [`RuleId`] order.
pub const RULES: &[Rule] = &[
    Rule {
        id: RuleId::Mx521,
        country: "MX",
        cc: 52,
        // The mobile `1` after 52 was abolished in August 2019 (IFT); accounts registered before
        // keep `521` + 10 digits. `+521…` is invalid in libphonenumber since metadata 8.13.38.
        pattern: r"^\+?521([2-9]\d{9})$ -> +52$1",
        action: Action::Rewrite,
        matched_on: "phone",
        new_prefixes: &[],
        source: "end of the mobile 1 (IFT, Aug 2019); Twilio's Mexico guidelines; wa_id rules of \
                 Chatwoot and Evolution API",
    },
    Rule {
        id: RuleId::Br9,
        country: "BR",
        cc: 55,
        // Mobiles gained a ninth digit (2012-2016); old wa_ids are 55 + area + 8 digits.
        pattern: r"^\+?55([1-9]\d)([689]\d{7})$ -> +55$19$2 when that is a valid mobile and the \
                  12-digit form is invalid",
        action: Action::Rewrite,
        matched_on: "phone",
        new_prefixes: &[],
        source: "Anatel nono digito (2012-2016); Brazil rules of Chatwoot, Evolution API, WAHA; \
                 WhatsApp platform vendors' help pages",
    },
    Rule {
        id: RuleId::Ar9,
        country: "AR",
        cc: 54,
        // wa_ids carry 549 + area + number; CRMs store +54 + area + number. Both valid (mobile,
        // fixed line), so never a rewrite.
        pattern: r"+549(\d{10}) (mobile) <-> +54$1 (valid fixed line): link",
        action: Action::Link,
        matched_on: "ar_mobile_9",
        new_prefixes: &[],
        source: "Argentine dialling plan (9 after +54 for mobiles from abroad); Chatwoot refuses \
                 the reverse alias, so link, never rewrite",
    },
    Rule {
        id: RuleId::Ci8,
        country: "CI",
        cc: 225,
        // 8 -> 10 digits in January 2021 (ARTCI); mobiles gained 01, 05 or 07.
        pattern: r"^\+?225(\d{8})$ -> the one +225 0[157]$1 in the file",
        action: Action::LinkIfUnique,
        matched_on: "ci_8_to_10_digits",
        new_prefixes: &[1, 5, 7],
        source: "ARTCI 10-digit plan (Jan 2021); WhatsApp platform vendors' notes on unmigrated \
                 wa_ids",
    },
    Rule {
        id: RuleId::Bj8,
        country: "BJ",
        cc: 229,
        // 8 -> 10 digits in November 2024 (ARCEP Benin): 01 in front of every number.
        pattern: r"^\+?229(\d{8})$ -> +229 01$1 when it is in the file",
        action: Action::LinkIfUnique,
        matched_on: "bj_8_to_10_digits",
        new_prefixes: &[1],
        source: "ARCEP Benin 10-digit plan (Nov 2024); no WhatsApp-specific report, so link \
                 only (docs/whatsapp.md)",
    },
    Rule {
        id: RuleId::UserId,
        country: "*",
        cc: 0,
        pattern: r"^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{6,128}$ with 6 or more digits (e.g. \
                  BR.1502576394655843): kept verbatim, links rows that share it",
        action: Action::Link,
        matched_on: "whatsapp_user_id",
        new_prefixes: &[],
        source: "Meta's business-scoped user ids (BSUID, 2026): two-letter country, a period, \
                 up to 128 alphanumerics; docs of 360dialog, 8x8, Bird, YCloud",
    },
];

impl RuleId {
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }

    pub fn matched_on(self) -> &'static str {
        self.rule().matched_on
    }
}

/// A linking key a rule gives a row, beside its valid numbers and emails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// Another valid number (E.164 digits) the row's number is the same line as: a suggestion,
    /// never a rewrite (`ar_mobile_9`).
    Alias(RuleId, u64),
    /// An old 8-digit id (`cc` + 8 digits, as an integer): linked to today's number once the
    /// whole file has shown that exactly one fits.
    OldId(RuleId, u64),
    /// A business-scoped user id, verbatim.
    UserId(String),
}

/// What [`legacy`] recognised in a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Legacy {
    Rewrite(String),
    OldId(RuleId, u64),
    UserId,
}

/// The outcome of a phone cell that `phone.rs` found invalid, when a rule recognises it:
/// a rewrite to today's E.164, an old id kept verbatim, or a user id kept verbatim. `None`:
/// the cell keeps its invalid reason. Costs a few byte comparisons on any other cell.
pub fn cell(raw: &str, opts: &PhoneOptions) -> Option<PhoneCell> {
    if !opts.whatsapp_rules {
        return None;
    }
    let legacy_flag = || {
        vec![CellFlag {
            reason: Reason::LegacyWhatsappId,
            detail: None,
        }]
    };
    Some(match prepared(raw, legacy)? {
        Legacy::Rewrite(e164) => PhoneCell {
            numbers: crate::phone::e164_key(&e164).into_iter().collect(),
            value: Some(e164),
            flags: legacy_flag(),
        },
        Legacy::OldId(..) => PhoneCell {
            value: None,
            flags: legacy_flag(),
            numbers: Vec::new(),
        },
        Legacy::UserId => PhoneCell::default(),
    })
}

/// The keys rules add for one phone cell of a linking column, given what `normalize_phone`
/// made of it: the `+54` form of every `+549` number, the old id of a cell kept by a
/// link-if-unique rule, the user id of a cell that holds one.
pub fn keys(raw: &str, cell: &PhoneCell, opts: &PhoneOptions, out: &mut Vec<Key>) {
    if !opts.whatsapp_rules {
        return;
    }
    for &n in &cell.numbers {
        if let Some(alias) = ar_alias(n) {
            out.push(Key::Alias(RuleId::Ar9, alias));
        }
    }
    // Only a cell this module kept verbatim can hold an id: no value, no number, and either no
    // flag at all (a user id) or `legacy_whatsapp_id` (an old id).
    let kept = cell.value.is_none()
        && cell.numbers.is_empty()
        && !raw.is_empty()
        && (cell.flags.is_empty()
            || cell
                .flags
                .iter()
                .any(|f| f.reason == Reason::LegacyWhatsappId));
    if !kept {
        return;
    }
    match prepared(raw, legacy) {
        Some(Legacy::OldId(rule, digits)) => out.push(Key::OldId(rule, digits)),
        Some(Legacy::UserId) => {
            let id = prepared(raw, |s| s.to_string());
            out.push(Key::UserId(id));
        }
        _ => {}
    }
}

/// Runs `f` on the cell as `phone.rs` reads it: trimmed, Unicode digits in ASCII, a `Label:`
/// or `(work)` and a spreadsheet `.0` taken off.
fn prepared<R>(raw: &str, f: impl FnOnce(&str) -> R) -> R {
    let ascii = crate::phone::to_ascii_digits(crate::phone::trim(raw));
    f(crate::phone::strip_spreadsheet_float(
        crate::phone::strip_labels(&ascii),
    ))
}

/// Recognises a legacy form in a prepared cell. Cheap tests (first byte, digit count,
/// prefixes) come before any library call.
fn legacy(s: &str) -> Option<Legacy> {
    let first = *s.as_bytes().first()?;
    if first.is_ascii_uppercase() {
        return is_user_id(s).then_some(Legacy::UserId);
    }
    let d = digits(s)?;
    let d = d.as_str();
    match d.len() {
        13 if d.starts_with("521") => mx_521(d).map(Legacy::Rewrite),
        12 if d.starts_with("55") => br_9(d).map(Legacy::Rewrite),
        11 if d.starts_with("225") => old_id(RuleId::Ci8, d),
        11 if d.starts_with("229") => old_id(RuleId::Bj8, d),
        _ => None,
    }
}

/// Mexico: `521` + 10 digits → `+52` + the 10 digits.
fn mx_521(d: &str) -> Option<String> {
    if !matches!(d.as_bytes()[3], b'2'..=b'9') || valid_type(&format!("+{d}")).is_some() {
        return None;
    }
    let e164 = format!("+52{}", &d[3..]);
    valid_type(&e164).filter(|t| is_mobile(*t))?;
    Some(e164)
}

/// Brazil: `55` + area + 8 digits starting 6, 8 or 9 → `55` + area + `9` + the 8 digits, only
/// when the 12 digits are invalid and the 13 a valid mobile. Never before 2–5 (landlines:
/// `+551131234567` is a valid line of its own) nor 7 (radio-trunk numbers kept 8 digits).
fn br_9(d: &str) -> Option<String> {
    let b = d.as_bytes();
    if !matches!(b[2], b'1'..=b'9') || !matches!(b[4], b'6' | b'8' | b'9') {
        return None;
    }
    if valid_type(&format!("+{d}")).is_some() {
        return None;
    }
    let e164 = format!("+55{}9{}", &d[2..4], &d[4..]);
    valid_type(&e164).filter(|t| *t == PhoneNumberType::Mobile)?;
    Some(e164)
}

/// Côte d'Ivoire, Benin: `cc` + 8 digits, invalid today, where at least one of today's
/// prefixes makes a valid mobile of them.
fn old_id(rule: RuleId, d: &str) -> Option<Legacy> {
    let r = rule.rule();
    if valid_type(&format!("+{d}")).is_some() {
        return None;
    }
    let fits = r
        .new_prefixes
        .iter()
        .any(|p| valid_type(&format!("+{}0{p}{}", r.cc, &d[3..])).is_some_and(is_mobile));
    let v: u64 = d.parse().ok()?;
    fits.then_some(Legacy::OldId(rule, v))
}

/// Argentina: the `+54` + 10 digits form of a `+549` + 10 digits number, when it is valid.
fn ar_alias(n: u64) -> Option<u64> {
    const TEN: u64 = 10_000_000_000;
    if !(549 * TEN..550 * TEN).contains(&n) {
        return None;
    }
    let alias = 54 * TEN + n % TEN;
    let nsn = (n % TEN).to_string();
    let valid = match crate::validity::is_valid(54, &nsn) {
        Some(v) => v,
        None => valid_type(&format!("+{alias}")).is_some(),
    };
    valid.then_some(alias)
}

/// For a valid number (E.164 digits), the rule and 8 digits of the old id it is today's form
/// of (`+225 07 45123456` → (`Ci8`, 45123456)), if it is one.
pub(crate) fn new_form_suffix(n: u64) -> Option<(RuleId, u64)> {
    const TEN: u64 = 10_000_000_000;
    const EIGHT: u64 = 100_000_000;
    let rule = match n / TEN {
        225 => RuleId::Ci8,
        229 => RuleId::Bj8,
        _ => return None,
    };
    let nsn = n % TEN;
    rule.rule()
        .new_prefixes
        .contains(&(nsn / EIGHT))
        .then_some((rule, nsn % EIGHT))
}

/// The 8 digits of an old id (`22545123456` → 45123456).
pub(crate) fn old_suffix(old: u64) -> u64 {
    old % 100_000_000
}

/// A business-scoped user id: two capital letters naming a region the phone metadata knows,
/// a period, an optional `ENT.` (a parent id shared by managed businesses), then 6–128 ASCII
/// letters and digits of which at least 6 are digits (`BR.1502576394655843`). The digits rule
/// keeps words (`NO.PHONE`) out.
pub fn is_user_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 9 || b[2] != b'.' || !b[0].is_ascii_uppercase() || !b[1].is_ascii_uppercase() {
        return false;
    }
    let rest = &s[3..];
    let id = rest.strip_prefix("ENT.").unwrap_or(rest);
    let ok = (6..=128).contains(&id.len())
        && id.bytes().all(|c| c.is_ascii_alphanumeric())
        && id.bytes().filter(u8::is_ascii_digit).count() >= 6;
    ok && rlibphonenumber::Region::from_code(&s[..2])
        .ok()
        .and_then(|r| PHONE_NUMBER_UTIL.get_country_code_for_region(r))
        .is_some()
}

/// Up to 15 ASCII digits.
struct Digits {
    buf: [u8; 15],
    len: usize,
}

impl Digits {
    fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// The digits of a cell in a form a wa_id comes in: bare digits (`5215512345678`), or `+`,
/// `(+`, `tel:+` or `00` then digits with spaces, dashes, dots or parentheses
/// (`+52 1 55 1234 5678`).
fn digits(s: &str) -> Option<Digits> {
    let s = match s.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("tel:") && s[4..].starts_with('+') => &s[4..],
        _ => s,
    };
    let s = s
        .strip_prefix('(')
        .filter(|r| r.starts_with('+'))
        .unwrap_or(s);
    let (rest, bare) = match s.strip_prefix('+') {
        Some(r) => (r, false),
        None => match s.strip_prefix("00") {
            Some(r) => (r, false),
            None => (s, true),
        },
    };
    let mut d = Digits {
        buf: [0; 15],
        len: 0,
    };
    for c in rest.bytes() {
        match c {
            b'0'..=b'9' => {
                *d.buf.get_mut(d.len)? = c;
                d.len += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' if !bare => {}
            _ => return None,
        }
    }
    (d.len >= 11).then_some(d)
}

/// The library's type of `e164` when it is a valid number.
fn valid_type(e164: &str) -> Option<PhoneNumberType> {
    library(|| {
        let n = PHONE_NUMBER_UTIL.parse(e164, None).ok()?;
        n.is_valid().then(|| n.get_type())
    })
    .ok()
    .flatten()
}

fn is_mobile(t: PhoneNumberType) -> bool {
    matches!(
        t,
        PhoneNumberType::Mobile | PhoneNumberType::FixedLineOrMobile
    )
}

/// `legacy_whatsapp_id` on a rewritten cell lives in the flags column from then on (the cell
/// holds today's number), so re-running `normalize` on its own output keeps it, as
/// `extension=` is kept: carried when that column is a phone column whose cell is now valid
/// and unchanged and has not raised the flag itself.
pub fn carry_flag(cleaner: &crate::row::Cleaner, row: &mut crate::row::CleanRow, slot: usize) {
    let is_phone = cleaner.layout.contact[slot].1 == crate::columns::Kind::Phone;
    let has_own = row
        .flags
        .iter()
        .any(|f| f.slot == Some(slot) && f.reason == Reason::LegacyWhatsappId);
    if is_phone && row.outcomes[slot] == crate::row::Outcome::Valid && !has_own {
        row.flags.push(crate::row::RowFlag {
            slot: Some(slot),
            reason: Reason::LegacyWhatsappId,
            detail: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::{Linker, DEFAULT_MAX_GROUP};
    use crate::phone::normalize_phone;
    use rlibphonenumber::PhoneNumberFormat;

    fn on() -> PhoneOptions {
        PhoneOptions::default()
    }

    fn off() -> PhoneOptions {
        PhoneOptions {
            whatsapp_rules: false,
            ..PhoneOptions::default()
        }
    }

    fn is_legacy(c: &PhoneCell) -> bool {
        c.flags.iter().any(|f| f.reason == Reason::LegacyWhatsappId)
    }

    fn rule_keys(raw: &str, opts: &PhoneOptions) -> Vec<Key> {
        let cell = normalize_phone(raw, opts);
        let mut out = Vec::new();
        keys(raw, &cell, opts, &mut out);
        out
    }

    /// The rules were checked against this metadata: a new release must pass the property
    /// tests below again (libphonenumber changed its mind on `+521…` before).
    #[test]
    fn metadata_is_the_one_the_rules_were_checked_against() {
        assert_eq!(crate::phone::METADATA_VERSION, "9.0.42");
    }

    #[test]
    fn table_is_in_rule_id_order() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.id as usize, i, "{r:?}");
            assert!(!r.source.is_empty() && !r.pattern.is_empty());
            assert_eq!(r.new_prefixes.is_empty(), r.action != Action::LinkIfUnique);
        }
        assert_eq!(RuleId::Ar9.matched_on(), "ar_mobile_9");
        assert_eq!(RuleId::Ci8.matched_on(), "ci_8_to_10_digits");
        assert_eq!(RuleId::UserId.matched_on(), "whatsapp_user_id");
    }

    #[test]
    fn the_issues_four_rows() {
        for (raw, want) in [
            ("5215512345678", "+525512345678"),
            ("+52 1 55 1234 5678", "+525512345678"),
            ("00521 55 1234 5678", "+525512345678"),
            ("tel:+52-1-55-1234-5678", "+525512345678"),
            ("(+52) 1 55 1234 5678", "+525512345678"),
            ("WhatsApp: 5215512345678", "+525512345678"),
            ("551187654321", "+5511987654321"),
            ("+55 11 8765-4321", "+5511987654321"),
            ("５５１１８７６５４３２１", "+5511987654321"),
        ] {
            let c = normalize_phone(raw, &on());
            assert_eq!(c.value.as_deref(), Some(want), "{raw:?}");
            assert!(is_legacy(&c) && c.flags.len() == 1, "{raw:?}: {c:?}");
            assert_eq!(c.numbers, vec![want[1..].parse::<u64>().unwrap()]);
            // Today's behaviour without the rules: kept and flagged.
            let c = normalize_phone(raw, &off());
            assert_eq!(c.value, None, "{raw:?}");
            assert!(c.flags[0].reason.is_invalid());
        }
        // Argentina: valid as written, never rewritten; the row gets the +54 form as a key.
        let c = normalize_phone("5491123456789", &on());
        assert_eq!(c.value.as_deref(), Some("+5491123456789"));
        assert!(c.flags.is_empty());
        assert_eq!(
            rule_keys("5491123456789", &on()),
            vec![Key::Alias(RuleId::Ar9, 541123456789)]
        );
        assert!(rule_keys("5491123456789", &off()).is_empty());
        assert!(rule_keys("+54 11 2345 6789", &on()).is_empty());
        // Côte d'Ivoire: kept verbatim, informational flag, an old-id key.
        for raw in ["22545123456", "+225 45 12 34 56"] {
            let c = normalize_phone(raw, &on());
            assert_eq!(c.value, None);
            assert_eq!(c.flags.len(), 1);
            assert!(is_legacy(&c) && !c.flags[0].reason.is_invalid());
            assert_eq!(
                rule_keys(raw, &on()),
                vec![Key::OldId(RuleId::Ci8, 22545123456)]
            );
        }
        assert_eq!(
            normalize_phone("22545123456", &off()).flags[0].reason,
            Reason::MissingCountryCode
        );
    }

    #[test]
    fn brazilian_landlines_and_radio_numbers_are_left_alone() {
        // Valid as written: a landline (2-5) and an 8-digit number starting 7.
        for raw in ["551131234567", "+55 11 3123-4567", "551177654321"] {
            let c = normalize_phone(raw, &on());
            assert!(!is_legacy(&c), "{raw:?}: {c:?}");
            assert_eq!(c, normalize_phone(raw, &off()), "{raw:?}");
        }
        // 6 was a mobile first digit before the ninth digit.
        assert_eq!(
            normalize_phone("551167654321", &on()).value.as_deref(),
            Some("+5511967654321")
        );
    }

    #[test]
    fn user_ids() {
        for id in [
            "BR.1502576394655843",
            "US.13491208655302741918",
            "US.ENT.11815799212886844830",
            "IN.a1b2c3d4e5f6",
        ] {
            assert!(is_user_id(id), "{id}");
            let c = normalize_phone(id, &on());
            assert_eq!(c, PhoneCell::default(), "{id}: kept, unflagged");
            assert_eq!(rule_keys(id, &on()), vec![Key::UserId(id.to_string())]);
            assert_eq!(
                normalize_phone(id, &off()).flags[0].reason,
                Reason::NotANumber
            );
        }
        assert_eq!(
            rule_keys(" WhatsApp: BR.1502576394655843 ", &on()),
            vec![Key::UserId("BR.1502576394655843".into())]
        );
        for junk in [
            "NO.PHONE",
            "NO.PHONE123",
            "BR.12345",
            "br.1502576394655843",
            "ZZ.1502576394655843",
            "BR 1502576394655843",
            "BR.150257639465584-3",
            "Mr.1502576394655843",
        ] {
            assert!(!is_user_id(junk), "{junk}");
            assert!(normalize_phone(junk, &on()).flags[0].reason.is_invalid());
        }
    }

    /// The library's type of `e164`, when valid.
    fn lib(e164: &str) -> Option<PhoneNumberType> {
        let n = PHONE_NUMBER_UTIL.parse(e164, None).ok()?;
        n.is_valid().then(|| n.get_type())
    }

    fn mobile(t: Option<PhoneNumberType>) -> bool {
        matches!(
            t,
            Some(PhoneNumberType::Mobile | PhoneNumberType::FixedLineOrMobile)
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Mexico: fires exactly when `+521…` is invalid and `+52…` a valid mobile, and then
        /// writes that mobile.
        #[test]
        fn mexico_521(ten in "[0-9]{10}", plus in proptest::bool::ANY) {
            let raw = if plus { format!("+521{ten}") } else { format!("521{ten}") };
            let c = normalize_phone(&raw, &on());
            let today = format!("+52{ten}");
            let should = lib(&format!("+521{ten}")).is_none()
                && !ten.starts_with(['0', '1'])
                && mobile(lib(&today));
            proptest::prop_assert_eq!(is_legacy(&c), should, "{} {:?}", raw, c);
            if should {
                proptest::prop_assert_eq!(c.value.as_deref(), Some(today.as_str()));
            }
        }

        /// Brazil: fires only on 6, 8, 9 after the area code, only when the 12 digits are
        /// invalid, and always writes a valid mobile.
        #[test]
        fn brazil_ninth_digit(area in "[1-9][0-9]", eight in "[0-9]{8}", plus in proptest::bool::ANY) {
            let digits = format!("55{area}{eight}");
            let raw = if plus { format!("+{digits}") } else { digits.clone() };
            let c = normalize_phone(&raw, &on());
            let today = format!("+55{area}9{eight}");
            let should = lib(&format!("+{digits}")).is_none()
                && eight.starts_with(['6', '8', '9'])
                && lib(&today) == Some(PhoneNumberType::Mobile);
            proptest::prop_assert_eq!(is_legacy(&c), should, "{} {:?}", raw, c);
            if should {
                proptest::prop_assert_eq!(c.value.as_deref(), Some(today.as_str()));
            } else {
                proptest::prop_assert_eq!(&c, &normalize_phone(&raw, &off()));
            }
        }

        /// Côte d'Ivoire, Benin: an old id is invalid as written, kept verbatim, and some
        /// today's prefix makes a valid mobile of it.
        #[test]
        fn eight_digit_ids(cc in "22[59]", eight in "[0-9]{8}") {
            let raw = format!("{cc}{eight}");
            let c = normalize_phone(&raw, &on());
            let rule = if cc == "225" { RuleId::Ci8 } else { RuleId::Bj8 };
            let fits = rule.rule().new_prefixes.iter().any(|p| mobile(lib(&format!("+{cc}0{p}{eight}"))));
            let should = lib(&format!("+{raw}")).is_none() && fits;
            proptest::prop_assert_eq!(is_legacy(&c), should, "{} {:?}", raw, c);
            if should {
                proptest::prop_assert_eq!(c.value, None);
                proptest::prop_assert_eq!(
                    rule_keys(&raw, &on()),
                    vec![Key::OldId(rule, raw.parse().unwrap())]
                );
            }
            // Today's form of the id is recognised as such.
            for p in rule.rule().new_prefixes {
                let n: u64 = format!("{cc}0{p}{eight}").parse().unwrap();
                proptest::prop_assert_eq!(
                    new_form_suffix(n),
                    Some((rule, eight.parse().unwrap()))
                );
            }
        }

        /// Argentina: a `+549` number is never changed; its `+54` form is a key only when
        /// the library calls it valid.
        #[test]
        fn argentina_link_only(ten in "[1-9][0-9]{9}") {
            let raw = format!("+549{ten}");
            let c = normalize_phone(&raw, &on());
            proptest::prop_assert_eq!(&c, &normalize_phone(&raw, &off()));
            let keys = rule_keys(&raw, &on());
            if c.numbers.is_empty() {
                proptest::prop_assert!(keys.is_empty());
            } else {
                let alias = format!("+54{ten}");
                let want = lib(&alias)
                    .map(|_| Key::Alias(RuleId::Ar9, alias[1..].parse().unwrap()));
                proptest::prop_assert_eq!(keys, want.into_iter().collect::<Vec<_>>());
            }
        }
    }

    /// No rule fires on a number that is valid as written: every example number of every
    /// region and type, and variants of its last digits the library calls valid, in E.164,
    /// international, `00` and bare-digit (wa_id) forms, come out exactly as without the rules.
    /// Only a link-only rule adds a key (the `+54` form of a `+549` mobile).
    #[test]
    fn no_rule_fires_on_a_valid_number() {
        let types = crate::phone::EXAMPLE_TYPES;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut checked = 0;
        for region in PHONE_NUMBER_UTIL.get_supported_regions() {
            for t in types {
                let Ok(ex) = PHONE_NUMBER_UTIL.get_example_number_for_type_and_region(region, t)
                else {
                    continue;
                };
                let e164 = ex.format_as(PhoneNumberFormat::E164).into_owned();
                let mut numbers = vec![e164.clone()];
                for _ in 0..12 {
                    let keep = e164.len() - 1 - (next() % 4) as usize;
                    let mut v = e164[..keep].to_string();
                    while v.len() < e164.len() {
                        v.push(char::from(b'0' + (next() % 10) as u8));
                    }
                    numbers.push(v);
                }
                for n in numbers {
                    let Ok(parsed) = PHONE_NUMBER_UTIL.parse(&n, None) else {
                        continue;
                    };
                    if !parsed.is_valid() {
                        continue;
                    }
                    let intl = parsed
                        .format_as(PhoneNumberFormat::International)
                        .into_owned();
                    for raw in [
                        n.clone(),
                        intl.clone(),
                        format!("00{}", &n[1..]),
                        n[1..].to_string(),
                    ] {
                        let with = normalize_phone(&raw, &on());
                        assert!(!is_legacy(&with), "{region:?} {raw:?}: {with:?}");
                        assert_eq!(with, normalize_phone(&raw, &off()), "{region:?} {raw:?}");
                        for k in rule_keys(&raw, &on()) {
                            assert!(
                                matches!(k, Key::Alias(RuleId::Ar9, _)) && n.starts_with("+549"),
                                "{region:?} {raw:?}: {k:?}"
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 20_000, "checked {checked}");
    }

    fn suggestions(rows: &[(&[u64], &[Key])]) -> String {
        let mut l = Linker::new(true);
        for (i, (phones, keys)) in rows.iter().enumerate() {
            l.add_row_with(phones, &[] as &[&str], keys, 1, &format!("r{}", i + 1))
                .unwrap();
        }
        let g = l.finish(DEFAULT_MAX_GROUP);
        let mut w = csv::Writer::from_writer(Vec::new());
        g.write_csv(&mut w, Some("id")).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        out.lines().skip(1).collect::<Vec<_>>().join("\n")
    }

    const CI_OLD: Key = Key::OldId(RuleId::Ci8, 22545123456);

    #[test]
    fn an_old_id_links_to_the_one_number_that_fits() {
        assert_eq!(
            suggestions(&[(&[2250745123456], &[]), (&[], &[CI_OLD])]),
            "1,1,r1,yes,ci_8_to_10_digits,+2250745123456,2,+2250745123456,,\n\
             1,2,r2,,ci_8_to_10_digits,22545123456,2,22545123456,,"
        );
        // A number with another prefix (27: a fixed line) or other digits does not fit.
        assert_eq!(
            suggestions(&[
                (&[2252745123456], &[]),
                (&[2250745123457], &[]),
                (&[], &[CI_OLD])
            ]),
            ""
        );
    }

    #[test]
    fn an_old_id_that_two_numbers_fit_links_nothing() {
        assert_eq!(
            suggestions(&[
                (&[2250745123456], &[]),
                (&[2250545123456], &[]),
                (&[], &[CI_OLD])
            ]),
            ""
        );
        // Not even through rows that carry it beside one of the numbers: the two numbers are
        // never joined through the old id.
        assert_eq!(
            suggestions(&[
                (&[2250745123456], &[CI_OLD]),
                (&[2250545123456], &[CI_OLD]),
                (&[], &[CI_OLD]),
            ]),
            ""
        );
        // Rows that share a phone are still linked by it.
        assert_eq!(
            suggestions(&[
                (&[2250745123456], &[CI_OLD]),
                (&[2250545123456], &[]),
                (&[2250745123456], &[]),
            ]),
            "1,1,r1,yes,phone,+2250745123456,2,+2250745123456;22545123456,,\n\
             1,3,r3,,phone,+2250745123456,2,+2250745123456,,"
        );
    }

    #[test]
    fn one_old_id_on_two_rows_links_them() {
        assert_eq!(
            suggestions(&[(&[], &[CI_OLD]), (&[6591234567], &[CI_OLD])]),
            "1,1,r1,yes,ci_8_to_10_digits,22545123456,2,22545123456,,\n\
             1,2,r2,,ci_8_to_10_digits,22545123456,2,+6591234567;22545123456,,"
        );
    }

    #[test]
    fn argentine_forms_are_suggested_together() {
        let alias = Key::Alias(RuleId::Ar9, 541123456789);
        assert_eq!(
            suggestions(&[
                (&[541123456789], &[]),
                (&[5491123456789], std::slice::from_ref(&alias)),
                (&[541123456789], &[]),
            ]),
            "1,1,r1,yes,phone+ar_mobile_9,+541123456789,3,+541123456789,,\n\
             1,2,r2,,ar_mobile_9,+541123456789,3,+5491123456789,,\n\
             1,3,r3,,phone+ar_mobile_9,+541123456789,3,+541123456789,,"
        );
        // The alias alone ties nothing; two rows with the same +549 number link by it, and
        // the +54 form both reach is not shown.
        assert_eq!(
            suggestions(&[(&[5491123456789], std::slice::from_ref(&alias))]),
            ""
        );
        assert_eq!(
            suggestions(&[
                (&[5491123456789], std::slice::from_ref(&alias)),
                (&[5491123456789], std::slice::from_ref(&alias)),
            ]),
            "1,1,r1,yes,phone,+5491123456789,2,+5491123456789,,\n\
             1,2,r2,,phone,+5491123456789,2,+5491123456789,,"
        );
    }

    #[test]
    fn user_ids_link_rows_that_share_one() {
        let id = || Key::UserId("BR.1502576394655843".into());
        assert_eq!(
            suggestions(&[
                (&[], &[id()]),
                (&[], &[Key::UserId("BR.1502576394655844".into())]),
                (&[6591234567], &[id()])
            ]),
            "1,1,r1,yes,whatsapp_user_id,BR.1502576394655843,2,BR.1502576394655843,,\n\
             1,3,r3,,whatsapp_user_id,BR.1502576394655843,2,+6591234567;BR.1502576394655843,,"
        );
    }
}
