//! The closed set of reasons a cell or a row can be flagged for.
//!
//! Each reason is written into the `flags` column as `COLUMN:reason` (or `row:reason`), so the
//! names here are part of the output format: documented in `docs/reasons.md`, never renamed.
//! The enum, its names and [`Reason::ALL`] come from one list (the macro below), so a new
//! variant cannot be missing from the report's counts or from `--fail-on`.

use std::fmt;

macro_rules! reasons {
    ($( $(#[doc = $doc:expr])* $variant:ident => $name:literal, )+) => {
        /// Why a cell (or a row) was flagged.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Reason {
            $( $(#[doc = $doc])* $variant, )+
        }

        impl Reason {
            /// Every reason, in documentation order.
            pub const ALL: &'static [Reason] = &[ $( Reason::$variant, )+ ];

            /// The name written in the `flags` column.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Reason::$variant => $name, )+
                }
            }
        }
    };
}

reasons! {
    /// National form with no country code; kept verbatim (never guessed).
    MissingCountryCode => "missing_country_code",
    /// Written with `+`/`00` but the country calling code does not exist.
    InvalidCountryCode => "invalid_country_code",
    /// Too few digits for any number of the country.
    TooShort => "too_short",
    /// Too many digits for any number of the country.
    TooLong => "too_long",
    /// Right length and country, but not a number the country's numbering plan allocates.
    InvalidNumber => "invalid_number",
    /// Not a phone number at all (words, a date, an email in a phone column, …).
    NotANumber => "not_a_number",
    /// Spreadsheet scientific notation (`6.59123E+10`): the digits are already lost.
    ExcelScientific => "excel_scientific",
    /// With `--default-region`: valid both as `+digits` and as a national number.
    Ambiguous => "ambiguous",
    /// With `--require-mobile`: valid, but a fixed line, toll-free, premium, … number.
    NotMobile => "not_mobile",
    /// The cell held several values (` ::: `, a line break, `/`, …); each is cleaned on its own
    /// and the separators are kept.
    MultipleNumbers => "multiple_numbers",
    /// The number had an extension; the cell holds the main number, the flag carries the digits.
    Extension => "extension",
    /// A WhatsApp id in a form a numbering-plan change left behind (`5215512345678`,
    /// `551187654321`, `22545123456`): rewritten to today's E.164 where that is certain, kept
    /// verbatim where it is not (see `docs/whatsapp.md`). Informational.
    LegacyWhatsappId => "legacy_whatsapp_id",
    /// An email cell that is not a syntactically valid address.
    InvalidEmail => "invalid_email",
    /// With `--region-column`: the row's region cell names no country (its national numbers
    /// are read with `--default-region`, if given).
    UnknownRegion => "unknown_region",
    /// A record with more or fewer fields than the header (only with `--flexible`).
    Ragged => "ragged",
    /// With `--flexible`: the record held bytes invalid in the input's encoding; they were
    /// replaced by U+FFFD in the output.
    Encoding => "encoding",
    /// With `--flexible`: a vCard that could not be parsed (no `END:VCARD`, a broken folded
    /// line) was passed through verbatim, its values not cleaned.
    Malformed => "malformed",
}

impl Reason {
    /// Parses a reason name as written in `flags` (used by `--fail-on`).
    pub fn parse(name: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.as_str() == name)
    }

    /// True when the cell's value is kept verbatim because it could not be cleaned.
    /// Informational flags (several numbers, an extension) sit on cells that were cleaned.
    pub fn is_invalid(self) -> bool {
        !matches!(
            self,
            Reason::MultipleNumbers
                | Reason::Extension
                | Reason::NotMobile
                | Reason::LegacyWhatsappId
                | Reason::Ragged
                | Reason::Encoding
                | Reason::Malformed
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reason::parse("nope"), None);
    }
}
