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

/// What a pass over the input counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub rows: u64,
    /// Rows with at least one flag.
    pub flagged_rows: u64,
    pub ragged_rows: u64,
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
        Stats {
            columns,
            ..Stats::default()
        }
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
    pub cells_changed: u64,
    pub columns: Vec<ColumnStats>,
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
            cells_changed: stats.cells_changed,
            columns: stats.columns.clone(),
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
