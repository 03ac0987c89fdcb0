//! What the CSV parser cannot tell us, watched from below it.
//!
//! The csv crate counts only `\n` (so its `Position::line()` is off by one after a CRLF and
//! stays 1 in a CR-only file), and it ends a quoted field at end of file as if it were closed,
//! so one stray `"` silently swallows the rest of the file into one field. [`Tracker`] sits
//! between the byte stream and `csv::Reader` (reachable with `csv::Reader::get_ref()`) and
//! watches the bytes as they pass.
//!
//! It looks only at `"`, `\n` and `\r`, found 64 bytes at a time as bit masks and visited
//! bit by bit, never byte by byte. Plain `memchr` jumps cost more here: contact files have a
//! line break every ~100 bytes and, quoted, a quote every few, and memchr's set-up per match
//! then outweighs its search (the Tracker cost 20-70 % of csv's parse time that way, 12-22 %
//! this way; `examples/source_bench.rs`).

use std::io::{self, Read};

use memchr::memchr2_iter;

/// Marks a line-break entry that is a `\r\n` pair (two bytes) rather than one byte.
const CRLF: u64 = 1 << 63;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `Tracker::breaks`: a `Vec` with a moving front (cheaper per push and pop than a
/// `VecDeque`, which matters at one of each per line), compacted on each read.
#[derive(Default)]
struct Breaks {
    all: Vec<u64>,
    head: usize,
}

impl Breaks {
    fn live(&self) -> &[u64] {
        &self.all[self.head..]
    }

    fn compact(&mut self) {
        if self.head > 0 {
            self.all.drain(..self.head);
            self.head = 0;
        }
    }
}

/// Where csv_core's default quoting state machine is, as far as quotes are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    /// At the start of a field or inside an unquoted one (a `"` opens a field only when the
    /// byte before it ended a field or a line).
    Outside,
    /// Inside a quoted field.
    Inside,
    /// Just after a `"` inside a quoted field: another `"` is a literal quote, anything else
    /// closes the field.
    Closing,
}

/// A transparent `Read` adapter that tracks line breaks and quoting (see the module doc).
///
/// It follows csv_core's default dialect: quote `"`, doubled quotes escape, `\r`, `\n` and
/// `\r\n` end records, a leading UTF-8 BOM is skipped. csv_core decides on the BOM from its
/// first input, so the Tracker must be the reader `csv::Reader` reads from directly (they
/// then see the same first read, which the Tracker fills to 4 bytes); the delimiter must not
/// be `"`, `\r` or `\n`.
pub struct Tracker<R: Read> {
    inner: R,
    delimiter: u8,
    /// Stream offset of the next byte to be read.
    pos: u64,
    /// A read has returned bytes (csv_core decides on the BOM at its first input).
    started: bool,
    eof: bool,
    /// Line breaks not yet passed by a `line_of` query, in order: the offset of the break's
    /// first byte, `| CRLF` for a `\r\n` pair. Bounded by how far reading runs ahead of
    /// queries (8 bytes a line accumulate if nobody asks).
    breaks: Breaks,
    /// Line breaks dropped from `breaks`.
    passed: u64,
    /// The last byte read was `\r` (a `\n` starting the next read pairs with it).
    last_cr: bool,
    quote: Quote,
    /// The byte before the next read's first byte (`\n` at the start: a field starts there).
    prev: u8,
    /// Offset and line (0 until computed) of the last opening quote.
    open_at: u64,
    open_line: u64,
    /// An error met while filling the first read, returned by the next one.
    error: Option<io::Error>,
    /// Where the record being parsed starts, and the most bytes it may take (0: no limit).
    record_start: u64,
    limit: u64,
    too_large: bool,
}

/// How far reading may run ahead of the record being parsed before the record counts as
/// over the limit: the parser's own buffer, with room to spare.
const READ_AHEAD: u64 = 1 << 16;

impl<R: Read> Tracker<R> {
    /// Wraps `inner`, whose CSV fields are separated by `delimiter`.
    pub fn new(inner: R, delimiter: u8) -> Self {
        debug_assert!(!matches!(delimiter, b'"' | b'\r' | b'\n'));
        Tracker {
            inner,
            delimiter,
            pos: 0,
            started: false,
            eof: false,
            breaks: Breaks::default(),
            passed: 0,
            last_cr: false,
            quote: Quote::Outside,
            prev: b'\n',
            open_at: 0,
            open_line: 0,
            error: None,
            record_start: 0,
            limit: 0,
            too_large: false,
        }
    }

    /// Refuses to read more once one record has taken more than `limit` bytes (0: no limit),
    /// so a file with no line breaks (`/dev/zero`) or a stray quote cannot grow the parser's
    /// record without bound. The reader then fails and [`too_large`](Self::too_large) says why.
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    /// The record now being parsed starts at stream offset `byte` (the end of the last one).
    pub fn set_record_start(&mut self, byte: u64) {
        self.record_start = byte;
    }

    /// The last read failed because a record passed the limit.
    pub fn too_large(&self) -> bool {
        self.too_large
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Whether the end of the stream has been read. csv can hand out the last record before
    /// its reader has seen EOF (a file ending in a line break), so check
    /// [`open_quote`](Self::open_quote) once the csv reader has reported the end (its
    /// `read_byte_record` returned `false`), when this is true.
    pub fn at_eof(&self) -> bool {
        self.eof
    }

    /// The 1-based line, as an editor counts them (`\n`, `\r\n` and a lone `\r` each end one
    /// line), of the record that csv says starts at stream offset `byte`
    /// (`csv::Position::byte()`).
    ///
    /// Line breaks at `byte` are skipped first: csv reports a record as starting where it
    /// began looking for it, which after a CRLF is the `\n` and before blank lines is the
    /// first of them, while a user wants the line its text is on. Queries must come in
    /// non-decreasing order and be for bytes already read; breaks before the answer are
    /// forgotten, which is what keeps memory bounded by the read-ahead.
    pub fn line_of(&mut self, byte: u64) -> u64 {
        let mut at = byte;
        while let Some(&e) = self.breaks.all.get(self.breaks.head) {
            let start = e & !CRLF;
            if start > at {
                break;
            }
            let end = start + 1 + u64::from(e & CRLF != 0);
            // A break at (or straddling) `at`: the record's text begins after it.
            at = at.max(end);
            self.breaks.head += 1;
            self.passed += 1;
        }
        self.passed + 1
    }

    /// After EOF has been read ([`at_eof`](Self::at_eof)): the byte offset and line of the
    /// quote that opened a field the stream ended inside, if it did. csv then took the rest
    /// of the stream as that one field.
    pub fn open_quote(&self) -> Option<(u64, u64)> {
        (self.eof && self.quote == Quote::Inside).then_some((self.open_at, self.open_line))
    }

    /// Notes the line breaks and follows the quoting in `chunk`, which starts at `self.pos`.
    fn scan(&mut self, chunk: &[u8]) {
        let base = self.pos;
        let mut from = 0;
        if !self.started {
            self.started = true;
            if chunk.starts_with(BOM) {
                // csv_core strips it; the field starts after it (`prev` is still `\n`).
                from = BOM.len();
            }
        }
        self.breaks.compact();
        let mark = self.breaks.all.len();
        let lone_cr = self.follow(chunk, from, base);
        // A `\r` not followed by `\n` ends a line too. Outside CR-only files they are rare,
        // so `follow` visits only `\n`s, and when some `\r` is not in a pair (or ends the
        // read) the breaks are found again visiting both bytes.
        if lone_cr {
            self.breaks.all.truncate(mark);
            self.note_all_breaks(chunk, base);
        }
        self.last_cr = chunk.last() == Some(&b'\r');
        if self.quote == Quote::Inside && self.open_line == 0 {
            // Only a quote still open at the end of a read can matter: its line now, while
            // the breaks before it are all still here.
            let at = self.open_at;
            let before = self.breaks.live().partition_point(|&e| e & !CRLF < at) as u64;
            self.open_line = self.passed + before + 1;
        }
        if let Some(&b) = chunk.last() {
            self.prev = b;
        }
        self.pos += chunk.len() as u64;
    }

    /// One pass over `chunk[from..]` (stream offset of `chunk`: `base`), 64 bytes at a time:
    /// notes each `\n` (with the `\r` before it, if any) and follows csv_core's quoting
    /// states from quote to quote. Returns whether some `\r` in `chunk` may not be followed
    /// by `\n` (then its breaks must be found again, see `scan`).
    fn follow(&mut self, chunk: &[u8], from: usize, base: u64) -> bool {
        let mut lone_cr = false;
        // The state in locals: the pushes to `breaks` would otherwise make the compiler
        // reload it for every match.
        let (mut quote, mut open_at, mut open_line) = (self.quote, self.open_at, self.open_line);
        let (delimiter, prev, last_cr) = (self.delimiter, self.prev, self.last_cr);
        let breaks = &mut self.breaks.all;
        // In state `Closing`, the index of the byte after the closing quote.
        let mut after_close = from;
        let mut block = from;
        while block < chunk.len() {
            let (mut quotes, mut newlines, returns) = masks(chunk, block);
            // A `\r` whose next bit is not a `\n` (the last bit's next byte is in the next
            // block, or the next read).
            let unpaired = returns & !(newlines >> 1);
            if unpaired != 0 && (unpaired != 1 << 63 || chunk.get(block + 64) != Some(&b'\n')) {
                lone_cr = true;
            }
            while newlines != 0 {
                let i = block + newlines.trailing_zeros() as usize;
                newlines &= newlines - 1;
                if i == 0 {
                    if last_cr {
                        // The pair of the `\r` that ended the previous read: one break,
                        // unless a query has already passed it (then forget this too).
                        if let Some(back) = breaks.last_mut() {
                            if *back == base - 1 {
                                *back |= CRLF;
                            }
                        }
                    } else {
                        breaks.push(base);
                    }
                } else if chunk[i - 1] == b'\r' {
                    breaks.push((base + i as u64 - 1) | CRLF);
                } else {
                    breaks.push(base + i as u64);
                }
            }
            while quotes != 0 {
                let i = block + quotes.trailing_zeros() as usize;
                quotes &= quotes - 1;
                match quote {
                    Quote::Inside => {
                        quote = Quote::Closing;
                        after_close = i + 1;
                        continue;
                    }
                    // `""`: a literal quote inside the quoted field.
                    Quote::Closing if i == after_close => {
                        quote = Quote::Inside;
                        continue;
                    }
                    // Any other byte after the closing quote closed the field (a delimiter or
                    // line break ended it, other bytes continued it unquoted).
                    Quote::Closing | Quote::Outside => {}
                }
                // Outside: opens a field only at its start; elsewhere a literal quote.
                let before = if i == from { prev } else { chunk[i - 1] };
                if before == delimiter || before == b'\n' || before == b'\r' {
                    quote = Quote::Inside;
                    open_at = base + i as u64;
                    open_line = 0;
                } else {
                    quote = Quote::Outside;
                }
            }
            block += 64;
        }
        if quote == Quote::Closing && after_close < chunk.len() {
            // The byte after the closing quote was read and is not a quote.
            quote = Quote::Outside;
        }
        (self.quote, self.open_at, self.open_line) = (quote, open_at, open_line);
        lone_cr
    }

    /// Appends the line breaks of `chunk` (at stream offset `base`), visiting every `\r` and
    /// `\n`.
    fn note_all_breaks(&mut self, chunk: &[u8], base: u64) {
        for i in memchr2_iter(b'\n', b'\r', chunk) {
            if chunk[i] == b'\n'
                && (if i == 0 {
                    self.last_cr
                } else {
                    chunk[i - 1] == b'\r'
                })
            {
                if i == 0 {
                    self.pair_previous_cr(base);
                } else if let Some(back) = self.breaks.all.last_mut() {
                    *back |= CRLF;
                }
                continue;
            }
            self.breaks.all.push(base + i as u64);
        }
    }

    /// A read starting with `\n` after one ending with `\r`: one break with that `\r`,
    /// unless a query has already passed it (then it is forgotten and so is this).
    fn pair_previous_cr(&mut self, base: u64) {
        if let Some(back) = self.breaks.all[self.breaks.head..].last_mut() {
            if *back == base - 1 {
                *back |= CRLF;
            }
        }
    }
}

impl<R: Read> Read for Tracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.limit > 0 && self.pos.saturating_sub(self.record_start) > self.limit + READ_AHEAD {
            self.too_large = true;
            return Err(io::Error::other("record over the size limit"));
        }
        let mut n = self.inner.read(buf)?;
        if !self.started && n > 0 {
            // csv_core strips a BOM only if its first input holds it whole, and takes a first
            // input of exactly the BOM for the end of the stream (dropping the rest). Filling
            // the first read to 4 bytes makes it always strip a leading BOM and never stop.
            let want = buf.len().min(BOM.len() + 1);
            while n < want {
                match self.inner.read(&mut buf[n..want]) {
                    Ok(0) => {
                        // csv may see no empty read after this one (a lone BOM).
                        self.eof = true;
                        break;
                    }
                    Ok(k) => n += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        // Hand out what was read; the error comes next.
                        self.error = Some(e);
                        break;
                    }
                }
            }
        }
        if n == 0 {
            if !buf.is_empty() {
                self.eof = true;
            }
        } else {
            self.scan(&buf[..n]);
        }
        Ok(n)
    }
}

/// Bit masks of the `"`, `\n` and `\r` among the (up to) 64 bytes of `hay` from `at`: bit
/// `i` stands for `hay[at + i]`. SSE2, which every x86-64 has; a plain loop elsewhere.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks(hay: &[u8], at: usize) -> (u64, u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let Some(block) = hay.get(at..at + 64) else {
        return masks_scalar(&hay[at..]);
    };
    // SAFETY: SSE2 is part of x86-64 itself (always enabled on this target); each load reads
    // 16 bytes of `block` (`loadu`: no alignment needed).
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let newline = _mm_set1_epi8(b'\n' as i8);
        let cr = _mm_set1_epi8(b'\r' as i8);
        let (mut quotes, mut newlines, mut returns) = (0, 0, 0);
        for (k, part) in block.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            let bits = |needle| u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)) as u16);
            quotes |= bits(quote) << (16 * k);
            newlines |= bits(newline) << (16 * k);
            returns |= bits(cr) << (16 * k);
        }
        (quotes, newlines, returns)
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(hay: &[u8], at: usize) -> (u64, u64, u64) {
    masks_scalar(&hay[at..(at + 64).min(hay.len())])
}

/// `masks` for the last, short block (and other targets).
fn masks_scalar(block: &[u8]) -> (u64, u64, u64) {
    let bit = |c: u8, needle: u8, i: usize| u64::from(c == needle) << i;
    block
        .iter()
        .enumerate()
        .fold((0, 0, 0), |(q, n, r), (i, &c)| {
            (
                q | bit(c, b'"', i),
                n | bit(c, b'\n', i),
                r | bit(c, b'\r', i),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::super::Chunked;
    use super::*;
    use proptest::prelude::*;

    type Records = Vec<Vec<Vec<u8>>>;

    /// Parses `data` with the csv crate over a Tracker, `chunk` bytes per read, asking the
    /// line of each record as it comes. Returns the records, their (start offset, line)
    /// pairs and the tracker.
    fn parse(data: &[u8], chunk: usize) -> (Records, Vec<(u64, u64)>, Tracker<Chunked<'_>>) {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Tracker::new(Chunked { data, n: chunk }, b','));
        let (mut records, mut lines) = (Vec::new(), Vec::new());
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            records.push(rec.iter().map(<[u8]>::to_vec).collect());
            let byte = rec.position().unwrap().byte();
            lines.push((byte, rdr.get_mut().line_of(byte)));
        }
        let tracker = rdr.into_inner();
        assert!(tracker.at_eof());
        (records, lines, tracker)
    }

    fn open(data: &[u8], chunk: usize) -> Option<(u64, u64)> {
        parse(data, chunk).2.open_quote()
    }

    fn lines(data: &[u8], chunk: usize) -> Vec<u64> {
        parse(data, chunk).1.into_iter().map(|(_, l)| l).collect()
    }

    /// csv_core's default NFA (quote `"`, doubled quotes, CR/LF/CRLF terminators), a byte at
    /// a time: whether `data` ends inside a quoted field.
    fn reference_open(data: &[u8], bom_stripped: bool) -> bool {
        #[derive(PartialEq)]
        enum S {
            StartRecord,
            StartField,
            InField,
            InQuoted,
            InDoubleEscapedQuote,
            Crlf,
        }
        let data = if bom_stripped { &data[3..] } else { data };
        let term = |c: u8| c == b'\r' || c == b'\n';
        // EndFieldTerm -> InRecordTerm -> CRLF (on `\r`) or EndRecord -> StartRecord.
        let end_record = |c: u8| if c == b'\r' { S::Crlf } else { S::StartRecord };
        let mut s = S::StartRecord;
        for &c in data {
            loop {
                s = match s {
                    S::StartRecord if term(c) => S::StartRecord,
                    S::StartRecord => {
                        s = S::StartField;
                        continue;
                    }
                    S::StartField if c == b'"' => S::InQuoted,
                    S::StartField | S::InField | S::InDoubleEscapedQuote if c == b',' => {
                        S::StartField
                    }
                    S::StartField | S::InField | S::InDoubleEscapedQuote if term(c) => {
                        end_record(c)
                    }
                    S::InDoubleEscapedQuote if c == b'"' => S::InQuoted,
                    S::StartField | S::InField | S::InDoubleEscapedQuote => S::InField,
                    S::InQuoted if c == b'"' => S::InDoubleEscapedQuote,
                    S::InQuoted => S::InQuoted,
                    S::Crlf if c == b'\n' => S::StartRecord,
                    S::Crlf => {
                        s = S::StartRecord;
                        continue;
                    }
                };
                break;
            }
        }
        s == S::InQuoted
    }

    /// The line of the text at or after `byte`, counting breaks as universal newlines do
    /// (`\r\n` and `\r` read as `\n`).
    fn reference_line(data: &[u8], byte: usize) -> u64 {
        let mut at = byte.min(data.len());
        while at < data.len() && (data[at] == b'\r' || data[at] == b'\n') {
            at += 1;
        }
        let text = String::from_utf8_lossy(&data[..at])
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        text.matches('\n').count() as u64 + 1
    }

    #[test]
    fn lines_as_an_editor_counts_them() {
        for chunk in [1, 2, 3, 1024] {
            assert_eq!(lines(b"a\nb\nc\n", chunk), [1, 2, 3]);
            assert_eq!(lines(b"a\r\nb\r\nc\r\n", chunk), [1, 2, 3]);
            assert_eq!(lines(b"a\rb\rc", chunk), [1, 2, 3]);
            assert_eq!(lines(b"a\r\nb\rc\nd\n\re", chunk), [1, 2, 3, 4, 6]);
            // Blank lines are skipped to the record's text.
            assert_eq!(lines(b"\n\r\na\n\n\nb", chunk), [3, 6]);
            // An embedded line break counts; the next record is on the line after.
            assert_eq!(lines(b"\"x\r\ny\",1\r\nz\r\n", chunk), [1, 3]);
            assert_eq!(lines(b"", chunk), Vec::<u64>::new());
        }
    }

    #[test]
    fn breaks_at_block_edges() {
        // A lone `\r`, a `\r\n` and a `""` around the end of the first 64-byte block.
        for at in 60..68 {
            let mut data = "a".repeat(at).into_bytes();
            data.extend_from_slice(b"\rb\r\nc\n");
            for chunk in [at, at + 1, at + 2, 64, 1024] {
                assert_eq!(lines(&data, chunk), [1, 2, 3], "at {at} chunk {chunk}");
            }
            let mut data = "\"".to_string() + &"a".repeat(at);
            data.push_str("\"\"b\nc");
            for chunk in [at, at + 1, at + 2, 64, 1024] {
                assert_eq!(
                    open(data.as_bytes(), chunk),
                    Some((0, 1)),
                    "at {at} chunk {chunk}"
                );
            }
        }
    }

    #[test]
    fn crlf_split_across_reads_counts_once() {
        let data = b"ab\r\ncd\r\nef";
        for chunk in 1..data.len() {
            let mut t = Tracker::new(Chunked { data, n: chunk }, b',');
            io::copy(&mut t, &mut io::sink()).unwrap();
            assert_eq!(t.line_of(0), 1);
            assert_eq!(t.line_of(3), 2, "chunk {chunk}");
            assert_eq!(t.line_of(8), 3);
            assert_eq!(t.line_of(10), 3);
        }
    }

    #[test]
    fn quotes_follow_csv_core() {
        for chunk in [1, 2, 3, 4, 1024] {
            assert_eq!(open(b"", chunk), None);
            assert_eq!(open(b"a,\"b\nc", chunk), Some((2, 1)));
            assert_eq!(open(b"x\r\ny\r\n\"b\r\nc,d\r\n", chunk), Some((6, 3)));
            assert_eq!(open(b"x\r\"", chunk), Some((2, 2)));
            assert_eq!(open(b"\"a\"\"b\"", chunk), None);
            assert_eq!(open(b"\"a\"\"b", chunk), Some((0, 1)));
            // A closing quote followed by other bytes: the rest is unquoted and `"` literal.
            assert_eq!(open(b"\"abc\"def\"\n", chunk), None);
            assert_eq!(open(b"\"abc\"def\"\n\"x", chunk), Some((10, 2)));
            // A quote inside an unquoted field is literal.
            assert_eq!(open(b"ab\"c\n", chunk), None);
            assert_eq!(open(b"ab\"c,\"d", chunk), Some((5, 1)));
            assert_eq!(open(b"\"\"", chunk), None);
            assert_eq!(open(b"\"", chunk), Some((0, 1)));
        }
    }

    #[test]
    fn quote_right_after_bom() {
        // csv strips the BOM: the quote starts a field.
        for chunk in [1, 2, 3, 1024] {
            assert_eq!(open(b"\xEF\xBB\xBF\"a,b", chunk), Some((3, 1)));
            assert_eq!(open(b"\xEF\xBB\xBF\"a\"", chunk), None);
            assert_eq!(parse(b"\xEF\xBB\xBF\"a\",b", chunk).0, [[b"a", b"b"]]);
            // Not after a BOM that is not leading.
            assert_eq!(open(b"x\n\xEF\xBB\xBF\"a", chunk), None);
        }
        // Without the Tracker filling the first read, csv would keep a BOM split between
        // reads as field text, and stop at a first read of exactly the BOM.
        let plain = |chunk| {
            let data = b"\xEF\xBB\xBFa,b";
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(Chunked { data, n: chunk });
            rdr.byte_records().count()
        };
        assert_eq!(plain(3), 0);
        assert_eq!(parse(b"\xEF\xBB\xBFa,b", 3).0, [[b"a", b"b"]]);
        assert_eq!(parse(b"\xEF\xBB\xBF", 3).0, Records::new());
    }

    #[test]
    fn memory_stays_bounded() {
        let data = "a,\"b\nc\",d\r\n".repeat(100_000);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(Tracker::new(data.as_bytes(), b','));
        let mut rec = csv::ByteRecord::new();
        let mut most = 0;
        let mut n = 0;
        while rdr.read_byte_record(&mut rec).unwrap() {
            n += 1;
            let line = rdr.get_mut().line_of(rec.position().unwrap().byte());
            assert_eq!(line, 2 * n - 1);
            most = most.max(rdr.get_ref().breaks.live().len());
        }
        // csv reads 8 KiB at a time: at most that many bytes of breaks are ahead.
        assert!(most <= 8 * 1024 / 5, "{most}");
    }

    fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
        csv_bytes_up_to(40)
    }

    /// Strings of `"` `,` `\n` `\r` `a`, sometimes after a BOM.
    fn csv_bytes_up_to(len: usize) -> impl Strategy<Value = Vec<u8>> {
        (
            any::<bool>(),
            prop::collection::vec(prop::sample::select(b"\",\n\ra".to_vec()), 0..len),
        )
            .prop_map(|(bom, body)| {
                let mut v = if bom { BOM.to_vec() } else { Vec::new() };
                v.extend(body);
                v
            })
    }

    /// Read sizes: small ones split everything; 8 KiB is csv's own.
    fn chunks() -> impl Strategy<Value = usize> {
        prop_oneof![1usize..10, Just(8192)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Against the byte-at-a-time reference: open quotes, and lines of every record.
        #[test]
        fn agrees_with_reference(data in csv_bytes(), chunk in chunks()) {
            let (_, lines, t) = parse(&data, chunk);
            prop_assert_eq!(t.open_quote().is_some(), reference_open(&data, data.starts_with(BOM)));
            if let Some((at, line)) = t.open_quote() {
                prop_assert_eq!(data[at as usize], b'"');
                prop_assert_eq!(line, reference_line(&data, at as usize));
            }
            // Lines of the records csv found, against the reference at csv's offsets.
            let expected: Vec<(u64, u64)> =
                lines.iter().map(|&(b, _)| (b, reference_line(&data, b as usize))).collect();
            prop_assert_eq!(lines, expected);
        }

        /// Against the csv crate itself: appending `"` and a line break leaves its records
        /// unchanged exactly when the input ended inside quotes (the `"` closes the field and
        /// the break ends the record, which EOF did anyway). Anywhere else the `"` opens a
        /// field, is field text, or escapes a quote, so the records change.
        #[test]
        fn agrees_with_csv_crate(data in csv_bytes(), chunk in chunks()) {
            let (records, _, t) = parse(&data, chunk);
            let mut closed = data.clone();
            closed.extend_from_slice(b"\"\n");
            let (records_closed, _, _) = parse(&closed, chunk);
            prop_assert_eq!(t.open_quote().is_some(), records == records_closed);
        }

        /// Long enough for several 64-byte blocks per read: blocks end on every kind of byte,
        /// `\r\n` and `""` straddle them.
        #[test]
        fn agrees_with_reference_across_blocks(
            data in csv_bytes_up_to(400),
            chunk in prop_oneof![1usize..10, 60usize..70, 125usize..131, Just(8192)],
        ) {
            let (_, lines, t) = parse(&data, chunk);
            prop_assert_eq!(t.open_quote().is_some(), reference_open(&data, data.starts_with(BOM)));
            if let Some((at, line)) = t.open_quote() {
                prop_assert_eq!(line, reference_line(&data, at as usize));
            }
            for (b, line) in lines {
                prop_assert_eq!(line, reference_line(&data, b as usize));
            }
        }

        /// The SSE2 classification against the plain one, at every alignment.
        #[test]
        fn masks_match_scalar(data in prop::collection::vec(prop::sample::select(b"\"\n\rab\x80\xff".to_vec()), 0..200)) {
            for at in 0..data.len() {
                let end = (at + 64).min(data.len());
                prop_assert_eq!(masks(&data, at), masks_scalar(&data[at..end]));
            }
        }

        /// Queries in any non-decreasing order, after reading everything.
        #[test]
        fn line_of_any_offsets(data in csv_bytes(), chunk in chunks(), mut at in prop::collection::vec(0usize..45, 0..8)) {
            at.sort_unstable();
            let mut t = Tracker::new(Chunked { data: &data, n: chunk }, b',');
            io::copy(&mut t, &mut io::sink()).unwrap();
            for &b in &at {
                prop_assert_eq!(t.line_of(b as u64), reference_line(&data, b));
            }
        }
    }
}
