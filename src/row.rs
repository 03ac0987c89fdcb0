//! One record in, its cleaned cells, flags and linking keys out. Pure: no I/O.

use crate::columns::{Kind, Layout};
use crate::email::{normalize_email, EmailCell};
use crate::phone::{normalize_phone, PhoneOptions};
use crate::reason::Reason;

/// What happened to one contact cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Empty,
    /// Valid and already in normal form.
    Valid,
    /// Valid once cleaned: the cell was rewritten.
    Fixed,
    /// Kept verbatim and flagged.
    Invalid,
}

/// One flag on a row: `slot` indexes `Layout::contact`; `None` is a row-level flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowFlag {
    pub slot: Option<usize>,
    pub reason: Reason,
    pub detail: Option<String>,
}

/// The cleaned form of one record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CleanRow {
    /// Cells to rewrite, as (column index, new value), in column order.
    pub edits: Vec<(usize, String)>,
    /// One outcome per contact column (parallel to `Layout::contact`).
    pub outcomes: Vec<Outcome>,
    pub flags: Vec<RowFlag>,
    /// Valid phone numbers (E.164 digits as integers) and normalised emails: the linking keys.
    pub phones: Vec<u64>,
    pub emails: Vec<String>,
    /// Non-empty cells: how complete the row is (picks a group's survivor).
    pub filled: u32,
}

impl CleanRow {
    /// The `flags` cell: `COLUMN:reason` entries joined by `;`, in column order.
    pub fn flags_cell(&self, cleaner: &Cleaner) -> String {
        let mut out = String::new();
        for f in &self.flags {
            if !out.is_empty() {
                out.push(';');
            }
            match f.slot {
                Some(s) => out.push_str(cleaner.label(s)),
                None => out.push_str("row"),
            }
            out.push(':');
            out.push_str(f.reason.as_str());
            if let Some(d) = &f.detail {
                out.push('=');
                out.push_str(d);
            }
        }
        out
    }
}

/// Cleans records of one file: the layout and options fixed for the whole run.
#[derive(Clone, Debug)]
pub struct Cleaner {
    pub header: Vec<String>,
    pub layout: Layout,
    pub phone: PhoneOptions,
    /// How flags name each contact column: its header name, `NAME#2`, `NAME#3`… for a name the
    /// header repeats, so every flag points at one column.
    labels: Vec<String>,
}

impl Cleaner {
    pub fn new(header: Vec<String>, layout: Layout, phone: PhoneOptions) -> Cleaner {
        let labels = layout
            .contact
            .iter()
            .map(|&(col, _)| {
                let name = &header[col];
                let nth = header[..col].iter().filter(|h| *h == name).count() + 1;
                if nth == 1 {
                    name.clone()
                } else {
                    format!("{name}#{nth}")
                }
            })
            .collect();
        Cleaner {
            header,
            layout,
            phone,
            labels,
        }
    }

    /// The name flags and reports give contact column `slot`.
    pub fn label(&self, slot: usize) -> &str {
        &self.labels[slot]
    }

    /// Cleans one record. `cell(i)` returns field `i` (empty past the end of a short record);
    /// `ragged` marks a record whose width differs from the header's (`--flexible`).
    pub fn clean(&self, fields: &[&str], ragged: bool) -> CleanRow {
        let cell = |i: usize| fields.get(i).copied().unwrap_or("");
        let mut row = CleanRow {
            filled: fields
                .iter()
                .enumerate()
                .filter(|(i, f)| Some(*i) != self.layout.flags && !f.is_empty())
                .count() as u32,
            ..CleanRow::default()
        };
        for (slot, &(col, kind)) in self.layout.contact.iter().enumerate() {
            let raw = cell(col);
            let outcome = match kind {
                Kind::Phone => self.phone_cell(&mut row, slot, col, raw),
                Kind::Email => email_cell(&mut row, slot, col, raw),
            };
            row.outcomes.push(outcome);
        }
        if let Some(fc) = self.layout.flags {
            self.carry_extensions(&mut row, cell(fc));
        }
        if ragged {
            row.flags.push(RowFlag {
                slot: None,
                reason: Reason::Ragged,
                detail: None,
            });
        }
        row
    }

    fn phone_cell(&self, row: &mut CleanRow, slot: usize, col: usize, raw: &str) -> Outcome {
        let cell = normalize_phone(raw, &self.phone);
        let invalid = cell.flags.iter().any(|f| f.reason.is_invalid());
        for f in cell.flags {
            row.flags.push(RowFlag {
                slot: Some(slot),
                reason: f.reason,
                detail: f.detail,
            });
        }
        row.phones.extend_from_slice(&cell.numbers);
        let outcome = match &cell.value {
            _ if invalid => Outcome::Invalid,
            None if raw.is_empty() => Outcome::Empty,
            Some(v) if v.is_empty() => Outcome::Empty,
            Some(v) if v != raw => Outcome::Fixed,
            _ => Outcome::Valid,
        };
        if let Some(v) = cell.value {
            if v != raw {
                row.edits.push((col, v));
            }
        }
        outcome
    }
}

fn email_cell(row: &mut CleanRow, slot: usize, col: usize, raw: &str) -> Outcome {
    let cell = normalize_email(raw);
    if let Some(k) = cell.key(raw) {
        row.emails.push(k.to_string());
    }
    match cell {
        EmailCell::Empty(None) => Outcome::Empty,
        EmailCell::Empty(Some(v)) => {
            row.edits.push((col, v));
            Outcome::Empty
        }
        EmailCell::Valid(None) => Outcome::Valid,
        EmailCell::Valid(Some(v)) => {
            row.edits.push((col, v));
            Outcome::Fixed
        }
        EmailCell::Invalid => {
            row.flags.push(RowFlag {
                slot: Some(slot),
                reason: Reason::InvalidEmail,
                detail: None,
            });
            Outcome::Invalid
        }
    }
}

impl Cleaner {
    /// An extension lives in the flags cell once its number is cleaned, so re-running
    /// `normalize` on its own output keeps it (the run is idempotent): `LABEL:extension=DIGITS`
    /// is carried over when that column's cell is a clean, valid number with no extension of
    /// its own. Entries are found by the whole label at an entry boundary, so a header name
    /// holding `;` or `:` still matches.
    fn carry_extensions(&self, row: &mut CleanRow, old_flags: &str) {
        for (slot, &(_, kind)) in self.layout.contact.iter().enumerate() {
            let has_own = row
                .flags
                .iter()
                .any(|f| f.slot == Some(slot) && f.reason == Reason::Extension);
            if kind != Kind::Phone || row.outcomes[slot] != Outcome::Valid || has_own {
                continue;
            }
            if let Some(digits) = find_extension(old_flags, self.label(slot)) {
                row.flags.push(RowFlag {
                    slot: Some(slot),
                    reason: Reason::Extension,
                    detail: Some(digits.to_string()),
                });
            }
        }
        // Column order, and within a column the order the cleaner writes its flags in.
        row.flags
            .sort_by_key(|f| (f.slot.unwrap_or(usize::MAX), flag_rank(f.reason)));
    }
}

/// The order of one cell's informational flags (a cell has one invalid reason at most).
fn flag_rank(r: Reason) -> u8 {
    match r {
        Reason::MultipleNumbers => 0,
        Reason::Extension => 1,
        Reason::NotMobile => 2,
        _ => 0,
    }
}

/// The digits of the entry `LABEL:extension=DIGITS` in a flags cell, if there is one.
fn find_extension<'a>(flags: &'a str, label: &str) -> Option<&'a str> {
    let pat = format!("{label}:extension=");
    let mut from = 0;
    while let Some(pos) = flags[from..].find(&pat) {
        let at = from + pos;
        let rest = &flags[at + pat.len()..];
        let digits = &rest[..rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len())];
        let boundary_before = at == 0 || flags.as_bytes()[at - 1] == b';';
        let boundary_after = rest.len() == digits.len() || rest[digits.len()..].starts_with(';');
        if boundary_before && boundary_after && !digits.is_empty() {
            return Some(digits);
        }
        from = at + 1;
    }
    None
}
