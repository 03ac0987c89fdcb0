//! Survivorship: one group of duplicate rows in, one merged row out. Pure: no I/O.
//!
//! The rows come in already cleaned (as `normalize` writes them, with the flags column), so
//! phones are E.164 and emails lower-cased, and equal values are equal strings. The rules
//! (`docs/merge.md`):
//!
//! - one row **survives**, chosen by a [`Rule`]; the others are ranked the same way (the
//!   *survivor order*);
//! - an empty cell of the survivor is **filled** from the first member, in survivor order, that
//!   has a value there;
//! - **no phone and no email is dropped**: a member's number or address that the survivor does
//!   not hold goes into the survivor's next empty column of the same kind (phone, shared line,
//!   email), or, when none is empty, is appended to its own column's cell with [`SEPARATOR`];
//! - any other differing non-empty value keeps the survivor's and is listed in the conflicts
//!   column (`Company: Acme Ltd | ACME`); the members' ids (or row numbers) go to the
//!   merged-from column;
//! - the flags cell is recomputed from the merged cells.
//!
//! ```
//! use contactclean::columns::{Layout, Selection};
//! use contactclean::merge::{Member, MergeOptions, Merger, Rule};
//! use contactclean::phone::PhoneOptions;
//! use contactclean::row::Cleaner;
//!
//! let header: Vec<String> = ["id", "Phone", "Email", "Company", "flags"].map(String::from).into();
//! let sel = Selection { flags_name: "flags".into(), ..Selection::default() };
//! let layout = Layout::detect(&header, &sel).unwrap();
//! let cleaner = Cleaner::new(header.clone(), layout, PhoneOptions::default());
//! let merger = Merger::new(&cleaner, &header, &MergeOptions::default()).unwrap();
//! let row = |v: [&str; 5]| merger.arrange(v.map(String::from).to_vec());
//! let a = row(["c1", "+6591234567", "", "Acme Ltd", ""]);
//! let b = row(["c2", "+6591234567", "ana@example.com", "ACME", ""]);
//! let merged = merger.merge(&[Member { row: 1, cells: &a }, Member { row: 2, cells: &b }], None);
//! // b has more cells filled: it survives; a's company is a conflict.
//! assert_eq!(merger.header().join(","), "id,Phone,Email,Company,flags,merged_conflicts,merged_from");
//! assert_eq!(merged.cells.join(","), "c2,+6591234567,ana@example.com,ACME,,Company: ACME | Acme Ltd,c1;c2");
//! ```

use std::fmt;
use std::io::Read;
use std::sync::{Arc, Mutex};

use crate::columns::Kind;
use crate::error::Error;
use crate::row::Cleaner;

/// Joins several values in one cell: the separator a cleaned multi-number cell already uses.
pub const SEPARATOR: char = ';';

/// Which member of a group survives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Rule {
    /// The row with the most non-empty cells; ties go to the first.
    #[default]
    MostComplete,
    /// The first row of the group in the input.
    First,
    /// The last row of the group in the input.
    Last,
    /// The row with the latest date/time in this column (ISO 8601, `MM/DD/YYYY`,
    /// `DD.MM.YYYY`, epoch milliseconds); empty and unparseable values sort last, ties go to
    /// the first.
    Newest(String),
}

impl std::str::FromStr for Rule {
    type Err = String;

    fn from_str(s: &str) -> Result<Rule, String> {
        match s {
            "most-complete" => Ok(Rule::MostComplete),
            "first" => Ok(Rule::First),
            "last" => Ok(Rule::Last),
            _ => match s.strip_prefix("newest:") {
                Some(col) if !col.is_empty() => Ok(Rule::Newest(col.to_string())),
                _ => Err(format!(
                    "{s:?}: expected most-complete, first, last or newest:COLUMN"
                )),
            },
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::MostComplete => f.write_str("most-complete"),
            Rule::First => f.write_str("first"),
            Rule::Last => f.write_str("last"),
            Rule::Newest(c) => write!(f, "newest:{c}"),
        }
    }
}

/// How a merge is done beyond the defaults.
#[derive(Clone, Debug)]
pub struct MergeOptions {
    pub rule: Rule,
    /// The conflicts column's name (`None`: no such column).
    pub conflicts: Option<String>,
    /// The merged-from column's name (`None`: no such column).
    pub merged_from: Option<String>,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions {
            rule: Rule::MostComplete,
            conflicts: Some("merged_conflicts".into()),
            merged_from: Some("merged_from".into()),
        }
    }
}

/// What a column is to the merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Other,
    Id,
    /// A phone column; `links`: false for shared lines (fax, pager…), which only take numbers
    /// from shared lines.
    Phone {
        links: bool,
    },
    Email,
    Flags,
    Conflicts,
    MergedFrom,
}

impl Role {
    /// Bookkeeping columns: neither merged nor counted for completeness.
    fn is_meta(self) -> bool {
        matches!(self, Role::Flags | Role::Conflicts | Role::MergedFrom)
    }
}

/// One row of a group: its 1-based record number and its cells in [`Merger::arrange`]d form.
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    pub row: u64,
    pub cells: &'a [String],
}

/// A group's merged row and what the merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Merged {
    pub cells: Vec<String>,
    /// Index into the members of the row that survived.
    pub survivor: usize,
    /// Values taken from other members: empty cells filled, phones and emails moved.
    pub values_moved: u64,
    /// Differing values of other members that were not kept (listed in the conflicts column).
    pub conflicts: u64,
    /// Members whose `newest:` value is not empty but could not be read as a date.
    pub unparseable_dates: u64,
}

/// Merges groups of one file: the columns and rule are fixed for the whole run.
#[derive(Clone, Debug)]
pub struct Merger {
    header: Vec<String>,
    roles: Vec<Role>,
    /// Width of the cleaned record (the input's header plus the flags column).
    width: usize,
    /// Columns appended after the cleaned record (absent from the input's header).
    added: usize,
    rule: Rule,
    newest: Option<usize>,
    conflicts: Option<usize>,
    merged_from: Option<usize>,
    id: Option<usize>,
    flags: usize,
    /// Recomputes flags of merged rows: the input's cleaner, over the cleaned header.
    cleaner: Cleaner,
}

impl Merger {
    /// `cleaner`: the input's (`Job::cleaner`); `out_header`: the cleaned CSV's header
    /// (`Job::out_header`), i.e. the input's plus the flags column. The conflicts and
    /// merged-from columns are reused where the header has them (a merged file merged again),
    /// else appended. Fails when one of them is a phone, email, id or the flags column, or
    /// when the `newest:` column does not exist.
    pub fn new(
        cleaner: &Cleaner,
        out_header: &[String],
        opts: &MergeOptions,
    ) -> Result<Merger, Error> {
        let layout = &cleaner.layout;
        let width = out_header.len();
        let flags = layout.flags.unwrap_or(width.saturating_sub(1));
        let mut roles = vec![Role::Other; width];
        for (slot, &(col, kind)) in layout.contact.iter().enumerate() {
            roles[col] = match kind {
                Kind::Phone => Role::Phone {
                    links: layout.links(slot),
                },
                Kind::Email => Role::Email,
            };
        }
        if let Some(id) = layout.id {
            roles[id] = Role::Id;
        }
        if width > 0 {
            roles[flags] = Role::Flags;
        }
        let mut header = out_header.to_vec();
        let mut place = |name: &Option<String>, role: Role, option: &str| {
            let Some(name) = name.as_ref().filter(|n| !n.is_empty()) else {
                return Ok(None);
            };
            match header.iter().position(|h| h == name) {
                Some(c) if roles[c] == Role::Other => {
                    roles[c] = role;
                    Ok(Some(c))
                }
                Some(_) => Err(Error::Options(format!(
                    "{option} {name:?} names a column the merge needs (phone, email, id or flags); \
                     pick another name"
                ))),
                None => {
                    header.push(name.clone());
                    roles.push(role);
                    Ok(Some(header.len() - 1))
                }
            }
        };
        let conflicts = place(&opts.conflicts, Role::Conflicts, "--conflicts-column")?;
        let merged_from = place(&opts.merged_from, Role::MergedFrom, "--merged-from-column")?;
        let newest = match &opts.rule {
            Rule::Newest(name) => Some(
                out_header
                    .iter()
                    .position(|h| h == name)
                    .or_else(|| out_header.iter().position(|h| h.eq_ignore_ascii_case(name)))
                    .ok_or_else(|| {
                        Error::Options(format!(
                            "--survivor newest:{name}: no such column (the header has: {})",
                            out_header.join(", ")
                        ))
                    })?,
            ),
            _ => None,
        };
        let mut out_layout = layout.clone();
        out_layout.flags = Some(flags);
        let mut cleaner = Cleaner::new(out_header.to_vec(), out_layout, cleaner.phone);
        cleaner.keys = false;
        Ok(Merger {
            added: header.len() - width,
            header,
            roles,
            width,
            rule: opts.rule.clone(),
            newest,
            conflicts,
            merged_from,
            id: layout.id,
            flags,
            cleaner,
        })
    }

    /// The merged file's header.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Fields of a cleaned record (the input's header plus the flags column): the merged
    /// file's appended columns follow them.
    pub fn cleaned_width(&self) -> usize {
        self.width
    }

    /// A cleaned record (the cleaned CSV's fields, extra fields of a long record after them)
    /// in the merged file's layout: the appended columns (empty) go before the extra fields.
    pub fn arrange(&self, mut cleaned: Vec<String>) -> Vec<String> {
        if cleaned.len() < self.width {
            cleaned.resize(self.width, String::new());
        }
        if self.added > 0 {
            let extra = cleaned.split_off(self.width);
            cleaned.resize(self.width + self.added, String::new());
            cleaned.extend(extra);
        }
        cleaned
    }

    fn role(&self, col: usize) -> Role {
        self.roles.get(col).copied().unwrap_or(Role::Other)
    }

    /// Non-empty cells, bookkeeping columns left out.
    fn filled(&self, cells: &[String]) -> usize {
        cells
            .iter()
            .enumerate()
            .filter(|(c, v)| !v.is_empty() && !self.role(*c).is_meta())
            .count()
    }

    /// The survivor order: member indexes, best first, by the rule. Returns it with the
    /// number of members whose date could not be read.
    pub fn order(&self, members: &[Member]) -> (Vec<usize>, u64) {
        let mut idx: Vec<usize> = (0..members.len()).collect();
        let mut bad = 0;
        match (&self.rule, self.newest) {
            (Rule::First, _) => {}
            (Rule::Last, _) => idx.reverse(),
            (Rule::Newest(_), Some(col)) => {
                let keys: Vec<Option<i64>> = members
                    .iter()
                    .map(|m| {
                        let v = m.cells.get(col).map_or("", |s| s.trim());
                        let t = parse_datetime(v);
                        if t.is_none() && !v.is_empty() {
                            bad += 1;
                        }
                        t
                    })
                    .collect();
                // Latest first, missing last; the sort is stable, so ties keep input order.
                idx.sort_by_key(|&i| std::cmp::Reverse(keys[i].map_or(i128::MIN, i128::from)));
            }
            _ => {
                let filled: Vec<usize> = members.iter().map(|m| self.filled(m.cells)).collect();
                idx.sort_by_key(|&i| std::cmp::Reverse(filled[i]));
            }
        }
        (idx, bad)
    }

    /// Merges one group (members in input order). `survivor`: a member chosen by a reviewer,
    /// which then survives whatever the rule says (the rule still orders the others).
    pub fn merge(&self, members: &[Member], survivor: Option<usize>) -> Merged {
        let (mut order, unparseable_dates) = self.order(members);
        if let Some(s) = survivor.filter(|&s| s < members.len()) {
            order.retain(|&i| i != s);
            order.insert(0, s);
        }
        let surv = order[0];
        let len = members.iter().map(|m| m.cells.len()).max().unwrap_or(0);
        let mut out = members[surv].cells.to_vec();
        out.resize(len.max(self.header.len()), String::new());
        let mut moved = 0u64;
        // Per column: the kept value and the distinct values not kept.
        let mut conflicts: Vec<(usize, Vec<String>)> = Vec::new();
        for &m in &order[1..] {
            for (c, v) in members[m].cells.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                match self.role(c) {
                    Role::Flags | Role::Conflicts | Role::MergedFrom => {}
                    Role::Phone { .. } | Role::Email => {
                        for part in split_values(v) {
                            if self.place_contact(&mut out, c, part) {
                                moved += 1;
                            }
                        }
                    }
                    Role::Id | Role::Other => {
                        if out[c].is_empty() {
                            out[c] = v.clone();
                            moved += 1;
                        } else if out[c] != *v && self.role(c) == Role::Other {
                            match conflicts.iter_mut().find(|(col, _)| *col == c) {
                                Some((_, vals)) => {
                                    if !vals.contains(v) {
                                        vals.push(v.clone());
                                    }
                                }
                                None => conflicts.push((c, vec![v.clone()])),
                            }
                        }
                    }
                }
            }
        }
        conflicts.sort_by_key(|(c, _)| *c);
        let n_conflicts = conflicts.iter().map(|(_, v)| v.len() as u64).sum();
        if let Some(col) = self.conflicts {
            // Conflicts of earlier merges (a merged file merged again) come first.
            let mut parts: Vec<String> = order
                .iter()
                .map(|&m| members[m].cells.get(col).map_or("", |s| s.as_str()))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            parts.dedup();
            for (c, vals) in &conflicts {
                let mut text = format!("{}: {}", self.column_name(*c), out[*c]);
                for v in vals {
                    text.push_str(" | ");
                    text.push_str(v);
                }
                parts.push(text);
            }
            out[col] = parts.join("; ");
        }
        if let Some(col) = self.merged_from {
            let mut from: Vec<String> = Vec::new();
            for m in members {
                let earlier = m.cells.get(col).map_or("", |s| s.as_str());
                if !earlier.is_empty() {
                    from.extend(split_values(earlier).map(str::to_string));
                    continue;
                }
                let id = self
                    .id
                    .and_then(|c| m.cells.get(c))
                    .map_or("", |s| s.as_str());
                from.push(match (self.id, id) {
                    (None, _) => m.row.to_string(),
                    (Some(_), "") => format!("row {}", m.row),
                    (Some(_), id) => id.to_string(),
                });
            }
            out[col] = from.join(&SEPARATOR.to_string());
        }
        self.recompute_flags(&mut out, members, &order);
        Merged {
            cells: out,
            survivor: surv,
            values_moved: moved,
            conflicts: n_conflicts,
            unparseable_dates,
        }
    }

    fn column_name(&self, c: usize) -> String {
        match self.header.get(c) {
            Some(h) => h.clone(),
            None => format!("field {}", c + 1 - self.added),
        }
    }

    /// Puts a member's phone or email (from column `from`) into the merged row unless a
    /// column of that kind already holds it. Returns whether it was moved.
    fn place_contact(&self, out: &mut [String], from: usize, value: &str) -> bool {
        let role = self.role(from);
        let same_kind = |r: Role| {
            matches!(
                (r, role),
                (Role::Email, Role::Email) | (Role::Phone { .. }, Role::Phone { .. })
            )
        };
        let held = out
            .iter()
            .enumerate()
            .filter(|(c, _)| same_kind(self.role(*c)))
            .any(|(_, cell)| split_values(cell).any(|p| p == value));
        if held {
            return false;
        }
        // The next empty column of the same class, starting at its own, in column order.
        let n = self.width;
        let target = (0..n)
            .map(|k| (from + k) % n)
            .find(|&c| self.role(c) == role && out[c].is_empty());
        match target {
            Some(c) => out[c] = value.to_string(),
            None => {
                out[from] = append_value(&out[from], value);
            }
        }
        true
    }

    /// The merged row's flags: its cells cleaned again (a cleaned value cleans to itself, so
    /// this only flags what the merge changed), with the extensions the members' flags carried
    /// and their row-level flags (`row:ragged`, `row:encoding`).
    fn recompute_flags(&self, out: &mut [String], members: &[Member], order: &[usize]) {
        let old: Vec<&str> = order
            .iter()
            .filter_map(|&m| members[m].cells.get(self.flags))
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .collect();
        out[self.flags] = old.join(";");
        let fields: Vec<&str> = out[..self.width].iter().map(|s| s.as_str()).collect();
        let row = self.cleaner.clean(&fields, false);
        let mut flags = row.flags_cell(&self.cleaner);
        for (col, v) in row.edits {
            out[col] = v;
        }
        let mut row_level: Vec<&str> = Vec::new();
        for cell in &old {
            for entry in cell.split(';').filter(|e| e.starts_with("row:")) {
                if !row_level.contains(&entry) {
                    row_level.push(entry);
                }
            }
        }
        for entry in row_level {
            if !flags.split(';').any(|e| e == entry) {
                if !flags.is_empty() {
                    flags.push(';');
                }
                flags.push_str(entry);
            }
        }
        out[self.flags] = flags;
    }
}

/// The values of a multi-value cell.
fn split_values(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(PART_SEPARATOR)
        .flat_map(|p| p.split(SEPARATOR))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Joins a value that is not clean to a multi-value cell: Google's separator, which the
/// cleaner always reads part by part.
pub const PART_SEPARATOR: &str = " ::: ";

/// A clean value: an E.164 number, or an address without spaces.
fn is_plain(p: &str) -> bool {
    let phone = p
        .strip_prefix('+')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    let email = p.matches('@').count() == 1 && !p.contains(char::is_whitespace);
    phone || email
}

/// Appends `value` to a cell that already holds a value of its kind. Clean values are joined
/// by `;` (the cleaner splits such a cell because every part is valid), whatever separator
/// the cell had; anything else goes after ` ::: `, which the cleaner always reads part by
/// part, so an invalid value keeps its own reason and never turns the valid ones around it
/// into one invalid cell.
fn append_value(cell: &str, value: &str) -> String {
    let parts: Vec<&str> = cell
        .split([';', '/', ',', '|', '\n'])
        .flat_map(|p| p.split(":::"))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let clean_cell = parts.iter().all(|p| is_plain(p));
    match (clean_cell, value.split(SEPARATOR).all(is_plain)) {
        (true, true) => format!("{}{SEPARATOR}{value}", parts.join(&SEPARATOR.to_string())),
        (true, false) => format!("{}{PART_SEPARATOR}{value}", parts.join(PART_SEPARATOR)),
        _ => format!("{cell}{PART_SEPARATOR}{value}"),
    }
}

/// Milliseconds since 1970-01-01 UTC of a date or date-time as exports write them: ISO 8601
/// (`2024-03-05`, `2024-03-05T14:30:00Z`, `2024-03-05 14:30:00+02:00`, fractions of a
/// second), `MM/DD/YYYY` (US exports, optionally followed by a time), `DD.MM.YYYY` (German
/// exports, optionally followed by a time), or epoch milliseconds (HubSpot: 11 to 13 digits).
/// A date without a zone is read as UTC. `None` for anything else, including impossible dates.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return (11..=13).contains(&s.len()).then(|| s.parse().ok())?;
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (y, m, d, rest) = if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        (num(0..4)?, num(5..7)?, num(8..10)?, &s[10..])
    } else if b.len() >= 10 && b[2] == b'/' && b[5] == b'/' {
        (num(6..10)?, num(0..2)?, num(3..5)?, &s[10..])
    } else if b.len() >= 10 && b[2] == b'.' && b[5] == b'.' {
        (num(6..10)?, num(3..5)?, num(0..2)?, &s[10..])
    } else {
        return None;
    };
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let day_ms = days_from_civil(y, m, d) * 86_400_000;
    Some(day_ms + parse_time(rest)?)
}

/// The time after a date: nothing, or `T`/space, `HH:MM[:SS[.fff]]`, then an optional `Z` or
/// `±HH:MM` / `±HHMM` zone. Milliseconds since midnight UTC.
fn parse_time(rest: &str) -> Option<i64> {
    if rest.is_empty() {
        return Some(0);
    }
    let t = rest.strip_prefix(['T', 't', ' '])?.trim_start();
    let b = t.as_bytes();
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        let x = t.get(i..i + 2)?;
        x.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| x.parse().ok())?
    };
    let (hh, mm) = (two(0)?, two(3)?);
    let mut i = 5;
    let mut ss = 0;
    let mut ms = 0;
    if b.get(i) == Some(&b':') {
        ss = two(i + 1)?;
        i += 3;
        if matches!(b.get(i), Some(b'.') | Some(b',')) {
            let digits = t[i + 1..].bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let frac = &t[i + 1..i + 1 + digits.min(3)];
            ms = frac.parse::<i64>().ok()? * 10i64.pow(3 - frac.len() as u32);
            i += 1 + digits;
        }
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let zone = t[i..].trim();
    let offset_min = match zone {
        "" | "Z" | "z" | "UTC" => 0,
        _ => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = zone[1..].replace(':', "");
            if z.len() != 4 || !z.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (zh, zm): (i64, i64) = (z[..2].parse().ok()?, z[2..].parse().ok()?);
            sign * (zh * 60 + zm)
        }
    };
    Some(((hh * 60 + mm - offset_min) * 60 + ss) * 1000 + ms)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The fingerprint of an input, written on every line of a suggestions file and checked by
/// `merge --suggestions`: a 128-bit XXH3 of the input's bytes (as read, before decoding) and
/// its record count, as `xxh3:HEX:ROWS` (letters first, so a spreadsheet keeps it as text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub hash: u128,
    pub rows: u64,
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "xxh3:{:032x}:{}", self.hash, self.rows)
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = ();

    fn from_str(s: &str) -> Result<Fingerprint, ()> {
        let rest = s.trim().strip_prefix("xxh3:").ok_or(())?;
        let (hash, rows) = rest.split_once(':').ok_or(())?;
        if hash.len() != 32 {
            return Err(());
        }
        Ok(Fingerprint {
            hash: u128::from_str_radix(hash, 16).map_err(|_| ())?,
            rows: rows.parse().map_err(|_| ())?,
        })
    }
}

/// Hashes every byte read through it; the hash stays readable through [`InputHash`] after the
/// reader has been handed to a source.
pub struct HashingReader<R> {
    inner: R,
    state: InputHash,
}

/// The running hash of a [`HashingReader`].
#[derive(Clone)]
pub struct InputHash(Arc<Mutex<xxhash_rust::xxh3::Xxh3>>);

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> (Self, InputHash) {
        let state = InputHash(Arc::new(Mutex::new(xxhash_rust::xxh3::Xxh3::new())));
        (
            HashingReader {
                inner,
                state: state.clone(),
            },
            state,
        )
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.state.0.lock() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

impl InputHash {
    /// The fingerprint of the bytes read so far and `rows` records.
    pub fn fingerprint(&self, rows: u64) -> Fingerprint {
        let hash = self.0.lock().map(|h| h.digest128()).unwrap_or(0);
        Fingerprint { hash, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::{Layout, Selection};
    use crate::phone::PhoneOptions;

    fn merger(header: &[&str], opts: MergeOptions) -> Merger {
        let header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let sel = Selection {
            flags_name: "flags".into(),
            ..Selection::default()
        };
        let layout = Layout::detect(&header, &sel).unwrap();
        let mut out = header.clone();
        if layout.flags.is_none() {
            out.push("flags".into());
        }
        let cleaner = Cleaner::new(header, layout, PhoneOptions::default());
        Merger::new(&cleaner, &out, &opts).unwrap()
    }

    fn merge(m: &Merger, rows: &[&[&str]], survivor: Option<usize>) -> Merged {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| m.arrange(r.iter().map(|s| s.to_string()).collect()))
            .collect();
        let members: Vec<Member> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| Member {
                row: i as u64 + 1,
                cells: c,
            })
            .collect();
        m.merge(&members, survivor)
    }

    #[test]
    fn dates_in_export_formats() {
        let day = 86_400_000;
        assert_eq!(parse_datetime("1970-01-02"), Some(day));
        assert_eq!(parse_datetime("01/02/1970"), Some(day));
        assert_eq!(parse_datetime("02.01.1970"), Some(day));
        assert_eq!(parse_datetime("86400000000"), Some(1000 * day));
        assert_eq!(
            parse_datetime("2024-03-05T14:30:00Z"),
            parse_datetime("2024-03-05 16:30:00+02:00")
        );
        assert_eq!(
            parse_datetime("2024-03-05T14:30:00.250Z").unwrap()
                - parse_datetime("2024-03-05T14:30:00Z").unwrap(),
            250
        );
        assert_eq!(
            parse_datetime("1709649000000"),
            parse_datetime("2024-03-05T14:30:00Z")
        );
        assert!(parse_datetime("2024-02-30").is_none());
        assert!(parse_datetime("13/01/2024").is_none());
        assert!(parse_datetime("yesterday").is_none());
        assert!(parse_datetime("2024-03-05T25:00").is_none());
        assert!(parse_datetime("12345").is_none());
        assert!(parse_datetime("29.02.2024").is_some());
    }

    #[test]
    fn most_complete_survives_and_fills_and_conflicts() {
        let m = merger(
            &["id", "Name", "Phone", "Email", "Company"],
            MergeOptions::default(),
        );
        let r = merge(
            &m,
            &[
                &["c1", "Ana", "+6591234567", "", "Acme Ltd", ""],
                &["c2", "", "+6591234567", "ana@example.com", "ACME", ""],
                &["c3", "Ana B", "", "ana@example.com", "Acme Ltd", ""],
            ],
            None,
        );
        // c1 and c2 tie on 4 cells: the first wins.
        assert_eq!(r.survivor, 0);
        assert_eq!(
            r.cells,
            [
                "c1",
                "Ana",
                "+6591234567",
                "ana@example.com",
                "Acme Ltd",
                "",
                "Name: Ana | Ana B; Company: Acme Ltd | ACME",
                "c1;c2;c3"
            ]
        );
        assert_eq!((r.values_moved, r.conflicts), (1, 2));
    }

    #[test]
    fn appended_values_keep_every_part_readable() {
        assert_eq!(
            append_value("+6591234567", "+447400123456"),
            "+6591234567;+447400123456"
        );
        // A cell with the separator it came with: clean parts are re-joined by `;`.
        assert_eq!(
            append_value("+49301234567 / +33123456789", "+6591234561"),
            "+49301234567;+33123456789;+6591234561"
        );
        // An invalid value goes after ` ::: `, read part by part.
        assert_eq!(
            append_value("+49301234567 / +33123456789", "12345"),
            "+49301234567 ::: +33123456789 ::: 12345"
        );
        assert_eq!(
            append_value("020 7946 0018", "+6591234561"),
            "020 7946 0018 ::: +6591234561"
        );
    }

    #[test]
    fn no_phone_or_email_is_dropped() {
        let m = merger(
            &["Phone", "Mobile", "Email", "Fax"],
            MergeOptions::default(),
        );
        let r = merge(
            &m,
            &[
                &["+6591234567", "", "a@b.co", "+6561234567", ""],
                &["+6591234567", "+447400123456", "c@d.co", "+6561234568", ""],
                &["+12125550187", "+447400123457", "a@b.co", "", ""],
            ],
            Some(0),
        );
        assert_eq!(
            r.cells[..4],
            [
                "+6591234567;+12125550187",
                "+447400123456;+447400123457",
                "a@b.co;c@d.co",
                "+6561234567;+6561234568",
            ]
        );
        assert_eq!(
            r.cells[4],
            // Several addresses in one cell are read part by part: each valid, no flag.
            "Phone:multiple_numbers;Mobile:multiple_numbers;Fax:multiple_numbers"
        );
        assert_eq!(r.values_moved, 5);
        assert_eq!(r.cells[6], "1;2;3");
    }

    #[test]
    fn first_last_newest() {
        let rows: &[&[&str]] = &[
            &["c1", "2024-01-05", "A", ""],
            &["c2", "01/07/2024", "B", ""],
            &["c3", "garbage", "C", ""],
            &["c4", "06.01.2024", "D", ""],
        ];
        let header = ["id", "Updated", "Name"];
        let with = |rule: &str| MergeOptions {
            rule: rule.parse().unwrap(),
            ..MergeOptions::default()
        };
        assert_eq!(
            merge(&merger(&header, with("first")), rows, None).survivor,
            0
        );
        assert_eq!(
            merge(&merger(&header, with("last")), rows, None).survivor,
            3
        );
        let r = merge(&merger(&header, with("newest:updated")), rows, None);
        assert_eq!((r.survivor, r.unparseable_dates), (1, 1));
        // Reviewer's choice wins.
        assert_eq!(
            merge(&merger(&header, with("newest:Updated")), rows, Some(2)).survivor,
            2
        );
        assert!("newest:".parse::<Rule>().is_err());
    }

    #[test]
    fn columns_can_be_renamed_or_off_and_are_reused() {
        let opts = MergeOptions {
            conflicts: None,
            merged_from: Some("from".into()),
            ..MergeOptions::default()
        };
        let m = merger(&["id", "Email", "from"], opts);
        assert_eq!(m.header(), ["id", "Email", "from", "flags"]);
        let r = merge(
            &m,
            &[&["a", "x@y.co", "a;b", ""], &["c", "x@y.co", "", ""]],
            None,
        );
        assert_eq!(r.cells, ["a", "x@y.co", "a;b;c", ""]);
        let bad = MergeOptions {
            merged_from: Some("Email".into()),
            ..MergeOptions::default()
        };
        let header: Vec<String> = ["Email", "flags"].map(String::from).to_vec();
        let sel = Selection {
            flags_name: "flags".into(),
            ..Selection::default()
        };
        let layout = Layout::detect(&header, &sel).unwrap();
        let cleaner = Cleaner::new(header.clone(), layout, PhoneOptions::default());
        assert!(Merger::new(&cleaner, &header, &bad).is_err());
    }

    #[test]
    fn fingerprint_round_trips() {
        let (mut r, h) = HashingReader::new(std::io::Cursor::new(b"a,b\n1,2\n".to_vec()));
        std::io::copy(&mut r, &mut std::io::sink()).unwrap();
        let f = h.fingerprint(1);
        assert_eq!(f.to_string().parse::<Fingerprint>(), Ok(f));
        assert!("xxh3:12:1".parse::<Fingerprint>().is_err());
    }
}
