//! The streaming engine: read records in batches, clean each batch on rayon's pool, hand the
//! results on in input order. Reading, cleaning and writing overlap (three stages joined by
//! bounded channels), and memory is bounded by the batch size and the channel depth, not by
//! the file. Generic over any reader; the caller opens files and owns the sinks.

use std::fmt;
use std::io;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

use csv::ByteRecord;
use rayon::prelude::*;

use crate::row::{CleanRow, Cleaner};

/// Records per batch: big enough to amortise the hand-offs, small enough that a batch (~120 KB
/// of fields on a typical contact file, plus its cleaned rows) is still in the L2 cache when
/// the next stage takes it. Measured on 1M rows (docs/performance.md): 1024 used ~20 % less
/// CPU than 4096 or 16384; 256 paid more in hand-offs.
pub const BATCH: usize = 1024;
/// Batches in flight between two stages.
const DEPTH: usize = 4;

/// A run-stopping problem with the input or output.
#[derive(Debug)]
pub enum Error {
    /// The input is malformed at a record (1-based, header not counted) and line.
    Data {
        record: u64,
        line: u64,
        message: String,
    },
    Io(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Data {
                record,
                line,
                message,
            } => write!(f, "record {record} (line {line}): {message}"),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Data { .. } => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Self {
        let (record, line) = e.position().map_or((0, 0), |p| (p.record(), p.line()));
        let message = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::Io(io),
            _ => Error::Data {
                record,
                line,
                message,
            },
        }
    }
}

/// One processed record, as the sinks see it.
pub struct Processed<'a> {
    /// 1-based data record number (the header is not counted).
    pub record: u64,
    /// Line where the record starts in the input.
    pub line: u64,
    pub input: &'a ByteRecord,
    pub row: &'a CleanRow,
    /// The rendered `flags` cell.
    pub flags: &'a str,
}

/// Options of the engine itself.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Keep records whose width differs from the header's (flagged `row:ragged`).
    pub flexible: bool,
    pub batch: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            flexible: false,
            batch: BATCH,
        }
    }
}

struct Batch {
    first_record: u64,
    records: Vec<ByteRecord>,
}

struct Done {
    batch: Batch,
    /// `None`: the record is not UTF-8 (the writer turns it into the run's error).
    rows: Vec<Option<(CleanRow, String)>>,
}

/// Runs the records of `rdr` (whose header was already read; `width` fields) through
/// `cleaner`, calling `sink` for each in input order on a dedicated thread. `progress` is
/// called with the number of records done after each batch.
pub fn run<R, S, P>(
    rdr: &mut csv::Reader<R>,
    width: usize,
    cleaner: &Cleaner,
    opts: Options,
    mut sink: S,
    progress: P,
) -> Result<u64, Error>
where
    R: io::Read + Send,
    S: FnMut(&Processed) -> io::Result<()> + Send,
    P: FnMut(u64) + Send,
{
    let (to_clean, from_reader) = sync_channel::<Result<Batch, Error>>(DEPTH);
    let (to_write, from_cleaner) = sync_channel::<Done>(DEPTH);
    // Written batches go back to the reader, which reuses their records (and buffers) and frees
    // their cleaned rows.
    let (to_reuse, spare) = channel::<Done>();
    std::thread::scope(|scope| {
        let header = &cleaner.header;
        let reader = scope.spawn(move || read_batches(rdr, header, opts, to_clean, spare));
        let mut progress = progress;
        let writer = scope.spawn(move || -> Result<u64, Error> {
            let mut n = 0;
            for done in from_cleaner {
                for (i, (input, cleaned)) in done.batch.records.iter().zip(&done.rows).enumerate() {
                    let record = done.batch.first_record + i as u64;
                    let Some((row, flags)) = cleaned else {
                        // The records before it are written; then the run stops.
                        return Err(utf8_error(input, record, header));
                    };
                    let line = input.position().map_or(0, |p| p.line());
                    sink(&Processed {
                        record,
                        line,
                        input,
                        row,
                        flags,
                    })?;
                }
                n += done.rows.len() as u64;
                progress(n);
                // The reader reuses the records and frees the cleaned rows: the writer is the
                // busiest single thread when it also links duplicates.
                let _ = to_reuse.send(done);
            }
            Ok(n)
        });
        let cleaned = clean_batches(from_reader, to_write, cleaner, width);
        // The writer ends when the cleaner drops its sender; a writer error stops the cleaner
        // (its send fails), which stops the reader the same way.
        let written = writer.join().expect("writer thread");
        let read = reader.join().expect("reader thread");
        read?;
        // The writer's error (a record that is not UTF-8, or the output failing) comes from
        // earlier in the file than a record the reader refused, which it passed on last.
        let n = written?;
        cleaned?;
        Ok(n)
    })
}

fn clean_batches(
    from_reader: Receiver<Result<Batch, Error>>,
    to_write: SyncSender<Done>,
    cleaner: &Cleaner,
    width: usize,
) -> Result<(), Error> {
    for batch in from_reader {
        let batch = batch?;
        let rows = batch
            .records
            .par_iter()
            // One field buffer per worker, reused across records.
            .map_init(Vec::new, |fields: &mut Vec<&str>, rec| {
                fields.clear();
                // UTF-8 is checked here, on the workers, once per record: the fields are stored
                // back to back, so they are each UTF-8 exactly when the whole is and every
                // field starts and ends on a character boundary (what `str::get` checks).
                let whole = std::str::from_utf8(rec.as_slice()).ok()?;
                for i in 0..rec.len() {
                    fields.push(whole.get(rec.range(i)?)?);
                }
                let row = cleaner.clean(fields, fields.len() != width);
                let flags = row.flags_cell(cleaner);
                Some((row, flags))
            })
            .collect();
        if to_write.send(Done { batch, rows }).is_err() {
            break;
        }
    }
    Ok(())
}

fn read_batches<R: io::Read>(
    rdr: &mut csv::Reader<R>,
    header: &[String],
    opts: Options,
    to_clean: SyncSender<Result<Batch, Error>>,
    spare: Receiver<Done>,
) -> Result<(), Error> {
    let mut next = 1u64;
    loop {
        let mut records = spare
            .try_recv()
            .map(|done| done.batch.records)
            .unwrap_or_default();
        let mut failure = None;
        let mut n = 0;
        while n < opts.batch {
            if n == records.len() {
                records.push(ByteRecord::new());
            }
            match rdr.read_byte_record(&mut records[n]) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    failure = Some(Error::from(e));
                    break;
                }
            }
            // Only the width is checked here; UTF-8 is checked by the workers (in parallel),
            // and the writer stops at the first record that fails either, in input order.
            if records[n].len() != header.len() && !opts.flexible {
                failure = Some(width_error(&records[n], next + n as u64, header));
                break;
            }
            n += 1;
        }
        records.truncate(n);
        let last = records.len() < opts.batch || failure.is_some();
        let count = records.len() as u64;
        if count > 0
            && to_clean
                .send(Ok(Batch {
                    first_record: next,
                    records,
                }))
                .is_err()
        {
            return Ok(());
        }
        next += count;
        if let Some(e) = failure {
            // The records before the bad one are still written; then the run stops.
            let _ = to_clean.send(Err(e));
            return Ok(());
        }
        if last {
            return Ok(());
        }
    }
}

/// Why a record whose width differs from the header's (and no `--flexible`) is refused: its
/// UTF-8 first, as for any record, then its width.
fn width_error(rec: &ByteRecord, record: u64, header: &[String]) -> Error {
    let fields_utf8 = rec.iter().all(|f| std::str::from_utf8(f).is_ok());
    if !fields_utf8 {
        return utf8_error(rec, record, header);
    }
    Error::Data {
        record,
        line: rec.position().map_or(0, |p| p.line()),
        message: format!(
            "{} fields, but the header has {}; fix the record or re-run with --flexible \
             (pads short records, keeps long ones, flags them row:ragged)",
            rec.len(),
            header.len()
        ),
    }
}

/// The error for a record that is not UTF-8: which field, which byte, and what to do.
fn utf8_error(rec: &ByteRecord, record: u64, header: &[String]) -> Error {
    let line = rec.position().map_or(0, |p| p.line());
    // The fields are stored back to back: the whole must be UTF-8, and no field may start
    // inside a character (a multi-byte character split by delimiters).
    let bytes = rec.as_slice();
    let bad = match std::str::from_utf8(bytes) {
        Err(e) => Some(e.valid_up_to()),
        Ok(_) => (0..rec.len())
            .filter_map(|i| rec.range(i))
            .find(|r| r.start < bytes.len() && (bytes[r.start] & 0xC0) == 0x80)
            .map(|r| r.start),
    };
    let at = bad.unwrap_or(0);
    let byte = bytes.get(at).copied().unwrap_or(0);
    let field = (0..rec.len())
        .find(|&i| rec.range(i).is_some_and(|r| r.end > at))
        .unwrap_or(0);
    Error::Data {
        record,
        line,
        message: format!(
            "field {} ({}) is not valid UTF-8 (byte 0x{byte:02X}); re-run with --encoding \
             windows-1252 (or the file's encoding: latin1, utf-16le, …)",
            field + 1,
            header.get(field).map_or("past the header", String::as_str)
        ),
    }
}

/// Builds the output record: contact cells cleaned, the flags cell in place of an existing
/// flags column or appended after the header's fields, short records padded, extra fields of
/// long records kept after it.
pub fn output_record(
    out: &mut ByteRecord,
    input: &ByteRecord,
    row: &CleanRow,
    flags: &str,
    width: usize,
    flags_col: Option<usize>,
) {
    out.clear();
    let pushed: Result<(), std::convert::Infallible> =
        output_fields(input, row, flags, width, flags_col, |f| {
            out.push_field(f);
            Ok(())
        });
    let Ok(()) = pushed;
}

/// The fields of [`output_record`], handed to `emit` one by one, so a writer can take them
/// without the copy into an intermediate record.
pub fn output_fields<E>(
    input: &ByteRecord,
    row: &CleanRow,
    flags: &str,
    width: usize,
    flags_col: Option<usize>,
    mut emit: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let mut edits = row.edits.iter().peekable();
    for i in 0..width {
        if Some(i) == flags_col {
            emit(flags.as_bytes())?;
            continue;
        }
        match edits.peek() {
            Some((col, v)) if *col == i => {
                emit(v.as_bytes())?;
                edits.next();
            }
            _ => emit(input.get(i).unwrap_or_default())?,
        }
    }
    if flags_col.is_none() {
        emit(flags.as_bytes())?;
    }
    for extra in input.iter().skip(width) {
        emit(extra)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::{Layout, Selection};
    use crate::phone::PhoneOptions;

    fn cleaner(header: &[&str]) -> Cleaner {
        let header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let sel = Selection {
            flags_name: "flags".into(),
            ..Default::default()
        };
        let layout = Layout::detect(&header, &sel).unwrap();
        Cleaner::new(header, layout, PhoneOptions::default())
    }

    fn run_str(data: &str, batch: usize, flexible: bool) -> Result<String, Error> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(data.as_bytes());
        let header: Vec<&str> = rdr.headers().unwrap().iter().collect();
        let c = cleaner(&header);
        let width = header.len();
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let mut out = ByteRecord::new();
        let opts = Options { flexible, batch };
        run(
            &mut rdr,
            width,
            &c,
            opts,
            |p| {
                output_record(&mut out, p.input, p.row, p.flags, width, c.layout.flags);
                w.write_byte_record(&out).map_err(io::Error::other)
            },
            |_| {},
        )?;
        Ok(String::from_utf8(w.into_inner().unwrap()).unwrap())
    }

    #[test]
    fn order_is_kept_across_batches() {
        let mut data = String::from("n,phone\n");
        let mut want = String::new();
        for i in 0..1000 {
            data.push_str(&format!("{i},+65 9123 {:04}\n", i));
            want.push_str(&format!("{i},+659123{:04},\n", i));
        }
        assert_eq!(run_str(&data, 7, false).unwrap(), want);
    }

    #[test]
    fn a_character_split_by_delimiters_is_not_utf8() {
        // U+FEFF (EF BB BF) split into three fields: the bytes together are UTF-8, the fields
        // are not.
        let bytes: &[u8] = b"phone\n\xef\xbb,,\xbf\n";
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let c = cleaner(&["phone"]);
        rdr.headers().unwrap();
        let res = run(
            &mut rdr,
            1,
            &c,
            Options {
                flexible: true,
                batch: 4,
            },
            |_| Ok(()),
            |_| {},
        );
        assert!(matches!(res, Err(Error::Data { record: 1, .. })), "{res:?}");
    }

    #[test]
    fn ragged_records_error_or_flag() {
        let data = "a,phone\n1,+6591234567\n2\n3,x,y\n";
        match run_str(data, 10, false) {
            Err(Error::Data { record, line, .. }) => assert_eq!((record, line), (2, 3)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            run_str(data, 10, true).unwrap(),
            "1,+6591234567,\n2,,row:ragged\n3,x,phone:not_a_number;row:ragged,y\n"
        );
    }
}
