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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::DEFAULT_MAX_GROUP;
    use crate::report::Stats;
    use crate::sink::{CsvSink, LinkSink, Processed, RejectsSink};
    use crate::source::csv::{CsvOptions, CsvSource};

    fn source(text: &str) -> CsvSource {
        CsvSource::new(
            std::io::Cursor::new(text.to_string()),
            CsvOptions::default(),
        )
        .unwrap()
    }

    fn contacts(n: usize) -> String {
        let mut s = String::from("id,Phone,Email\n");
        for i in 0..n {
            // Every 10th row repeats the previous row's number in another rendering.
            let num = if i % 10 == 9 { i - 1 } else { i };
            s.push_str(&format!(
                "{i},+65 9{:03} {:04},U{i}@Example.com\n",
                num / 10000,
                num % 10000
            ));
        }
        s
    }

    /// The whole of `normalize --rejects --suggestions` through the library alone, with a
    /// batch of 7 records so many batches cross the stages.
    #[test]
    fn a_whole_job_through_the_library() {
        let options = Options {
            keys: true,
            tuning: Tuning {
                batch: 7,
                ..Tuning::default()
            },
            ..Options::default()
        };
        let job = Job::new(source(&contacts(1000)), options).unwrap();
        let cleaner = job.cleaner().clone();
        assert_eq!(cleaner.layout.id, Some(0));
        let mut out = CsvSink::new("out", Vec::new(), b',');
        let mut rejects = RejectsSink::new("rejects", Vec::new(), b',');
        let mut link = LinkSink::new(true);
        let mut stats = Stats::new(&cleaner);
        let mut last = 0;
        let summary = job
            .run(&mut [&mut out, &mut rejects, &mut link, &mut stats], |n| {
                assert!(n >= last);
                last = n;
            })
            .unwrap();
        assert_eq!((summary.records, last, stats.rows), (1000, 1000, 1000));
        let out = String::from_utf8(out.into_inner().unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "id,Phone,Email,flags");
        assert_eq!(lines[1], "0,+6590000000,u0@example.com,");
        assert_eq!(lines[1000], "999,+6590000998,u999@example.com,");
        assert_eq!(
            String::from_utf8(rejects.into_inner().unwrap()).unwrap(),
            "record,id,Phone,Email,flags\n"
        );
        let groups = link.into_linker().finish(DEFAULT_MAX_GROUP);
        assert_eq!(groups.len(), 100);
        assert_eq!(groups.members(0), &[8, 9]);
        let row_groups = groups.row_groups();
        assert_eq!((row_groups[9], row_groups[0]), (Some(0), None));
        assert_eq!(groups.survivor(0), 8);
    }

    struct Boom;

    impl Sink for Boom {
        fn record(&mut self, p: &Processed, _: &Context) -> Result<(), Error> {
            if p.record == 5 {
                panic!("a bug in a sink");
            }
            Ok(())
        }
    }

    /// A panic outside the phone library's guard is a bug: the run ends with
    /// `Error::Internal`, it never becomes a cell reason or a silent success.
    #[test]
    fn a_panic_outside_the_guard_is_an_internal_error() {
        let job = Job::new(source(&contacts(20)), Options::default()).unwrap();
        match job.run(&mut [&mut Boom], |_| {}) {
            Err(Error::Internal(m)) => assert!(m.contains("a bug in a sink"), "{m}"),
            other => panic!("{other:?}"),
        }
        let options = Options {
            tuning: Tuning {
                panic_at_record: Some(3),
                ..Tuning::default()
            },
            ..Options::default()
        };
        let job = Job::new(source(&contacts(20)), options).unwrap();
        let mut stats = Stats::new(job.cleaner());
        match job.run(&mut [&mut stats], |_| {}) {
            Err(Error::Internal(m)) => assert!(m.contains("injected fault at record 3"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn impossible_options_are_refused() {
        let options = Options {
            tuning: Tuning {
                batch: 0,
                ..Tuning::default()
            },
            ..Options::default()
        };
        assert!(matches!(
            Job::new(source("phone\n1\n"), options),
            Err(Error::Options(_))
        ));
        let mut options = Options::default();
        options.selection.flags_name = "Phone".into();
        assert!(matches!(
            Job::new(source("Name,Phone\nA,1\n"), options),
            Err(Error::FlagsColumnTaken { .. })
        ));
    }

    #[test]
    fn errors_carry_positions_not_advice() {
        let job = Job::new(source("Name,Phone\nA,1\nB,2,3\n"), Options::default()).unwrap();
        let mut stats = Stats::new(job.cleaner());
        let e = job.run(&mut [&mut stats], |_| {}).unwrap_err();
        assert!(matches!(
            e,
            Error::Width {
                at: crate::error::At { record: 2, line: 3 },
                expected: 2,
                got: 3
            }
        ));
        assert_eq!(
            e.to_string(),
            "record 2 (line 3): 3 fields, but the header has 2"
        );
        assert_eq!(stats.rows, 1);
    }
}
