//! Opening the input: a file or stdin, decoded to UTF-8 when asked (or when a UTF-16 byte-order
//! mark says so), with the delimiter sniffed from the first lines.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

use anyhow::{Context, Result};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::InputArgs;

/// How much of the input the delimiter sniffer looks at.
const SNIFF_BYTES: usize = 64 * 1024;
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// An opened input, ready for the CSV reader.
pub struct Source {
    /// How errors name the input: its path, or `<stdin>`.
    pub name: String,
    pub reader: Box<dyn Read + Send>,
    pub delimiter: u8,
    /// Total bytes, for a progress bar (files only).
    pub size: Option<u64>,
}

/// The display name of the input.
pub fn input_name(args: &InputArgs) -> String {
    match &args.input {
        Some(p) if p.as_os_str() != "-" => p.display().to_string(),
        _ => "<stdin>".to_string(),
    }
}

/// Opens the input. `wrap` can put a progress counter around the raw bytes.
pub fn open(
    args: &InputArgs,
    wrap: impl FnOnce(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
) -> Result<Source> {
    let name = input_name(args);
    let (raw, size): (Box<dyn Read + Send>, Option<u64>) = match &args.input {
        Some(p) if p.as_os_str() != "-" => {
            let f = File::open(p).with_context(|| name.clone())?;
            let meta = f.metadata().with_context(|| name.clone())?;
            if meta.is_dir() {
                anyhow::bail!("{name}: is a directory, not a CSV file");
            }
            (Box::new(f), Some(meta.len()))
        }
        _ => (Box::new(io::stdin()), None),
    };
    let mut raw = BufReader::with_capacity(SNIFF_BYTES, wrap(raw));
    let head = raw.fill_buf().with_context(|| name.clone())?;
    let encoding = args.encoding.or_else(|| utf16_bom(head));
    let decoded: Box<dyn Read + Send> = match encoding {
        Some(enc) => Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(enc))
                .bom_override(true)
                .strip_bom(true)
                .build(raw),
        ),
        None => Box::new(raw),
    };
    let (peek, rest) = peek(decoded, SNIFF_BYTES).with_context(|| name.clone())?;
    let delimiter = args
        .delimiter
        .or_else(|| is_tsv(args.input.as_deref()).then_some(b'\t'))
        .unwrap_or_else(|| sniff_delimiter(&peek));
    Ok(Source {
        name,
        reader: Box::new(Cursor::new(peek).chain(rest)),
        delimiter,
        size,
    })
}

fn utf16_bom(head: &[u8]) -> Option<&'static Encoding> {
    match head {
        [0xFF, 0xFE, ..] => Some(UTF_16LE),
        [0xFE, 0xFF, ..] => Some(UTF_16BE),
        _ => None,
    }
}

fn is_tsv(path: Option<&Path>) -> bool {
    path.and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv") || e.eq_ignore_ascii_case("tab"))
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
