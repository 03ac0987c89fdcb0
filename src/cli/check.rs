//! `contactclean check`: a CI gate. Reads the file, writes no cleaned CSV, says why it passes
//! or fails, exits 0 (pass) or 1 (fail).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use contactclean::dedupe::{GroupSummary, DEFAULT_MAX_GROUP};
use contactclean::reason::Reason;
use contactclean::report::{Report, Stats, ThresholdResult};

use contactclean::row::Cleaner;

use super::output::{stderr_line, Planned};
use super::pass::{self, Wants};
use super::{open_output, Failure, InputArgs};

/// A mistake in the thresholds (a usage error).
#[derive(Debug)]
struct UsageError(String);

/// Gate a contact file on its data: exit 0 when it passes every threshold, 1 when it fails
/// one, 3 when it could not be checked (unreadable or malformed input, an output that cannot
/// be written), 2 for a usage error.
///
/// With no threshold, any invalid phone or email cell fails the check.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    contactclean check contacts.csv\n  \
    contactclean check contacts.csv --max-invalid 2% --fail-on missing_country_code\n  \
    contactclean check contacts.csv --max-invalid Mobile=0 --max-duplicates 1% --report report.json\n  \
    contactclean check contacts.csv --report - | jq .verdict")]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    /// Most invalid cells allowed: N, or P% of non-empty phone/email cells; COLUMN=N or
    /// COLUMN=P% for one column (repeatable).
    #[arg(long, value_name = "LIMIT")]
    pub max_invalid: Vec<String>,

    /// Fail if any cell is flagged with one of these reasons (comma-separated, repeatable),
    /// e.g. missing_country_code,invalid_email. Reasons are listed in docs/reasons.md.
    #[arg(long, value_name = "REASON[,REASON]", value_delimiter = ',')]
    pub fail_on: Vec<String>,

    /// Most duplicate rows allowed (rows a merge would remove: rows in groups minus groups):
    /// N, or P% of rows.
    #[arg(long, value_name = "LIMIT")]
    pub max_duplicates: Option<String>,

    /// Write the records that have any flag to FILE, with their 1-based record number.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Write a JSON report (schema in docs/report.md) to FILE; `-` for stdout (the human
    /// summary then goes to stderr).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// The id column (default: detected).
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,

    /// Groups with more rows than this are reported as oversized.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_GROUP)]
    pub max_group: usize,

    /// Let a file with no phone or email column pass. Without it such a file fails: a gate
    /// with nothing to check must not say PASS.
    #[arg(long)]
    pub allow_no_columns: bool,
}

/// A count or a share.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Limit {
    Count(u64),
    Percent(f64),
}

impl Limit {
    fn parse(s: &str) -> Option<Limit> {
        match s.strip_suffix('%') {
            Some(p) => p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .map(Limit::Percent),
            None => s.trim().parse().ok().map(Limit::Count),
        }
    }

    /// Whether `n` of `total` is within the limit, and how to show the actual value.
    fn test(self, n: u64, total: u64) -> (bool, String) {
        match self {
            Limit::Count(max) => (n <= max, n.to_string()),
            Limit::Percent(max) => {
                let pct = if total == 0 {
                    0.0
                } else {
                    n as f64 * 100.0 / total as f64
                };
                (pct <= max, format!("{n} of {total} = {pct:.3}%"))
            }
        }
    }
}

struct MaxInvalid {
    text: String,
    column: Option<String>,
    limit: Limit,
}

/// The thresholds as parsed from the command line.
struct Thresholds {
    max_invalid: Vec<MaxInvalid>,
    fail_on: Vec<Reason>,
    max_duplicates: Option<Limit>,
}

fn parse_thresholds(args: &Args) -> Result<Thresholds, UsageError> {
    let mut max_invalid = Vec::new();
    for t in &args.max_invalid {
        let (column, limit) = match t.rsplit_once('=') {
            Some((c, l)) => (Some(c.to_string()), l),
            None => (None, t.as_str()),
        };
        let limit = Limit::parse(limit).ok_or_else(|| {
            UsageError(format!(
                "--max-invalid {t:?}: expected N, P%, COLUMN=N or COLUMN=P% (e.g. 10, 2%, Phone=0)"
            ))
        })?;
        max_invalid.push(MaxInvalid {
            text: t.clone(),
            column,
            limit,
        });
    }
    let mut fail_on = Vec::new();
    for r in args
        .fail_on
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        let reason = Reason::parse(r).ok_or_else(|| {
            let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
            UsageError(format!(
                "--fail-on {r:?}: unknown reason (one of: {})",
                names.join(", ")
            ))
        })?;
        fail_on.push(reason);
    }
    let max_dup = match &args.max_duplicates {
        None => None,
        Some(t) => Some(Limit::parse(t).ok_or_else(|| {
            UsageError(format!(
                "--max-duplicates {t:?}: expected N or P% (e.g. 0, 1%)"
            ))
        })?),
    };
    Ok(Thresholds {
        max_invalid,
        fail_on,
        max_duplicates: max_dup,
    })
}

fn evaluate(
    args: &Args,
    stats: &Stats,
    dups: &GroupSummary,
) -> Result<Vec<ThresholdResult>, UsageError> {
    let Thresholds {
        mut max_invalid,
        fail_on,
        max_duplicates: max_dup,
    } = parse_thresholds(args)?;
    if max_invalid.is_empty() && fail_on.is_empty() && max_dup.is_none() {
        max_invalid.push(MaxInvalid {
            text: "0".into(),
            column: None,
            limit: Limit::Count(0),
        });
    }
    let mut out = Vec::new();
    for m in &max_invalid {
        let (n, total) = match &m.column {
            None => (stats.invalid(), stats.non_empty()),
            Some(name) => {
                let c = stats
                    .columns
                    .iter()
                    .find(|c| &c.name == name)
                    .ok_or_else(|| {
                        let names: Vec<&str> =
                            stats.columns.iter().map(|c| c.name.as_str()).collect();
                        UsageError(format!(
                        "--max-invalid {}: {name:?} is not a phone or email column (those are: {})",
                        m.text,
                        names.join(", ")
                    ))
                    })?;
                (c.invalid, c.valid + c.fixed + c.invalid)
            }
        };
        let (passed, actual) = m.limit.test(n, total);
        out.push(ThresholdResult {
            threshold: format!("--max-invalid {}", m.text),
            actual,
            passed,
        });
    }
    for r in fail_on {
        let n = stats.reason_count(r);
        out.push(ThresholdResult {
            threshold: format!("--fail-on {r}"),
            actual: n.to_string(),
            passed: n == 0,
        });
    }
    if let Some(limit) = max_dup {
        let dup_rows = dups.rows_in_groups - dups.groups;
        let (passed, actual) = limit.test(dup_rows, stats.rows);
        out.push(ThresholdResult {
            threshold: format!(
                "--max-duplicates {}",
                args.max_duplicates.as_deref().unwrap_or_default()
            ),
            actual,
            passed,
        });
    }
    Ok(out)
}

fn summary(
    name: &str,
    stats: &Stats,
    dups: &GroupSummary,
    results: &[ThresholdResult],
    pass: bool,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "contactclean check: {name}: {}",
        if pass { "PASS" } else { "FAIL" }
    );
    let _ = writeln!(
        s,
        "  rows {}; phone/email cells: {} non-empty, {} invalid; {} rows flagged",
        stats.rows,
        stats.non_empty(),
        stats.invalid(),
        stats.flagged_rows
    );
    for c in stats.columns.iter().filter(|c| c.kind.is_some()) {
        let reasons: Vec<String> = c.reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let _ = writeln!(
            s,
            "  {:<24} valid {:>7}  fixed {:>7}  invalid {:>7}  empty {:>7}{}",
            c.name,
            c.valid,
            c.fixed,
            c.invalid,
            c.empty,
            if reasons.is_empty() {
                String::new()
            } else {
                format!("  ({})", reasons.join(", "))
            }
        );
    }
    let extra = super::pass::extra_lines(stats);
    if !extra.is_empty() {
        let _ = writeln!(s, "{}", extra.trim_start_matches('\n'));
    }
    let _ = writeln!(
        s,
        "  duplicates: {} groups, {} rows in them, largest {}",
        dups.groups, dups.rows_in_groups, dups.largest_group
    );
    for r in results {
        let _ = writeln!(
            s,
            "  {} {} (actual {})",
            if r.passed { "ok  " } else { "FAIL" },
            r.threshold,
            r.actual
        );
    }
    if !stats.first_offenders.is_empty() {
        let _ = writeln!(s, "  first flagged records:");
        for o in &stats.first_offenders {
            let _ = writeln!(s, "    record {} (line {}): {}", o.record, o.line, o.flags);
        }
    }
    s
}

pub fn run(args: Args) -> Result<u8, Failure> {
    // Threshold syntax is checked before the file is read, and the columns that thresholds
    // name as soon as the header is.
    parse_thresholds(&args).map_err(|e| Failure::usage(e.0))?;
    let plan = [
        Planned::new("--rejects", args.rejects.as_deref()),
        Planned::new("--report", args.report.as_deref()),
    ];
    let plan: Vec<Planned> = plan.into_iter().flatten().collect();
    super::plan_outputs(&args.input, &plan)?;
    let mut rejects = args
        .rejects
        .as_ref()
        .map(|_| open_output(&plan[0].target))
        .transpose()?;
    let mut report_out = args
        .report
        .as_ref()
        .map(|_| open_output(&plan[plan.len() - 1].target))
        .transpose()?;
    let name = pass::input_name(&args.input);
    let columns_exist = |cleaner: &Cleaner| -> Result<(), Failure> {
        let stats = Stats::new(cleaner);
        evaluate(&args, &stats, &GroupSummary::default())
            .map(drop)
            .map_err(|e| Failure::usage(format!("{name}: {}", e.0)))
    };
    let mut pass = pass::run(
        &args.input,
        Wants {
            csv: None,
            rejects: rejects.as_mut(),
            link: true,
            more_outputs: true,
            id_column: args.id_column.clone(),
            before: Some(&columns_exist),
            fingerprint: false,
            sinks: Vec::new(),
        },
    )?;
    if pass.stats.columns.is_empty() && !args.allow_no_columns {
        return Err(Failure::run(format!(
            "{}: no phone or email column to check; name them with --phone-column / \
             --email-column, or pass --allow-no-columns to let such a file pass",
            pass.name
        )));
    }
    let groups = pass
        .finish_groups(args.max_group)
        .ok_or_else(|| Failure::internal("the pass did not link rows"))?;
    let dups = groups.summary();
    let results = evaluate(&args, &pass.stats, &dups).map_err(|e| Failure::usage(e.0))?;
    let passed = results.iter().all(|r| r.passed);
    let verdict = if passed { 0 } else { 1 };
    let text = summary(&pass.name, &pass.stats, &dups, &results, passed);
    if let Some(out) = &mut report_out {
        let mut report = Report::new("check", &pass.name, &pass.stats, pass.elapsed.as_secs_f64());
        report.duplicates = Some(dups);
        report.thresholds = results;
        report.verdict = Some(if passed { "pass" } else { "fail" });
        // A reader that closes stdout early chose not to read the report: the verdict still
        // decides the exit code (a gate fails closed, never 0 on a failing file).
        match pass::write_report(out, &report) {
            Err(f) if f.stdout_closed => {}
            r => r?,
        }
    }
    if let Some(r) = rejects {
        super::commit(r)?;
    }
    if let Some(o) = report_out {
        match super::commit(o) {
            Err(f) if f.stdout_closed => {}
            r => r?,
        }
    }
    if !args.input.quiet {
        let report_to_stdout = args.report.as_ref().is_some_and(|p| p.as_os_str() == "-");
        if report_to_stdout {
            stderr_line(text.trim_end());
        } else {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(Failure::run(format!("<stdout>: {e}"))),
                Ok(()) => {}
            }
        }
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(Limit::parse("10"), Some(Limit::Count(10)));
        assert_eq!(Limit::parse("2%"), Some(Limit::Percent(2.0)));
        assert_eq!(Limit::parse("2.5 %"), None.or(Some(Limit::Percent(2.5))));
        assert_eq!(Limit::parse("x"), None);
        assert_eq!(Limit::parse("120%"), None);
        assert!(Limit::Percent(2.0).test(2, 100).0);
        assert!(!Limit::Percent(2.0).test(3, 100).0);
        assert!(Limit::Count(0).test(0, 5).0);
        assert!(!Limit::Count(0).test(1, 5).0);
    }
}
