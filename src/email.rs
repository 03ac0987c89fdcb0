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
