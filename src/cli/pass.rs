//! One pass over the input for any subcommand: open the input, build the library's job, name
//! the columns on stderr, run it into the sinks the subcommand asked for with a progress bar
//! for people, and turn the library's errors into the one line (and hint) a person needs.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Seek, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use contactclean::columns::Kind;
use contactclean::dedupe::{Groups, Linker};
use contactclean::job::{Job, Options, Tuning};
use contactclean::merge::{Fingerprint, HashingReader};
use contactclean::phone::PhoneOptions;
use contactclean::report::Stats;
use contactclean::row::Cleaner;
use contactclean::sink::{CsvSink, LinkSink, RejectsSink, Sink};
use contactclean::source::csv::{CsvOptions, CsvSource};
use contactclean::source::detect::detect_encoding;
use contactclean::source::vcard::{looks_like_vcard, VcardOptions, VcardSource};
use contactclean::source::workbook::{looks_like_workbook, WorkbookOptions, WorkbookSource};
use contactclean::source::RecordSource;
use contactclean::vcard_sink::{VcardCsvSink, VcardRejectsSink, VcardSink};
use contactclean::Error;

use super::output::{stderr_line, Output};
use super::{EncodingArg, Failure, InputArgs, InputFormat, OutFormat};

/// How much of the input `--encoding auto` (and the hint of a non-UTF-8 error) looks at.
const SAMPLE_BYTES: u64 = 64 * 1024;

/// A check on the chosen columns, run before the first record is read.
pub type BeforeRun<'a> = dyn Fn(&Cleaner) -> Result<(), Failure> + 'a;

/// What a subcommand wants from the pass. Outputs are opened by the caller before the pass
/// (so an unwritable one fails before any reading) and committed by it after.
pub struct Wants<'a> {
    /// The cleaned output, its delimiter (`None`: the input's) and its format (`None`: the
    /// input's: a vCard input gives vCard, any other CSV).
    pub csv: Option<(&'a mut Output, Option<u8>, Option<OutFormat>)>,
    /// Flagged records, with their record number.
    pub rejects: Option<&'a mut Output>,
    /// Feed the duplicate linker.
    pub link: bool,
    /// Other outputs (a report, suggestions) are written after the pass.
    pub more_outputs: bool,
    pub id_column: Option<String>,
    /// Checks that need the chosen columns but must run before the first record is read
    /// (e.g. `check --max-invalid COLUMN=N` naming a column that is not cleaned).
    pub before: Option<&'a BeforeRun<'a>>,
    /// Fingerprint the input's bytes (for a suggestions file; `merge` checks it).
    pub fingerprint: bool,
    /// More sinks of the caller's own (`merge` spools the cleaned records).
    pub sinks: Vec<&'a mut dyn Sink>,
}

/// What a pass produced.
pub struct Pass {
    pub name: String,
    pub stats: Stats,
    pub linker: Option<Linker>,
    /// The id column's name, when the input has one.
    pub id_header: Option<String>,
    pub delimiter: u8,
    pub elapsed: Duration,
    /// The input had no bytes at all.
    pub empty_input: bool,
    /// The input's fingerprint, when asked for.
    pub fingerprint: Option<Fingerprint>,
}

impl Pass {
    pub fn finish_groups(&mut self, max_group: usize) -> Option<Groups> {
        self.linker.take().map(|l| l.finish(max_group))
    }
}

/// An output as a sink writes it; `tolerate`: a closed stdout swallows the rest of its bytes
/// (its reader chose to stop) while the other outputs are completed.
struct Keep<'a> {
    out: &'a mut Output,
    tolerate: bool,
}

impl Write for Keep<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.out.write(buf) {
            Err(e) if self.tolerate && e.kind() == io::ErrorKind::BrokenPipe => Ok(buf.len()),
            r => r,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.out.flush() {
            Err(e) if self.tolerate && e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            r => r,
        }
    }
}

/// The display name of the input.
pub fn input_name(args: &InputArgs) -> String {
    match &args.input {
        Some(p) if p.as_os_str() != "-" => p.display().to_string(),
        _ => "<stdin>".to_string(),
    }
}

/// Turns a library error into the line a person reads: the input's name where the problem is
/// in the input, and what to do about it.
pub fn failure(name: &str, e: Error) -> Failure {
    let hint = match &e {
        Error::Utf8 { .. } | Error::HeaderUtf8 { .. } => {
            "; re-run with --encoding windows-1252 (or the file's encoding: latin1, utf-16le, …)"
        }
        Error::Width { .. } => {
            "; fix the record or re-run with --flexible (pads short records, keeps long ones, \
             flags them row:ragged)"
        }
        Error::Encoding { .. } => {
            "; name the file's real --encoding, or re-run with --flexible to keep the record \
             (the bytes become U+FFFD, flagged row:encoding)"
        }
        Error::UnterminatedQuote { .. } => "; close the quote, or double it (\"\") if it is text",
        Error::TooLarge { .. } => "; raise the limit with --max-record-size if the data is real",
        Error::Malformed { message, .. } if message.starts_with("card ") => {
            "; fix the card, or re-run with --flexible to pass it through verbatim (flagged \
             row:malformed)"
        }
        Error::ForeignFlags { .. } | Error::FlagsColumnTaken { .. } => {
            "; name another flags column with --flags-column NAME"
        }
        _ => "",
    };
    match e {
        Error::Internal(m) => Failure::internal(m),
        // Only stdout's reader may stop early: a broken pipe on a named output (a FIFO given
        // as --rejects) is a failed run, as in `write_failure`.
        Error::Write { ref output, .. } => {
            let on_stdout = e.is_broken_pipe() && output == "<stdout>";
            Failure::run(e.to_string()).with_broken_pipe(on_stdout)
        }
        Error::MissingColumn(_) | Error::FlagsColumnTaken { .. } | Error::Options(_) => {
            Failure::usage(format!("{name}: {e}{hint}"))
        }
        e => Failure::run(format!("{name}: {e}{hint}")),
    }
}

/// [`failure`], and when a file that is not UTF-8 was read with no `--encoding`, the hint
/// names the encoding it looks like (from the first bytes; for a file whose first bytes are
/// UTF-8, from up to its first 16 MiB).
fn detected_failure(name: &str, e: Error, args: &InputArgs, sample: &[u8]) -> Failure {
    if args.encoding.is_none() && matches!(e, Error::Utf8 { .. } | Error::HeaderUtf8 { .. }) {
        let mut enc = detect_encoding(sample);
        if enc == encoding_rs::UTF_8 {
            if let Some(p) = args.input.as_ref().filter(|p| p.as_os_str() != "-") {
                let mut more = Vec::new();
                if File::open(p)
                    .and_then(|f| f.take(16 << 20).read_to_end(&mut more))
                    .is_ok()
                {
                    enc = detect_encoding(&more);
                }
            }
        }
        if enc != encoding_rs::UTF_8 {
            let label = enc.name().to_ascii_lowercase();
            return Failure::run(format!(
                "{name}: {e}; the file looks like {label}: re-run with --encoding {label} (or \
                 --encoding auto)"
            ));
        }
    }
    failure(name, e)
}

/// Runs one pass over the input.
pub fn run(args: &InputArgs, wants: Wants) -> Result<Pass, Failure> {
    let name = input_name(args);
    let bar = progress_bar(args);
    let path = args.input.as_deref().filter(|p| p.as_os_str() != "-");
    let mut file = None;
    let mut size = None;
    if let Some(p) = path {
        let f = File::open(p).map_err(|e| Failure::run(format!("{name}: {e}")))?;
        let meta = f
            .metadata()
            .map_err(|e| Failure::run(format!("{name}: {e}")))?;
        if meta.is_dir() {
            return Err(Failure::run(format!(
                "{name}: is a directory, not a CSV file"
            )));
        }
        size = meta.is_file().then_some(meta.len());
        file = Some(f);
    }
    // The first bytes decide (or confirm) the format.
    let mut reader: Box<dyn BufRead + Send> = match file {
        Some(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
        None => Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
    };
    let head = reader
        .fill_buf()
        .map_err(|e| Failure::run(format!("{name}: {e}")))?
        .to_vec();
    let format = input_format(args, &name, &head)?;
    if format != InputFormat::Csv {
        if format == InputFormat::Vcf
            && (!args.phone_columns.is_empty() || !args.email_columns.is_empty())
        {
            return Err(Failure::usage(format!(
                "{name}: --phone-column and --email-column do not apply to a vCard input \
                 (every TEL and EMAIL is cleaned)"
            )));
        }
        if args.delimiter.is_some() || args.encoding.is_some() {
            return Err(Failure::usage(format!(
                "{name}: --delimiter and --encoding apply to CSV input only"
            )));
        }
    }
    let out_format =
        wants
            .csv
            .as_ref()
            .and_then(|(_, _, f)| *f)
            .unwrap_or(if format == InputFormat::Vcf {
                OutFormat::Vcf
            } else {
                OutFormat::Csv
            });
    if out_format == OutFormat::Vcf && format != InputFormat::Vcf && wants.csv.is_some() {
        return Err(Failure::usage(format!(
            "{name}: vCard output needs a vCard input; write CSV (--to csv, or -o FILE.csv)"
        )));
    }
    let mut taps = (None, None);
    let mut selection = contactclean::columns::Selection {
        phone: args.phone_columns.clone(),
        email: args.email_columns.clone(),
        id: wants.id_column.clone(),
        flags_name: args.flags_column.clone(),
        region: args.region_column.clone(),
    };
    let mut delimiter = b',';
    let mut hash = None;
    let mut sample = Vec::new();
    let source: Box<dyn RecordSource> = match format {
        InputFormat::Csv => {
            let raw: Box<dyn Read + Send> = Box::new(reader);
            let raw: Box<dyn Read + Send> = if wants.fingerprint {
                let (r, h) = HashingReader::new(raw);
                hash = Some(h);
                Box::new(r)
            } else {
                raw
            };
            let raw: Box<dyn Read + Send> = match &bar {
                Some(b) => {
                    if let Some(size) = size {
                        b.set_length(size);
                    }
                    Box::new(b.wrap_read(raw))
                }
                None => raw,
            };
            // The first bytes, for `--encoding auto` and for the hint of a non-UTF-8 error
            // (the source peeks at as much to sniff the delimiter, so nothing waits longer).
            let mut raw = raw;
            (&mut raw)
                .take(SAMPLE_BYTES)
                .read_to_end(&mut sample)
                .map_err(|e| Failure::run(format!("{name}: {e}")))?;
            let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(sample.clone()).chain(raw));
            let encoding = match args.encoding {
                Some(EncodingArg::Label(e)) => Some(e),
                Some(EncodingArg::Auto) => {
                    let e = detect_encoding(&sample);
                    if !args.quiet {
                        stderr_line(&format!(
                            "contactclean: {name}: encoding {} (detected)",
                            e.name()
                        ));
                    }
                    (e != encoding_rs::UTF_8).then_some(e)
                }
                None => None,
            };
            let tsv = path
                .and_then(|p| p.extension())
                .is_some_and(|e| e.eq_ignore_ascii_case("tsv") || e.eq_ignore_ascii_case("tab"));
            let csv_opts = CsvOptions {
                delimiter: args.delimiter.or(tsv.then_some(b'\t')),
                encoding,
                flexible: args.flexible,
                max_record_bytes: args.max_record_size,
            };
            let source = CsvSource::new(raw, csv_opts)
                .map_err(|e| detected_failure(&name, e, args, &sample))?
                .with_size(size);
            delimiter = source.delimiter();
            Box::new(source)
        }
        InputFormat::Vcf => {
            let opts = VcardOptions {
                flexible: args.flexible,
                max_record_bytes: args.max_record_size,
            };
            let mut source = match path {
                Some(p) => {
                    drop(reader);
                    let f = File::open(p).map_err(|e| Failure::run(format!("{name}: {e}")))?;
                    VcardSource::new(f, opts)
                }
                None => {
                    // Two passes need a file: standard input is spooled to a temporary one.
                    let mut tmp = tempfile::tempfile()
                        .map_err(|e| Failure::run(format!("{name}: temporary file: {e}")))?;
                    io::copy(&mut reader, &mut tmp)
                        .and_then(|_| tmp.rewind())
                        .map_err(|e| Failure::run(format!("{name}: {e}")))?;
                    VcardSource::new(tmp, opts)
                }
            }
            .map_err(|e| failure(&name, e))?
            .with_size(size);
            selection = source.selection(&args.flags_column);
            if wants.csv.is_some() && out_format == OutFormat::Vcf {
                taps.0 = Some(source.tap());
            }
            if wants.rejects.is_some() {
                taps.1 = Some(source.tap());
            }
            Box::new(source)
        }
        InputFormat::Xlsx => {
            let opts = WorkbookOptions {
                sheet: args.sheet.clone(),
            };
            let source = match path {
                Some(p) => {
                    drop(reader);
                    WorkbookSource::open(p, &opts)
                }
                None => WorkbookSource::from_reader(reader, &opts),
            }
            .map_err(|e| failure(&name, e))?;
            Box::new(source)
        }
    };
    if args.sheet.is_some() && format != InputFormat::Xlsx {
        return Err(Failure::usage(format!(
            "{name}: --sheet applies to a workbook input only"
        )));
    }
    let empty_input = source.is_empty();
    let options = Options {
        phone: PhoneOptions {
            default_region: args.default_region,
            require_mobile: args.require_mobile,
            whatsapp_rules: !args.no_whatsapp_rules,
        },
        selection,
        keys: wants.link,
        tuning: Tuning {
            panic_at_record: fault_injection(),
            ..Tuning::default()
        },
    };
    let job = Job::new(source, options).map_err(|e| detected_failure(&name, e, args, &sample))?;
    if let Some(check) = wants.before {
        check(job.cleaner())?;
    }
    if !args.quiet && !empty_input {
        note_columns(&name, job.cleaner());
    }
    // The bar starts drawing only now, below the notes (no stale first frame above them).
    if let Some(b) = &bar {
        b.set_draw_target(ProgressDrawTarget::stderr());
        b.enable_steady_tick(Duration::from_millis(120));
    }
    let cleaner = job.cleaner();
    let id_header = cleaner.layout.id.map(|c| cleaner.header[c].clone());
    let mut stats = Stats::new(cleaner);
    // When other outputs are written too, a reader closing stdout early must not cut them
    // short: stdout is then skipped and the pass goes on.
    let others = wants.rejects.is_some() || wants.link || wants.more_outputs;
    let mut owned: Vec<Box<dyn Sink + '_>> = Vec::new();
    if let Some((o, d, _)) = wants.csv {
        let name = o.name().to_string();
        let keep = Keep {
            tolerate: others && o.is_stdout(),
            out: o,
        };
        let d = d.unwrap_or(delimiter);
        match (format, taps.0.take()) {
            (InputFormat::Vcf, Some(tap)) => owned.push(Box::new(VcardSink::new(name, keep, tap))),
            (InputFormat::Vcf, None) => owned.push(Box::new(VcardCsvSink::new(name, keep, d))),
            _ => owned.push(Box::new(CsvSink::new(name, keep, d))),
        }
    }
    if let Some(o) = wants.rejects {
        let name = o.name().to_string();
        // On stdout (`-o FILE --rejects -`), the cleaned file is another output.
        let keep = Keep {
            tolerate: o.is_stdout(),
            out: o,
        };
        match taps.1.take() {
            Some(tap) => owned.push(Box::new(VcardRejectsSink::new(name, keep, delimiter, tap))),
            None => owned.push(Box::new(RejectsSink::new(name, keep, delimiter))),
        }
    }
    let mut link = wants
        .link
        .then(|| LinkSink::new(cleaner.layout.id.is_some()));
    let mut sinks: Vec<&mut dyn Sink> = Vec::new();
    for s in owned.iter_mut() {
        sinks.push(s.as_mut());
    }
    if let Some(s) = &mut link {
        sinks.push(s);
    }
    for s in wants.sinks {
        sinks.push(s);
    }
    sinks.push(&mut stats);
    let bar_for_rows = bar.clone();
    let summary = job
        .run(&mut sinks, move |n| {
            if let Some(b) = &bar_for_rows {
                let secs = b.elapsed().as_secs_f64().max(1e-3);
                b.set_message(format!("{n} rows, {:.0} rows/s", n as f64 / secs));
            }
        })
        .map_err(|e| detected_failure(&name, e, args, &sample));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let summary = summary?;
    drop(sinks);
    drop(owned);
    let fingerprint = hash.map(|h| h.fingerprint(stats.rows));
    Ok(Pass {
        name,
        stats,
        linker: link.map(LinkSink::into_linker),
        id_header,
        delimiter,
        elapsed: summary.elapsed,
        empty_input,
        fingerprint,
    })
}

/// The input's format: `--input-format`, else the extension (confirmed by the content), else
/// the content.
fn input_format(args: &InputArgs, name: &str, head: &[u8]) -> Result<InputFormat, Failure> {
    if let Some(f) = args.input_format {
        return Ok(f);
    }
    let ext = args
        .input
        .as_deref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let by_ext = match ext.as_deref() {
        Some("vcf" | "vcard") => Some(InputFormat::Vcf),
        Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods") => Some(InputFormat::Xlsx),
        Some("csv" | "tsv" | "tab" | "txt") => Some(InputFormat::Csv),
        _ => None,
    };
    let by_content = if looks_like_vcard(head) {
        Some(InputFormat::Vcf)
    } else if looks_like_workbook(head) {
        Some(InputFormat::Xlsx)
    } else {
        None
    };
    match (by_ext, by_content) {
        (Some(InputFormat::Vcf), c) if c != Some(InputFormat::Vcf) && !head.is_empty() => {
            Err(Failure::run(format!(
                "{name}: not a vCard (it does not start with BEGIN:VCARD); name its format with \
                 --input-format csv|vcf|xlsx"
            )))
        }
        (Some(InputFormat::Xlsx), c) if c != Some(InputFormat::Xlsx) => Err(Failure::run(format!(
            "{name}: not a workbook (no .xlsx/.xls/.ods signature); name its format with \
             --input-format csv|vcf|xlsx"
        ))),
        (Some(f), _) => Ok(f),
        (None, Some(f)) => Ok(f),
        (None, None) => Ok(InputFormat::Csv),
    }
}

/// `CONTACTCLEAN_FAULT=panic-at-record:N` makes a worker panic outside the phone library's
/// guard: how the tests prove that a bug ends the run with one line and a non-zero exit.
fn fault_injection() -> Option<u64> {
    std::env::var("CONTACTCLEAN_FAULT")
        .ok()?
        .strip_prefix("panic-at-record:")?
        .parse()
        .ok()
}

/// Says on stderr which columns were picked, so a wrong guess is seen at once, and which phone
/// columns are shared lines that do not link rows in merge suggestions.
fn note_columns(name: &str, cleaner: &Cleaner) {
    let layout = &cleaner.layout;
    let header = &cleaner.header;
    let list = |k: Kind| {
        let v: Vec<String> = layout
            .contact
            .iter()
            .enumerate()
            .filter(|(_, (_, kind))| *kind == k)
            .map(|(slot, (c, _))| {
                if layout.links(slot) {
                    header[*c].clone()
                } else {
                    format!("{} (not linked: shared line)", header[*c])
                }
            })
            .collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    if layout.contact.is_empty() {
        stderr_line(&format!(
            "contactclean: {name}: no phone or email columns found in the header; name them with \
             --phone-column / --email-column"
        ));
    } else {
        let region = layout
            .region
            .map(|c| format!("; region of national numbers from: {}", header[c]))
            .unwrap_or_default();
        stderr_line(&format!(
            "contactclean: {name}: phone columns: {}; email columns: {}{region}",
            list(Kind::Phone),
            list(Kind::Email)
        ));
    }
}

/// A bar on stderr only when a person is watching: bytes of a file, rows/s of a stream. It
/// draws nothing until the pass starts.
fn progress_bar(args: &InputArgs) -> Option<ProgressBar> {
    if args.quiet || !io::stderr().is_terminal() {
        return None;
    }
    let is_file = args.input.as_ref().is_some_and(|p| p.as_os_str() != "-");
    let style = if is_file {
        "{spinner} {elapsed_precise} {wide_bar} {bytes}/{total_bytes} {msg} eta {eta}"
    } else {
        "{spinner} {elapsed_precise} {bytes} read, {msg}"
    };
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden())
        .with_style(ProgressStyle::with_template(style).expect("valid template"));
    Some(bar)
}

/// The one-screen summary on stderr after a pass (unless `--quiet`).
pub fn print_summary(pass: &Pass) {
    let s = &pass.stats;
    let secs = pass.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        s.rows as f64 / secs
    } else {
        0.0
    };
    let mut text = format!(
        "contactclean: {}: {} rows in {:.2} s ({:.0} rows/s); {} cells changed; {} rows flagged",
        pass.name, s.rows, secs, rate, s.cells_changed, s.flagged_rows
    );
    for c in s.columns.iter().filter(|c| c.kind.is_some()) {
        text.push_str(&format!(
            "\n  {:<24} {:<5} valid {:>8}  fixed {:>8}  invalid {:>8}  empty {:>8}",
            c.name,
            c.kind.map(|k| k.to_string()).unwrap_or_default(),
            c.valid,
            c.fixed,
            c.invalid,
            c.empty
        ));
    }
    let by_reason = s.invalid_by_reason();
    if !by_reason.is_empty() {
        let parts: Vec<String> = by_reason.iter().map(|(r, n)| format!("{r} {n}")).collect();
        text.push_str(&format!("\n  invalid by reason: {}", parts.join(", ")));
    }
    if s.ragged_rows > 0 {
        text.push_str(&format!("\n  ragged rows: {}", s.ragged_rows));
    }
    text.push_str(&extra_lines(s));
    stderr_line(&text);
}

/// Writes the JSON report into its (already opened) output.
pub fn write_report(
    out: &mut Output,
    report: &contactclean::report::Report,
) -> Result<(), Failure> {
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| Failure::internal(format!("report: {e}")))?;
    writeln!(out, "{json}")
        .and_then(|()| out.flush())
        .map_err(|e| write_failure(out, e))
}

/// An output that could not be written; a broken pipe stays recognisable.
pub fn write_failure(out: &Output, e: io::Error) -> Failure {
    let broken = e.kind() == io::ErrorKind::BrokenPipe;
    Failure::run(format!("{}: {e}", out.name())).with_broken_pipe(broken && out.is_stdout())
}

/// Writes the merge suggestions and warns (unless quiet) about groups too large to be one
/// contact.
pub fn write_suggestions(
    groups: &Groups,
    out: &mut Output,
    delimiter: u8,
    id_header: Option<&str>,
    fingerprint: Option<Fingerprint>,
    quiet: bool,
) -> Result<(), Failure> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_writer(&mut *out);
    let res = groups
        .write_csv_with(
            &mut w,
            id_header,
            fingerprint.map(|f| f.to_string()).as_deref(),
        )
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => io,
            other => io::Error::other(format!("{other:?}")),
        })
        .and_then(|()| w.flush());
    drop(w);
    res.map_err(|e| write_failure(out, e))?;
    if !quiet {
        for o in groups.oversized() {
            // Say "most share X" only when most do: a long chain of distinct keys is another
            // problem than one placeholder on every row.
            let why = if o.top_key_rows * 2 >= o.rows {
                format!(
                    "{} of them share {}; likely a placeholder, not one contact",
                    o.top_key_rows, o.top_key
                )
            } else {
                format!(
                    "a chain of keys links them (the most shared, {}, is on {} rows); check \
                     it by hand",
                    o.top_key, o.top_key_rows
                )
            };
            stderr_line(&format!(
                "contactclean: warning: group {} has {} rows (over --max-group {}): {why} \
                 (marked oversized_group)",
                o.group,
                o.rows,
                groups.summary().max_group,
            ));
        }
    }
    Ok(())
}

/// Summary lines every subcommand prints after its counts: short records padded, region cells
/// that name no country, and where national numbers point when no region was given.
pub fn extra_lines(s: &Stats) -> String {
    let mut text = String::new();
    if let (n @ 1.., Some(line)) = (s.short_rows.rows, s.short_rows.first_line) {
        text.push_str(&format!(
            "\n  short records padded with empty fields: {n} (first on line {line})"
        ));
    }
    for c in s.columns.iter().filter(|c| c.kind.is_none()) {
        let n = c.reasons.get("unknown_region").copied().unwrap_or(0);
        if n > 0 {
            let rows = if n == 1 { "row" } else { "rows" };
            text.push_str(&format!(
                "\n  {}: names no country in {n} {rows} (flagged unknown_region)",
                c.name
            ));
        }
    }
    if let Some(h) = s.region_hint() {
        text.push_str(&format!("\n  {}", h.sentence()));
    }
    text
}
