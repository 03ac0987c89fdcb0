//! `contactclean normalize`: the cleaned CSV, plus optional suggestions, rejects and report.

use std::path::{Path, PathBuf};

use contactclean::dedupe::DEFAULT_MAX_GROUP;
use contactclean::report::Report;

use super::output::{stderr_line, Output, Planned};
use super::pass::{self, Wants};
use super::{open_output, Failure, InputArgs};

/// Clean phone and email cells; every record out, in input order, with a `flags` column.
///
/// Phone cells become E.164 (+6591234567); emails are trimmed and lower-cased. A value that
/// cannot be cleaned is kept exactly as it was and flagged `COLUMN:reason` in `flags`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    contactclean normalize contacts.csv > clean.csv\n  \
    contactclean normalize contacts.csv -o clean.csv --rejects fix-me.csv --report report.json\n  \
    contactclean normalize contacts.vcf -o clean.vcf\n  \
    contactclean normalize contacts.vcf -o import.csv\n  \
    contactclean normalize book.xlsx --sheet Customers -o clean.csv\n  \
    contactclean normalize --default-region GB --phone-column Kontakt crm.csv\n  \
    cat export.csv | contactclean normalize --suggestions merges.csv | qsv stats")]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the cleaned CSV here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Format of the output: `csv`, or `vcf` (from a vCard input). Default: from -o's extension
    /// (.vcf, .csv); on standard output, the input's (a vCard input gives vCard).
    #[arg(long, value_name = "FORMAT", value_enum)]
    pub to: Option<super::OutFormat>,

    /// Delimiter of the written CSV (default: the input's).
    #[arg(long, value_name = "CHAR", value_parser = super::parse_output_delimiter)]
    pub output_delimiter: Option<u8>,

    /// Also write merge suggestions (as `contactclean dedupe` does) to FILE, in the same pass.
    #[arg(long, value_name = "FILE")]
    pub suggestions: Option<PathBuf>,

    /// The id column for the suggestions (default: detected: id, contact_id, Contact ID, …).
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,

    /// Groups with more rows than this are marked oversized_group: a placeholder, not a contact.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_GROUP)]
    pub max_group: usize,

    /// Write the records that have any flag to FILE, with their 1-based record number.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Write a JSON report (schema in docs/report.md) to FILE; `-` for stdout (then -o is needed).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// `--to`, else `-o`'s extension; `None`: the input's format decides.
fn out_format(args: &Args) -> Option<super::OutFormat> {
    if args.to.is_some() {
        return args.to;
    }
    let ext = args
        .output
        .as_deref()
        .filter(|p| p.as_os_str() != "-")
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())?
        .to_ascii_lowercase();
    match ext.as_str() {
        "vcf" | "vcard" => Some(super::OutFormat::Vcf),
        "csv" | "tsv" | "txt" | "tab" => Some(super::OutFormat::Csv),
        _ => None,
    }
}

pub fn run(args: Args) -> Result<u8, Failure> {
    let plan = [
        Planned::new("-o", args.output.as_deref().or(Some(Path::new("-")))),
        Planned::new("--rejects", args.rejects.as_deref()),
        Planned::new("--suggestions", args.suggestions.as_deref()),
        Planned::new("--report", args.report.as_deref()),
    ];
    let plan: Vec<Planned> = plan.into_iter().flatten().collect();
    super::plan_outputs(&args.input, &plan)?;
    // Every output is opened (as a temporary file beside its path) before the first record
    // is read, and renamed into place only once the whole run has succeeded.
    let mut outs = plan
        .iter()
        .map(|p| open_output(&p.target))
        .collect::<Result<Vec<Output>, Failure>>()?;
    let mut csv = Some(outs.remove(0));
    let mut rejects = args.rejects.as_ref().map(|_| outs.remove(0));
    let mut suggestions = args.suggestions.as_ref().map(|_| outs.remove(0));
    let mut report_out = args.report.as_ref().map(|_| outs.remove(0));
    let mut pass = pass::run(
        &args.input,
        Wants {
            csv: csv
                .as_mut()
                .map(|o| (o, args.output_delimiter, out_format(&args))),
            rejects: rejects.as_mut(),
            link: args.suggestions.is_some(),
            more_outputs: args.report.is_some(),
            id_column: args.id_column.clone(),
            before: None,
            fingerprint: args.suggestions.is_some(),
            sinks: Vec::new(),
        },
    )?;
    let groups = pass.finish_groups(args.max_group);
    if let (Some(out), Some(g)) = (&mut suggestions, &groups) {
        super::unless_stdout_closed(pass::write_suggestions(
            g,
            out,
            args.output_delimiter.unwrap_or(pass.delimiter),
            pass.id_header.as_deref(),
            pass.fingerprint,
            args.input.quiet,
        ))?;
    }
    if !args.input.quiet {
        if pass.empty_input {
            stderr_line(&format!(
                "contactclean: {}: empty input (no header): nothing written",
                pass.name
            ));
        } else {
            pass::print_summary(&pass);
        }
    }
    if let Some(out) = &mut report_out {
        let mut report = Report::new(
            "normalize",
            &pass.name,
            &pass.stats,
            pass.elapsed.as_secs_f64(),
        );
        report.duplicates = groups.as_ref().map(|g| g.summary());
        super::unless_stdout_closed(pass::write_report(out, &report))?;
    }
    for out in [csv, rejects, suggestions, report_out]
        .into_iter()
        .flatten()
    {
        super::unless_stdout_closed(super::commit(out))?;
    }
    Ok(0)
}
