//! Phone cells: any human rendering in, E.164 (or a precise reason) out.
//!
//! Validity is libphonenumber's, through `rlibphonenumber` (see `docs/phone-library.md`).
//! What the library does not do with no default region is done here, before it is called:
//! trimming, `00` → `+`, bare `wa_id` digits → `+digits`, spreadsheet damage, labels, several
//! numbers in one cell. A number written without a country code is never guessed.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;
use rlibphonenumber::{
    PhoneNumber, PhoneNumberFormat, PhoneNumberType, ValidationError, PHONE_NUMBER_UTIL,
};

pub use rlibphonenumber::Region;

use crate::guard::library;
use crate::reason::Reason;

/// The libphonenumber metadata release the pinned `rlibphonenumber` (2.2.15) embeds, as a
/// literal so `--version` can `concat!` it; bump it with the crate.
#[macro_export]
macro_rules! metadata_version {
    () => {
        "9.0.42"
    };
}

/// The libphonenumber metadata release in use (reports and `--version` say it).
pub const METADATA_VERSION: &str = metadata_version!();

/// A region code as a user writes it (`gb`, `SG`), when the phone metadata knows the region:
/// the one reading of `--default-region` for the command line and every binding.
pub fn parse_region(s: &str) -> Result<Region, String> {
    let code = s.trim().to_ascii_uppercase();
    Region::from_code(&code)
        .ok()
        .filter(|r| {
            library(|| PHONE_NUMBER_UTIL.get_country_code_for_region(*r))
                .ok()
                .flatten()
                .is_some()
        })
        .ok_or_else(|| format!("{s:?} is not a region code with phone metadata (e.g. GB, US, SG)"))
}

/// What the user asked for beyond the defaults.
#[derive(Clone, Copy, Debug)]
pub struct PhoneOptions {
    /// Read national-form numbers as numbers of this region (opt-in, never guessed).
    pub default_region: Option<Region>,
    /// Flag valid numbers that cannot receive messages on a mobile app.
    pub require_mobile: bool,
    /// Apply the WhatsApp identity rules of [`crate::whatsapp`] (legacy `wa_id` forms,
    /// business-scoped user ids). On by default; `--no-whatsapp-rules` turns them off.
    pub whatsapp_rules: bool,
}

impl Default for PhoneOptions {
    fn default() -> Self {
        PhoneOptions {
            default_region: None,
            require_mobile: false,
            whatsapp_rules: true,
        }
    }
}

/// A flag raised on one cell; `detail` carries recoverable data (an extension's digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellFlag {
    pub reason: Reason,
    pub detail: Option<String>,
}

impl CellFlag {
    fn new(reason: Reason) -> Self {
        CellFlag {
            reason,
            detail: None,
        }
    }
}

/// The outcome of one phone cell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PhoneCell {
    /// `None`: keep the input cell byte for byte. `Some`: write this instead.
    pub value: Option<String>,
    pub flags: Vec<CellFlag>,
    /// Every valid number in the cell as the integer of its E.164 digits: what links rows.
    pub numbers: Vec<u64>,
}

impl PhoneCell {
    fn invalid(reason: Reason) -> Self {
        PhoneCell {
            value: None,
            flags: vec![CellFlag::new(reason)],
            numbers: Vec::new(),
        }
    }
}

/// One valid number.
struct Valid {
    e164: String,
    extension: Option<String>,
    mobile_ok: bool,
}

/// Normalises one phone cell.
pub fn normalize_phone(raw: &str, opts: &PhoneOptions) -> PhoneCell {
    let t = trim(raw);
    if t.is_empty() {
        // Blank or whitespace-only: an empty cell, not an invalid number.
        let value = if raw.is_empty() {
            None
        } else {
            Some(String::new())
        };
        return PhoneCell {
            value,
            ..PhoneCell::default()
        };
    }
    if is_excel_scientific(t) {
        return PhoneCell::invalid(Reason::ExcelScientific);
    }
    // A separator no number is written with splits the cell before it is read as one number
    // (the library would read `+65 9123 4567 or later` as one, dropping the rest) when a part
    // is valid; with no valid part, the whole cell may still be one number (`… (work or home)`).
    // One pass over the bytes rules it out for most cells.
    let mut parts = None;
    if t.bytes()
        .any(|b| matches!(b, b':' | b'\n' | b'|' | b'&' | b'o' | b'O'))
    {
        parts = split_per_part(t, opts);
        if let Some(cell) = parts.take_if(|c| !c.numbers.is_empty()) {
            return cell;
        }
    }
    let text = to_ascii_digits(t);
    match classify(&text, opts) {
        Ok(v) => finish_one(v, opts),
        Err(reason) => parts
            .or_else(|| split_all_valid(t, opts))
            // A legacy WhatsApp id or a business-scoped user id, else the reason.
            .or_else(|| crate::whatsapp::cell(raw, opts))
            .unwrap_or_else(|| PhoneCell::invalid(reason)),
    }
}

/// Builds the cell from one valid number: the common case, without a vector of one.
fn finish_one(v: Valid, opts: &PhoneOptions) -> PhoneCell {
    let mut flags = Vec::new();
    if let Some(ext) = v.extension {
        flags.push(CellFlag {
            reason: Reason::Extension,
            detail: Some(ext),
        });
    }
    if opts.require_mobile && !v.mobile_ok {
        flags.push(CellFlag::new(Reason::NotMobile));
    }
    PhoneCell {
        numbers: e164_key(&v.e164).into_iter().collect(),
        value: Some(v.e164),
        flags,
    }
}

/// Builds a cell read part by part (`spans` into `t`, one verdict each): valid parts are
/// written in E.164, the others verbatim, and every separator (with the white space around it)
/// as it was, so a Google ` ::: ` cell stays one. Flags: `multiple_numbers`, then each invalid
/// part's reason with `partN` as detail (1-based), then extensions and `not_mobile`, the order
/// `row::flag_rank` sorts them in. With no valid part the cell is kept byte for byte.
fn finish_parts(
    t: &str,
    spans: &[(usize, usize)],
    verdicts: Vec<Result<Valid, Reason>>,
    opts: &PhoneOptions,
) -> PhoneCell {
    let mut flags = vec![CellFlag::new(Reason::MultipleNumbers)];
    for (i, v) in verdicts.iter().enumerate() {
        if let Err(reason) = v {
            flags.push(CellFlag {
                reason: *reason,
                detail: Some(format!("part{}", i + 1)),
            });
        }
    }
    for v in verdicts.iter().flatten() {
        if let Some(ext) = &v.extension {
            flags.push(CellFlag {
                reason: Reason::Extension,
                detail: Some(ext.clone()),
            });
        }
    }
    if opts.require_mobile && verdicts.iter().flatten().any(|v| !v.mobile_ok) {
        flags.push(CellFlag::new(Reason::NotMobile));
    }
    let numbers: Vec<u64> = verdicts
        .iter()
        .flatten()
        .filter_map(|v| e164_key(&v.e164))
        .collect();
    let value = (!numbers.is_empty()).then(|| {
        let mut out = String::with_capacity(t.len());
        let mut last = 0;
        for (&(start, end), v) in spans.iter().zip(&verdicts) {
            out.push_str(&t[last..start]);
            match v {
                Ok(v) => out.push_str(&v.e164),
                Err(_) => out.push_str(&t[start..end]),
            }
            last = end;
        }
        out.push_str(&t[last..]);
        out
    });
    PhoneCell {
        value,
        flags,
        numbers,
    }
}

/// The integer of an E.164 string's digits (`+6591234567` → 6591234567): a compact, exact key.
pub fn e164_key(e164: &str) -> Option<u64> {
    e164.strip_prefix('+')?.parse().ok()
}

/// Trims white space and the invisible marks spreadsheets and RTL exports leave around values.
pub fn trim(s: &str) -> &str {
    // Most cells start and end with a visible ASCII character: nothing to trim.
    if s.as_bytes().first().is_some_and(u8::is_ascii_graphic)
        && s.as_bytes().last().is_some_and(u8::is_ascii_graphic)
    {
        return s;
    }
    s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{feff}')
    })
}

fn is_excel_scientific(s: &str) -> bool {
    if !s.contains(['E', 'e']) {
        return false;
    }
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^[+-]?[0-9]+(?:[.,][0-9]+)?[eE]\+?[0-9]+$").unwrap())
        .is_match(s)
}

/// Maps decimal digits of other scripts (full-width, Arabic-Indic, Persian, Devanagari, …) and
/// the full-width plus to ASCII, so the `00` and bare-digit rules see every script alike.
pub(crate) fn to_ascii_digits(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    // Zero of each decimal-digit block commonly seen in contact data.
    const ZEROS: [u32; 14] = [
        0xFF10, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
        0x0CE6, 0x0E50, 0x1040,
    ];
    let mapped = s
        .chars()
        .map(|c| {
            if c == '\u{FF0B}' {
                return '+';
            }
            let u = c as u32;
            for z in ZEROS {
                if (z..z + 10).contains(&u) {
                    return char::from(b'0' + (u - z) as u8);
                }
            }
            c
        })
        .collect();
    Cow::Owned(mapped)
}

/// Classifies one candidate number (labels stripped first).
fn classify(s: &str, opts: &PhoneOptions) -> Result<Valid, Reason> {
    let s = strip_spreadsheet_float(strip_labels(s));
    // The library skips any text before the number ("B,+44…" would lose "B,"): only a label
    // (stripped above), `tel:` or the number itself may start the cell.
    let starts_ok = s.starts_with(['+', '(']) || s.starts_with(|c: char| c.is_ascii_digit());
    if !starts_ok && !is_tel_uri(s) {
        return Err(Reason::NotANumber);
    }
    let intl_00 = international_00(s);
    let s = intl_00.as_deref().unwrap_or(s);
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return bare_digits(s, opts);
    }
    let lower_tel = is_tel_uri(s);
    let has_plus = s.chars().find(|c| *c == '+' || c.is_ascii_digit()) == Some('+');
    if has_plus {
        if let Some(Ok(v)) = fast_international(s, opts) {
            return Ok(v);
        }
    }
    if !has_plus && !lower_tel && opts.default_region.is_none() && plainly_national(s) {
        return Err(national_reason(s));
    }
    if has_plus || lower_tel || opts.default_region.is_none() {
        match parse(s, None) {
            Ok(n) => validate(&n, opts),
            Err(Reason::InvalidCountryCode) if !has_plus => Err(national_reason(s)),
            Err(r) => Err(r),
        }
    } else {
        parse(s, opts.default_region).and_then(|n| validate(&n, opts))
    }
}

/// Bare ASCII digits: the WhatsApp `wa_id` form if `+digits` is valid; otherwise a national
/// number (read in `--default-region` if given), never a guess between the two.
fn bare_digits(d: &str, opts: &PhoneOptions) -> Result<Valid, Reason> {
    let mut plus = String::with_capacity(d.len() + 1);
    plus.push('+');
    plus.push_str(d);
    let intl = match fast_international(&plus, opts) {
        Some(verdict) => verdict.ok(),
        None => parse(&plus, None)
            .ok()
            .and_then(|n| validate(&n, opts).ok()),
    };
    let Some(region) = opts.default_region else {
        return intl.ok_or_else(|| national_reason(d));
    };
    let national = parse(d, Some(region)).and_then(|n| validate(&n, opts));
    // The library strips a leading country code from national input when that makes the
    // number valid, which hides the second reading; so the digits are also tried as the
    // region's national significant number, literally.
    let literal = library(|| PHONE_NUMBER_UTIL.get_country_code_for_region(region))
        .ok()
        .flatten()
        .and_then(|cc| parse(&format!("+{cc}{d}"), None).ok())
        .and_then(|n| validate(&n, opts).ok());
    match (intl, national) {
        (Some(a), national) => {
            let differs = |b: &Valid| b.e164 != a.e164;
            if national.as_ref().is_ok_and(differs) || literal.as_ref().is_some_and(differs) {
                Err(Reason::Ambiguous)
            } else {
                Ok(a)
            }
        }
        (None, Ok(b)) => Ok(b),
        (None, Err(r)) => literal.ok_or(r),
    }
}

fn is_tel_uri(s: &str) -> bool {
    s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tel:"))
}

/// The common shape — `+`, digits, light punctuation — validated without the generic parser,
/// which is about half the library's cost per cell: the country code is read off the digits
/// (calling codes are prefix-free) and the rest checked against that country's metadata.
/// `Some(Err)` ("invalid") only for `+` and digits that the library's parser would take
/// literally (see [`crate::validity::parses_literally`]), where the caller needs no reason.
/// `None` (anything unusual, a national number starting with 0, a verdict the tables cannot
/// give) sends the cell to the full parser, which also gives the precise reason of an invalid
/// number. `fast_path_agrees_with_library` checks both verdicts against the library on every
/// example number of every region and type and near misses of them.
fn fast_international(s: &str, opts: &PhoneOptions) -> Option<Result<Valid, ()>> {
    // `tel:+44-20…`, `(+44) 20…`: the library skips what comes before the plus sign too.
    let tel = is_tel_uri(s);
    let s = if tel { &s[4..] } else { s };
    let paren = s.starts_with("(+");
    let rest = s.strip_prefix('+').or_else(|| s.strip_prefix("(+"))?;
    let mut digits = [0u8; 20];
    let mut n = 0;
    let mut punctuated = tel || paren;
    for b in rest.bytes() {
        match b {
            b'0'..=b'9' if n < digits.len() => {
                digits[n] = b;
                n += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' => punctuated = true,
            _ => return None,
        }
    }
    // No calling code starts with 0 (and `01…` must not read as `+1`).
    if n < 8 || digits[0] == b'0' {
        return None;
    }
    let digits = std::str::from_utf8(&digits[..n]).ok()?;
    let (cc, national) = (1..=3).find_map(|l| {
        let cc: i32 = digits[..l].parse().ok()?;
        crate::validity::is_calling_code(cc).then(|| (cc, &digits[l..]))
    })?;
    if national.starts_with('0') {
        return None;
    }
    // The library's parser strips a national prefix from some `+cc` numbers (`+375 810…` reads
    // as `+375 10…`): the digits are judged as they stand only where it would not.
    if crate::validity::parses_literally(cc, national) != Some(true) {
        return None;
    }
    // The verdict from the tables when it is "valid" and no number type is needed; anything
    // else is the library's call (a reason for an invalid number comes from the full parser).
    match crate::validity::is_valid(cc, national) {
        Some(false) if !punctuated => return Some(Err(())),
        Some(false) => return None,
        Some(true) if !opts.require_mobile => {
            // `digits` is the calling code and the national number, so this is the E.164.
            let mut e164 = String::with_capacity(digits.len() + 1);
            e164.push('+');
            e164.push_str(digits);
            return Some(Ok(Valid {
                e164,
                extension: None,
                mobile_ok: true,
            }));
        }
        _ => {}
    }
    let number = PhoneNumber {
        country_code: cc,
        national_number: national.parse().ok()?,
        ..PhoneNumber::default()
    };
    validate(&number, opts).ok().map(Ok)
}

/// Digits (three or more) and light punctuation, no `+`: with no default region, the library
/// can only answer "invalid country code" (it has found the text viable and has no region to
/// read it in), so the cell is a national number and the call is skipped.
/// `plainly_national_agrees_with_library` checks that on generated strings.
fn plainly_national(s: &str) -> bool {
    let mut digits = 0;
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return false,
        }
    }
    digits >= 3
}

/// `00 44 20…` → `+44 20…`: the international prefix used by most of the world.
fn international_00(s: &str) -> Option<String> {
    let start = s.find(|c: char| c != '(' && c != ' ')?;
    let rest = s[start..].strip_prefix("00")?;
    let rest = rest.trim_start_matches([' ', '-', '.', ')']);
    if rest.starts_with(|c: char| c.is_ascii_digit() && c != '0') {
        Some(["+", rest].concat())
    } else {
        None
    }
}

/// `6591234567.0` (a float round-trip in a spreadsheet) is the number it was.
pub(crate) fn strip_spreadsheet_float(s: &str) -> &str {
    match s.strip_suffix(".0") {
        Some(head)
            if !head.is_empty()
                && head
                    .trim_start_matches('+')
                    .bytes()
                    .all(|b| b.is_ascii_digit()) =>
        {
            head
        }
        _ => s,
    }
}

/// Strips labels around a number (`Mobile: …`, `… (work)`, `… home`): libphonenumber would read
/// their letters as keypad digits and so invalidate the number.
pub(crate) fn strip_labels(s: &str) -> &str {
    static LEAD: OnceLock<Regex> = OnceLock::new();
    static TRAIL: OnceLock<Regex> = OnceLock::new();
    let mut s = trim(s);
    // Cheap tests first: most cells have no label, and these Unicode-aware regexes cost ~30 ms
    // to compile, so they are built only when a cell may need them.
    if s.contains([':', '：']) && !is_tel_uri(s) {
        let lead =
            LEAD.get_or_init(|| Regex::new(r"^\p{L}[\p{L}\p{M} ._/-]{0,30}?\s*[:：]\s*").unwrap());
        if let Some(m) = lead.find(s) {
            s = &s[m.end()..];
        }
    }
    if s.ends_with([')', ']']) || s.ends_with(char::is_alphabetic) {
        let trail = TRAIL.get_or_init(|| {
            Regex::new(
                r"(?i)(?:\s*[(\[]\s*\p{L}[\p{L}\p{M} ._-]{0,30}[)\]]|\s+(?:home|work|mobile|mob|cell|office|fax|main|whatsapp|wa|personal|private|other|business|landline|primary))\s*$",
            )
            .unwrap()
        });
        if let Some(m) = trail.find(s) {
            s = &s[..m.start()];
        }
    }
    trim(s)
}

/// Why a number with no country code is invalid: usually just that, unless it cannot be a
/// phone number at all.
fn national_reason(s: &str) -> Reason {
    static DATE: OnceLock<Regex> = OnceLock::new();
    let date = DATE.get_or_init(|| {
        Regex::new(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})$").unwrap()
    });
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    if date.is_match(s) || s.chars().any(|c| c == '@') {
        Reason::NotANumber
    } else if digits < 5 {
        Reason::TooShort
    } else if digits > 17 {
        Reason::TooLong
    } else {
        Reason::MissingCountryCode
    }
}

/// Calls the library, turning its one known panic (`tel:` after `;phone-context=`) or any other
/// into a flagged cell rather than an aborted run.
fn parse(s: &str, region: Option<Region>) -> Result<PhoneNumber, Reason> {
    use rlibphonenumber::ParseError as E;
    match library(|| PHONE_NUMBER_UTIL.parse(s, region)) {
        Err(_) => Err(Reason::NotANumber),
        Ok(Ok(n)) => Ok(n),
        Ok(Err(E::InvalidCountryCode)) => Err(Reason::InvalidCountryCode),
        Ok(Err(E::TooShortAfterIdd | E::TooShortNsn)) => Err(Reason::TooShort),
        Ok(Err(E::TooLongNsn)) => Err(Reason::TooLong),
        Ok(Err(E::NotANumber(_))) => Err(Reason::NotANumber),
    }
}

/// The library's verdict on a parsed number (through the guard: its panic flags the cell).
fn validate(n: &PhoneNumber, opts: &PhoneOptions) -> Result<Valid, Reason> {
    library(|| validate_unguarded(n, opts)).unwrap_or(Err(Reason::NotANumber))
}

fn validate_unguarded(n: &PhoneNumber, opts: &PhoneOptions) -> Result<Valid, Reason> {
    if !is_valid(n) {
        return Err(match n.is_possible_with_reason() {
            Err(ValidationError::TooShort) => Reason::TooShort,
            Err(ValidationError::TooLong) => Reason::TooLong,
            Err(ValidationError::InvalidCountryCode) => Reason::InvalidCountryCode,
            _ => Reason::InvalidNumber,
        });
    }
    let mobile_ok = !opts.require_mobile
        || matches!(
            n.get_type(),
            PhoneNumberType::Mobile | PhoneNumberType::FixedLineOrMobile | PhoneNumberType::Unknown
        );
    Ok(Valid {
        e164: n.format_as(PhoneNumberFormat::E164).into_owned(),
        extension: n.extension.clone().filter(|e| !e.is_empty()),
        mobile_ok,
    })
}

/// The library's `is_valid`, answered from `validity`'s tables when they can (the library
/// compiles a dozen Unicode regexes per region on first use, for a verdict the tables give
/// exactly: `validity::tests::verdicts_agree_with_the_library`).
fn is_valid(n: &PhoneNumber) -> bool {
    if n.italian_leading_zero != Some(true) {
        let nsn = n.national_number.to_string();
        if let Some(v) = crate::validity::is_valid(n.country_code, &nsn) {
            return v;
        }
    }
    n.is_valid()
}

/// Separators no single number is written with (Google Contacts' ` ::: `, a line break, a
/// bar, words): such a cell is read part by part, each part with its own verdict.
const PER_PART: [&str; 6] = [":::", "\n", "|", " or ", " OR ", " & "];

/// Separators a single number may hold (`02/633 12 34` is one Belgian number, `,` is a dialling
/// pause, `;ext=` an extension): the cell is split on one only when every part is valid.
const ALL_VALID: [&str; 3] = [";", "/", ","];

/// Several values in one (trimmed) cell on the first separator of [`PER_PART`] it holds, or
/// `None` (none, or it leaves an empty part). Only the first is tried: the written cell then
/// holds it between the same parts (valid parts become E.164, which holds no separator), so
/// it splits the same way again.
fn split_per_part(t: &str, opts: &PhoneOptions) -> Option<PhoneCell> {
    let sep = PER_PART.iter().find(|sep| t.contains(*sep))?;
    let spans = split_spans(t, sep)?;
    let verdicts = spans
        .iter()
        .map(|&(s, e)| classify_part(&t[s..e], opts))
        .collect();
    Some(finish_parts(t, &spans, verdicts, opts))
}

/// Several valid numbers in one (trimmed, invalid as a whole) cell on a separator of
/// [`ALL_VALID`], or `None`.
fn split_all_valid(t: &str, opts: &PhoneOptions) -> Option<PhoneCell> {
    for sep in ALL_VALID {
        if let Some(spans) = split_spans(t, sep) {
            let valid: Option<Vec<Result<Valid, Reason>>> = spans
                .iter()
                .map(|&(s, e)| classify_part(&t[s..e], opts).ok().map(Ok))
                .collect();
            if let Some(valid) = valid {
                return Some(finish_parts(t, &spans, valid, opts));
            }
        }
    }
    None
}

/// The byte spans of the trimmed parts of `t` split on `sep`: two or more, none empty.
pub(crate) fn split_spans(t: &str, sep: &str) -> Option<Vec<(usize, usize)>> {
    if !t.contains(sep) {
        return None;
    }
    let mut spans = Vec::new();
    let mut start = 0;
    let ends = t
        .match_indices(sep)
        .map(|(i, _)| (i, i + sep.len()))
        .chain(std::iter::once((t.len(), t.len())));
    for (end, next) in ends {
        let seg = &t[start..end];
        let part = trim(seg);
        if part.is_empty() {
            return None;
        }
        let offset = start + (part.as_ptr() as usize - seg.as_ptr() as usize);
        spans.push((offset, offset + part.len()));
        start = next;
    }
    (spans.len() >= 2).then_some(spans)
}

/// One part of a multi-value cell, judged as a cell of its own.
fn classify_part(p: &str, opts: &PhoneOptions) -> Result<Valid, Reason> {
    if is_excel_scientific(p) {
        return Err(Reason::ExcelScientific);
    }
    classify(&to_ascii_digits(p), opts)
}

/// Every number type the library has example numbers for: the tests that check a rule on
/// every example number of every region walk these.
#[cfg(test)]
pub(crate) const EXAMPLE_TYPES: [PhoneNumberType; 10] = [
    PhoneNumberType::FixedLine,
    PhoneNumberType::Mobile,
    PhoneNumberType::TollFree,
    PhoneNumberType::PremiumRate,
    PhoneNumberType::SharedCost,
    PhoneNumberType::VoIP,
    PhoneNumberType::PersonalNumber,
    PhoneNumberType::Pager,
    PhoneNumberType::UAN,
    PhoneNumberType::VoiceMail,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> PhoneCell {
        normalize_phone(s, &PhoneOptions::default())
    }

    fn e164(s: &str) -> Option<String> {
        let c = norm(s);
        assert!(c.flags.is_empty(), "{s:?} flagged {:?}", c.flags);
        c.value
    }

    fn reason(s: &str) -> Reason {
        let c = norm(s);
        assert_eq!(c.value, None, "{s:?} should be kept verbatim");
        c.flags[0].reason
    }

    #[test]
    fn renderings_of_one_number_agree() {
        for s in [
            "+65 9123 4567",
            "+65 9123-4567",
            "+65.9123.4567",
            "(+65) 9123 4567",
            "0065 9123 4567",
            "00-65-9123-4567",
            "006591234567",
            "tel:+65-9123-4567",
            "6591234567",
            "６５９１２３４５６７",
            "＋６５ ９１２３ ４５６７",
            "  +6591234567\t",
            "Mobile: +65 9123 4567",
            "+65 9123 4567 (work)",
            "6591234567.0",
            "TEL:+6591234567",
        ] {
            assert_eq!(e164(s).as_deref(), Some("+6591234567"), "{s:?}");
        }
    }

    #[test]
    fn trunk_zero_in_brackets() {
        assert_eq!(
            e164("+44 (0)20 7946 0018").as_deref(),
            Some("+442079460018")
        );
    }

    #[test]
    fn national_numbers_are_never_guessed() {
        assert_eq!(reason("020 7946 0018"), Reason::MissingCountryCode);
        assert_eq!(reason("02079460018"), Reason::MissingCountryCode);
        assert_eq!(reason("(216) 381-8095"), Reason::MissingCountryCode);
        // A trunk zero before digits that would be valid after `+1`: still national.
        assert_eq!(reason("015739254406"), Reason::MissingCountryCode);
    }

    #[test]
    fn default_region_reads_national_numbers() {
        let opts = PhoneOptions {
            default_region: Some(Region::from_code("GB").unwrap()),
            require_mobile: false,
            whatsapp_rules: true,
        };
        let c = normalize_phone("020 7946 0018", &opts);
        assert_eq!(c.value.as_deref(), Some("+442079460018"));
        assert!(c.flags.is_empty());
    }

    #[test]
    fn junk_reasons() {
        assert_eq!(reason("6.59123E+10"), Reason::ExcelScientific);
        assert_eq!(reason("no phone"), Reason::NotANumber);
        assert_eq!(reason("123"), Reason::TooShort);
        assert_eq!(reason("1994-01-26"), Reason::NotANumber);
        assert_eq!(reason("Call +65 9123 4567"), Reason::NotANumber);
        assert_eq!(reason("B,+44 20 7946 0018"), Reason::NotANumber);
        assert_eq!(reason("+999 1234 5678"), Reason::InvalidCountryCode);
    }

    /// `810…` is a valid Belarusian number as written, but the parser strips `8` as a national
    /// prefix (`+375 10…`), which is no number: every rendering says what the library says.
    #[test]
    fn a_national_prefix_after_the_calling_code_is_the_librarys_call() {
        for s in [
            "+375 810 275 1858",
            "+3758102751858",
            "(+375) 810 275 1858",
            "tel:+375-810-275-1858",
            "00375 810 275 1858",
        ] {
            assert_eq!(reason(s), Reason::InvalidNumber, "{s:?}");
        }
        // The bare digits are then not a wa_id but a national number.
        assert_eq!(reason("3758102751858"), Reason::MissingCountryCode);
    }

    #[test]
    fn library_panic_is_a_flag() {
        for s in [";phone-context=+1;tel:", "1;phone-context=+44;tel:123"] {
            let c = norm(s);
            assert_eq!(c.value, None);
            assert!(!c.flags.is_empty());
        }
    }

    #[test]
    fn extension_is_kept_in_the_flag() {
        let c = norm("+1 202-555-0123 ext. 45");
        assert_eq!(c.value.as_deref(), Some("+12025550123"));
        assert_eq!(
            c.flags,
            vec![CellFlag {
                reason: Reason::Extension,
                detail: Some("45".into())
            }]
        );
    }

    #[test]
    fn several_numbers_split_only_when_all_valid() {
        let c = norm("+65 9123 4567 / +65 8123 4567");
        assert_eq!(c.value.as_deref(), Some("+6591234567 / +6581234567"));
        assert_eq!(c.flags[0].reason, Reason::MultipleNumbers);
        assert_eq!(c.numbers, vec![6591234567, 6581234567]);
        assert_eq!(reason("02/633 12 34"), Reason::MissingCountryCode);
        // An ambiguous separator with a part that is not a valid number: the whole cell's reason.
        assert_eq!(reason("+65 9123 4567, 9123 4567"), Reason::NotANumber);
        assert_eq!(
            norm("+65 9123 4567;+65 8123 4567").value.as_deref(),
            Some("+6591234567;+6581234567")
        );
    }

    fn part_flag(reason: Reason, part: usize) -> CellFlag {
        CellFlag {
            reason,
            detail: Some(format!("part{part}")),
        }
    }

    #[test]
    fn google_cells_are_read_part_by_part_and_keep_their_separator() {
        let c = norm("4844055334 ::: +919995433008");
        assert_eq!(c.value.as_deref(), Some("4844055334 ::: +919995433008"));
        assert_eq!(
            c.flags,
            vec![
                CellFlag::new(Reason::MultipleNumbers),
                part_flag(Reason::MissingCountryCode, 1)
            ]
        );
        assert_eq!(c.numbers, vec![919995433008]);

        let c = norm("+91 99954 33008 ::: +1 484 405 5334");
        assert_eq!(c.value.as_deref(), Some("+919995433008 ::: +14844055334"));
        assert_eq!(c.flags, vec![CellFlag::new(Reason::MultipleNumbers)]);
        assert_eq!(c.numbers, vec![919995433008, 14844055334]);

        let c = norm("+261 34 06 035 98 ::: 034 06 035 98");
        assert_eq!(c.value.as_deref(), Some("+261340603598 ::: 034 06 035 98"));
        // Every part invalid: the cell is kept byte for byte, each part's reason reported.
        let c = norm(" 020 7946 0018 ::: no phone ");
        assert_eq!(c.value, None);
        assert_eq!(
            c.flags,
            vec![
                CellFlag::new(Reason::MultipleNumbers),
                part_flag(Reason::MissingCountryCode, 1),
                part_flag(Reason::NotANumber, 2)
            ]
        );
    }

    #[test]
    fn unambiguous_separators_are_per_part() {
        for (cell, want) in [
            ("+65 9123 4567\n9123 4567", "+6591234567\n9123 4567"),
            ("+65 9123 4567 | 9123 4567", "+6591234567 | 9123 4567"),
            ("+65 9123 4567 or 9123 4567", "+6591234567 or 9123 4567"),
            ("+65 9123 4567 & 9123 4567", "+6591234567 & 9123 4567"),
            (
                "Mobile: +65 9123 4567 ::: 6.59123E+10",
                "+6591234567 ::: 6.59123E+10",
            ),
        ] {
            let c = norm(cell);
            assert_eq!(c.value.as_deref(), Some(want), "{cell:?}");
            assert_eq!(c.numbers, vec![6591234567], "{cell:?}");
            assert!(c.flags.iter().any(|f| f.reason.is_invalid()), "{cell:?}");
        }
        // A single number written with `/` inside is still one number, and so is a number whose
        // label holds a separator (no part of it is a number on its own).
        assert_eq!(e164("+44 20 / 7946 0018").as_deref(), Some("+442079460018"));
        assert_eq!(
            e164("+65 9123 4567 (work or home)").as_deref(),
            Some("+6591234567")
        );
    }

    #[test]
    fn parts_with_extensions_keep_them_in_flags() {
        let c = norm("+1 202-555-0123 ext. 45 ::: 020 7946 0018");
        assert_eq!(c.value.as_deref(), Some("+12025550123 ::: 020 7946 0018"));
        assert_eq!(
            c.flags,
            vec![
                CellFlag::new(Reason::MultipleNumbers),
                part_flag(Reason::MissingCountryCode, 2),
                CellFlag {
                    reason: Reason::Extension,
                    detail: Some("45".into())
                }
            ]
        );
    }

    #[test]
    fn blank_is_empty_not_invalid() {
        assert_eq!(norm(""), PhoneCell::default());
        assert_eq!(norm("   ").value.as_deref(), Some(""));
        assert!(norm("   ").flags.is_empty());
    }

    /// Normalising a normalised value changes nothing, and no string makes it panic.
    fn assert_idempotent(s: &str) {
        for opts in [
            PhoneOptions::default(),
            PhoneOptions {
                default_region: Some(Region::from_code("GB").unwrap()),
                require_mobile: true,
                whatsapp_rules: true,
            },
        ] {
            let first = normalize_phone(s, &opts);
            let value = first.value.clone().unwrap_or_else(|| s.to_string());
            let second = normalize_phone(&value, &opts);
            assert_eq!(second.value.as_deref().unwrap_or(&value), value, "{s:?}");
            let reasons = |c: &PhoneCell| -> Vec<Reason> {
                c.flags
                    .iter()
                    .map(|f| f.reason)
                    // Carried by the flags column, not by the cell (`row.rs`).
                    .filter(|r| !matches!(r, Reason::Extension | Reason::LegacyWhatsappId))
                    .collect()
            };
            assert_eq!(reasons(&second), reasons(&first), "{s:?}");
            assert_eq!(second.numbers, first.numbers, "{s:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn any_string(s in "\\PC{0,40}") {
            assert_idempotent(&s);
        }

        #[test]
        fn multi_value_cells(s in "(\\+?[0-9 ]{1,14}|[a-z]{1,4}|\\+65 9123 4567)( ?(:::|;|/|,|\\||\n| or | & ) ?(\\+?[0-9 ()-]{1,14}|[a-z]{1,4}|\\+44 20 7946 0018)){1,3}") {
            assert_idempotent(&s);
        }

        #[test]
        fn phone_shaped_strings(s in "(tel:|00|\\+|＋)?[0-9０-９ ()+.\\-/;x#]{0,24}( ext\\.? ?[0-9]{1,5})?") {
            assert_idempotent(&s);
        }
    }

    proptest::proptest! {
        /// Where `plainly_national` skips the library, the library says "invalid country
        /// code" (so the cell gets `national_reason`), and never anything else.
        #[test]
        fn plainly_national_agrees_with_library(s in "[(]?[0-9]{0,2}[0-9 .()-]{0,24}") {
            if plainly_national(&s) {
                proptest::prop_assert_eq!(parse(&s, None).err(), Some(Reason::InvalidCountryCode), "{:?}", s);
            }
        }
    }

    /// The fast path must agree with the library: same verdict, same E.164, for every example
    /// number (valid and invalid) of every region and number type, in E.164, spaced and
    /// `(+cc)` forms, and near misses of them.
    #[test]
    fn fast_path_agrees_with_library() {
        let opts = PhoneOptions::default();
        let types = EXAMPLE_TYPES;
        let (mut checked, mut fast, mut fast_invalid) = (0, 0, 0);
        for region in PHONE_NUMBER_UTIL.get_supported_regions() {
            let mut examples: Vec<PhoneNumber> = types
                .iter()
                .filter_map(|t| {
                    PHONE_NUMBER_UTIL
                        .get_example_number_for_type_and_region(region, *t)
                        .ok()
                })
                .collect();
            examples.extend(PHONE_NUMBER_UTIL.get_invalid_example_number(region).ok());
            for ex in examples {
                let e164 = ex.format_as(PhoneNumberFormat::E164).into_owned();
                let intl = ex.format_as(PhoneNumberFormat::International).into_owned();
                // The same digits with one more or one less trailing digit: near misses.
                let longer = format!("{e164}7");
                let shorter = e164[..e164.len() - 1].to_string();
                // A trunk zero in front of the digits: never a calling code.
                let zero = format!("+0{}", &e164[1..]);
                let paren = intl.replacen(' ', ") ", 1).replacen('+', "(+", 1);
                let tel = format!("tel:{}", intl.replace(' ', "-"));
                // A digit between calling code and number: what a national prefix looks like.
                let cc = ex.country_code.to_string();
                let prefixed: Vec<String> = ('1'..='9')
                    .map(|d| format!("+{cc}{d}{}", &e164[1 + cc.len()..]))
                    .collect();
                let shapes = [&e164, &intl, &longer, &shorter, &zero, &paren, &tel];
                for s in shapes.into_iter().chain(&prefixed) {
                    // The library alone (`validate` answers from the tables).
                    let lib = parse(s, None)
                        .ok()
                        .filter(|n| n.is_valid())
                        .map(|n| n.format_as(PhoneNumberFormat::E164).into_owned());
                    match fast_international(s, &opts) {
                        Some(Ok(quick)) => {
                            fast += 1;
                            assert_eq!(Some(quick.e164), lib, "{region:?} {s:?}");
                        }
                        Some(Err(())) => {
                            fast_invalid += 1;
                            assert_eq!(None, lib, "{region:?} {s:?}");
                        }
                        None => {}
                    }
                    checked += 1;
                }
            }
        }
        assert!(
            checked > 3000 && fast > 1000 && fast_invalid > 500,
            "checked {checked}, fast {fast}, fast_invalid {fast_invalid}"
        );
    }
}
