//! `contactclean dedupe`: merge suggestions as CSV.

use std::path::{Path, PathBuf};

use contactclean::dedupe::DEFAULT_MAX_GROUP;
use contactclean::report::Report;

use super::output::{stderr_line, Planned};
use super::pass::{self, Wants};
use super::{open_output, Failure, InputArgs};

/// Suggest which rows are the same contact: rows sharing a valid phone (any phone column) or
/// a normalised email (any email column), transitively.
///
/// One output line per row in a group: group, row (1-based data record), id (when the input has
/// an id column), survivor (the most complete row, ties to the first), matched_on
/// (phone, email or phone+email; WhatsApp rules add ar_mobile_9, ci_8_to_10_digits,
/// whatsapp_user_id, …), key (what ties it), group_size, its phones and emails, note.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    contactclean dedupe contacts.csv -o merges.csv --summary\n  \
    contactclean dedupe contacts.csv --id-column 'Record ID' | qsv table")]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the suggestions here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Delimiter of the written CSV (default: the input's).
    #[arg(long, value_name = "CHAR", value_parser = super::parse_output_delimiter)]
    pub output_delimiter: Option<u8>,

    /// The id column (default: detected: id, contact_id, Contact ID, …).
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,

    /// Groups with more rows than this are marked oversized_group: a placeholder, not a contact.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_GROUP)]
    pub max_group: usize,

    /// Print one line on stderr: groups, rows in groups, largest group.
    #[arg(long)]
    pub summary: bool,

    /// Write a JSON report (schema in docs/report.md) to FILE; `-` for stdout (then -o is needed).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<u8, Failure> {
    let plan = [
        Planned::new("-o", args.output.as_deref().or(Some(Path::new("-")))),
        Planned::new("--report", args.report.as_deref()),
    ];
    let plan: Vec<Planned> = plan.into_iter().flatten().collect();
    super::plan_outputs(&args.input, &plan)?;
    let mut out = open_output(&plan[0].target)?;
    let mut report_out = plan.get(1).map(|p| open_output(&p.target)).transpose()?;
    let mut pass = pass::run(
        &args.input,
        Wants {
            csv: None,
            rejects: None,
            link: true,
            more_outputs: true,
            id_column: args.id_column.clone(),
            before: None,
            fingerprint: true,
            sinks: Vec::new(),
        },
    )?;
    let groups = pass
        .finish_groups(args.max_group)
        .ok_or_else(|| Failure::internal("the pass did not link rows"))?;
    super::unless_stdout_closed(pass::write_suggestions(
        &groups,
        &mut out,
        args.output_delimiter.unwrap_or(pass.delimiter),
        pass.id_header.as_deref(),
        pass.fingerprint,
        args.input.quiet,
    ))?;
    let s = groups.summary();
    if args.summary {
        stderr_line(&format!(
            "contactclean: {}: {} groups, {} rows in groups, largest group {} rows ({} rows read in {:.2} s)",
            pass.name,
            s.groups,
            s.rows_in_groups,
            s.largest_group,
            pass.stats.rows,
            pass.elapsed.as_secs_f64()
        ));
    }
    if let Some(o) = &mut report_out {
        let mut report = Report::new(
            "dedupe",
            &pass.name,
            &pass.stats,
            pass.elapsed.as_secs_f64(),
        );
        report.duplicates = Some(s);
        super::unless_stdout_closed(pass::write_report(o, &report))?;
    }
    super::unless_stdout_closed(super::commit(out))?;
    if let Some(o) = report_out {
        super::unless_stdout_closed(super::commit(o))?;
    }
    Ok(0)
}
