//! Counts of what a run did, and the JSON report built from them (schema: `docs/report.md`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::columns::Kind;
use crate::dedupe::GroupSummary;
use crate::reason::Reason;
use crate::row::{CleanRow, Cleaner, Outcome};

/// Bumped when a field changes meaning or disappears (adding fields does not bump it).
pub const SCHEMA_VERSION: u32 = 1;

/// How many offending records a summary quotes.
pub const EXAMPLES: usize = 5;

/// Per-column counts. `empty + valid + fixed + invalid` = rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ColumnStats {
    pub name: String,
    pub kind: Option<Kind>,
    pub empty: u64,
    /// Valid and already in normal form.
    pub valid: u64,
    /// Valid once cleaned (the cell was rewritten).
    pub fixed: u64,
    /// Kept verbatim (or, for `not_mobile`, valid but unusable) and flagged.
    pub invalid: u64,
    /// Every flag raised on this column, by reason (informational ones included).
    pub reasons: BTreeMap<&'static str, u64>,
}

/// A record with flags, quoted in summaries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Offender {
    pub record: u64,
    pub line: u64,
    pub flags: String,
}

/// A record with fewer fields than the header (Outlook leaves trailing empty fields out): padded
/// with empty fields, counted, not flagged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ShortRows {
    pub rows: u64,
    /// The first such record and the line it starts on.
    pub first_record: Option<u64>,
    pub first_line: Option<u64>,
}

/// Where national numbers point when no region was given: how many phone values lack a
/// country code, and which calling code most of the file's own international numbers have.
/// A hint only: nothing is applied without `--default-region`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionHint {
    /// Phone values flagged `missing_country_code` (a cell of several counts each part).
    pub missing_country_code: u64,
    /// Valid international numbers written in the phone columns.
    pub international_numbers: u64,
    /// The calling code most of them have (`null` when there are none).
    pub calling_code: Option<u32>,
    /// Its main region (ISO 3166 alpha-2), what `--default-region` would take.
    pub region: Option<String>,
    /// The share of the international numbers that have it, 0 to 1.
    pub share: Option<f64>,
}

impl RegionHint {
    /// The sentence the summary prints.
    pub fn sentence(&self) -> String {
        let n = self.missing_country_code;
        let cells = if n == 1 {
            "phone number lacks"
        } else {
            "phone numbers lack"
        };
        match (self.calling_code, &self.region, self.share) {
            // Suggest a region only when most of the file points to it: a plurality of 21 %
            // is no evidence about the national numbers.
            (Some(cc), Some(region), Some(share)) if share >= 0.5 => format!(
                "{n} {cells} a country code; {:.0} % of this file's international numbers are \
                 +{cc} ({region}): --default-region {region} would read them",
                share * 100.0
            ),
            (Some(cc), Some(region), Some(share)) => format!(
                "{n} {cells} a country code; this file's international numbers are spread over \
                 several countries (the most, +{cc} ({region}), {:.0} %): name their region with \
                 --default-region CC or --region-column COLUMN",
                share * 100.0
            ),
            _ => format!(
                "{n} {cells} a country code; name their region with --default-region CC (or \
                 --region-column COLUMN)"
            ),
        }
    }
}

/// What a pass over the input counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub rows: u64,
    /// Rows with at least one flag.
    pub flagged_rows: u64,
    pub ragged_rows: u64,
    /// Records shorter than the header, padded.
    pub short_rows: ShortRows,
    /// Valid international numbers by calling code (the index; calling codes are under 1000),
    /// counted only when no region was given (for [`Stats::region_hint`]).
    #[serde(skip)]
    pub calling_codes: Vec<u64>,
    #[serde(skip)]
    hint_wanted: bool,
    /// Contact cells rewritten (cleaned values, blanks emptied).
    pub cells_changed: u64,
    pub columns: Vec<ColumnStats>,
    pub first_offenders: Vec<Offender>,
}

impl Stats {
    pub fn new(cleaner: &Cleaner) -> Self {
        let columns = cleaner
            .layout
            .contact
            .iter()
            .enumerate()
            .map(|(slot, &(_, kind))| ColumnStats {
                name: cleaner.label(slot).to_string(),
                kind: Some(kind),
                ..ColumnStats::default()
            })
            .collect();
        let mut columns: Vec<ColumnStats> = columns;
        let hint_wanted = cleaner.phone.default_region.is_none() && cleaner.layout.region.is_none();
        // `--region-column`: its `unknown_region` flags are counted under its name.
        if let Some(slot) = cleaner.region_slot() {
            columns.push(ColumnStats {
                name: cleaner.label(slot).to_string(),
                kind: None,
                ..ColumnStats::default()
            });
        }
        Stats {
            columns,
            hint_wanted,
            calling_codes: if hint_wanted {
                vec![0; 1000]
            } else {
                Vec::new()
            },
            ..Stats::default()
        }
    }

    /// Counts what only the record itself shows: a short record, and (when no region was given)
    /// the calling codes of the international numbers written in the phone columns.
    pub fn add_record(&mut self, p: &crate::sink::Processed, cleaner: &Cleaner) {
        if p.input.len() < cleaner.header.len() {
            let s = &mut self.short_rows;
            s.rows += 1;
            if s.first_record.is_none() {
                s.first_record = Some(p.record);
                s.first_line = Some(p.line);
            }
        }
        if !self.hint_wanted {
            return;
        }
        for (slot, &(col, kind)) in cleaner.layout.contact.iter().enumerate() {
            if kind != Kind::Phone || p.row.outcomes.get(slot) == Some(&Outcome::Empty) {
                continue;
            }
            let written = match p.row.edits.iter().find(|(c, _)| *c == col) {
                Some((_, v)) => v.as_bytes(),
                None => p.input.get(col).unwrap_or_default(),
            };
            tally_e164(written, &mut self.calling_codes);
        }
    }

    /// Where the national numbers point, when no region was given and some were found.
    pub fn region_hint(&self) -> Option<RegionHint> {
        let phone_columns = self.columns.iter().filter(|c| c.kind == Some(Kind::Phone));
        let missing: u64 = phone_columns
            .map(|c| {
                c.reasons
                    .get(Reason::MissingCountryCode.as_str())
                    .copied()
                    .unwrap_or(0)
            })
            .sum();
        if !self.hint_wanted || missing == 0 {
            return None;
        }
        let total: u64 = self.calling_codes.iter().sum();
        // The most frequent code; the lowest on a tie, so the hint is the same at any `-j`.
        let top = self
            .calling_codes
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .max_by_key(|(cc, n)| (**n, std::cmp::Reverse(*cc)));
        let region = top.and_then(|(cc, _)| {
            rlibphonenumber::PHONE_NUMBER_UTIL
                .get_region_for_country_code(cc as i32)
                .map(|r| r.to_string())
        });
        Some(RegionHint {
            missing_country_code: missing,
            international_numbers: total,
            calling_code: top.map(|(cc, _)| cc as u32),
            share: top.map(|(_, n)| *n as f64 / total as f64),
            region,
        })
    }

    /// Counts one cleaned row; `flags` is its rendered flags cell.
    pub fn add(&mut self, record: u64, line: u64, row: &CleanRow, flags: &str) {
        self.rows += 1;
        self.cells_changed += row.edits.len() as u64;
        for (c, o) in self.columns.iter_mut().zip(&row.outcomes) {
            match o {
                Outcome::Empty => c.empty += 1,
                Outcome::Valid => c.valid += 1,
                Outcome::Fixed => c.fixed += 1,
                Outcome::Invalid => c.invalid += 1,
            }
        }
        for f in &row.flags {
            match f.slot {
                Some(s) => {
                    *self.columns[s]
                        .reasons
                        .entry(f.reason.as_str())
                        .or_default() += 1
                }
                None if f.reason == Reason::Ragged => self.ragged_rows += 1,
                None => {}
            }
        }
        if !row.flags.is_empty() {
            self.flagged_rows += 1;
            if self.first_offenders.len() < EXAMPLES {
                self.first_offenders.push(Offender {
                    record,
                    line,
                    flags: flags.to_string(),
                });
            }
        }
    }

    /// Invalid cells over all contact columns.
    pub fn invalid(&self) -> u64 {
        self.columns.iter().map(|c| c.invalid).sum()
    }

    /// Non-empty contact cells over all columns.
    pub fn non_empty(&self) -> u64 {
        self.columns
            .iter()
            .map(|c| c.valid + c.fixed + c.invalid)
            .sum()
    }

    /// Flags of one reason over all columns.
    pub fn reason_count(&self, r: Reason) -> u64 {
        if r == Reason::Ragged {
            return self.ragged_rows;
        }
        self.columns
            .iter()
            .map(|c| c.reasons.get(r.as_str()).copied().unwrap_or(0))
            .sum()
    }

    /// Invalid cells by reason over all columns (informational flags left out).
    pub fn invalid_by_reason(&self) -> BTreeMap<&'static str, u64> {
        let mut m = BTreeMap::new();
        for c in &self.columns {
            for (r, n) in &c.reasons {
                if Reason::parse(r).is_some_and(Reason::is_invalid) {
                    *m.entry(*r).or_default() += n;
                }
            }
        }
        m
    }
}

/// One threshold and whether the data met it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThresholdResult {
    /// As the user wrote it, e.g. `--max-invalid Phone=2%`.
    pub threshold: String,
    pub actual: String,
    pub passed: bool,
}

/// The JSON document `--report` writes.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: &'static str,
    pub version: &'static str,
    pub phone_metadata: &'static str,
    pub command: String,
    pub input: String,
    pub rows: u64,
    pub flagged_rows: u64,
    pub ragged_rows: u64,
    pub short_rows: ShortRows,
    pub cells_changed: u64,
    pub columns: Vec<ColumnStats>,
    /// Only when national numbers were found and no region was given.
    pub region_hint: Option<RegionHint>,
    pub invalid_by_reason: BTreeMap<&'static str, u64>,
    pub first_offenders: Vec<Offender>,
    pub duplicates: Option<GroupSummary>,
    pub elapsed_seconds: f64,
    pub rows_per_second: f64,
    pub thresholds: Vec<ThresholdResult>,
    /// `pass` or `fail` for `check`; `null` for the other commands.
    pub verdict: Option<&'static str>,
}

impl Report {
    pub fn new(command: &str, input: &str, stats: &Stats, elapsed_seconds: f64) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: "contactclean",
            version: env!("CARGO_PKG_VERSION"),
            phone_metadata: crate::phone::METADATA_VERSION,
            command: command.to_string(),
            input: input.to_string(),
            rows: stats.rows,
            flagged_rows: stats.flagged_rows,
            ragged_rows: stats.ragged_rows,
            short_rows: stats.short_rows.clone(),
            cells_changed: stats.cells_changed,
            columns: stats.columns.clone(),
            region_hint: stats.region_hint(),
            invalid_by_reason: stats.invalid_by_reason(),
            first_offenders: stats.first_offenders.clone(),
            duplicates: None,
            elapsed_seconds,
            rows_per_second: if elapsed_seconds > 0.0 {
                stats.rows as f64 / elapsed_seconds
            } else {
                0.0
            },
            thresholds: Vec::new(),
            verdict: None,
        }
    }
}

/// Counts the calling code of every E.164 number (`+` and 8 to 15 digits, standing alone) in a
/// written phone cell, single numbers and the parts of a multi-value cell alike, into `codes`
/// (indexed by calling code). On the writer thread for every phone cell: bytes only.
fn tally_e164(cell: &[u8], codes: &mut [u64]) {
    let mut i = 0;
    while let Some(off) = cell[i..].iter().position(|&b| b == b'+') {
        let start = i + off + 1;
        let mut end = start;
        while end < cell.len() && cell[end].is_ascii_digit() {
            end += 1;
        }
        let alone = cell.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
        if (8..=15).contains(&(end - start)) && alone {
            let mut cc = 0usize;
            for &d in &cell[start..start + 3] {
                cc = cc * 10 + usize::from(d - b'0');
                if crate::validity::is_calling_code(cc as i32) {
                    if let Some(n) = codes.get_mut(cc) {
                        *n += 1;
                    }
                    break;
                }
            }
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calling_codes_of_written_cells() {
        let mut codes = vec![0u64; 1000];
        for cell in [
            "+919995433008",
            "4844055334 ::: +919995433008",
            "+14844055334;+442079460018",
            "+999 1234 5678",
            "+99912345678",
            "no phone",
        ] {
            tally_e164(cell.as_bytes(), &mut codes);
        }
        let counted: Vec<(usize, u64)> = codes
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(cc, n)| (cc, *n))
            .collect();
        assert_eq!(counted, [(1, 1), (44, 1), (91, 2)]);
    }

    #[test]
    fn hint_sentence() {
        let h = RegionHint {
            missing_country_code: 851,
            international_numbers: 100,
            calling_code: Some(91),
            region: Some("IN".into()),
            share: Some(0.93),
        };
        assert_eq!(
            h.sentence(),
            "851 phone numbers lack a country code; 93 % of this file's international numbers \
             are +91 (IN): --default-region IN would read them"
        );
        // A plurality is no evidence: no region is suggested.
        let spread = RegionHint {
            share: Some(0.21),
            ..h
        };
        assert!(spread.sentence().contains("spread over several countries"));
        assert!(!spread.sentence().contains("would read them"));
    }
}
