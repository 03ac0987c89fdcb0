//! Where records come from. A [`RecordSource`] yields a header and then records, each with its
//! position, and owns the format's rules (for CSV: byte-order marks, encodings, the delimiter,
//! quoting, ragged records). The engine ([`crate::job`]) does not know which format it reads:
//! vCard and workbook sources plug in beside [`csv::CsvSource`].

pub mod csv;
pub mod decode;
pub mod detect;
pub mod track;
pub mod vcard;
pub mod workbook;

use ::csv::ByteRecord;

use crate::error::{At, Error};

/// What the engine learns about one record beside its fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordInfo {
    /// The line the record starts on (1-based, as an editor counts).
    pub line: u64,
    /// The record has more fields than the header (kept: the source is flexible).
    pub ragged: bool,
    /// The record has fewer fields than the header: padded with empty fields.
    pub short: bool,
    /// Bytes invalid in the input's encoding were replaced by U+FFFD (the source is flexible).
    pub damaged: bool,
    /// A record the source could not parse, passed through verbatim (the source is
    /// flexible): flagged `row:malformed`.
    pub malformed: bool,
}

/// A header and then records, in input order.
pub trait RecordSource: Send {
    /// The header's names (every field UTF-8; checked when the source was opened).
    fn header(&self) -> &[String];

    /// The header as read, written back unchanged.
    fn header_record(&self) -> &ByteRecord;

    /// True when the input had no bytes at all: no header, nothing to write.
    fn is_empty(&self) -> bool {
        self.header().is_empty()
    }

    /// Reads the next record into `rec` (reusing its buffers); `None` at the end.
    fn read(&mut self, rec: &mut ByteRecord) -> Result<Option<RecordInfo>, Error>;

    /// The input's size in bytes, when known: sizes the duplicate linker's tables up front.
    fn size_hint(&self) -> Option<u64> {
        None
    }
}

impl<S: RecordSource + ?Sized> RecordSource for Box<S> {
    fn header(&self) -> &[String] {
        (**self).header()
    }

    fn header_record(&self) -> &ByteRecord {
        (**self).header_record()
    }

    fn is_empty(&self) -> bool {
        (**self).is_empty()
    }

    fn read(&mut self, rec: &mut ByteRecord) -> Result<Option<RecordInfo>, Error> {
        (**self).read(rec)
    }

    fn size_hint(&self) -> Option<u64> {
        (**self).size_hint()
    }
}

/// The error for a record that is not UTF-8: which field, which byte. The fields are stored
/// back to back: the whole must be UTF-8, and no field may start inside a character (a
/// multi-byte character split by delimiters).
pub fn utf8_error(rec: &ByteRecord, at: At, header: &[String]) -> Error {
    let bytes = rec.as_slice();
    let bad = match std::str::from_utf8(bytes) {
        Err(e) => Some(e.valid_up_to()),
        Ok(_) => (0..rec.len())
            .filter_map(|i| rec.range(i))
            .find(|r| r.start < bytes.len() && (bytes[r.start] & 0xC0) == 0x80)
            .map(|r| r.start),
    };
    let pos = bad.unwrap_or(0);
    let byte = bytes.get(pos).copied().unwrap_or(0);
    let field = (0..rec.len())
        .find(|&i| rec.range(i).is_some_and(|r| r.end > pos))
        .unwrap_or(0);
    Error::Utf8 {
        at,
        field,
        column: header.get(field).cloned(),
        byte,
    }
}

/// The record's fields as text, when every field is UTF-8 (checked once for the whole record:
/// the fields are stored back to back, so they are each UTF-8 exactly when the whole is and
/// every field starts and ends on a character boundary, which `str::get` checks).
pub fn utf8_fields<'r>(rec: &'r ByteRecord, fields: &mut Vec<&'r str>) -> bool {
    fields.clear();
    let Ok(whole) = std::str::from_utf8(rec.as_slice()) else {
        return false;
    };
    for i in 0..rec.len() {
        match rec.range(i).and_then(|r| whole.get(r)) {
            Some(f) => fields.push(f),
            None => return false,
        }
    }
    true
}

/// A reader that returns at most `n` bytes per read, so the adapters' tests can split
/// multi-byte sequences, CRLFs, quotes and byte-order marks between reads.
#[cfg(test)]
struct Chunked<'a> {
    data: &'a [u8],
    n: usize,
}

#[cfg(test)]
impl std::io::Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}
