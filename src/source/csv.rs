//! CSV (and TSV) files: byte-order marks, UTF-16 and other encodings, delimiter sniffing,
//! quoting and the ragged-record policy, as one [`RecordSource`].

use std::io::{self, BufRead, BufReader, Cursor, Read};

use csv::ByteRecord;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

use super::decode::{DamageLog, StrictDecoder};
use super::track::Tracker;
use super::{utf8_error, RecordInfo, RecordSource};
use crate::error::{At, Error};

/// How much of the input the delimiter sniffer looks at.
const SNIFF_BYTES: usize = 64 * 1024;
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How to read a CSV input.
#[derive(Clone, Copy, Debug, Default)]
pub struct CsvOptions {
    /// The field delimiter; `None`: sniffed from the first lines among `,` `;` tab `|`.
    pub delimiter: Option<u8>,
    /// Decode from this encoding; `None`: UTF-8, or UTF-16 when a byte-order mark says so.
    pub encoding: Option<&'static Encoding>,
    /// Keep records with more fields than the header (flagged `row:ragged`) instead of
    /// stopping at the first. Shorter records are always padded.
    pub flexible: bool,
    /// The largest record accepted, in bytes; 0: no limit.
    pub max_record_bytes: u64,
}

/// A CSV input whose header has been read.
pub struct CsvSource {
    rdr: csv::Reader<Tracker<Box<dyn Read + Send>>>,
    header_record: ByteRecord,
    header: Vec<String>,
    delimiter: u8,
    flexible: bool,
    max_record_bytes: u64,
    /// Invalid bytes the decoder replaced (only when decoding).
    damage: Option<(DamageLog, &'static Encoding)>,
    next_record: u64,
    size: Option<u64>,
}

impl CsvSource {
    /// Opens `input`: decodes it when asked (or when a UTF-16 byte-order mark says so), sniffs
    /// the delimiter unless given, and reads the header.
    pub fn new(input: impl Read + Send + 'static, opts: CsvOptions) -> Result<CsvSource, Error> {
        let mut raw = BufReader::with_capacity(SNIFF_BYTES, input);
        let head = raw.fill_buf().map_err(Error::Read)?;
        let encoding = opts.encoding.or_else(|| utf16_bom(head));
        let (decoded, damage): (Box<dyn Read + Send>, _) = match encoding {
            Some(enc) => {
                let decoder = StrictDecoder::new(raw, enc);
                let log = decoder.log();
                (Box::new(decoder), Some((log, enc)))
            }
            None => (Box::new(raw), None),
        };
        let (peek, rest) = peek(decoded, SNIFF_BYTES).map_err(Error::Read)?;
        let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(&peek));
        if matches!(delimiter, b'"' | b'\r' | b'\n') {
            return Err(Error::Options(format!(
                "{:?} cannot be a delimiter: quotes and line breaks are CSV syntax",
                delimiter as char
            )));
        }
        let reader: Box<dyn Read + Send> = Box::new(Cursor::new(peek).chain(rest));
        let mut tracker = Tracker::new(reader, delimiter);
        tracker.set_limit(opts.max_record_bytes);
        let rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(tracker);
        let mut source = CsvSource {
            rdr,
            header_record: ByteRecord::new(),
            header: Vec::new(),
            delimiter,
            flexible: opts.flexible,
            max_record_bytes: opts.max_record_bytes,
            damage,
            next_record: 0,
            size: None,
        };
        let mut header_record = ByteRecord::new();
        if source.read_raw(&mut header_record)?.is_none() {
            header_record.clear();
        }
        source.header = header_record
            .iter()
            .enumerate()
            .map(|(field, f)| {
                std::str::from_utf8(f)
                    .map(str::to_string)
                    .map_err(|_| Error::HeaderUtf8 { field })
            })
            .collect::<Result<Vec<_>, _>>()?;
        source.header_record = header_record;
        Ok(source)
    }

    /// The input's size in bytes (a file's length), for [`RecordSource::size_hint`].
    pub fn with_size(mut self, size: Option<u64>) -> Self {
        self.size = size;
        self
    }

    /// The delimiter in use (given or sniffed): outputs keep it unless told otherwise.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Reads one record (the header is record 0) and checks what the CSV parser cannot: its
    /// size, a quote left open at the end of the input, bytes the decoder replaced. Returns its
    /// position and whether it was damaged (only when flexible).
    fn read_raw(&mut self, rec: &mut ByteRecord) -> Result<Option<(At, bool)>, Error> {
        let record = self.next_record;
        let start = self.rdr.position().byte();
        self.rdr.get_mut().set_record_start(start);
        let more = match self.rdr.read_byte_record(rec) {
            Ok(more) => more,
            Err(e) if self.rdr.get_ref().too_large() => {
                let line = self.rdr.get_mut().line_of(start);
                drop(e);
                return Err(Error::TooLarge {
                    at: At { record, line },
                    limit: self.max_record_bytes,
                });
            }
            Err(e) => return Err(csv_error(e, record)),
        };
        if !more {
            return Ok(None);
        }
        self.next_record += 1;
        let begin = rec.position().map_or(start, |p| p.byte());
        let end = self.rdr.position().byte();
        let line = self.rdr.get_mut().line_of(begin);
        let at = At { record, line };
        if let Some((quote_at, quote_line)) = self.rdr.get_ref().open_quote() {
            // The stream ended inside a quoted field: this record swallowed the rest.
            if begin <= quote_at && quote_at < end {
                return Err(Error::UnterminatedQuote {
                    at: At {
                        record,
                        line: quote_line,
                    },
                });
            }
        }
        let limit = self.max_record_bytes;
        if limit > 0 && rec.as_slice().len() as u64 > limit {
            return Err(Error::TooLarge { at, limit });
        }
        let mut damaged = false;
        if let Some((log, encoding)) = &self.damage {
            if log.any() {
                while let Some(d) = log.first_before(end) {
                    if !self.flexible {
                        return Err(Error::Encoding {
                            at,
                            encoding: encoding.name(),
                            bytes: d.bytes,
                        });
                    }
                    damaged = true;
                }
            }
        }
        Ok(Some((at, damaged)))
    }
}

impl RecordSource for CsvSource {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn header_record(&self) -> &ByteRecord {
        &self.header_record
    }

    fn read(&mut self, rec: &mut ByteRecord) -> Result<Option<RecordInfo>, Error> {
        let Some((at, damaged)) = self.read_raw(rec)? else {
            return Ok(None);
        };
        // A short record is padded (Outlook leaves trailing empty fields out); a long one would
        // shift data, so it stops the run unless the source is flexible.
        let short = rec.len() < self.header.len();
        let ragged = rec.len() > self.header.len();
        if ragged && !self.flexible {
            // A record that is both is reported for its encoding, as any record is.
            if rec.iter().any(|f| std::str::from_utf8(f).is_err()) {
                return Err(utf8_error(rec, at, &self.header));
            }
            return Err(Error::Width {
                at,
                expected: self.header.len(),
                got: rec.len(),
            });
        }
        Ok(Some(RecordInfo {
            line: at.line,
            ragged,
            short,
            damaged,
            ..RecordInfo::default()
        }))
    }

    fn size_hint(&self) -> Option<u64> {
        self.size
    }
}

fn csv_error(e: csv::Error, record: u64) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Read(io),
        _ => Error::Malformed {
            at: At { record, line },
            message,
        },
    }
}

fn utf16_bom(head: &[u8]) -> Option<&'static Encoding> {
    match head {
        [0xFF, 0xFE, ..] => Some(UTF_16LE),
        [0xFE, 0xFF, ..] => Some(UTF_16BE),
        _ => None,
    }
}

/// Reads up to `n` bytes, returning them and the reader positioned after them.
fn peek<R: Read>(mut r: R, n: usize) -> io::Result<(Vec<u8>, R)> {
    let mut buf = Vec::with_capacity(n);
    (&mut r).take(n as u64).read_to_end(&mut buf)?;
    Ok((buf, r))
}

/// Picks the delimiter that splits the first lines (up to 20 records, quotes respected) into
/// the same number of fields, preferring more fields, then `,` `;` tab `|` in that order.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    // Per candidate, its count on each complete record.
    let mut counts: Vec<Vec<usize>> = vec![Vec::new(); CANDIDATES.len()];
    let mut cur = [0usize; 4];
    let mut in_quotes = false;
    let mut records = 0;
    for &b in head {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                for (c, n) in counts.iter_mut().zip(cur.iter_mut()) {
                    c.push(std::mem::take(n));
                }
                records += 1;
                if records == 20 {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    cur[i] += 1;
                }
            }
            _ => {}
        }
    }
    if records == 0 {
        // A single line with no newline: its own counts decide.
        for (c, n) in counts.iter_mut().zip(cur) {
            c.push(n);
        }
    }
    let mut best: Option<(usize, usize)> = None; // (candidate, fields per line)
    for (i, c) in counts.iter().enumerate() {
        let first = c.first().copied().unwrap_or(0);
        if first == 0 || c.iter().any(|&n| n != first) {
            continue;
        }
        if best.is_none_or(|(_, f)| first > f) {
            best = Some((i, first));
        }
    }
    if let Some((i, _)) = best {
        return CANDIDATES[i];
    }
    // No candidate is consistent (ragged rows): go by the header line.
    counts
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| (c.first().copied().unwrap_or(0), std::cmp::Reverse(*i)))
        .filter(|(_, c)| c.first().copied().unwrap_or(0) > 0)
        .map_or(b',', |(i, _)| CANDIDATES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n"), b'|');
        assert_eq!(sniff_delimiter(b"name,notes\nx,\"a;b;c\"\n"), b',');
        assert_eq!(sniff_delimiter(b"single\nvalue\n"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
    }
}
