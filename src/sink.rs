//! Where processed records go. Every sink sees every record once, in input order, on the
//! engine's writer stage (one thread), so a pass can write the cleaned CSV, the rejects, feed
//! the duplicate linker and count, all from one read. Like hyperfine's exporters, each output
//! is one implementation of one trait; a caller adds its own the same way.

use std::io::Write;

use csv::ByteRecord;

use crate::dedupe::Linker;
use crate::error::Error;
use crate::row::{CleanRow, Cleaner};

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

/// What every sink may need to know about the run before the first record.
pub struct Context<'a> {
    pub cleaner: &'a Cleaner,
    /// The header as read.
    pub header: &'a ByteRecord,
    /// The header of a cleaned CSV: the input's, with the flags column appended unless the
    /// input already has one. Empty when the input was empty.
    pub out_header: &'a ByteRecord,
    /// The input's size in bytes, when known.
    pub size_hint: Option<u64>,
}

impl Context<'_> {
    /// The input had no bytes at all: outputs stay empty too.
    pub fn is_empty(&self) -> bool {
        self.header.is_empty()
    }
}

/// A consumer of processed records.
pub trait Sink: Send {
    /// Called once, before the first record.
    fn begin(&mut self, _ctx: &Context) -> Result<(), Error> {
        Ok(())
    }

    /// Called for every record, in input order.
    fn record(&mut self, p: &Processed, ctx: &Context) -> Result<(), Error>;

    /// Called once after the last record of a run that succeeded (flush here).
    fn finish(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

/// The fields of a cleaned record, handed to `emit` one by one (so a writer can take them
/// without a copy): contact cells cleaned, the flags cell in place of an existing flags column
/// or appended after the header's fields, short records padded, extra fields of long records
/// kept after it.
pub fn output_fields<E>(
    input: &ByteRecord,
    row: &CleanRow,
    flags: &str,
    cleaner: &Cleaner,
    mut emit: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let width = cleaner.header.len();
    let flags_col = cleaner.layout.flags;
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

/// A CSV writer named for error messages (its path, or `<stdout>`).
struct Named<W: Write> {
    name: String,
    writer: csv::Writer<W>,
}

impl<W: Write> Named<W> {
    fn new(name: String, w: W, delimiter: u8) -> Self {
        let writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_writer(w);
        Named { name, writer }
    }

    fn error(&self, e: csv::Error) -> Error {
        let source = match e.into_kind() {
            csv::ErrorKind::Io(io) => io,
            other => std::io::Error::other(format!("{other:?}")),
        };
        Error::Write {
            output: self.name.clone(),
            source,
        }
    }

    fn write(&mut self, rec: &ByteRecord) -> Result<(), Error> {
        self.writer
            .write_byte_record(rec)
            .map_err(|e| self.error(e))
    }

    fn flush(&mut self) -> Result<(), Error> {
        self.writer.flush().map_err(|e| Error::Write {
            output: self.name.clone(),
            source: e,
        })
    }

    fn into_inner(self) -> Result<W, Error> {
        let name = self.name;
        self.writer.into_inner().map_err(|e| Error::Write {
            output: name,
            source: std::io::Error::new(e.error().kind(), e.error().to_string()),
        })
    }
}

/// The cleaned CSV: every record, in input order, with the flags column.
pub struct CsvSink<W: Write> {
    out: Named<W>,
}

impl<W: Write + Send> CsvSink<W> {
    /// `name` is how errors call the output (its path, or `<stdout>`).
    pub fn new(name: impl Into<String>, w: W, delimiter: u8) -> Self {
        CsvSink {
            out: Named::new(name.into(), w, delimiter),
        }
    }

    /// Flushes and hands the writer back (to commit a temporary file, say).
    pub fn into_inner(self) -> Result<W, Error> {
        self.out.into_inner()
    }
}

impl<W: Write + Send> Sink for CsvSink<W> {
    fn begin(&mut self, ctx: &Context) -> Result<(), Error> {
        if ctx.is_empty() {
            return Ok(());
        }
        self.out.write(ctx.out_header)
    }

    fn record(&mut self, p: &Processed, ctx: &Context) -> Result<(), Error> {
        let w = &mut self.out.writer;
        let res = output_fields(p.input, p.row, p.flags, ctx.cleaner, |f| w.write_field(f))
            .and_then(|()| w.write_record(None::<&[u8]>));
        res.map_err(|e| self.out.error(e))
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.out.flush()
    }
}

/// The records that have any flag, each after its 1-based record number: the file a person
/// fixes by hand.
pub struct RejectsSink<W: Write> {
    out: Named<W>,
    rec: ByteRecord,
}

impl<W: Write + Send> RejectsSink<W> {
    pub fn new(name: impl Into<String>, w: W, delimiter: u8) -> Self {
        RejectsSink {
            out: Named::new(name.into(), w, delimiter),
            rec: ByteRecord::new(),
        }
    }

    pub fn into_inner(self) -> Result<W, Error> {
        self.out.into_inner()
    }
}

impl<W: Write + Send> Sink for RejectsSink<W> {
    fn begin(&mut self, ctx: &Context) -> Result<(), Error> {
        if ctx.is_empty() {
            return Ok(());
        }
        let mut h = ByteRecord::new();
        h.push_field(b"record");
        h.extend(ctx.out_header.iter());
        self.out.write(&h)
    }

    fn record(&mut self, p: &Processed, ctx: &Context) -> Result<(), Error> {
        if p.row.flags.is_empty() {
            return Ok(());
        }
        let rec = &mut self.rec;
        rec.clear();
        rec.push_field(p.record.to_string().as_bytes());
        let pushed: Result<(), std::convert::Infallible> =
            output_fields(p.input, p.row, p.flags, ctx.cleaner, |f| {
                rec.push_field(f);
                Ok(())
            });
        let Ok(()) = pushed;
        let rec = std::mem::take(&mut self.rec);
        let res = self.out.write(&rec);
        self.rec = rec;
        res
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.out.flush()
    }
}

/// Rows read before the linker is sized from the input's size (see `Linker::reserve_for_rows`).
const SIZE_SAMPLE: u64 = 4096;
/// The most keys the linker reserves room for up front (~45 bytes each, so ~750 MB): an
/// estimate from a sample of key-dense rows followed by a gigabyte of blank lines must not
/// reserve gigabytes before they are needed; past it the tables grow as they fill.
const MAX_RESERVED_KEYS: u64 = 1 << 24;

/// Feeds the duplicate linker (merge suggestions).
pub struct LinkSink {
    linker: Linker,
    sampled_bytes: u64,
}

impl LinkSink {
    /// `with_ids`: keep each row's id (the layout's id column) for the suggestions.
    pub fn new(with_ids: bool) -> Self {
        LinkSink {
            linker: Linker::new(with_ids),
            sampled_bytes: 0,
        }
    }

    pub fn into_linker(self) -> Linker {
        self.linker
    }
}

impl Sink for LinkSink {
    fn record(&mut self, p: &Processed, ctx: &Context) -> Result<(), Error> {
        // Size the linker once from the input's size and the first rows' width.
        if let Some(size) = ctx.size_hint.filter(|_| p.record <= SIZE_SAMPLE) {
            self.sampled_bytes += p.input.as_slice().len() as u64 + p.input.len() as u64;
            if p.record == SIZE_SAMPLE {
                let rows = size.saturating_mul(SIZE_SAMPLE) / self.sampled_bytes.max(1);
                let keys_seen = self.linker.keys().max(1) as u64;
                let most_rows = MAX_RESERVED_KEYS.saturating_mul(SIZE_SAMPLE) / keys_seen;
                let rows = usize::try_from(rows.min(most_rows)).unwrap_or(0);
                self.linker.reserve_for_rows(rows);
            }
        }
        let id = ctx
            .cleaner
            .layout
            .id
            .and_then(|c| p.input.get(c))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("");
        self.linker
            .add_row_with(
                &p.row.phones,
                &p.row.emails,
                &p.row.rule_keys,
                p.row.filled,
                id,
            )
            .map_err(|e| Error::Malformed {
                at: crate::error::At {
                    record: p.record,
                    line: p.line,
                },
                message: e.to_string(),
            })
    }
}

impl Sink for crate::report::Stats {
    fn record(&mut self, p: &Processed, ctx: &Context) -> Result<(), Error> {
        self.add(p.record, p.line, p.row, p.flags);
        self.add_record(p, ctx.cleaner);
        Ok(())
    }
}
