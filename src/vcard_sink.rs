//! Outputs of a vCard input ([`crate::source::vcard::VcardSource`]): the cleaned cards
//! ([`VcardSink`]: every byte as read, only the `TEL` and `EMAIL` values that the engine
//! rewrote replaced), the CSV a messaging platform imports ([`VcardCsvSink`]: one row per card,
//! the numbers of one type in one cell joined by `;`), and the flags one per line
//! ([`VcardRejectsSink`]: which card, which property, which reason).

use std::io::Write;

use csv::ByteRecord;

use crate::error::Error;
use crate::sink::{Context, Processed, Sink};
use crate::source::vcard::{qp_encode, CardTap, Form, RawCard};

fn write_error(name: &str, e: std::io::Error) -> Error {
    Error::Write {
        output: name.to_string(),
        source: e,
    }
}

fn csv_error(name: &str, e: csv::Error) -> Error {
    let source = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    write_error(name, source)
}

fn next_card(tap: &CardTap, record: u64) -> Result<std::sync::Arc<RawCard>, Error> {
    match tap.next_card() {
        Some(c) if c.card == record => Ok(c),
        Some(c) => Err(Error::Internal(format!(
            "vCard writer got card {} for record {record}",
            c.card
        ))),
        None => Err(Error::Internal(format!(
            "vCard writer has no card for record {record}"
        ))),
    }
}

/// Writes each card back with its cleaned values spliced in.
pub struct VcardSink<W: Write> {
    name: String,
    out: W,
    tap: CardTap,
}

impl<W: Write + Send> VcardSink<W> {
    /// `tap` comes from [`crate::source::vcard::VcardSource::tap`] on the job's source.
    pub fn new(name: impl Into<String>, out: W, tap: CardTap) -> Self {
        VcardSink {
            name: name.into(),
            out,
            tap,
        }
    }

    pub fn into_inner(mut self) -> Result<W, Error> {
        self.out.flush().map_err(|e| write_error(&self.name, e))?;
        Ok(self.out)
    }
}

/// The card with the values the row rewrote spliced in.
pub fn rewrite(card: &RawCard, edits: &[(usize, String)], out: &mut Vec<u8>) {
    let mut at = 0;
    for s in &card.slots {
        let Some((_, v)) = edits.iter().find(|(c, _)| *c == s.col) else {
            continue;
        };
        out.extend_from_slice(&card.bytes[at..s.start]);
        match &s.form {
            Form::Plain => out.extend_from_slice(v.as_bytes()),
            Form::Uri { prefix, suffix } => {
                out.extend_from_slice(prefix.as_bytes());
                out.extend_from_slice(v.as_bytes());
                out.extend_from_slice(suffix.as_bytes());
            }
            Form::QuotedPrintable => out.extend_from_slice(qp_encode(v).as_bytes()),
        }
        at = s.end;
    }
    out.extend_from_slice(&card.bytes[at..]);
}

impl<W: Write + Send> Sink for VcardSink<W> {
    fn record(&mut self, p: &Processed, _ctx: &Context) -> Result<(), Error> {
        let card = next_card(&self.tap, p.record)?;
        let res = if p.row.edits.is_empty() {
            self.out.write_all(&card.bytes)
        } else {
            let mut buf = Vec::with_capacity(card.bytes.len() + 16);
            rewrite(&card, &p.row.edits, &mut buf);
            self.out.write_all(&buf)
        };
        res.map_err(|e| write_error(&self.name, e))
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.out.flush().map_err(|e| write_error(&self.name, e))
    }
}

/// One CSV row per card: the record's columns with the numbers of one type (the columns that
/// share a name) joined by `;` in one cell, then the flags.
pub struct VcardCsvSink<W: Write> {
    name: String,
    writer: csv::Writer<W>,
    /// The record's columns of each output column.
    groups: Vec<std::ops::Range<usize>>,
    rec: ByteRecord,
}

impl<W: Write + Send> VcardCsvSink<W> {
    pub fn new(name: impl Into<String>, out: W, delimiter: u8) -> Self {
        VcardCsvSink {
            name: name.into(),
            writer: csv::WriterBuilder::new()
                .delimiter(delimiter)
                .buffer_capacity(1 << 16)
                .from_writer(out),
            groups: Vec::new(),
            rec: ByteRecord::new(),
        }
    }

    pub fn into_inner(self) -> Result<W, Error> {
        let name = self.name;
        self.writer.into_inner().map_err(|e| Error::Write {
            output: name,
            source: std::io::Error::new(e.error().kind(), e.error().to_string()),
        })
    }
}

impl<W: Write + Send> Sink for VcardCsvSink<W> {
    fn begin(&mut self, ctx: &Context) -> Result<(), Error> {
        if ctx.is_empty() {
            return Ok(());
        }
        let header = &ctx.cleaner.header;
        let mut i = 0;
        while i < header.len() {
            let mut j = i + 1;
            while j < header.len() && header[j] == header[i] {
                j += 1;
            }
            self.groups.push(i..j);
            i = j;
        }
        let mut h = ByteRecord::new();
        for g in &self.groups {
            h.push_field(header[g.start].as_bytes());
        }
        h.push_field(ctx.out_header.iter().next_back().unwrap_or(b"flags"));
        self.writer
            .write_byte_record(&h)
            .map_err(|e| csv_error(&self.name, e))
    }

    fn record(&mut self, p: &Processed, _ctx: &Context) -> Result<(), Error> {
        let rec = &mut self.rec;
        rec.clear();
        let cell = |c: usize| -> &[u8] {
            match p.row.edits.iter().find(|(col, _)| *col == c) {
                Some((_, v)) => v.as_bytes(),
                None => p.input.get(c).unwrap_or_default(),
            }
        };
        let mut joined = Vec::new();
        for g in &self.groups {
            if g.len() == 1 {
                rec.push_field(cell(g.start));
                continue;
            }
            joined.clear();
            for c in g.clone() {
                let v = cell(c);
                if v.is_empty() {
                    continue;
                }
                if !joined.is_empty() {
                    joined.push(b';');
                }
                joined.extend_from_slice(v);
            }
            rec.push_field(&joined);
        }
        rec.push_field(p.flags.as_bytes());
        let rec = std::mem::take(&mut self.rec);
        let res = self.writer.write_byte_record(&rec);
        self.rec = rec;
        res.map_err(|e| csv_error(&self.name, e))
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.writer.flush().map_err(|e| write_error(&self.name, e))
    }
}

/// The flags of a vCard input, one CSV row per flag: `card,line,UID,property,value,reason`.
/// `line` is the property's line; a card-level flag (`malformed`) has the card's.
pub struct VcardRejectsSink<W: Write> {
    name: String,
    writer: csv::Writer<W>,
    tap: CardTap,
}

impl<W: Write + Send> VcardRejectsSink<W> {
    pub fn new(name: impl Into<String>, out: W, delimiter: u8, tap: CardTap) -> Self {
        VcardRejectsSink {
            name: name.into(),
            writer: csv::WriterBuilder::new()
                .delimiter(delimiter)
                .buffer_capacity(1 << 16)
                .from_writer(out),
            tap,
        }
    }

    pub fn into_inner(self) -> Result<W, Error> {
        let name = self.name;
        self.writer.into_inner().map_err(|e| Error::Write {
            output: name,
            source: std::io::Error::new(e.error().kind(), e.error().to_string()),
        })
    }
}

impl<W: Write + Send> Sink for VcardRejectsSink<W> {
    fn begin(&mut self, ctx: &Context) -> Result<(), Error> {
        if ctx.is_empty() {
            return Ok(());
        }
        self.writer
            .write_record(["card", "line", "UID", "property", "value", "reason"])
            .map_err(|e| csv_error(&self.name, e))
    }

    fn record(&mut self, p: &Processed, ctx: &Context) -> Result<(), Error> {
        let card = next_card(&self.tap, p.record)?;
        for f in &p.row.flags {
            let mut reason = f.reason.as_str().to_string();
            if let Some(d) = &f.detail {
                reason.push('=');
                reason.push_str(d);
            }
            let (line, property, value) = match f.slot {
                Some(s) => {
                    let col = ctx.cleaner.layout.contact[s].0;
                    let value =
                        String::from_utf8_lossy(p.input.get(col).unwrap_or_default()).into_owned();
                    match card.slots.iter().find(|sl| sl.col == col) {
                        Some(sl) => (sl.line, sl.property.clone(), value),
                        None => (card.line, ctx.cleaner.label(s).to_string(), value),
                    }
                }
                None => (card.line, String::new(), String::new()),
            };
            self.writer
                .write_record([
                    card.card.to_string().as_str(),
                    line.to_string().as_str(),
                    card.uid.as_str(),
                    property.as_str(),
                    value.as_str(),
                    reason.as_str(),
                ])
                .map_err(|e| csv_error(&self.name, e))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.writer.flush().map_err(|e| write_error(&self.name, e))
    }
}
