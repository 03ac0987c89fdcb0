//! `contactclean merge`: one row per contact. Each group of duplicates (the groups `dedupe`
//! finds, or the ones a reviewed suggestions file keeps) becomes one row (`contactclean::merge`
//! decides its cells); every other row passes through, cleaned.
//!
//! Two passes, neither holding the file in memory:
//!
//! 1. the library's job over the input, exactly as `dedupe` runs it (the same linker, so the
//!    same groups), which also writes every cleaned record to an unnamed temporary file (the
//!    *spool*: length-prefixed fields, its offset per record kept, 8 bytes a row) and hashes
//!    the input's bytes for the fingerprint;
//! 2. the spool read back in order: a row in no group is written as it is; at the first row of
//!    a group, all its members are read from the spool by offset (`pread`), merged and
//!    written; its later members are skipped. The output is thus in order of each group's
//!    first row, with one group's rows in memory at a time and nothing buffered.
//!
//! Standard input needs nothing more: the spool is the second pass's input. The spool is
//! unlinked from the start, so no signal or crash leaves it behind.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use contactclean::dedupe::{Groups, DEFAULT_MAX_GROUP};
use contactclean::merge::{Fingerprint, Member, MergeOptions, Merger, Rule};
use contactclean::report::Report;
use contactclean::row::Cleaner;
use contactclean::sink::{output_fields, Context, Processed, Sink};
use contactclean::source::csv::{CsvOptions, CsvSource};
use contactclean::source::RecordSource;
use contactclean::Error;

use super::output::{stderr_line, Output, Planned};
use super::pass::{self, Wants};
use super::{open_output, Failure, InputArgs};

/// Merge each group of duplicate rows into one row: one row per contact, ready to import.
///
/// The groups are the ones `dedupe` suggests (rows sharing a valid phone or a normalised
/// email, transitively; groups over --max-group are left unmerged and reported), or, with
/// --suggestions, exactly those a person kept in a reviewed suggestions file. Rows in no group
/// pass through; the output is cleaned as by `normalize` (with the flags column), in the order
/// of each group's first row.
///
/// Survivorship: one row of the group survives (--survivor); its empty cells are filled from
/// the other rows in survivor order; a phone or email it lacks goes into its next empty column
/// of that kind, else is appended to the cell with `;` — no phone or email is ever dropped;
/// other differing values keep the survivor's and are listed in merged_conflicts
/// (`Company: Acme Ltd | ACME`); merged_from lists the rows' ids (row numbers without an id
/// column). See docs/merge.md.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    contactclean merge contacts.csv -o merged.csv\n  \
    contactclean dedupe contacts.csv -o review.csv      # review: delete rows/groups, or decision=skip\n  \
    contactclean merge contacts.csv --suggestions review.csv -o merged.csv --report merge.json\n  \
    contactclean merge contacts.csv --survivor newest:'Last Modified' --conflicts-column '' -o merged.csv")]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the merged CSV here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Delimiter of the written CSV (default: the input's).
    #[arg(long, value_name = "CHAR", value_parser = super::parse_output_delimiter)]
    pub output_delimiter: Option<u8>,

    /// The id column, listed in merged_from (default: detected: id, contact_id, Contact ID, …).
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,

    /// Groups with more rows than this are not merged (a shared placeholder, not a contact):
    /// their rows pass through and are reported.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_GROUP)]
    pub max_group: usize,

    /// Which row of a group survives: most-complete (most non-empty cells, ties to the first;
    /// the default), first, last, or newest:COLUMN (latest date in COLUMN: ISO 8601,
    /// MM/DD/YYYY, DD.MM.YYYY or epoch milliseconds; empty or unreadable dates sort last and
    /// are reported). With --suggestions and no --survivor, the row marked survivor=yes in the
    /// file survives.
    #[arg(long, value_name = "RULE")]
    pub survivor: Option<Rule>,

    /// Merge exactly the groups and rows left in this reviewed suggestions file (written by
    /// `dedupe`; delete rows or groups, or set decision to skip). A file written for another
    /// input, or for this file before it changed, is refused.
    #[arg(long, value_name = "FILE")]
    pub suggestions: Option<PathBuf>,

    /// Name of the column listing conflicting values; '' for none.
    #[arg(long, value_name = "NAME", default_value = "merged_conflicts")]
    pub conflicts_column: String,

    /// Name of the column listing the merged rows' ids (or row numbers); '' for none.
    #[arg(long, value_name = "NAME", default_value = "merged_from")]
    pub merged_from_column: String,

    /// Write a JSON report (docs/report.md, with a `merge` section) to FILE; `-` for stdout
    /// (then -o is needed).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// What the merge did, for the summary and the report's `merge` section.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct MergeSummary {
    pub survivor_rule: String,
    pub rows_in: u64,
    pub rows_out: u64,
    pub groups_merged: u64,
    pub rows_removed: u64,
    pub values_moved: u64,
    pub conflicts: u64,
    /// Groups over --max-group, left unmerged.
    pub oversized_groups_not_merged: u64,
    /// With --suggestions: groups `dedupe` finds that the reviewed file does not merge.
    pub groups_skipped: u64,
    /// Rows whose `newest:` date could not be read (they sorted last).
    pub unparseable_dates: u64,
    pub suggestions: Option<String>,
}

pub fn run(args: Args) -> Result<u8, Failure> {
    let plan = [
        Planned::new("-o", args.output.as_deref().or(Some(Path::new("-")))),
        Planned::new("--report", args.report.as_deref()),
    ];
    let plan: Vec<Planned> = plan.into_iter().flatten().collect();
    super::plan_outputs(&args.input, &plan)?;
    if let Some(s) = &args.suggestions {
        super::output::check_plan(Some(s), &plan)
            .map_err(|e| Failure::usage(e.replace("the input file", "the --suggestions file")))?;
    }
    // The reviewed file is read (and its mistakes reported) before the input.
    let reviewed = args
        .suggestions
        .as_deref()
        .map(read_suggestions)
        .transpose()?;
    let mut out = open_output(&plan[0].target)?;
    let mut report_out = plan.get(1).map(|p| open_output(&p.target)).transpose()?;
    let opts = MergeOptions {
        rule: args.survivor.clone().unwrap_or_default(),
        conflicts: Some(args.conflicts_column.clone()).filter(|s| !s.is_empty()),
        merged_from: Some(args.merged_from_column.clone()).filter(|s| !s.is_empty()),
    };
    // The merge's options are checked against the columns before the first record is read.
    let merger: RefCell<Option<Merger>> = RefCell::new(None);
    let check = |cleaner: &Cleaner| {
        let mut header = cleaner.header.clone();
        if cleaner.layout.flags.is_none() {
            header.push(args.input.flags_column.clone());
        }
        let m = Merger::new(cleaner, &header, &opts)
            .map_err(|e| Failure::usage(format!("{}: {e}", pass::input_name(&args.input))))?;
        *merger.borrow_mut() = Some(m);
        Ok(())
    };
    let name = pass::input_name(&args.input);
    let mut spool = Spool::new().map_err(|e| Failure::run(format!("temporary file: {e}")))?;
    let mut pass = pass::run(
        &args.input,
        Wants {
            csv: None,
            rejects: None,
            link: true,
            more_outputs: true,
            id_column: args.id_column.clone(),
            before: Some(&check),
            fingerprint: reviewed.is_some(),
            sinks: vec![&mut spool],
        },
    )?;
    let groups = pass
        .finish_groups(args.max_group)
        .ok_or_else(|| Failure::internal("the pass did not link rows"))?;
    let mut summary = MergeSummary {
        survivor_rule: opts.rule.to_string(),
        rows_in: pass.stats.rows,
        suggestions: args.suggestions.as_ref().map(|p| p.display().to_string()),
        ..MergeSummary::default()
    };
    let duplicates = groups.summary();
    let oversized = groups.oversized();
    let plan = match &reviewed {
        None => MergePlan::from_groups(&groups, args.max_group, &mut summary),
        Some(r) => {
            let input_fp = pass
                .fingerprint
                .ok_or_else(|| Failure::internal("the pass did not fingerprint the input"))?;
            r.check(input_fp, &name)?;
            MergePlan::from_review(
                r,
                &groups,
                args.max_group,
                args.survivor.is_none(),
                &mut summary,
            )?
        }
    };
    // The linker's tables are not needed to write: only the plan is kept.
    drop(groups);
    let delimiter = args.output_delimiter.unwrap_or(pass.delimiter);
    let merger = merger.into_inner();
    if !pass.empty_input {
        let merger = merger.ok_or_else(|| Failure::internal("no merger"))?;
        let tolerate = out.is_stdout() && report_out.is_some();
        let written = write_merged(
            &mut spool,
            &plan,
            &merger,
            &mut out,
            tolerate,
            delimiter,
            &mut summary,
        );
        super::unless_stdout_closed(written)?;
    }
    summary.rows_out = summary.rows_in - summary.rows_removed;
    if !args.input.quiet {
        for o in &oversized {
            stderr_line(&format!(
                "contactclean: warning: group {} has {} rows (over --max-group {}; the key most \
                 of them share: {}): not merged, its rows pass through",
                o.group, o.rows, args.max_group, o.top_key
            ));
        }
        if summary.unparseable_dates > 0 {
            stderr_line(&format!(
                "contactclean: warning: {} rows in groups have a date that is not ISO 8601, \
                 MM/DD/YYYY, DD.MM.YYYY or epoch milliseconds: they did not survive ({})",
                summary.unparseable_dates, opts.rule
            ));
        }
        if !pass.empty_input {
            stderr_line(&format!(
                "contactclean: {}: {} rows in, {} rows out: {} groups merged ({} rows removed), \
                 {} values moved, {} conflicts listed{}{} ({:.2} s)",
                pass.name,
                summary.rows_in,
                summary.rows_out,
                summary.groups_merged,
                summary.rows_removed,
                summary.values_moved,
                summary.conflicts,
                if summary.oversized_groups_not_merged > 0 {
                    format!(
                        "; {} oversized groups not merged",
                        summary.oversized_groups_not_merged
                    )
                } else {
                    String::new()
                },
                if reviewed.is_some() {
                    format!("; {} groups skipped by review", summary.groups_skipped)
                } else {
                    String::new()
                },
                pass.elapsed.as_secs_f64()
            ));
        }
    }
    if let Some(o) = &mut report_out {
        let mut report = Report::new("merge", &pass.name, &pass.stats, pass.elapsed.as_secs_f64());
        report.duplicates = Some(duplicates);
        /// The usual report with a `merge` section after its fields.
        #[derive(serde::Serialize)]
        struct WithMerge<'a> {
            #[serde(flatten)]
            report: &'a Report,
            merge: &'a MergeSummary,
        }
        let text = serde_json::to_string_pretty(&WithMerge {
            report: &report,
            merge: &summary,
        })
        .map_err(|e| Failure::internal(format!("report: {e}")))?;
        super::unless_stdout_closed(
            writeln!(o, "{text}")
                .and_then(|()| o.flush())
                .map_err(|e| pass::write_failure(o, e)),
        )?;
    }
    super::unless_stdout_closed(super::commit(out))?;
    if let Some(o) = report_out {
        super::unless_stdout_closed(super::commit(o))?;
    }
    Ok(0)
}

/// The cleaned records of pass 1, in an unnamed temporary file: each record as a `u32` length
/// and then its fields, each a `u32` length and its bytes; `offsets[r]` is where record `r`
/// starts.
struct Spool {
    file: File,
    w: BufWriter<File>,
    offsets: Vec<u64>,
    pos: u64,
    buf: Vec<u8>,
}

impl Spool {
    fn new() -> io::Result<Spool> {
        let file = tempfile::tempfile()?;
        let w = BufWriter::with_capacity(1 << 16, file.try_clone()?);
        Ok(Spool {
            file,
            w,
            offsets: Vec::new(),
            pos: 0,
            buf: Vec::new(),
        })
    }

    fn error(e: io::Error) -> Error {
        Error::Write {
            output: "temporary file".into(),
            source: e,
        }
    }

    /// Reads the record at `offset` into `rec`.
    fn read_at(&self, offset: u64, buf: &mut Vec<u8>, rec: &mut ByteRecord) -> io::Result<()> {
        let mut len = [0u8; 4];
        self.file.read_exact_at(&mut len, offset)?;
        buf.resize(u32::from_le_bytes(len) as usize, 0);
        self.file.read_exact_at(buf, offset + 4)?;
        decode(buf, rec)
    }
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "temporary file is corrupt")
}

/// The fields of one spooled record.
fn decode(buf: &[u8], rec: &mut ByteRecord) -> io::Result<()> {
    rec.clear();
    let mut i = 0;
    while i < buf.len() {
        let len = buf.get(i..i + 4).ok_or_else(corrupt)?;
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let field = buf.get(i + 4..i + 4 + len).ok_or_else(corrupt)?;
        rec.push_field(field);
        i += 4 + len;
    }
    Ok(())
}

impl Sink for Spool {
    fn record(&mut self, p: &Processed, ctx: &Context) -> Result<(), Error> {
        let buf = &mut self.buf;
        buf.clear();
        let pushed: Result<(), std::convert::Infallible> =
            output_fields(p.input, p.row, p.flags, ctx.cleaner, |f| {
                buf.extend_from_slice(&(f.len() as u32).to_le_bytes());
                buf.extend_from_slice(f);
                Ok(())
            });
        let Ok(()) = pushed;
        self.offsets.push(self.pos);
        self.w
            .write_all(&(buf.len() as u32).to_le_bytes())
            .and_then(|()| self.w.write_all(buf))
            .map_err(Spool::error)?;
        self.pos += 4 + buf.len() as u64;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.w.flush().map_err(Spool::error)
    }
}

/// The groups to merge: member rows (0-based, input order) per group, and a survivor chosen
/// by a reviewer.
#[derive(Default)]
struct MergePlan {
    /// Row → 1-based index of its group here; 0 for a row that passes through.
    group_of: Vec<u32>,
    starts: Vec<u32>,
    members: Vec<u32>,
    chosen: Vec<Option<u32>>,
}

impl MergePlan {
    fn push(&mut self, rows: &[u32], chosen: Option<u32>) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        let g = self.starts.len() as u32; // 1-based index of the group being added
        for &r in rows {
            self.group_of[r as usize] = g;
        }
        self.members.extend_from_slice(rows);
        self.starts.push(self.members.len() as u32);
        self.chosen.push(chosen);
    }

    fn members(&self, g: u32) -> &[u32] {
        let g = g as usize - 1;
        &self.members[self.starts[g] as usize..self.starts[g + 1] as usize]
    }

    fn new(rows: usize) -> MergePlan {
        MergePlan {
            group_of: vec![0; rows],
            ..MergePlan::default()
        }
    }

    /// Every group `dedupe` finds, but those over `max_group`.
    fn from_groups(groups: &Groups, max_group: usize, s: &mut MergeSummary) -> MergePlan {
        let rows = s.rows_in as usize;
        let mut plan = MergePlan::new(rows);
        for g in 0..groups.len() {
            let m = groups.members(g);
            if m.len() > max_group {
                s.oversized_groups_not_merged += 1;
            } else {
                plan.push(m, None);
            }
        }
        plan
    }

    /// The groups of a reviewed file, checked against the input's groups: a reviewer may
    /// remove rows and groups, never join rows the input does not link.
    fn from_review(
        r: &Reviewed,
        groups: &Groups,
        max_group: usize,
        honour_marks: bool,
        s: &mut MergeSummary,
    ) -> Result<MergePlan, Failure> {
        let rows = s.rows_in as usize;
        let mut plan = MergePlan::new(rows);
        let mut seen = vec![false; rows];
        let row_groups = groups.row_groups();
        let mut merged_linked: Vec<usize> = Vec::new();
        for (&group, kept) in &r.groups {
            let mut members: Vec<u32> = Vec::new();
            let mut marked: Vec<u32> = Vec::new();
            let mut linked = None;
            for &(row, survivor, line) in kept {
                let bad = |what: String| {
                    Failure::usage(format!(
                        "{}: line {line}: group {group}, row {row}: {what}",
                        r.name
                    ))
                };
                if row == 0 || row > rows as u64 {
                    return Err(bad(format!("the input has rows 1 to {rows}")));
                }
                let r0 = row as usize - 1;
                if std::mem::replace(&mut seen[r0], true) {
                    return Err(bad("the row is listed twice".into()));
                }
                let g = row_groups.get(r0).copied().flatten().map(|g| g as usize);
                match (g, linked) {
                    (None, _) => {
                        return Err(bad(
                            "the input links this row to no other row \
                                        (were other --phone-column/--email-column options used?)"
                                .into(),
                        ))
                    }
                    (Some(g), None) => linked = Some(g),
                    (Some(g), Some(l)) if g != l => {
                        return Err(bad("the input does not link this row to the group's \
                                        other rows: a review can remove rows, not join them"
                            .into()))
                    }
                    _ => {}
                }
                members.push(r0 as u32);
                if survivor {
                    marked.push(r0 as u32);
                }
            }
            if members.len() < 2 {
                continue;
            }
            if members.len() > max_group {
                s.oversized_groups_not_merged += 1;
                continue;
            }
            if honour_marks && marked.len() > 1 {
                return Err(Failure::usage(format!(
                    "{}: group {group} has {} rows marked survivor=yes; keep one",
                    r.name,
                    marked.len()
                )));
            }
            members.sort_unstable();
            plan.push(&members, marked.first().copied().filter(|_| honour_marks));
            if let Some(l) = linked {
                merged_linked.push(l);
            }
        }
        merged_linked.sort_unstable();
        merged_linked.dedup();
        let mergeable = (0..groups.len())
            .filter(|&g| groups.members(g).len() <= max_group)
            .count();
        s.groups_skipped = mergeable.saturating_sub(merged_linked.len()) as u64;
        Ok(plan)
    }
}

/// Pass 2: the spool in order; each group merged at its first row.
fn write_merged(
    spool: &mut Spool,
    plan: &MergePlan,
    merger: &Merger,
    out: &mut Output,
    tolerate: bool,
    delimiter: u8,
    s: &mut MergeSummary,
) -> Result<(), Failure> {
    let name = out.name().to_string();
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_writer(Tolerant {
            out,
            tolerate,
            broken: false,
        });
    let io_fail = |e: io::Error| {
        let broken = e.kind() == io::ErrorKind::BrokenPipe;
        Failure::run(format!("{name}: {e}")).with_broken_pipe(broken && name == "<stdout>")
    };
    let csv_fail = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => io_fail(io),
        other => Failure::internal(format!("{other:?}")),
    };
    let spool_fail = |e: io::Error| Failure::run(format!("temporary file: {e}"));
    w.write_record(merger.header()).map_err(csv_fail)?;
    let mut file = spool.file.try_clone().map_err(spool_fail)?;
    file.rewind().map_err(spool_fail)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let (mut buf, mut rec) = (Vec::new(), ByteRecord::new());
    let (mut mbuf, mut mrec) = (Vec::new(), ByteRecord::new());
    let width = merger.cleaned_width();
    let added = merger.header().len() - width;
    for r in 0..plan.group_of.len() {
        let mut len = [0u8; 4];
        reader.read_exact(&mut len).map_err(spool_fail)?;
        buf.resize(u32::from_le_bytes(len) as usize, 0);
        reader.read_exact(&mut buf).map_err(spool_fail)?;
        let g = plan.group_of[r];
        if g == 0 {
            decode(&buf, &mut rec).map_err(spool_fail)?;
            for (i, f) in rec.iter().enumerate() {
                if i == width {
                    for _ in 0..added {
                        w.write_field(b"").map_err(csv_fail)?;
                    }
                }
                w.write_field(f).map_err(csv_fail)?;
            }
            if rec.len() <= width {
                for _ in 0..added {
                    w.write_field(b"").map_err(csv_fail)?;
                }
            }
            w.write_record(None::<&[u8]>).map_err(csv_fail)?;
            continue;
        }
        let members = plan.members(g);
        if members[0] as usize != r {
            continue;
        }
        let mut cells: Vec<Vec<String>> = Vec::with_capacity(members.len());
        for &m in members {
            let record = if m as usize == r {
                decode(&buf, &mut rec).map_err(spool_fail)?;
                &rec
            } else {
                spool
                    .read_at(spool.offsets[m as usize], &mut mbuf, &mut mrec)
                    .map_err(spool_fail)?;
                &mrec
            };
            let fields = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            cells.push(merger.arrange(fields));
        }
        let chosen = plan.chosen[g as usize - 1];
        let list: Vec<Member> = members
            .iter()
            .zip(&cells)
            .map(|(&m, c)| Member {
                row: u64::from(m) + 1,
                cells: c,
            })
            .collect();
        let survivor = chosen.and_then(|c| members.iter().position(|&m| m == c));
        let merged = merger.merge(&list, survivor);
        s.groups_merged += 1;
        s.rows_removed += members.len() as u64 - 1;
        s.values_moved += merged.values_moved;
        s.conflicts += merged.conflicts;
        s.unparseable_dates += merged.unparseable_dates;
        w.write_record(&merged.cells).map_err(csv_fail)?;
    }
    w.flush().map_err(io_fail)?;
    Ok(())
}

/// The output as the CSV writer sees it: with a report to complete, a reader closing stdout
/// early stops only stdout (its bytes are dropped), not the run.
struct Tolerant<'a> {
    out: &'a mut Output,
    tolerate: bool,
    broken: bool,
}

impl Write for Tolerant<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.broken {
            return Ok(buf.len());
        }
        match self.out.write(buf) {
            Err(e) if self.tolerate && e.kind() == io::ErrorKind::BrokenPipe => {
                self.broken = true;
                Ok(buf.len())
            }
            r => r,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.broken {
            return Ok(());
        }
        match self.out.flush() {
            Err(e) if self.tolerate && e.kind() == io::ErrorKind::BrokenPipe => {
                self.broken = true;
                Ok(())
            }
            r => r,
        }
    }
}

/// A reviewed suggestions file: the rows left in each group.
struct Reviewed {
    name: String,
    fingerprint: Option<Fingerprint>,
    /// Group number → (1-based row, marked survivor, line in the file) of each kept row.
    groups: BTreeMap<u64, Vec<(u64, bool, u64)>>,
}

impl Reviewed {
    /// Refuses a file written for another input (or for this one before it changed).
    fn check(&self, input: Fingerprint, input_name: &str) -> Result<(), Failure> {
        match self.fingerprint {
            // No row left: nothing to merge, nothing to check.
            None => Ok(()),
            Some(f) if f == input => Ok(()),
            Some(f) => Err(Failure::run(format!(
                "{}: these suggestions were written for another input (fingerprint {f}, {} \
                 rows), not for {input_name} ({input}, {} rows): the file differs or has \
                 changed since; run `contactclean dedupe` on it again and review that",
                self.name, f.rows, input.rows
            ))),
        }
    }
}

/// Reads a suggestions file as a spreadsheet may have saved it: any of the usual delimiters,
/// a byte-order mark, blank lines or rows whose cells were cleared (deleted rows).
fn read_suggestions(path: &Path) -> Result<Reviewed, Failure> {
    let name = path.display().to_string();
    let fail = |m: String| Failure::usage(format!("{name}: {m}"));
    let file = File::open(path).map_err(|e| Failure::run(format!("{name}: {e}")))?;
    let src = CsvSource::new(
        file,
        CsvOptions {
            flexible: true,
            max_record_bytes: 1 << 26,
            ..CsvOptions::default()
        },
    )
    .map_err(|e| pass::failure(&name, e))?;
    let header: Vec<String> = src
        .header()
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(gcol), Some(rcol)) = (col("group"), col("row")) else {
        return Err(fail(
            "not a suggestions file: it needs the group and row columns `contactclean dedupe` \
             writes"
                .into(),
        ));
    };
    let Some(fcol) = col("input_fingerprint") else {
        return Err(fail(
            "has no input_fingerprint column, so it cannot be matched to the input; write it \
             again with this version's `contactclean dedupe`"
                .into(),
        ));
    };
    let (dcol, scol) = (col("decision"), col("survivor"));
    let mut src = src;
    let mut rec = ByteRecord::new();
    let mut out = Reviewed {
        name: name.clone(),
        fingerprint: None,
        groups: BTreeMap::new(),
    };
    while let Some(info) = src.read(&mut rec).map_err(|e| pass::failure(&name, e))? {
        let line = info.line;
        let cell = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                .unwrap_or_default()
        };
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let decision = cell(dcol).to_ascii_lowercase();
        match decision.as_str() {
            "" | "merge" | "keep" | "yes" => {}
            "skip" | "no" => continue,
            d => {
                return Err(fail(format!(
                    "line {line}: decision {d:?}: leave it empty (merge) or write skip"
                )))
            }
        }
        let number = |c: usize, what: &str| {
            let v = cell(Some(c));
            let digits = v.strip_suffix(".0").unwrap_or(&v);
            digits
                .parse::<u64>()
                .map_err(|_| fail(format!("line {line}: {what} {v:?} is not a number")))
        };
        let (group, row) = (number(gcol, "group")?, number(rcol, "row")?);
        let fp_text = cell(Some(fcol));
        let fp: Fingerprint = fp_text.parse().map_err(|()| {
            fail(format!(
                "line {line}: input_fingerprint {fp_text:?} is not one `contactclean dedupe` writes"
            ))
        })?;
        match out.fingerprint {
            None => out.fingerprint = Some(fp),
            Some(f) if f != fp => {
                return Err(fail(format!(
                    "line {line}: input_fingerprint differs from the lines above: the file mixes \
                     suggestions for two inputs"
                )))
            }
            _ => {}
        }
        let survivor = cell(scol).eq_ignore_ascii_case("yes");
        out.groups
            .entry(group)
            .or_default()
            .push((row, survivor, line));
    }
    Ok(out)
}
