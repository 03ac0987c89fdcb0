//! One record in, its cleaned cells, flags and linking keys out. Pure: no I/O.

use crate::columns::{Kind, Layout};
use crate::email::{normalize_email, split_emails, EmailCell, EmailParts};
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
    /// Numbers of shared-line columns (fax, pager, …; `Layout::links`) are cleaned but left out.
    pub phones: Vec<u64>,
    pub emails: Vec<String>,
    /// Keys the WhatsApp rules add (`crate::whatsapp::keys`): empty unless a rule applies.
    pub rule_keys: Vec<crate::whatsapp::Key>,
    /// Non-empty cells: how complete the row is (picks a group's survivor).
    pub filled: u32,
    /// The existing flags column holds something other than this tool's flags: recomputing
    /// it would destroy data, so the run stops.
    pub foreign_flags: bool,
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
    /// Collect each row's linking keys (`CleanRow::phones`, `emails`): only merge
    /// suggestions need them, and a plain `normalize` saves the copies.
    pub keys: bool,
    /// How flags name each contact column: its header name, `NAME#2`, `NAME#3`… for a name the
    /// header repeats, so every flag points at one column.
    labels: Vec<String>,
}

impl Cleaner {
    pub fn new(header: Vec<String>, layout: Layout, phone: PhoneOptions) -> Cleaner {
        let mut labels: Vec<String> = Vec::with_capacity(layout.contact.len());
        for &(col, _) in &layout.contact {
            let name = &header[col];
            let mut label = name.clone();
            // A repeated name gets `#2`, `#3`…, skipping any that another column already bears.
            let mut nth = header[..col].iter().filter(|h| *h == name).count() + 1;
            if nth > 1 {
                loop {
                    label = format!("{name}#{nth}");
                    if !header.contains(&label) && !labels.contains(&label) {
                        break;
                    }
                    nth += 1;
                }
            }
            labels.push(label);
        }
        // The region column's flags (`unknown_region`) use the slot after the contact columns.
        if let Some(col) = layout.region {
            labels.push(header[col].clone());
        }
        Cleaner {
            header,
            layout,
            phone,
            keys: true,
            labels,
        }
    }

    /// The name flags and reports give contact column `slot` (or, at `region_slot`, the
    /// region column).
    pub fn label(&self, slot: usize) -> &str {
        &self.labels[slot]
    }

    /// The slot `COLUMN:unknown_region` flags use: the one after the contact columns, when a
    /// region column is named.
    pub fn region_slot(&self) -> Option<usize> {
        self.layout.region.map(|_| self.layout.contact.len())
    }

    /// The phone options for one row: its region cell's region when it names one, else
    /// `--default-region`; true when the cell is filled but names no country.
    fn row_phone<'a>(&self, cell: &dyn Fn(usize) -> &'a str) -> (PhoneOptions, bool) {
        let Some(col) = self.layout.region else {
            return (self.phone, false);
        };
        let value = crate::phone::trim(cell(col));
        if value.is_empty() {
            return (self.phone, false);
        }
        match crate::region::region_cached(value) {
            Some(r) => (
                PhoneOptions {
                    default_region: Some(r),
                    ..self.phone
                },
                false,
            ),
            None => (self.phone, true),
        }
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
                .count()
                .try_into()
                .unwrap_or(u32::MAX),
            ..CleanRow::default()
        };
        let (phone, unknown_region) = self.row_phone(&cell);
        for (slot, &(col, kind)) in self.layout.contact.iter().enumerate() {
            let raw = cell(col);
            let outcome = match kind {
                Kind::Phone => self.phone_cell(&mut row, slot, col, raw, &phone),
                Kind::Email => email_cell(&mut row, slot, col, raw, self.keys),
            };
            row.outcomes.push(outcome);
        }
        if unknown_region {
            row.flags.push(RowFlag {
                slot: self.region_slot(),
                reason: Reason::UnknownRegion,
                detail: None,
            });
        }
        if let Some(fc) = self.layout.flags {
            row.foreign_flags = !self.carry_extensions(&mut row, cell(fc));
        }
        // A short record is padded (nothing is lost: its missing fields are trailing empty
        // ones, as Outlook writes them); only a long one is ragged.
        if ragged && fields.len() > self.header.len() {
            row.flags.push(RowFlag {
                slot: None,
                reason: Reason::Ragged,
                detail: None,
            });
        }
        row
    }

    fn phone_cell(
        &self,
        row: &mut CleanRow,
        slot: usize,
        col: usize,
        raw: &str,
        phone: &PhoneOptions,
    ) -> Outcome {
        let cell = normalize_phone(raw, phone);
        if self.keys && self.layout.links(slot) {
            crate::whatsapp::keys(raw, &cell, phone, &mut row.rule_keys);
        }
        let invalid = cell.flags.iter().any(|f| f.reason.is_invalid());
        for f in cell.flags {
            row.flags.push(RowFlag {
                slot: Some(slot),
                reason: f.reason,
                detail: f.detail,
            });
        }
        // A shared line (an office fax on every colleague's row) is no evidence of one person.
        if self.keys && self.layout.links(slot) {
            row.phones.extend_from_slice(&cell.numbers);
        }
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

fn email_cell(row: &mut CleanRow, slot: usize, col: usize, raw: &str, keys: bool) -> Outcome {
    let cell = normalize_email(raw);
    if cell == EmailCell::Invalid {
        if let Some(parts) = split_emails(raw) {
            return email_parts(row, slot, col, raw, keys, parts);
        }
    }
    if let Some(k) = cell.key(raw).filter(|_| keys) {
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

/// An email cell of several addresses: each bad part flagged `invalid_email=partN`, each good
/// one a key; invalid when any part is.
fn email_parts(
    row: &mut CleanRow,
    slot: usize,
    col: usize,
    raw: &str,
    keys: bool,
    parts: EmailParts,
) -> Outcome {
    if keys {
        row.emails.extend(parts.keys);
    }
    for part in &parts.invalid {
        row.flags.push(RowFlag {
            slot: Some(slot),
            reason: Reason::InvalidEmail,
            detail: Some(format!("part{part}")),
        });
    }
    let changed = match parts.value {
        Some(v) if v != raw => {
            row.edits.push((col, v));
            true
        }
        _ => false,
    };
    match (parts.invalid.is_empty(), changed) {
        (false, _) => Outcome::Invalid,
        (true, true) => Outcome::Fixed,
        (true, false) => Outcome::Valid,
    }
}

impl Cleaner {
    /// An extension lives in the flags cell once its number is cleaned, so re-running
    /// `normalize` on its own output keeps it (the run is idempotent): `LABEL:extension=DIGITS`
    /// is carried over when that column's cell is a clean, valid number with no extension of
    /// its own. The old cell is read entry by entry, each entry claimed by the longest label
    /// that starts it, so header names holding `;` or `:` cannot be mistaken for one another.
    /// Returns false when an entry is not one this tool writes (`LABEL:reason[=detail]`).
    fn carry_extensions(&self, row: &mut CleanRow, old_flags: &str) -> bool {
        let own = row.flags.len();
        let mut ours = true;
        let mut pos = 0;
        while pos < old_flags.len() {
            let rest = &old_flags[pos..];
            let slot = (0..self.labels.len())
                .filter(|&s| {
                    let l = &self.labels[s];
                    rest.starts_with(l.as_str()) && rest[l.len()..].starts_with(':')
                })
                .max_by_key(|&s| self.labels[s].len());
            let row_entry = slot.is_none() && rest.starts_with("row:");
            let body_start = match slot {
                Some(s) => self.labels[s].len() + 1,
                None if row_entry => 4,
                None => 0,
            };
            let end = rest[body_start..]
                .find(';')
                .map_or(rest.len(), |i| body_start + i);
            // An entry for a column this run does not clean (named differently last time)
            // is still ours when it ends in `:reason[=detail]`.
            let body = match (slot, row_entry) {
                (None, false) => rest[..end].rsplit_once(':').map_or("", |(_, b)| b),
                _ => &rest[body_start..end],
            };
            let name = body.split_once('=').map_or(body, |(n, _)| n);
            if !is_reason_shaped(name) {
                ours = false;
            }
            if let (Some(slot), Some(digits)) =
                (slot, rest[body_start..end].strip_prefix("extension="))
            {
                self.carry_extension(row, own, slot, digits);
            }
            if let (Some(slot), true) = (slot, body == Reason::LegacyWhatsappId.as_str()) {
                crate::whatsapp::carry_flag(self, row, slot);
            }
            pos += end + 1;
        }
        // Column order, and within a column the order the cleaner writes its flags in.
        row.flags
            .sort_by_key(|f| (f.slot.unwrap_or(usize::MAX), flag_rank(f.reason)));
        ours
    }

    /// `own`: how many of `row.flags` this run raised (the rest were carried already): a
    /// cell of several numbers carries each of its extensions.
    fn carry_extension(&self, row: &mut CleanRow, own: usize, slot: usize, digits: &str) {
        let has_own = row.flags[..own]
            .iter()
            .any(|f| f.slot == Some(slot) && f.reason == Reason::Extension);
        let Some(&(col, kind)) = self.layout.contact.get(slot) else {
            return;
        };
        let digits_ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        // Unchanged by this run and holding a valid number: a clean cell, or one of several
        // parts where another part is invalid (so the cell's outcome is `Invalid`).
        let clean = match row.outcomes[slot] {
            Outcome::Valid => true,
            Outcome::Invalid => {
                row.flags[..own]
                    .iter()
                    .any(|f| f.slot == Some(slot) && f.reason == Reason::MultipleNumbers)
                    && !row.edits.iter().any(|(c, _)| *c == col)
            }
            _ => false,
        };
        if kind == Kind::Phone && digits_ok && clean && !has_own {
            row.flags.push(RowFlag {
                slot: Some(slot),
                reason: Reason::Extension,
                detail: Some(digits.to_string()),
            });
        }
    }
}

/// A reason name as this tool writes them (`missing_country_code`): lower-case ASCII words
/// joined by `_`. Names from another version of the tool count too, so an old flags cell is
/// recomputed; a user's own values (`VIP`, `do-not-call`, free text) are not.
fn is_reason_shaped(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::Selection;

    #[test]
    fn shared_line_numbers_are_cleaned_but_are_not_keys() {
        let header: Vec<String> = ["Mobile Phone", "Business Fax", "E-mail Address"]
            .map(String::from)
            .to_vec();
        let sel = Selection {
            flags_name: "flags".into(),
            ..Default::default()
        };
        let layout = Layout::detect(&header, &sel).unwrap();
        let c = Cleaner::new(header, layout, PhoneOptions::default());
        let row = c.clean(&["+44 7400 123456", "+44 20 7946 0999", "A@B.CO"], false);
        assert_eq!(
            row.edits,
            vec![
                (0, "+447400123456".to_string()),
                (1, "+442079460999".to_string()),
                (2, "a@b.co".to_string())
            ]
        );
        assert_eq!(row.phones, vec![447400123456]);
        assert_eq!(row.emails, vec!["a@b.co"]);
    }
}
