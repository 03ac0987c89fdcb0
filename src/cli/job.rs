//! One pass over the input, shared by every subcommand: open, read the header, pick the
//! columns, stream the records through the pipeline into whichever sinks the subcommand wants
//! (cleaned CSV, rejects, the duplicate linker, the counts), with a progress bar for people.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use csv::ByteRecord;
use indicatif::{ProgressBar, ProgressStyle};

use contactclean::columns::{Kind, Layout, Selection};
use contactclean::dedupe::{Groups, Linker};
use contactclean::phone::PhoneOptions;
use contactclean::pipeline::{self, output_fields, output_record};
use contactclean::report::Stats;
use contactclean::row::Cleaner;

use super::input::{self, Source};
use super::{InputArgs, UsageError};

/// Rows read before the linker is sized from the input's size (see `Linker::reserve_for_rows`).
const SIZE_SAMPLE: u64 = 4096;
/// An estimate above this (a sample of unusually short rows) is not trusted.
const MAX_RESERVED_ROWS: u64 = 1 << 26;

/// A CSV destination, named for error messages.
pub struct CsvOut {
    pub name: String,
    pub writer: csv::Writer<Box<dyn Write + Send>>,
}

impl CsvOut {
    /// `-` or `None` is standard output.
    pub fn create(path: Option<&Path>, delimiter: u8) -> Result<CsvOut> {
        let (name, w): (String, Box<dyn Write + Send>) = match path {
            Some(p) if p.as_os_str() != "-" => {
                let name = p.display().to_string();
                let f = File::create(p).with_context(|| name.clone())?;
                (name, Box::new(f))
            }
            _ => ("<stdout>".to_string(), Box::new(io::stdout())),
        };
        let writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_writer(w);
        Ok(CsvOut { name, writer })
    }

    fn write(&mut self, rec: &ByteRecord) -> io::Result<()> {
        self.writer
            .write_byte_record(rec)
            .map_err(|e| named_io(&self.name, e))
    }

    /// Writes one cleaned record (see [`pipeline::output_fields`]).
    fn write_row(
        &mut self,
        p: &pipeline::Processed,
        width: usize,
        flags_col: Option<usize>,
    ) -> io::Result<()> {
        let w = &mut self.writer;
        output_fields(p.input, p.row, p.flags, width, flags_col, |f| {
            w.write_field(f)
        })
        .and_then(|()| w.write_record(None::<&[u8]>))
        .map_err(|e| named_io(&self.name, e))
    }

    pub fn flush(&mut self) -> Result<()> {
        self.writer.flush().map_err(|e| named_io(&self.name, e))?;
        Ok(())
    }
}

/// Keeps the error kind (a broken pipe must stay recognisable) and adds the file's name.
fn named_io(name: &str, e: impl Into<csv::Error> + std::fmt::Display) -> io::Error {
    let msg = e.to_string();
    let kind = match e.into().into_kind() {
        csv::ErrorKind::Io(io) => io.kind(),
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, format!("{name}: {msg}"))
}

/// Where a pass writes.
#[derive(Default)]
pub struct Sinks {
    /// The cleaned CSV and its delimiter (`None`: the input's).
    pub output: Option<(Option<std::path::PathBuf>, Option<u8>)>,
    /// Flagged records, with their record number.
    pub rejects: Option<std::path::PathBuf>,
    /// Feed the duplicate linker.
    pub link: bool,
    pub id_column: Option<String>,
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
}

impl Pass {
    pub fn finish_groups(&mut self, max_group: usize) -> Option<Groups> {
        self.linker.take().map(|l| l.finish(max_group))
    }
}

/// Runs one pass over the input.
pub fn run(args: &InputArgs, sinks: Sinks) -> Result<Pass> {
    let started = Instant::now();
    if args.jobs > 0 {
        // Fails only if the pool was already built (tests calling twice): then keep it.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(args.jobs)
            .build_global();
    }
    let bar = progress_bar(args);
    let bar_for_reader = bar.clone();
    let source = input::open(args, move |r| match bar_for_reader {
        Some(b) => Box::new(b.wrap_read(r)) as Box<dyn Read + Send>,
        None => r,
    })?;
    if let (Some(b), Some(size)) = (&bar, source.size) {
        b.set_length(size);
    }
    let Source {
        name,
        reader,
        delimiter,
        size,
        ..
    } = source;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(reader);
    let header_bytes = rdr
        .byte_headers()
        .map_err(|e| anyhow!("{name}: {}", pipeline::Error::from(e)))?
        .clone();
    let empty_input = header_bytes.is_empty();
    let header =
        header_strings(&header_bytes).map_err(|m| anyhow!("{name}: record 0 (line 1): {m}"))?;
    let selection = Selection {
        phone: args.phone_columns.clone(),
        email: args.email_columns.clone(),
        id: sinks.id_column.clone(),
        flags_name: args.flags_column.clone(),
    };
    let layout = if empty_input {
        Layout::default()
    } else {
        Layout::detect(&header, &selection).map_err(|e| UsageError(format!("{name}: {e}")))?
    };
    if !args.quiet && !empty_input {
        note_columns(&name, &header, &layout);
    }
    let phone = PhoneOptions {
        default_region: args.default_region,
        require_mobile: args.require_mobile,
    };
    let mut cleaner = Cleaner::new(header.clone(), layout, phone);
    cleaner.keys = sinks.link;
    let width = header.len();
    let flags_col = cleaner.layout.flags;
    let mut out_header = header_bytes.clone();
    if flags_col.is_none() && !empty_input {
        out_header.push_field(args.flags_column.as_bytes());
    }
    let mut output = match &sinks.output {
        Some((path, d)) => Some(CsvOut::create(path.as_deref(), d.unwrap_or(delimiter))?),
        None => None,
    };
    let mut rejects = match &sinks.rejects {
        Some(path) => Some(CsvOut::create(Some(path), delimiter)?),
        None => None,
    };
    if !empty_input {
        if let Some(o) = &mut output {
            o.write(&out_header)?;
        }
        if let Some(r) = &mut rejects {
            let mut h = ByteRecord::new();
            h.push_field(b"record");
            h.extend(out_header.iter());
            r.write(&h)?;
        }
    }
    let id_col = cleaner.layout.id;
    let mut linker = sinks.link.then(|| Linker::new(id_col.is_some()));
    let mut stats = Stats::new(&cleaner);
    let mut out = ByteRecord::new();
    let mut rej = ByteRecord::new();
    let mut sampled_bytes = 0u64;
    let opts = pipeline::Options {
        flexible: args.flexible,
        ..Default::default()
    };
    let bar_for_rows = bar.clone();
    pipeline::run(
        &mut rdr,
        width,
        &cleaner,
        opts,
        |p| {
            if let (Some(o), None) = (&mut output, &rejects) {
                // The common case: fields straight into the writer's buffer.
                o.write_row(p, width, flags_col)?;
            } else {
                let need_out = output.is_some() || (rejects.is_some() && !p.row.flags.is_empty());
                if need_out {
                    output_record(&mut out, p.input, p.row, p.flags, width, flags_col);
                }
                if let Some(o) = &mut output {
                    o.write(&out)?;
                }
            }
            if let Some(r) = &mut rejects {
                if !p.row.flags.is_empty() {
                    rej.clear();
                    rej.push_field(p.record.to_string().as_bytes());
                    rej.extend(out.iter());
                    r.write(&rej)?;
                }
            }
            if let Some(l) = &mut linker {
                // Size the linker once from the file's size and the first rows' width.
                if let Some(size) = size.filter(|_| p.record <= SIZE_SAMPLE) {
                    sampled_bytes += p.input.as_slice().len() as u64 + p.input.len() as u64;
                    if p.record == SIZE_SAMPLE {
                        let rows = size.saturating_mul(SIZE_SAMPLE) / sampled_bytes.max(1);
                        l.reserve_for_rows(rows.min(MAX_RESERVED_ROWS) as usize);
                    }
                }
                let id = id_col
                    .and_then(|c| p.input.get(c))
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .unwrap_or("");
                l.add_row(&p.row.phones, &p.row.emails, p.row.filled, id);
            }
            stats.add(p.record, p.line, p.row, p.flags);
            Ok(())
        },
        |n| {
            if let Some(b) = &bar_for_rows {
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                b.set_message(format!("{n} rows, {:.0} rows/s", n as f64 / secs));
            }
        },
    )
    .map_err(|e| match e {
        // Output errors already name their file (`named_io`); a broken pipe must stay one.
        pipeline::Error::Io(io) if io.get_ref().is_some() => anyhow::Error::new(io),
        e => anyhow!("{name}: {e}"),
    })?;
    if let Some(o) = &mut output {
        o.flush()?;
    }
    if let Some(r) = &mut rejects {
        r.flush()?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(Pass {
        name,
        stats,
        linker,
        id_header: id_col.map(|c| header[c].clone()),
        delimiter,
        elapsed: started.elapsed(),
        empty_input,
    })
}

fn header_strings(h: &ByteRecord) -> Result<Vec<String>, String> {
    h.iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f).map(str::to_string).map_err(|_| {
                format!(
                    "header field {} is not valid UTF-8; re-run with --encoding windows-1252 \
                     (or the file's encoding: latin1, utf-16le, …)",
                    i + 1
                )
            })
        })
        .collect()
}

/// Says on stderr which columns were picked, so a wrong guess is seen at once, and which phone
/// columns are shared lines that do not link rows in merge suggestions.
fn note_columns(name: &str, header: &[String], layout: &Layout) {
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
        eprintln!(
            "contactclean: {name}: no phone or email columns found in the header; name them with \
             --phone-column / --email-column"
        );
    } else {
        eprintln!(
            "contactclean: {name}: phone columns: {}; email columns: {}",
            list(Kind::Phone),
            list(Kind::Email)
        );
    }
}

/// A bar on stderr only when a person is watching: bytes of a file, rows/s of a stream.
fn progress_bar(args: &InputArgs) -> Option<ProgressBar> {
    if args.quiet || !io::stderr().is_terminal() {
        return None;
    }
    let is_file = args.input.as_ref().is_some_and(|p| p.as_os_str() != "-");
    let bar = if is_file {
        ProgressBar::new(0).with_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} {wide_bar} {bytes}/{total_bytes} {msg} eta {eta}",
            )
            .expect("valid template"),
        )
    } else {
        ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {elapsed_precise} {bytes} read, {msg}")
                .expect("valid template"),
        )
    };
    bar.enable_steady_tick(Duration::from_millis(120));
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
    eprintln!(
        "contactclean: {}: {} rows in {:.2} s ({:.0} rows/s); {} cells changed; {} rows flagged",
        pass.name, s.rows, secs, rate, s.cells_changed, s.flagged_rows
    );
    for c in &s.columns {
        eprintln!(
            "  {:<24} {:<5} valid {:>8}  fixed {:>8}  invalid {:>8}  empty {:>8}",
            c.name,
            c.kind.map(|k| k.to_string()).unwrap_or_default(),
            c.valid,
            c.fixed,
            c.invalid,
            c.empty
        );
    }
    let by_reason = s.invalid_by_reason();
    if !by_reason.is_empty() {
        let parts: Vec<String> = by_reason.iter().map(|(r, n)| format!("{r} {n}")).collect();
        eprintln!("  invalid by reason: {}", parts.join(", "));
    }
    if s.ragged_rows > 0 {
        eprintln!("  ragged rows: {}", s.ragged_rows);
    }
}

/// Writes the JSON report to a file, or to stdout for `-`.
pub fn write_report(path: &Path, report: &contactclean::report::Report) -> Result<()> {
    let json = serde_json::to_string_pretty(report).context("report")?;
    if path.as_os_str() == "-" {
        let mut out = io::stdout().lock();
        writeln!(out, "{json}")?;
        out.flush()?;
    } else {
        let name = path.display().to_string();
        std::fs::write(path, json + "\n").with_context(|| name)?;
    }
    Ok(())
}

/// Writes the merge suggestions and warns (unless quiet) about groups too large to be one
/// contact.
pub fn write_suggestions(
    groups: &Groups,
    path: Option<&Path>,
    delimiter: u8,
    id_header: Option<&str>,
    quiet: bool,
) -> Result<()> {
    let mut out = CsvOut::create(path, delimiter)?;
    groups
        .write_csv(&mut out.writer, id_header)
        .map_err(|e| named_io(&out.name, e))?;
    if !quiet {
        for o in groups.oversized() {
            eprintln!(
                "contactclean: warning: group {} has {} rows (over --max-group {}): most share {}; \
                 likely a placeholder, not one contact (marked oversized_group)",
                o.group,
                o.rows,
                groups.summary().max_group,
                o.top_key
            );
        }
    }
    Ok(())
}
