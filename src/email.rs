//! Email cells: trimmed and lower-cased when valid, kept verbatim and flagged when not.
//!
//! Messaging platforms match emails case-insensitively, so the whole address (local part
//! included) is lower-cased. Syntax is checked with the `email_address` crate (RFC 5321/5322
//! addr-spec), requiring a dotted domain: `jane@localhost` is not a contact's address.

use std::borrow::Cow;

use email_address::{EmailAddress, Options};

use crate::phone::trim;

/// The outcome of one email cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmailCell {
    /// Empty (or blank: `Some("")` means write an empty cell).
    Empty(Option<String>),
    /// Valid: `None` when the cell is already clean, else the cleaned address.
    Valid(Option<String>),
    /// Not a valid address: kept byte for byte.
    Invalid,
}

impl EmailCell {
    /// The normalised address, for linking rows (valid cells only).
    pub fn key<'a>(&'a self, raw: &'a str) -> Option<&'a str> {
        match self {
            EmailCell::Valid(Some(v)) => Some(v),
            EmailCell::Valid(None) => Some(raw),
            _ => None,
        }
    }
}

const OPTIONS: Options = Options {
    minimum_sub_domains: 2,
    allow_domain_literal: false,
    allow_display_text: false,
    allow_long_local_parts: false,
};

/// Normalises one email cell.
pub fn normalize_email(raw: &str) -> EmailCell {
    let t = trim(raw);
    if t.is_empty() {
        return EmailCell::Empty((!raw.is_empty()).then(String::new));
    }
    // `mailto:` links are an address in a wrapper; the wrapper is not part of it (nor is any
    // white space or invisible mark after it).
    let t = match t.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => trim(&t[7..]),
        _ => t,
    };
    if !is_valid(t) {
        return EmailCell::Invalid;
    }
    // Most addresses are already lower-case ASCII: no copy for those.
    let lower = if t.is_ascii() && !t.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(t.to_lowercase())
    };
    // Unicode lower-casing can change a character's length or class (KELVIN SIGN → `k`,
    // `İ` → `i` + a combining dot): what is written must itself be valid. (ASCII case does
    // not change validity.)
    if !t.is_ascii() && lower != t && !is_valid(&lower) {
        return EmailCell::Invalid;
    }
    if lower == raw {
        EmailCell::Valid(None)
    } else {
        EmailCell::Valid(Some(lower.into_owned()))
    }
}

/// A cell of several addresses, read part by part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailParts {
    /// `None`: keep the cell byte for byte (no part is valid). `Some`: write this: valid parts
    /// lower-cased, the others verbatim, every separator as it was.
    pub value: Option<String>,
    /// The valid parts, normalised: each one links rows.
    pub keys: Vec<String>,
    /// The parts that are not valid addresses (1-based).
    pub invalid: Vec<usize>,
}

/// Separators no address contains unquoted (a quoted local part makes the whole cell valid
/// and it is never split): Google Contacts' ` ::: `, HubSpot's `;` between additional emails,
/// a line break. Such a cell is read part by part.
const PER_PART: [&str; 3] = [":::", ";", "\n"];

/// `,` also ends display-name lists (`Doe, Jane <jane@x.com>`): split only when every part
/// is a valid address.
const ALL_VALID: [&str; 1] = [","];

/// Several addresses in one cell that is not one valid address (`normalize_email` said
/// [`EmailCell::Invalid`]); `None` when the cell does not split.
pub fn split_emails(raw: &str) -> Option<EmailParts> {
    let t = trim(raw);
    // Only the first per-part separator the cell holds is tried (as in `phone::split_per_part`):
    // the written cell then splits the same way again.
    let per_part = PER_PART
        .iter()
        .find(|s| t.contains(*s))
        .map(|s| (*s, false));
    for (sep, all_valid) in per_part
        .into_iter()
        .chain(ALL_VALID.iter().map(|s| (*s, true)))
    {
        let Some(spans) = crate::phone::split_spans(t, sep) else {
            continue;
        };
        let cells: Vec<EmailCell> = spans
            .iter()
            .map(|&(s, e)| normalize_email(&t[s..e]))
            .collect();
        let valid = |c: &EmailCell| matches!(c, EmailCell::Valid(_));
        if all_valid && !cells.iter().all(valid) {
            continue;
        }
        let mut parts = EmailParts {
            value: None,
            keys: Vec::new(),
            invalid: Vec::new(),
        };
        let mut out = String::with_capacity(t.len());
        let mut last = 0;
        for (i, (&(s, e), c)) in spans.iter().zip(&cells).enumerate() {
            out.push_str(&t[last..s]);
            match c.key(&t[s..e]) {
                Some(k) => {
                    out.push_str(k);
                    parts.keys.push(k.to_string());
                }
                None => {
                    out.push_str(&t[s..e]);
                    parts.invalid.push(i + 1);
                }
            }
            last = e;
        }
        out.push_str(&t[last..]);
        if !parts.keys.is_empty() {
            parts.value = Some(out);
        }
        return Some(parts);
    }
    None
}

fn is_valid(addr: &str) -> bool {
    (plain_address(addr) || EmailAddress::parse_with_options(addr, OPTIONS).is_ok())
        && domain_ok(addr)
}

/// The everyday shape, accepted without the full RFC parser (a strict subset of what it
/// accepts, so the verdict is the same): a dot-atom local part of letters, digits and `._%+-`
/// with no leading, trailing or doubled dot, then `@`, then a domain `domain_ok` checks.
fn plain_address(addr: &str) -> bool {
    let Some((local, domain)) = addr.split_once('@') else {
        return false;
    };
    let l = local.as_bytes();
    if l.is_empty() || l.len() > 64 || addr.len() > 254 || l[0] == b'.' || l[l.len() - 1] == b'.' {
        return false;
    }
    // One pass over the local part: allowed bytes, and no `..`.
    let mut prev_dot = false;
    for &b in l {
        let dot = b == b'.';
        if (dot && prev_dot)
            || !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-'))
        {
            return false;
        }
        prev_dot = dot;
    }
    domain
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Rules the crate leaves open: at least two labels, each is 1–63 letters, digits or hyphens, not
/// starting or ending with a hyphen, and the top-level label is not all digits.
fn domain_ok(addr: &str) -> bool {
    let Some((_, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    if domain.is_ascii() {
        ascii_domain_ok(domain.as_bytes())
    } else {
        any_domain_ok(domain)
    }
}

fn any_domain_ok(domain: &str) -> bool {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let Some((_, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    domain.split('.').all(label_ok) && tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())
}

/// `domain_ok` for an ASCII domain, in one pass over its bytes.
fn ascii_domain_ok(d: &[u8]) -> bool {
    let mut labels = 0;
    let mut start = 0;
    for i in 0..=d.len() {
        match d.get(i) {
            Some(b'.') | None => {
                let l = &d[start..i];
                if l.is_empty() || l.len() > 63 || l[0] == b'-' || l[l.len() - 1] == b'-' {
                    return false;
                }
                labels += 1;
                start = i + 1;
            }
            Some(&b) if b.is_ascii_alphanumeric() || b == b'-' => {}
            Some(_) => return false,
        }
    }
    let tld = &d[d.iter().rposition(|&b| b == b'.').map_or(0, |p| p + 1)..];
    labels >= 2 && tld.len() >= 2 && !tld.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_are_trimmed_and_lowered() {
        assert_eq!(
            normalize_email("  Jane.Doe@Example.COM "),
            EmailCell::Valid(Some("jane.doe@example.com".into()))
        );
        assert_eq!(normalize_email("a@b.co"), EmailCell::Valid(None));
        assert_eq!(
            normalize_email("mailto:Bo@Example.org"),
            EmailCell::Valid(Some("bo@example.org".into()))
        );
        assert_eq!(
            normalize_email("mailto:\u{a0}a@b.co"),
            EmailCell::Valid(Some("a@b.co".into()))
        );
    }

    #[test]
    fn invalid_addresses_are_kept() {
        for s in [
            "jane",
            "jane@",
            "@example.com",
            "jane@localhost",
            "jane@@example.com",
            "jane doe@example.com",
            "jane@example..com",
            "jane@-example.com",
            "jane@example.c",
            "jane@example.123",
            "Jane <jane@example.com>",
            "jane@exa mple.com",
            "a@b.\u{212a}",
            "a@\u{130}.co",
        ] {
            assert_eq!(normalize_email(s), EmailCell::Invalid, "{s:?}");
        }
    }

    #[test]
    fn blank_is_empty() {
        assert_eq!(normalize_email(""), EmailCell::Empty(None));
        assert_eq!(normalize_email("  "), EmailCell::Empty(Some(String::new())));
    }

    #[test]
    fn several_addresses_part_by_part() {
        let p = split_emails("Sales@X.com ::: billing@x.com").unwrap();
        assert_eq!(p.value.as_deref(), Some("sales@x.com ::: billing@x.com"));
        assert_eq!(p.keys, vec!["sales@x.com", "billing@x.com"]);
        assert!(p.invalid.is_empty());
        let p = split_emails("a@x.com; not-an-address;B@Y.org").unwrap();
        assert_eq!(p.value.as_deref(), Some("a@x.com; not-an-address;b@y.org"));
        assert_eq!(p.invalid, vec![2]);
        let p = split_emails("jane ::: bob").unwrap();
        assert_eq!((p.value, p.invalid), (None, vec![1, 2]));
        // `,` splits only when every part is an address.
        assert_eq!(split_emails("Doe, Jane <jane@x.com>"), None);
        let p = split_emails("a@x.com, B@y.com").unwrap();
        assert_eq!(p.value.as_deref(), Some("a@x.com, b@y.com"));
        assert_eq!(split_emails("a@x.com"), None);
    }

    proptest::proptest! {
        /// Part by part is idempotent too: the written cell splits the same way again, with the
        /// same keys and the same bad parts, and is not rewritten.
        #[test]
        fn multi_value_idempotent(s in "([A-Za-z0-9.]{1,6}@[A-Za-z]{1,5}\\.[A-Za-z]{2,3}|[a-z ]{1,5}|mailto:A@B.co)( ?(:::|;|,|\n) ?([A-Za-z0-9.]{1,6}@[A-Za-z]{1,5}\\.[A-Za-z]{2,3}|[a-z@ ]{1,5})){1,3}") {
            if normalize_email(&s) != EmailCell::Invalid {
                return Ok(());
            }
            let Some(first) = split_emails(&s) else { return Ok(()) };
            let written = first.value.clone().unwrap_or_else(|| s.clone());
            proptest::prop_assert_eq!(normalize_email(&written), EmailCell::Invalid);
            let second = split_emails(&written).expect("splits again");
            proptest::prop_assert_eq!(second.value.as_deref().unwrap_or(&written), written.as_str());
            proptest::prop_assert_eq!(&second.keys, &first.keys);
            proptest::prop_assert_eq!(&second.invalid, &first.invalid);
        }
    }

    proptest::proptest! {
        /// The one-pass ASCII domain check says what the general one says.
        #[test]
        fn ascii_domain_check_agrees(d in "[a-zA-Z0-9.\\-_ ]{0,20}") {
            proptest::prop_assert_eq!(ascii_domain_ok(d.as_bytes()), any_domain_ok(&d), "{:?}", d);
        }
    }

    proptest::proptest! {
        #[test]
        fn idempotent_and_never_panics(s in "\\PC{0,30}|[A-Za-z0-9._%+-]{1,10}@[A-Za-z0-9.-]{1,12}\\.[A-Za-z]{2,4}") {
            let first = normalize_email(&s);
            if let EmailCell::Valid(Some(v)) = &first {
                proptest::prop_assert_eq!(normalize_email(v), EmailCell::Valid(None));
            }
            if first == EmailCell::Invalid {
                proptest::prop_assert_eq!(normalize_email(&s), EmailCell::Invalid);
            }
        }
    }

    proptest::proptest! {
        /// The fast shape never accepts what the RFC parser would refuse.
        #[test]
        fn plain_shape_is_a_subset_of_the_parser(s in "[A-Za-z0-9._%+-]{0,12}@[A-Za-z0-9.-]{1,12}(\\.[A-Za-z]{2,4})?") {
            if plain_address(&s) && domain_ok(&s) {
                proptest::prop_assert!(EmailAddress::parse_with_options(&s, OPTIONS).is_ok(), "{}", s);
            }
        }
    }
}
