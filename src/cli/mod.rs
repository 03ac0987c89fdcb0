//! The command line: options shared by every subcommand, one file per subcommand (as xsv).

pub mod check;
pub mod dedupe;
pub mod merge;
pub mod normalize;
pub mod output;
pub mod pass;

use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Clean contact lists in bulk: phone numbers to E.164, emails trimmed and lower-cased,
/// invalid values kept verbatim and flagged, duplicate contacts suggested for merging.
#[derive(Debug, Parser)]
#[command(
    name = "contactclean",
    version = version(),
    propagate_version = true,
    after_help = "Examples:\n  contactclean normalize contacts.csv > clean.csv\n  \
                  contactclean dedupe contacts.csv -o merges.csv --summary\n  \
                  contactclean merge contacts.csv --suggestions merges.csv -o merged.csv\n  \
                  contactclean check contacts.csv --fail-on missing_country_code --report report.json"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// `--version` names the phone metadata too: it decides which numbers are valid.
fn version() -> &'static str {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (libphonenumber metadata ",
        contactclean::metadata_version!(),
        ", rlibphonenumber 2.2.15)"
    )
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Normalize(normalize::Args),
    Dedupe(dedupe::Args),
    Merge(merge::Args),
    Check(check::Args),
}

/// Options every subcommand reads its input with.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// File to read: CSV/TSV, vCard (.vcf) or a workbook (.xlsx, .xls, .xlsb, .ods); `-` or
    /// nothing reads standard input.
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,

    /// The input's format. Default: from the file's extension, confirmed by its content
    /// (`BEGIN:VCARD`, a workbook's signature); standard input: from its content.
    #[arg(long, value_name = "FORMAT", value_enum)]
    pub input_format: Option<InputFormat>,

    /// The sheet of a workbook to read: its name, or its position (1 = the first). Default: the
    /// first.
    #[arg(long, value_name = "NAME|INDEX")]
    pub sheet: Option<String>,

    /// Field delimiter of the input (one character; `\t` for tab). Default: sniffed from the
    /// first lines among `,` `;` tab `|` (`.tsv` files: tab).
    #[arg(short = 'd', long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Decode input in this encoding (WHATWG label: windows-1252, latin1, utf-16le, shift_jis,
    /// …), or `auto`: detect it from the first 64 KiB (named on stderr). Default: UTF-8, or
    /// UTF-16 when the file starts with its byte-order mark.
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    pub encoding: Option<EncodingArg>,

    /// Accept records with more fields than the header: kept whole, flagged `row:ragged`.
    /// Default: such a record is an error. (Records with fewer fields are always padded with
    /// empty fields and counted in the summary.)
    #[arg(long)]
    pub flexible: bool,

    /// A phone column (repeatable). Naming one turns header detection off for phones.
    #[arg(long = "phone-column", value_name = "NAME")]
    pub phone_columns: Vec<String>,

    /// An email column (repeatable). Naming one turns header detection off for emails.
    #[arg(long = "email-column", value_name = "NAME")]
    pub email_columns: Vec<String>,

    /// Read numbers written without a country code as numbers of this region (ISO 3166
    /// code, e.g. GB). Opt-in: without it they are flagged missing_country_code, never guessed.
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub default_region: Option<rlibphonenumber::Region>,

    /// Read each row's numbers written without a country code in the region this column of the
    /// same row names (ISO 3166 alpha-2 or alpha-3, or a country name: Germany, USA,
    /// Deutschland, Brasil, …); an empty cell falls back to --default-region, and a value that
    /// names no country is flagged COLUMN:unknown_region.
    #[arg(long, value_name = "COLUMN")]
    pub region_column: Option<String>,

    /// Flag valid numbers that cannot receive messages on a mobile app (fixed line,
    /// toll-free, premium, …) as not_mobile. Numbers the metadata cannot tell apart pass.
    #[arg(long)]
    pub require_mobile: bool,

    /// Leave WhatsApp ids as they are: no rewrite of legacy wa_id forms (521…, 55 + 8
    /// digits), no links through the Argentine 9, old Ivorian/Beninese ids or business-scoped
    /// user ids (docs/whatsapp.md). For lists that are not going into WhatsApp.
    #[arg(long)]
    pub no_whatsapp_rules: bool,

    /// Name of the flags column (recomputed in place if the input already has it).
    #[arg(long, value_name = "NAME", default_value = "flags")]
    pub flags_column: String,

    /// Worker threads; 0 = all cores. At most 4 × the cores (more only costs memory).
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0, value_parser = parse_jobs)]
    pub jobs: usize,

    /// Largest record accepted, in bytes (suffixes K, M, G): a bigger one is a data error
    /// naming the record, so a corrupt file cannot exhaust memory.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
    pub max_record_size: u64,

    /// No progress bar, notes or summary: only errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// What an input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// CSV or TSV.
    Csv,
    /// vCard 2.1, 3.0 or 4.0.
    Vcf,
    /// A workbook: .xlsx, .xlsm, .xls, .xlsb or .ods.
    Xlsx,
}

/// What `normalize` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// CSV (a vCard input: one row per card).
    Csv,
    /// vCard (only from a vCard input): the cards with their numbers and emails cleaned.
    Vcf,
}

/// Why a run did not succeed, and so its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    /// How the command was called (exit 2).
    Usage,
    /// The input, an output or the machine (exit 1; `check`: 3).
    Run,
    /// A bug (exit 1; `check`: 3), said as `internal error: …`.
    Internal,
}

/// A failed run: one line for stderr and what kind of failure it is.
#[derive(Debug)]
pub struct Failure {
    pub kind: FailKind,
    pub message: String,
    /// Standard output was closed by its reader (`| head`): the reader's choice, not an error.
    pub stdout_closed: bool,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            kind: FailKind::Usage,
            message: message.into(),
            stdout_closed: false,
        }
    }

    pub fn run(message: impl Into<String>) -> Failure {
        Failure {
            kind: FailKind::Run,
            message: message.into(),
            stdout_closed: false,
        }
    }

    pub fn internal(message: impl Into<String>) -> Failure {
        Failure {
            kind: FailKind::Internal,
            message: format!("internal error: {}", message.into()),
            stdout_closed: false,
        }
    }

    pub fn with_broken_pipe(mut self, on_stdout: bool) -> Failure {
        self.stdout_closed = on_stdout;
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A delimiter must be one ASCII character that cannot also be CSV syntax: a quote or a line
/// break as delimiter would make every record unreadable.
fn parse_delimiter(s: &str) -> Result<u8, String> {
    let b = match s {
        "\\t" | "tab" | "\t" => b'\t',
        _ if s.len() == 1 && s.is_ascii() => s.as_bytes()[0],
        _ => {
            return Err(format!(
                "{s:?} is not one ASCII character (use \\t for tab)"
            ))
        }
    };
    match b {
        b'"' | b'\n' | b'\r' => Err(format!(
            "{s:?} cannot be a delimiter: quotes and line breaks are CSV syntax"
        )),
        _ => Ok(b),
    }
}

/// `-j N`: at most 4 × the cores; more threads only cost memory and start-up time.
fn parse_jobs(s: &str) -> Result<usize, String> {
    let n: usize = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of threads"))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if n > 4 * cores {
        return Err(format!(
            "{n} threads is more than 4 × the {cores} cores; use at most {}",
            4 * cores
        ));
    }
    Ok(n)
}

/// A size in bytes, with an optional K, M or G suffix (powers of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => t.split_at(i),
        None => (t, ""),
    };
    let unit: u64 = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches(['B', 'I'])
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("{s:?}: expected bytes, e.g. 64M, 512K, 1G")),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{s:?}: expected a positive size, e.g. 64M"))
}

/// `--encoding`: a WHATWG label, or `auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingArg {
    Label(&'static encoding_rs::Encoding),
    /// Detect the encoding from the first bytes of the input.
    Auto,
}

fn parse_encoding(s: &str) -> Result<EncodingArg, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(EncodingArg::Auto);
    }
    encoding_rs::Encoding::for_label(s.as_bytes())
        .map(EncodingArg::Label)
        .ok_or_else(|| {
            format!("unknown encoding {s:?} (try auto, windows-1252, latin1, utf-16le, utf-16be)")
        })
}

fn parse_region(s: &str) -> Result<rlibphonenumber::Region, String> {
    contactclean::phone::parse_region(s)
}

/// `--output-delimiter`, shared by the subcommands that write CSV.
pub fn parse_output_delimiter(s: &str) -> Result<u8, String> {
    parse_delimiter(s)
}

/// Refuses, before anything is read, outputs that would collide: with the input, with each
/// other, or two of them on standard output; and standard output that is closed.
pub fn plan_outputs(input: &InputArgs, outputs: &[output::Planned]) -> Result<(), Failure> {
    output::check_plan(input.input.as_deref(), outputs).map_err(Failure::usage)?;
    let uses_stdout = outputs
        .iter()
        .any(|p| matches!(p.target, output::Target::Stdout));
    if uses_stdout && !output::stdout_is_open() {
        return Err(Failure::run(
            "standard output is closed; write with -o FILE or give the command an output",
        ));
    }
    Ok(())
}

/// Opens an output (a temporary file beside a path, or standard output), naming it on error.
pub fn open_output(target: &output::Target) -> Result<output::Output, Failure> {
    output::Output::open(target).map_err(|e| Failure::run(e.to_string()))
}

/// Renames a finished output into place (stdout: flushes it). Its errors already name it.
pub fn commit(out: output::Output) -> Result<(), Failure> {
    let stdout = out.is_stdout();
    out.commit().map_err(|e| {
        let broken = e.kind() == std::io::ErrorKind::BrokenPipe;
        Failure::run(e.to_string()).with_broken_pipe(broken && stdout)
    })
}

/// A closed standard output stops only what was written there: the reader chose not to read
/// it. Every other output is still completed.
pub fn unless_stdout_closed(r: Result<(), Failure>) -> Result<(), Failure> {
    match r {
        Err(f) if f.stdout_closed => Ok(()),
        r => r,
    }
}
