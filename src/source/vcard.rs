//! vCard files (`.vcf`, versions 2.1, 3.0 and 4.0) as a [`RecordSource`]: one record per card.
//!
//! The design keeps every byte of the file: the reader cuts the input into *chunks*, one per
//! card (the card's lines, the blank lines after it, and for the first card whatever stood
//! before `BEGIN:VCARD`), and records, for each `TEL` and `EMAIL` content line, where its value
//! lies in the chunk. The engine cleans the values as the cells of one record; a writer
//! ([`crate::vcard_sink::VcardSink`]) copies the chunk and splices in only the values that
//! changed. No vCard is ever re-serialised, so properties, parameters, groups, folding, photos
//! and unknown `X-` properties stay as they were.
//!
//! The record's columns are the CSV a messaging platform imports: `UID` (when any card has
//! one), `First Name`, `Last Name`, `Full Name`, `Organization`, one column per phone number
//! of each type seen (`Mobile`, `Home`, `Work`, …; repeated as often as the most numbers of
//! that type on one card) and `Email`, `Email 2`, …. Finding the columns takes one pass over
//! the input before the records are read ([`VcardSource::new`] needs `Seek`); both passes hold
//! one card at a time, so memory is bounded by the largest card (and `max_record_bytes`).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};

use csv::ByteRecord;

use super::{RecordInfo, RecordSource};
use crate::columns::Selection;
use crate::error::{At, Error};

/// How to read a vCard input.
#[derive(Clone, Copy, Debug, Default)]
pub struct VcardOptions {
    /// Pass a malformed card (no `END:VCARD`, a broken folded line) through verbatim, flagged
    /// `row:malformed`, instead of stopping at it.
    pub flexible: bool,
    /// The largest card accepted, in bytes; 0: no limit.
    pub max_record_bytes: u64,
}

/// True when `head` (the first bytes of an input) starts like a vCard: `BEGIN:VCARD` after an
/// optional byte-order mark and blank lines.
pub fn looks_like_vcard(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let rest = &head[start..];
    rest.len() >= 11 && rest[..11].eq_ignore_ascii_case(b"BEGIN:VCARD")
}

/// How a value is written in its content line, so a cleaned value is written back the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Form {
    /// As is.
    Plain,
    /// A 4.0 `tel:` URI: the cleaned number goes between `prefix` (`tel:` as written) and
    /// `suffix` (`;ext=102`, …).
    Uri { prefix: String, suffix: String },
    /// 2.1 `ENCODING=QUOTED-PRINTABLE`.
    QuotedPrintable,
}

/// One `TEL` or `EMAIL` value of a card: where it is in the chunk and which column holds it.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The record's column.
    pub col: usize,
    /// The value's bytes in [`RawCard::bytes`] (from after the `:` to the end of the content
    /// line, before its line break).
    pub start: usize,
    pub end: usize,
    pub form: Form,
    /// The line the property starts on.
    pub line: u64,
    /// The property's name and parameters as written (unfolded), e.g. `item1.TEL;type=CELL`.
    pub property: String,
}

/// One card's bytes, exactly as read, and where its values are.
#[derive(Clone, Debug)]
pub struct RawCard {
    /// 1-based card number.
    pub card: u64,
    /// The line `BEGIN:VCARD` is on.
    pub line: u64,
    pub bytes: Vec<u8>,
    /// Empty for a malformed card (passed through verbatim).
    pub slots: Vec<Slot>,
    /// The card's `UID`, empty when it has none.
    pub uid: String,
}

/// Cards as the source reads them, for the writers that need their bytes. Each writer gets its
/// own queue ([`VcardSource::tap`]); a card stays queued only until the writer has seen its
/// record, so the queues hold at most the records in flight in the engine.
#[derive(Clone, Default)]
pub struct CardTap(Arc<Mutex<VecDeque<Arc<RawCard>>>>);

impl CardTap {
    /// The card of the next record (in input order).
    pub fn next_card(&self) -> Option<Arc<RawCard>> {
        self.0.lock().ok()?.pop_front()
    }

    fn push(&self, card: Arc<RawCard>) {
        if let Ok(mut q) = self.0.lock() {
            q.push_back(card);
        }
    }
}

/// The phone types in the order their columns come; others (custom labels) follow in the
/// order they are first seen.
const KNOWN_TYPES: [&str; 10] = [
    "Mobile",
    "Home",
    "Work",
    "Main",
    "Other",
    "Assistant",
    "Home Fax",
    "Work Fax",
    "Fax",
    "Pager",
];
const FIXED: [&str; 4] = ["First Name", "Last Name", "Full Name", "Organization"];

/// The record's columns, found by the first pass.
#[derive(Clone, Debug, Default)]
struct Columns {
    uid: bool,
    /// Phone type and how many columns it gets.
    phones: Vec<(String, usize)>,
    emails: usize,
}

impl Columns {
    fn header(&self) -> Vec<String> {
        let mut h = Vec::new();
        if self.uid {
            h.push("UID".to_string());
        }
        h.extend(FIXED.iter().map(|s| s.to_string()));
        for (t, n) in &self.phones {
            h.extend(std::iter::repeat_n(t.clone(), *n));
        }
        for i in 0..self.emails {
            h.push(email_name(i));
        }
        h
    }

    fn base(&self) -> usize {
        usize::from(self.uid)
    }

    fn phone_start(&self, label: &str) -> Option<(usize, usize)> {
        let mut col = self.base() + FIXED.len();
        for (t, n) in &self.phones {
            if t == label {
                return Some((col, *n));
            }
            col += n;
        }
        None
    }

    fn email_start(&self) -> usize {
        self.base() + FIXED.len() + self.phones.iter().map(|(_, n)| n).sum::<usize>()
    }

    /// Counts one card's numbers and addresses.
    fn learn(&mut self, card: &Parsed) {
        self.uid |= card.uid.is_some();
        let mut counts: Vec<(String, usize)> = Vec::new();
        for p in &card.props {
            if let Prop::Tel { label, .. } = p {
                match counts.iter_mut().find(|(t, _)| t == label) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((label.clone(), 1)),
                }
            }
        }
        for (t, n) in counts {
            match self.phones.iter_mut().find(|(x, _)| *x == t) {
                Some((_, m)) => *m = (*m).max(n),
                None => self.phones.push((t, n)),
            }
        }
        let emails = card
            .props
            .iter()
            .filter(|p| matches!(p, Prop::Email { .. }))
            .count();
        self.emails = self.emails.max(emails);
    }

    fn sort(&mut self) {
        let rank = |t: &str| {
            KNOWN_TYPES
                .iter()
                .position(|k| *k == t)
                .unwrap_or(KNOWN_TYPES.len())
        };
        // Stable: custom labels keep the order they were first seen in.
        self.phones.sort_by_key(|(t, _)| rank(t));
    }
}

fn email_name(i: usize) -> String {
    if i == 0 {
        "Email".to_string()
    } else {
        format!("Email {}", i + 1)
    }
}

/// A vCard input whose columns have been found.
pub struct VcardSource {
    reader: ChunkReader<Box<dyn BufRead + Send>>,
    columns: Columns,
    header: Vec<String>,
    header_record: ByteRecord,
    opts: VcardOptions,
    taps: Vec<CardTap>,
    next_card: u64,
    size: Option<u64>,
}

impl VcardSource {
    /// Reads the whole input once to find the columns (and the first malformed card, unless
    /// flexible), then rewinds it for the records.
    pub fn new(
        mut input: impl Read + Seek + Send + 'static,
        opts: VcardOptions,
    ) -> Result<VcardSource, Error> {
        let start = input.stream_position().map_err(Error::Read)?;
        let mut columns = Columns::default();
        let mut any = false;
        {
            let mut reader = ChunkReader::new(BufReader::with_capacity(1 << 16, &mut input));
            let mut card = 0;
            while let Some(chunk) = reader.next_chunk(opts.max_record_bytes, card + 1)? {
                card += 1;
                any = true;
                match parse(&chunk.bytes, chunk.start_line, chunk.first_line) {
                    Ok(p) => columns.learn(&p),
                    Err((line, message)) if !opts.flexible => {
                        return Err(Error::Malformed {
                            at: At { record: card, line },
                            message: format!("card {card}: {message}"),
                        })
                    }
                    Err(_) => {}
                }
            }
        }
        columns.sort();
        // Custom labels must not take a fixed column's name.
        for (t, _) in columns.phones.iter_mut() {
            if FIXED.contains(&t.as_str()) || t == "UID" || t.starts_with("Email") {
                t.push_str(" Phone");
            }
        }
        input.seek(SeekFrom::Start(start)).map_err(Error::Read)?;
        let header = if any { columns.header() } else { Vec::new() };
        let header_record = ByteRecord::from(header.clone());
        let boxed: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(1 << 16, input));
        Ok(VcardSource {
            reader: ChunkReader::new(boxed),
            columns,
            header,
            header_record,
            opts,
            taps: Vec::new(),
            next_card: 0,
            size: None,
        })
    }

    /// The input's size in bytes (a file's length), for [`RecordSource::size_hint`].
    pub fn with_size(mut self, size: Option<u64>) -> Self {
        self.size = size;
        self
    }

    /// A queue of the cards' bytes in record order, for a writer of cleaned cards.
    pub fn tap(&mut self) -> CardTap {
        let t = CardTap::default();
        self.taps.push(t.clone());
        t
    }

    /// The columns the job must clean: every phone and email column, and `UID` as the id.
    pub fn selection(&self, flags_name: &str) -> Selection {
        let mut phone: Vec<String> = Vec::new();
        for (t, _) in &self.columns.phones {
            phone.push(t.clone());
        }
        Selection {
            phone,
            email: (0..self.columns.emails).map(email_name).collect(),
            id: self.columns.uid.then(|| "UID".to_string()),
            flags_name: flags_name.to_string(),
            region: None,
        }
    }
}

impl RecordSource for VcardSource {
    fn header(&self) -> &[String] {
        &self.header
    }

    fn header_record(&self) -> &ByteRecord {
        &self.header_record
    }

    fn read(&mut self, rec: &mut ByteRecord) -> Result<Option<RecordInfo>, Error> {
        let card = self.next_card + 1;
        let Some(chunk) = self.reader.next_chunk(self.opts.max_record_bytes, card)? else {
            return Ok(None);
        };
        self.next_card = card;
        rec.clear();
        let width = self.header.len();
        let mut fields: Vec<String> = vec![String::new(); width];
        let mut slots = Vec::new();
        let mut uid = String::new();
        let malformed = match parse(&chunk.bytes, chunk.start_line, chunk.first_line) {
            Ok(p) => {
                let c = &self.columns;
                let b = c.base();
                if let Some(u) = &p.uid {
                    uid = u.clone();
                    if c.uid {
                        fields[0] = u.clone();
                    }
                }
                fields[b] = p.first.unwrap_or_default();
                fields[b + 1] = p.last.unwrap_or_default();
                fields[b + 2] = p.full.unwrap_or_default();
                fields[b + 3] = p.org.unwrap_or_default();
                let mut used: Vec<(String, usize)> = Vec::new();
                let mut email = 0;
                for prop in p.props {
                    let (col, v) = match prop {
                        Prop::Tel { label, value } => {
                            let k = match used.iter_mut().find(|(t, _)| *t == label) {
                                Some((_, n)) => {
                                    *n += 1;
                                    *n - 1
                                }
                                None => {
                                    used.push((label.clone(), 1));
                                    0
                                }
                            };
                            let label = self.columns_label(&label);
                            match c.phone_start(&label) {
                                Some((start, n)) if k < n => (start + k, value),
                                _ => return Err(changed_input(card, chunk.first_line)),
                            }
                        }
                        Prop::Email { value } => {
                            email += 1;
                            if email > c.emails {
                                return Err(changed_input(card, chunk.first_line));
                            }
                            (c.email_start() + email - 1, value)
                        }
                    };
                    fields[col] = v.text;
                    slots.push(Slot {
                        col,
                        start: v.start,
                        end: v.end,
                        form: v.form,
                        line: v.line,
                        property: v.property,
                    });
                }
                false
            }
            Err((line, message)) => {
                if !self.opts.flexible {
                    return Err(Error::Malformed {
                        at: At { record: card, line },
                        message: format!("card {card}: {message}"),
                    });
                }
                true
            }
        };
        for f in &fields {
            rec.push_field(f.as_bytes());
        }
        if !self.taps.is_empty() {
            let raw = Arc::new(RawCard {
                card,
                line: chunk.first_line,
                bytes: chunk.bytes,
                slots,
                uid,
            });
            for t in &self.taps {
                t.push(raw.clone());
            }
        }
        Ok(Some(RecordInfo {
            line: chunk.first_line,
            malformed,
            ..RecordInfo::default()
        }))
    }

    fn size_hint(&self) -> Option<u64> {
        self.size
    }
}

impl VcardSource {
    /// A custom label renamed because it took a fixed column's name.
    fn columns_label(&self, label: &str) -> String {
        if FIXED.contains(&label) || label == "UID" || label.starts_with("Email") {
            format!("{label} Phone")
        } else {
            label.to_string()
        }
    }
}

fn changed_input(card: u64, line: u64) -> Error {
    Error::Malformed {
        at: At { record: card, line },
        message: format!("card {card}: the input changed while it was read"),
    }
}

/// One card's bytes and the line it starts on.
struct Chunk {
    bytes: Vec<u8>,
    /// The line of the chunk's first byte.
    start_line: u64,
    first_line: u64,
}

/// Cuts the input into chunks: a card's lines and the blank lines after it.
struct ChunkReader<R> {
    inner: R,
    /// A line read ahead (the next card's `BEGIN`), with its line number.
    pending: Option<(Vec<u8>, u64)>,
    line: u64,
}

impl<R: BufRead> ChunkReader<R> {
    fn new(inner: R) -> Self {
        ChunkReader {
            inner,
            pending: None,
            line: 0,
        }
    }

    fn next_line(&mut self, buf: &mut Vec<u8>) -> Result<Option<u64>, Error> {
        if let Some((l, n)) = self.pending.take() {
            buf.extend_from_slice(&l);
            return Ok(Some(n));
        }
        let n = self.inner.read_until(b'\n', buf).map_err(Error::Read)?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        Ok(Some(self.line))
    }

    fn next_chunk(&mut self, limit: u64, card: u64) -> Result<Option<Chunk>, Error> {
        let mut bytes = Vec::new();
        let mut first_line = 0;
        let mut start_line = 0;
        let mut in_card = false;
        let mut ended = false;
        loop {
            let start = bytes.len();
            let Some(n) = self.next_line(&mut bytes)? else {
                break;
            };
            if first_line == 0 {
                first_line = n;
                start_line = n;
            }
            if limit > 0 && bytes.len() as u64 > limit {
                return Err(Error::TooLarge {
                    at: At {
                        record: card,
                        line: first_line,
                    },
                    limit,
                });
            }
            let content = trim_line(&bytes[start..]);
            let blank = content.iter().all(|b| b.is_ascii_whitespace());
            if ended {
                if !blank {
                    self.pending = Some((bytes[start..].to_vec(), n));
                    bytes.truncate(start);
                    break;
                }
                continue;
            }
            if is_keyword(content, b"BEGIN:VCARD") {
                if in_card {
                    // The card before never ended: this line is the next card's.
                    self.pending = Some((bytes[start..].to_vec(), n));
                    bytes.truncate(start);
                    break;
                }
                in_card = true;
                first_line = n;
            } else if in_card && is_keyword(content, b"END:VCARD") {
                ended = true;
            }
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        Ok(Some(Chunk {
            bytes,
            start_line,
            first_line,
        }))
    }
}

/// A physical line without its line break (LF, CR LF, CR CR LF).
fn trim_line(l: &[u8]) -> &[u8] {
    let mut end = l.len();
    if end > 0 && l[end - 1] == b'\n' {
        end -= 1;
        while end > 0 && l[end - 1] == b'\r' {
            end -= 1;
        }
    }
    &l[..end]
}

fn is_keyword(content: &[u8], kw: &[u8]) -> bool {
    let c = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let c = c.trim_ascii();
    c.eq_ignore_ascii_case(kw)
}

/// A `TEL` or `EMAIL` value found in a card.
struct Value {
    text: String,
    start: usize,
    end: usize,
    form: Form,
    line: u64,
    property: String,
}

enum Prop {
    Tel { label: String, value: Value },
    Email { value: Value },
}

/// What a card holds for the record.
#[derive(Default)]
struct Parsed {
    uid: Option<String>,
    first: Option<String>,
    last: Option<String>,
    full: Option<String>,
    org: Option<String>,
    props: Vec<Prop>,
}

/// One content line, unfolded.
struct Logical {
    /// Unfolded text (fold whitespace and quoted-printable soft breaks removed).
    text: Vec<u8>,
    /// (offset in `text`, offset in the chunk) where each physical piece starts.
    pieces: Vec<(usize, usize)>,
    /// End of the content line in the chunk (before its line break).
    end: usize,
    line: u64,
}

impl Logical {
    /// The chunk offset of `text[i]`.
    fn physical(&self, i: usize) -> usize {
        if i >= self.text.len() {
            return self.end;
        }
        let k = self.pieces.partition_point(|(t, _)| *t <= i) - 1;
        let (t, p) = self.pieces[k];
        p + (i - t)
    }
}

/// Splits a chunk into content lines and picks out what the record needs.
/// `start_line` is the line of the chunk's first byte, `first_line` its `BEGIN:VCARD`'s.
fn parse(chunk: &[u8], start_line: u64, first_line: u64) -> Result<Parsed, (u64, String)> {
    let mut lines: Vec<Logical> = Vec::new();
    let mut pos = 0;
    let mut line = start_line;
    let mut state = 0u8; // 0: before BEGIN, 1: in the card, 2: after END
    let mut qp_soft = false;
    while pos < chunk.len() {
        let e = memchr::memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i + 1);
        let content = trim_line(&chunk[pos..e]);
        let cend = pos + content.len();
        let this_line = line;
        line += 1;
        let start = pos;
        pos = e;
        let blank = content.iter().all(|b| b.is_ascii_whitespace());
        match state {
            0 => {
                if is_keyword(content, b"BEGIN:VCARD") {
                    state = 1;
                } else if !blank {
                    return Err((this_line, "text before BEGIN:VCARD".into()));
                }
                continue;
            }
            2 => {
                if !blank {
                    return Err((this_line, "text after END:VCARD".into()));
                }
                continue;
            }
            _ => {}
        }
        if qp_soft {
            // A quoted-printable soft line break: the next line goes on the value as is.
            let l = lines.last_mut().expect("a soft break follows a line");
            l.pieces.push((l.text.len(), start));
            l.text.extend_from_slice(content);
            l.end = cend;
            qp_soft = content.ends_with(b"=");
            if qp_soft {
                l.text.pop();
            }
            continue;
        }
        if matches!(content.first(), Some(b' ' | b'\t')) {
            let Some(l) = lines.last_mut() else {
                return Err((this_line, "a folded line continues nothing".into()));
            };
            l.pieces.push((l.text.len(), start + 1));
            l.text.extend_from_slice(&content[1..]);
            l.end = cend;
            continue;
        }
        if blank {
            continue;
        }
        if is_keyword(content, b"END:VCARD") {
            state = 2;
            continue;
        }
        let mut l = Logical {
            text: content.to_vec(),
            pieces: vec![(0, start)],
            end: cend,
            line: this_line,
        };
        if content.ends_with(b"=") && is_qp(content) {
            qp_soft = true;
            l.text.pop();
        }
        lines.push(l);
    }
    // A line with no `:` once unfolded is no property: most often a folded line that lost its
    // leading space.
    if let Some(l) = lines.iter().find(|l| !l.text.contains(&b':')) {
        return Err((
            l.line,
            format!(
                "{:?} is not a property (a folded line that lost its leading space?)",
                String::from_utf8_lossy(&l.text[..l.text.len().min(40)])
            ),
        ));
    }
    match state {
        0 => return Err((first_line, "no BEGIN:VCARD".into())),
        1 => return Err((first_line, "no END:VCARD".into())),
        _ => {}
    }
    let mut out = Parsed::default();
    // Apple's labels: `item1.X-ABLabel:…` names the type of `item1.TEL`.
    let mut labels: Vec<(Vec<u8>, String)> = Vec::new();
    let mut heads: Vec<Option<Head>> = Vec::with_capacity(lines.len());
    for l in &lines {
        // Only the properties the record needs have their parameters parsed.
        let name = prop_name(&l.text);
        if !WANTED.iter().any(|w| name.eq_ignore_ascii_case(w)) {
            heads.push(None);
            continue;
        }
        let h = head(&l.text);
        if h.name.eq_ignore_ascii_case(b"X-ABLABEL") {
            if let Some(g) = &h.group {
                let v = decode_text(&l.text[h.value..], &h);
                labels.push((g.to_ascii_lowercase(), v));
            }
        }
        heads.push(Some(h));
    }
    for (l, h) in lines.iter().zip(heads) {
        let Some(h) = h else {
            continue;
        };
        let raw = &l.text[h.value..];
        let name = h.name.to_ascii_uppercase();
        match name.as_slice() {
            b"TEL" | b"EMAIL" => {
                let mut text = decode_text(raw, &h);
                let mut form = if h.qp {
                    Form::QuotedPrintable
                } else {
                    Form::Plain
                };
                if name == b"TEL"
                    && text
                        .get(..4)
                        .is_some_and(|p| p.eq_ignore_ascii_case("tel:"))
                {
                    let (num, suffix) = match text[4..].find(';') {
                        Some(i) => (text[4..4 + i].to_string(), text[4 + i..].to_string()),
                        None => (text[4..].to_string(), String::new()),
                    };
                    form = Form::Uri {
                        prefix: text[..4].to_string(),
                        suffix,
                    };
                    text = num;
                }
                let value = Value {
                    text,
                    start: l.physical(h.value),
                    end: l.end,
                    form,
                    line: l.line,
                    property: String::from_utf8_lossy(&l.text[..h.value - 1]).into_owned(),
                };
                if name == b"TEL" {
                    let ab = h.group.as_ref().and_then(|g| {
                        let g = g.to_ascii_lowercase();
                        labels
                            .iter()
                            .find(|(x, _)| *x == g)
                            .map(|(_, v)| v.as_str())
                    });
                    out.props.push(Prop::Tel {
                        label: tel_label(&h.types, ab),
                        value,
                    });
                } else {
                    out.props.push(Prop::Email { value });
                }
            }
            b"UID" => out.uid = Some(decode_text(raw, &h)),
            b"FN" => out.full = Some(unescape(&decode_text(raw, &h))),
            b"N" => {
                let v = decode_text(raw, &h);
                let parts = split_unescaped(&v);
                out.last = parts.first().cloned().filter(|s| !s.is_empty());
                out.first = parts.get(1).cloned().filter(|s| !s.is_empty());
            }
            b"ORG" => {
                let v = decode_text(raw, &h);
                let parts: Vec<String> = split_unescaped(&v)
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                out.org = Some(parts.join(", "));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The properties the record is made of.
const WANTED: [&[u8]; 7] = [b"TEL", b"EMAIL", b"X-ABLABEL", b"UID", b"FN", b"N", b"ORG"];

/// A content line's property name, without its group.
fn prop_name(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .position(|&b| b == b';' || b == b':')
        .unwrap_or(text.len());
    let full = &text[..end];
    match full.iter().rposition(|&b| b == b'.') {
        Some(i) => &full[i + 1..],
        None => full,
    }
}

fn is_qp(content: &[u8]) -> bool {
    let colon = value_colon(content).unwrap_or(content.len());
    let h = content[..colon].to_ascii_uppercase();
    memchr::memmem::find(&h, b"QUOTED-PRINTABLE").is_some()
}

/// The `:` that ends the name and parameters (a quoted parameter value may hold one).
fn value_colon(text: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// A content line's name, group and the parameters this tool reads.
struct Head {
    group: Option<Vec<u8>>,
    name: Vec<u8>,
    /// `TYPE` values (and 2.1 bare types), lower-cased.
    types: Vec<String>,
    qp: bool,
    charset: Option<String>,
    /// Offset of the value in the unfolded text.
    value: usize,
}

fn head(text: &[u8]) -> Head {
    let colon = value_colon(text).unwrap_or(text.len().saturating_sub(1));
    let before = &text[..colon];
    let mut parts = split_params(before).into_iter();
    let full = parts.next().unwrap_or_default();
    let (group, name) = match full.iter().rposition(|&b| b == b'.') {
        Some(i) => (Some(full[..i].to_vec()), full[i + 1..].to_vec()),
        None => (None, full),
    };
    let mut h = Head {
        group,
        name,
        types: Vec::new(),
        qp: false,
        charset: None,
        value: colon + 1,
    };
    for p in parts {
        let p = String::from_utf8_lossy(&p).into_owned();
        match p.split_once('=') {
            Some((k, v)) => {
                let v = v.trim_matches('"');
                match k.trim().to_ascii_uppercase().as_str() {
                    "TYPE" => h.types.extend(
                        v.split(',')
                            .map(|t| t.trim().trim_matches('"').to_ascii_lowercase()),
                    ),
                    "ENCODING" => h.qp |= v.eq_ignore_ascii_case("QUOTED-PRINTABLE"),
                    "CHARSET" => h.charset = Some(v.to_string()),
                    _ => {}
                }
            }
            None if p.eq_ignore_ascii_case("QUOTED-PRINTABLE") => h.qp = true,
            None => h.types.push(p.trim().to_ascii_lowercase()),
        }
    }
    h
}

/// Splits `NAME;P1;P2` at the semicolons outside quotes.
fn split_params(s: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut quoted = false;
    for &b in s {
        match b {
            b'"' => {
                quoted = !quoted;
                cur.push(b);
            }
            b';' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(b),
        }
    }
    out.push(cur);
    out
}

/// The value as text: quoted-printable decoded, in its charset (default UTF-8), invalid bytes
/// as U+FFFD.
fn decode_text(raw: &[u8], h: &Head) -> String {
    let bytes = if h.qp { qp_decode(raw) } else { raw.to_vec() };
    let enc = h
        .charset
        .as_deref()
        .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _) = enc.decode_without_bom_handling(&bytes);
    text.into_owned()
}

fn qp_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' && i + 2 < raw.len() {
            let hex = std::str::from_utf8(&raw[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// Encodes a cleaned value for a quoted-printable property.
pub fn qp_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if (b.is_ascii_graphic() && b != b'=') || b == b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

/// 3.0/4.0 text escapes: `\,` `\;` `\\` `\n`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a structured value (`N`, `ORG`) at unescaped `;`, unescaping each part.
fn split_unescaped(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut esc = false;
    for c in s.chars() {
        if esc {
            cur.push('\\');
            cur.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == ';' {
            parts.push(unescape(&std::mem::take(&mut cur)));
        } else {
            cur.push(c);
        }
    }
    parts.push(unescape(&cur));
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

/// The column a number goes to: Apple's label when the property has one, else its types.
fn tel_label(types: &[String], ablabel: Option<&str>) -> String {
    if let Some(l) = ablabel.map(str::trim).filter(|l| !l.is_empty()) {
        let inner = l
            .strip_prefix("_$!<")
            .and_then(|x| x.strip_suffix(">!$_"))
            .unwrap_or(l);
        return match inner.to_ascii_lowercase().as_str() {
            "mobile" | "iphone" | "cell" => "Mobile",
            "home" => "Home",
            "work" => "Work",
            "main" => "Main",
            "other" => "Other",
            "homefax" => "Home Fax",
            "workfax" => "Work Fax",
            "otherfax" | "fax" => "Fax",
            "pager" => "Pager",
            "assistantphone" | "assistant" => "Assistant",
            _ => inner,
        }
        .to_string();
    }
    let has = |t: &str| types.iter().any(|x| x == t);
    let label = if has("fax") {
        if has("home") {
            "Home Fax"
        } else if has("work") {
            "Work Fax"
        } else {
            "Fax"
        }
    } else if has("pager") {
        "Pager"
    } else if has("cell") || has("mobile") || has("iphone") {
        "Mobile"
    } else if has("main") {
        "Main"
    } else if has("home") {
        "Home"
    } else if has("work") {
        "Work"
    } else {
        "Other"
    };
    label.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let t = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(tel_label(&t(&["cell", "voice", "pref"]), None), "Mobile");
        assert_eq!(tel_label(&t(&["work", "fax"]), None), "Work Fax");
        assert_eq!(tel_label(&t(&[]), None), "Other");
        assert_eq!(
            tel_label(&t(&["pref"]), Some("_$!<AssistantPhone>!$_")),
            "Assistant"
        );
        assert_eq!(tel_label(&t(&[]), Some("GRAND_CENTRAL")), "GRAND_CENTRAL");
    }

    #[test]
    fn quoted_printable() {
        assert_eq!(qp_decode(b"=C3=91o=3D"), "Ño=".as_bytes());
        assert_eq!(qp_encode("ño=x"), "=C3=B1o=3Dx");
    }

    #[test]
    fn parses_a_folded_card() {
        let card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Ana;;;\r\nFN:Ana Doe\r\nitem1.TEL;type=\r\n CELL:+1 555\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\nEMAIL:A@B.C\r\nEND:VCARD\r\n";
        let p = parse(card, 1, 1).unwrap();
        assert_eq!(p.first.as_deref(), Some("Ana"));
        assert_eq!(p.props.len(), 2);
        match &p.props[0] {
            Prop::Tel { label, value } => {
                assert_eq!(label, "Mobile");
                assert_eq!(value.text, "+1 555");
                assert_eq!(&card[value.start..value.end], b"+1 555");
                assert_eq!(value.line, 5);
            }
            _ => panic!(),
        }
        assert!(parse(b"BEGIN:VCARD\nFN:x\n", 1, 1).is_err());
        assert!(parse(b"BEGIN:VCARD\nNOTE:a\nbroken\nEND:VCARD\n", 1, 1).is_err());
    }

    proptest::proptest! {
        /// No input makes the card parser panic, and a value's recorded bytes are always a
        /// range inside the card.
        #[test]
        fn parse_never_panics(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "BEGIN:VCARD", "END:VCARD", "\r\n", "\n", "\r", " ", "\t", ":", ";", "=", "\"",
                "TEL", "EMAIL", "item1.", "X-ABLabel", "TYPE=CELL", "ENCODING=QUOTED-PRINTABLE",
                "tel:", "+65 9123", "=C3=91", "＋４２", "é", "N", "FN", "UID", "a", "\u{FEFF}",
            ]),
            0..60,
        )) {
            let text: String = parts.concat();
            if let Ok(p) = parse(text.as_bytes(), 1, 1) {
                for prop in &p.props {
                    let v = match prop {
                        Prop::Tel { value, .. } | Prop::Email { value } => value,
                    };
                    proptest::prop_assert!(v.start <= v.end && v.end <= text.len());
                }
            }
        }
    }
}
