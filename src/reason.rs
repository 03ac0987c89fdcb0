//! The closed set of reasons a cell or a row can be flagged for.
//!
//! Each reason is written into the `flags` column as `COLUMN:reason` (or `row:reason`), so the
//! names here are part of the output format: documented in `docs/reasons.md`, never renamed.

use std::fmt;

/// Why a cell (or a row) was flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// National form with no country code; kept verbatim (never guessed).
    MissingCountryCode,
    /// Written with `+`/`00` but the country calling code does not exist.
    InvalidCountryCode,
    /// Too few digits for any number of the country.
    TooShort,
    /// Too many digits for any number of the country.
    TooLong,
    /// Right length and country, but not a number the country's numbering plan allocates.
    InvalidNumber,
    /// Not a phone number at all (words, a date, an email in a phone column, …).
    NotANumber,
    /// Spreadsheet scientific notation (`6.59123E+10`): the digits are already lost.
    ExcelScientific,
    /// With `--default-region`: valid both as `+digits` and as a national number.
    Ambiguous,
    /// With `--require-mobile`: valid, but a fixed line, toll-free, premium, … number.
    NotMobile,
    /// The cell held several valid numbers; all are kept, joined by `;`.
    MultipleNumbers,
    /// The number had an extension; the cell holds the main number, the flag carries the digits.
    Extension,
    /// An email cell that is not a syntactically valid address.
    InvalidEmail,
    /// A record with more or fewer fields than the header (only with `--flexible`).
    Ragged,
}

impl Reason {
    /// Every reason, in documentation order.
    pub const ALL: [Reason; 13] = [
        Reason::MissingCountryCode,
        Reason::InvalidCountryCode,
        Reason::TooShort,
        Reason::TooLong,
        Reason::InvalidNumber,
        Reason::NotANumber,
        Reason::ExcelScientific,
        Reason::Ambiguous,
        Reason::NotMobile,
        Reason::MultipleNumbers,
        Reason::Extension,
        Reason::InvalidEmail,
        Reason::Ragged,
    ];

    /// The name written in the `flags` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::MissingCountryCode => "missing_country_code",
            Reason::InvalidCountryCode => "invalid_country_code",
            Reason::TooShort => "too_short",
            Reason::TooLong => "too_long",
            Reason::InvalidNumber => "invalid_number",
            Reason::NotANumber => "not_a_number",
            Reason::ExcelScientific => "excel_scientific",
            Reason::Ambiguous => "ambiguous",
            Reason::NotMobile => "not_mobile",
            Reason::MultipleNumbers => "multiple_numbers",
            Reason::Extension => "extension",
            Reason::InvalidEmail => "invalid_email",
            Reason::Ragged => "ragged",
        }
    }

    /// Parses a reason name as written in `flags` (used by `--fail-on`).
    pub fn parse(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// True when the cell's value is kept verbatim because it could not be cleaned.
    /// Informational flags (several numbers, an extension) sit on cells that were cleaned.
    pub fn is_invalid(self) -> bool {
        !matches!(
            self,
            Reason::MultipleNumbers | Reason::Extension | Reason::NotMobile | Reason::Ragged
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
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reason::parse("nope"), None);
    }
}
