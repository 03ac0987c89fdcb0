//! Everything that stops a run, as data: the CLI turns each into its one-line message (and the
//! hint a person needs), a binding into its own exception, and no variant carries advice that
//! only makes sense on a command line.

use std::fmt;
use std::io;

use crate::columns::MissingColumn;

/// Where in the input a problem is: the 1-based data record (the header is record 0) and the
/// line it starts on, as a text editor counts lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct At {
    pub record: u64,
    pub line: u64,
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "record {} (line {})", self.record, self.line)
    }
}

/// A run-stopping problem with the input, an output, the options, or the program itself.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A field is not valid UTF-8 and no `encoding` was given. `field` is 0-based; `column` is
    /// the header's name for it (`None` past the header's width).
    Utf8 {
        at: At,
        field: usize,
        column: Option<String>,
        byte: u8,
    },
    /// A header field is not valid UTF-8 (0-based).
    HeaderUtf8 { field: usize },
    /// A record's width differs from the header's and the source is not flexible.
    Width { at: At, expected: usize, got: usize },
    /// Bytes that are invalid in the declared encoding (and the source is not flexible).
    Encoding {
        at: At,
        encoding: &'static str,
        bytes: Vec<u8>,
    },
    /// The input ended inside a quoted field: the quote opened at `at.line` never closed.
    UnterminatedQuote { at: At },
    /// A record larger than the limit (memory stays bounded whatever the input).
    TooLarge { at: At, limit: u64 },
    /// An existing flags column holds values this tool did not write: recomputing it would
    /// destroy them.
    ForeignFlags {
        at: At,
        column: String,
        value: String,
    },
    /// The flags column's name is a phone, email or id column's: recomputing it would wipe it.
    FlagsColumnTaken { column: String, role: String },
    /// Any other malformed input.
    Malformed { at: At, message: String },
    /// Reading the input failed.
    Read(io::Error),
    /// Writing output `output` (its path, or `<stdout>`) failed.
    Write { output: String, source: io::Error },
    /// A column the options name is not in the header.
    MissingColumn(MissingColumn),
    /// The options cannot work together (e.g. a batch of 0 records).
    Options(String),
    /// A panic outside the phone library's guard: a bug in this crate.
    Internal(String),
}

impl Error {
    /// Where in the input the problem is, when it is in the input.
    pub fn at(&self) -> Option<At> {
        match self {
            Error::Utf8 { at, .. }
            | Error::Width { at, .. }
            | Error::Encoding { at, .. }
            | Error::UnterminatedQuote { at }
            | Error::TooLarge { at, .. }
            | Error::ForeignFlags { at, .. }
            | Error::Malformed { at, .. } => Some(*at),
            Error::HeaderUtf8 { .. } => Some(At { record: 0, line: 1 }),
            _ => None,
        }
    }

    /// A write that failed because the reader of a pipe went away (`| head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Utf8 {
                at,
                field,
                column,
                byte,
            } => write!(
                f,
                "{at}: field {} ({}) is not valid UTF-8 (byte 0x{byte:02X})",
                field + 1,
                column.as_deref().unwrap_or("past the header")
            ),
            Error::HeaderUtf8 { field } => write!(
                f,
                "record 0 (line 1): header field {} is not valid UTF-8",
                field + 1
            ),
            Error::Width { at, expected, got } => {
                write!(f, "{at}: {got} fields, but the header has {expected}")
            }
            Error::Encoding {
                at,
                encoding,
                bytes,
            } => {
                let hex: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
                let (noun, verb) = if bytes.len() == 1 {
                    ("byte", "is")
                } else {
                    ("bytes", "are")
                };
                write!(
                    f,
                    "{at}: {noun} {} {verb} not valid {encoding}",
                    hex.join(" ")
                )
            }
            Error::UnterminatedQuote { at } => write!(
                f,
                "{at}: a quoted field opened on line {} is never closed (the rest of the input \
                 would be one field)",
                at.line
            ),
            Error::TooLarge { at, limit } => {
                write!(
                    f,
                    "{at}: the record is larger than the limit of {limit} bytes"
                )
            }
            Error::ForeignFlags { at, column, value } => write!(
                f,
                "{at}: column {column:?} holds {value:?}, which is not a contactclean flag; \
                 recomputing it would lose that data"
            ),
            Error::FlagsColumnTaken { column, role } => write!(
                f,
                "the flags column {column:?} is the input's {role} column; recomputing it \
                 would wipe that data"
            ),
            Error::Malformed { at, message } => write!(f, "{at}: {message}"),
            Error::Read(e) => write!(f, "{e}"),
            Error::Write { output, source } => write!(f, "{output}: {source}"),
            Error::MissingColumn(m) => write!(f, "{m}"),
            Error::Options(m) => f.write_str(m),
            Error::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read(e) | Error::Write { source: e, .. } => Some(e),
            Error::MissingColumn(m) => Some(m),
            _ => None,
        }
    }
}

impl From<MissingColumn> for Error {
    fn from(m: MissingColumn) -> Self {
        Error::MissingColumn(m)
    }
}
