//! The command line: options shared by every subcommand, one file per subcommand (as xsv).

pub mod check;
pub mod dedupe;
pub mod input;
pub mod job;
pub mod normalize;

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
    Check(check::Args),
}

/// Options every subcommand reads its input with.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// CSV file to read; `-` or nothing reads standard input.
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,

    /// Field delimiter of the input (one character; `\t` for tab). Default: sniffed from the
    /// first lines among `,` `;` tab `|` (`.tsv` files: tab).
    #[arg(short = 'd', long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Decode input in this encoding (WHATWG label: windows-1252, latin1, utf-16le, shift_jis,
    /// …). Default: UTF-8, or UTF-16 when the file starts with its byte-order mark.
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,

    /// Accept records with more or fewer fields than the header: short ones are padded, long
    /// ones kept whole, both flagged `row:ragged`. Default: such a record is an error.
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

    /// Flag valid numbers that cannot receive messages on a mobile app (fixed line,
    /// toll-free, premium, …) as not_mobile. Numbers the metadata cannot tell apart pass.
    #[arg(long)]
    pub require_mobile: bool,

    /// Name of the flags column (recomputed in place if the input already has it).
    #[arg(long, value_name = "NAME", default_value = "flags")]
    pub flags_column: String,

    /// Worker threads; 0 = all cores.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// No progress bar, notes or summary: only errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// A mistake in how the command was called (exit code 2), found after argument parsing.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "{s:?} is not one ASCII character (use \\t for tab)"
        )),
    }
}

fn parse_encoding(s: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(s.as_bytes()).ok_or_else(|| {
        format!("unknown encoding {s:?} (try windows-1252, latin1, utf-16le, utf-16be)")
    })
}

fn parse_region(s: &str) -> Result<rlibphonenumber::Region, String> {
    let code = s.to_ascii_uppercase();
    rlibphonenumber::Region::from_code(&code)
        .ok()
        .filter(|r| {
            rlibphonenumber::PHONE_NUMBER_UTIL
                .get_country_code_for_region(*r)
                .is_some()
        })
        .ok_or_else(|| format!("{s:?} is not a region code with phone metadata (e.g. GB, US, SG)"))
}

/// `--output-delimiter`, shared by the subcommands that write CSV.
pub fn parse_output_delimiter(s: &str) -> Result<u8, String> {
    parse_delimiter(s)
}

/// `--report -` and a CSV on stdout cannot share it: the CSV must then go to `-o FILE`.
pub fn check_stdout_free(
    report: Option<&std::path::Path>,
    output: Option<&std::path::Path>,
) -> Result<(), UsageError> {
    let is_stdout = |p: &std::path::Path| p.as_os_str() == "-";
    if report.is_some_and(is_stdout) && output.is_none_or(is_stdout) {
        return Err(UsageError(
            "--report - would mix the JSON report into the CSV on stdout; write the CSV with -o FILE"
                .into(),
        ));
    }
    Ok(())
}
