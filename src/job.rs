//! One pass over one input: the library's entry point. A [`Job`] reads a [`RecordSource`],
//! picks the columns, cleans every record in parallel and hands the results, in input order,
//! to any number of [`Sink`]s. The command line is one client of this API; tests, benchmarks
//! and other engines are others.
//!
//! ```
//! use contactclean::job::{Job, Options};
//! use contactclean::sink::CsvSink;
//! use contactclean::source::csv::{CsvOptions, CsvSource};
//!
//! let input = "name,phone,email\nAna,+65 9123-4567, Ana@Example.COM\nBo,9123 4567,\n";
//! let source = CsvSource::new(std::io::Cursor::new(input), CsvOptions::default())?;
//! let job = Job::new(source, Options::default())?;
//! let mut cleaned = CsvSink::new("<memory>", Vec::new(), b',');
//! let summary = job.run(&mut [&mut cleaned], |_records_done| {})?;
//! assert_eq!(summary.records, 2);
//! assert_eq!(
//!     String::from_utf8(cleaned.into_inner()?).unwrap(),
//!     "name,phone,email,flags\n\
//!      Ana,+6591234567,ana@example.com,\n\
//!      Bo,9123 4567,,phone:missing_country_code\n"
//! );
//! # Ok::<(), contactclean::Error>(())
//! ```

use std::time::{Duration, Instant};

use csv::ByteRecord;

use crate::columns::{Layout, Selection};
use crate::error::Error;
use crate::phone::PhoneOptions;
use crate::pipeline;
pub use crate::pipeline::Tuning;
use crate::row::Cleaner;
use crate::sink::{Context, Sink};
use crate::source::RecordSource;

/// What a job does beyond the defaults.
#[derive(Clone, Debug)]
pub struct Options {
    pub phone: PhoneOptions,
    /// Columns named by the user (the rest are found from the header) and the flags column's
    /// name.
    pub selection: Selection,
    /// Collect each row's linking keys: only merge suggestions need them.
    pub keys: bool,
    pub tuning: Tuning,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            phone: PhoneOptions::default(),
            selection: Selection {
                flags_name: "flags".into(),
                ..Selection::default()
            },
            keys: false,
            tuning: Tuning::default(),
        }
    }
}

/// What a finished run did (the sinks hold the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub records: u64,
    pub elapsed: Duration,
}

/// One pass, ready to run: the header is read and the columns are chosen.
pub struct Job<S> {
    source: S,
    cleaner: Cleaner,
    out_header: ByteRecord,
    tuning: Tuning,
}

impl<S: RecordSource> Job<S> {
    /// Chooses the columns from the source's header and the options. Fails when a named
    /// column is missing, when the flags column would be a phone, email or id column, or when
    /// the tuning is impossible.
    pub fn new(source: S, options: Options) -> Result<Self, Error> {
        let t = options.tuning;
        if t.batch == 0 || t.batch_bytes == 0 {
            return Err(Error::Options(
                "a batch must hold at least one record and one byte".into(),
            ));
        }
        let header = source.header().to_vec();
        let layout = if source.is_empty() {
            Layout::default()
        } else {
            check_flags_column(&header, &options.selection)?;
            Layout::detect(&header, &options.selection)?
        };
        let mut out_header = source.header_record().clone();
        if layout.flags.is_none() && !source.is_empty() {
            out_header.push_field(options.selection.flags_name.as_bytes());
        }
        let mut cleaner = Cleaner::new(header, layout, options.phone);
        cleaner.keys = options.keys;
        Ok(Job {
            source,
            cleaner,
            out_header,
            tuning: t,
        })
    }

    /// The columns chosen and how their cells are cleaned.
    pub fn cleaner(&self) -> &Cleaner {
        &self.cleaner
    }

    /// The header a cleaned CSV gets: the input's plus the flags column (unless present).
    pub fn out_header(&self) -> &ByteRecord {
        &self.out_header
    }

    pub fn source(&self) -> &S {
        &self.source
    }

    /// Runs the pass: every record through every sink, in input order. `progress` is called
    /// with the number of records done after each batch (from the writer thread). On error the
    /// records before the failing one have reached the sinks; `finish` is called only on
    /// success, so a sink that writes a temporary file can tell the two apart.
    pub fn run(
        mut self,
        sinks: &mut [&mut dyn Sink],
        mut progress: impl FnMut(u64) + Send,
    ) -> Result<Summary, Error> {
        let started = Instant::now();
        // The engine needs the source mutably, so the context gets a copy of its header (once
        // per run, not per record).
        let header = self.source.header_record().clone();
        let ctx = Context {
            cleaner: &self.cleaner,
            header: &header,
            out_header: &self.out_header,
            size_hint: self.source.size_hint(),
        };
        let records = pipeline::run(
            &mut self.source,
            &self.cleaner,
            self.tuning,
            sinks,
            &ctx,
            &mut progress,
        )?;
        Ok(Summary {
            records,
            elapsed: started.elapsed(),
        })
    }
}

/// The flags column is recomputed in place when the input has one, so it must never be a
/// column that holds contact data.
fn check_flags_column(header: &[String], sel: &Selection) -> Result<(), Error> {
    let Some(col) = header.iter().position(|h| *h == sel.flags_name) else {
        return Ok(());
    };
    // The layout as it would be if no column were the flags column.
    let probe = Selection {
        flags_name: String::new(),
        ..sel.clone()
    };
    let layout = Layout::detect(header, &probe)?;
    let role = if let Some(&(_, kind)) = layout.contact.iter().find(|(c, _)| *c == col) {
        Some(kind.to_string())
    } else if layout.id == Some(col) {
        Some("id".to_string())
    } else {
        None
    };
    match role {
        Some(role) => Err(Error::FlagsColumnTaken {
            column: sel.flags_name.clone(),
            role,
        }),
        None => Ok(()),
    }
}
