//! Workbooks (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`) as a [`RecordSource`], read with
//! `calamine`: one sheet, its first row the header.
//!
//! Reading the workbook is the cure for Excel's damage to phone numbers in CSV exports: a
//! number cell is written with all its digits (`6591234567`, never `6.59E+10` or
//! `6591234567.0`). Excel keeps 15 significant digits, so a number of 16 digits or more has
//! already lost its last digits: it is written in Excel's scientific form (`1.23456789012346E+17`),
//! which a phone column flags `excel_scientific`. Text cells are read as text; dates,
//! booleans, errors and formulas' cached values as the workbook shows them.
//!
//! Memory: calamine loads the whole sheet (every cell) before the first record; a workbook is
//! not streamed the way CSV and vCard are.

use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, Range, Reader, Sheets};
use csv::ByteRecord;

use super::{RecordInfo, RecordSource};
use crate::error::Error;

/// Which sheet to read: by name, or by 1-based position when no sheet has that name.
#[derive(Clone, Debug, Default)]
pub struct WorkbookOptions {
    /// `None`: the first sheet.
    pub sheet: Option<String>,
}

/// True when `head` starts like a workbook: a ZIP archive (`.xlsx`, `.xlsb`, `.ods`) or an OLE
/// compound file (`.xls`).
pub fn looks_like_workbook(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// One sheet of a workbook, loaded.
pub struct WorkbookSource {
    range: Range<Data>,
    header: Vec<String>,
    header_record: ByteRecord,
    next_row: usize,
    sheet: String,
}

impl WorkbookSource {
    /// Opens a workbook file (its format from its extension, or from its content when the
    /// extension is not a workbook's).
    pub fn open(path: &Path, opts: &WorkbookOptions) -> Result<WorkbookSource, Error> {
        let known = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .is_some_and(|e| matches!(e.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods"));
        if known {
            let wb = calamine::open_workbook_auto(path).map_err(workbook_error)?;
            return Self::from_sheets(wb, opts);
        }
        let bytes = std::fs::read(path).map_err(Error::Read)?;
        Self::from_bytes(bytes, opts)
    }

    /// Reads a workbook from any reader (standard input): it is held in memory.
    pub fn from_reader(mut r: impl Read, opts: &WorkbookOptions) -> Result<WorkbookSource, Error> {
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes).map_err(Error::Read)?;
        Self::from_bytes(bytes, opts)
    }

    fn from_bytes(bytes: Vec<u8>, opts: &WorkbookOptions) -> Result<WorkbookSource, Error> {
        let wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(workbook_error)?;
        Self::from_sheets(wb, opts)
    }

    fn from_sheets<RS: Read + Seek>(
        mut wb: Sheets<RS>,
        opts: &WorkbookOptions,
    ) -> Result<WorkbookSource, Error> {
        let names = wb.sheet_names();
        let name = match &opts.sheet {
            None => names.first().cloned(),
            Some(s) => names.iter().find(|n| *n == s).cloned().or_else(|| {
                s.parse::<usize>()
                    .ok()
                    .filter(|&i| i >= 1)
                    .and_then(|i| names.get(i - 1).cloned())
            }),
        };
        let Some(name) = name else {
            return Err(Error::Options(format!(
                "no sheet {:?} in the workbook (its sheets: {})",
                opts.sheet.as_deref().unwrap_or(""),
                names.join(", ")
            )));
        };
        let range = wb.worksheet_range(&name).map_err(workbook_error)?;
        let mut src = WorkbookSource {
            range,
            header: Vec::new(),
            header_record: ByteRecord::new(),
            next_row: 0,
            sheet: name,
        };
        if src.range.height() > 0 {
            let mut rec = ByteRecord::new();
            src.row(0, &mut rec);
            src.header = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            src.header_record = rec;
            src.next_row = 1;
        }
        Ok(src)
    }

    /// The sheet being read.
    pub fn sheet(&self) -> &str {
        &self.sheet
    }

    fn row(&self, i: usize, rec: &mut ByteRecord) {
        rec.clear();
        let width = self.range.width();
        let mut text = String::new();
        for c in 0..width {
            text.clear();
            if let Some(d) = self.range.get((i, c)) {
                cell_text(d, &mut text);
            }
            rec.push_field(text.as_bytes());
        }
    }
}

impl RecordSource for WorkbookSource {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn header_record(&self) -> &ByteRecord {
        &self.header_record
    }

    fn read(&mut self, rec: &mut ByteRecord) -> Result<Option<RecordInfo>, Error> {
        if self.next_row >= self.range.height() {
            return Ok(None);
        }
        let i = self.next_row;
        self.next_row += 1;
        self.row(i, rec);
        let line = self.range.start().map_or(0, |(r, _)| r as u64) + i as u64 + 1;
        Ok(Some(RecordInfo {
            line,
            ..RecordInfo::default()
        }))
    }
}

fn workbook_error(e: impl std::fmt::Display) -> Error {
    Error::Read(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("not a readable workbook: {e}"),
    ))
}

/// A cell as the workbook shows it.
pub fn cell_text(d: &Data, out: &mut String) {
    use std::fmt::Write;
    match d {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => number(*f, out),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::Error(e) => {
            let _ = write!(out, "{e}");
        }
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            if dt.is_duration() {
                clock(serial, out, true);
            } else {
                date_time(serial, out);
            }
        }
    }
}

/// A number: whole numbers with all their digits, up to Excel's 15 significant digits; longer
/// ones (already rounded by Excel) in Excel's scientific form; fractions in their shortest form.
fn number(f: f64, out: &mut String) {
    use std::fmt::Write;
    if !f.is_finite() {
        let _ = write!(out, "{f}");
    } else if f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
    } else if f.abs() >= 1e15 {
        // 15 significant digits, trailing zeros dropped: 1.23456789012346E+17.
        let s = format!("{f:.14E}");
        let (mant, exp) = s.split_once('E').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        let exp: i32 = exp.parse().unwrap_or(0);
        let _ = write!(out, "{mant}E+{exp:02}");
    } else {
        let _ = write!(out, "{f}");
    }
}

/// An Excel serial date (1900 date system) as `YYYY-MM-DD`, with ` HH:MM:SS` when it has a time.
fn date_time(serial: f64, out: &mut String) {
    use std::fmt::Write;
    let days = serial.floor();
    let secs = ((serial - days) * 86400.0).round() as i64;
    let (days, secs) = if secs >= 86400 {
        (days as i64 + 1, secs - 86400)
    } else {
        (days as i64, secs)
    };
    if days == 0 {
        // A time of day alone.
        clock(serial, out, false);
        return;
    }
    // Day 1 is 1900-01-01; Excel counts a 29 February 1900 that never was (day 60).
    let since_1970 = if days < 60 {
        days - 25569 + 1
    } else {
        days - 25569
    };
    let (y, m, d) = civil_from_days(since_1970);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
    if secs > 0 {
        let _ = write!(
            out,
            " {:02}:{:02}:{:02}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        );
    }
}

fn clock(serial: f64, out: &mut String, duration: bool) {
    use std::fmt::Write;
    let total = (serial * 86400.0).round() as i64;
    let h = if duration {
        total / 3600
    } else {
        (total / 3600) % 24
    };
    let _ = write!(out, "{h:02}:{:02}:{:02}", (total / 60) % 60, total % 60);
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(f: f64) -> String {
        let mut s = String::new();
        number(f, &mut s);
        s
    }

    fn date(f: f64) -> String {
        let mut s = String::new();
        date_time(f, &mut s);
        s
    }

    #[test]
    fn numbers_keep_their_digits() {
        assert_eq!(num(6591234567.0), "6591234567");
        assert_eq!(num(447911123456.0), "447911123456");
        assert_eq!(num(3.25), "3.25");
        assert_eq!(num(123456789012345678.0), "1.23456789012346E+17");
        assert_eq!(num(1e15), "1E+15");
    }

    #[test]
    fn dates() {
        assert_eq!(date(45000.0), "2023-03-15");
        assert_eq!(date(1.0), "1900-01-01");
        assert_eq!(date(61.0), "1900-03-01");
        assert_eq!(date(45000.5), "2023-03-15 12:00:00");
    }
}
